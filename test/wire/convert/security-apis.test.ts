// The security admin converters: DescribeAcls, CreateAcls, DeleteAcls (keys 29-31, v0-3; v0 without
// a pattern type, which is LITERAL) and DescribeUserScramCredentials / AlterUserScramCredentials
// (keys 50-51, v0): core → wire → bytes → wire → core at every version, DescribeAcls grouped by
// resource on the wire, error responses that encode, and ApiVersions advertising them to clients.

import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../../core/protocol/errors.ts';
import type {
  AlterUserScramCredentialsRequest,
  AlterUserScramCredentialsResponse,
  CreateAclsRequest,
  CreateAclsResponse,
  DeleteAclsRequest,
  DeleteAclsResponse,
  DescribeAclsRequest,
  DescribeAclsResponse,
  DescribeUserScramCredentialsRequest,
  DescribeUserScramCredentialsResponse,
} from '../../../core/protocol/security.ts';
import { AclOperation, AclPermission, PatternType, ResourceType, type AclBinding, type AclBindingFilter } from '../../../core/security/acl.ts';
import { apiSpecs } from '../../../core/wire/apis/index.ts';
import { NO_COMPRESSORS } from '../../../core/wire/compression.ts';
import { createAclsConverter, deleteAclsConverter, describeAclsConverter } from '../../../core/wire/convert/acl-apis.ts';
import { NO_TOPIC_IDS, NUMERIC_IDS, type ApiConverter, type WireContext, type WireStruct } from '../../../core/wire/convert/converter.ts';
import { CLIENT_LISTENER_APIS, converterForMessage, converterForRequest } from '../../../core/wire/convert/index.ts';
import { alterUserScramCredentialsConverter, describeUserScramCredentialsConverter } from '../../../core/wire/convert/scram-credential-apis.ts';
import { decodeMessage, encodeMessage } from '../../../core/wire/message-codec.ts';

const ctx: WireContext = { ids: NUMERIC_IDS, compressors: NO_COMPRESSORS, topics: NO_TOPIC_IDS };

/** A request and its response through the converter and the bytes, at `version`. */
function roundTrip<Q extends { correlationId: number }, S extends { correlationId: number }>(
  converter: ApiConverter<Q, S>,
  version: number,
  req: Q,
  res: S,
): { req: Q; res: S; reqBytes: Uint8Array } {
  const specs = apiSpecs(converter.apiKey)!;
  const reqBytes = encodeMessage(specs.request, version, converter.requestToWire(req, version, ctx));
  const back = converter.requestFromWire(decodeMessage(specs.request, version, reqBytes), version, req.correlationId, ctx);
  const resBody = decodeMessage(specs.response, version, encodeMessage(specs.response, version, converter.responseToWire(res, version, ctx)));
  return { req: back, res: converter.responseFromWire(resBody, version, res.correlationId, ctx), reqBytes };
}

/** The error response to a request body encodes, with the error wherever one goes. */
function errorEncodes(converter: ApiConverter<never, never>, version: number, body: WireStruct): WireStruct {
  const specs = apiSpecs(converter.apiKey)!;
  const wire = converter.errorResponse(body, version, ErrorCode.CLUSTER_AUTHORIZATION_FAILED, 'denied');
  return decodeMessage(specs.response, version, encodeMessage(specs.response, version, wire));
}

const binding = (fields: Partial<AclBinding> = {}): AclBinding => ({
  resourceType: ResourceType.TOPIC,
  resourceName: 'orders',
  patternType: PatternType.LITERAL,
  principal: 'User:alice',
  host: '*',
  operation: AclOperation.READ,
  permission: AclPermission.ALLOW,
  ...fields,
});
const filter: AclBindingFilter = {
  resourceType: ResourceType.TOPIC,
  resourceName: null,
  patternType: PatternType.LITERAL,
  principal: 'User:alice',
  host: null,
  operation: AclOperation.ANY,
  permission: AclPermission.ALLOW,
};

