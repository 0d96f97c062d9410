// The cleaner and the compaction checkers together, before the cleaner runs inside a broker: a
// producer's acknowledged writes make a log, a consumer keeps up with it, the cleaner cleans it
// (core/log/cleaner.ts, with or without a seeded bug), and a second consumer reads it again from
// the start as a consumer reads (records below its position skipped). A correct clean trips no
// checker; each seeded bug trips the checker written for it.
import { describe, expect, it } from 'vitest';
import type { LogBug } from '../../core/log/bugs.ts';
import { cleanLog, type CleanerSegment } from '../../core/log/cleaner.ts';
import type { RecordBatch } from '../../core/protocol/records.ts';
import type { TopicPolicies } from '../../models/history/history-checkers.ts';
import { check, History, r } from './history-builder.ts';

const RETENTION = 10_000;
const TOPICS: TopicPolicies = (topic) => ({ compacted: topic === 'orders', deleteRetentionMs: RETENTION });

/**
 * 40 writes over keys k0..k4, every seventh a tombstone, then k9 from offset 35 on (so k2's tombstone
 * at 34 stays its last write); the value of offset o is v<o>; sent at 10·o ms.
 */
const WRITES: Array<[string, string | null]> = Array.from({ length: 40 }, (_, o) => [o >= 35 ? 'k9' : `k${(o * 3) % 5}`, o % 7 === 6 ? null : `v${o}`]);

/** The log of WRITES: batches of 3, segments of 2 batches (the last one active). */
function log(): CleanerSegment[] {
  const batches: RecordBatch[] = [];
  for (let base = 0; base < WRITES.length; base += 3) {
    const slice = WRITES.slice(base, base + 3);
    batches.push({
      baseOffset: base,
      partitionLeaderEpoch: 0,
      attributes: 0,
      lastOffsetDelta: slice.length - 1,
      baseTimestamp: 10 * base,
      maxTimestamp: 10 * (base + slice.length - 1),
      producerId: -1,
      producerEpoch: -1,
      baseSequence: -1,
      records: slice.map(([key, value], i) => ({ offsetDelta: i, timestampDelta: 10 * i, key, value, headers: [] })),
    });
  }
  const segments: CleanerSegment[] = [];
  for (let i = 0; i < batches.length; i += 2) segments.push({ baseOffset: batches[i]!.baseOffset, batches: batches.slice(i, i + 2) });
  return segments;
}

/** What a consumer from offset 0 gets from `segments`: each record at or past its position, in log order. */
function readAll(segments: readonly CleanerSegment[]): Array<[number, string | null, string | null]> {
  const out: Array<[number, string | null, string | null]> = [];
  let next = 0;
  for (const b of segments.flatMap((s) => s.batches)) {
    for (const rec of b.records) {
      const offset = b.baseOffset + rec.offsetDelta;
      if (offset < next) continue;
      out.push([offset, rec.key, rec.value]);
      next = offset + 1;
    }
  }
  return out;
}

/** The history: p1's writes, c1 keeping up, a clean at `cleanAt` ms, then c2 reading from the start at `rereadAt` ms. */
function pipeline(bugs: LogBug[], cleanAt = 1_000, rereadAt = 2_000): string[] {
  const h = new History();
  WRITES.forEach(([key, value], offset) => {
    h.at(10 * offset);
    h.send('p1', 0, offset, value, { key });
  });
  h.seek('c1', 0, 0);
  h.poll('c1', ...readAll(log()).map(([offset, key, value]) => r(0, offset, value, key)));
  const segments = log();
  const result = cleanLog(segments, {
    firstDirtyOffset: 0,
    firstUncleanableOffset: segments.at(-1)!.baseOffset,
    now: cleanAt,
    deleteRetentionMs: RETENTION,
    bugs: new Set(bugs),
  });
  const cleaned = [...result.segments, ...segments.filter((s) => s.baseOffset >= result.endOffset)];
  h.at(rereadAt);
  h.seek('c2', 0, 0);
  h.poll('c2', ...readAll(cleaned).map(([offset, key, value]) => r(0, offset, value, key)));
  return [...new Set(check(h.ops, true, TOPICS).map((v) => v.name))].sort();
}

describe('the cleaner under the compaction checkers', () => {
  it('a correct clean trips nothing: neither read within the delete horizon nor after it', () => {
    expect(pipeline([])).toEqual([]);
    // Cleaned and read again long after every horizon: the tombstones are gone, legitimately.
    expect(pipeline([], 5 * RETENTION, 5 * RETENTION)).toEqual([]);
  });

  it('cleaner-drops-last-value trips compaction-last-value (and poll-skip: the read jumps over last values; tombstone-visible: k2 lost its last write, a tombstone)', () => {
    expect(pipeline(['cleaner-drops-last-value'])).toEqual(['compaction-last-value', 'poll-skip', 'tombstone-visible']);
  });

  it('cleaner-reorders trips compaction-order and offsets-stable (and the checkers of values at other offsets)', () => {
    const found = pipeline(['cleaner-reorders']);
    expect(found).toEqual(expect.arrayContaining(['compaction-order', 'offsets-stable']));
    // Values at offsets that held others: the value checkers see it too (dirty-read, judging black-box, blames a read it cannot tell committed).
    expect(found).toEqual(['compaction-last-value', 'compaction-order', 'dirty-read', 'duplicate', 'inconsistent-offset', 'offsets-stable']);
  });

  it('tombstone-deleted-early trips tombstone-visible, only for a read within delete.retention.ms', () => {
    expect(pipeline(['tombstone-deleted-early'])).toEqual(['tombstone-visible']);
    expect(pipeline(['tombstone-deleted-early'], 1_000, 1_000 + 2 * RETENTION)).toEqual([]);
  });
});
