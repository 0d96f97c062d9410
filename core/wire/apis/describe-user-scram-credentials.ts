// DescribeUserScramCredentials (key 50, KIP-554): users' SCRAM mechanisms and iterations (v0, flexible); null users: all.

import type { MessageSpec } from '../spec.ts';
import { THROTTLE_TIME, ERROR_CODE, ERROR_MESSAGE } from './security-structs.ts';

export const DescribeUserScramCredentialsRequestSpec: MessageSpec = {
  apiKey: 50,
  name: 'DescribeUserScramCredentialsRequest',
  type: 'request',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [{ name: 'users', versions: '0+', nullableVersions: '0+', type: { array: { fields: [{ name: 'name', type: 'string', versions: '0+' }] } } }],
};

export const DescribeUserScramCredentialsResponseSpec: MessageSpec = {
  apiKey: 50,
  name: 'DescribeUserScramCredentialsResponse',
  type: 'response',
  validVersions: '0',
  flexibleVersions: '0+',
  fields: [
    THROTTLE_TIME,
    ERROR_CODE,
    ERROR_MESSAGE,
    {
      name: 'results',
      versions: '0+',
      type: {
        array: {
          fields: [
            { name: 'user', type: 'string', versions: '0+' },
            ERROR_CODE,
            ERROR_MESSAGE,
            {
              name: 'credentialInfos',
              versions: '0+',
              type: {
                array: {
                  fields: [
                    { name: 'mechanism', type: 'int8', versions: '0+' },
                    { name: 'iterations', type: 'int32', versions: '0+' },
                  ],
                },
              },
            },
          ],
        },
      },
    },
  ],
};
