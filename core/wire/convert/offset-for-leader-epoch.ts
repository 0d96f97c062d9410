// OffsetForLeaderEpoch (key 23) between the wire and the core: the end offset of a leader epoch, which
// consumers and followers use to detect truncation (KIP-101, KIP-279; fencing by current epoch, KIP-320).

import type { OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse } from '../../protocol/data.ts';
import type { ApiConverter } from './converter.ts';

type WireOffsetForLeaderEpochRequest = {
  replicaId: number;
  topics: Array<{ topic: string; partitions: Array<{ partition: number; currentLeaderEpoch: number; leaderEpoch: number }> }>;
};

type WireOffsetForLeaderEpochResponse = {
  throttleTimeMs: number;
  topics: Array<{ topic: string; partitions: Array<{ errorCode: number; partition: number; leaderEpoch: number; endOffset: number }> }>;
};

export const offsetForLeaderEpochConverter: ApiConverter<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse> = {
  apiKey: 23,
  served: { min: 0, max: 4 },

  // Before v3 there is no replica id: the codec's default -2 (Kafka's "debug consumer") maps to none, as -1 does.
  requestFromWire(body, _version, correlationId, ctx) {
    const wire = body as WireOffsetForLeaderEpochRequest;
    return {
      api: 'OffsetForLeaderEpoch',
      kind: 'request',
      correlationId,
      replicaId: ctx.ids.fromWire(wire.replicaId),
      topics: wire.topics.map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((p) => ({ partition: p.partition, currentLeaderEpoch: p.currentLeaderEpoch, leaderEpoch: p.leaderEpoch })),
      })),
    };
  },

  requestToWire(req, _version, ctx) {
    const wire: WireOffsetForLeaderEpochRequest = {
      replicaId: ctx.ids.toWire(req.replicaId),
      topics: req.topics.map((t) => ({ topic: t.topic, partitions: t.partitions.map((p) => ({ ...p })) })),
    };
    return wire;
  },

  responseToWire(res) {
    const wire: WireOffsetForLeaderEpochResponse = {
      throttleTimeMs: 0,
      topics: res.topics.map((t) => ({ topic: t.topic, partitions: t.partitions.map((p) => ({ ...p })) })),
    };
    return wire;
  },

  responseFromWire(body, _version, correlationId) {
    const wire = body as WireOffsetForLeaderEpochResponse;
    return {
      api: 'OffsetForLeaderEpoch',
      kind: 'response',
      correlationId,
      topics: wire.topics.map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((p) => ({ errorCode: p.errorCode, partition: p.partition, leaderEpoch: p.leaderEpoch, endOffset: p.endOffset })),
      })),
    };
  },

  errorResponse(body, _version, errorCode) {
    const wire = body as WireOffsetForLeaderEpochRequest;
    const response: WireOffsetForLeaderEpochResponse = {
      throttleTimeMs: 0,
      topics: wire.topics.map((t) => ({
        topic: t.topic,
        partitions: t.partitions.map((p) => ({ errorCode, partition: p.partition, leaderEpoch: -1, endOffset: -1 })),
      })),
    };
    return response;
  },
};
