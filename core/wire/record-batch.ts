// RecordBatch v2 (magic 2) bytes <-> the core's RecordBatch: a record set (batches back to back, as
// Produce and Fetch carry it) decoded with CRC and size checks, and encoded with batchLength and CRC.

import { crc32c } from '../log/crc32c.ts';
import { ErrorCode } from '../protocol/errors.ts';
import type { Bytes, KafkaRecord, RecordBatch, RecordHeader } from '../protocol/records.ts';
import { CODEC_IDS, CODEC_MASK, codecOfAttributes, compress, decompress, NO_COMPRESSORS, UnsupportedCompressionError } from './compression.ts';
import type { CompressionCodec, Compressors } from './compression.ts';
import { WireFormatError } from './errors.ts';
import { WireReader } from './wire-reader.ts';
import { utf8Length, uvarintSize, WireWriter } from './wire-writer.ts';

/** Where a batch's attributes start: its CRC covers the bytes from here to its end. */
const ATTRIBUTES = 21;
/** The header's size: records start here. */
export const RECORD_BATCH_OVERHEAD = 61;
/** baseOffset and batchLength: the bytes that batchLength does not count. */
const LOG_OVERHEAD = 12;
/** The smallest entry of any message format (a magic-0 message with null key and value), as Kafka checks it. */
const MIN_LEGACY_LENGTH = 14;
export const CURRENT_MAGIC = 2;
/** The smallest record: one byte each for length, attributes, timestampDelta, offsetDelta, key, value and header count. */
const MIN_RECORD_SIZE = 7;

/** A record set Samsa cannot take, with the Kafka error code a broker answers for its partition. */
export class RecordBatchError extends Error {
  override readonly name = 'RecordBatchError';
  readonly errorCode: typeof ErrorCode.CORRUPT_MESSAGE | typeof ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT | typeof ErrorCode.UNSUPPORTED_COMPRESSION_TYPE;
  /** Where the offending batch starts in the record set. */
  readonly position: number;

  constructor(errorCode: RecordBatchError['errorCode'], position: number, problem: string, options?: { cause: unknown }) {
    super(`batch at byte ${position}: ${problem}`, options);
    this.errorCode = errorCode;
    this.position = position;
  }
}

