// The classic consumer-group requests (FindCoordinator v4, JoinGroup v9, SyncGroup v5, Heartbeat v4,
// LeaveGroup v5, OffsetCommit v8, OffsetFetch v8, ListGroups v4, DescribeGroups v5, DeleteGroups v2)
// with Kafka's field names, in their newest shapes (batched FindCoordinator keys, LeaveGroup members,
// OffsetFetch groups); the wire converters map older versions onto them. Protocol metadata and
// assignments are opaque bytes to the coordinator (latin1 strings, as record keys and values are).

import type { NodeId } from '../env.ts';
import type { Bytes } from './records.ts';
import type { TxnOffsetCommitRequest, TxnOffsetCommitResponse } from './txn.ts';

/** FindCoordinator's key types: a group, a transactional id (KIP-98), a share group (KIP-932). */
export const CoordinatorType = { GROUP: 0, TRANSACTION: 1 } as const;

export interface FindCoordinatorRequest {
  api: 'FindCoordinator';
  kind: 'request';
  correlationId: number;
  keyType: number;
  coordinatorKeys: string[];
}

export interface Coordinator {
  key: string;
  nodeId: NodeId | null;
  host: string;
  port: number;
  errorCode: number;
  errorMessage: string | null;
}

export interface FindCoordinatorResponse {
  api: 'FindCoordinator';
  kind: 'response';
  correlationId: number;
  coordinators: Coordinator[];
}

export interface JoinGroupProtocol {
  name: string;
  metadata: Bytes;
}

export interface JoinGroupRequest {
  api: 'JoinGroup';
  kind: 'request';
  correlationId: number;
  groupId: string;
  sessionTimeoutMs: number;
  /** -1 (JoinGroup v0): the session timeout serves as the rebalance timeout. */
  rebalanceTimeoutMs: number;
  /** "" for a member joining for the first time. */
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string;
  protocols: JoinGroupProtocol[];
  /** Whether the client understands MEMBER_ID_REQUIRED (JoinGroup v4+, KIP-394). */
  requireKnownMemberId: boolean;
  reason: string | null;
  /** The client's id (the request header's client.id), kept for DescribeGroups. */
  clientId: string;
}

export interface JoinGroupMember {
  memberId: string;
  groupInstanceId: string | null;
  metadata: Bytes;
}

export interface JoinGroupResponse {
  api: 'JoinGroup';
  kind: 'response';
  correlationId: number;
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  skipAssignment: boolean;
  memberId: string;
  /** Every member's metadata for the chosen protocol, for the leader only. */
  members: JoinGroupMember[];
}

export interface SyncGroupRequest {
  api: 'SyncGroup';
  kind: 'request';
  correlationId: number;
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string | null;
  protocolName: string | null;
  /** The leader's assignment of every member; empty from the others. */
  assignments: Array<{ memberId: string; assignment: Bytes }>;
}

export interface SyncGroupResponse {
  api: 'SyncGroup';
  kind: 'response';
  correlationId: number;
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Bytes;
}

export interface HeartbeatRequest {
  api: 'Heartbeat';
  kind: 'request';
  correlationId: number;
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

export interface HeartbeatResponse {
  api: 'Heartbeat';
  kind: 'response';
  correlationId: number;
  errorCode: number;
}

export interface LeaveGroupRequest {
  api: 'LeaveGroup';
  kind: 'request';
  correlationId: number;
  groupId: string;
  members: Array<{ memberId: string; groupInstanceId: string | null; reason: string | null }>;
}

export interface LeaveGroupResponse {
  api: 'LeaveGroup';
  kind: 'response';
  correlationId: number;
  errorCode: number;
  members: Array<{ memberId: string; groupInstanceId: string | null; errorCode: number }>;
}

export interface OffsetCommitPartition {
  partitionIndex: number;
  committedOffset: number;
  committedLeaderEpoch: number;
  committedMetadata: string | null;
}

export interface OffsetCommitRequest {
  api: 'OffsetCommit';
  kind: 'request';
  correlationId: number;
  groupId: string;
  /** -1 for a simple commit (no group membership). */
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  topics: Array<{ name: string; partitions: OffsetCommitPartition[] }>;
}

export interface OffsetCommitResponse {
  api: 'OffsetCommit';
  kind: 'response';
  correlationId: number;
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; errorCode: number }> }>;
}

export interface OffsetFetchGroup {
  groupId: string;
  /** null: every partition the group committed. */
  topics: Array<{ name: string; partitionIndexes: number[] }> | null;
}

export interface OffsetFetchRequest {
  api: 'OffsetFetch';
  kind: 'request';
  correlationId: number;
  groups: OffsetFetchGroup[];
  requireStable: boolean;
}

export interface OffsetFetchPartition {
  partitionIndex: number;
  /** -1: no committed offset. */
  committedOffset: number;
  committedLeaderEpoch: number;
  metadata: string | null;
  errorCode: number;
}

export interface OffsetFetchGroupResult {
  groupId: string;
  topics: Array<{ name: string; partitions: OffsetFetchPartition[] }>;
  errorCode: number;
}

