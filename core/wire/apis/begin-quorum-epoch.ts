// BeginQuorumEpoch (key 53): a newly elected KRaft leader announces its epoch to the voters (KIP-595). v1 is flexible and
// adds the voter key and the leader's endpoints (KIP-853).

import type { MessageSpec } from '../spec.ts';
import { LeaderEndpoint, quorumEpochResponseSpec } from './quorum-structs.ts';

export const BeginQuorumEpochRequestSpec: MessageSpec = {
  apiKey: 53,
  name: 'BeginQuorumEpochRequest',
  type: 'request',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [
    { name: 'clusterId', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
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
                    { name: 'voterDirectoryId', type: 'uuid', versions: '1+' },
                    { name: 'leaderId', type: 'int32', versions: '0+' },
                    { name: 'leaderEpoch', type: 'int32', versions: '0+' },
                  ],
                },
              },
            },
          ],
        },
      },
    },
    { name: 'leaderEndpoints', type: { array: LeaderEndpoint }, versions: '1+' },
  ],
};

export const BeginQuorumEpochResponseSpec: MessageSpec = quorumEpochResponseSpec(53, 'BeginQuorumEpochResponse');
