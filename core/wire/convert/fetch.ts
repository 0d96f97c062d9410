// Fetch (key 1) of data partitions between the wire and the core, for consumers and followers: sessionless
// (KIP-227 sessions declined), leader epochs (KIP-320), diverging epochs (KIP-595), topic ids from v13 (KIP-516)
// and the follower's broker epoch in replicaState from v15 (KIP-903). KRaft's own fetch has its converter.

import type { FetchPartitionResponse, FetchRequest, FetchResponse } from '../../protocol/data.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { RecordBatch } from '../../protocol/records.ts';
import { decodeRecordSet, encodeRecordSet, RecordBatchError } from '../record-batch.ts';
import {
  isolationLevelFromWire,
  leaderFromWire,
  leaderToWire,
  requestTopicId,
  responseTopicId,
  topicIdErrorCode,
  topicNameOfId,
  type WireLeader,
} from './common.ts';
import { WireRequestError, type ApiConverter, type WireContext } from './converter.ts';

type WireFetchPartition = {
  partition: number;
  currentLeaderEpoch: number;
  fetchOffset: number;
  lastFetchedEpoch: number;
  logStartOffset: number;
  partitionMaxBytes: number;
};

type WireFetchRequest = {
  replicaId: number;
  replicaState: { replicaId: number; replicaEpoch: number };
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  isolationLevel: number;
  sessionId: number;
  sessionEpoch: number;
  topics: Array<{ topic: string; topicId: string; partitions: WireFetchPartition[] }>;
  forgottenTopicsData: Array<{ topic: string; topicId: string; partitions: number[] }>;
  rackId: string;
};

type WirePartitionData = {
  partitionIndex: number;
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  divergingEpoch?: { epoch: number; endOffset: number };
  currentLeader?: WireLeader;
  abortedTransactions: Array<{ producerId: number; firstOffset: number }> | null;
  preferredReadReplica: number;
  records: Uint8Array | null;
};

type WireFetchResponse = {
  throttleTimeMs: number;
  errorCode: number;
  sessionId: number;
  responses: Array<{ topic: string; topicId: string; partitions: WirePartitionData[] }>;
};

/** The first version that names topics by id (KIP-516). */
const TOPIC_ID_VERSION = 13;
/** The first version that carries the follower in the tagged replicaState (KIP-903). */
const REPLICA_STATE_VERSION = 15;
/** The first version with the diverging epoch and current leader tags. */
const FLEXIBLE_VERSION = 12;

/** Session epochs of a full fetch: -1 sessionless (FINAL_EPOCH), 0 asking for a new session (INITIAL_EPOCH). */
const FINAL_EPOCH = -1;
const INITIAL_EPOCH = 0;
/** "Not in a session": the answer that declines a session, after which clients keep sending full fetches. */
const NO_SESSION = 0;

const NO_RECORDS = new Uint8Array(0);

/** The topic's name in the core: by name up to v12, by id after (an unknown id gets the stand-in name of common.ts). */
function topicFromWire(t: { topic: string; topicId: string }, version: number, ctx: WireContext): string {
  return version >= TOPIC_ID_VERSION ? topicNameOfId(ctx.topics, t.topicId) : t.topic;
}

function recordsFromWire(p: WirePartitionData, ctx: WireContext): { errorCode: number; records: RecordBatch[] } {
  if (p.records === null || p.records.length === 0) return { errorCode: p.errorCode, records: [] };
  try {
    // A trailing partial batch (cut at the fetch's size limit) is dropped: the next fetch starts at it.
    return { errorCode: p.errorCode, records: decodeRecordSet(p.records, ctx.compressors, ctx.lazyFetchedRecords === true).batches };
  } catch (e) {
    if (!(e instanceof RecordBatchError)) throw e;
    // As Kafka's fetcher: the partition fails with the record set's error, the other partitions stand.
    return { errorCode: e.errorCode, records: [] };
  }
}

function partitionToWire(p: FetchPartitionResponse, version: number, ctx: WireContext): WirePartitionData {
  const wire: WirePartitionData = {
    partitionIndex: p.partitionIndex,
    errorCode: p.errorCode,
    highWatermark: p.highWatermark,
    lastStableOffset: p.lastStableOffset,
    logStartOffset: p.logStartOffset,
    // Kafka sends null for read_uncommitted fetches and the overlapping aborted transactions for read_committed ones.
    abortedTransactions: p.abortedTransactions === null ? null : p.abortedTransactions.map((a) => ({ producerId: a.producerId, firstOffset: a.firstOffset })),
    preferredReadReplica: -1,
    records: p.records.length === 0 ? NO_RECORDS : encodeRecordSet(p.records, { compressors: ctx.compressors }),
  };
  if (version >= FLEXIBLE_VERSION) {
    if (p.divergingEpoch !== null) wire.divergingEpoch = { epoch: p.divergingEpoch.epoch, endOffset: p.divergingEpoch.endOffset };
    wire.currentLeader = leaderToWire(ctx.ids, p.currentLeader);
  }
  return wire;
}

