// SaslHandshake (key 17): a client names the SASL mechanism it will authenticate with; the answer lists the
// mechanisms the listener enables. v1 (same layout) means the tokens follow as SaslAuthenticate requests, v0 as raw frames.

import type { MessageSpec } from '../spec.ts';

export const SaslHandshakeRequestSpec: MessageSpec = {
  apiKey: 17,
  name: 'SaslHandshakeRequest',
  type: 'request',
  validVersions: '0-1',
  flexibleVersions: 'none',
  fields: [{ name: 'mechanism', type: 'string', versions: '0+' }],
};

export const SaslHandshakeResponseSpec: MessageSpec = {
  apiKey: 17,
  name: 'SaslHandshakeResponse',
  type: 'response',
  validVersions: '0-1',
  flexibleVersions: 'none',
  fields: [
    { name: 'errorCode', type: 'int16', versions: '0+' },
    { name: 'mechanisms', type: { array: 'string' }, versions: '0+' },
  ],
};
