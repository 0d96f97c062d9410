// A partition's log (Kafka's UnifiedLog, one segment): record batches kept in a Storage file,
// each framed as [length][CRC-32C][JSON] (or, on a storage that offers wireBatches, a batch that
// came from the wire as [length][its own CRC-32C][its RecordBatch v2 bytes]), with the log end offset, the flushed offset, the
// leader-epoch cache (KIP-101) and truncation. Recovery keeps the longest intact prefix, as
// Kafka's LogLoader does with a torn tail. The high watermark is the replica's business, not
// the log's; it is checkpointed beside the log by the replica manager.

import { hashString } from '../hash.ts';
import type { OffsetAndEpoch } from '../protocol/quorum.ts';
import { decodedFields, lastOffsetOf, recordTimestamp, type RecordBatch } from '../protocol/records.ts';
import type { Storage, WireBatchCodec } from '../storage.ts';
import { crc32c } from './crc32c.ts';
import type { LogConfig } from './log-config.ts';
import { EpochCache, UNDEFINED_EPOCH } from './epoch-cache.ts';
import { encodeUtf8Into, maxUtf8Length } from './utf8.ts';

export interface StoredBatch {
  batch: RecordBatch;
  /** Hash of the batch's encoded form: its identity for checkers (equal hash, equal batch). */
  hash: number;
  /** Byte position of the batch's frame in the log file. */
  position: number;
  bytes: number;
}

/** What the log reports as it changes (wired to the trace by the replica). */
export interface PartitionLogObserver {
  appended(batches: readonly StoredBatch[]): void;
  truncated(endOffset: number): void;
}

/** A batch's frame and hash, computed once per batch object: followers append the leader's very batch. */
const encodings = new WeakMap<RecordBatch, { frame: Uint8Array; hash: number }>();
const decoder = new TextDecoder();

function encode(batch: RecordBatch, wire: WireBatchCodec | undefined): { frame: Uint8Array; hash: number } {
  let encoded = encodings.get(batch);
  if (encoded === undefined) {
    encoded = wire !== undefined && batch.wireBytes !== undefined ? wireFrame(batch.wireBytes) : jsonFrame(batch);
    encodings.set(batch, encoded);
  }
  return encoded;
}

function jsonFrame(batch: RecordBatch): { frame: Uint8Array; hash: number } {
  const text = JSON.stringify(decodedFields(batch));
  const buffer = new Uint8Array(8 + maxUtf8Length(text));
  const length = encodeUtf8Into(text, buffer, 8);
  const view = new DataView(buffer.buffer);
  view.setUint32(0, length);
  view.setUint32(4, crc32c(buffer, 8, 8 + length));
  return { frame: buffer.subarray(0, 8 + length), hash: hashString(text) };
}

/** Where RecordBatch v2 keeps its CRC-32C (of the bytes from its attributes to its end). */
const WIRE_CRC = 17;
/** A JSON frame's first byte ('{'); a wire frame starts with a baseOffset's high byte, 0 for any offset a log reaches. */
const JSON_START = 0x7b;

/**
 * The batch's own bytes behind the frame header, with the batch's CRC as the frame's: no second pass
 * over the bytes (the codec checked that CRC when the batch came in, and checks it again on recovery).
 * Its hash is that CRC: replicas that store the same bytes report the same hash.
 */
function wireFrame(bytes: Uint8Array): { frame: Uint8Array; hash: number } {
  const frame = new Uint8Array(8 + bytes.length);
  frame.set(bytes, 8);
  const view = new DataView(frame.buffer);
  const crc = view.getUint32(8 + WIRE_CRC);
  view.setUint32(0, bytes.length);
  view.setUint32(4, crc);
  return { frame, hash: crc };
}

/** A wire frame's batch, or null when the bytes are not an intact batch (a torn or foreign tail). */
function parseWireBatch(wire: WireBatchCodec | undefined, payload: Uint8Array, frameCrc: number): RecordBatch | null {
  if (wire === undefined || payload.length <= WIRE_CRC + 4 || payload[0] === JSON_START) return null;
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  if (view.getUint32(WIRE_CRC) !== frameCrc) return null;
  try {
    return wire.decode(payload);
  } catch {
    return null;
  }
}

