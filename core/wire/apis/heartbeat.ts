// Heartbeat (key 12): a classic-group member tells its coordinator it is alive (and learns of rebalances).
// v3 adds groupInstanceId for static membership (KIP-345); v4 is flexible (KIP-482).

import type { MessageSpec } from '../spec.ts';

export const HeartbeatRequestSpec: MessageSpec = {
  apiKey: 12,
  name: 'HeartbeatRequest',
  type: 'request',
  validVersions: '0-4',
  flexibleVersions: '4+',
  fields: [
    { name: 'groupId', type: 'string', versions: '0+' },
    { name: 'generationId', type: 'int32', versions: '0+' },
    { name: 'memberId', type: 'string', versions: '0+' },
    { name: 'groupInstanceId', type: 'string', versions: '3+', nullableVersions: '3+', default: null },
  ],
};

export const HeartbeatResponseSpec: MessageSpec = {
  apiKey: 12,
  name: 'HeartbeatResponse',
  type: 'response',
  validVersions: '0-4',
  flexibleVersions: '4+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '1+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
  ],
};
