// `samsa explore merge`: the results of an exploration's shards (explore/shard-result.ts) folded
// into one summary, as if one machine had run every seed. Shards of other explorations (another
// scenario, other bugs, another seed range or shard count), a shard index found twice or missing,
// and a shard whose seeds are not its slice are refused with every reason at once.

import { verdictExitCode } from './explorer.ts';
import { describeRange, inShard, seedRange, shardSize, type SeedRange } from './shard.ts';
import type { ShardResult } from './shard-result.ts';
import { failuresByChecker, reproduceCommand, type CheckerFailures, type ExploreSummary, type SeedFailure } from './summary.ts';

/** Shards that cannot be folded into one summary; `problems` lists every reason. */
export class ShardMergeError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`cannot merge these shards: ${problems.join('; ')}`);
    this.name = 'ShardMergeError';
  }
}

export interface MergeOptions {
  /** Fold the shards present even when some indexes are missing (their seeds are then not covered). */
  partial: boolean;
}

export interface MergedShard {
  index: number;
  dir: string;
  seeds: number;
  seedRange: SeedRange | null;
  stoppedBy: ExploreSummary['stoppedBy'];
  exploreMs: number;
  wallMs: number;
  seedsPerSec: number;
  failing: number;
  exitCode: number;
}

/** What the shards found together; a JSON object, as `samsa explore merge --json` prints it. */
export interface MergedExploration {
  scenario: string;
  file: string;
  scenarioDigest: string;
  bugs: string[];
  buggify: boolean;
  from: number;
  seedsRequested: number | null;
  shardCount: number;
  shards: MergedShard[];
  missing: number[];
  /** Whether the shards ran every seed of the range (bounded, no shard missing or stopped early), and the seeds in words. */
  coverage: { complete: boolean; seeds: string };
  seeds: number;
  clean: number;
  /** Failing seeds: with a safety violation, with liveness ones only, and the harness crashes. */
  failing: { seeds: number; safety: number; liveness: number; crash: number };
  /** All seeds over the longest shard's exploring time: the rate of the batch when every shard ran at once. */
  seedsPerSec: number;
  /** The shards' own rates added up: what the machines did together, however their runs overlapped. */
  seedsPerSecSum: number;
  /** The longest shard's exploring time and wall time (shrinking included). */
  exploreMs: number;
  wallMs: number;
  byChecker: CheckerFailures[];
  violations: Array<ExploreSummary['violations'][number] & { shard: number }>;
  crashes: Array<ExploreSummary['crashes'][number] & { shard: number; reproduce: string }>;
  determinism: { seeds: number[]; mismatches: number[] };
  shrunk: Array<ExploreSummary['shrunk'][number] & { shard: number }>;
  warnings: string[];
  exitCode: number;
}

/** What shards of one exploration must agree on: the seeds they slice and how each seed runs. */
const IDENTITY: ReadonlyArray<[string, (s: ExploreSummary) => string]> = [
  ['scenario', (s) => s.scenario],
  ['scenario file contents (digest)', (s) => s.scenarioDigest],
  ['bugs switched on', (s) => (s.bugs.length === 0 ? 'none' : [...s.bugs].sort().join(', '))],
  ['BUGGIFY', (s) => (s.buggify ? 'on' : 'off')],
  ['first seed (--from)', (s) => String(s.from)],
  ['seeds (--seeds)', (s) => (s.seedsRequested === null ? 'unbounded' : String(s.seedsRequested))],
  ['shard count', (s) => String(s.shard.count)],
];

/** What may differ between shards without changing any seed's run, but is worth a word. */
const WORTH_A_WARNING: ReadonlyArray<[string, (s: ExploreSummary) => string]> = [
  ['time budget', (s) => (s.timeBudgetMs === null ? 'none' : `${s.timeBudgetMs} ms`)],
  ['scenario file path', (s) => s.file],
];

/** Values with the directories that hold each, when they are not all the same. */
function disagreement(results: readonly ShardResult[], of: (s: ExploreSummary) => string): string | null {
  const byValue = new Map<string, string[]>();
  for (const r of results) byValue.set(of(r.summary), [...(byValue.get(of(r.summary)) ?? []), r.dir]);
  if (byValue.size <= 1) return null;
  return [...byValue].map(([value, dirs]) => `${value} (${dirs.join(', ')})`).join(' vs ');
}

