// Fetch against kafkajs's captured bodies (v0-v11; byte-exact, values as kafkajs's specs hold them; the
// records stay opaque bytes), and the flexible versions built by hand: a consumer at v12, topic ids
// at v13, and KRaft's quorum fetch (cluster id, replica state, diverging epoch, snapshot id) at v15-v17.
import { describe, expect, it } from 'vitest';
import { FetchRequestSpec, FetchResponseSpec } from '../../../core/wire/apis/fetch.ts';
import { encodeMessage } from '../../../core/wire/message-codec.ts';
import { Bytes, decodeExactly, expectSameBytes, fixture, fixturesOf, sized } from './helpers.ts';

interface Resp {
  throttleTimeMs: number;
  errorCode: number;
  sessionId: number;
  responses: { topic: string; partitions: (Record<string, unknown> & { records: Uint8Array | null })[] }[];
}

const KAFKAJS_TOPIC = 'test-topic-2077b9d2b36c4082e594-4020-b5a52b27-56df-4b87-800d-82c1cf26317d';

describe('Fetch: kafkajs fixtures', () => {
  it.each(fixturesOf('fetch').map((f) => [f.file, f] as const))('%s decodes and re-encodes byte for byte', (_file, f) => {
    decodeExactly(f.kind === 'request' ? FetchRequestSpec : FetchResponseSpec, f.version, f.bytes);
  });

  it('v0 request: replica 0 (kafkajs spec passes none), wait 5 ms, min 1 byte, one partition from offset 0 with 1 MiB', () => {
    expect(decodeExactly(FetchRequestSpec, 0, fixture('fetch', 'v0_request.json'))).toEqual({
      clusterId: null,
      replicaId: 0,
      replicaState: { replicaId: -1, replicaEpoch: -1 },
      maxWaitMs: 5,
      minBytes: 1,
      maxBytes: 0x7fffffff,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topic: 'test-topic',
          topicId: 'AAAAAAAAAAAAAAAAAAAAAA',
          partitions: [
            {
              partition: 0,
              currentLeaderEpoch: -1,
              fetchOffset: 0,
              lastFetchedEpoch: -1,
              logStartOffset: -1,
              partitionMaxBytes: 1048576,
              replicaDirectoryId: 'AAAAAAAAAAAAAAAAAAAAAA',
            },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    });
  });

  it('v4, v7, v11 requests: max bytes, read_committed, sessionless, rack id', () => {
    expect(decodeExactly(FetchRequestSpec, 4, fixture('fetch', 'v4_request.json'))).toMatchObject({
      replicaId: 0,
      maxWaitMs: 5,
      minBytes: 1,
      maxBytes: 10485760,
      isolationLevel: 1,
      topics: [{ topic: 'test-topic', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1048576 }] }],
    });
    expect(decodeExactly(FetchRequestSpec, 7, fixture('fetch', 'v7_request.json'))).toMatchObject({
      replicaId: -1,
      maxWaitMs: 100,
      maxBytes: 10485760,
      isolationLevel: 1,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [{ topic: KAFKAJS_TOPIC, partitions: [{ partition: 0, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes: 1048576 }] }],
      forgottenTopicsData: [],
    });
    expect(decodeExactly(FetchRequestSpec, 11, fixture('fetch', 'v11_request.json'))).toMatchObject({
      topics: [{ topic: KAFKAJS_TOPIC, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0 }] }],
      rackId: 'rack1',
    });
  });

  it('v0 response: high watermark 1 and a magic-0 message set', () => {
    const decoded = decodeExactly(FetchResponseSpec, 0, fixture('fetch', 'v0_response.json')) as unknown as Resp;
    expect(decoded.responses).toHaveLength(1);
    expect(decoded.responses[0]!.topic).toBe('test-topic-79b94d9dcfd65e1283a9');
    const partition = decoded.responses[0]!.partitions[0]!;
    expect(partition).toMatchObject({ partitionIndex: 0, errorCode: 0, highWatermark: 1, lastStableOffset: -1, logStartOffset: -1 });
    expect(partition.records![16]).toBe(0);
  });

  it('v4 response: last stable offset and a magic-2 batch', () => {
    const decoded = decodeExactly(FetchResponseSpec, 4, fixture('fetch', 'v4_response.json')) as unknown as Resp;
    expect(decoded.throttleTimeMs).toBe(0);
    expect(decoded.responses[0]!.topic).toBe('test-topic-ab4d54774dcadc395a7f');
    const partition = decoded.responses[0]!.partitions[0]!;
    expect(partition).toMatchObject({ partitionIndex: 0, errorCode: 0, highWatermark: 3, lastStableOffset: 3 });
    expect(partition.abortedTransactions ?? []).toEqual([]);
    expect(partition.records![16]).toBe(2);
  });

  it('v11 response: no error, no session, log start offset 0, preferred read replica as kafkajs read it', () => {
    const decoded = decodeExactly(FetchResponseSpec, 11, fixture('fetch', 'v11_response.json')) as unknown as Resp;
    expect(decoded).toMatchObject({ throttleTimeMs: 0, errorCode: 0, sessionId: 0, responses: [{ topic: KAFKAJS_TOPIC }] });
    expect(decoded.responses[0]!.partitions[0]).toMatchObject({
      partitionIndex: 0,
      errorCode: 0,
      highWatermark: 3,
      lastStableOffset: 3,
      logStartOffset: 0,
      preferredReadReplica: 0,
    });
  });
});

