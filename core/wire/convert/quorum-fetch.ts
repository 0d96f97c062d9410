// Fetch (key 1) of __cluster_metadata between the wire and the core: a KRaft replica reads the quorum's log (KIP-595),
// whose entries travel as RecordBatch v2, one batch per raft append, leader changes as control batches (LeaderChangeMessage).

import type { MetadataRecord } from '../../controller/records.ts';
import type { OffsetAndEpoch, QuorumFetchRequest, QuorumFetchResponse, RaftEntry, RaftRecord } from '../../protocol/quorum.ts';
import type { KafkaRecord, RecordBatch } from '../../protocol/records.ts';
import type { Compressors } from '../compression.ts';
import { WireFormatError } from '../errors.ts';
import { decodeRecordSet, encodeRecordSet } from '../record-batch.ts';
import { bytesOfLatin1, latin1Of } from '../latin1.ts';
import { leaderFromWire, leaderToWire, type WireLeader } from './common.ts';
import type { ApiConverter } from './converter.ts';
import {
  clusterIdFromWire,
  echoTopics,
  joinError,
  jsonFromBytes,
  jsonToBytes,
  METADATA_PARTITION,
  metadataTopic,
  requestPartition,
  requiredNode,
  responsePartition,
  splitError,
  type QuorumKeys,
} from './quorum-common.ts';

export { METADATA_TOPIC, METADATA_TOPIC_ID } from './quorum-common.ts';

/** Fetch names topics by name up to v12 and by id from v13 (KIP-516). */
const TOPIC_ID_VERSION = 13;
/** From v15 the replica's id travels in the tagged replicaState (KIP-903). */
const REPLICA_STATE_VERSION = 15;

type WireQuorumFetchPartition = {
  partition: number;
  currentLeaderEpoch: number;
  fetchOffset: number;
  lastFetchedEpoch: number;
  logStartOffset: number;
  partitionMaxBytes: number;
};

type WireEpochEnd = { epoch: number; endOffset: number };
type WireSnapshotId = { endOffset: number; epoch: number };

type WireQuorumFetchResult = {
  partitionIndex: number;
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  divergingEpoch: WireEpochEnd;
  currentLeader: WireLeader;
  snapshotId: WireSnapshotId;
  abortedTransactions: null;
  preferredReadReplica: number;
  records: Uint8Array | null;
};

/** A request's topics and partitions (`topics`, `partition`) or a response's (`responses`, `partitionIndex`) at `version`. */
function keys(topics: 'topics' | 'responses', version: number): QuorumKeys {
  const index = topics === 'topics' ? 'partition' : 'partitionIndex';
  return version >= TOPIC_ID_VERSION ? { topics, name: null, id: 'topicId', index } : { topics, name: 'topic', index };
}

/** A tagged epoch-and-offset at its defaults (-1, -1): Kafka's "none", and the tag is not even written. */
function offsetAndEpochFromWire(wire: { epoch: number; endOffset: number }): OffsetAndEpoch | null {
  return wire.epoch === -1 && wire.endOffset === -1 ? null : { endOffset: wire.endOffset, epoch: wire.epoch };
}

