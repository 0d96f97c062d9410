// Operation ids for a client's history (Jepsen pairs an invocation with its outcome by process
// and id). Each incarnation reserves a block of ids in a tiny durable file, so a restarted
// client never reuses the id of an operation its crashed predecessor left without an outcome.

import type { Storage } from '../storage.ts';

const FILE = 'client-op-ids';
const BLOCK = 1_000_000;

export class OpIds {
  private next = 1;
  private reservedEnd = 0;

  /** Continues after every id an earlier incarnation may have used. */
  start(storage: Storage): void {
    let previousEnd = 0;
    if (storage.size(FILE) === 8) previousEnd = new DataView(storage.read(FILE, 0, 8).buffer).getFloat64(0);
    this.next = previousEnd + 1;
    this.reservedEnd = previousEnd;
    this.reserve(storage);
  }

  take(storage: Storage): number {
    if (this.next > this.reservedEnd) this.reserve(storage);
    return this.next++;
  }

  private reserve(storage: Storage): void {
    const end = this.reservedEnd + BLOCK;
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setFloat64(0, end);
    storage.replace(FILE, bytes);
    this.reservedEnd = end;
  }
}
