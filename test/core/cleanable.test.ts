// Which log the cleaner takes and how far (core/log/cleanable.ts), over segment summaries: the
// dirty range between the cleaner checkpoint and the first uncleanable offset, the cleanable
// ratio against min.cleanable.dirty.ratio, min/max.compaction.lag.ms, and segment grouping.
import { describe, expect, it } from 'vitest';
import {
  cleanableRange,
  filthiestLog,
  groupSegmentsBySize,
  logToClean,
  maxCompactionDelay,
  type CleanableLog,
  type CompactionConfig,
  type SegmentSummary,
} from '../../core/log/cleanable.ts';

const DEFAULTS: CompactionConfig = { minCleanableDirtyRatio: 0.5, minCompactionLagMs: 0, maxCompactionLagMs: Number.MAX_SAFE_INTEGER };

/**
 * A log of segments of 10 offsets and 100 bytes each, from offset 0; segment i's records are
 * stamped 1000·i + 100 .. 1000·i + 900 (its first batch at 1000·i + 100). The last one is active (and may be given a size).
 */
function logOf(count: number, more: Partial<CleanableLog> = {}, activeBytes = 100): CleanableLog {
  const segments: SegmentSummary[] = Array.from({ length: count }, (_, i) => ({
    baseOffset: 10 * i,
    nextOffset: 10 * i + 10,
    sizeInBytes: i === count - 1 ? activeBytes : 100,
    largestTimestamp: 1_000 * i + 900,
    firstBatchTimestamp: 1_000 * i + 100,
    active: i === count - 1,
  }));
  return { segments, logStartOffset: 0, logEndOffset: 10 * count, lastStableOffset: 10 * count, checkpoint: undefined, ...more };
}

describe('cleanableRange', () => {
  it('runs from the checkpoint (the log start without one) to the active segment', () => {
    expect(cleanableRange(logOf(4), DEFAULTS, 10_000)).toEqual({ firstDirtyOffset: 0, firstUncleanableOffset: 30, forceUpdateCheckpoint: false });
    expect(cleanableRange(logOf(4, { checkpoint: 20 }), DEFAULTS, 10_000)).toMatchObject({ firstDirtyOffset: 20, firstUncleanableOffset: 30 });
  });

  it('never passes the last stable offset (the high watermark)', () => {
    expect(cleanableRange(logOf(4, { lastStableOffset: 15 }), DEFAULTS, 10_000)).toMatchObject({ firstUncleanableOffset: 15 });
  });

  it('stops at the first dirty segment whose records are younger than min.compaction.lag.ms', () => {
    // now 3500, lag 2000: segments whose largest timestamp is above 1500 (segment 1 at 1900) are too young.
    expect(cleanableRange(logOf(4), { ...DEFAULTS, minCompactionLagMs: 2_000 }, 3_500)).toMatchObject({ firstUncleanableOffset: 10 });
    expect(cleanableRange(logOf(4), { ...DEFAULTS, minCompactionLagMs: 2_000 }, 10_000)).toMatchObject({ firstUncleanableOffset: 30 });
  });

  it('resets a checkpoint that is off the log (below its start, or beyond its end) to the log start, and says so', () => {
    expect(cleanableRange(logOf(4, { logStartOffset: 10, checkpoint: 5 }), DEFAULTS, 0)).toEqual({
      firstDirtyOffset: 10,
      firstUncleanableOffset: 30,
      forceUpdateCheckpoint: true,
    });
    expect(cleanableRange(logOf(4, { checkpoint: 99 }), DEFAULTS, 0)).toMatchObject({ firstDirtyOffset: 0, forceUpdateCheckpoint: true });
  });

  it('never ends before it starts', () => {
    expect(cleanableRange(logOf(4, { checkpoint: 30 }), DEFAULTS, 0)).toMatchObject({ firstDirtyOffset: 30, firstUncleanableOffset: 30 });
  });
});

describe('maxCompactionDelay', () => {
  it("is how far the oldest dirty segment's first batch is past max.compaction.lag.ms, and 0 before", () => {
    const config = { ...DEFAULTS, maxCompactionLagMs: 5_000 };
    expect(maxCompactionDelay(logOf(4), config, 0, 4_000)).toBe(0);
    expect(maxCompactionDelay(logOf(4), config, 0, 7_500)).toBe(2_400);
    // From the checkpoint on: segment 2's first batch (2100) is the oldest dirty one.
    expect(maxCompactionDelay(logOf(4), config, 20, 7_500)).toBe(400);
    // The active segment never counts.
    expect(maxCompactionDelay(logOf(4), config, 30, 100_000)).toBe(0);
  });
});

