// CreatePartitions (key 37) between the wire and the core: a topic's new partition count and, optionally,
// the replicas of each new partition by int32 broker id (KIP-195); v2 is flexible, v3 adds quota errors (KIP-599).

import type { NodeId } from '../../env.ts';
import type { CreatePartitionsRequest, CreatePartitionsResponse } from '../../protocol/controller.ts';
import type { ApiConverter, WireIds } from './converter.ts';

type WireCreatePartitionsTopic = { name: string; count: number; assignments: Array<{ brokerIds: number[] }> | null };

type WireCreatePartitionsRequest = {
  topics: WireCreatePartitionsTopic[];
  timeoutMs: number;
  validateOnly: boolean;
};

type WireCreatePartitionsResponse = {
  throttleTimeMs: number;
  results: Array<{ name: string; errorCode: number; errorMessage: string | null }>;
};

/**
 * An assigned broker as the core names it. An id that names no node (a negative one) keeps its number as
 * its name rather than being dropped, so the controller refuses that topic's assignment naming the broker,
 * as Kafka does, instead of seeing a shorter replica list.
 */
function brokerFromWire(ids: WireIds, id: number): NodeId {
  return ids.fromWire(id) ?? String(id);
}

export const createPartitionsConverter: ApiConverter<CreatePartitionsRequest, CreatePartitionsResponse> = {
  apiKey: 37,
  served: { min: 0, max: 3 },

  requestFromWire(body, _version, correlationId, ctx) {
    const wire = body as WireCreatePartitionsRequest;
    return {
      api: 'CreatePartitions',
      kind: 'request',
      correlationId,
      topics: wire.topics.map((t) => ({
        name: t.name,
        count: t.count,
        assignments: t.assignments === null ? null : t.assignments.map((a) => ({ brokerIds: a.brokerIds.map((id) => brokerFromWire(ctx.ids, id)) })),
      })),
      timeoutMs: wire.timeoutMs,
      validateOnly: wire.validateOnly,
    };
  },

  requestToWire(req, _version, ctx) {
    const wire: WireCreatePartitionsRequest = {
      topics: req.topics.map((t) => ({
        name: t.name,
        count: t.count,
        assignments: t.assignments === null ? null : t.assignments.map((a) => ({ brokerIds: a.brokerIds.map((id) => ctx.ids.toWire(id)) })),
      })),
      timeoutMs: req.timeoutMs,
      validateOnly: req.validateOnly,
    };
    return wire;
  },

  responseToWire(res) {
    const wire: WireCreatePartitionsResponse = {
      throttleTimeMs: 0,
      results: res.results.map((r) => ({ name: r.name, errorCode: r.errorCode, errorMessage: r.errorMessage })),
    };
    return wire;
  },

  responseFromWire(body, _version, correlationId) {
    const wire = body as WireCreatePartitionsResponse;
    return {
      api: 'CreatePartitions',
      kind: 'response',
      correlationId,
      results: wire.results.map((r) => ({ name: r.name, errorCode: r.errorCode, errorMessage: r.errorMessage })),
    };
  },

  errorResponse(body, _version, errorCode, message) {
    const wire = body as WireCreatePartitionsRequest;
    const response: WireCreatePartitionsResponse = {
      throttleTimeMs: 0,
      results: wire.topics.map((t) => ({ name: t.name, errorCode, errorMessage: message })),
    };
    return response;
  },
};
