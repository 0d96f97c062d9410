// What a leader does to a producer's batch before it appends it (Kafka's LogValidator and the size
// check of UnifiedLog.analyzeAndValidateRecords): refuses a batch over max.message.bytes
// (MESSAGE_TOO_LARGE), re-encodes one whose codec is not the topic's compression.type, and stamps
// LogAppendTime (attributes bit 3, maxTimestamp = the leader's clock) on a topic that asks for it.
// Wire bytes, when the batch has them, are re-encoded or patched with the CRC recomputed; without
// them (the simulator) the codec and timestamp live in the decoded fields alone. A compacted
// topic refuses a record without a key (INVALID_RECORD).

import { ErrorCode } from '../protocol/errors.ts';
import { CONTROL_BIT, LOG_APPEND_TIME_BIT, type RecordBatch } from '../protocol/records.ts';
import {
  CODEC_IDS,
  CODEC_MASK,
  codecOfAttributes,
  supportsCodec,
  UnsupportedCompressionError,
  type CompressionCodec,
  type Compressors,
} from '../wire/compression.ts';
import { encodeRecordBatch, patchAttributesAndMaxTimestamp, uncompressedBatchSize } from '../wire/record-batch.ts';

export type TimestampType = 'CreateTime' | 'LogAppendTime';
/** Kafka's BrokerCompressionType: producer keeps the producer's codec. */
export type CompressionType = 'producer' | 'uncompressed' | Exclude<CompressionCodec, 'none'>;

export interface LogValidation {
  maxMessageBytes: number;
  timestampType: TimestampType;
  compressionType: CompressionType;
  /** The runtime's codecs, or null where batches carry no bytes to re-encode (the simulator): the codec is then only named in the attributes. */
  compressors: Compressors | null;
  /** cleanup.policy has compact: every record needs a key (Kafka's LogValidator); false when absent. */
  compacted?: boolean;
}

/** Kafka's defaults: 1048588-byte batches, CreateTime, the producer's codec. */
export const DEFAULT_LOG_VALIDATION: LogValidation = { maxMessageBytes: 1048588, timestampType: 'CreateTime', compressionType: 'producer', compressors: null };

export type Validated = { ok: true; batch: RecordBatch; logAppendTime: number } | { ok: false; errorCode: number; message: string };

/**
 * The batch's size as Kafka counts it: its bytes when it has them, else the size of its uncompressed
 * encoding (the simulator's batches: the same number as when they cross the wire codec).
 */
export function batchSize(batch: RecordBatch): number {
  return batch.wireBytes?.length ?? uncompressedBatchSize(batch);
}

/** The codec a topic's compression.type stores `batch` with. */
export function targetCodec(batch: RecordBatch, compressionType: CompressionType): CompressionCodec {
  if (compressionType === 'producer') return codecOfAttributes(batch.attributes) ?? 'none';
  return compressionType === 'uncompressed' ? 'none' : compressionType;
}

/** Whether a runtime with `compressors` (null: the simulator's, which only names codecs) can store batches as `compressionType` says. */
export function compressionTypeAvailable(compressionType: string, compressors: Compressors | null): boolean {
  if (compressors === null || compressionType === 'producer' || compressionType === 'uncompressed') return true;
  return supportsCodec(compressors, compressionType as CompressionCodec);
}

/** The size check: MESSAGE_TOO_LARGE for a batch over max.message.bytes (Kafka's RecordTooLargeException). */
export function checkSize(batch: RecordBatch, maxMessageBytes: number): Validated | null {
  const size = batchSize(batch);
  if (size <= maxMessageBytes) return null;
  return { ok: false, errorCode: ErrorCode.MESSAGE_TOO_LARGE, message: `the batch of ${size} bytes is larger than max.message.bytes (${maxMessageBytes})` };
}

/** The batch as the leader stores it (offsets already assigned): in the topic's codec, stamped with `now` under LogAppendTime. */
export function validateBatch(batch: RecordBatch, v: LogValidation, clock: number): Validated {
  if (v.compacted === true && (batch.attributes & CONTROL_BIT) === 0 && batch.records.some((r) => r.key === null)) {
    return { ok: false, errorCode: ErrorCode.INVALID_RECORD, message: 'Compacted topic cannot accept message without key' };
  }
  // Kafka's timestamps are whole milliseconds (the simulator's clock is not).
  const now = Math.floor(clock);
  const codec = targetCodec(batch, v.compressionType);
  const recode = codec !== codecOfAttributes(batch.attributes);
  const appendTime = v.timestampType === 'LogAppendTime';
  if (!recode && !appendTime) return { ok: true, batch, logAppendTime: -1 };
  const attributes = ((batch.attributes & ~CODEC_MASK) | CODEC_IDS[codec] | (appendTime ? LOG_APPEND_TIME_BIT : 0)) & 0xffff;
  const out: RecordBatch = { ...batch, attributes, maxTimestamp: appendTime ? now : batch.maxTimestamp };
  delete out.wireBytes;
  if (batch.wireBytes !== undefined && v.compressors !== null) {
    if (recode) {
      try {
        out.wireBytes = encodeRecordBatch(out, { codec, compressors: v.compressors });
      } catch (err) {
        if (err instanceof UnsupportedCompressionError) return { ok: false, errorCode: err.errorCode, message: err.message };
        throw err;
      }
      // Kafka checks again after re-compression: a batch may grow past the limit (gzip of random bytes).
      const tooLarge = checkSize(out, v.maxMessageBytes);
      if (tooLarge !== null) return tooLarge;
    } else {
      out.wireBytes = patchAttributesAndMaxTimestamp(batch.wireBytes, attributes, out.maxTimestamp);
    }
  }
  return { ok: true, batch: out, logAppendTime: appendTime ? now : -1 };
}
