// What a leader does to a producer's batch (Kafka's LogValidator): MESSAGE_TOO_LARGE past
// max.message.bytes, LogAppendTime stamped (attributes bit 3, maxTimestamp, the CRC recomputed over
// wire bytes), and a batch re-encoded in the topic's compression.type; the simulator's batches,
// without bytes, only name the codec in their attributes.
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { checkSize, compressionTypeAvailable, DEFAULT_LOG_VALIDATION, validateBatch, type LogValidation } from '../../core/broker/log-validator.ts';
import { ErrorCode } from '../../core/protocol/errors.ts';
import { LOG_APPEND_TIME_BIT, recordTimestamp, type RecordBatch } from '../../core/protocol/records.ts';
import { codecOfAttributes, type Compressors } from '../../core/wire/compression.ts';
import { decodeRecordBatch, encodeRecordBatch } from '../../core/wire/record-batch.ts';
import { recordBatch } from './batches.ts';

const gzip: Compressors = { gzip: { compress: (d) => new Uint8Array(gzipSync(d)), decompress: (d) => new Uint8Array(gunzipSync(d)) } };
const withBytes = (b: RecordBatch, compressors: Compressors = {}): RecordBatch => ({ ...b, wireBytes: encodeRecordBatch(b, { compressors }) });
const real = (v: Partial<LogValidation>): LogValidation => ({ ...DEFAULT_LOG_VALIDATION, compressors: gzip, ...v });

describe('the size check', () => {
  it('MESSAGE_TOO_LARGE (10) for a batch over max.message.bytes: its wire size, or the size its fields would take', () => {
    const batch = withBytes(recordBatch({ count: 3 }));
    const size = batch.wireBytes!.length;
    expect(checkSize(batch, size)).toBeNull();
    expect(checkSize(batch, size - 1)).toEqual({
      ok: false,
      errorCode: ErrorCode.MESSAGE_TOO_LARGE,
      message: `the batch of ${size} bytes is larger than max.message.bytes (${size - 1})`,
    });
    // Without bytes (the simulator), the size of the uncompressed encoding: the same as on the wire.
    const sim = recordBatch({ count: 3 });
    expect(checkSize(sim, size)).toBeNull();
    expect(checkSize(sim, size - 1)).toMatchObject({ errorCode: 10, message: `the batch of ${size} bytes is larger than max.message.bytes (${size - 1})` });
  });
});

describe('LogAppendTime', () => {
  it('stamps the bit and the leader clock as maxTimestamp, in wire bytes whose CRC still checks; consumers read that time', () => {
    const batch = withBytes(recordBatch({ count: 3, ts: 1_000 }));
    const v = validateBatch(batch, real({ timestampType: 'LogAppendTime' }), 5_000);
    if (!v.ok) throw new Error(v.message);
    expect(v.logAppendTime).toBe(5_000);
    expect(v.batch.attributes & LOG_APPEND_TIME_BIT).toBe(LOG_APPEND_TIME_BIT);
    const decoded = decodeRecordBatch(v.batch.wireBytes!);
    expect(decoded).toMatchObject({ attributes: LOG_APPEND_TIME_BIT, maxTimestamp: 5_000, baseTimestamp: 1_000 });
    expect(decoded.records.map((r) => recordTimestamp(decoded, r))).toEqual([5_000, 5_000, 5_000]);
    // The producer's bytes are untouched (a copy is patched).
    expect(decodeRecordBatch(batch.wireBytes!).attributes).toBe(0);
  });

  it('CreateTime leaves the batch as it came, and records keep their own timestamps', () => {
    const batch = withBytes(recordBatch({ count: 2, ts: 1_000 }));
    const v = validateBatch(batch, real({}), 5_000);
    expect(v).toEqual({ ok: true, batch, logAppendTime: -1 });
    expect(batch.records.map((r) => recordTimestamp(batch, r))).toEqual([1_000, 1_001]);
  });
});

