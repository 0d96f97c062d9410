// Fetch (key 1): consumers, followers and KRaft voters read records. v4 isolation level, v7 fetch sessions (KIP-227),
// v9 leader epochs (KIP-320), v11 rack (KIP-392), v12 flexible + diverging epoch (KIP-595), v13 topic ids (KIP-516),
// v15 replica state (KIP-903), v16 node endpoints (KIP-951), v17 replica directory id (KIP-853).

import type { MessageSpec, StructSpec } from '../spec.ts';

const FetchPartition: StructSpec = {
  fields: [
    { name: 'partition', type: 'int32', versions: '0+' },
    { name: 'currentLeaderEpoch', type: 'int32', versions: '9+', default: -1 },
    { name: 'fetchOffset', type: 'int64', versions: '0+' },
    { name: 'lastFetchedEpoch', type: 'int32', versions: '12+', default: -1 },
    // Only meaningful from a follower.
    { name: 'logStartOffset', type: 'int64', versions: '5+', default: -1 },
    { name: 'partitionMaxBytes', type: 'int32', versions: '0+' },
    { name: 'replicaDirectoryId', type: 'uuid', versions: '17+', taggedVersions: '17+', tag: 0 },
  ],
};

export const FetchRequestSpec: MessageSpec = {
  apiKey: 1,
  name: 'FetchRequest',
  type: 'request',
  validVersions: '0-17',
  flexibleVersions: '12+',
  fields: [
    { name: 'clusterId', type: 'string', versions: '12+', nullableVersions: '12+', default: null, taggedVersions: '12+', tag: 0 },
    // -1 for a consumer; from v15 the follower's id travels in the tagged replicaState instead.
    { name: 'replicaId', type: 'int32', versions: '0-14', default: -1 },
    {
      name: 'replicaState',
      versions: '15+',
      taggedVersions: '15+',
      tag: 1,
      type: {
        fields: [
          { name: 'replicaId', type: 'int32', versions: '15+', default: -1 },
          { name: 'replicaEpoch', type: 'int64', versions: '15+', default: -1 },
        ],
      },
    },
    { name: 'maxWaitMs', type: 'int32', versions: '0+' },
    { name: 'minBytes', type: 'int32', versions: '0+' },
    { name: 'maxBytes', type: 'int32', versions: '3+', default: 0x7fffffff },
    { name: 'isolationLevel', type: 'int8', versions: '4+', default: 0 },
    { name: 'sessionId', type: 'int32', versions: '7+', default: 0 },
    { name: 'sessionEpoch', type: 'int32', versions: '7+', default: -1 },
    {
      name: 'topics',
      versions: '0+',
      type: {
        array: {
          fields: [
            { name: 'topic', type: 'string', versions: '0-12' },
            { name: 'topicId', type: 'uuid', versions: '13+' },
            { name: 'partitions', type: { array: FetchPartition }, versions: '0+' },
          ],
        },
      },
    },
    {
      name: 'forgottenTopicsData',
      versions: '7+',
      type: {
        array: {
          fields: [
            { name: 'topic', type: 'string', versions: '7-12' },
            { name: 'topicId', type: 'uuid', versions: '13+' },
            { name: 'partitions', type: { array: 'int32' }, versions: '7+' },
          ],
        },
      },
    },
    { name: 'rackId', type: 'string', versions: '11+', default: '' },
  ],
};

const PartitionData: StructSpec = {
  fields: [
    { name: 'partitionIndex', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'highWatermark', type: 'int64', versions: '0+' },
    { name: 'lastStableOffset', type: 'int64', versions: '4+', default: -1 },
    { name: 'logStartOffset', type: 'int64', versions: '5+', default: -1 },
    {
      name: 'divergingEpoch',
      versions: '12+',
      taggedVersions: '12+',
      tag: 0,
      type: {
        fields: [
          { name: 'epoch', type: 'int32', versions: '12+', default: -1 },
          { name: 'endOffset', type: 'int64', versions: '12+', default: -1 },
        ],
      },
    },
    {
      name: 'currentLeader',
      versions: '12+',
      taggedVersions: '12+',
      tag: 1,
      type: {
        fields: [
          { name: 'leaderId', type: 'int32', versions: '12+', default: -1 },
          { name: 'leaderEpoch', type: 'int32', versions: '12+', default: -1 },
        ],
      },
    },
    {
      name: 'snapshotId',
      versions: '12+',
      taggedVersions: '12+',
      tag: 2,
      type: {
        fields: [
          { name: 'endOffset', type: 'int64', versions: '0+', default: -1 },
          { name: 'epoch', type: 'int32', versions: '0+', default: -1 },
        ],
      },
    },
    {
      name: 'abortedTransactions',
      versions: '4+',
      nullableVersions: '4+',
      type: {
        array: {
          fields: [
            { name: 'producerId', type: 'int64', versions: '4+' },
            { name: 'firstOffset', type: 'int64', versions: '4+' },
          ],
        },
      },
    },
    { name: 'preferredReadReplica', type: 'int32', versions: '11+', default: -1 },
    { name: 'records', type: 'records', versions: '0+', nullableVersions: '0+' },
  ],
};

export const FetchResponseSpec: MessageSpec = {
  apiKey: 1,
  name: 'FetchResponse',
  type: 'response',
  validVersions: '0-17',
  flexibleVersions: '12+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '7+' },
    // 0 = not part of a fetch session.
    { name: 'sessionId', type: 'int32', versions: '7+', default: 0 },
    {
      name: 'responses',
      versions: '0+',
      type: {
        array: {
          fields: [
            { name: 'topic', type: 'string', versions: '0-12' },
            { name: 'topicId', type: 'uuid', versions: '13+' },
            { name: 'partitions', type: { array: PartitionData }, versions: '0+' },
          ],
        },
      },
    },
    {
      name: 'nodeEndpoints',
      versions: '16+',
      taggedVersions: '16+',
      tag: 0,
      type: {
        array: {
          fields: [
            { name: 'nodeId', type: 'int32', versions: '16+' },
            { name: 'host', type: 'string', versions: '16+' },
            { name: 'port', type: 'int32', versions: '16+' },
            { name: 'rack', type: 'string', versions: '16+', nullableVersions: '16+', default: null },
          ],
        },
      },
    },
  ],
};
