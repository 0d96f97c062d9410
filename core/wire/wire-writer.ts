// Writes Kafka's primitive wire types into a growable buffer, the mirror of WireReader; a value the type cannot
// hold (out of range, wrong JavaScript type, a string too long) throws a WireFormatError naming the type.

import { describeValue, WireFormatError } from './errors.ts';
import { BASE64URL, MAX_STRING_BYTES } from './wire-reader.ts';

const TWO_32 = 0x100000000;
const TWO_52 = 2 ** 52;
const utf8Encoder = new TextEncoder();
// base64url character code -> its 6 bits, -1 for any other character.
const BASE64URL_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE64URL.length; i++) BASE64URL_VALUE[BASE64URL.charCodeAt(i)] = i;

export class WireWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;

  constructor(initialCapacity = 1024) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
    this.view = new DataView(this.buf.buffer);
  }

  /** How many bytes have been written: the offset of the next one. */
  get offset(): number {
    return this.pos;
  }

  /**
   * The bytes written, as a view of the writer's buffer (no copy). Later writes append beyond it and leave it
   * intact; only patchInt32/insertUvarint at an earlier offset would change it.
   */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }

  int8(value: number): void {
    if ((value << 24) >> 24 !== value) throw badValue('int8', value);
    const p = this.claim(1);
    this.view.setInt8(p, value);
  }

  int16(value: number): void {
    if ((value << 16) >> 16 !== value) throw badValue('int16', value);
    const p = this.claim(2);
    this.view.setInt16(p, value);
  }

  uint16(value: number): void {
    if ((value & 0xffff) !== value) throw badValue('uint16', value);
    const p = this.claim(2);
    this.view.setUint16(p, value);
  }

  int32(value: number): void {
    if ((value | 0) !== value) throw badValue('int32', value);
    const p = this.claim(4);
    this.view.setInt32(p, value);
  }

  uint32(value: number): void {
    if (value >>> 0 !== value) throw badValue('uint32', value);
    const p = this.claim(4);
    this.view.setUint32(p, value);
  }

  /** An int64 from a safe integer (Samsa carries int64s as numbers). */
  int64(value: number): void {
    if (!Number.isSafeInteger(value)) throw badValue('int64', value);
    const p = this.claim(8);
    const high = Math.floor(value / TWO_32);
    this.view.setInt32(p, high);
    this.view.setUint32(p + 4, value - high * TWO_32);
  }

  float64(value: number): void {
    if (typeof value !== 'number') throw badValue('float64', value);
    const p = this.claim(8);
    this.view.setFloat64(p, value);
  }

  bool(value: boolean): void {
    if (typeof value !== 'boolean') throw badValue('bool', value);
    const p = this.claim(1);
    this.buf[p] = value ? 1 : 0;
  }

  /** A UUID from Kafka's text form (22 characters of base64url, as WireReader.uuid gives). */
  uuid(text: string): void {
    if (typeof text !== 'string' || text.length !== 22) throw badValue('uuid', text);
    const p = this.claim(16);
    let bits = 0;
    let held = 0;
    let out = p;
    for (let i = 0; i < 22; i++) {
      const code = text.charCodeAt(i);
      const v = code < 128 ? BASE64URL_VALUE[code]! : -1;
      if (v < 0) throw badValue('uuid', text);
      bits = ((bits << 6) | v) & 0xffffff;
      held += 6;
      if (held >= 8) {
        held -= 8;
        if (out < p + 16) this.buf[out++] = (bits >>> held) & 0xff;
      }
    }
    // 22 characters carry 132 bits: the last 4 must be zero, or two texts would name one UUID.
    if ((bits & 0xf) !== 0) throw badValue('uuid', text);
  }

  /** An unsigned LEB128 varint: 0 to 2^32 - 1. */
  uvarint(value: number): void {
    if (value >>> 0 !== value) throw badValue('uvarint', value);
    this.ensure(5);
    this.pos = this.putUvarint(this.pos, value);
  }

  /** A zigzag-encoded int32 varint. */
  varint(value: number): void {
    if ((value | 0) !== value) throw badValue('varint', value);
    this.ensure(5);
    this.pos = this.putUvarint(this.pos, ((value << 1) ^ (value >> 31)) >>> 0);
  }

  /** A zigzag-encoded int64 varint from a safe integer. */
  varlong(value: number): void {
    if (!Number.isSafeInteger(value)) throw badValue('varlong', value);
    if ((value | 0) === value) {
      this.ensure(5);
      this.pos = this.putUvarint(this.pos, ((value << 1) ^ (value >> 31)) >>> 0);
      return;
    }
    this.ensure(10);
    let p = this.pos;
    if (Math.abs(value) <= TWO_52) {
      // The zigzag value stays below 2^53, so number arithmetic is exact.
      let z = value >= 0 ? value * 2 : -value * 2 - 1;
      while (z >= 0x80) {
        this.buf[p++] = (z % 0x80) | 0x80;
        z = Math.floor(z / 0x80);
      }
      this.buf[p++] = z;
    } else {
      const n = BigInt(value);
      let z = BigInt.asUintN(64, (n << 1n) ^ (n >> 63n));
      while (z >= 0x80n) {
        this.buf[p++] = Number(z & 0x7fn) | 0x80;
        z >>= 7n;
      }
      this.buf[p++] = Number(z);
    }
    this.pos = p;
  }

  /** A STRING: int16 length and UTF-8. */
  string(value: string): void {
    if (typeof value !== 'string') throw badValue('string', value);
    const length = utf8Length(value);
    this.int16(stringLength(length));
    this.utf8(value, length);
  }

  /** A NULLABLE_STRING: int16 length (-1 for null) and UTF-8. */
  nullableString(value: string | null): void {
    if (value === null) this.int16(-1);
    else this.string(value);
  }

  /** A COMPACT_STRING: uvarint length + 1 and UTF-8. */
  compactString(value: string): void {
    if (typeof value !== 'string') throw badValue('compact string', value);
    const length = utf8Length(value);
    this.uvarint(stringLength(length) + 1);
    this.utf8(value, length);
  }

  /** A COMPACT_NULLABLE_STRING: uvarint length + 1 (0 for null) and UTF-8. */
  compactNullableString(value: string | null): void {
    if (value === null) this.uvarint(0);
    else this.compactString(value);
  }

  /** BYTES: int32 length and the bytes. */
  bytes(value: Uint8Array): void {
    if (!(value instanceof Uint8Array)) throw badValue('bytes', value);
    this.int32(value.length);
    this.raw(value);
  }

  /** NULLABLE_BYTES: int32 length (-1 for null) and the bytes. */
  nullableBytes(value: Uint8Array | null): void {
    if (value === null) this.int32(-1);
    else this.bytes(value);
  }

  /** COMPACT_BYTES: uvarint length + 1 and the bytes. */
  compactBytes(value: Uint8Array): void {
    if (!(value instanceof Uint8Array)) throw badValue('compact bytes', value);
    this.uvarint(value.length + 1);
    this.raw(value);
  }

  /** COMPACT_NULLABLE_BYTES: uvarint length + 1 (0 for null) and the bytes. */
  compactNullableBytes(value: Uint8Array | null): void {
    if (value === null) this.uvarint(0);
    else this.compactBytes(value);
  }

  /** An ARRAY's int32 count; -1 for a null array. */
  arrayLength(count: number): void {
    if (count < -1) throw badValue('array length', count);
    this.int32(count);
  }

  /** A COMPACT_ARRAY's count as uvarint count + 1; -1 for a null array (written 0). */
  compactArrayLength(count: number): void {
    if (count < -1) throw badValue('array length', count);
    this.uvarint(count + 1);
  }

  /** The bytes as they are. */
  raw(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const p = this.claim(bytes.length);
    this.buf.set(bytes, p);
  }

  /** Leaves room for an int32 to fill in later (a length prefix); returns its offset for patchInt32. */
  reserveInt32(): number {
    return this.claim(4);
  }

  /** Writes an int32 at an earlier offset (one reserveInt32 returned). */
  patchInt32(at: number, value: number): void {
    if (at < 0 || at + 4 > this.pos) throw new RangeError(`patchInt32 at ${at} outside the ${this.pos} bytes written`);
    if ((value | 0) !== value) throw badValue('int32', value);
    this.view.setInt32(at, value);
  }

  /**
   * Inserts a uvarint at an earlier offset, moving what follows: a size prefix whose own length was not known
   * in advance (a tagged field's size). Costs a copy of the bytes after `at`, so only for short sections.
   */
  insertUvarint(at: number, value: number): void {
    if (at < 0 || at > this.pos) throw new RangeError(`insertUvarint at ${at} outside the ${this.pos} bytes written`);
    if (value >>> 0 !== value) throw badValue('uvarint', value);
    const size = uvarintSize(value);
    this.ensure(size);
    this.buf.copyWithin(at + size, at, this.pos);
    this.putUvarint(at, value);
    this.pos += size;
  }

  /** Claims `n` bytes, returning where they start. */
  private claim(n: number): number {
    this.ensure(n);
    const p = this.pos;
    this.pos = p + n;
    return p;
  }

  private ensure(n: number): void {
    const needed = this.pos + n;
    if (needed <= this.buf.length) return;
    // Fewer, larger steps while small (each new buffer costs far more than its copy); doubling beyond 1 MiB.
    const grown = new Uint8Array(Math.max(needed, this.buf.length * (this.buf.length < 1 << 20 ? 4 : 2)));
    grown.set(this.buf.subarray(0, this.pos));
    this.buf = grown;
    this.view = new DataView(grown.buffer);
  }

  /** Writes a uvarint (already checked to be a uint32, with room made) at `p`; returns the offset after it. */
  private putUvarint(p: number, value: number): number {
    const buf = this.buf;
    while (value >= 0x80) {
      buf[p++] = (value & 0x7f) | 0x80;
      value >>>= 7;
    }
    buf[p++] = value;
    return p;
  }

  private utf8(value: string, length: number): void {
    const p = this.claim(length);
    if (length === value.length) {
      // ASCII: one byte per UTF-16 unit.
      const buf = this.buf;
      for (let i = 0; i < length; i++) buf[p + i] = value.charCodeAt(i);
    } else {
      utf8Encoder.encodeInto(value, this.buf.subarray(p, p + length));
    }
  }
}

/** How many bytes a uvarint takes. */
export function uvarintSize(value: number): number {
  return value < 0x80 ? 1 : value < 0x4000 ? 2 : value < 0x200000 ? 3 : value < 0x10000000 ? 4 : 5;
}

/** The UTF-8 length of a string as TextEncoder writes it (a lone surrogate becomes U+FFFD, 3 bytes). */
export function utf8Length(value: string): number {
  let length = value.length;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) length += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < value.length && (value.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      // A surrogate pair: two UTF-16 units, four bytes.
      length += 2;
      i++;
    } else length += 2;
  }
  return length;
}

function stringLength(length: number): number {
  if (length > MAX_STRING_BYTES) throw new WireFormatError(`string of ${length} UTF-8 bytes exceeds ${MAX_STRING_BYTES}`);
  return length;
}

function badValue(type: string, value: unknown): WireFormatError {
  return new WireFormatError(`cannot write ${describeValue(value)} as ${type}`);
}
