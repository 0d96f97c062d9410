// A client's connection to one Kafka broker, as Kafka's NetworkClient keeps it: it opens with an
// ApiVersions exchange (KIP-511's fallback to v0 when the broker is older), then sends each request at
// the highest version both sides speak, and fails clearly when they share none.

import type { ServedVersions, WireStruct } from '../core/wire/convert/converter.ts';
import { apiSpecs } from '../core/wire/apis/index.ts';
import { WireFormatError } from '../core/wire/errors.ts';
import { API_VERSIONS_KEY } from '../core/wire/header.ts';
import { decodeResponseBody, encodeRequestFrame } from '../core/wire/messages.ts';
import { OutboundConnection, type ClientSecurity } from './outbound-connection.ts';

/** The ApiVersions version Samsa's clients ask with first (v3 carries the client's software name). */
const API_VERSIONS_VERSION = 3;
const UNSUPPORTED_VERSION = 35;
const CONNECT_TIMEOUT_MS = 10_000;
/** The largest response accepted (Kafka clients bound it by fetch.max.bytes and friends; 100 MiB is generous). */
const MAX_RESPONSE_BYTES = 100 * 1024 * 1024;

/** A request the broker cannot take at any version this client speaks (Kafka's UnsupportedVersionException). */
export class UnsupportedApiError extends Error {
  constructor(
    readonly apiKey: number,
    readonly broker: string,
    detail: string,
  ) {
    super(detail);
    this.name = 'UnsupportedApiError';
  }
}

/** The connection closed (or never opened) before the answer came. */
export class ConnectionLostError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConnectionLostError';
  }
}

export interface WireAnswer {
  version: number;
  body: WireStruct;
}

/** One request: the client's versions of the API, and its body at the version chosen. */
export interface WireCall {
  apiKey: number;
  versions: ServedVersions;
  body(version: number): WireStruct;
  /** False for a request the broker does not answer (Produce with acks=0). */
  expectsResponse?: boolean;
}

interface Waiting {
  call: WireCall;
  resolve(answer: WireAnswer | null): void;
  reject(err: Error): void;
}

export interface BrokerConnectionOptions {
  host: string;
  port: number;
  clientId: string;
  /** TLS and SASL for a secure listener; absent: PLAINTEXT. */
  security?: ClientSecurity;
  /** Called once when the connection is gone. */
  onClose(reason: string): void;
}

export class BrokerConnection {
  private readonly connection: OutboundConnection;
  /** The broker's versions per API key, once ApiVersions answered. */
  private apiVersions: Map<number, ServedVersions> | null = null;
  private waiting: Waiting[] = [];
  private readonly inFlight = new Set<Waiting>();
  private closeReason: string | null = null;
  /** Per API key, the highest version whose responses from this broker could be read (below one that could not). */
  private readonly unreadableFrom = new Map<number, number>();

  constructor(private readonly options: BrokerConnectionOptions) {
    this.connection = new OutboundConnection({
      host: options.host,
      port: options.port,
      ...(options.security !== undefined ? { security: options.security, clientId: options.clientId } : {}),
      maxFrameBytes: MAX_RESPONSE_BYTES,
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
      onClose: (reason) => this.onClose(reason),
    });
    this.askApiVersions(API_VERSIONS_VERSION);
  }

  get address(): string {
    return `${this.options.host}:${this.options.port}`;
  }

  get isClosed(): boolean {
    return this.closeReason !== null;
  }

  /** The broker's version range of `apiKey` (null before ApiVersions answered or when it lacks the API). */
  brokerVersions(apiKey: number): ServedVersions | null {
    return this.apiVersions?.get(apiKey) ?? null;
  }

  /** Sends `call` once the versions are known; resolves with the answer (null when none is expected). */
  request(call: WireCall): Promise<WireAnswer | null> {
    return new Promise((resolve, reject) => {
      const waiting = { call, resolve, reject };
      if (this.closeReason !== null) return reject(new ConnectionLostError(this.closeReason));
      if (this.apiVersions === null) this.waiting.push(waiting);
      else this.dispatch(waiting);
    });
  }

  close(reason = 'closed by the client'): void {
    this.connection.close(reason);
  }

  private askApiVersions(version: number): void {
    const correlationId = this.connection.takeCorrelationId();
    const frame = encodeRequestFrame(
      { apiKey: API_VERSIONS_KEY, apiVersion: version, correlationId, clientId: this.options.clientId },
      { clientSoftwareName: 'samsa', clientSoftwareVersion: '0' },
    );
    this.connection.send(frame, correlationId, (body) => this.onApiVersions(body, version));
  }

