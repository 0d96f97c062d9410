// ApiVersions (key 18): the API version ranges a broker supports. v3 (KIP-511) adds the client's software name and
// version; the response's tagged feature fields come from KIP-584. Fields from apache/kafka's ApiVersions*.json.
//
// Framing note (not part of this body spec): the ApiVersions RESPONSE header is always response header v0 (no tag
// buffer), even for the flexible versions v3+, so that a client of any version can read the error code.

import type { MessageSpec } from '../spec.ts';

export const ApiVersionsRequestSpec: MessageSpec = {
  apiKey: 18,
  name: 'ApiVersionsRequest',
  type: 'request',
  validVersions: '0-4',
  flexibleVersions: '3+',
  fields: [
    { name: 'clientSoftwareName', type: 'string', versions: '3+' },
    { name: 'clientSoftwareVersion', type: 'string', versions: '3+' },
  ],
};

export const ApiVersionsResponseSpec: MessageSpec = {
  apiKey: 18,
  name: 'ApiVersionsResponse',
  type: 'response',
  validVersions: '0-4',
  flexibleVersions: '3+',
  fields: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    {
      name: 'apiKeys',
      versions: '0+',
      type: {
        array: {
          fields: [
            { name: 'apiKey', type: 'int16', versions: '0+' },
            { name: 'minVersion', type: 'int16', versions: '0+' },
            { name: 'maxVersion', type: 'int16', versions: '0+' },
          ],
        },
      },
    },
    // After the array (unlike most responses, where the throttle time comes first).
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    {
      name: 'supportedFeatures',
      versions: '3+',
      taggedVersions: '3+',
      tag: 0,
      type: {
        array: {
          fields: [
            { name: 'name', type: 'string', versions: '3+' },
            { name: 'minVersion', type: 'int16', versions: '3+' },
            { name: 'maxVersion', type: 'int16', versions: '3+' },
          ],
        },
      },
    },
    { name: 'finalizedFeaturesEpoch', type: 'int64', versions: '3+', taggedVersions: '3+', tag: 1, default: -1 },
    {
      name: 'finalizedFeatures',
      versions: '3+',
      taggedVersions: '3+',
      tag: 2,
      type: {
        array: {
          fields: [
            { name: 'name', type: 'string', versions: '3+' },
            { name: 'maxVersionLevel', type: 'int16', versions: '3+' },
            { name: 'minVersionLevel', type: 'int16', versions: '3+' },
          ],
        },
      },
    },
    { name: 'zkMigrationReady', type: 'bool', versions: '3+', taggedVersions: '3+', tag: 3, default: false },
  ],
};
