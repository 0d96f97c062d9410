// Kafka's primitive wire types: known encodings checked byte by byte, round trips of every type under
// fast-check, varints against a BigInt reference, and the errors for short input and unwritable values.
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { WireFormatError } from '../../core/wire/errors.ts';
import { MAX_STRING_BYTES, WireReader } from '../../core/wire/wire-reader.ts';
import { utf8Length, uvarintSize, WireWriter } from '../../core/wire/wire-writer.ts';
import { randomUuid } from '../../core/uuid.ts';

const bytesOf = (write: (w: WireWriter) => void): number[] => {
  const w = new WireWriter(16);
  write(w);
  return [...w.finish()];
};
const readerOf = (bytes: readonly number[]) => new WireReader(Uint8Array.from(bytes));

/** LEB128 of an unsigned BigInt: the reference the varint writers are checked against. */
const leb128 = (z: bigint): number[] => {
  const out: number[] = [];
  while (z >= 0x80n) {
    out.push(Number(z & 0x7fn) | 0x80);
    z >>= 7n;
  }
  return [...out, Number(z)];
};
const zigzag64 = (n: number) => BigInt.asUintN(64, (BigInt(n) << 1n) ^ (BigInt(n) >> 63n));

const INT32_EDGES = [0, 1, -1, 63, -64, 64, -65, 0x7fffffff, -0x80000000, 8191, -8192];
const SAFE_EDGES = [
  ...INT32_EDGES,
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 52,
  -(2 ** 52),
  2 ** 52 + 1,
  -(2 ** 52) - 1,
  Number.MAX_SAFE_INTEGER,
  Number.MIN_SAFE_INTEGER,
];
const UVARINT_EDGES = [0, 1, 127, 128, 16383, 16384, 2 ** 21 - 1, 2 ** 21, 2 ** 28 - 1, 2 ** 28, 2 ** 31, 2 ** 32 - 1];
const int32s = fc.oneof(fc.constantFrom(...INT32_EDGES), fc.integer({ min: -0x80000000, max: 0x7fffffff }));
const safeInts = fc.oneof(fc.constantFrom(...SAFE_EDGES), fc.maxSafeInteger(), fc.integer());
const uint32s = fc.oneof(fc.constantFrom(...UVARINT_EDGES), fc.nat({ max: 2 ** 32 - 1 }));
/** Well-formed strings of any code points (multi-byte UTF-8, astral planes), within the int16 length. */
const strings = fc.string({ unit: 'grapheme', maxLength: 40 });
const byteArrays: fc.Arbitrary<Uint8Array> = fc.uint8Array({ maxLength: 40 });
const uuidBytes = fc.uint8Array({ minLength: 16, maxLength: 16 });
const uuidOf = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url');

