// The quorum's replicated log (KRaft's __cluster_metadata-0) kept in Storage: entries with their
// leader epoch, a leader-epoch cache, truncation, fsync tracking and the latest snapshot. Each
// entry is framed as [length][CRC-32C][JSON], so recovery after a crash keeps the longest intact
// prefix and cuts a torn tail. The entries of one append form a batch that is kept whole: fetches
// never split it, and recovery drops a batch the tear left incomplete.

import { hashString } from '../hash.ts';
import { crc32c } from '../log/crc32c.ts';
import { EpochCache } from '../log/epoch-cache.ts';
import { encodeUtf8Into, maxUtf8Length } from '../log/utf8.ts';
import type { OffsetAndEpoch, RaftEntry, RaftRecord } from '../protocol/quorum.ts';
import type { Storage } from '../storage.ts';

export const LOG_FILE = '__cluster_metadata-0/log';
export const SNAPSHOT_FILE = '__cluster_metadata-0/snapshot';

interface StoredEntry<R> {
  epoch: number;
  record: RaftRecord<R>;
  /** The last entry of its append (batch). */
  batchEnd: boolean;
  /** Hash of the entry's encoded form: its identity for checkers. */
  hash: number;
  /** Byte position of the entry's frame in the log file. */
  position: number;
}

export interface Snapshot {
  id: OffsetAndEpoch;
  state: unknown;
}

/** What the log reports as it changes (wired to the trace by the raft replica). */
export interface RaftLogObserver {
  appended(firstOffset: number, entries: Array<{ epoch: number; hash: number }>): void;
  truncated(endOffset: number): void;
  flushed(endOffset: number): void;
}

