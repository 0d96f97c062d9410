// Which log the cleaner takes next and how far it may clean it (Kafka's LogCleanerManager:
// cleanableOffsets, maxCompactionDelay, LogToClean, grabFilthiestCompactedLog; and
// Cleaner.groupSegmentsBySize), as pure functions over segment summaries and the cleaner
// checkpoint: min.cleanable.dirty.ratio, min.compaction.lag.ms and max.compaction.lag.ms (KIP-354).

/** One segment as the log describes it (PartitionLog.segmentInfos, plus its first batch's timestamp). */
export interface SegmentSummary {
  baseOffset: number;
  /** The offset after its last batch (its next segment's base, or the log end for the active one). */
  nextOffset: number;
  sizeInBytes: number;
  /** Its records' latest timestamp (min.compaction.lag.ms compares it). */
  largestTimestamp: number;
  /** Its first batch's max timestamp (LogSegment.getFirstBatchTimestamp; max.compaction.lag.ms compares it); -1 or less when unknown or empty. */
  firstBatchTimestamp: number;
  active: boolean;
}

/** A compacted log as the cleaner manager sees it. */
export interface CleanableLog {
  /** Oldest first; the last one is the active segment. */
  segments: readonly SegmentSummary[];
  logStartOffset: number;
  logEndOffset: number;
  /** The last stable offset: the high watermark until transactions exist. The cleaner never cleans past it. */
  lastStableOffset: number;
  /** The cleaner checkpoint (cleaner-offset-checkpoint): where the last clean stopped; undefined before the first. */
  checkpoint: number | undefined;
}

/** The topic configs that say when a log may be cleaned (Kafka's names and defaults in the comments). */
export interface CompactionConfig {
  /** min.cleanable.dirty.ratio (0.5). */
  minCleanableDirtyRatio: number;
  /** min.compaction.lag.ms (0). */
  minCompactionLagMs: number;
  /** max.compaction.lag.ms (Long.MAX_VALUE). */
  maxCompactionLagMs: number;
}

export interface CleanableRange {
  /** Where cleaning starts: the checkpoint, or the log start when there is none or it is off the log. */
  firstDirtyOffset: number;
  /** Where it must stop: the active segment, the last stable offset, or the first segment inside min.compaction.lag.ms. */
  firstUncleanableOffset: number;
  /** The checkpoint was off the log (truncated, or ahead of its end) and must be reset to firstDirtyOffset. */
  forceUpdateCheckpoint: boolean;
}

/** Kafka's LogCleanerManager.cleanableOffsets. */
export function cleanableRange(log: CleanableLog, config: CompactionConfig, now: number): CleanableRange {
  const checkpoint = log.checkpoint ?? log.logStartOffset;
  const offLog = checkpoint < log.logStartOffset || checkpoint > log.logEndOffset;
  const firstDirtyOffset = offLog ? log.logStartOffset : checkpoint;
  const active = activeSegment(log);
  const bounds = [log.lastStableOffset, active.baseOffset];
  const minLag = Math.max(config.minCompactionLagMs, 0);
  if (minLag > 0) {
    const young = nonActiveSegmentsFrom(log, firstDirtyOffset).find((s) => s.largestTimestamp > now - minLag);
    if (young !== undefined) bounds.push(young.baseOffset);
  }
  return { firstDirtyOffset, firstUncleanableOffset: Math.max(firstDirtyOffset, Math.min(...bounds)), forceUpdateCheckpoint: offLog };
}

/** How long past its max.compaction.lag.ms deadline the log's oldest dirty segment is (0: not due). Kafka's maxCompactionDelay. */
export function maxCompactionDelay(log: CleanableLog, config: CompactionConfig, firstDirtyOffset: number, now: number): number {
  const stamps = nonActiveSegmentsFrom(log, firstDirtyOffset)
    .map((s) => s.firstBatchTimestamp)
    .filter((t) => t > 0);
  const earliest = stamps.length === 0 ? Infinity : Math.min(...stamps);
  const cleanUntil = now - Math.max(config.maxCompactionLagMs, 0);
  return earliest < cleanUntil ? cleanUntil - earliest : 0;
}

/** A log's cleanable state (Kafka's LogToClean). */
export interface LogToClean {
  firstDirtyOffset: number;
  /** The end of the cleanable range rounded down to a segment's base offset: what cleanLog takes as firstUncleanableOffset. */
  firstUncleanableOffset: number;
  /** Bytes of the segments below firstDirtyOffset (the clean head). */
  cleanBytes: number;
  /** Bytes of the segments in the cleanable range. */
  cleanableBytes: number;
  totalBytes: number;
  /** cleanableBytes / totalBytes: what min.cleanable.dirty.ratio is compared with. */
  cleanableRatio: number;
  /** max.compaction.lag.ms has passed for some dirty segment: clean it whatever its ratio. */
  needCompactionNow: boolean;
  forceUpdateCheckpoint: boolean;
}

