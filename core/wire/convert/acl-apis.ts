// The ACL admin APIs between the wire and the core: DescribeAcls (key 29), CreateAcls (key 30) and
// DeleteAcls (key 31), v0-3. v0 has no pattern type (the codec's default, LITERAL, stands for it);
// DescribeAcls answers bindings grouped by resource, which the core lists one by one.

import type {
  CreateAclsRequest,
  CreateAclsResponse,
  DeleteAclsRequest,
  DeleteAclsResponse,
  DescribeAclsRequest,
  DescribeAclsResponse,
} from '../../protocol/security.ts';
import type { AclBinding, AclBindingFilter } from '../../security/acl.ts';
import type { ApiConverter } from './converter.ts';

const SERVED = { min: 0, max: 3 };

type WireFilter = {
  resourceTypeFilter: number;
  resourceNameFilter: string | null;
  patternTypeFilter: number;
  principalFilter: string | null;
  hostFilter: string | null;
  operation: number;
  permissionType: number;
};
type WireEntry = { principal: string; host: string; operation: number; permissionType: number };
type WireDescribeAclsResponse = {
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  resources: Array<{ resourceType: number; resourceName: string; patternType: number; acls: WireEntry[] }>;
};
type WireCreation = WireEntry & { resourceType: number; resourceName: string; resourcePatternType: number };
type WireMatchingAcl = WireEntry & { errorCode: number; errorMessage: string | null; resourceType: number; resourceName: string; patternType: number };
type WireDeleteAclsResponse = {
  throttleTimeMs: number;
  filterResults: Array<{ errorCode: number; errorMessage: string | null; matchingAcls: WireMatchingAcl[] }>;
};
type Result = { errorCode: number; errorMessage: string | null };

function filterFromWire(f: WireFilter): AclBindingFilter {
  return {
    resourceType: f.resourceTypeFilter as AclBindingFilter['resourceType'],
    resourceName: f.resourceNameFilter,
    patternType: f.patternTypeFilter as AclBindingFilter['patternType'],
    principal: f.principalFilter,
    host: f.hostFilter,
    operation: f.operation as AclBindingFilter['operation'],
    permission: f.permissionType as AclBindingFilter['permission'],
  };
}

function filterToWire(f: AclBindingFilter): WireFilter {
  return {
    resourceTypeFilter: f.resourceType,
    resourceNameFilter: f.resourceName,
    patternTypeFilter: f.patternType,
    principalFilter: f.principal,
    hostFilter: f.host,
    operation: f.operation,
    permissionType: f.permission,
  };
}

function entryToWire(b: AclBinding): WireEntry {
  return { principal: b.principal, host: b.host, operation: b.operation, permissionType: b.permission };
}

function bindingFromWire(resourceType: number, resourceName: string, patternType: number, e: WireEntry): AclBinding {
  return {
    resourceType: resourceType as AclBinding['resourceType'],
    resourceName,
    patternType: patternType as AclBinding['patternType'],
    principal: e.principal,
    host: e.host,
    operation: e.operation as AclBinding['operation'],
    permission: e.permissionType as AclBinding['permission'],
  };
}

/** Bindings grouped by resource (type, name, pattern type), in the order resources first appear. */
function groupByResource(acls: readonly AclBinding[]): WireDescribeAclsResponse['resources'] {
  const groups = new Map<string, WireDescribeAclsResponse['resources'][number]>();
  for (const b of acls) {
    const key = JSON.stringify([b.resourceType, b.resourceName, b.patternType]);
    let group = groups.get(key);
    if (group === undefined) groups.set(key, (group = { resourceType: b.resourceType, resourceName: b.resourceName, patternType: b.patternType, acls: [] }));
    group.acls.push(entryToWire(b));
  }
  return [...groups.values()];
}

