// The explorer's loop: hands seeds to the runners until the seeds, the time budget or (with
// --until-first) the first violation run out, or an abort (Ctrl-C) stops it; then shrinks the
// failing seeds and writes each one under failures/. Exit codes by class, as TigerBeetle's VOPR has them.

import { headlineViolation, runSeed, type SeedOutcome, type SeedViolation } from './run-seed.ts';
import { shrink, type ShrinkResult } from './shrink.ts';
import { writeFailure, type FailureFiles } from './failure-files.ts';
import type { Scenario } from '../sim/scenario/types.ts';
import { closeRunners, seedRunners, type SeedRunner } from './pool.ts';
import { shardSeed, shardSize, WHOLE, type Shard } from './shard.ts';

export interface ExploreOptions {
  scenario: Scenario;
  /** Seeds `from` .. `from + seeds - 1`, unless a limit below stops earlier. */
  from: number;
  seeds: number;
  /** Run only this shard's slice of those seeds (explore/shard.ts); by default all of them. */
  shard?: Shard;
  workers: number;
  timeBudgetMs: number | null;
  untilFirst: boolean;
  /**
   * Which violation of a failing seed counts (what --until-first stops at and what shrinking
   * keeps); null: none of its violations counts. By default the seed's headline violation (its
   * first safety violation, else its first one).
   */
  counts?: (outcome: SeedOutcome) => SeedViolation | null;
  bugs: readonly string[];
  /** How many failing seeds to shrink (the first ones by seed); 0 shrinks none. */
  shrink: number;
  /** Where shrunk failures are written; null writes nothing. */
  failuresDir: string | null;
  onSeed?: (outcome: SeedOutcome, progress: ExploreProgress) => void;
  /** Every how many of the shard's seeds one has its trace hashed and is run again to compare (default 100). */
  recheckEvery?: number;
  /** Runners to use (and leave open); by default `workers` new ones, closed at the end. */
  runners?: readonly SeedRunner[];
  /**
   * Aborted (Ctrl-C): no new seed is taken, the seeds in flight finish, and the report covers the
   * seeds run so far, without the determinism re-check or shrinking (the user asked to stop).
   */
  signal?: AbortSignal;
  /** Called when no more seeds will run, before the re-check and shrinking (which cannot be aborted). */
  onSeedsDone?: () => void;
}

export interface ExploreProgress {
  done: number;
  failing: number;
  elapsedMs: number;
}

export interface ShrunkFailure {
  seed: number;
  /** The violation the seed was shrunk for, as the seed's own run found it. */
  violation: SeedViolation;
  /** The same checker's violation as the shrunk scenario's run finds it (its message and step are this run's). */
  shrunkViolation: SeedViolation;
  result: ShrinkResult;
  files: FailureFiles | null;
}

/** The determinism self-check (as FoundationDB's harness has it): sampled seeds run again here. */
export interface DeterminismCheck {
  seeds: number[];
  /** Seeds whose second run gave another trace hash: a bug in samsa (exit code 3). */
  mismatches: number[];
}

export interface ExploreReport {
  outcomes: SeedOutcome[];
  determinism: DeterminismCheck;
  /** Seeds with a violation or a crash, by seed. */
  failing: SeedOutcome[];
  shrunk: ShrunkFailure[];
  wallMs: number;
  exploreMs: number;
  seedsPerSec: number;
  stoppedBy: 'seeds' | 'time-budget' | 'first-violation' | 'interrupted';
}

