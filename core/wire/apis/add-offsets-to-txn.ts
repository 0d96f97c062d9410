// AddOffsetsToTxn (key 25): a consumer group's offsets join a producer's transaction (KIP-98): the coordinator adds
// the group's __consumer_offsets partition. v2 PRODUCER_FENCED, v3 flexible, v4 TRANSACTION_ABORTABLE (KIP-890).

import type { MessageSpec } from '../spec.ts';

export const AddOffsetsToTxnRequestSpec: MessageSpec = {
  apiKey: 25,
  name: 'AddOffsetsToTxnRequest',
  type: 'request',
  validVersions: '0-4',
  flexibleVersions: '3+',
  fields: [
    { name: 'transactionalId', type: 'string', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+' },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
    { name: 'groupId', type: 'string', versions: '0+' },
  ],
};

export const AddOffsetsToTxnResponseSpec: MessageSpec = {
  apiKey: 25,
  name: 'AddOffsetsToTxnResponse',
  type: 'response',
  validVersions: '0-4',
  flexibleVersions: '3+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
  ],
};
