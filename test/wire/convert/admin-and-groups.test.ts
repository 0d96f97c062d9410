// CreateTopics and DeleteTopics converters (core ↔ wire ↔ bytes at every served version), the group APIs'
// COORDINATOR_NOT_AVAILABLE answers at every spec version, ApiVersions and its KIP-511 fallback, and kafkajs's captured bodies.
import { describe, expect, it } from 'vitest';
import type { CreateTopicsRequest, CreateTopicsResponse, DeleteTopicsRequest, DeleteTopicsResponse } from '../../../core/protocol/controller.ts';
import { ErrorCode } from '../../../core/protocol/errors.ts';
import { ApiVersionsRequestSpec, ApiVersionsResponseSpec } from '../../../core/wire/apis/api-versions.ts';
import { CreateTopicsRequestSpec, CreateTopicsResponseSpec } from '../../../core/wire/apis/create-topics.ts';
import { DeleteTopicsRequestSpec, DeleteTopicsResponseSpec } from '../../../core/wire/apis/delete-topics.ts';
import { apiSpecs } from '../../../core/wire/apis/index.ts';
import { NO_COMPRESSORS } from '../../../core/wire/compression.ts';
import { apiVersionsResponse, canParseRequestBody } from '../../../core/wire/convert/api-versions.ts';
import { NO_TOPIC_IDS, NUMERIC_IDS, WireRequestError, type TopicIds, type WireContext, type WireStruct } from '../../../core/wire/convert/converter.ts';
import { createTopicsConverter } from '../../../core/wire/convert/create-topics.ts';
import { deleteTopicsConverter } from '../../../core/wire/convert/delete-topics.ts';
import { GROUP_CONVERTERS } from '../../../core/wire/convert/group-apis.ts';
import { API_VERSIONS_KEY, responseHeaderIsFlexible } from '../../../core/wire/header.ts';
import { decodeMessage, encodeMessage, ZERO_UUID } from '../../../core/wire/message-codec.ts';
import type { MessageSpec } from '../../../core/wire/spec.ts';
import { fixture, fixturesOf, versionsOf } from '../apis/helpers.ts';

const ORDERS_ID = 'AAECAwQFBgcICQoLDA0ODw';
const UNKNOWN_ID = 'EBESExQVFhcYGRobHB0eHw';
const TOPICS: TopicIds = {
  idOf: (name) => (name === 'orders' ? ORDERS_ID : null),
  nameOf: (id) => (id === ORDERS_ID ? 'orders' : null),
};
const ctx: WireContext = { ids: NUMERIC_IDS, compressors: NO_COMPRESSORS, topics: TOPICS };

/** Through the bytes: encode at `version`, decode again. */
function viaBytes(spec: MessageSpec, version: number, body: WireStruct): WireStruct {
  return decodeMessage(spec, version, encodeMessage(spec, version, body));
}

function range(min: number, max: number): number[] {
  return Array.from({ length: max - min + 1 }, (_, i) => min + i);
}

function wireError(run: () => unknown): WireRequestError {
  try {
    run();
  } catch (e) {
    if (e instanceof WireRequestError) return e;
    throw e;
  }
  return expect.fail('expected a WireRequestError');
}

