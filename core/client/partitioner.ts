// The producer's partitioner, as the Java client's since 3.3 (KIP-794, BuiltInPartitioner): keyed
// records go to murmur2(key) mod partitions (Java-compatible); keyless ones stick to one partition
// until batch.size bytes went to it (switching only once its last batch is full, or at twice
// batch.size regardless), then move to a partition drawn at random: uniformly among those with a
// leader, or, with partitioner.adaptive.partitioning.enable, weighted against each partition's
// queue of unsent batches, leaving out the partitions of brokers that have not taken a ready batch
// for partitioner.availability.timeout.ms.

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

/** A draw like Java's Utils.toPositive(ThreadLocalRandom.nextInt()): a non-negative 31-bit int. */
function positiveRandom(random: () => number): number {
  return Math.floor(random() * 0x80000000);
}

interface Sticky {
  partition: number;
  producedBytes: number;
}

/** The cumulative frequency table of BuiltInPartitioner.PartitionLoadStats: partition i is drawn for values below cft[i]. */
interface LoadStats {
  cft: number[];
  partitionIds: number[];
}

/** One topic's partitions as the producer's accumulator sees them when it looks for ready batches. */
export interface PartitionQueue {
  partition: number;
  /** Batches waiting to be sent. */
  queued: number;
  /** Left out of the adaptive choice: its leader has not taken a ready batch for partitioner.availability.timeout.ms. */
  unavailable: boolean;
}

/** The keyless-record choice per topic (Kafka's BuiltInPartitioner, one per topic). */
export class BuiltInPartitioner {
  private readonly sticky = new Map<string, Sticky>();
  private readonly loadStats = new Map<string, LoadStats>();

  constructor(private readonly stickyBatchSize: number) {}

  /**
   * The partition for a keyless record of `topic` (peekCurrentPartitionInfo). `available` are the
   * partitions with a known leader; when empty, any of the `numPartitions` is taken.
   */
  partition(topic: string, numPartitions: number, available: readonly number[], random: () => number): number {
    let current = this.sticky.get(topic);
    if (current === undefined || current.partition >= numPartitions) {
      current = { partition: this.nextPartition(topic, numPartitions, available, random), producedBytes: 0 };
      this.sticky.set(topic, current);
    }
    return current.partition;
  }

  /**
   * updatePartitionInfo: `appendedBytes` of a keyless record went to `partition`. Past batch.size
   * bytes the choice moves on, but only once the partition's last batch is full (`lastBatchFull`),
   * so batches are not cut short; past twice batch.size it moves on regardless.
   */
  appended(
    topic: string,
    partition: number,
    appendedBytes: number,
    lastBatchFull: boolean,
    numPartitions: number,
    available: readonly number[],
    random: () => number,
  ): void {
    const current = this.sticky.get(topic);
    if (current === undefined || current.partition !== partition) return;
    current.producedBytes += appendedBytes;
    if ((current.producedBytes >= this.stickyBatchSize && lastBatchFull) || current.producedBytes >= this.stickyBatchSize * 2)
      this.sticky.set(topic, { partition: this.nextPartition(topic, numPartitions, available, random), producedBytes: 0 });
  }

  /**
   * updatePartitionLoadStats, from the queues of the partitions that have a leader, out of `total`
   * partitions (`null`: no adaptive choice, as when it is off or not every partition has had a
   * batch yet). Equal queues over every partition need no weighting; a partition left out (no
   * leader, or unavailable) makes the choice weighted even so, to avoid it.
   */
  updateLoadStats(topic: string, queues: readonly PartitionQueue[] | null, total: number): void {
    const kept = queues?.filter((q) => !q.unavailable) ?? [];
    if (queues === null || kept.length < 1 || total < 2) return void this.loadStats.delete(topic);
    const max = Math.max(...kept.map((q) => q.queued));
    if (kept.length === total && kept.every((q) => q.queued === max)) return void this.loadStats.delete(topic);
    // Invert the queue sizes (max + 1 - size: a short queue is likely) and sum them up.
    const cft: number[] = [];
    let sum = 0;
    for (const q of kept) cft.push((sum += max + 1 - q.queued));
    this.loadStats.set(topic, { cft, partitionIds: kept.map((q) => q.partition) });
  }

  /** The partition keyless records of `topic` currently stick to, if any. */
  current(topic: string): number | undefined {
    return this.sticky.get(topic)?.partition;
  }

  clear(): void {
    this.sticky.clear();
    this.loadStats.clear();
  }

  /** nextPartition: weighted by the load stats if there are any, else uniform over `available` (or all). The same partition may come again. */
  private nextPartition(topic: string, numPartitions: number, available: readonly number[], random: () => number): number {
    const draw = positiveRandom(random);
    const stats = this.loadStats.get(topic);
    if (stats === undefined) return available.length > 0 ? available[draw % available.length]! : draw % numPartitions;
    const weighted = draw % stats.cft[stats.cft.length - 1]!;
    // The first entry strictly greater than the draw.
    let lo = 0;
    let hi = stats.cft.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (stats.cft[mid]! > weighted) hi = mid;
      else lo = mid + 1;
    }
    return stats.partitionIds[lo]!;
  }
}