export interface OffsetFetchResponse {
  api: 'OffsetFetch';
  kind: 'response';
  correlationId: number;
  groups: OffsetFetchGroupResult[];
}

export interface ListGroupsRequest {
  api: 'ListGroups';
  kind: 'request';
  correlationId: number;
  /** Empty: every state (ListGroups v4, KIP-518). */
  statesFilter: string[];
}

export interface ListGroupsResponse {
  api: 'ListGroups';
  kind: 'response';
  correlationId: number;
  errorCode: number;
  groups: Array<{ groupId: string; protocolType: string; groupState: string }>;
}

export interface DescribeGroupsRequest {
  api: 'DescribeGroups';
  kind: 'request';
  correlationId: number;
  groups: string[];
}

export interface DescribedGroupMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  memberMetadata: Bytes;
  memberAssignment: Bytes;
}

export interface DescribedGroup {
  errorCode: number;
  groupId: string;
  groupState: string;
  protocolType: string;
  protocolData: string;
  members: DescribedGroupMember[];
}

export interface DescribeGroupsResponse {
  api: 'DescribeGroups';
  kind: 'response';
  correlationId: number;
  groups: DescribedGroup[];
}

export interface DeleteGroupsRequest {
  api: 'DeleteGroups';
  kind: 'request';
  correlationId: number;
  groupsNames: string[];
}

export interface DeleteGroupsResponse {
  api: 'DeleteGroups';
  kind: 'response';
  correlationId: number;
  results: Array<{ groupId: string; errorCode: number }>;
}

export type GroupRequest =
  | FindCoordinatorRequest
  | JoinGroupRequest
  | SyncGroupRequest
  | HeartbeatRequest
  | LeaveGroupRequest
  | OffsetCommitRequest
  | OffsetFetchRequest
  | ListGroupsRequest
  | DescribeGroupsRequest
  | DeleteGroupsRequest
  /** A transactional producer's offsets go to the group's coordinator (KIP-98). */
  | TxnOffsetCommitRequest;
export type GroupResponse =
  | FindCoordinatorResponse
  | JoinGroupResponse
  | SyncGroupResponse
  | HeartbeatResponse
  | LeaveGroupResponse
  | OffsetCommitResponse
  | OffsetFetchResponse
  | ListGroupsResponse
  | DescribeGroupsResponse
  | DeleteGroupsResponse
  | TxnOffsetCommitResponse;
export type GroupMessage = GroupRequest | GroupResponse;

export const GROUP_APIS: ReadonlySet<string> = new Set([
  'FindCoordinator',
  'JoinGroup',
  'SyncGroup',
  'Heartbeat',
  'LeaveGroup',
  'OffsetCommit',
  'OffsetFetch',
  'ListGroups',
  'DescribeGroups',
  'DeleteGroups',
  'TxnOffsetCommit',
]);

/** Kafka's group states as DescribeGroups and ListGroups name them. */
export type GroupStateName = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

/** The answer to a group request that fails as a whole (not coordinator, loading, ...), in the request's shape. */
export function groupErrorResponse(req: GroupRequest, errorCode: number): GroupResponse {
  const correlationId = req.correlationId;
  switch (req.api) {
    case 'FindCoordinator':
      return {
        api: 'FindCoordinator',
        kind: 'response',
        correlationId,
        coordinators: req.coordinatorKeys.map((key) => ({ key, nodeId: null, host: '', port: -1, errorCode, errorMessage: null })),
      };
    case 'JoinGroup':
      return {
        api: 'JoinGroup',
        kind: 'response',
        correlationId,
        errorCode,
        generationId: -1,
        protocolType: null,
        protocolName: null,
        leader: '',
        skipAssignment: false,
        memberId: req.memberId,
        members: [],
      };
    case 'SyncGroup':
      return { api: 'SyncGroup', kind: 'response', correlationId, errorCode, protocolType: null, protocolName: null, assignment: '' };
    case 'Heartbeat':
      return { api: 'Heartbeat', kind: 'response', correlationId, errorCode };
    case 'LeaveGroup':
      return { api: 'LeaveGroup', kind: 'response', correlationId, errorCode, members: [] };
    case 'OffsetCommit':
    case 'TxnOffsetCommit':
      return {
        api: req.api,
        kind: 'response',
        correlationId,
        topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })),
      };
    case 'OffsetFetch':
      return { api: 'OffsetFetch', kind: 'response', correlationId, groups: req.groups.map((g) => ({ groupId: g.groupId, topics: [], errorCode })) };
    case 'ListGroups':
      return { api: 'ListGroups', kind: 'response', correlationId, errorCode, groups: [] };
    case 'DescribeGroups':
      return {
        api: 'DescribeGroups',
        kind: 'response',
        correlationId,
        groups: req.groups.map((groupId) => ({ errorCode, groupId, groupState: '', protocolType: '', protocolData: '', members: [] })),
      };
    case 'DeleteGroups':
      return { api: 'DeleteGroups', kind: 'response', correlationId, results: req.groupsNames.map((groupId) => ({ groupId, errorCode })) };
  }
}
