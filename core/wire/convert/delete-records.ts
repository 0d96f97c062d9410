// DeleteRecords (key 21) between the wire and the core: the same fields at every version (v2 is flexible).

import type { DeleteRecordsRequest, DeleteRecordsResponse } from '../../protocol/data.ts';
import type { ApiConverter } from './converter.ts';

type WireDeleteRecordsRequest = {
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; offset: number }> }>;
  timeoutMs: number;
};

type WireDeleteRecordsResponse = {
  throttleTimeMs: number;
  topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; lowWatermark: number; errorCode: number }> }>;
};

export const deleteRecordsConverter: ApiConverter<DeleteRecordsRequest, DeleteRecordsResponse> = {
  apiKey: 21,
  served: { min: 0, max: 2 },

  requestFromWire(body, _version, correlationId) {
    const wire = body as WireDeleteRecordsRequest;
    return {
      api: 'DeleteRecords',
      kind: 'request',
      correlationId,
      topics: wire.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, offset: p.offset })) })),
      timeoutMs: wire.timeoutMs,
    };
  },

  requestToWire(req) {
    const wire: WireDeleteRecordsRequest = { topics: req.topics, timeoutMs: req.timeoutMs };
    return wire;
  },

  responseToWire(res) {
    const wire: WireDeleteRecordsResponse = { throttleTimeMs: res.throttleTimeMs, topics: res.topics };
    return wire;
  },

  responseFromWire(body, _version, correlationId) {
    const wire = body as WireDeleteRecordsResponse;
    return {
      api: 'DeleteRecords',
      kind: 'response',
      correlationId,
      throttleTimeMs: wire.throttleTimeMs,
      topics: wire.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, lowWatermark: p.lowWatermark, errorCode: p.errorCode })),
      })),
    };
  },

  errorResponse(body, _version, errorCode) {
    const wire = body as WireDeleteRecordsRequest;
    const response: WireDeleteRecordsResponse = {
      throttleTimeMs: 0,
      topics: wire.topics.map((t) => ({
        name: t.name,
        partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, lowWatermark: -1, errorCode })),
      })),
    };
    return response;
  },
};
