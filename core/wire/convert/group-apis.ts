// The classic consumer-group APIs (FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit,
// OffsetFetch, DescribeGroups, ListGroups, DeleteGroups) answered with COORDINATOR_NOT_AVAILABLE until the group coordinator lands.

import { ErrorCode } from '../../protocol/errors.ts';
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
import { versionRange, type MessageSpec } from '../spec.ts';
import type { ErrorOnlyApi, ServedVersions, WireStruct } from './converter.ts';

/**
 * The advertised range (reference §4: what kafkajs, librdkafka, kafka-python and platformatic all settle on),
 * never beyond what the codec's spec can write.
 */
function served(spec: MessageSpec, min: number, max: number): ServedVersions {
  return { min, max: Math.min(max, versionRange(spec.validVersions).max) };
}

/** A group API's error answer. Clients retry COORDINATOR_NOT_AVAILABLE by finding the coordinator again. */
function errorOnly(spec: MessageSpec, min: number, max: number, errorResponse: ErrorOnlyApi['errorResponse']): ErrorOnlyApi {
  return { apiKey: spec.apiKey, served: served(spec, min, max), errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorResponse };
}

/** Kafka's "no such node" in a coordinator answer. */
const NO_NODE = { nodeId: -1, host: '', port: -1 };
/** DescribeGroups' authorizedOperations when they were not computed (Kafka's INT32_MIN). */
const NO_AUTHORIZED_OPERATIONS = -2147483648;
/** FindCoordinator v4 batches keys (KIP-699): one answer per key instead of one for the request. */
const BATCHED_COORDINATOR_VERSION = 4;
/** JoinGroup v7 makes protocolName nullable (KIP-559), and null is what "none chosen" is from then on. */
const NULLABLE_PROTOCOL_NAME_VERSION = 7;
/** OffsetFetch v8 asks for several groups at once (KIP-709). */
const MULTI_GROUP_OFFSET_FETCH_VERSION = 8;

type WireFindCoordinatorRequest = { key: string; keyType: number; coordinatorKeys: string[] };
type WireOffsetCommitRequest = { topics: Array<{ name: string; partitions: Array<{ partitionIndex: number }> }> };
type WireOffsetFetchTopics = Array<{ name: string; partitionIndexes: number[] }> | null;
type WireOffsetFetchRequest = { topics: WireOffsetFetchTopics; groups: Array<{ groupId: string; topics: WireOffsetFetchTopics }> };

const findCoordinator = errorOnly(FindCoordinatorRequestSpec, 0, 4, (body, version, errorCode, message) => {
  if (version < BATCHED_COORDINATOR_VERSION) return { throttleTimeMs: 0, errorCode, errorMessage: message, ...NO_NODE };
  const wire = body as WireFindCoordinatorRequest;
  return { throttleTimeMs: 0, coordinators: wire.coordinatorKeys.map((key) => ({ key, ...NO_NODE, errorCode, errorMessage: message })) };
});

const joinGroup = errorOnly(JoinGroupRequestSpec, 0, 6, (_body, version, errorCode) => ({
  throttleTimeMs: 0,
  errorCode,
  generationId: -1,
  protocolType: null,
  protocolName: version >= NULLABLE_PROTOCOL_NAME_VERSION ? null : '',
  leader: '',
  skipAssignment: false,
  memberId: '',
  members: [],
}));

const heartbeat = errorOnly(HeartbeatRequestSpec, 0, 4, (_body, _version, errorCode) => ({ throttleTimeMs: 0, errorCode }));

// As Kafka's LeaveGroupRequest.getErrorResponse: the error for the whole request, no per-member results.
const leaveGroup = errorOnly(LeaveGroupRequestSpec, 0, 4, (_body, _version, errorCode) => ({ throttleTimeMs: 0, errorCode, members: [] }));

const syncGroup = errorOnly(SyncGroupRequestSpec, 0, 4, (_body, _version, errorCode) => ({
  throttleTimeMs: 0,
  errorCode,
  protocolType: null,
  protocolName: null,
  assignment: new Uint8Array(0),
}));

const offsetCommit = errorOnly(OffsetCommitRequestSpec, 0, 8, (body, _version, errorCode) => {
  const wire = body as WireOffsetCommitRequest;
  return {
    throttleTimeMs: 0,
    topics: wire.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode })) })),
  };
});

/** Every asked-for partition with no offset and the error (null topics, "all of them", name none to answer). */
function offsetFetchTopics(topics: WireOffsetFetchTopics, errorCode: number): WireStruct[] {
  return (topics ?? []).map((t) => ({
    name: t.name,
    partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode })),
  }));
}

// Kafka puts the error only at the top level from v2 on; repeating it per partition costs nothing and reaches
// clients (kafka-python's v1) that read the partitions alone.
const offsetFetch = errorOnly(OffsetFetchRequestSpec, 1, 8, (body, version, errorCode) => {
  const wire = body as WireOffsetFetchRequest;
  if (version >= MULTI_GROUP_OFFSET_FETCH_VERSION) {
    return { throttleTimeMs: 0, groups: wire.groups.map((g) => ({ groupId: g.groupId, topics: offsetFetchTopics(g.topics, errorCode), errorCode })) };
  }
  return { throttleTimeMs: 0, topics: offsetFetchTopics(wire.topics, errorCode), errorCode };
});

const describeGroups = errorOnly(DescribeGroupsRequestSpec, 0, 5, (body, _version, errorCode) => ({
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
}));

const listGroups = errorOnly(ListGroupsRequestSpec, 0, 4, (_body, _version, errorCode) => ({ throttleTimeMs: 0, errorCode, groups: [] }));

const deleteGroups = errorOnly(DeleteGroupsRequestSpec, 0, 2, (body, _version, errorCode) => ({
  throttleTimeMs: 0,
  results: (body as { groupsNames: string[] }).groupsNames.map((groupId) => ({ groupId, errorCode })),
}));

/** The group APIs the runtime answers with an error, by API key. */
export const GROUP_APIS: readonly ErrorOnlyApi[] = [
  offsetCommit,
  offsetFetch,
  findCoordinator,
  joinGroup,
  heartbeat,
  leaveGroup,
  syncGroup,
  describeGroups,
  listGroups,
  deleteGroups,
];
