// AllocateProducerIds (key 67, KIP-730): a broker asks the active controller for a block of producer ids to hand
// out to idempotent and transactional producers.

import type { MessageSpec } from '../spec.ts';

export const AllocateProducerIdsRequestSpec: MessageSpec = {
  apiKey: 67,
  name: 'AllocateProducerIdsRequest',
  type: 'request',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'brokerId', type: 'int32', versions: '0+' },
    { name: 'brokerEpoch', type: 'int64', versions: '0+', default: -1 },
  ],
};

export const AllocateProducerIdsResponseSpec: MessageSpec = {
  apiKey: 67,
  name: 'AllocateProducerIdsResponse',
  type: 'response',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'producerIdStart', type: 'int64', versions: '0+' },
    { name: 'producerIdLen', type: 'int32', versions: '0+' },
  ],
};
