// EndTxn (key 26): commit or abort a producer's transaction (KIP-98). v2 PRODUCER_FENCED, v3 flexible, v4
// TRANSACTION_ABORTABLE; v5 bumps the epoch with every transaction and answers the new id and epoch (KIP-890 part 2).

import type { MessageSpec } from '../spec.ts';

export const EndTxnRequestSpec: MessageSpec = {
  apiKey: 26,
  name: 'EndTxnRequest',
  type: 'request',
  validVersions: '0-5',
  flexibleVersions: '3+',
  fields: [
    { name: 'transactionalId', type: 'string', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+' },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
    { name: 'committed', type: 'bool', versions: '0+' },
  ],
};

export const EndTxnResponseSpec: MessageSpec = {
  apiKey: 26,
  name: 'EndTxnResponse',
  type: 'response',
  validVersions: '0-5',
  flexibleVersions: '3+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '5+', default: -1 },
    { name: 'producerEpoch', type: 'int16', versions: '5+', default: -1 },
  ],
};
