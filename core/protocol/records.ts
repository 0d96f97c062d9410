// Record batches as Kafka stores and ships them (RecordBatch v2, KIP-98): offsets, the leader epoch
// that wrote them, the idempotent producer's id, epoch and sequence, and records with key, value,
// headers and timestamp. Keys, values and header values are byte strings: one char per byte
// (latin1), so any bytes a client sends survive unchanged and stay cheap to compare and hash.

/** A string whose chars are bytes (0..255). */
export type Bytes = string;

export interface RecordHeader {
  key: string;
  value: Bytes | null;
}

export interface KafkaRecord {
  offsetDelta: number;
  timestampDelta: number;
  key: Bytes | null;
  value: Bytes | null;
  headers: RecordHeader[];
}

export interface RecordBatch {
  /** The first record's offset; producers send 0 and the leader assigns it. */
  baseOffset: number;
  /** The leader epoch of the leader that appended it (the producer sends -1). */
  partitionLeaderEpoch: number;
  /** Bits 0-2 codec, bit 3 LogAppendTime, bit 4 transactional, bit 5 control. */
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  /** -1 when the producer is not idempotent. */
  producerId: number;
  producerEpoch: number;
  /** The first record's sequence number for this producer and partition (-1 without idempotence). */
  baseSequence: number;
  records: KafkaRecord[];
}

export const NO_PRODUCER_ID = -1;

export function lastOffsetOf(batch: RecordBatch): number {
  return batch.baseOffset + batch.lastOffsetDelta;
}

/** The batch with its offsets assigned from `baseOffset` and the leader epoch stamped. */
export function assignOffsets(batch: RecordBatch, baseOffset: number, leaderEpoch: number): RecordBatch {
  return { ...batch, baseOffset, partitionLeaderEpoch: leaderEpoch };
}

/** The size of a batch as Kafka counts it on the wire (61-byte header plus each record), for byte limits. */
export function batchSizeInBytes(batch: RecordBatch): number {
  let size = 61;
  for (const r of batch.records) {
    size += 8 + (r.key?.length ?? 0) + (r.value?.length ?? 0);
    for (const h of r.headers) size += 2 + h.key.length + (h.value?.length ?? 0);
  }
  return size;
}
