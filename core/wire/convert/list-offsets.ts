// ListOffsets (key 2) between the wire and the core: the offset for a timestamp, -1 latest and -2 earliest;
// v0's offsets array (one entry at most here), isolation levels from v2 (KIP-98), leader epochs from v4 (KIP-320).

import type { ListOffsetsRequest, ListOffsetsResponse } from '../../protocol/data.ts';
import { isolationLevelFromWire } from './common.ts';
import type { ApiConverter } from './converter.ts';

type WireListOffsetsRequest = {
  replicaId: number;
  isolationLevel: number;
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; currentLeaderEpoch: number; timestamp: number; maxNumOffsets: number }> }>;
};

type WireListOffsetsPartition = {
  partitionIndex: number;
  errorCode: number;
  oldStyleOffsets: number[];
  timestamp: number;
  offset: number;
  leaderEpoch: number;
};

type WireListOffsetsResponse = {
  throttleTimeMs: number;
  topics: Array<{ name: string; partitions: WireListOffsetsPartition[] }>;
};

/** v0 answers with an array of offsets instead of one offset and its timestamp. */
const SINGLE_OFFSET_VERSION = 1;

export const listOffsetsConverter: ApiConverter<ListOffsetsRequest, ListOffsetsResponse> = {
  apiKey: 2,
  // v1 is kafka-python's; v5 is platformatic's floor. v6+ are flexible and add timestamps no client here needs.
  served: { min: 1, max: 5 },

  requestFromWire(body, _version, correlationId, ctx) {
    const wire = body as WireListOffsetsRequest;
    return {
      api: 'ListOffsets',
      kind: 'request',
      correlationId,
      replicaId: ctx.ids.fromWire(wire.replicaId),
      isolationLevel: isolationLevelFromWire(wire.isolationLevel),
      topics: wire.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, currentLeaderEpoch: p.currentLeaderEpoch, timestamp: p.timestamp })),
      })),
    };
  },

  requestToWire(req, _version, ctx) {
    const wire: WireListOffsetsRequest = {
      replicaId: ctx.ids.toWire(req.replicaId),
      isolationLevel: req.isolationLevel,
      topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ ...p, maxNumOffsets: 1 })) })),
    };
    return wire;
  },

  responseToWire(res, _version) {
    const wire: WireListOffsetsResponse = {
      throttleTimeMs: 0,
      topics: res.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ ...p, oldStyleOffsets: p.offset >= 0 ? [p.offset] : [] })),
      })),
    };
    return wire;
  },

  responseFromWire(body, version, correlationId) {
    const wire = body as WireListOffsetsResponse;
    return {
      api: 'ListOffsets',
      kind: 'response',
      correlationId,
      topics: wire.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({
          partitionIndex: p.partitionIndex,
          errorCode: p.errorCode,
          timestamp: p.timestamp,
          offset: version >= SINGLE_OFFSET_VERSION ? p.offset : (p.oldStyleOffsets[0] ?? -1),
          leaderEpoch: p.leaderEpoch,
        })),
      })),
    };
  },

  errorResponse(body, _version, errorCode) {
    const wire = body as WireListOffsetsRequest;
    const response: WireListOffsetsResponse = {
      throttleTimeMs: 0,
      topics: wire.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode, oldStyleOffsets: [], timestamp: -1, offset: -1, leaderEpoch: -1 })),
      })),
    };
    return response;
  },
};
