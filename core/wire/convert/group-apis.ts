// The classic consumer-group APIs between the wire and the core (FindCoordinator, JoinGroup, SyncGroup,
// Heartbeat, LeaveGroup, OffsetCommit, OffsetFetch, DescribeGroups, ListGroups, DeleteGroups): older
// versions map onto the core's newest shapes (one FindCoordinator key, LeaveGroup's single member,
// OffsetFetch's single group), protocol metadata and assignments become the core's byte strings, and
// coordinator node ids travel as Kafka's int32 ids.

import { ErrorCode } from '../../protocol/errors.ts';
import type {
  DeleteGroupsRequest,
  DeleteGroupsResponse,
  DescribeGroupsRequest,
  DescribeGroupsResponse,
  FindCoordinatorRequest,
  FindCoordinatorResponse,
  HeartbeatRequest,
  HeartbeatResponse,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupRequest,
  LeaveGroupResponse,
  ListGroupsRequest,
  ListGroupsResponse,
  OffsetCommitRequest,
  OffsetCommitResponse,
  OffsetFetchGroupResult,
  OffsetFetchRequest,
  OffsetFetchResponse,
  SyncGroupRequest,
  SyncGroupResponse,
} from '../../protocol/group.ts';
import { DeleteGroupsRequestSpec } from '../apis/delete-groups.ts';
import { DescribeGroupsRequestSpec } from '../apis/describe-groups.ts';
import { FindCoordinatorRequestSpec } from '../apis/find-coordinator.ts';
import { HeartbeatRequestSpec } from '../apis/heartbeat.ts';
import { JoinGroupRequestSpec } from '../apis/join-group.ts';
import { LeaveGroupRequestSpec } from '../apis/leave-group.ts';
import { ListGroupsRequestSpec } from '../apis/list-groups.ts';
import { OffsetCommitRequestSpec } from '../apis/offset-commit.ts';
import { OffsetFetchRequestSpec } from '../apis/offset-fetch.ts';
import { SyncGroupRequestSpec } from '../apis/sync-group.ts';
import { bytesOfLatin1, latin1Of } from '../latin1.ts';
import { versionRange, type MessageSpec } from '../spec.ts';
import { WireRequestError, type ApiConverter, type ServedVersions } from './converter.ts';

/**
 * The advertised range, never beyond what the codec's spec can write: reference §4's ranges (what kafkajs,
 * librdkafka, kafka-python and platformatic all settle on), with JoinGroup up to v9, SyncGroup v5 and
 * LeaveGroup v5 as Kafka serves them, so the protocol type and name, the leave reason and KIP-814's
 * skipAssignment reach the clients that ask for them (clients take the lower of the two maxima).
 */
function served(spec: MessageSpec, min: number, max: number): ServedVersions {
  return { min, max: Math.min(max, versionRange(spec.validVersions).max) };
}

/** DescribeGroups' authorizedOperations when they were not computed (Kafka's INT32_MIN). */
const NO_AUTHORIZED_OPERATIONS = -2147483648;
/** FindCoordinator v4 batches keys (KIP-699): one answer per key instead of one for the request. */
const BATCHED_COORDINATOR_VERSION = 4;
/** JoinGroup v4 answers a member without an id MEMBER_ID_REQUIRED first (KIP-394). */
const MEMBER_ID_REQUIRED_VERSION = 4;
/** JoinGroup v7 makes protocolName nullable (KIP-559), and null is what "none chosen" is from then on. */
const NULLABLE_PROTOCOL_NAME_VERSION = 7;
/** LeaveGroup v3 names several members (KIP-345); before, the request names one and the error is the request's. */
const BATCHED_LEAVE_VERSION = 3;
/** OffsetFetch v8 asks for several groups at once (KIP-709). */
const MULTI_GROUP_OFFSET_FETCH_VERSION = 8;

type Bytes = Uint8Array;

// ---- FindCoordinator ------------------------------------------------------------------------

