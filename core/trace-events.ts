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
  /**
   * The log recovered from storage at start: what survived the last crash. `entries` are the
   * entries held ([epoch, content hash] from startOffset on); a crash can bring back entries whose
   * truncation was not yet durable, so the recovered log is not always a prefix of the last one.
   */
  'raft-recover': { startOffset: number; endOffset: number; snapshotEpoch: number | null; tornBytes: number; entries: Array<[number, number]> };
  /** Entries appended from `offset` on: [epoch, content hash] each. */
  'raft-append': { offset: number; entries: Array<[number, number]> };
  /** The log was truncated; `endOffset` is its new end. */
  'raft-truncate': { endOffset: number; highWatermark: number | null };
  /** The replica's high watermark advanced. */
  'raft-hw': { highWatermark: number; epoch: number; role: RaftRole };
  /** A snapshot now covers the log below `endOffset`; `fetched` when it came from the leader. */
  'raft-snapshot': { endOffset: number; epoch: number; fetched: boolean };

  // Cluster metadata (core/controller): what each node's metadata image took in.
  /** The node's metadata image now reflects the metadata log below `endOffset`. */
  'metadata-apply': { endOffset: number };
  /** A partition's state in the node's image after a committed record. */
  'partition-change': { topic: string; partition: number; leader: NodeId | null; isr: NodeId[]; leaderEpoch: number; partitionEpoch: number };
  /** The node's controller became active (it leads the quorum and has caught up) or stopped. */
  'controller-active': { active: boolean; epoch: number };
  /** The broker's registration state changed (epoch from the controller, fenced or not). */
  'broker-state': { brokerEpoch: number; fenced: boolean };

  // Partition replicas (core/broker). `batches` are [baseOffset, lastOffset, leaderEpoch, hash].
  /** The replica appended batches (as leader or follower). */
  'partition-append': { topic: string; partition: number; batches: Array<[number, number, number, number]> };
  /** The replica's log was truncated; `endOffset` is its new log end offset. */
  'partition-truncate': { topic: string; partition: number; endOffset: number };
  /** The replica's log as recovered from storage at start (batches held). */
  'partition-recover': { topic: string; partition: number; batches: Array<[number, number, number, number]>; tornBytes: number; highWatermark: number };
  /** The replica's high watermark changed. `exposed`: a leader whose high watermark has reached its epoch's start offset. */
  'partition-hw': { topic: string; partition: number; highWatermark: number; role: 'leader' | 'follower'; leaderEpoch: number; exposed: boolean };
  /** The replica took a role from the metadata (leader, follower, or none once not a replica). */
  'partition-role': { topic: string; partition: number; role: 'leader' | 'follower' | 'none'; leader: NodeId | null; leaderEpoch: number };
  /** A leader's ISR view changed: the committed ISR and a pending AlterPartition's, if any. */
  'partition-isr': { topic: string; partition: number; isr: NodeId[]; pendingIsr: NodeId[] | null; partitionEpoch: number };

  // Clients (core/client): a Jepsen-style history, one entry per invocation and one per outcome
  // (models/history/types.ts gives the values of send, poll, assign and seek).
  /** `type` is invoke, then ok (it happened), fail (it did not) or info (unknown). */
  client: { op: string; type: 'invoke' | 'ok' | 'fail' | 'info'; id: number; value?: unknown; error?: string };
}

export type TraceEventKind = keyof NodeTraceEvents;

export type TraceEvent = {
  [K in TraceEventKind]: { kind: K } & NodeTraceEvents[K];
}[TraceEventKind];
