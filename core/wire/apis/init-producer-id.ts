// InitProducerId (key 22): a producer id and epoch for idempotent and transactional producers (KIP-98). v3 lets a
// producer resume its id after INVALID_PRODUCER_EPOCH (KIP-360); v4 PRODUCER_FENCED, v5 TRANSACTION_ABORTABLE (KIP-890).

import type { MessageSpec } from '../spec.ts';

export const InitProducerIdRequestSpec: MessageSpec = {
  apiKey: 22,
  name: 'InitProducerIdRequest',
  type: 'request',
  validVersions: '0-5',
  flexibleVersions: '2+',
  fields: [
    // null for an idempotent (non-transactional) producer.
    { name: 'transactionalId', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'transactionTimeoutMs', type: 'int32', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '3+', default: -1 },
    { name: 'producerEpoch', type: 'int16', versions: '3+', default: -1 },
  ],
};

export const InitProducerIdResponseSpec: MessageSpec = {
  apiKey: 22,
  name: 'InitProducerIdResponse',
  type: 'response',
  validVersions: '0-5',
  flexibleVersions: '2+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+', default: -1 },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
  ],
};
