// InitProducerId (key 22) between the wire and the core: a producer id and epoch for idempotent and
// transactional producers (KIP-98); from v3 the producer's current id and epoch ask for an epoch bump (KIP-360).

import type { InitProducerIdRequest, InitProducerIdResponse } from '../../protocol/data.ts';
import type { ApiConverter } from './converter.ts';
import { fencedFor } from './txn-apis.ts';

/** InitProducerId v4 is the first to know PRODUCER_FENCED (KafkaApis answers older ones INVALID_PRODUCER_EPOCH). */
const PRODUCER_FENCED_VERSION = 4;

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

  responseToWire(res, version) {
    const errorCode = fencedFor(res.errorCode, version, PRODUCER_FENCED_VERSION);
    const wire: WireInitProducerIdResponse = { throttleTimeMs: 0, errorCode, producerId: res.producerId, producerEpoch: res.producerEpoch };
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

  errorResponse(_body, version, errorCode) {
    const response: WireInitProducerIdResponse = {
      throttleTimeMs: 0,
      errorCode: fencedFor(errorCode, version, PRODUCER_FENCED_VERSION),
      producerId: -1,
      producerEpoch: -1,
    };
    return response;
  },
};