type WireFindCoordinatorRequest = { key: string; keyType: number; coordinatorKeys: string[] };
type WireCoordinator = { key: string; nodeId: number; host: string; port: number; errorCode: number; errorMessage: string | null };

export const findCoordinatorConverter: ApiConverter<FindCoordinatorRequest, FindCoordinatorResponse> = {
  apiKey: FindCoordinatorRequestSpec.apiKey,
  served: served(FindCoordinatorRequestSpec, 0, 4),
  requestFromWire(body, version, correlationId) {
    const wire = body as WireFindCoordinatorRequest;
    const keys = version >= BATCHED_COORDINATOR_VERSION ? wire.coordinatorKeys : [wire.key];
    return { api: 'FindCoordinator', kind: 'request', correlationId, keyType: wire.keyType, coordinatorKeys: keys };
  },
  requestToWire(req, version) {
    if (version < BATCHED_COORDINATOR_VERSION && req.coordinatorKeys.length !== 1)
      throw new WireRequestError(ErrorCode.INVALID_REQUEST, `FindCoordinator v${version} asks for one key, not ${req.coordinatorKeys.length}`);
    return { key: req.coordinatorKeys[0] ?? '', keyType: req.keyType, coordinatorKeys: req.coordinatorKeys };
  },
  responseToWire(res, version, ctx) {
    const coordinators: WireCoordinator[] = res.coordinators.map((c) => ({ ...c, nodeId: ctx.ids.toWire(c.nodeId) }));
    if (version >= BATCHED_COORDINATOR_VERSION) return { throttleTimeMs: 0, coordinators };
    const { key: _key, ...first } = coordinators[0] ?? {
      key: '',
      nodeId: -1,
      host: '',
      port: -1,
      errorCode: ErrorCode.UNKNOWN_SERVER_ERROR,
      errorMessage: null,
    };
    return { throttleTimeMs: 0, ...first };
  },
  responseFromWire(body, version, correlationId, ctx) {
    const wire = body as WireCoordinator & { coordinators: WireCoordinator[] };
    const list = version >= BATCHED_COORDINATOR_VERSION ? wire.coordinators : [{ ...wire, key: '' }];
    return {
      api: 'FindCoordinator',
      kind: 'response',
      correlationId,
      coordinators: list.map((c) => ({
        key: c.key,
        nodeId: ctx.ids.fromWire(c.nodeId),
        host: c.host,
        port: c.port,
        errorCode: c.errorCode,
        errorMessage: c.errorMessage,
      })),
    };
  },
  errorResponse(body, version, errorCode, message) {
    const NO_NODE = { nodeId: -1, host: '', port: -1 };
    if (version < BATCHED_COORDINATOR_VERSION) return { throttleTimeMs: 0, errorCode, errorMessage: message, ...NO_NODE };
    const wire = body as WireFindCoordinatorRequest;
    return { throttleTimeMs: 0, coordinators: wire.coordinatorKeys.map((key) => ({ key, ...NO_NODE, errorCode, errorMessage: message })) };
  },
};

// ---- JoinGroup and SyncGroup ------------------------------------------------------------------

type WireJoinGroupRequest = {
  groupId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string;
  protocols: Array<{ name: string; metadata: Bytes }>;
  reason: string | null;
};

type WireJoinGroupResponse = {
  throttleTimeMs: number;
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  skipAssignment: boolean;
  memberId: string;
  members: Array<{ memberId: string; groupInstanceId: string | null; metadata: Bytes }>;
};