/** A batch's header fields, read without its records. */
export interface BatchHeader {
  /** Where the batch starts in the record set, and its size in bytes (batchLength + 12). */
  position: number;
  size: number;
  baseOffset: number;
  partitionLeaderEpoch: number;
  /** The stored CRC-32C (of the bytes from attributes to the end). */
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

/**
 * The header of the batch at `position`, or undefined when the bytes from there hold only part of a
 * batch (a Fetch response cuts its last batch at the size limit). Throws RecordBatchError for a batch
 * of another message format (magic 0 or 1: UNSUPPORTED_FOR_MESSAGE_FORMAT) or a malformed one.
 */
export function readBatchHeader(bytes: Uint8Array, position = 0): BatchHeader | undefined {
  if (bytes.length - position < LOG_OVERHEAD) return undefined;
  const r = new WireReader(bytes, position);
  try {
    const baseOffset = r.int64();
    const batchLength = r.int32();
    if (batchLength < MIN_LEGACY_LENGTH) throw new WireFormatError(`batch length ${batchLength} is too small for any batch`);
    const size = LOG_OVERHEAD + batchLength;
    if (size > bytes.length - position) return undefined;
    const partitionLeaderEpoch = r.int32();
    const magic = r.int8();
    if (magic === 0 || magic === 1) {
      throw new RecordBatchError(
        ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT,
        position,
        `message format v${magic} (magic ${magic}) is not supported, only RecordBatch v2`,
      );
    }
    if (magic !== CURRENT_MAGIC) throw new WireFormatError(`invalid magic ${magic}`);
    if (size < RECORD_BATCH_OVERHEAD) throw new WireFormatError(`batch of ${size} bytes is shorter than its ${RECORD_BATCH_OVERHEAD}-byte header`);
    const header: BatchHeader = {
      position,
      size,
      baseOffset,
      partitionLeaderEpoch,
      crc: r.uint32(),
      attributes: r.int16(),
      lastOffsetDelta: r.int32(),
      baseTimestamp: r.int64(),
      maxTimestamp: r.int64(),
      producerId: r.int64(),
      producerEpoch: r.int16(),
      baseSequence: r.int32(),
      recordCount: r.int32(),
    };
    if (header.recordCount < 0) throw new WireFormatError(`negative record count ${header.recordCount}`);
    return header;
  } catch (e) {
    throw e instanceof WireFormatError ? new RecordBatchError(ErrorCode.CORRUPT_MESSAGE, position, e.message, { cause: e }) : e;
  }
}

/** Whether a batch's stored CRC matches its bytes. */
export function batchCrcValid(bytes: Uint8Array, header: BatchHeader): boolean {
  return crc32c(bytes, header.position + ATTRIBUTES, header.position + header.size) === header.crc;
}

export interface BatchSummary extends BatchHeader {
  crcValid: boolean;
}

export interface RecordSetSummary {
  batches: BatchSummary[];
  /** Bytes at the end holding only part of a batch (dropped); 0 when the set ends on a batch boundary. */
  truncatedBytes: number;
}

/**
 * Every batch's header and CRC check, without decoding a record: what a broker that stores batches
 * verbatim needs (offsets, counts, producer fields). Throws RecordBatchError as readBatchHeader does.
 */
export function summarizeRecordSet(bytes: Uint8Array): RecordSetSummary {
  const batches: BatchSummary[] = [];
  let position = 0;
  for (let header = readBatchHeader(bytes, 0); header !== undefined; header = readBatchHeader(bytes, position)) {
    batches.push({ ...header, crcValid: batchCrcValid(bytes, header) });
    position += header.size;
  }
  return { batches, truncatedBytes: bytes.length - position };
}

export interface DecodedRecordSet {
  batches: RecordBatch[];
  /** Bytes at the end holding only part of a batch (dropped); 0 when the set ends on a batch boundary. */
  truncatedBytes: number;
}

/**
 * Decodes a record set into the core's batches, each with `wireBytes` set to a view of its bytes
 * inside `bytes` (no copy: copy them to keep them beyond the input's life; assignOffsets copies
 * before it patches). A trailing partial batch is dropped and counted. Throws RecordBatchError:
 * CORRUPT_MESSAGE for a CRC mismatch, a bad size or a record that does not parse; UNSUPPORTED_FOR_MESSAGE_FORMAT
 * for magic 0 or 1; UNSUPPORTED_COMPRESSION_TYPE for a codec `compressors` lacks.
 */
export function decodeRecordSet(bytes: Uint8Array, compressors: Compressors = NO_COMPRESSORS, lazyRecords = false): DecodedRecordSet {
  const batches: RecordBatch[] = [];
  let position = 0;
  for (let header = readBatchHeader(bytes, 0); header !== undefined; header = readBatchHeader(bytes, position)) {
    batches.push(decodeBatch(bytes, header, compressors, lazyRecords));
    position += header.size;
  }
  return { batches, truncatedBytes: bytes.length - position };
}

/** Decodes bytes that hold exactly one whole batch (as `wireBytes` does). */
export function decodeRecordBatch(bytes: Uint8Array, compressors: Compressors = NO_COMPRESSORS, lazyRecords = false, verifyCrc = true): RecordBatch {
  const header = readBatchHeader(bytes, 0);
  if (header === undefined) throw new RecordBatchError(ErrorCode.CORRUPT_MESSAGE, 0, `${bytes.length} bytes hold only part of a batch`);
  if (header.size !== bytes.length) throw new RecordBatchError(ErrorCode.CORRUPT_MESSAGE, 0, `${bytes.length - header.size} bytes follow the batch`);
  return decodeBatch(bytes, header, compressors, lazyRecords, verifyCrc);
}

function decodeBatch(bytes: Uint8Array, header: BatchHeader, compressors: Compressors, lazyRecords = false, verifyCrc = true): RecordBatch {
  const { position, size, crc } = header;
  const end = position + size;
  const actualCrc = verifyCrc ? crc32c(bytes, position + ATTRIBUTES, end) : crc;
  if (actualCrc !== crc) throw new RecordBatchError(ErrorCode.CORRUPT_MESSAGE, position, `CRC mismatch: stored ${hex(crc)}, computed ${hex(actualCrc)}`);
  const records = lazyRecords ? [] : readRecords(bytes, header, recordsPayload(bytes, header, compressors));
  const batch: RecordBatch = {
    baseOffset: header.baseOffset,
    partitionLeaderEpoch: header.partitionLeaderEpoch,
    attributes: header.attributes,
    lastOffsetDelta: header.lastOffsetDelta,
    baseTimestamp: header.baseTimestamp,
    maxTimestamp: header.maxTimestamp,
    producerId: header.producerId,
    producerEpoch: header.producerEpoch,
    baseSequence: header.baseSequence,
    records,
    wireBytes: bytes.subarray(position, end),
  };
  if (lazyRecords) {
    // Decoded on first read, then a plain value; an enumerable own property, so copies and JSON see it as before.
    Object.defineProperty(batch, 'records', {
      enumerable: true,
      configurable: true,
      get(): KafkaRecord[] {
        const value = readRecords(bytes, header, recordsPayload(bytes, header, compressors));
        Object.defineProperty(batch, 'records', { value, enumerable: true, configurable: true, writable: true });
        return value;
      },
      set(value: KafkaRecord[]) {
        Object.defineProperty(batch, 'records', { value, enumerable: true, configurable: true, writable: true });
      },
    });
  }
  return batch;
}

/** The records' bytes and their range: the batch's own bytes, or the payload decompressed. */
function recordsPayload(bytes: Uint8Array, header: BatchHeader, compressors: Compressors): { buf: Uint8Array; start: number; end: number } {
  const start = header.position + RECORD_BATCH_OVERHEAD;
  const end = header.position + header.size;
  const codec = codecOfAttributes(header.attributes);
  if (codec === 'none') return { buf: bytes, start, end };
  try {
    if (codec === undefined) throw new UnsupportedCompressionError(header.attributes & CODEC_MASK);
    const buf = decompress(compressors, codec, bytes.subarray(start, end));
    return { buf, start: 0, end: buf.length };
  } catch (e) {
    if (e instanceof UnsupportedCompressionError) throw new RecordBatchError(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, header.position, e.message, { cause: e });
    throw new RecordBatchError(ErrorCode.CORRUPT_MESSAGE, header.position, `${codec} payload does not decompress: ${messageOf(e)}`, { cause: e });
  }
}

function readRecords(bytes: Uint8Array, header: BatchHeader, payload: { buf: Uint8Array; start: number; end: number }): KafkaRecord[] {
  const { buf, end } = payload;
  const reader = new WireReader(buf, payload.start, end);
  const count = header.recordCount;
  if (count * MIN_RECORD_SIZE > end - payload.start) {
    throw new RecordBatchError(ErrorCode.CORRUPT_MESSAGE, header.position, `${count} records cannot fit in ${end - payload.start} bytes (wrong record count?)`);
  }
  const records: KafkaRecord[] = new Array(count);
  let i = 0;
  try {
    for (; i < count; i++) records[i] = readRecord(reader, buf);
  } catch (e) {
    if (!(e instanceof WireFormatError)) throw e;
    throw new RecordBatchError(ErrorCode.CORRUPT_MESSAGE, header.position, `record ${i} of ${count}: ${e.message}`, { cause: e });
  }
  if (reader.remaining !== 0) {
    throw new RecordBatchError(ErrorCode.CORRUPT_MESSAGE, header.position, `${reader.remaining} bytes follow its ${count} records (wrong record count?)`);
  }
  return records;
}

function readRecord(reader: WireReader, buf: Uint8Array): KafkaRecord {
  const length = reader.varint();
  if (length < 0) throw new WireFormatError(`negative record length ${length}`);
  if (length > reader.remaining) throw new WireFormatError(`record of ${length} bytes is truncated: ${reader.remaining} left`);
  const start = reader.offset;
  reader.int8(); // attributes: unused
  const timestampDelta = reader.varlong();
  const offsetDelta = reader.varint();
  const key = readLatin1(reader, buf, 'key');
  const value = readLatin1(reader, buf, 'value');
  const headerCount = reader.varint();
  if (headerCount < 0) throw new WireFormatError(`negative header count ${headerCount}`);
  const headers: RecordHeader[] = new Array(headerCount);
  for (let h = 0; h < headerCount; h++) {
    const keyLength = reader.varint();
    if (keyLength < 0) throw new WireFormatError(`negative header key length ${keyLength}`);
    const at = reader.offset;
    reader.skip(keyLength, 'header key');
    headers[h] = { key: utf8(buf, at, at + keyLength), value: readLatin1(reader, buf, 'header value') };
  }
  if (reader.offset - start !== length) throw new WireFormatError(`record declares ${length} bytes but its fields take ${reader.offset - start}`);
  return { offsetDelta, timestampDelta, key, value, headers };
}

/** A varint-length-prefixed byte string (-1 = null) as latin1 Bytes. */
function readLatin1(reader: WireReader, buf: Uint8Array, what: string): Bytes | null {
  const length = reader.varint();
  if (length === -1) return null;
  if (length < 0) throw new WireFormatError(`negative ${what} length ${length}`);
  const at = reader.offset;
  reader.skip(length, what);
  return latin1(buf, at, at + length);
}

const CHUNK = 8192;
/**
 * The WHATWG "latin1" decoder is windows-1252: the same as latin1 except for bytes 0x80-0x9F, and
 * much faster than building the string in JavaScript beyond a few bytes.
 */
const windows1252 = new TextDecoder('latin1');

/** Bytes as a string of one char per byte. */
function latin1(buf: Uint8Array, start: number, end: number): Bytes {
  let s = '';
  if (end - start <= 16) {
    for (let i = start; i < end; i++) s += String.fromCharCode(buf[i]!);
    return s;
  }
  let i = start;
  while (i < end && (buf[i]! & 0xe0) !== 0x80) i++;
  if (i === end) return windows1252.decode(buf.subarray(start, end));
  for (let at = start; at < end; at += CHUNK) s += String.fromCharCode.apply(null, buf.subarray(at, Math.min(end, at + CHUNK)) as unknown as number[]);
  return s;
}

// ignoreBOM keeps a leading U+FEFF; malformed UTF-8 becomes U+FFFD, as Java's decoder does.
const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** UTF-8 bytes as text (header keys): ASCII as latin1, anything else through TextDecoder. */
function utf8(buf: Uint8Array, start: number, end: number): string {
  for (let i = start; i < end; i++) if (buf[i]! >= 0x80) return utf8Decoder.decode(buf.subarray(start, end));
  return latin1(buf, start, end);
}

export interface EncodeOptions {
  /** The codec to write with; by default the one the batch's attributes name. */
  codec?: CompressionCodec;
  /** Where the codec comes from (default: none but 'none'). */
  compressors?: Compressors;
}

/**
 * A batch as RecordBatch v2 bytes from its decoded fields (its `wireBytes` are not used), with the
 * codec's id in the attributes, batchLength and CRC. Throws UnsupportedCompressionError for a
 * codec `compressors` lacks, and WireFormatError for a field its wire type cannot hold.
 */
export function encodeRecordBatch(batch: RecordBatch, options: EncodeOptions = {}): Uint8Array {
  const codecId = batch.attributes & CODEC_MASK;
  const codec = options.codec ?? codecOfAttributes(codecId);
  if (codec === undefined) throw new UnsupportedCompressionError(codecId);
  const attributes = (batch.attributes & ~CODEC_MASK) | CODEC_IDS[codec];
  const sizes = recordSizes(batch.records);
  const records =
    codec === 'none'
      ? undefined
      : compress(options.compressors ?? NO_COMPRESSORS, codec, writeRecords(batch.records, sizes, new WireWriter(sizes.total)).finish());
  const w = new WireWriter(RECORD_BATCH_OVERHEAD + (records?.length ?? sizes.total));
  w.int64(batch.baseOffset);
  const lengthAt = w.reserveInt32();
  w.int32(batch.partitionLeaderEpoch);
  w.int8(CURRENT_MAGIC);
  const crcAt = w.reserveInt32();
  w.int16(attributes);
  w.int32(batch.lastOffsetDelta);
  w.int64(batch.baseTimestamp);
  w.int64(batch.maxTimestamp);
  w.int64(batch.producerId);
  w.int16(batch.producerEpoch);
  w.int32(batch.baseSequence);
  w.int32(batch.records.length);
  if (records === undefined) writeRecords(batch.records, sizes, w);
  else w.raw(records);
  w.patchInt32(lengthAt, w.offset - LOG_OVERHEAD);
  const bytes = w.finish();
  w.patchInt32(crcAt, crc32c(bytes, ATTRIBUTES) | 0);
  return bytes;
}

/** The size of a batch's RecordBatch v2 encoding without compression: its wire size when its codec is none. */
export function uncompressedBatchSize(batch: RecordBatch): number {
  return RECORD_BATCH_OVERHEAD + recordSizes(batch.records).total;
}

/** Where RecordBatch v2 keeps maxTimestamp (int64), inside the CRC'd part. */
const MAX_TIMESTAMP = 35;

/**
 * A copy of one batch's bytes with new attributes and maxTimestamp and the CRC recomputed, as Kafka's
 * leader stamps LogAppendTime on a batch it does not re-encode (MemoryRecords.setMaxTimestamp): both
 * fields lie inside the CRC'd part, so unlike the base offset they cannot be patched alone.
 */
export function patchAttributesAndMaxTimestamp(bytes: Uint8Array, attributes: number, maxTimestamp: number): Uint8Array {
  const out = bytes.slice();
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setInt16(ATTRIBUTES, attributes);
  view.setBigInt64(MAX_TIMESTAMP, BigInt(maxTimestamp));
  view.setUint32(ATTRIBUTES - 4, crc32c(out, ATTRIBUTES, out.length));
  return out;
}

/** A record set from batches: each batch's `wireBytes` when it has them (the very bytes stored), else its encoding. */
export function encodeRecordSet(batches: readonly RecordBatch[], options: EncodeOptions = {}): Uint8Array {
  const parts = batches.map((b) => b.wireBytes ?? encodeRecordBatch(b, options));
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Each record's size without its length prefix, and the total with prefixes: the encoder sizes its buffer once. */
interface RecordSizes {
  body: Int32Array;
  total: number;
}

function recordSizes(records: readonly KafkaRecord[]): RecordSizes {
  const body = new Int32Array(records.length);
  let total = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    let n = 1 + varlongSize(r.timestampDelta) + varintSize(r.offsetDelta) + bytesFieldSize(r.key) + bytesFieldSize(r.value) + varintSize(r.headers.length);
    for (const h of r.headers) {
      const keyLength = utf8Length(h.key);
      n += varintSize(keyLength) + keyLength + bytesFieldSize(h.value);
    }
    body[i] = n;
    total += varintSize(n) + n;
  }
  return { body, total };
}

function writeRecords(records: readonly KafkaRecord[], sizes: RecordSizes, w: WireWriter): WireWriter {
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    w.varint(sizes.body[i]!);
    w.int8(0); // attributes
    w.varlong(r.timestampDelta);
    w.varint(r.offsetDelta);
    writeLatin1(w, r.key);
    writeLatin1(w, r.value);
    w.varint(r.headers.length);
    for (const h of r.headers) {
      const length = utf8Length(h.key);
      w.varint(length);
      w.raw(length === h.key.length ? latin1Bytes(h.key) : utf8Encoder.encode(h.key));
      writeLatin1(w, h.value);
    }
  }
  return w;
}

