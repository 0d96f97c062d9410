// DeleteRecords (key 21): move partitions' log start offsets forward (kafka-delete-records.sh, Admin.deleteRecords),
// sent to each partition's leader. v1 is v0 (throttling before the response); v2 is the first flexible version.
// Fields from apache/kafka's DeleteRecordsRequest.json and DeleteRecordsResponse.json.

import type { MessageSpec } from '../spec.ts';

export const DeleteRecordsRequestSpec: MessageSpec = {
  apiKey: 21,
  name: 'DeleteRecordsRequest',
  type: 'request',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
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
                    // -1: the high watermark.
                    { name: 'offset', type: 'int64', versions: '0+' },
                  ],
                },
              },
            },
          ],
        },
      },
    },
    { name: 'timeoutMs', type: 'int32', versions: '0+' },
  ],
};

export const DeleteRecordsResponseSpec: MessageSpec = {
  apiKey: 21,
  name: 'DeleteRecordsResponse',
  type: 'response',
  validVersions: '0-2',
  flexibleVersions: '2+',
  fields: [
    { name: 'throttleTimeMs', type: 'int32', versions: '0+' },
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
                    { name: 'lowWatermark', type: 'int64', versions: '0+' },
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
};
