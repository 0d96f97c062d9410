// The inter-node converters (KRaft's Vote, BeginQuorumEpoch, EndQuorumEpoch, quorum Fetch, FetchSnapshot; the brokers'
// BrokerRegistration, BrokerHeartbeat, AlterPartition): every core message survives core → wire → bytes → wire → core at
// every version each converter handles, the quorum's raft appends keep their batches, and error responses encode.
import { describe, expect, it } from 'vitest';
import type { MetadataRecord } from '../../../core/controller/records.ts';
import type { NodeId } from '../../../core/env.ts';
import type {
  AllocateProducerIdsRequest,
  AllocateProducerIdsResponse,
  AlterPartitionRequest,
  AlterPartitionResponse,
  BrokerHeartbeatRequest,
  BrokerHeartbeatResponse,
  BrokerRegistrationRequest,
  BrokerRegistrationResponse,
} from '../../../core/protocol/controller.ts';
import { ErrorCode } from '../../../core/protocol/errors.ts';
import type {
  BeginQuorumEpochRequest,
  BeginQuorumEpochResponse,
  EndQuorumEpochRequest,
  EndQuorumEpochResponse,
  FetchSnapshotRequest,
  FetchSnapshotResponse,
  QuorumFetchRequest,
  QuorumFetchResponse,
  RaftEntry,
  VoteRequest,
  VoteResponse,
} from '../../../core/protocol/quorum.ts';
import { apiSpecs } from '../../../core/wire/apis/index.ts';
import { NO_COMPRESSORS } from '../../../core/wire/compression.ts';
import { allocateProducerIdsConverter } from '../../../core/wire/convert/allocate-producer-ids.ts';
import { alterPartitionConverter } from '../../../core/wire/convert/alter-partition.ts';
import { beginQuorumEpochConverter } from '../../../core/wire/convert/begin-quorum-epoch.ts';
import { brokerHeartbeatConverter } from '../../../core/wire/convert/broker-heartbeat.ts';
import { brokerRegistrationConverter } from '../../../core/wire/convert/broker-registration.ts';
import { NO_TOPIC_IDS, NUMERIC_IDS, WireRequestError, type ApiConverter, type WireContext, type WireStruct } from '../../../core/wire/convert/converter.ts';
import { endQuorumEpochConverter } from '../../../core/wire/convert/end-quorum-epoch.ts';
import { fetchSnapshotConverter } from '../../../core/wire/convert/fetch-snapshot.ts';
import { decodeRaftEntries, encodeRaftEntries, METADATA_TOPIC_ID, quorumFetchConverter } from '../../../core/wire/convert/quorum-fetch.ts';
import { voteConverter } from '../../../core/wire/convert/vote.ts';
import { decodeMessage, encodeMessage } from '../../../core/wire/message-codec.ts';
import { decodeRecordSet } from '../../../core/wire/record-batch.ts';

const ctx: WireContext = { ids: NUMERIC_IDS, compressors: NO_COMPRESSORS, topics: NO_TOPIC_IDS };
const INCARNATION = 'q83vEjRWeJCrze8SNFZ4kA';
const TOPIC_ID = 'AAECAwQFBgcICQoLDA0ODw';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyConverter = ApiConverter<any, any>;

/** Every version a converter reads and writes: its served range and the version Samsa nodes send. */
function versionsOf(c: AnyConverter): number[] {
  const max = Math.max(c.served.max, c.internalVersion ?? c.served.max);
  return Array.from({ length: max - c.served.min + 1 }, (_, i) => c.served.min + i);
}

function specsOf(c: AnyConverter) {
  const specs = apiSpecs(c.apiKey);
  if (specs === undefined) throw new Error(`no spec for API ${c.apiKey}`);
  return specs;
}

/** A wire body through the codec: encoded at `version` and decoded again, as a peer reads it. */
function throughBytes(spec: ReturnType<typeof specsOf>['request'], version: number, body: WireStruct): WireStruct {
  return decodeMessage(spec, version, encodeMessage(spec, version, body));
}

