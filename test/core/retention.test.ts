// Delete retention as Kafka's UnifiedLog.deleteOldSegments decides it: each rule on its own, the guards, and the order of the passes.
import { describe, expect, it } from 'vitest';
import { retentionDecision, retentionPolicy, type RetentionInput, type SegmentInfo } from '../../core/log/retention.ts';

/** Segments of `size` bytes each, from [base, next, largestTimestamp] triples; the last one is active. */
function segments(...specs: Array<[number, number, number]>): SegmentInfo[] {
  return specs.map(([baseOffset, nextOffset, largestTimestamp], i) => ({
    baseOffset,
    nextOffset,
    sizeInBytes: nextOffset - baseOffset === 0 ? 0 : 100,
    largestTimestamp,
    active: i === specs.length - 1,
  }));
}

const KEEP_ALL = { delete: true, retentionMs: -1, retentionBytes: -1 };

function decide(over: Partial<RetentionInput> & { segments: SegmentInfo[] }): ReturnType<typeof retentionDecision> {
  return retentionDecision({ highWatermark: Infinity, logStartOffset: 0, now: 10_000, policy: KEEP_ALL, ...over });
}

const THREE = segments([0, 10, 1_000], [10, 20, 2_000], [20, 30, 3_000]);

describe('retention: each rule', () => {
  it('with no limits nothing goes', () => {
    expect(decide({ segments: THREE })).toEqual({ roll: false, logStartOffset: 0, deleted: [] });
  });

  it('segments wholly below the log start go, whatever the cleanup policy; the log start stays where it was moved', () => {
    const decision = decide({ segments: THREE, logStartOffset: 15, policy: { delete: false, retentionMs: 0, retentionBytes: 0 } });
    expect(decision).toEqual({ roll: false, logStartOffset: 15, deleted: [{ baseOffset: 0, cause: 'log-start' }] });
    // A segment whose next one starts exactly at the log start is wholly below it.
    expect(decide({ segments: THREE, logStartOffset: 20 }).deleted).toEqual([
      { baseOffset: 0, cause: 'log-start' },
      { baseOffset: 10, cause: 'log-start' },
    ]);
  });

  it('retention.bytes is per partition: the oldest segments go while the rest stays at or above it', () => {
    // 300 bytes held: 150 allowed -> one segment of 100 goes (a second would leave 100 < 150).
    expect(decide({ segments: THREE, policy: { ...KEEP_ALL, retentionBytes: 150 } })).toEqual({
      roll: false,
      logStartOffset: 10,
      deleted: [{ baseOffset: 0, cause: 'size' }],
    });
    expect(decide({ segments: THREE, policy: { ...KEEP_ALL, retentionBytes: 100 } }).logStartOffset).toBe(20);
    expect(decide({ segments: THREE, policy: { ...KEEP_ALL, retentionBytes: 300 } }).deleted).toEqual([]);
    expect(decide({ segments: THREE, policy: { ...KEEP_ALL, retentionBytes: 301 } }).deleted).toEqual([]);
  });

  it('retention.ms goes by each segment largest timestamp, oldest first, and stops at the first segment to keep', () => {
    // now 10 000, retention 8 500: a largest timestamp before 1 500 goes; exactly retention.ms old stays.
    expect(decide({ segments: THREE, policy: { ...KEEP_ALL, retentionMs: 8_500 } }).deleted).toEqual([{ baseOffset: 0, cause: 'time' }]);
    expect(decide({ segments: THREE, policy: { ...KEEP_ALL, retentionMs: 9_000 } }).deleted).toEqual([]);
    // A young segment before an old one stops the walk (timestamps need not grow).
    const unordered = segments([0, 10, 9_000], [10, 20, 1_000], [20, 30, 9_500]);
    expect(decide({ segments: unordered, policy: { ...KEEP_ALL, retentionMs: 5_000 } }).deleted).toEqual([]);
  });

  it('cleanup.policy without delete: neither size nor time retention', () => {
    expect(decide({ segments: THREE, policy: { delete: false, retentionMs: 0, retentionBytes: 0 } }).deleted).toEqual([]);
  });
});

