// The real runtime of one Kafka node: the core's KafkaNode, unchanged, driven by socket frames and
// wall-clock timers through an Env. Requests from clients and peers are converted from the wire and
// answered on the connection they came on, in order; the node's own requests to peers leave on
// connections this runtime opens (controller listener for the quorum and the controller's APIs, the
// inter-broker listener for replica fetches), and messages a node sends itself are delivered locally.
// Secure listeners: TLS (node:tls) and a SASL state machine per connection (net/sasl-server.ts) in front
// of the node; every request the node receives from a connection carries that connection's session.

import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, TLSSocket, type TlsOptions } from 'node:tls';
import type { Env, NodeId, TimerTag } from '../core/env.ts';
import { ANONYMOUS, type Session } from '../core/security/session.ts';
import { KafkaNode, type KafkaMessage } from '../core/node/kafka-node.ts';
import { CONTROLLER_APIS } from '../core/protocol/controller.ts';
import { ErrorCode } from '../core/protocol/errors.ts';
import { StorageError, type Storage } from '../core/storage.ts';
import type { NodeEvent } from '../core/trace/schema.ts';
import type { Compressors } from '../core/wire/compression.ts';
import { NUMERIC_IDS, WireRequestError, type TopicIds, type WireContext, type WireStruct } from '../core/wire/convert/converter.ts';
import { apiVersionsResponse } from '../core/wire/convert/api-versions.ts';
import {
  API_VERSIONS_SERVED,
  CLIENT_LISTENER_APIS,
  CONTROLLER_LISTENER_APIS,
  converterForMessage,
  converterForRequest,
  readableVersions,
  type AnyConverter,
} from '../core/wire/convert/index.ts';
import { METADATA_TOPIC } from '../core/wire/convert/quorum-common.ts';
import { quorumFetchConverter } from '../core/wire/convert/quorum-fetch.ts';
import { WireFormatError } from '../core/wire/errors.ts';
import { API_VERSIONS_KEY, type RequestHeader } from '../core/wire/header.ts';
import { decodeRequestBody, decodeResponseBody, encodeRequestFrame, encodeResponseFrame } from '../core/wire/messages.ts';
import type { WireReader } from '../core/wire/wire-reader.ts';
import { addressedForListener } from './listener-addresses.ts';
import { InboundConnection, type ResponseSlot } from './inbound-connection.ts';
import { OutboundConnection, type ClientSecurity } from './outbound-connection.ts';
import { SASL_AUTHENTICATE_KEY, SASL_HANDSHAKE_KEY } from './sasl-client.ts';
import { SaslServerConnection, type SaslServerSettings } from './sasl-server.ts';
import type { ScramCredentialSource } from './scram.ts';
import type { SslPrincipalMapper } from './ssl-principal-mapper.ts';
import { certificatePrincipal } from './tls-principal.ts';

/** A listener this node binds. */
export interface ListenerSpec {
  name: string;
  host: string;
  port: number;
  /** Whether this is a controller listener (it serves the quorum, not clients). */
  controller: boolean;
  /** SSL and SASL_SSL: the TLS server's options (key, certificate chain, trusted CAs, client certificates asked for). */
  tls?: TlsOptions | null;
  /** SASL_PLAINTEXT and SASL_SSL: the SASL settings. */
  sasl?: SaslServerSettings | null;
  /** SSL and SASL_SSL: ssl.principal.mapping.rules (absent: DEFAULT). */
  principalMapper?: SslPrincipalMapper | null;
}

export interface Address {
  host: string;
  port: number;
}

export interface NodeRuntimeOptions {
  id: NodeId;
  /** Builds the node once the listeners are bound (a port 0 listener advertises the port it got). */
  createNode(bound: ReadonlyMap<string, Address>): KafkaNode;
  storage: Storage;
  listeners: readonly ListenerSpec[];
  /** The controller listener's address of each quorum voter. */
  voters: ReadonlyMap<NodeId, Address>;
  /** The listener name brokers replicate over (inter.broker.listener.name). */
  interBrokerListener: string;
  /** How this node's own connections secure themselves: to the inter-broker listener and to the controller listener. */
  peerSecurity?: { broker?: ClientSecurity; controller?: ClientSecurity };
  /** Where SCRAM credentials come from (default: none, every SCRAM login fails). */
  scramCredentials?: ScramCredentialSource;
  compressors: Compressors;
  /** socket.request.max.bytes */
  maxRequestBytes: number;
  /** Receives the node's trace events (may drop them). */
  trace(event: NodeEvent): void;
  /** False when `trace` keeps nothing: the node may skip events that are costly to build. */
  traced?: boolean;
  /** One line for the node's log. */
  log(line: string): void;
  /** The node cannot go on (its storage failed, as Kafka halts on a failed log dir). */
  halt(reason: string): void;
}