export const joinGroupConverter: ApiConverter<JoinGroupRequest, JoinGroupResponse> = {
  apiKey: JoinGroupRequestSpec.apiKey,
  served: served(JoinGroupRequestSpec, 0, 9),
  requestFromWire(body, version, correlationId, _ctx, clientId) {
    const wire = body as WireJoinGroupRequest;
    return {
      api: 'JoinGroup',
      kind: 'request',
      correlationId,
      groupId: wire.groupId,
      sessionTimeoutMs: wire.sessionTimeoutMs,
      rebalanceTimeoutMs: wire.rebalanceTimeoutMs,
      memberId: wire.memberId,
      groupInstanceId: wire.groupInstanceId,
      protocolType: wire.protocolType,
      protocols: wire.protocols.map((p) => ({ name: p.name, metadata: latin1Of(p.metadata) })),
      requireKnownMemberId: version >= MEMBER_ID_REQUIRED_VERSION,
      reason: wire.reason,
      clientId: clientId ?? '',
    };
  },
  requestToWire(req) {
    const wire: WireJoinGroupRequest = {
      groupId: req.groupId,
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      memberId: req.memberId,
      groupInstanceId: req.groupInstanceId,
      protocolType: req.protocolType,
      protocols: req.protocols.map((p) => ({ name: p.name, metadata: bytesOfLatin1(p.metadata) })),
      reason: req.reason,
    };
    return wire;
  },
  responseToWire(res, version) {
    const wire: WireJoinGroupResponse = {
      throttleTimeMs: 0,
      errorCode: res.errorCode,
      generationId: res.generationId,
      protocolType: res.protocolType,
      protocolName: version < NULLABLE_PROTOCOL_NAME_VERSION ? (res.protocolName ?? '') : res.protocolName,
      leader: res.leader,
      skipAssignment: res.skipAssignment,
      memberId: res.memberId,
      members: res.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: bytesOfLatin1(m.metadata) })),
    };
    return wire;
  },
  responseFromWire(body, version, correlationId) {
    const wire = body as WireJoinGroupResponse;
    return {
      api: 'JoinGroup',
      kind: 'response',
      correlationId,
      errorCode: wire.errorCode,
      generationId: wire.generationId,
      protocolType: wire.protocolType,
      protocolName: version < NULLABLE_PROTOCOL_NAME_VERSION && wire.protocolName === '' ? null : wire.protocolName,
      leader: wire.leader,
      skipAssignment: wire.skipAssignment,
      memberId: wire.memberId,
      members: wire.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: latin1Of(m.metadata) })),
    };
  },
  errorResponse(body, version, errorCode) {
    return {
      throttleTimeMs: 0,
      errorCode,
      generationId: -1,
      protocolType: null,
      protocolName: version >= NULLABLE_PROTOCOL_NAME_VERSION ? null : '',
      leader: '',
      skipAssignment: false,
      memberId: (body as Partial<WireJoinGroupRequest>).memberId ?? '',
      members: [],
    };
  },
};

type WireSyncGroupRequest = {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string | null;
  protocolName: string | null;
  assignments: Array<{ memberId: string; assignment: Bytes }>;
};
type WireSyncGroupResponse = { throttleTimeMs: number; errorCode: number; protocolType: string | null; protocolName: string | null; assignment: Bytes };

export const syncGroupConverter: ApiConverter<SyncGroupRequest, SyncGroupResponse> = {
  apiKey: SyncGroupRequestSpec.apiKey,
  served: served(SyncGroupRequestSpec, 0, 5),
  requestFromWire(body, _version, correlationId) {
    const wire = body as WireSyncGroupRequest;
    return {
      api: 'SyncGroup',
      kind: 'request',
      correlationId,
      groupId: wire.groupId,
      generationId: wire.generationId,
      memberId: wire.memberId,
      groupInstanceId: wire.groupInstanceId,
      protocolType: wire.protocolType,
      protocolName: wire.protocolName,
      assignments: wire.assignments.map((a) => ({ memberId: a.memberId, assignment: latin1Of(a.assignment) })),
    };
  },
  requestToWire(req) {
    const wire: WireSyncGroupRequest = {
      ...pick(req, ['groupId', 'generationId', 'memberId', 'groupInstanceId', 'protocolType', 'protocolName']),
      assignments: req.assignments.map((a) => ({ memberId: a.memberId, assignment: bytesOfLatin1(a.assignment) })),
    };
    return wire;
  },
  responseToWire(res) {
    const wire: WireSyncGroupResponse = {
      throttleTimeMs: 0,
      errorCode: res.errorCode,
      protocolType: res.protocolType,
      protocolName: res.protocolName,
      assignment: bytesOfLatin1(res.assignment),
    };
    return wire;
  },
  responseFromWire(body, _version, correlationId) {
    const wire = body as WireSyncGroupResponse;
    return {
      api: 'SyncGroup',
      kind: 'response',
      correlationId,
      errorCode: wire.errorCode,
      protocolType: wire.protocolType,
      protocolName: wire.protocolName,
      assignment: latin1Of(wire.assignment),
    };
  },
  errorResponse(_body, _version, errorCode) {
    return { throttleTimeMs: 0, errorCode, protocolType: null, protocolName: null, assignment: new Uint8Array(0) };
  },
};

