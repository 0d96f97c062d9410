// Produce (key 0) between the wire and the core: one RecordBatch v2 per partition (Produce v3+, KIP-98),
// decoded with its CRC checked; per-partition results with the leader hint of KIP-951 (v10+).

import type { Acks, ProducePartitionResponse, ProduceRequest, ProduceResponse } from '../../protocol/data.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { RecordBatch } from '../../protocol/records.ts';
import { CODEC_IDS, CODEC_MASK } from '../compression.ts';
import { decodeRecordSet, encodeRecordSet, RecordBatchError, type DecodedRecordSet } from '../record-batch.ts';
import { isNoLeaderHint, leaderFromWire, leaderToWire, type WireLeader } from './common.ts';
import { WireRequestError, type ApiConverter, type WireContext, type WireStruct } from './converter.ts';

type WireProduceRequest = {
  transactionalId: string | null;
  acks: number;
  timeoutMs: number;
  topicData: Array<{ name: string; partitionData: Array<{ index: number; records: Uint8Array | null }> }>;
};

type WirePartitionResponse = {
  index: number;
  errorCode: number;
  baseOffset: number;
  logAppendTimeMs: number;
  logStartOffset: number;
  recordErrors: Array<{ batchIndex: number; batchIndexErrorMessage: string | null }>;
  errorMessage: string | null;
  currentLeader?: WireLeader;
};

type WireProduceResponse = {
  responses: Array<{ name: string; partitionResponses: WirePartitionResponse[] }>;
  throttleTimeMs: number;
};

/** The first version with KIP-951's currentLeader tag. */
const CURRENT_LEADER_VERSION = 10;
/** zstd batches need Produce v7 (KIP-110): older clients could not read them back. */
const ZSTD_VERSION = 7;

function acksFromWire(acks: number): Acks {
  if (acks === 0 || acks === 1 || acks === -1) return acks;
  throw new WireRequestError(ErrorCode.INVALID_REQUIRED_ACKS, `acks must be -1, 0 or 1, not ${acks}`);
}

/**
 * The one batch of a partition, as Kafka's ProduceRequest.validateRecords demands from v3 on. Kafka
 * fails only the offending partition; a converter can fail only the whole request, so every partition
 * gets the error (the producer retries or fails them all alike).
 */
function batchFromWire(records: Uint8Array | null, version: number, ctx: WireContext, where: string): RecordBatch {
  if (records === null || records.length === 0) throw new WireRequestError(ErrorCode.INVALID_RECORD, `${where}: no record batch`);
  let decoded: DecodedRecordSet;
  try {
    decoded = decodeRecordSet(records, ctx.compressors);
  } catch (e) {
    if (!(e instanceof RecordBatchError)) throw e;
    // Kafka answers magic 0/1 in Produce v3+ with INVALID_RECORD; the record set codec's own code is for Fetch.
    const code = e.errorCode === ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT ? ErrorCode.INVALID_RECORD : e.errorCode;
    throw new WireRequestError(code, `${where}: ${e.message}`);
  }
  const { batches, truncatedBytes } = decoded;
  // Fetch may cut its last batch at a size limit; a producer never does, so leftover bytes are corruption.
  if (truncatedBytes > 0) throw new WireRequestError(ErrorCode.CORRUPT_MESSAGE, `${where}: ${truncatedBytes} bytes after the last whole batch`);
  if (batches.length !== 1) {
    throw new WireRequestError(
      ErrorCode.INVALID_RECORD,
      `${where}: Produce v${version} must carry exactly one record batch per partition, not ${batches.length}`,
    );
  }
  const batch = batches[0]!;
  if (version < ZSTD_VERSION && (batch.attributes & CODEC_MASK) === CODEC_IDS.zstd) {
    throw new WireRequestError(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, `${where}: Produce v${version} cannot carry zstd batches (v${ZSTD_VERSION}+)`);
  }
  return batch;
}

