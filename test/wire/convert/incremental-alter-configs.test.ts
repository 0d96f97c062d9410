// IncrementalAlterConfigs converter (key 44): core ↔ wire ↔ bytes at both served versions, Kafka's v0 byte
// layout spelled out, and error responses that encode.
import { describe, expect, it } from 'vitest';
import type { IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse } from '../../../core/protocol/controller.ts';
import { ErrorCode } from '../../../core/protocol/errors.ts';
import { IncrementalAlterConfigsRequestSpec, IncrementalAlterConfigsResponseSpec } from '../../../core/wire/apis/incremental-alter-configs.ts';
import { NO_COMPRESSORS } from '../../../core/wire/compression.ts';
import { NO_TOPIC_IDS, NUMERIC_IDS, type WireContext, type WireStruct } from '../../../core/wire/convert/converter.ts';
import { incrementalAlterConfigsConverter as converter } from '../../../core/wire/convert/incremental-alter-configs.ts';
import { CLIENT_LISTENER_APIS, CONTROLLER_LISTENER_APIS } from '../../../core/wire/convert/index.ts';
import { decodeMessage, encodeMessage } from '../../../core/wire/message-codec.ts';
import type { MessageSpec } from '../../../core/wire/spec.ts';
import { versionsOf } from '../apis/helpers.ts';

const ctx: WireContext = { ids: NUMERIC_IDS, compressors: NO_COMPRESSORS, topics: NO_TOPIC_IDS };
const viaBytes = (spec: MessageSpec, version: number, body: WireStruct) => decodeMessage(spec, version, encodeMessage(spec, version, body));

const req: IncrementalAlterConfigsRequest = {
  api: 'IncrementalAlterConfigs',
  kind: 'request',
  correlationId: 7,
  resources: [
    {
      resourceType: 2,
      resourceName: 'orders',
      configs: [
        { name: 'min.insync.replicas', configOperation: 0, value: '2' },
        { name: 'retention.ms', configOperation: 1, value: null },
        { name: 'cleanup.policy', configOperation: 2, value: 'compact' },
      ],
    },
    { resourceType: 4, resourceName: '1', configs: [] },
  ],
  validateOnly: true,
};

describe('IncrementalAlterConfigs converter', () => {
  it('serves 0..1, every version of the spec; v1 is flexible; ApiVersions lists it on client and controller listeners', () => {
    expect(converter.served).toEqual({ min: 0, max: 1 });
    expect(CLIENT_LISTENER_APIS).toContainEqual(expect.objectContaining({ apiKey: 44, served: { min: 0, max: 1 } }));
    expect(CONTROLLER_LISTENER_APIS).toContainEqual(expect.objectContaining({ apiKey: 44, served: { min: 0, max: 1 } }));
    expect(converter.apiKey).toBe(44);
    expect(versionsOf(IncrementalAlterConfigsRequestSpec)).toEqual([0, 1]);
  });

  it.each([0, 1])('v%i request and response: core → wire → bytes → wire → core is the identity', (version) => {
    expect(
      converter.requestFromWire(viaBytes(IncrementalAlterConfigsRequestSpec, version, converter.requestToWire(req, version, ctx)), version, 7, ctx),
    ).toEqual(req);
    const res: IncrementalAlterConfigsResponse = {
      api: 'IncrementalAlterConfigs',
      kind: 'response',
      correlationId: 7,
      resources: [
        { errorCode: ErrorCode.NONE, errorMessage: null, resourceType: 2, resourceName: 'orders' },
        { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'static', resourceType: 4, resourceName: '1' },
      ],
    };
    expect(
      converter.responseFromWire(viaBytes(IncrementalAlterConfigsResponseSpec, version, converter.responseToWire(res, version, ctx)), version, 7, ctx),
    ).toEqual(res);
  });

  it("v0 request bytes in Kafka's field order: resources (type int8, name, configs (name, op int8, nullable value)), validateOnly", () => {
    const one: IncrementalAlterConfigsRequest = {
      ...req,
      resources: [{ resourceType: 2, resourceName: 't', configs: [{ name: 'a', configOperation: 1, value: null }] }],
    };
    const bytes = encodeMessage(IncrementalAlterConfigsRequestSpec, 0, converter.requestToWire(one, 0, ctx));
    expect([...bytes]).toEqual([0, 0, 0, 1, 2, 0, 1, 0x74, 0, 0, 0, 1, 0, 1, 0x61, 1, 0xff, 0xff, 1]);
  });

  it.each([0, 1])('v%i errorResponse puts the error on every resource and encodes', (version) => {
    const body = converter.requestToWire(req, version, ctx);
    const wire = viaBytes(IncrementalAlterConfigsResponseSpec, version, converter.errorResponse(body, version, ErrorCode.NOT_CONTROLLER, 'elsewhere'));
    expect(converter.responseFromWire(wire, version, 7, ctx).resources.map((r) => [r.resourceName, r.errorCode, r.errorMessage])).toEqual([
      ['orders', ErrorCode.NOT_CONTROLLER, 'elsewhere'],
      ['1', ErrorCode.NOT_CONTROLLER, 'elsewhere'],
    ]);
  });
});