// ---- Heartbeat and LeaveGroup -------------------------------------------------------------------

type WireHeartbeatRequest = { groupId: string; generationId: number; memberId: string; groupInstanceId: string | null };

export const heartbeatConverter: ApiConverter<HeartbeatRequest, HeartbeatResponse> = {
  apiKey: HeartbeatRequestSpec.apiKey,
  served: served(HeartbeatRequestSpec, 0, 4),
  requestFromWire(body, _version, correlationId) {
    const wire = body as WireHeartbeatRequest;
    return { api: 'Heartbeat', kind: 'request', correlationId, ...pick(wire, ['groupId', 'generationId', 'memberId', 'groupInstanceId']) };
  },
  requestToWire(req) {
    return pick(req, ['groupId', 'generationId', 'memberId', 'groupInstanceId']);
  },
  responseToWire(res) {
    return { throttleTimeMs: 0, errorCode: res.errorCode };
  },
  responseFromWire(body, _version, correlationId) {
    return { api: 'Heartbeat', kind: 'response', correlationId, errorCode: (body as { errorCode: number }).errorCode };
  },
  errorResponse(_body, _version, errorCode) {
    return { throttleTimeMs: 0, errorCode };
  },
};

type WireLeaveGroupRequest = { groupId: string; memberId: string; members: Array<{ memberId: string; groupInstanceId: string | null; reason: string | null }> };
type WireLeaveGroupResponse = {
  throttleTimeMs: number;
  errorCode: number;
  members: Array<{ memberId: string; groupInstanceId: string | null; errorCode: number }>;
};

export const leaveGroupConverter: ApiConverter<LeaveGroupRequest, LeaveGroupResponse> = {
  apiKey: LeaveGroupRequestSpec.apiKey,
  served: served(LeaveGroupRequestSpec, 0, 5),
  requestFromWire(body, version, correlationId) {
    const wire = body as WireLeaveGroupRequest;
    const members = version >= BATCHED_LEAVE_VERSION ? wire.members : [{ memberId: wire.memberId, groupInstanceId: null, reason: null }];
    return { api: 'LeaveGroup', kind: 'request', correlationId, groupId: wire.groupId, members };
  },
  requestToWire(req, version) {
    if (version < BATCHED_LEAVE_VERSION && req.members.length !== 1)
      throw new WireRequestError(ErrorCode.INVALID_REQUEST, `LeaveGroup v${version} names one member, not ${req.members.length}`);
    return { groupId: req.groupId, memberId: req.members[0]?.memberId ?? '', members: req.members };
  },
  responseToWire(res, version) {
    // Before v3 the one member's error is the request's.
    const errorCode = version >= BATCHED_LEAVE_VERSION || res.errorCode !== ErrorCode.NONE ? res.errorCode : (res.members[0]?.errorCode ?? ErrorCode.NONE);
    const wire: WireLeaveGroupResponse = { throttleTimeMs: 0, errorCode, members: res.members };
    return wire;
  },
  responseFromWire(body, _version, correlationId) {
    const wire = body as WireLeaveGroupResponse;
    return { api: 'LeaveGroup', kind: 'response', correlationId, errorCode: wire.errorCode, members: wire.members };
  },
  // As Kafka's LeaveGroupRequest.getErrorResponse: the error for the whole request, no per-member results.
  errorResponse(_body, _version, errorCode) {
    return { throttleTimeMs: 0, errorCode, members: [] };
  },
};

