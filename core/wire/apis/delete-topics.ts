// DeleteTopics (key 20): admin topic deletion, sent to the controller. v4 flexible, v5 error messages (KIP-599),
// v6 topics by name or id (KIP-516).

import type { MessageSpec } from '../spec.ts';

export const DeleteTopicsRequestSpec: MessageSpec = {
  apiKey: 20,
  name: 'DeleteTopicsRequest',
  type: 'request',
  validVersions: '0-6',
  flexibleVersions: '4+',
  fields: [
    {
      name: 'topics',
      versions: '6+',
      type: {
        array: {
          fields: [
            { name: 'name', type: 'string', versions: '6+', nullableVersions: '6+', default: null },
            { name: 'topicId', type: 'uuid', versions: '6+' },
          ],
        },
      },
    },
    { name: 'topicNames', type: { array: 'string' }, versions: '0-5' },
    { name: 'timeoutMs', type: 'int32', versions: '0+' },
  ],
};

export const DeleteTopicsResponseSpec: MessageSpec = {
  apiKey: 20,
  name: 'DeleteTopicsResponse',
  type: 'response',
  validVersions: '0-6',
  flexibleVersions: '4+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    {
      name: 'responses',
      versions: '0+',
      type: {
        array: {
          fields: [
            { name: 'name', type: 'string', versions: '0+', nullableVersions: '6+' },
            { name: 'topicId', type: 'uuid', versions: '6+' },
            { name: 'errorCode', type: 'int16', versions: '0+' },
            { name: 'errorMessage', type: 'string', versions: '5+', nullableVersions: '5+', default: null },
          ],
        },
      },
    },
  ],
};
