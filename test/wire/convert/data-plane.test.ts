// The data-plane converters (Produce, Fetch, ListOffsets, OffsetForLeaderEpoch, Metadata, InitProducerId, DeleteRecords):
// core messages survive the wire at every version they handle (for the fields that version has), error
// responses encode and say what the core's errorResponse says, bad record sets name Kafka's error code,
// and kafkajs's captured bodies read as the core messages they are.
import { describe, expect, it } from 'vitest';
import type { NodeId } from '../../../core/env.ts';
import type {
  DeleteRecordsRequest,
  DeleteRecordsResponse,
  FetchRequest,
  FetchResponse,
  InitProducerIdRequest,
  InitProducerIdResponse,
  ListOffsetsRequest,
  ListOffsetsResponse,
  MetadataRequest,
  MetadataResponse,
  OffsetForLeaderEpochRequest,
  OffsetForLeaderEpochResponse,
  ProduceRequest,
  ProduceResponse,
} from '../../../core/protocol/data.ts';
import { errorResponse as coreErrorResponse } from '../../../core/protocol/error-response.ts';
import { ErrorCode } from '../../../core/protocol/errors.ts';
import { decodedFields, type RecordBatch } from '../../../core/protocol/records.ts';
import { DeleteRecordsRequestSpec, DeleteRecordsResponseSpec } from '../../../core/wire/apis/delete-records.ts';
import { FetchRequestSpec, FetchResponseSpec } from '../../../core/wire/apis/fetch.ts';
import { InitProducerIdRequestSpec, InitProducerIdResponseSpec } from '../../../core/wire/apis/init-producer-id.ts';
import { ListOffsetsRequestSpec, ListOffsetsResponseSpec } from '../../../core/wire/apis/list-offsets.ts';
import { MetadataRequestSpec, MetadataResponseSpec } from '../../../core/wire/apis/metadata.ts';
import { OffsetForLeaderEpochRequestSpec, OffsetForLeaderEpochResponseSpec } from '../../../core/wire/apis/offset-for-leader-epoch.ts';
import { ProduceRequestSpec, ProduceResponseSpec } from '../../../core/wire/apis/produce.ts';
import { CODEC_IDS, NO_COMPRESSORS, type Codec, type Compressors } from '../../../core/wire/compression.ts';
import { NUMERIC_IDS, WireRequestError, type ApiConverter, type TopicIds, type WireContext, type WireStruct } from '../../../core/wire/convert/converter.ts';
import { deleteRecordsConverter } from '../../../core/wire/convert/delete-records.ts';
import { dataFetchConverter } from '../../../core/wire/convert/fetch.ts';
import { initProducerIdConverter } from '../../../core/wire/convert/init-producer-id.ts';
import { listOffsetsConverter } from '../../../core/wire/convert/list-offsets.ts';
import { metadataConverter } from '../../../core/wire/convert/metadata.ts';
import { offsetForLeaderEpochConverter } from '../../../core/wire/convert/offset-for-leader-epoch.ts';
import { produceConverter } from '../../../core/wire/convert/produce.ts';
import { decodeMessage, encodeMessage, ZERO_UUID } from '../../../core/wire/message-codec.ts';
import type { MessageSpec } from '../../../core/wire/spec.ts';
import { decodeRecordSet, encodeRecordBatch } from '../../../core/wire/record-batch.ts';
import { NODE_COMPRESSORS } from '../../../net/compression.ts';
import { fixture } from '../apis/helpers.ts';

// ---- Context and helpers ----

/** A topic id as Kafka's Uuid text: 16 bytes in base64url. */
const uuidOf = (seed: number) => Buffer.from(Array.from({ length: 16 }, (_, i) => (seed * 37 + i * 11 + 1) & 0xff)).toString('base64url');

const TOPIC_IDS = new Map([
  ['orders', uuidOf(1)],
  ['payments', uuidOf(2)],
]);
const TOPICS: TopicIds = {
  idOf: (name) => TOPIC_IDS.get(name) ?? null,
  nameOf: (id) => [...TOPIC_IDS].find(([, v]) => v === id)?.[0] ?? null,
};

const contextWith = (compressors: Compressors): WireContext => ({ ids: NUMERIC_IDS, compressors, topics: TOPICS });
const CTX = contextWith(NO_COMPRESSORS);

const range = (min: number, max: number) => Array.from({ length: max - min + 1 }, (_, i) => min + i);

interface Api<Req extends { correlationId: number }, Res extends { correlationId: number }> {
  converter: ApiConverter<Req, Res>;
  request: MessageSpec;
  response: MessageSpec;
}

const PRODUCE: Api<ProduceRequest, ProduceResponse> = { converter: produceConverter, request: ProduceRequestSpec, response: ProduceResponseSpec };
const FETCH: Api<FetchRequest, FetchResponse> = { converter: dataFetchConverter, request: FetchRequestSpec, response: FetchResponseSpec };
const LIST_OFFSETS: Api<ListOffsetsRequest, ListOffsetsResponse> = {
  converter: listOffsetsConverter,
  request: ListOffsetsRequestSpec,
  response: ListOffsetsResponseSpec,
};
const OFFSET_FOR_LEADER_EPOCH: Api<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse> = {
  converter: offsetForLeaderEpochConverter,
  request: OffsetForLeaderEpochRequestSpec,
  response: OffsetForLeaderEpochResponseSpec,
};
const METADATA: Api<MetadataRequest, MetadataResponse> = { converter: metadataConverter, request: MetadataRequestSpec, response: MetadataResponseSpec };
const DELETE_RECORDS: Api<DeleteRecordsRequest, DeleteRecordsResponse> = {
  converter: deleteRecordsConverter,
  request: DeleteRecordsRequestSpec,
  response: DeleteRecordsResponseSpec,
};
const INIT_PRODUCER_ID: Api<InitProducerIdRequest, InitProducerIdResponse> = {
  converter: initProducerIdConverter,
  request: InitProducerIdRequestSpec,
  response: InitProducerIdResponseSpec,
};

/** The body a server reads: the converter's struct through the codec's bytes. */
function requestBody<Req extends { correlationId: number }>(api: Api<Req, { correlationId: number }>, req: Req, version: number, ctx = CTX): WireStruct {
  return decodeMessage(api.request, version, encodeMessage(api.request, version, api.converter.requestToWire(req, version, ctx)));
}

function requestViaWire<Req extends { correlationId: number }>(api: Api<Req, { correlationId: number }>, req: Req, version: number, ctx = CTX): Req {
  return api.converter.requestFromWire(requestBody(api, req, version, ctx), version, req.correlationId, ctx);
}

function responseViaWire<Res extends { correlationId: number }>(api: Api<{ correlationId: number }, Res>, res: Res, version: number, ctx = CTX): Res {
  const body = decodeMessage(api.response, version, encodeMessage(api.response, version, api.converter.responseToWire(res, version, ctx)));
  return api.converter.responseFromWire(body, version, res.correlationId, ctx);
}

/** The error a call throws (failing when it throws none). */
function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return expect.fail('expected an error');
}

