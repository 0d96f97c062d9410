// IncrementalAlterConfigs (key 44): set, delete, append to or subtract from configs of topics and
// brokers, one operation per config (KIP-339). v1 is flexible (KIP-482).

import type { MessageSpec } from '../spec.ts';

export const IncrementalAlterConfigsRequestSpec: MessageSpec = {
  apiKey: 44,
  name: 'IncrementalAlterConfigsRequest',
  type: 'request',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [
    {
      name: 'resources',
      versions: '0+',
      type: {
        array: {
          fields: [
            { name: 'resourceType', type: 'int8', versions: '0+' },
            { name: 'resourceName', type: 'string', versions: '0+' },
            {
              name: 'configs',
              versions: '0+',
              type: {
                array: {
                  fields: [
                    { name: 'name', type: 'string', versions: '0+' },
                    // 0 SET, 1 DELETE, 2 APPEND, 3 SUBTRACT.
                    { name: 'configOperation', type: 'int8', versions: '0+' },
                    { name: 'value', type: 'string', versions: '0+', nullableVersions: '0+' },
                  ],
                },
              },
            },
          ],
        },
      },
    },
    { name: 'validateOnly', type: 'bool', versions: '0+' },
  ],
};

export const IncrementalAlterConfigsResponseSpec: MessageSpec = {
  apiKey: 44,
  name: 'IncrementalAlterConfigsResponse',
  type: 'response',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'responses',
      versions: '0+',
      type: {
        array: {
          fields: [
            { name: 'errorCode', type: 'int16', versions: '0+' },
            { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
            { name: 'resourceType', type: 'int8', versions: '0+' },
            { name: 'resourceName', type: 'string', versions: '0+' },
          ],
        },
      },
    },
  ],
};