describe('CreateTopics converter', () => {
  const served = range(createTopicsConverter.served.min, createTopicsConverter.served.max);

  it('serves 0..7', () => {
    expect(createTopicsConverter.served).toEqual({ min: 0, max: 7 });
  });

  it.each(served)('v%i request: core → wire → bytes → wire → core is the identity', (version) => {
    const req: CreateTopicsRequest = {
      api: 'CreateTopics',
      kind: 'request',
      correlationId: 7,
      topics: [
        { name: 'orders', numPartitions: 3, replicationFactor: 2, configs: [{ name: 'cleanup.policy', value: 'compact' }] },
        { name: 'defaults', numPartitions: -1, replicationFactor: -1, configs: [] },
      ],
      timeoutMs: 5000,
      validateOnly: version >= 1,
    };
    const wire = viaBytes(CreateTopicsRequestSpec, version, createTopicsConverter.requestToWire(req, version, ctx));
    expect(createTopicsConverter.requestFromWire(wire, version, 7, ctx)).toEqual(req);
  });

  it.each(served)('v%i response: core → wire → bytes → wire → core keeps what the version carries', (version) => {
    const res: CreateTopicsResponse = {
      api: 'CreateTopics',
      kind: 'response',
      correlationId: 7,
      topics: [
        {
          name: 'orders',
          topicId: version >= 7 ? ORDERS_ID : null,
          errorCode: 0,
          errorMessage: null,
          numPartitions: version >= 5 ? 3 : -1,
          replicationFactor: version >= 5 ? 2 : -1,
        },
        {
          name: 'taken',
          topicId: null,
          errorCode: ErrorCode.TOPIC_ALREADY_EXISTS,
          errorMessage: version >= 1 ? 'Topic taken already exists.' : null,
          numPartitions: -1,
          replicationFactor: -1,
        },
      ],
    };
    const wire = viaBytes(CreateTopicsResponseSpec, version, createTopicsConverter.responseToWire(res, version, ctx));
    expect(createTopicsConverter.responseFromWire(wire, version, 7, ctx)).toEqual(res);
    if (version >= 5) {
      expect(wire.topics).toMatchObject([
        { numPartitions: 3, replicationFactor: 2, configs: [], topicConfigErrorCode: 0 },
        { numPartitions: -1, replicationFactor: -1, configs: [], topicConfigErrorCode: 0 },
      ]);
    }
  });

  it('refuses manual replica assignments with INVALID_REQUEST', () => {
    const body = {
      topics: [{ name: 't', numPartitions: -1, replicationFactor: -1, assignments: [{ partitionIndex: 0, brokerIds: [1, 2] }], configs: [] }],
      timeoutMs: 1000,
      validateOnly: false,
    };
    const err = wireError(() => createTopicsConverter.requestFromWire(viaBytes(CreateTopicsRequestSpec, 4, body), 4, 1, ctx));
    expect(err.errorCode).toBe(ErrorCode.INVALID_REQUEST);
    expect(err.message).toBe('manual replica assignments are not supported');
  });

  it('refuses a null config value with INVALID_CONFIG, and validateOnly at v0 on the sending side', () => {
    const body = { topics: [{ name: 't', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 'x', value: null }] }], timeoutMs: 1 };
    expect(wireError(() => createTopicsConverter.requestFromWire(viaBytes(CreateTopicsRequestSpec, 5, body), 5, 1, ctx)).errorCode).toBe(
      ErrorCode.INVALID_CONFIG,
    );
    const req: CreateTopicsRequest = { api: 'CreateTopics', kind: 'request', correlationId: 1, topics: [], timeoutMs: 1, validateOnly: true };
    expect(wireError(() => createTopicsConverter.requestToWire(req, 0, ctx)).errorCode).toBe(ErrorCode.UNSUPPORTED_VERSION);
  });

  it.each(versionsOf(CreateTopicsRequestSpec))('v%i error response names every topic with the error', (version) => {
    const body = viaBytes(CreateTopicsRequestSpec, version, {
      topics: [
        { name: 'a', numPartitions: 1, replicationFactor: 1 },
        { name: 'b', numPartitions: -1, replicationFactor: -1 },
      ],
      timeoutMs: 1000,
    });
    const wire = viaBytes(
      CreateTopicsResponseSpec,
      version,
      createTopicsConverter.errorResponse(body, version, ErrorCode.NOT_CONTROLLER, 'not the controller'),
    );
    const core = createTopicsConverter.responseFromWire(wire, version, 3, ctx);
    expect(core.topics.map((t) => [t.name, t.errorCode, t.topicId, t.numPartitions])).toEqual([
      ['a', ErrorCode.NOT_CONTROLLER, null, -1],
      ['b', ErrorCode.NOT_CONTROLLER, null, -1],
    ]);
    expect(core.topics[0]!.errorMessage).toBe(version >= 1 ? 'not the controller' : null);
  });
});

