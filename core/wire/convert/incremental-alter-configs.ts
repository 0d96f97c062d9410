// IncrementalAlterConfigs (key 44) between the wire and the core: per resource (type, name), the configs to
// set, delete, append to or subtract from (KIP-339); one result per resource. v1 is flexible.

import type { IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse } from '../../protocol/controller.ts';
import type { ApiConverter } from './converter.ts';

type WireRequest = {
  resources: Array<{ resourceType: number; resourceName: string; configs: Array<{ name: string; configOperation: number; value: string | null }> }>;
  validateOnly: boolean;
};

type WireResult = { errorCode: number; errorMessage: string | null; resourceType: number; resourceName: string };
type WireResponse = { throttleTimeMs: number; responses: WireResult[] };

const copyResult = (r: WireResult): WireResult => ({
  errorCode: r.errorCode,
  errorMessage: r.errorMessage,
  resourceType: r.resourceType,
  resourceName: r.resourceName,
});

export const incrementalAlterConfigsConverter: ApiConverter<IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse> = {
  apiKey: 44,
  served: { min: 0, max: 1 },

  requestFromWire(body, _version, correlationId) {
    const wire = body as WireRequest;
    return {
      api: 'IncrementalAlterConfigs',
      kind: 'request',
      correlationId,
      resources: wire.resources.map((r) => ({
        resourceType: r.resourceType,
        resourceName: r.resourceName,
        configs: r.configs.map((c) => ({ name: c.name, configOperation: c.configOperation, value: c.value })),
      })),
      validateOnly: wire.validateOnly,
    };
  },

  requestToWire(req) {
    const wire: WireRequest = {
      resources: req.resources.map((r) => ({
        resourceType: r.resourceType,
        resourceName: r.resourceName,
        configs: r.configs.map((c) => ({ name: c.name, configOperation: c.configOperation, value: c.value })),
      })),
      validateOnly: req.validateOnly,
    };
    return wire;
  },

  responseToWire(res) {
    const wire: WireResponse = { throttleTimeMs: 0, responses: res.resources.map(copyResult) };
    return wire;
  },

  responseFromWire(body, _version, correlationId) {
    const wire = body as WireResponse;
    return { api: 'IncrementalAlterConfigs', kind: 'response', correlationId, resources: wire.responses.map(copyResult) };
  },

  errorResponse(body, _version, errorCode, message) {
    const wire = body as WireRequest;
    const response: WireResponse = {
      throttleTimeMs: 0,
      responses: wire.resources.map((r) => ({ errorCode, errorMessage: message, resourceType: r.resourceType, resourceName: r.resourceName })),
    };
    return response;
  },
};
