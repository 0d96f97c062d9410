// LeaveGroup (key 13): members leave a classic group. v3 batches members with group.instance.id (KIP-345),
// v4 is flexible (KIP-482), v5 adds a reason per member (KIP-800).

import type { MessageSpec } from '../spec.ts';

export const LeaveGroupRequestSpec: MessageSpec = {
  apiKey: 13,
  name: 'LeaveGroupRequest',
  type: 'request',
  validVersions: '0-5',
  flexibleVersions: '4+',
  fields: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'memberId', type: 'string', versions: '0-2' },
    {
      name: 'members',
      versions: '3+',
      type: {
        array: {
          fields: [
            { name: 'memberId', type: 'string', versions: '3+' },
            { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
            { name: 'reason', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
          ],
        },
      },
    },
  ],
};

export const LeaveGroupResponseSpec: MessageSpec = {
  apiKey: 13,
  name: 'LeaveGroupResponse',
  type: 'response',
  validVersions: '0-5',
  flexibleVersions: '4+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    {
      name: 'members',
      versions: '3+',
      type: {
        array: {
          fields: [
            { name: 'memberId', type: 'string', versions: '3+' },
            { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+' },
            { name: 'errorCode', type: 'int16', versions: '3+' },
          ],
        },
      },
    },
  ],
};
