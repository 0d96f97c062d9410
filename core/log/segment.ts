// One segment of a partition log (Kafka's LogSegment): the batches from its base offset in
// `<base offset, 20 digits>.log`, a sparse offset index and a time index beside it, the roll rules,
// and lookups that binary-search an index and scan a few frames. The active segment also keeps
// its batches decoded in memory (the tail every caught-up reader asks for); a closed segment is
// read from its files. Beside them, the aborted-transaction index (core/log/txn-index.ts).

import { lastOffsetOf, type RecordBatch } from '../protocol/records.ts';
import type { Storage } from '../storage.ts';
import type { LogConfig } from './log-config.ts';
import type { SegmentInfo as RetentionSegmentInfo } from './retention.ts';
import { FRAME_HEADER, parseFrame, type ParsedFrame } from './log-frame.ts';
import { OffsetIndex, TimeIndex } from './log-index.ts';
import { TAIL_CACHE_BYTES, TailCache } from './tail-cache.ts';
import { TransactionIndex } from './txn-index.ts';

export interface StoredBatch {
  batch: RecordBatch;
  /** Hash of the batch's encoded form: its identity for checkers (equal hash, equal batch). */
  hash: number;
  /** Byte position of the batch's frame in its segment file. */
  position: number;
  bytes: number;
}

/** A segment as retention and the benchmark see it. */
export interface SegmentInfo extends RetentionSegmentInfo {
  /** Bytes of its offset and time indexes (what the cleaner's grouping bounds by segment.index.bytes). */
  offsetIndexBytes: number;
  timeIndexBytes: number;
}

/** Kafka's file name prefix: the base offset, zero-padded to 20 digits. */
export function segmentFileName(dir: string, baseOffset: number, suffix: '.log' | '.index' | '.timeindex' | '.txnindex'): string {
  return `${dir}/${String(baseOffset).padStart(20, '0')}${suffix}`;
}

/** The base offset a segment file name carries, or null when the name is not a segment's. */
export function baseOffsetOfFile(name: string): { baseOffset: number; suffix: string } | null {
  const match = /\/(\d{20})(\.log|\.index|\.timeindex|\.txnindex)$/.exec(name);
  return match === null ? null : { baseOffset: Number(match[1]), suffix: match[2]! };
}

/** Bytes read at a time when scanning a closed segment. */
const READ_CHUNK = 64 * 1024;
/** The least a lookup reads first: a batch of a usual size from the index entry on, in one read. */
const MIN_FIRST_CHUNK = 16 * 1024;
const MAX_RELATIVE_OFFSET = 2 ** 31 - 1;

export class LogSegment {
  readonly logFile: string;
  readonly offsetIndex: OffsetIndex;
  readonly timeIndex: TimeIndex;
  readonly txnIndex: TransactionIndex;
  size = 0;
  nextOffset: number;
  /** The first batch's max timestamp: segment.ms counts from it (Kafka's rollingBasedTimestamp). */
  private firstTimestamp = -1;
  maxTimestampSoFar = -1;
  private offsetOfMaxTimestamp = -1;
  private bytesSinceLastIndexEntry = 0;
  /** The newest batches, decoded, while this is the active segment; null once it is closed. */
  private cache: TailCache | null = null;

  constructor(
    private readonly storage: Storage,
    readonly dir: string,
    readonly baseOffset: number,
    private config: LogConfig,
    /** The decoded tail's byte budget while this is the active segment. */
    private readonly cacheBytes = TAIL_CACHE_BYTES,
  ) {
    this.logFile = segmentFileName(dir, baseOffset, '.log');
    this.nextOffset = baseOffset;
    this.cache = new TailCache(cacheBytes);
    this.offsetIndex = new OffsetIndex(storage, segmentFileName(dir, baseOffset, '.index'), baseOffset, Math.floor(config.segmentIndexBytes / 8));
    this.timeIndex = new TimeIndex(storage, segmentFileName(dir, baseOffset, '.timeindex'), baseOffset, Math.floor(config.segmentIndexBytes / 12));
    this.txnIndex = new TransactionIndex(storage, segmentFileName(dir, baseOffset, '.txnindex'));
  }