/** A request that came in on a connection and waits for the node's answer. */
interface PendingAnswer {
  slot: ResponseSlot;
  converter: AnyConverter;
  apiKey: number;
  version: number;
  wireCorrelationId: number;
  /** The listener the request came in on: the brokers an answer names are addressed by its endpoints. */
  listener: string;
}

/** Quorum and controller APIs go to a node's controller listener; data APIs (replica Fetch) to its broker listener. */
const CONTROLLER_BOUND: ReadonlySet<string> = new Set(['Vote', 'BeginQuorumEpoch', 'EndQuorumEpoch', 'FetchSnapshot', ...CONTROLLER_APIS]);

/**
 * Broker-bound requests that travel on their own connection to a peer, as Kafka's replica fetcher, transaction
 * marker channel and AddPartitionsToTxn manager each have their own network client. A peer answers a connection's
 * requests in order, so on one shared connection a WriteTxnMarkers held until its markers are replicated
 * (acks=all) would hold back the answer to the replica fetch that replicates them, until the ISR shrank.
 */
const BROKER_CHANNELS: ReadonlyMap<string, string> = new Map([
  ['Fetch', 'replica-fetcher'],
  ['WriteTxnMarkers', 'txn-markers'],
  ['AddPartitionsToTxn', 'txn-verification'],
]);

/** The API keys each kind of listener serves (what its ApiVersions answer advertises). */
const LISTENER_API_KEYS = {
  client: new Set(CLIENT_LISTENER_APIS.map((a) => a.apiKey)),
  controller: new Set(CONTROLLER_LISTENER_APIS.map((a) => a.apiKey)),
};

/** What every listener adds to its ApiVersions answer, SASL or not (Kafka lists them on all; without SASL they answer ILLEGAL_SASL_STATE). */
const SASL_APIS = [
  { apiKey: SASL_HANDSHAKE_KEY, served: { min: 0, max: 1 } },
  { apiKey: SASL_AUTHENTICATE_KEY, served: { min: 0, max: 2 } },
];

const CONNECT_TIMEOUT_MS = 5000;
const RECONNECT_BACKOFF_MS = 200;
const MAX_QUEUED_RESPONSES = 500;

export class NodeRuntime {
  readonly env: Env<KafkaMessage>;
  private readonly servers: Server[] = [];
  private readonly connections = new Set<InboundConnection>();
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Map<TimerTag, NodeJS.Timeout>();
  private readonly answers = new Map<number, PendingAnswer>();
  private readonly peers = new Map<string, OutboundConnection>();
  private readonly peerDownUntil = new Map<string, number>();
  private readonly ctx: WireContext;
  private nextAnswerId = 1;
  private nextConnectionId = 1;
  private stopped = false;
  /** The addresses actually bound (port 0 becomes the port the system picked). */
  readonly bound = new Map<string, Address>();

  private nodeObject: KafkaNode | null = null;

  constructor(private readonly options: NodeRuntimeOptions) {
    const topics: TopicIds = {
      idOf: (name) => this.nodeObject?.image.topicByName(name)?.topicId ?? null,
      nameOf: (id) => this.nodeObject?.image.topics.get(id)?.name ?? null,
    };
    // A follower appends what its leader sends as bytes: records are decoded only if something reads them.
    this.ctx = { ids: NUMERIC_IDS, compressors: options.compressors, topics, lazyFetchedRecords: true };
    this.env = {
      self: options.id,
      now: () => Date.now(),
      random: () => Math.random(),
      send: (to, msg) => this.send(to, msg),
      setTimer: (delayMs, tag) => this.setTimer(delayMs, tag),
      cancelTimer: (tag) => this.cancelTimer(tag),
      storage: options.storage,
      trace: (event) => options.trace(event),
      untraced: options.traced === false,
    };
  }

