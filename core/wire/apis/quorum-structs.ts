// Structures the KRaft quorum APIs share (KIP-595, KIP-853): the endpoints of nodes and leaders
// (v1+), and the response BeginQuorumEpoch and EndQuorumEpoch have in common, field for field.

import type { MessageSpec, StructSpec } from '../spec.ts';

/** A node's endpoint, as responses name the leaders they mention (tagged, v1+). Port is an unsigned 16-bit int. */
export const NodeEndpoint: StructSpec = {
  fields: [
    { name: 'nodeId', type: 'int32', versions: '1+' },
    { name: 'host', type: 'string', versions: '1+' },
    { name: 'port', type: 'uint16', versions: '1+' },
  ],
};

/** A leader's listener endpoint, as BeginQuorumEpoch and EndQuorumEpoch requests carry them (v1+). */
export const LeaderEndpoint: StructSpec = {
  fields: [
    { name: 'name', type: 'string', versions: '1+' },
    { name: 'host', type: 'string', versions: '1+' },
    { name: 'port', type: 'uint16', versions: '1+' },
  ],
};

/** The response of BeginQuorumEpoch (53) and EndQuorumEpoch (54): the same fields in both. */
export function quorumEpochResponseSpec(apiKey: number, name: string): MessageSpec {
  return {
    apiKey,
    name,
    type: 'response',
    validVersions: '0-1',
    flexibleVersions: '1+',
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
}