describe('DeleteTopics converter', () => {
  const served = range(deleteTopicsConverter.served.min, deleteTopicsConverter.served.max);

  it('serves 0..6', () => {
    expect(deleteTopicsConverter.served).toEqual({ min: 0, max: 6 });
  });

  it.each(served)('v%i request: core → wire → bytes → wire → core is the identity', (version) => {
    const req: DeleteTopicsRequest = { api: 'DeleteTopics', kind: 'request', correlationId: 9, topicNames: ['orders', 'other'], timeoutMs: 3000 };
    const toWire = deleteTopicsConverter.requestToWire(req, version, ctx);
    const wire = viaBytes(DeleteTopicsRequestSpec, version, toWire);
    expect(deleteTopicsConverter.requestFromWire(wire, version, 9, ctx)).toEqual(req);
    if (version >= 6)
      expect(wire.topics).toEqual([
        { name: 'orders', topicId: ZERO_UUID },
        { name: 'other', topicId: ZERO_UUID },
      ]);
  });

  it.each(served)('v%i response: core → wire → bytes → wire → core keeps what the version carries', (version) => {
    const res: DeleteTopicsResponse = {
      api: 'DeleteTopics',
      kind: 'response',
      correlationId: 9,
      responses: [
        { name: 'orders', topicId: version >= 6 ? ORDERS_ID : null, errorCode: 0, errorMessage: null },
        {
          name: 'missing',
          topicId: null,
          errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          errorMessage: version >= 5 ? 'This server does not host this topic-partition.' : null,
        },
      ],
    };
    const wire = viaBytes(DeleteTopicsResponseSpec, version, deleteTopicsConverter.responseToWire(res, version, ctx));
    expect(deleteTopicsConverter.responseFromWire(wire, version, 9, ctx)).toEqual(res);
  });

  it('v6 by id: a known id becomes its name; an unknown one a stand-in answered UNKNOWN_TOPIC_ID by id alone', () => {
    const body = viaBytes(DeleteTopicsRequestSpec, 6, {
      topics: [
        { name: null, topicId: ORDERS_ID },
        { name: null, topicId: UNKNOWN_ID },
      ],
      timeoutMs: 1000,
    });
    const req = deleteTopicsConverter.requestFromWire(body, 6, 1, ctx);
    expect(req.topicNames[0]).toBe('orders');
    const standIn = req.topicNames[1]!;
    // The stand-in goes back on the wire as the id it came as (a Samsa node forwarding it).
    expect(viaBytes(DeleteTopicsRequestSpec, 6, deleteTopicsConverter.requestToWire(req, 6, ctx)).topics).toEqual([
      { name: 'orders', topicId: ZERO_UUID },
      { name: null, topicId: UNKNOWN_ID },
    ]);
    const res: DeleteTopicsResponse = {
      api: 'DeleteTopics',
      kind: 'response',
      correlationId: 1,
      responses: [
        { name: 'orders', topicId: null, errorCode: 0, errorMessage: null },
        { name: standIn, topicId: null, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: null },
      ],
    };
    const wire = viaBytes(DeleteTopicsResponseSpec, 6, deleteTopicsConverter.responseToWire(res, 6, ctx));
    expect(wire.responses).toEqual([
      { name: 'orders', topicId: ORDERS_ID, errorCode: 0, errorMessage: null },
      { name: null, topicId: UNKNOWN_ID, errorCode: ErrorCode.UNKNOWN_TOPIC_ID, errorMessage: null },
    ]);
    expect(deleteTopicsConverter.responseFromWire(wire, 6, 1, ctx).responses[1]).toEqual({
      name: standIn,
      topicId: UNKNOWN_ID,
      errorCode: ErrorCode.UNKNOWN_TOPIC_ID,
      errorMessage: null,
    });
  });

  it('v6 refuses a topic named by both name and id, or by neither', () => {
    for (const t of [
      { name: 'orders', topicId: ORDERS_ID },
      { name: null, topicId: ZERO_UUID },
    ]) {
      const body = viaBytes(DeleteTopicsRequestSpec, 6, { topics: [t], timeoutMs: 1 });
      expect(wireError(() => deleteTopicsConverter.requestFromWire(body, 6, 1, ctx)).errorCode).toBe(ErrorCode.INVALID_REQUEST);
    }
  });

  it.each(versionsOf(DeleteTopicsRequestSpec))('v%i error response names every topic with the error', (version) => {
    const body = viaBytes(DeleteTopicsRequestSpec, version, {
      topics: [
        { name: 'a', topicId: ZERO_UUID },
        { name: null, topicId: UNKNOWN_ID },
      ],
      topicNames: ['a', 'b'],
      timeoutMs: 1000,
    });
    const wire = viaBytes(DeleteTopicsResponseSpec, version, deleteTopicsConverter.errorResponse(body, version, ErrorCode.NOT_CONTROLLER, 'no'));
    const responses = wire.responses as Array<{ name: string | null; topicId: string; errorCode: number; errorMessage: string | null }>;
    expect(responses.map((r) => r.errorCode)).toEqual([ErrorCode.NOT_CONTROLLER, ErrorCode.NOT_CONTROLLER]);
    if (version >= 6)
      expect(responses.map((r) => [r.name, r.topicId])).toEqual([
        ['a', ZERO_UUID],
        [null, UNKNOWN_ID],
      ]);
    else expect(responses.map((r) => r.name)).toEqual(['a', 'b']);
    expect(responses[0]!.errorMessage).toBe(version >= 5 ? 'no' : null);
  });
});

