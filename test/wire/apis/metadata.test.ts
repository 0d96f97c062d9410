// Metadata against kafkajs's captured responses (byte-exact, values as kafkajs's specs read them), and
// requests and flexible responses built by hand.
import { describe, expect, it } from 'vitest';
import { MetadataRequestSpec, MetadataResponseSpec } from '../../../core/wire/apis/metadata.ts';
import { encodeMessage } from '../../../core/wire/message-codec.ts';
import { Bytes, decodeExactly, expectSameBytes, fixture, fixturesOf } from './helpers.ts';

describe('Metadata: kafkajs fixtures', () => {
  it.each(fixturesOf('metadata').map((f) => [f.file, f] as const))('%s decodes and re-encodes byte for byte', (_file, f) => {
    decodeExactly(f.kind === 'request' ? MetadataRequestSpec : MetadataResponseSpec, f.version, f.bytes);
  });

  it('v3 response: three brokers, cluster id, controller, one topic', () => {
    const decoded = decodeExactly(MetadataResponseSpec, 3, fixture('metadata', 'v3_response.json'));
    expect(decoded).toMatchObject({
      throttleTimeMs: 0,
      brokers: [
        { nodeId: 2, host: '192.168.1.173', port: 9098, rack: null },
        { nodeId: 1, host: '192.168.1.173', port: 9095, rack: null },
        { nodeId: 0, host: '192.168.1.173', port: 9092, rack: null },
      ],
      clusterId: 'Q0WO3u_TTAeslFDJWiiGvA',
      controllerId: 1,
      topics: [
        {
          errorCode: 0,
          name: 'test-topic-0f67c79007c9157fc83d',
          isInternal: false,
          partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 2, replicaNodes: [2], isrNodes: [2], leaderEpoch: -1, offlineReplicas: [] }],
        },
      ],
    });
  });

  it('v4 response (same layout as v3)', () => {
    const decoded = decodeExactly(MetadataResponseSpec, 4, fixture('metadata', 'v4_response.json'));
    expect(decoded).toMatchObject({ controllerId: 1, topics: [{ name: 'test-topic-66d1df55ec27e033d726', partitions: [{ leaderId: 1 }] }] });
  });

  it('v5 response with offline replicas; the same bytes are a v6 response', () => {
    for (const version of [5, 6]) {
      const decoded = decodeExactly(MetadataResponseSpec, version, fixture('metadata', 'v5_offline_replicas_response.json'));
      expect(decoded).toMatchObject({ clusterId: 'tDr4DgFsS96sOEZu6e-N-Q', controllerId: 1 });
      const [topic] = decoded.topics as { name: string; partitions: Record<string, unknown>[] }[];
      expect(topic!.name).toBe('topic-test');
      expect(topic!.partitions[0]).toEqual({
        errorCode: 5,
        partitionIndex: 2,
        leaderId: -1,
        leaderEpoch: -1,
        replicaNodes: [2],
        isrNodes: [],
        offlineReplicas: [2],
      });
      expect(topic!.partitions[2]).toMatchObject({ errorCode: 0, partitionIndex: 4, leaderId: 1, offlineReplicas: [] });
    }
    const plain = decodeExactly(MetadataResponseSpec, 5, fixture('metadata', 'v5_response.json'));
    expect(plain).toMatchObject({ clusterId: 'wyOEk0m7Tn-08oGZjtVgEg', controllerId: 2, brokers: [{ nodeId: 2, host: '10.3.220.89', port: 9098 }, {}, {}] });
  });
});

describe('Metadata: requests and flexible versions by hand', () => {
  it('v0: an empty topic array (= all topics); v1: a null array (= all topics)', () => {
    expect(decodeExactly(MetadataRequestSpec, 0, new Bytes().arrayLength(0).build())).toMatchObject({ topics: [], allowAutoTopicCreation: true });
    expect(decodeExactly(MetadataRequestSpec, 1, new Bytes().arrayLength(null).build())).toMatchObject({ topics: null });
  });

  it('v4 request: topic names then allow_auto_topic_creation', () => {
    const bytes = new Bytes().arrayLength(2).string('a').string('b').bool(false).build();
    expect(decodeExactly(MetadataRequestSpec, 4, bytes)).toMatchObject({ topics: [{ name: 'a' }, { name: 'b' }], allowAutoTopicCreation: false });
  });

  it('v9 request (flexible, as @platformatic/kafka sends it)', () => {
    const bytes = new Bytes().compactArrayLength(1).compactString('events').noTags().bool(true).bool(false).bool(false).noTags().build();
    const value = {
      topics: [{ name: 'events' }],
      allowAutoTopicCreation: true,
      includeClusterAuthorizedOperations: false,
      includeTopicAuthorizedOperations: false,
    };
    expect(decodeExactly(MetadataRequestSpec, 9, bytes)).toMatchObject(value);
    expectSameBytes(encodeMessage(MetadataRequestSpec, 9, value), bytes);
  });

  it('v12 request: topic id then nullable name; no cluster-operations flag', () => {
    const id = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
    const bytes = new Bytes().compactArrayLength(1).uuid(id).compactString(null).noTags().bool(false).bool(true).noTags().build();
    expect(decodeExactly(MetadataRequestSpec, 12, bytes)).toMatchObject({
      topics: [{ topicId: Buffer.from(id).toString('base64url'), name: null }],
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: true,
    });
  });

  it('v12 response: one broker, one topic with id and leader epoch', () => {
    const id = Uint8Array.from({ length: 16 }, (_, i) => 0xf0 + i);
    const bytes = new Bytes()
      .int32(0) // throttle
      .compactArrayLength(1)
      .int32(1)
      .compactString('localhost')
      .int32(9092)
      .compactString(null)
      .noTags()
      .compactString('samsa-cluster')
      .int32(1) // controller
      .compactArrayLength(1)
      .int16(0)
      .compactString('events')
      .uuid(id)
      .bool(false)
      .compactArrayLength(1)
      .int16(0)
      .int32(0)
      .int32(1)
      .int32(3) // leader epoch
      .compactArrayLength(1)
      .int32(1)
      .compactArrayLength(1)
      .int32(1)
      .compactArrayLength(0)
      .noTags()
      .int32(-2147483648)
      .noTags()
      .noTags()
      .build();
    expect(decodeExactly(MetadataResponseSpec, 12, bytes)).toMatchObject({
      brokers: [{ nodeId: 1, host: 'localhost', port: 9092, rack: null }],
      clusterId: 'samsa-cluster',
      controllerId: 1,
      topics: [
        {
          name: 'events',
          topicId: Buffer.from(id).toString('base64url'),
          partitions: [{ partitionIndex: 0, leaderId: 1, leaderEpoch: 3, replicaNodes: [1], isrNodes: [1], offlineReplicas: [] }],
          topicAuthorizedOperations: -2147483648,
        },
      ],
      clusterAuthorizedOperations: -2147483648,
    });
  });
});
