// CreateTopics (key 19): admin topic creation, sent to the controller. v1 validateOnly, v4 default partitions and
// replication factor as -1 (KIP-464), v5 flexible + configs in the response (KIP-525), v7 topic ids (KIP-516).

import type { MessageSpec } from '../spec.ts';

export const CreateTopicsRequestSpec: MessageSpec = {
  apiKey: 19,
  name: 'CreateTopicsRequest',
  type: 'request',
  validVersions: '0-7',
  flexibleVersions: '5+',
  fields: [
    {
      name: 'topics',
      versions: '0+',
      type: {
        array: {
          fields: [
            { name: 'name', type: 'string', versions: '0+' },
            // -1: manual assignments, or (v4+) the broker default.
            { name: 'numPartitions', type: 'int32', versions: '0+' },
            { name: 'replicationFactor', type: 'int16', versions: '0+' },
            {
              name: 'assignments',
              versions: '0+',
              type: {
                array: {
                  fields: [
                    { name: 'partitionIndex', type: 'int32', versions: '0+' },
                    { name: 'brokerIds', type: { array: 'int32' }, versions: '0+' },
                  ],
                },
              },
            },
            {
              name: 'configs',
              versions: '0+',
              type: {
                array: {
                  fields: [
                    { name: 'name', type: 'string', versions: '0+' },
                    { name: 'value', type: 'string', versions: '0+', nullableVersions: '0+' },
                  ],
                },
              },
            },
          ],
        },
      },
    },
    // Kafka spells these two in lowerCamelCase already.
    { name: 'timeoutMs', type: 'int32', versions: '0+', default: 60000 },
    { name: 'validateOnly', type: 'bool', versions: '1+', default: false },
  ],
};

export const CreateTopicsResponseSpec: MessageSpec = {
  apiKey: 19,
  name: 'CreateTopicsResponse',
  type: 'response',
  validVersions: '0-7',
  flexibleVersions: '5+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '2+' },
    {
      name: 'topics',
      versions: '0+',
      type: {
        array: {
          fields: [
            { name: 'name', type: 'string', versions: '0+' },
            { name: 'topicId', type: 'uuid', versions: '7+' },
            { name: 'errorCode', type: 'int16', versions: '0+' },
            // Kafka's definition says nullableVersions "0+" for a field that exists from v1.
            { name: 'errorMessage', type: 'string', versions: '1+', nullableVersions: '0+' },
            { name: 'topicConfigErrorCode', type: 'int16', versions: '5+', taggedVersions: '5+', tag: 0 },
            { name: 'numPartitions', type: 'int32', versions: '5+', default: -1 },
            { name: 'replicationFactor', type: 'int16', versions: '5+', default: -1 },
            {
              name: 'configs',
              versions: '5+',
              nullableVersions: '5+',
              type: {
                array: {
                  fields: [
                    { name: 'name', type: 'string', versions: '5+' },
                    { name: 'value', type: 'string', versions: '5+', nullableVersions: '5+' },
                    { name: 'readOnly', type: 'bool', versions: '5+' },
                    { name: 'configSource', type: 'int8', versions: '5+', default: -1 },
                    { name: 'isSensitive', type: 'bool', versions: '5+' },
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
