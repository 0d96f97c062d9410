// TxnOffsetCommit (key 28): a transactional producer's offsets for a group, pending until its
// transaction ends (KIP-98). v2 committed leader epoch, v3 flexible with the consumer's generation,
// member and group instance (KIP-447), v4 the same (TRANSACTION_ABORTABLE may answer, KIP-890).

import type { MessageSpec } from '../spec.ts';

export const TxnOffsetCommitRequestSpec: MessageSpec = {
  apiKey: 28,
  name: 'TxnOffsetCommitRequest',
  type: 'request',
  validVersions: '0-4',
  flexibleVersions: '3+',
  fields: [
    { name: 'transactionalId', type: 'string', versions: '0+' },
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'producerId', type: 'int64', versions: '0+' },
    { name: 'producerEpoch', type: 'int16', versions: '0+' },
    { name: 'generationId', type: 'int32', versions: '3+', default: -1 },
    { name: 'memberId', type: 'string', versions: '3+', default: '' },
    { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
    {
      name: 'topics',
      versions: '0+',
      type: {
        array: {
          fields: [
            { name: 'name', type: 'string', versions: '0+' },
            {
              name: 'partitions',
              versions: '0+',
              type: {
                array: {
                  fields: [
                    { name: 'partitionIndex', type: 'int32', versions: '0+' },
                    { name: 'committedOffset', type: 'int64', versions: '0+' },
                    { name: 'committedLeaderEpoch', type: 'int32', versions: '2+', default: -1 },
                    { name: 'committedMetadata', type: 'string', versions: '0+', nullableVersions: '0+' },
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

export const TxnOffsetCommitResponseSpec: MessageSpec = {
  apiKey: 28,
  name: 'TxnOffsetCommitResponse',
  type: 'response',
  validVersions: '0-4',
  flexibleVersions: '3+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'topics',
      versions: '0+',
      type: {
        array: {
          fields: [
            { name: 'name', type: 'string', versions: '0+' },
            {
              name: 'partitions',
              versions: '0+',
              type: {
                array: {
                  fields: [
                    { name: 'partitionIndex', type: 'int32', versions: '0+' },
                    { name: 'errorCode', type: 'int16', versions: '0+' },
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
