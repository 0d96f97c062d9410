// OffsetFetch (key 9): a group's committed positions. v2 null topics = all + top-level error, v5 leader epoch (KIP-320),
// v6 flexible (KIP-482), v7 requireStable (KIP-447), v8 several groups at once (KIP-709), v9 member id and epoch (KIP-848).

import type { MessageSpec, StructSpec } from '../spec.ts';

/** A response topic: the same shape in v0-7 (top level) and v8+ (per group), leader epoch from v5. */
const fetchTopic = (versions: string, epochVersions: string): StructSpec => ({
  fields: [
    { name: 'name', type: 'string', versions },
    {
      name: 'partitions',
      versions,
      type: {
        array: {
          fields: [
            { name: 'partitionIndex', type: 'int32', versions },
            // No commit: offset -1, metadata "" (or null), error 0.
            { name: 'committedOffset', type: 'int64', versions },
            { name: 'committedLeaderEpoch', type: 'int32', versions: epochVersions, default: -1 },
            { name: 'metadata', type: 'string', versions, nullableVersions: versions },
            { name: 'errorCode', type: 'int16', versions },
          ],
        },
      },
    },
  ],
});

export const OffsetFetchRequestSpec: MessageSpec = {
  apiKey: 9,
  name: 'OffsetFetchRequest',
  type: 'request',
  validVersions: '0-9',
  flexibleVersions: '6+',
  fields: [
    { name: 'groupId', type: 'string', versions: '0-7' },
    // null (v2+) = every topic the group has committed.
    {
      name: 'topics',
      versions: '0-7',
      nullableVersions: '2-7',
      type: {
        array: {
          fields: [
            { name: 'name', type: 'string', versions: '0-7' },
            { name: 'partitionIndexes', type: { array: 'int32' }, versions: '0-7' },
          ],
        },
      },
    },
    {
      name: 'groups',
      versions: '8+',
      type: {
        array: {
          fields: [
            { name: 'groupId', type: 'string', versions: '8+' },
            { name: 'memberId', type: 'string', versions: '9+', nullableVersions: '9+', default: null },
            { name: 'memberEpoch', type: 'int32', versions: '9+', default: -1 },
            {
              name: 'topics',
              versions: '8+',
              nullableVersions: '8+',
              type: {
                array: {
                  fields: [
                    { name: 'name', type: 'string', versions: '8+' },
                    { name: 'partitionIndexes', type: { array: 'int32' }, versions: '8+' },
                  ],
                },
              },
            },
          ],
        },
      },
    },
    { name: 'requireStable', type: 'bool', versions: '7+', default: false },
  ],
};

export const OffsetFetchResponseSpec: MessageSpec = {
  apiKey: 9,
  name: 'OffsetFetchResponse',
  type: 'response',
  validVersions: '0-9',
  flexibleVersions: '6+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '3+' },
    { name: 'topics', type: { array: fetchTopic('0-7', '5-7') }, versions: '0-7' },
    { name: 'errorCode', type: 'int16', versions: '2-7', default: 0 },
    {
      name: 'groups',
      versions: '8+',
      type: {
        array: {
          fields: [
            { name: 'groupId', type: 'string', versions: '8+' },
            { name: 'topics', type: { array: fetchTopic('8+', '8+') }, versions: '8+' },
            { name: 'errorCode', type: 'int16', versions: '8+', default: 0 },
          ],
        },
      },
    },
  ],
};
