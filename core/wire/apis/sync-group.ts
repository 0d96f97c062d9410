// SyncGroup (key 14): the leader hands the coordinator every member's assignment; each member gets its own back.
// v3 static membership (KIP-345), v4 flexible (KIP-482), v5 protocol type and name both ways (KIP-559).

import type { MessageSpec } from '../spec.ts';

export const SyncGroupRequestSpec: MessageSpec = {
  apiKey: 14,
  name: 'SyncGroupRequest',
  type: 'request',
  validVersions: '0-5',
  flexibleVersions: '4+',
  fields: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'generationId', type: 'int32', versions: '0+' },
    { name: 'memberId', type: 'string', versions: '0+' },
    { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
    { name: 'protocolType', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
    { name: 'protocolName', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
    // Sent by the leader only (followers send an empty array).
    {
      name: 'assignments',
      versions: '0+',
      type: {
        array: {
          fields: [
            { name: 'memberId', type: 'string', versions: '0+' },
            // For protocolType "consumer": a ConsumerProtocolAssignment (consumer-protocol.ts).
            { name: 'assignment', type: 'bytes', versions: '0+' },
          ],
        },
      },
    },
  ],
};

export const SyncGroupResponseSpec: MessageSpec = {
  apiKey: 14,
  name: 'SyncGroupResponse',
  type: 'response',
  validVersions: '0-5',
  flexibleVersions: '4+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'protocolType', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
    { name: 'protocolName', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
    { name: 'assignment', type: 'bytes', versions: '0+' },
  ],
};