const utf8Encoder = new TextEncoder();

/** A reused buffer for turning latin1 strings into bytes without an allocation per field. */
let scratch = new Uint8Array(1024);

/** A string's chars as bytes, in the scratch buffer (valid until the next call). */
function latin1Bytes(s: string): Uint8Array {
  if (s.length > scratch.length) scratch = new Uint8Array(Math.max(s.length, scratch.length * 2));
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) throw new WireFormatError(`char ${c} at index ${i} is not a byte (Bytes hold chars 0..255)`);
    scratch[i] = c;
  }
  return scratch.subarray(0, s.length);
}

function writeLatin1(w: WireWriter, value: Bytes | null): void {
  if (value === null) {
    w.varint(-1);
    return;
  }
  w.varint(value.length);
  w.raw(latin1Bytes(value));
}

function varintSize(value: number): number {
  return uvarintSize(((value << 1) ^ (value >> 31)) >>> 0);
}

function varlongSize(value: number): number {
  if ((value | 0) === value) return varintSize(value);
  let z = value >= 0 ? value * 2 : -value * 2 - 1;
  let n = 1;
  for (; z >= 0x80; n++) z = Math.floor(z / 0x80);
  return n;
}

function bytesFieldSize(value: Bytes | null): number {
  return value === null ? 1 : varintSize(value.length) + value.length;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
