// Simulated per-node storage with the page-cache model: appends and truncations are volatile
// until fsync; a crash keeps each file's durable content and loses the unsynced changes.
// Optional faults, each drawn from the node's disk stream and reported to the trace:
// torn writes (a crash persists a random prefix of the unsynced bytes, usually cutting the last
// write in two), fsyncs that fail (data stays volatile) and reads that fail.

import { upperBound } from '../core/sorted.ts';
import { StorageError, type Storage } from '../core/storage.ts';
import type { DiskFaultRates, FileCrashOutcome, NodeRuntimeEvents } from '../core/trace/schema.ts';
import type { Rng } from './random.ts';

export type DiskFaults = DiskFaultRates;

export const NO_DISK_FAULTS: DiskFaults = { tornWrites: 0, fsyncFailure: 0, readError: 0 };

/** How the disk reports a fault it injected. */
export type DiskFaultReporter = (fault: NodeRuntimeEvents['disk']) => void;

/** What a crash did to one file. */
export type CrashOutcome = FileCrashOutcome;

/**
 * A file's bytes as the arrays appended to it, in order, never copied: Storage.append hands the
 * array over. (Copying every append into one growing array cost more than the rest of the disk
 * model: fresh memory is slow to touch on small VMs.) Held arrays never change, so ropes can
 * share them.
 */
class Rope {
  private readonly pieces: Uint8Array[] = [];
  /** ends[i]: the file offset just past pieces[i]. */
  private readonly ends: number[] = [];

  get length(): number {
    return this.ends.length === 0 ? 0 : this.ends[this.ends.length - 1]!;
  }

  push(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    this.ends.push(this.length + bytes.length);
    this.pieces.push(bytes);
  }

  /** Cuts the rope down to `size` bytes; a no-op when it is not longer. */
  cut(size: number): void {
    const i = this.pieceAt(size);
    if (i === this.pieces.length) return;
    const start = this.startOf(i);
    const piece = this.pieces[i]!;
    this.pieces.length = i;
    this.ends.length = i;
    if (size > start) this.push(piece.subarray(0, size - start));
  }

  /** A rope of the first `size` bytes, sharing the arrays. */
  prefix(size: number): Rope {
    const out = new Rope();
    for (let i = 0; i < this.pieces.length && out.length < size; i++) {
      const piece = this.pieces[i]!;
      const room = size - out.length;
      out.push(piece.length <= room ? piece : piece.subarray(0, room));
    }
    return out;
  }

  /** A copy of bytes [start, end), cut at the rope's end. */
  slice(start: number, end: number): Uint8Array {
    const stop = Math.min(end, this.length);
    const out = new Uint8Array(Math.max(0, stop - start));
    for (let i = this.pieceAt(start); i < this.pieces.length; i++) {
      const pieceStart = this.startOf(i);
      if (pieceStart >= stop) break;
      const piece = this.pieces[i]!;
      const from = Math.max(0, start - pieceStart);
      out.set(piece.subarray(from, Math.min(piece.length, stop - pieceStart)), pieceStart + from - start);
    }
    return out;
  }

  private startOf(i: number): number {
    return i === 0 ? 0 : this.ends[i - 1]!;
  }

  /** Index of the piece holding byte `offset` (the piece count when offset >= length). */
  private pieceAt(offset: number): number {
    return upperBound(this.ends, offset);
  }
}

class SimFile {
  /** The current content, unsynced changes included. */
  content: Rope;
  /** Size of the content as of the last fsync. */
  durableLength = 0;
  /** The durable content, kept only once a truncation has cut below it. */
  durable: Rope | null = null;
  /** content[0, stable) equals the durable content's first `stable` bytes. */
  stable = 0;
  /** Whether the file itself survives a crash (it has been synced since it was created). */
  durableExists = false;

  constructor(content = new Rope()) {
    this.content = content;
  }

  get length(): number {
    return this.content.length;
  }

  get dirty(): boolean {
    return this.length !== this.stable || this.durable !== null || !this.durableExists;
  }

  durableContent(): Rope {
    return this.durable ?? this.content.prefix(this.durableLength);
  }

  markDurable(): void {
    this.durableLength = this.length;
    this.durable = null;
    this.stable = this.length;
    this.durableExists = true;
  }

  /** A file that holds `content`, all of it durable. */
  static holding(content: Rope): SimFile {
    const file = new SimFile(content);
    file.markDurable();
    return file;
  }
}

export class SimStorage implements Storage {
  private files = new Map<string, SimFile>();

  constructor(
    private readonly rng: Rng | null = null,
    private readonly faults: DiskFaults = NO_DISK_FAULTS,
    private readonly report: DiskFaultReporter = () => {},
  ) {}

