// Produce (key 0): record batches to partition leaders. v3 adds the transactional id and message format v2, v5 the
// log start offset, v8 per-record errors (KIP-467), v10 leader-discovery tags (KIP-951).

import type { MessageSpec, StructSpec } from '../spec.ts';

export const ProduceRequestSpec: MessageSpec = {
  apiKey: 0,
  name: 'ProduceRequest',
  type: 'request',
  validVersions: '0-11',
  flexibleVersions: '9+',
  fields: [
    { name: 'transactionalId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
    { name: 'acks', type: 'int16', versions: '0+' },
    { name: 'timeoutMs', type: 'int32', versions: '0+' },
    {
      name: 'topicData',
      versions: '0+',
      type: {
        array: {
          fields: [
            { name: 'name', type: 'string', versions: '0+' },
            {
              name: 'partitionData',
              versions: '0+',
              type: {
                array: {
                  fields: [
                    { name: 'index', type: 'int32', versions: '0+' },
                    { name: 'records', type: 'records', versions: '0+', nullableVersions: '0+' },
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

const PartitionProduceResponse: StructSpec = {
  fields: [
    { name: 'index', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'baseOffset', type: 'int64', versions: '0+' },
    // -1 when the topic uses CreateTime.
    { name: 'logAppendTimeMs', type: 'int64', versions: '2+', default: -1 },
    { name: 'logStartOffset', type: 'int64', versions: '5+', default: -1 },
    {
      name: 'recordErrors',
      versions: '8+',
      type: {
        array: {
          fields: [
            { name: 'batchIndex', type: 'int32', versions: '8+' },
            { name: 'batchIndexErrorMessage', type: 'string', versions: '8+', nullableVersions: '8+', default: null },
          ],
        },
      },
    },
    { name: 'errorMessage', type: 'string', versions: '8+', nullableVersions: '8+', default: null },
    {
      name: 'currentLeader',
      versions: '10+',
      taggedVersions: '10+',
      tag: 0,
      type: {
        fields: [
          { name: 'leaderId', type: 'int32', versions: '10+', default: -1 },
          { name: 'leaderEpoch', type: 'int32', versions: '10+', default: -1 },
        ],
      },
    },
  ],
};

export const ProduceResponseSpec: MessageSpec = {
  apiKey: 0,
  name: 'ProduceResponse',
  type: 'response',
  validVersions: '0-11',
  flexibleVersions: '9+',
  fields: [
    {
      name: 'responses',
      versions: '0+',
      type: {
        array: {
          fields: [
            { name: 'name', type: 'string', versions: '0+' },
            { name: 'partitionResponses', type: { array: PartitionProduceResponse }, versions: '0+' },
          ],
        },
      },
    },
    // After the responses (unlike most responses, where the throttle time comes first).
    { name: 'throttleTimeMs', type: 'int32', versions: '1+', default: 0 },
    {
      name: 'nodeEndpoints',
      versions: '10+',
      taggedVersions: '10+',
      tag: 0,
      type: {
        array: {
          fields: [
            { name: 'nodeId', type: 'int32', versions: '10+' },
            { name: 'host', type: 'string', versions: '10+' },
            { name: 'port', type: 'int32', versions: '10+' },
            { name: 'rack', type: 'string', versions: '10+', nullableVersions: '10+', default: null },
          ],
        },
      },
    },
  ],
};