export async function explore(options: ExploreOptions): Promise<ExploreReport> {
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  const runners = options.runners ?? seedRunners(options.workers);
  const recheckEvery = options.recheckEvery ?? RECHECK_EVERY;
  const outcomes: SeedOutcome[] = [];
  let failingSoFar = 0;
  const shard = options.shard ?? WHOLE;
  // The position in the shard's slice of the seed to take next, and how many the slice holds.
  let next = 0;
  const end = shardSize(options.seeds, shard);
  let stoppedBy: ExploreReport['stoppedBy'] = 'seeds';
  const stop = (why: ExploreReport['stoppedBy']) => {
    if (stoppedBy === 'seeds') stoppedBy = why;
    next = end;
  };
  const failed = (o: SeedOutcome) => o.crash !== null || o.violations.length > 0;
  const counted = options.counts ?? headlineViolation;
  // --until-first stops at any failing seed (a harness crash too), or at one whose violation counts.
  const stopsAt = (o: SeedOutcome) => (options.counts === undefined ? failed(o) : counted(o) !== null);
  try {
    await Promise.all(
      runners.map(async (runner) => {
        while (next < end) {
          if (options.signal?.aborted === true) {
            stop('interrupted');
            break;
          }
          if (options.timeBudgetMs !== null && elapsed() >= options.timeBudgetMs) {
            stop('time-budget');
            break;
          }
          const position = next++;
          const seed = shardSeed(options.from, shard, position);
          // Counted in the shard's own seeds, so that every shard re-checks its first seed and one in recheckEvery.
          const hashTrace = position % recheckEvery === 0;
          const outcome = await runner.run({ scenario: options.scenario, seed, bugs: [...options.bugs], hashTrace });
          outcomes.push(outcome);
          if (options.untilFirst && stopsAt(outcome)) stop('first-violation');
          if (failed(outcome)) failingSoFar++;
          options.onSeed?.(outcome, { done: outcomes.length, failing: failingSoFar, elapsedMs: elapsed() });
        }
      }),
    );
  } finally {
    if (options.runners === undefined) await closeRunners(runners);
  }
  options.onSeedsDone?.();
  const exploreMs = elapsed();
  outcomes.sort((a, b) => a.seed - b.seed);
  const interrupted = options.signal?.aborted === true;
  if (interrupted) stop('interrupted');
  const determinism = interrupted ? { seeds: [], mismatches: [] } : recheck(options, outcomes);
  const failing = outcomes.filter(failed);
  const shrunk: ShrunkFailure[] = [];
  // A harness crash is not shrunk: its stack is the reproduction.
  for (const outcome of failing.filter((o) => counted(o) !== null).slice(0, interrupted ? 0 : options.shrink)) {
    const violation = counted(outcome)!;
    const result = shrink(options.scenario, outcome.seed, { violation: violation.name, bugs: options.bugs });
    const shrunkViolation = result.outcome.violations.find((v) => v.name === violation.name) ?? violation;
    const named = {
      ...result.scenario,
      name: failureName(options.scenario.name, outcome.seed, options.bugs),
      description: describeShrunk(options.scenario, outcome.seed, shrunkViolation, result),
    };
    result.scenario = named;
    const files = options.failuresDir === null ? null : writeFailure(options.failuresDir, named);
    shrunk.push({ seed: outcome.seed, violation, shrunkViolation, result, files });
  }
  return { outcomes, determinism, failing, shrunk, wallMs: elapsed(), exploreMs, seedsPerSec: outcomes.length / (exploreMs / 1000), stoppedBy };
}

/** One seed in a hundred (the first among them) has its trace hashed and is run again in this thread; the hash must not change. */
const RECHECK_EVERY = 100;

function recheck(options: ExploreOptions, outcomes: readonly SeedOutcome[]): DeterminismCheck {
  const sample = outcomes.filter((o) => o.traceHash !== null && o.crash === null);
  const mismatches = sample.filter((o) => runSeed(options.scenario, o.seed, options.bugs, true).traceHash !== o.traceHash).map((o) => o.seed);
  return { seeds: sample.map((o) => o.seed), mismatches };
}

/** What an exploration's exit code rests on, whether it comes from one report or is folded from shards' results. */
export interface Verdict {
  crashed: boolean;
  nondeterministic: boolean;
  safety: boolean;
  failing: boolean;
}

/** 3 when the harness crashed or a seed ran differently twice, 1 on a safety violation, 2 when only liveness failed, else 0. */
export function verdictExitCode(verdict: Verdict): number {
  if (verdict.crashed || verdict.nondeterministic) return 3;
  if (verdict.safety) return 1;
  return verdict.failing ? 2 : 0;
}

export function exploreExitCode(report: ExploreReport): number {
  return verdictExitCode({
    crashed: report.failing.some((o) => o.crash !== null),
    nondeterministic: report.determinism.mismatches.length > 0,
    safety: report.failing.some((o) => o.violations.some((v) => v.class === 'safety')),
    failing: report.failing.length > 0,
  });
}

function failureName(scenario: string, seed: number, bugs: readonly string[]): string {
  return [scenario, `seed-${seed}`, ...bugs].join('-');
}

/** What the shrunk scenario shows: the violation its own run finds (at its own step), and what was cut to get there. */
function describeShrunk(base: Scenario, seed: number, own: SeedViolation, result: ShrinkResult): string {
  return (
    `Shrunk by samsa explore from ${base.name}, seed ${seed}. Run with this seed, it trips ${own.name} at step ${own.step}: ${own.message}. ` +
    `${result.scenario.faults.length} of ${result.faultsBefore} faults kept, after ${result.runs} runs.`
  );
}
