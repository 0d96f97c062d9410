// ListOffsets (key 2): the offset for a timestamp (-1 latest, -2 earliest, -3 max timestamp v7+ (KIP-734), -4 earliest
// local v8+ (KIP-405), -5 last tiered v9+ (KIP-1005)). v0 returns an offsets array; v4 adds leader epochs (KIP-320).

import type { MessageSpec } from '../spec.ts';

export const ListOffsetsRequestSpec: MessageSpec = {
  apiKey: 2,
  name: 'ListOffsetsRequest',
  type: 'request',
  validVersions: '0-10',
  flexibleVersions: '6+',
  fields: [
    { name: 'replicaId', type: 'int32', versions: '0+' },
    { name: 'isolationLevel', type: 'int8', versions: '2+' },
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
                    { name: 'currentLeaderEpoch', type: 'int32', versions: '4+', default: -1 },
                    { name: 'timestamp', type: 'int64', versions: '0+' },
                    { name: 'maxNumOffsets', type: 'int32', versions: '0', default: 1 },
                  ],
                },
              },
            },
          ],
        },
      },
    },
    // KIP-1075: for remote (tiered) reads.
    { name: 'timeoutMs', type: 'int32', versions: '10+' },
  ],
};

export const ListOffsetsResponseSpec: MessageSpec = {
  apiKey: 2,
  name: 'ListOffsetsResponse',
  type: 'response',
  validVersions: '0-10',
  flexibleVersions: '6+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '2+' },
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
                    { name: 'oldStyleOffsets', type: { array: 'int64' }, versions: '0' },
                    { name: 'timestamp', type: 'int64', versions: '1+', default: -1 },
                    { name: 'offset', type: 'int64', versions: '1+', default: -1 },
                    { name: 'leaderEpoch', type: 'int32', versions: '4+', default: -1 },
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
