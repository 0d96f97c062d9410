// A connection this process opened to a Kafka server (a peer node, or any broker for Samsa's own clients):
// request frames out with a fresh correlation id each, response frames back matched to their requests.
// Kafka answers in request order, so a response whose id is not the oldest in flight is a broken stream.

import { connect, type Socket } from 'node:net';
import { FrameReader, FrameTooLargeError } from '../core/wire/frame.ts';
import { responseCorrelationId } from '../core/wire/messages.ts';

/** Handed each response frame body of the request it answers. */
export type ResponseHandler = (frameBody: Uint8Array) => void;

interface InFlight {
  correlationId: number;
  onResponse: ResponseHandler;
}

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
    if (onResponse !== null) this.inFlight.push({ correlationId, onResponse });
    this.socket.write(frame);
  }

  close(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.inFlight.length = 0;
    this.socket.destroy();
    this.options.onClose(reason);
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
      const head = this.inFlight.shift();
      let id: number;
      try {
        id = responseCorrelationId(body);
      } catch (err) {
        return this.close((err as Error).message);
      }
      if (head === undefined || head.correlationId !== id) {
        return this.close(`response with correlation id ${id} from ${this.options.host}:${this.options.port}, expected ${head?.correlationId ?? 'none'}`);
      }
      head.onResponse(body);
    }
  }
}
