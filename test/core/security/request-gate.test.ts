// The request gate's answers, API family by API family (KafkaApis' and ControllerApis' rules): what a
// principal without rights gets, what a principal with them gets (the request untouched), and how a
// request naming allowed and denied resources is split and its answer completed.

import { describe, expect, it } from 'vitest';
import { MetadataImage } from '../../../core/controller/image.ts';
import type { KafkaMessage } from '../../../core/node/kafka-node.ts';
import { Config } from '../../../core/protocol/configs.ts';
import { ErrorCode } from '../../../core/protocol/errors.ts';
import { AclOperation as Op, AclPermission, PatternType, ResourceType, type AclBinding } from '../../../core/security/acl.ts';
import { Authorizer, STANDARD_AUTHORIZER } from '../../../core/security/authorizer.ts';
import { gateRequest, type GateDecision } from '../../../core/security/request-gate.ts';
import { imageWithAcls } from './acl-helpers.ts';
import { recordBatch } from '../batches.ts';

type Request = Extract<KafkaMessage, { kind: 'request' }>;
type Response = Extract<KafkaMessage, { kind: 'response' }>;

const mallory = { principal: 'User:mallory', host: '10.0.0.66' };
const alice = { principal: 'User:alice', host: '10.0.0.1' };
const NO_ACL = { errorCode: ErrorCode.NONE };

const batch = recordBatch({ count: 1 });
const base = { kind: 'request' as const, correlationId: 7 };
const produce = (names: string[], transactionalId: string | null = null): Request => ({
  ...base,
  api: 'Produce',
  transactionalId,
  acks: -1,
  timeoutMs: 1000,
  topicData: names.map((name) => ({ name, partitionData: [{ index: 0, records: batch }] })),
});
const fetchPartition = { partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1000 };
const fetch = (replicaId: string | null): Request => ({
  ...base,
  api: 'Fetch',
  replicaId,
  replicaEpoch: -1,
  maxWaitMs: 0,
  minBytes: 1,
  maxBytes: 1000,
  isolationLevel: 0,
  topics: [{ topic: 'orders', partitions: [fetchPartition] }],
});

function gate(acls: Array<Partial<AclBinding>>, session: { principal: string; host: string }, req: Request, config: Record<string, string> = {}): GateDecision {
  const image = new MetadataImage();
  image.apply({ type: 'TopicRecord', name: 'orders', topicId: 'T1' });
  imageWithAcls(acls, image);
  const authorizer = Authorizer.fromConfig(new Config({ 'authorizer.class.name': STANDARD_AUTHORIZER, ...config }), () => image.acls())!;
  return gateRequest(authorizer, image, session, req);
}

/** Every error code in a response, depth first. */
function codes(value: unknown): number[] {
  if (Array.isArray(value)) return value.flatMap(codes);
  if (value === null || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => (k === 'errorCode' || k === 'partitionErrorCode' ? [v as number] : codes(v)));
}

function denied(decision: GateDecision): Response {
  if (decision === null || !('deny' in decision) || decision.deny === null) throw new Error(`not denied: ${JSON.stringify(decision)}`);
  return decision.deny;
}

const T = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
const G = ErrorCode.GROUP_AUTHORIZATION_FAILED;
const C = ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
const X = ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;

