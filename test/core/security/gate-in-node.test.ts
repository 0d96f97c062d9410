// The request gate inside a KafkaNode: requests carrying a session are checked before their handler,
// the parts of a request that are denied are merged into the handler's own answer (a Produce served
// by the partition leader, Metadata answered from the image), requests without a session (a node's
// own) and nodes without an authorizer are never checked, and KafkaNodeSpec.securityBugs reaches it.

import { describe, expect, it } from 'vitest';
import type { Env, Node, NodeId, TimerTag } from '../../../core/env.ts';
import { clusterLayout, kafkaNodeSpecs } from '../../../core/node/cluster-layout.ts';
import { KafkaNode, type KafkaMessage } from '../../../core/node/kafka-node.ts';
import { Config } from '../../../core/protocol/configs.ts';
import type { CreateAclsResponse, DescribeAclsResponse } from '../../../core/protocol/security.ts';
import type { CreateTopicsResponse } from '../../../core/protocol/controller.ts';
import type { MetadataResponse, ProduceResponse } from '../../../core/protocol/data.ts';
import { ErrorCode } from '../../../core/protocol/errors.ts';
import { AclOperation as Op, AclPermission, EVERY_ACL, PatternType, ResourceType, type AclBinding } from '../../../core/security/acl.ts';
import { STANDARD_AUTHORIZER } from '../../../core/security/authorizer.ts';
import type { Session } from '../../../core/security/session.ts';
import { SimStorage } from '../../../sim/disk.ts';
import { recordBatch } from '../batches.ts';
import { startCluster, type TestCluster } from '../controller-helpers.ts';

type Response = Extract<KafkaMessage, { kind: 'response' }>;
const CLIENT: NodeId = 'client';
const alice: Session = { principal: 'User:alice', host: 'client' };

/** A client node that keeps every response. */
class Client implements Node<KafkaMessage> {
  readonly responses: Response[] = [];
  start(): void {}
  receive(_env: Env<KafkaMessage>, _from: NodeId, msg: KafkaMessage): void {
    if (msg.kind === 'response') this.responses.push(msg);
  }
  fire(_env: Env<KafkaMessage>, _tag: TimerTag): void {}
}

let nextCorrelationId = 50_000;

/** Delivers `build(correlationId)` to node `to` as if its transport had authenticated `session`, and waits for the answer at the client. */
function ask<R extends Response>(tc: TestCluster, client: Client, to: NodeId, session: Session | undefined, build: (correlationId: number) => KafkaMessage): R {
  const correlationId = nextCorrelationId++;
  tc.sim.act<KafkaNode>(to, (node, env) => node.receive(env, CLIENT, build(correlationId), session));
  let answer: Response | undefined;
  tc.runUntil(() => (answer = client.responses.find((r) => r.correlationId === correlationId)) !== undefined, 5_000, `an answer from ${to}`);
  return answer as R;
}

/** Alice may write to `orders`. */
const ALICE_WRITES_ORDERS: AclBinding[] = [
  {
    resourceType: ResourceType.TOPIC,
    resourceName: 'orders',
    patternType: PatternType.LITERAL,
    principal: 'User:alice',
    host: '*',
    operation: Op.WRITE,
    permission: AclPermission.ALLOW,
  },
];

function securedCluster(options: { acls?: AclBinding[]; bugs?: string[]; authorizer?: boolean } = {}): { tc: TestCluster; client: Client } {
  const acls = options.acls ?? ALICE_WRITES_ORDERS;
  const tc = startCluster(
    options.authorizer === false ? {} : { 'authorizer.class.name': STANDARD_AUTHORIZER, 'super.users': 'User:admin' },
    1,
    options.bugs ?? [],
  );
  const client = new Client();
  tc.sim.addNode(CLIENT, () => client);
  tc.sim.start(CLIENT);
  for (const name of ['orders', 'secret']) {
    const created = tc.request<CreateTopicsResponse>(tc.controller(), (correlationId) => ({
      api: 'CreateTopics',
      kind: 'request',
      correlationId,
      topics: [{ name, numPartitions: 1, replicationFactor: 3, configs: [] }],
      timeoutMs: 2000,
      validateOnly: false,
    }));
    expect(created.topics[0]!.errorCode).toBe(ErrorCode.NONE);
  }
  if (acls.length > 0) {
    const created = tc.request(
      tc.controller(),
      (correlationId) => ({ api: 'CreateAcls', kind: 'request', correlationId, creations: acls }) as never,
    ) as unknown as CreateAclsResponse;
    expect(created.results.map((r) => r.errorCode)).toEqual(acls.map(() => ErrorCode.NONE));
  }
  tc.runUntil(
    () =>
      tc.cluster.nodes.every((id) => [...tc.node(id).image.acls()].length === acls.length && tc.node(id).replicas!.partitions.get('orders-0')?.role !== 'none'),
    5_000,
    'the ACLs and the partitions everywhere',
  );
  return { tc, client };
}

