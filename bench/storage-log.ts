// What `samsa bench storage` and its killed writer share: a partition log on a broker's own file storage,
// opened in one place (the adapter the segmented log's new open changes), and batches made as the
// real runtime makes them (a producer's RecordBatch v2 bytes, decoded as Produce decodes them, offsets
// assigned as the leader assigns them).

import { DEFAULT_LOG_CONFIG } from '../core/log/log-config.ts';
import { PartitionLog, type OpenOptions, type PartitionLogObserver } from '../core/log/partition-log.ts';
import { assignOffsets, type KafkaRecord, type RecordBatch } from '../core/protocol/records.ts';
import type { Storage } from '../core/storage.ts';
import { decodeRecordSet, encodeRecordBatch } from '../core/wire/record-batch.ts';
import { NODE_COMPRESSORS } from '../net/compression.ts';

/** The bench's partition (its directory in the log dir). */
export const BENCH_PARTITION = 'bench-0';
/** The leader epoch every bench batch is appended in. */
const LEADER_EPOCH = 0;
/** Distinct keys the records cycle through. */
const KEYS = 1_000;

/** Nothing listens: a broker's observer only traces, which is not the log's cost. */
const NO_OBSERVER: PartitionLogObserver = { appended: () => {}, truncated: () => {} };

/**
 * The one place the bench opens a partition log (recovering whatever the directory holds past the
 * recovery point given): Kafka's default segment settings, as a broker opens it.
 */
export function openLog(storage: Storage, partitionDir: string, options: OpenOptions = {}): PartitionLog {
  return PartitionLog.open(storage, partitionDir, NO_OBSERVER, DEFAULT_LOG_CONFIG, options).log;
}

export interface BatchShape {
  /** Records per batch. */
  batchRecords: number;
  /** Bytes of each record's value. */
  valueBytes: number;
  /** The first record's timestamp; record n (counted from offset 0) has timestamp `baseTimestamp + n`. */
  baseTimestamp: number;
}

/**
 * The batch holding offsets from `baseOffset`, ready for `log.append`: the producer's encoding, Produce's
 * decoding (with the node's codecs) and the leader's offset assignment, as a broker gets it.
 */
export function makeBatch(shape: BatchShape, baseOffset: number, value: string): RecordBatch {
  const records: KafkaRecord[] = [];
  for (let i = 0; i < shape.batchRecords; i++) {
    records.push({ offsetDelta: i, timestampDelta: i, key: `key-${(baseOffset + i) % KEYS}`, value, headers: [] });
  }
  const baseTimestamp = shape.baseTimestamp + baseOffset;
  const produced = encodeRecordBatch({
    baseOffset: 0,
    partitionLeaderEpoch: -1,
    attributes: 0,
    lastOffsetDelta: shape.batchRecords - 1,
    baseTimestamp,
    maxTimestamp: baseTimestamp + shape.batchRecords - 1,
    producerId: -1,
    producerEpoch: -1,
    baseSequence: -1,
    records,
  });
  const [received] = decodeRecordSet(produced, NODE_COMPRESSORS).batches;
  return assignOffsets(received!, baseOffset, LEADER_EPOCH);
}

/** A value of `bytes` bytes (one char per byte). */
export function valueOf(bytes: number): string {
  let value = '';
  for (let i = 0; i < bytes; i++) value += String.fromCharCode(97 + (i % 26));
  return value;
}

/** Bytes of a batch as stored and served (its RecordBatch v2 bytes). */
export function storedBytesOf(batch: RecordBatch): number {
  return batch.wireBytes!.length;
}

/** What the killed writer (bench/storage-writer.ts) is given, as JSON in its one argument. */
export interface WriterArgs {
  logDir: string;
  /** Bytes of log to write before it reports. */
  bytes: number;
  shape: BatchShape;
  /** The bench's process: the writer exits when it is no longer its parent. */
  benchPid: number;
}

/** The writer's report once its bytes are written: `written <batches> <records> <bytes> <ms>`. */
export const WRITTEN = 'written';
