// AddPartitionsToTxn (key 24): partitions join a producer's transaction (KIP-98). v2 PRODUCER_FENCED, v3 flexible;
// v4 batches transactions and adds VerifyOnly for leaders' checks (KIP-890 part 1, brokers only), v5 TRANSACTION_ABORTABLE.

import type { MessageSpec, StructSpec } from '../spec.ts';

const Topic: StructSpec = {
  fields: [
    { name: 'name', type: 'string', versions: '0+' },
    { name: 'partitions', type: { array: 'int32' }, versions: '0+' },
  ],
};

const TopicResult: StructSpec = {
  fields: [
    { name: 'name', type: 'string', versions: '0+' },
    {
      name: 'resultsByPartition',
      versions: '0+',
      type: {
        array: {
          fields: [
            { name: 'partitionIndex', type: 'int32', versions: '0+' },
            { name: 'partitionErrorCode', type: 'int16', versions: '0+' },
          ],
        },
      },
    },
  ],
};

export const AddPartitionsToTxnRequestSpec: MessageSpec = {
  apiKey: 24,
  name: 'AddPartitionsToTxnRequest',
  type: 'request',
  validVersions: '0-5',
  flexibleVersions: '3+',
  fields: [
    {
      name: 'transactions',
      versions: '4+',
      type: {
        array: {
          fields: [
            { name: 'transactionalId', type: 'string', versions: '4+' },
            { name: 'producerId', type: 'int64', versions: '4+' },
            { name: 'producerEpoch', type: 'int16', versions: '4+' },
            { name: 'verifyOnly', type: 'bool', versions: '4+', default: false },
            { name: 'topics', type: { array: Topic }, versions: '4+' },
          ],
        },
      },
    },
    { name: 'v3AndBelowTransactionalId', type: 'string', versions: '0-3' },
    { name: 'v3AndBelowProducerId', type: 'int64', versions: '0-3' },
    { name: 'v3AndBelowProducerEpoch', type: 'int16', versions: '0-3' },
    { name: 'v3AndBelowTopics', type: { array: Topic }, versions: '0-3' },
  ],
};

export const AddPartitionsToTxnResponseSpec: MessageSpec = {
  apiKey: 24,
  name: 'AddPartitionsToTxnResponse',
  type: 'response',
  validVersions: '0-5',
  flexibleVersions: '3+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '4+' },
    {
      name: 'resultsByTransaction',
      versions: '4+',
      type: {
        array: {
          fields: [
            { name: 'transactionalId', type: 'string', versions: '4+' },
            { name: 'topicResults', type: { array: TopicResult }, versions: '4+' },
          ],
        },
      },
    },
    { name: 'resultsByTopicV3AndBelow', type: { array: TopicResult }, versions: '0-3' },
  ],
};
