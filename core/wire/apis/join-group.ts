// JoinGroup (key 11): a member joins a classic group and the leader learns every member's metadata. v4 MEMBER_ID_REQUIRED
// (KIP-394), v5 static membership (KIP-345), v6 flexible (KIP-482), v7 protocol type (KIP-559), v8 reason (KIP-800), v9 skipAssignment (KIP-814).

import type { MessageSpec } from '../spec.ts';

export const JoinGroupRequestSpec: MessageSpec = {
  apiKey: 11,
  name: 'JoinGroupRequest',
  type: 'request',
  validVersions: '0-9',
  flexibleVersions: '6+',
  fields: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'sessionTimeoutMs', type: 'int32', versions: '0+' },
    // Absent in v0: the coordinator then uses sessionTimeoutMs (the -1 is only a placeholder).
    { name: 'rebalanceTimeoutMs', type: 'int32', versions: '1+', default: -1 },
    { name: 'memberId', type: 'string', versions: '0+' },
    { name: 'groupInstanceId', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
    { name: 'protocolType', type: 'string', versions: '0+' },
    {
      name: 'protocols',
      versions: '0+',
      type: {
        array: {
          fields: [
            { name: 'name', type: 'string', versions: '0+' },
            // For protocolType "consumer": a ConsumerProtocolSubscription (consumer-protocol.ts).
            { name: 'metadata', type: 'bytes', versions: '0+' },
          ],
        },
      },
    },
    { name: 'reason', type: 'string', versions: '8+', nullableVersions: '8+', default: null },
  ],
};

export const JoinGroupResponseSpec: MessageSpec = {
  apiKey: 11,
  name: 'JoinGroupResponse',
  type: 'response',
  validVersions: '0-9',
  flexibleVersions: '6+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '2+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'generationId', type: 'int32', versions: '0+', default: -1 },
    { name: 'protocolType', type: 'string', versions: '7+', nullableVersions: '7+', default: null },
    { name: 'protocolName', type: 'string', versions: '0+', nullableVersions: '7+' },
    { name: 'leader', type: 'string', versions: '0+' },
    { name: 'skipAssignment', type: 'bool', versions: '9+', default: false },
    { name: 'memberId', type: 'string', versions: '0+' },
    // Filled only in the leader's response.
    {
      name: 'members',
      versions: '0+',
      type: {
        array: {
          fields: [
            { name: 'memberId', type: 'string', versions: '0+' },
            { name: 'groupInstanceId', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
            { name: 'metadata', type: 'bytes', versions: '0+' },
          ],
        },
      },
    },
  ],
};
