// What an exploration found, summarised: the failing seeds grouped by the checker that tripped
// (harness crashes apart), and the whole report as the JSON object `samsa explore --json` prints
// and a shard writes as its summary.json. The command line renders these as tables; benchmarks
// and `samsa explore merge` read them as data.

import { createHash } from 'node:crypto';
import * as z from 'zod';
import { scenarioToYaml } from '../sim/scenario/to-yaml.ts';
import type { Scenario } from '../sim/scenario/types.ts';
import { exploreExitCode, type ExploreOptions, type ExploreReport, type ShrunkFailure } from './explorer.ts';
import { seedRange, WHOLE } from './shard.ts';

/** The seeds one checker failed (or the harness crashed on), with the first one's message. */
export interface CheckerFailures {
  name: string;
  class: 'safety' | 'liveness' | 'crash';
  seeds: number[];
  firstMessage: string;
}

/** A failing seed as the summaries need it: what an explored seed's outcome holds, or what a shard's summary file gives back. */
export interface SeedFailure {
  seed: number;
  violations: ReadonlyArray<{ name: string; class: 'safety' | 'liveness'; message: string }>;
  crash: string | null;
}

/** Failing seeds (in seed order) by checker, in the order checkers first tripped; a harness crash counts as `harness-crash`. */
export function failuresByChecker(failing: readonly SeedFailure[]): CheckerFailures[] {
  const byChecker = new Map<string, CheckerFailures>();
  for (const o of failing) {
    const found = o.crash !== null ? [{ name: 'harness-crash', class: 'crash' as const, message: o.crash.split('\n')[0]! }] : o.violations;
    for (const v of found) {
      const entry = byChecker.get(v.name) ?? { name: v.name, class: v.class, seeds: [], firstMessage: v.message };
      entry.seeds.push(o.seed);
      byChecker.set(v.name, entry);
    }
  }
  return [...byChecker.values()];
}

/** The command that runs a failing seed again: its shrunk scenario when one was written, else the explored scenario with the seed. */
export function reproduceCommand(failure: { file: string; seed: number; bugs: readonly string[]; buggify: boolean; shrunkScenario: string | null }): string {
  if (failure.shrunkScenario !== null) return `npx samsa run ${failure.shrunkScenario}`;
  const buggify = failure.buggify ? ' --buggify' : '';
  const bugs = failure.bugs.length > 0 ? ` --bug ${failure.bugs.join(' ')}` : '';
  return `npx samsa run ${failure.file} --seed ${failure.seed}${buggify}${bugs}`;
}

/** A digest of the scenario as parsed, so that shards can tell whether they explored the same one (a file edited between them is not). */
export function scenarioDigest(scenario: Scenario): string {
  return createHash('sha256').update(scenarioToYaml(scenario)).digest('hex').slice(0, 16);
}

const violationClass = z.enum(['safety', 'liveness']);
const seedList = z.array(z.number().int());

/**
 * What `samsa explore --json` prints as its last line, and what a shard writes as its summary.json:
 * the seeds, speed, every violation with the command that reproduces it, crashes, the determinism
 * check, the shrunk failures, and what `samsa explore merge` needs to tell shards of one exploration
 * from others (scenario digest, bugs, BUGGIFY, seed range, shard).
 */
