// InitProducerId (key 22) between the wire and the core: a producer id and epoch for idempotent and
// transactional producers (KIP-98); from v3 the producer's current id and epoch ask for an epoch bump (KIP-360).

import type { InitProducerIdRequest, InitProducerIdResponse } from '../../protocol/data.ts';
import type { ApiConverter } from './converter.ts';

type WireInitProducerIdRequest = {
  transactionalId: string | null;
  transactionTimeoutMs: number;
  producerId: number;
  producerEpoch: number;
};

type WireInitProducerIdResponse = {
  throttleTimeMs: number;
  errorCode: number;
  producerId: number;
  producerEpoch: number;
};

export const initProducerIdConverter: ApiConverter<InitProducerIdRequest, InitProducerIdResponse> = {
  apiKey: 22,
  // v5 adds TRANSACTION_ABORTABLE (KIP-890), which needs the transaction coordinator's new protocol.
  served: { min: 0, max: 4 },

  requestFromWire(body, _version, correlationId) {
    const wire = body as WireInitProducerIdRequest;
    return {
      api: 'InitProducerId',
      kind: 'request',
      correlationId,
      transactionalId: wire.transactionalId,
      transactionTimeoutMs: wire.transactionTimeoutMs,
      producerId: wire.producerId,
      producerEpoch: wire.producerEpoch,
    };
  },

  requestToWire(req) {
    const wire: WireInitProducerIdRequest = {
      transactionalId: req.transactionalId,
      transactionTimeoutMs: req.transactionTimeoutMs,
      producerId: req.producerId,
      producerEpoch: req.producerEpoch,
    };
    return wire;
  },

  responseToWire(res) {
    const wire: WireInitProducerIdResponse = { throttleTimeMs: 0, errorCode: res.errorCode, producerId: res.producerId, producerEpoch: res.producerEpoch };
    return wire;
  },

  responseFromWire(body, _version, correlationId) {
    const wire = body as WireInitProducerIdResponse;
    return {
      api: 'InitProducerId',
      kind: 'response',
      correlationId,
      errorCode: wire.errorCode,
      producerId: wire.producerId,
      producerEpoch: wire.producerEpoch,
    };
  },

  errorResponse(_body, _version, errorCode) {
    const response: WireInitProducerIdResponse = { throttleTimeMs: 0, errorCode, producerId: -1, producerEpoch: -1 };
    return response;
  },
};
