// DescribeConfigs (key 32): topic and broker configuration (KIP-133). v1 adds config sources and synonyms (KIP-226),
// v3 config types and documentation (KIP-569), v4 flexible.

import type { MessageSpec } from '../spec.ts';

export const DescribeConfigsRequestSpec: MessageSpec = {
  apiKey: 32,
  name: 'DescribeConfigsRequest',
  type: 'request',
  validVersions: '0-4',
  flexibleVersions: '4+',
  fields: [
    {
      name: 'resources',
      versions: '0+',
      type: {
        array: {
          fields: [
            // 2 = topic, 4 = broker, 8 = broker logger.
            { name: 'resourceType', type: 'int8', versions: '0+' },
            { name: 'resourceName', type: 'string', versions: '0+' },
            // null = all keys.
            { name: 'configurationKeys', type: { array: 'string' }, versions: '0+', nullableVersions: '0+' },
          ],
        },
      },
    },
    { name: 'includeSynonyms', type: 'bool', versions: '1+', default: false },
    { name: 'includeDocumentation', type: 'bool', versions: '3+', default: false },
  ],
};

export const DescribeConfigsResponseSpec: MessageSpec = {
  apiKey: 32,
  name: 'DescribeConfigsResponse',
  type: 'response',
  validVersions: '0-4',
  flexibleVersions: '4+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'results',
      versions: '0+',
      type: {
        array: {
          fields: [
            { name: 'errorCode', type: 'int16', versions: '0+' },
            { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
            { name: 'resourceType', type: 'int8', versions: '0+' },
            { name: 'resourceName', type: 'string', versions: '0+' },
            {
              name: 'configs',
              versions: '0+',
              type: {
                array: {
                  fields: [
                    { name: 'name', type: 'string', versions: '0+' },
                    { name: 'value', type: 'string', versions: '0+', nullableVersions: '0+' },
                    { name: 'readOnly', type: 'bool', versions: '0+' },
                    // v0 only; v1+ carries configSource instead.
                    { name: 'isDefault', type: 'bool', versions: '0' },
                    { name: 'configSource', type: 'int8', versions: '1+', default: -1 },
                    { name: 'isSensitive', type: 'bool', versions: '0+' },
                    {
                      name: 'synonyms',
                      versions: '1+',
                      type: {
                        array: {
                          fields: [
                            { name: 'name', type: 'string', versions: '1+' },
                            { name: 'value', type: 'string', versions: '1+', nullableVersions: '0+' },
                            { name: 'source', type: 'int8', versions: '1+' },
                          ],
                        },
                      },
                    },
                    { name: 'configType', type: 'int8', versions: '3+', default: 0 },
                    { name: 'documentation', type: 'string', versions: '3+', nullableVersions: '0+' },
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
