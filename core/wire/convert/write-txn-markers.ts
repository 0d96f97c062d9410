// WriteTxnMarkers (key 27) between the wire and the core: the markers a transaction coordinator asks a
// partition leader to append, and each partition's error (KIP-98). The structs match the core's shapes.

import type { WriteTxnMarkersRequest, WriteTxnMarkersResponse } from '../../protocol/txn.ts';
import type { ApiConverter } from './converter.ts';

type WireWriteTxnMarkersRequest = { markers: WriteTxnMarkersRequest['markers'] };
type WireWriteTxnMarkersResponse = { markers: WriteTxnMarkersResponse['markers'] };

export const writeTxnMarkersConverter: ApiConverter<WriteTxnMarkersRequest, WriteTxnMarkersResponse> = {
  apiKey: 27,
  served: { min: 0, max: 1 },

  requestFromWire(body, _version, correlationId) {
    const wire = body as WireWriteTxnMarkersRequest;
    return {
      api: 'WriteTxnMarkers',
      kind: 'request',
      correlationId,
      markers: wire.markers.map((m) => ({
        producerId: m.producerId,
        producerEpoch: m.producerEpoch,
        transactionResult: m.transactionResult,
        topics: m.topics.map((t) => ({ name: t.name, partitionIndexes: [...t.partitionIndexes] })),
        coordinatorEpoch: m.coordinatorEpoch,
      })),
    };
  },

  requestToWire(req) {
    const wire: WireWriteTxnMarkersRequest = { markers: req.markers };
    return wire;
  },

  responseToWire(res) {
    const wire: WireWriteTxnMarkersResponse = { markers: res.markers };
    return wire;
  },

  responseFromWire(body, _version, correlationId) {
    const wire = body as WireWriteTxnMarkersResponse;
    return {
      api: 'WriteTxnMarkers',
      kind: 'response',
      correlationId,
      markers: wire.markers.map((m) => ({
        producerId: m.producerId,
        topics: m.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: p.errorCode })) })),
      })),
    };
  },

  /** Every partition of every marker gets the error (Kafka's WriteTxnMarkersRequest.getErrorResponse). */
  errorResponse(body, _version, errorCode) {
    const wire = body as WireWriteTxnMarkersRequest;
    const response: WireWriteTxnMarkersResponse = {
      markers: (wire.markers ?? []).map((m) => ({
        producerId: m.producerId,
        topics: m.topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, errorCode })) })),
      })),
    };
    return response;
  },
};
