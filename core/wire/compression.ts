// Record batch compression as Kafka numbers it (attributes bits 0-2), and the seam where a runtime
// plugs in real codecs: the core compresses nothing itself and stays pure and synchronous.

import { ErrorCode } from '../protocol/errors.ts';

export type CompressionCodec = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

/** Kafka's codec ids, as the low three bits of a batch's attributes carry them. */
export const CODEC_IDS: Readonly<Record<CompressionCodec, number>> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };

/** The attribute bits that hold the codec id. */
export const CODEC_MASK = 0x07;

const CODECS_BY_ID: readonly CompressionCodec[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/** The codec that a batch's attributes name, or undefined for ids 5-7 (no codec Kafka knows). */
export function codecOfAttributes(attributes: number): CompressionCodec | undefined {
  return CODECS_BY_ID[attributes & CODEC_MASK];
}

/** One codec's two directions, both synchronous; `decompress` throws on bytes that are not its format. */
export interface Codec {
  compress(data: Uint8Array): Uint8Array;
  decompress(data: Uint8Array): Uint8Array;
}

/** The codecs a runtime has, by name; a codec left out is unsupported ('none' always is supported). */
export type Compressors = Readonly<Partial<Record<Exclude<CompressionCodec, 'none'>, Codec>>>;

/** No codec but 'none': what the simulator runs with. */
export const NO_COMPRESSORS: Compressors = Object.freeze({});

/** A codec this runtime does not have (or a codec id Kafka does not know): UNSUPPORTED_COMPRESSION_TYPE. */
export class UnsupportedCompressionError extends Error {
  override readonly name = 'UnsupportedCompressionError';
  readonly errorCode = ErrorCode.UNSUPPORTED_COMPRESSION_TYPE;
  /** The codec's name, or its id when the id names no codec. */
  readonly codec: CompressionCodec | number;

  constructor(codec: CompressionCodec | number) {
    super(typeof codec === 'number' ? `unknown compression codec id ${codec}` : `compression codec ${codec} is not available`);
    this.codec = codec;
  }
}

/** `data` compressed with `codec` ('none' returns `data` itself); throws UnsupportedCompressionError. */
export function compress(compressors: Compressors, codec: CompressionCodec, data: Uint8Array): Uint8Array {
  return codec === 'none' ? data : codecOf(compressors, codec).compress(data);
}

/** `data` decompressed with `codec` ('none' returns `data` itself); throws UnsupportedCompressionError. */
export function decompress(compressors: Compressors, codec: CompressionCodec, data: Uint8Array): Uint8Array {
  return codec === 'none' ? data : codecOf(compressors, codec).decompress(data);
}

/** Whether `compressors` has `codec` ('none' always). */
export function supportsCodec(compressors: Compressors, codec: CompressionCodec): boolean {
  return codec === 'none' || compressors[codec] !== undefined;
}

function codecOf(compressors: Compressors, codec: Exclude<CompressionCodec, 'none'>): Codec {
  const c = compressors[codec];
  if (c === undefined) throw new UnsupportedCompressionError(codec);
  return c;
}

// Kafka's snappy: the Java client writes snappy-java's "xerial" framing (a magic, two int32
// versions, then int32-length-prefixed raw snappy blocks); other clients may send one raw block.

const XERIAL_MAGIC = [0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]; // \x82SNAPPY\0
const XERIAL_HEADER_SIZE = 16;
/** snappy-java's default block size, which Kafka's SnappyOutputStream uses. */
const XERIAL_BLOCK_SIZE = 32 * 1024;

function isXerial(data: Uint8Array): boolean {
  if (data.length < XERIAL_HEADER_SIZE) return false;
  for (let i = 0; i < XERIAL_MAGIC.length; i++) if (data[i] !== XERIAL_MAGIC[i]) return false;
  return true;
}

function readInt32(data: Uint8Array, at: number): number {
  return ((data[at]! << 24) | (data[at + 1]! << 16) | (data[at + 2]! << 8) | data[at + 3]!) >>> 0;
}

function writeInt32(out: Uint8Array, at: number, value: number): void {
  out[at] = value >>> 24;
  out[at + 1] = value >>> 16;
  out[at + 2] = value >>> 8;
  out[at + 3] = value;
}

function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  if (parts.length === 1 && parts[0]!.length === total) return parts[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Compresses `data` with `rawBlock` into xerial framing, in 32 KiB blocks as Kafka's Java client does. */
export function compressXerial(rawBlock: Codec, data: Uint8Array): Uint8Array {
  const blocks: Uint8Array[] = [];
  let total = XERIAL_HEADER_SIZE;
  for (let at = 0; at < data.length; at += XERIAL_BLOCK_SIZE) {
    const block = rawBlock.compress(data.subarray(at, at + XERIAL_BLOCK_SIZE));
    blocks.push(block);
    total += 4 + block.length;
  }
  const out = new Uint8Array(total);
  out.set(XERIAL_MAGIC, 0);
  writeInt32(out, 8, 1); // version
  writeInt32(out, 12, 1); // compatible version
  let at = XERIAL_HEADER_SIZE;
  for (const block of blocks) {
    writeInt32(out, at, block.length);
    out.set(block, at + 4);
    at += 4 + block.length;
  }
  return out;
}

/** Decompresses xerial-framed snappy, or a raw snappy block when the xerial magic is absent. */
export function decompressSnappy(rawBlock: Codec, data: Uint8Array): Uint8Array {
  if (!isXerial(data)) return rawBlock.decompress(data);
  const parts: Uint8Array[] = [];
  let total = 0;
  let at = XERIAL_HEADER_SIZE;
  while (at < data.length) {
    if (at + 4 > data.length) throw new Error(`xerial snappy: truncated block length at byte ${at}`);
    const length = readInt32(data, at);
    if (at + 4 + length > data.length) throw new Error(`xerial snappy: block of ${length} bytes at byte ${at} runs past the end (${data.length})`);
    const part = rawBlock.decompress(data.subarray(at + 4, at + 4 + length));
    parts.push(part);
    total += part.length;
    at += 4 + length;
  }
  return concat(parts, total);
}

/** Kafka's snappy codec from a raw snappy block codec: writes xerial framing, reads xerial or raw. */
export function kafkaSnappy(rawBlock: Codec): Codec {
  return {
    compress: (data) => compressXerial(rawBlock, data),
    decompress: (data) => decompressSnappy(rawBlock, data),
  };
}