/** The outcome of checking a follower's fetch position against this log (KafkaMetadataLog). */
export type FetchValidation = { kind: 'valid' } | { kind: 'diverging'; divergingEpoch: OffsetAndEpoch } | { kind: 'snapshot'; snapshotId: OffsetAndEpoch };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class RaftLog<R> {
  private entries: StoredEntry<R>[] = [];
  private fileSize = 0;
  private readonly epochs = new EpochCache();
  /** Offset of the first entry held (the latest snapshot's end offset, or 0). */
  startOffset = 0;
  /** Entries below this offset are durable. */
  flushedEnd = 0;
  snapshot: Snapshot | null = null;
  /** Bytes appended since the latest snapshot, to decide when to take the next. */
  bytesSinceSnapshot = 0;

  private constructor(
    private readonly storage: Storage,
    private readonly observer: RaftLogObserver,
  ) {}

  /** Recovers the log from storage: snapshot first, then every intact entry after it. */
  static open<R>(storage: Storage, observer: RaftLogObserver): { log: RaftLog<R>; tornBytes: number } {
    const log = new RaftLog<R>(storage, observer);
    if (storage.exists(SNAPSHOT_FILE)) {
      const snapshot = JSON.parse(decoder.decode(storage.read(SNAPSHOT_FILE, 0, storage.size(SNAPSHOT_FILE)))) as Snapshot;
      log.snapshot = snapshot;
      log.startOffset = snapshot.id.endOffset;
      log.epochs.assign(snapshot.id.epoch, snapshot.id.endOffset);
    }
    const bytes = storage.read(LOG_FILE, 0, storage.size(LOG_FILE));
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let position = 0;
    let keepFrom = -1;
    const intact: Array<{ offset: number; epoch: number; record: RaftRecord<R>; batchEnd: boolean; hash: number; position: number; end: number }> = [];
    while (position + 8 <= bytes.length) {
      const length = view.getUint32(position);
      const end = position + 8 + length;
      if (length === 0 || end > bytes.length || crc32c(bytes, position + 8, end) !== view.getUint32(position + 4)) break;
      const text = decoder.decode(bytes.subarray(position + 8, end));
      const parsed = parseEntry<R>(text);
      if (parsed === null) break;
      const [offset, epoch, record, batchEnd] = parsed;
      if (offset < log.startOffset) {
        // Covered by the snapshot (a crash kept the old log): skip.
        position = end;
        continue;
      }
      if (offset !== log.startOffset + intact.length) break;
      if (keepFrom < 0) keepFrom = position;
      intact.push({ offset, epoch, record, batchEnd, hash: hashString(text), position: position - keepFrom, end });
      position = end;
    }
    // A batch the tear cut short is dropped whole: its first records alone were never a write.
    while (intact.length > 0 && !intact.at(-1)!.batchEnd) intact.pop();
    if (intact.length > 0) position = intact.at(-1)!.end;
    else if (keepFrom >= 0) position = keepFrom;
    for (const e of intact) {
      log.epochs.assign(e.epoch, e.offset);
      log.entries.push({ epoch: e.epoch, record: e.record, batchEnd: e.batchEnd, hash: e.hash, position: e.position });
    }
    if (keepFrom < 0) keepFrom = position;
    const tornBytes = bytes.length - position;
    if (keepFrom > 0 || tornBytes > 0) storage.replace(LOG_FILE, bytes.slice(keepFrom, position));
    log.fileSize = position - keepFrom;
    log.flushedEnd = log.endOffset;
    return { log, tornBytes };
  }

  get endOffset(): number {
    return this.startOffset + this.entries.length;
  }

  /** Epoch of the last entry (or of the snapshot when the log is empty). */
  get lastEpoch(): number {
    return this.entries.at(-1)?.epoch ?? this.snapshot?.id.epoch ?? 0;
  }

  epochAt(offset: number): number {
    if (offset === this.startOffset - 1 && this.snapshot !== null) return this.snapshot.id.epoch;
    return this.entries[offset - this.startOffset]?.epoch ?? -1;
  }

  /** [epoch, content hash] of every entry held, oldest first (what checkers know entries by). */
  entryHashes(): Array<[number, number]> {
    return this.entries.map((e) => [e.epoch, e.hash]);
  }

  hashAt(offset: number): number | null {
    return this.entries[offset - this.startOffset]?.hash ?? null;
  }

  recordAt(offset: number): RaftRecord<R> | null {
    return this.entries[offset - this.startOffset]?.record ?? null;
  }

  /** Start offset of `epoch` in this log, or null. */
  epochStartOffset(epoch: number): number | null {
    return this.epochs.startOffsetOf(epoch);
  }

  endOffsetForEpoch(epoch: number): OffsetAndEpoch {
    return this.epochs.endOffsetFor(epoch, this.startOffset, this.endOffset);
  }

  /** Appends records in `epoch`; returns the offset of the last one. Not durable until flush. */
  append(epoch: number, records: RaftRecord<R>[]): number {
    const first = this.endOffset;
    const last = records.length - 1;
    return this.appendEntries(
      records.map((record, i): RaftEntry<R> => (i === last ? { offset: first + i, epoch, record } : { offset: first + i, epoch, record, batchEnd: false })),
    );
  }

  /** Appends entries fetched from the leader; they must continue this log. */
  appendEntries(entries: RaftEntry<R>[]): number {
    if (entries.length === 0) return this.endOffset - 1;
    const first = this.endOffset;
    const texts = new Array<string>(entries.length);
    let capacity = 0;
    let epoch = this.lastEpoch;
    // Check the whole batch before changing anything: an append is all or nothing.
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      if (entry.offset !== first + i) throw new RangeError(`raft log: entry at ${entry.offset} does not continue the log at ${first + i}`);
      if (entry.epoch < epoch) throw new RangeError(`raft log: entry at ${entry.offset} has epoch ${entry.epoch}, below the epoch ${epoch} before it`);
      epoch = entry.epoch;
      // A batch's inner entries carry a 0; its last entry is framed as a single entry is.
      texts[i] = JSON.stringify(entry.batchEnd === false ? [entry.offset, entry.epoch, entry.record, 0] : [entry.offset, entry.epoch, entry.record]);
      capacity += 8 + maxUtf8Length(texts[i]!);
    }
    // One buffer for the whole batch: [length][CRC-32C][JSON] per entry.
    const frames = new Uint8Array(capacity);
    const view = new DataView(frames.buffer);
    const reported: Array<{ epoch: number; hash: number }> = [];
    let at = 0;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      const text = texts[i]!;
      const length = encodeUtf8Into(text, frames, at + 8);
      view.setUint32(at, length);
      view.setUint32(at + 4, crc32c(frames, at + 8, at + 8 + length));
      this.epochs.assign(entry.epoch, entry.offset);
      const hash = hashString(text);
      this.entries.push({ epoch: entry.epoch, record: entry.record, batchEnd: entry.batchEnd !== false, hash, position: this.fileSize + at });
      reported.push({ epoch: entry.epoch, hash });
      at += 8 + length;
    }
    this.storage.append(LOG_FILE, frames.subarray(0, at));
    this.fileSize += at;
    this.bytesSinceSnapshot += at;
    this.observer.appended(first, reported);
    return this.endOffset - 1;
  }

  /** Makes every appended entry durable. May throw StorageError. */
  flush(): void {
    if (this.flushedEnd === this.endOffset) return;
    this.storage.fsync(LOG_FILE);
    this.flushedEnd = this.endOffset;
    this.observer.flushed(this.flushedEnd);
  }

  /** Removes every entry at or after `endOffset`. */
  truncateTo(endOffset: number): void {
    if (endOffset >= this.endOffset) return;
    const keep = Math.max(0, endOffset - this.startOffset);
    const position = this.entries[keep]?.position ?? this.fileSize;
    this.entries.length = keep;
    this.storage.truncate(LOG_FILE, position);
    this.fileSize = position;
    this.epochs.truncateFromEnd(endOffset);
    // Cut down to the log start, the log is the snapshot alone: its epoch is the one in force.
    if (this.snapshot !== null && endOffset <= this.startOffset) this.epochs.reset(this.snapshot.id.epoch, this.startOffset);
    this.flushedEnd = Math.min(this.flushedEnd, this.endOffset);
    this.observer.truncated(this.endOffset);
  }

  /** Entries from `offset` on, about `max` of them: a batch is never cut, so the last one may go past. */
  read(offset: number, max: number): RaftEntry<R>[] {
    const out: RaftEntry<R>[] = [];
    let end = Math.min(this.endOffset, offset + max);
    while (end > this.startOffset && end < this.endOffset && !this.entries[end - 1 - this.startOffset]!.batchEnd) end++;
    for (let o = Math.max(offset, this.startOffset); o < end; o++) {
      const entry = this.entries[o - this.startOffset]!;
      out.push(
        entry.batchEnd ? { offset: o, epoch: entry.epoch, record: entry.record } : { offset: o, epoch: entry.epoch, record: entry.record, batchEnd: false },
      );
    }
    return out;
  }

  /** Checks a fetcher's position (fetch offset, epoch of its last entry) against this log. */
  validateFetch(fetchOffset: number, lastFetchedEpoch: number): FetchValidation {
    const snapshot = this.snapshot;
    // KafkaMetadataLog's rule: below the log start, at it with another epoch, or with a last
    // fetched epoch older than the snapshot's, the follower needs the snapshot.
    if (
      snapshot !== null &&
      (fetchOffset < this.startOffset || (fetchOffset === this.startOffset && lastFetchedEpoch !== snapshot.id.epoch) || lastFetchedEpoch < snapshot.id.epoch)
    ) {
      return { kind: 'snapshot', snapshotId: snapshot.id };
    }
    if (fetchOffset === 0 && lastFetchedEpoch === 0) return { kind: 'valid' };
    const divergingEpoch = this.epochs.divergence(fetchOffset, lastFetchedEpoch, this.startOffset, this.endOffset);
    return divergingEpoch === null ? { kind: 'valid' } : { kind: 'diverging', divergingEpoch };
  }

  /** Where a follower truncates when the leader reports `diverging` (KafkaRaftClient's rule). */
  truncationOffsetFor(diverging: OffsetAndEpoch): number {
    return this.epochs.truncationOffsetFor(diverging, this.startOffset, this.endOffset);
  }

  /**
   * Stores a snapshot of the state at `id.endOffset` (durably, atomically) and drops the entries
   * it covers. With `replaceLog` (a snapshot fetched from the leader) every entry goes.
   */
  installSnapshot(snapshot: Snapshot, replaceLog: boolean): void {
    this.storage.replace(SNAPSHOT_FILE, encoder.encode(JSON.stringify(snapshot)));
    this.snapshot = snapshot;
    const cut = snapshot.id.endOffset;
    const dropped = replaceLog ? this.entries.length : Math.max(0, Math.min(this.entries.length, cut - this.startOffset));
    const remaining = this.entries.slice(dropped);
    const from = remaining[0]?.position ?? this.fileSize;
    const rest = this.storage.read(LOG_FILE, from, this.fileSize - from);
    this.storage.replace(LOG_FILE, rest);
    for (const entry of remaining) entry.position -= from;
    this.entries = remaining;
    this.fileSize = rest.length;
    this.startOffset = replaceLog ? cut : Math.max(this.startOffset, cut);
    if (replaceLog) this.epochs.reset(snapshot.id.epoch, cut);
    else this.epochs.truncateFromStart(this.startOffset, snapshot.id.epoch);
    this.flushedEnd = this.endOffset;
    this.bytesSinceSnapshot = 0;
  }
}

/** An entry's [offset, epoch, record], or null when the bytes are not one (a torn or foreign tail). */
/** [offset, epoch, record, last entry of its batch], or null for a frame that is not an entry. */
function parseEntry<R>(text: string): [number, number, RaftRecord<R>, boolean] | null {
  try {
    const value: unknown = JSON.parse(text);
    if (!Array.isArray(value) || (value.length !== 3 && value.length !== 4) || typeof value[0] !== 'number' || typeof value[1] !== 'number') return null;
    return [value[0], value[1], value[2] as RaftRecord<R>, value.length === 3];
  } catch {
    return null;
  }
}