  append(name: string, bytes: Uint8Array): void {
    let file = this.files.get(name);
    if (file === undefined) this.files.set(name, (file = new SimFile()));
    file.content.push(bytes);
  }

  read(name: string, offset: number, length: number): Uint8Array {
    const file = this.files.get(name);
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0) {
      throw new StorageError('bad-range', name, `offset ${offset}, length ${length}`);
    }
    if (this.rng !== null && this.rng.chance(this.faults.readError)) {
      this.report({ fault: 'read-failed', file: name, offset, length });
      throw new StorageError('read-failed', name, `injected read error at offset ${offset}`);
    }
    if (file === undefined) return new Uint8Array(0);
    return file.content.slice(offset, offset + length);
  }

  size(name: string): number {
    return this.files.get(name)?.length ?? 0;
  }

  exists(name: string): boolean {
    return this.files.has(name);
  }

  truncate(name: string, size: number): void {
    const file = this.files.get(name);
    if (file === undefined || size >= file.length) return;
    if (size < 0 || !Number.isInteger(size)) throw new StorageError('bad-range', name, `truncate to ${size}`);
    if (size < file.durableLength && file.durable === null) {
      // Keep what a crash would bring back.
      file.durable = file.content.prefix(file.durableLength);
    }
    file.stable = Math.min(file.stable, size);
    file.content.cut(size);
  }

  fsync(name: string): void {
    const file = this.files.get(name);
    if (file === undefined) return;
    this.maybeFailFsync(name);
    file.markDurable();
  }

  replace(name: string, bytes: Uint8Array): void {
    this.maybeFailFsync(name);
    const content = new Rope();
    content.push(bytes.slice());
    this.files.set(name, SimFile.holding(content));
  }

  list(): string[] {
    return [...this.files.keys()].sort();
  }

  delete(name: string): void {
    this.files.delete(name);
  }

  /** Bytes not yet durable across all files (for tests and the visualizer). */
  unsyncedBytes(name: string): number {
    const file = this.files.get(name);
    return file === undefined ? 0 : file.length - file.stable;
  }

  /**
   * Applies a crash: every file falls back to its durable content, except that with torn writes
   * enabled a random prefix of the unsynced bytes may survive. Returns what happened per file.
   */
  crash(): CrashOutcome[] {
    const outcomes: CrashOutcome[] = [];
    const survivors = new Map<string, SimFile>();
    for (const name of this.list()) {
      const file = this.files.get(name)!;
      if (!file.dirty) {
        survivors.set(name, file);
        continue;
      }
      const size = file.length;
      const synced = file.durableExists ? file.durableLength : 0;
      let content: Rope | null = file.durableExists ? file.durableContent() : null;
      let torn = false;
      if (size - file.stable >= 2 && this.rng !== null && this.rng.chance(this.faults.tornWrites)) {
        // The OS wrote back the unsynced changes in order and the crash cut that write-back
        // inside the unsynced bytes: any pending truncation landed, then part of the appends.
        const cut = this.rng.intBetween(file.stable + 1, size - 1);
        content = file.content.prefix(cut);
        torn = true;
        this.report({ fault: 'torn-write', file: name, synced, size, kept: cut });
      } else if (content !== null && size > content.length && this.rng !== null && this.rng.chance(this.faults.garbageTail ?? 0)) {
        // The file's new size reached the disk before its data blocks: past what was synced it
        // holds whatever the blocks held (Kafka's "nonsense appended", which its CRC catches).
        const kept = this.rng.intBetween(content.length + 1, size);
        const garbage = new Uint8Array(kept - content.length);
        for (let i = 0; i < garbage.length; i++) garbage[i] = this.rng.int(256);
        content = content.prefix(content.length);
        content.push(garbage);
        torn = true;
        this.report({ fault: 'garbage-tail', file: name, synced, size, kept });
      }
      if (content !== null) survivors.set(name, SimFile.holding(content));
      outcomes.push({ file: name, size, synced, kept: content?.length ?? 0, torn });
    }
    this.files = survivors;
    return outcomes;
  }

  /** A clean shutdown's flush: every file's content becomes durable (no injected fault: the process is on its way out). */
  flushAll(): void {
    for (const file of this.files.values()) file.markDurable();
  }

  /** Loses the whole disk (a replaced machine): every file is gone. */
  wipe(): void {
    this.files = new Map();
  }

  private maybeFailFsync(name: string): void {
    if (this.rng !== null && this.rng.chance(this.faults.fsyncFailure)) {
      this.report({ fault: 'fsync-failed', file: name });
      throw new StorageError('fsync-failed', name, 'injected IO error; the data is still volatile');
    }
  }
}
