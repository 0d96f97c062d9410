// EndQuorumEpoch (key 54): a resigning KRaft leader asks the voters to start an election (KIP-595). v1 is flexible,
// replaces preferredSuccessors by preferredCandidates with directory ids and adds the leader's endpoints (KIP-853).

import type { MessageSpec } from '../spec.ts';
import { LeaderEndpoint, quorumEpochResponseSpec } from './quorum-structs.ts';

export const EndQuorumEpochRequestSpec: MessageSpec = {
  apiKey: 54,
  name: 'EndQuorumEpochRequest',
  type: 'request',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [
    { name: 'clusterId', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
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
                    { name: 'leaderId', type: 'int32', versions: '0+' },
                    { name: 'leaderEpoch', type: 'int32', versions: '0+' },
                    { name: 'preferredSuccessors', type: { array: 'int32' }, versions: '0' },
                    {
                      name: 'preferredCandidates',
                      versions: '1+',
                      type: {
                        array: {
                          fields: [
                            { name: 'candidateId', type: 'int32', versions: '1+' },
                            { name: 'candidateDirectoryId', type: 'uuid', versions: '1+' },
                          ],
                        },
                      },
                    },
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

export const EndQuorumEpochResponseSpec: MessageSpec = quorumEpochResponseSpec(54, 'EndQuorumEpochResponse');
