// What the replicas' trace events tell the history checkers about commitment, per partition: the
// highest high watermark any replica has reported so far (no leader can have served a consumer a
// record at or above it), and the offset from which committed records were lost (a leader elected
// without them, as unclean elections and power losses without fsync allow), from where on one
// offset may have held two committed records in turn. Fed by the partition ghost as one of its
// hooks; without it (a black-box history) nothing is known, and every read counts as committed.

import type { NodeEvents } from '../../core/trace/schema.ts';
import type { GhostPartition, GhostPartitionReplica, PartitionHooks } from '../partition-ghost.ts';
import { PartitionMap } from './partition-map.ts';

interface Commitment {
  /** The highest high watermark any replica reported. */
  frontier: number;
  /** The lowest offset from which a leader lacked committed records; Infinity if none did. */
  lostFrom: number;
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
    return this.partitions.getOrCreate(p.topic, p.partition, () => ({ frontier: 0, lostFrom: Infinity }));
  }
}
