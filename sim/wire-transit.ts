// The simulator's codec switch: every message a node sends is written as a Kafka frame and read back, as the real runtime would, before it is delivered.

import type { NodeId } from '../core/env.ts';
import { KafkaNode } from '../core/node/kafka-node.ts';
import { NO_COMPRESSORS, type Compressors } from '../core/wire/compression.ts';
import type { TopicIds, WireContext, WireIds, WireStruct } from '../core/wire/convert/converter.ts';
import { converterForMessage, converterForRequest, type AnyConverter } from '../core/wire/convert/index.ts';
import { DEFAULT_MAX_FRAME_BYTES, FrameReader } from '../core/wire/frame.ts';
import {
  decodeRequestBody,
  decodeRequestHeader,
  decodeResponseBody,
  encodeRequestFrame,
  encodeResponseFrame,
  responseCorrelationId,
} from '../core/wire/messages.ts';
import type { Simulation } from './kernel.ts';

/** What every message of the cluster (KafkaMessage, the clients' and the admin's) has, as far as the wire needs it. */
export interface CoreMessage {
  api: string;
  kind: 'request' | 'response';
  correlationId: number;
  topic?: string;
  clientId?: string;
}

/** A message that cannot make the trip: no converter, a converter or the codec refusing it, or the frame read back wrong. */
export class WireTransitError extends Error {
  constructor(
    readonly api: string,
    readonly kind: string,
    readonly from: NodeId,
    readonly to: NodeId,
    readonly version: number | null,
    override readonly cause: unknown,
  ) {
    const at = version === null ? '' : ` v${version}`;
    const why = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(`the ${api}${at} ${kind} from ${from} to ${to} cannot cross the wire codec: ${why}`);
    this.name = 'WireTransitError';
  }
}

export interface WireTransitOptions {
  /**
   * The Kafka nodes (brokers and controllers). They send each other an API's internal version, as
   * the real runtime's peers do; every other node is a client, which sends the highest version the
   * brokers advertise, as Samsa's clients do after ApiVersions.
   */
  peers: readonly NodeId[];
  /** Record batch codecs (default none: the simulated clients do not compress). */
  compressors?: Compressors;
}

/** The version a request goes at, as the real runtime sends it (a response goes back at its request's). */
export function transitVersion(converter: AnyConverter, fromPeer: boolean, request?: unknown): number {
  const max = fromPeer ? (converter.internalVersion ?? converter.served.max) : converter.served.max;
  return request !== undefined && converter.versionFor !== undefined ? converter.versionFor(request, max) : max;
}

/**
 * The simulation's node ids as int32s: a node's position in the kernel's node list, from 1, so
 * `fromWire(toWire(id)) === id` for every node, and every seed, run and replay agree. A string that
 * names no node maps to NaN, as `NUMERIC_IDS` maps a non-numeric one: the writer refuses it in an
 * int32 field, and DescribeConfigs passes such a broker resource name through as text.
 */
export class SimWireIds implements WireIds {
  private readonly numbers = new Map<NodeId, number>();
  private names: readonly NodeId[] = [];

  constructor(private readonly nodeIds: () => readonly NodeId[]) {}

  toWire(id: NodeId | null): number {
    if (id === null) return -1;
    const known = this.numbers.get(id);
    if (known !== undefined) return known;
    this.refresh();
    return this.numbers.get(id) ?? Number.NaN;
  }

  fromWire(id: number): NodeId | null {
    if (id < 0) return null;
    if (id > this.names.length) this.refresh();
    return this.names[id - 1] ?? String(id);
  }

  /** Nodes are only ever added (clients after the cluster), so positions never change. */
  private refresh(): void {
    this.names = [...this.nodeIds()];
    this.names.forEach((id, i) => this.numbers.set(id, i + 1));
  }
}

/**
 * Topic ids as the cluster created them, read from the live nodes' metadata images. A name is
 * looked up in the sender's own image first (as a real sender would), then in what any node's image
 * has held; an id, once seen, always names its topic (ids are never reused), so a receiver whose
 * image lags or has dropped a deleted topic still reads the name the sender meant. The switch tests
 * the codec, not how far apart two nodes' images are.
 */
class SimTopicIds implements TopicIds {
  /** The sender's image, set for the duration of one transit. */
  sender: KafkaNode | null = null;
  private readonly names = new Map<string, string>();
  private readonly ids = new Map<string, string>();

  constructor(private readonly nodes: () => Iterable<unknown>) {}

  idOf(name: string): string | null {
    const own = this.sender?.image.topicByName(name)?.topicId;
    if (own !== undefined) return own;
    if (!this.ids.has(name)) this.learn();
    return this.ids.get(name) ?? null;
  }

