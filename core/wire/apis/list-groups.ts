// ListGroups (key 16): the groups a broker coordinates. v3 flexible (KIP-482), v4 states filter and group state
// (KIP-518), v5 types filter and group type (KIP-848).

import type { MessageSpec } from '../spec.ts';

export const ListGroupsRequestSpec: MessageSpec = {
  apiKey: 16,
  name: 'ListGroupsRequest',
  type: 'request',
  validVersions: '0-5',
  flexibleVersions: '3+',
  fields: [
    { name: 'statesFilter', type: { array: 'string' }, versions: '4+' },
    { name: 'typesFilter', type: { array: 'string' }, versions: '5+' },
  ],
};

export const ListGroupsResponseSpec: MessageSpec = {
  apiKey: 16,
  name: 'ListGroupsResponse',
  type: 'response',
  validVersions: '0-5',
  flexibleVersions: '3+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    {
      name: 'groups',
      versions: '0+',
      type: {
        array: {
          fields: [
            { name: 'groupId', type: 'string', versions: '0+' },
            { name: 'protocolType', type: 'string', versions: '0+' },
            { name: 'groupState', type: 'string', versions: '4+' },
            { name: 'groupType', type: 'string', versions: '5+' },
          ],
        },
      },
    },
  ],
};
