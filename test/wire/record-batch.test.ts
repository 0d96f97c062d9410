// RecordBatch v2: real brokers' and kafkajs's batches decode to what kafkajs's specs say they hold and
// re-encode to the same bytes; any batch round-trips with every codec; bad batches name their fault.
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { crc32c } from '../../core/log/crc32c.ts';
import { assignOffsets, decodedFields, type KafkaRecord, type RecordBatch } from '../../core/protocol/records.ts';
import { CODEC_IDS, NO_COMPRESSORS, UnsupportedCompressionError, type CompressionCodec } from '../../core/wire/compression.ts';
import {
  decodeRecordBatch,
  decodeRecordSet,
  encodeRecordBatch,
  encodeRecordSet,
  readBatchHeader,
  RecordBatchError,
  summarizeRecordSet,
} from '../../core/wire/record-batch.ts';
import { WireReader } from '../../core/wire/wire-reader.ts';
import { NODE_COMPRESSORS } from '../../net/compression.ts';
import { expectSameBytes, fixture } from './apis/helpers.ts';

const CODECS: CompressionCodec[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

interface PartitionRecords {
  topic: string;
  partition: number;
  records: Uint8Array | null;
}

/** The record sets of a Fetch response body (v4 to v11: the versions whose fixtures hold RecordBatch v2). */
function fetchRecordSets(body: Uint8Array, version: number): PartitionRecords[] {
  const r = new WireReader(body);
  const sets: PartitionRecords[] = [];
  r.int32(); // throttle_time_ms
  if (version >= 7) r.skip(6); // error_code, session_id
  for (let t = r.arrayLength(); t > 0; t--) {
    const topic = r.string();
    for (let p = r.arrayLength(); p > 0; p--) {
      const partition = r.int32();
      r.skip(2 + 8 + 8); // error_code, high_watermark, last_stable_offset
      if (version >= 5) r.int64(); // log_start_offset
      const aborted = r.arrayLength();
      r.skip(Math.max(0, aborted) * 16);
      if (version >= 11) r.int32(); // preferred_read_replica
      sets.push({ topic, partition, records: r.nullableBytes() });
    }
  }
  expect(r.remaining).toBe(0);
  return sets;
}

/** The record sets of a Produce request body (v3 to v8 share the layout). */
function produceRecordSets(body: Uint8Array): PartitionRecords[] {
  const r = new WireReader(body);
  const sets: PartitionRecords[] = [];
  r.nullableString(); // transactional_id
  r.skip(2 + 4); // acks, timeout_ms
  for (let t = r.arrayLength(); t > 0; t--) {
    const topic = r.string();
    for (let p = r.arrayLength(); p > 0; p--) sets.push({ topic, partition: r.int32(), records: r.nullableBytes() });
  }
  expect(r.remaining).toBe(0);
  return sets;
}

function onlyRecordSet(sets: PartitionRecords[]): Uint8Array {
  expect(sets).toHaveLength(1);
  expect(sets[0]!.records).not.toBeNull();
  return sets[0]!.records!;
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

function expectBatchError(f: () => unknown, errorCode: number, message: RegExp): void {
  const e = thrown(f);
  expect(e).toBeInstanceOf(RecordBatchError);
  expect(e).toMatchObject({ errorCode });
  expect((e as Error).message).toMatch(message);
}

/** Each batch encodes back to its very bytes, one by one and as a record set. */
function expectByteExactReencode(recordSet: Uint8Array, batches: RecordBatch[]): void {
  for (const b of batches) expectSameBytes(encodeRecordBatch(b), b.wireBytes!, `batch at offset ${b.baseOffset}`);
  expectSameBytes(encodeRecordSet(batches.map(decodedFields)), recordSet, 'record set');
}

const textOf = (records: KafkaRecord[]) => records.map((r) => ({ key: r.key, value: r.value, headers: r.headers }));

describe('CRC-32C', () => {
  test('the standard check value', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
  });
});

describe('golden batches from real brokers (kafkajs 2.2.4 fixtures)', () => {
  test.each([4, 5, 6, 7, 8, 9, 10, 11])('Fetch v%i response: three records with a header each', (version) => {
    const set = onlyRecordSet(fetchRecordSets(fixture('fetch', `v${version}_response.json`), version));
    const { batches, truncatedBytes } = decodeRecordSet(set);
    expect(truncatedBytes).toBe(0);
    expect(batches).toHaveLength(1);
    const [batch] = batches;
    expect(decodedFields(batch!)).toMatchObject({
      baseOffset: 0,
      lastOffsetDelta: 2,
      baseTimestamp: 1509827900073,
      maxTimestamp: 1509827900073,
      attributes: 0,
    });
    expect(batch!.records).toEqual(
      [0, 1, 2].map((i) => ({
        offsetDelta: i,
        timestampDelta: 0,
        key: `key-${i}`,
        value: `some-value-${i}`,
        headers: [{ key: `header-key-${i}`, value: `header-value-${i}` }],
      })),
    );
    expectByteExactReencode(set, batches);
    const summary = summarizeRecordSet(set);
    expect(summary.batches.map((b) => [b.baseOffset, b.lastOffsetDelta, b.recordCount, b.crcValid, b.size])).toEqual([[0, 2, 3, true, set.length]]);
  });

  test('Fetch v4 response from the Scala producer: six batches of one record', () => {
    const set = onlyRecordSet(fetchRecordSets(fixture('fetch', 'v4_from_scala_producer_response.json'), 4));
    const { batches } = decodeRecordSet(set);
    expect(batches.map((b) => [b.baseOffset, b.baseTimestamp, b.producerId, b.producerEpoch, b.baseSequence])).toEqual(
      [1539644731680, 1539644732194, 1539644732699, 1539644733203, 1539644733708, 1539644734213].map((ts, i) => [i, ts, -1, -1, -1]),
    );
    expect(batches.flatMap((b) => textOf(b.records))).toEqual(
      [1, 2, 3, 4, 5, 6].map((i) => ({ key: `KEY-${i}`, value: `VALUE-Lorem ipsum dolor sit amet-${i}`, headers: [] })),
    );
    expectByteExactReencode(set, batches);
    expect(summarizeRecordSet(set).batches.every((b) => b.crcValid)).toBe(true);
  });

  test('Fetch v4 response with gzip: two compressed batches, six records', () => {
    const set = onlyRecordSet(fetchRecordSets(fixture('fetch', 'v4_response_gzip.json'), 4));
    const { batches } = decodeRecordSet(set, NODE_COMPRESSORS);
    expect(batches.map((b) => [b.baseOffset, b.attributes, b.records.length])).toEqual([
      [0, CODEC_IDS.gzip, 3],
      [3, CODEC_IDS.gzip, 3],
    ]);
    expect(batches.flatMap((b) => b.records.map((r) => [b.baseOffset + r.offsetDelta, r.key, r.value]))).toEqual(
      [0, 1, 2, 1, 2, 3].map((k, offset) => [offset, `key-${k}`, `some-value-${k}`]),
    );
    // gzip output differs between implementations: the re-encoded batch decodes to the same fields.
    for (const b of batches)
      expect(decodedFields(decodeRecordBatch(encodeRecordBatch(b, { compressors: NODE_COMPRESSORS }), NODE_COMPRESSORS))).toEqual(decodedFields(b));
    expectBatchError(() => decodeRecordSet(set), 76, /gzip is not available/);
  });

  test('Fetch v4 response with snappy (a raw snappy block, as kafkajs writes it)', () => {
    const sets = fetchRecordSets(fixture('fetch', 'v4_response_snappy.json'), 4);
    const withRecords = sets.filter((s) => s.records!.length > 0);
    expect(withRecords.map((s) => s.partition)).toEqual([3]);
    const { batches } = decodeRecordSet(withRecords[0]!.records!, NODE_COMPRESSORS);
    expect(batches).toHaveLength(1);
    expect(batches[0]!.attributes).toBe(CODEC_IDS.snappy);
    expect(textOf(batches[0]!.records)).toEqual([{ key: 'key-149', value: 'value-149-2019-02-04T15:13:48.187Z', headers: [] }]);
    expectBatchError(() => decodeRecordSet(withRecords[0]!.records!), 76, /snappy is not available/);
  });

  test("Produce v3 request: the records of kafkajs's spec, repeated header keys and baseSequence 10", () => {
    const set = onlyRecordSet(produceRecordSets(fixture('produce', 'v3_request.json')));
    const { batches } = decodeRecordSet(set);
    expect(batches).toHaveLength(1);
    expect(decodedFields(batches[0]!)).toMatchObject({ baseOffset: 0, baseSequence: 10, producerId: -1, baseTimestamp: 1509928155660, lastOffsetDelta: 2 });
    expect(textOf(batches[0]!.records)).toEqual([
      {
        key: 'key-9d0f348cb2e730e1edc4',
        value: 'some-value-a17b4c81f9ecd1e896e3',
        headers: [
          { key: 'a', value: 'b' },
          { key: 'c', value: 'd' },
          { key: 'c', value: 'e' },
        ],
      },
      { key: 'key-c7073e965c34b4cc6442', value: 'some-value-65df422070d7ad73914f', headers: [{ key: 'a', value: 'b' }] },
      { key: 'key-1693b184a9b52dbe03bc', value: 'some-value-3fcb65ffca087cba20ad', headers: [{ key: 'a', value: 'b' }] },
    ]);
    expectByteExactReencode(set, batches);
  });

  test.each([
    [4, 3, -1],
    [5, 3, -1],
    [6, 10, -1],
    [7, 10, 4004],
  ])('Produce v%i request: %i records (producer id %i), byte-exact re-encode', (version, count, producerId) => {
    const set = onlyRecordSet(produceRecordSets(fixture('produce', `v${version}_request.json`)));
    const { batches } = decodeRecordSet(set);
    expect(batches.map((b) => [b.records.length, b.lastOffsetDelta, b.producerId])).toEqual([[count, count - 1, producerId]]);
    for (const r of batches[0]!.records) expect(r.value).toMatch(/^[\x20-\x7e]+$/);
    expectByteExactReencode(set, batches);
  });

  test.each([
    ['fetch', 'v4_response_010_format.json', 4, 1],
    ['fetch', 'v4_response_mixed_formats.json', 4, 1],
    ['fetch', 'v0_response.json', 0, 0],
    ['fetch', 'v3_response_gzip.json', 3, 1],
  ])('%s/%s (message format v0/v1) is reported as unsupported, not crashed on', (api, file, version, magic) => {
    const body = fixture(api, file);
    const sets = version >= 4 ? fetchRecordSets(body, version) : legacyFetchRecordSets(body, version);
    const set = sets.find((s) => s.records !== null && s.records.length > 0)!.records!;
    expectBatchError(() => decodeRecordSet(set), 43, new RegExp(`magic ${magic}\\) is not supported`));
    expectBatchError(() => summarizeRecordSet(set), 43, /not supported/);
  });

  test('Produce v2 requests (message format v1, gzip) are reported as unsupported', () => {
    for (const file of ['v2_request.json', 'v2_request_gzip_linux.json']) {
      const r = new WireReader(fixture('produce', file));
      r.skip(2 + 4); // acks, timeout_ms (no transactional id before v3)
      r.arrayLength();
      r.string();
      r.arrayLength();
      r.int32();
      expectBatchError(() => decodeRecordSet(r.bytes()), 43, /magic 1\) is not supported/);
    }
  });

  test('Fetch v2 response whose partitions end in partial messages: each is dropped and counted', () => {
    for (const s of legacyFetchRecordSets(fixture('fetch', 'v2_response_partial_messages_many_partitions.json'), 2)) {
      expect(decodeRecordSet(s.records!)).toEqual({ batches: [], truncatedBytes: s.records!.length });
    }
  });
});