/** A request of each group API naming two of everything, written with every version's fields (each version keeps its own). */
const GROUP_REQUESTS: Record<number, WireStruct> = {
  8: {
    groupId: 'g',
    memberId: 'm',
    topics: [
      {
        name: 't',
        partitions: [
          { partitionIndex: 0, committedOffset: 5 },
          { partitionIndex: 2, committedOffset: 7 },
        ],
      },
      { name: 'u', partitions: [{ partitionIndex: 1, committedOffset: 0 }] },
    ],
  },
  9: {
    groupId: 'g',
    topics: [
      { name: 't', partitionIndexes: [0, 2] },
      { name: 'u', partitionIndexes: [1] },
    ],
    groups: [
      { groupId: 'g', topics: [{ name: 't', partitionIndexes: [0, 2] }] },
      { groupId: 'h', topics: null },
    ],
  },
  10: { key: 'g', coordinatorKeys: ['g', 'h'] },
  11: { groupId: 'g', sessionTimeoutMs: 30000, memberId: '', protocolType: 'consumer', protocols: [{ name: 'range', metadata: new Uint8Array([0, 1]) }] },
  12: { groupId: 'g', generationId: 1, memberId: 'm' },
  13: { groupId: 'g', memberId: 'm', members: [{ memberId: 'm' }] },
  14: { groupId: 'g', generationId: 1, memberId: 'm', assignments: [] },
  15: { groups: ['g', 'h'] },
  16: {},
  42: { groupsNames: ['g', 'h'] },
};

const CNA = ErrorCode.COORDINATOR_NOT_AVAILABLE;

/** Every error code set in a decoded error response, with where it sits (fields a version lacks decode as 0). */
function errorsIn(value: unknown, path = ''): Array<[string, number]> {
  if (Array.isArray(value)) return value.flatMap((v, i) => errorsIn(v, `${path}[${i}]`));
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return [];
  return Object.entries(value).flatMap(([k, v]) =>
    k === 'errorCode' ? (v === 0 ? [] : [[`${path}.${k}`, v as number] as [string, number]]) : errorsIn(v, `${path}.${k}`),
  );
}

/** Where each group API's answer at `version` must carry the error. */
function expectedErrorPaths(apiKey: number, version: number): string[] {
  const tuPartitions = ['.topics[0].partitions[0].errorCode', '.topics[0].partitions[1].errorCode', '.topics[1].partitions[0].errorCode'];
  switch (apiKey) {
    case 8:
      return tuPartitions;
    case 9:
      if (version >= 8)
        return ['.groups[0].topics[0].partitions[0].errorCode', '.groups[0].topics[0].partitions[1].errorCode', '.groups[0].errorCode', '.groups[1].errorCode'];
      return version >= 2 ? [...tuPartitions, '.errorCode'] : tuPartitions;
    case 10:
      return version >= 4 ? ['.coordinators[0].errorCode', '.coordinators[1].errorCode'] : ['.errorCode'];
    case 15:
    case 42:
      return apiKey === 15 ? ['.groups[0].errorCode', '.groups[1].errorCode'] : ['.results[0].errorCode', '.results[1].errorCode'];
    default:
      return ['.errorCode'];
  }
}

