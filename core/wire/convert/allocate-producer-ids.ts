// AllocateProducerIds (key 67, KIP-730) between the wire and the core: a broker asks the active controller for a
// block of producer ids.

import type { AllocateProducerIdsRequest, AllocateProducerIdsResponse } from '../../protocol/controller.ts';
import type { ApiConverter } from './converter.ts';
import { requiredNode } from './quorum-common.ts';

type WireAllocateProducerIdsRequest = { brokerId: number; brokerEpoch: number };
type WireAllocateProducerIdsResponse = { throttleTimeMs: number; errorCode: number; producerIdStart: number; producerIdLen: number };

export const allocateProducerIdsConverter: ApiConverter<AllocateProducerIdsRequest, AllocateProducerIdsResponse> = {
  apiKey: 67,
  served: { min: 0, max: 0 },
  internalVersion: 0,

  requestFromWire(body, _version, correlationId, ctx) {
    const wire = body as WireAllocateProducerIdsRequest;
    return {
      api: 'AllocateProducerIds',
      kind: 'request',
      correlationId,
      brokerId: requiredNode(ctx.ids, wire.brokerId, 'broker id'),
      brokerEpoch: wire.brokerEpoch,
    };
  },

  requestToWire(req, _version, ctx) {
    const wire: WireAllocateProducerIdsRequest = { brokerId: ctx.ids.toWire(req.brokerId), brokerEpoch: req.brokerEpoch };
    return wire;
  },

  responseToWire(res) {
    const wire: WireAllocateProducerIdsResponse = {
      throttleTimeMs: 0,
      errorCode: res.errorCode,
      producerIdStart: res.producerIdStart,
      producerIdLen: res.producerIdLen,
    };
    return wire;
  },

  responseFromWire(body, _version, correlationId) {
    const wire = body as WireAllocateProducerIdsResponse;
    return {
      api: 'AllocateProducerIds',
      kind: 'response',
      correlationId,
      errorCode: wire.errorCode,
      producerIdStart: wire.producerIdStart,
      producerIdLen: wire.producerIdLen,
    };
  },

  errorResponse(_body, _version, errorCode) {
    const wire: WireAllocateProducerIdsResponse = { throttleTimeMs: 0, errorCode, producerIdStart: -1, producerIdLen: 0 };
    return wire;
  },
};
