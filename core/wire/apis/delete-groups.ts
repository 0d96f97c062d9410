// DeleteGroups (key 42): delete empty consumer groups and their committed offsets (KIP-229). v2 is flexible (KIP-482).

import type { MessageSpec } from '../spec.ts';

export const DeleteGroupsRequestSpec: MessageSpec = {
  apiKey: 42,
  name: 'DeleteGroupsRequest',
  type: 'request',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [{ name: 'groupsNames', type: { array: 'string' }, versions: '0+' }],
};

export const DeleteGroupsResponseSpec: MessageSpec = {
  apiKey: 42,
  name: 'DeleteGroupsResponse',
  type: 'response',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'results',
      versions: '0+',
      type: {
        array: {
          fields: [
            { name: 'groupId', type: 'string', versions: '0+' },
            { name: 'errorCode', type: 'int16', versions: '0+' },
          ],
        },
      },
    },
  ],
};
