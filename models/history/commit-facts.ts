// What the replicas' trace events tell the history checkers about commitment, per partition: the
// highest high watermark any replica has reported so far (no leader can have served a consumer a
// record at or above it), and the offset from which committed records were lost (a leader elected
// without them, as unclean elections and power losses without fsync allow), from where on one
// offset may have held two committed records in turn; and below which records were deleted on
// purpose (a traced log start). Fed by the partition ghost as one of its hooks; without it (a
// black-box history) nothing is known, and every read counts as committed.

import type { NodeEvents } from '../../core/trace/schema.ts';
import type { GhostPartition, GhostPartitionReplica, PartitionHooks } from '../partition-ghost.ts';
import { PartitionMap } from './partition-map.ts';

interface Commitment {
  /** The highest high watermark any replica reported. */
  frontier: number;
  /** The lowest offset from which a leader lacked committed records; Infinity if none did. */
  lostFrom: number;
  /**
   * Offset ranges [from, to) deleted on purpose, merged and in order: each replica's log start
   * moving from one offset to a higher one deleted what lay between, as far as it was committed then.
   */
  deleted: Array<[number, number]>;
}

export class CommitFacts implements PartitionHooks {
  private readonly partitions = new PartitionMap<Commitment>();
  /** Whether replica events feed these facts (set once the partition ghost hooks them in). */
  private active = false;

  /** Hooks these facts into the partition ghost (`addHooks`), which then feeds them. */
  attach(ghost: { addHooks(hooks: PartitionHooks): void }): void {
    ghost.addHooks(this);
    this.active = true;
  }

  /** Whether the replicas' events are known (false for a black-box history). */
  get known(): boolean {
    return this.active;
  }

  /** The highest high watermark any replica of the partition has reported so far (0 if none). */
  frontier(topic: string, partition: number): number {
    return this.partitions.get(topic, partition)?.frontier ?? 0;
  }

  /**
   * Whether a record at `offset` is at or above every high watermark reported so far: no leader
   * has committed it, so a consumer that got it read an uncommitted record. Always false when
   * the replicas' events are not known.
   */
  uncommitted(topic: string, partition: number, offset: number): boolean {
    return this.active && offset >= this.frontier(topic, partition);
  }

  /**
   * Whether the record at `offset` was deleted on purpose: below a log start that some replica
   * traced (retention, DeleteRecords), and committed when it went. A log start never passes the
   * high watermark in Kafka; one that did (a bug) exempts nothing it took past the frontier of
   * then, which may hold acknowledged writes no replica kept.
   */
  deleted(topic: string, partition: number, offset: number): boolean {
    const ranges = this.partitions.get(topic, partition)?.deleted;
    if (ranges === undefined) return false;
    let lo = 0;
    let hi = ranges.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const [from, to] = ranges[mid]!;
      if (offset < from) hi = mid - 1;
      else if (offset >= to) lo = mid + 1;
      else return true;
    }
    return false;
  }

  /** Whether committed records at `offset` may have been lost (and the offset written again). */
  lostAt(topic: string, partition: number, offset: number): boolean {
    return offset >= (this.partitions.get(topic, partition)?.lostFrom ?? Infinity);
  }

  // ---- PartitionHooks ---------------------------------------------------------------------------

  highWatermark(p: GhostPartition, _r: GhostPartitionReplica, _step: number, e: NodeEvents['partition-hw']): void {
    this.raise(p, e.highWatermark);
  }

  /** A truncation or a recovery from disk: a recovered replica starts from its checkpointed high watermark. */
  shrunk(p: GhostPartition, r: GhostPartitionReplica): void {
    this.raise(p, r.hw);
  }

  logStart(p: GhostPartition, _r: GhostPartitionReplica, _step: number, e: NodeEvents['partition-log-start'], previous: number): void {
    const c = this.of(p);
    const to = Math.min(e.logStartOffset, c.frontier);
    if (to > previous) addRange(c.deleted, previous, to);
  }

  role(p: GhostPartition, r: GhostPartitionReplica, _step: number, e: NodeEvents['partition-role']): void {
    if (e.role !== 'leader') return;
    const at = r.firstDifference(p.committed, p.committedEnd);
    if (at === null) return;
    const c = this.of(p);
    if (at < c.lostFrom) c.lostFrom = at;
  }

  private raise(p: GhostPartition, hw: number): void {
    const c = this.of(p);
    if (hw > c.frontier) c.frontier = hw;
  }

  private of(p: GhostPartition): Commitment {
    return this.partitions.getOrCreate(p.topic, p.partition, () => ({ frontier: 0, lostFrom: Infinity, deleted: [] }));
  }
}

/** Adds [from, to) to sorted, disjoint, non-touching ranges, merging what it overlaps or touches. */
function addRange(ranges: Array<[number, number]>, from: number, to: number): void {
  let i = 0;
  while (i < ranges.length && ranges[i]![1] < from) i++;
  let j = i;
  while (j < ranges.length && ranges[j]![0] <= to) {
    from = Math.min(from, ranges[j]![0]);
    to = Math.max(to, ranges[j]![1]);
    j++;
  }
  ranges.splice(i, j - i, [from, to]);
}
