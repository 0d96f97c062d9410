// An attacker with no rights (the `intruder` client): it sends raw requests of every API family,
// one per turn, to each broker in turn, against the scenario's topics, groups and transactional
// ids, and the cluster's own APIs posing as a broker or a quorum voter; it records each attempt (`intrude` invoke: the API, the resource, the broker) and its
// answer (`intrude` ok: every error code in it, and what a success would have handed over: records
// fetched, topics or groups listed, a producer id, a member id, a vote). The unauthorized-access
// checker judges them.

import { encodeSubscription } from '../../core/client/consumer-protocol.ts';
import type { Env, Node, NodeId, TimerTag } from '../../core/env.ts';
import type { KafkaMessage } from '../../core/node/kafka-node.ts';
import { AlterConfigOp } from '../../core/protocol/controller.ts';
import { ConfigResourceType, LATEST_TIMESTAMP } from '../../core/protocol/data.ts';
import { errorName } from '../../core/protocol/errors.ts';
import { CoordinatorType } from '../../core/protocol/group.ts';
import { ScramMechanism } from '../../core/protocol/security.ts';
import { CLUSTER_ID } from '../../core/raft/settings.ts';
import { AclOperation, AclPermission, CLUSTER_RESOURCE, EVERY_ACL, PatternType, ResourceType, WILDCARD } from '../../core/security/acl.ts';
import {
  INTRUDER_OFFSET,
  INTRUDER_RETENTION_MS,
  INTRUDER_TOPIC_PREFIX,
  intruderValue,
  type IntrudeInvoke,
  type IntrudeOk,
} from '../../models/history/types.ts';

/** What the intruder goes after: the scenario's topics (with their partition counts), groups and transactional ids. */
export interface IntruderTargets {
  topics: ReadonlyArray<{ name: string; partitions: number }>;
  groups: readonly string[];
  transactionalIds: readonly string[];
}

type Request = Extract<KafkaMessage, { kind: 'request' }>;
type Attempt = { resource: string; request: Request };

/** Requests whose answers never came are forgotten past this many (lost messages, dead brokers). */
const MAX_PENDING = 1024;
/** A producer id and epoch the intruder makes up for the transactional requests. */
const FORGED_PRODUCER = { producerId: 0, producerEpoch: 0 };
/** The id (Kafka's base64url form, as topic and incarnation ids are) the intruder makes up for a topic or an incarnation. */
const FORGED_UUID = 'aW50cnVkZXItZm9yZ2VkIQ';
/** The epoch the intruder claims in the quorum's requests: far ahead of any real one. */
const FORGED_EPOCH = 1_000_000;
/** APIs whose answer the broker filters to what the principal may describe, with NONE at the top. */
const LISTINGS: ReadonlySet<string> = new Set(['ListGroups', 'ListTransactions']);

export class Intruder implements Node<KafkaMessage> {
  private pending = new Map<number, { opId: number; invoke: IntrudeInvoke }>();
  private nextCorrelationId = 1;
  private nextOpId = 1;
  private turn = 0;
  private sent = 0;

  constructor(
    readonly id: NodeId,
    private readonly brokers: readonly NodeId[],
    private readonly principal: string,
    private readonly targets: IntruderTargets,
  ) {}

  start(_env: Env<KafkaMessage>): void {
    this.pending = new Map();
  }

  fire(_env: Env<KafkaMessage>, _tag: TimerTag): void {}

  /** One attempt: the next API family against the next resource, to the next broker. */
  attempt(env: Env<KafkaMessage>): void {
    const n = this.turn++;
    const build = ATTEMPTS[n % ATTEMPTS.length]!;
    const round = Math.floor(n / ATTEMPTS.length);
    const { resource, request } = build(this.context(round, this.brokers[(n + 1) % this.brokers.length]!), this.nextCorrelationId++);
    const to = this.brokers[n % this.brokers.length]!;
    const opId = this.nextOpId++;
    const invoke: IntrudeInvoke = { api: request.api, resource, broker: to, principal: this.principal };
    env.trace({ kind: 'client', op: 'intrude', type: 'invoke', id: opId, value: invoke });
    this.pending.set(request.correlationId, { opId, invoke });
    if (this.pending.size > MAX_PENDING) this.pending.delete(this.pending.keys().next().value!);
    env.send(to, request);
  }

