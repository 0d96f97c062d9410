// ApiVersions (key 18): the answer that tells a client which versions of each API this listener serves, and
// KIP-511's answer to a version the broker does not know (v0 format, UNSUPPORTED_VERSION, only key 18's range).

import { ErrorCode } from '../../protocol/errors.ts';
import { API_VERSIONS_KEY } from '../header.ts';
import type { ServedVersions, WireStruct } from './converter.ts';

/** ApiVersions' own range unless the caller says otherwise: v3 is the newest that librdkafka and platformatic send. */
const DEFAULT_SUPPORTED: ServedVersions = { min: 0, max: 3 };

/** The version of the fallback answer: v0, the one format every client can read before it knows anything. */
const FALLBACK_VERSION = 0;

export interface ApiVersionsAnswer {
  /** The version to encode `body` at (the request's, or 0 for an unsupported request version). */
  version: number;
  body: WireStruct;
}

function isSupported(version: number, supported: ServedVersions): boolean {
  return version >= supported.min && version <= supported.max;
}

/**
 * The ApiVersions response to a request of `requestVersion`. Key 18 is always advertised with
 * `supportedApiVersions`, whether or not `served` lists it, so the answer cannot contradict itself.
 */
export function apiVersionsResponse(
  requestVersion: number,
  served: ReadonlyArray<{ apiKey: number; served: ServedVersions }>,
  supportedApiVersions: ServedVersions = DEFAULT_SUPPORTED,
): ApiVersionsAnswer {
  const own = { apiKey: API_VERSIONS_KEY, minVersion: supportedApiVersions.min, maxVersion: supportedApiVersions.max };
  // Kafka treats a version below the range like one above it: the client is told what to retry with.
  if (!isSupported(requestVersion, supportedApiVersions)) {
    return { version: FALLBACK_VERSION, body: { errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: [own] } };
  }
  const apiKeys = served
    .filter((a) => a.apiKey !== API_VERSIONS_KEY)
    .map((a) => ({ apiKey: a.apiKey, minVersion: a.served.min, maxVersion: a.served.max }))
    .concat(own)
    .sort((a, b) => a.apiKey - b.apiKey);
  return {
    version: requestVersion,
    body: {
      errorCode: ErrorCode.NONE,
      apiKeys,
      throttleTimeMs: 0,
      supportedFeatures: [],
      finalizedFeaturesEpoch: -1,
      finalizedFeatures: [],
      zkMigrationReady: false,
    },
  };
}

/**
 * Whether a request's body may be parsed, given its header: false only for ApiVersions at a version outside
 * `supportedApiVersions`, whose body layout may be one this broker does not know (a newer client's). Kafka
 * skips such a body and still answers, with apiVersionsResponse's v0 fallback; the connection stays open.
 */
export function canParseRequestBody(header: { apiKey: number; apiVersion: number }, supportedApiVersions: ServedVersions = DEFAULT_SUPPORTED): boolean {
  return header.apiKey !== API_VERSIONS_KEY || isSupported(header.apiVersion, supportedApiVersions);
}