describe('group APIs: error answers (a broker that is not the coordinator, or has none yet)', () => {
  it('advertise the ranges every client settles on (reference §4), within the specs', () => {
    const ranges = Object.fromEntries(GROUP_CONVERTERS.map((a) => [a.apiKey, [a.served.min, a.served.max]]));
    expect(ranges).toEqual({ 8: [0, 8], 9: [1, 8], 10: [0, 4], 11: [0, 9], 12: [0, 4], 13: [0, 5], 14: [0, 5], 15: [0, 5], 16: [0, 4], 42: [0, 2] });
    for (const api of GROUP_CONVERTERS) {
      expect(versionsOf(apiSpecs(api.apiKey)!.request)).toContain(api.served.max);
    }
  });

  const cases = GROUP_CONVERTERS.flatMap((api) => versionsOf(apiSpecs(api.apiKey)!.request).map((v) => [apiSpecs(api.apiKey)!.name, v, api] as const));
  it.each(cases)('%s v%i: the error answer encodes and decodes with the error everywhere it goes', (_name, version, api) => {
    const specs = apiSpecs(api.apiKey)!;
    const body = viaBytes(specs.request, version, GROUP_REQUESTS[api.apiKey]!);
    const decoded = viaBytes(specs.response, version, api.errorResponse(body, version, CNA, 'no coordinator yet'));
    const errors = errorsIn(decoded);
    expect(errors.map(([path]) => path).sort()).toEqual(expectedErrorPaths(api.apiKey, version).sort());
    expect(errors.every(([, code]) => code === CNA)).toBe(true);
  });

  it('FindCoordinator names no node: -1, "" and -1 at v0-3 and per key at v4+', () => {
    const find = GROUP_CONVERTERS.find((a) => a.apiKey === 10)!;
    const spec = apiSpecs(10)!.response;
    expect(viaBytes(spec, 1, find.errorResponse({ key: 'g', keyType: 0, coordinatorKeys: [] }, 1, CNA, 'x'))).toMatchObject({
      errorCode: CNA,
      errorMessage: 'x',
      nodeId: -1,
      host: '',
      port: -1,
    });
    expect(viaBytes(spec, 4, find.errorResponse({ keyType: 0, coordinatorKeys: ['g'] }, 4, CNA, null)).coordinators).toEqual([
      { key: 'g', nodeId: -1, host: '', port: -1, errorCode: CNA, errorMessage: null },
    ]);
  });

  it('OffsetFetch v2-7 with null topics (all of them) answers the top-level error and no topics', () => {
    const fetch = GROUP_CONVERTERS.find((a) => a.apiKey === 9)!;
    for (const version of [2, 7]) {
      const body = viaBytes(apiSpecs(9)!.request, version, { groupId: 'g', topics: null });
      expect(viaBytes(apiSpecs(9)!.response, version, fetch.errorResponse(body, version, CNA, null))).toMatchObject({ topics: [], errorCode: CNA });
    }
  });

  it('JoinGroup names no protocol: "" before v7, null from v7', () => {
    const join = GROUP_CONVERTERS.find((a) => a.apiKey === 11)!;
    const body = GROUP_REQUESTS[11]!;
    expect(viaBytes(apiSpecs(11)!.response, 6, join.errorResponse(body, 6, CNA, null))).toMatchObject({ protocolName: '', generationId: -1, members: [] });
    expect(viaBytes(apiSpecs(11)!.response, 7, join.errorResponse(body, 7, CNA, null))).toMatchObject({ protocolName: null, protocolType: null });
  });
});

