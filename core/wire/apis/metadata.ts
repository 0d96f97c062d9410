// Metadata (key 3): brokers, controller and topic/partition leadership. v4 adds auto-creation, v7 leader epochs
// (KIP-320), v8 authorized operations (KIP-430), v10+ topic ids (KIP-516; usable in requests from v12).

import type { MessageSpec, StructSpec } from '../spec.ts';

export const MetadataRequestSpec: MessageSpec = {
  apiKey: 3,
  name: 'MetadataRequest',
  type: 'request',
  validVersions: '0-12',
  flexibleVersions: '9+',
  fields: [
    // v0: an empty array means all topics; v1+: null means all topics, empty means none.
    {
      name: 'topics',
      versions: '0+',
      nullableVersions: '1+',
      type: {
        array: {
          fields: [
            { name: 'topicId', type: 'uuid', versions: '10+' },
            { name: 'name', type: 'string', versions: '0+', nullableVersions: '10+' },
          ],
        },
      },
    },
    { name: 'allowAutoTopicCreation', type: 'bool', versions: '4+', default: true },
    { name: 'includeClusterAuthorizedOperations', type: 'bool', versions: '8-10' },
    { name: 'includeTopicAuthorizedOperations', type: 'bool', versions: '8+' },
  ],
};

const MetadataResponseBroker: StructSpec = {
  fields: [
    { name: 'nodeId', type: 'int32', versions: '0+' },
    { name: 'host', type: 'string', versions: '0+' },
    { name: 'port', type: 'int32', versions: '0+' },
    { name: 'rack', type: 'string', versions: '1+', nullableVersions: '1+', default: null },
  ],
};

const MetadataResponsePartition: StructSpec = {
  fields: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'partitionIndex', type: 'int32', versions: '0+' },
    { name: 'leaderId', type: 'int32', versions: '0+' },
    { name: 'leaderEpoch', type: 'int32', versions: '7+', default: -1 },
    { name: 'replicaNodes', type: { array: 'int32' }, versions: '0+' },
    { name: 'isrNodes', type: { array: 'int32' }, versions: '0+' },
    { name: 'offlineReplicas', type: { array: 'int32' }, versions: '5+' },
  ],
};

const MetadataResponseTopic: StructSpec = {
  fields: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'name', type: 'string', versions: '0+', nullableVersions: '12+' },
    { name: 'topicId', type: 'uuid', versions: '10+' },
    { name: 'isInternal', type: 'bool', versions: '1+', default: false },
    { name: 'partitions', type: { array: MetadataResponsePartition }, versions: '0+' },
    { name: 'topicAuthorizedOperations', type: 'int32', versions: '8+', default: -2147483648 },
  ],
};

export const MetadataResponseSpec: MessageSpec = {
  apiKey: 3,
  name: 'MetadataResponse',
  type: 'response',
  validVersions: '0-12',
  flexibleVersions: '9+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '3+' },
    { name: 'brokers', type: { array: MetadataResponseBroker }, versions: '0+' },
    { name: 'clusterId', type: 'string', versions: '2+', nullableVersions: '2+', default: null },
    { name: 'controllerId', type: 'int32', versions: '1+', default: -1 },
    { name: 'topics', type: { array: MetadataResponseTopic }, versions: '0+' },
    { name: 'clusterAuthorizedOperations', type: 'int32', versions: '8-10', default: -2147483648 },
  ],
};