describe('known encodings', () => {
  it('writes uvarints as LEB128, low group first', () => {
    expect(bytesOf((w) => w.uvarint(0))).toEqual([0x00]);
    expect(bytesOf((w) => w.uvarint(127))).toEqual([0x7f]);
    expect(bytesOf((w) => w.uvarint(128))).toEqual([0x80, 0x01]);
    expect(bytesOf((w) => w.uvarint(300))).toEqual([0xac, 0x02]);
    expect(bytesOf((w) => w.uvarint(2 ** 32 - 1))).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
  });

  it('writes zigzag varints and varlongs', () => {
    expect(bytesOf((w) => w.varint(0))).toEqual([0x00]);
    expect(bytesOf((w) => w.varint(-1))).toEqual([0x01]);
    expect(bytesOf((w) => w.varint(1))).toEqual([0x02]);
    expect(bytesOf((w) => w.varint(-64))).toEqual([0x7f]);
    expect(bytesOf((w) => w.varint(64))).toEqual([0x80, 0x01]);
    expect(bytesOf((w) => w.varint(-0x80000000))).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
    expect(bytesOf((w) => w.varlong(-1))).toEqual([0x01]);
    expect(bytesOf((w) => w.varlong(2 ** 31))).toEqual([0x80, 0x80, 0x80, 0x80, 0x10]);
    expect(bytesOf((w) => w.varlong(Number.MIN_SAFE_INTEGER))).toEqual(leb128(2n ** 54n - 3n));
  });

  it('writes strings with an int16 length, compact strings with uvarint length + 1', () => {
    expect(bytesOf((w) => w.string('ab'))).toEqual([0x00, 0x02, 0x61, 0x62]);
    expect(bytesOf((w) => w.nullableString(null))).toEqual([0xff, 0xff]);
    expect(bytesOf((w) => w.compactString('ab'))).toEqual([0x03, 0x61, 0x62]);
    expect(bytesOf((w) => w.compactString(''))).toEqual([0x01]);
    expect(bytesOf((w) => w.compactNullableString(null))).toEqual([0x00]);
    expect(bytesOf((w) => w.compactString('é€😀'))).toEqual([10, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80]);
  });

  it('writes bytes, array lengths and fixed-width ints big-endian', () => {
    expect(bytesOf((w) => w.bytes(Uint8Array.of(9)))).toEqual([0, 0, 0, 1, 9]);
    expect(bytesOf((w) => w.nullableBytes(null))).toEqual([0xff, 0xff, 0xff, 0xff]);
    expect(bytesOf((w) => w.compactBytes(Uint8Array.of(9, 8)))).toEqual([3, 9, 8]);
    expect(bytesOf((w) => w.compactNullableBytes(null))).toEqual([0]);
    expect(bytesOf((w) => w.arrayLength(-1))).toEqual([0xff, 0xff, 0xff, 0xff]);
    expect(bytesOf((w) => w.compactArrayLength(-1))).toEqual([0]);
    expect(bytesOf((w) => w.compactArrayLength(2))).toEqual([3]);
    expect(bytesOf((w) => w.int16(-2))).toEqual([0xff, 0xfe]);
    expect(bytesOf((w) => w.uint16(0xfffe))).toEqual([0xff, 0xfe]);
    expect(bytesOf((w) => w.int32(0x01020304))).toEqual([1, 2, 3, 4]);
    expect(bytesOf((w) => w.int64(-2))).toEqual([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]);
    expect(bytesOf((w) => w.int64(2 ** 32 + 5))).toEqual([0, 0, 0, 1, 0, 0, 0, 5]);
    expect(bytesOf((w) => w.float64(1))).toEqual([0x3f, 0xf0, 0, 0, 0, 0, 0, 0]);
    expect(bytesOf((w) => w.bool(true))).toEqual([1]);
  });

  it("reads and writes UUIDs in Kafka's base64url text form", () => {
    expect(readerOf(new Array(16).fill(0)).uuid()).toBe('AAAAAAAAAAAAAAAAAAAAAA');
    expect(readerOf(new Array(16).fill(0xff)).uuid()).toBe('_'.repeat(21) + 'w');
    let seed = 0.1;
    const id = randomUuid(() => (seed = (seed * 9301 + 0.49297) % 1));
    expect(new WireReader(Uint8Array.from(bytesOf((w) => w.uuid(id)))).uuid()).toBe(id);
  });

  it('reads any nonzero byte as true', () => {
    expect(readerOf([0, 1, 2, 0xff]).bool()).toBe(false);
    const r = readerOf([1, 2, 0xff]);
    expect([r.bool(), r.bool(), r.bool()]).toEqual([true, true, true]);
  });
});