  /** Binds every listener, then boots the node (recovering its state from storage). */
  async start(): Promise<void> {
    for (const listener of this.options.listeners) {
      const server = this.createListenerServer(listener);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(listener.port, listener.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error(`listener ${listener.name} has no TCP address`);
      this.bound.set(listener.name, { host: listener.host, port: address.port });
      this.servers.push(server);
      this.options.log(`listening on ${listener.name}://${listener.host}:${address.port}`);
    }
    this.nodeObject = this.options.createNode(this.bound);
    this.guard('start', () => this.node.start(this.env));
  }

  /** Stops timers, closes every connection and server. The storage is the caller's to flush and close. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    for (const peer of this.peers.values()) peer.close('stopping');
    for (const connection of this.connections) connection.close('stopping');
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }

  /** The node this runtime drives (built at start). */
  get node(): KafkaNode {
    if (this.nodeObject === null) throw new Error('the node runtime has not started');
    return this.nodeObject;
  }

  // ---- inbound ----

  /** A TCP server, or a TLS one whose connections count once their handshake is done (a failed handshake only closes its socket). */
  private createListenerServer(listener: ListenerSpec): Server {
    if (listener.tls === undefined || listener.tls === null) return createServer((socket) => this.accept(socket, listener));
    const server = createTlsServer(listener.tls, (socket) => this.accept(socket, listener));
    server.on('tlsClientError', (err, socket) => {
      this.options.log(`TLS handshake on ${listener.name} from ${socket.remoteAddress ?? 'unknown'} failed: ${err.message}`);
      socket.destroy();
    });
    // Sockets still in their handshake are tracked too, so stop() can end them.
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
    return server;
  }

  private accept(socket: Socket, listener: ListenerSpec): void {
    if (this.stopped) return void socket.destroy();
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
    const sasl = new SaslServerConnection(listener.sasl ?? null, this.options.scramCredentials ?? (() => null), () => Date.now());
    // The principal of a TLS client certificate (Kafka's DEFAULT mapping), else ANONYMOUS; SASL's replaces it.
    const certificate = socket instanceof TLSSocket ? certificatePrincipal(socket, listener.principalMapper ?? undefined) : null;
    if (certificate !== null && typeof certificate !== 'string') {
      this.options.log(`closing a TLS connection on ${listener.name} from ${socket.remoteAddress ?? 'unknown'}: ${certificate.refused}`);
      return void socket.destroy();
    }
    const connection = new InboundConnection(`${listener.name}-${this.nextConnectionId++}`, socket, {
      maxFrameBytes: this.options.maxRequestBytes,
      maxQueuedResponses: MAX_QUEUED_RESPONSES,
      onFrame: (conn, frame) => this.onFrame(conn, frame, listener, sasl, certificate),
      onClose: (conn) => this.connections.delete(conn),
    });
    this.connections.add(connection);
  }

  /** A frame through the connection's SASL state machine: served, answered by it, or the connection closed. */
  private onFrame(connection: InboundConnection, frame: Uint8Array, listener: ListenerSpec, sasl: SaslServerConnection, certificate: string | null): void {
    const action = sasl.onFrame(frame);
    switch (action.kind) {
      case 'close':
        return this.refuse(connection, action.reason);
      case 'reply':
        return connection.fill(connection.reserve(), action.frame);
      case 'reply-and-close':
        this.options.log(`closing connection ${connection.id} from ${connection.remoteHost}: ${action.reason}`);
        if (action.frame !== null) connection.fill(connection.reserve(), action.frame);
        return connection.closeAfter(action.delayMs, action.reason);
      case 'serve': {
        const session: Session = { principal: sasl.principal ?? certificate ?? ANONYMOUS, host: connection.remoteHost };
        return this.onRequest(connection, action.header, action.reader, listener, session);
      }
    }
  }

  private onRequest(connection: InboundConnection, header: RequestHeader, reader: WireReader, listener: ListenerSpec, session: Session): void {
    if (header.apiKey === API_VERSIONS_KEY) return this.answerApiVersions(connection, header.apiVersion, header.correlationId, listener);
    const probe = converterForRequest(header.apiKey, {});
    if (probe === undefined) return this.refuse(connection, `unknown API key ${header.apiKey} (correlation id ${header.correlationId})`);
    // As Kafka, only the APIs the listener advertises: a client must not reach the quorum's (a Vote would unseat the leader).
    if (!LISTENER_API_KEYS[listener.controller ? 'controller' : 'client'].has(header.apiKey)) {
      return this.refuse(
        connection,
        `API key ${header.apiKey} is not enabled on the ${listener.controller ? 'controller' : 'client'} listener ${listener.name}`,
      );
    }
    const readable = readableVersions(probe);
    if (header.apiVersion < readable.min || header.apiVersion > readable.max) {
      return this.refuse(connection, `unsupported version ${header.apiVersion} of API ${header.apiKey} (served ${readable.min}-${readable.max})`);
    }
    let body: WireStruct;
    try {
      body = decodeRequestBody(header, reader).body;
    } catch (err) {
      if (err instanceof WireFormatError) return this.refuse(connection, `malformed request (API ${header.apiKey} v${header.apiVersion}): ${err.message}`);
      throw err;
    }
    const api = converterForRequest(header.apiKey, body)!;
    // The quorum's Fetch shares the data Fetch's key: only a controller listener serves it.
    if (api === quorumFetchConverter && !listener.controller)
      return this.refuse(connection, `a fetch of ${METADATA_TOPIC} on the client listener ${listener.name}`);
    const answer = (wire: WireStruct) => encodeResponseFrame(header.apiKey, header.apiVersion, header.correlationId, wire);
    const expectsResponse = api.expectsResponse?.(body) ?? true;
    const slot = expectsResponse ? connection.reserve() : null;
    const id = this.nextAnswerId++;
    let request: KafkaMessage;
    try {
      request = api.requestFromWire(body, header.apiVersion, id, this.ctx, header.clientId) as KafkaMessage;
    } catch (err) {
      if (!(err instanceof WireRequestError) && !(err instanceof WireFormatError)) throw err;
      const code = err instanceof WireRequestError ? err.errorCode : ErrorCode.INVALID_REQUEST;
      // A request that gets no response (Produce with acks=0) cannot carry an error back: Kafka closes the connection.
      if (slot === null) return this.refuse(connection, `${err.message} (a request that expects no response)`);
      return connection.fill(slot, answer(api.errorResponse(body, header.apiVersion, code, err.message)));
    }
    if (slot !== null)
      this.answers.set(id, {
        slot,
        converter: api,
        apiKey: header.apiKey,
        version: header.apiVersion,
        wireCorrelationId: header.correlationId,
        listener: listener.name,
      });
    const from = senderOf(request) ?? connection.id;
    this.guard(`${request.api} from ${from}`, () => this.node.receive(this.env, from, request, session));
  }

  private answerApiVersions(connection: InboundConnection, version: number, correlationId: number, listener: ListenerSpec): void {
    const base = listener.controller ? CONTROLLER_LISTENER_APIS : CLIENT_LISTENER_APIS;
    const reply = apiVersionsResponse(version, [...base, ...SASL_APIS], API_VERSIONS_SERVED);
    const slot = connection.reserve();
    connection.fill(slot, encodeResponseFrame(API_VERSIONS_KEY, reply.version, correlationId, reply.body, version));
  }

  /** Kafka's answer to a request it cannot read: the connection closes (the broker stays up). */
  private refuse(connection: InboundConnection, why: string): void {
    this.options.log(`closing connection ${connection.id}: ${why}`);
    connection.close(why);
  }

  // ---- the node's sends ----

  private send(to: NodeId, msg: KafkaMessage): void {
    if (this.stopped) return;
    if (to === this.env.self) {
      setImmediate(() => !this.stopped && this.guard(`${msg.api} ${msg.kind} to self`, () => this.node.receive(this.env, to, msg)));
      return;
    }
    if (msg.kind === 'response') return this.answer(msg);
    this.request(to, msg);
  }

  private answer(msg: KafkaMessage): void {
    const pending = this.answers.get(msg.correlationId);
    if (pending === undefined) return; // its connection closed, or a duplicate answer
    this.answers.delete(msg.correlationId);
    if (pending.slot.connection.isClosed) return;
    let frame: Uint8Array;
    try {
      const addressed = addressedForListener(msg, pending.listener, this.node.image);
      frame = encodeResponseFrame(
        pending.apiKey,
        pending.version,
        pending.wireCorrelationId,
        pending.converter.responseToWire(addressed, pending.version, this.ctx),
      );
    } catch (err) {
      // A response that cannot be written would hold back every later one on its connection: close it instead.
      return this.refuse(pending.slot.connection, `cannot write the ${msg.api} response: ${(err as Error).message}`);
    }
    pending.slot.connection.fill(pending.slot, frame);
  }

  private request(to: NodeId, msg: KafkaMessage): void {
    const converter = converterForMessage(msg);
    if (converter === undefined) return this.options.log(`cannot send ${msg.api} to ${to}: no wire converter`);
    const toController = CONTROLLER_BOUND.has(msg.api) || (msg.api === 'Fetch' && 'topic' in msg);
    const connection = this.peer(to, toController, toController ? 'controller' : (BROKER_CHANNELS.get(msg.api) ?? 'broker'));
    if (connection === null) return; // the peer is unreachable: like a lost message, the core's timers retry
    const highest = converter.internalVersion ?? converter.served.max;
    const version = converter.versionFor?.(msg, highest) ?? highest;
    const correlationId = connection.takeCorrelationId();
    let wire: WireStruct;
    try {
      wire = converter.requestToWire(msg, version, this.ctx);
    } catch (err) {
      return this.options.log(`cannot send ${msg.api} to ${to}: ${(err as Error).message}`);
    }
    const frame = encodeRequestFrame({ apiKey: converter.apiKey, apiVersion: version, correlationId, clientId: `samsa-node-${this.env.self}` }, wire);
    const expects = converter.expectsResponse?.(wire) ?? true;
    const coreCorrelationId = msg.correlationId;
    connection.send(
      frame,
      correlationId,
      expects
        ? (body) => {
            let response: KafkaMessage;
            try {
              response = converter.responseFromWire(decodeResponseBody(body, converter.apiKey, version), version, coreCorrelationId, this.ctx) as KafkaMessage;
            } catch (err) {
              return connection.close(`unreadable ${msg.api} response from ${to}: ${(err as Error).message}`);
            }
            this.guard(`${msg.api} response from ${to}`, () => this.node.receive(this.env, to, response));
          }
        : null,
    );
  }

  /** The open connection of `channel` to a peer's controller or broker listener, opening it if needed; null while it is unreachable. */
  private peer(to: NodeId, controller: boolean, channel: string): OutboundConnection | null {
    const key = `${channel}:${to}`;
    const existing = this.peers.get(key);
    if (existing !== undefined && !existing.isClosed) return existing;
    if ((this.peerDownUntil.get(key) ?? 0) > Date.now()) return null;
    const address = controller ? this.options.voters.get(to) : this.brokerAddress(to);
    if (address === undefined || address === null) return null;
    const security = controller ? this.options.peerSecurity?.controller : this.options.peerSecurity?.broker;
    const connection = new OutboundConnection({
      host: address.host,
      port: address.port,
      ...(security !== undefined ? { security } : {}),
      clientId: `samsa-node-${this.env.self}`,
      maxFrameBytes: this.options.maxRequestBytes,
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
      onClose: () => {
        if (this.peers.get(key) === connection) this.peers.delete(key);
        this.peerDownUntil.set(key, Date.now() + RECONNECT_BACKOFF_MS);
      },
    });
    this.peers.set(key, connection);
    return connection;
  }

  /** A broker's inter-broker listener, from its registration in the metadata image. */
  private brokerAddress(id: NodeId): Address | null {
    const registration = this.node.image.brokers.get(id);
    const listeners = registration?.listeners ?? [];
    const listener = listeners.find((l) => l.name === this.options.interBrokerListener) ?? listeners[0];
    return listener === undefined ? null : { host: listener.host, port: listener.port };
  }

  // ---- timers ----

  private setTimer(delayMs: number, tag: TimerTag): void {
    if (this.stopped) return;
    this.cancelTimer(tag);
    this.timers.set(
      tag,
      setTimeout(
        () => {
          this.timers.delete(tag);
          if (!this.stopped) this.guard(`timer ${tag}`, () => this.node.fire(this.env, tag));
        },
        Math.max(0, delayMs),
      ),
    );
  }

  private cancelTimer(tag: TimerTag): void {
    const timer = this.timers.get(tag);
    if (timer !== undefined) {
      clearTimeout(timer);
      this.timers.delete(tag);
    }
  }

  /** Runs one step of the node; a failure is logged with its step, and the node goes on with the next event. */
  private guard(step: string, run: () => void): void {
    try {
      run();
    } catch (err) {
      if (err instanceof StorageError) return this.options.halt(`storage failed in ${step}: ${err.message}`);
      this.options.log(`error in ${step}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }
}

/** The node a request came from when a peer sent it (the quorum and controller APIs name their sender); null for a client. */
function senderOf(msg: KafkaMessage): NodeId | null {
  if (msg.kind !== 'request') return null;
  switch (msg.api) {
    case 'Vote':
      return msg.candidateId;
    case 'BeginQuorumEpoch':
    case 'EndQuorumEpoch':
      return msg.leaderId;
    case 'FetchSnapshot':
      return msg.replicaId;
    case 'Fetch':
      return msg.replicaId;
    case 'BrokerRegistration':
    case 'BrokerHeartbeat':
    case 'AlterPartition':
      return msg.brokerId;
    default:
      return null;
  }
}
