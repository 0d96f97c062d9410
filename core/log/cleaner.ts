// The log cleaner's algorithm (log compaction: Kafka's Cleaner.doClean, with MemoryRecords.filterTo's
// batch rules), pure: map each key of the dirty range to its last offset, then recopy every segment
// up to the map's end keeping a record iff it lies beyond the map, or it is its key's latest and
// holds a value or a tombstone still inside its delete horizon (KIP-534). Offsets and order never
// change; a batch that loses records is rebuilt around the survivors, and an emptied one goes
// unless it holds an active producer's last sequence (KAFKA-5490) or ends at the high watermark
// (KAFKA-17076, KAFKA-20452). Batches of aborted transactions lose every record (the map ignores
// them); transaction markers are kept whole (Kafka drops them only past their delete horizon).
// The files (.cleaned, .swap) are the caller's business.

import { encodeRecordBatch } from '../wire/record-batch.ts';
import { CODEC_MASK, codecOfAttributes, NO_COMPRESSORS, supportsCodec, type Compressors } from '../wire/compression.ts';
import {
  batchSizeInBytes,
  CONTROL_BIT,
  decodedFields,
  DELETE_HORIZON_BIT,
  deleteHorizonOf,
  lastOffsetOf,
  NO_PRODUCER_ID,
  type KafkaRecord,
  type RecordBatch,
} from '../protocol/records.ts';
import type { LogBug } from './bugs.ts';
import { OffsetMap, type CleanerSegment } from './offset-map.ts';
import { abortedBatchTest, type AbortedTxn } from './txn-index.ts';

export type { CleanerSegment } from './offset-map.ts';

/** Attributes bit 3: LogAppendTime (records.ts's LOG_APPEND_TIME_BIT on the topic-configs branch; one of the two goes at the merge). */
const LOG_APPEND_TIME_BIT = 0x08;

/** A batch's timestamp when it has none (RecordBatch.NO_TIMESTAMP): an emptied batch's base timestamp. */
export const NO_TIMESTAMP = -1;

export interface CleanOptions {
  /** Where the dirty range starts: the cleaner checkpoint (`cleanableRange`'s firstDirtyOffset). */
  firstDirtyOffset: number;
  /** Where it ends (exclusive): a segment's base offset, below the active segment and the high watermark (`cleanableRange`). */
  firstUncleanableOffset: number;
  /** When the clean starts: delete horizons are set from it and compared with it. */
  now: number;
  /** The topic's delete.retention.ms (default 86400000): how long a tombstone outlives the clean that first keeps it. */
  deleteRetentionMs: number;
  /** The replica's active producers: producer id → offset of its last data record (ProducerStateManager). Their last batch stays, empty if need be. */
  lastOffsetOfActiveProducers?: ReadonlyMap<number, number>;
  /** The partition's high watermark: the batch ending just below it stays, empty if need be, so the log end survives a clean. */
  highWatermark?: number;
  /** How many keys the offset map takes (log.cleaner.dedupe.buffer.size / 24 × 0.9 per thread); unbounded by default. */
  maxMapEntries?: number;
  /** Codecs for rebuilding a compressed batch's wire bytes; one the runtime lacks is written uncompressed. */
  compressors?: Compressors;
  bugs?: ReadonlySet<LogBug>;
  /** The aborted transactions of the cleaned range (the segments' aborted-transaction indexes): their batches go. */
  abortedTransactions?: readonly Pick<AbortedTxn, 'producerId' | 'firstOffset' | 'lastOffset'>[];
}

export interface CleanerStats {
  batchesRead: number;
  batchesRetained: number;
  recordsRead: number;
  recordsRetained: number;
  bytesRead: number;
  bytesRetained: number;
  /** Keyless records dropped (a compacted topic refuses them, INVALID_RECORD). */
  invalidRecords: number;
  /** Tombstones whose batch got its delete horizon in this clean. */
  tombstonesStamped: number;
  /** Keys in the offset map. */
  mapEntries: number;
}