describe('the request gate: a principal without rights', () => {
  const cases: Array<[string, Request, number[]]> = [
    ['Produce', produce(['orders']), [T]],
    ['transactional Produce', produce(['orders'], 'tx'), [X]],
    ['consumer Fetch', fetch(null), [NO_ACL.errorCode, T]],
    ['follower Fetch', fetch('b2'), [C]],
    [
      'ListOffsets',
      {
        ...base,
        api: 'ListOffsets',
        replicaId: null,
        isolationLevel: 0,
        topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }] }],
      },
      [T],
    ],
    [
      'OffsetForLeaderEpoch',
      {
        ...base,
        api: 'OffsetForLeaderEpoch',
        replicaId: null,
        topics: [{ topic: 'orders', partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }] }],
      },
      [T],
    ],
    [
      'CreateTopics',
      { ...base, api: 'CreateTopics', topics: [{ name: 'new', numPartitions: 1, replicationFactor: 1, configs: [] }], timeoutMs: 1, validateOnly: false },
      [T],
    ],
    ['DeleteTopics', { ...base, api: 'DeleteTopics', topicNames: ['orders'], timeoutMs: 1 }, [T]],
    ['DeleteRecords', { ...base, api: 'DeleteRecords', topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, offset: 1 }] }], timeoutMs: 1 }, [T]],
    [
      'CreatePartitions',
      { ...base, api: 'CreatePartitions', topics: [{ name: 'orders', count: 2, assignments: null }], timeoutMs: 1, validateOnly: false } as never,
      [T],
    ],
    [
      'DescribeConfigs (topic, broker)',
      {
        ...base,
        api: 'DescribeConfigs',
        resources: [
          { resourceType: 2, resourceName: 'orders', configurationKeys: null },
          { resourceType: 4, resourceName: '1', configurationKeys: null },
        ],
        includeSynonyms: false,
        includeDocumentation: false,
      },
      [T, C],
    ],
    [
      'IncrementalAlterConfigs',
      { ...base, api: 'IncrementalAlterConfigs', resources: [{ resourceType: 2, resourceName: 'orders', configs: [] }], validateOnly: false },
      [T],
    ],
    ['FindCoordinator (group)', { ...base, api: 'FindCoordinator', keyType: 0, coordinatorKeys: ['g'] }, [G]],
    ['FindCoordinator (transaction)', { ...base, api: 'FindCoordinator', keyType: 1, coordinatorKeys: ['tx'] }, [X]],
    ['Heartbeat', { ...base, api: 'Heartbeat', groupId: 'g', generationId: 1, memberId: 'm', groupInstanceId: null }, [G]],
    [
      'OffsetCommit',
      {
        ...base,
        api: 'OffsetCommit',
        groupId: 'g',
        generationId: -1,
        memberId: '',
        groupInstanceId: null,
        topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] }],
      },
      [G],
    ],
    ['OffsetFetch', { ...base, api: 'OffsetFetch', groups: [{ groupId: 'g', topics: null }], requireStable: false }, [G]],
    ['DescribeGroups', { ...base, api: 'DescribeGroups', groups: ['g'] }, [G]],
    ['DeleteGroups', { ...base, api: 'DeleteGroups', groupsNames: ['g'] }, [G]],
    ['InitProducerId (idempotent)', { ...base, api: 'InitProducerId', transactionalId: null, transactionTimeoutMs: 1, producerId: -1, producerEpoch: -1 }, [C]],
    [
      'InitProducerId (transactional)',
      { ...base, api: 'InitProducerId', transactionalId: 'tx', transactionTimeoutMs: 1, producerId: -1, producerEpoch: -1 },
      [X],
    ],
    [
      'AddPartitionsToTxn',
      {
        ...base,
        api: 'AddPartitionsToTxn',
        transactions: [{ transactionalId: 'tx', producerId: 1, producerEpoch: 0, verifyOnly: false, topics: [{ name: 'orders', partitions: [0] }] }],
      },
      [NO_ACL.errorCode, X],
    ],
    [
      'AddPartitionsToTxn (a broker verifying)',
      { ...base, api: 'AddPartitionsToTxn', transactions: [{ transactionalId: 'tx', producerId: 1, producerEpoch: 0, verifyOnly: true, topics: [] }] },
      [C],
    ],
    ['AddOffsetsToTxn', { ...base, api: 'AddOffsetsToTxn', transactionalId: 'tx', producerId: 1, producerEpoch: 0, groupId: 'g' }, [X]],
    [
      'TxnOffsetCommit',
      {
        ...base,
        api: 'TxnOffsetCommit',
        transactionalId: 'tx',
        groupId: 'g',
        producerId: 1,
        producerEpoch: 0,
        generationId: -1,
        memberId: '',
        groupInstanceId: null,
        topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] }],
      },
      [X],
    ],
    ['EndTxn', { ...base, api: 'EndTxn', transactionalId: 'tx', producerId: 1, producerEpoch: 0, committed: true, bumpEpoch: false }, [X]],
    ['DescribeTransactions', { ...base, api: 'DescribeTransactions', transactionalIds: ['tx'] }, [X]],
    [
      'WriteTxnMarkers',
      {
        ...base,
        api: 'WriteTxnMarkers',
        markers: [{ producerId: 1, producerEpoch: 0, transactionResult: true, topics: [{ name: 'orders', partitionIndexes: [0] }], coordinatorEpoch: 0 }],
      },
      [C],
    ],
    [
      'BrokerHeartbeat',
      { ...base, api: 'BrokerHeartbeat', brokerId: 'b1', brokerEpoch: 1, currentMetadataOffset: 0, wantFence: false, wantShutDown: false },
      [C],
    ],
    ['AllocateProducerIds', { ...base, api: 'AllocateProducerIds', brokerId: 'b1', brokerEpoch: 1 } as never, [C]],
    ['Vote', { ...base, api: 'Vote', clusterId: 'c', candidateEpoch: 2, candidateId: 'b1', lastEpoch: 1, lastEpochEndOffset: 5, preVote: false }, [C]],
    [
      'metadata Fetch',
      {
        ...base,
        api: 'Fetch',
        topic: '__cluster_metadata',
        clusterId: 'c',
        replicaId: 'b1',
        maxWaitMs: 0,
        currentLeaderEpoch: 1,
        fetchOffset: 0,
        lastFetchedEpoch: 0,
        logStartOffset: 0,
      },
      [C],
    ],
    [
      'CreateAcls',
      {
        ...base,
        api: 'CreateAcls',
        creations: [{ resourceType: 2, resourceName: 'x', patternType: 3, principal: 'User:mallory', host: '*', operation: 2, permission: 3 }],
      },
      [C],
    ],
    [
      'DescribeAcls',
      {
        ...base,
        api: 'DescribeAcls',
        filter: { resourceType: 1, resourceName: null, patternType: 1, principal: null, host: null, operation: 1, permission: 1 },
      },
      [C],
    ],
    [
      'DeleteAcls',
      {
        ...base,
        api: 'DeleteAcls',
        filters: [{ resourceType: 1, resourceName: null, patternType: 1, principal: null, host: null, operation: 1, permission: 1 }],
      },
      [C],
    ],
    ['DescribeUserScramCredentials', { ...base, api: 'DescribeUserScramCredentials', users: null }, [C]],
    ['AlterUserScramCredentials', { ...base, api: 'AlterUserScramCredentials', deletions: [{ name: 'alice', mechanism: 1 }], upsertions: [] }, [C]],
  ];
  for (const [name, req, expected] of cases) {
    it(`${name}: ${expected.join(', ')}`, () => {
      // Alice may do anything with her own resources; mallory is named by no ACL.
      const res = denied(gate([{ operation: Op.ALL }], mallory, req));
      expect(res).toMatchObject({ api: req.api, kind: 'response', correlationId: 7 });
      expect([...new Set(codes(res))]).toEqual(expected);
    });
  }

  it('JoinGroup needs READ on the group; ListGroups is filtered to the groups the principal may describe, not refused', () => {
    const join = {
      ...base,
      api: 'JoinGroup',
      groupId: 'g',
      sessionTimeoutMs: 1,
      rebalanceTimeoutMs: 1,
      memberId: '',
      groupInstanceId: null,
      protocolType: 'consumer',
      protocols: [],
      requireKnownMemberId: true,
      reason: null,
      clientId: 'c',
    } as Request;
    expect(codes(denied(gate([], mallory, join)))).toEqual([G]);
    expect(gate([{ resourceType: ResourceType.GROUP, resourceName: 'g' }], alice, join)).toBeNull();
    const list = gate([{ resourceType: ResourceType.GROUP, resourceName: 'g', operation: Op.DESCRIBE }], alice, {
      ...base,
      api: 'ListGroups',
      statesFilter: [],
    });
    if (list === null || !('merge' in list)) throw new Error('expected a filter');
    const answer = list.merge!({
      api: 'ListGroups',
      kind: 'response',
      correlationId: 7,
      errorCode: 0,
      groups: ['g', 'h'].map((groupId) => ({ groupId, protocolType: 'consumer', groupState: 'Stable' })),
    });
    expect(answer).toMatchObject({ groups: [{ groupId: 'g' }] });
    // DESCRIBE on the cluster lists every group.
    expect(
      gate([{ resourceType: ResourceType.CLUSTER, resourceName: 'kafka-cluster', operation: Op.DESCRIBE }], alice, {
        ...base,
        api: 'ListGroups',
        statesFilter: [],
      }),
    ).toBeNull();
  });
});

