// WriteTxnMarkers (key 27) on the wire: the request's layout at v1 (flexible) built by hand, core → wire →
// bytes → core at both versions, and the error response naming every partition of every marker.
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../core/protocol/errors.ts';
import type { WriteTxnMarkersRequest, WriteTxnMarkersResponse } from '../../../core/protocol/txn.ts';
import { apiSpecs } from '../../../core/wire/apis/index.ts';
import { NO_COMPRESSORS } from '../../../core/wire/compression.ts';
import { NO_TOPIC_IDS, NUMERIC_IDS, type WireContext } from '../../../core/wire/convert/converter.ts';
import { CLIENT_LISTENER_APIS, converterForMessage } from '../../../core/wire/convert/index.ts';
import { writeTxnMarkersConverter } from '../../../core/wire/convert/write-txn-markers.ts';
import { decodeMessage, encodeMessage } from '../../../core/wire/message-codec.ts';
import { Bytes } from '../apis/helpers.ts';

const ctx: WireContext = { ids: NUMERIC_IDS, compressors: NO_COMPRESSORS, topics: NO_TOPIC_IDS };
const specs = apiSpecs(27)!;

const REQUEST: WriteTxnMarkersRequest = {
  api: 'WriteTxnMarkers',
  kind: 'request',
  correlationId: 9,
  markers: [
    { producerId: 4000, producerEpoch: 3, transactionResult: true, topics: [{ name: 'orders', partitionIndexes: [0, 2] }], coordinatorEpoch: 7 },
    { producerId: 4001, producerEpoch: 0, transactionResult: false, topics: [{ name: '__consumer_offsets', partitionIndexes: [12] }], coordinatorEpoch: 7 },
  ],
};

const RESPONSE: WriteTxnMarkersResponse = {
  api: 'WriteTxnMarkers',
  kind: 'response',
  correlationId: 9,
  markers: [
    {
      producerId: 4000,
      topics: [
        {
          name: 'orders',
          partitions: [
            { partitionIndex: 0, errorCode: ErrorCode.NONE },
            { partitionIndex: 2, errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER },
          ],
        },
      ],
    },
  ],
};

describe('WriteTxnMarkers', () => {
  it('v1 (flexible): markers with producer id, epoch, result, topics and partition indexes, coordinator epoch', () => {
    const bytes = new Bytes()
      .compactArrayLength(1)
      .int64(4000)
      .int16(3)
      .bool(true)
      .compactArrayLength(1)
      .compactString('orders')
      .compactArrayLength(2)
      .int32(0)
      .int32(2)
      .noTags()
      .int32(7)
      .noTags()
      .noTags()
      .build();
    const wire = writeTxnMarkersConverter.requestToWire({ ...REQUEST, markers: [REQUEST.markers[0]!] }, 1, ctx);
    expect([...encodeMessage(specs.request, 1, wire)]).toEqual([...bytes]);
  });

  it.each([0, 1])('v%i: requests and responses survive core → wire → bytes → core', (version) => {
    const req = writeTxnMarkersConverter.requestFromWire(
      decodeMessage(specs.request, version, encodeMessage(specs.request, version, writeTxnMarkersConverter.requestToWire(REQUEST, version, ctx))),
      version,
      9,
      ctx,
    );
    expect(req).toEqual(REQUEST);
    const res = writeTxnMarkersConverter.responseFromWire(
      decodeMessage(specs.response, version, encodeMessage(specs.response, version, writeTxnMarkersConverter.responseToWire(RESPONSE, version, ctx))),
      version,
      9,
      ctx,
    );
    expect(res).toEqual(RESPONSE);
  });

  it('an error response gives every partition of every marker the error; brokers serve it, and a node sends it with this converter', () => {
    const body = writeTxnMarkersConverter.requestToWire(REQUEST, 1, ctx);
    const error = writeTxnMarkersConverter.errorResponse(body, 1, ErrorCode.UNKNOWN_SERVER_ERROR, null);
    const res = writeTxnMarkersConverter.responseFromWire(decodeMessage(specs.response, 1, encodeMessage(specs.response, 1, error)), 1, 9, ctx);
    expect(res.markers.flatMap((m) => m.topics.flatMap((t) => t.partitions.map((p) => [m.producerId, t.name, p.partitionIndex, p.errorCode])))).toEqual([
      [4000, 'orders', 0, ErrorCode.UNKNOWN_SERVER_ERROR],
      [4000, 'orders', 2, ErrorCode.UNKNOWN_SERVER_ERROR],
      [4001, '__consumer_offsets', 12, ErrorCode.UNKNOWN_SERVER_ERROR],
    ]);
    expect(CLIENT_LISTENER_APIS).toContainEqual(expect.objectContaining({ apiKey: 27, served: { min: 0, max: 1 } }));
    expect(converterForMessage({ api: 'WriteTxnMarkers' })).toBe(writeTxnMarkersConverter);
  });
});
