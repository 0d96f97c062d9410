// FetchSnapshot (key 59) between the wire and the core: a KRaft follower too far behind copies the leader's snapshot
// (KIP-630). The core sends a snapshot whole, so it travels as one chunk from position 0: its state as UTF-8 JSON.

import type { FetchSnapshotRequest, FetchSnapshotResponse } from '../../protocol/quorum.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import { WireFormatError } from '../errors.ts';
import { ZERO_UUID } from '../message-codec.ts';
import { leaderFromWire, leaderToWire, type WireLeader } from './common.ts';
import { WireRequestError, type ApiConverter } from './converter.ts';
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

type WireSnapshotId = { endOffset: number; epoch: number };

type WireSnapshotPartition = { partition: number; currentLeaderEpoch: number; snapshotId: WireSnapshotId; position: number; replicaDirectoryId: string };

type WireSnapshotResult = {
  index: number;
  errorCode: number;
  snapshotId: WireSnapshotId;
  currentLeader: WireLeader;
  size: number;
  position: number;
  unalignedRecords: Uint8Array;
};

const REQUEST_KEYS: QuorumKeys = { topics: 'topics', name: 'name', index: 'partition' };
const RESPONSE_KEYS: QuorumKeys = { topics: 'topics', name: 'name', index: 'index' };

export const fetchSnapshotConverter: ApiConverter<FetchSnapshotRequest, FetchSnapshotResponse> = {
  apiKey: 59,
  served: { min: 0, max: 1 },
  internalVersion: 1,

  requestFromWire(body, _version, correlationId, ctx) {
    const p = requestPartition(body, REQUEST_KEYS) as WireSnapshotPartition;
    // The core answers with the whole snapshot, so a fetch from further in has nothing to continue.
    if (p.position !== 0) throw new WireRequestError(ErrorCode.POSITION_OUT_OF_RANGE, `snapshot position ${p.position}: snapshots are sent whole, from 0`);
    return {
      api: 'FetchSnapshot',
      kind: 'request',
      correlationId,
      clusterId: clusterIdFromWire(body.clusterId as string | null),
      replicaId: requiredNode(ctx.ids, body.replicaId as number, 'replica id'),
      currentLeaderEpoch: p.currentLeaderEpoch,
      snapshotId: { endOffset: p.snapshotId.endOffset, epoch: p.snapshotId.epoch },
    };
  },

  requestToWire(req, _version, ctx) {
    const partition: WireSnapshotPartition = {
      partition: METADATA_PARTITION,
      currentLeaderEpoch: req.currentLeaderEpoch,
      snapshotId: { endOffset: req.snapshotId.endOffset, epoch: req.snapshotId.epoch },
      position: 0,
      replicaDirectoryId: ZERO_UUID,
    };
    return { clusterId: req.clusterId, replicaId: ctx.ids.toWire(req.replicaId), maxBytes: 0x7fffffff, topics: [metadataTopic(REQUEST_KEYS, [partition])] };
  },

  responseToWire(res, _version, ctx) {
    const error = splitError(res.errorCode);
    // No snapshot (an error) is no bytes, as Kafka answers an error.
    const bytes = res.snapshot === null || res.snapshot === undefined ? new Uint8Array(0) : jsonToBytes(res.snapshot);
    const partition: WireSnapshotResult = {
      index: METADATA_PARTITION,
      errorCode: error.partition,
      snapshotId: { endOffset: res.snapshotId.endOffset, epoch: res.snapshotId.epoch },
      currentLeader: leaderToWire(ctx.ids, res.currentLeader),
      size: bytes.length,
      position: 0,
      unalignedRecords: bytes,
    };
    return { throttleTimeMs: 0, errorCode: error.top, topics: [metadataTopic(RESPONSE_KEYS, [partition])], nodeEndpoints: [] };
  },

  responseFromWire(body, _version, correlationId, ctx) {
    const p = responsePartition(body, RESPONSE_KEYS) as WireSnapshotResult | undefined;
    const bytes = p?.unalignedRecords ?? new Uint8Array(0);
    if (p !== undefined && bytes.length > 0 && (p.position !== 0 || p.size !== bytes.length)) {
      throw new WireFormatError(`snapshot chunk of ${bytes.length} bytes at ${p.position} of ${p.size}: only whole snapshots are read`);
    }
    return {
      api: 'FetchSnapshot',
      kind: 'response',
      correlationId,
      errorCode: joinError(body.errorCode as number, p),
      currentLeader: p === undefined ? { leaderId: null, leaderEpoch: -1 } : leaderFromWire(ctx.ids, p.currentLeader),
      snapshotId: p === undefined ? { endOffset: -1, epoch: -1 } : { endOffset: p.snapshotId.endOffset, epoch: p.snapshotId.epoch },
      snapshot: bytes.length === 0 ? null : jsonFromBytes(bytes),
    };
  },

  errorResponse(body, _version, errorCode) {
    const topics = echoTopics(body, ['name'], 'partition', (index): WireSnapshotResult => ({
      index,
      errorCode,
      snapshotId: { endOffset: -1, epoch: -1 },
      currentLeader: { leaderId: -1, leaderEpoch: -1 },
      size: -1,
      position: -1,
      unalignedRecords: new Uint8Array(0),
    }));
    return { throttleTimeMs: 0, errorCode, topics, nodeEndpoints: [] };
  },
};
