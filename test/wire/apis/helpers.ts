// Shared by the API spec tests: golden fixtures (kafkajs's captured bodies) and their byte-exact
// round trip, and a generator of random messages for any spec at any version.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fc } from '@fast-check/vitest';
import { expect } from 'vitest';
import { decodeMessage, encodeMessage } from '../../../core/wire/message-codec.ts';
import { inVersions, versionRange, type FieldSpec, type FieldType, type MessageSpec, type ScalarType, type StructSpec } from '../../../core/wire/spec.ts';

/**
 * kafkajs 2.2.4's protocol fixtures (MIT): request/response bodies after the header, most captured from
 * real Kafka 2.x brokers, as `{"type":"Buffer","data":[...]}` in `<api>/v<N>_<request|response>[_variant].json`.
 * They are kept in test/fixtures/ (MIT, with kafkajs's LICENSE); SAMSA_KAFKAJS_FIXTURES points elsewhere.
 */
export const FIXTURES_DIR = process.env.SAMSA_KAFKAJS_FIXTURES ?? fileURLToPath(new URL('../../fixtures/kafkajs-protocol/', import.meta.url));

export interface Fixture {
  /** The file name, like `v2_response_gzip.json`. */
  file: string;
  version: number;
  kind: 'request' | 'response';
  bytes: Uint8Array;
}

/** Every fixture of one API folder (like `fetch`), in name order. */
export function fixturesOf(api: string): Fixture[] {
  return readdirSync(`${FIXTURES_DIR}/${api}`)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const m = /^v(\d+)_(?:.*_)?(request|response)(?:_.*)?\.json$/.exec(file);
      if (m === null) throw new Error(`unexpected fixture name ${api}/${file}`);
      return { file, version: Number(m[1]), kind: m[2] as 'request' | 'response', bytes: fixture(api, file) };
    });
}

/** One fixture's bytes. */
export function fixture(api: string, file: string): Uint8Array {
  const json = JSON.parse(readFileSync(`${FIXTURES_DIR}/${api}/${file}`, 'utf8')) as { type: string; data: number[] };
  if (json.type !== 'Buffer') throw new Error(`${api}/${file} is not a Buffer`);
  return Uint8Array.from(json.data);
}

/** Fails with the first differing offset (and a little context) unless the two byte strings are equal. */
export function expectSameBytes(actual: Uint8Array, expected: Uint8Array, what = 'bytes'): void {
  let i = 0;
  while (i < actual.length && i < expected.length && actual[i] === expected[i]) i++;
  if (i === actual.length && i === expected.length) return;
  const around = (b: Uint8Array) => Buffer.from(b.subarray(Math.max(0, i - 8), i + 8)).toString('hex');
  expect.fail(`${what} differ at offset ${i} (lengths ${actual.length} vs ${expected.length}): got …${around(actual)}…, want …${around(expected)}…`);
}

/** Decodes the bytes at `version`, encodes the result again and checks the bytes come back identical. */
export function decodeExactly(spec: MessageSpec, version: number, bytes: Uint8Array): Record<string, unknown> {
  const decoded = decodeMessage(spec, version, bytes);
  expectSameBytes(encodeMessage(spec, version, decoded), bytes, `${spec.name} v${version} re-encoded`);
  return decoded;
}

/** Every version in a spec's validVersions. */
export function versionsOf(spec: MessageSpec): number[] {
  const { min, max } = versionRange(spec.validVersions);
  return Array.from({ length: max - min + 1 }, (_, i) => min + i);
}

const scalarArbs: Record<ScalarType, fc.Arbitrary<unknown>> = {
  int8: fc.integer({ min: -128, max: 127 }),
  int16: fc.integer({ min: -32768, max: 32767 }),
  uint16: fc.integer({ min: 0, max: 65535 }),
  int32: fc.integer({ min: -2147483648, max: 2147483647 }),
  uint32: fc.integer({ min: 0, max: 4294967295 }),
  int64: fc.oneof(fc.constantFrom(-1, 0, 1), fc.maxSafeInteger()),
  float64: fc.double({ noNaN: true }),
  bool: fc.boolean(),
  uuid: fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString('base64url')),
  string: fc.string({ unit: 'grapheme', maxLength: 12 }),
  bytes: fc.uint8Array({ maxLength: 24 }),
  records: fc.uint8Array({ maxLength: 24 }),
};

function typeArb(type: FieldType, version: number): fc.Arbitrary<unknown> {
  if (typeof type === 'string') return scalarArbs[type];
  if ('array' in type) return fc.array(typeArb(type.array, version), { maxLength: 3 });
  return structArb(type, version);
}