/** The record sets of a Fetch response body of v1 to v3 (throttle time, no last stable offset). */
function legacyFetchRecordSets(body: Uint8Array, version: number): PartitionRecords[] {
  const r = new WireReader(body);
  if (version >= 1) r.int32();
  const sets: PartitionRecords[] = [];
  for (let t = r.arrayLength(); t > 0; t--) {
    const topic = r.string();
    for (let p = r.arrayLength(); p > 0; p--) {
      const partition = r.int32();
      r.skip(2 + 8);
      sets.push({ topic, partition, records: r.nullableBytes() });
    }
  }
  return sets;
}

// Random batches: any bytes in keys and values, any text in header keys, extreme int64s.
const bytesString = fc.uint8Array({ maxLength: 300 }).map((b) => String.fromCharCode(...b));
const record = fc.record({
  offsetDelta: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
  timestampDelta: fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.maxSafeInteger(), fc.constant(Number.MIN_SAFE_INTEGER)),
  key: fc.option(bytesString, { nil: null }),
  value: fc.option(bytesString, { nil: null }),
  headers: fc.array(fc.record({ key: fc.string({ unit: 'binary', maxLength: 20 }), value: fc.option(bytesString, { nil: null }) }), { maxLength: 4 }),
});
const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const int64 = fc.oneof(fc.integer({ min: -1, max: 2 ** 40 }), fc.maxSafeInteger());
const batch = (codec: fc.Arbitrary<CompressionCodec>) =>
  fc
    .record({
      baseOffset: int64,
      partitionLeaderEpoch: int32,
      flags: fc.integer({ min: 0, max: 0x7ff }),
      codec,
      lastOffsetDelta: int32,
      baseTimestamp: int64,
      maxTimestamp: int64,
      producerId: int64,
      producerEpoch: fc.integer({ min: -(2 ** 15), max: 2 ** 15 - 1 }),
      baseSequence: int32,
      records: fc.array(record, { maxLength: 12 }),
    })
    .map(({ flags, codec, ...fields }): RecordBatch => ({ ...fields, attributes: (flags << 3) | CODEC_IDS[codec] }));

