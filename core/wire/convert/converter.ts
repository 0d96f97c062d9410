// Converters between the codec's plain wire structs (Kafka's message fields, int32 node ids) and the
// core's protocol messages (NodeId strings, decoded record batches): one converter per API, in both
// directions, so a broker can serve wire requests and a Samsa node or client can send them.

import type { NodeId } from '../../env.ts';
import type { Compressors } from '../compression.ts';

/** A decoded message body as the generic codec reads and writes it (camelCase field names). */
export type WireStruct = Record<string, unknown>;

/** How node ids travel: Kafka's int32 ids (-1 for none) against the core's NodeId strings (null for none). */
export interface WireIds {
  toWire(id: NodeId | null): number;
  fromWire(id: number): NodeId | null;
}

/** Real mode's ids: the NodeId of broker 3 is "3"; -1 and every negative id is none. */
export const NUMERIC_IDS: WireIds = {
  toWire: (id) => (id === null ? -1 : Number(id)),
  fromWire: (id) => (id < 0 ? null : String(id)),
};

export interface WireContext {
  readonly ids: WireIds;
  /** The record compression codecs this runtime has (a missing one answers UNSUPPORTED_COMPRESSION_TYPE). */
  readonly compressors: Compressors;
  /**
   * Topic ids and names, from the sender's or server's metadata image, for the versions that name
   * topics by id (Fetch v13+); null when none is known.
   */
  readonly topics: TopicIds;
  /**
   * Fetched batches keep their records undecoded until something reads them (a broker's replica
   * fetcher appends the leader's bytes as they are); the CRC is still checked on arrival.
   */
  readonly lazyFetchedRecords?: boolean;
}

export interface TopicIds {
  idOf(name: string): string | null;
  nameOf(id: string): string | null;
}

/** No topic ids known (a context without a metadata image). */
export const NO_TOPIC_IDS: TopicIds = { idOf: () => null, nameOf: () => null };

/**
 * A request the core cannot take as it came (a corrupt record set, an unsupported codec, a field out
 * of range): the runtime answers it with `errorResponse(body, version, errorCode)` instead.
 */
export class WireRequestError extends Error {
  constructor(
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'WireRequestError';
  }
}

/** The versions of one API that Samsa serves (advertised in ApiVersions) and sends. */
export interface ServedVersions {
  min: number;
  max: number;
}

export interface ApiConverter<Req extends { correlationId: number }, Res extends { correlationId: number }> {
  readonly apiKey: number;
  readonly served: ServedVersions;
  /**
   * The version Samsa nodes use between themselves (replica Fetch v15 carries the follower's broker
   * epoch, KIP-903); absent means served.max. Servers decode every version the converter handles,
   * which may reach beyond the advertised range.
   */
  readonly internalVersion?: number;
  /**
   * The core request from a wire request body; throws WireRequestError for one the core cannot take.
   * `clientId` is the request header's (JoinGroup keeps it for the member id and DescribeGroups).
   */
  requestFromWire(body: WireStruct, version: number, correlationId: number, ctx: WireContext, clientId?: string | null): Req;
  /** The wire body of a core request, at `version`. */
  requestToWire(req: Req, version: number, ctx: WireContext): WireStruct;
  /** The wire body of the core's response, at `version`. */
  responseToWire(res: Res, version: number, ctx: WireContext): WireStruct;
  /** The core response from a wire response body (its correlation id is the core request's). */
  responseFromWire(body: WireStruct, version: number, correlationId: number, ctx: WireContext): Res;
  /**
   * The wire response that answers the request `body` with `errorCode` everywhere an error can go
   * (every topic and partition it named), as Kafka's AbstractRequest.getErrorResponse does.
   */
  errorResponse(body: WireStruct, version: number, errorCode: number, message: string | null): WireStruct;
  /**
   * The version a sender writes this request at, given the highest it would use (`max`); absent
   * means `max`. For a request only some versions can say (EndTxn without an epoch bump: v4 at most).
   */
  versionFor?(req: Req, max: number): number;
  /** False for a request that gets no response (Produce with acks=0); absent means always true. */
  expectsResponse?(body: WireStruct): boolean;
}
