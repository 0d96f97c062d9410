// The typed events a node may record in the run's trace through `env.trace`. The runtime adds
// the time, the step and the node; each protocol adds its own kinds here as it grows
// (append, truncate, hw, isr, leader, elect, client, ...).

import type { NodeId } from './env.ts';

/** A quorum replica's role (KIP-595). */
export type RaftRole = 'unattached' | 'voted' | 'candidate' | 'leader' | 'follower' | 'resigned';

/** Every node-level trace event kind, with the fields it carries. */
export interface NodeTraceEvents {
  /** Free-form remark from a node; for tests and demos, not for protocol state. */
  note: { text: string };

  // The metadata quorum (core/raft). Offsets are log offsets of __cluster_metadata-0.
  /** The replica's in-memory election state changed. */
  'raft-state': { epoch: number; role: RaftRole; leader: NodeId | null; votedFor: NodeId | null; voter: boolean };
  /** The election state is now durable. */
  'raft-persist': { epoch: number; votedFor: NodeId | null; leader: NodeId | null };
  /** The election state read from storage at start. */
  'raft-load': { epoch: number; votedFor: NodeId | null; leader: NodeId | null };
  /** The log recovered from storage at start: what survived the last crash. */
  'raft-recover': { startOffset: number; endOffset: number; snapshotEpoch: number | null; tornBytes: number };
  /** Entries appended from `offset` on: [epoch, content hash] each. */
  'raft-append': { offset: number; entries: Array<[number, number]> };
  /** The log was truncated; `endOffset` is its new end. */
  'raft-truncate': { endOffset: number; highWatermark: number | null };
  /** The replica's high watermark advanced. */
  'raft-hw': { highWatermark: number; epoch: number; role: RaftRole };
  /** A snapshot now covers the log below `endOffset`; `fetched` when it came from the leader. */
  'raft-snapshot': { endOffset: number; epoch: number; fetched: boolean };
}

export type TraceEventKind = keyof NodeTraceEvents;

export type TraceEvent = {
  [K in TraceEventKind]: { kind: K } & NodeTraceEvents[K];
}[TraceEventKind];