describe('round trips', () => {
  test.prop([batch(fc.constantFrom(...CODECS))])('any batch, any codec: decode(encode(batch)) is the batch', (b) => {
    const bytes = encodeRecordBatch(b, { compressors: NODE_COMPRESSORS });
    const decoded = decodeRecordBatch(bytes, NODE_COMPRESSORS);
    expect(decodedFields(decoded)).toEqual(b);
    expect(decoded.wireBytes).toEqual(bytes);
    expect(readBatchHeader(bytes)).toMatchObject({ size: bytes.length, recordCount: b.records.length, baseOffset: b.baseOffset });
  });

  test.prop([fc.array(batch(fc.constantFrom(...CODECS)), { maxLength: 4 }), fc.integer({ min: 1, max: 60 })])(
    'a record set of batches, with a cut last batch dropped and counted',
    (batches, cut) => {
      const set = encodeRecordSet(batches, { compressors: NODE_COMPRESSORS });
      const decoded = decodeRecordSet(set, NODE_COMPRESSORS);
      expect(decoded.batches.map(decodedFields)).toEqual(batches);
      expect(decoded.truncatedBytes).toBe(0);
      if (batches.length === 0) return;
      const cutSet = set.subarray(0, set.length - cut);
      const lastSize = summarizeRecordSet(set).batches.at(-1)!.size;
      expect(decodeRecordSet(cutSet, NODE_COMPRESSORS)).toMatchObject({
        batches: batches.slice(0, -1).map((b) => expect.objectContaining(b)),
        truncatedBytes: lastSize - cut,
      });
    },
  );

  test('every byte value survives in keys, values and header values; header keys are UTF-8', () => {
    const all = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));
    const b: RecordBatch = {
      ...emptyBatch(),
      records: [{ offsetDelta: 0, timestampDelta: 0, key: all, value: all.split('').reverse().join(''), headers: [{ key: 'ключ-🔑-\u{feff}', value: all }] }],
    };
    for (const codec of CODECS) {
      const bytes = encodeRecordBatch(b, { codec, compressors: NODE_COMPRESSORS });
      expect(decodeRecordBatch(bytes, NODE_COMPRESSORS).records).toEqual(b.records);
    }
    const plain = encodeRecordBatch(b);
    expect(Buffer.from(plain).includes(Buffer.from('ключ-🔑-\u{feff}', 'utf8'))).toBe(true);
  });

  test('a large value (1 MiB) round-trips with every codec', () => {
    const value = String.fromCharCode(...Array.from({ length: 1 << 16 }, (_, i) => (i * 31) % 256)).repeat(16);
    const b: RecordBatch = { ...emptyBatch(), records: [{ offsetDelta: 0, timestampDelta: 0, key: null, value, headers: [] }] };
    for (const codec of CODECS) {
      const decoded = decodeRecordBatch(encodeRecordBatch(b, { codec, compressors: NODE_COMPRESSORS }), NODE_COMPRESSORS);
      expect(decoded.records[0]!.value === value).toBe(true);
    }
  });

  test("the codec option overrides the attributes' codec; a missing codec throws UnsupportedCompressionError", () => {
    const b: RecordBatch = { ...emptyBatch(), attributes: 0x10 | CODEC_IDS.gzip, records: [record0()] };
    const bytes = encodeRecordBatch(b, { codec: 'lz4', compressors: NODE_COMPRESSORS });
    expect(readBatchHeader(bytes)!.attributes).toBe(0x10 | CODEC_IDS.lz4);
    expect(thrown(() => encodeRecordBatch(b))).toBeInstanceOf(UnsupportedCompressionError);
    expect(thrown(() => encodeRecordBatch({ ...b, attributes: 6 }, { compressors: NODE_COMPRESSORS }))).toMatchObject({ codec: 6, errorCode: 76 });
  });

  test('decoded wireBytes are a view into the record set; a record set serves stored wireBytes verbatim', () => {
    const set = encodeRecordSet([emptyBatch(), { ...emptyBatch(), records: [record0()] }]);
    const { batches } = decodeRecordSet(set);
    expect(batches[1]!.wireBytes!.buffer).toBe(set.buffer);
    const stored = batches.map((b, i) => assignOffsets(b, 100 + i, 7));
    const served = encodeRecordSet(stored);
    expect(decodeRecordSet(served).batches.map((b) => [b.baseOffset, b.partitionLeaderEpoch])).toEqual([
      [100, 7],
      [101, 7],
    ]);
    // Verbatim: a field changed without touching the bytes is not what is served.
    expect(encodeRecordSet([{ ...stored[0]!, baseOffset: 5 }])).toBe(stored[0]!.wireBytes);
  });
});