  setConfig(config: LogConfig): void {
    this.config = config;
  }

  get isEmpty(): boolean {
    return this.size === 0;
  }

  /** Kafka's shouldRoll, checked before an append of `incomingBytes` whose batches end at `lastOffset`. */
  shouldRoll(incomingBytes: number, firstBatchMaxTimestamp: number, lastOffset: number): boolean {
    if (this.isEmpty) return false;
    return (
      this.size > this.config.segmentBytes - incomingBytes ||
      (this.firstTimestamp >= 0 && firstBatchMaxTimestamp - this.firstTimestamp > this.config.segmentMs) ||
      this.offsetIndex.isFull ||
      this.timeIndex.isFull ||
      lastOffset - this.baseOffset > MAX_RELATIVE_OFFSET
    );
  }

  /** Appends one batch's frame; the index gets an entry once index.interval.bytes have passed since the last. */
  append(batch: RecordBatch, frame: Uint8Array, hash: number): StoredBatch {
    const stored: StoredBatch = { batch, hash, position: this.size, bytes: frame.length };
    this.storage.append(this.logFile, frame);
    this.noteBatch(stored);
    this.cache?.push(this.cacheable(stored, frame));
    return stored;
  }

  /**
   * What the tail cache holds of a batch just appended: a wire batch as the frame's own bytes with its
   * records decoded only when read (a produced batch's decoded records would cost the heap several
   * times its bytes, and its bytes may be a slice of a whole request), any other batch as it is.
   */
  private cacheable(stored: StoredBatch, frame: Uint8Array): StoredBatch {
    const wire = this.storage.wireBatches;
    if (wire === undefined || stored.batch.wireBytes === undefined) return stored;
    return { ...stored, batch: wire.decode(frame.subarray(FRAME_HEADER), true) };
  }

