// One explored seed: the scenario run with its nemesis drawn for that seed, the checkers fed by
// the nodes' events. Its trace is not written (re-running the seed reproduces it byte for byte)
// and is formatted and hashed only when asked, for the determinism self-check: formatting and
// hashing a trace costs about as much as the run itself. An exception out of the simulation is a
// crash of the harness itself, reported apart from the checkers' verdicts.

import type { ViolationClass } from '../models/violation.ts';
import { runScenario } from '../sim/scenario/run.ts';
import type { Scenario } from '../sim/scenario/types.ts';
import { HashOnlySink } from '../trace/sink.ts';

export interface SeedViolation {
  name: string;
  class: ViolationClass;
  message: string;
  step: number;
}

export interface SeedOutcome {
  seed: number;
  /** The first violation of each checker that tripped, in the order they tripped. */
  violations: SeedViolation[];
  /** Null unless the trace was hashed. */
  traceHash: string | null;
  simMs: number;
  /** The harness threw: a bug in samsa, not a verdict on the system under test. */
  crash: string | null;
  /** With BUGGIFY on: how often each site fired in this seed; null when off. */
  buggify: Record<string, number> | null;
}

export function runSeed(scenario: Scenario, seed: number, bugs: readonly string[], hashTrace = false): SeedOutcome {
  try {
    const run = runScenario(scenario, { seed, bugs, trace: hashTrace ? new HashOnlySink() : null });
    const seen = new Set<string>();
    const violations: SeedViolation[] = [];
    for (const v of run.violations) {
      if (seen.has(v.name)) continue;
      seen.add(v.name);
      violations.push({ name: v.name, class: v.class, message: v.message, step: v.step });
    }
    return { seed, violations, traceHash: run.traceHash, simMs: run.simMs, crash: null, buggify: run.buggify };
  } catch (err) {
    return { seed, violations: [], traceHash: null, simMs: 0, crash: err instanceof Error ? (err.stack ?? err.message) : String(err), buggify: null };
  }
}

/** The violation a failing seed is known by: its first safety violation, else its first one. */
export function headlineViolation(outcome: SeedOutcome): SeedViolation | null {
  return outcome.violations.find((v) => v.class === 'safety') ?? outcome.violations[0] ?? null;
}
