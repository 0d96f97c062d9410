// The group coordinator on a simulated three-node cluster, driven by a probe that speaks the group
// APIs: FindCoordinator creating __consumer_offsets, MEMBER_ID_REQUIRED, joins, the leader's
// SyncGroup, heartbeats, session timeouts, commits fenced by generation, coordinator failover
// (state rebuilt from the partition), static members, and the admin APIs.

import { beforeEach, describe, expect, it } from 'vitest';
import { offsetsPartitionFor, OFFSETS_TOPIC } from '../../core/group/offsets-topic.ts';
import { ErrorCode } from '../../core/protocol/errors.ts';
import type {
  DeleteGroupsResponse,
  DescribeGroupsResponse,
  FindCoordinatorResponse,
  GroupRequest,
  HeartbeatResponse,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupResponse,
  ListGroupsResponse,
  OffsetCommitResponse,
  OffsetFetchResponse,
  SyncGroupResponse,
} from '../../core/protocol/group.ts';
import type { KafkaNode } from '../../core/node/kafka-node.ts';
import { TRANSACTIONAL_BIT } from '../../core/protocol/records.ts';
import type { TxnOffsetCommitResponse } from '../../core/protocol/txn.ts';
import { combinedScenario, startedCluster, TestCluster } from './controller-helpers.ts';

const GROUP = 'g1';
const CONFIG = {
  'offsets.topic.num.partitions': 3,
  'offsets.topic.replication.factor': 3,
  'group.initial.rebalance.delay.ms': 100,
};
type Body<R> = R extends unknown ? Omit<R, 'correlationId'> : never;

/** Whether every message crosses Kafka's wire codec (the converters real clients meet), set per run of the suite. */
let throughWire = false;

function cluster(config: Record<string, number> = {}): TestCluster {
  const tc = new TestCluster(startedCluster({ ...combinedScenario({ ...CONFIG, ...config }), ...(throughWire ? { wire: true as const } : {}) }, 1, null, []));
  tc.runUntil(() => tc.activeController() !== null && tc.allUnfenced(), 30_000, 'an active controller and unfenced brokers');
  return tc;
}

/** Asks b1 for the group's coordinator until one is known (the first ask creates __consumer_offsets), then waits for it to load. */
function coordinatorOf(tc: TestCluster, group = GROUP): string {
  let coordinator: string | null = null;
  tc.runUntil(
    () => {
      const res = tc.request<FindCoordinatorResponse>('b1', (correlationId) => ({
        api: 'FindCoordinator',
        kind: 'request',
        correlationId,
        keyType: 0,
        coordinatorKeys: [group],
      }));
      const c = res.coordinators[0]!;
      if (c.errorCode === ErrorCode.NONE) coordinator = c.nodeId;
      else expect(c.errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
      return coordinator !== null;
    },
    20_000,
    'a coordinator',
  );
  tc.runUntil(() => fetchOffsets(tc, coordinator!).groups[0]!.errorCode === ErrorCode.NONE, 5_000, 'the coordinator to load');
  return coordinator!;
}

function send<R>(tc: TestCluster, to: string, body: Body<GroupRequest>): R {
  return tc.request(to, (correlationId) => ({ ...body, correlationId }) as GroupRequest) as R;
}

function joinBody(memberId: string, extra: Partial<JoinGroupRequest> = {}): Body<JoinGroupRequest> {
  return {
    api: 'JoinGroup',
    kind: 'request',
    groupId: GROUP,
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 20_000,
    memberId,
    groupInstanceId: null,
    protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: 'meta' }],
    requireKnownMemberId: true,
    reason: null,
    clientId: 'client',
    ...extra,
  };
}