function requestRoundTrip<Req extends { correlationId: number }>(c: AnyConverter, req: Req, version: number): Req {
  const body = throughBytes(specsOf(c).request, version, c.requestToWire(req, version, ctx));
  return c.requestFromWire(body, version, req.correlationId, ctx) as Req;
}

function responseRoundTrip<Res extends { correlationId: number }>(c: AnyConverter, res: Res, version: number): Res {
  const body = throughBytes(specsOf(c).response, version, c.responseToWire(res, version, ctx));
  return c.responseFromWire(body, version, res.correlationId, ctx) as Res;
}

/** Sample messages per converter; `version` lets a sample leave out what an old version cannot carry. */
interface Samples {
  converter: AnyConverter;
  requests: (version: number) => Array<{ correlationId: number }>;
  responses: (version: number) => Array<{ correlationId: number }>;
}

const entry = (offset: number, epoch: number, value: MetadataRecord, batchEnd?: false): RaftEntry<MetadataRecord> =>
  batchEnd === false ? { offset, epoch, record: { type: 'data', value }, batchEnd } : { offset, epoch, record: { type: 'data', value } };
const leaderChange = (offset: number, epoch: number, leaderId: NodeId, voters: NodeId[]): RaftEntry<MetadataRecord> => ({
  offset,
  epoch,
  record: { type: 'leader-change', leaderId, voters },
});

/** A leader's log: its leader change, a broker registration, a topic created in one append of three, a lone no-op, another leader. */
const LOG: RaftEntry<MetadataRecord>[] = [
  leaderChange(10, 3, '1', ['1', '2', '3']),
  entry(11, 3, { type: 'RegisterBrokerRecord', brokerId: '2', brokerEpoch: 11, incarnationId: INCARNATION, fenced: true }),
  entry(12, 3, { type: 'TopicRecord', name: 'orders', topicId: TOPIC_ID }, false),
  entry(
    13,
    3,
    {
      type: 'PartitionRecord',
      partitionId: 0,
      topicId: TOPIC_ID,
      replicas: ['1', '2'],
      isr: ['1', '2'],
      leader: '1',
      leaderRecoveryState: 0,
      leaderEpoch: 0,
      partitionEpoch: 0,
    },
    false,
  ),
  entry(14, 3, { type: 'ConfigRecord', resourceType: 2, resourceName: 'orders', name: 'cleanup.policy', value: 'délété ✓' }),
  entry(15, 3, { type: 'NoOpRecord' }),
  leaderChange(16, 4, '2', ['1', '2', '3']),
  entry(17, 4, { type: 'PartitionChangeRecord', partitionId: 0, topicId: TOPIC_ID, leader: null, isr: ['2'] }),
];

