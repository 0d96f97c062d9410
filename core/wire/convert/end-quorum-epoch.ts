// EndQuorumEpoch (key 54) between the wire and the core: a resigning KRaft leader asks the voters to start an election
// (KIP-595), its preferred successors first: plain ids in v0, candidates with (unknown) directory ids in v1 (KIP-853).

import type { EndQuorumEpochRequest, EndQuorumEpochResponse } from '../../protocol/quorum.ts';
import { ZERO_UUID } from '../message-codec.ts';
import { nodesFromWire, nodesToWire } from './common.ts';
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

type WireEndEpochPartition = {
  partitionIndex: number;
  leaderId: number;
  leaderEpoch: number;
  preferredSuccessors: number[];
  preferredCandidates: Array<{ candidateId: number; candidateDirectoryId: string }>;
};

const KEYS: QuorumKeys = { topics: 'topics', name: 'topicName', index: 'partitionIndex' };

export const endQuorumEpochConverter: ApiConverter<EndQuorumEpochRequest, EndQuorumEpochResponse> = {
  apiKey: 54,
  served: { min: 0, max: 1 },
  internalVersion: 1,

  requestFromWire(body, version, correlationId, ctx) {
    const p = requestPartition(body, KEYS) as WireEndEpochPartition;
    const successors = version >= 1 ? p.preferredCandidates.map((c) => c.candidateId) : p.preferredSuccessors;
    return {
      api: 'EndQuorumEpoch',
      kind: 'request',
      correlationId,
      clusterId: clusterIdFromWire(body.clusterId as string | null),
      leaderId: requiredNode(ctx.ids, p.leaderId, 'leader id'),
      leaderEpoch: p.leaderEpoch,
      preferredSuccessors: nodesFromWire(ctx.ids, successors),
    };
  },

  requestToWire(req, _version, ctx) {
    const successors = nodesToWire(ctx.ids, req.preferredSuccessors);
    const partition: WireEndEpochPartition = {
      partitionIndex: METADATA_PARTITION,
      leaderId: ctx.ids.toWire(req.leaderId),
      leaderEpoch: req.leaderEpoch,
      preferredSuccessors: successors,
      preferredCandidates: successors.map((candidateId) => ({ candidateId, candidateDirectoryId: ZERO_UUID })),
    };
    return { clusterId: req.clusterId, topics: [metadataTopic(KEYS, [partition])], leaderEndpoints: [] };
  },

  responseToWire(res, _version, ctx) {
    return epochResponseToWire(res, ctx.ids);
  },

  responseFromWire(body, _version, correlationId, ctx) {
    return { api: 'EndQuorumEpoch', kind: 'response', correlationId, ...epochResponseFromWire(body, ctx.ids) };
  },

  errorResponse(body, _version, errorCode) {
    return epochErrorResponse(body, errorCode);
  },
};
