// `samsa explore merge` folds shard summaries (explore/merge.ts): totals, both rates, violations by
// checker, the worst exit code; and it refuses shards of other explorations, a missing or repeated
// index, and a shard whose seeds are not its slice. Summaries are made up here, no seed is run.

import { describe, expect, it } from 'vitest';
import { mergeShards, ShardMergeError } from '../../explore/merge.ts';
import { seedRange, shardSize } from '../../explore/shard.ts';
import type { ShardResult } from '../../explore/shard-result.ts';
import type { ExploreSummary } from '../../explore/summary.ts';

type Violation = ExploreSummary['violations'][number];

const violation = (seed: number, name: string, cls: 'safety' | 'liveness' = 'safety'): Violation => ({
  seed,
  name,
  class: cls,
  message: `${name} at seed ${seed}`,
  scenario: 's.yaml',
  reproduce: `npx samsa run s.yaml --seed ${seed}`,
});

/** Shard `index` of `count` over seeds 1..12, clean unless told otherwise. */
function shard(index: number, count: number, change: Partial<ExploreSummary> = {}): ShardResult {
  const slice = { index, count };
  const seeds = shardSize(12, slice);
  const summary: ExploreSummary = {
    scenario: 'nemesis',
    file: 's.yaml',
    scenarioDigest: 'abc',
    bugs: ['truncate-to-hw'],
    buggify: false,
    from: 1,
    seedsRequested: 12,
    timeBudgetMs: null,
    shard: slice,
    seedRange: seedRange(1, slice, seeds),
    seeds,
    workers: 1,
    seedsPerSec: 2,
    exploreMs: 1000 * (index + 1),
    wallMs: 1000 * (index + 1),
    stoppedBy: 'seeds',
    exitCode: 0,
    out: null,
    violations: [],
    crashes: [],
    determinism: { seeds: [1 + index], mismatches: [] },
    shrunk: [],
    ...change,
  };
  return { dir: `results/shard-${index}`, summary };
}

const refusal = (results: ShardResult[], partial = false): string => {
  try {
    mergeShards(results, { partial });
  } catch (err) {
    if (err instanceof ShardMergeError) return err.message;
    throw err;
  }
  throw new Error('merged');
};

