// What an exploration found, summarised: the failing seeds grouped by the checker that tripped
// (harness crashes apart), and the whole report as the JSON object `samsa explore --json` prints.
// The command line renders these as tables; benchmarks read them as data.

import type { ExploreOptions, ExploreReport } from './explorer.ts';

/** The seeds one checker failed (or the harness crashed on), with the first one's message. */
export interface CheckerFailures {
  name: string;
  class: 'safety' | 'liveness' | 'crash';
  seeds: number[];
  firstMessage: string;
}

/** Failing seeds by checker, in the order checkers first tripped; a harness crash counts as `harness-crash`. */
export function failuresByChecker(report: ExploreReport): CheckerFailures[] {
  const byChecker = new Map<string, CheckerFailures>();
  for (const o of report.failing) {
    const found = o.crash !== null ? [{ name: 'harness-crash', class: 'crash' as const, message: o.crash.split('\n')[0]! }] : o.violations;
    for (const v of found) {
      const entry = byChecker.get(v.name) ?? { name: v.name, class: v.class, seeds: [], firstMessage: v.message };
      entry.seeds.push(o.seed);
      byChecker.set(v.name, entry);
    }
  }
  return [...byChecker.values()];
}

/** The report as one JSON object: seeds, speed, every violation with the scenario that reproduces it, crashes, the determinism check, the shrunk failures. */
export function exploreSummaryJson(file: string, options: Omit<ExploreOptions, 'onSeed'>, report: ExploreReport): Record<string, unknown> {
  const shrunkBySeed = new Map(report.shrunk.map((s) => [s.seed, s]));
  return {
    scenario: options.scenario.name,
    file,
    bugs: options.bugs,
    seeds: report.outcomes.length,
    from: options.from,
    seedsPerSec: Number(report.seedsPerSec.toFixed(2)),
    wallMs: Math.round(report.wallMs),
    stoppedBy: report.stoppedBy,
    violations: report.failing.flatMap((o) =>
      o.violations.map((v) => ({
        seed: o.seed,
        name: v.name,
        class: v.class,
        message: v.message,
        scenario: shrunkBySeed.get(o.seed)?.files?.scenario ?? file,
      })),
    ),
    crashes: report.failing.filter((o) => o.crash !== null).map((o) => ({ seed: o.seed, message: o.crash })),
    determinism: report.determinism,
    shrunk: report.shrunk.map((s) => ({
      seed: s.seed,
      name: s.violation.name,
      message: s.shrunkViolation.message,
      step: s.shrunkViolation.step,
      faultsBefore: s.result.faultsBefore,
      faults: s.result.scenario.faults.length,
      runs: s.result.runs,
      scenario: s.files?.scenario ?? null,
      trace: s.files?.trace ?? null,
    })),
  };
}