describe('ACL converters', () => {
  it('are advertised to clients at v0-3 and found by key and by core API', () => {
    for (const [key, c] of [
      [29, describeAclsConverter],
      [30, createAclsConverter],
      [31, deleteAclsConverter],
    ] as const) {
      expect(CLIENT_LISTENER_APIS).toContainEqual(expect.objectContaining({ apiKey: key, served: { min: 0, max: 3 } }));
      expect(converterForRequest(key, {})).toBe(c);
    }
    expect(converterForMessage({ api: 'CreateAcls' })).toBe(createAclsConverter);
  });

  it.each([1, 2, 3])('v%i: CreateAcls, DescribeAcls and DeleteAcls round-trip', (version) => {
    const creations = [
      binding(),
      binding({ resourceType: ResourceType.GROUP, resourceName: 'app-', patternType: PatternType.PREFIXED, permission: AclPermission.DENY }),
    ];
    const create: CreateAclsRequest = { api: 'CreateAcls', kind: 'request', correlationId: 3, creations };
    const created: CreateAclsResponse = {
      api: 'CreateAcls',
      kind: 'response',
      correlationId: 3,
      throttleTimeMs: 0,
      results: [
        { errorCode: 0, errorMessage: null },
        { errorCode: 42, errorMessage: 'bad' },
      ],
    };
    const c = roundTrip(createAclsConverter, version, create, created);
    expect(c.req).toEqual(create);
    expect(c.res).toEqual(created);

    const describeReq: DescribeAclsRequest = { api: 'DescribeAcls', kind: 'request', correlationId: 4, filter };
    const acls = [binding(), binding({ resourceName: 'audit' }), binding({ operation: AclOperation.WRITE })];
    const described: DescribeAclsResponse = {
      api: 'DescribeAcls',
      kind: 'response',
      correlationId: 4,
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      acls,
    };
    const d = roundTrip(describeAclsConverter, version, describeReq, described);
    expect(d.req).toEqual(describeReq);
    // Grouped by resource on the wire: the two bindings of "orders" come back together.
    expect(d.res.acls).toEqual([acls[0], acls[2], acls[1]]);
    const wire = describeAclsConverter.responseToWire(described, version, ctx) as { resources: Array<{ resourceName: string; acls: unknown[] }> };
    expect(wire.resources.map((r) => [r.resourceName, r.acls.length])).toEqual([
      ['orders', 2],
      ['audit', 1],
    ]);

    const del: DeleteAclsRequest = {
      api: 'DeleteAcls',
      kind: 'request',
      correlationId: 5,
      filters: [filter, { ...filter, resourceName: 'x', principal: null }],
    };
    const deleted: DeleteAclsResponse = {
      api: 'DeleteAcls',
      kind: 'response',
      correlationId: 5,
      throttleTimeMs: 0,
      filterResults: [
        { errorCode: 0, errorMessage: null, matchingAcls: [{ ...binding(), errorCode: 0, errorMessage: null }] },
        { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'no', matchingAcls: [] },
      ],
    };
    const x = roundTrip(deleteAclsConverter, version, del, deleted);
    expect(x.req).toEqual(del);
    expect(x.res).toEqual(deleted);
  });

  it('v0 has no pattern type: a v0 binding or filter is LITERAL', () => {
    const create: CreateAclsRequest = { api: 'CreateAcls', kind: 'request', correlationId: 3, creations: [binding()] };
    const ok: CreateAclsResponse = {
      api: 'CreateAcls',
      kind: 'response',
      correlationId: 3,
      throttleTimeMs: 0,
      results: [{ errorCode: 0, errorMessage: null }],
    };
    expect(roundTrip(createAclsConverter, 0, create, ok).req).toEqual(create);
    const v0 = roundTrip(createAclsConverter, 0, { ...create, creations: [binding({ patternType: PatternType.PREFIXED })] }, ok);
    expect(v0.req.creations[0]!.patternType).toBe(PatternType.LITERAL);
    const anyFilter: DescribeAclsRequest = { api: 'DescribeAcls', kind: 'request', correlationId: 4, filter: { ...filter, patternType: PatternType.ANY } };
    const none: DescribeAclsResponse = {
      api: 'DescribeAcls',
      kind: 'response',
      correlationId: 4,
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      acls: [],
    };
    expect(roundTrip(describeAclsConverter, 0, anyFilter, none).req.filter.patternType).toBe(PatternType.LITERAL);
    // v0's bytes are one shorter per binding than v1's (no pattern type byte).
    const v1 = roundTrip(createAclsConverter, 1, create, ok);
    expect(v1.reqBytes.length - roundTrip(createAclsConverter, 0, create, ok).reqBytes.length).toBe(1);
  });

  it.each([0, 3])('v%i error responses encode, with the error on every creation and filter', (version) => {
    const creations = createAclsConverter.requestToWire(
      { api: 'CreateAcls', kind: 'request', correlationId: 1, creations: [binding(), binding()] },
      version,
      ctx,
    );
    expect(errorEncodes(createAclsConverter as never, version, creations)).toMatchObject({ results: [{ errorCode: 31 }, { errorCode: 31 }] });
    const filters = deleteAclsConverter.requestToWire({ api: 'DeleteAcls', kind: 'request', correlationId: 1, filters: [filter] }, version, ctx);
    expect(errorEncodes(deleteAclsConverter as never, version, filters)).toMatchObject({
      filterResults: [{ errorCode: 31, errorMessage: 'denied', matchingAcls: [] }],
    });
    expect(errorEncodes(describeAclsConverter as never, version, {})).toMatchObject({ errorCode: 31, resources: [] });
  });
});

