// BrokerRegistration (key 62): a KRaft broker registers with the controller quorum (KIP-631). v1 ZK migration flag
// (KIP-866), v2 log dirs (KIP-858), v3 previous broker epoch (KIP-966), v4 allows features with min version 0 (KAFKA-17011).

import type { MessageSpec } from '../spec.ts';

export const BrokerRegistrationRequestSpec: MessageSpec = {
  apiKey: 62,
  name: 'BrokerRegistrationRequest',
  type: 'request',
  validVersions: '0-4',
  flexibleVersions: '0+',
  fields: [
    { name: 'brokerId', type: 'int32', versions: '0+' },
    { name: 'clusterId', type: 'string', versions: '0+' },
    // A new random id per broker process start.
    { name: 'incarnationId', type: 'uuid', versions: '0+' },
    {
      name: 'listeners',
      versions: '0+',
      type: {
        array: {
          fields: [
            { name: 'name', type: 'string', versions: '0+' },
            { name: 'host', type: 'string', versions: '0+' },
            { name: 'port', type: 'uint16', versions: '0+' },
            { name: 'securityProtocol', type: 'int16', versions: '0+' },
          ],
        },
      },
    },
    // In v0-3, features with minSupportedVersion 0 are left out.
    {
      name: 'features',
      versions: '0+',
      type: {
        array: {
          fields: [
            { name: 'name', type: 'string', versions: '0+' },
            { name: 'minSupportedVersion', type: 'int16', versions: '0+' },
            { name: 'maxSupportedVersion', type: 'int16', versions: '0+' },
          ],
        },
      },
    },
    { name: 'rack', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'isMigratingZkBroker', type: 'bool', versions: '1+', default: false },
    { name: 'logDirs', type: { array: 'uuid' }, versions: '2+' },
    { name: 'previousBrokerEpoch', type: 'int64', versions: '3+', default: -1 },
  ],
};

export const BrokerRegistrationResponseSpec: MessageSpec = {
  apiKey: 62,
  name: 'BrokerRegistrationResponse',
  type: 'response',
  validVersions: '0-4',
  flexibleVersions: '0+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'brokerEpoch', type: 'int64', versions: '0+', default: -1 },
  ],
};
