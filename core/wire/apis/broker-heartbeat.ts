// BrokerHeartbeat (key 63): a KRaft broker's lease renewal with the active controller (KIP-631); the reply says whether it
// is fenced, caught up, or may shut down. v1 adds the offline log dirs as a tagged field (KIP-858).

import type { MessageSpec } from '../spec.ts';

export const BrokerHeartbeatRequestSpec: MessageSpec = {
  apiKey: 63,
  name: 'BrokerHeartbeatRequest',
  type: 'request',
  validVersions: '0-1',
  flexibleVersions: '0+',
  fields: [
    { name: 'brokerId', type: 'int32', versions: '0+' },
    { name: 'brokerEpoch', type: 'int64', versions: '0+', default: -1 },
    { name: 'currentMetadataOffset', type: 'int64', versions: '0+' },
    { name: 'wantFence', type: 'bool', versions: '0+' },
    { name: 'wantShutDown', type: 'bool', versions: '0+' },
    { name: 'offlineLogDirs', type: { array: 'uuid' }, versions: '1+', taggedVersions: '1+', tag: 0 },
  ],
};

export const BrokerHeartbeatResponseSpec: MessageSpec = {
  apiKey: 63,
  name: 'BrokerHeartbeatResponse',
  type: 'response',
  validVersions: '0-1',
  flexibleVersions: '0+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'isCaughtUp', type: 'bool', versions: '0+', default: false },
    { name: 'isFenced', type: 'bool', versions: '0+', default: true },
    { name: 'shouldShutDown', type: 'bool', versions: '0+' },
  ],
};
