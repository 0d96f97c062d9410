// Delete retention as a pure decision (Kafka's UnifiedLog.deleteOldSegments): given a partition
// log's segments, its high watermark, the time and its log start offset, which segments go and
// where the log then starts. The replica manager applies the decision through the log.

/** A segment as the log describes it (PartitionLog.segmentInfos). */
export interface SegmentInfo {
  baseOffset: number;
  /** One past its last offset: the next segment's base, or the log end for the active one. */
  nextOffset: number;
  sizeInBytes: number;
  /** The largest record timestamp in it (-1 when empty). */
  largestTimestamp: number;
  active: boolean;
}

/** A topic's retention settings, resolved from its config and the broker's defaults. */
export interface RetentionPolicy {
  /** cleanup.policy includes delete: size and time retention apply (otherwise only the log start does). */
  delete: boolean;
  /** retention.ms; negative: no time limit. */
  retentionMs: number;
  /** retention.bytes, per partition; negative: no size limit. */
  retentionBytes: number;
}

/** Why a segment went: wholly below the log start, over retention.bytes, or older than retention.ms. */
export type RetentionCause = 'log-start' | 'size' | 'time';

export interface RetentionInput {
  /** Oldest first. */
  segments: readonly SegmentInfo[];
  highWatermark: number;
  logStartOffset: number;
  now: number;
  policy: RetentionPolicy;
}

export interface RetentionDecision {
  /** Roll the active segment first: every segment is to go, and a log keeps one. */
  roll: boolean;
  /** Where the log starts once the segments are gone (never below the current log start). */
  logStartOffset: number;
  /** The segments that go, oldest first, each with the rule that took it. */
  deleted: Array<{ baseOffset: number; cause: RetentionCause }>;
}

/**
 * Kafka's three passes in its order, each over what the previous left: segments wholly below the
 * log start; then, with `delete` in cleanup.policy, the oldest segments while the partition stays
 * at or above retention.bytes without them, and segments whose largest timestamp is more than
 * retention.ms old. Each pass walks oldest first and stops at the first segment it keeps; none
 * takes a segment whose end is above the high watermark (so the log start never passes it) or
 * the active segment while it is empty; a pass that takes every segment rolls the log first.
 */
export function retentionDecision(input: RetentionInput): RetentionDecision {
  const { highWatermark, now, policy } = input;
  let segments = [...input.segments];
  let logStartOffset = input.logStartOffset;
  let roll = false;
  const deleted: RetentionDecision['deleted'] = [];

  const pass = (cause: RetentionCause, shouldDelete: (segment: SegmentInfo, next: SegmentInfo | undefined) => boolean): void => {
    let count = 0;
    for (; count < segments.length; count++) {
      const segment = segments[count]!;
      const next = segments[count + 1];
      const end = next?.baseOffset ?? segment.nextOffset;
      const lastAndEmpty = next === undefined && segment.sizeInBytes === 0;
      // The guard first: the size rule counts what it takes as it goes.
      if (!(highWatermark >= end && shouldDelete(segment, next) && !lastAndEmpty)) break;
    }
    if (count === 0) return;
    if (count === segments.length) {
      const end = segments[count - 1]!.nextOffset;
      segments = [...segments.map((s) => ({ ...s, active: false })), { baseOffset: end, nextOffset: end, sizeInBytes: 0, largestTimestamp: -1, active: true }];
      roll = true;
    }
    for (const segment of segments.slice(0, count)) deleted.push({ baseOffset: segment.baseOffset, cause });
    segments = segments.slice(count);
    logStartOffset = Math.max(logStartOffset, segments[0]!.baseOffset);
  };

  pass('log-start', (_segment, next) => next !== undefined && next.baseOffset <= logStartOffset);
  if (policy.delete) {
    const size = segments.reduce((sum, s) => sum + s.sizeInBytes, 0);
    if (policy.retentionBytes >= 0 && size >= policy.retentionBytes) {
      let over = size - policy.retentionBytes;
      pass('size', (segment) => {
        if (over - segment.sizeInBytes < 0) return false;
        over -= segment.sizeInBytes;
        return true;
      });
    }
    if (policy.retentionMs >= 0) pass('time', (segment) => now - segment.largestTimestamp > policy.retentionMs);
  }
  return { roll, logStartOffset, deleted };
}

/** A topic's retention from its config (Kafka's names), over the broker's defaults. */
export function retentionPolicy(
  topicConfig: Readonly<Record<string, string>>,
  brokerDefaults: { cleanupPolicy: string; retentionMs: number; retentionBytes: number },
): RetentionPolicy {
  const policy = topicConfig['cleanup.policy'] ?? brokerDefaults.cleanupPolicy;
  const number = (key: string, fallback: number) => (topicConfig[key] === undefined ? fallback : Number(topicConfig[key]));
  return {
    delete: policy.split(',').includes('delete'),
    retentionMs: number('retention.ms', brokerDefaults.retentionMs),
    retentionBytes: number('retention.bytes', brokerDefaults.retentionBytes),
  };
}