  receive(env: Env<KafkaMessage>, _from: NodeId, msg: KafkaMessage): void {
    if (msg.kind !== 'response') return;
    const attempt = this.pending.get(msg.correlationId);
    if (attempt === undefined) return;
    this.pending.delete(msg.correlationId);
    // A listing filtered to what the principal may describe answers NONE whatever it lists: what it lists says.
    const errors = LISTINGS.has(msg.api) ? errorNames(msg).filter((e) => e !== 'NONE') : errorNames(msg);
    const value: IntrudeOk = { ...attempt.invoke, errors, gained: gained(msg) };
    env.trace({ kind: 'client', op: 'intrude', type: 'ok', id: attempt.opId, value });
  }

  private context(round: number, victim: NodeId): AttemptContext {
    const pick = <T>(list: readonly T[], fallback: T): T => (list.length === 0 ? fallback : list[round % list.length]!);
    const topic = pick(this.targets.topics, { name: 'orders', partitions: 1 });
    return {
      self: this.id,
      victim,
      principal: this.principal,
      round,
      topic: topic.name,
      partitions: topic.partitions,
      partition: round % topic.partitions,
      group: pick(this.targets.groups, 'group'),
      transactionalId: pick(this.targets.transactionalIds, 'txn'),
      value: intruderValue(this.id, this.sent++),
    };
  }
}

interface AttemptContext {
  self: NodeId;
  /** A broker the intruder poses as (not the one it sends to). */
  victim: NodeId;
  principal: string;
  round: number;
  topic: string;
  partitions: number;
  partition: number;
  group: string;
  transactionalId: string;
  value: string;
}

const tp = (c: AttemptContext) => `topic ${c.topic}/${c.partition}`;
/** The intruder's marker offset for the partition it targets, as OffsetCommit and TxnOffsetCommit carry it. */
const intruderOffsets = (c: AttemptContext) => [
  { name: c.topic, partitions: [{ partitionIndex: c.partition, committedOffset: INTRUDER_OFFSET, committedLeaderEpoch: -1, committedMetadata: null }] },
];

/** A Fetch of the target partition from offset 0, as a consumer (replicaId null) or posing as a follower. */
const fetchFromStart = (c: AttemptContext, correlationId: number, replicaId: NodeId | null): Request => ({
  api: 'Fetch',
  kind: 'request',
  correlationId,
  replicaId,
  replicaEpoch: -1,
  maxWaitMs: 0,
  minBytes: 0,
  maxBytes: 1 << 20,
  isolationLevel: 0,
  topics: [
    {
      topic: c.topic,
      partitions: [{ partition: c.partition, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20 }],
    },
  ],
});

