// OffsetCommit (key 8): a consumer stores its group's positions. v1 generation and member, v2-4 retention time,
// v6 leader epoch (KIP-320), v7 groupInstanceId (KIP-345), v8 flexible (KIP-482), v9 member epoch of the new protocol (KIP-848).

import type { MessageSpec } from '../spec.ts';

export const OffsetCommitRequestSpec: MessageSpec = {
  apiKey: 8,
  name: 'OffsetCommitRequest',
  type: 'request',
  validVersions: '0-9',
  flexibleVersions: '8+',
  fields: [
    { name: 'groupId', type: 'string', versions: '0+' },
    // The classic generation (-1 with memberId "" for a "simple" commit outside the group), or the KIP-848 member epoch.
    { name: 'generationIdOrMemberEpoch', type: 'int32', versions: '1+', default: -1 },
    { name: 'memberId', type: 'string', versions: '1+' },
    { name: 'groupInstanceId', type: 'string', versions: '7+', nullableVersions: '7+', default: null },
    { name: 'retentionTimeMs', type: 'int64', versions: '2-4', default: -1 },
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
                    { name: 'committedLeaderEpoch', type: 'int32', versions: '6+', default: -1 },
                    { name: 'commitTimestamp', type: 'int64', versions: '1', default: -1 },
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

export const OffsetCommitResponseSpec: MessageSpec = {
  apiKey: 8,
  name: 'OffsetCommitResponse',
  type: 'response',
  validVersions: '0-9',
  flexibleVersions: '8+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '3+' },
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