export class PartitionLog {
  private batches: StoredBatch[] = [];
  private fileSize = 0;
  private readonly epochs = new EpochCache(UNDEFINED_EPOCH);
  logStartOffset = 0;
  /** Batches below this offset are durable. */
  flushedEnd = 0;
  /** Records appended since the last flush (for flush.messages). */
  unflushedMessages = 0;
  /** The topic's segment settings; this single-file log keeps them for the segmented log, which rolls by them. */
  config: LogConfig | null = null;

  setConfig(config: LogConfig): void {
    this.config = config;
  }

  private constructor(
    private readonly storage: Storage,
    readonly file: string,
    private readonly observer: PartitionLogObserver,
  ) {}

  /** Recovers the log from storage: every intact batch from the start; a torn or foreign tail is cut. */
  static open(storage: Storage, file: string, observer: PartitionLogObserver): { log: PartitionLog; tornBytes: number } {
    const log = new PartitionLog(storage, file, observer);
    const bytes = storage.read(file, 0, storage.size(file));
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let position = 0;
    while (position + 8 <= bytes.length) {
      const length = view.getUint32(position);
      const end = position + 8 + length;
      if (length === 0 || end > bytes.length) break;
      const frameCrc = view.getUint32(position + 4);
      let batch: RecordBatch | null;
      let hash: number;
      if (bytes[position + 8] === JSON_START) {
        if (crc32c(bytes, position + 8, end) !== frameCrc) break;
        const text = decoder.decode(bytes.subarray(position + 8, end));
        batch = parseBatch(text);
        hash = hashString(text);
      } else {
        batch = parseWireBatch(storage.wireBatches, bytes.slice(position + 8, end), frameCrc);
        hash = frameCrc;
      }
      if (batch === null || batch.baseOffset !== log.logEndOffset || batch.partitionLeaderEpoch < log.epochs.latestEpoch) break;
      encodings.set(batch, { frame: bytes.slice(position, end), hash });
      log.epochs.assign(batch.partitionLeaderEpoch, batch.baseOffset);
      log.batches.push({ batch, hash, position, bytes: end - position });
      position = end;
    }
    const tornBytes = bytes.length - position;
    if (tornBytes > 0) storage.replace(file, bytes.slice(0, position));
    log.fileSize = position;
    log.flushedEnd = log.logEndOffset;
    return { log, tornBytes };
  }

  get logEndOffset(): number {
    const last = this.batches.at(-1);
    return last === undefined ? this.logStartOffset : lastOffsetOf(last.batch) + 1;
  }

  /** The leader epoch of the last batch (the epoch a follower reports as last fetched); -1 when empty. */
  get lastEpoch(): number {
    return this.batches.at(-1)?.batch.partitionLeaderEpoch ?? UNDEFINED_EPOCH;
  }

  get batchCount(): number {
    return this.batches.length;
  }

  /** Every batch held, oldest first (for checkers' recovery events and tests). */
  storedBatches(): readonly StoredBatch[] {
    return this.batches;
  }

  epochStartOffset(epoch: number): number | null {
    return this.epochs.startOffsetOf(epoch);
  }

  endOffsetForEpoch(epoch: number): OffsetAndEpoch {
    return this.epochs.endOffsetFor(epoch, this.logStartOffset, this.logEndOffset);
  }

  /** Where a fetcher at `fetchOffset` whose last batch was in `lastFetchedEpoch` parts from this log, or null. */
  divergence(fetchOffset: number, lastFetchedEpoch: number): OffsetAndEpoch | null {
    return this.epochs.divergence(fetchOffset, lastFetchedEpoch, this.logStartOffset, this.logEndOffset);
  }

  /** Where this log truncates when its leader reports `diverging`. */
  truncationOffsetFor(diverging: OffsetAndEpoch): number {
    return this.epochs.truncationOffsetFor(diverging, this.logStartOffset, this.logEndOffset);
  }

