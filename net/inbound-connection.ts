// One client or peer connection a server accepted: cuts the byte stream into request frames and writes
// the responses back in request order (Kafka's per-connection ordering, which every client relies on),
// whatever order the node answers pipelined requests in. Back-pressure: reading pauses while the socket's
// write buffer is full or too many requests wait for their answers.

import type { Socket } from 'node:net';
import { FrameReader, FrameTooLargeError } from '../core/wire/frame.ts';

/** A response place in the connection's queue, filled when the node answers. */
export interface ResponseSlot {
  readonly connection: InboundConnection;
  bytes: Uint8Array | null;
}

export interface InboundConnectionOptions {
  /** socket.request.max.bytes: a larger request frame closes the connection. */
  maxFrameBytes: number;
  /** Requests whose responses may wait at once before reading pauses (Kafka's queued.max.requests). */
  maxQueuedResponses: number;
  /** Called with each request frame body, in arrival order. */
  onFrame(connection: InboundConnection, frameBody: Uint8Array): void;
  /** Called once when the connection is gone, with why (null for an orderly close by the peer). */
  onClose(connection: InboundConnection, reason: string | null): void;
}

export class InboundConnection {
  private readonly frames: FrameReader;
  private readonly queue: ResponseSlot[] = [];
  private closed = false;
  private pausedForQueue = false;
  private pausedForDrain = false;
  /** Set by closeAfter: no more frames are read, the socket ends when the timer fires. */
  private ending: NodeJS.Timeout | null = null;

  constructor(
    readonly id: string,
    readonly socket: Socket,
    private readonly options: InboundConnectionOptions,
  ) {
    this.frames = new FrameReader(options.maxFrameBytes);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('drain', () => {
      this.pausedForDrain = false;
      this.updateReading();
    });
    socket.on('error', (err) => this.close(err.message));
    socket.on('close', () => this.close(null));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Reserves the next response place; responses leave in the order their slots were reserved. */
  reserve(): ResponseSlot {
    const slot: ResponseSlot = { connection: this, bytes: null };
    this.queue.push(slot);
    this.updateReading();
    return slot;
  }

  /** Fills a slot and writes every response that is now at the head of the queue. */
  fill(slot: ResponseSlot, bytes: Uint8Array): void {
    if (this.closed || slot.bytes !== null) return;
    slot.bytes = bytes;
    while (this.queue.length > 0 && this.queue[0]!.bytes !== null) {
      const head = this.queue.shift()!;
      if (!this.socket.write(head.bytes!)) this.pausedForDrain = true;
    }
    this.updateReading();
  }

  /** The peer's IP address (an IPv4-mapped IPv6 address as IPv4). */
  get remoteHost(): string {
    const address = this.socket.remoteAddress ?? 'unknown';
    return address.startsWith('::ffff:') ? address.slice(7) : address;
  }

  /**
   * Stops reading and ends the connection after `delayMs`, once what was written has left (Kafka's close after
   * a failed authentication, delayed by connection.failed.authentication.delay.ms).
   */
  closeAfter(delayMs: number, reason: string): void {
    if (this.closed || this.ending !== null) return;
    this.socket.pause();
    this.ending = setTimeout(() => {
      this.socket.end(() => this.close(reason));
      // A peer that does not read must not hold the socket open.
      setTimeout(() => this.close(reason), 1000).unref();
    }, delayMs);
  }

  /** Closes the connection (Kafka's answer to a frame it cannot read); pending responses are dropped. */
  close(reason: string | null): void {
    if (this.closed) return;
    this.closed = true;
    if (this.ending !== null) clearTimeout(this.ending);
    this.queue.length = 0;
    this.socket.destroy();
    this.options.onClose(this, reason);
  }

  private onData(chunk: Buffer): void {
    if (this.closed || this.ending !== null) return;
    let frames: Uint8Array[];
    try {
      frames = this.frames.push(chunk);
    } catch (err) {
      if (err instanceof FrameTooLargeError) return this.close(err.message);
      throw err;
    }
    for (const frame of frames) {
      if (this.closed || this.ending !== null) return;
      this.options.onFrame(this, frame);
    }
  }

  private updateReading(): void {
    if (this.closed || this.ending !== null) return;
    this.pausedForQueue = this.queue.length >= this.options.maxQueuedResponses;
    if (this.pausedForQueue || this.pausedForDrain) this.socket.pause();
    else this.socket.resume();
  }
}