describe('Fetch: flexible versions by hand', () => {
  const topicId = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
  const topicIdText = Buffer.from(topicId).toString('base64url');

  it('v12 consumer request (as @platformatic/kafka sends it): last fetched epoch, no cluster id tag', () => {
    const bytes = new Bytes()
      .int32(-1)
      .int32(500)
      .int32(1)
      .int32(52428800)
      .int8(0)
      .int32(0)
      .int32(0)
      .compactArrayLength(1)
      .compactString('events')
      .compactArrayLength(1)
      .int32(0)
      .int32(4)
      .int64(100)
      .int32(4)
      .int64(-1)
      .int32(1048576)
      .noTags()
      .noTags()
      .compactArrayLength(0)
      .compactString('')
      .noTags()
      .build();
    expect(decodeExactly(FetchRequestSpec, 12, bytes)).toMatchObject({
      clusterId: null,
      replicaId: -1,
      maxWaitMs: 500,
      maxBytes: 52428800,
      sessionEpoch: 0,
      topics: [
        {
          topic: 'events',
          partitions: [{ partition: 0, currentLeaderEpoch: 4, fetchOffset: 100, lastFetchedEpoch: 4, logStartOffset: -1, partitionMaxBytes: 1048576 }],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    });
  });

  it('v13 request: topic ids instead of names, in topics and forgotten topics', () => {
    const bytes = new Bytes()
      .int32(-1)
      .int32(500)
      .int32(1)
      .int32(1000)
      .int8(1)
      .int32(7)
      .int32(3)
      .compactArrayLength(1)
      .uuid(topicId)
      .compactArrayLength(0)
      .noTags()
      .compactArrayLength(1)
      .uuid(topicId)
      .compactArrayLength(2)
      .int32(1)
      .int32(2)
      .noTags()
      .compactString('r')
      .noTags()
      .build();
    expect(decodeExactly(FetchRequestSpec, 13, bytes)).toMatchObject({
      sessionId: 7,
      sessionEpoch: 3,
      topics: [{ topic: '', topicId: topicIdText, partitions: [] }],
      forgottenTopicsData: [{ topic: '', topicId: topicIdText, partitions: [1, 2] }],
      rackId: 'r',
    });
  });

  it('v17 quorum fetch: cluster id (tag 0) and replica state (tag 1) at the top, directory id (tag 0) per partition', () => {
    const dir = Uint8Array.from({ length: 16 }, (_, i) => i);
    const state = sized((b) => b.int32(2).int64(9).noTags());
    const cluster = sized((b) => b.compactString('cluster-x'));
    const bytes = new Bytes()
      .int32(500)
      .int32(0)
      .int32(0x7fffffff)
      .int8(0)
      .int32(0)
      .int32(-1)
      .compactArrayLength(1)
      .uuid(topicId)
      .compactArrayLength(1)
      .int32(0)
      .int32(6)
      .int64(42)
      .int32(5)
      .int64(-1)
      .int32(0)
      .uvarint(1)
      .uvarint(0)
      .uvarint(16)
      .uuid(dir)
      .noTags()
      .compactArrayLength(0)
      .compactString('')
      .uvarint(2)
      .uvarint(0)
      .uvarint(cluster.length)
      .raw(cluster)
      .uvarint(1)
      .uvarint(state.length)
      .raw(state)
      .build();
    const value = {
      clusterId: 'cluster-x',
      replicaState: { replicaId: 2, replicaEpoch: 9 },
      maxWaitMs: 500,
      minBytes: 0,
      maxBytes: 0x7fffffff,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [
        {
          topicId: topicIdText,
          partitions: [
            {
              partition: 0,
              currentLeaderEpoch: 6,
              fetchOffset: 42,
              lastFetchedEpoch: 5,
              logStartOffset: -1,
              partitionMaxBytes: 0,
              replicaDirectoryId: Buffer.from(dir).toString('base64url'),
            },
          ],
        },
      ],
      forgottenTopicsData: [],
      rackId: '',
    };
    expect(decodeExactly(FetchRequestSpec, 17, bytes)).toMatchObject({ ...value, replicaId: -1 });
    expectSameBytes(encodeMessage(FetchRequestSpec, 17, value), bytes);
  });

  it('v12 response: diverging epoch (tag 0), current leader (tag 1), snapshot id (tag 2), null records', () => {
    const diverging = sized((b) => b.int32(3).int64(77).noTags());
    const leader = sized((b) => b.int32(1).int32(4).noTags());
    const snapshot = sized((b) => b.int64(60).int32(2).noTags());
    const bytes = new Bytes()
      .int32(0)
      .int16(0)
      .int32(0)
      .compactArrayLength(1)
      .compactString('events')
      .compactArrayLength(1)
      .int32(0)
      .int16(0)
      .int64(100)
      .int64(100)
      .int64(0)
      .compactArrayLength(null)
      .int32(-1)
      .compactBytes(null)
      .uvarint(3)
      .uvarint(0)
      .uvarint(diverging.length)
      .raw(diverging)
      .uvarint(1)
      .uvarint(leader.length)
      .raw(leader)
      .uvarint(2)
      .uvarint(snapshot.length)
      .raw(snapshot)
      .noTags()
      .noTags()
      .build();
    const value = {
      throttleTimeMs: 0,
      errorCode: 0,
      sessionId: 0,
      responses: [
        {
          topic: 'events',
          partitions: [
            {
              partitionIndex: 0,
              errorCode: 0,
              highWatermark: 100,
              lastStableOffset: 100,
              logStartOffset: 0,
              divergingEpoch: { epoch: 3, endOffset: 77 },
              currentLeader: { leaderId: 1, leaderEpoch: 4 },
              snapshotId: { endOffset: 60, epoch: 2 },
              abortedTransactions: null,
              preferredReadReplica: -1,
              records: null,
            },
          ],
        },
      ],
    };
    expect(decodeExactly(FetchResponseSpec, 12, bytes)).toMatchObject(value);
    expectSameBytes(encodeMessage(FetchResponseSpec, 12, value), bytes);
  });

  it('v16 response: topic ids, aborted transactions, records, and node endpoints (top-level tag 0)', () => {
    const records = Uint8Array.from({ length: 61 }, (_, i) => i);
    const endpoints = sized((b) => b.compactArrayLength(1).int32(1).compactString('h').int32(1).compactString(null).noTags());
    const bytes = new Bytes()
      .int32(0)
      .int16(0)
      .int32(12)
      .compactArrayLength(1)
      .uuid(topicId)
      .compactArrayLength(1)
      .int32(3)
      .int16(0)
      .int64(10)
      .int64(8)
      .int64(0)
      .compactArrayLength(1)
      .int64(4000)
      .int64(5)
      .noTags()
      .int32(-1)
      .compactBytes(records)
      .noTags()
      .noTags()
      .uvarint(1)
      .uvarint(0)
      .uvarint(endpoints.length)
      .raw(endpoints)
      .build();
    expect(decodeExactly(FetchResponseSpec, 16, bytes)).toMatchObject({
      sessionId: 12,
      responses: [
        {
          topic: '',
          topicId: topicIdText,
          partitions: [{ partitionIndex: 3, highWatermark: 10, lastStableOffset: 8, abortedTransactions: [{ producerId: 4000, firstOffset: 5 }], records }],
        },
      ],
      nodeEndpoints: [{ nodeId: 1, host: 'h', port: 1, rack: null }],
    });
  });
});
