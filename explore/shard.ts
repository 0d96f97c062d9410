// Shards: one exploration's seed space cut into N disjoint slices, one per machine (the pods of a
// Kubernetes Indexed Job, whose JOB_COMPLETION_INDEX is the 0-based shard index). Strided: seed s
// of the seeds from `from` on belongs to shard (s - from) mod N, so the slices are disjoint and
// together cover the seeds exactly once whether the seed range is bounded (--seeds) or not (a time budget).

export interface Shard {
  /** 0-based, below `count`. */
  index: number;
  count: number;
}

/** The whole seed space as one shard: what an exploration without --shard runs. */
export const WHOLE: Shard = { index: 0, count: 1 };

/** The k-th seed (0-based) of the shard's slice of the seeds from `from` on. */
export function shardSeed(from: number, shard: Shard, k: number): number {
  return from + shard.index + k * shard.count;
}

/** How many of the `seeds` seeds from `from` on fall in the shard; Infinity when `seeds` is. */
export function shardSize(seeds: number, shard: Shard): number {
  if (!Number.isFinite(seeds)) return Number.POSITIVE_INFINITY;
  return Math.max(0, Math.ceil((seeds - shard.index) / shard.count));
}

/** Whether `seed` is one of the shard's seeds (of those from `from` on). */
export function inShard(seed: number, from: number, shard: Shard): boolean {
  return seed >= from && (seed - from) % shard.count === shard.index;
}

/** The seeds a shard ran, as a range: `count` seeds from `first` to `last`, `step` apart; null when none. */
export interface SeedRange {
  first: number;
  last: number;
  step: number;
  count: number;
}

/**
 * The seeds of a shard that ran `count` of its seeds. The explorer takes a shard's seeds in order
 * and every seed it takes finishes (a crash too is an outcome), so they are always its first ones.
 */
export function seedRange(from: number, shard: Shard, count: number): SeedRange | null {
  if (count === 0) return null;
  return { first: shardSeed(from, shard, 0), last: shardSeed(from, shard, count - 1), step: shard.count, count };
}

/** A seed range in words: `1..12`, or `2..11 step 3`. */
export function describeRange(range: SeedRange): string {
  return `${range.first}..${range.last}${range.step > 1 && range.count > 1 ? ` step ${range.step}` : ''}`;
}

/** The seed space sharded, in words: `seeds 1..100`, or `seeds from 1` when unbounded. */
export function describeSeedSpace(from: number, seeds: number): string {
  return Number.isFinite(seeds) ? `seeds ${from}..${from + seeds - 1}` : `seeds from ${from}`;
}

/** The seeds a shard is to run, in words, before it runs them: `seeds 1..100`, `33 seeds, 2..98 step 3 (shard 1/3 of seeds 1..100)`. */
export function describeSlice(from: number, seeds: number, shard: Shard): string {
  const whole = describeSeedSpace(from, seeds);
  if (shard.count === 1) return whole;
  const size = shardSize(seeds, shard);
  const mine =
    size === 0
      ? 'no seeds'
      : Number.isFinite(size)
        ? `${size} seed${size === 1 ? '' : 's'}, ${describeRange(seedRange(from, shard, size)!)}`
        : `seeds ${shardSeed(from, shard, 0)}, ${shardSeed(from, shard, 1)}, ...`;
  return `${mine} (shard ${shard.index}/${shard.count} of ${whole})`;
}
