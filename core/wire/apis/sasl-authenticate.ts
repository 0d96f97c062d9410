// SaslAuthenticate (key 36): one SASL token each way, after a SaslHandshake v1. v1 adds the session's
// lifetime (KIP-368 re-authentication); v2 is flexible.

import type { MessageSpec } from '../spec.ts';

export const SaslAuthenticateRequestSpec: MessageSpec = {
  apiKey: 36,
  name: 'SaslAuthenticateRequest',
  type: 'request',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [{ name: 'authBytes', type: 'bytes', versions: '0+' }],
};

export const SaslAuthenticateResponseSpec: MessageSpec = {
  apiKey: 36,
  name: 'SaslAuthenticateResponse',
  type: 'response',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' },
    { name: 'authBytes', type: 'bytes', versions: '0+' },
    { name: 'sessionLifetimeMs', type: 'int64', versions: '1+', default: 0 },
  ],
};