export const quorumFetchConverter: ApiConverter<QuorumFetchRequest, QuorumFetchResponse<MetadataRecord>> = {
  apiKey: 1,
  // v12 is the first with the quorum's fields (cluster id, last fetched epoch, diverging epoch, snapshot id). The
  // converter reads v16-17 as well, but a node checks a Fetch's version against the data Fetch's range (up to its
  // internal v15) before it knows which partition the fetch reads, so v15 is as far as a controller listener can serve.
  served: { min: 12, max: REPLICA_STATE_VERSION },
  internalVersion: REPLICA_STATE_VERSION,

  requestFromWire(body, version, correlationId, ctx) {
    const p = requestPartition(body, keys('topics', version)) as WireQuorumFetchPartition;
    const replicaId = version >= REPLICA_STATE_VERSION ? (body.replicaState as { replicaId: number }).replicaId : (body.replicaId as number);
    return {
      api: 'Fetch',
      kind: 'request',
      topic: '__cluster_metadata',
      correlationId,
      clusterId: clusterIdFromWire(body.clusterId as string | null),
      replicaId: requiredNode(ctx.ids, replicaId, 'replica id'),
      maxWaitMs: body.maxWaitMs as number,
      currentLeaderEpoch: p.currentLeaderEpoch,
      fetchOffset: p.fetchOffset,
      lastFetchedEpoch: p.lastFetchedEpoch,
      logStartOffset: p.logStartOffset,
    };
  },

  requestToWire(req, version, ctx) {
    const replicaId = ctx.ids.toWire(req.replicaId);
    const partition: WireQuorumFetchPartition = {
      partition: METADATA_PARTITION,
      currentLeaderEpoch: req.currentLeaderEpoch,
      fetchOffset: req.fetchOffset,
      lastFetchedEpoch: req.lastFetchedEpoch,
      logStartOffset: req.logStartOffset,
      partitionMaxBytes: 0x7fffffff,
    };
    return {
      clusterId: req.clusterId,
      replicaId,
      replicaState: { replicaId, replicaEpoch: -1 },
      maxWaitMs: req.maxWaitMs,
      // The leader answers as soon as there is anything, or after maxWaitMs with nothing.
      minBytes: 1,
      maxBytes: 0x7fffffff,
      isolationLevel: 0,
      sessionId: 0,
      sessionEpoch: -1,
      topics: [metadataTopic(keys('topics', version), [partition])],
      forgottenTopicsData: [],
      rackId: '',
    };
  },

  responseToWire(res, version, ctx) {
    const error = splitError(res.errorCode);
    const partition: WireQuorumFetchResult = {
      partitionIndex: METADATA_PARTITION,
      errorCode: error.partition,
      highWatermark: res.highWatermark,
      lastStableOffset: -1,
      logStartOffset: res.logStartOffset,
      divergingEpoch: res.divergingEpoch === null ? { epoch: -1, endOffset: -1 } : { epoch: res.divergingEpoch.epoch, endOffset: res.divergingEpoch.endOffset },
      currentLeader: leaderToWire(ctx.ids, res.currentLeader),
      snapshotId: res.snapshotId === null ? { endOffset: -1, epoch: -1 } : { endOffset: res.snapshotId.endOffset, epoch: res.snapshotId.epoch },
      abortedTransactions: null,
      preferredReadReplica: -1,
      records: encodeRaftEntries(res.records),
    };
    return { throttleTimeMs: 0, errorCode: error.top, sessionId: 0, responses: [metadataTopic(keys('responses', version), [partition])], nodeEndpoints: [] };
  },

  responseFromWire(body, version, correlationId, ctx) {
    const p = responsePartition(body, keys('responses', version)) as WireQuorumFetchResult | undefined;
    return {
      api: 'Fetch',
      kind: 'response',
      topic: '__cluster_metadata',
      correlationId,
      errorCode: joinError(body.errorCode as number, p),
      highWatermark: p?.highWatermark ?? -1,
      logStartOffset: p?.logStartOffset ?? -1,
      records: p === undefined || p.records === null ? [] : decodeRaftEntries(p.records, ctx.compressors),
      divergingEpoch: p === undefined ? null : offsetAndEpochFromWire(p.divergingEpoch),
      currentLeader: p === undefined ? { leaderId: null, leaderEpoch: -1 } : leaderFromWire(ctx.ids, p.currentLeader),
      snapshotId: p === undefined ? null : offsetAndEpochFromWire(p.snapshotId),
    };
  },

  errorResponse(body, version, errorCode) {
    const partition = (partitionIndex: number): WireQuorumFetchResult => ({
      partitionIndex,
      errorCode,
      highWatermark: -1,
      lastStableOffset: -1,
      logStartOffset: -1,
      divergingEpoch: { epoch: -1, endOffset: -1 },
      currentLeader: { leaderId: -1, leaderEpoch: -1 },
      snapshotId: { endOffset: -1, epoch: -1 },
      abortedTransactions: null,
      preferredReadReplica: -1,
      records: new Uint8Array(0),
    });
    const responses = echoTopics(body, version >= TOPIC_ID_VERSION ? ['topicId'] : ['topic'], 'partition', partition);
    return { throttleTimeMs: 0, errorCode, sessionId: 0, responses, nodeEndpoints: [] };
  },
};