describe('ApiVersions', () => {
  const served = [createTopicsConverter, deleteTopicsConverter, ...GROUP_CONVERTERS, { apiKey: 0, served: { min: 3, max: 8 } }];

  it.each([0, 1, 2, 3])('v%i: errorCode 0 and every API range, sorted by key, with key 18 at 0..3', (version) => {
    const answer = apiVersionsResponse(version, served);
    expect(answer.version).toBe(version);
    const decoded = viaBytes(ApiVersionsResponseSpec, version, answer.body);
    expect(decoded.errorCode).toBe(0);
    const keys = decoded.apiKeys as Array<{ apiKey: number; minVersion: number; maxVersion: number }>;
    expect(keys.map((k) => k.apiKey)).toEqual([0, 8, 9, 10, 11, 12, 13, 14, 15, 16, 18, 19, 20, 42]);
    expect(keys.find((k) => k.apiKey === 18)).toEqual({ apiKey: 18, minVersion: 0, maxVersion: 3 });
    expect(keys.find((k) => k.apiKey === 9)).toEqual({ apiKey: 9, minVersion: 1, maxVersion: 8 });
    if (version >= 1) expect(decoded.throttleTimeMs).toBe(0);
    if (version === 3) {
      expect(decoded).toMatchObject({ supportedFeatures: [], finalizedFeaturesEpoch: -1, finalizedFeatures: [], zkMigrationReady: false });
    }
  });

  it.each([4, 5, 127, -1])('v%i (unsupported): a v0 answer with UNSUPPORTED_VERSION and only key 18 (KIP-511)', (version) => {
    const answer = apiVersionsResponse(version, served);
    expect(answer.version).toBe(0);
    expect(viaBytes(ApiVersionsResponseSpec, 0, answer.body)).toEqual({
      errorCode: ErrorCode.UNSUPPORTED_VERSION,
      apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 3 }],
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1,
      finalizedFeatures: [],
      zkMigrationReady: false,
    });
    expect(canParseRequestBody({ apiKey: API_VERSIONS_KEY, apiVersion: version })).toBe(false);
  });

  it('a listener that does not list key 18 still advertises it, with the given range', () => {
    const keys = viaBytes(ApiVersionsResponseSpec, 2, apiVersionsResponse(2, [{ apiKey: 18, served: { min: 0, max: 9 } }], { min: 0, max: 2 }).body).apiKeys;
    expect(keys).toEqual([{ apiKey: 18, minVersion: 0, maxVersion: 2 }]);
    expect(apiVersionsResponse(3, [], { min: 0, max: 2 }).version).toBe(0);
  });

  it('bodies are parsed for supported ApiVersions versions and for every other API', () => {
    for (const apiVersion of [0, 1, 2, 3]) expect(canParseRequestBody({ apiKey: API_VERSIONS_KEY, apiVersion })).toBe(true);
    expect(canParseRequestBody({ apiKey: 19, apiVersion: 99 })).toBe(true);
    expect(canParseRequestBody({ apiKey: API_VERSIONS_KEY, apiVersion: 3 }, { min: 0, max: 2 })).toBe(false);
  });

  it('the response header is v0 even for the flexible v3 (no tag byte)', () => {
    expect(responseHeaderIsFlexible(API_VERSIONS_KEY, true)).toBe(false);
    expect(responseHeaderIsFlexible(19, true)).toBe(true);
  });
});