function expectWireError(f: () => unknown, errorCode: number, message?: RegExp): void {
  const e = thrown(f);
  expect(e).toBeInstanceOf(WireRequestError);
  expect((e as WireRequestError).errorCode).toBe(errorCode);
  if (message !== undefined) expect((e as Error).message).toMatch(message);
}

/** A batch as a producer sends it (or a leader stores it), decoded from its bytes so that wireBytes are set. */
function batchOf(firstValue: number, count: number, options: { attributes?: number; baseOffset?: number; compressors?: Compressors } = {}): RecordBatch {
  const compressors = options.compressors ?? NO_COMPRESSORS;
  const bytes = encodeRecordBatch(
    {
      baseOffset: options.baseOffset ?? 0,
      partitionLeaderEpoch: -1,
      attributes: options.attributes ?? 0,
      lastOffsetDelta: count - 1,
      baseTimestamp: 1700000000000,
      maxTimestamp: 1700000000000 + count - 1,
      producerId: 4004,
      producerEpoch: 0,
      baseSequence: firstValue,
      records: range(0, count - 1).map((i) => ({
        offsetDelta: i,
        timestampDelta: i,
        key: i % 2 === 0 ? `key-${firstValue + i}` : null,
        value: `value-${firstValue + i}\u00ff\u0000`,
        headers: i === 0 ? [{ key: 'trace', value: 'abc' }] : [],
      })),
    },
    { compressors },
  );
  const { batches } = decodeRecordSet(bytes, compressors);
  expect(batches).toHaveLength(1);
  return batches[0]!;
}

const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

// ---- Produce ----

const produceRequest: ProduceRequest = {
  api: 'Produce',
  kind: 'request',
  correlationId: 11,
  transactionalId: 'txn-7',
  acks: -1,
  timeoutMs: 30000,
  topicData: [
    {
      name: 'orders',
      partitionData: [
        { index: 0, records: batchOf(0, 3) },
        { index: 2, records: batchOf(10, 1) },
      ],
    },
    { name: 'payments', partitionData: [{ index: 1, records: batchOf(20, 5) }] },
  ],
};

const produceResponse: ProduceResponse = {
  api: 'Produce',
  kind: 'response',
  correlationId: 11,
  responses: [
    {
      name: 'orders',
      partitionResponses: [
        { index: 0, errorCode: 0, baseOffset: 42, logAppendTimeMs: 1700000000123, logStartOffset: 7, errorMessage: null, currentLeader: null },
        {
          index: 2,
          errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER,
          baseOffset: -1,
          logAppendTimeMs: -1,
          logStartOffset: -1,
          errorMessage: 'not the leader',
          currentLeader: { leaderId: '2', leaderEpoch: 5 },
        },
      ],
    },
  ],
  throttleTimeMs: 0,
};

/** The response as a client at `version` sees it: fields its version lacks at Kafka's defaults. */
function produceResponseAt(res: ProduceResponse, version: number): ProduceResponse {
  return {
    ...res,
    responses: res.responses.map((t) => ({
      ...t,
      partitionResponses: t.partitionResponses.map((p) => ({
        ...p,
        logStartOffset: version >= 5 ? p.logStartOffset : -1,
        errorMessage: version >= 8 ? p.errorMessage : null,
        currentLeader: version >= 10 ? p.currentLeader : null,
      })),
    })),
  };
}

describe('Produce', () => {
  it('serves v3-v8 (RecordBatch v2 only)', () => {
    expect(produceConverter.served).toEqual({ min: 3, max: 8 });
  });

  it.each(range(3, 11))('v%i request: the same core request after the wire, each batch keeping its bytes', (version) => {
    const back = requestViaWire(PRODUCE, produceRequest, version);
    expect(back).toEqual(produceRequest);
    for (const [t, topic] of back.topicData.entries()) {
      for (const [p, partition] of topic.partitionData.entries()) {
        expect(Buffer.from(partition.records.wireBytes!)).toEqual(Buffer.from(produceRequest.topicData[t]!.partitionData[p]!.records.wireBytes!));
      }
    }
  });

  it.each(range(3, 11))('v%i response: offsets, log start offset (v5+), error message (v8+), current leader (v10+)', (version) => {
    expect(responseViaWire(PRODUCE, produceResponse, version)).toEqual(produceResponseAt(produceResponse, version));
  });

  it('v10 response writes the current leader as broker id 2 (tag 0), and no tag for a partition without a hint', () => {
    const wire = produceConverter.responseToWire(produceResponse, 10, CTX) as { responses: { partitionResponses: Record<string, unknown>[] }[] };
    expect(wire.responses[0]!.partitionResponses[0]!.currentLeader).toBeUndefined();
    expect(wire.responses[0]!.partitionResponses[1]!.currentLeader).toEqual({ leaderId: 2, leaderEpoch: 5 });
    expect(wire.responses[0]!.partitionResponses[1]!.recordErrors).toEqual([]);
  });

  it('acks=0 expects no response; acks 1 and -1 (and an invalid acks, which gets an error) do', () => {
    const body = (acks: number) => ({ ...requestBody(PRODUCE, produceRequest, 7), acks });
    expect(produceConverter.expectsResponse!(body(0))).toBe(false);
    expect(produceConverter.expectsResponse!(body(1))).toBe(true);
    expect(produceConverter.expectsResponse!(body(-1))).toBe(true);
    expect(produceConverter.expectsResponse!(body(2))).toBe(true);
    expect(produceConverter.requestFromWire(body(0), 7, 1, CTX).acks).toBe(0);
  });

  it('acks outside -1, 0, 1: INVALID_REQUIRED_ACKS', () => {
    const body = { ...requestBody(PRODUCE, produceRequest, 7), acks: 2 };
    expectWireError(() => produceConverter.requestFromWire(body, 7, 1, CTX), ErrorCode.INVALID_REQUIRED_ACKS, /acks/);
  });

  /** A v7 request body for one partition holding `records`. */
  const bodyWith = (records: Uint8Array | null): WireStruct => ({
    transactionalId: null,
    acks: 1,
    timeoutMs: 1000,
    topicData: [{ name: 'orders', partitionData: [{ index: 0, records }] }],
  });

  it('a corrupt CRC: CORRUPT_MESSAGE', () => {
    const bytes = batchOf(0, 3).wireBytes!.slice();
    bytes[bytes.length - 2]! ^= 0x40;
    expectWireError(() => produceConverter.requestFromWire(bodyWith(bytes), 7, 1, CTX), ErrorCode.CORRUPT_MESSAGE, /orders-0.*CRC mismatch/);
  });

  it('two batches in one partition: INVALID_RECORD', () => {
    const records = concat(batchOf(0, 1).wireBytes!, batchOf(1, 1).wireBytes!);
    expectWireError(() => produceConverter.requestFromWire(bodyWith(records), 7, 1, CTX), ErrorCode.INVALID_RECORD, /exactly one record batch/);
  });

  it('no batch (null or empty records): INVALID_RECORD', () => {
    expectWireError(() => produceConverter.requestFromWire(bodyWith(null), 7, 1, CTX), ErrorCode.INVALID_RECORD);
    expectWireError(() => produceConverter.requestFromWire(bodyWith(new Uint8Array(0)), 7, 1, CTX), ErrorCode.INVALID_RECORD);
  });

  it('a batch followed by part of another: CORRUPT_MESSAGE (a producer never cuts a batch)', () => {
    const records = concat(batchOf(0, 1).wireBytes!, batchOf(1, 1).wireBytes!.subarray(0, 30));
    expectWireError(() => produceConverter.requestFromWire(bodyWith(records), 7, 1, CTX), ErrorCode.CORRUPT_MESSAGE, /after the last whole batch/);
  });

  it('a gzip batch: UNSUPPORTED_COMPRESSION_TYPE without gzip, the same batch with it', () => {
    const gzipped = batchOf(0, 4, { attributes: CODEC_IDS.gzip, compressors: NODE_COMPRESSORS });
    expectWireError(() => produceConverter.requestFromWire(bodyWith(gzipped.wireBytes!), 7, 1, CTX), ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, /gzip/);
    const req = produceConverter.requestFromWire(bodyWith(gzipped.wireBytes!), 7, 1, contextWith(NODE_COMPRESSORS));
    expect(decodedFields(req.topicData[0]!.partitionData[0]!.records)).toEqual(decodedFields(gzipped));
  });

  it('a zstd batch before Produce v7: UNSUPPORTED_COMPRESSION_TYPE even with a zstd codec (KIP-110)', () => {
    const identity: Codec = { compress: (d) => d, decompress: (d) => d };
    const ctx = contextWith({ zstd: identity });
    const zstd = batchOf(0, 2, { attributes: CODEC_IDS.zstd, compressors: ctx.compressors });
    expectWireError(() => produceConverter.requestFromWire(bodyWith(zstd.wireBytes!), 6, 1, ctx), ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, /zstd/);
    expect(produceConverter.requestFromWire(bodyWith(zstd.wireBytes!), 7, 1, ctx).topicData[0]!.partitionData[0]!.records.records).toHaveLength(2);
  });

  it('a message set of magic 1 (kafkajs Produce v2): INVALID_RECORD, as Kafka answers old formats in Produce v3+', () => {
    const body = decodeMessage(ProduceRequestSpec, 2, fixture('produce', 'v2_request.json'));
    expectWireError(() => produceConverter.requestFromWire(body, 2, 1, CTX), ErrorCode.INVALID_RECORD, /magic 1/);
  });

  it('a requestToWire for a client encodes batches without wire bytes (gzip through the context)', () => {
    const { wireBytes: _bytes, ...fields } = batchOf(0, 3, { attributes: CODEC_IDS.gzip, compressors: NODE_COMPRESSORS });
    const req: ProduceRequest = { ...produceRequest, topicData: [{ name: 'orders', partitionData: [{ index: 0, records: fields }] }] };
    const back = requestViaWire(PRODUCE, req, 8, contextWith(NODE_COMPRESSORS));
    expect(decodedFields(back.topicData[0]!.partitionData[0]!.records)).toEqual(fields);
  });
});

