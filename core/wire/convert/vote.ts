// Vote (key 52) between the wire and the core: a KRaft candidate asks the voters for their vote (KIP-595),
// for __cluster_metadata-0. v1's voter key and directory ids (KIP-853) are Kafka's "unknown": Samsa's voter set is static.
// v2 carries the pre-vote flag (KIP-996); below v2 every request is a standard vote.

import type { VoteRequest, VoteResponse } from '../../protocol/quorum.ts';
import { ZERO_UUID } from '../message-codec.ts';
import type { ApiConverter } from './converter.ts';
import {
  clusterIdFromWire,
  echoTopics,
  joinError,
  METADATA_PARTITION,
  metadataTopic,
  requestPartition,
  requiredNode,
  responsePartition,
  splitError,
  type QuorumKeys,
} from './quorum-common.ts';

type WireVotePartition = {
  partitionIndex: number;
  candidateEpoch: number;
  candidateId: number;
  candidateDirectoryId: string;
  voterDirectoryId: string;
  lastOffsetEpoch: number;
  lastOffset: number;
  preVote: boolean;
};

type WireVoteResult = { partitionIndex: number; errorCode: number; leaderId: number; leaderEpoch: number; voteGranted: boolean };

const KEYS: QuorumKeys = { topics: 'topics', name: 'topicName', index: 'partitionIndex' };

export const voteConverter: ApiConverter<VoteRequest, VoteResponse> = {
  apiKey: 52,
  served: { min: 0, max: 2 },
  internalVersion: 2,

  requestFromWire(body, version, correlationId, ctx) {
    const p = requestPartition(body, KEYS) as WireVotePartition;
    return {
      api: 'Vote',
      kind: 'request',
      correlationId,
      clusterId: clusterIdFromWire(body.clusterId as string | null),
      candidateEpoch: p.candidateEpoch,
      candidateId: requiredNode(ctx.ids, p.candidateId, 'candidate id'),
      lastEpoch: p.lastOffsetEpoch,
      lastEpochEndOffset: p.lastOffset,
      preVote: version >= 2 && p.preVote,
    };
  },

  requestToWire(req, _version, ctx) {
    const partition: WireVotePartition = {
      partitionIndex: METADATA_PARTITION,
      candidateEpoch: req.candidateEpoch,
      candidateId: ctx.ids.toWire(req.candidateId),
      candidateDirectoryId: ZERO_UUID,
      voterDirectoryId: ZERO_UUID,
      lastOffsetEpoch: req.lastEpoch,
      lastOffset: req.lastEpochEndOffset,
      preVote: req.preVote,
    };
    // The sender does not know which voter the connection reaches: -1 leaves the voter key unchecked.
    return { clusterId: req.clusterId, voterId: -1, topics: [metadataTopic(KEYS, [partition])] };
  },

  responseToWire(res, _version, ctx) {
    const error = splitError(res.errorCode);
    const partition: WireVoteResult = {
      partitionIndex: METADATA_PARTITION,
      errorCode: error.partition,
      leaderId: ctx.ids.toWire(res.leaderId),
      leaderEpoch: res.leaderEpoch,
      voteGranted: res.voteGranted,
    };
    return { errorCode: error.top, topics: [metadataTopic(KEYS, [partition])], nodeEndpoints: [] };
  },

  responseFromWire(body, _version, correlationId, ctx) {
    const p = responsePartition(body, KEYS) as WireVoteResult | undefined;
    return {
      api: 'Vote',
      kind: 'response',
      correlationId,
      errorCode: joinError(body.errorCode as number, p),
      leaderId: ctx.ids.fromWire(p?.leaderId ?? -1),
      leaderEpoch: p?.leaderEpoch ?? -1,
      voteGranted: p?.voteGranted ?? false,
    };
  },

  errorResponse(body, _version, errorCode) {
    const partition = (partitionIndex: number): WireVoteResult => ({ partitionIndex, errorCode, leaderId: -1, leaderEpoch: -1, voteGranted: false });
    return { errorCode, topics: echoTopics(body, ['topicName'], 'partitionIndex', partition), nodeEndpoints: [] };
  },
};