function fieldArb(field: FieldSpec, version: number): fc.Arbitrary<unknown> {
  const arb = typeArb(field.type, version);
  return inVersions(field.nullableVersions, version) ? fc.option(arb, { nil: null, freq: 4 }) : arb;
}

/** A struct's value at `version`: only the fields that exist in that version (tagged ones included). */
export function structArb(struct: StructSpec, version: number): fc.Arbitrary<Record<string, unknown>> {
  const record: Record<string, fc.Arbitrary<unknown>> = {};
  for (const field of struct.fields) if (inVersions(field.versions, version)) record[field.name] = fieldArb(field, version);
  return fc.record(record);
}

/** A whole message's value at `version`. */
export function messageArb(spec: MessageSpec, version: number): fc.Arbitrary<Record<string, unknown>> {
  return structArb(spec, version);
}

/**
 * The decoded value keeping only what exists at `version` (fields of other versions dropped, at every
 * depth), so a generated value can be compared with what decoding its bytes gives back.
 */
export function presentAt(type: FieldType, version: number, value: unknown): unknown {
  if (typeof type === 'string' || value === null || value === undefined) return value;
  if ('array' in type) return (value as unknown[]).map((item) => presentAt(type.array, version, item));
  const out: Record<string, unknown> = {};
  for (const field of type.fields) {
    if (!inVersions(field.versions, version)) continue;
    out[field.name] = presentAt(field.type, version, (value as Record<string, unknown>)[field.name]);
  }
  return out;
}

/** What a field decodes to when its version lacks it: its default, else Kafka's zero value. */
export function defaultOf(field: FieldSpec): unknown {
  if (field.default !== undefined) return field.default;
  const type = field.type;
  if (typeof type !== 'string') return 'array' in type ? [] : Object.fromEntries(type.fields.map((f) => [f.name, defaultOf(f)]));
  switch (type) {
    case 'bool':
      return false;
    case 'string':
      return '';
    case 'uuid':
      return 'AAAAAAAAAAAAAAAAAAAAAA';
    case 'bytes':
    case 'records':
      return new Uint8Array(0);
    default:
      return 0;
  }
}

/** Builds expected bytes by hand, independently of the codec (big-endian; compact forms as Kafka writes them). */
export class Bytes {
  private readonly out: number[] = [];
  int8(n: number): this {
    this.out.push(n & 0xff);
    return this;
  }
  int16(n: number): this {
    return this.int8(n >> 8).int8(n);
  }
  int32(n: number): this {
    return this.int16(n >> 16).int16(n);
  }
  int64(n: number): this {
    const big = BigInt.asUintN(64, BigInt(n));
    return this.int32(Number(big >> 32n) | 0).int32(Number(big & 0xffffffffn) | 0);
  }
  bool(b: boolean): this {
    return this.int8(b ? 1 : 0);
  }
  uvarint(n: number): this {
    while (n >= 0x80) {
      this.out.push((n & 0x7f) | 0x80);
      n = Math.floor(n / 128);
    }
    this.out.push(n);
    return this;
  }
  raw(bytes: Iterable<number>): this {
    for (const b of bytes) this.out.push(b);
    return this;
  }
  /** STRING / NULLABLE_STRING: int16 length (-1 = null). */
  string(s: string | null): this {
    if (s === null) return this.int16(-1);
    const utf8 = Buffer.from(s, 'utf8');
    return this.int16(utf8.length).raw(utf8);
  }
  /** COMPACT_(NULLABLE_)STRING: uvarint(length + 1), 0 = null. */
  compactString(s: string | null): this {
    if (s === null) return this.uvarint(0);
    const utf8 = Buffer.from(s, 'utf8');
    return this.uvarint(utf8.length + 1).raw(utf8);
  }
  /** COMPACT_(NULLABLE_)BYTES / flexible records. */
  compactBytes(b: Uint8Array | null): this {
    if (b === null) return this.uvarint(0);
    return this.uvarint(b.length + 1).raw(b);
  }
  /** ARRAY count (-1 = null). */
  arrayLength(n: number | null): this {
    return this.int32(n ?? -1);
  }
  /** COMPACT_ARRAY count: uvarint(n + 1), 0 = null. */
  compactArrayLength(n: number | null): this {
    return this.uvarint(n === null ? 0 : n + 1);
  }
  uuid(b: Uint8Array): this {
    return this.raw(b);
  }
  /** An empty tag buffer. */
  noTags(): this {
    return this.uvarint(0);
  }
  get length(): number {
    return this.out.length;
  }
  build(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}

/** The bytes `build` writes between calls, for a tagged field's size prefix. */
export function sized(build: (b: Bytes) => void): Uint8Array {
  const b = new Bytes();
  build(b);
  return b.build();
}
