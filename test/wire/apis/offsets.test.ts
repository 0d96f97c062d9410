// ListOffsets, OffsetForLeaderEpoch and InitProducerId against kafkajs's captured bodies (byte-exact,
// values as kafkajs's specs hold them) and their flexible versions built by hand.
import { describe, expect, it } from 'vitest';
import { InitProducerIdRequestSpec, InitProducerIdResponseSpec } from '../../../core/wire/apis/init-producer-id.ts';
import { ListOffsetsRequestSpec, ListOffsetsResponseSpec } from '../../../core/wire/apis/list-offsets.ts';
import { OffsetForLeaderEpochRequestSpec, OffsetForLeaderEpochResponseSpec } from '../../../core/wire/apis/offset-for-leader-epoch.ts';
import { encodeMessage } from '../../../core/wire/message-codec.ts';
import { Bytes, decodeExactly, expectSameBytes, fixture, fixturesOf } from './helpers.ts';

describe('ListOffsets', () => {
  it.each(fixturesOf('listOffsets').map((f) => [f.file, f] as const))('%s decodes and re-encodes byte for byte', (_file, f) => {
    decodeExactly(f.kind === 'request' ? ListOffsetsRequestSpec : ListOffsetsResponseSpec, f.version, f.bytes);
  });

  it('v0: max_num_offsets in the request, an offsets array in the response', () => {
    expect(decodeExactly(ListOffsetsRequestSpec, 0, fixture('listOffsets', 'v0_request.json'))).toEqual({
      replicaId: -1,
      isolationLevel: 0,
      topics: [
        { name: 'test-topic-727705ce68c29fedddf4', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: 1509285569484, maxNumOffsets: 1 }] },
      ],
      timeoutMs: 0,
    });
    expect(decodeExactly(ListOffsetsResponseSpec, 0, fixture('listOffsets', 'v0_response.json'))).toMatchObject({
      topics: [{ name: 'test-topic-727705ce68c29fedddf4', partitions: [{ partitionIndex: 0, errorCode: 0, oldStyleOffsets: [0], timestamp: -1, offset: -1 }] }],
    });
  });

  it('v1: one timestamp and offset per partition', () => {
    expect(decodeExactly(ListOffsetsRequestSpec, 1, fixture('listOffsets', 'v1_request.json'))).toMatchObject({
      replicaId: -1,
      topics: [
        { name: 'test-topic-173c0e1556dab8d50ee6-91677-379faf0f-a357-408e-bd1d-5fa11893b05d', partitions: [{ partitionIndex: 0, timestamp: 1509285569484 }] },
      ],
    });
    expect(decodeExactly(ListOffsetsResponseSpec, 1, fixture('listOffsets', 'v1_response.json'))).toMatchObject({
      topics: [
        {
          name: 'test-topic-16e956902e39874d06f5-91705-2958a472-e582-47a4-86f0-b258630fb3e6',
          partitions: [{ partitionIndex: 0, errorCode: 0, oldStyleOffsets: [], timestamp: 1543343103774, offset: 0 }],
        },
      ],
    });
  });

  it('v2 (and v3, same layout): isolation level and throttle time', () => {
    for (const version of [2, 3]) {
      expect(decodeExactly(ListOffsetsRequestSpec, version, fixture('listOffsets', 'v2_request.json'))).toMatchObject({
        replicaId: -1,
        isolationLevel: 0,
        topics: [{ name: 'test-topic-727705ce68c29fedddf4', partitions: [{ partitionIndex: 0, timestamp: 1509285569484 }] }],
      });
      expect(decodeExactly(ListOffsetsResponseSpec, version, fixture('listOffsets', 'v2_response.json'))).toMatchObject({
        throttleTimeMs: 0,
        topics: [
          {
            name: 'test-topic-84efe7aaafc3844b00c1-36211-2ee431b4-d40b-4df8-b2c8-fc9e33ab5c77',
            partitions: [{ partitionIndex: 0, errorCode: 0, timestamp: -1, offset: 1, leaderEpoch: -1 }],
          },
        ],
      });
    }
  });

  it('v6 (flexible) request and response, v10 timeout', () => {
    const request = new Bytes()
      .int32(-1)
      .int8(1)
      .compactArrayLength(1)
      .compactString('events')
      .compactArrayLength(1)
      .int32(2)
      .int32(7)
      .int64(-2)
      .noTags()
      .noTags()
      .noTags();
    expect(decodeExactly(ListOffsetsRequestSpec, 6, request.build())).toMatchObject({
      isolationLevel: 1,
      topics: [{ name: 'events', partitions: [{ partitionIndex: 2, currentLeaderEpoch: 7, timestamp: -2 }] }],
    });
    const v10 = new Bytes().int32(-1).int8(0).compactArrayLength(0).int32(30000).noTags().build();
    expect(decodeExactly(ListOffsetsRequestSpec, 10, v10)).toMatchObject({ topics: [], timeoutMs: 30000 });
    const response = new Bytes()
      .int32(0)
      .compactArrayLength(1)
      .compactString('events')
      .compactArrayLength(1)
      .int32(2)
      .int16(0)
      .int64(-1)
      .int64(0)
      .int32(7)
      .noTags()
      .noTags()
      .noTags()
      .build();
    const value = {
      throttleTimeMs: 0,
      topics: [{ name: 'events', partitions: [{ partitionIndex: 2, errorCode: 0, timestamp: -1, offset: 0, leaderEpoch: 7 }] }],
    };
    expect(decodeExactly(ListOffsetsResponseSpec, 6, response)).toMatchObject(value);
    expectSameBytes(encodeMessage(ListOffsetsResponseSpec, 6, value), response);
  });
});

