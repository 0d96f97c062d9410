// A segment's sparse indexes (Kafka's OffsetIndex and TimeIndex): fixed-size entries kept in
// memory and appended to their file. The offset index maps a batch's last offset (relative to the
// segment's base, int32) to the file position where the batch starts (int32); the time index maps
// the largest timestamp so far (int64) to the offset holding it (relative, int32). Neither is
// checksummed: a crash may leave them short or wrong, and recovery rebuilds them from the log.

import type { Storage } from '../storage.ts';

abstract class SparseIndex {
  /** Keys ascending (offset index: strictly; time index: strictly, as Kafka appends only a larger timestamp). */
  protected readonly keys: number[] = [];
  protected readonly values: number[] = [];

  constructor(
    protected readonly storage: Storage,
    readonly file: string,
    protected readonly baseOffset: number,
    /** The entries the index may hold: segment.index.bytes / entry size. */
    readonly maxEntries: number,
  ) {}

  protected abstract readonly entryBytes: number;
  protected abstract encode(key: number, value: number, view: DataView): void;
  protected abstract decode(view: DataView, at: number): [key: number, value: number];
  /** The relative offset an entry points at (for truncation by offset). */
  protected abstract offsetOf(i: number): number;

  get entries(): number {
    return this.keys.length;
  }

  /** The bytes its entries take (Kafka's sizeInBytes). */
  get sizeInBytes(): number {
    return this.keys.length * this.entryBytes;
  }

  protected add(key: number, value: number): void {
    this.keys.push(key);
    this.values.push(value);
    const bytes = new Uint8Array(this.entryBytes);
    this.encode(key, value, new DataView(bytes.buffer));
    this.storage.append(this.file, bytes);
  }

  /** The index of the largest key at or below `key` (strictly below with `strict`), or -1. */
  protected floor(key: number, strict = false): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const k = this.keys[mid]!;
      if (k < key || (!strict && k === key)) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /** Forgets every entry pointing at an offset at or after `offset`. */
  truncateTo(offset: number): void {
    const relative = offset - this.baseOffset;
    let keep = this.keys.length;
    while (keep > 0 && this.offsetOf(keep - 1) >= relative) keep--;
    if (keep === this.keys.length) return;
    this.keys.length = keep;
    this.values.length = keep;
    this.storage.truncate(this.file, keep * this.entryBytes);
  }

  /** Empties the index and its file (before a rebuild). */
  reset(): void {
    this.keys.length = 0;
    this.values.length = 0;
    if (this.storage.exists(this.file)) this.storage.truncate(this.file, 0);
  }

  /**
   * Loads the index file; false when it does not pass Kafka's sanity check (a whole number of entries,
   * keys ascending, offsets within the segment), and the caller rebuilds it.
   */
  load(nextOffset: number, logSize: number): boolean {
    if (!this.storage.exists(this.file)) return false;
    const size = this.storage.size(this.file);
    if (size % this.entryBytes !== 0 || size / this.entryBytes > this.maxEntries) return false;
    const bytes = this.storage.read(this.file, 0, size);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let at = 0; at < size; at += this.entryBytes) {
      const [key, value] = this.decode(view, at);
      if (this.keys.length > 0 && key <= this.keys.at(-1)!) return this.failLoad();
      this.keys.push(key);
      this.values.push(value);
      if (!this.entryFits(this.keys.length - 1, nextOffset, logSize)) return this.failLoad();
    }
    return true;
  }

  protected abstract entryFits(i: number, nextOffset: number, logSize: number): boolean;

  private failLoad(): false {
    this.keys.length = 0;
    this.values.length = 0;
    return false;
  }

  /** Creates the file, empty, when no entry has been written yet. */
  ensureFile(): void {
    if (!this.storage.exists(this.file)) this.storage.append(this.file, new Uint8Array(0));
  }

  delete(): void {
    if (this.storage.exists(this.file)) this.storage.delete(this.file);
  }

  fsync(): void {
    if (this.storage.exists(this.file)) this.storage.fsync(this.file);
  }
}

/** Offset → file position of the batch to scan from. */
export class OffsetIndex extends SparseIndex {
  protected readonly entryBytes = 8;

  /** Kafka's isFull: no room for another entry. */
  get isFull(): boolean {
    return this.entries >= this.maxEntries;
  }

  append(lastOffset: number, position: number): void {
    this.add(lastOffset - this.baseOffset, position);
  }

  /** The position to scan from for `offset`: that of the largest entry at or below it, or 0. */
  lookup(offset: number): number {
    const i = this.floor(offset - this.baseOffset);
    return i < 0 ? 0 : this.values[i]!;
  }

  protected encode(key: number, value: number, view: DataView): void {
    view.setInt32(0, key);
    view.setInt32(4, value);
  }

  protected decode(view: DataView, at: number): [number, number] {
    return [view.getInt32(at), view.getInt32(at + 4)];
  }

  protected offsetOf(i: number): number {
    return this.keys[i]!;
  }

  protected entryFits(i: number, nextOffset: number, logSize: number): boolean {
    return this.keys[i]! >= 0 && this.baseOffset + this.keys[i]! < nextOffset && this.values[i]! >= 0 && this.values[i]! < logSize;
  }
}

/** Timestamp → offset to start looking from (every record with a larger timestamp lies after it). */
export class TimeIndex extends SparseIndex {
  protected readonly entryBytes = 12;

  /** Kafka's isFull: the last slot is kept for the entry a roll appends. */
  get isFull(): boolean {
    return this.entries >= this.maxEntries - 1;
  }

  get lastTimestamp(): number {
    return this.keys.at(-1) ?? -1;
  }

  /** Appends (timestamp, offset) when the timestamp is larger than the last entry's (Kafka's maybeAppend). */
  maybeAppend(timestamp: number, offset: number): void {
    if (this.keys.length > 0 && timestamp <= this.keys.at(-1)!) return;
    this.add(timestamp, offset - this.baseOffset);
  }

  /** The offset from which every record with a timestamp at or after `timestamp` lies; the segment's base when none is known. */
  lookup(timestamp: number): number {
    const i = this.floor(timestamp, true);
    return this.baseOffset + (i < 0 ? 0 : this.values[i]!);
  }

  protected encode(key: number, value: number, view: DataView): void {
    view.setBigInt64(0, BigInt(key));
    view.setInt32(8, value);
  }

  protected decode(view: DataView, at: number): [number, number] {
    return [Number(view.getBigInt64(at)), view.getInt32(at + 8)];
  }

  protected offsetOf(i: number): number {
    return this.values[i]!;
  }

  protected entryFits(i: number, nextOffset: number): boolean {
    return this.values[i]! >= 0 && this.baseOffset + this.values[i]! < nextOffset;
  }
}