/** JoinGroup with an empty id: MEMBER_ID_REQUIRED and the id to join with. */
function memberIdFor(tc: TestCluster, coordinator: string, extra: Partial<JoinGroupRequest> = {}): string {
  const res = send<JoinGroupResponse>(tc, coordinator, joinBody('', extra));
  expect(res.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
  expect(res.memberId).toMatch(/^client-/);
  return res.memberId;
}

function sendJoin(tc: TestCluster, coordinator: string, memberId: string, extra: Partial<JoinGroupRequest> = {}): number {
  return tc.send(coordinator, (correlationId) => ({ ...joinBody(memberId, extra), correlationId }));
}

function sync(
  tc: TestCluster,
  coordinator: string,
  memberId: string,
  generationId: number,
  assignments: Array<{ memberId: string; assignment: string }> = [],
): number {
  return tc.send(coordinator, (correlationId) => ({
    api: 'SyncGroup',
    kind: 'request',
    correlationId,
    groupId: GROUP,
    generationId,
    memberId,
    groupInstanceId: null,
    protocolType: 'consumer',
    protocolName: 'range',
    assignments,
  }));
}

function heartbeat(tc: TestCluster, coordinator: string, memberId: string, generationId: number): number {
  return send<HeartbeatResponse>(tc, coordinator, { api: 'Heartbeat', kind: 'request', groupId: GROUP, generationId, memberId, groupInstanceId: null })
    .errorCode;
}

function commit(tc: TestCluster, coordinator: string, memberId: string, generationId: number, offset: number, group = GROUP): number {
  const res = send<OffsetCommitResponse>(tc, coordinator, {
    api: 'OffsetCommit',
    kind: 'request',
    groupId: group,
    generationId,
    memberId,
    groupInstanceId: null,
    topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: '' }] }],
  });
  return res.topics[0]!.partitions[0]!.errorCode;
}

function fetchOffsets(tc: TestCluster, coordinator: string, group = GROUP): OffsetFetchResponse {
  return send<OffsetFetchResponse>(tc, coordinator, {
    api: 'OffsetFetch',
    kind: 'request',
    groups: [{ groupId: group, topics: [{ name: 'orders', partitionIndexes: [0] }] }],
    requireStable: false,
  });
}

function committedOffset(tc: TestCluster, coordinator: string, group = GROUP): number {
  const g = fetchOffsets(tc, coordinator, group).groups[0]!;
  expect(g.errorCode).toBe(ErrorCode.NONE);
  return g.topics[0]!.partitions[0]!.committedOffset;
}

/** Two members through a whole first rebalance: ids, joins, the leader's assignment, their syncs. */
function stableGroupOfTwo(tc: TestCluster, coordinator: string): { a: string; b: string; generation: number } {
  const a = memberIdFor(tc, coordinator);
  const b = memberIdFor(tc, coordinator);
  const joinA = sendJoin(tc, coordinator, a);
  const joinB = sendJoin(tc, coordinator, b);
  const ja = tc.response<JoinGroupResponse>(joinA);
  const jb = tc.response<JoinGroupResponse>(joinB);
  expect([ja.errorCode, jb.errorCode]).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
  expect(ja.generationId).toBe(jb.generationId);
  expect(ja.protocolName).toBe('range');
  const leader = ja.leader;
  expect(jb.leader).toBe(leader);
  const leaderJoin = leader === a ? ja : jb;
  expect(leaderJoin.members.map((m) => m.memberId).sort()).toEqual([a, b].sort());
  expect((leader === a ? jb : ja).members).toEqual([]);
  const follower = leader === a ? b : a;
  const syncFollower = sync(tc, coordinator, follower, ja.generationId);
  tc.sim.run(tc.sim.now + 50);
  expect(tc.answered(syncFollower), 'a follower waits for the leader').toBeUndefined();
  const syncLeader = sync(tc, coordinator, leader, ja.generationId, [
    { memberId: a, assignment: 'for-a' },
    { memberId: b, assignment: 'for-b' },
  ]);
  const sl = tc.response<SyncGroupResponse>(syncLeader);
  const sf = tc.response<SyncGroupResponse>(syncFollower);
  expect(sl.errorCode).toBe(ErrorCode.NONE);
  expect(sf.errorCode).toBe(ErrorCode.NONE);
  expect(leader === a ? sl.assignment : sf.assignment).toBe('for-a');
  expect(leader === a ? sf.assignment : sl.assignment).toBe('for-b');
  return { a, b, generation: ja.generationId };
}

