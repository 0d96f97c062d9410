// CreatePartitions (KIP-195) in a simulated combined cluster: the active controller grows a topic,
// placing the new partitions like a new topic's or as assigned, and answers after commit; the new
// partitions get leaders on every broker and take writes. Kafka's errors, NOT_CONTROLLER elsewhere.

import { describe, expect, it } from 'vitest';
import type { AdminClient, TopicResult } from '../../core/client/admin.ts';
import type { MetadataImage } from '../../core/controller/image.ts';
import { MAX_RECORDS_PER_USER_OP } from '../../core/controller/create-partitions.ts';
import type { Env, Node, NodeId, TimerTag } from '../../core/env.ts';
import type { KafkaMessage } from '../../core/node/kafka-node.ts';
import type { CreatePartitionsResponse, CreatePartitionsTopic, CreateTopicsResponse } from '../../core/protocol/controller.ts';
import type { DataRequest, DataResponse, ProduceResponse } from '../../core/protocol/data.ts';
import { ErrorCode } from '../../core/protocol/errors.ts';
import { ADMIN_ID, kafkaNode } from '../../sim/scenario/cluster.ts';
import { recordBatch } from './batches.ts';
import { startCluster, type TestCluster } from './controller-helpers.ts';

// ---- helpers ------------------------------------------------------------------------------------

const CLIENT: NodeId = 'client';

/** A data-plane client that sends what the test gives it and keeps every response. */
class DataClient implements Node<KafkaMessage> {
  readonly responses: DataResponse[] = [];
  private nextCorrelationId = 1;
  start(_env: Env<KafkaMessage>): void {}
  receive(_env: Env<KafkaMessage>, _from: NodeId, msg: KafkaMessage): void {
    if (msg.kind === 'response') this.responses.push(msg as DataResponse);
  }
  fire(_env: Env<KafkaMessage>, _tag: TimerTag): void {}
  correlationId(): number {
    return this.nextCorrelationId++;
  }
}

function withClient(tc: TestCluster): DataClient {
  const client = new DataClient();
  tc.sim.addNode(CLIENT, () => client);
  tc.sim.start(CLIENT);
  return client;
}

function ask<R extends DataResponse>(tc: TestCluster, client: DataClient, to: NodeId, build: (correlationId: number) => DataRequest, maxMs = 5_000): R {
  let correlationId = -1;
  tc.sim.act<DataClient>(CLIENT, (c, env) => {
    correlationId = c.correlationId();
    env.send(to, build(correlationId));
  });
  let answer: DataResponse | undefined;
  tc.runUntil(() => (answer = client.responses.find((r) => r.correlationId === correlationId)) !== undefined, maxMs, `a response from ${to}`);
  return answer as R;
}

function createTopic(tc: TestCluster, name: string, numPartitions: number, replicationFactor: number): void {
  const response = tc.request<CreateTopicsResponse>(tc.controller(), (correlationId) => ({
    api: 'CreateTopics',
    kind: 'request',
    correlationId,
    topics: [{ name, numPartitions, replicationFactor, configs: [] }],
    timeoutMs: 2_000,
    validateOnly: false,
  }));
  expect(response.topics[0]!.errorCode).toBe(ErrorCode.NONE);
  untilEveryImage(tc, (image) => image.topicByName(name)?.partitions.length === numPartitions, `topic ${name} everywhere`);
}

function grow(tc: TestCluster, topics: CreatePartitionsTopic[], options: { to?: NodeId; validateOnly?: boolean } = {}): CreatePartitionsResponse {
  return tc.request<CreatePartitionsResponse>(options.to ?? tc.controller(), (correlationId) => ({
    api: 'CreatePartitions',
    kind: 'request',
    correlationId,
    topics,
    timeoutMs: 2_000,
    validateOnly: options.validateOnly ?? false,
  }));
}

const placed = (name: string, count: number): CreatePartitionsTopic => ({ name, count, assignments: null });
const assigned = (name: string, count: number, brokerIds: NodeId[][]): CreatePartitionsTopic => ({
  name,
  count,
  assignments: brokerIds.map((ids) => ({ brokerIds: ids })),
});

function controllerImage(tc: TestCluster): MetadataImage {
  return tc.node(tc.controller()).image;
}

function untilEveryImage(tc: TestCluster, check: (image: MetadataImage) => boolean, what: string, maxMs = 3_000): void {
  tc.runUntil(
    () =>
      tc.cluster.nodes.every((id) => {
        const n = kafkaNode(tc.cluster, id);
        return n === null || check(n.image);
      }),
    maxMs,
    what,
  );
}

