// Consumer-group API specs (FindCoordinator, JoinGroup, Heartbeat, LeaveGroup, SyncGroup, DescribeGroups, ListGroups,
// OffsetCommit, OffsetFetch, DeleteGroups): every kafkajs fixture decodes at its version(s) into what kafkajs's own spec
// says it holds and re-encodes to the identical bytes; flexible versions (which no fixture covers) are checked against
// hand-built byte layouts. Random round trips of every spec are in specs.test.ts.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as deleteGroups from '../../../core/wire/apis/delete-groups.ts';
import * as describeGroups from '../../../core/wire/apis/describe-groups.ts';
import * as findCoordinator from '../../../core/wire/apis/find-coordinator.ts';
import * as heartbeat from '../../../core/wire/apis/heartbeat.ts';
import * as joinGroup from '../../../core/wire/apis/join-group.ts';
import * as leaveGroup from '../../../core/wire/apis/leave-group.ts';
import * as listGroups from '../../../core/wire/apis/list-groups.ts';
import * as offsetCommit from '../../../core/wire/apis/offset-commit.ts';
import * as offsetFetch from '../../../core/wire/apis/offset-fetch.ts';
import * as syncGroup from '../../../core/wire/apis/sync-group.ts';
import { decodeMessage, encodeMessage } from '../../../core/wire/message-codec.ts';
import type { MessageSpec } from '../../../core/wire/spec.ts';
import { Bytes, decodeExactly, expectSameBytes, FIXTURES_DIR, fixture } from './helpers.ts';

const JG = 'consumer-group-id-b522188a3a12a1f04cfb-23702-e1ff35c7-fde9-4d58-960a-2cef8af77eef';
const JG_MEMBER = 'test-b773bdb220aa2b862440-23702-2b1581f6-55ea-4af0-97f0-931d4f071111-68a2051d-7b30-4161-b920-89346d7b672b';
const HB_GROUP = 'consumer-group-id-4c456000151f094b600d-26762-fd6a6ae7-3f66-408e-802e-d261d6983d0d';
const HB_MEMBER = 'test-14da1b41ac688a6dcb78-26762-4dac8e12-dc28-4db2-8456-95bc6c1589bb-7bad1e84-c2de-4cc6-8071-badb27c86166';
const LG_GROUP = 'consumer-group-id-82d77df5d0974e21502d-30919-0ec5e55e-e3e1-433a-bbed-96fe228408b4';
const LG_MEMBER = 'test-c598169a5d8dbedcb806-30919-ff1f3c53-1855-4c04-aadf-12d298160f5c-b41b37f8-6482-47c5-811e-e658ab656a75';
const SG_GROUP = 'consumer-group-id-e15bd537f491e89484f1-24495-5c083268-3a66-4366-8afc-2c429edeb6af';
const SG_MEMBER = 'test-d44f97e7d1a0622387a1-24495-d057a55d-fb7c-446d-98b7-3a3a8dff7944-1f460f6f-bf82-4448-9c18-09b0d7eaceb6';
const DG_GROUP = 'consumer-group-id-4de0aa10ef94403a397d-53384-d2fee969-1446-4166-bc8e-c88e8daffdfe';
const OC_GROUP = 'consumer-group-id-ca28067439d6194a9625-9985-cbb81a97-5151-4658-a055-c479147b107d';
const OC_MEMBER = 'test-f5e359ffa7b2578aca4b-9985-60dcd0da-1130-4eaa-99aa-9bd80f39eceb-4426ce19-8149-4d64-b8c3-841d3bb7ca26';
const OC_TOPIC = 'test-topic-5c24efe0ac41b91bee85-9985-841d6145-c897-4471-bd09-acd8b4c905f2';
const OF_GROUP = 'consumer-group-id-d1492d7a3c14a838a28f-20117-ae82781b-863d-4f23-9377-d165ca585f31';
const OF_TOPIC = 'test-topic-df48241c4bf2fca9d16b-20117-aff9b64c-69a2-4456-be7b-de5bcd78984e';
const utf8 = (s: string) => new Uint8Array(Buffer.from(s, 'utf8'));

interface Case {
  api: string;
  file: string;
  spec: MessageSpec;
  /** The versions kafkajs reads or writes these bytes at (its specs reuse fixtures across versions). */
  versions: number[];
  /** A subset of the decoded value, from kafkajs's request.spec.js / response.spec.js for the fixture. */
  holds: Record<string, unknown>;
}

