// Whole Kafka messages as they cross a socket: a request frame body is a request header and the API's
// request body; a response frame body is a response header and the response body. Pure functions over
// the API registry, shared by every runtime and client that speaks the wire protocol.

import { apiSpecs, type ApiSpecs } from './apis/index.ts';
import { UnsupportedVersionError, WireFormatError } from './errors.ts';
import { endFrame } from './frame.ts';
import {
  API_VERSIONS_KEY,
  readRequestHeader,
  readResponseHeader,
  responseHeaderIsFlexible,
  writeRequestHeader,
  writeResponseHeader,
  type RequestHeader,
} from './header.ts';
import { isFlexible, readMessage, writeMessage } from './message-codec.ts';
import { inVersions } from './spec.ts';
import { WireReader } from './wire-reader.ts';
import { WireWriter } from './wire-writer.ts';

/** An API key the codec does not speak: Kafka closes such a connection. */
export class UnknownApiError extends WireFormatError {
  constructor(readonly apiKey: number) {
    super(`unknown API key ${apiKey}`);
    this.name = 'UnknownApiError';
  }
}

/** Whether the request header of (apiKey, version) is v2: the API is known and the version flexible. */
function requestIsFlexible(apiKey: number, version: number): boolean {
  const api = apiSpecs(apiKey);
  return api !== undefined && inVersions(api.request.validVersions, version) && isFlexible(api.request, version);
}

/** A request read from a frame: its header, and its body unless the body cannot be read at that version. */
export interface DecodedRequest {
  header: RequestHeader;
  api: ApiSpecs;
  body: Record<string, unknown>;
}

/**
 * Reads a request's header alone. An ApiVersions request at a version the codec does not know still gets its
 * header read (as v1: KIP-511's clients expect an answer in v0), so the broker can answer UNSUPPORTED_VERSION.
 */
export function decodeRequestHeader(frameBody: Uint8Array): { header: RequestHeader; reader: WireReader } {
  const reader = new WireReader(frameBody);
  const header = readRequestHeader(reader, requestIsFlexible);
  return { header, reader };
}

/**
 * Reads a request frame's body after its header. Throws UnknownApiError for a key the codec does not speak,
 * UnsupportedVersionError for a version outside the API's valid versions, WireFormatError for bytes that do
 * not parse (or are left over).
 */
export function decodeRequestBody(header: RequestHeader, reader: WireReader): DecodedRequest {
  const api = apiSpecs(header.apiKey);
  if (api === undefined) throw new UnknownApiError(header.apiKey);
  if (!inVersions(api.request.validVersions, header.apiVersion)) throw new UnsupportedVersionError(api.request.name, header.apiVersion);
  const body = readMessage(api.request, header.apiVersion, reader);
  if (reader.remaining !== 0) throw new WireFormatError(`${reader.remaining} bytes left over after ${api.request.name} v${header.apiVersion}`);
  return { header, api, body };
}

/** A whole request frame (size prefix included). */
export function encodeRequestFrame(header: RequestHeader, body: Record<string, unknown>): Uint8Array {
  const api = apiSpecs(header.apiKey);
  if (api === undefined) throw new UnknownApiError(header.apiKey);
  if (!inVersions(api.request.validVersions, header.apiVersion)) throw new UnsupportedVersionError(api.request.name, header.apiVersion);
  const writer = new WireWriter();
  const sizeAt = writer.reserveInt32();
  writeRequestHeader(writer, header, isFlexible(api.request, header.apiVersion));
  writeMessage(api.request, header.apiVersion, body, writer);
  endFrame(writer, sizeAt);
  return writer.finish();
}

/** A whole response frame (size prefix included) answering a request of (apiKey, requestVersion), encoded at `version`. */
export function encodeResponseFrame(
  apiKey: number,
  version: number,
  correlationId: number,
  body: Record<string, unknown>,
  requestVersion = version,
): Uint8Array {
  const api = apiSpecs(apiKey);
  if (api === undefined) throw new UnknownApiError(apiKey);
  const writer = new WireWriter();
  const sizeAt = writer.reserveInt32();
  const requestFlexible = apiKey !== API_VERSIONS_KEY && requestIsFlexible(apiKey, requestVersion);
  writeResponseHeader(writer, correlationId, responseHeaderIsFlexible(apiKey, requestFlexible));
  writeMessage(api.response, version, body, writer);
  endFrame(writer, sizeAt);
  return writer.finish();
}

/** The correlation id of a response frame, read before its body (which needs the request's key and version). */
export function responseCorrelationId(frameBody: Uint8Array): number {
  if (frameBody.length < 4) throw new WireFormatError(`a response frame of ${frameBody.length} bytes has no correlation id`);
  return new DataView(frameBody.buffer, frameBody.byteOffset, 4).getInt32(0);
}

/** Reads a response frame's body, given the key and version of the request it answers. */
export function decodeResponseBody(frameBody: Uint8Array, apiKey: number, version: number): Record<string, unknown> {
  const api = apiSpecs(apiKey);
  if (api === undefined) throw new UnknownApiError(apiKey);
  const reader = new WireReader(frameBody);
  readResponseHeader(reader, responseHeaderIsFlexible(apiKey, isFlexible(api.request, version)));
  const body = readMessage(api.response, version, reader);
  if (reader.remaining !== 0) throw new WireFormatError(`${reader.remaining} bytes left over after ${api.response.name} v${version}`);
  return body;
}