function emptyBatch(): RecordBatch {
  return {
    baseOffset: 0,
    partitionLeaderEpoch: -1,
    attributes: 0,
    lastOffsetDelta: 0,
    baseTimestamp: 1_700_000_000_000,
    maxTimestamp: 1_700_000_000_000,
    producerId: -1,
    producerEpoch: -1,
    baseSequence: -1,
    records: [],
  };
}

function record0(): KafkaRecord {
  return { offsetDelta: 0, timestampDelta: 0, key: 'k', value: 'v', headers: [{ key: 'h', value: null }] };
}

describe('bad batches say what is wrong', () => {
  const good = () => encodeRecordBatch({ ...emptyBatch(), lastOffsetDelta: 1, records: [record0(), { ...record0(), offsetDelta: 1 }] });
  /** The bytes with a change applied and the CRC recomputed, so that the change itself is what fails. */
  const patched = (change: (bytes: Uint8Array, view: DataView) => void, bytes = good()) => {
    const copy = bytes.slice();
    const view = new DataView(copy.buffer);
    change(copy, view);
    view.setUint32(17, crc32c(copy, 21));
    return copy;
  };

  test('a CRC mismatch is CORRUPT_MESSAGE, and the summary flags it', () => {
    const bytes = good();
    bytes[bytes.length - 3] ^= 0x01;
    expectBatchError(() => decodeRecordSet(bytes), 2, /CRC mismatch: stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}/);
    expect(summarizeRecordSet(bytes).batches[0]!.crcValid).toBe(false);
  });

  test('an unknown magic is CORRUPT_MESSAGE; magic 0 and 1 are UNSUPPORTED_FOR_MESSAGE_FORMAT', () => {
    expectBatchError(() => decodeRecordSet(patched((b) => (b[16] = 3))), 2, /invalid magic 3/);
    expectBatchError(() => decodeRecordSet(patched((b) => (b[16] = 1))), 43, /message format v1/);
  });

  test('a wrong record count is CORRUPT_MESSAGE', () => {
    expectBatchError(() => decodeRecordSet(patched((_, v) => v.setInt32(57, 3))), 2, /record 2 of 3: unexpected end of data/);
    expectBatchError(() => decodeRecordSet(patched((_, v) => v.setInt32(57, 1))), 2, /bytes follow its 1 records \(wrong record count\?\)/);
    expectBatchError(() => decodeRecordSet(patched((_, v) => v.setInt32(57, -1))), 2, /negative record count/);
    expectBatchError(() => decodeRecordSet(patched((_, v) => v.setInt32(57, 2 ** 31 - 1))), 2, /2147483647 records cannot fit in \d+ bytes/);
  });

  test('a record whose length disagrees with its fields is CORRUPT_MESSAGE', () => {
    // The first record's length varint sits at byte 61: zigzag(n) = 2n.
    const bytes = good();
    expectBatchError(() => decodeRecordSet(patched((b) => (b[61] = b[61]! + 2), bytes)), 2, /record 0 of 2: record declares \d+ bytes but its fields take/);
    expectBatchError(() => decodeRecordSet(patched((b) => (b[61] = 0x7e), bytes)), 2, /record 0 of 2: record of 63 bytes is truncated/);
  });

  test('a batch length too small for any batch, or for the v2 header, is CORRUPT_MESSAGE', () => {
    expectBatchError(() => decodeRecordSet(patched((_, v) => v.setInt32(8, 5))), 2, /batch length 5 is too small/);
    const short = good().subarray(0, 40);
    new DataView(short.buffer, short.byteOffset).setInt32(8, 28);
    expectBatchError(() => decodeRecordSet(short), 2, /shorter than its 61-byte header/);
  });

  test('a codec id Kafka does not know is UNSUPPORTED_COMPRESSION_TYPE; a payload that does not decompress is CORRUPT_MESSAGE', () => {
    expectBatchError(
      () =>
        decodeRecordSet(
          patched((_, v) => v.setInt16(21, 5)),
          NODE_COMPRESSORS,
        ),
      76,
      /unknown compression codec id 5/,
    );
    expectBatchError(
      () =>
        decodeRecordSet(
          patched((_, v) => v.setInt16(21, CODEC_IDS.zstd)),
          NODE_COMPRESSORS,
        ),
      2,
      /zstd payload does not decompress/,
    );
  });

  test('a batch after a good one is reported at its own position; a whole batch is needed by decodeRecordBatch', () => {
    const bytes = good();
    const set = new Uint8Array([...bytes, ...patched((b) => (b[16] = 0), bytes)]);
    expect(thrown(() => decodeRecordSet(set))).toMatchObject({ errorCode: 43, position: bytes.length });
    expectBatchError(() => decodeRecordBatch(bytes.subarray(0, 70)), 2, /hold only part of a batch/);
    expectBatchError(() => decodeRecordBatch(set), 2, /bytes follow the batch/);
    expect(decodeRecordSet(new Uint8Array())).toEqual({ batches: [], truncatedBytes: 0 });
    expect(NO_COMPRESSORS).toEqual({});
  });
});