function partitionResponseToWire(p: ProducePartitionResponse, version: number, ctx: WireContext): WirePartitionResponse {
  const wire: WirePartitionResponse = {
    index: p.index,
    errorCode: p.errorCode,
    baseOffset: p.baseOffset,
    logAppendTimeMs: p.logAppendTimeMs,
    logStartOffset: p.logStartOffset,
    recordErrors: [],
    errorMessage: p.errorMessage,
  };
  if (version >= CURRENT_LEADER_VERSION && p.currentLeader !== null) wire.currentLeader = leaderToWire(ctx.ids, p.currentLeader);
  return wire;
}

function partitionResponseFromWire(p: WirePartitionResponse, ctx: WireContext): ProducePartitionResponse {
  const leader = p.currentLeader;
  return {
    index: p.index,
    errorCode: p.errorCode,
    baseOffset: p.baseOffset,
    logAppendTimeMs: p.logAppendTimeMs,
    logStartOffset: p.logStartOffset,
    errorMessage: p.errorMessage,
    currentLeader: leader === undefined || isNoLeaderHint(leader) ? null : leaderFromWire(ctx.ids, leader),
  };
}

export const produceConverter: ApiConverter<ProduceRequest, ProduceResponse> = {
  apiKey: 0,
  // v0-2 carry message sets of magic 0/1, which Samsa does not store; v3 is librdkafka's floor for MsgVer2.
  served: { min: 3, max: 8 },

  requestFromWire(body, version, correlationId, ctx) {
    const wire = body as WireProduceRequest;
    const acks = acksFromWire(wire.acks);
    return {
      api: 'Produce',
      kind: 'request',
      correlationId,
      transactionalId: wire.transactionalId,
      acks,
      timeoutMs: wire.timeoutMs,
      topicData: wire.topicData.map((t) => ({
        name: t.name,
        partitionData: t.partitionData.map((p) => ({ index: p.index, records: batchFromWire(p.records, version, ctx, `${t.name}-${p.index}`) })),
      })),
    };
  },

  requestToWire(req, _version, ctx) {
    const wire: WireProduceRequest = {
      transactionalId: req.transactionalId,
      acks: req.acks,
      timeoutMs: req.timeoutMs,
      topicData: req.topicData.map((t) => ({
        name: t.name,
        partitionData: t.partitionData.map((p) => ({ index: p.index, records: encodeRecordSet([p.records], { compressors: ctx.compressors }) })),
      })),
    };
    return wire;
  },

  responseToWire(res, version, ctx) {
    const wire: WireProduceResponse = {
      responses: res.responses.map((t) => ({ name: t.name, partitionResponses: t.partitionResponses.map((p) => partitionResponseToWire(p, version, ctx)) })),
      throttleTimeMs: res.throttleTimeMs,
    };
    return wire;
  },

  responseFromWire(body, _version, correlationId, ctx) {
    const wire = body as WireProduceResponse;
    return {
      api: 'Produce',
      kind: 'response',
      correlationId,
      responses: wire.responses.map((t) => ({ name: t.name, partitionResponses: t.partitionResponses.map((p) => partitionResponseFromWire(p, ctx)) })),
      throttleTimeMs: wire.throttleTimeMs,
    };
  },

  errorResponse(body, _version, errorCode, message) {
    const wire = body as WireProduceRequest;
    const response: WireProduceResponse = {
      responses: wire.topicData.map((t) => ({
        name: t.name,
        partitionResponses: t.partitionData.map((p) => ({
          index: p.index,
          errorCode,
          baseOffset: -1,
          logAppendTimeMs: -1,
          logStartOffset: -1,
          recordErrors: [],
          errorMessage: message,
        })),
      })),
      throttleTimeMs: 0,
    };
    return response;
  },

  expectsResponse(body: WireStruct) {
    return (body as WireProduceRequest).acks !== 0;
  },
};