export function logToClean(log: CleanableLog, config: CompactionConfig, now: number): LogToClean {
  const range = cleanableRange(log, config, now);
  const { firstDirtyOffset } = range;
  // The segment holding the uncleanable offset is not cleaned: the range ends at its base.
  const holding = nonActiveSegmentsFrom(log, range.firstUncleanableOffset)[0] ?? activeSegment(log);
  const firstUncleanableOffset = holding.baseOffset;
  const cleanBytes = sizeOf(segmentsIn(log, -1, firstDirtyOffset));
  const cleanableBytes = sizeOf(segmentsIn(log, Math.min(firstDirtyOffset, firstUncleanableOffset), firstUncleanableOffset));
  const totalBytes = cleanBytes + cleanableBytes;
  return {
    firstDirtyOffset,
    firstUncleanableOffset,
    cleanBytes,
    cleanableBytes,
    totalBytes,
    cleanableRatio: totalBytes === 0 ? 0 : cleanableBytes / totalBytes,
    needCompactionNow: maxCompactionDelay(log, config, firstDirtyOffset, now) > 0,
    forceUpdateCheckpoint: range.forceUpdateCheckpoint,
  };
}

/**
 * The log the cleaner takes next (Kafka's grabFilthiestCompactedLog): among non-empty logs, those
 * whose cleanable ratio exceeds min.cleanable.dirty.ratio or whose max.compaction.lag.ms has passed
 * (with something to clean), the one with the highest ratio; the first of equals. Null when none.
 */
export function filthiestLog<Id>(
  logs: ReadonlyArray<{ id: Id; log: CleanableLog; config: CompactionConfig }>,
  now: number,
): { id: Id; toClean: LogToClean } | null {
  let best: { id: Id; toClean: LogToClean } | null = null;
  for (const { id, log, config } of logs) {
    const toClean = logToClean(log, config, now);
    if (toClean.totalBytes <= 0) continue;
    if (!((toClean.needCompactionNow && toClean.cleanableBytes > 0) || toClean.cleanableRatio > config.minCleanableDirtyRatio)) continue;
    if (best === null || toClean.cleanableRatio > best.toClean.cleanableRatio) best = { id, toClean };
  }
  return best;
}

/** A segment's sizes for grouping: its log and, when known, its offset and time index files. */
export interface SegmentSizes {
  baseOffset: number;
  sizeInBytes: number;
  offsetIndexBytes?: number;
  timeIndexBytes?: number;
}

/**
 * The segments of one clean (those below its end offset, oldest first) in groups that each become
 * one cleaned segment (Kafka's Cleaner.groupSegmentsBySize): consecutive segments whose total log
 * size stays within segment.bytes, whose index sizes stay within segment.index.bytes, and whose
 * offsets span at most Integer.MAX_VALUE (so relative offsets fit the index).
 */
export function groupSegmentsBySize<S extends SegmentSizes>(
  segments: readonly S[],
  maxSize: number,
  maxIndexSize: number,
  firstUncleanableOffset: number,
): S[][] {
  const groups: S[][] = [];
  let i = 0;
  while (i < segments.length) {
    const group = [segments[i]!];
    let logSize = segments[i]!.sizeInBytes;
    let indexSize = segments[i]!.offsetIndexBytes ?? 0;
    let timeIndexSize = segments[i]!.timeIndexBytes ?? 0;
    i++;
    while (i < segments.length) {
      const next = segments[i]!;
      // The next segment's last offset, bounded by the segment after it or the end of the clean.
      const lastOffset = (segments[i + 1]?.baseOffset ?? firstUncleanableOffset) - 1;
      const fits =
        logSize + next.sizeInBytes <= maxSize &&
        indexSize + (next.offsetIndexBytes ?? 0) <= maxIndexSize &&
        timeIndexSize + (next.timeIndexBytes ?? 0) <= maxIndexSize &&
        (next.sizeInBytes === 0 || lastOffset - group[0]!.baseOffset <= INT32_MAX);
      if (!fits) break;
      group.push(next);
      logSize += next.sizeInBytes;
      indexSize += next.offsetIndexBytes ?? 0;
      timeIndexSize += next.timeIndexBytes ?? 0;
      i++;
    }
    groups.push(group);
  }
  return groups;
}

const INT32_MAX = 2147483647;

function activeSegment(log: CleanableLog): SegmentSummary {
  const active = log.segments[log.segments.length - 1];
  if (active === undefined) throw new RangeError('a log always has an active segment');
  return active;
}

/** Kafka's LogSegments.values(from, to): the segment holding `from` (or the first, when none does) and every later one starting below `to`. */
function segmentsIn(log: CleanableLog, from: number, to: number): SegmentSummary[] {
  if (from >= to) return [];
  let first = 0;
  for (let i = 0; i < log.segments.length; i++) if (log.segments[i]!.baseOffset <= from) first = i;
  return log.segments.slice(first).filter((s) => s.baseOffset < to);
}

/** Kafka's nonActiveLogSegmentsFrom: the segments from the one holding `from`, the active one left out. */
function nonActiveSegmentsFrom(log: CleanableLog, from: number): SegmentSummary[] {
  const active = activeSegment(log);
  return from > active.baseOffset ? [] : segmentsIn(log, from, active.baseOffset);
}

function sizeOf(segments: readonly SegmentSummary[]): number {
  return segments.reduce((n, s) => n + s.sizeInBytes, 0);
}
