// The log cleaner's key → last offset map over the dirty range (Kafka's SkimpyOffsetMap, filled by
// Cleaner.buildOffsetMap): each key's latest offset, the latest offset the map covers, and a
// capacity (log.cleaner.dedupe.buffer.size / 24 bytes an entry, times the 0.9 load factor) past
// which a round cleans only as far as the map reached.

import type { Bytes, RecordBatch } from '../protocol/records.ts';
import { CONTROL_BIT, lastOffsetOf } from '../protocol/records.ts';

/** A segment as the cleaner reads it: its base offset and its batches, oldest first. */
export interface CleanerSegment {
  baseOffset: number;
  batches: readonly RecordBatch[];
}

export class OffsetMap {
  private readonly latest = new Map<Bytes, number>();
  /** Each key's offset before its latest one in the dirty range (only what the drops-last-value bug reads). */
  private readonly previous = new Map<Bytes, number>();
  /** The last offset the map covers: records above it are beyond this round. */
  latestOffset = -1;

  constructor(private readonly maxEntries: number) {}

  get size(): number {
    return this.latest.size;
  }

  /** The key's latest offset, or -1 when the dirty range does not hold it. */
  get(key: Bytes): number {
    return this.latest.get(key) ?? -1;
  }

  /** The key's offset before its latest one in the dirty range, or -1. */
  previousOf(key: Bytes): number {
    return this.previous.get(key) ?? -1;
  }

  /**
   * Maps the keyed records of `segments` at offsets in [start, end), segment by segment, as
   * Kafka's buildOffsetMap does, and sets `latestOffset`: end - 1 once every segment is mapped.
   * Control batches hold no keys to map, nor do batches of aborted transactions (`aborted`). When
   * the map is full it stops, and `latestOffset` is the last offset it took in.
   */
  build(segments: readonly CleanerSegment[], start: number, end: number, aborted: (batch: RecordBatch) => boolean = () => false): void {
    const dirty = segments.filter((s, i) => s.baseOffset < end && (segments[i + 1]?.baseOffset ?? Infinity) > start);
    for (let i = 0; i < dirty.length; i++) {
      for (const batch of dirty[i]!.batches) {
        if ((batch.attributes & CONTROL_BIT) === 0 && !aborted(batch)) {
          for (const r of batch.records) {
            const offset = batch.baseOffset + r.offsetDelta;
            if (r.key === null || offset < start || offset >= end) continue;
            if (this.latest.size >= this.maxEntries) return;
            const before = this.latest.get(r.key);
            if (before !== undefined) this.previous.set(r.key, before);
            this.latest.set(r.key, offset);
            this.latestOffset = Math.max(this.latestOffset, offset);
          }
        }
        if (lastOffsetOf(batch) >= start) this.latestOffset = Math.max(this.latestOffset, Math.min(lastOffsetOf(batch), end - 1));
      }
      // Offsets the segment skips (a hole left by an earlier clean) are covered too, up to the next segment.
      this.latestOffset = Math.max(this.latestOffset, Math.min(dirty[i + 1]?.baseOffset ?? end, end) - 1);
    }
  }
}
