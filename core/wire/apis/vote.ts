// Vote (key 52): a KRaft candidate asks the voters for their vote (KIP-595). v1 adds the voter key, directory ids
// and the leader endpoints (KIP-853); v2 the pre-vote flag (KIP-996).

import type { MessageSpec } from '../spec.ts';
import { NodeEndpoint } from './quorum-structs.ts';

export const VoteRequestSpec: MessageSpec = {
  apiKey: 52,
  name: 'VoteRequest',
  type: 'request',
  validVersions: '0-2',
  flexibleVersions: '0+',
  fields: [
    { name: 'clusterId', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
    // The replica receiving the request.
    { name: 'voterId', type: 'int32', versions: '1+', default: -1 },
    {
      name: 'topics',
      versions: '0+',
      type: {
        array: {
          fields: [
            { name: 'topicName', type: 'string', versions: '0+' },
            {
              name: 'partitions',
              versions: '0+',
              type: {
                array: {
                  fields: [
                    { name: 'partitionIndex', type: 'int32', versions: '0+' },
                    { name: 'candidateEpoch', type: 'int32', versions: '0+' },
                    { name: 'candidateId', type: 'int32', versions: '0+' },
                    { name: 'candidateDirectoryId', type: 'uuid', versions: '1+' },
                    { name: 'voterDirectoryId', type: 'uuid', versions: '1+' },
                    { name: 'lastOffsetEpoch', type: 'int32', versions: '0+' },
                    { name: 'lastOffset', type: 'int64', versions: '0+' },
                    // KIP-996: a pre-vote, which the voter neither persists nor lets bump its epoch.
                    { name: 'preVote', type: 'bool', versions: '2+' },
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

export const VoteResponseSpec: MessageSpec = {
  apiKey: 52,
  name: 'VoteResponse',
  type: 'response',
  validVersions: '0-2',
  flexibleVersions: '0+',
  fields: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    {
      name: 'topics',
      versions: '0+',
      type: {
        array: {
          fields: [
            { name: 'topicName', type: 'string', versions: '0+' },
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
                    { name: 'voteGranted', type: 'bool', versions: '0+' },
                  ],
                },
              },
            },
          ],
        },
      },
    },
    { name: 'nodeEndpoints', type: { array: NodeEndpoint }, versions: '1+', taggedVersions: '1+', tag: 0 },
  ],
};