// ---- OffsetCommit and OffsetFetch -------------------------------------------------------------

type WireOffsetCommitRequest = {
  groupId: string;
  generationIdOrMemberEpoch: number;
  memberId: string;
  groupInstanceId: string | null;
  topics: Array<{
    name: string;
    partitions: Array<{ partitionIndex: number; committedOffset: number; committedLeaderEpoch: number; committedMetadata: string | null }>;
  }>;
};

export const offsetCommitConverter: ApiConverter<OffsetCommitRequest, OffsetCommitResponse> = {
  apiKey: OffsetCommitRequestSpec.apiKey,
  served: served(OffsetCommitRequestSpec, 0, 8),
  requestFromWire(body, _version, correlationId) {
    const wire = body as WireOffsetCommitRequest;
    return {
      api: 'OffsetCommit',
      kind: 'request',
      correlationId,
      groupId: wire.groupId,
      generationId: wire.generationIdOrMemberEpoch,
      memberId: wire.memberId,
      groupInstanceId: wire.groupInstanceId,
      topics: wire.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => pick(p, ['partitionIndex', 'committedOffset', 'committedLeaderEpoch', 'committedMetadata'])),
      })),
    };
  },
  requestToWire(req) {
    const wire: WireOffsetCommitRequest = {
      groupId: req.groupId,
      generationIdOrMemberEpoch: req.generationId,
      memberId: req.memberId,
      groupInstanceId: req.groupInstanceId,
      topics: req.topics,
    };
    return wire;
  },
  responseToWire(res) {
    return { throttleTimeMs: 0, topics: res.topics };
  },
  responseFromWire(body, _version, correlationId) {
    return { api: 'OffsetCommit', kind: 'response', correlationId, topics: (body as { topics: OffsetCommitResponse['topics'] }).topics };
  },
  errorResponse(body, _version, errorCode) {
    const wire = body as { topics: Array<{ name: string; partitions: Array<{ partitionIndex: number }> }> };
    return {
      throttleTimeMs: 0,
      topics: wire.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })),
    };
  },
};

type WireOffsetFetchTopics = Array<{ name: string; partitionIndexes: number[] }> | null;
type WireOffsetFetchRequest = {
  groupId: string;
  topics: WireOffsetFetchTopics;
  groups: Array<{ groupId: string; topics: WireOffsetFetchTopics }>;
  requireStable: boolean;
};
type WireOffsetFetchPartition = { partitionIndex: number; committedOffset: number; committedLeaderEpoch: number; metadata: string | null; errorCode: number };
type WireOffsetFetchTopicResults = Array<{ name: string; partitions: WireOffsetFetchPartition[] }>;

/** Every asked-for partition with no offset and the error (null topics, "all of them", name none to answer). */
function offsetFetchTopics(topics: WireOffsetFetchTopics, errorCode: number): WireOffsetFetchTopicResults {
  return (topics ?? []).map((t) => ({
    name: t.name,
    partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode })),
  }));
}

/**
 * Kafka puts a group's error only at the top level from v2 on; before v8 the response is one group's, and a
 * group-level error is repeated on every partition, so clients (kafka-python's v1) that read the partitions alone see it.
 */
function singleGroupResult(group: OffsetFetchGroupResult | undefined): { topics: WireOffsetFetchTopicResults; errorCode: number } {
  if (group === undefined) return { topics: [], errorCode: ErrorCode.UNKNOWN_SERVER_ERROR };
  const topics = group.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((p) => ({ ...p, errorCode: p.errorCode !== ErrorCode.NONE ? p.errorCode : group.errorCode })),
  }));
  return { topics, errorCode: group.errorCode };
}