const cases: Case[] = [
  // FindCoordinator
  {
    api: 'findCoordinator',
    file: 'v0_request.json',
    spec: findCoordinator.FindCoordinatorRequestSpec,
    versions: [0],
    holds: { key: 'test-topic', keyType: 0 },
  },
  {
    api: 'findCoordinator',
    file: 'v0_response.json',
    spec: findCoordinator.FindCoordinatorResponseSpec,
    versions: [0],
    holds: { errorCode: 0, nodeId: 1, host: '192.168.1.155', port: 9095 },
  },
  {
    api: 'findCoordinator',
    file: 'v1_request.json',
    spec: findCoordinator.FindCoordinatorRequestSpec,
    versions: [1, 2],
    holds: { key: 'group-id', keyType: 0 },
  },
  {
    api: 'findCoordinator',
    file: 'v1_response.json',
    spec: findCoordinator.FindCoordinatorResponseSpec,
    versions: [1, 2],
    holds: { throttleTimeMs: 0, errorCode: 0, errorMessage: null, nodeId: 2, host: '192.168.50.211', port: 9098 },
  },
  {
    api: 'findCoordinator',
    file: 'v1_response_version_error.json',
    spec: findCoordinator.FindCoordinatorResponseSpec,
    versions: [1, 2],
    holds: { errorCode: 35, errorMessage: null },
  },
  // JoinGroup
  {
    api: 'joinGroup',
    file: 'v0_request.json',
    spec: joinGroup.JoinGroupRequestSpec,
    versions: [0],
    holds: {
      groupId: 'test-group',
      sessionTimeoutMs: 30000,
      rebalanceTimeoutMs: -1,
      memberId: '',
      protocolType: 'consumer',
      protocols: [{ name: 'default', metadata: new Uint8Array(0) }],
    },
  },
  {
    api: 'joinGroup',
    file: 'v0_response.json',
    spec: joinGroup.JoinGroupResponseSpec,
    versions: [0],
    holds: {
      errorCode: 0,
      generationId: 11,
      protocolName: 'default',
      leader: 'test-169029db29f2ebfe07c1-fe0d5338-804e-42fa-af6a-c8f7b2467c6e',
      memberId: 'test-169029db29f2ebfe07c1-fe0d5338-804e-42fa-af6a-c8f7b2467c6e',
      members: [{ memberId: 'test-169029db29f2ebfe07c1-fe0d5338-804e-42fa-af6a-c8f7b2467c6e', metadata: Uint8Array.of(0, 0) }],
    },
  },
  {
    api: 'joinGroup',
    file: 'v1_request.json',
    spec: joinGroup.JoinGroupRequestSpec,
    versions: [1],
    holds: {
      groupId: 'consumer-group-id-5d520373e1cf4d03ca77-21486-90948f57-528c-4c3b-ba72-bf1e0d9bbc56',
      sessionTimeoutMs: 30000,
      rebalanceTimeoutMs: 60000,
      memberId: '',
      protocolType: 'consumer',
      protocols: [{ name: 'AssignerName', metadata: fixture('joinGroup', 'v1_assignerMetadata.json') }],
    },
  },
  {
    api: 'joinGroup',
    file: 'v1_response.json',
    spec: joinGroup.JoinGroupResponseSpec,
    versions: [1],
    holds: {
      errorCode: 0,
      generationId: 1,
      protocolName: 'AssignerName',
      leader: 'test-9dfcfa24752a27f51026-21486-91f3d0e3-dc7a-464f-ab89-94cb49a53a62-d9c2c2a5-cb2f-468e-a943-368336a2cd48',
      memberId: 'test-9dfcfa24752a27f51026-21486-91f3d0e3-dc7a-464f-ab89-94cb49a53a62-d9c2c2a5-cb2f-468e-a943-368336a2cd48',
      members: [
        {
          memberId: 'test-9dfcfa24752a27f51026-21486-91f3d0e3-dc7a-464f-ab89-94cb49a53a62-d9c2c2a5-cb2f-468e-a943-368336a2cd48',
          metadata: fixture('joinGroup', 'v1_assignerMetadata.json'),
        },
      ],
    },
  },
  {
    api: 'joinGroup',
    file: 'v2_request.json',
    spec: joinGroup.JoinGroupRequestSpec,
    versions: [2, 3, 4],
    holds: {
      groupId: JG,
      sessionTimeoutMs: 30000,
      rebalanceTimeoutMs: 60000,
      memberId: '',
      protocolType: 'consumer',
      protocols: [{ name: 'AssignerName', metadata: fixture('joinGroup', 'v2_assignerMetadata.json') }],
    },
  },
  {
    api: 'joinGroup',
    file: 'v2_response.json',
    spec: joinGroup.JoinGroupResponseSpec,
    versions: [2, 3, 4],
    holds: {
      throttleTimeMs: 0,
      errorCode: 0,
      generationId: 1,
      protocolName: 'AssignerName',
      leader: JG_MEMBER,
      memberId: JG_MEMBER,
      members: [{ memberId: JG_MEMBER, metadata: fixture('joinGroup', 'v2_assignerMetadata.json') }],
    },
  },
  {
    api: 'joinGroup',
    file: 'v5_request.json',
    spec: joinGroup.JoinGroupRequestSpec,
    versions: [5],
    holds: {
      groupId: JG,
      sessionTimeoutMs: 30000,
      rebalanceTimeoutMs: 60000,
      memberId: '',
      groupInstanceId: 'group-instance-id',
      protocolType: 'consumer',
      protocols: [{ name: 'AssignerName', metadata: fixture('joinGroup', 'v2_assignerMetadata.json') }],
    },
  },
  {
    api: 'joinGroup',
    file: 'v5_response.json',
    spec: joinGroup.JoinGroupResponseSpec,
    versions: [5],
    holds: {
      throttleTimeMs: 0,
      errorCode: 0,
      generationId: 1,
      protocolName: 'AssignerName',
      leader: JG_MEMBER,
      memberId: JG_MEMBER,
      members: [{ memberId: JG_MEMBER, groupInstanceId: 'group-instance-id', metadata: fixture('joinGroup', 'v2_assignerMetadata.json') }],
    },
  },
  // Heartbeat
  {
    api: 'heartbeat',
    file: 'v0_request.json',
    spec: heartbeat.HeartbeatRequestSpec,
    versions: [0],
    holds: {
      groupId: 'consumer-group-id-ba8da1f6117562ed5615',
      generationId: 1,
      memberId: 'test-169232b069c4a377bc4b-040f5f1a-a469-4062-9d36-bd803d8d6767',
      groupInstanceId: null,
    },
  },
  { api: 'heartbeat', file: 'v0_response.json', spec: heartbeat.HeartbeatResponseSpec, versions: [0], holds: { errorCode: 0 } },
  {
    api: 'heartbeat',
    file: 'v1_request.json',
    spec: heartbeat.HeartbeatRequestSpec,
    versions: [1, 2],
    holds: { groupId: HB_GROUP, generationId: 1, memberId: HB_MEMBER },
  },
  { api: 'heartbeat', file: 'v1_response.json', spec: heartbeat.HeartbeatResponseSpec, versions: [1], holds: { throttleTimeMs: 0, errorCode: 0 } },
  {
    api: 'heartbeat',
    file: 'v2_request.json',
    spec: heartbeat.HeartbeatRequestSpec,
    versions: [2],
    holds: { groupId: HB_GROUP, generationId: 1, memberId: HB_MEMBER },
  },
  { api: 'heartbeat', file: 'v2_response.json', spec: heartbeat.HeartbeatResponseSpec, versions: [2], holds: { throttleTimeMs: 0, errorCode: 0 } },
  {
    api: 'heartbeat',
    file: 'v3_request.json',
    spec: heartbeat.HeartbeatRequestSpec,
    versions: [3],
    holds: { groupId: HB_GROUP, generationId: 1, memberId: HB_MEMBER, groupInstanceId: HB_MEMBER },
  },
  { api: 'heartbeat', file: 'v3_response.json', spec: heartbeat.HeartbeatResponseSpec, versions: [3], holds: { throttleTimeMs: 0, errorCode: 0 } },
  // LeaveGroup
  {
    api: 'leaveGroup',
    file: 'v0_request.json',
    spec: leaveGroup.LeaveGroupRequestSpec,
    versions: [0],
    holds: { groupId: 'consumer-group-id-64fbf5dce5065868aa8f', memberId: 'test-45eb7a4239f548578e8b-b2b08fa3-b887-4719-b9e1-391ec944b53f', members: [] },
  },
  { api: 'leaveGroup', file: 'v0_response.json', spec: leaveGroup.LeaveGroupResponseSpec, versions: [0], holds: { errorCode: 0 } },
  { api: 'leaveGroup', file: 'v1_request.json', spec: leaveGroup.LeaveGroupRequestSpec, versions: [1], holds: { groupId: LG_GROUP, memberId: LG_MEMBER } },
  { api: 'leaveGroup', file: 'v1_response.json', spec: leaveGroup.LeaveGroupResponseSpec, versions: [1], holds: { throttleTimeMs: 0, errorCode: 0 } },
  { api: 'leaveGroup', file: 'v2_request.json', spec: leaveGroup.LeaveGroupRequestSpec, versions: [2], holds: { groupId: LG_GROUP, memberId: LG_MEMBER } },
  { api: 'leaveGroup', file: 'v2_response.json', spec: leaveGroup.LeaveGroupResponseSpec, versions: [2], holds: { throttleTimeMs: 0, errorCode: 0 } },
  {
    api: 'leaveGroup',
    file: 'v3_request.json',
    spec: leaveGroup.LeaveGroupRequestSpec,
    versions: [3],
    holds: { groupId: LG_GROUP, memberId: '', members: [{ memberId: LG_MEMBER, groupInstanceId: null }] },
  },
  {
    api: 'leaveGroup',
    file: 'v3_response.json',
    spec: leaveGroup.LeaveGroupResponseSpec,
    versions: [3],
    holds: { throttleTimeMs: 0, errorCode: 0, members: [{ memberId: 'test-42962f68-e801-4cd8-b359-2d862ebb4d05', groupInstanceId: null, errorCode: 0 }] },
  },
  // SyncGroup
  {
    api: 'syncGroup',
    file: 'v0_request.json',
    spec: syncGroup.SyncGroupRequestSpec,
    versions: [0],
    holds: {
      groupId: 'test-group',
      generationId: 1,
      memberId: 'example-consumer-a7384422-58ff-476d-bb01-7e4ecc376578',
      // kafkajs's v0 spec passes a plain object as the assignment, which its encoder stringifies.
      assignments: [{ memberId: 'example-consumer-a7384422-58ff-476d-bb01-7e4ecc376578', assignment: utf8('[object Object]') }],
    },
  },
  {
    api: 'syncGroup',
    file: 'v0_response.json',
    spec: syncGroup.SyncGroupResponseSpec,
    versions: [0],
    holds: { errorCode: 0, assignment: utf8(JSON.stringify({ 'topic-test': [2, 5, 4, 1, 3, 0] })) },
  },
  {
    api: 'syncGroup',
    file: 'v0_response_empty_member_assignment.json',
    spec: syncGroup.SyncGroupResponseSpec,
    versions: [0],
    holds: { errorCode: 0, assignment: new Uint8Array(0) },
  },
  ...[1, 2, 3].flatMap((v): Case[] => [
    {
      api: 'syncGroup',
      file: `v${v}_request.json`,
      spec: syncGroup.SyncGroupRequestSpec,
      versions: [v],
      holds: {
        groupId: SG_GROUP,
        generationId: 1,
        memberId: SG_MEMBER,
        groupInstanceId: v === 3 ? SG_MEMBER : null,
        assignments: [{ memberId: SG_MEMBER, assignment: fixture('syncGroup', 'v1_memberAssignment.json') }],
      },
    },
    {
      api: 'syncGroup',
      file: `v${v}_response.json`,
      spec: syncGroup.SyncGroupResponseSpec,
      versions: [v],
      holds: { throttleTimeMs: 0, errorCode: 0, assignment: fixture('syncGroup', 'v1_memberAssignment.json') },
    },
  ]),
  // DescribeGroups
  {
    api: 'describeGroups',
    file: 'v0_request.json',
    spec: describeGroups.DescribeGroupsRequestSpec,
    versions: [0],
    holds: { groups: ['consumer-group-id-608e7e42043d917ecb44'] },
  },
  {
    api: 'describeGroups',
    file: 'v0_response.json',
    spec: describeGroups.DescribeGroupsResponseSpec,
    versions: [0],
    holds: {
      groups: [
        {
          errorCode: 0,
          groupId: 'consumer-group-id-608e7e42043d917ecb44',
          groupState: 'Stable',
          protocolType: 'consumer',
          protocolData: 'default',
          members: [
            {
              memberId: 'test-5cc3bc27ca2660144976-fec6ade1-82ef-461e-81fe-c30e5908e2d2',
              clientId: 'test-5cc3bc27ca2660144976',
              clientHost: '/172.18.0.1',
              memberMetadata: Uint8Array.of(0, 0),
              memberAssignment: utf8('{}'),
            },
          ],
          authorizedOperations: -2147483648,
        },
      ],
    },
  },
  { api: 'describeGroups', file: 'v1_request.json', spec: describeGroups.DescribeGroupsRequestSpec, versions: [1, 2], holds: { groups: [DG_GROUP] } },
  {
    api: 'describeGroups',
    file: 'v1_response.json',
    spec: describeGroups.DescribeGroupsResponseSpec,
    versions: [1, 2],
    holds: {
      throttleTimeMs: 0,
      groups: [
        {
          errorCode: 0,
          groupId: DG_GROUP,
          groupState: 'Stable',
          protocolType: 'consumer',
          protocolData: 'RoundRobinAssigner',
          members: [
            {
              memberId: 'test-6ee008af511cbf89b897-53384-55bf525a-2ff5-49ef-8853-5fdf400a9c61-dbdee491-9f08-49d7-aa41-080b89bc69a8',
              clientId: 'test-6ee008af511cbf89b897-53384-55bf525a-2ff5-49ef-8853-5fdf400a9c61',
              clientHost: '/172.19.0.1',
              memberMetadata: fixture('describeGroups', 'v1_memberMetadata.json'),
              memberAssignment: fixture('describeGroups', 'v1_memberAssignment.json'),
            },
          ],
        },
      ],
    },
  },
  // OffsetCommit
  ...(['v0_request.json', 'v0_request_metadata.json'] as const).map((file): Case => ({
    api: 'offsetCommit',
    file,
    spec: offsetCommit.OffsetCommitRequestSpec,
    versions: [0],
    holds: {
      groupId: 'consumer-group-id-9ea5b85471316d2753ab',
      generationIdOrMemberEpoch: -1,
      topics: [
        {
          name: 'test-topic-eb1a285cda2e9f9a1021',
          partitions: [{ partitionIndex: 0, committedOffset: 0, committedMetadata: file === 'v0_request.json' ? null : 'test' }],
        },
      ],
    },
  })),
  ...(['v1_request.json', 'v1_request_metadata.json'] as const).map((file): Case => ({
    api: 'offsetCommit',
    file,
    spec: offsetCommit.OffsetCommitRequestSpec,
    versions: [1],
    holds: {
      groupId: 'consumer-group-id-25c9a1474733b283e6c6',
      generationIdOrMemberEpoch: 1,
      memberId: 'test-d001f2e7c1d704ed30f7-1cf32daa-64e3-4305-a0a5-db4088dfb4eb',
      retentionTimeMs: -1,
      topics: [
        {
          name: 'test-topic-9c1581c756889e8773dd',
          partitions: [
            { partitionIndex: 0, committedOffset: 0, commitTimestamp: 1509292875164, committedMetadata: file === 'v1_request.json' ? null : 'test' },
          ],
        },
      ],
    },
  })),
  ...(['v2_request.json', 'v2_request_metadata.json'] as const).map((file): Case => ({
    api: 'offsetCommit',
    file,
    spec: offsetCommit.OffsetCommitRequestSpec,
    versions: [2],
    holds: {
      groupId: 'consumer-group-id-3a1646e3e927e05cd0c2',
      generationIdOrMemberEpoch: 1,
      memberId: 'test-8aac10296d949b162708-6ff63ddf-1a5a-4f05-929c-17158875aa7f',
      retentionTimeMs: -1,
      topics: [
        {
          name: 'test-topic-9167000121c242c36142',
          partitions: [{ partitionIndex: 0, committedOffset: 0, commitTimestamp: -1, committedMetadata: file === 'v2_request.json' ? null : 'test' }],
        },
      ],
    },
  })),
  // kafkajs's v4 fixture is named v4_request.json.json (its spec's require('v4_request.json') finds it).
  ...(
    [
      [3, 'v3_request.json'],
      [3, 'v3_request_metadata.json'],
      [4, 'v4_request.json.json'],
      [4, 'v4_request_metadata.json'],
      [5, 'v5_request.json'],
      [5, 'v5_request_metadata.json'],
    ] as const
  ).map(([v, file]): Case => ({
    api: 'offsetCommit',
    file,
    spec: offsetCommit.OffsetCommitRequestSpec,
    versions: [v],
    holds: {
      groupId: OC_GROUP,
      generationIdOrMemberEpoch: 1,
      memberId: OC_MEMBER,
      retentionTimeMs: -1,
      topics: [{ name: OC_TOPIC, partitions: [{ partitionIndex: 0, committedOffset: 0, committedMetadata: file.includes('metadata') ? 'test' : null }] }],
    },
  })),
  ...[0, 1, 2].map((v): Case => ({
    api: 'offsetCommit',
    file: `v${v}_response.json`,
    spec: offsetCommit.OffsetCommitResponseSpec,
    versions: [v],
    holds: { topics: [{ name: 'test-topic-eb1a285cda2e9f9a1021', partitions: [{ partitionIndex: 0, errorCode: 0 }] }] },
  })),
  ...[3, 4, 5].map((v): Case => ({
    api: 'offsetCommit',
    file: `v${v}_response.json`,
    spec: offsetCommit.OffsetCommitResponseSpec,
    versions: [v],
    holds: { throttleTimeMs: 0, topics: [{ name: OC_TOPIC, partitions: [{ partitionIndex: 0, errorCode: 0 }] }] },
  })),
  // OffsetFetch
  ...[1, 2].map((v): Case => ({
    api: 'offsetFetch',
    file: `v${v}_request.json`,
    spec: offsetFetch.OffsetFetchRequestSpec,
    versions: [v],
    holds: { groupId: 'consumer-group-id-c7dcb2473b6a1196b2b2', topics: [{ name: 'test-topic-9f9b074057acd4335946', partitionIndexes: [0] }] },
  })),
  {
    api: 'offsetFetch',
    file: 'v1_response.json',
    spec: offsetFetch.OffsetFetchResponseSpec,
    versions: [1],
    holds: {
      topics: [
        {
          name: 'test-topic-9f9b074057acd4335946',
          partitions: [{ partitionIndex: 0, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: 0 }],
        },
      ],
      errorCode: 0,
    },
  },
  {
    api: 'offsetFetch',
    file: 'v2_response.json',
    spec: offsetFetch.OffsetFetchResponseSpec,
    versions: [2],
    holds: {
      topics: [{ name: 'test-topic-2cbbd6e6362f1a638c94', partitions: [{ partitionIndex: 0, committedOffset: -1, metadata: '', errorCode: 0 }] }],
      errorCode: 0,
    },
  },
  {
    api: 'offsetFetch',
    file: 'v3_request.json',
    spec: offsetFetch.OffsetFetchRequestSpec,
    versions: [3, 4],
    holds: { groupId: OF_GROUP, topics: [{ name: OF_TOPIC, partitionIndexes: [0] }], requireStable: false, groups: [] },
  },
  {
    api: 'offsetFetch',
    file: 'v3_response.json',
    spec: offsetFetch.OffsetFetchResponseSpec,
    versions: [3, 4],
    holds: {
      throttleTimeMs: 0,
      topics: [{ name: OF_TOPIC, partitions: [{ partitionIndex: 0, committedOffset: -1, metadata: '', errorCode: 0 }] }],
      errorCode: 0,
    },
  },
];

