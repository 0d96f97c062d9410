// AlterUserScramCredentials (key 51, KIP-554): SCRAM credentials deleted and upserted, one result per user (v0, flexible).

import type { MessageSpec } from '../spec.ts';
import { THROTTLE_TIME, ERROR_CODE, ERROR_MESSAGE } from './security-structs.ts';

export const AlterUserScramCredentialsRequestSpec: MessageSpec = {
  apiKey: 51,
  name: 'AlterUserScramCredentialsRequest',
  type: 'request',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    {
      name: 'deletions',
      versions: '0+',
      type: {
        array: {
          fields: [
            { name: 'name', type: 'string', versions: '0+' },
            { name: 'mechanism', type: 'int8', versions: '0+' },
          ],
        },
      },
    },
    {
      name: 'upsertions',
      versions: '0+',
      type: {
        array: {
          fields: [
            { name: 'name', type: 'string', versions: '0+' },
            { name: 'mechanism', type: 'int8', versions: '0+' },
            { name: 'iterations', type: 'int32', versions: '0+' },
            { name: 'salt', type: 'bytes', versions: '0+' },
            { name: 'saltedPassword', type: 'bytes', versions: '0+' },
          ],
        },
      },
    },
  ],
};

export const AlterUserScramCredentialsResponseSpec: MessageSpec = {
  apiKey: 51,
  name: 'AlterUserScramCredentialsResponse',
  type: 'response',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    THROTTLE_TIME,
    {
      name: 'results',
      versions: '0+',
      type: {
        array: {
          fields: [{ name: 'user', type: 'string', versions: '0+' }, ERROR_CODE, ERROR_MESSAGE],
        },
      },
    },
  ],
};