describe('the gate inside a node', () => {
  it('Metadata for all topics hides those alice may not describe; a named one comes back TOPIC_AUTHORIZATION_FAILED; brokers are still listed', () => {
    const { tc, client } = securedCluster();
    const to = tc.cluster.nodes[0]!;
    const all = ask<MetadataResponse>(tc, client, to, alice, (correlationId) => ({
      api: 'Metadata',
      kind: 'request',
      correlationId,
      topics: null,
      allowAutoTopicCreation: false,
    }));
    expect(all.topics.map((t) => t.name)).toEqual(['orders']);
    expect(all.brokers.length).toBe(3);
    const named = ask<MetadataResponse>(tc, client, to, alice, (correlationId) => ({
      api: 'Metadata',
      kind: 'request',
      correlationId,
      topics: ['orders', 'secret'],
      allowAutoTopicCreation: false,
    }));
    expect(named.topics.map((t) => [t.name, t.errorCode])).toEqual([
      ['orders', ErrorCode.NONE],
      ['secret', ErrorCode.TOPIC_AUTHORIZATION_FAILED],
    ]);
    // A super user and the node's own (session-less) view see everything.
    const admin = ask<MetadataResponse>(tc, client, to, { principal: 'User:admin', host: 'client' }, (correlationId) => ({
      api: 'Metadata',
      kind: 'request',
      correlationId,
      topics: null,
      allowAutoTopicCreation: false,
    }));
    expect(admin.topics.map((t) => t.name).sort()).toEqual(['orders', 'secret']);
  });

  it('a Produce to an allowed and a denied topic: the leader appends the allowed one, the answer carries both', () => {
    const { tc, client } = securedCluster();
    const image = tc.node(tc.controller()).image;
    const leader = image.partition('orders', 0)!.leader!;
    const produced = ask<ProduceResponse>(tc, client, leader, alice, (correlationId) => ({
      api: 'Produce',
      kind: 'request',
      correlationId,
      transactionalId: null,
      acks: -1,
      timeoutMs: 2_000,
      topicData: [
        { name: 'orders', partitionData: [{ index: 0, records: recordBatch({ count: 2 }) }] },
        { name: 'secret', partitionData: [{ index: 0, records: recordBatch({ count: 2 }) }] },
      ],
    }));
    const byTopic = Object.fromEntries(produced.responses.map((t) => [t.name, t.partitionResponses[0]!]));
    expect(byTopic.orders).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0 });
    expect(byTopic.secret).toMatchObject({ errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED });
    expect(tc.node(leader).replicas!.partitions.get('orders-0')!.logEndOffset).toBe(2);
    const secretLeader = image.partition('secret', 0)!.leader!;
    expect(tc.node(secretLeader).replicas!.partitions.get('secret-0')!.logEndOffset).toBe(0);
  });
});

describe('DescribeAcls through the gate', () => {
  const cluster = (acl: Partial<AclBinding>) => ({
    resourceType: ResourceType.CLUSTER,
    resourceName: 'kafka-cluster',
    patternType: PatternType.LITERAL,
    principal: 'User:*',
    host: '*',
    operation: Op.ALL,
    permission: AclPermission.ALLOW,
    ...acl,
  });
  /** Everyone may do everything on the cluster, except the intruder. */
  const ALL_BUT_THE_INTRUDER = [cluster({}), cluster({ principal: 'User:intruder', permission: AclPermission.DENY })];
  const intruder: Session = { principal: 'User:intruder', host: 'x' };
  const describeAcls = (tc: TestCluster, client: Client, session: Session | undefined) =>
    ask<DescribeAclsResponse>(tc, client, tc.cluster.nodes[0]!, session, (correlationId) => ({
      api: 'DescribeAcls',
      kind: 'request',
      correlationId,
      filter: EVERY_ACL,
    }));

  it('denies the intruder; lets alice and a session-less request through; with no authorizer configured checks nothing', () => {
    const { tc, client } = securedCluster({ acls: ALL_BUT_THE_INTRUDER });
    expect(describeAcls(tc, client, intruder).errorCode).toBe(ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
    expect(describeAcls(tc, client, { principal: 'User:alice', host: 'x' })).toMatchObject({ errorCode: ErrorCode.NONE, acls: [{}, {}] });
    expect(describeAcls(tc, client, undefined).errorCode).toBe(ErrorCode.NONE);
    const open = securedCluster({ acls: [], authorizer: false });
    expect(describeAcls(open.tc, open.client, intruder).errorCode).toBe(ErrorCode.SECURITY_DISABLED);
  });

  it('KafkaNodeSpec.securityBugs deny-not-checked lets the denied intruder through', () => {
    const { tc, client } = securedCluster({ acls: ALL_BUT_THE_INTRUDER, bugs: ['deny-not-checked'] });
    expect(describeAcls(tc, client, intruder).errorCode).toBe(ErrorCode.NONE);
  });
});

describe('a broker that has not caught up with the metadata log', () => {
  it('holds the requests of sessions until it has (BrokerServer enables request processing after its initial catch-up); its own are served', () => {
    const spec = kafkaNodeSpecs(clusterLayout(1, 0), new Config({ 'authorizer.class.name': STANDARD_AUTHORIZER }), []).find((s) => s.broker)!;
    const n = new KafkaNode(spec);
    const sent: KafkaMessage[] = [];
    const env: Env<KafkaMessage> = {
      self: spec.id,
      storage: new SimStorage(),
      now: () => 0,
      random: () => 0.5,
      send: (_to, msg) => sent.push(msg),
      setTimer: () => {},
      cancelTimer: () => {},
      trace: () => {},
    };
    n.start(env);
    sent.length = 0;
    n.receive(env, 'client', { api: 'DescribeAcls', kind: 'request', correlationId: 1, filter: EVERY_ACL }, { principal: 'User:alice', host: 'x' });
    expect(sent.filter((m) => m.api === 'DescribeAcls')).toEqual([]);
    n.receive(env, 'client', { api: 'DescribeAcls', kind: 'request', correlationId: 2, filter: EVERY_ACL });
    expect(sent.filter((m) => m.api === 'DescribeAcls').map((m) => m.correlationId)).toEqual([2]);
  });
});