export const exploreSummarySchema = z.object({
  scenario: z.string(),
  file: z.string(),
  scenarioDigest: z.string(),
  bugs: z.array(z.string()),
  buggify: z.boolean(),
  /** The seed range explored: `seedsRequested` seeds from `from` (null: unbounded, a time budget stops it). */
  from: z.number().int(),
  seedsRequested: z.number().int().nullable(),
  timeBudgetMs: z.number().nullable(),
  shard: z.object({ index: z.number().int().min(0), count: z.number().int().min(1) }),
  /** The seeds this run ran; null when none. */
  seedRange: z.object({ first: z.number().int(), last: z.number().int(), step: z.number().int().min(1), count: z.number().int().min(1) }).nullable(),
  seeds: z.number().int().min(0),
  workers: z.number().int(),
  seedsPerSec: z.number(),
  exploreMs: z.number(),
  wallMs: z.number(),
  stoppedBy: z.enum(['seeds', 'time-budget', 'first-violation', 'interrupted']),
  exitCode: z.number().int(),
  /** Where the shard's results were written (--out), so that a reader elsewhere can find its files; null without --out. */
  out: z.string().nullable(),
  violations: z.array(
    z.object({ seed: z.number().int(), name: z.string(), class: violationClass, message: z.string(), scenario: z.string(), reproduce: z.string() }),
  ),
  crashes: z.array(z.object({ seed: z.number().int(), message: z.string() })),
  determinism: z.object({ seeds: seedList, mismatches: seedList }),
  shrunk: z.array(
    z.object({
      seed: z.number().int(),
      name: z.string(),
      message: z.string(),
      step: z.number().int(),
      faultsBefore: z.number().int(),
      faults: z.number().int(),
      runs: z.number().int(),
      scenario: z.string().nullable(),
      trace: z.string().nullable(),
    }),
  ),
});

export type ExploreSummary = z.infer<typeof exploreSummarySchema>;

/** 128 + SIGINT, as a shell reports a command stopped by Ctrl-C: what `samsa explore` exits with when interrupted, whatever the seeds run so far found. */
export const INTERRUPTED = 130;

/** The report as one JSON object (exploreSummarySchema). */
export function exploreSummaryJson(file: string, options: Omit<ExploreOptions, 'onSeed'>, report: ExploreReport, out: string | null = null): ExploreSummary {
  const shrunkBySeed = new Map(report.shrunk.map((s) => [s.seed, s]));
  const shard = options.shard ?? WHOLE;
  const buggify = options.scenario.buggify === true;
  return {
    scenario: options.scenario.name,
    file,
    scenarioDigest: scenarioDigest(options.scenario),
    bugs: [...options.bugs],
    buggify,
    from: options.from,
    seedsRequested: Number.isFinite(options.seeds) ? options.seeds : null,
    timeBudgetMs: options.timeBudgetMs,
    shard: { ...shard },
    seedRange: seedRange(options.from, shard, report.outcomes.length),
    seeds: report.outcomes.length,
    workers: options.workers,
    seedsPerSec: Number(report.seedsPerSec.toFixed(2)),
    exploreMs: Math.round(report.exploreMs),
    wallMs: Math.round(report.wallMs),
    stoppedBy: report.stoppedBy,
    exitCode: report.stoppedBy === 'interrupted' ? INTERRUPTED : exploreExitCode(report),
    out,
    violations: report.failing.flatMap((o) => {
      const shrunkScenario = shrunkBySeed.get(o.seed)?.files?.scenario ?? null;
      return o.violations.map((v) => ({
        seed: o.seed,
        name: v.name,
        class: v.class,
        message: v.message,
        scenario: shrunkScenario ?? file,
        reproduce: reproduceCommand({ file, seed: o.seed, bugs: options.bugs, buggify, shrunkScenario }),
      }));
    }),
    crashes: report.failing.filter((o) => o.crash !== null).map((o) => ({ seed: o.seed, message: o.crash! })),
    determinism: report.determinism,
    shrunk: report.shrunk.map(shrunkSummary),
  };
}

/** A shrunk failure as the summary has it: the violation its own run finds, the faults cut, where its files are. */
export function shrunkSummary(s: ShrunkFailure): ExploreSummary['shrunk'][number] {
  return {
    seed: s.seed,
    name: s.violation.name,
    message: s.shrunkViolation.message,
    step: s.shrunkViolation.step,
    faultsBefore: s.result.faultsBefore,
    faults: s.result.scenario.faults.length,
    runs: s.result.runs,
    scenario: s.files?.scenario ?? null,
    trace: s.files?.trace ?? null,
  };
}
