// DescribeConfigs (key 32) between the wire and the core: v0 says only whether a value is a default,
// v1 gives its source and synonyms (KIP-226), v3 its type and documentation (KIP-569), v4 is flexible.

import { ConfigResourceType, ConfigSource, ConfigType, type DescribeConfigsRequest, type DescribeConfigsResponse } from '../../protocol/data.ts';
import type { ApiConverter, WireIds } from './converter.ts';

type WireResource = { resourceType: number; resourceName: string; configurationKeys: string[] | null };

type WireDescribeConfigsRequest = {
  resources: WireResource[];
  includeSynonyms: boolean;
  includeDocumentation: boolean;
};

type WireSynonym = { name: string; value: string | null; source: number };

type WireConfig = {
  name: string;
  value: string | null;
  readOnly: boolean;
  isDefault: boolean;
  configSource: number;
  isSensitive: boolean;
  synonyms: WireSynonym[];
  configType: number;
  documentation: string | null;
};

type WireResult = { errorCode: number; errorMessage: string | null; resourceType: number; resourceName: string; configs: WireConfig[] };

type WireDescribeConfigsResponse = {
  throttleTimeMs: number;
  results: WireResult[];
};

/** configSource and synonyms replace isDefault (KIP-226). */
const SOURCE_VERSION = 1;
/** configType and documentation (KIP-569). */
const TYPE_VERSION = 3;

/** Kafka's int32 broker ids as decimal text, exactly as Integer.toString writes them. */
const CANONICAL_ID = /^(0|[1-9]\d{0,9})$/;

/**
 * A broker resource names its broker by Kafka's id in decimal; the core by NodeId. Only the canonical
 * text of an id is mapped, so the response echoes the very name the client sent (it matches results to
 * resources by name); "" (the cluster-wide defaults) and anything else pass as they are.
 */
function brokerNameFromWire(ids: WireIds, name: string): string {
  if (!CANONICAL_ID.test(name) || Number(name) > 0x7fffffff) return name;
  return ids.fromWire(Number(name)) ?? name;
}

function brokerNameToWire(ids: WireIds, name: string): string {
  if (name === '') return name;
  const id = ids.toWire(name);
  return Number.isInteger(id) && id >= 0 ? String(id) : name;
}

function resourceNameFromWire(ids: WireIds, resourceType: number, name: string): string {
  return resourceType === ConfigResourceType.BROKER ? brokerNameFromWire(ids, name) : name;
}

function resourceNameToWire(ids: WireIds, resourceType: number, name: string): string {
  return resourceType === ConfigResourceType.BROKER ? brokerNameToWire(ids, name) : name;
}

/** v0's isDefault read as a source, as Kafka's client reads it: set values are the topic's or the broker's own. */
function sourceOfV0(isDefault: boolean, resourceType: number): number {
  if (isDefault) return ConfigSource.DEFAULT_CONFIG;
  if (resourceType === ConfigResourceType.TOPIC) return ConfigSource.DYNAMIC_TOPIC_CONFIG;
  if (resourceType === ConfigResourceType.BROKER) return ConfigSource.STATIC_BROKER_CONFIG;
  return ConfigSource.UNKNOWN;
}

export const describeConfigsConverter: ApiConverter<DescribeConfigsRequest, DescribeConfigsResponse> = {
  apiKey: 32,
  served: { min: 0, max: 4 },

  requestFromWire(body, _version, correlationId, ctx) {
    const wire = body as WireDescribeConfigsRequest;
    // The codec gives the absent includeSynonyms (v0) and includeDocumentation (v0-2) their default, false.
    return {
      api: 'DescribeConfigs',
      kind: 'request',
      correlationId,
      resources: wire.resources.map((r) => ({
        resourceType: r.resourceType,
        resourceName: resourceNameFromWire(ctx.ids, r.resourceType, r.resourceName),
        configurationKeys: r.configurationKeys === null ? null : [...r.configurationKeys],
      })),
      includeSynonyms: wire.includeSynonyms,
      includeDocumentation: wire.includeDocumentation,
    };
  },

  requestToWire(req, _version, ctx) {
    // Older versions cannot ask for synonyms or documentation: the answer simply comes without them.
    const wire: WireDescribeConfigsRequest = {
      resources: req.resources.map((r) => ({
        resourceType: r.resourceType,
        resourceName: resourceNameToWire(ctx.ids, r.resourceType, r.resourceName),
        configurationKeys: r.configurationKeys === null ? null : [...r.configurationKeys],
      })),
      includeSynonyms: req.includeSynonyms,
      includeDocumentation: req.includeDocumentation,
    };
    return wire;
  },

  responseToWire(res, _version, ctx) {
    const wire: WireDescribeConfigsResponse = {
      throttleTimeMs: 0,
      results: res.results.map((r) => ({
        errorCode: r.errorCode,
        errorMessage: r.errorMessage,
        resourceType: r.resourceType,
        resourceName: resourceNameToWire(ctx.ids, r.resourceType, r.resourceName),
        // The codec writes only the fields of the version: isDefault for v0, configSource and the rest later.
        configs: r.configs.map((c) => ({
          name: c.name,
          value: c.value,
          readOnly: c.readOnly,
          isDefault: c.configSource === ConfigSource.DEFAULT_CONFIG,
          configSource: c.configSource,
          isSensitive: c.isSensitive,
          synonyms: c.synonyms.map((s) => ({ name: s.name, value: s.value, source: s.source })),
          configType: c.configType,
          documentation: c.documentation,
        })),
      })),
    };
    return wire;
  },

  responseFromWire(body, version, correlationId, ctx) {
    const wire = body as WireDescribeConfigsResponse;
    return {
      api: 'DescribeConfigs',
      kind: 'response',
      correlationId,
      results: wire.results.map((r) => ({
        errorCode: r.errorCode,
        errorMessage: r.errorMessage,
        resourceType: r.resourceType,
        resourceName: resourceNameFromWire(ctx.ids, r.resourceType, r.resourceName),
        configs: r.configs.map((c) => ({
          name: c.name,
          value: c.value,
          readOnly: c.readOnly,
          configSource: version >= SOURCE_VERSION ? c.configSource : sourceOfV0(c.isDefault, r.resourceType),
          isSensitive: c.isSensitive,
          synonyms: version >= SOURCE_VERSION ? c.synonyms.map((s) => ({ name: s.name, value: s.value, source: s.source })) : [],
          configType: version >= TYPE_VERSION ? c.configType : ConfigType.UNKNOWN,
          // The codec decodes the absent field (before v3) as "", which is no documentation.
          documentation: version >= TYPE_VERSION ? c.documentation : null,
        })),
      })),
    };
  },

  errorResponse(body, _version, errorCode, message) {
    const wire = body as WireDescribeConfigsRequest;
    const response: WireDescribeConfigsResponse = {
      throttleTimeMs: 0,
      results: wire.resources.map((r) => ({ errorCode, errorMessage: message, resourceType: r.resourceType, resourceName: r.resourceName, configs: [] })),
    };
    return response;
  },
};
