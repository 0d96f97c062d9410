// AlterPartition (key 56, was AlterIsr, KIP-497): a partition leader asks the controller to change the ISR. v1 leader
// recovery state (KIP-704), v2 topic ids (KIP-841), v3 ISR members with broker epochs (KIP-903).

import type { MessageSpec } from '../spec.ts';

export const AlterPartitionRequestSpec: MessageSpec = {
  apiKey: 56,
  name: 'AlterPartitionRequest',
  type: 'request',
  validVersions: '0-3',
  flexibleVersions: '0+',
  fields: [
    { name: 'brokerId', type: 'int32', versions: '0+' },
    { name: 'brokerEpoch', type: 'int64', versions: '0+', default: -1 },
    {
      name: 'topics',
      versions: '0+',
      type: {
        array: {
          fields: [
            { name: 'topicName', type: 'string', versions: '0-1' },
            { name: 'topicId', type: 'uuid', versions: '2+' },
            {
              name: 'partitions',
              versions: '0+',
              type: {
                array: {
                  fields: [
                    { name: 'partitionIndex', type: 'int32', versions: '0+' },
                    { name: 'leaderEpoch', type: 'int32', versions: '0+' },
                    { name: 'newIsr', type: { array: 'int32' }, versions: '0-2' },
                    {
                      name: 'newIsrWithEpochs',
                      versions: '3+',
                      type: {
                        array: {
                          fields: [
                            { name: 'brokerId', type: 'int32', versions: '3+' },
                            { name: 'brokerEpoch', type: 'int64', versions: '3+', default: -1 },
                          ],
                        },
                      },
                    },
                    // 1 while recovering from an unclean leader election, else 0.
                    { name: 'leaderRecoveryState', type: 'int8', versions: '1+', default: 0 },
                    { name: 'partitionEpoch', type: 'int32', versions: '0+' },
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

export const AlterPartitionResponseSpec: MessageSpec = {
  apiKey: 56,
  name: 'AlterPartitionResponse',
  type: 'response',
  validVersions: '0-3',
  flexibleVersions: '0+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    {
      name: 'topics',
      versions: '0+',
      type: {
        array: {
          fields: [
            { name: 'topicName', type: 'string', versions: '0-1' },
            { name: 'topicId', type: 'uuid', versions: '2+' },
            {
              name: 'partitions',
              versions: '0+',
              type: {
                array: {
                  fields: [
                    { name: 'partitionIndex', type: 'int32', versions: '0+' },
                    { name: 'errorCode', type: 'int16', versions: '0+' },
                    { name: 'leaderId', type: 'int32', versions: '0+' },
                    { name: 'leaderEpoch', type: 'int32', versions: '0+' },
                    { name: 'isr', type: { array: 'int32' }, versions: '0+' },
                    { name: 'leaderRecoveryState', type: 'int8', versions: '1+', default: 0 },
                    { name: 'partitionEpoch', type: 'int32', versions: '0+' },
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