describe('OffsetForLeaderEpoch (no kafkajs fixtures: kafkajs does not implement it)', () => {
  it('v0 request and response', () => {
    const request = new Bytes().arrayLength(1).string('t').arrayLength(1).int32(0).int32(3).build();
    expect(decodeExactly(OffsetForLeaderEpochRequestSpec, 0, request)).toEqual({
      replicaId: -2,
      topics: [{ topic: 't', partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: 3 }] }],
    });
    const response = new Bytes().arrayLength(1).string('t').arrayLength(1).int16(0).int32(0).int64(120).build();
    expect(decodeExactly(OffsetForLeaderEpochResponseSpec, 0, response)).toEqual({
      throttleTimeMs: 0,
      topics: [{ topic: 't', partitions: [{ errorCode: 0, partition: 0, leaderEpoch: -1, endOffset: 120 }] }],
    });
  });

  it('v3 request: replica id first, current leader epoch before the asked epoch', () => {
    const request = new Bytes().int32(-1).arrayLength(1).string('t').arrayLength(1).int32(4).int32(9).int32(8).build();
    expect(decodeExactly(OffsetForLeaderEpochRequestSpec, 3, request)).toEqual({
      replicaId: -1,
      topics: [{ topic: 't', partitions: [{ partition: 4, currentLeaderEpoch: 9, leaderEpoch: 8 }] }],
    });
  });

  it('v4 (flexible) response, as @platformatic/kafka reads it', () => {
    const response = new Bytes()
      .int32(0)
      .compactArrayLength(1)
      .compactString('t')
      .compactArrayLength(1)
      .int16(74) // FENCED_LEADER_EPOCH
      .int32(4)
      .int32(-1)
      .int64(-1)
      .noTags()
      .noTags()
      .noTags()
      .build();
    const value = { throttleTimeMs: 0, topics: [{ topic: 't', partitions: [{ errorCode: 74, partition: 4, leaderEpoch: -1, endOffset: -1 }] }] };
    expect(decodeExactly(OffsetForLeaderEpochResponseSpec, 4, response)).toMatchObject(value);
    expectSameBytes(encodeMessage(OffsetForLeaderEpochResponseSpec, 4, value), response);
  });
});

describe('InitProducerId', () => {
  it.each(fixturesOf('initProducerId').map((f) => [f.file, f] as const))('%s decodes and re-encodes byte for byte', (_file, f) => {
    decodeExactly(f.kind === 'request' ? InitProducerIdRequestSpec : InitProducerIdResponseSpec, f.version, f.bytes);
  });

  it('v0 (and v1, same layout): a transactional id and timeout; producer id 1006, epoch 0', () => {
    for (const version of [0, 1]) {
      expect(decodeExactly(InitProducerIdRequestSpec, version, fixture('initProducerId', 'v0_request.json'))).toEqual({
        transactionalId: 'initproduceridtransaction',
        transactionTimeoutMs: 30000,
        producerId: -1,
        producerEpoch: -1,
      });
      expect(decodeExactly(InitProducerIdResponseSpec, version, fixture('initProducerId', 'v0_response.json'))).toEqual({
        throttleTimeMs: 0,
        errorCode: 0,
        producerId: 1006,
        producerEpoch: 0,
      });
    }
  });

  it('v4 (flexible, librdkafka idempotent producer): null transactional id, producer id and epoch -1', () => {
    const request = new Bytes().compactString(null).int32(60000).int64(-1).int16(-1).noTags().build();
    expect(decodeExactly(InitProducerIdRequestSpec, 4, request)).toMatchObject({
      transactionalId: null,
      transactionTimeoutMs: 60000,
      producerId: -1,
      producerEpoch: -1,
    });
    const v2 = new Bytes().compactString(null).int32(60000).noTags().build();
    expect(decodeExactly(InitProducerIdRequestSpec, 2, v2)).toMatchObject({ transactionalId: null, producerId: -1, producerEpoch: -1 });
    const response = new Bytes()
      .int32(0)
      .int16(0)
      .int64(2 ** 40 + 5)
      .int16(3)
      .noTags()
      .build();
    const value = { throttleTimeMs: 0, errorCode: 0, producerId: 2 ** 40 + 5, producerEpoch: 3 };
    expect(decodeExactly(InitProducerIdResponseSpec, 4, response)).toMatchObject(value);
    expectSameBytes(encodeMessage(InitProducerIdResponseSpec, 5, value), response);
  });
});
