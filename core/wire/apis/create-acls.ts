// CreateAcls (key 30): new ACL bindings, one result each (v0-3, flexible from v2; v0 bindings are LITERAL).

import type { MessageSpec } from '../spec.ts';
import { ACL_ENTRY_FIELDS, THROTTLE_TIME, ERROR_CODE, ERROR_MESSAGE, ACL_VERSIONS, ACL_FLEXIBLE } from './security-structs.ts';

export const CreateAclsRequestSpec: MessageSpec = {
  apiKey: 30,
  name: 'CreateAclsRequest',
  type: 'request',
  validVersions: ACL_VERSIONS,
  flexibleVersions: ACL_FLEXIBLE,
  fields: [
    {
      name: 'creations',
      versions: '0+',
      type: {
        array: {
          fields: [
            { name: 'resourceType', type: 'int8', versions: '0+' },
            { name: 'resourceName', type: 'string', versions: '0+' },
            { name: 'resourcePatternType', type: 'int8', versions: '1+', default: 3 },
            ...ACL_ENTRY_FIELDS,
          ],
        },
      },
    },
  ],
};

export const CreateAclsResponseSpec: MessageSpec = {
  apiKey: 30,
  name: 'CreateAclsResponse',
  type: 'response',
  validVersions: ACL_VERSIONS,
  flexibleVersions: ACL_FLEXIBLE,
  fields: [THROTTLE_TIME, { name: 'results', versions: '0+', type: { array: { fields: [ERROR_CODE, ERROR_MESSAGE] } } }],
};
