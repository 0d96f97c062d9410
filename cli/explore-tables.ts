// The pieces of the explorer's summary that `samsa explore` and `samsa explore merge` both print:
// what was explored, the determinism self-check, failing seeds by checker, the shrunk failures.

import type { CheckerFailures, ExploreSummary } from '../explore/summary.ts';
import { bad, dim, ok, table } from './output.ts';

export const secs = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** The rows that say what was explored: the scenario file, the seeded bugs, BUGGIFY. */
export function exploredRows(file: string, bugs: readonly string[], buggify: boolean): Array<[string, string]> {
  return [
    ['scenario file', file],
    ['bugs switched on', bugs.length === 0 ? dim('none') : bugs.join(', ')],
    ['BUGGIFY', buggify ? 'on' : dim('off')],
  ];
}

/** The determinism self-check in words: how many seeds ran twice, or which gave another hash. */
export function determinismCell(determinism: { seeds: readonly number[]; mismatches: readonly number[] }, skipped: string | null): string {
  if (skipped !== null) return dim(`skipped (${skipped})`);
  return determinism.mismatches.length === 0
    ? ok(`${determinism.seeds.length} seed(s) run twice, same trace hash`)
    : bad(`seeds ${determinism.mismatches.join(', ')} gave another trace hash when run again`);
}

/** Failing seeds by checker: how many, the first, and its message cut to fit. */
export function checkerTable(byChecker: readonly CheckerFailures[]): string {
  return table(
    ['checker', 'class', 'seeds', 'first seed', 'first message'],
    byChecker.map((e) => [e.name, e.class, e.seeds.length, e.seeds[0]!, e.firstMessage.length > 80 ? e.firstMessage.slice(0, 77) + '...' : e.firstMessage]),
  );
}

/** The shrunk failures with the scenario file that reproduces each, and the commands to run, replay and watch the first. */
export function shrunkTable(shrunk: ReadonlyArray<ExploreSummary['shrunk'][number]>): string[] {
  const lines = [
    table(
      ['seed', 'checker', 'faults (drawn -> shrunk)', 'runs', 'reproduce with'],
      shrunk.map((s) => [s.seed, s.name, `${s.faultsBefore} -> ${s.faults}`, s.runs, s.scenario ?? dim('(not written)')]),
    ),
  ];
  const written = shrunk.find((s) => s.scenario !== null && s.trace !== null);
  if (written)
    lines.push(
      dim(`run it: npx samsa run ${written.scenario}    replay its trace: npx samsa replay ${written.trace}    watch it: npx samsa viz ${written.trace}`),
    );
  return lines;
}