describe('SCRAM credential converters', () => {
  it('are advertised to clients at v0', () => {
    expect(CLIENT_LISTENER_APIS).toContainEqual(expect.objectContaining({ apiKey: 50, served: { min: 0, max: 0 } }));
    expect(CLIENT_LISTENER_APIS).toContainEqual(expect.objectContaining({ apiKey: 51, served: { min: 0, max: 0 } }));
  });

  it('DescribeUserScramCredentials round-trips, a null user list included', () => {
    const res: DescribeUserScramCredentialsResponse = {
      api: 'DescribeUserScramCredentials',
      kind: 'response',
      correlationId: 9,
      throttleTimeMs: 0,
      errorCode: 0,
      errorMessage: null,
      results: [
        { user: 'alice', errorCode: 0, errorMessage: null, credentialInfos: [{ mechanism: 1, iterations: 4096 }] },
        { user: 'ghost', errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: 'none', credentialInfos: [] },
      ],
    };
    for (const users of [null, ['alice', 'ghost']]) {
      const req: DescribeUserScramCredentialsRequest = { api: 'DescribeUserScramCredentials', kind: 'request', correlationId: 9, users };
      const t = roundTrip(describeUserScramCredentialsConverter, 0, req, res);
      expect(t.req).toEqual(req);
      expect(t.res).toEqual(res);
    }
    expect(errorEncodes(describeUserScramCredentialsConverter as never, 0, { users: null })).toMatchObject({ errorCode: 31, results: [] });
  });

  it('AlterUserScramCredentials round-trips salts and salted passwords; its error response names each user once', () => {
    const req: AlterUserScramCredentialsRequest = {
      api: 'AlterUserScramCredentials',
      kind: 'request',
      correlationId: 8,
      deletions: [{ name: 'bob', mechanism: 2 }],
      upsertions: [{ name: 'alice', mechanism: 1, iterations: 8192, salt: new Uint8Array([1, 2, 3]), saltedPassword: new Uint8Array(32).fill(7) }],
    };
    const res: AlterUserScramCredentialsResponse = {
      api: 'AlterUserScramCredentials',
      kind: 'response',
      correlationId: 8,
      throttleTimeMs: 0,
      results: [
        { user: 'bob', errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: 'no such credential' },
        { user: 'alice', errorCode: 0, errorMessage: null },
      ],
    };
    const t = roundTrip(alterUserScramCredentialsConverter, 0, req, res);
    expect(t.req).toEqual(req);
    expect(t.res).toEqual(res);
    const body = alterUserScramCredentialsConverter.requestToWire({ ...req, deletions: [{ name: 'alice', mechanism: 2 }] }, 0, ctx);
    expect(errorEncodes(alterUserScramCredentialsConverter as never, 0, body)).toMatchObject({ results: [{ user: 'alice', errorCode: 31 }] });
  });
});
