// The real runtime's codecs: every one round-trips any bytes, reads what the reference tools
// (the lz4 and zstd command lines) write, and snappy reads both xerial framing and raw blocks.
import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import { loadCodec, NODE_COMPRESSORS, UNAVAILABLE_CODECS } from '../../net/compression.ts';
import { compress, decompress, UnsupportedCompressionError, type CompressionCodec } from '../../core/wire/compression.ts';
import snappy from 'snappy';

const CODECS: CompressionCodec[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/** 150,000 bytes of (i * 7) mod 251: what the command-line samples below compress. */
const PATTERN = Uint8Array.from({ length: 150_000 }, (_, i) => (i * 7) % 251);

/** `lz4 -B4 -BD` (v1.9.4) of PATTERN: a frame of 64 KiB *linked* blocks with a content checksum. */
const LZ4_CLI_FRAME =
  'BCJNGERAXgUCAAD/7AAHDhUcIyoxOD9GTVRbYmlwd36FjJOaoaivtr3Ey9LZ4Ofu9QEIDxYdJCsyOUBHTlVcY2pxeH+GjZSboqmwt77FzNPa4ejv9gIJEBceJSwzOkFIT1ZdZGtyeYCHjpWco6qxuL/GzdTb4unw9wMKERgfJi00O0JJUFdeZWxzeoGIj5adpKuyucDHztXc4+rx+AQLEhkgJy41PENKUVhfZm10e4KJkJeepayzusHIz9bd5Ovy+QUMExohKC82PURLUllgZ251fIOKkZifpq20u8LJ0Nfe5ezz+gYNFBsiKTA3PkVMU1phaG92fYSLkpmgp661vMPK0djf5u30+wD////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////sUIyTmqGoCgEAAA/n///////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////////oUEBHTlVcTwEAAP/sY2pxeH+GjZSboqmwt77FzNPa4ejv9gIJEBceJSwzOkFIT1ZdZGtyeYCHjpWco6qxuL/GzdTb4unw9wMKERgfJi00O0JJUFdeZWxzeoGIj5adpKuyucDHztXc4+rx+AQLEhkgJy41PENKUVhfZm10e4KJkJeepayzusHIz9bd5Ovy+QUMExohKC82PURLUllgZ251fIOKkZifpq20u8LJ0Nfe5ezz+gYNFBsiKTA3PkVMU1phaG92fYSLkpmgp661vMPK0djf5u30AAcOFRwjKjE4P0ZNVFtiaXB3foWMk5qhqK+2vcTL0tng5+71AQgPFh0kKzI5QEdOVVz7AP////////////////////////////////////////////////////////////////////////////////////////////////8mUCAnLjU8AAAAAGluJWw=';

/** `cat | zstd` (v1.5.4) of PATTERN: a streamed frame, without a content size, with a checksum. */
const ZSTD_CLI_FRAME =
  'KLUv/QRYLAgAtA8ABw4VHCMqMTg/Rk1UW2JpcHd+hYyTmqGor7a9xMvS2eDn7vUBCA8WHSQrMjlAR05VXGNqcXh/ho2Um6KpsLe+xczT2uHo7/YCCRAXHiUsMzpBSE9WXWRrcnmAh46VnKOqsbi/xs3U2+Lp8PcDChEYHyYtNDtCSVBXXmVsc3qBiI+WnaSrsrnAx87V3OPq8fgECxIZICcuNTxDSlFYX2ZtdHuCiZCXnqWss7rByM/W3eTr8vkFDBMaISgvNj1ES1JZYGdudXyDipGYn6attLvCydDX3uXs8/oGDRQbIikwNz5FTFNaYWhvdn2Ei5KZoKeutbzDytHY3+bt9AEAe4F/f26kRQAACGMBAOzJDoRGd0n4';

const fromBase64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));

/** Byte equality without vitest's element-by-element diff (slow on 150,000 bytes). */
const expectSameBytes = (actual: Uint8Array, expected: Uint8Array) => expect(Buffer.from(actual).equals(expected)).toBe(true);

