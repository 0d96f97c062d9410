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
  /** Bits 0-2 codec, bit 3 LogAppendTime, bit 4 transactional, bit 5 control, bit 6 delete horizon (KIP-534). */
  attributes: number;
  lastOffsetDelta: number;
  /** The first record's timestamp; with DELETE_HORIZON_BIT set, the batch's delete horizon instead (records keep baseTimestamp + timestampDelta). */
  baseTimestamp: number;
  maxTimestamp: number;
  /** -1 when the producer is not idempotent. */
  producerId: number;
  producerEpoch: number;
  /** The first record's sequence number for this producer and partition (-1 without idempotence). */
  baseSequence: number;
  records: KafkaRecord[];
  /**
   * The batch as RecordBatch v2 bytes, when it came from the wire: the codec keeps them beside
   * the decoded fields, so that a broker can store and serve the very bytes a producer sent.
   * Never part of traces or of the simulator's log frames, which carry the decoded fields.
   */
  wireBytes?: Uint8Array;
}

/** Where RecordBatch v2 keeps the fields a leader sets: baseOffset (int64) and partitionLeaderEpoch (int32), both before the CRC'd part. */
const WIRE_BASE_OFFSET = 0;
const WIRE_PARTITION_LEADER_EPOCH = 12;

export const NO_PRODUCER_ID = -1;

/** Attributes bit 3: the batch's timestamps are the leader's append time (LogAppendTime), its maxTimestamp. */
export const LOG_APPEND_TIME_BIT = 0x08;

/** A record's timestamp as a consumer reads it: its own (CreateTime), or its batch's maxTimestamp when the leader stamped it (LogAppendTime). */
export function recordTimestamp(batch: RecordBatch, record: KafkaRecord): number {
  return (batch.attributes & LOG_APPEND_TIME_BIT) !== 0 ? batch.maxTimestamp : batch.baseTimestamp + record.timestampDelta;
}

export function lastOffsetOf(batch: RecordBatch): number {
  return batch.baseOffset + batch.lastOffsetDelta;
}

/**
 * The batch with its offsets assigned from `baseOffset` and the leader epoch stamped. Wire bytes
 * are patched in a copy, as Kafka's leader does: both fields lie before the CRC'd part, so the
 * CRC stays valid.
 */
export function assignOffsets(batch: RecordBatch, baseOffset: number, leaderEpoch: number): RecordBatch {
  const assigned: RecordBatch = { ...batch, baseOffset, partitionLeaderEpoch: leaderEpoch };
  if (batch.wireBytes !== undefined) {
    const bytes = batch.wireBytes.slice();
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    view.setBigInt64(WIRE_BASE_OFFSET, BigInt(baseOffset));
    view.setInt32(WIRE_PARTITION_LEADER_EPOCH, leaderEpoch);
    assigned.wireBytes = bytes;
  }
  return assigned;
}

/** The batch's decoded fields alone (its wire bytes left out), for traces and log frames. */
export function decodedFields(batch: RecordBatch): Omit<RecordBatch, 'wireBytes'> {
  if (batch.wireBytes === undefined) return batch;
  const { wireBytes: _bytes, ...fields } = batch;
  return fields;
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

/** Attributes bit 4: the batch belongs to a transaction (KIP-98). */
export const TRANSACTIONAL_BIT = 0x10;

/** Attributes bit 5: a control batch (transaction markers). */
export const CONTROL_BIT = 0x20;

export function isTransactional(batch: RecordBatch): boolean {
  return (batch.attributes & TRANSACTIONAL_BIT) !== 0;
}

export function isControl(batch: RecordBatch): boolean {
  return (batch.attributes & CONTROL_BIT) !== 0;
}

/** A control record's type (ControlRecordType): the end of a transaction, as its marker says. */
export const ControlType = { ABORT: 0, COMMIT: 1 } as const;

/** A control record's key: {version int16 = 0, type int16} (4 bytes; kafkajs reads exactly `00 00 00 00` as ABORT). */
export function controlKey(type: number): Bytes {
  return String.fromCharCode(0, 0, (type >> 8) & 0xff, type & 0xff);
}

/** The type in a control record's key, or null when the key is not one (too short). */
export function controlTypeOf(key: Bytes | null): number | null {
  if (key === null || key.length < 4) return null;
  return (key.charCodeAt(2) << 8) | key.charCodeAt(3);
}

/** An end-transaction marker's value (EndTransactionMarker): {version int16 = 0, coordinator_epoch int32}. */
export function endTxnMarkerValue(coordinatorEpoch: number): Bytes {
  const e = coordinatorEpoch >>> 0;
  return String.fromCharCode(0, 0, (e >>> 24) & 0xff, (e >>> 16) & 0xff, (e >>> 8) & 0xff, e & 0xff);
}

/** The coordinator epoch an end-transaction marker's value carries, or -1 when it is malformed. */
export function markerCoordinatorEpoch(value: Bytes | null): number {
  if (value === null || value.length < 6) return -1;
  return (value.charCodeAt(2) << 24) | (value.charCodeAt(3) << 16) | (value.charCodeAt(4) << 8) | value.charCodeAt(5) | 0;
}

/**
 * Attributes bit 6 (KIP-534): the log cleaner set this batch's delete horizon, kept in its
 * baseTimestamp field (record timestamps stay baseTimestamp + timestampDelta); its tombstones go
 * once a clean starts at or after it.
 */
export const DELETE_HORIZON_BIT = 0x40;

/** The batch's delete horizon (ms), or null when no clean has set one. */
export function deleteHorizonOf(batch: RecordBatch): number | null {
  return (batch.attributes & DELETE_HORIZON_BIT) !== 0 ? batch.baseTimestamp : null;
}