describe.each([false, true])('group coordinator (through the wire codec: %s)', (wire) => {
  beforeEach(() => {
    throughWire = wire;
  });

  it('creates __consumer_offsets on the first FindCoordinator and names the leader of the group’s partition', () => {
    const tc = cluster();
    const coordinator = coordinatorOf(tc);
    const topic = tc.node('b1').image.topicByName(OFFSETS_TOPIC)!;
    expect(topic.partitions).toHaveLength(3);
    expect(topic.partitions[0]!.replicas).toHaveLength(3);
    expect(coordinator).toBe(topic.partitions[offsetsPartitionFor(GROUP, 3)]!.leader);
    const other = ['b1', 'b2', 'b3'].find((b) => b !== coordinator)!;
    expect(
      send<HeartbeatResponse>(tc, other, { api: 'Heartbeat', kind: 'request', groupId: GROUP, generationId: 1, memberId: 'x', groupInstanceId: null })
        .errorCode,
    ).toBe(ErrorCode.NOT_COORDINATOR);
  });

  it('runs a rebalance: member ids, one generation, the leader’s assignment for everyone, heartbeats', () => {
    const tc = cluster();
    const coordinator = coordinatorOf(tc);
    const { a, b, generation } = stableGroupOfTwo(tc, coordinator);
    expect(generation).toBe(1);
    expect(heartbeat(tc, coordinator, a, generation)).toBe(ErrorCode.NONE);
    expect(heartbeat(tc, coordinator, b, generation + 1)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(heartbeat(tc, coordinator, 'nobody', generation)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    // A group nobody made, coordinated by the same partition: Dead, as Kafka describes it.
    const unknown = Array.from({ length: 50 }, (_, i) => `unknown-${i}`).find((g) => offsetsPartitionFor(g, 3) === offsetsPartitionFor(GROUP, 3))!;
    const described = send<DescribeGroupsResponse>(tc, coordinator, { api: 'DescribeGroups', kind: 'request', groups: [GROUP, unknown] });
    expect(described.groups[0]).toMatchObject({ errorCode: 0, groupState: 'Stable', protocolType: 'consumer', protocolData: 'range' });
    expect(described.groups[0]!.members.map((m) => m.memberAssignment).sort()).toEqual(['for-a', 'for-b']);
    expect(described.groups[1]).toMatchObject({ errorCode: 0, groupState: 'Dead' });
    const listed = send<ListGroupsResponse>(tc, coordinator, { api: 'ListGroups', kind: 'request', statesFilter: [] });
    expect(listed.groups).toEqual([{ groupId: GROUP, protocolType: 'consumer', groupState: 'Stable' }]);
  });

  it('fences commits by member and generation, and accepts simple commits only while the group is empty', () => {
    const tc = cluster();
    const coordinator = coordinatorOf(tc);
    expect(commit(tc, coordinator, '', -1, 5)).toBe(ErrorCode.NONE);
    expect(committedOffset(tc, coordinator)).toBe(5);
    const { a, generation } = stableGroupOfTwo(tc, coordinator);
    expect(commit(tc, coordinator, a, generation, 7)).toBe(ErrorCode.NONE);
    expect(commit(tc, coordinator, a, generation - 1, 3)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(commit(tc, coordinator, 'stranger', generation, 3)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(commit(tc, coordinator, '', -1, 3)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(committedOffset(tc, coordinator)).toBe(7);
  });

  it('removes a member whose session times out and rebalances the rest into the next generation', () => {
    const tc = cluster();
    const coordinator = coordinatorOf(tc);
    const { a, b, generation } = stableGroupOfTwo(tc, coordinator);
    // Only a heartbeats; b's 10 s session runs out.
    let answer = ErrorCode.NONE as number;
    tc.runUntil(
      () => {
        answer = heartbeat(tc, coordinator, a, generation);
        tc.sim.run(tc.sim.now + 1_000);
        return answer !== ErrorCode.NONE;
      },
      15_000,
      'a rebalance',
    );
    expect(answer).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const rejoin = tc.response<JoinGroupResponse>(sendJoin(tc, coordinator, a));
    expect(rejoin).toMatchObject({ errorCode: 0, generationId: generation + 1, leader: a });
    expect(rejoin.members.map((m) => m.memberId)).toEqual([a]);
    expect(heartbeat(tc, coordinator, b, generation)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(commit(tc, coordinator, a, generation, 9)).toBe(ErrorCode.ILLEGAL_GENERATION);
  });

  it('a member leaving starts a rebalance; a group whose last member left is empty and can be deleted', () => {
    const tc = cluster();
    const coordinator = coordinatorOf(tc);
    const { a, b, generation } = stableGroupOfTwo(tc, coordinator);
    expect(commit(tc, coordinator, a, generation, 4)).toBe(ErrorCode.NONE);
    const left = send<LeaveGroupResponse>(tc, coordinator, {
      api: 'LeaveGroup',
      kind: 'request',
      groupId: GROUP,
      members: [
        { memberId: a, groupInstanceId: null, reason: null },
        { memberId: b, groupInstanceId: null, reason: null },
      ],
    });
    expect(left.members.map((m) => m.errorCode)).toEqual([0, 0]);
    const deleted = send<DeleteGroupsResponse>(tc, coordinator, { api: 'DeleteGroups', kind: 'request', groupsNames: [GROUP, 'never-was'] });
    expect(deleted.results).toEqual([
      { groupId: GROUP, errorCode: ErrorCode.NONE },
      { groupId: 'never-was', errorCode: ErrorCode.GROUP_ID_NOT_FOUND },
    ]);
    expect(committedOffset(tc, coordinator)).toBe(-1);
  });

  it('a new coordinator rebuilds groups and offsets from __consumer_offsets after the old one crashes', () => {
    const tc = cluster();
    const coordinator = coordinatorOf(tc);
    const { a, generation } = stableGroupOfTwo(tc, coordinator);
    expect(commit(tc, coordinator, a, generation, 42)).toBe(ErrorCode.NONE);
    tc.sim.crash(coordinator);
    let next: string | null = null;
    tc.runUntil(
      () => {
        const partition = offsetsPartitionFor(GROUP, 3);
        const leader = tc.node(['b1', 'b2', 'b3'].find((b) => b !== coordinator)!).image.topicByName(OFFSETS_TOPIC)!.partitions[partition]!.leader;
        if (leader !== null && leader !== coordinator) next = leader;
        tc.sim.run(tc.sim.now + 100);
        return next !== null;
      },
      30_000,
      'a new leader of the group’s partition',
    );
    tc.runUntil(() => fetchOffsets(tc, next!).groups[0]!.errorCode === ErrorCode.NONE, 5_000, 'the new coordinator to load');
    expect(committedOffset(tc, next!)).toBe(42);
    expect(heartbeat(tc, next!, a, generation)).toBe(ErrorCode.NONE);
    const load = tc.traces.find((t) => t.node === next && t.event.kind === 'group-load' && (t.event.groups as string[]).includes(GROUP));
    expect(load?.event).toMatchObject({ offsets: 1 });
  });

  it('TxnOffsetCommit: written as the producer’s transactional batches, pending (UNSTABLE_OFFSET_COMMIT under requireStable) until the transaction completes, fenced by generation', () => {
    const tc = cluster();
    const coordinator = coordinatorOf(tc);
    const { a, generation } = stableGroupOfTwo(tc, coordinator);
    const txnCommit = (offset: number, generationId = generation) =>
      send<TxnOffsetCommitResponse>(tc, coordinator, {
        api: 'TxnOffsetCommit',
        kind: 'request',
        transactionalId: 'tx-1',
        groupId: GROUP,
        producerId: 7,
        producerEpoch: 0,
        generationId,
        memberId: a,
        groupInstanceId: null,
        topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: '' }] }],
      }).topics[0]!.partitions[0]!.errorCode;
    expect(txnCommit(10)).toBe(ErrorCode.NONE);
    // A second write of the same transaction (no sequence, as a coordinator writes) is taken too.
    expect(txnCommit(12)).toBe(ErrorCode.NONE);
    expect(txnCommit(13, generation - 1)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(committedOffset(tc, coordinator)).toBe(-1);
    const stable = send<OffsetFetchResponse>(tc, coordinator, {
      api: 'OffsetFetch',
      kind: 'request',
      groups: [{ groupId: GROUP, topics: [{ name: 'orders', partitionIndexes: [0] }] }],
      requireStable: true,
    });
    expect(stable.groups[0]!.topics[0]!.partitions[0]!.errorCode).toBe(ErrorCode.UNSTABLE_OFFSET_COMMIT);
    const partition = offsetsPartitionFor(GROUP, 3);
    const txnBatches = tc
      .node(coordinator)
      .replicas!.ledLog(OFFSETS_TOPIC, partition)!
      .filter((b) => b.producerId === 7);
    expect(txnBatches.map((b) => [b.attributes & TRANSACTIONAL_BIT, b.producerEpoch])).toEqual([
      [TRANSACTIONAL_BIT, 0],
      [TRANSACTIONAL_BIT, 0],
    ]);
    // As if a COMMIT marker followed them at the log end.
    const logEnd = tc.node(coordinator).replicas!.ledLog(OFFSETS_TOPIC, partition)!.at(-1)!;
    const markerOffset = logEnd.baseOffset + logEnd.lastOffsetDelta + 1;
    expect(tc.sim.act<KafkaNode>(coordinator, (node, env) => node.groups!.completeTransaction(env as never, partition, 7, true, markerOffset))).toBe(true);
    expect(committedOffset(tc, coordinator)).toBe(12);
    expect(tc.traces.filter((t) => t.event.kind === 'group-commit').at(-1)?.event).toMatchObject({ generation, member: a, offsets: [['orders', 0, 12]] });
  });

  it('a static member that restarts under a new id keeps its assignment without a rebalance', () => {
    const tc = cluster();
    const coordinator = coordinatorOf(tc);
    const first = tc.response<JoinGroupResponse>(sendJoin(tc, coordinator, '', { groupInstanceId: 'instance-1' }));
    expect(first.errorCode).toBe(ErrorCode.NONE);
    const s = tc.response<SyncGroupResponse>(sync(tc, coordinator, first.memberId, first.generationId, [{ memberId: first.memberId, assignment: 'mine' }]));
    expect(s.assignment).toBe('mine');
    const again = tc.response<JoinGroupResponse>(sendJoin(tc, coordinator, '', { groupInstanceId: 'instance-1' }));
    expect(again.errorCode).toBe(ErrorCode.NONE);
    expect(again.memberId).not.toBe(first.memberId);
    expect(again.generationId).toBe(first.generationId);
    // KIP-814: a returning static leader is told to skip the assignment (JoinGroup v9 carries it).
    expect(again.skipAssignment).toBe(true);
    const s2 = tc.response<SyncGroupResponse>(sync(tc, coordinator, again.memberId, again.generationId));
    expect(s2).toMatchObject({ errorCode: 0, assignment: 'mine' });
    // The old incarnation is fenced.
    expect(
      send<HeartbeatResponse>(tc, coordinator, {
        api: 'Heartbeat',
        kind: 'request',
        groupId: GROUP,
        generationId: first.generationId,
        memberId: first.memberId,
        groupInstanceId: 'instance-1',
      }).errorCode,
    ).toBe(ErrorCode.FENCED_INSTANCE_ID);
  });

  it('refuses session timeouts outside the broker’s bounds and protocols the group does not share', () => {
    const tc = cluster();
    const coordinator = coordinatorOf(tc);
    expect(send<JoinGroupResponse>(tc, coordinator, joinBody('', { sessionTimeoutMs: 1_000 })).errorCode).toBe(ErrorCode.INVALID_SESSION_TIMEOUT);
    stableGroupOfTwo(tc, coordinator);
    expect(send<JoinGroupResponse>(tc, coordinator, joinBody('', { protocols: [{ name: 'roundrobin', metadata: '' }] })).errorCode).toBe(
      ErrorCode.INCONSISTENT_GROUP_PROTOCOL,
    );
  });
});