describe('round trips', () => {
  type Primitive = keyof WireWriter & keyof WireReader & ('int8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'float64' | 'bool' | 'uuid');
  type Vary = 'uvarint' | 'varint' | 'varlong' | 'arrayLength' | 'compactArrayLength';
  type Text = 'string' | 'nullableString' | 'compactString' | 'compactNullableString';
  type Bytes = 'bytes' | 'nullableBytes' | 'compactBytes' | 'compactNullableBytes';
  /** Writes the value with the writer's method of that name, reads it back with the reader's. */
  const roundTrip = (type: Primitive | Vary | Text | Bytes, value: unknown) => {
    const w = new WireWriter(16);
    (w[type] as (v: unknown) => void).call(w, value);
    const r = new WireReader(w.finish());
    expect((r[type] as () => unknown).call(r)).toEqual(value);
    expect(r.remaining).toBe(0);
  };

  const fixed: [Primitive, fc.Arbitrary<unknown>][] = [
    ['int8', fc.integer({ min: -128, max: 127 })],
    ['int16', fc.integer({ min: -32768, max: 32767 })],
    ['uint16', fc.integer({ min: 0, max: 65535 })],
    ['int32', int32s],
    ['uint32', uint32s],
    ['int64', safeInts],
    ['float64', fc.double()],
    ['bool', fc.boolean()],
    ['uuid', uuidBytes.map(uuidOf)],
  ];
  for (const [type, values] of fixed) test.prop([values])(type, (v) => roundTrip(type, v));

  test.prop([uuidBytes])('uuid text matches base64url', (bytes) => {
    expect(new WireReader(bytes).uuid()).toBe(uuidOf(bytes));
  });
  test.prop([uint32s])('uvarint, against LEB128', (v) => {
    roundTrip('uvarint', v);
    expect(bytesOf((w) => w.uvarint(v))).toEqual(leb128(BigInt(v)));
    expect(uvarintSize(v)).toBe(leb128(BigInt(v)).length);
  });
  test.prop([int32s])('varint, against zigzag LEB128', (v) => {
    roundTrip('varint', v);
    expect(bytesOf((w) => w.varint(v))).toEqual(leb128(zigzag64(v)));
  });
  test.prop([safeInts])('varlong, against zigzag LEB128', (v) => {
    roundTrip('varlong', v);
    expect(bytesOf((w) => w.varlong(v))).toEqual(leb128(zigzag64(v)));
  });
  test.prop([fc.option(strings, { nil: null })])('strings, nullable and compact, as UTF-8', (v) => {
    roundTrip('nullableString', v);
    roundTrip('compactNullableString', v);
    if (v === null) return;
    roundTrip('string', v);
    roundTrip('compactString', v);
    expect(bytesOf((w) => w.string(v)).slice(2)).toEqual([...Buffer.from(v, 'utf8')]);
  });
  test.prop([fc.string({ unit: 'binary', maxLength: 30 })])('UTF-8 length as TextEncoder counts it, lone surrogates included', (v) => {
    expect(utf8Length(v)).toBe(new TextEncoder().encode(v).length);
    expect(bytesOf((w) => w.compactString(v)).slice(uvarintSize(utf8Length(v) + 1))).toEqual([...new TextEncoder().encode(v)]);
  });
  test.prop([fc.option(byteArrays, { nil: null })])('bytes, nullable and compact', (v) => {
    roundTrip('nullableBytes', v);
    roundTrip('compactNullableBytes', v);
    if (v === null) return;
    roundTrip('bytes', v);
    roundTrip('compactBytes', v);
  });
  test.prop([fc.integer({ min: -1, max: 1000 })])('array lengths', (n) => {
    roundTrip('arrayLength', n);
    roundTrip('compactArrayLength', n);
  });

  type Op = { type: 'int8' | 'int32' | 'varlong' | 'uvarint'; v: number } | { type: 'string'; v: string } | { type: 'bytes'; v: Uint8Array };
  const ops: fc.Arbitrary<Op[]> = fc.array(
    fc.oneof(
      fc.record({ type: fc.constant('int8' as const), v: fc.integer({ min: -128, max: 127 }) }),
      fc.record({ type: fc.constant('int32' as const), v: int32s }),
      fc.record({ type: fc.constant('varlong' as const), v: safeInts }),
      fc.record({ type: fc.constant('uvarint' as const), v: uint32s }),
      fc.record({ type: fc.constant('string' as const), v: strings }),
      fc.record({ type: fc.constant('bytes' as const), v: byteArrays }),
    ),
    { maxLength: 60 },
  );
  test.prop([ops])('a sequence of mixed values through a growing writer, read back at an offset', (sequence) => {
    const w = new WireWriter(16);
    w.raw(Uint8Array.of(0xaa, 0xbb));
    for (const op of sequence) (w[op.type] as (v: unknown) => void).call(w, op.v);
    const r = new WireReader(w.finish(), 2);
    for (const op of sequence) expect((r[op.type] as () => unknown).call(r)).toEqual(op.v);
    expect(r.remaining).toBe(0);
  });
});

describe('reader views and ranges', () => {
  it('returns bytes as views into the read array (no copy)', () => {
    const input = Uint8Array.from([0, 0, 0, 2, 7, 8, 9]);
    const bytes = new WireReader(input).bytes();
    expect([...bytes]).toEqual([7, 8]);
    input[4] = 99;
    expect(bytes[0]).toBe(99);
  });

  it('reads only within [start, end) and reports offset and remaining', () => {
    const r = new WireReader(Uint8Array.from([1, 2, 3, 4, 5, 6]), 1, 4);
    expect(r.offset).toBe(1);
    expect(r.remaining).toBe(3);
    expect(r.int16()).toBe(0x0203);
    expect(() => r.int16()).toThrow(/int16/);
    expect(r.int8()).toBe(4);
    expect(r.remaining).toBe(0);
  });

  it('reads a section as its own reader and skips it', () => {
    const r = readerOf([1, 2, 3, 4]);
    const section = r.section(2, 'test');
    expect(r.offset).toBe(2);
    expect([section.int8(), section.int8()]).toEqual([1, 2]);
    expect(() => section.int8()).toThrow(WireFormatError);
  });

  it('keeps a leading byte order mark in a string', () => {
    const bom = bytesOf((w) => w.string('\ufeffx'));
    expect(readerOf(bom).string()).toBe('\ufeffx');
  });
});

describe('errors', () => {
  it('names the type when reading past the end', () => {
    const reads: [string, (r: WireReader) => unknown][] = [
      ['int8', (r) => r.int8()],
      ['int32', (r) => r.int32()],
      ['int64', (r) => r.int64()],
      ['uuid', (r) => r.uuid()],
      ['uvarint', (r) => r.uvarint()],
      ['varint', (r) => r.varint()],
      ['varlong', (r) => r.varlong()],
      ['float64', (r) => r.float64()],
    ];
    for (const [name, read] of reads) {
      expect(() => read(readerOf([]))).toThrow(WireFormatError);
      expect(() => read(readerOf([]))).toThrow(new RegExp(`end of data reading ${name}`));
    }
    // A varint cut after a continuation byte.
    for (const [name, read] of reads.slice(4, 7)) expect(() => read(readerOf([0x80]))).toThrow(new RegExp(`end of data reading ${name}`));
    expect(() => readerOf([0, 5, 0x61]).string()).toThrow(/reading string/);
    expect(() => readerOf([0, 0, 0, 3, 1]).bytes()).toThrow(/reading bytes/);
    expect(() => readerOf([4, 1]).compactBytes()).toThrow(/reading compact bytes/);
  });

  it('refuses nulls where none may be, negative lengths, and oversized varints', () => {
    expect(() => readerOf([0xff, 0xff]).string()).toThrow(/null in a non-nullable string/);
    expect(() => readerOf([0]).compactString()).toThrow(/null/);
    expect(() => readerOf([0xff, 0xfe]).nullableString()).toThrow(/negative string length/);
    expect(() => readerOf([0xff, 0xff, 0xff, 0xfe]).nullableBytes()).toThrow(/negative bytes length/);
    expect(() => readerOf([0xff, 0xff, 0xff, 0xfe]).arrayLength()).toThrow(/negative array length/);
    expect(() => readerOf([0xff, 0xff, 0xff, 0xff, 0x10]).uvarint()).toThrow(/exceeds 32 bits/);
    expect(() => readerOf(new Array(10).fill(0xff).concat([1])).varlong()).toThrow(/longer than 10 bytes/);
    expect(() => readerOf([...new Array(9).fill(0xff), 0x7f]).varlong()).toThrow(/exceeds 64 bits/);
    const compactTooLong = bytesOf((w) => w.uvarint(MAX_STRING_BYTES + 2));
    expect(() => readerOf(compactTooLong).compactString()).toThrow(/exceeds 32767/);
  });

  it('refuses int64s and varlongs beyond the safe integers', () => {
    expect(() => readerOf([0x00, 0x20, 0, 0, 0, 0, 0, 0]).int64()).toThrow(/9007199254740992 is beyond the safe integer range/);
    expect(() => readerOf([0xff, 0xe0, 0, 0, 0, 0, 0, 0]).int64()).toThrow(/safe integer/);
    expect(readerOf([0xff, 0xe0, 0, 0, 0, 0, 0, 1]).int64()).toBe(Number.MIN_SAFE_INTEGER);
    expect(readerOf([0x00, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).int64()).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => readerOf(leb128(2n ** 54n)).varlong()).toThrow(/safe integer/);
    expect(() => readerOf(leb128(2n ** 64n - 1n)).varlong()).toThrow(/safe integer/);
    expect(readerOf(leb128(2n ** 54n - 2n)).varlong()).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('refuses values a type cannot hold', () => {
    const w = new WireWriter();
    const bad: [() => void, RegExp][] = [
      [() => w.int8(128), /as int8/],
      [() => w.int16(-32769), /as int16/],
      [() => w.uint16(-1), /as uint16/],
      [() => w.int32(2 ** 31), /as int32/],
      [() => w.int32(1.5), /as int32/],
      [() => w.int32('1' as unknown as number), /"1" as int32/],
      [() => w.uint32(-1), /as uint32/],
      [() => w.int64(2 ** 53), /as int64/],
      [() => w.uvarint(2 ** 32), /as uvarint/],
      [() => w.varint(2 ** 31), /as varint/],
      [() => w.varlong(Number.MAX_SAFE_INTEGER + 1), /as varlong/],
      [() => w.bool(1 as unknown as boolean), /as bool/],
      [() => w.float64(null as unknown as number), /null as float64/],
      [() => w.string(5 as unknown as string), /as string/],
      [() => w.bytes([1] as unknown as Uint8Array), /as bytes/],
      [() => w.uuid('too short'), /as uuid/],
      [() => w.uuid('AAAAAAAAAAAAAAAAAAAAA*'), /as uuid/],
      // 22 characters carry 132 bits: the last character must leave the 4 spare bits zero.
      [() => w.uuid('AAAAAAAAAAAAAAAAAAAAAB'), /as uuid/],
      [() => w.string('x'.repeat(MAX_STRING_BYTES + 1)), /exceeds 32767/],
      [() => w.compactString('é'.repeat(20000)), /40000 UTF-8 bytes exceeds 32767/],
    ];
    for (const [write, message] of bad) {
      expect(write).toThrow(WireFormatError);
      expect(write).toThrow(message);
    }
  });
});

describe('writer', () => {
  it('patches a reserved int32 length prefix', () => {
    const w = new WireWriter(16);
    const at = w.reserveInt32();
    w.string('hello');
    w.patchInt32(at, w.offset - at - 4);
    expect([...w.finish()]).toEqual([0, 0, 0, 7, 0, 5, 0x68, 0x65, 0x6c, 0x6c, 0x6f]);
    expect(() => w.patchInt32(w.offset - 2, 1)).toThrow(RangeError);
  });

  test.prop([fc.uint8Array({ maxLength: 300 }), uint32s, fc.nat({ max: 20 })])('inserts a uvarint before written bytes', (data, value, before) => {
    const w = new WireWriter(16);
    for (let i = 0; i < before; i++) w.int8(i);
    const at = w.offset;
    w.raw(data);
    w.insertUvarint(at, value);
    expect([...w.finish()]).toEqual([...Array.from({ length: before }, (_, i) => i), ...leb128(BigInt(value)), ...data]);
  });

  it('grows from a tiny buffer and keeps earlier output intact', () => {
    const w = new WireWriter(1);
    const first = (() => {
      w.int32(1);
      return w.finish();
    })();
    for (let i = 0; i < 10000; i++) w.int32(i);
    expect([...first]).toEqual([0, 0, 0, 1]);
    const r = new WireReader(w.finish(), 4);
    for (let i = 0; i < 10000; i++) expect(r.int32()).toBe(i);
  });
});
