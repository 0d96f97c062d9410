// Kafka's request and response headers: request header v1 (api key, version, correlation id, client id) and v2
// (+ tag buffer); response header v0 (correlation id) and v1 (+ tag buffer). Their tagged fields are read and dropped.

import { within } from './errors.ts';
import { readRawTaggedFields, writeRawTaggedFields } from './message-codec.ts';
import type { WireReader } from './wire-reader.ts';
import type { WireWriter } from './wire-writer.ts';

/** Kafka's API key of ApiVersions, whose responses always use response header v0. */
export const API_VERSIONS_KEY = 18;

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

/**
 * Reads a request header. Whether it ends with a tag buffer (v2) depends on the request's flexibility, which
 * `flexibleFor` tells from the api key and version read first. The client id stays an int16-length string in v2.
 */
export function readRequestHeader(reader: WireReader, flexibleFor: (apiKey: number, apiVersion: number) => boolean): RequestHeader {
  let field = 'requestApiKey';
  try {
    const apiKey = reader.int16();
    field = 'requestApiVersion';
    const apiVersion = reader.int16();
    field = 'correlationId';
    const correlationId = reader.int32();
    field = 'clientId';
    const clientId = reader.nullableString();
    field = 'taggedFields';
    if (flexibleFor(apiKey, apiVersion)) readRawTaggedFields(reader);
    return { apiKey, apiVersion, correlationId, clientId };
  } catch (e) {
    throw within(e, `header.${field}`);
  }
}

/** Writes a request header: v2 (with an empty tag buffer) when `flexible`, else v1. */
export function writeRequestHeader(writer: WireWriter, header: RequestHeader, flexible: boolean): void {
  writer.int16(header.apiKey);
  writer.int16(header.apiVersion);
  writer.int32(header.correlationId);
  writer.nullableString(header.clientId);
  if (flexible) writeRawTaggedFields(writer);
}

/** Reads a response header: v1 (with a tag buffer) when `flexibleHeader`, else v0. */
export function readResponseHeader(reader: WireReader, flexibleHeader: boolean): { correlationId: number } {
  let field = 'correlationId';
  try {
    const correlationId = reader.int32();
    field = 'taggedFields';
    if (flexibleHeader) readRawTaggedFields(reader);
    return { correlationId };
  } catch (e) {
    throw within(e, `header.${field}`);
  }
}

/** Writes a response header: v1 (with an empty tag buffer) when `flexibleHeader`, else v0. */
export function writeResponseHeader(writer: WireWriter, correlationId: number, flexibleHeader: boolean): void {
  writer.int32(correlationId);
  if (flexibleHeader) writeRawTaggedFields(writer);
}

/**
 * Whether the response header is v1: when the request was flexible, except for ApiVersions, whose response
 * header is always v0 (a client that does not know the broker's versions yet must still read it).
 */
export function responseHeaderIsFlexible(apiKey: number, requestFlexible: boolean): boolean {
  return requestFlexible && apiKey !== API_VERSIONS_KEY;
}