export const describeAclsConverter: ApiConverter<DescribeAclsRequest, DescribeAclsResponse> = {
  apiKey: 29,
  served: SERVED,
  requestFromWire: (body, _version, correlationId) => ({ api: 'DescribeAcls', kind: 'request', correlationId, filter: filterFromWire(body as WireFilter) }),
  requestToWire: (req) => filterToWire(req.filter),
  responseToWire(res) {
    const wire: WireDescribeAclsResponse = {
      throttleTimeMs: res.throttleTimeMs,
      errorCode: res.errorCode,
      errorMessage: res.errorMessage,
      resources: groupByResource(res.acls),
    };
    return wire;
  },
  responseFromWire(body, _version, correlationId) {
    const wire = body as WireDescribeAclsResponse;
    return {
      api: 'DescribeAcls',
      kind: 'response',
      correlationId,
      throttleTimeMs: wire.throttleTimeMs,
      errorCode: wire.errorCode,
      errorMessage: wire.errorMessage,
      acls: wire.resources.flatMap((r) => r.acls.map((e) => bindingFromWire(r.resourceType, r.resourceName, r.patternType, e))),
    };
  },
  errorResponse(_body, _version, errorCode, message) {
    const wire: WireDescribeAclsResponse = { throttleTimeMs: 0, errorCode, errorMessage: message, resources: [] };
    return wire;
  },
};

export const createAclsConverter: ApiConverter<CreateAclsRequest, CreateAclsResponse> = {
  apiKey: 30,
  served: SERVED,
  requestFromWire(body, _version, correlationId) {
    const creations = (body.creations as WireCreation[]).map((c) => bindingFromWire(c.resourceType, c.resourceName, c.resourcePatternType, c));
    return { api: 'CreateAcls', kind: 'request', correlationId, creations };
  },
  requestToWire: (req) => ({
    creations: req.creations.map((b): WireCreation => ({
      resourceType: b.resourceType,
      resourceName: b.resourceName,
      resourcePatternType: b.patternType,
      ...entryToWire(b),
    })),
  }),
  responseToWire: (res) => ({
    throttleTimeMs: res.throttleTimeMs,
    results: res.results.map((r): Result => ({ errorCode: r.errorCode, errorMessage: r.errorMessage })),
  }),
  responseFromWire(body, _version, correlationId) {
    const results = (body.results as Result[]).map((r) => ({ errorCode: r.errorCode, errorMessage: r.errorMessage }));
    return { api: 'CreateAcls', kind: 'response', correlationId, throttleTimeMs: body.throttleTimeMs as number, results };
  },
  errorResponse: (body, _version, errorCode, message) => ({
    throttleTimeMs: 0,
    results: (body.creations as unknown[]).map((): Result => ({ errorCode, errorMessage: message })),
  }),
};

export const deleteAclsConverter: ApiConverter<DeleteAclsRequest, DeleteAclsResponse> = {
  apiKey: 31,
  served: SERVED,
  requestFromWire: (body, _version, correlationId) => ({
    api: 'DeleteAcls',
    kind: 'request',
    correlationId,
    filters: (body.filters as WireFilter[]).map(filterFromWire),
  }),
  requestToWire: (req) => ({ filters: req.filters.map(filterToWire) }),
  responseToWire(res) {
    const wire: WireDeleteAclsResponse = {
      throttleTimeMs: res.throttleTimeMs,
      filterResults: res.filterResults.map((f) => ({
        errorCode: f.errorCode,
        errorMessage: f.errorMessage,
        matchingAcls: f.matchingAcls.map((m) => ({
          errorCode: m.errorCode,
          errorMessage: m.errorMessage,
          resourceType: m.resourceType,
          resourceName: m.resourceName,
          patternType: m.patternType,
          ...entryToWire(m),
        })),
      })),
    };
    return wire;
  },
  responseFromWire(body, _version, correlationId) {
    const wire = body as WireDeleteAclsResponse;
    return {
      api: 'DeleteAcls',
      kind: 'response',
      correlationId,
      throttleTimeMs: wire.throttleTimeMs,
      filterResults: wire.filterResults.map((f) => ({
        errorCode: f.errorCode,
        errorMessage: f.errorMessage,
        matchingAcls: f.matchingAcls.map((m) => ({
          ...bindingFromWire(m.resourceType, m.resourceName, m.patternType, m),
          errorCode: m.errorCode,
          errorMessage: m.errorMessage,
        })),
      })),
    };
  },
  errorResponse(body, _version, errorCode, message) {
    const wire: WireDeleteAclsResponse = {
      throttleTimeMs: 0,
      filterResults: (body.filters as unknown[]).map(() => ({ errorCode, errorMessage: message, matchingAcls: [] })),
    };
    return wire;
  },
};