const SAMPLES: Samples[] = [
  {
    converter: voteConverter,
    requests: (version) => [
      {
        api: 'Vote',
        kind: 'request',
        correlationId: 7,
        clusterId: 'cluster-x',
        candidateEpoch: 5,
        candidateId: '2',
        lastEpoch: 4,
        lastEpochEndOffset: 1234,
        preVote: false,
      } satisfies VoteRequest,
      // A pre-vote travels from v2 (KIP-996).
      ...(version >= 2
        ? [
            {
              api: 'Vote',
              kind: 'request',
              correlationId: 8,
              clusterId: 'cluster-x',
              candidateEpoch: 4,
              candidateId: '2',
              lastEpoch: 4,
              lastEpochEndOffset: 1234,
              preVote: true,
            } satisfies VoteRequest,
          ]
        : []),
    ],
    responses: () => [
      { api: 'Vote', kind: 'response', correlationId: 7, errorCode: 0, leaderId: null, leaderEpoch: 5, voteGranted: true } satisfies VoteResponse,
      { api: 'Vote', kind: 'response', correlationId: 8, errorCode: ErrorCode.FENCED_LEADER_EPOCH, leaderId: '3', leaderEpoch: 6, voteGranted: false },
      { api: 'Vote', kind: 'response', correlationId: 9, errorCode: ErrorCode.INCONSISTENT_CLUSTER_ID, leaderId: '1', leaderEpoch: 6, voteGranted: false },
    ],
  },
  {
    converter: beginQuorumEpochConverter,
    requests: () => [
      { api: 'BeginQuorumEpoch', kind: 'request', correlationId: 3, clusterId: 'cluster-x', leaderId: '1', leaderEpoch: 9 } satisfies BeginQuorumEpochRequest,
    ],
    responses: () => [
      { api: 'BeginQuorumEpoch', kind: 'response', correlationId: 3, errorCode: 0, leaderId: '1', leaderEpoch: 9 } satisfies BeginQuorumEpochResponse,
      { api: 'BeginQuorumEpoch', kind: 'response', correlationId: 4, errorCode: ErrorCode.INVALID_REQUEST, leaderId: null, leaderEpoch: 10 },
    ],
  },
  {
    converter: endQuorumEpochConverter,
    requests: () => [
      {
        api: 'EndQuorumEpoch',
        kind: 'request',
        correlationId: 4,
        clusterId: 'cluster-x',
        leaderId: '1',
        leaderEpoch: 9,
        preferredSuccessors: ['3', '2'],
      } satisfies EndQuorumEpochRequest,
      { api: 'EndQuorumEpoch', kind: 'request', correlationId: 5, clusterId: '', leaderId: '1', leaderEpoch: 9, preferredSuccessors: [] },
    ],
    responses: () => [
      { api: 'EndQuorumEpoch', kind: 'response', correlationId: 4, errorCode: 0, leaderId: null, leaderEpoch: 9 } satisfies EndQuorumEpochResponse,
    ],
  },
  {
    converter: quorumFetchConverter,
    requests: () => [
      {
        api: 'Fetch',
        kind: 'request',
        topic: '__cluster_metadata',
        correlationId: 21,
        clusterId: 'cluster-x',
        replicaId: '3',
        maxWaitMs: 500,
        currentLeaderEpoch: 4,
        fetchOffset: 16,
        lastFetchedEpoch: 3,
        logStartOffset: 10,
      } satisfies QuorumFetchRequest,
    ],
    responses: () => [
      {
        api: 'Fetch',
        kind: 'response',
        topic: '__cluster_metadata',
        correlationId: 21,
        errorCode: 0,
        highWatermark: 15,
        logStartOffset: 10,
        records: LOG,
        divergingEpoch: null,
        currentLeader: { leaderId: '2', leaderEpoch: 4 },
        snapshotId: null,
      } satisfies QuorumFetchResponse<MetadataRecord>,
      {
        api: 'Fetch',
        kind: 'response',
        topic: '__cluster_metadata',
        correlationId: 22,
        errorCode: 0,
        highWatermark: -1,
        logStartOffset: 0,
        records: [],
        divergingEpoch: { endOffset: 0, epoch: -1 },
        currentLeader: { leaderId: '2', leaderEpoch: 4 },
        snapshotId: null,
      },
      {
        api: 'Fetch',
        kind: 'response',
        topic: '__cluster_metadata',
        correlationId: 23,
        errorCode: 0,
        highWatermark: 40,
        logStartOffset: 30,
        records: [],
        divergingEpoch: null,
        currentLeader: { leaderId: '2', leaderEpoch: 4 },
        snapshotId: { endOffset: 30, epoch: 3 },
      },
      {
        api: 'Fetch',
        kind: 'response',
        topic: '__cluster_metadata',
        correlationId: 24,
        errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER,
        highWatermark: -1,
        logStartOffset: 0,
        records: [],
        divergingEpoch: null,
        currentLeader: { leaderId: null, leaderEpoch: 5 },
        snapshotId: null,
      },
    ],
  },
  {
    converter: fetchSnapshotConverter,
    requests: () => [
      {
        api: 'FetchSnapshot',
        kind: 'request',
        correlationId: 31,
        clusterId: 'cluster-x',
        replicaId: '3',
        currentLeaderEpoch: 4,
        snapshotId: { endOffset: 30, epoch: 3 },
      } satisfies FetchSnapshotRequest,
    ],
    responses: () => [
      {
        api: 'FetchSnapshot',
        kind: 'response',
        correlationId: 31,
        errorCode: 0,
        currentLeader: { leaderId: '2', leaderEpoch: 4 },
        snapshotId: { endOffset: 30, epoch: 3 },
        snapshot: {
          brokers: [{ brokerId: '1', brokerEpoch: 2, incarnationId: INCARNATION, fenced: false }],
          topics: [{ name: 'ørders', topicId: TOPIC_ID, partitions: [], config: { 'retention.ms': '1000' } }],
        },
      } satisfies FetchSnapshotResponse,
      {
        api: 'FetchSnapshot',
        kind: 'response',
        correlationId: 32,
        errorCode: ErrorCode.SNAPSHOT_NOT_FOUND,
        currentLeader: { leaderId: '2', leaderEpoch: 4 },
        snapshotId: { endOffset: 30, epoch: 3 },
        snapshot: null,
      },
    ],
  },
  {
    converter: brokerRegistrationConverter,
    requests: (version) => [
      {
        api: 'BrokerRegistration',
        kind: 'request',
        correlationId: 41,
        brokerId: '4',
        clusterId: 'cluster-x',
        incarnationId: INCARNATION,
        // v3 brought the previous epoch (KIP-966); before it there is none.
        previousBrokerEpoch: version >= 3 ? 17 : -1,
        listeners: [
          { name: 'PLAINTEXT', host: 'broker-4.local', port: 9092, securityProtocol: 0 },
          { name: 'INTERNAL', host: '10.0.0.4', port: 19092, securityProtocol: 0 },
        ],
      } satisfies BrokerRegistrationRequest,
      { api: 'BrokerRegistration', kind: 'request', correlationId: 42, brokerId: '4', clusterId: 'c', incarnationId: INCARNATION, previousBrokerEpoch: -1 },
    ],
    responses: () => [
      { api: 'BrokerRegistration', kind: 'response', correlationId: 41, errorCode: 0, brokerEpoch: 123 } satisfies BrokerRegistrationResponse,
      { api: 'BrokerRegistration', kind: 'response', correlationId: 42, errorCode: ErrorCode.DUPLICATE_BROKER_REGISTRATION, brokerEpoch: -1 },
    ],
  },
  {
    converter: brokerHeartbeatConverter,
    requests: () => [
      {
        api: 'BrokerHeartbeat',
        kind: 'request',
        correlationId: 51,
        brokerId: '4',
        brokerEpoch: 123,
        currentMetadataOffset: 456,
        wantFence: false,
        wantShutDown: true,
      } satisfies BrokerHeartbeatRequest,
    ],
    responses: () => [
      {
        api: 'BrokerHeartbeat',
        kind: 'response',
        correlationId: 51,
        errorCode: 0,
        isCaughtUp: true,
        isFenced: false,
        shouldShutDown: false,
      } satisfies BrokerHeartbeatResponse,
      {
        api: 'BrokerHeartbeat',
        kind: 'response',
        correlationId: 52,
        errorCode: ErrorCode.STALE_BROKER_EPOCH,
        isCaughtUp: false,
        isFenced: true,
        shouldShutDown: true,
      },
    ],
  },
  {
    converter: allocateProducerIdsConverter,
    requests: () => [{ api: 'AllocateProducerIds', kind: 'request', correlationId: 71, brokerId: '2', brokerEpoch: 42 } satisfies AllocateProducerIdsRequest],
    responses: () => [
      {
        api: 'AllocateProducerIds',
        kind: 'response',
        correlationId: 71,
        errorCode: 0,
        producerIdStart: 3_000_000_000,
        producerIdLen: 1000,
      } satisfies AllocateProducerIdsResponse,
      { api: 'AllocateProducerIds', kind: 'response', correlationId: 72, errorCode: ErrorCode.STALE_BROKER_EPOCH, producerIdStart: -1, producerIdLen: 0 },
    ],
  },
  {
    converter: alterPartitionConverter,
    requests: (version) => [
      {
        api: 'AlterPartition',
        kind: 'request',
        correlationId: 61,
        brokerId: '1',
        brokerEpoch: 11,
        topics: [
          {
            topicId: TOPIC_ID,
            partitions: [
              {
                partitionIndex: 2,
                leaderEpoch: 5,
                // Broker epochs travel from v3 (KIP-903); v2 leaves them unknown.
                newIsrWithEpochs: [
                  { brokerId: '1', brokerEpoch: version >= 3 ? 11 : -1 },
                  { brokerId: '3', brokerEpoch: version >= 3 ? 13 : -1 },
                ],
                leaderRecoveryState: 1,
                partitionEpoch: 8,
              },
            ],
          },
        ],
      } satisfies AlterPartitionRequest,
    ],
    responses: () => [
      {
        api: 'AlterPartition',
        kind: 'response',
        correlationId: 61,
        errorCode: 0,
        topics: [
          {
            topicId: TOPIC_ID,
            partitions: [
              { partitionIndex: 2, errorCode: 0, leaderId: '1', leaderEpoch: 5, isr: ['1', '3'], leaderRecoveryState: 0, partitionEpoch: 9 },
              {
                partitionIndex: 3,
                errorCode: ErrorCode.FENCED_LEADER_EPOCH,
                leaderId: null,
                leaderEpoch: -1,
                isr: [],
                leaderRecoveryState: 0,
                partitionEpoch: -1,
              },
            ],
          },
        ],
      } satisfies AlterPartitionResponse,
      { api: 'AlterPartition', kind: 'response', correlationId: 62, errorCode: ErrorCode.NOT_CONTROLLER, topics: [] },
    ],
  },
];