/** The kafkajs fixture folders these specs own; every request/response file in them must appear in `cases`. */
const FOLDERS = ['findCoordinator', 'joinGroup', 'heartbeat', 'leaveGroup', 'syncGroup', 'describeGroups', 'offsetCommit', 'offsetFetch'];

describe('consumer-group specs: kafkajs fixtures decode and re-encode byte-exact', () => {
  it('every request/response fixture of these APIs is covered', () => {
    const covered = new Set(cases.map((c) => `${c.api}/${c.file}`));
    // Payload-only files (assignerMetadata, memberAssignment, memberMetadata) are checked in consumer-protocol.test.ts.
    const all = FOLDERS.flatMap((api) =>
      readdirSync(`${FIXTURES_DIR}/${api}`)
        .filter((f) => /_(request|response)/.test(f))
        .map((f) => `${api}/${f}`),
    );
    expect(all.filter((f) => !covered.has(f))).toEqual([]);
  });

  for (const c of cases) {
    it.each(c.versions)(`${c.api}/${c.file} at v%i`, (version) => {
      const decoded = decodeExactly(c.spec, version, fixture(c.api, c.file));
      expect(decoded).toMatchObject(c.holds);
    });
  }
});

/** Encodes `value` and checks the exact bytes; then decodes them back to `value` (plus defaults). */
function expectLayout(spec: MessageSpec, version: number, value: Record<string, unknown>, bytes: Bytes): void {
  const want = bytes.build();
  expectSameBytes(encodeMessage(spec, version, value), want, `${spec.name} v${version}`);
  expect(decodeExactly(spec, version, want)).toMatchObject(value);
}