/** Every reason these results are not the shards of one exploration, and what is merely odd. */
function vet(results: readonly ShardResult[], options: MergeOptions): { problems: string[]; warnings: string[]; missing: number[] } {
  const problems: string[] = [];
  const warnings: string[] = [];
  if (results.length === 0) return { problems: ['no shard results given'], warnings, missing: [] };
  for (const [what, of] of IDENTITY) {
    const differ = disagreement(results, of);
    // Another scenario has another digest too: say it once.
    if (differ !== null && !(what.startsWith('scenario file') && problems.length > 0)) problems.push(`different ${what}: ${differ}`);
  }
  // Results of different explorations: their indexes and seeds say nothing more.
  if (problems.length > 0) return { problems, warnings, missing: [] };
  for (const [what, of] of WORTH_A_WARNING) {
    const differ = disagreement(results, of);
    if (differ !== null) warnings.push(`the shards had a different ${what}: ${differ}`);
  }
  const count = Math.max(...results.map((r) => r.summary.shard.count));
  const byIndex = new Map<number, string[]>();
  for (const r of results) byIndex.set(r.summary.shard.index, [...(byIndex.get(r.summary.shard.index) ?? []), r.dir]);
  for (const [index, dirs] of byIndex) if (dirs.length > 1) problems.push(`shard ${index}/${count} given ${dirs.length} times: ${dirs.join(', ')}`);
  const missing = Array.from({ length: count }, (_, i) => i).filter((i) => !byIndex.has(i));
  if (missing.length > 0) {
    const what = `shard${missing.length === 1 ? '' : 's'} ${missing.join(', ')} of ${count} missing`;
    if (options.partial) warnings.push(`${what}: their seeds were not run (--partial)`);
    else problems.push(`${what} (give every shard's result folder, or --partial to fold those present)`);
  }
  for (const r of results) {
    problems.push(...sliceProblems(r));
    const early = stoppedEarly(r);
    if (early !== null) warnings.push(early);
  }
  return { problems, warnings, missing };
}

/** A shard whose seeds are not the first ones of its slice (or not all of them, when it says it ran them all) was not run as that shard. */
function sliceProblems({ dir, summary: s }: ShardResult): string[] {
  const problems: string[] = [];
  const expected = seedRange(s.from, s.shard, s.seeds);
  if (JSON.stringify(expected) !== JSON.stringify(s.seedRange))
    problems.push(`${dir}: its seeds (${s.seedRange === null ? 'none' : describeRange(s.seedRange)}) are not shard ${s.shard.index}/${s.shard.count}'s`);
  if (s.stoppedBy === 'seeds' && s.seedsRequested !== null && s.seeds !== shardSize(s.seedsRequested, s.shard))
    problems.push(
      `${dir}: ran ${s.seeds} seeds, but shard ${s.shard.index}/${s.shard.count} of ${s.seedsRequested} holds ${shardSize(s.seedsRequested, s.shard)}`,
    );
  const strays = [...s.violations, ...s.crashes].map((v) => v.seed).filter((seed) => !inShard(seed, s.from, s.shard));
  if (strays.length > 0) problems.push(`${dir}: reports seeds outside shard ${s.shard.index}/${s.shard.count}: ${[...new Set(strays)].join(', ')}`);
  return problems;
}

/** Why a shard stopped before its last seed, when that is worth a warning (a time budget is how unbounded shards end). */
function stoppedEarly({ dir, summary: s }: ShardResult): string | null {
  if (s.stoppedBy === 'interrupted') return `shard ${s.shard.index} (${dir}) was interrupted (Ctrl-C): only its first ${s.seeds} seeds ran`;
  if (s.stoppedBy === 'first-violation') return `shard ${s.shard.index} (${dir}) stopped at its first failing seed (--until-first)`;
  return null;
}

/** The failing seeds of all shards, in seed order, as the summaries group them. */
function failingSeeds(results: readonly ShardResult[]): SeedFailure[] {
  const bySeed = new Map<number, { seed: number; violations: Array<SeedFailure['violations'][number]>; crash: string | null }>();
  const entry = (seed: number) => bySeed.get(seed) ?? bySeed.set(seed, { seed, violations: [], crash: null }).get(seed)!;
  for (const { summary } of results) {
    for (const v of summary.violations) entry(v.seed).violations.push(v);
    for (const c of summary.crashes) entry(c.seed).crash = c.message;
  }
  return [...bySeed.values()].sort((a, b) => a.seed - b.seed);
}

