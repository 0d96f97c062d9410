// Reads Kafka's primitive wire types (big-endian ints, varints, strings, bytes, UUIDs, array lengths) from a
// byte range; every read past the end, or of a malformed value, throws a WireFormatError naming what it read.

import { WireFormatError } from './errors.ts';

/** Kafka's largest string, in UTF-8 bytes (its strings carry an int16 length, and compact ones are held to it). */
export const MAX_STRING_BYTES = 0x7fff;

/** The base64url alphabet of Kafka's UUID text form. */
export const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const TWO_32 = 0x100000000;
const TWO_64 = 1n << 64n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
// Strings up to this many bytes are decoded in JavaScript when ASCII: below it that beats a call into TextDecoder.
const SHORT_STRING = 12;
// ignoreBOM keeps a leading U+FEFF (the default would strip it); malformed UTF-8 becomes U+FFFD, as Java's decoder does.
const utf8Decoder = new TextDecoder('utf-8', { ignoreBOM: true });

export class WireReader {
  private readonly buf: Uint8Array;
  private readonly view: DataView;
  private pos: number;
  /** The offset (into the given array) where the readable range ends. */
  readonly end: number;

  /** Reads `bytes` from `start` (default 0) up to `end` (default its length); offsets are into `bytes`. */
  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    if (start < 0 || end > bytes.length || start > end) throw new RangeError(`bad range [${start}, ${end}) of ${bytes.length} bytes`);
    this.buf = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
    this.end = end;
  }

  /** The offset of the next byte to read (into the given array). */
  get offset(): number {
    return this.pos;
  }

  /** How many bytes are left to read. */
  get remaining(): number {
    return this.end - this.pos;
  }

  int8(): number {
    return this.view.getInt8(this.take(1, 'int8'));
  }

  int16(): number {
    return this.view.getInt16(this.take(2, 'int16'));
  }

  uint16(): number {
    return this.view.getUint16(this.take(2, 'uint16'));
  }

  int32(): number {
    return this.view.getInt32(this.take(4, 'int32'));
  }

  uint32(): number {
    return this.view.getUint32(this.take(4, 'uint32'));
  }

  /** An int64 as a number; a value beyond ±(2^53 - 1) is a WireFormatError (Samsa carries int64s as numbers). */
  int64(): number {
    const p = this.take(8, 'int64');
    const value = this.view.getInt32(p) * TWO_32 + this.view.getUint32(p + 4);
    // Beyond 2^53 the sum may round, but never back into the safe range.
    if (!Number.isSafeInteger(value)) throw new WireFormatError(`int64 ${this.view.getBigInt64(p)} is beyond the safe integer range`);
    return value;
  }

  float64(): number {
    return this.view.getFloat64(this.take(8, 'float64'));
  }

  /** A boolean: any nonzero byte is true (as Kafka reads it). */
  bool(): boolean {
    return this.buf[this.take(1, 'bool')] !== 0;
  }

  /** A UUID in Kafka's text form: 22 characters of base64url without padding. */
  uuid(): string {
    return uuidText(this.buf, this.take(16, 'uuid'));
  }

  /** An unsigned LEB128 varint of at most 5 bytes: 0 to 2^32 - 1. */
  uvarint(): number {
    const p = this.pos;
    if (p < this.end && this.buf[p]! < 0x80) {
      this.pos = p + 1;
      return this.buf[p]!;
    }
    return this.uvarintSlow('uvarint');
  }

  /** A zigzag-encoded int32 varint (record fields). */
  varint(): number {
    const z = this.uvarintSlow('varint');
    return (z >>> 1) ^ -(z & 1);
  }

  /** A zigzag-encoded int64 varint of at most 10 bytes, as a number (a value beyond ±(2^53 - 1) is a WireFormatError). */
  varlong(): number {
    const start = this.pos;
    let z = 0;
    let scale = 1;
    for (let i = 0; ; i++) {
      if (i === 10) throw new WireFormatError(`varlong longer than 10 bytes at offset ${start}`);
      const b = this.buf[this.take(1, 'varlong')]!;
      z += (b & 0x7f) * scale;
      scale *= 128;
      if (b < 0x80) break;
    }
    // Exact while below 2^53 (each term is a separate group of bits); above, redo it in BigInt.
    if (z <= Number.MAX_SAFE_INTEGER) return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
    return this.bigVarlong(start);
  }

  /** A STRING: int16 length and UTF-8; a null (length -1) is a WireFormatError. */
  string(): string {
    return nonNull(this.nullableString(), 'string');
  }

  /** A NULLABLE_STRING: int16 length (-1 = null) and UTF-8. */
  nullableString(): string | null {
    const length = this.int16();
    if (length === -1) return null;
    if (length < 0) throw new WireFormatError(`negative string length ${length}`);
    return this.utf8(length, 'string');
  }

  /** A COMPACT_STRING: uvarint length + 1 and UTF-8; a null (0) is a WireFormatError. */
  compactString(): string {
    return nonNull(this.compactNullableString(), 'compact string');
  }

  /** A COMPACT_NULLABLE_STRING: uvarint length + 1 (0 = null) and UTF-8. */
  compactNullableString(): string | null {
    const n = this.uvarint();
    if (n === 0) return null;
    if (n - 1 > MAX_STRING_BYTES) throw new WireFormatError(`string length ${n - 1} exceeds ${MAX_STRING_BYTES}`);
    return this.utf8(n - 1, 'compact string');
  }

  /** BYTES: int32 length and the bytes, as a view into the read array (no copy: it aliases the input). */
  bytes(): Uint8Array {
    return nonNull(this.nullableBytes(), 'bytes');
  }

  /** NULLABLE_BYTES: int32 length (-1 = null) and the bytes, as a view into the read array (no copy). */
  nullableBytes(): Uint8Array | null {
    const length = this.int32();
    if (length === -1) return null;
    if (length < 0) throw new WireFormatError(`negative bytes length ${length}`);
    return this.raw(length, 'bytes');
  }

  /** COMPACT_BYTES: uvarint length + 1 and the bytes, as a view (no copy). */
  compactBytes(): Uint8Array {
    return nonNull(this.compactNullableBytes(), 'compact bytes');
  }

  /** COMPACT_NULLABLE_BYTES: uvarint length + 1 (0 = null) and the bytes, as a view (no copy). */
  compactNullableBytes(): Uint8Array | null {
    const n = this.uvarint();
    return n === 0 ? null : this.raw(n - 1, 'compact bytes');
  }

  /** An ARRAY's int32 count; -1 means a null array, any other negative count is a WireFormatError. */
  arrayLength(): number {
    const n = this.int32();
    if (n < -1) throw new WireFormatError(`negative array length ${n}`);
    return n;
  }

  /** A COMPACT_ARRAY's count (uvarint count + 1); -1 means a null array. */
  compactArrayLength(): number {
    return this.uvarint() - 1;
  }

  /** The next `length` bytes as a view into the read array (no copy). */
  raw(length: number, what = 'raw bytes'): Uint8Array {
    const p = this.take(length, what);
    return this.buf.subarray(p, p + length);
  }

  /** Skips `length` bytes. */
  skip(length: number, what = 'skipped bytes'): void {
    this.take(length, what);
  }

  /** A reader over the next `length` bytes (which this reader skips): a size-delimited section, like a tagged field. */
  section(length: number, what: string): WireReader {
    const p = this.take(length, what);
    return new WireReader(this.buf, p, p + length);
  }

  /** Claims `n` bytes, returning where they start. */
  private take(n: number, what: string): number {
    const p = this.pos;
    if (n > this.end - p) throw new WireFormatError(`unexpected end of data reading ${what}: needs ${n} bytes at offset ${p}, has ${this.end - p}`);
    this.pos = p + n;
    return p;
  }

  private uvarintSlow(what: string): number {
    const start = this.pos;
    let value = 0;
    for (let i = 0; i < 4; i++) {
      const b = this.buf[this.take(1, what)]!;
      value |= (b & 0x7f) << (7 * i);
      if (b < 0x80) return value;
    }
    // The fifth byte holds bits 28-31 and ends the varint.
    const b = this.buf[this.take(1, what)]!;
    if (b > 0x0f) throw new WireFormatError(`${what} at offset ${start} exceeds 32 bits`);
    return value + b * 0x10000000;
  }

  private bigVarlong(start: number): number {
    let z = 0n;
    for (let p = this.pos - 1; p >= start; p--) z = (z << 7n) | BigInt(this.buf[p]! & 0x7f);
    if (z >= TWO_64) throw new WireFormatError(`varlong at offset ${start} exceeds 64 bits`);
    const n = (z >> 1n) ^ -(z & 1n);
    if (n > MAX_SAFE || n < -MAX_SAFE) throw new WireFormatError(`varlong ${n} is beyond the safe integer range`);
    return Number(n);
  }

  private utf8(length: number, what: string): string {
    const p = this.take(length, what);
    const buf = this.buf;
    if (length <= SHORT_STRING) {
      let s = '';
      let i = p;
      const end = p + length;
      for (; i < end; i++) {
        const c = buf[i]!;
        if (c >= 0x80) break;
        s += String.fromCharCode(c);
      }
      if (i === end) return s;
    }
    return utf8Decoder.decode(buf.subarray(p, p + length));
  }
}

function nonNull<T>(value: T | null, what: string): T {
  if (value === null) throw new WireFormatError(`null in a non-nullable ${what}`);
  return value;
}

/** The 16 bytes at `at` in Kafka's UUID text form (base64url, no padding: 22 characters). */
function uuidText(bytes: Uint8Array, at: number): string {
  let s = '';
  for (let i = at; i < at + 15; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    s += BASE64URL[n >>> 18]! + BASE64URL[(n >>> 12) & 63]! + BASE64URL[(n >>> 6) & 63]! + BASE64URL[n & 63]!;
  }
  const last = bytes[at + 15]!;
  return s + BASE64URL[last >>> 2]! + BASE64URL[(last & 3) << 4]!;
}