describe('inter-node converters: core → wire → bytes → wire → core is the identity', () => {
  for (const { converter, requests, responses } of SAMPLES) {
    const name = specsOf(converter).name;
    for (const version of versionsOf(converter)) {
      it(`${name} v${version}`, () => {
        for (const req of requests(version)) expect(requestRoundTrip(converter, req, version)).toStrictEqual(req);
        for (const res of responses(version)) expect(responseRoundTrip(converter, res, version)).toStrictEqual(res);
      });
    }
  }

  it('quorum Fetch v16 and v17 (beyond what a node reads of Fetch today) convert as well', () => {
    const { converter, requests, responses } = SAMPLES[3]!;
    for (const version of [16, 17]) {
      for (const req of requests(version)) expect(requestRoundTrip(converter, req, version)).toStrictEqual(req);
      for (const res of responses(version)) expect(responseRoundTrip(converter, res, version)).toStrictEqual(res);
    }
  });

  it('Samsa nodes send the highest version each converter handles, within what the runtime reads of Fetch', () => {
    for (const { converter } of SAMPLES) expect(converter.internalVersion).toBeDefined();
    expect(voteConverter.internalVersion).toBe(2);
    expect(brokerRegistrationConverter.internalVersion).toBe(4);
    expect(alterPartitionConverter.internalVersion).toBe(3);
    expect(quorumFetchConverter.internalVersion).toBe(15);
  });
});