function partitionFromWire(p: WirePartitionData, ctx: WireContext): FetchPartitionResponse {
  const diverging = p.divergingEpoch;
  const leader = p.currentLeader;
  const { errorCode, records } = recordsFromWire(p, ctx);
  return {
    partitionIndex: p.partitionIndex,
    errorCode,
    highWatermark: p.highWatermark,
    lastStableOffset: p.lastStableOffset,
    logStartOffset: p.logStartOffset,
    // -1/-1 are the tag's defaults: Kafka's way of saying the log does not diverge.
    divergingEpoch:
      diverging === undefined || (diverging.epoch === -1 && diverging.endOffset === -1) ? null : { endOffset: diverging.endOffset, epoch: diverging.epoch },
    currentLeader: leader === undefined ? { leaderId: null, leaderEpoch: -1 } : leaderFromWire(ctx.ids, leader),
    abortedTransactions: p.abortedTransactions === null ? null : p.abortedTransactions.map((a) => ({ producerId: a.producerId, firstOffset: a.firstOffset })),
    records,
  };
}

export const dataFetchConverter: ApiConverter<FetchRequest, FetchResponse> = {
  apiKey: 1,
  // v4 is librdkafka's floor for RecordBatch v2 (MsgVer2); v13+ would name topics by id, which platformatic
  // pairs with Metadata v10+ (see metadata.ts), so the advertised range stops at 12.
  served: { min: 4, max: 12 },
  internalVersion: 15,

  requestFromWire(body, version, correlationId, ctx) {
    const wire = body as WireFetchRequest;
    // An incremental fetch names a session this broker never created (it answers every fetch sessionless).
    if (wire.sessionEpoch !== FINAL_EPOCH && wire.sessionEpoch !== INITIAL_EPOCH) {
      throw new WireRequestError(ErrorCode.FETCH_SESSION_ID_NOT_FOUND, `fetch session ${wire.sessionId} (epoch ${wire.sessionEpoch}) does not exist`);
    }
    const replicaState = version >= REPLICA_STATE_VERSION;
    return {
      api: 'Fetch',
      kind: 'request',
      correlationId,
      replicaId: ctx.ids.fromWire(replicaState ? wire.replicaState.replicaId : wire.replicaId),
      replicaEpoch: replicaState ? wire.replicaState.replicaEpoch : -1,
      maxWaitMs: wire.maxWaitMs,
      minBytes: wire.minBytes,
      maxBytes: wire.maxBytes,
      isolationLevel: isolationLevelFromWire(wire.isolationLevel),
      topics: wire.topics.map((t) => ({
        topic: topicFromWire(t, version, ctx),
        partitions: t.partitions.map((p) => ({
          partition: p.partition,
          currentLeaderEpoch: p.currentLeaderEpoch,
          fetchOffset: p.fetchOffset,
          lastFetchedEpoch: p.lastFetchedEpoch,
          logStartOffset: p.logStartOffset,
          partitionMaxBytes: p.partitionMaxBytes,
        })),
      })),
    };
  },

  requestToWire(req, version, ctx) {
    const byId = version >= TOPIC_ID_VERSION;
    const replicaId = ctx.ids.toWire(req.replicaId);
    const wire: WireFetchRequest = {
      replicaId,
      replicaState: { replicaId, replicaEpoch: req.replicaEpoch },
      maxWaitMs: req.maxWaitMs,
      minBytes: req.minBytes,
      maxBytes: req.maxBytes,
      isolationLevel: req.isolationLevel,
      sessionId: NO_SESSION,
      sessionEpoch: FINAL_EPOCH,
      topics: req.topics.map((t) => ({
        topic: t.topic,
        topicId: byId ? requestTopicId(ctx.topics, t.topic) : '',
        partitions: t.partitions.map((p) => ({ ...p })),
      })),
      forgottenTopicsData: [],
      rackId: '',
    };
    return wire;
  },

  responseToWire(res, version, ctx) {
    const byId = version >= TOPIC_ID_VERSION;
    const wire: WireFetchResponse = {
      throttleTimeMs: 0,
      errorCode: res.errorCode,
      sessionId: NO_SESSION,
      responses: res.topics.map((t) => ({
        topic: t.topic,
        topicId: byId ? responseTopicId(ctx.topics, t.topic) : '',
        partitions: t.partitions.map((p) => {
          const wirePartition = partitionToWire(p, version, ctx);
          if (byId) wirePartition.errorCode = topicIdErrorCode(t.topic, p.errorCode);
          return wirePartition;
        }),
      })),
    };
    return wire;
  },

  responseFromWire(body, version, correlationId, ctx) {
    const wire = body as WireFetchResponse;
    return {
      api: 'Fetch',
      kind: 'response',
      correlationId,
      errorCode: wire.errorCode,
      topics: wire.responses.map((t) => ({ topic: topicFromWire(t, version, ctx), partitions: t.partitions.map((p) => partitionFromWire(p, ctx)) })),
    };
  },

  errorResponse(body, _version, errorCode) {
    const wire = body as WireFetchRequest;
    const response: WireFetchResponse = {
      throttleTimeMs: 0,
      errorCode,
      sessionId: NO_SESSION,
      responses: wire.topics.map((t) => ({
        topic: t.topic,
        topicId: t.topicId,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partition,
          errorCode,
          highWatermark: -1,
          lastStableOffset: -1,
          logStartOffset: -1,
          // As the core's own error response: no aborted transactions to speak of (null, as Kafka's FetchResponse.partitionResponse).
          abortedTransactions: null,
          preferredReadReplica: -1,
          records: NO_RECORDS,
        })),
      })),
    };
    return response;
  },
};
