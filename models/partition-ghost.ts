// Ghost state of every partition's replicas, rebuilt from the brokers' trace events: each
// replica's batches (offsets, epoch, content hash) from its log start on, log end and high
// watermark, the committed log as exposed high watermarks made it, and the ISR as the controller
// committed it. Records below a replica's log start are gone from it on purpose (retention,
// DeleteRecords) and are not held against it. The partition checkers read it after every event;
// like the quorum ghost, it outlives crashes.

import { partitionName } from '../core/partition-name.ts';
import type { NodeId } from '../core/env.ts';
import type { NodeEvents, ObservedEvent } from '../core/trace/schema.ts';
import { CleanedBatches } from './cleaned-batches.ts';

/** [baseOffset, lastOffset, leaderEpoch, hash] */
export type GhostBatch = readonly [number, number, number, number, ...number[]];

/** The batch of `batches` holding `offset`, by binary search (batches are in offset order). */
export function batchAt<B extends GhostBatch>(batches: readonly B[], offset: number): B | undefined {
  let lo = 0;
  let hi = batches.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const b = batches[mid]!;
    if (offset < b[0]) hi = mid - 1;
    else if (offset > b[1]) lo = mid + 1;
    else return b;
  }
  return undefined;
}

/** The index of the first batch of `batches` whose last offset is at or past `offset` (batches.length if none). */
function firstEndingAtOrAfter(batches: readonly GhostBatch[], offset: number): number {
  let lo = 0;
  let hi = batches.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (batches[mid]![1] < offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class GhostPartitionReplica {
  private batchList: GhostBatch[] = [];
  /**
   * The committed log below this offset is known to be in this replica's log (or below its log
   * start). The committed log only grows, so this only moves back when the replica's own log
   * shrinks or is replaced: every check against the committed log resumes here, and each batch is
   * compared about once.
   */
  private matchedEnd = 0;
  /** The replica's log start offset: what lies below it was deleted on purpose. */
  start = 0;
  hw = 0;
  role: 'leader' | 'follower' | 'none' = 'none';
  leaderEpoch = -1;

  constructor(
    readonly broker: NodeId,
    readonly key: string,
  ) {}

  get batches(): readonly GhostBatch[] {
    return this.batchList;
  }

  get leo(): number {
    const last = this.batchList.at(-1);
    return last === undefined ? this.start : last[1] + 1;
  }

  truncate(endOffset: number): void {
    while (this.batchList.length > 0 && this.batchList.at(-1)![1] >= endOffset) this.batchList.pop();
    if (this.matchedEnd > endOffset) this.matchedEnd = endOffset;
  }

  /** The log start moved: batches wholly below it are gone (all of them when it passed the log end). */
  startAt(logStartOffset: number): void {
    if (logStartOffset < this.start) this.matchedEnd = Math.min(this.matchedEnd, logStartOffset);
    this.start = logStartOffset;
    const drop = firstEndingAtOrAfter(this.batchList, logStartOffset);
    if (drop > 0) this.batchList.splice(0, drop);
  }

  /** Appends batches the broker wrote from `batches[0]`'s offset on (anything there before is gone). */
  append(batches: readonly GhostBatch[]): void {
    this.truncate(batches[0]![0]);
    for (const b of batches) this.batchList.push(b);
  }

  /** The replica's log as it came back from disk after a restart, starting at `logStartOffset`. */
  replace(batches: readonly GhostBatch[], logStartOffset: number): void {
    this.batchList = [...batches];
    this.start = logStartOffset;
    this.matchedEnd = 0;
  }

  /** Whether this replica holds exactly `committed` (a prefix of batches) up to `end`. */
  holds(committed: readonly GhostBatch[], end: number): boolean {
    return this.firstDifference(committed, end) === null;
  }

  /**
   * The first offset where this replica's batches differ from `committed` below `end`, or null.
   * Committed batches wholly below the replica's log start, or below `from`, are not held against it.
   */
  firstDifference(committed: readonly GhostBatch[], end: number, from = 0): number | null {
    let i = firstEndingAtOrAfter(committed, Math.max(this.matchedEnd, this.start, from));
    // A log started again inside a committed batch (a follower at its leader's log start, which
    // DeleteRecords put there) holds nothing of that batch until it fetches it whole.
    const first = this.batchList[0];
    if (i < committed.length && committed[i]![0] < this.start && (first === undefined || first[0] > committed[i]![1])) i++;
    if (i >= committed.length || committed[i]![0] >= end) return null;
    let j = firstEndingAtOrAfter(this.batchList, committed[i]![0]);
    for (; i < committed.length && committed[i]![0] < end; i++, j++) {
      const mine = this.batchList[j];
      const theirs = committed[i]!;
      if (mine === undefined || mine[0] !== theirs[0] || mine[3] !== theirs[3]) return theirs[0];
      this.matchedEnd = theirs[1] + 1;
    }
    return null;
  }
}

export class GhostPartition {
  readonly replicas = new Map<NodeId, GhostPartitionReplica>();
  /** Batches below the highest high watermark any replica reported (what consumers could have read). */
  readonly committed: GhostBatch[] = [];
  committedEnd = 0;
  /** What log cleaners did to its replicas' logs, which the ghost keeps as first written. */
  readonly cleaned = new CleanedBatches();
  /** The ISR as the controller committed it, with the partition epoch of that change. */
  isr: NodeId[] = [];
  partitionEpoch = -1;

  constructor(
    readonly topic: string,
    readonly partition: number,
  ) {}

  get key(): string {
    return partitionName(this.topic, this.partition);
  }

  /** The highest log start any replica reached: committed records below it were deleted on purpose. */
  get deletedEnd(): number {
    let end = 0;
    for (const r of this.replicas.values()) end = Math.max(end, r.start);
    return end;
  }

  replica(broker: NodeId): GhostPartitionReplica {
    let r = this.replicas.get(broker);
    if (r === undefined) {
      r = new GhostPartitionReplica(broker, this.key);
      this.replicas.set(broker, r);
    }
    return r;
  }

  /**
   * Extends the committed log with `r`'s batches from the committed end up to `hw`, if `r` agrees
   * with it so far. (Records deleted before any replica reported them committed leave a gap.)
   */
  extendCommitted(r: GhostPartitionReplica, hw: number): void {
    if (hw <= this.committedEnd || !r.holds(this.committed, this.committedEnd)) return;
    const batches = r.batches;
    for (let i = firstEndingAtOrAfter(batches, this.committedEnd); i < batches.length && batches[i]![0] < hw; i++) {
      if (batches[i]![0] >= this.committedEnd) this.committed.push(batches[i]!);
    }
    this.committedEnd = Math.max(this.committedEnd, Math.min(hw, r.leo));
  }
}

export interface PartitionHooks {
  appended?(p: GhostPartition, r: GhostPartitionReplica, step: number): void;
  shrunk?(p: GhostPartition, r: GhostPartitionReplica, step: number): void;
  /** Before the committed prefix is extended with this report. */
  highWatermark?(p: GhostPartition, r: GhostPartitionReplica, step: number, e: NodeEvents['partition-hw']): void;
  role?(p: GhostPartition, r: GhostPartitionReplica, step: number, e: NodeEvents['partition-role']): void;
  /** A replica's log start moved from `previous` (its batches below the new one are already dropped). */
  logStart?(p: GhostPartition, r: GhostPartitionReplica, step: number, e: NodeEvents['partition-log-start'], previous: number): void;
  isrChanged?(p: GhostPartition, step: number): void;
  /** A replica reported its idempotent producer state and what its log holds for it. */
  producerState?(p: GhostPartition, r: GhostPartitionReplica, step: number, e: NodeEvents['producer-state']): void;
  stepEnd?(step: number): void;
}

export class PartitionGhost {
  readonly partitions = new Map<string, GhostPartition>();
  /**
   * Brokers registered in their current incarnation. A restarted broker is still in ISRs as its
   * former self until it registers again (the controller then removes it from every ISR but one
   * where it is the last member), so until then its replicas are not judged as ISR members. A
   * last ISR member that comes back without committed records is judged, and trips strong-isr:
   * that is a real loss (no fsync and a power loss, which KIP-966's ELR would prevent).
   */
  readonly registered = new Set<NodeId>();
  private readonly hooks: PartitionHooks[] = [];

  addHooks(hooks: PartitionHooks): void {
    this.hooks.push(hooks);
  }

  partition(topic: string, partition: number): GhostPartition {
    const key = partitionName(topic, partition);
    let p = this.partitions.get(key);
    if (p === undefined) {
      p = new GhostPartition(topic, partition);
      this.partitions.set(key, p);
    }
    return p;
  }

  /** The partition an event is about, and `node`'s replica of it. */
  private replicaOf(e: { topic: string; partition: number }, node: NodeId): [GhostPartition, GhostPartitionReplica] {
    const p = this.partition(e.topic, e.partition);
    return [p, p.replica(node)];
  }

  observe(step: number, node: NodeId | null, event: ObservedEvent): void {
    if (node === null) return;
    switch (event.kind) {
      case 'restart':
      case 'crash':
        this.registered.delete(node);
        return;
      case 'broker-state':
        this.registered.add(node);
        return;
      case 'partition-append': {
        const [p, r] = this.replicaOf(event, node);
        r.append(p.cleaned.any ? p.cleaned.restore(r.leo, event.batches) : event.batches);
        for (const h of this.hooks) h.appended?.(p, r, step);
        return;
      }
      case 'partition-truncate': {
        const [p, r] = this.replicaOf(event, node);
        r.truncate(event.endOffset);
        for (const h of this.hooks) h.shrunk?.(p, r, step);
        return;
      }
      case 'partition-recover': {
        const [p, r] = this.replicaOf(event, node);
        const start = event.logStartOffset ?? 0;
        r.replace(p.cleaned.any ? p.cleaned.restore(start, event.batches) : event.batches, start);
        r.hw = event.highWatermark;
        r.role = 'none';
        for (const h of this.hooks) h.shrunk?.(p, r, step);
        return;
      }
      case 'partition-hw': {
        const [p, r] = this.replicaOf(event, node);
        r.hw = event.highWatermark;
        for (const h of this.hooks) h.highWatermark?.(p, r, step, event);
        p.extendCommitted(r, event.highWatermark);
        return;
      }
      case 'partition-log-start': {
        const [p, r] = this.replicaOf(event, node);
        const previous = r.start;
        r.startAt(event.logStartOffset);
        for (const h of this.hooks) h.logStart?.(p, r, step, event, previous);
        return;
      }
      case 'partition-clean': {
        // The replica's batches stay as first written; a clean that is no clean is trace validation's to judge.
        const [p, r] = this.replicaOf(event, node);
        p.cleaned.clean(r.batches, r.start, event.baseOffset, event.endOffset, event.batches);
        return;
      }
      case 'partition-role': {
        const [p, r] = this.replicaOf(event, node);
        r.role = event.role;
        r.leaderEpoch = event.leaderEpoch;
        for (const h of this.hooks) h.role?.(p, r, step, event);
        return;
      }
      case 'producer-state': {
        const [p, r] = this.replicaOf(event, node);
        for (const h of this.hooks) h.producerState?.(p, r, step, event);
        return;
      }
      case 'partition-change': {
        const p = this.partition(event.topic, event.partition);
        if (event.partitionEpoch <= p.partitionEpoch) return;
        p.partitionEpoch = event.partitionEpoch;
        p.isr = [...event.isr];
        for (const h of this.hooks) h.isrChanged?.(p, step);
        return;
      }
    }
  }

  endStep(step: number): void {
    for (const h of this.hooks) h.stepEnd?.(step);
  }
}