describe('the quorum log on the wire', () => {
  it('each raft append is one record batch; leader changes are control batches', () => {
    const bytes = encodeRaftEntries(LOG);
    const { batches, truncatedBytes } = decodeRecordSet(bytes);
    expect(truncatedBytes).toBe(0);
    expect(batches.map((b) => [b.baseOffset, b.partitionLeaderEpoch, b.records.length, (b.attributes & 0x20) !== 0])).toEqual([
      [10, 3, 1, true],
      [11, 3, 1, false],
      [12, 3, 3, false],
      [15, 3, 1, false],
      [16, 4, 1, true],
      [17, 4, 1, false],
    ]);
    // Kafka's ControlRecordType key: version 0, type LEADER_CHANGE (2).
    expect(batches[0]!.records[0]!.key).toBe('\x00\x00\x00\x02');
    expect(JSON.parse(batches[1]!.records[0]!.value!)).toEqual(LOG[1]!.record.type === 'data' && LOG[1]!.record.value);
    expect(decodeRaftEntries(bytes, NO_COMPRESSORS)).toStrictEqual(LOG);
  });

  it('an append cut short, or one no batch can hold, keeps batchEnd: false exactly where it was', () => {
    const odd: RaftEntry<MetadataRecord>[] = [
      // An append whose entries change epoch and mix a leader change with data (no leader writes one).
      entry(5, 1, { type: 'NoOpRecord' }, false),
      { ...leaderChange(6, 2, '1', ['1']), batchEnd: false },
      entry(7, 2, { type: 'NoOpRecord' }),
      // An append the entry list ends in the middle of.
      entry(8, 2, { type: 'TopicRecord', name: 't', topicId: TOPIC_ID }, false),
    ];
    const bytes = encodeRaftEntries(odd);
    expect(decodeRecordSet(bytes).batches.map((b) => b.baseOffset)).toEqual([5, 6, 7, 8]);
    expect(decodeRaftEntries(bytes, NO_COMPRESSORS)).toStrictEqual(odd);
  });

  it('no entries are no bytes; no records is no entries', () => {
    expect(encodeRaftEntries([])).toHaveLength(0);
    const res = quorumFetchConverter.responseToWire(SAMPLES[3]!.responses(15)[1] as QuorumFetchResponse<MetadataRecord>, 15, ctx);
    const partition = (res.responses as Array<{ partitions: WireStruct[] }>)[0]!.partitions[0]!;
    expect(partition.records).toEqual(new Uint8Array(0));
  });

  it('names the metadata topic by Kafka id from v13: the UUID with only its last bit set', () => {
    const body = quorumFetchConverter.requestToWire(SAMPLES[3]!.requests(15)[0] as QuorumFetchRequest, 15, ctx);
    expect((body.topics as WireStruct[])[0]!.topicId).toBe(METADATA_TOPIC_ID);
    expect(Buffer.from(METADATA_TOPIC_ID, 'base64url')).toEqual(Buffer.from([...new Array<number>(15).fill(0), 1]));
    const v12 = quorumFetchConverter.requestToWire(SAMPLES[3]!.requests(12)[0] as QuorumFetchRequest, 12, ctx);
    expect(throughBytes(specsOf(quorumFetchConverter).request, 12, v12).topics).toMatchObject([{ topic: '__cluster_metadata' }]);
  });
});

