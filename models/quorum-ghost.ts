// Ghost state of the metadata quorum, rebuilt from the nodes' trace events: each replica's log
// as chained prefix hashes, its in-memory and durable election state, its high watermark, and
// the committed prefix of the log as the cluster exposed it. The quorum checkers read it; it
// lives outside the nodes, so a crash cannot erase what a checker needs to remember.

import type { NodeId } from '../core/env.ts';
import { chainHash } from '../core/hash.ts';
import type { NodeEvents, ObservedEvent, RaftRole } from '../core/trace/schema.ts';

export class GhostReplica {
  up = true;
  voter = false;
  epoch = 0;
  role: RaftRole = 'unattached';
  leader: NodeId | null = null;
  votedFor: NodeId | null = null;
  persistedEpoch = 0;
  persistedVote: NodeId | null = null;
  /** Prefix hash at each offset: equal values mean equal logs up to that offset. */
  log: number[] = [];
  /** Epoch of the entry at each offset. */
  epochs: number[] = [];
  hw: number | null = null;

  constructor(readonly id: NodeId) {}

  get endOffset(): number {
    return this.log.length;
  }

  truncate(endOffset: number): void {
    if (endOffset < this.log.length) {
      this.log.length = endOffset;
      this.epochs.length = endOffset;
    }
  }
}

/** Hooks the quorum checkers implement; each is called after the ghost has taken in the event. */
export interface QuorumHooks {
  roleChanged?(replica: GhostReplica, step: number, previousRole: RaftRole): void;
  persisted?(replica: GhostReplica, step: number, previousEpoch: number): void;
  loaded?(replica: GhostReplica, step: number, loadedEpoch: number, previousEpoch: number): void;
  appended?(replica: GhostReplica, step: number, fromOffset: number): void;
  shrunk?(replica: GhostReplica, step: number): void;
  /** Called before the committed prefix is extended with this report. */
  highWatermark?(replica: GhostReplica, step: number, hw: number, reportedRole: RaftRole, reportedEpoch: number): void;
  snapshotFetched?(replica: GhostReplica, step: number, endOffset: number): void;
  /** `digest` is the image's, absent when unchanged since the replica's previous report (see the schema). */
  metadataApplied?(replica: GhostReplica, step: number, endOffset: number, digest: string | undefined): void;
  stepEnd?(step: number): void;
}

export class QuorumGhost {
  readonly replicas = new Map<NodeId, GhostReplica>();
  /** Prefix hashes of the committed log, as the highest high watermark reported exposed it. */
  readonly committed: number[] = [];
  private readonly hooks: QuorumHooks[] = [];

  addHooks(hooks: QuorumHooks): void {
    this.hooks.push(hooks);
  }

  get committedEnd(): number {
    return this.committed.length;
  }

  get voterCount(): number {
    let n = 0;
    for (const r of this.replicas.values()) if (r.voter) n++;
    return n;
  }

  replica(id: NodeId): GhostReplica {
    let r = this.replicas.get(id);
    if (r === undefined) {
      r = new GhostReplica(id);
      this.replicas.set(id, r);
    }
    return r;
  }