// ---- Fetch ----

const consumerFetch: FetchRequest = {
  api: 'Fetch',
  kind: 'request',
  correlationId: 21,
  replicaId: null,
  replicaEpoch: -1,
  maxWaitMs: 500,
  minBytes: 1,
  maxBytes: 52428800,
  isolationLevel: 1,
  topics: [
    {
      topic: 'orders',
      partitions: [
        { partition: 0, currentLeaderEpoch: 3, fetchOffset: 100, lastFetchedEpoch: 2, logStartOffset: -1, partitionMaxBytes: 1048576 },
        { partition: 1, currentLeaderEpoch: 3, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1048576 },
      ],
    },
    {
      topic: 'payments',
      partitions: [{ partition: 4, currentLeaderEpoch: -1, fetchOffset: 9, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 65536 }],
    },
  ],
};

const followerFetch: FetchRequest = {
  ...consumerFetch,
  correlationId: 22,
  replicaId: '2',
  replicaEpoch: 1234,
  isolationLevel: 0,
  topics: [
    {
      topic: 'orders',
      partitions: [{ partition: 0, currentLeaderEpoch: 3, fetchOffset: 57, lastFetchedEpoch: 3, logStartOffset: 12, partitionMaxBytes: 1048576 }],
    },
  ],
};

/** The request as a server at `version` reads it. */
function fetchRequestAt(req: FetchRequest, version: number): FetchRequest {
  return {
    ...req,
    replicaEpoch: version >= 15 ? req.replicaEpoch : -1,
    topics: req.topics.map((t) => ({
      ...t,
      partitions: t.partitions.map((p) => ({
        ...p,
        currentLeaderEpoch: version >= 9 ? p.currentLeaderEpoch : -1,
        lastFetchedEpoch: version >= 12 ? p.lastFetchedEpoch : -1,
        logStartOffset: version >= 5 ? p.logStartOffset : -1,
      })),
    })),
  };
}

const fetchResponse: FetchResponse = {
  api: 'Fetch',
  kind: 'response',
  correlationId: 21,
  errorCode: 0,
  topics: [
    {
      topic: 'orders',
      partitions: [
        {
          partitionIndex: 0,
          errorCode: 0,
          highWatermark: 108,
          lastStableOffset: 108,
          logStartOffset: 12,
          divergingEpoch: null,
          abortedTransactions: null,
          currentLeader: { leaderId: null, leaderEpoch: -1 },
          records: [batchOf(100, 3, { baseOffset: 100 }), batchOf(103, 5, { baseOffset: 103 })],
        },
        {
          partitionIndex: 1,
          errorCode: ErrorCode.FENCED_LEADER_EPOCH,
          highWatermark: -1,
          lastStableOffset: -1,
          logStartOffset: -1,
          divergingEpoch: null,
          abortedTransactions: null,
          currentLeader: { leaderId: '3', leaderEpoch: 4 },
          records: [],
        },
      ],
    },
    {
      topic: 'payments',
      partitions: [
        {
          partitionIndex: 4,
          errorCode: 0,
          highWatermark: 9,
          lastStableOffset: 9,
          logStartOffset: 0,
          divergingEpoch: { endOffset: 7, epoch: 2 },
          abortedTransactions: null,
          currentLeader: { leaderId: null, leaderEpoch: -1 },
          records: [],
        },
      ],
    },
  ],
};

function fetchResponseAt(res: FetchResponse, version: number): FetchResponse {
  return {
    ...res,
    errorCode: version >= 7 ? res.errorCode : 0,
    topics: res.topics.map((t) => ({
      ...t,
      partitions: t.partitions.map((p) => ({
        ...p,
        logStartOffset: version >= 5 ? p.logStartOffset : -1,
        divergingEpoch: version >= 12 ? p.divergingEpoch : null,
        abortedTransactions: null,
        currentLeader: version >= 12 ? p.currentLeader : { leaderId: null, leaderEpoch: -1 },
      })),
    })),
  };
}