describe('requests a quorum node cannot take', () => {
  const vote = SAMPLES[0]!.requests(1)[0] as VoteRequest;

  it('a quorum request for another partition is refused as a whole', () => {
    const body = throughBytes(specsOf(voteConverter).request, 1, voteConverter.requestToWire(vote, 1, ctx));
    const topic = (body.topics as Array<{ topicName: string; partitions: WireStruct[] }>)[0]!;
    topic.partitions[0]!.partitionIndex = 1;
    expect(() => voteConverter.requestFromWire(body, 1, 1, ctx)).toThrow(WireRequestError);
    topic.partitions[0]!.partitionIndex = 0;
    topic.topicName = 'orders';
    expect(() => voteConverter.requestFromWire(body, 1, 1, ctx)).toThrow(expect.objectContaining({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION }));
    topic.partitions = [];
    expect(() => voteConverter.requestFromWire(body, 1, 1, ctx)).toThrow(expect.objectContaining({ errorCode: ErrorCode.INVALID_REQUEST }));
  });

  it('a sender id of -1 names no node', () => {
    const body = throughBytes(
      specsOf(brokerHeartbeatConverter).request,
      1,
      brokerHeartbeatConverter.requestToWire(SAMPLES[6]!.requests(1)[0] as BrokerHeartbeatRequest, 1, ctx),
    );
    body.brokerId = -1;
    expect(() => brokerHeartbeatConverter.requestFromWire(body, 1, 1, ctx)).toThrow(expect.objectContaining({ errorCode: ErrorCode.INVALID_REQUEST }));
  });

  it('a snapshot fetch from past position 0 (the core sends snapshots whole)', () => {
    const req = SAMPLES[4]!.requests(1)[0] as FetchSnapshotRequest;
    const body = throughBytes(specsOf(fetchSnapshotConverter).request, 1, fetchSnapshotConverter.requestToWire(req, 1, ctx));
    (body.topics as Array<{ partitions: WireStruct[] }>)[0]!.partitions[0]!.position = 100;
    expect(() => fetchSnapshotConverter.requestFromWire(body, 1, 1, ctx)).toThrow(expect.objectContaining({ errorCode: ErrorCode.POSITION_OUT_OF_RANGE }));
  });

  it('a registration without listeners stays without the field', () => {
    const req = SAMPLES[5]!.requests(4)[1] as BrokerRegistrationRequest;
    expect('listeners' in requestRoundTrip(brokerRegistrationConverter, req, 4)).toBe(false);
  });
});