const bySeed = <T extends { seed: number }>(items: T[]): T[] => items.sort((a, b) => a.seed - b.seed);

/** Folds shard results into one summary, or throws ShardMergeError with every reason they cannot be. */
export function mergeShards(given: readonly ShardResult[], options: MergeOptions): MergedExploration {
  const { problems, warnings, missing } = vet(given, options);
  if (problems.length > 0) throw new ShardMergeError(problems);
  const results = [...given].sort((a, b) => a.summary.shard.index - b.summary.shard.index);
  const first = results[0]!.summary;
  const failing = failingSeeds(results);
  const seeds = results.reduce((n, r) => n + r.summary.seeds, 0);
  const exploreMs = Math.max(...results.map((r) => r.summary.exploreMs));
  const complete = first.seedsRequested !== null && missing.length === 0 && results.every((r) => r.summary.stoppedBy === 'seeds');
  const tag = <T>(r: ShardResult, items: T[]) => items.map((item) => ({ ...item, shard: r.summary.shard.index }));
  return {
    scenario: first.scenario,
    file: first.file,
    scenarioDigest: first.scenarioDigest,
    bugs: first.bugs,
    buggify: first.buggify,
    from: first.from,
    seedsRequested: first.seedsRequested,
    shardCount: first.shard.count,
    shards: results.map(({ dir, summary: s }) => ({
      index: s.shard.index,
      dir,
      seeds: s.seeds,
      seedRange: s.seedRange,
      stoppedBy: s.stoppedBy,
      exploreMs: s.exploreMs,
      wallMs: s.wallMs,
      seedsPerSec: s.seedsPerSec,
      failing: new Set([...s.violations, ...s.crashes].map((v) => v.seed)).size,
      exitCode: s.exitCode,
    })),
    missing,
    coverage: {
      complete,
      seeds: complete
        ? `${first.from}..${first.from + first.seedsRequested! - 1}, every seed once`
        : results.map((r) => `shard ${r.summary.shard.index}: ${r.summary.seedRange === null ? 'none' : describeRange(r.summary.seedRange)}`).join(', '),
    },
    seeds,
    clean: seeds - failing.length,
    failing: {
      seeds: failing.length,
      safety: failing.filter((f) => f.crash === null && f.violations.some((v) => v.class === 'safety')).length,
      liveness: failing.filter((f) => f.crash === null && f.violations.every((v) => v.class === 'liveness')).length,
      crash: failing.filter((f) => f.crash !== null).length,
    },
    seedsPerSec: Number((seeds / Math.max(exploreMs / 1000, 0.001)).toFixed(2)),
    seedsPerSecSum: Number(results.reduce((sum, r) => sum + r.summary.seedsPerSec, 0).toFixed(2)),
    exploreMs,
    wallMs: Math.max(...results.map((r) => r.summary.wallMs)),
    byChecker: failuresByChecker(failing),
    violations: bySeed(results.flatMap((r) => tag(r, r.summary.violations))),
    crashes: bySeed(
      results.flatMap((r) =>
        tag(
          r,
          r.summary.crashes.map((c) => ({ ...c, reproduce: reproduceCommand({ ...r.summary, seed: c.seed, shrunkScenario: null }) })),
        ),
      ),
    ),
    determinism: {
      seeds: results.flatMap((r) => r.summary.determinism.seeds).sort((a, b) => a - b),
      mismatches: results.flatMap((r) => r.summary.determinism.mismatches).sort((a, b) => a - b),
    },
    shrunk: bySeed(results.flatMap((r) => tag(r, r.summary.shrunk))),
    warnings,
    exitCode: verdictExitCode({
      crashed: failing.some((f) => f.crash !== null),
      nondeterministic: results.some((r) => r.summary.determinism.mismatches.length > 0),
      safety: failing.some((f) => f.violations.some((v) => v.class === 'safety')),
      failing: failing.length > 0,
    }),
  };
}
