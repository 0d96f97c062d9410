// Record batches for the replication tests: one builder, so each suite only says what differs.
import { NO_PRODUCER_ID, type RecordBatch } from '../../core/protocol/records.ts';

export interface BatchSpec {
  count: number;
  /** The first offset (0 for a producer's batch, the leader assigns it). */
  baseOffset?: number;
  /** The partition leader epoch (-1 for a producer's batch). */
  epoch?: number;
  /** The first record's timestamp; record i has ts + i. */
  ts?: number;
  /** An idempotent producer's id, epoch (default 0) and first sequence. */
  producer?: { id: number; epoch?: number; seq: number };
  /** Record i's value. */
  value?: (i: number) => string;
}

export function recordBatch(spec: BatchSpec): RecordBatch {
  const { count, baseOffset = 0, epoch = -1, ts = 1_000, producer, value = (i) => `r${i}` } = spec;
  return {
    baseOffset,
    partitionLeaderEpoch: epoch,
    attributes: 0,
    lastOffsetDelta: count - 1,
    baseTimestamp: ts,
    maxTimestamp: ts + count - 1,
    producerId: producer?.id ?? NO_PRODUCER_ID,
    producerEpoch: producer === undefined ? -1 : (producer.epoch ?? 0),
    baseSequence: producer?.seq ?? -1,
    records: Array.from({ length: count }, (_, i) => ({ offsetDelta: i, timestampDelta: i, key: null, value: value(i), headers: [] })),
  };
}
