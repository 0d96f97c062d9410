// The KRaft quorum RPCs (KIP-595): Vote, BeginQuorumEpoch, EndQuorumEpoch, Fetch and
// FetchSnapshot, with Kafka's field names. Kafka nests them under topics/partitions; the quorum
// has one partition (__cluster_metadata-0), so the partition's fields sit at the top level here.

import type { NodeId } from '../env.ts';

/** Epoch and offset as Kafka's OffsetAndEpoch / SnapshotId. */
export interface OffsetAndEpoch {
  endOffset: number;
  epoch: number;
}

/** A record in the quorum's log: a control record or a state machine record. */
export type RaftRecord<R> = { type: 'leader-change'; leaderId: NodeId; voters: NodeId[] } | { type: 'data'; value: R };

/** One log entry as it travels in a Fetch response. */
export interface RaftEntry<R> {
  offset: number;
  epoch: number;
  record: RaftRecord<R>;
  /**
   * False on every entry of a multi-record append but its last (absent means true): one append
   * is one record batch, which Kafka's log never splits, so a controller operation's records
   * are committed all together or not at all.
   */
  batchEnd?: false;
}

export interface LeaderHint {
  leaderId: NodeId | null;
  leaderEpoch: number;
}

export interface VoteRequest {
  api: 'Vote';
  kind: 'request';
  correlationId: number;
  clusterId: string;
  candidateEpoch: number;
  candidateId: NodeId;
  lastEpoch: number;
  lastEpochEndOffset: number;
  /** KIP-996: a pre-vote asks whether the voter would vote, at the candidate's current epoch, changing nothing. */
  preVote: boolean;
}

export interface VoteResponse {
  api: 'Vote';
  kind: 'response';
  correlationId: number;
  errorCode: number;
  leaderId: NodeId | null;
  leaderEpoch: number;
  voteGranted: boolean;
}

export interface BeginQuorumEpochRequest {
  api: 'BeginQuorumEpoch';
  kind: 'request';
  correlationId: number;
  clusterId: string;
  leaderId: NodeId;
  leaderEpoch: number;
}

export interface BeginQuorumEpochResponse {
  api: 'BeginQuorumEpoch';
  kind: 'response';
  correlationId: number;
  errorCode: number;
  leaderId: NodeId | null;
  leaderEpoch: number;
}

export interface EndQuorumEpochRequest {
  api: 'EndQuorumEpoch';
  kind: 'request';
  correlationId: number;
  clusterId: string;
  leaderId: NodeId;
  leaderEpoch: number;
  preferredSuccessors: NodeId[];
}

export interface EndQuorumEpochResponse {
  api: 'EndQuorumEpoch';
  kind: 'response';
  correlationId: number;
  errorCode: number;
  leaderId: NodeId | null;
  leaderEpoch: number;
}

/** A replica's fetch from the quorum leader (Fetch v13+ as a controller sends it). */
export interface QuorumFetchRequest {
  api: 'Fetch';
  kind: 'request';
  topic: '__cluster_metadata';
  correlationId: number;
  clusterId: string;
  replicaId: NodeId;
  maxWaitMs: number;
  currentLeaderEpoch: number;
  fetchOffset: number;
  lastFetchedEpoch: number;
  logStartOffset: number;
}

export interface QuorumFetchResponse<R> {
  api: 'Fetch';
  kind: 'response';
  topic: '__cluster_metadata';
  correlationId: number;
  errorCode: number;
  highWatermark: number;
  logStartOffset: number;
  records: RaftEntry<R>[];
  /** Set when the fetcher's log diverges from the leader's: truncate, then fetch again. */
  divergingEpoch: OffsetAndEpoch | null;
  currentLeader: LeaderHint;
  /** Set when the fetch offset is below the log start: fetch this snapshot first. */
  snapshotId: OffsetAndEpoch | null;
}

export interface FetchSnapshotRequest {
  api: 'FetchSnapshot';
  kind: 'request';
  correlationId: number;
  clusterId: string;
  replicaId: NodeId;
  currentLeaderEpoch: number;
  snapshotId: OffsetAndEpoch;
}

export interface FetchSnapshotResponse {
  api: 'FetchSnapshot';
  kind: 'response';
  correlationId: number;
  errorCode: number;
  currentLeader: LeaderHint;
  snapshotId: OffsetAndEpoch;
  /** The snapshot's whole content (the simulator sends it in one piece). */
  snapshot: unknown;
}

export type QuorumRequest = VoteRequest | BeginQuorumEpochRequest | EndQuorumEpochRequest | QuorumFetchRequest | FetchSnapshotRequest;
export type QuorumResponse<R> = VoteResponse | BeginQuorumEpochResponse | EndQuorumEpochResponse | QuorumFetchResponse<R> | FetchSnapshotResponse;
export type QuorumMessage<R> = QuorumRequest | QuorumResponse<R>;

/** Whether a message belongs to the quorum (the metadata partition), not to data partitions. */
export function isQuorumMessage<R>(msg: { api: string; topic?: string }): msg is QuorumMessage<R> {
  switch (msg.api) {
    case 'Vote':
    case 'BeginQuorumEpoch':
    case 'EndQuorumEpoch':
    case 'FetchSnapshot':
      return true;
    case 'Fetch':
      return msg.topic === '__cluster_metadata';
    default:
      return false;
  }
}