describe('retention: the guards', () => {
  it('never a segment whose end is above the high watermark, so the log start never passes it', () => {
    const policy = { ...KEEP_ALL, retentionMs: 0 };
    expect(decide({ segments: THREE, policy, highWatermark: 19 })).toMatchObject({ logStartOffset: 10, deleted: [{ baseOffset: 0 }] });
    expect(decide({ segments: THREE, policy, highWatermark: 20 })).toMatchObject({ logStartOffset: 20 });
    expect(decide({ segments: THREE, policy, highWatermark: 9 }).deleted).toEqual([]);
    // The active segment ends at the log end: below it, it stays.
    expect(decide({ segments: THREE, policy, highWatermark: 29 })).toMatchObject({ roll: false, logStartOffset: 20 });
  });

  it('an expired active segment with records is rolled first, so one (empty) segment remains at the log end', () => {
    const decision = decide({ segments: THREE, policy: { ...KEEP_ALL, retentionMs: 0 }, highWatermark: 30 });
    expect(decision.roll).toBe(true);
    expect(decision.logStartOffset).toBe(30);
    expect(decision.deleted.map((d) => d.baseOffset)).toEqual([0, 10, 20]);
    const alone = decide({ segments: segments([0, 5, 100]), policy: { ...KEEP_ALL, retentionBytes: 0 }, highWatermark: 5 });
    expect(alone).toEqual({ roll: true, logStartOffset: 5, deleted: [{ baseOffset: 0, cause: 'size' }] });
  });

  it('an empty active segment is never deleted', () => {
    const empty = segments([0, 10, 1_000], [10, 10, -1]);
    const decision = decide({ segments: empty, policy: { ...KEEP_ALL, retentionMs: 0 } });
    expect(decision).toEqual({ roll: false, logStartOffset: 10, deleted: [{ baseOffset: 0, cause: 'time' }] });
    expect(decide({ segments: segments([7, 7, -1]), policy: { ...KEEP_ALL, retentionMs: 0, retentionBytes: 0 } }).deleted).toEqual([]);
  });
});

describe('retention: the passes in order', () => {
  it('log start, then size, then time, each over what the one before left', () => {
    // The log start takes [0,10); size (200 of the 300 bytes left) takes [10,20); time then finds [20,30) young and keeps it.
    const decision = decide({
      segments: segments([0, 10, 1_000], [10, 20, 2_000], [20, 30, 9_900], [30, 35, 9_950]),
      logStartOffset: 12,
      policy: { delete: true, retentionMs: 5_000, retentionBytes: 200 },
    });
    expect(decision).toEqual({
      roll: false,
      logStartOffset: 20,
      deleted: [
        { baseOffset: 0, cause: 'log-start' },
        { baseOffset: 10, cause: 'size' },
      ],
    });
  });

  it('size and time together may take every segment: one roll, the log start at the log end', () => {
    const decision = decide({ segments: THREE, policy: { delete: true, retentionMs: 7_500, retentionBytes: 200 } });
    expect(decision).toEqual({
      roll: false,
      logStartOffset: 20,
      deleted: [
        { baseOffset: 0, cause: 'size' },
        { baseOffset: 10, cause: 'time' },
      ],
    });
    const all = decide({ segments: THREE, policy: { delete: true, retentionMs: 0, retentionBytes: 200 } });
    expect(all).toEqual({
      roll: true,
      logStartOffset: 30,
      deleted: [
        { baseOffset: 0, cause: 'size' },
        { baseOffset: 10, cause: 'time' },
        { baseOffset: 20, cause: 'time' },
      ],
    });
  });
});

describe('retention: the policy from configs', () => {
  it("a topic's own values win over the broker's defaults; delete anywhere in cleanup.policy turns size and time retention on", () => {
    const broker = { cleanupPolicy: 'delete', retentionMs: 604_800_000, retentionBytes: -1 };
    expect(retentionPolicy({}, broker)).toEqual({ delete: true, retentionMs: 604_800_000, retentionBytes: -1 });
    expect(retentionPolicy({ 'retention.ms': '1000', 'retention.bytes': '2048' }, broker)).toEqual({ delete: true, retentionMs: 1000, retentionBytes: 2048 });
    expect(retentionPolicy({ 'cleanup.policy': 'compact' }, broker).delete).toBe(false);
    expect(retentionPolicy({ 'cleanup.policy': 'compact,delete' }, broker).delete).toBe(true);
    expect(retentionPolicy({}, { ...broker, cleanupPolicy: 'compact' }).delete).toBe(false);
  });
});