describe('compression.type', () => {
  it('re-encodes a batch of another codec, and keeps one already in it', () => {
    const batch = withBytes(recordBatch({ count: 4, value: () => 'x'.repeat(200) }));
    const v = validateBatch(batch, real({ compressionType: 'gzip' }), 0);
    if (!v.ok) throw new Error(v.message);
    expect(codecOfAttributes(v.batch.attributes)).toBe('gzip');
    expect(v.batch.wireBytes!.length).toBeLessThan(batch.wireBytes!.length);
    const decoded = decodeRecordBatch(v.batch.wireBytes!, gzip);
    expect(decoded.records).toEqual(batch.records);
    expect(validateBatch(v.batch, real({ compressionType: 'gzip' }), 0)).toMatchObject({ ok: true, batch: v.batch });
    // uncompressed turns it back; producer keeps whatever came.
    const back = validateBatch(v.batch, real({ compressionType: 'uncompressed' }), 0);
    if (!back.ok) throw new Error(back.message);
    expect(codecOfAttributes(back.batch.attributes)).toBe('none');
    expect(decodeRecordBatch(back.batch.wireBytes!).records).toEqual(batch.records);
    expect(validateBatch(v.batch, real({ compressionType: 'producer' }), 0)).toMatchObject({ batch: v.batch });
  });

  it('both at once: re-encoded in the codec and stamped', () => {
    const v = validateBatch(withBytes(recordBatch({ count: 2 })), real({ compressionType: 'gzip', timestampType: 'LogAppendTime' }), 77);
    if (!v.ok) throw new Error(v.message);
    expect(decodeRecordBatch(v.batch.wireBytes!, gzip)).toMatchObject({ attributes: 1 | LOG_APPEND_TIME_BIT, maxTimestamp: 77 });
  });

  it('UNSUPPORTED_COMPRESSION_TYPE when the runtime lacks the codec; the controller refuses such a config up front', () => {
    const v = validateBatch(withBytes(recordBatch({ count: 1 })), real({ compressionType: 'zstd' }), 0);
    expect(v).toMatchObject({ ok: false, errorCode: ErrorCode.UNSUPPORTED_COMPRESSION_TYPE });
    expect(compressionTypeAvailable('zstd', gzip)).toBe(false);
    expect(compressionTypeAvailable('gzip', gzip)).toBe(true);
    expect(compressionTypeAvailable('producer', {})).toBe(true);
    expect(compressionTypeAvailable('uncompressed', {})).toBe(true);
    // The simulator only names codecs: every one is available.
    expect(compressionTypeAvailable('zstd', null)).toBe(true);
  });

  it('in the simulator (no bytes, no codecs) the codec is named in the attributes alone', () => {
    const batch = recordBatch({ count: 2 });
    const v = validateBatch(batch, { ...DEFAULT_LOG_VALIDATION, compressionType: 'lz4', timestampType: 'LogAppendTime' }, 9);
    if (!v.ok) throw new Error(v.message);
    expect(v.batch).toEqual({ ...batch, attributes: 3 | LOG_APPEND_TIME_BIT, maxTimestamp: 9 });
    expect(v.batch.wireBytes).toBeUndefined();
  });
});

describe('a compacted topic', () => {
  it("refuses a batch with a keyless record: INVALID_RECORD (87), as Kafka's LogValidator; keyed batches pass, and any batch on a topic that is not compacted", () => {
    const keyless = recordBatch({ count: 2 });
    const keyed: RecordBatch = { ...keyless, records: keyless.records.map((r, i) => ({ ...r, key: `k${i}` })) };
    const oneKeyless: RecordBatch = { ...keyed, records: [keyed.records[0]!, { ...keyed.records[1]!, key: null }] };
    const compacted = { ...DEFAULT_LOG_VALIDATION, compacted: true };
    expect(validateBatch(keyless, compacted, 0)).toEqual({
      ok: false,
      errorCode: ErrorCode.INVALID_RECORD,
      message: 'Compacted topic cannot accept message without key',
    });
    expect(validateBatch(oneKeyless, compacted, 0)).toMatchObject({ ok: false, errorCode: 87 });
    expect(validateBatch(keyed, compacted, 0)).toEqual({ ok: true, batch: keyed, logAppendTime: -1 });
    expect(validateBatch(keyless, DEFAULT_LOG_VALIDATION, 0)).toEqual({ ok: true, batch: keyless, logAppendTime: -1 });
  });
});