  /** Takes a batch now in the file into the segment's state and (unless its entries are in the files already) its indexes. */
  private noteBatch(stored: StoredBatch, index = true): void {
    const { batch } = stored;
    const last = lastOffsetOf(batch);
    if (this.firstTimestamp < 0) this.firstTimestamp = batch.maxTimestamp;
    if (batch.maxTimestamp > this.maxTimestampSoFar) {
      this.maxTimestampSoFar = batch.maxTimestamp;
      this.offsetOfMaxTimestamp = last;
    }
    if (index && this.bytesSinceLastIndexEntry > this.config.indexIntervalBytes) {
      this.offsetIndex.append(last, stored.position);
      this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestamp);
      this.bytesSinceLastIndexEntry = 0;
    }
    this.bytesSinceLastIndexEntry += stored.bytes;
    this.size = stored.position + stored.bytes;
    this.nextOffset = last + 1;
  }

  /** Closes the segment at a roll: the time index gets its final entry and the decoded batches go. */
  close(): void {
    if (this.maxTimestampSoFar >= 0) this.timeIndex.maybeAppend(this.maxTimestampSoFar, this.offsetOfMaxTimestamp);
    // Both index files exist from here on, even without an entry: a missing one means "rebuild".
    this.offsetIndex.ensureFile();
    this.timeIndex.ensureFile();
    this.cache = null;
  }

  /** Makes the segment's log file durable, and its indexes with `indexes`. */
  fsync(indexes: boolean): void {
    this.storage.fsync(this.logFile);
    // Recovery rebuilds the aborted-transaction index only past the recovery point, so it is made durable with the log (as Kafka's flush does).
    this.txnIndex.fsync();
    if (!indexes) return;
    this.offsetIndex.fsync();
    this.timeIndex.fsync();
  }

  /** Makes a closed segment the active one again (the later ones are gone): its batches decoded in memory. */
  activate(wire: Storage['wireBatches']): void {
    if (this.cache === null) this.cache = cacheOf(this.all(wire), this.cacheBytes);
  }

  info(active: boolean): SegmentInfo {
    return {
      baseOffset: this.baseOffset,
      nextOffset: this.nextOffset,
      sizeInBytes: this.size,
      largestTimestamp: this.maxTimestampSoFar,
      active,
      offsetIndexBytes: this.offsetIndex.sizeInBytes,
      timeIndexBytes: this.timeIndex.sizeInBytes,
    };
  }

  /**
   * The first batch's max timestamp (Kafka's getFirstBatchTimestamp); -1 when empty. A trusted
   * segment loaded from its indexes has not read a batch: its first frame is read once, here.
   */
  firstBatchTimestamp(wire: Storage['wireBatches']): number {
    if (this.firstTimestamp < 0 && this.size > 0) {
      this.scan(0, wire, (stored) => {
        this.firstTimestamp = stored.batch.maxTimestamp;
        return false;
      });
    }
    return this.firstTimestamp;
  }

  /**
   * Visits the batches whose last offset is at or after `offset`, in order, until `visit` returns
   * false; returns whether it stopped early. From memory for the active segment, else by the offset
   * index and a scan of the file.
   */
  forEachFrom(offset: number, visit: (stored: StoredBatch) => boolean, wire: Storage['wireBatches'], wantBytes = READ_CHUNK): boolean {
    if (this.cache !== null && this.cache.covers(offset)) return this.cache.forEachFrom(offset, visit);
    let stopped = false;
    // The index entry lies up to index.interval.bytes before the batch: a small read covers both.
    const firstChunk = Math.min(READ_CHUNK, Math.max(MIN_FIRST_CHUNK, wantBytes + this.config.indexIntervalBytes));
    const visitFrom = (stored: StoredBatch): boolean => {
      if (lastOffsetOf(stored.batch) < offset) return true;
      if (visit(stored)) return true;
      stopped = true;
      return false;
    };
    this.scan(this.offsetIndex.lookup(offset), wire, visitFrom, false, firstChunk);
    return stopped;
  }

  /** Every batch, oldest first. */
  all(wire: Storage['wireBatches']): StoredBatch[] {
    const cached = this.cache?.all() ?? null;
    if (cached !== null) return cached;
    const out: StoredBatch[] = [];
    this.scan(0, wire, (stored) => out.push(stored) > 0);
    return out;
  }

  /**
   * Reads intact frames from `position` on, until `visit` returns false or a frame is not intact;
   * returns the file position after the last frame visited and accepted. `verify` checks each
   * frame's CRC (recovery); reads of what recovery validated skip it, as Kafka's fetches do.
   */
  scan(position: number, wire: Storage['wireBatches'], visit: (stored: StoredBatch) => boolean, verify = false, firstChunk = READ_CHUNK): number {
    const fileSize = this.storage.size(this.logFile);
    let want = firstChunk;
    while (position < fileSize) {
      const buffer = this.storage.read(this.logFile, position, Math.min(want, fileSize - position));
      let at = 0;
      let parsed: ParsedFrame | 'short' | 'invalid';
      while ((parsed = parseFrame(buffer, at, wire, verify)) !== 'short') {
        if (parsed === 'invalid' || !visit({ batch: parsed.batch, hash: parsed.hash, position: position + at, bytes: parsed.bytes })) return position + at;
        at += parsed.bytes;
      }
      if (at === 0) {
        // One frame larger than the chunk: read it whole, unless the file ends inside it (a torn tail).
        if (buffer.length < 8) return position;
        const frameBytes = 8 + new DataView(buffer.buffer, buffer.byteOffset).getUint32(0);
        if (position + frameBytes > fileSize || frameBytes <= want) return position;
        want = frameBytes;
        continue;
      }
      position += at;
      want = READ_CHUNK;
    }
    return position;
  }

  /**
   * Recovers the segment from its file (Kafka's LogSegment.recover): re-reads every frame, keeps
   * those `accept` takes (checks CRC by parsing, offsets and epochs by the caller), rebuilds both
   * indexes, cuts the file after the last accepted frame. Returns the bytes cut.
   */
  recover(wire: Storage['wireBatches'], accept: (batch: RecordBatch) => boolean, keepBatches: boolean): number {
    this.offsetIndex.reset();
    this.timeIndex.reset();
    // Its aborted transactions come back from the producer state replayed over the recovered batches (the partition's business).
    this.txnIndex.reset();
    this.resetState();
    this.cache = keepBatches ? new TailCache(this.cacheBytes) : null;
    const end = this.scan(
      0,
      wire,
      (stored) => {
        if (!accept(stored.batch)) return false;
        this.noteBatch(stored);
        this.cache?.push(stored);
        return true;
      },
      true,
    );
    const fileSize = this.storage.size(this.logFile);
    if (end < fileSize) this.storage.truncate(this.logFile, end);
    this.size = end;
    // A closed segment gets its closing time-index entry back, as at its roll.
    if (!keepBatches) this.close();
    return fileSize - end;
  }

  /**
   * Loads a segment below the recovery point, trusted as written: its indexes from their files
   * (rebuilt from the log when missing or failing the sanity check), its end from the next
   * segment's base.
   */
  load(nextOffset: number, wire: Storage['wireBatches']): void {
    this.cache = null;
    this.size = this.storage.size(this.logFile);
    this.nextOffset = nextOffset;
    const indexesGood = this.offsetIndex.load(nextOffset, this.size) && this.timeIndex.load(nextOffset, this.size);
    if (indexesGood && this.timeIndex.entries > 0) {
      this.maxTimestampSoFar = this.timeIndex.lastTimestamp;
      return;
    }
    // Rebuild: the indexes are derived data (Kafka rebuilds a missing or corrupt index the same way).
    this.offsetIndex.reset();
    this.timeIndex.reset();
    this.resetState();
    this.scan(0, wire, (stored) => {
      this.noteBatch(stored);
      return true;
    });
    this.nextOffset = Math.max(this.nextOffset, nextOffset);
    this.close();
  }

  /**
   * Removes every batch at or after `offset` (a batch straddling it goes whole); the segment becomes
   * the active one again, its batches decoded in memory.
   */
  truncateTo(offset: number, wire: Storage['wireBatches']): void {
    const all = this.all(wire);
    const kept = all.filter((s) => lastOffsetOf(s.batch) < offset);
    // An offset in a gap a log cleaner left (no batch holds it) is where the log ends, as Kafka's
    // truncateTo sets the log end to its target; a batch holding it goes whole, and the log ends before it.
    const straddled = all.some((s) => s.batch.baseOffset < offset && lastOffsetOf(s.batch) >= offset);
    const end = straddled ? -1 : Math.min(offset, this.nextOffset);
    const cut = kept.length === 0 ? 0 : kept.at(-1)!.position + kept.at(-1)!.bytes;
    this.storage.truncate(this.logFile, cut);
    this.offsetIndex.truncateTo(offset);
    this.timeIndex.truncateTo(offset);
    this.txnIndex.truncateTo(offset);
    this.resetState();
    this.cache = new TailCache(this.cacheBytes);
    for (const stored of kept) {
      this.noteBatch(stored, false);
      this.cache.push(stored);
    }
    this.nextOffset = Math.max(this.nextOffset, end);
    // As Kafka after a truncation: the next entry comes a full interval later.
    this.bytesSinceLastIndexEntry = 0;
  }

  private resetState(): void {
    this.size = 0;
    this.nextOffset = this.baseOffset;
    this.firstTimestamp = -1;
    this.maxTimestampSoFar = -1;
    this.offsetOfMaxTimestamp = -1;
    this.bytesSinceLastIndexEntry = 0;
  }

  delete(): void {
    if (this.storage.exists(this.logFile)) this.storage.delete(this.logFile);
    this.offsetIndex.delete();
    this.timeIndex.delete();
    this.txnIndex.delete();
  }
}

/** A cache holding `batches`, oldest first. */
function cacheOf(batches: readonly StoredBatch[], budget: number): TailCache {
  const cache = new TailCache(budget);
  for (const b of batches) cache.push(b);
  return cache;
}
