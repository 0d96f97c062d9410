// Framing: a byte stream cut into frames however it arrives (byte by byte, many frames per chunk, size prefixes
// split across chunks), oversized and negative sizes refused for good, and the size prefix written.
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { endFrame, frame, FrameReader, FrameTooLargeError } from '../../core/wire/frame.ts';
import { WireWriter } from '../../core/wire/wire-writer.ts';

const concat = (parts: readonly Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
/** The stream cut at the given points (sorted, deduplicated, within it). */
const cut = (stream: Uint8Array, points: readonly number[]): Uint8Array[] => {
  const at = [...new Set(points.map((p) => p % (stream.length + 1)))].sort((a, b) => a - b);
  return [0, ...at].map((start, i) => stream.slice(start, i < at.length ? at[i] : stream.length));
};
const asArrays = (frames: readonly Uint8Array[]) => frames.map((f) => [...f]);

describe('FrameReader', () => {
  it('writes the int32 size prefix, big-endian', () => {
    expect([...frame(Uint8Array.of(7, 8, 9))]).toEqual([0, 0, 0, 3, 7, 8, 9]);
    expect([...frame(new Uint8Array(0))]).toEqual([0, 0, 0, 0]);
    const w = new WireWriter();
    const at = w.reserveInt32();
    w.int16(5);
    w.string('x');
    endFrame(w, at);
    expect([...w.finish()]).toEqual([0, 0, 0, 5, 0, 5, 0, 1, 0x78]);
  });

  it('returns frames delivered byte by byte, each exactly once', () => {
    const bodies = [Uint8Array.of(1, 2, 3), new Uint8Array(0), Uint8Array.of(4)];
    const stream = concat(bodies.map(frame));
    const reader = new FrameReader(100);
    const got: Uint8Array[] = [];
    for (const b of stream) got.push(...reader.push(Uint8Array.of(b)));
    expect(asArrays(got)).toEqual(asArrays(bodies));
    expect(reader.bufferedBytes).toBe(0);
  });

  it('returns many frames from one chunk, as views of it, and keeps the partial rest', () => {
    const bodies = Array.from({ length: 50 }, (_, i) => Uint8Array.from({ length: i }, (_, j) => j));
    const stream = concat(bodies.map(frame));
    const reader = new FrameReader(100);
    const first = reader.push(stream.subarray(0, stream.length - 3));
    expect(first.length).toBe(49);
    expect(first[10]!.buffer).toBe(stream.buffer);
    expect(reader.bufferedBytes).toBe(4 + 49 - 3);
    const rest = reader.push(stream.subarray(stream.length - 3));
    expect(asArrays([...first, ...rest])).toEqual(asArrays(bodies));
  });

  it('reads a size prefix split across chunks', () => {
    const reader = new FrameReader(100);
    expect(reader.push(Uint8Array.of(0, 0))).toEqual([]);
    expect(reader.push(Uint8Array.of(0))).toEqual([]);
    expect(asArrays(reader.push(Uint8Array.of(2, 5, 6, 0)))).toEqual([[5, 6]]);
    expect(asArrays(reader.push(Uint8Array.of(0, 0, 1, 9)))).toEqual([[9]]);
  });

  it('refuses a size over the maximum, and every push after it', () => {
    const reader = new FrameReader(10);
    expect(asArrays(reader.push(frame(new Uint8Array(10))))).toEqual([new Array(10).fill(0)]);
    expect(() => reader.push(Uint8Array.of(0, 0, 0, 11))).toThrow(FrameTooLargeError);
    expect(() => reader.push(frame(Uint8Array.of(1)))).toThrow(/frame of 11 bytes exceeds the maximum of 10/);
  });

  it('refuses a negative size before its body arrives', () => {
    const reader = new FrameReader(104857600);
    expect(() => reader.push(Uint8Array.of(0xff, 0xff, 0xff, 0xfe))).toThrow(/invalid frame size -2/);
    try {
      new FrameReader(10).push(Uint8Array.of(0x80, 0, 0, 0));
    } catch (e) {
      expect(e).toBeInstanceOf(FrameTooLargeError);
      expect((e as FrameTooLargeError).size).toBe(-(2 ** 31));
    }
  });

  it('gathers a large frame from many small chunks', () => {
    const body = Uint8Array.from({ length: 100_000 }, (_, i) => i & 0xff);
    const stream = frame(body);
    const reader = new FrameReader(1 << 20);
    const got: Uint8Array[] = [];
    for (let i = 0; i < stream.length; i += 7) got.push(...reader.push(stream.subarray(i, i + 7)));
    expect(got.length).toBe(1);
    expect(got[0]!.length).toBe(body.length);
    expect(got[0]!.every((b, i) => b === body[i])).toBe(true);
  });

  test.prop([fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 30 })])(
    'returns the same frames however the stream is cut',
    (bodies, points) => {
      const stream = concat(bodies.map(frame));
      const reader = new FrameReader(40);
      const got = cut(stream, points).flatMap((chunk) => reader.push(chunk));
      expect(asArrays(got)).toEqual(asArrays(bodies));
      expect(reader.bufferedBytes).toBe(0);
    },
  );
});
