// Kafka's framing: every request and response is an int32 size (big-endian, not counting itself) and that many
// bytes. FrameReader cuts a byte stream into frame bodies; frame() and endFrame() add the size prefix.

import type { WireWriter } from './wire-writer.ts';

/** Kafka's default socket.request.max.bytes: a larger request frame closes the connection. */
export const DEFAULT_MAX_FRAME_BYTES = 104857600;

/** A size prefix over the maximum, or negative: the stream cannot be read on, so the connection must be closed. */
export class FrameTooLargeError extends Error {
  constructor(
    readonly size: number,
    readonly maxFrameBytes: number,
  ) {
    super(size < 0 ? `invalid frame size ${size}` : `frame of ${size} bytes exceeds the maximum of ${maxFrameBytes}`);
    this.name = 'FrameTooLargeError';
  }
}

/**
 * Cuts a byte stream into frames. Chunks are kept as they arrive (no copying while a frame is incomplete); a
 * frame inside one chunk is returned as a view of it (zero copy, so the caller must not reuse a pushed chunk's
 * memory), a frame spanning chunks is copied once when complete.
 */
export class FrameReader {
  private chunks: Uint8Array[] = [];
  /** Bytes of chunks[0] already consumed. */
  private headOffset = 0;
  private buffered = 0;
  /** The size of the frame being read once its prefix is in; -1 while waiting for the prefix. */
  private size = -1;
  private failure: FrameTooLargeError | null = null;

  constructor(readonly maxFrameBytes: number) {}

  /** Bytes received but not yet returned in a frame (including a partial size prefix). */
  get bufferedBytes(): number {
    return this.buffered + (this.size >= 0 ? 4 : 0);
  }

  /**
   * Adds a chunk and returns every frame body completed so far, in order. Throws FrameTooLargeError on a bad
   * size prefix, and again on every later push: the stream is unusable from then on.
   */
  push(chunk: Uint8Array): Uint8Array[] {
    if (this.failure !== null) throw this.failure;
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    const frames: Uint8Array[] = [];
    for (;;) {
      if (this.size < 0) {
        if (this.buffered < 4) break;
        const size = this.readSizePrefix();
        if (size < 0 || size > this.maxFrameBytes) throw (this.failure = new FrameTooLargeError(size, this.maxFrameBytes));
        this.size = size;
      }
      if (this.buffered < this.size) break;
      frames.push(this.take(this.size));
      this.size = -1;
    }
    return frames;
  }

  private readSizePrefix(): number {
    const head = this.chunks[0]!;
    const p = this.headOffset;
    if (head.length - p >= 4) {
      const size = (head[p]! << 24) | (head[p + 1]! << 16) | (head[p + 2]! << 8) | head[p + 3]!;
      this.consume(4);
      return size;
    }
    const prefix = this.take(4);
    return (prefix[0]! << 24) | (prefix[1]! << 16) | (prefix[2]! << 8) | prefix[3]!;
  }

  /** The next `n` buffered bytes (n <= buffered): a view when they lie in one chunk, else a copy. */
  private take(n: number): Uint8Array {
    const head = this.chunks[0];
    const p = this.headOffset;
    if (head === undefined || n === 0) return new Uint8Array(0);
    if (head.length - p >= n) {
      const view = head.subarray(p, p + n);
      this.consume(n);
      return view;
    }
    const out = new Uint8Array(n);
    let filled = 0;
    let i = 0;
    let offset = p;
    while (filled < n) {
      const chunk = this.chunks[i]!;
      const piece = Math.min(chunk.length - offset, n - filled);
      out.set(chunk.subarray(offset, offset + piece), filled);
      filled += piece;
      i++;
      offset = 0;
    }
    this.consume(n);
    return out;
  }

  /** Drops `n` buffered bytes from the front. */
  private consume(n: number): void {
    this.buffered -= n;
    let dropped = 0;
    let offset = this.headOffset + n;
    while (dropped < this.chunks.length && offset >= this.chunks[dropped]!.length) {
      offset -= this.chunks[dropped]!.length;
      dropped++;
    }
    if (dropped > 0) this.chunks.splice(0, dropped);
    this.headOffset = offset;
  }
}

/** A frame: the body with its int32 size prefix (one copy of the body). */
export function frame(body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setInt32(0, body.length);
  out.set(body, 4);
  return out;
}

/**
 * Writes a frame's size in place, without copying the body: call `writer.reserveInt32()` before writing the
 * header and body, then `endFrame(writer, thatOffset)`.
 */
export function endFrame(writer: WireWriter, sizeAt: number): void {
  writer.patchInt32(sizeAt, writer.offset - sizeAt - 4);
}