export interface CleanResult {
  /**
   * The recopied segments, oldest first: every input segment below `endOffset`, each with its base
   * offset and its batches after cleaning (possibly none). Segments at or after `endOffset` are
   * not touched and not listed.
   */
  segments: Array<{ baseOffset: number; batches: RecordBatch[] }>;
  /** The first offset this clean did not reach: the new cleaner checkpoint (less than firstUncleanableOffset when the map filled). */
  endOffset: number;
  stats: CleanerStats;
}

/**
 * Cleans a log. `segments` are the log's segments from its start, oldest first, at least every one
 * below `firstUncleanableOffset` (later ones are ignored). Batches that keep every record and need
 * no new horizon come back as the very same objects (same wire bytes); rebuilt ones get new wire
 * bytes when they had some.
 */
export function cleanLog(segments: readonly CleanerSegment[], options: CleanOptions): CleanResult {
  const maxEntries = options.maxMapEntries ?? Infinity;
  if (!(maxEntries >= 1)) throw new RangeError(`the offset map must take at least one key, got ${maxEntries}`);
  if (options.firstUncleanableOffset < options.firstDirtyOffset)
    throw new RangeError(`firstUncleanableOffset ${options.firstUncleanableOffset} is below firstDirtyOffset ${options.firstDirtyOffset}`);
  const map = new OffsetMap(maxEntries);
  const aborted = abortedBatchTest(options.abortedTransactions ?? []);
  map.build(segments, options.firstDirtyOffset, options.firstUncleanableOffset, aborted);
  const endOffset = map.latestOffset + 1;
  const stats: CleanerStats = {
    batchesRead: 0,
    batchesRetained: 0,
    recordsRead: 0,
    recordsRetained: 0,
    bytesRead: 0,
    bytesRetained: 0,
    invalidRecords: 0,
    tombstonesStamped: 0,
    mapEntries: map.size,
  };
  const cleaned: CleanResult['segments'] = [];
  for (const segment of segments) {
    if (segment.baseOffset >= endOffset) break;
    cleaned.push({ baseOffset: segment.baseOffset, batches: segment.batches.flatMap((b) => cleanBatch(b, map, options, stats, aborted(b))) });
  }
  return { segments: cleaned, endOffset, stats };
}

/** What may become of an emptied batch (Kafka's BatchRetention). */
type BatchRetention = 'retain-empty' | 'delete-empty';

function batchRetention(batch: RecordBatch, options: CleanOptions): BatchRetention {
  const last = lastOffsetOf(batch);
  if (batch.producerId !== NO_PRODUCER_ID && options.lastOffsetOfActiveProducers?.get(batch.producerId) === last) return 'retain-empty';
  if (options.highWatermark !== undefined && last + 1 === options.highWatermark) return 'retain-empty';
  return 'delete-empty';
}

/** The batch after cleaning: itself, a rebuilt batch, an empty one, or nothing. */
function cleanBatch(batch: RecordBatch, map: OffsetMap, options: CleanOptions, stats: CleanerStats, aborted: boolean): RecordBatch[] {
  stats.batchesRead++;
  stats.bytesRead += sizeOf(batch);
  stats.recordsRead += batch.records.length;
  // Control batches (transaction markers) are kept whole: their delete horizon is not kept here.
  if ((batch.attributes & CONTROL_BIT) !== 0) return retained(batch, batch.records.length, stats);
  // An aborted transaction's batch keeps no record (an active producer's last stays, empty, for its sequence).
  const kept = aborted ? [] : batch.records.filter((r) => shouldRetainRecord(batch, r, map, options, stats));
  if (kept.length === 0) return batchRetention(batch, options) === 'retain-empty' ? retained(emptied(batch, options), 0, stats) : [];
  const tombstones = kept.filter((r) => r.value === null).length;
  const stampHorizon = tombstones > 0 && deleteHorizonOf(batch) === null;
  if (kept.length === batch.records.length && !stampHorizon) return retained(batch, kept.length, stats);
  if (stampHorizon) stats.tombstonesStamped += tombstones;
  const horizon = stampHorizon ? options.now + options.deleteRetentionMs : deleteHorizonOf(batch);
  return retained(rebuilt(batch, kept, horizon, options), kept.length, stats);
}

