// DescribeAcls (key 29): the ACL bindings a filter matches, grouped by resource (v0-3, flexible from v2).

import type { MessageSpec } from '../spec.ts';
import { ACL_FILTER_FIELDS, ACL_ENTRY_FIELDS, THROTTLE_TIME, ERROR_CODE, ERROR_MESSAGE, ACL_VERSIONS, ACL_FLEXIBLE } from './security-structs.ts';

export const DescribeAclsRequestSpec: MessageSpec = {
  apiKey: 29,
  name: 'DescribeAclsRequest',
  type: 'request',
  validVersions: ACL_VERSIONS,
  flexibleVersions: ACL_FLEXIBLE,
  fields: ACL_FILTER_FIELDS,
};

export const DescribeAclsResponseSpec: MessageSpec = {
  apiKey: 29,
  name: 'DescribeAclsResponse',
  type: 'response',
  validVersions: ACL_VERSIONS,
  flexibleVersions: ACL_FLEXIBLE,
  fields: [
    THROTTLE_TIME,
    ERROR_CODE,
    ERROR_MESSAGE,
    {
      name: 'resources',
      versions: '0+',
      type: {
        array: {
          fields: [
            { name: 'resourceType', type: 'int8', versions: '0+' },
            { name: 'resourceName', type: 'string', versions: '0+' },
            { name: 'patternType', type: 'int8', versions: '1+', default: 3 },
            { name: 'acls', versions: '0+', type: { array: { fields: ACL_ENTRY_FIELDS } } },
          ],
        },
      },
    },
  ],
};
