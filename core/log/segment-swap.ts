// How cleaned segments replace the ones they were made from, crash-safely (Kafka's .cleaned →
// .swap → live sequence): the cleaned batches are written whole and durably as one swap file,
// `<base>-<end>.swap` (both offsets in 20 digits: the segments with base offsets in [base, end)
// are the ones it replaces); then their aborted-transaction indexes are merged into the first's,
// those segments' other files are deleted, the swap's bytes become `<base>.log`, and the swap file goes. A crash before the swap file is complete leaves the old
// segments (Storage.replace is atomic); after it, opening the log finishes the job.

import type { Storage } from '../storage.ts';
import { segmentFileName } from './segment.ts';
import { mergeTxnIndexes } from './txn-index.ts';

const SWAP = /\/(\d{20})-(\d{20})\.swap$/;

export interface PendingSwap {
  file: string;
  baseOffset: number;
  endOffset: number;
}

export function swapFileName(dir: string, baseOffset: number, endOffset: number): string {
  return `${dir}/${String(baseOffset).padStart(20, '0')}-${String(endOffset).padStart(20, '0')}.swap`;
}

/** The swap files a crash left in `dir`, oldest base first. */
export function pendingSwaps(storage: Storage, dir: string): PendingSwap[] {
  const prefix = `${dir}/`;
  const out: PendingSwap[] = [];
  for (const name of storage.list()) {
    if (!name.startsWith(prefix)) continue;
    const match = SWAP.exec(name);
    if (match !== null) out.push({ file: name, baseOffset: Number(match[1]), endOffset: Number(match[2]) });
  }
  return out.sort((a, b) => a.baseOffset - b.baseOffset);
}

/** Writes the cleaned segment's frames as a complete, durable swap file. */
export function writeSwap(storage: Storage, dir: string, baseOffset: number, endOffset: number, frames: readonly Uint8Array[]): PendingSwap {
  let size = 0;
  for (const f of frames) size += f.length;
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const f of frames) {
    bytes.set(f, at);
    at += f.length;
  }
  const file = swapFileName(dir, baseOffset, endOffset);
  storage.replace(file, bytes);
  return { file, baseOffset, endOffset };
}

/**
 * Puts a complete swap in place: deletes the files of every segment it replaces (`replaced`: their
 * base offsets), makes its bytes `<base>.log`, deletes the swap. Safe to run again after a crash
 * at any point of it.
 */
export function installSwap(storage: Storage, dir: string, swap: PendingSwap, replaced: readonly number[]): void {
  // The cleaned segment keeps every marker, so its aborted transactions are those of the segments it replaces.
  mergeTxnIndexes(
    storage,
    replaced.map((base) => segmentFileName(dir, base, '.txnindex')),
    segmentFileName(dir, swap.baseOffset, '.txnindex'),
  );
  for (const base of replaced) {
    if (base !== swap.baseOffset) {
      const txnIndex = segmentFileName(dir, base, '.txnindex');
      if (storage.exists(txnIndex)) storage.delete(txnIndex);
    }
    for (const suffix of ['.log', '.index', '.timeindex'] as const) {
      // The first segment's log is replaced in one step below: deleting it first would leave its merged aborted-transaction index an orphan after a crash.
      if (suffix === '.log' && base === swap.baseOffset) continue;
      const name = segmentFileName(dir, base, suffix);
      if (storage.exists(name)) storage.delete(name);
    }
  }
  storage.replace(segmentFileName(dir, swap.baseOffset, '.log'), storage.read(swap.file, 0, storage.size(swap.file)));
  storage.delete(swap.file);
}
