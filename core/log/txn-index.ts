// A segment's aborted-transaction index (Kafka's TransactionIndex, `<base offset>.txnindex`): one
// 34-byte entry per transaction aborted by a marker in the segment (version int16, producerId
// int64, firstOffset int64, lastOffset int64 = the marker's offset, lastStableOffset int64), in
// marker order. A read_committed fetch collects the entries overlapping what it returns. Entries
// are derived data: truncated with the log, deleted with their segment, rebuilt by recovery.

import { isControl, isTransactional, type RecordBatch } from '../protocol/records.ts';
import type { Storage } from '../storage.ts';

export interface AbortedTxn {
  producerId: number;
  /** The offset of the transaction's first batch on this partition. */
  firstOffset: number;
  /** The ABORT marker's offset. */
  lastOffset: number;
  /** The partition's last stable offset once this transaction was complete (Kafka keeps it to end a search early). */
  lastStableOffset: number;
}

const ENTRY_BYTES = 34;
const VERSION = 0;

export class TransactionIndex {
  private entries: AbortedTxn[] | null = null;

  constructor(
    private readonly storage: Storage,
    readonly file: string,
  ) {}

  /** The entries, read from the file on first use (a file that does not parse whole keeps its whole entries). */
  all(): readonly AbortedTxn[] {
    if (this.entries === null) this.entries = readEntries(this.storage, this.file);
    return this.entries;
  }

  append(entry: AbortedTxn): void {
    const entries = this.all() as AbortedTxn[];
    const last = entries.at(-1);
    if (last !== undefined && entry.lastOffset <= last.lastOffset)
      throw new RangeError(`${this.file}: aborted transaction at ${entry.lastOffset} not after ${last.lastOffset}`);
    entries.push(entry);
    this.storage.append(this.file, encode([entry]));
  }

  /** Forgets the entries whose marker is at or after `offset` (Kafka's TransactionIndex.truncateTo). */
  truncateTo(offset: number): void {
    const entries = this.all() as AbortedTxn[];
    let keep = entries.length;
    while (keep > 0 && entries[keep - 1]!.lastOffset >= offset) keep--;
    if (keep === entries.length) return;
    entries.length = keep;
    this.storage.truncate(this.file, keep * ENTRY_BYTES);
  }

  /** Empties the index and its file (before recovery rebuilds it). */
  reset(): void {
    this.entries = [];
    if (this.storage.exists(this.file)) this.storage.truncate(this.file, 0);
  }

  /**
   * Kafka's collectAbortedTxns: the entries whose transaction overlaps [fetchOffset, upperBound),
   * and whether the search is complete (an entry's last stable offset reaches the bound, so no later
   * segment can hold an overlapping one).
   */
  collect(fetchOffset: number, upperBound: number): { aborted: AbortedTxn[]; complete: boolean } {
    const aborted: AbortedTxn[] = [];
    for (const e of this.all()) {
      if (e.lastOffset >= fetchOffset && e.firstOffset < upperBound) aborted.push(e);
      if (e.lastStableOffset >= upperBound) return { aborted, complete: true };
    }
    return { aborted, complete: false };
  }

  fsync(): void {
    if (this.storage.exists(this.file)) this.storage.fsync(this.file);
  }

  delete(): void {
    this.entries = [];
    if (this.storage.exists(this.file)) this.storage.delete(this.file);
  }
}

/** Writes `into` with the entries of every file of `files` (their union by marker offset, in order), atomically: a cleaned segment's index. */
export function mergeTxnIndexes(storage: Storage, files: readonly string[], into: string): void {
  const byMarker = new Map<number, AbortedTxn>();
  for (const f of files) for (const e of readEntries(storage, f)) byMarker.set(e.lastOffset, e);
  const merged = [...byMarker.values()].sort((a, b) => a.lastOffset - b.lastOffset);
  if (merged.length === 0 && !storage.exists(into)) return;
  storage.replace(into, encode(merged));
}

function readEntries(storage: Storage, file: string): AbortedTxn[] {
  if (!storage.exists(file)) return [];
  const size = storage.size(file);
  const bytes = storage.read(file, 0, size - (size % ENTRY_BYTES));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: AbortedTxn[] = [];
  for (let at = 0; at + ENTRY_BYTES <= bytes.length; at += ENTRY_BYTES) {
    if (view.getInt16(at) !== VERSION) break;
    out.push({
      producerId: Number(view.getBigInt64(at + 2)),
      firstOffset: Number(view.getBigInt64(at + 10)),
      lastOffset: Number(view.getBigInt64(at + 18)),
      lastStableOffset: Number(view.getBigInt64(at + 26)),
    });
  }
  return out;
}

function encode(entries: readonly AbortedTxn[]): Uint8Array {
  const bytes = new Uint8Array(entries.length * ENTRY_BYTES);
  const view = new DataView(bytes.buffer);
  entries.forEach((e, i) => {
    const at = i * ENTRY_BYTES;
    view.setInt16(at, VERSION);
    view.setBigInt64(at + 2, BigInt(e.producerId));
    view.setBigInt64(at + 10, BigInt(e.firstOffset));
    view.setBigInt64(at + 18, BigInt(e.lastOffset));
    view.setBigInt64(at + 26, BigInt(e.lastStableOffset));
  });
  return bytes;
}

/**
 * Whether a data batch belongs to one of `aborted` (Kafka's cleaner reads the aborted index for
 * this): transactional, of that producer, between the transaction's first offset and its marker.
 */
export function abortedBatchTest(aborted: readonly Pick<AbortedTxn, 'producerId' | 'firstOffset' | 'lastOffset'>[]): (batch: RecordBatch) => boolean {
  if (aborted.length === 0) return () => false;
  const byProducer = new Map<number, Array<Pick<AbortedTxn, 'firstOffset' | 'lastOffset'>>>();
  for (const a of aborted) byProducer.set(a.producerId, [...(byProducer.get(a.producerId) ?? []), a]);
  return (batch) =>
    isTransactional(batch) &&
    !isControl(batch) &&
    (byProducer.get(batch.producerId)?.some((a) => a.firstOffset <= batch.baseOffset && batch.baseOffset < a.lastOffset) ?? false);
}
