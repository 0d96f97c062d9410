// CreatePartitions (key 37): grow a topic's partition count (KIP-195). v2 flexible, v3 may return
// THROTTLING_QUOTA_EXCEEDED (KIP-599).

import type { MessageSpec } from '../spec.ts';

export const CreatePartitionsRequestSpec: MessageSpec = {
  apiKey: 37,
  name: 'CreatePartitionsRequest',
  type: 'request',
  validVersions: '0-3',
  flexibleVersions: '2+',
  fields: [
    {
      name: 'topics',
      versions: '0+',
      type: {
        array: {
          fields: [
            { name: 'name', type: 'string', versions: '0+' },
            // The new total partition count.
            { name: 'count', type: 'int32', versions: '0+' },
            // null = the broker places the new partitions.
            {
              name: 'assignments',
              versions: '0+',
              nullableVersions: '0+',
              type: { array: { fields: [{ name: 'brokerIds', type: { array: 'int32' }, versions: '0+' }] } },
            },
          ],
        },
      },
    },
    { name: 'timeoutMs', type: 'int32', versions: '0+' },
    { name: 'validateOnly', type: 'bool', versions: '0+' },
  ],
};

export const CreatePartitionsResponseSpec: MessageSpec = {
  apiKey: 37,
  name: 'CreatePartitionsResponse',
  type: 'response',
  validVersions: '0-3',
  flexibleVersions: '2+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    {
      name: 'results',
      versions: '0+',
      type: {
        array: {
          fields: [
            { name: 'name', type: 'string', versions: '0+' },
            { name: 'errorCode', type: 'int16', versions: '0+' },
            { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+', default: null },
          ],
        },
      },
    },
  ],
};