// ---- the quorum's entries as record batches ----

/** RecordBatch v2 attributes bit 5: a batch of control records. */
const CONTROL_ATTRIBUTE = 0x20;
/** A control record's key, as Kafka's ControlRecordType writes it: version 0 (int16), type LEADER_CHANGE = 2 (int16). */
const LEADER_CHANGE_KEY = '\x00\x00\x00\x02';
/**
 * Marks the last record of a batch that is not the end of its raft append (batchEnd: false). An append
 * is one batch, so only an entry list that cuts an append short (or an append mixing epochs or control
 * and data records, which a batch cannot hold) needs it; the mark keeps the entries exactly as they were.
 */
const CONTINUES_HEADER = 'samsa.batch-continues';

function isControl(record: RaftRecord<unknown>): boolean {
  return record.type === 'leader-change';
}

/** Consecutive entries as batches, each ending where its raft append ends. */
export function encodeRaftEntries<R>(entries: readonly RaftEntry<R>[]): Uint8Array {
  const batches: RecordBatch[] = [];
  let group: RaftEntry<R>[] = [];
  for (const entry of entries) {
    const first = group[0];
    if (first !== undefined && (entry.epoch !== first.epoch || isControl(entry.record) !== isControl(first.record))) {
      batches.push(toBatch(group));
      group = [];
    }
    group.push(entry);
    if (entry.batchEnd !== false) {
      batches.push(toBatch(group));
      group = [];
    }
  }
  if (group.length > 0) batches.push(toBatch(group));
  return batches.length === 0 ? new Uint8Array(0) : encodeRecordSet(batches);
}

function toBatch<R>(group: readonly RaftEntry<R>[]): RecordBatch {
  const first = group[0]!;
  const last = group.at(-1)!;
  const control = isControl(first.record);
  const records = group.map((entry): KafkaRecord => {
    const record = entry.record;
    return {
      offsetDelta: entry.offset - first.offset,
      timestampDelta: 0,
      key: control ? LEADER_CHANGE_KEY : null,
      value: latin1Of(jsonToBytes(record.type === 'data' ? record.value : record)),
      headers: entry === last && entry.batchEnd === false ? [{ key: CONTINUES_HEADER, value: null }] : [],
    };
  });
  return {
    baseOffset: first.offset,
    partitionLeaderEpoch: first.epoch,
    attributes: control ? CONTROL_ATTRIBUTE : 0,
    lastOffsetDelta: last.offset - first.offset,
    // The core's log keeps no timestamps; nothing reads them from the quorum's batches.
    baseTimestamp: 0,
    maxTimestamp: 0,
    producerId: -1,
    producerEpoch: -1,
    baseSequence: -1,
    records,
  };
}

/** The entries of a record set made by encodeRaftEntries; a partial batch at the end is dropped, as Kafka's fetchers do. */
export function decodeRaftEntries<R>(bytes: Uint8Array, compressors: Compressors): RaftEntry<R>[] {
  const entries: RaftEntry<R>[] = [];
  for (const batch of decodeRecordSet(bytes, compressors).batches) {
    const control = (batch.attributes & CONTROL_ATTRIBUTE) !== 0;
    batch.records.forEach((r, i) => {
      const offset = batch.baseOffset + r.offsetDelta;
      if (r.value === null) throw new WireFormatError(`quorum record at offset ${offset} has no value`);
      const value = jsonFromBytes(bytesOfLatin1(r.value));
      let record: RaftRecord<R>;
      if (control) {
        if (r.key !== LEADER_CHANGE_KEY || (value as { type?: unknown }).type !== 'leader-change') {
          throw new WireFormatError(`control record at offset ${offset} is not a leader change`);
        }
        record = value as RaftRecord<R>;
      } else {
        record = { type: 'data', value: value as R };
      }
      const continues = i < batch.records.length - 1 || r.headers.some((h) => h.key === CONTINUES_HEADER);
      entries.push(continues ? { offset, epoch: batch.partitionLeaderEpoch, record, batchEnd: false } : { offset, epoch: batch.partitionLeaderEpoch, record });
    });
  }
  return entries;
}