export const offsetFetchConverter: ApiConverter<OffsetFetchRequest, OffsetFetchResponse> = {
  apiKey: OffsetFetchRequestSpec.apiKey,
  served: served(OffsetFetchRequestSpec, 1, 8),
  requestFromWire(body, version, correlationId) {
    const wire = body as WireOffsetFetchRequest;
    const groups = version >= MULTI_GROUP_OFFSET_FETCH_VERSION ? wire.groups : [{ groupId: wire.groupId, topics: wire.topics }];
    return {
      api: 'OffsetFetch',
      kind: 'request',
      correlationId,
      groups: groups.map((g) => ({ groupId: g.groupId, topics: g.topics })),
      requireStable: wire.requireStable,
    };
  },
  requestToWire(req, version) {
    if (version < MULTI_GROUP_OFFSET_FETCH_VERSION && req.groups.length !== 1)
      throw new WireRequestError(ErrorCode.INVALID_REQUEST, `OffsetFetch v${version} asks about one group, not ${req.groups.length}`);
    const first = req.groups[0];
    return { groupId: first?.groupId ?? '', topics: first?.topics ?? null, groups: req.groups, requireStable: req.requireStable };
  },
  responseToWire(res, version) {
    if (version >= MULTI_GROUP_OFFSET_FETCH_VERSION) return { throttleTimeMs: 0, groups: res.groups };
    return { throttleTimeMs: 0, ...singleGroupResult(res.groups[0]) };
  },
  responseFromWire(body, version, correlationId) {
    const wire = body as { topics: WireOffsetFetchTopicResults; errorCode: number; groups: OffsetFetchGroupResult[] };
    const groups = version >= MULTI_GROUP_OFFSET_FETCH_VERSION ? wire.groups : [{ groupId: '', topics: wire.topics, errorCode: wire.errorCode }];
    return { api: 'OffsetFetch', kind: 'response', correlationId, groups };
  },
  errorResponse(body, version, errorCode) {
    const wire = body as WireOffsetFetchRequest;
    if (version >= MULTI_GROUP_OFFSET_FETCH_VERSION) {
      return { throttleTimeMs: 0, groups: wire.groups.map((g) => ({ groupId: g.groupId, topics: offsetFetchTopics(g.topics, errorCode), errorCode })) };
    }
    return { throttleTimeMs: 0, topics: offsetFetchTopics(wire.topics, errorCode), errorCode };
  },
};

// ---- administration ---------------------------------------------------------------------------

type WireDescribedGroup = {
  errorCode: number;
  groupId: string;
  groupState: string;
  protocolType: string;
  protocolData: string;
  members: Array<{ memberId: string; groupInstanceId: string | null; clientId: string; clientHost: string; memberMetadata: Bytes; memberAssignment: Bytes }>;
  authorizedOperations: number;
};