describe('samsa explore merge', () => {
  it('folds shards into totals, rates, violations by checker and the worst exit code', () => {
    const merged = mergeShards(
      [
        shard(2, 3, { violations: [violation(3, 'final-read', 'liveness')] }),
        shard(0, 3, { crashes: [{ seed: 7, message: 'Error: boom\n  at x' }] }),
        shard(1, 3, { violations: [violation(5, 'lost-write'), violation(5, 'final-read', 'liveness'), violation(11, 'lost-write')] }),
      ],
      { partial: false },
    );
    expect(merged.shards.map((s) => s.index)).toEqual([0, 1, 2]);
    expect(merged.coverage).toEqual({ complete: true, seeds: '1..12, every seed once' });
    expect(merged).toMatchObject({ seeds: 12, clean: 8, failing: { seeds: 4, safety: 2, liveness: 1, crash: 1 }, missing: [], warnings: [] });
    // All seeds over the longest shard (3 s), and the shards' rates added up.
    expect(merged.seedsPerSec).toBe(4);
    expect(merged.seedsPerSecSum).toBe(6);
    expect(merged.byChecker).toEqual([
      { name: 'final-read', class: 'liveness', seeds: [3, 5], firstMessage: 'final-read at seed 3' },
      { name: 'lost-write', class: 'safety', seeds: [5, 11], firstMessage: 'lost-write at seed 5' },
      { name: 'harness-crash', class: 'crash', seeds: [7], firstMessage: 'Error: boom' },
    ]);
    expect(merged.violations.map((v) => [v.seed, v.shard])).toEqual([
      [3, 2],
      [5, 1],
      [5, 1],
      [11, 1],
    ]);
    expect(merged.crashes).toEqual([{ seed: 7, message: 'Error: boom\n  at x', shard: 0, reproduce: 'npx samsa run s.yaml --seed 7 --bug truncate-to-hw' }]);
    expect(merged.determinism).toEqual({ seeds: [1, 2, 3], mismatches: [] });
    expect(merged.exitCode).toBe(3);
  });

  it('exits as samsa explore does, by the worst any shard found', () => {
    const exit = (...results: ShardResult[]) => mergeShards(results, { partial: false }).exitCode;
    expect(exit(shard(0, 2), shard(1, 2))).toBe(0);
    expect(exit(shard(0, 2, { violations: [violation(3, 'final-read', 'liveness')] }), shard(1, 2))).toBe(2);
    expect(exit(shard(0, 2, { violations: [violation(3, 'final-read', 'liveness')] }), shard(1, 2, { violations: [violation(2, 'lost-write')] }))).toBe(1);
    expect(exit(shard(0, 2), shard(1, 2, { determinism: { seeds: [2], mismatches: [2] } }))).toBe(3);
  });

  it('refuses shards of another scenario, other bugs, BUGGIFY, seed range or shard count, naming the folders', () => {
    expect(refusal([shard(0, 2), shard(1, 2, { bugs: [] })])).toContain(
      'different bugs switched on: truncate-to-hw (results/shard-0) vs none (results/shard-1)',
    );
    expect(refusal([shard(0, 2), shard(1, 2, { scenario: 'other', scenarioDigest: 'def' })])).toMatch(/different scenario: nemesis .* vs other/);
    expect(refusal([shard(0, 2), shard(1, 2, { scenarioDigest: 'def' })])).toContain('different scenario file contents (digest): abc');
    expect(refusal([shard(0, 2), shard(1, 2, { buggify: true })])).toContain('different BUGGIFY');
    expect(refusal([shard(0, 2), shard(1, 2, { from: 101 })])).toContain('different first seed (--from)');
    expect(refusal([shard(0, 2), shard(1, 3)])).toContain('different shard count: 2 (results/shard-0) vs 3 (results/shard-1)');
  });

  it('refuses a missing shard index unless --partial, and a repeated one always', () => {
    expect(refusal([shard(0, 3), shard(2, 3)])).toContain('shard 1 of 3 missing');
    expect(refusal([shard(0, 2), shard(1, 2), shard(1, 2)])).toContain('shard 1/2 given 2 times: results/shard-1, results/shard-1');
    expect(refusal([])).toContain('no shard results given');
    const partial = mergeShards([shard(0, 3), shard(2, 3)], { partial: true });
    expect(partial.missing).toEqual([1]);
    expect(partial.warnings).toEqual(['shard 1 of 3 missing: their seeds were not run (--partial)']);
    expect(partial.coverage).toEqual({ complete: false, seeds: 'shard 0: 1..10 step 3, shard 2: 3..12 step 3' });
    expect(partial.seeds).toBe(8);
  });

  it("refuses a shard whose seeds are not its slice's", () => {
    expect(refusal([shard(0, 2, { seedRange: { first: 2, last: 12, step: 2, count: 6 } }), shard(1, 2)])).toContain(
      "results/shard-0: its seeds (2..12 step 2) are not shard 0/2's",
    );
    expect(refusal([shard(0, 2, { violations: [violation(4, 'lost-write')] }), shard(1, 2)])).toContain('results/shard-0: reports seeds outside shard 0/2: 4');
    expect(refusal([shard(0, 2, { seeds: 5, seedRange: seedRange(1, { index: 0, count: 2 }, 5) }), shard(1, 2)])).toContain(
      'results/shard-0: ran 5 seeds, but shard 0/2 of 12 holds 6',
    );
  });

  it('folds shards a time budget stopped (unbounded), saying the range was not covered, and warns of interrupted ones', () => {
    const budget = (index: number, seeds: number, stoppedBy: ExploreSummary['stoppedBy'] = 'time-budget') =>
      shard(index, 2, { seedsRequested: null, timeBudgetMs: 60_000, seeds, seedRange: seedRange(1, { index, count: 2 }, seeds), stoppedBy });
    const merged = mergeShards([budget(0, 30), budget(1, 20, 'interrupted')], { partial: false });
    expect(merged.seeds).toBe(50);
    expect(merged.coverage).toEqual({ complete: false, seeds: 'shard 0: 1..59 step 2, shard 1: 2..40 step 2' });
    expect(merged.warnings).toEqual(['shard 1 (results/shard-1) was interrupted (Ctrl-C): only its first 20 seeds ran']);
  });
});