/** Every API family the intruder tries, in turn. */
const ATTEMPTS: ReadonlyArray<(c: AttemptContext, correlationId: number) => Attempt> = [
  (c, correlationId) => ({
    resource: tp(c),
    request: {
      api: 'Produce',
      kind: 'request',
      correlationId,
      transactionalId: null,
      acks: -1,
      timeoutMs: 30_000,
      topicData: [
        {
          name: c.topic,
          partitionData: [
            {
              index: c.partition,
              records: {
                baseOffset: 0,
                partitionLeaderEpoch: -1,
                attributes: 0,
                lastOffsetDelta: 0,
                baseTimestamp: 0,
                maxTimestamp: 0,
                producerId: -1,
                producerEpoch: -1,
                baseSequence: -1,
                records: [{ offsetDelta: 0, timestampDelta: 0, key: null, value: c.value, headers: [] }],
              },
            },
          ],
        },
      ],
    },
  }),
  (c, correlationId) => ({
    resource: tp(c),
    request: fetchFromStart(c, correlationId, null),
  }),
  (c, correlationId) => ({
    resource: tp(c),
    request: {
      api: 'ListOffsets',
      kind: 'request',
      correlationId,
      replicaId: null,
      isolationLevel: 0,
      topics: [{ name: c.topic, partitions: [{ partitionIndex: c.partition, currentLeaderEpoch: -1, timestamp: LATEST_TIMESTAMP }] }],
    },
  }),
  (_c, correlationId) => ({
    resource: 'every topic',
    request: { api: 'Metadata', kind: 'request', correlationId, topics: null, allowAutoTopicCreation: false },
  }),
  (c, correlationId) => ({
    resource: `topic ${c.topic}`,
    request: { api: 'Metadata', kind: 'request', correlationId, topics: [c.topic], allowAutoTopicCreation: true },
  }),
  (c, correlationId) => ({
    resource: `topic ${INTRUDER_TOPIC_PREFIX}${c.self}-${c.round}`,
    request: {
      api: 'CreateTopics',
      kind: 'request',
      correlationId,
      topics: [{ name: `${INTRUDER_TOPIC_PREFIX}${c.self}-${c.round}`, numPartitions: 1, replicationFactor: 1, configs: [] }],
      timeoutMs: 30_000,
      validateOnly: false,
    },
  }),
  (c, correlationId) => ({
    resource: `topic ${c.topic}`,
    request: { api: 'DeleteTopics', kind: 'request', correlationId, topicNames: [c.topic], timeoutMs: 30_000 },
  }),
  (c, correlationId) => ({
    resource: tp(c),
    request: {
      api: 'DeleteRecords',
      kind: 'request',
      correlationId,
      topics: [{ name: c.topic, partitions: [{ partitionIndex: c.partition, offset: -1 }] }],
      timeoutMs: 30_000,
    },
  }),
  (c, correlationId) => ({
    resource: `topic ${c.topic}`,
    request: {
      api: 'CreatePartitions',
      kind: 'request',
      correlationId,
      topics: [{ name: c.topic, count: c.partitions + 1, assignments: null }],
      timeoutMs: 30_000,
      validateOnly: false,
    },
  }),
  (c, correlationId) => ({
    resource: `topic ${c.topic} and the brokers' defaults`,
    request: {
      api: 'IncrementalAlterConfigs',
      kind: 'request',
      correlationId,
      resources: [
        {
          resourceType: ConfigResourceType.TOPIC,
          resourceName: c.topic,
          configs: [{ name: 'retention.ms', configOperation: AlterConfigOp.SET, value: String(INTRUDER_RETENTION_MS) }],
        },
        {
          resourceType: ConfigResourceType.BROKER,
          resourceName: '',
          configs: [{ name: 'log.retention.ms', configOperation: AlterConfigOp.SET, value: String(INTRUDER_RETENTION_MS) }],
        },
      ],
      validateOnly: false,
    },
  }),
  (c, correlationId) => ({
    resource: `topic ${c.topic}`,
    request: {
      api: 'DescribeConfigs',
      kind: 'request',
      correlationId,
      resources: [{ resourceType: ConfigResourceType.TOPIC, resourceName: c.topic, configurationKeys: null }],
      includeSynonyms: false,
      includeDocumentation: false,
    },
  }),
  (c, correlationId) => ({
    resource: `group ${c.group}`,
    request: { api: 'FindCoordinator', kind: 'request', correlationId, keyType: CoordinatorType.GROUP, coordinatorKeys: [c.group] },
  }),
  (c, correlationId) => ({
    resource: `group ${c.group}`,
    request: {
      api: 'JoinGroup',
      kind: 'request',
      correlationId,
      groupId: c.group,
      sessionTimeoutMs: 10_000,
      rebalanceTimeoutMs: 10_000,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      // A well-formed subscription: with the bug, the group's leader decodes it.
      protocols: [{ name: 'range', metadata: encodeSubscription({ topics: [c.topic], userData: null, ownedPartitions: [], generationId: -1, rackId: null }) }],
      requireKnownMemberId: true,
      reason: null,
      clientId: c.self,
    },
  }),
  (c, correlationId) => ({
    resource: `group ${c.group}`,
    request: {
      api: 'SyncGroup',
      kind: 'request',
      correlationId,
      groupId: c.group,
      generationId: 1,
      memberId: c.self,
      groupInstanceId: null,
      protocolType: 'consumer',
      protocolName: 'range',
      assignments: [],
    },
  }),
  (c, correlationId) => ({
    resource: `group ${c.group}`,
    request: { api: 'Heartbeat', kind: 'request', correlationId, groupId: c.group, generationId: 1, memberId: c.self, groupInstanceId: null },
  }),
  (c, correlationId) => ({
    resource: `group ${c.group} on ${tp(c)}`,
    request: {
      api: 'OffsetCommit',
      kind: 'request',
      correlationId,
      groupId: c.group,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      topics: intruderOffsets(c),
    },
  }),
  (c, correlationId) => ({
    resource: `group ${c.group}`,
    request: { api: 'OffsetFetch', kind: 'request', correlationId, groups: [{ groupId: c.group, topics: null }], requireStable: false },
  }),
  (c, correlationId) => ({
    resource: `group ${c.group}`,
    request: { api: 'LeaveGroup', kind: 'request', correlationId, groupId: c.group, members: [{ memberId: c.self, groupInstanceId: null, reason: null }] },
  }),
  (c, correlationId) => ({ resource: `group ${c.group}`, request: { api: 'DeleteGroups', kind: 'request', correlationId, groupsNames: [c.group] } }),
  (_c, correlationId) => ({
    resource: 'idempotent producer id',
    request: { api: 'InitProducerId', kind: 'request', correlationId, transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 },
  }),
  (c, correlationId) => ({
    resource: `transactional id ${c.transactionalId}`,
    request: { api: 'FindCoordinator', kind: 'request', correlationId, keyType: CoordinatorType.TRANSACTION, coordinatorKeys: [c.transactionalId] },
  }),
  (c, correlationId) => ({
    resource: `transactional id ${c.transactionalId}`,
    request: {
      api: 'InitProducerId',
      kind: 'request',
      correlationId,
      transactionalId: c.transactionalId,
      transactionTimeoutMs: 60_000,
      producerId: -1,
      producerEpoch: -1,
    },
  }),
  (c, correlationId) => ({
    resource: `transactional id ${c.transactionalId} with ${tp(c)}`,
    request: {
      api: 'AddPartitionsToTxn',
      kind: 'request',
      correlationId,
      transactions: [{ transactionalId: c.transactionalId, ...FORGED_PRODUCER, verifyOnly: false, topics: [{ name: c.topic, partitions: [c.partition] }] }],
    },
  }),
  (c, correlationId) => ({
    resource: `transactional id ${c.transactionalId} with group ${c.group}`,
    request: { api: 'AddOffsetsToTxn', kind: 'request', correlationId, transactionalId: c.transactionalId, ...FORGED_PRODUCER, groupId: c.group },
  }),
  (c, correlationId) => ({
    resource: `transactional id ${c.transactionalId} with group ${c.group} on ${tp(c)}`,
    request: {
      api: 'TxnOffsetCommit',
      kind: 'request',
      correlationId,
      transactionalId: c.transactionalId,
      groupId: c.group,
      ...FORGED_PRODUCER,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      topics: intruderOffsets(c),
    },
  }),
  (c, correlationId) => ({
    resource: `transactional id ${c.transactionalId}`,
    request: { api: 'EndTxn', kind: 'request', correlationId, transactionalId: c.transactionalId, ...FORGED_PRODUCER, committed: true, bumpEpoch: false },
  }),
  (c, correlationId) => ({
    resource: 'ACLs: ALL on every topic, group and the cluster',
    request: {
      api: 'CreateAcls',
      kind: 'request',
      correlationId,
      creations: [
        [ResourceType.TOPIC, WILDCARD],
        [ResourceType.GROUP, WILDCARD],
        [ResourceType.CLUSTER, CLUSTER_RESOURCE],
      ].map(([resourceType, resourceName]) => ({
        resourceType: resourceType as ResourceType,
        resourceName: resourceName as string,
        patternType: PatternType.LITERAL,
        principal: c.principal,
        host: WILDCARD,
        operation: AclOperation.ALL,
        permission: AclPermission.ALLOW,
      })),
    },
  }),
  (_c, correlationId) => ({
    resource: 'every ACL',
    request: {
      api: 'DeleteAcls',
      kind: 'request',
      correlationId,
      filters: [EVERY_ACL],
    },
  }),
  (_c, correlationId) => ({
    resource: 'every ACL',
    request: {
      api: 'DescribeAcls',
      kind: 'request',
      correlationId,
      filter: EVERY_ACL,
    },
  }),
  (c, correlationId) => ({
    resource: `SCRAM credential of user ${c.self}`,
    request: {
      api: 'AlterUserScramCredentials',
      kind: 'request',
      correlationId,
      deletions: [],
      upsertions: [
        {
          name: c.self,
          mechanism: ScramMechanism['SCRAM-SHA-256'],
          iterations: 4096,
          salt: new Uint8Array([1, 2, 3, 4]),
          saltedPassword: new Uint8Array(32).fill(7),
        },
      ],
    },
  }),
  (c, correlationId) => ({
    resource: `group ${c.group}`,
    request: { api: 'DescribeGroups', kind: 'request', correlationId, groups: [c.group] },
  }),
  (_c, correlationId) => ({ resource: 'every group', request: { api: 'ListGroups', kind: 'request', correlationId, statesFilter: [] } }),
  (c, correlationId) => ({
    resource: `transactional id ${c.transactionalId}`,
    request: { api: 'DescribeTransactions', kind: 'request', correlationId, transactionalIds: [c.transactionalId] },
  }),
  (_c, correlationId) => ({
    resource: 'every transaction',
    request: { api: 'ListTransactions', kind: 'request', correlationId, stateFilters: [], producerIdFilters: [], durationFilter: -1 },
  }),
  (_c, correlationId) => ({
    resource: 'every SCRAM credential',
    request: { api: 'DescribeUserScramCredentials', kind: 'request', correlationId, users: null },
  }),
  (c, correlationId) => ({
    resource: `epochs of ${tp(c)}`,
    request: {
      api: 'OffsetForLeaderEpoch',
      kind: 'request',
      correlationId,
      replicaId: null,
      topics: [{ topic: c.topic, partitions: [{ partition: c.partition, currentLeaderEpoch: -1, leaderEpoch: 0 }] }],
    },
  }),
  // The cluster's own APIs (CLUSTER_ACTION): the intruder poses as a follower, a broker, a voter.
  (c, correlationId) => ({
    resource: `${tp(c)} as broker ${c.victim}'s follower fetch`,
    request: fetchFromStart(c, correlationId, c.victim),
  }),
  (c, correlationId) => ({
    resource: `the metadata log as voter ${c.victim}`,
    request: {
      api: 'Fetch',
      kind: 'request',
      topic: '__cluster_metadata',
      correlationId,
      clusterId: CLUSTER_ID,
      replicaId: c.victim,
      maxWaitMs: 0,
      currentLeaderEpoch: -1,
      fetchOffset: 0,
      lastFetchedEpoch: 0,
      logStartOffset: -1,
    },
  }),
  (c, correlationId) => ({
    resource: 'a metadata snapshot',
    request: {
      api: 'FetchSnapshot',
      kind: 'request',
      correlationId,
      clusterId: CLUSTER_ID,
      replicaId: c.victim,
      currentLeaderEpoch: -1,
      snapshotId: { endOffset: 0, epoch: 0 },
    },
  }),
  (c, correlationId) => ({
    resource: `a vote for itself at epoch ${FORGED_EPOCH}`,
    request: {
      api: 'Vote',
      kind: 'request',
      correlationId,
      clusterId: CLUSTER_ID,
      candidateEpoch: FORGED_EPOCH,
      candidateId: c.self,
      lastEpoch: FORGED_EPOCH,
      lastEpochEndOffset: FORGED_EPOCH,
      preVote: false,
    },
  }),
  (c, correlationId) => ({
    resource: `the quorum's leadership at epoch ${FORGED_EPOCH}`,
    request: { api: 'BeginQuorumEpoch', kind: 'request', correlationId, clusterId: CLUSTER_ID, leaderId: c.self, leaderEpoch: FORGED_EPOCH },
  }),
  (c, correlationId) => ({
    resource: `the end of broker ${c.victim}'s leadership`,
    request: {
      api: 'EndQuorumEpoch',
      kind: 'request',
      correlationId,
      clusterId: CLUSTER_ID,
      leaderId: c.victim,
      leaderEpoch: FORGED_EPOCH,
      preferredSuccessors: [c.self],
    },
  }),
  (c, correlationId) => ({
    resource: `broker ${c.victim}'s registration`,
    request: {
      api: 'BrokerRegistration',
      kind: 'request',
      correlationId,
      brokerId: c.victim,
      clusterId: CLUSTER_ID,
      incarnationId: FORGED_UUID,
      previousBrokerEpoch: -1,
    },
  }),
  (c, correlationId) => ({
    resource: `broker ${c.victim}'s heartbeat (fence and shut down)`,
    request: {
      api: 'BrokerHeartbeat',
      kind: 'request',
      correlationId,
      brokerId: c.victim,
      brokerEpoch: -1,
      currentMetadataOffset: 0,
      wantFence: true,
      wantShutDown: true,
    },
  }),
  (c, correlationId) => ({
    resource: `the ISR of ${tp(c)} as broker ${c.victim}`,
    request: {
      api: 'AlterPartition',
      kind: 'request',
      correlationId,
      brokerId: c.victim,
      brokerEpoch: -1,
      topics: [
        {
          topicId: FORGED_UUID,
          partitions: [
            {
              partitionIndex: c.partition,
              leaderEpoch: 0,
              newIsrWithEpochs: [{ brokerId: c.victim, brokerEpoch: -1 }],
              leaderRecoveryState: 0,
              partitionEpoch: 0,
            },
          ],
        },
      ],
    },
  }),
  (c, correlationId) => ({
    resource: `producer ids as broker ${c.victim}`,
    request: { api: 'AllocateProducerIds', kind: 'request', correlationId, brokerId: c.victim, brokerEpoch: -1 },
  }),
  (c, correlationId) => ({
    resource: `a COMMIT marker on ${tp(c)}`,
    request: {
      api: 'WriteTxnMarkers',
      kind: 'request',
      correlationId,
      markers: [{ ...FORGED_PRODUCER, transactionResult: true, topics: [{ name: c.topic, partitionIndexes: [c.partition] }], coordinatorEpoch: 0 }],
    },
  }),
];

