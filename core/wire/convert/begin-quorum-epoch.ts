// BeginQuorumEpoch (key 53) between the wire and the core: a newly elected KRaft leader announces its epoch to the
// voters (KIP-595). v1's voter key and leader endpoints (KIP-853) stay empty: Samsa's voters know each other's addresses.

import type { BeginQuorumEpochRequest, BeginQuorumEpochResponse } from '../../protocol/quorum.ts';
import { ZERO_UUID } from '../message-codec.ts';
import type { ApiConverter } from './converter.ts';
import {
  clusterIdFromWire,
  epochErrorResponse,
  epochResponseFromWire,
  epochResponseToWire,
  METADATA_PARTITION,
  metadataTopic,
  requestPartition,
  requiredNode,
  type QuorumKeys,
} from './quorum-common.ts';

type WireBeginEpochPartition = { partitionIndex: number; voterDirectoryId: string; leaderId: number; leaderEpoch: number };

const KEYS: QuorumKeys = { topics: 'topics', name: 'topicName', index: 'partitionIndex' };

export const beginQuorumEpochConverter: ApiConverter<BeginQuorumEpochRequest, BeginQuorumEpochResponse> = {
  apiKey: 53,
  served: { min: 0, max: 1 },
  internalVersion: 1,

  requestFromWire(body, _version, correlationId, ctx) {
    const p = requestPartition(body, KEYS) as WireBeginEpochPartition;
    return {
      api: 'BeginQuorumEpoch',
      kind: 'request',
      correlationId,
      clusterId: clusterIdFromWire(body.clusterId as string | null),
      leaderId: requiredNode(ctx.ids, p.leaderId, 'leader id'),
      leaderEpoch: p.leaderEpoch,
    };
  },

  requestToWire(req, _version, ctx) {
    const partition: WireBeginEpochPartition = {
      partitionIndex: METADATA_PARTITION,
      voterDirectoryId: ZERO_UUID,
      leaderId: ctx.ids.toWire(req.leaderId),
      leaderEpoch: req.leaderEpoch,
    };
    return { clusterId: req.clusterId, voterId: -1, topics: [metadataTopic(KEYS, [partition])], leaderEndpoints: [] };
  },

  responseToWire(res, _version, ctx) {
    return epochResponseToWire(res, ctx.ids);
  },

  responseFromWire(body, _version, correlationId, ctx) {
    return { api: 'BeginQuorumEpoch', kind: 'response', correlationId, ...epochResponseFromWire(body, ctx.ids) };
  },

  errorResponse(body, _version, errorCode) {
    return epochErrorResponse(body, errorCode);
  },
};
