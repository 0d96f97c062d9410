// ListTransactions (key 66): the transactions a coordinator holds, by state and producer id (KIP-664); v1 adds a
// duration filter (KIP-994, kafka-transactions.sh find-hanging).

import type { MessageSpec } from '../spec.ts';

export const ListTransactionsRequestSpec: MessageSpec = {
  apiKey: 66,
  name: 'ListTransactionsRequest',
  type: 'request',
  validVersions: '0-1',
  flexibleVersions: '0+',
  fields: [
    { name: 'stateFilters', type: { array: 'string' }, versions: '0+' },
    { name: 'producerIdFilters', type: { array: 'int64' }, versions: '0+' },
    { name: 'durationFilter', type: 'int64', versions: '1+', default: -1 },
  ],
};

export const ListTransactionsResponseSpec: MessageSpec = {
  apiKey: 66,
  name: 'ListTransactionsResponse',
  type: 'response',
  validVersions: '0-1',
  flexibleVersions: '0+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'unknownStateFilters', type: { array: 'string' }, versions: '0+' },
    {
      name: 'transactionStates',
      versions: '0+',
      type: {
        array: {
          fields: [
            { name: 'transactionalId', type: 'string', versions: '0+' },
            { name: 'producerId', type: 'int64', versions: '0+' },
            { name: 'transactionState', type: 'string', versions: '0+' },
          ],
        },
      },
    },
  ],
};
