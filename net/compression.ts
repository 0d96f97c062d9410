// The real runtime's record batch codecs: gzip from node:zlib, snappy and LZ4 frames from napi-rs
// packages with prebuilt binaries, zstd from WebAssembly (compress) and pure JS (decompress).

import { createRequire } from 'node:module';
import { gunzipSync, gzipSync } from 'node:zlib';
import { kafkaSnappy, type Codec, type CompressionCodec, type Compressors } from '../core/wire/compression.ts';

const require = createRequire(import.meta.url);

/** A codec, or why it is missing on this machine. */
export type LoadedCodec = { codec: Codec } | { missing: string };

/**
 * Builds a codec from its package, turning a package that does not load (no prebuilt binary for
 * this platform, a broken install) into a missing codec instead of a crash: batches that use it
 * then answer UNSUPPORTED_COMPRESSION_TYPE.
 */
export async function loadCodec(make: () => Codec | Promise<Codec>): Promise<LoadedCodec> {
  try {
    return { codec: await make() };
  } catch (e) {
    return { missing: e instanceof Error ? e.message : String(e) };
  }
}

/** Buffers handed back as plain Uint8Array views of the same memory (no copy). */
const view = (b: Uint8Array): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
const asBuffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

const gzip: Codec = {
  compress: (data) => view(gzipSync(data)),
  decompress: (data) => view(gunzipSync(data)),
};

/** Kafka's default zstd level. */
const ZSTD_LEVEL = 3;

const loaded: Readonly<Record<'snappy' | 'lz4' | 'zstd', LoadedCodec>> = {
  snappy: await loadCodec(() => {
    const lib = require('snappy') as typeof import('snappy');
    return kafkaSnappy({
      compress: (data) => view(lib.compressSync(data)),
      decompress: (data) => view(lib.uncompressSync(data, { asBuffer: true }) as Buffer),
    });
  }),
  // Kafka needs LZ4 *frames* (not raw blocks): lz4-napi writes frames of independent blocks,
  // which Kafka's Java reader requires, and reads frames of linked or independent blocks.
  lz4: await loadCodec(() => {
    const lib = require('lz4-napi') as typeof import('lz4-napi');
    return {
      compress: (data) => view(lib.compressFrameSync(asBuffer(data))),
      decompress: (data) => view(lib.decompressFrameSync(asBuffer(data))),
    };
  }),
  // zstd: the WebAssembly build instantiates asynchronously, once, as this module loads; both
  // directions are synchronous after that. fzstd decodes every frame kind, including the streamed
  // frames without a content size that Java's zstd-jni writes (the WebAssembly one-shot decoder
  // cannot size those).
  zstd: await loadCodec(async () => {
    const wasm = require('@bokuweb/zstd-wasm') as typeof import('@bokuweb/zstd-wasm');
    const fzstd = require('fzstd') as typeof import('fzstd');
    await wasm.init();
    return {
      compress: (data) => wasm.compress(data, ZSTD_LEVEL),
      decompress: (data) => fzstd.decompress(data),
    };
  }),
};

/** Why each codec that did not load is missing (empty when all four loaded). */
export const UNAVAILABLE_CODECS: Readonly<Partial<Record<CompressionCodec, string>>> = Object.freeze(
  Object.fromEntries(Object.entries(loaded).flatMap(([name, l]) => ('missing' in l ? [[name, l.missing]] : []))),
);

/** gzip, and every other codec that loaded on this machine (all four on linux-x64 and the other prebuilt platforms). */
export const NODE_COMPRESSORS: Compressors = Object.freeze({
  gzip,
  ...Object.fromEntries(Object.entries(loaded).flatMap(([name, l]) => ('codec' in l ? [[name, l.codec]] : []))),
});
