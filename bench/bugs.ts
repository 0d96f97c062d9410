// `samsa bench bugs`: the bug-finding power of the explorer. For every seeded bug, explore the
// generic nemesis scenario with that bug switched on until the first violation (or the cap):
// seeds needed, wall seconds, and the faults left after shrinking. And clean seeds with no bug
// (run first), where any violation is a false alarm. Workers start once and serve every bug.

import { explore } from '../explore/explorer.ts';
import { closeRunners, seedRunners } from '../explore/pool.ts';
import type { Scenario } from '../sim/scenario/types.ts';

export interface BugFinding {
  name: string;
  found: boolean;
  /** Seeds run until the first failing one (all seeds run, when not found). */
  seeds: number;
  /** The first failing seed, or null. */
  seed: number | null;
  seconds: number;
  violation: string | null;
  /** Faults in the shrunk scenario, or null when nothing was found. */
  shrunkFaults: number | null;
  shrunkFrom: number | null;
  shrinkRuns: number | null;
  failure: string | null;
}

export interface BugsBenchResult {
  bench: 'bugs';
  scenario: string;
  workers: number;
  capSeconds: number;
  bugs: BugFinding[];
  found: number;
  medianSeconds: number | null;
  maxShrunkFaults: number | null;
  cleanSeeds: number;
  falseAlarms: number;
  falseAlarmSeeds: number[];
  /** Clean seeds per wall second, all workers together. */
  seedsPerSec: number;
}

export interface BugsBenchOptions {
  scenario: Scenario;
  bugs: readonly string[];
  capMs: number;
  cleanSeeds: number;
  workers: number;
  failuresDir: string | null;
  progress: (line: string) => void;
}

export async function runBugsBench(options: BugsBenchOptions): Promise<BugsBenchResult> {
  const runners = seedRunners(options.workers);
  const common = { scenario: options.scenario, from: 1, workers: options.workers, runners, failuresDir: options.failuresDir };
  try {
    // Clean seeds first: they also warm the workers up, so no bug's time pays for that.
    const clean = await explore({ ...common, seeds: options.cleanSeeds, timeBudgetMs: null, untilFirst: false, bugs: [], shrink: 0, failuresDir: null });
    options.progress(`clean: ${clean.outcomes.length} seeds, ${clean.failing.length} false alarms, ${clean.seedsPerSec.toFixed(1)} seeds/s`);
    const bugs: BugFinding[] = [];
    for (const bug of options.bugs) {
      const report = await explore({ ...common, seeds: Number.POSITIVE_INFINITY, timeBudgetMs: options.capMs, untilFirst: true, bugs: [bug], shrink: 1 });
      const first = report.failing[0] ?? null;
      const shrunk = report.shrunk[0] ?? null;
      const finding: BugFinding = {
        name: bug,
        found: first !== null,
        seeds: first === null ? report.outcomes.length : report.outcomes.filter((o) => o.seed <= first.seed).length,
        seed: first?.seed ?? null,
        seconds: Number((report.exploreMs / 1000).toFixed(2)),
        violation: shrunk?.violation.name ?? first?.violations[0]?.name ?? (first?.crash ? 'harness-crash' : null),
        shrunkFaults: shrunk?.result.scenario.faults.length ?? null,
        shrunkFrom: shrunk?.result.faultsBefore ?? null,
        shrinkRuns: shrunk?.result.runs ?? null,
        failure: shrunk?.files?.scenario ?? null,
      };
      bugs.push(finding);
      options.progress(
        finding.found
          ? `${bug}: found by seed ${finding.seed} after ${finding.seeds} seeds, ${finding.seconds} s (${finding.violation}); shrunk to ${finding.shrunkFaults} of ${finding.shrunkFrom} faults`
          : `${bug}: NOT found in ${finding.seeds} seeds, ${finding.seconds} s`,
      );
    }
    const foundTimes = bugs.filter((b) => b.found).map((b) => b.seconds);
    const shrunkFaults = bugs.map((b) => b.shrunkFaults).filter((n): n is number => n !== null);
    return {
      bench: 'bugs',
      scenario: options.scenario.name,
      workers: runners.length,
      capSeconds: options.capMs / 1000,
      bugs,
      found: foundTimes.length,
      medianSeconds: median(foundTimes),
      maxShrunkFaults: shrunkFaults.length === 0 ? null : Math.max(...shrunkFaults),
      cleanSeeds: clean.outcomes.length,
      falseAlarms: clean.failing.length,
      falseAlarmSeeds: clean.failing.map((o) => o.seed),
      seedsPerSec: Number(clean.seedsPerSec.toFixed(2)),
    };
  } finally {
    await closeRunners(runners);
  }
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : Number(((sorted[mid - 1]! + sorted[mid]!) / 2).toFixed(2));
}
