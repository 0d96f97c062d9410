// The newest batches of a partition's active segment, decoded, up to a byte budget: what
// caught-up consumers and followers read. Older batches, of this segment or closed ones, are read
// back from the files through the sparse index, so a log's memory does not grow with its size.

import { lastOffsetOf } from '../protocol/records.ts';
import type { StoredBatch } from './segment.ts';

/** Frame bytes kept decoded per active segment. */
export const TAIL_CACHE_BYTES = 32 * 1024 * 1024;

export class TailCache {
  private items: StoredBatch[] = [];
  /** Index of the oldest batch still held. */
  private from = 0;
  private bytes = 0;
  /** Whether it still holds every batch of its segment. */
  complete = true;

  constructor(private readonly budget = TAIL_CACHE_BYTES) {}

  push(stored: StoredBatch): void {
    this.items.push(stored);
    this.bytes += stored.bytes;
    while (this.bytes > this.budget && this.from < this.items.length - 1) {
      this.bytes -= this.items[this.from]!.bytes;
      this.from++;
      this.complete = false;
    }
    if (this.from > 1024 && this.from * 2 > this.items.length) {
      this.items = this.items.slice(this.from);
      this.from = 0;
    }
  }

  /** Whether a read from `offset` can be served from here alone. */
  covers(offset: number): boolean {
    return this.complete || (this.from < this.items.length && offset >= this.items[this.from]!.batch.baseOffset);
  }

  /** Visits held batches whose last offset is at or after `offset`, until `visit` returns false; returns whether it stopped early. */
  forEachFrom(offset: number, visit: (stored: StoredBatch) => boolean): boolean {
    let lo = this.from;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (lastOffsetOf(this.items[mid]!.batch) < offset) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.items.length; i++) if (!visit(this.items[i]!)) return true;
    return false;
  }

  /** Every batch of the segment, when the cache still holds them all. */
  all(): StoredBatch[] | null {
    if (!this.complete) return null;
    if (this.from > 0) {
      this.items = this.items.slice(this.from);
      this.from = 0;
    }
    return this.items;
  }
}