  /** Takes in one trace event (node events and the harness's crash/start/restart records). */
  observe(step: number, node: NodeId | null, event: ObservedEvent): void {
    if (node === null) return;
    switch (event.kind) {
      case 'crash':
        this.replica(node).up = false;
        return;
      case 'start':
      case 'restart': {
        const r = this.replica(node);
        r.up = true;
        if (event.wiped === true) {
          // A replaced disk: durable state is gone on purpose, so history restarts from nothing.
          r.persistedEpoch = 0;
          r.persistedVote = null;
          r.truncate(0);
        }
        return;
      }
      case 'raft-state':
        return this.onState(step, node, event);
      case 'raft-persist': {
        const { r, previous } = this.recordDurable(node, event);
        for (const h of this.hooks) h.persisted?.(r, step, previous);
        return;
      }
      case 'raft-load': {
        const { r, previous } = this.recordDurable(node, event);
        for (const h of this.hooks) h.loaded?.(r, step, r.persistedEpoch, previous);
        return;
      }
      case 'raft-recover': {
        const r = this.replica(node);
        // Rebuild from what storage holds: below the log start, what was committed there.
        r.log = this.committed.slice(0, event.startOffset);
        while (r.log.length < event.startOffset) r.log.push(Number.NaN);
        r.epochs = new Array<number>(event.startOffset).fill(event.snapshotEpoch ?? 0);
        this.extend(r, event.startOffset, event.entries);
        r.hw = null;
        for (const h of this.hooks) h.shrunk?.(r, step);
        return;
      }
      case 'raft-append':
        return this.onAppend(step, node, event);
      case 'raft-truncate': {
        const r = this.replica(node);
        r.truncate(event.endOffset);
        for (const h of this.hooks) h.shrunk?.(r, step);
        return;
      }
      case 'raft-hw':
        return this.onHighWatermark(step, node, event);
      case 'raft-snapshot': {
        if (!event.fetched) return;
        const r = this.replica(node);
        // The replica's log is now the committed prefix up to the snapshot (what the snapshot stands for).
        r.log = this.committed.slice(0, event.endOffset);
        r.epochs = new Array<number>(r.log.length).fill(event.epoch);
        while (r.log.length < event.endOffset) {
          r.log.push(Number.NaN);
          r.epochs.push(event.epoch);
        }
        for (const h of this.hooks) h.snapshotFetched?.(r, step, event.endOffset);
        return;
      }
      case 'metadata-apply': {
        const r = this.replica(node);
        for (const h of this.hooks) h.metadataApplied?.(r, step, event.endOffset, event.digest);
        return;
      }
    }
  }

  /** Called after every kernel event. */
  endStep(step: number): void {
    for (const h of this.hooks) h.stepEnd?.(step);
  }

  /** Takes in the election state now on a replica's disk; returns the epoch it replaces. */
  private recordDurable(node: NodeId, e: { epoch: number; votedFor: NodeId | null }): { r: GhostReplica; previous: number } {
    const r = this.replica(node);
    const previous = r.persistedEpoch;
    r.persistedEpoch = e.epoch;
    r.persistedVote = e.votedFor;
    return { r, previous };
  }

  private onState(step: number, node: NodeId, e: NodeEvents['raft-state']): void {
    const r = this.replica(node);
    const previousRole = r.role;
    r.voter = e.voter;
    r.epoch = e.epoch;
    r.role = e.role;
    r.leader = e.leader;
    r.votedFor = e.votedFor;
    for (const h of this.hooks) h.roleChanged?.(r, step, previousRole);
  }

  private onAppend(step: number, node: NodeId, e: NodeEvents['raft-append']): void {
    const r = this.replica(node);
    this.extend(r, e.offset, e.entries);
    for (const h of this.hooks) h.appended?.(r, step, e.offset);
  }

  /** Puts entries at `offset` on, chaining each onto the prefix before it. */
  private extend(r: GhostReplica, offset: number, entries: ReadonlyArray<readonly [number, number]>): void {
    r.truncate(offset);
    while (r.log.length < offset) {
      // A gap the ghost cannot know (it should not happen): mark it unknown rather than guess.
      r.log.push(Number.NaN);
      r.epochs.push(0);
    }
    let previous = offset > 0 ? (r.log[offset - 1] ?? Number.NaN) : 0;
    for (const [epoch, hash] of entries) {
      previous = chainHash(previous, epoch, hash);
      r.log.push(previous);
      r.epochs.push(epoch);
    }
  }

  private onHighWatermark(step: number, node: NodeId, e: NodeEvents['raft-hw']): void {
    const r = this.replica(node);
    r.hw = e.highWatermark;
    for (const h of this.hooks) h.highWatermark?.(r, step, e.highWatermark, e.role, e.epoch);
    // Extend the committed prefix with what this replica holds beyond it, if its log agrees with
    // the prefix so far (a disagreement is committed-data-consistent's to report, not to spread).
    const end = this.committed.length;
    if (end > 0 && r.log[end - 1] !== this.committed[end - 1]) return;
    for (let o = end; o < e.highWatermark && o < r.log.length; o++) this.committed.push(r.log[o]!);
  }
}