const codes = (r: CreatePartitionsResponse) => r.results.map((x) => [x.name, x.errorCode]);

// ---- growing a topic ------------------------------------------------------------------------------

describe('CreatePartitions: growing a topic', () => {
  it('adds partitions striped over the unfenced brokers with the topic replication factor, answering only once committed', () => {
    const tc = startCluster();
    createTopic(tc, 'orders', 2, 3);
    const before = controllerImage(tc)
      .topicByName('orders')!
      .partitions.map((p) => ({ ...p, replicas: [...p.replicas], isr: [...p.isr] }));
    const controller = tc.controller();
    const committedAtAnswer: number[] = [];
    tc.onResponse.push(() => committedAtAnswer.push(tc.node(controller).image.topicByName('orders')!.partitions.length));
    const response = grow(tc, [placed('orders', 5)]);
    expect(response.results).toEqual([{ name: 'orders', errorCode: ErrorCode.NONE, errorMessage: null }]);
    expect(committedAtAnswer).toEqual([5]);

    untilEveryImage(tc, (image) => image.topicByName('orders')?.partitions.length === 5, 'the new partitions everywhere');
    for (const id of tc.cluster.nodes) {
      const t = tc.node(id).image.topicByName('orders')!;
      expect(t.partitions.map((p) => p.partition)).toEqual([0, 1, 2, 3, 4]);
      // The existing partitions are untouched.
      expect(t.partitions.slice(0, 2)).toEqual(before);
      for (const p of t.partitions.slice(2)) {
        expect(p.topicId).toBe(t.topicId);
        expect(new Set(p.replicas).size).toBe(3);
        expect(p.isr).toEqual(p.replicas);
        expect(p.leader).toBe(p.replicas[0]);
        expect(p).toMatchObject({ leaderEpoch: 0, partitionEpoch: 0, leaderRecoveryState: 0 });
      }
      // Three new partitions over three brokers: each leads one.
      expect(new Set(t.partitions.slice(2).map((p) => p.leader)).size).toBe(3);
    }
  });

  it('the new partitions get leaders on their brokers and take acks=all writes', () => {
    const tc = startCluster();
    createTopic(tc, 'orders', 1, 3);
    expect(grow(tc, [placed('orders', 4)]).results[0]!.errorCode).toBe(ErrorCode.NONE);
    untilEveryImage(tc, (image) => image.topicByName('orders')?.partitions.length === 4, 'the new partitions everywhere');
    const client = withClient(tc);
    for (const partition of [1, 2, 3]) {
      const state = controllerImage(tc).partition('orders', partition)!;
      const leader = state.leader!;
      tc.runUntil(() => tc.node(leader).replicas!.partitions.get(`orders-${partition}`)?.role === 'leader', 3_000, `${leader} to lead orders-${partition}`);
      for (const r of state.replicas) expect(tc.node(r).replicas!.partitions.has(`orders-${partition}`)).toBe(true);
      const produced = ask<ProduceResponse>(tc, client, leader, (correlationId) => ({
        api: 'Produce',
        kind: 'request',
        correlationId,
        transactionalId: null,
        acks: -1,
        timeoutMs: 2_000,
        topicData: [{ name: 'orders', partitionData: [{ index: partition, records: recordBatch({ count: 3 }) }] }],
      }));
      expect(produced.responses[0]!.partitionResponses[0]).toMatchObject({ index: partition, errorCode: ErrorCode.NONE, baseOffset: 0 });
      tc.runUntil(() => state.replicas.every((r) => tc.node(r).replicas!.partitions.get(`orders-${partition}`)!.logEndOffset === 3), 3_000, 'replication');
    }
  });

  it('manual assignments place each new partition on the brokers named, the first of them leading', () => {
    const tc = startCluster();
    createTopic(tc, 'orders', 1, 2);
    const response = grow(tc, [
      assigned('orders', 3, [
        ['b3', 'b1'],
        ['b2', 'b3'],
      ]),
    ]);
    expect(response.results[0]!.errorCode).toBe(ErrorCode.NONE);
    const t = controllerImage(tc).topicByName('orders')!;
    expect(t.partitions.slice(1).map((p) => [p.replicas, p.isr, p.leader])).toEqual([
      [['b3', 'b1'], ['b3', 'b1'], 'b3'],
      [['b2', 'b3'], ['b2', 'b3'], 'b2'],
    ]);
  });

  it('validateOnly checks the request and adds nothing', () => {
    const tc = startCluster();
    createTopic(tc, 'orders', 1, 3);
    expect(codes(grow(tc, [placed('orders', 3)], { validateOnly: true }))).toEqual([['orders', ErrorCode.NONE]]);
    expect(codes(grow(tc, [placed('orders', 1)], { validateOnly: true }))).toEqual([['orders', ErrorCode.INVALID_PARTITIONS]]);
    tc.sim.run(tc.sim.now + 1_000);
    expect(controllerImage(tc).topicByName('orders')!.partitions).toHaveLength(1);
  });

  it('each topic of a request succeeds or fails on its own', () => {
    const tc = startCluster();
    createTopic(tc, 'a', 1, 1);
    createTopic(tc, 'b', 2, 1);
    const response = grow(tc, [placed('a', 2), placed('nope', 2), placed('b', 2)]);
    expect(codes(response)).toEqual([
      ['a', ErrorCode.NONE],
      ['nope', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
      ['b', ErrorCode.INVALID_PARTITIONS],
    ]);
    expect(controllerImage(tc).topicByName('a')!.partitions).toHaveLength(2);
    expect(controllerImage(tc).topicByName('b')!.partitions).toHaveLength(2);
  });

  it('the admin client grows topics through whichever controller is active', () => {
    const tc = startCluster();
    createTopic(tc, 'via-admin', 1, 3);
    const results: TopicResult[][] = [];
    tc.sim.act<AdminClient>(ADMIN_ID, (admin, env) => admin.createPartitions(env as never, [placed('via-admin', 3)], (r) => results.push(r)));
    tc.runUntil(() => results.length > 0, 5_000, 'the admin client');
    expect(results).toEqual([[{ name: 'via-admin', errorCode: ErrorCode.NONE, errorMessage: null }]]);
    expect(controllerImage(tc).topicByName('via-admin')!.partitions).toHaveLength(3);
    const ops = tc.traces.filter((t) => t.node === ADMIN_ID && t.event['op'] === 'create-partitions').map((t) => t.event['type']);
    expect(ops).toEqual(['invoke', 'ok']);
  });
});

// ---- errors -----------------------------------------------------------------------------------------

describe('CreatePartitions: errors', () => {
  it('UNKNOWN_TOPIC_OR_PARTITION for a topic that does not exist', () => {
    const tc = startCluster();
    const response = grow(tc, [placed('never', 3)]);
    expect(response.results).toEqual([{ name: 'never', errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'unknown topic "never"' }]);
  });

  it('INVALID_PARTITIONS when the count is not above the current one', () => {
    const tc = startCluster();
    createTopic(tc, 'orders', 3, 1);
    const same = grow(tc, [placed('orders', 3)]).results[0]!;
    expect(same).toMatchObject({ errorCode: ErrorCode.INVALID_PARTITIONS, errorMessage: 'Topic already has 3 partition(s).' });
    const fewer = grow(tc, [placed('orders', 2)]).results[0]!;
    expect(fewer).toMatchObject({ errorCode: ErrorCode.INVALID_PARTITIONS });
    expect(fewer.errorMessage).toContain('would not be an increase');
    expect(grow(tc, [placed('orders', -1)]).results[0]!.errorCode).toBe(ErrorCode.INVALID_PARTITIONS);
    expect(controllerImage(tc).topicByName('orders')!.partitions).toHaveLength(3);
  });

  it('INVALID_REPLICA_ASSIGNMENT for assignments that do not fit; nothing is written', () => {
    const tc = startCluster();
    createTopic(tc, 'orders', 1, 2);
    const cases: Array<[NodeId[][], string]> = [
      [[['b1', 'b2']], 'but only 1 assignment(s)'],
      [[['b1', 'b2'], []], 'empty replica list'],
      [
        [
          ['b1', 'b2'],
          ['b1', 'b9'],
        ],
        'broker b9, but no such broker is registered',
      ],
      [
        [
          ['b1', 'b2'],
          ['b3', 'b3'],
        ],
        'the broker b3 more than once',
      ],
      [
        [
          ['b1', 'b2'],
          ['b1', 'b2', 'b3'],
        ],
        'a partition with 3 replica(s)',
      ],
    ];
    for (const [brokerIds, message] of cases) {
      const result = grow(tc, [assigned('orders', 3, brokerIds)]).results[0]!;
      expect(result.errorCode).toBe(ErrorCode.INVALID_REPLICA_ASSIGNMENT);
      expect(result.errorMessage).toContain(message);
    }
    tc.sim.run(tc.sim.now + 500);
    expect(controllerImage(tc).topicByName('orders')!.partitions).toHaveLength(1);
  });

  it('INVALID_REPLICATION_FACTOR when fewer brokers are unfenced than the topic has replicas; assigned fenced brokers stay out of the ISR', () => {
    const tc = startCluster({ 'broker.session.timeout.ms': 3_000, 'broker.heartbeat.interval.ms': 500 });
    createTopic(tc, 'orders', 1, 3);
    createTopic(tc, 'pairs', 1, 2);
    const victim = tc.cluster.brokers.find((b) => b !== tc.controller())!;
    const alive = tc.cluster.brokers.filter((b) => b !== victim);
    tc.sim.crash(victim);
    tc.runUntil(() => controllerImage(tc).brokers.get(victim)!.fenced, 10_000, 'the crashed broker to be fenced');

    const tooFew = grow(tc, [placed('orders', 2)]).results[0]!;
    expect(tooFew.errorCode).toBe(ErrorCode.INVALID_REPLICATION_FACTOR);
    expect(tooFew.errorMessage).toContain('only 2 broker(s)');
    // Two replicas still fit on the two live brokers.
    expect(grow(tc, [placed('pairs', 2)]).results[0]!.errorCode).toBe(ErrorCode.NONE);
    const onLive = controllerImage(tc).partition('pairs', 1)!;
    expect([...onLive.replicas].sort()).toEqual([...alive].sort());

    // A manual assignment may name a fenced broker: it is a replica, outside the ISR, and does not lead.
    expect(grow(tc, [assigned('pairs', 3, [[victim, alive[0]!]])]).results[0]!.errorCode).toBe(ErrorCode.NONE);
    expect(controllerImage(tc).partition('pairs', 2)).toMatchObject({ replicas: [victim, alive[0]], isr: [alive[0]], leader: alive[0] });
  });

  it('INVALID_REQUEST for a topic named twice in one request', () => {
    const tc = startCluster();
    createTopic(tc, 'orders', 1, 1);
    const response = grow(tc, [placed('orders', 2), placed('orders', 3)]);
    expect(response.results).toEqual([{ name: 'orders', errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic name.' }]);
    expect(controllerImage(tc).topicByName('orders')!.partitions).toHaveLength(1);
  });

  it('POLICY_VIOLATION for the whole request when it would add more partitions than one operation may', () => {
    const tc = startCluster();
    createTopic(tc, 'a', 1, 1);
    createTopic(tc, 'b', 1, 1);
    const half = MAX_RECORDS_PER_USER_OP / 2 + 1;
    const response = grow(tc, [placed('a', half + 1), placed('b', half + 1)]);
    expect(codes(response)).toEqual([
      ['a', ErrorCode.POLICY_VIOLATION],
      ['b', ErrorCode.POLICY_VIOLATION],
    ]);
    expect(controllerImage(tc).topicByName('a')!.partitions).toHaveLength(1);
  });

  it('CreateTopics is bounded the same way: a topic past the bound is POLICY_VIOLATION and nothing of it is written', () => {
    const tc = startCluster();
    const response = tc.request<CreateTopicsResponse>(tc.controller(), (correlationId) => ({
      api: 'CreateTopics',
      kind: 'request',
      correlationId,
      topics: [
        { name: 'small', numPartitions: 2, replicationFactor: 1, configs: [] },
        { name: 'huge', numPartitions: MAX_RECORDS_PER_USER_OP, replicationFactor: 1, configs: [] },
      ],
      timeoutMs: 2_000,
      validateOnly: false,
    }));
    expect(response.topics.map((t) => [t.name, t.errorCode])).toEqual([
      ['small', ErrorCode.NONE],
      ['huge', ErrorCode.POLICY_VIOLATION],
    ]);
    untilEveryImage(tc, (image) => image.topicByName('small')?.partitions.length === 2, 'topic small everywhere');
    expect(controllerImage(tc).topicByName('huge')).toBeUndefined();
  });

  it('NOT_CONTROLLER from every node but the active controller, which changes nothing', () => {
    const tc = startCluster();
    createTopic(tc, 'orders', 1, 1);
    const others = tc.cluster.nodes.filter((id) => id !== tc.controller());
    for (const other of others) {
      const response = grow(tc, [placed('orders', 2), placed('x', 2)], { to: other });
      expect(response.results).toEqual([
        { name: 'orders', errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: 'this node is not the active controller' },
        { name: 'x', errorCode: ErrorCode.NOT_CONTROLLER, errorMessage: 'this node is not the active controller' },
      ]);
    }
    tc.sim.run(tc.sim.now + 500);
    expect(controllerImage(tc).topicByName('orders')!.partitions).toHaveLength(1);
  });
});
