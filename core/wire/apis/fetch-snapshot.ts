// FetchSnapshot (key 59): a KRaft follower too far behind copies the leader's snapshot in chunks (KIP-630). v1 adds the
// follower's directory id and the leader's endpoints (KIP-853).

import type { MessageSpec, StructSpec } from '../spec.ts';

const SnapshotId: StructSpec = {
  fields: [
    { name: 'endOffset', type: 'int64', versions: '0+' },
    { name: 'epoch', type: 'int32', versions: '0+' },
  ],
};

export const FetchSnapshotRequestSpec: MessageSpec = {
  apiKey: 59,
  name: 'FetchSnapshotRequest',
  type: 'request',
  validVersions: '0-1',
  flexibleVersions: '0+',
  fields: [
    { name: 'clusterId', type: 'string', versions: '0+', nullableVersions: '0+', default: null, taggedVersions: '0+', tag: 0 },
    { name: 'replicaId', type: 'int32', versions: '0+', default: -1 },
    { name: 'maxBytes', type: 'int32', versions: '0+', default: 0x7fffffff },
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
                    { name: 'partition', type: 'int32', versions: '0+' },
                    { name: 'currentLeaderEpoch', type: 'int32', versions: '0+' },
                    { name: 'snapshotId', type: SnapshotId, versions: '0+' },
                    // Byte position within the snapshot to read from.
                    { name: 'position', type: 'int64', versions: '0+' },
                    { name: 'replicaDirectoryId', type: 'uuid', versions: '1+', taggedVersions: '1+', tag: 0 },
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

export const FetchSnapshotResponseSpec: MessageSpec = {
  apiKey: 59,
  name: 'FetchSnapshotResponse',
  type: 'response',
  validVersions: '0-1',
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
            { name: 'name', type: 'string', versions: '0+' },
            {
              name: 'partitions',
              versions: '0+',
              type: {
                array: {
                  fields: [
                    { name: 'index', type: 'int32', versions: '0+' },
                    { name: 'errorCode', type: 'int16', versions: '0+' },
                    { name: 'snapshotId', type: SnapshotId, versions: '0+' },
                    {
                      name: 'currentLeader',
                      versions: '0+',
                      taggedVersions: '0+',
                      tag: 0,
                      type: {
                        fields: [
                          { name: 'leaderId', type: 'int32', versions: '0+' },
                          { name: 'leaderEpoch', type: 'int32', versions: '0+' },
                        ],
                      },
                    },
                    // Total size of the snapshot in bytes.
                    { name: 'size', type: 'int64', versions: '0+' },
                    { name: 'position', type: 'int64', versions: '0+' },
                    // Raw snapshot bytes from `position`, not necessarily cut at a batch boundary.
                    { name: 'unalignedRecords', type: 'records', versions: '0+' },
                  ],
                },
              },
            },
          ],
        },
      },
    },
    {
      name: 'nodeEndpoints',
      versions: '1+',
      taggedVersions: '1+',
      tag: 0,
      type: {
        array: {
          fields: [
            { name: 'nodeId', type: 'int32', versions: '1+' },
            { name: 'host', type: 'string', versions: '1+' },
            { name: 'port', type: 'uint16', versions: '1+' },
          ],
        },
      },
    },
  ],
};