  /** Appends a batch whose offsets are assigned (by the leader or fetched from it). Not durable until flush. */
  append(batches: readonly RecordBatch[]): void {
    if (batches.length === 0) return;
    let next = this.logEndOffset;
    let epoch = this.lastEpoch;
    for (const batch of batches) {
      if (batch.baseOffset !== next) throw new RangeError(`${this.file}: batch at ${batch.baseOffset} does not continue the log at ${next}`);
      if (batch.partitionLeaderEpoch < epoch) throw new RangeError(`${this.file}: batch epoch ${batch.partitionLeaderEpoch} below ${epoch}`);
      next = lastOffsetOf(batch) + 1;
      epoch = batch.partitionLeaderEpoch;
    }
    const added: StoredBatch[] = [];
    for (const batch of batches) {
      // Each batch's frame is appended as it is: the same immutable array on every replica.
      const { frame, hash } = encode(batch, this.storage.wireBatches);
      this.storage.append(this.file, frame);
      this.epochs.assign(batch.partitionLeaderEpoch, batch.baseOffset);
      const stored = { batch, hash, position: this.fileSize, bytes: frame.length };
      this.batches.push(stored);
      added.push(stored);
      this.fileSize += frame.length;
      this.unflushedMessages += batch.lastOffsetDelta + 1;
    }
    this.observer.appended(added);
  }

  /** Makes every appended batch durable. May throw StorageError. */
  flush(): void {
    if (this.flushedEnd === this.logEndOffset && this.unflushedMessages === 0) return;
    this.storage.fsync(this.file);
    this.flushedEnd = this.logEndOffset;
    this.unflushedMessages = 0;
  }

  /**
   * Removes everything at or after `offset`. A batch straddling it goes whole, as Kafka truncates
   * a segment at the start of the batch holding the offset.
   */
  truncateTo(offset: number): void {
    if (offset >= this.logEndOffset) return;
    let keep = this.batches.length;
    while (keep > 0 && lastOffsetOf(this.batches[keep - 1]!.batch) >= offset) keep--;
    const position = this.batches[keep]?.position ?? this.fileSize;
    this.batches.length = keep;
    this.storage.truncate(this.file, position);
    this.fileSize = position;
    this.epochs.truncateFromEnd(this.logEndOffset);
    this.flushedEnd = Math.min(this.flushedEnd, this.logEndOffset);
    this.observer.truncated(this.logEndOffset);
  }

  /**
   * Batches holding offsets from `fromOffset` up to (not including) `upTo`, up to about
   * `maxBytes` but always at least one batch when there is one (KIP-74).
   */
  read(fromOffset: number, upTo: number, maxBytes: number): RecordBatch[] {
    const out: RecordBatch[] = [];
    let index = this.indexOf(fromOffset);
    let bytes = 0;
    for (; index < this.batches.length; index++) {
      const stored = this.batches[index]!;
      if (stored.batch.baseOffset >= upTo) break;
      // High watermarks fall on batch boundaries (every replica appends whole batches).
      if (lastOffsetOf(stored.batch) >= upTo) break;
      if (out.length > 0 && bytes + stored.bytes > maxBytes) break;
      out.push(stored.batch);
      bytes += stored.bytes;
    }
    return out;
  }

  /** The first offset whose batch has a max timestamp at or after `timestamp`, or null. */
  offsetForTimestamp(timestamp: number): { offset: number; timestamp: number; epoch: number } | null {
    for (const { batch } of this.batches) {
      if (batch.maxTimestamp < timestamp) continue;
      for (const r of batch.records) {
        const ts = recordTimestamp(batch, r);
        if (ts >= timestamp) return { offset: batch.baseOffset + r.offsetDelta, timestamp: ts, epoch: batch.partitionLeaderEpoch };
      }
    }
    return null;
  }

  /** Bytes held (for retention by size and for fetch limits). */
  get sizeInBytes(): number {
    return this.fileSize;
  }

  /** Index of the first batch whose last offset is at or after `offset` (binary search). */
  private indexOf(offset: number): number {
    let lo = 0;
    let hi = this.batches.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (lastOffsetOf(this.batches[mid]!.batch) < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

function parseBatch(text: string): RecordBatch | null {
  try {
    const value = JSON.parse(text) as RecordBatch;
    return typeof value === 'object' && value !== null && typeof value.baseOffset === 'number' && Array.isArray(value.records) ? value : null;
  } catch {
    return null;
  }
}
