// OffsetForLeaderEpoch (key 23): the end offset of a leader epoch, for truncation detection (KIP-101, KIP-279);
// v2 adds fencing by current leader epoch (KIP-320), v3 the replica id.

import type { MessageSpec } from '../spec.ts';

export const OffsetForLeaderEpochRequestSpec: MessageSpec = {
  apiKey: 23,
  name: 'OffsetForLeaderEpochRequest',
  type: 'request',
  validVersions: '0-4',
  flexibleVersions: '4+',
  fields: [
    // -1 for a consumer; the default -2 is the "debug" consumer allowed beyond the high watermark.
    { name: 'replicaId', type: 'int32', versions: '3+', default: -2 },
    {
      name: 'topics',
      versions: '0+',
      type: {
        array: {
          fields: [
            { name: 'topic', type: 'string', versions: '0+' },
            {
              name: 'partitions',
              versions: '0+',
              type: {
                array: {
                  fields: [
                    { name: 'partition', type: 'int32', versions: '0+' },
                    { name: 'currentLeaderEpoch', type: 'int32', versions: '2+', default: -1 },
                    { name: 'leaderEpoch', type: 'int32', versions: '0+' },
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

export const OffsetForLeaderEpochResponseSpec: MessageSpec = {
  apiKey: 23,
  name: 'OffsetForLeaderEpochResponse',
  type: 'response',
  validVersions: '0-4',
  flexibleVersions: '4+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '2+' },
    {
      name: 'topics',
      versions: '0+',
      type: {
        array: {
          fields: [
            { name: 'topic', type: 'string', versions: '0+' },
            {
              name: 'partitions',
              versions: '0+',
              type: {
                array: {
                  fields: [
                    { name: 'errorCode', type: 'int16', versions: '0+' },
                    { name: 'partition', type: 'int32', versions: '0+' },
                    { name: 'leaderEpoch', type: 'int32', versions: '1+', default: -1 },
                    { name: 'endOffset', type: 'int64', versions: '0+', default: -1 },
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
