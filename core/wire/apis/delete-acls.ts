// DeleteAcls (key 31): per filter, the ACL bindings it removed (v0-3, flexible from v2).

import type { MessageSpec } from '../spec.ts';
import { ACL_FILTER_FIELDS, ACL_ENTRY_FIELDS, THROTTLE_TIME, ERROR_CODE, ERROR_MESSAGE, ACL_VERSIONS, ACL_FLEXIBLE } from './security-structs.ts';

export const DeleteAclsRequestSpec: MessageSpec = {
  apiKey: 31,
  name: 'DeleteAclsRequest',
  type: 'request',
  validVersions: ACL_VERSIONS,
  flexibleVersions: ACL_FLEXIBLE,
  fields: [{ name: 'filters', versions: '0+', type: { array: { fields: ACL_FILTER_FIELDS } } }],
};

export const DeleteAclsResponseSpec: MessageSpec = {
  apiKey: 31,
  name: 'DeleteAclsResponse',
  type: 'response',
  validVersions: ACL_VERSIONS,
  flexibleVersions: ACL_FLEXIBLE,
  fields: [
    THROTTLE_TIME,
    {
      name: 'filterResults',
      versions: '0+',
      type: {
        array: {
          fields: [
            ERROR_CODE,
            ERROR_MESSAGE,
            {
              name: 'matchingAcls',
              versions: '0+',
              type: {
                array: {
                  fields: [
                    ERROR_CODE,
                    ERROR_MESSAGE,
                    { name: 'resourceType', type: 'int8', versions: '0+' },
                    { name: 'resourceName', type: 'string', versions: '0+' },
                    { name: 'patternType', type: 'int8', versions: '1+', default: 3 },
                    ...ACL_ENTRY_FIELDS,
                  ],
                },
              },
            },
          ],
        },
      },
    },
  ],
};
