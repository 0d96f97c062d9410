// A connection this process opened to a Kafka server (a peer node, or any broker for Samsa's own clients):
// request frames out with a fresh correlation id each, response frames back matched to their requests.
// Kafka answers in request order, so a response whose id is not the oldest in flight is a broken stream,
// except an answer to a request Kafka does not answer (Produce with acks=0), which some servers send
// anyway (librdkafka's mock cluster): that one is passed over. With `security`, the connection is TLS and/or
// authenticates with SASL (net/sasl-client.ts) before any request of the caller leaves: those wait until then.

import { connect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import type { WireStruct } from '../core/wire/convert/converter.ts';
import { FrameReader, FrameTooLargeError } from '../core/wire/frame.ts';
import { decodeResponseBody, encodeRequestFrame, responseCorrelationId } from '../core/wire/messages.ts';
import { authenticate, type SaslCredentials } from './sasl-client.ts';

/** Handed each response frame body of the request it answers. */
export type ResponseHandler = (frameBody: Uint8Array) => void;

interface InFlight {
  correlationId: number;
  onResponse: ResponseHandler;
  /** The request's place in the order of all requests sent. */
  seq: number;
}

/** Requests sent without awaiting an answer, remembered this far back in case a server answers them after all. */
const UNANSWERED_KEPT = 4096;

/** How a connection secures itself: TLS options (trust, a client certificate) and SASL credentials. */
export interface ClientSecurity {
  tls?: ConnectionOptions;
  sasl?: SaslCredentials;
}

export interface OutboundConnectionOptions {
  host: string;
  port: number;
  /** Absent: PLAINTEXT. */
  security?: ClientSecurity;
  /** The client id of the SASL requests (default samsa). */
  clientId?: string;
  /** The largest response frame accepted. */
  maxFrameBytes: number;
  /** Gives up connecting after this long. */
  connectTimeoutMs: number;
  /** Called once when the connection is gone (never connected, closed by the peer, or broken); in-flight requests get no response. */
  onClose(reason: string): void;
}

export class OutboundConnection {
  private readonly socket: Socket;
  private readonly frames: FrameReader;
  private readonly inFlight: InFlight[] = [];
  /** Requests sent without a handler, oldest first (ids and places in the order of requests). */
  private readonly unanswered: Array<{ correlationId: number; seq: number }> = [];
  private nextSeq = 0;
  private nextCorrelationId = 1;
  private closed = false;
  private connected = false;
  /** The caller's requests held while SASL authenticates (null once it has, or without SASL). */
  private held: Array<() => void> | null;

  constructor(private readonly options: OutboundConnectionOptions) {
    this.frames = new FrameReader(options.maxFrameBytes);
    const tls = options.security?.tls;
    const sasl = options.security?.sasl;
    this.held = sasl === undefined ? null : [];
    this.socket =
      tls === undefined
        ? connect({ host: options.host, port: options.port })
        : tlsConnect({ ...tls, host: options.host, port: options.port, ...(isIp(options.host) ? {} : { servername: options.host }) });
    this.socket.setNoDelay(true);
    this.socket.setTimeout(options.connectTimeoutMs, () => {
      if (!this.connected) this.close(`connect to ${options.host}:${options.port} timed out after ${options.connectTimeoutMs} ms`);
    });
    this.socket.on(tls === undefined ? 'connect' : 'secureConnect', () => {
      this.connected = true;
      this.socket.setTimeout(0);
      if (sasl !== undefined) this.authenticate(sasl);
    });
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (err) => this.close(`${options.host}:${options.port}: ${err.message}`));
    this.socket.on('close', () => this.close(`${options.host}:${options.port} closed the connection`));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get inFlightCount(): number {
    return this.inFlight.length;
  }

  /** Whether the socket's write buffer is over its high-water mark (the caller may hold back). */
  get congested(): boolean {
    return this.socket.writableNeedDrain;
  }

  /** Takes a correlation id for the next request. */
  takeCorrelationId(): number {
    const id = this.nextCorrelationId;
    this.nextCorrelationId = (this.nextCorrelationId + 1) & 0x7fffffff;
    return id;
  }

  /**
   * Writes a request frame carrying `correlationId` (taken from takeCorrelationId). With a handler, the
   * response is awaited; without one (Produce with acks=0) none comes.
   */
  send(frame: Uint8Array, correlationId: number, onResponse: ResponseHandler | null): void {
    if (this.closed) return;
    if (this.held !== null) return void this.held.push(() => this.send(frame, correlationId, onResponse));
    this.write(frame, correlationId, onResponse);
  }

  private write(frame: Uint8Array, correlationId: number, onResponse: ResponseHandler | null): void {
    const seq = this.nextSeq++;
    if (onResponse !== null) this.inFlight.push({ correlationId, onResponse, seq });
    else {
      this.unanswered.push({ correlationId, seq });
      if (this.unanswered.length > UNANSWERED_KEPT) this.unanswered.shift();
    }
    this.socket.write(frame);
  }

  /** The SASL exchange, ahead of every held request; a failure closes the connection with its reason. */
  private authenticate(credentials: SaslCredentials): void {
    const roundTrip = (apiKey: number, version: number, body: WireStruct) =>
      new Promise<WireStruct>((resolve, reject) => {
        const correlationId = this.takeCorrelationId();
        const frame = encodeRequestFrame({ apiKey, apiVersion: version, correlationId, clientId: this.options.clientId ?? 'samsa' }, body);
        this.write(frame, correlationId, (response) => {
          try {
            resolve(decodeResponseBody(response, apiKey, version));
          } catch (err) {
            reject(err as Error);
          }
        });
      });
    authenticate(roundTrip, credentials).then(
      () => {
        const held = this.held ?? [];
        this.held = null;
        for (const send of held) send();
      },
      (err: Error) => this.close(`${this.options.host}:${this.options.port}: ${err.message}`),
    );
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.held = null;
    this.inFlight.length = 0;
    this.unanswered.length = 0;
    this.socket.destroy();
    this.options.onClose(reason);
  }

  /** Forgets the unanswered requests sent before `seq`: an answer to them would have come first. */
  private passUnansweredBefore(seq: number): void {
    let n = 0;
    while (n < this.unanswered.length && this.unanswered[n]!.seq < seq) n++;
    if (n > 0) this.unanswered.splice(0, n);
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    let frames: Uint8Array[];
    try {
      frames = this.frames.push(chunk);
    } catch (err) {
      if (err instanceof FrameTooLargeError) return this.close(`response from ${this.options.host}:${this.options.port}: ${err.message}`);
      throw err;
    }
    for (const body of frames) {
      if (this.closed) return;
      let id: number;
      try {
        id = responseCorrelationId(body);
      } catch (err) {
        return this.close((err as Error).message);
      }
      const head = this.inFlight[0];
      if (head !== undefined && head.correlationId === id) {
        this.inFlight.shift();
        this.passUnansweredBefore(head.seq);
        head.onResponse(body);
        continue;
      }
      // An answer to a request that gets none, sent before the oldest awaited one: passed over.
      const unasked = this.unanswered.findIndex((u) => u.correlationId === id && (head === undefined || u.seq < head.seq));
      if (unasked >= 0) {
        this.unanswered.splice(0, unasked + 1);
        continue;
      }
      return this.close(`response with correlation id ${id} from ${this.options.host}:${this.options.port}, expected ${head?.correlationId ?? 'none'}`);
    }
  }
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}