  nameOf(id: string): string | null {
    if (!this.names.has(id)) this.learn();
    return this.names.get(id) ?? null;
  }

  private learn(): void {
    for (const node of this.nodes()) {
      if (!(node instanceof KafkaNode)) continue;
      for (const topic of node.image.topics.values()) {
        this.names.set(topic.topicId, topic.name);
        this.ids.set(topic.name, topic.topicId);
      }
    }
  }
}

/**
 * The codec switch for a simulation (SimulationOptions.transit): each message a node sends is
 * converted to its wire struct at the version the real runtime sends (`transitVersion`: a peer's
 * internal version between Kafka nodes, the advertised maximum from a client; a response at its
 * request's), written as a whole frame with its header, cut from the byte stream, its header
 * and body read back, and converted to the core message the receiver gets (a request by the
 * converter a server picks from the frame). Correlation ids travel in the frame headers. Messages
 * a node sends itself make the trip too, though the real runtime hands them over in-process: more
 * of the codec is exercised, and they convert like any other. Every API of the cluster has a converter; a message without one, and any
 * error on the way (a converter's WireRequestError, the codec's WireFormatError), is a
 * WireTransitError naming the API, the version and both nodes, which stops the run as a failure of
 * the sending node.
 */
export function wireTransit<M>(sim: Simulation<M>, options: WireTransitOptions): (from: NodeId, to: NodeId, msg: M) => M {
  const peers = new Set(options.peers);
  const topics = new SimTopicIds(function* () {
    for (const id of sim.nodeIds) yield sim.nodeObject(id);
  });
  const ctx: WireContext = { ids: new SimWireIds(() => sim.nodeIds), compressors: options.compressors ?? NO_COMPRESSORS, topics };
  return (from, to, msg) => {
    const core = msg as unknown as CoreMessage;
    const converter = converterForMessage(core);
    if (converter === undefined) throw new WireTransitError(core.api, core.kind, from, to, null, new Error(`no converter for the core's ${core.api} messages`));
    const version = transitVersion(converter, peers.has(core.kind === 'request' ? from : to), core.kind === 'request' ? core : undefined);
    const sender = sim.nodeObject(from);
    topics.sender = sender instanceof KafkaNode ? sender : null;
    try {
      return (core.kind === 'request' ? requestTrip(converter, version, from, core, ctx) : responseTrip(converter, version, core, ctx)) as M;
    } catch (err) {
      throw new WireTransitError(core.api, core.kind, from, to, version, err);
    } finally {
      topics.sender = null;
    }
  };
}

/** The one frame in `bytes`, as a connection's reader cuts it (size prefix checked and removed). */
function oneFrame(bytes: Uint8Array): Uint8Array {
  const frames = new FrameReader(DEFAULT_MAX_FRAME_BYTES).push(bytes);
  if (frames.length !== 1) throw new Error(`the encoded message read back as ${frames.length} frames`);
  return frames[0]!;
}

function requestTrip(converter: AnyConverter, version: number, from: NodeId, msg: CoreMessage, ctx: WireContext): CoreMessage {
  const wire: WireStruct = converter.requestToWire(msg, version, ctx);
  // A request that names its client (JoinGroup) travels with that id in its header, as a real client's does.
  const clientId = typeof msg.clientId === 'string' ? msg.clientId : `samsa-sim-${from}`;
  const header = { apiKey: converter.apiKey, apiVersion: version, correlationId: msg.correlationId, clientId };
  const { header: read, reader } = decodeRequestHeader(oneFrame(encodeRequestFrame(header, wire)));
  const { body } = decodeRequestBody(read, reader);
  // The receiver picks the converter from the frame, as a server does (Fetch: the quorum's or a data fetch, by its body).
  const served = converterForRequest(read.apiKey, body);
  if (served === undefined) throw new Error(`API key ${read.apiKey} has no converter on the receiving side`);
  if (served !== converter) throw new Error(`the receiving side reads API key ${read.apiKey} with another converter than the one that wrote it`);
  return served.requestFromWire(body, read.apiVersion, read.correlationId, ctx, read.clientId) as CoreMessage;
}

function responseTrip(converter: AnyConverter, version: number, msg: CoreMessage, ctx: WireContext): CoreMessage {
  const wire: WireStruct = converter.responseToWire(msg, version, ctx);
  const frameBody = oneFrame(encodeResponseFrame(converter.apiKey, version, msg.correlationId, wire));
  const body = decodeResponseBody(frameBody, converter.apiKey, version);
  return converter.responseFromWire(body, version, responseCorrelationId(frameBody), ctx) as CoreMessage;
}
