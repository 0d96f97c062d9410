// How a partition log stores one batch in a segment file: [length][CRC-32C][payload], the payload
// the batch's decoded fields as JSON (the simulator) or, on a storage that offers wireBatches, a
// batch that came from the wire as its own RecordBatch v2 bytes with the batch's own CRC. Parsing
// checks the CRC, so a torn or foreign tail reads as the end of the intact frames.

import { decodedFields, type RecordBatch } from '../protocol/records.ts';
import type { WireBatchCodec } from '../storage.ts';
import { crc32c } from './crc32c.ts';
import { encodeAsciiInto, encodeUtf8Into, maxUtf8Length } from './utf8.ts';

/** Bytes before a frame's payload: its length and CRC. */
export const FRAME_HEADER = 8;

export interface EncodedFrame {
  frame: Uint8Array;
  /** Identity of the batch for checkers: equal hash, equal batch. */
  hash: number;
}

/** A batch's frame and hash, computed once per batch object: followers append the leader's very batch. */
const encodings = new WeakMap<RecordBatch, EncodedFrame>();
const decoder = new TextDecoder();

/** The frame a log appends for `batch` (a wire frame when the storage keeps wire batches and the batch has its bytes). */
export function frameOf(batch: RecordBatch, wire: WireBatchCodec | undefined): EncodedFrame {
  let encoded = encodings.get(batch);
  if (encoded === undefined) {
    encoded = wire !== undefined && batch.wireBytes !== undefined ? wireFrame(batch.wireBytes) : jsonFrame(batch);
    encodings.set(batch, encoded);
  }
  return encoded;
}

function jsonFrame(batch: RecordBatch): EncodedFrame {
  const text = JSON.stringify(decodedFields(batch));
  // Sized for ASCII first (JSON of byte strings mostly is): the frame is kept as long as the log
  // holds the batch, so it must not carry the spare room a worst-case UTF-8 buffer would.
  let buffer = new Uint8Array(FRAME_HEADER + text.length);
  let length = encodeAsciiInto(text, buffer, FRAME_HEADER);
  if (length < 0) {
    buffer = new Uint8Array(FRAME_HEADER + maxUtf8Length(text));
    length = encodeUtf8Into(text, buffer, FRAME_HEADER);
  }
  const view = new DataView(buffer.buffer);
  const crc = crc32c(buffer, FRAME_HEADER, FRAME_HEADER + length);
  view.setUint32(0, length);
  view.setUint32(4, crc);
  // Its hash is its CRC, as a wire frame's is: equal bytes, equal hash, with no second pass over the text.
  return { frame: buffer.length === FRAME_HEADER + length ? buffer : buffer.subarray(0, FRAME_HEADER + length), hash: crc };
}

/** Where RecordBatch v2 keeps its CRC-32C (of the bytes from its attributes to its end). */
const WIRE_CRC = 17;
/** A JSON frame's first byte ('{'); a wire frame starts with a baseOffset's high byte, 0 for any offset a log reaches. */
const JSON_START = 0x7b;

/**
 * The batch's own bytes behind the frame header, with the batch's CRC as the frame's: no second pass
 * over the bytes (the codec checked that CRC when the batch came in, and checks it again when read).
 * Its hash is that CRC: replicas that store the same bytes report the same hash.
 */
function wireFrame(bytes: Uint8Array): EncodedFrame {
  const frame = new Uint8Array(FRAME_HEADER + bytes.length);
  frame.set(bytes, FRAME_HEADER);
  const view = new DataView(frame.buffer);
  const crc = view.getUint32(FRAME_HEADER + WIRE_CRC);
  view.setUint32(0, bytes.length);
  view.setUint32(4, crc);
  return { frame, hash: crc };
}

export interface ParsedFrame {
  batch: RecordBatch;
  hash: number;
  /** Bytes of the whole frame, header included. */
  bytes: number;
}

/**
 * The frame at `position` in `buffer` (which holds file bytes from some file offset on), or:
 * 'short' when the buffer ends inside it (read more, or a torn tail at the end of the file), or
 * 'invalid' when it is not an intact frame (bad length, CRC or content). Without `verify` (bytes a
 * recovery already validated) the CRC is not computed again.
 */
export function parseFrame(buffer: Uint8Array, position: number, wire: WireBatchCodec | undefined, verify = true): ParsedFrame | 'short' | 'invalid' {
  if (position + FRAME_HEADER > buffer.length) return 'short';
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const length = view.getUint32(position);
  if (length === 0) return 'invalid';
  const end = position + FRAME_HEADER + length;
  if (end > buffer.length) return 'short';
  const frameCrc = view.getUint32(position + 4);
  const start = position + FRAME_HEADER;
  let batch: RecordBatch | null;
  let hash: number;
  // The frame's own copy: a batch kept by a cache must not hold the whole buffer it was read with.
  let frame: Uint8Array;
  if (buffer[start] === JSON_START) {
    if (verify && crc32c(buffer, start, end) !== frameCrc) return 'invalid';
    const text = decoder.decode(buffer.subarray(start, end));
    batch = parseJsonBatch(text);
    hash = frameCrc;
    frame = buffer.slice(position, end);
  } else {
    frame = buffer.slice(position, end);
    batch = parseWireBatch(wire, frame.subarray(FRAME_HEADER), frameCrc, verify);
    hash = frameCrc;
  }
  if (batch === null) return 'invalid';
  encodings.set(batch, { frame, hash });
  return { batch, hash, bytes: end - position };
}

/** A wire frame's batch, or null when the bytes are not an intact batch (a torn or foreign tail). */
function parseWireBatch(wire: WireBatchCodec | undefined, payload: Uint8Array, frameCrc: number, verify: boolean): RecordBatch | null {
  if (wire === undefined || payload.length <= WIRE_CRC + 4) return null;
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  if (view.getUint32(WIRE_CRC) !== frameCrc) return null;
  try {
    return wire.decode(payload, !verify);
  } catch {
    return null;
  }
}

function parseJsonBatch(text: string): RecordBatch | null {
  try {
    const value = JSON.parse(text) as RecordBatch;
    return typeof value === 'object' && value !== null && typeof value.baseOffset === 'number' && Array.isArray(value.records) ? value : null;
  } catch {
    return null;
  }
}