describe('Fetch (data partitions)', () => {
  it('serves v4-v12 and speaks v15 between Samsa nodes (replicaState, KIP-903)', () => {
    expect(dataFetchConverter.served).toEqual({ min: 4, max: 12 });
    expect(dataFetchConverter.internalVersion).toBe(15);
  });

  it.each(range(4, 17))('v%i consumer request: replica id -1 is none, epochs where the version has them', (version) => {
    expect(requestViaWire(FETCH, consumerFetch, version)).toEqual(fetchRequestAt(consumerFetch, version));
  });

  it.each(range(4, 17))("v%i follower request: the follower's id (in replicaState from v15) and its broker epoch (v15+)", (version) => {
    const body = requestBody(FETCH, followerFetch, version) as { replicaId: number; replicaState: { replicaId: number; replicaEpoch: number } };
    if (version >= 15) expect(body.replicaState).toEqual({ replicaId: 2, replicaEpoch: 1234 });
    else expect(body.replicaId).toBe(2);
    expect(requestViaWire(FETCH, followerFetch, version)).toEqual(fetchRequestAt(followerFetch, version));
  });

  it('sends sessionless full fetches: session id 0, epoch -1, nothing forgotten', () => {
    expect(requestBody(FETCH, consumerFetch, 12)).toMatchObject({ sessionId: 0, sessionEpoch: -1, forgottenTopicsData: [] });
  });

  it('v13+ name topics by id from the context', () => {
    const body = requestBody(FETCH, consumerFetch, 13) as { topics: { topicId: string }[] };
    expect(body.topics.map((t) => t.topicId)).toEqual([TOPIC_IDS.get('orders'), TOPIC_IDS.get('payments')]);
  });

  it.each(range(4, 17))('v%i response: batches with their bytes, watermarks, diverging epoch and current leader (v12+)', (version) => {
    const back = responseViaWire(FETCH, fetchResponse, version);
    expect(back).toEqual(fetchResponseAt(fetchResponse, version));
    expect(back.topics[0]!.partitions[0]!.records.map((b) => b.baseOffset)).toEqual([100, 103]);
  });

  it('responses answer sessionless (session id 0), with no aborted transactions (null: read_uncommitted) and no preferred read replica', () => {
    const wire = dataFetchConverter.responseToWire(fetchResponse, 12, CTX) as {
      sessionId: number;
      responses: { partitions: Record<string, unknown>[] }[];
    };
    expect(wire.sessionId).toBe(0);
    expect(wire.responses[0]!.partitions[0]).toMatchObject({ abortedTransactions: null, preferredReadReplica: -1 });
    expect(wire.responses[0]!.partitions[1]!.records).toEqual(new Uint8Array(0));
  });

  it('a compressed batch without wire bytes is encoded with the context’s codecs', () => {
    const { wireBytes: _bytes, ...gzipped } = batchOf(0, 3, { attributes: CODEC_IDS.gzip, compressors: NODE_COMPRESSORS });
    const res: FetchResponse = {
      ...fetchResponse,
      topics: [{ topic: 'orders', partitions: [{ ...fetchResponse.topics[0]!.partitions[0]!, records: [gzipped] }] }],
    };
    const ctx = contextWith(NODE_COMPRESSORS);
    expect(decodedFields(responseViaWire(FETCH, res, 11, ctx).topics[0]!.partitions[0]!.records[0]!)).toEqual(gzipped);
    // A client without gzip sees the partition fail with UNSUPPORTED_COMPRESSION_TYPE, not a crash.
    const body = decodeMessage(FetchResponseSpec, 11, encodeMessage(FetchResponseSpec, 11, dataFetchConverter.responseToWire(res, 11, ctx)));
    expect(dataFetchConverter.responseFromWire(body, 11, 1, CTX).topics[0]!.partitions[0]).toMatchObject({
      errorCode: ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
      records: [],
    });
  });

  it('a trailing partial batch (cut at the size limit) is dropped', () => {
    const whole = batchOf(0, 2).wireBytes!;
    const body = decodeMessage(FetchResponseSpec, 11, encodeMessage(FetchResponseSpec, 11, dataFetchConverter.responseToWire(fetchResponse, 11, CTX)));
    const partition = (body as { responses: { partitions: { records: Uint8Array }[] }[] }).responses[0]!.partitions[0]!;
    partition.records = concat(whole, batchOf(2, 4).wireBytes!.subarray(0, 40));
    const back = dataFetchConverter.responseFromWire(body, 11, 1, CTX).topics[0]!.partitions[0]!;
    expect(back.errorCode).toBe(0);
    expect(back.records.map(decodedFields)).toEqual([decodedFields(batchOf(0, 2))]);
  });

  it('v13+: an unknown topic id reaches the core under a name no topic has, and comes back as UNKNOWN_TOPIC_ID with its id', () => {
    const unknownId = uuidOf(99);
    const body = requestBody(FETCH, consumerFetch, 13) as { topics: { topicId: string }[] };
    body.topics[1]!.topicId = unknownId;
    const req = dataFetchConverter.requestFromWire(body, 13, 5, CTX);
    expect(req.topics[0]!.topic).toBe('orders');
    const standIn = req.topics[1]!.topic;
    expect(standIn).not.toMatch(/^[a-zA-Z0-9._-]+$/);
    // The core answers it as any topic it does not have.
    const res = coreErrorResponse(req, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) as FetchResponse;
    const answer: FetchResponse = { ...res, errorCode: 0, topics: [fetchResponse.topics[0]!, res.topics[1]!] };
    const wire = decodeMessage(FetchResponseSpec, 13, encodeMessage(FetchResponseSpec, 13, dataFetchConverter.responseToWire(answer, 13, CTX))) as {
      responses: { topicId: string; partitions: { errorCode: number }[] }[];
    };
    expect(wire.responses.map((t) => t.topicId)).toEqual([TOPIC_IDS.get('orders'), unknownId]);
    expect(wire.responses[0]!.partitions.map((p) => p.errorCode)).toEqual([0, ErrorCode.FENCED_LEADER_EPOCH]);
    expect(wire.responses[1]!.partitions.map((p) => p.errorCode)).toEqual([ErrorCode.UNKNOWN_TOPIC_ID]);
    // A client that does not know the id either keeps the stand-in name, with Kafka's error.
    const back = dataFetchConverter.responseFromWire(wire, 13, 5, CTX);
    expect(back.topics[1]).toMatchObject({ topic: standIn, partitions: [{ errorCode: ErrorCode.UNKNOWN_TOPIC_ID }] });
  });

  it('v13+: a request for a topic whose id the sender does not know cannot be written', () => {
    const req: FetchRequest = { ...consumerFetch, topics: [{ topic: 'unknown', partitions: consumerFetch.topics[0]!.partitions }] };
    expectWireError(() => dataFetchConverter.requestToWire(req, 13, CTX), ErrorCode.UNKNOWN_TOPIC_ID, /unknown/);
    expect(dataFetchConverter.requestToWire(req, 12, CTX)).toMatchObject({ topics: [{ topic: 'unknown' }] });
  });

  it('an incremental fetch (session epoch > 0) names a session that does not exist: FETCH_SESSION_ID_NOT_FOUND', () => {
    const body = { ...requestBody(FETCH, consumerFetch, 11), sessionId: 77, sessionEpoch: 3 };
    expectWireError(() => dataFetchConverter.requestFromWire(body, 11, 1, CTX), ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
    // Asking for a new session (epoch 0, as the Java consumer does) is a full fetch that the answer's session id 0 declines.
    const initial = { ...requestBody(FETCH, consumerFetch, 11), sessionId: 0, sessionEpoch: 0 };
    expect(dataFetchConverter.requestFromWire(initial, 11, 1, CTX).topics).toHaveLength(2);
  });

  it('an isolation level other than 0 and 1: INVALID_REQUEST', () => {
    const body = { ...requestBody(FETCH, consumerFetch, 11), isolationLevel: 2 };
    expectWireError(() => dataFetchConverter.requestFromWire(body, 11, 1, CTX), ErrorCode.INVALID_REQUEST);
  });
});

// ---- ListOffsets ----

const listOffsetsRequest: ListOffsetsRequest = {
  api: 'ListOffsets',
  kind: 'request',
  correlationId: 31,
  replicaId: null,
  isolationLevel: 1,
  topics: [
    {
      name: 'orders',
      partitions: [
        { partitionIndex: 0, currentLeaderEpoch: 4, timestamp: -1 },
        { partitionIndex: 1, currentLeaderEpoch: 4, timestamp: -2 },
      ],
    },
    { name: 'payments', partitions: [{ partitionIndex: 3, currentLeaderEpoch: -1, timestamp: 1700000000000 }] },
  ],
};

const listOffsetsResponse: ListOffsetsResponse = {
  api: 'ListOffsets',
  kind: 'response',
  correlationId: 31,
  topics: [
    {
      name: 'orders',
      partitions: [
        { partitionIndex: 0, errorCode: 0, timestamp: -1, offset: 108, leaderEpoch: 4 },
        { partitionIndex: 1, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER, timestamp: -1, offset: -1, leaderEpoch: -1 },
      ],
    },
    { name: 'payments', partitions: [{ partitionIndex: 3, errorCode: 0, timestamp: 1700000000004, offset: 17, leaderEpoch: 2 }] },
  ],
};

describe('ListOffsets', () => {
  it('serves v1-v5', () => {
    expect(listOffsetsConverter.served).toEqual({ min: 1, max: 5 });
  });

  it.each(range(0, 10))('v%i request: isolation level (v2+) and current leader epoch (v4+)', (version) => {
    expect(requestViaWire(LIST_OFFSETS, listOffsetsRequest, version)).toEqual({
      ...listOffsetsRequest,
      isolationLevel: version >= 2 ? 1 : 0,
      topics: listOffsetsRequest.topics.map((t) => ({
        ...t,
        partitions: t.partitions.map((p) => ({ ...p, currentLeaderEpoch: version >= 4 ? p.currentLeaderEpoch : -1 })),
      })),
    });
  });

  it.each(range(0, 10))('v%i response: the offset (v0 in its offsets array), timestamp (v1+), leader epoch (v4+)', (version) => {
    expect(responseViaWire(LIST_OFFSETS, listOffsetsResponse, version)).toEqual({
      ...listOffsetsResponse,
      topics: listOffsetsResponse.topics.map((t) => ({
        ...t,
        partitions: t.partitions.map((p) => ({ ...p, timestamp: version >= 1 ? p.timestamp : -1, leaderEpoch: version >= 4 ? p.leaderEpoch : -1 })),
      })),
    });
  });

  it("a follower's replica id", () => {
    expect(requestViaWire(LIST_OFFSETS, { ...listOffsetsRequest, replicaId: '1' }, 5).replicaId).toBe('1');
  });
});

// ---- OffsetForLeaderEpoch ----

const offsetForLeaderEpochRequest: OffsetForLeaderEpochRequest = {
  api: 'OffsetForLeaderEpoch',
  kind: 'request',
  correlationId: 41,
  replicaId: '3',
  topics: [
    {
      topic: 'orders',
      partitions: [
        { partition: 0, currentLeaderEpoch: 5, leaderEpoch: 4 },
        { partition: 2, currentLeaderEpoch: 5, leaderEpoch: 5 },
      ],
    },
  ],
};

const offsetForLeaderEpochResponse: OffsetForLeaderEpochResponse = {
  api: 'OffsetForLeaderEpoch',
  kind: 'response',
  correlationId: 41,
  topics: [
    {
      topic: 'orders',
      partitions: [
        { errorCode: 0, partition: 0, leaderEpoch: 4, endOffset: 97 },
        { errorCode: ErrorCode.FENCED_LEADER_EPOCH, partition: 2, leaderEpoch: -1, endOffset: -1 },
      ],
    },
  ],
};

describe('OffsetForLeaderEpoch', () => {
  it('serves v0-v4', () => {
    expect(offsetForLeaderEpochConverter.served).toEqual({ min: 0, max: 4 });
  });

  it.each(range(0, 4))('v%i request: replica id (v3+; before, none), current leader epoch (v2+)', (version) => {
    expect(requestViaWire(OFFSET_FOR_LEADER_EPOCH, offsetForLeaderEpochRequest, version)).toEqual({
      ...offsetForLeaderEpochRequest,
      replicaId: version >= 3 ? '3' : null,
      topics: offsetForLeaderEpochRequest.topics.map((t) => ({
        ...t,
        partitions: t.partitions.map((p) => ({ ...p, currentLeaderEpoch: version >= 2 ? p.currentLeaderEpoch : -1 })),
      })),
    });
    expect(requestViaWire(OFFSET_FOR_LEADER_EPOCH, { ...offsetForLeaderEpochRequest, replicaId: null }, version).replicaId).toBeNull();
  });

  it.each(range(0, 4))('v%i response: leader epoch (v1+) and end offset', (version) => {
    expect(responseViaWire(OFFSET_FOR_LEADER_EPOCH, offsetForLeaderEpochResponse, version)).toEqual({
      ...offsetForLeaderEpochResponse,
      topics: offsetForLeaderEpochResponse.topics.map((t) => ({
        ...t,
        partitions: t.partitions.map((p) => ({ ...p, leaderEpoch: version >= 1 ? p.leaderEpoch : -1 })),
      })),
    });
  });
});

// ---- Metadata ----

const metadataRequest: MetadataRequest = { api: 'Metadata', kind: 'request', correlationId: 51, topics: ['orders', 'payments'], allowAutoTopicCreation: false };

const metadataResponse: MetadataResponse = {
  api: 'Metadata',
  kind: 'response',
  correlationId: 51,
  brokers: [
    { nodeId: '1', host: 'broker-1.local', port: 9092, rack: 'rack-a' },
    { nodeId: '2', host: 'broker-2.local', port: 9093, rack: null },
  ],
  clusterId: 'samsa-cluster',
  controllerId: '1',
  topics: [
    {
      errorCode: 0,
      name: 'orders',
      topicId: TOPIC_IDS.get('orders')!,
      isInternal: false,
      partitions: [
        { errorCode: 0, partitionIndex: 0, leaderId: '1', leaderEpoch: 3, replicaNodes: ['1', '2'], isrNodes: ['1'], offlineReplicas: ['2'] },
        {
          errorCode: ErrorCode.LEADER_NOT_AVAILABLE,
          partitionIndex: 1,
          leaderId: null,
          leaderEpoch: -1,
          replicaNodes: ['2'],
          isrNodes: [],
          offlineReplicas: [],
        },
      ],
    },
    { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name: 'payments', topicId: null, isInternal: true, partitions: [] },
  ],
};

function metadataResponseAt(res: MetadataResponse, version: number): MetadataResponse {
  return {
    ...res,
    brokers: res.brokers.map((b) => ({ ...b, rack: version >= 1 ? b.rack : null })),
    clusterId: version >= 2 ? res.clusterId : '',
    controllerId: version >= 1 ? res.controllerId : null,
    topics: res.topics.map((t) => ({
      ...t,
      topicId: version >= 10 ? t.topicId : null,
      isInternal: version >= 1 ? t.isInternal : false,
      partitions: t.partitions.map((p) => ({
        ...p,
        leaderEpoch: version >= 7 ? p.leaderEpoch : -1,
        offlineReplicas: version >= 5 ? p.offlineReplicas : [],
      })),
    })),
  };
}

describe('Metadata', () => {
  it('serves v0-v9 (no topic ids while Fetch stays below v13)', () => {
    expect(metadataConverter.served).toEqual({ min: 0, max: 9 });
  });

  it.each(range(0, 12))('v%i request: named topics, and auto-creation (v4+; before, always allowed)', (version) => {
    expect(requestViaWire(METADATA, metadataRequest, version)).toEqual({ ...metadataRequest, allowAutoTopicCreation: version >= 4 ? false : true });
  });

  it.each(range(0, 12))('v%i request: every topic (null; the empty list at v0)', (version) => {
    const all: MetadataRequest = { ...metadataRequest, topics: null, allowAutoTopicCreation: true };
    expect(requestViaWire(METADATA, all, version)).toEqual(all);
    expect((requestBody(METADATA, all, version) as { topics: unknown }).topics).toEqual(version === 0 ? [] : null);
  });

  it.each(range(1, 12))('v%i request: no topic at all (the empty list, v1+)', (version) => {
    const none: MetadataRequest = { ...metadataRequest, topics: [], allowAutoTopicCreation: true };
    expect(requestViaWire(METADATA, none, version)).toEqual(none);
  });

  it.each(range(0, 12))('v%i response: brokers by numeric id, cluster id (v2+), controller (v1+), partitions', (version) => {
    expect(responseViaWire(METADATA, metadataResponse, version)).toEqual(metadataResponseAt(metadataResponse, version));
  });

  it('v9 response: no leader is -1, node ids are int32s', () => {
    const wire = metadataConverter.responseToWire(metadataResponse, 9, CTX) as {
      controllerId: number;
      brokers: { nodeId: number }[];
      topics: { partitions: { leaderId: number; replicaNodes: number[] }[] }[];
    };
    expect(wire.controllerId).toBe(1);
    expect(wire.brokers.map((b) => b.nodeId)).toEqual([1, 2]);
    expect(wire.topics[0]!.partitions.map((p) => [p.leaderId, p.replicaNodes])).toEqual([
      [1, [1, 2]],
      [-1, [2]],
    ]);
  });

  it('v12 request naming a topic only by id: UNKNOWN_TOPIC_ID (Metadata by id is not served)', () => {
    const body: WireStruct = { topics: [{ topicId: uuidOf(5), name: null }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false };
    expectWireError(() => metadataConverter.requestFromWire(body, 12, 1, CTX), ErrorCode.UNKNOWN_TOPIC_ID);
    expect(metadataConverter.errorResponse(body, 12, ErrorCode.UNKNOWN_TOPIC_ID, null)).toMatchObject({
      topics: [{ errorCode: ErrorCode.UNKNOWN_TOPIC_ID, name: null, topicId: uuidOf(5) }],
    });
    expect(() => encodeMessage(MetadataResponseSpec, 12, metadataConverter.errorResponse(body, 12, ErrorCode.UNKNOWN_TOPIC_ID, null))).not.toThrow();
  });
});

// ---- InitProducerId ----

const initProducerIdRequest: InitProducerIdRequest = {
  api: 'InitProducerId',
  kind: 'request',
  correlationId: 61,
  transactionalId: 'txn-7',
  transactionTimeoutMs: 60000,
  producerId: 4004,
  producerEpoch: 3,
};

const initProducerIdResponse: InitProducerIdResponse = {
  api: 'InitProducerId',
  kind: 'response',
  correlationId: 61,
  errorCode: 0,
  producerId: 4004,
  producerEpoch: 4,
};

describe('InitProducerId', () => {
  it('serves v0-v4', () => {
    expect(initProducerIdConverter.served).toEqual({ min: 0, max: 4 });
  });

  it.each(range(0, 5))('v%i request: the current producer id and epoch from v3 (KIP-360)', (version) => {
    expect(requestViaWire(INIT_PRODUCER_ID, initProducerIdRequest, version)).toEqual({
      ...initProducerIdRequest,
      producerId: version >= 3 ? 4004 : -1,
      producerEpoch: version >= 3 ? 3 : -1,
    });
    const idempotent: InitProducerIdRequest = { ...initProducerIdRequest, transactionalId: null, producerId: -1, producerEpoch: -1 };
    expect(requestViaWire(INIT_PRODUCER_ID, idempotent, version)).toEqual(idempotent);
  });

  it.each(range(0, 5))('v%i response', (version) => {
    expect(responseViaWire(INIT_PRODUCER_ID, initProducerIdResponse, version)).toEqual(initProducerIdResponse);
  });
});

// ---- DeleteRecords ----

const deleteRecordsRequest: DeleteRecordsRequest = {
  api: 'DeleteRecords',
  kind: 'request',
  correlationId: 71,
  topics: [
    {
      name: 'orders',
      partitions: [
        { partitionIndex: 0, offset: 1234 },
        { partitionIndex: 2, offset: -1 },
      ],
    },
    { name: 'payments', partitions: [{ partitionIndex: 1, offset: 2 ** 40 }] },
  ],
  timeoutMs: 30000,
};

const deleteRecordsResponse: DeleteRecordsResponse = {
  api: 'DeleteRecords',
  kind: 'response',
  correlationId: 71,
  throttleTimeMs: 0,
  topics: [
    {
      name: 'orders',
      partitions: [
        { partitionIndex: 0, lowWatermark: 1234, errorCode: 0 },
        { partitionIndex: 2, lowWatermark: -1, errorCode: ErrorCode.POLICY_VIOLATION },
      ],
    },
    { name: 'payments', partitions: [{ partitionIndex: 1, lowWatermark: 17, errorCode: ErrorCode.REQUEST_TIMED_OUT }] },
  ],
};

describe('DeleteRecords', () => {
  it('serves v0-v2', () => {
    expect(deleteRecordsConverter.served).toEqual({ min: 0, max: 2 });
  });

  it.each(range(0, 2))('v%i request and response: every field at every version (-1 asks for the high watermark)', (version) => {
    expect(requestViaWire(DELETE_RECORDS, deleteRecordsRequest, version)).toEqual(deleteRecordsRequest);
    expect(responseViaWire(DELETE_RECORDS, deleteRecordsResponse, version)).toEqual(deleteRecordsResponse);
  });
});

// ---- Error responses ----

/**
 * Each served version's error response: it encodes, and a client reads from it what the core's own
 * errorResponse says (for the fields the version has).
 */
function expectErrorResponses<Req extends { correlationId: number }, Res extends { correlationId: number }>(
  api: Api<Req, Res>,
  req: Req,
  at: (res: Res, version: number) => Res,
): void {
  const { min, max } = api.converter.served;
  for (const version of range(min, max)) {
    const body = requestBody(api, req, version);
    const wire = api.converter.errorResponse(body, version, ErrorCode.NOT_LEADER_OR_FOLLOWER, 'leadership moved');
    const decoded = decodeMessage(api.response, version, encodeMessage(api.response, version, wire));
    const back = api.converter.responseFromWire(decoded, version, req.correlationId, CTX);
    const expected = coreErrorResponse(req as never, ErrorCode.NOT_LEADER_OR_FOLLOWER, 'leadership moved') as unknown as Res;
    expect(back, `v${version}`).toEqual(at(expected, version));
  }
}

describe('error responses name every topic and partition of the request, at every served version', () => {
  it('Produce (the message from v8)', () => {
    expectErrorResponses(PRODUCE, produceRequest, produceResponseAt);
  });

  it('Fetch (the top-level error from v7)', () => {
    expectErrorResponses(FETCH, consumerFetch, fetchResponseAt);
  });

  it('Fetch v13-v15 (topics by id: the response names the same ids)', () => {
    for (const version of [13, 14, 15]) {
      const body = requestBody(FETCH, followerFetch, version);
      const wire = dataFetchConverter.errorResponse(body, version, ErrorCode.UNKNOWN_SERVER_ERROR, null);
      const decoded = decodeMessage(FetchResponseSpec, version, encodeMessage(FetchResponseSpec, version, wire));
      expect(decoded).toMatchObject({ errorCode: -1, responses: [{ topicId: TOPIC_IDS.get('orders'), partitions: [{ partitionIndex: 0, errorCode: -1 }] }] });
    }
  });

  it('ListOffsets', () => {
    expectErrorResponses(LIST_OFFSETS, listOffsetsRequest, (res) => res);
  });

  it('OffsetForLeaderEpoch', () => {
    expectErrorResponses(OFFSET_FOR_LEADER_EPOCH, offsetForLeaderEpochRequest, (res) => res);
  });

  it('Metadata (named topics, and every topic: none to name)', () => {
    expectErrorResponses(METADATA, metadataRequest, metadataResponseAt);
    expectErrorResponses(METADATA, { ...metadataRequest, topics: null }, metadataResponseAt);
  });

  it('InitProducerId', () => {
    expectErrorResponses(INIT_PRODUCER_ID, initProducerIdRequest, (res) => res);
  });

  it('DeleteRecords', () => {
    expectErrorResponses(DELETE_RECORDS, deleteRecordsRequest, (res) => res);
  });

  it('a Produce request the core could not take (corrupt batch) still gets its error response', () => {
    const body = requestBody(PRODUCE, produceRequest, 7) as { topicData: { partitionData: { records: Uint8Array }[] }[] };
    const records = body.topicData[0]!.partitionData[0]!.records.slice();
    records[records.length - 1]! ^= 1;
    body.topicData[0]!.partitionData[0]!.records = records;
    const e = thrown(() => produceConverter.requestFromWire(body, 7, 1, CTX)) as WireRequestError;
    const wire = produceConverter.errorResponse(body, 7, e.errorCode, e.message);
    const back = produceConverter.responseFromWire(decodeMessage(ProduceResponseSpec, 7, encodeMessage(ProduceResponseSpec, 7, wire)), 7, 1, CTX);
    expect(back.responses.flatMap((t) => t.partitionResponses.map((p) => [t.name, p.index, p.errorCode, p.baseOffset]))).toEqual([
      ['orders', 0, ErrorCode.CORRUPT_MESSAGE, -1],
      ['orders', 2, ErrorCode.CORRUPT_MESSAGE, -1],
      ['payments', 1, ErrorCode.CORRUPT_MESSAGE, -1],
    ]);
  });
});

// ---- kafkajs's captured bodies ----

const KAFKAJS_TOPIC = 'test-topic-2077b9d2b36c4082e594-4020-b5a52b27-56df-4b87-800d-82c1cf26317d';

const fromFixture = <Req extends { correlationId: number }>(api: Api<Req, { correlationId: number }>, dir: string, version: number, ctx = CTX): Req =>
  api.converter.requestFromWire(decodeMessage(api.request, version, fixture(dir, `v${version}_request.json`)), version, 1, ctx);

function responseFromFixture<Res extends { correlationId: number }>(
  api: Api<{ correlationId: number }, Res>,
  dir: string,
  file: string,
  version: number,
  ctx = CTX,
): Res {
  return api.converter.responseFromWire(decodeMessage(api.response, version, fixture(dir, file)), version, 1, ctx);
}

describe('kafkajs fixtures through the converters', () => {
  it.each([3, 4, 5, 6, 7])('Produce v%i request: one batch of magic 2 per partition', (version) => {
    const req = fromFixture(PRODUCE, 'produce', version);
    expect(req).toMatchObject({ transactionalId: null, acks: version === 6 ? 1 : -1, timeoutMs: 30000 });
    const batch = req.topicData[0]!.partitionData[0]!.records;
    expect(batch.records.length).toBe(batch.lastOffsetDelta + 1);
    expect(batch.producerId).toBe(version === 7 ? 4004 : -1);
    expect(batch.wireBytes).toBeDefined();
  });

  it.each([3, 4, 5, 6, 7])('Produce v%i response: base offset 0, no log append time, no leader hint', (version) => {
    const res = responseFromFixture(PRODUCE, 'produce', `v${version}_response.json`, version);
    expect(res.responses[0]!.partitionResponses).toEqual([
      { index: 0, errorCode: 0, baseOffset: 0, logAppendTimeMs: -1, logStartOffset: version >= 5 ? 0 : -1, errorMessage: null, currentLeader: null },
    ]);
  });

  it('Fetch v4 request: read_committed, replica id 0 as kafkajs wrote its fixture (a follower id to Kafka too)', () => {
    expect(fromFixture(FETCH, 'fetch', 4)).toEqual({
      api: 'Fetch',
      kind: 'request',
      correlationId: 1,
      replicaId: '0',
      replicaEpoch: -1,
      maxWaitMs: 5,
      minBytes: 1,
      maxBytes: 10485760,
      isolationLevel: 1,
      topics: [
        {
          topic: 'test-topic',
          partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1048576 }],
        },
      ],
    });
  });

  it.each([5, 6, 7, 8, 9, 10, 11])('Fetch v%i request: a consumer (replica id -1 is none), sessionless', (version) => {
    const req = fromFixture(FETCH, 'fetch', version);
    expect(req).toMatchObject({ replicaId: null, replicaEpoch: -1, maxWaitMs: 100, isolationLevel: 1 });
    expect(req.topics.map((t) => t.partitions.map((p) => [p.partition, p.fetchOffset, p.partitionMaxBytes]))).toEqual([[[0, 0, 1048576]]]);
  });

  it.each([4, 5, 6, 7, 8, 9, 10, 11])('Fetch v%i response: three records with a header each, watermarks', (version) => {
    const res = responseFromFixture(FETCH, 'fetch', `v${version}_response.json`, version);
    const partition = res.topics[0]!.partitions[0]!;
    expect(partition).toMatchObject({ partitionIndex: 0, errorCode: 0, highWatermark: 3, lastStableOffset: 3, divergingEpoch: null });
    expect(partition.records).toHaveLength(1);
    expect(partition.records[0]!.records.map((r) => [r.key, r.value, r.headers])).toEqual(
      [0, 1, 2].map((i) => [`key-${i}`, `some-value-${i}`, [{ key: `header-key-${i}`, value: `header-value-${i}` }]]),
    );
    if (version >= 7) expect(res.topics[0]!.topic).toBe(KAFKAJS_TOPIC);
  });

  it('Fetch v4 response with gzip: six records with gzip, UNSUPPORTED_COMPRESSION_TYPE on the partition without', () => {
    const res = responseFromFixture(FETCH, 'fetch', 'v4_response_gzip.json', 4, contextWith(NODE_COMPRESSORS));
    expect(res.topics[0]!.partitions[0]!.records.flatMap((b) => b.records.map((r) => r.value))).toHaveLength(6);
    expect(responseFromFixture(FETCH, 'fetch', 'v4_response_gzip.json', 4).topics[0]!.partitions[0]).toMatchObject({
      errorCode: ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
      highWatermark: 6,
      records: [],
    });
  });

  it('Fetch v4 response with snappy: one partition with a record, the others empty', () => {
    const res = responseFromFixture(FETCH, 'fetch', 'v4_response_snappy.json', 4, contextWith(NODE_COMPRESSORS));
    const withRecords = res.topics[0]!.partitions.filter((p) => p.records.length > 0);
    expect(withRecords.map((p) => [p.partitionIndex, p.records[0]!.records[0]!.key])).toEqual([[3, 'key-149']]);
    expect(res.topics[0]!.partitions.every((p) => p.errorCode === 0)).toBe(true);
  });

  it.each(['v4_response_010_format.json', 'v4_response_mixed_formats.json'])(
    'Fetch %s (message format v1): the partition answers UNSUPPORTED_FOR_MESSAGE_FORMAT',
    (file) => {
      const res = responseFromFixture(FETCH, 'fetch', file, 4);
      expect(res.topics[0]!.partitions[0]).toMatchObject({ errorCode: ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT, records: [] });
    },
  );

  it('Fetch v4 response from the Scala producer: six batches', () => {
    const res = responseFromFixture(FETCH, 'fetch', 'v4_from_scala_producer_response.json', 4);
    expect(res.topics[0]!.partitions[0]!.records.map((b) => b.baseOffset)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it.each([1, 2])('ListOffsets v%i request and response', (version) => {
    const req = fromFixture(LIST_OFFSETS, 'listOffsets', version);
    expect(req).toMatchObject({ replicaId: null, isolationLevel: 0 });
    expect(req.topics[0]!.partitions).toEqual([{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: 1509285569484 }]);
    const res = responseFromFixture(LIST_OFFSETS, 'listOffsets', `v${version}_response.json`, version);
    expect(res.topics[0]!.partitions).toEqual([
      version === 1
        ? { partitionIndex: 0, errorCode: 0, timestamp: 1543343103774, offset: 0, leaderEpoch: -1 }
        : { partitionIndex: 0, errorCode: 0, timestamp: -1, offset: 1, leaderEpoch: -1 },
    ]);
  });

  it('ListOffsets v0 response (not served, but read): the offsets array gives the offset', () => {
    const res = responseFromFixture(LIST_OFFSETS, 'listOffsets', 'v0_response.json', 0);
    expect(res.topics[0]!.partitions).toEqual([{ partitionIndex: 0, errorCode: 0, timestamp: -1, offset: 0, leaderEpoch: -1 }]);
  });

  it.each([
    ['v3_response.json', 3],
    ['v4_response.json', 4],
    ['v5_response.json', 5],
  ])('Metadata %s: three brokers by id, cluster id, controller, a topic without id', (file, version) => {
    const res = responseFromFixture(METADATA, 'metadata', file, version);
    expect(res.brokers.map((b) => b.nodeId).sort()).toEqual(['0', '1', '2']);
    expect(res.clusterId).toMatch(/^[\w-]{22}$/);
    expect(res.controllerId).toMatch(/^[0-2]$/);
    expect(res.topics).toHaveLength(1);
    expect(res.topics[0]).toMatchObject({ errorCode: 0, topicId: null, isInternal: false });
    const leader = res.topics[0]!.partitions[0]!.leaderId as NodeId;
    expect(res.topics[0]!.partitions[0]).toMatchObject({ partitionIndex: 0, replicaNodes: [leader], isrNodes: [leader], offlineReplicas: [], leaderEpoch: -1 });
  });

  it('Metadata v5 response with offline replicas: no leader is none, the offline replica listed', () => {
    const res = responseFromFixture(METADATA, 'metadata', 'v5_offline_replicas_response.json', 5);
    const partition2 = res.topics[0]!.partitions.find((p) => p.partitionIndex === 2)!;
    expect(partition2).toEqual({
      errorCode: ErrorCode.LEADER_NOT_AVAILABLE,
      partitionIndex: 2,
      leaderId: null,
      leaderEpoch: -1,
      replicaNodes: ['2'],
      isrNodes: [],
      offlineReplicas: ['2'],
    });
  });

  it('InitProducerId v0 request and response', () => {
    expect(fromFixture(INIT_PRODUCER_ID, 'initProducerId', 0)).toEqual({
      api: 'InitProducerId',
      kind: 'request',
      correlationId: 1,
      transactionalId: 'initproduceridtransaction',
      transactionTimeoutMs: 30000,
      producerId: -1,
      producerEpoch: -1,
    });
    expect(responseFromFixture(INIT_PRODUCER_ID, 'initProducerId', 'v0_response.json', 0)).toEqual({
      api: 'InitProducerId',
      kind: 'response',
      correlationId: 1,
      errorCode: 0,
      producerId: 1006,
      producerEpoch: 0,
    });
  });
});

// The zero UUID is Kafka's "no topic id": the core's null.
describe('topic ids in Metadata', () => {
  it('v10+ writes a topic without id as the zero UUID', () => {
    const wire = metadataConverter.responseToWire(metadataResponse, 10, CTX) as { topics: { topicId: string }[] };
    expect(wire.topics.map((t) => t.topicId)).toEqual([TOPIC_IDS.get('orders'), ZERO_UUID]);
  });
});
