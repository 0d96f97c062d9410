// Shards slice the seed space disjointly and cover it exactly once, bounded or not, and a shard's
// seeds are the first ones of its slice in order (explore/shard.ts).

import { describe, expect, it } from 'vitest';
import { describeRange, describeSlice, inShard, seedRange, shardSeed, shardSize } from '../../explore/shard.ts';

describe('shards of the seed space', () => {
  it('are disjoint and together hold every seed of the range exactly once', () => {
    for (const from of [0, 1, 1000]) {
      for (let seeds = 0; seeds <= 25; seeds++) {
        for (let count = 1; count <= 7; count++) {
          const taken = new Map<number, number>();
          for (let index = 0; index < count; index++) {
            const shard = { index, count };
            for (let k = 0; k < shardSize(seeds, shard); k++) {
              const seed = shardSeed(from, shard, k);
              expect(inShard(seed, from, shard)).toBe(true);
              expect(taken.has(seed), `seed ${seed} in shards ${taken.get(seed)} and ${index} of ${count}`).toBe(false);
              taken.set(seed, index);
            }
          }
          expect([...taken.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: seeds }, (_, i) => from + i));
        }
      }
    }
  });

  it('stride, so an unbounded exploration (a time budget) keeps them disjoint too', () => {
    const shard = { index: 2, count: 4 };
    expect(shardSize(Number.POSITIVE_INFINITY, shard)).toBe(Number.POSITIVE_INFINITY);
    expect([0, 1, 2, 3].map((k) => shardSeed(1, shard, k))).toEqual([3, 7, 11, 15]);
    expect(inShard(7, 1, shard)).toBe(true);
    expect(inShard(8, 1, shard)).toBe(false);
    expect(inShard(-1, 1, shard)).toBe(false);
  });

  it('describe the seeds a shard ran as a range, and what it is to run', () => {
    expect(seedRange(1, { index: 1, count: 3 }, 4)).toEqual({ first: 2, last: 11, step: 3, count: 4 });
    expect(seedRange(1, { index: 1, count: 3 }, 0)).toBeNull();
    expect(describeRange(seedRange(1, { index: 0, count: 1 }, 12)!)).toBe('1..12');
    expect(describeRange(seedRange(1, { index: 1, count: 3 }, 4)!)).toBe('2..11 step 3');
    expect(describeSlice(1, 12, { index: 0, count: 1 })).toBe('seeds 1..12');
    expect(describeSlice(1, 12, { index: 1, count: 3 })).toBe('4 seeds, 2..11 step 3 (shard 1/3 of seeds 1..12)');
    expect(describeSlice(1, 2, { index: 2, count: 3 })).toBe('no seeds (shard 2/3 of seeds 1..2)');
    expect(describeSlice(1, Number.POSITIVE_INFINITY, { index: 1, count: 3 })).toBe('seeds 2, 5, ... (shard 1/3 of seeds from 1)');
  });
});