describe('error responses in wire space', () => {
  for (const { converter, requests } of SAMPLES) {
    const { name, request, response } = specsOf(converter);
    for (const version of versionsOf(converter)) {
      it(`${name} v${version}: encodes, names every partition the request named, and reads back as the error`, () => {
        for (const req of requests(version)) {
          const body = throughBytes(request, version, converter.requestToWire(req, version, ctx));
          const wire = throughBytes(response, version, converter.errorResponse(body, version, ErrorCode.NOT_CONTROLLER, 'not me'));
          expect(wire.errorCode).toBe(ErrorCode.NOT_CONTROLLER);
          const topics = (wire.topics ?? wire.responses) as Array<{ partitions: Array<{ errorCode: number }> }> | undefined;
          for (const t of topics ?? []) for (const p of t.partitions) expect(p.errorCode).toBe(ErrorCode.NOT_CONTROLLER);
          const requested = (body.topics as Array<{ partitions: unknown[] }> | undefined)?.reduce((n, t) => n + t.partitions.length, 0) ?? 0;
          expect(topics?.reduce((n, t) => n + t.partitions.length, 0) ?? 0).toBe(requested);
          const core = converter.responseFromWire(wire, version, req.correlationId, ctx) as { errorCode: number; correlationId: number };
          expect(core).toMatchObject({ correlationId: req.correlationId, errorCode: ErrorCode.NOT_CONTROLLER });
        }
      });
    }
  }

  it('a response with the error at the top level only (as Kafka answers a bad cluster id) reads back as that error', () => {
    const fetch = quorumFetchConverter.responseFromWire({ errorCode: ErrorCode.INCONSISTENT_CLUSTER_ID, responses: [] }, 15, 9, ctx);
    expect(fetch).toStrictEqual({
      api: 'Fetch',
      kind: 'response',
      topic: '__cluster_metadata',
      correlationId: 9,
      errorCode: ErrorCode.INCONSISTENT_CLUSTER_ID,
      highWatermark: -1,
      logStartOffset: -1,
      records: [],
      divergingEpoch: null,
      currentLeader: { leaderId: null, leaderEpoch: -1 },
      snapshotId: null,
    });
    expect(voteConverter.responseFromWire({ errorCode: ErrorCode.INCONSISTENT_CLUSTER_ID, topics: [] }, 1, 9, ctx)).toMatchObject({
      errorCode: ErrorCode.INCONSISTENT_CLUSTER_ID,
      leaderId: null,
      voteGranted: false,
    });
  });
});