describe('consumer-group specs: flexible versions, hand-checked byte layouts', () => {
  it('Heartbeat v4 request: compact strings, null groupInstanceId, one empty tag buffer', () => {
    const value = { groupId: 'g', generationId: 3, memberId: 'm', groupInstanceId: null };
    expectLayout(heartbeat.HeartbeatRequestSpec, 4, value, new Bytes().compactString('g').int32(3).compactString('m').compactString(null).noTags());
  });

  it('Heartbeat v4 request: an unknown tagged field survives decode and re-encode', () => {
    const bytes = new Bytes().compactString('g').int32(3).compactString('m').compactString('i').uvarint(1).uvarint(5).uvarint(2).raw([0xab, 0xcd]).build();
    expect(decodeExactly(heartbeat.HeartbeatRequestSpec, 4, bytes)).toMatchObject({ groupId: 'g', generationId: 3, memberId: 'm', groupInstanceId: 'i' });
  });

  it('FindCoordinator v3 (one key) and v4 (batched keys) requests', () => {
    expectLayout(findCoordinator.FindCoordinatorRequestSpec, 3, { key: 'grp', keyType: 1 }, new Bytes().compactString('grp').int8(1).noTags());
    const v4 = { keyType: 0, coordinatorKeys: ['a', 'bc'] };
    expectLayout(findCoordinator.FindCoordinatorRequestSpec, 4, v4, new Bytes().int8(0).compactArrayLength(2).compactString('a').compactString('bc').noTags());
  });

  it('FindCoordinator v4 response: one coordinator per key, each with its own error', () => {
    const value = { throttleTimeMs: 0, coordinators: [{ key: 'g', nodeId: 1, host: 'h', port: 9092, errorCode: 0, errorMessage: null }] };
    const bytes = new Bytes()
      .int32(0)
      .compactArrayLength(1)
      .compactString('g')
      .int32(1)
      .compactString('h')
      .int32(9092)
      .int16(0)
      .compactString(null)
      .noTags()
      .noTags();
    expectLayout(findCoordinator.FindCoordinatorResponseSpec, 4, value, bytes);
    expect(decodeMessage(findCoordinator.FindCoordinatorResponseSpec, 4, bytes.build())).toMatchObject({ errorCode: 0, nodeId: 0, host: '', port: 0 });
  });

  it('JoinGroup v9 response: protocol type and name, skipAssignment, compact bytes', () => {
    const value = {
      throttleTimeMs: 0,
      errorCode: 0,
      generationId: 2,
      protocolType: 'consumer',
      protocolName: 'range',
      leader: 'm1',
      skipAssignment: true,
      memberId: 'm1',
      members: [{ memberId: 'm1', groupInstanceId: null, metadata: Uint8Array.of(1, 2) }],
    };
    const bytes = new Bytes()
      .int32(0)
      .int16(0)
      .int32(2)
      .compactString('consumer')
      .compactString('range')
      .compactString('m1')
      .bool(true)
      .compactString('m1')
      .compactArrayLength(1)
      .compactString('m1')
      .compactString(null)
      .compactBytes(Uint8Array.of(1, 2))
      .noTags()
      .noTags();
    expectLayout(joinGroup.JoinGroupResponseSpec, 9, value, bytes);
  });

  it('JoinGroup v8 request: reason at the end', () => {
    const value = {
      groupId: 'g',
      sessionTimeoutMs: 45000,
      rebalanceTimeoutMs: 300000,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: new Uint8Array(0) }],
      reason: 'rejoin',
    };
    const bytes = new Bytes()
      .compactString('g')
      .int32(45000)
      .int32(300000)
      .compactString('')
      .compactString(null)
      .compactString('consumer')
      .compactArrayLength(1)
      .compactString('range')
      .compactBytes(new Uint8Array(0))
      .noTags()
      .compactString('rejoin')
      .noTags();
    expectLayout(joinGroup.JoinGroupRequestSpec, 8, value, bytes);
  });

  it('LeaveGroup v5 request and SyncGroup v5 response', () => {
    const leave = { groupId: 'g', members: [{ memberId: 'm', groupInstanceId: 'i', reason: 'bye' }] };
    const leaveBytes = new Bytes().compactString('g').compactArrayLength(1).compactString('m').compactString('i').compactString('bye').noTags().noTags();
    expectLayout(leaveGroup.LeaveGroupRequestSpec, 5, leave, leaveBytes);
    const sync = { throttleTimeMs: 0, errorCode: 0, protocolType: 'consumer', protocolName: 'range', assignment: Uint8Array.of(0, 1) };
    const syncBytes = new Bytes().int32(0).int16(0).compactString('consumer').compactString('range').compactBytes(Uint8Array.of(0, 1)).noTags();
    expectLayout(syncGroup.SyncGroupResponseSpec, 5, sync, syncBytes);
  });

  it('OffsetCommit v8 request: leader epoch, null metadata, a tag buffer per struct', () => {
    const value = {
      groupId: 'g',
      generationIdOrMemberEpoch: 4,
      memberId: 'm',
      groupInstanceId: null,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: 3, committedMetadata: null }] }],
    };
    const bytes = new Bytes()
      .compactString('g')
      .int32(4)
      .compactString('m')
      .compactString(null)
      .compactArrayLength(1)
      .compactString('t')
      .compactArrayLength(1)
      .int32(0)
      .int64(42)
      .int32(3)
      .compactString(null)
      .noTags()
      .noTags()
      .noTags();
    expectLayout(offsetCommit.OffsetCommitRequestSpec, 8, value, bytes);
  });

  it('OffsetFetch v6 response (librdkafka): no commit = offset -1, epoch -1, metadata ""', () => {
    const value = {
      throttleTimeMs: 0,
      topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: 0 }] }],
      errorCode: 0,
    };
    const bytes = new Bytes()
      .int32(0)
      .compactArrayLength(1)
      .compactString('t')
      .compactArrayLength(1)
      .int32(0)
      .int64(-1)
      .int32(-1)
      .compactString('')
      .int16(0)
      .noTags()
      .noTags()
      .int16(0)
      .noTags();
    expectLayout(offsetFetch.OffsetFetchResponseSpec, 6, value, bytes);
  });

  it('OffsetFetch v8 and v9 requests: groups, null topics = all, member id and epoch', () => {
    const v8 = { groups: [{ groupId: 'g', topics: null }], requireStable: true };
    expectLayout(
      offsetFetch.OffsetFetchRequestSpec,
      8,
      v8,
      new Bytes().compactArrayLength(1).compactString('g').compactArrayLength(null).noTags().bool(true).noTags(),
    );
    const v9 = { groups: [{ groupId: 'g', memberId: 'm', memberEpoch: 5, topics: [{ name: 't', partitionIndexes: [0, 1] }] }], requireStable: false };
    const bytes = new Bytes()
      .compactArrayLength(1)
      .compactString('g')
      .compactString('m')
      .int32(5)
      .compactArrayLength(1)
      .compactString('t')
      .compactArrayLength(2)
      .int32(0)
      .int32(1)
      .noTags()
      .noTags()
      .bool(false)
      .noTags();
    expectLayout(offsetFetch.OffsetFetchRequestSpec, 9, v9, bytes);
    // v7 and below carry groupId/topics at the top level instead; v8 decodes them to their defaults.
    expect(decodeMessage(offsetFetch.OffsetFetchRequestSpec, 8, new Bytes().compactArrayLength(0).bool(false).noTags().build())).toMatchObject({
      groupId: '',
      topics: [],
      groups: [],
    });
  });

  it('OffsetFetch v2 request: a null topics array (all topics)', () => {
    expectLayout(offsetFetch.OffsetFetchRequestSpec, 2, { groupId: 'g', topics: null }, new Bytes().string('g').arrayLength(null));
  });

  it('ListGroups v3 (empty body), v4 and v5 requests; DescribeGroups v5; DeleteGroups v2', () => {
    expectLayout(listGroups.ListGroupsRequestSpec, 3, {}, new Bytes().noTags());
    expectLayout(listGroups.ListGroupsRequestSpec, 0, {}, new Bytes());
    expectLayout(listGroups.ListGroupsRequestSpec, 4, { statesFilter: ['Stable'] }, new Bytes().compactArrayLength(1).compactString('Stable').noTags());
    expectLayout(
      listGroups.ListGroupsRequestSpec,
      5,
      { statesFilter: [], typesFilter: ['classic'] },
      new Bytes().compactArrayLength(0).compactArrayLength(1).compactString('classic').noTags(),
    );
    const groups = { throttleTimeMs: 0, errorCode: 0, groups: [{ groupId: 'g', protocolType: 'consumer', groupState: 'Stable', groupType: 'classic' }] };
    const groupsBytes = new Bytes()
      .int32(0)
      .int16(0)
      .compactArrayLength(1)
      .compactString('g')
      .compactString('consumer')
      .compactString('Stable')
      .compactString('classic')
      .noTags()
      .noTags();
    expectLayout(listGroups.ListGroupsResponseSpec, 5, groups, groupsBytes);
    expectLayout(
      describeGroups.DescribeGroupsRequestSpec,
      5,
      { groups: ['g'], includeAuthorizedOperations: true },
      new Bytes().compactArrayLength(1).compactString('g').bool(true).noTags(),
    );
    const deleted = { throttleTimeMs: 0, results: [{ groupId: 'g', errorCode: 69 }] };
    expectLayout(deleteGroups.DeleteGroupsResponseSpec, 2, deleted, new Bytes().int32(0).compactArrayLength(1).compactString('g').int16(69).noTags().noTags());
    expectLayout(deleteGroups.DeleteGroupsResponseSpec, 0, deleted, new Bytes().int32(0).arrayLength(1).string('g').int16(69));
  });
});