export const describeGroupsConverter: ApiConverter<DescribeGroupsRequest, DescribeGroupsResponse> = {
  apiKey: DescribeGroupsRequestSpec.apiKey,
  served: served(DescribeGroupsRequestSpec, 0, 5),
  requestFromWire(body, _version, correlationId) {
    return { api: 'DescribeGroups', kind: 'request', correlationId, groups: (body as { groups: string[] }).groups };
  },
  requestToWire(req) {
    return { groups: req.groups, includeAuthorizedOperations: false };
  },
  responseToWire(res) {
    const groups: WireDescribedGroup[] = res.groups.map((g) => ({
      ...g,
      members: g.members.map((m) => ({ ...m, memberMetadata: bytesOfLatin1(m.memberMetadata), memberAssignment: bytesOfLatin1(m.memberAssignment) })),
      authorizedOperations: NO_AUTHORIZED_OPERATIONS,
    }));
    return { throttleTimeMs: 0, groups };
  },
  responseFromWire(body, _version, correlationId) {
    const wire = body as { groups: WireDescribedGroup[] };
    return {
      api: 'DescribeGroups',
      kind: 'response',
      correlationId,
      groups: wire.groups.map((g) => ({
        errorCode: g.errorCode,
        groupId: g.groupId,
        groupState: g.groupState,
        protocolType: g.protocolType,
        protocolData: g.protocolData,
        members: g.members.map((m) => ({ ...m, memberMetadata: latin1Of(m.memberMetadata), memberAssignment: latin1Of(m.memberAssignment) })),
      })),
    };
  },
  errorResponse(body, _version, errorCode) {
    return {
      throttleTimeMs: 0,
      groups: (body as { groups: string[] }).groups.map((groupId) => ({
        errorCode,
        groupId,
        groupState: '',
        protocolType: '',
        protocolData: '',
        members: [],
        authorizedOperations: NO_AUTHORIZED_OPERATIONS,
      })),
    };
  },
};

export const listGroupsConverter: ApiConverter<ListGroupsRequest, ListGroupsResponse> = {
  apiKey: ListGroupsRequestSpec.apiKey,
  served: served(ListGroupsRequestSpec, 0, 4),
  requestFromWire(body, _version, correlationId) {
    return { api: 'ListGroups', kind: 'request', correlationId, statesFilter: (body as { statesFilter: string[] }).statesFilter };
  },
  requestToWire(req) {
    return { statesFilter: req.statesFilter, typesFilter: [] };
  },
  responseToWire(res) {
    return { throttleTimeMs: 0, errorCode: res.errorCode, groups: res.groups.map((g) => ({ ...g, groupType: 'classic' })) };
  },
  responseFromWire(body, _version, correlationId) {
    const wire = body as { errorCode: number; groups: Array<{ groupId: string; protocolType: string; groupState: string }> };
    return {
      api: 'ListGroups',
      kind: 'response',
      correlationId,
      errorCode: wire.errorCode,
      groups: wire.groups.map((g) => pick(g, ['groupId', 'protocolType', 'groupState'])),
    };
  },
  errorResponse(_body, _version, errorCode) {
    return { throttleTimeMs: 0, errorCode, groups: [] };
  },
};

export const deleteGroupsConverter: ApiConverter<DeleteGroupsRequest, DeleteGroupsResponse> = {
  apiKey: DeleteGroupsRequestSpec.apiKey,
  served: served(DeleteGroupsRequestSpec, 0, 2),
  requestFromWire(body, _version, correlationId) {
    return { api: 'DeleteGroups', kind: 'request', correlationId, groupsNames: (body as { groupsNames: string[] }).groupsNames };
  },
  requestToWire(req) {
    return { groupsNames: req.groupsNames };
  },
  responseToWire(res) {
    return { throttleTimeMs: 0, results: res.results };
  },
  responseFromWire(body, _version, correlationId) {
    return { api: 'DeleteGroups', kind: 'response', correlationId, results: (body as { results: DeleteGroupsResponse['results'] }).results };
  },
  errorResponse(body, _version, errorCode) {
    return { throttleTimeMs: 0, results: (body as { groupsNames: string[] }).groupsNames.map((groupId) => ({ groupId, errorCode })) };
  },
};

/** Every group API's converter. */
export const GROUP_CONVERTERS = [
  offsetCommitConverter,
  offsetFetchConverter,
  findCoordinatorConverter,
  joinGroupConverter,
  heartbeatConverter,
  leaveGroupConverter,
  syncGroupConverter,
  describeGroupsConverter,
  listGroupsConverter,
  deleteGroupsConverter,
] as const;

/** The named fields of `from`, as a new object (a core message's fields without api, kind and correlation id, or the reverse). */
function pick<T extends object, K extends keyof T>(from: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const k of keys) out[k] = from[k];
  return out;
}