describe('the request gate: rights given', () => {
  it('a principal with the rights passes untouched; super.users pass everything; a follower needs CLUSTER_ACTION', () => {
    expect(gate([{ operation: Op.WRITE }], alice, produce(['orders']))).toBeNull();
    expect(gate([], { principal: 'User:admin', host: 'h' }, fetch('b2'), { 'super.users': 'User:admin' })).toBeNull();
    expect(
      gate(
        [{ resourceType: ResourceType.CLUSTER, resourceName: 'kafka-cluster', operation: Op.CLUSTER_ACTION, principal: 'User:broker' }],
        { principal: 'User:broker', host: 'h' },
        fetch('b2'),
      ),
    ).toBeNull();
  });

  it('InitProducerId for idempotence: IDEMPOTENT_WRITE on the cluster, or WRITE on any topic', () => {
    const req: Request = { ...base, api: 'InitProducerId', transactionalId: null, transactionTimeoutMs: 1, producerId: -1, producerEpoch: -1 };
    expect(gate([{ resourceName: 'elsewhere', operation: Op.WRITE }], alice, req)).toBeNull();
    expect(gate([{ resourceType: ResourceType.CLUSTER, resourceName: 'kafka-cluster', operation: Op.IDEMPOTENT_WRITE }], alice, req)).toBeNull();
  });

  it('a Produce naming an allowed and a denied topic goes on with the allowed one; the answer gets the denied one', () => {
    const decision = gate([{ operation: Op.WRITE }], alice, produce(['orders', 'secret']));
    if (decision === null || !('request' in decision)) throw new Error('expected a split');
    expect(decision.request).toMatchObject({ topicData: [{ name: 'orders' }] });
    const merged = decision.merge!({
      api: 'Produce',
      kind: 'response',
      correlationId: 7,
      throttleTimeMs: 0,
      responses: [
        {
          name: 'orders',
          partitionResponses: [{ index: 0, errorCode: 0, baseOffset: 5, logAppendTimeMs: -1, logStartOffset: 0, errorMessage: null, currentLeader: null }],
        },
      ],
    });
    expect(merged).toMatchObject({
      responses: [
        { name: 'orders', partitionResponses: [{ errorCode: 0, baseOffset: 5 }] },
        { name: 'secret', partitionResponses: [{ errorCode: T }] },
      ],
    });
  });

  it('Metadata: named topics denied or not creatable come back TOPIC_AUTHORIZATION_FAILED; all topics are filtered', () => {
    const acls = [{ operation: Op.DESCRIBE }, { resourceName: 'new', operation: Op.DESCRIBE }];
    const named = gate(acls, alice, { ...base, api: 'Metadata', topics: ['orders', 'secret', 'new'], allowAutoTopicCreation: true });
    if (named === null || !('request' in named)) throw new Error('expected a split');
    expect(named.request).toMatchObject({ topics: ['orders'] });
    const res = named.merge!({ api: 'Metadata', kind: 'response', correlationId: 7, brokers: [], clusterId: 'c', controllerId: null, topics: [] });
    expect(res).toMatchObject({
      topics: [
        { name: 'secret', errorCode: T },
        { name: 'new', errorCode: T },
      ],
    });
    // With CREATE on the cluster (or on each topic) missing topics may be auto-created.
    expect(
      gate(
        [
          ...acls,
          { resourceType: ResourceType.CLUSTER, resourceName: 'kafka-cluster', operation: Op.CREATE },
          { resourceName: 'secret', operation: Op.DESCRIBE },
        ],
        alice,
        { ...base, api: 'Metadata', topics: ['orders', 'secret', 'new'], allowAutoTopicCreation: true },
      ),
    ).toBeNull();
    expect(
      gate([...acls, { resourceName: 'new', operation: Op.CREATE }], alice, {
        ...base,
        api: 'Metadata',
        topics: ['orders', 'new'],
        allowAutoTopicCreation: true,
      }),
    ).toBeNull();
    const all = gate(acls, alice, { ...base, api: 'Metadata', topics: null, allowAutoTopicCreation: false });
    if (all === null || !('request' in all)) throw new Error('expected a filter');
    const topic = (name: string) => ({ errorCode: 0, name, topicId: name, isInternal: false, partitions: [] });
    expect(
      all.merge!({
        api: 'Metadata',
        kind: 'response',
        correlationId: 7,
        brokers: [],
        clusterId: 'c',
        controllerId: null,
        topics: [topic('orders'), topic('secret')],
      }),
    ).toMatchObject({
      topics: [{ name: 'orders' }],
    });
  });

  it('OffsetFetch: a denied group is GROUP_AUTHORIZATION_FAILED, a denied topic of an allowed group TOPIC_AUTHORIZATION_FAILED', () => {
    const acls = [
      { resourceType: ResourceType.GROUP, resourceName: 'g', operation: Op.READ },
      { operation: Op.READ, patternType: PatternType.LITERAL },
    ];
    const decision = gate(acls, alice, {
      ...base,
      api: 'OffsetFetch',
      groups: [
        {
          groupId: 'g',
          topics: [
            { name: 'orders', partitionIndexes: [0] },
            { name: 'secret', partitionIndexes: [0] },
          ],
        },
        { groupId: 'h', topics: null },
      ],
      requireStable: false,
    });
    if (decision === null || !('request' in decision)) throw new Error('expected a split');
    expect(decision.request).toMatchObject({ groups: [{ groupId: 'g', topics: [{ name: 'orders' }] }] });
    const merged = decision.merge!({
      api: 'OffsetFetch',
      kind: 'response',
      correlationId: 7,
      groups: [
        {
          groupId: 'g',
          errorCode: 0,
          topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, committedOffset: 3, committedLeaderEpoch: -1, metadata: null, errorCode: 0 }] }],
        },
      ],
    });
    expect(merged).toMatchObject({
      groups: [
        { groupId: 'g', errorCode: 0, topics: [{ name: 'orders' }, { name: 'secret', partitions: [{ errorCode: T }] }] },
        { groupId: 'h', errorCode: G },
      ],
    });
  });

  it('AddPartitionsToTxn with a denied topic: it is TOPIC_AUTHORIZATION_FAILED, the others OPERATION_NOT_ATTEMPTED', () => {
    const acls = [{ resourceType: ResourceType.TRANSACTIONAL_ID, resourceName: 'tx', operation: Op.WRITE }, { operation: Op.WRITE }];
    const res = denied(
      gate(acls, alice, {
        ...base,
        api: 'AddPartitionsToTxn',
        transactions: [
          {
            transactionalId: 'tx',
            producerId: 1,
            producerEpoch: 0,
            verifyOnly: false,
            topics: [
              { name: 'orders', partitions: [0] },
              { name: 'secret', partitions: [0] },
            ],
          },
        ],
      }),
    );
    expect(res).toMatchObject({
      errorCode: 0,
      resultsByTransaction: [
        {
          topicResults: [
            { name: 'orders', resultsByPartition: [{ partitionErrorCode: ErrorCode.OPERATION_NOT_ATTEMPTED }] },
            { name: 'secret', resultsByPartition: [{ partitionErrorCode: T }] },
          ],
        },
      ],
    });
  });

  it('a DENY wins in the gate too, unless the seeded deny-not-checked skips it', () => {
    const acls = [
      { principal: 'User:*', operation: Op.ALL },
      { principal: 'User:mallory', operation: Op.ALL, permission: AclPermission.DENY },
    ];
    expect(codes(denied(gate(acls, mallory, produce(['orders']))))).toEqual([T]);
    const image = imageWithAcls(acls);
    const buggy = Authorizer.fromConfig(new Config({ 'authorizer.class.name': STANDARD_AUTHORIZER }), () => image.acls(), new Set(['deny-not-checked']))!;
    expect(gateRequest(buggy, image, mallory, produce(['orders']))).toBeNull();
  });
});