function retained(batch: RecordBatch, records: number, stats: CleanerStats): RecordBatch[] {
  stats.batchesRetained++;
  stats.recordsRetained += records;
  stats.bytesRetained += sizeOf(batch);
  return [batch];
}

/** Kafka's Cleaner.shouldRetainRecord. */
function shouldRetainRecord(batch: RecordBatch, r: KafkaRecord, map: OffsetMap, options: CleanOptions, stats: CleanerStats): boolean {
  const offset = batch.baseOffset + r.offsetDelta;
  if (offset > map.latestOffset) return true;
  if (r.key === null) {
    stats.invalidRecords++;
    return false;
  }
  const previous = options.bugs?.has('cleaner-drops-last-value') === true ? map.previousOf(r.key) : -1;
  // The bug keeps a repeated key's second-to-last record instead of its last.
  const latestForKey = previous >= 0 ? offset === previous : offset >= map.get(r.key);
  const horizon = deleteHorizonOf(batch);
  const retainDeletes = options.bugs?.has('tombstone-deleted-early') === true ? false : horizon === null || options.now < horizon;
  return latestForKey && (r.value !== null || retainDeletes);
}

/**
 * The batch rebuilt around the records it keeps (MemoryRecords.buildRetainedRecordsInto): same base
 * offset, last offset (so the producer's last sequence survives), leader epoch, producer fields and
 * flags; each record keeps its offset and its timestamp. With a delete horizon the base timestamp
 * holds it and the records' deltas are counted from it (they may be negative); without one the base
 * timestamp is the first kept record's. A LogAppendTime batch keeps its max timestamp; a CreateTime
 * batch's is its kept records' latest.
 */
function rebuilt(batch: RecordBatch, kept: readonly KafkaRecord[], horizon: number | null, options: CleanOptions): RecordBatch {
  const timestamps = kept.map((r) => batch.baseTimestamp + r.timestampDelta);
  const baseTimestamp = horizon ?? timestamps[0]!;
  let records = kept.map((r, i) => ({ ...r, timestampDelta: timestamps[i]! - baseTimestamp }));
  // The bug writes the survivors backwards and numbers them again from the base offset.
  if (options.bugs?.has('cleaner-reorders') === true) records = records.reverse().map((r, i) => ({ ...r, offsetDelta: i }));
  const attributes = horizon === null ? batch.attributes & ~DELETE_HORIZON_BIT : batch.attributes | DELETE_HORIZON_BIT;
  const maxTimestamp = (batch.attributes & LOG_APPEND_TIME_BIT) !== 0 ? batch.maxTimestamp : timestamps.reduce((a, b) => Math.max(a, b));
  return withWireBytes(batch, { ...decodedFields(batch), attributes, baseTimestamp, maxTimestamp, records }, options);
}

/**
 * A batch kept only for its header (DefaultRecordBatch.writeEmptyHeader): no records, its offsets,
 * producer fields and max timestamp as before, no base timestamp, uncompressed, no delete horizon.
 */
function emptied(batch: RecordBatch, options: CleanOptions): RecordBatch {
  const attributes = batch.attributes & ~CODEC_MASK & ~DELETE_HORIZON_BIT;
  return withWireBytes(batch, { ...decodedFields(batch), attributes, baseTimestamp: NO_TIMESTAMP, records: [] }, options);
}

/**
 * `cleaned` with wire bytes when `original` had some: encoded with the original codec when the
 * runtime has it (as Kafka recompresses with the batch's own codec), else uncompressed (the codec
 * bits cleared), so a cleaned batch never needs a codec to be read back.
 */
function withWireBytes(original: RecordBatch, cleaned: RecordBatch, options: CleanOptions): RecordBatch {
  if (original.wireBytes === undefined) return cleaned;
  const codec = codecOfAttributes(cleaned.attributes);
  const compressors = options.compressors ?? NO_COMPRESSORS;
  const batch = codec !== undefined && supportsCodec(compressors, codec) ? cleaned : { ...cleaned, attributes: cleaned.attributes & ~CODEC_MASK };
  return { ...batch, wireBytes: encodeRecordBatch(batch, { compressors }) };
}

function sizeOf(batch: RecordBatch): number {
  return batch.wireBytes?.length ?? batchSizeInBytes(batch);
}