  private onApiVersions(frameBody: Uint8Array, version: number): void {
    const answer = readApiVersions(frameBody, version);
    if (answer === null) {
      // Unreadable, yet refusing our version (librdkafka's mock writes a v3 layout it cannot parse back): ask at v0, which every broker reads.
      if (version > 0 && errorCodeOf(frameBody) === UNSUPPORTED_VERSION) return this.askApiVersions(0);
      return this.close(`unreadable ApiVersions v${version} answer from ${this.address}`);
    }
    const keys = (answer['apiKeys'] as Array<{ apiKey: number; minVersion: number; maxVersion: number }>) ?? [];
    if (answer['errorCode'] === UNSUPPORTED_VERSION) {
      const own = keys.find((k) => k.apiKey === API_VERSIONS_KEY);
      const retry = own === undefined ? 0 : Math.min(own.maxVersion, version - 1);
      if (retry < 0 || retry >= version) return this.close(`the broker at ${this.address} refuses every ApiVersions version`);
      return this.askApiVersions(retry);
    }
    if (answer['errorCode'] !== 0) return this.close(`ApiVersions failed with error code ${String(answer['errorCode'])}`);
    this.apiVersions = new Map(keys.map((k) => [k.apiKey, { min: k.minVersion, max: k.maxVersion }]));
    const queued = this.waiting;
    this.waiting = [];
    for (const w of queued) this.dispatch(w);
  }

  private dispatch(waiting: Waiting): void {
    const { call } = waiting;
    const theirs = this.apiVersions!.get(call.apiKey);
    if (theirs === undefined) {
      return waiting.reject(new UnsupportedApiError(call.apiKey, this.address, `the broker at ${this.address} does not serve ${apiName(call.apiKey)}`));
    }
    const version = Math.min(call.versions.max, theirs.max, this.unreadableFrom.get(call.apiKey) ?? Infinity);
    if (version < Math.max(call.versions.min, theirs.min)) {
      return waiting.reject(
        new UnsupportedApiError(
          call.apiKey,
          this.address,
          `the broker at ${this.address} serves ${apiName(call.apiKey)} at versions ${theirs.min}-${theirs.max}, Samsa speaks ${call.versions.min}-${call.versions.max}`,
        ),
      );
    }
    let frame: Uint8Array;
    const correlationId = this.connection.takeCorrelationId();
    try {
      frame = encodeRequestFrame({ apiKey: call.apiKey, apiVersion: version, correlationId, clientId: this.options.clientId }, call.body(version));
    } catch (err) {
      return waiting.reject(err as Error);
    }
    const expects = call.expectsResponse ?? true;
    if (!expects) {
      this.connection.send(frame, correlationId, null);
      return waiting.resolve(null);
    }
    this.inFlight.add(waiting);
    this.connection.send(frame, correlationId, (body) => {
      this.inFlight.delete(waiting);
      let decoded: WireStruct;
      try {
        decoded = decodeResponseBody(body, call.apiKey, version);
      } catch (err) {
        if (!(err instanceof WireFormatError)) throw err;
        // A broker that advertises a version it writes wrongly (librdkafka 2.0.2's mock writes ListOffsets v4+ with 4 bytes
        // too many per partition): this connection sends that API below the version from now on, and this request again.
        this.unreadableFrom.set(call.apiKey, version - 1);
        return this.dispatch(waiting);
      }
      waiting.resolve({ version, body: decoded });
    });
  }

  private onClose(reason: string): void {
    this.closeReason = reason;
    const lost = [...this.waiting, ...this.inFlight];
    this.waiting = [];
    this.inFlight.clear();
    for (const w of lost) w.reject(new ConnectionLostError(reason));
    this.options.onClose(reason);
  }
}

/** An API's name for messages ("ListOffsets (key 2)"). */
function apiName(apiKey: number): string {
  const name = apiSpecs(apiKey)?.request.name.replace(/Request$/, '');
  return name === undefined ? `API key ${apiKey}` : `${name} (API key ${apiKey})`;
}

/** The ApiVersions answer read at the request's version, else in v0's layout (KIP-511's fallback); null when neither reads. */
function readApiVersions(frameBody: Uint8Array, version: number): WireStruct | null {
  for (const v of version === 0 ? [0] : [version, 0]) {
    try {
      return decodeResponseBody(frameBody, API_VERSIONS_KEY, v);
    } catch (err) {
      if (!(err instanceof WireFormatError)) throw err;
    }
  }
  return null;
}

/** The error code of an ApiVersions response frame (its header is always v0: the correlation id alone), or null when too short. */
function errorCodeOf(frameBody: Uint8Array): number | null {
  if (frameBody.length < 6) return null;
  return new DataView(frameBody.buffer, frameBody.byteOffset, frameBody.byteLength).getInt16(4);
}