/**
 * Every error code in an answer, by name, at the deepest level that has them: a top-level NONE
 * beside per-partition codes (Fetch, AddPartitionsToTxn) says nothing about the partitions.
 */
export function errorNames(msg: unknown): string[] {
  const found: Array<{ code: number; depth: number }> = [];
  const walk = (v: unknown, depth: number) => {
    if (Array.isArray(v)) return v.forEach((x) => walk(x, depth + 1));
    if (typeof v !== 'object' || v === null || v instanceof Uint8Array) return;
    for (const [key, x] of Object.entries(v)) {
      if ((key === 'errorCode' || key === 'partitionErrorCode') && typeof x === 'number') found.push({ code: x, depth });
      else walk(x, depth);
    }
  };
  walk(msg, 0);
  const nested = found.some((f) => f.depth > 0);
  return [...new Set(found.filter((f) => !(nested && f.depth === 0 && f.code === 0)).map((f) => errorName(f.code)))].sort();
}

/** What the answer handed over that only a granted request gets: records, listed topics, ids, offsets, ACLs. */
export function gained(msg: KafkaMessage): string[] {
  const out: string[] = [];
  switch (msg.api) {
    case 'Fetch':
      if (msg.kind === 'response' && 'topic' in msg && msg.records.length > 0) out.push(`${msg.records.length} metadata records`);
      if (msg.kind === 'response' && 'topics' in msg) {
        for (const t of msg.topics)
          for (const p of t.partitions) {
            const records = p.records.reduce((n, b) => n + b.records.length, 0);
            if (records > 0) out.push(`${records} records of ${t.topic}/${p.partitionIndex}`);
          }
      }
      break;
    case 'Metadata':
      if (msg.kind === 'response') for (const t of msg.topics) if (t.errorCode === 0) out.push(`topic ${t.name} listed`);
      break;
    case 'InitProducerId':
      if (msg.kind === 'response' && msg.producerId >= 0) out.push(`producer id ${msg.producerId}`);
      break;
    case 'JoinGroup':
      if (msg.kind === 'response' && msg.memberId !== '') out.push(`member id ${msg.memberId}`);
      break;
    case 'Vote':
      if (msg.kind === 'response' && msg.voteGranted) out.push('a vote');
      break;
    case 'ListGroups':
      if (msg.kind === 'response') for (const g of msg.groups) out.push(`group ${g.groupId} listed`);
      break;
    case 'ListTransactions':
      if (msg.kind === 'response') for (const t of msg.transactionStates) out.push(`transactional id ${t.transactionalId} listed`);
      break;
    case 'DescribeUserScramCredentials':
      if (msg.kind === 'response') for (const u of msg.results) out.push(`user ${u.user} described`);
      break;
    case 'DescribeAcls':
      if (msg.kind === 'response' && msg.acls.length > 0) out.push(`${msg.acls.length} ACLs described`);
      break;
    case 'DeleteAcls':
      if (msg.kind === 'response') for (const f of msg.filterResults) if (f.matchingAcls.length > 0) out.push(`${f.matchingAcls.length} ACLs deleted`);
      break;
    case 'ListOffsets':
      if (msg.kind === 'response')
        for (const t of msg.topics)
          for (const p of t.partitions) if (p.errorCode === 0 && p.offset >= 0) out.push(`offset ${p.offset} of ${t.name}/${p.partitionIndex}`);
      break;
    case 'OffsetFetch':
      if (msg.kind === 'response')
        for (const g of msg.groups)
          for (const t of g.topics)
            for (const p of t.partitions)
              if (p.committedOffset >= 0) out.push(`committed offset ${p.committedOffset} of ${g.groupId} on ${t.name}/${p.partitionIndex}`);
      break;
  }
  return out;
}