describe('logToClean', () => {
  it('counts clean and cleanable bytes and their ratio; the range ends at the base of the segment holding the uncleanable offset', () => {
    expect(logToClean(logOf(5, { checkpoint: 20 }), DEFAULTS, 10_000)).toMatchObject({
      firstDirtyOffset: 20,
      firstUncleanableOffset: 40,
      cleanBytes: 200,
      cleanableBytes: 200,
      totalBytes: 400,
      cleanableRatio: 0.5,
    });
    // A last stable offset inside segment 2 ends the range at segment 2's base.
    expect(logToClean(logOf(5, { lastStableOffset: 25 }), DEFAULTS, 10_000)).toMatchObject({ firstUncleanableOffset: 20, cleanableBytes: 200 });
  });
});

describe('filthiestLog', () => {
  it('takes the log with the highest cleanable ratio above min.cleanable.dirty.ratio', () => {
    const logs = [
      { id: 'half', log: logOf(5, { checkpoint: 20 }), config: DEFAULTS },
      { id: 'mostly-dirty', log: logOf(5, { checkpoint: 10 }), config: DEFAULTS },
      { id: 'all-dirty', log: logOf(5), config: DEFAULTS },
    ];
    expect(filthiestLog(logs, 10_000)).toMatchObject({ id: 'all-dirty', toClean: { cleanableRatio: 1, firstDirtyOffset: 0, firstUncleanableOffset: 40 } });
    expect(filthiestLog(logs.slice(0, 2), 10_000)?.id).toBe('mostly-dirty');
    // A ratio equal to the threshold is not enough.
    expect(filthiestLog(logs.slice(0, 1), 10_000)).toBeNull();
  });

  it('takes a log past max.compaction.lag.ms whatever its ratio, if it has anything to clean', () => {
    const config = { ...DEFAULTS, minCleanableDirtyRatio: 0.9, maxCompactionLagMs: 1_000 };
    expect(filthiestLog([{ id: 'due', log: logOf(5, { checkpoint: 20 }), config }], 10_000)?.id).toBe('due');
    expect(filthiestLog([{ id: 'due', log: logOf(5, { checkpoint: 20 }), config }], 2_500)).toBeNull();
    expect(filthiestLog([{ id: 'clean', log: logOf(5, { checkpoint: 40 }), config }], 100_000)).toBeNull();
  });

  it('skips empty logs', () => {
    expect(filthiestLog([{ id: 'empty', log: logOf(1, {}, 0), config: DEFAULTS }], 10_000)).toBeNull();
  });
});

describe('groupSegmentsBySize', () => {
  const seg = (baseOffset: number, sizeInBytes: number, offsetIndexBytes = 0) => ({
    baseOffset,
    sizeInBytes,
    offsetIndexBytes,
    timeIndexBytes: offsetIndexBytes,
  });

  it('groups consecutive segments while their total stays within segment.bytes, and their indexes within segment.index.bytes', () => {
    const segments = [seg(0, 40), seg(10, 40), seg(20, 40), seg(30, 10), seg(40, 100)];
    expect(groupSegmentsBySize(segments, 100, 1_000, 50).map((g) => g.map((s) => s.baseOffset))).toEqual([[0, 10], [20, 30], [40]]);
    const indexed = [seg(0, 10, 60), seg(10, 10, 60), seg(20, 10, 30)];
    expect(groupSegmentsBySize(indexed, 1_000, 100, 30).map((g) => g.map((s) => s.baseOffset))).toEqual([[0], [10, 20]]);
  });

  it('never spans more than Integer.MAX_VALUE offsets in one group', () => {
    const segments = [seg(0, 1), seg(2_000_000_000, 1), seg(2_147_483_000, 1)];
    expect(groupSegmentsBySize(segments, 1_000, 1_000, 2_147_484_000).map((g) => g.map((s) => s.baseOffset))).toEqual([[0, 2_000_000_000], [2_147_483_000]]);
  });
});
