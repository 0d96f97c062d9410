// WriteTxnMarkers (key 27): a transaction coordinator asks partition leaders to append COMMIT or ABORT
// markers (KIP-98); broker to broker only. v1 is the first flexible version (Kafka 4.0 drops v0 and
// adds v2's TransactionVersion, not spoken here). Fields from apache/kafka's WriteTxnMarkers{Request,Response}.json.

import type { MessageSpec } from '../spec.ts';

export const WriteTxnMarkersRequestSpec: MessageSpec = {
  apiKey: 27,
  name: 'WriteTxnMarkersRequest',
  type: 'request',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [
    {
      name: 'markers',
      versions: '0+',
      type: {
        array: {
          fields: [
            { name: 'producerId', type: 'int64', versions: '0+' },
            { name: 'producerEpoch', type: 'int16', versions: '0+' },
            // false: ABORT, true: COMMIT.
            { name: 'transactionResult', type: 'bool', versions: '0+' },
            {
              name: 'topics',
              versions: '0+',
              type: {
                array: {
                  fields: [
                    { name: 'name', type: 'string', versions: '0+' },
                    { name: 'partitionIndexes', type: { array: 'int32' }, versions: '0+' },
                  ],
                },
              },
            },
            { name: 'coordinatorEpoch', type: 'int32', versions: '0+' },
          ],
        },
      },
    },
  ],
};

export const WriteTxnMarkersResponseSpec: MessageSpec = {
  apiKey: 27,
  name: 'WriteTxnMarkersResponse',
  type: 'response',
  validVersions: '0-1',
  flexibleVersions: '1+',
  fields: [
    {
      name: 'markers',
      versions: '0+',
      type: {
        array: {
          fields: [
            { name: 'producerId', type: 'int64', versions: '0+' },
            {
              name: 'topics',
              versions: '0+',
              type: {
                array: {
                  fields: [
                    { name: 'name', type: 'string', versions: '0+' },
                    {
                      name: 'partitions',
                      versions: '0+',
                      type: {
                        array: {
                          fields: [
                            { name: 'partitionIndex', type: 'int32', versions: '0+' },
                            { name: 'errorCode', type: 'int16', versions: '0+' },
                          ],
                        },
                      },
                    },
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
