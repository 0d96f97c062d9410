// The producer's partitioner, as Java Kafka's BuiltInPartitioner: keyed records go to
// murmur2(key) mod partitions (Java-compatible), keyless ones stick to one partition until its
// batch is done, then move to another chosen at random (KIP-480, KIP-794).

import type { Bytes } from '../protocol/records.ts';

const SEED = 0x9747b28c;
const M = 0x5bd1e995;
const R = 24;

/**
 * Kafka's murmur2 (Utils.murmur2) over a byte string, as a signed 32-bit int. Java works on
 * 32-bit ints that wrap; Math.imul and `| 0` reproduce that exactly.
 */
export function murmur2(key: Bytes): number {
  const length = key.length;
  let h = (SEED ^ length) | 0;
  const words = length >>> 2;
  for (let i = 0; i < words; i++) {
    const at = i * 4;
    let k =
      (key.charCodeAt(at) & 0xff) | ((key.charCodeAt(at + 1) & 0xff) << 8) | ((key.charCodeAt(at + 2) & 0xff) << 16) | ((key.charCodeAt(at + 3) & 0xff) << 24);
    k = Math.imul(k, M);
    k ^= k >>> R;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }
  const tail = words * 4;
  // Java's switch over length % 4 falls through from 3 to 1.
  const rest = length & 3;
  if (rest >= 3) h ^= (key.charCodeAt(tail + 2) & 0xff) << 16;
  if (rest >= 2) h ^= (key.charCodeAt(tail + 1) & 0xff) << 8;
  if (rest >= 1) {
    h ^= key.charCodeAt(tail) & 0xff;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Kafka's Utils.toPositive: drops the sign bit (not Math.abs, which differs for negatives). */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

/** The partition of a keyed record, over all partitions (available or not), as Java does. */
export function partitionFor(key: Bytes, numPartitions: number): number {
  if (!Number.isSafeInteger(numPartitions) || numPartitions < 1) throw new RangeError(`numPartitions must be a positive integer, got ${numPartitions}`);
  return toPositive(murmur2(key)) % numPartitions;
}

/**
 * The sticky choice for keyless records, per topic. A keyless record goes where the previous
 * one went until that partition's batch is done (sent or full): batching keyless records into
 * one partition at a time gives fuller batches and fewer requests than round-robin (KIP-480).
 */
export class StickyPartitioner {
  private readonly sticky = new Map<string, number>();

  /**
   * The partition for a keyless record of `topic`. `available` are the partitions with a known
   * leader (Kafka prefers those); when empty, any of the `numPartitions` is taken.
   */
  partition(topic: string, numPartitions: number, available: readonly number[], random: () => number): number {
    const current = this.sticky.get(topic);
    if (current !== undefined && current < numPartitions) return current;
    const candidates = available.length > 0 ? available : Array.from({ length: numPartitions }, (_, i) => i);
    const chosen = candidates[Math.floor(random() * candidates.length)]!;
    this.sticky.set(topic, chosen);
    return chosen;
  }

  /**
   * The batch of `partition` is done (sent or full): if keyless records were sticking to it, the
   * next one picks another partition at random, never the same one while there is a choice.
   */
  batchDone(topic: string, partition: number, numPartitions: number, available: readonly number[], random: () => number): void {
    if (this.sticky.get(topic) !== partition) return;
    const pool = available.length > 0 ? available : Array.from({ length: numPartitions }, (_, i) => i);
    const others = pool.filter((p) => p !== partition);
    if (others.length === 0) return;
    this.sticky.set(topic, others[Math.floor(random() * others.length)]!);
  }

  /** The partition keyless records of `topic` currently stick to, if any. */
  current(topic: string): number | undefined {
    return this.sticky.get(topic);
  }

  clear(): void {
    this.sticky.clear();
  }
}
