// DescribeTransactions (key 65): the coordinator's state of transactional ids (KIP-664, kafka-transactions.sh describe).

import type { MessageSpec } from '../spec.ts';

export const DescribeTransactionsRequestSpec: MessageSpec = {
  apiKey: 65,
  name: 'DescribeTransactionsRequest',
  type: 'request',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [{ name: 'transactionalIds', type: { array: 'string' }, versions: '0+' }],
};

export const DescribeTransactionsResponseSpec: MessageSpec = {
  apiKey: 65,
  name: 'DescribeTransactionsResponse',
  type: 'response',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'transactionStates',
      versions: '0+',
      type: {
        array: {
          fields: [
            { name: 'errorCode', type: 'int16', versions: '0+' },
            { name: 'transactionalId', type: 'string', versions: '0+' },
            { name: 'transactionState', type: 'string', versions: '0+' },
            { name: 'transactionTimeoutMs', type: 'int32', versions: '0+' },
            { name: 'transactionStartTimeMs', type: 'int64', versions: '0+' },
            { name: 'producerId', type: 'int64', versions: '0+' },
            { name: 'producerEpoch', type: 'int16', versions: '0+' },
            {
              name: 'topics',
              versions: '0+',
              type: {
                array: {
                  fields: [
                    { name: 'topic', type: 'string', versions: '0+' },
                    { name: 'partitions', type: { array: 'int32' }, versions: '0+' },
                  ],
                },
              },
            },
          ],
        },
      },
    },
  ],
};
