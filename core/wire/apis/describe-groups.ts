// DescribeGroups (key 15): state, protocol and members of classic groups. v3 authorized operations (KIP-430),
// v4 members' group.instance.id (KIP-345), v5 flexible (KIP-482).

import type { MessageSpec } from '../spec.ts';

export const DescribeGroupsRequestSpec: MessageSpec = {
  apiKey: 15,
  name: 'DescribeGroupsRequest',
  type: 'request',
  validVersions: '0-5',
  flexibleVersions: '5+',
  fields: [
    { name: 'groups', type: { array: 'string' }, versions: '0+' },
    { name: 'includeAuthorizedOperations', type: 'bool', versions: '3+' },
  ],
};

export const DescribeGroupsResponseSpec: MessageSpec = {
  apiKey: 15,
  name: 'DescribeGroupsResponse',
  type: 'response',
  validVersions: '0-5',
  flexibleVersions: '5+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    {
      name: 'groups',
      versions: '0+',
      type: {
        array: {
          fields: [
            { name: 'errorCode', type: 'int16', versions: '0+' },
            { name: 'groupId', type: 'string', versions: '0+' },
            { name: 'groupState', type: 'string', versions: '0+' },
            { name: 'protocolType', type: 'string', versions: '0+' },
            // The chosen protocol's name; filled only when the group is Stable.
            { name: 'protocolData', type: 'string', versions: '0+' },
            {
              name: 'members',
              versions: '0+',
              type: {
                array: {
                  fields: [
                    { name: 'memberId', type: 'string', versions: '0+' },
                    { name: 'groupInstanceId', type: 'string', versions: '4+', nullableVersions: '4+', default: null },
                    { name: 'clientId', type: 'string', versions: '0+' },
                    { name: 'clientHost', type: 'string', versions: '0+' },
                    { name: 'memberMetadata', type: 'bytes', versions: '0+' },
                    { name: 'memberAssignment', type: 'bytes', versions: '0+' },
                  ],
                },
              },
            },
            // INT32_MIN when not requested.
            { name: 'authorizedOperations', type: 'int32', versions: '3+', default: -2147483648 },
          ],
        },
      },
    },
  ],
};
