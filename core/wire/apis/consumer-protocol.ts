// The consumer protocol's payloads (not APIs): ConsumerProtocolSubscription goes in JoinGroup's protocol metadata and
// ConsumerProtocolAssignment in SyncGroup's assignment bytes (KIP-429 owned partitions, KIP-792 generation, KIP-881 rack).
//
// Framing: the bytes start with an int16 version that these specs do NOT include. A caller reads that int16, decodes the
// rest with the spec at min(version, 3) (Kafka parses newer versions with its newest format and ignores trailing bytes,
// so a version above 3 is read as 3 with readMessage on a WireReader, leaving any extra tail unread, where decodeMessage
// would reject it), and writes the int16 before encoding. Beware kafkajs: it writes version 1 over a version-0 body.
// The coordinator never needs to look inside; these are for tests, tooling and client-side assignors.
// apiKey -1: not an API. `type` is only nominal here (Kafka calls them "data"): the subscription travels in a request
// (JoinGroup), the assignment reaches members in a response (SyncGroup).

import type { MessageSpec } from '../spec.ts';

export const ConsumerProtocolSubscriptionSpec: MessageSpec = {
  apiKey: -1,
  name: 'ConsumerProtocolSubscription',
  type: 'data',
  validVersions: '0-3',
  flexibleVersions: 'none',
  fields: [
    { name: 'topics', type: { array: 'string' }, versions: '0+' },
    { name: 'userData', type: 'bytes', versions: '0+', nullableVersions: '0+', default: null },
    {
      name: 'ownedPartitions',
      versions: '1+',
      type: {
        array: {
          fields: [
            { name: 'topic', type: 'string', versions: '1+' },
            { name: 'partitions', type: { array: 'int32' }, versions: '1+' },
          ],
        },
      },
    },
    { name: 'generationId', type: 'int32', versions: '2+', default: -1 },
    { name: 'rackId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
  ],
};

export const ConsumerProtocolAssignmentSpec: MessageSpec = {
  apiKey: -1,
  name: 'ConsumerProtocolAssignment',
  type: 'data',
  validVersions: '0-3',
  flexibleVersions: 'none',
  fields: [
    {
      name: 'assignedPartitions',
      versions: '0+',
      type: {
        array: {
          fields: [
            { name: 'topic', type: 'string', versions: '0+' },
            { name: 'partitions', type: { array: 'int32' }, versions: '0+' },
          ],
        },
      },
    },
    { name: 'userData', type: 'bytes', versions: '0+', nullableVersions: '0+', default: null },
  ],
};