describe('kafkajs captured bodies through the converters', () => {
  it.each(fixturesOf('createTopics').map((f) => [f.file, f] as const))('createTopics/%s', (_file, f) => {
    if (f.kind === 'request') {
      const req = createTopicsConverter.requestFromWire(decodeMessage(CreateTopicsRequestSpec, f.version, f.bytes), f.version, 1, ctx);
      expect(req.topics).toHaveLength(2);
      for (const t of req.topics) expect(t).toMatchObject({ numPartitions: -1, replicationFactor: -1, configs: [] });
      expect(req).toMatchObject({ timeoutMs: 5000, validateOnly: f.version === 1 });
      // Back to the wire and bytes: kafkajs's own bytes again.
      expect(encodeMessage(CreateTopicsRequestSpec, f.version, createTopicsConverter.requestToWire(req, f.version, ctx))).toEqual(f.bytes);
    } else {
      const res = createTopicsConverter.responseFromWire(decodeMessage(CreateTopicsResponseSpec, f.version, f.bytes), f.version, 1, ctx);
      for (const t of res.topics) expect(t).toMatchObject({ errorCode: 0, errorMessage: null, topicId: null });
      expect(encodeMessage(CreateTopicsResponseSpec, f.version, createTopicsConverter.responseToWire(res, f.version, ctx))).toEqual(f.bytes);
    }
  });

  it.each(fixturesOf('deleteTopics').map((f) => [f.file, f] as const))('deleteTopics/%s', (_file, f) => {
    const noIds = { ...ctx, topics: NO_TOPIC_IDS };
    if (f.kind === 'request') {
      const req = deleteTopicsConverter.requestFromWire(decodeMessage(DeleteTopicsRequestSpec, f.version, f.bytes), f.version, 1, noIds);
      expect(req.topicNames).toHaveLength(2);
      expect(req.timeoutMs).toBe(5000);
      expect(encodeMessage(DeleteTopicsRequestSpec, f.version, deleteTopicsConverter.requestToWire(req, f.version, noIds))).toEqual(f.bytes);
      // The same topics refused: one error per named topic.
      const wire = viaBytes(
        DeleteTopicsResponseSpec,
        f.version,
        deleteTopicsConverter.errorResponse(decodeMessage(DeleteTopicsRequestSpec, f.version, f.bytes), f.version, 41, null),
      );
      expect((wire.responses as Array<{ name: string; errorCode: number }>).map((r) => [r.name, r.errorCode])).toEqual(req.topicNames.map((n) => [n, 41]));
    } else {
      const res = deleteTopicsConverter.responseFromWire(decodeMessage(DeleteTopicsResponseSpec, f.version, f.bytes), f.version, 1, noIds);
      for (const r of res.responses) expect(r).toMatchObject({ errorCode: 0, errorMessage: null, topicId: null });
      expect(encodeMessage(DeleteTopicsResponseSpec, f.version, deleteTopicsConverter.responseToWire(res, f.version, noIds))).toEqual(f.bytes);
    }
  });

  it('apiVersions: kafkajs v0-2 requests (an empty body) are parsed and answered at their version; its v0/v1 responses have our answer layout', () => {
    const request = fixture('apiVersions', 'v0_request.json');
    for (const version of [0, 1, 2]) {
      expect(canParseRequestBody({ apiKey: API_VERSIONS_KEY, apiVersion: version })).toBe(true);
      decodeMessage(ApiVersionsRequestSpec, version, request);
      const answer = apiVersionsResponse(version, GROUP_CONVERTERS);
      expect(viaBytes(ApiVersionsResponseSpec, answer.version, answer.body).errorCode).toBe(0);
    }
    for (const file of ['v0_response.json', 'v1_response.json']) {
      const version = Number(file[1]);
      const theirs = decodeMessage(ApiVersionsResponseSpec, version, fixture('apiVersions', file));
      const ours = viaBytes(ApiVersionsResponseSpec, version, apiVersionsResponse(version, GROUP_CONVERTERS).body);
      expect(Object.keys(ours)).toEqual(Object.keys(theirs));
    }
  });

  it.each(
    fixturesOf('findCoordinator')
      .filter((f) => f.kind === 'request')
      .map((f) => [f.file, f] as const),
  )('findCoordinator/%s', (_file, f) => {
    const find = GROUP_CONVERTERS.find((a) => a.apiKey === 10)!;
    const specs = apiSpecs(10)!;
    const answer = viaBytes(specs.response, f.version, find.errorResponse(decodeMessage(specs.request, f.version, f.bytes), f.version, CNA, null));
    expect(answer).toMatchObject({ errorCode: CNA, nodeId: -1, host: '', port: -1 });
    // The same layout as the answer a real broker gave kafkajs.
    const theirs = decodeMessage(specs.response, f.version, fixture('findCoordinator', `v${f.version}_response.json`));
    expect(Object.keys(answer)).toEqual(Object.keys(theirs));
  });

  it.each(['v0_request.json', 'v1_request.json', 'v2_request.json', 'v5_request.json'])('joinGroup/%s', (file) => {
    const version = Number(file[1]);
    const join = GROUP_CONVERTERS.find((a) => a.apiKey === 11)!;
    const specs = apiSpecs(11)!;
    const body = decodeMessage(specs.request, version, fixture('joinGroup', file));
    const answer = viaBytes(specs.response, version, join.errorResponse(body, version, CNA, null));
    expect(answer).toMatchObject({ errorCode: CNA, generationId: -1, leader: '', memberId: '', members: [] });
  });
});
