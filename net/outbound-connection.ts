// A connection this process opened to a Kafka server (a peer node, or any broker for Samsa's own clients):
// request frames out with a fresh correlation id each, response frames back matched to their requests.
// Kafka answers in request order, so a response whose id is not the oldest in flight is a broken stream,
// except an answer to a request Kafka does not answer (Produce with acks=0), which some servers send
// anyway (librdkafka's mock cluster): that one is passed over.

import { connect, type Socket } from 'node:net';
import { FrameReader, FrameTooLargeError } from '../core/wire/frame.ts';
import { responseCorrelationId } from '../core/wire/messages.ts';

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

export interface OutboundConnectionOptions {
  host: string;
  port: number;
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

  constructor(private readonly options: OutboundConnectionOptions) {
    this.frames = new FrameReader(options.maxFrameBytes);
    this.socket = connect({ host: options.host, port: options.port });
    this.socket.setNoDelay(true);
    this.socket.setTimeout(options.connectTimeoutMs, () => {
      if (!this.connected) this.close(`connect to ${options.host}:${options.port} timed out after ${options.connectTimeoutMs} ms`);
    });
    this.socket.on('connect', () => {
      this.connected = true;
      this.socket.setTimeout(0);
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
    const seq = this.nextSeq++;
    if (onResponse !== null) this.inFlight.push({ correlationId, onResponse, seq });
    else {
      this.unanswered.push({ correlationId, seq });
      if (this.unanswered.length > UNANSWERED_KEPT) this.unanswered.shift();
    }
    this.socket.write(frame);
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
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
