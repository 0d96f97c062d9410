// FindCoordinator (key 10): which broker coordinates a group or transactional id. v1 adds the key type (KIP-98),
// v3 is flexible (KIP-482), v4 batches keys (KIP-699), v5 TRANSACTION_ABORTABLE (KIP-890), v6 share groups (KIP-932).

import type { MessageSpec } from '../spec.ts';

export const FindCoordinatorRequestSpec: MessageSpec = {
  apiKey: 10,
  name: 'FindCoordinatorRequest',
  type: 'request',
  validVersions: '0-6',
  flexibleVersions: '3+',
  fields: [
    { name: 'key', type: 'string', versions: '0-3' },
    // 0 group, 1 transaction, 2 share group.
    { name: 'keyType', type: 'int8', versions: '1+', default: 0 },
    { name: 'coordinatorKeys', type: { array: 'string' }, versions: '4+' },
  ],
};

export const FindCoordinatorResponseSpec: MessageSpec = {
  apiKey: 10,
  name: 'FindCoordinatorResponse',
  type: 'response',
  validVersions: '0-6',
  flexibleVersions: '3+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0-3' },
    { name: 'errorMessage', type: 'string', versions: '1-3', nullableVersions: '1-3' },
    { name: 'nodeId', type: 'int32', versions: '0-3' },
    { name: 'host', type: 'string', versions: '0-3' },
    { name: 'port', type: 'int32', versions: '0-3' },
    {
      name: 'coordinators',
      versions: '4+',
      type: {
        array: {
          fields: [
            { name: 'key', type: 'string', versions: '4+' },
            { name: 'nodeId', type: 'int32', versions: '4+' },
            { name: 'host', type: 'string', versions: '4+' },
            { name: 'port', type: 'int32', versions: '4+' },
            { name: 'errorCode', type: 'int16', versions: '4+' },
            { name: 'errorMessage', type: 'string', versions: '4+', nullableVersions: '4+' },
          ],
        },
      },
    },
  ],
};