describe('NODE_COMPRESSORS', () => {
  test('every codec loaded on this machine', () => {
    expect(UNAVAILABLE_CODECS).toEqual({});
    expect(Object.keys(NODE_COMPRESSORS).sort()).toEqual(['gzip', 'lz4', 'snappy', 'zstd']);
  });

  test.prop([fc.constantFrom(...CODECS), fc.uint8Array({ maxLength: 5000 })])('round-trips any bytes', (codec, data) => {
    expect(decompress(NODE_COMPRESSORS, codec, compress(NODE_COMPRESSORS, codec, data))).toEqual(data);
  });

  test.each(CODECS)('%s round-trips a large compressible payload', (codec) => {
    const packed = compress(NODE_COMPRESSORS, codec, PATTERN);
    if (codec !== 'none') expect(packed.length).toBeLessThan(PATTERN.length / 10);
    expectSameBytes(decompress(NODE_COMPRESSORS, codec, packed), PATTERN);
  });

  test('lz4 reads a frame of linked blocks from the reference command line', () => {
    expectSameBytes(decompress(NODE_COMPRESSORS, 'lz4', fromBase64(LZ4_CLI_FRAME)), PATTERN);
  });

  test('lz4 writes frames (magic 0x184D2204) of independent blocks, as Kafka reads them', () => {
    const frame = compress(NODE_COMPRESSORS, 'lz4', PATTERN);
    expect([...frame.subarray(0, 4)]).toEqual([0x04, 0x22, 0x4d, 0x18]);
    expect(frame[4]! & 0x20).toBe(0x20); // FLG: block independence
  });

  test('zstd reads a streamed frame without a content size from the reference command line', () => {
    expectSameBytes(decompress(NODE_COMPRESSORS, 'zstd', fromBase64(ZSTD_CLI_FRAME)), PATTERN);
  });

  test('zstd reads concatenated frames', () => {
    const frame = compress(NODE_COMPRESSORS, 'zstd', PATTERN.subarray(0, 1000));
    const two = new Uint8Array([...frame, ...frame]);
    expect(decompress(NODE_COMPRESSORS, 'zstd', two)).toEqual(new Uint8Array([...PATTERN.subarray(0, 1000), ...PATTERN.subarray(0, 1000)]));
  });

  test('snappy writes xerial framing in 32 KiB blocks, as Kafka does', () => {
    const framed = compress(NODE_COMPRESSORS, 'snappy', PATTERN);
    expect(Buffer.from(framed.subarray(0, 16)).toString('hex')).toBe('82534e415050590000000001' + '00000001');
    let blocks = 0;
    for (let at = 16; at < framed.length; blocks++) at += 4 + new DataView(framed.buffer, framed.byteOffset).getInt32(at);
    expect(blocks).toBe(Math.ceil(PATTERN.length / 32768));
  });

  test("snappy reads a xerial stream as snappy-java writes it (the sample in the Poseidon Kafka client's tests)", () => {
    const header = '82534e415050590000000001' + '00000001';
    const block = '2300001901' + '5c' + '178ba778b9' + '0000' + 'ffffffff' + '00000009' + Buffer.from('PLAINDATA').toString('hex');
    const stream = new Uint8Array(Buffer.from(header + '0000001e' + block, 'hex'));
    // A magic-0 message set: offset 0, size 23, crc, magic 0, attributes 0, null key, value "PLAINDATA".
    const messageSet = '0000000000000000' + '00000017' + '8ba778b9' + '0000' + 'ffffffff' + '00000009' + Buffer.from('PLAINDATA').toString('hex');
    expect(Buffer.from(decompress(NODE_COMPRESSORS, 'snappy', stream)).toString('hex')).toBe(messageSet);
  });

  test('snappy reads a raw snappy block (as kafkajs and other clients send it)', () => {
    const raw = new Uint8Array(snappy.compressSync(Buffer.from(PATTERN)));
    expectSameBytes(decompress(NODE_COMPRESSORS, 'snappy', raw), PATTERN);
  });

  test('snappy reads empty xerial framing and rejects a truncated one', () => {
    expect(decompress(NODE_COMPRESSORS, 'snappy', compress(NODE_COMPRESSORS, 'snappy', new Uint8Array()))).toEqual(new Uint8Array());
    const framed = compress(NODE_COMPRESSORS, 'snappy', PATTERN);
    expect(() => decompress(NODE_COMPRESSORS, 'snappy', framed.subarray(0, framed.length - 3))).toThrow(/runs past the end/);
  });

  test.each(['gzip', 'snappy', 'lz4', 'zstd'] as const)('%s throws on bytes that are not its format', (codec) => {
    expect(() => decompress(NODE_COMPRESSORS, codec, new TextEncoder().encode('definitely not compressed data at all'))).toThrow();
  });
});

describe('a codec whose package does not load', () => {
  test('is left out with the reason, and its batches answer UNSUPPORTED_COMPRESSION_TYPE', async () => {
    const loaded = await loadCodec(() => {
      throw new Error('Cannot find module snappy.linux-x64-gnu.node');
    });
    expect(loaded).toEqual({ missing: 'Cannot find module snappy.linux-x64-gnu.node' });
    expect(await loadCodec(async () => (await import('no-such-codec-package' as string)) as never)).toMatchObject({
      missing: expect.stringMatching(/no-such-codec-package/),
    });
    const { snappy: _gone, ...without } = NODE_COMPRESSORS;
    expect(() => decompress(without, 'snappy', new Uint8Array([1]))).toThrow(UnsupportedCompressionError);
    expect(() => compress(without, 'snappy', new Uint8Array([1]))).toThrow(expect.objectContaining({ codec: 'snappy', errorCode: 76 }));
  });
});
