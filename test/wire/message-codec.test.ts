// The generic message codec over hand-written specs: byte layouts checked by hand, fields that come and go
// across versions, defaults on decode, tagged fields (known and unknown, byte-exact), nullable structs, errors
// with their paths, and a spec-driven fast-check round trip over every version.
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { UnsupportedVersionError, WireFormatError } from '../../core/wire/errors.ts';
import { decodeMessage, encodeMessage, isFlexible, readMessage, writeMessage, ZERO_UUID } from '../../core/wire/message-codec.ts';
import { inVersions, type FieldSpec, type MessageSpec, type ScalarType, type StructSpec } from '../../core/wire/spec.ts';
import { WireReader } from '../../core/wire/wire-reader.ts';
import { WireWriter } from '../../core/wire/wire-writer.ts';

const Leader: StructSpec = {
  fields: [
    { name: 'leaderId', type: 'int32', versions: '0+', default: -1 },
    { name: 'leaderEpoch', type: 'int32', versions: '0+', default: -1 },
  ],
};

const Partition: StructSpec = {
  fields: [
    { name: 'index', type: 'int32', versions: '0+' },
    { name: 'leaderEpoch', type: 'int32', versions: '1+', default: -1 },
    { name: 'records', type: 'records', versions: '0+', nullableVersions: '0+' },
    { name: 'currentLeader', type: Leader, versions: '2+', taggedVersions: '2+', tag: 0 },
    { name: 'note', type: 'string', versions: '3+', nullableVersions: '3+', default: null, taggedVersions: '3+', tag: 1 },
  ],
};

/** A made-up request in Kafka's style: non-flexible v0-1, flexible v2-3, fields coming and going. */
const TestSpec: MessageSpec = {
  apiKey: 1000,
  name: 'TestRequest',
  type: 'request',
  validVersions: '0-3',
  flexibleVersions: '2+',
  fields: [
    { name: 'transactionalId', type: 'string', versions: '1+', nullableVersions: '1+', default: null },
    { name: 'acks', type: 'int16', versions: '0+' },
    { name: 'legacyTimeout', type: 'int32', versions: '0-1', default: 7 },
    {
      name: 'topics',
      versions: '0+',
      type: {
        array: {
          fields: [
            { name: 'name', type: 'string', versions: '0+' },
            { name: 'topicId', type: 'uuid', versions: '3+' },
            { name: 'partitions', type: { array: Partition }, versions: '0+' },
          ],
        },
      },
    },
    { name: 'labels', type: { array: 'string' }, versions: '1+', nullableVersions: '2+' },
    { name: 'clusterId', type: 'string', versions: '2+', nullableVersions: '2+', default: null, taggedVersions: '2+', tag: 0 },
    { name: 'rack', type: 'string', versions: '3+', taggedVersions: '3+', tag: 2 },
    { name: 'epochs', type: { array: 'int64' }, versions: '3+', taggedVersions: '3+', tag: 5 },
    { name: 'cursor', type: { fields: [{ name: 'offset', type: 'int64', versions: '0+' }] }, versions: '1+', nullableVersions: '1+', default: null },
    { name: 'state', type: Leader, versions: '3+', nullableVersions: '3+', taggedVersions: '3+', tag: 7 },
    { name: 'flag', type: 'bool', versions: '0+' },
    { name: 'ratio', type: 'float64', versions: '1+' },
    { name: 'port', type: 'uint16', versions: '1+' },
    { name: 'count', type: 'uint32', versions: '1+' },
    { name: 'tiny', type: 'int8', versions: '1+', default: -1 },
    { name: 'blob', type: 'bytes', versions: '1+', nullableVersions: '2+' },
  ],
};

const bytes = (...parts: (number | ArrayLike<number>)[]) => Uint8Array.from(parts.flatMap((p) => (typeof p === 'number' ? [p] : Array.from(p))));
const str16 = (s: string) => [0, s.length, ...Buffer.from(s)];
const compact = (s: string) => [s.length + 1, ...Buffer.from(s)];
const i32 = (n: number) => [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
const i64 = (n: number) => [...i32(Math.floor(n / 2 ** 32)), ...i32(n >>> 0)];

const ONE_TOPIC = { name: 't', partitions: [{ index: 3, records: Uint8Array.of(9, 9) }] };

describe('byte layouts', () => {
  it('writes a non-flexible version with int16 strings and int32 array counts', () => {
    const out = encodeMessage(TestSpec, 0, { acks: -1, legacyTimeout: 5, topics: [ONE_TOPIC], flag: true });
    expect([...out]).toEqual([...bytes([0xff, 0xff], i32(5), i32(1), str16('t'), i32(1), i32(3), i32(2), [9, 9], [1])]);
  });

  it('writes a flexible version with compact types, a tag buffer after every struct, and non-default tagged fields', () => {
    const value = { acks: 1, topics: [ONE_TOPIC], labels: ['x'], clusterId: 'c', cursor: null };
    const out = encodeMessage(TestSpec, 2, value);
    expect([...out]).toEqual([
      ...bytes(
        [0], // transactionalId: null (compact)
        [0, 1], // acks
        [2], // topics: one
        compact('t'),
        [2], // partitions: one
        i32(3),
        i32(-1), // leaderEpoch (default)
        [3, 9, 9], // records (compact bytes)
        [0], // partition tag buffer: currentLeader is the default struct, left out
        [0], // topic tag buffer
        [2, ...compact('x')], // labels
        [0xff], // cursor: null (int8 marker)
        [0], // flag
        [0, 0, 0, 0, 0, 0, 0, 0], // ratio
        [0, 0], // port
        i32(0), // count
        [0xff], // tiny (default -1)
        [1], // blob: empty (compact)
        [1, 0, 2, ...compact('c')], // one tagged field: tag 0, size 2, compact "c"
      ),
    ]);
    expect(decodeMessage(TestSpec, 2, out)).toMatchObject({ ...value, transactionalId: null, rack: '', epochs: [], legacyTimeout: 7 });
  });

  it('writes a tagged struct when it differs from the default struct, and a nullable tagged struct with a uvarint marker', () => {
    const topics = [{ name: 't', topicId: ZERO_UUID, partitions: [{ index: 0, records: null, currentLeader: { leaderId: 4, leaderEpoch: -1 } }] }];
    const out = encodeMessage(TestSpec, 3, { topics, state: null });
    const r = new WireReader(out);
    const decoded = readMessage(TestSpec, 3, r);
    expect(decoded['state']).toBeNull();
    expect((decoded['topics'] as { partitions: unknown[] }[])[0]!.partitions[0]).toEqual({
      index: 0,
      leaderEpoch: -1,
      records: null,
      currentLeader: { leaderId: 4, leaderEpoch: -1 },
      note: null,
    });
    // The message's tag buffer: one field, tag 7, size 1, marker 0 (null).
    expect([...out.subarray(out.length - 4)]).toEqual([1, 7, 1, 0]);
    // The partition's: currentLeader (tag 0) as two int32s and an empty tag buffer.
    expect(Buffer.from(out).includes(Buffer.from([1, 0, 9, ...i32(4), ...i32(-1), 0]))).toBe(true);
  });

  it('reads the int8 presence marker of a nullable struct in the body', () => {
    const present = encodeMessage(TestSpec, 1, { cursor: { offset: 2 ** 40 } });
    expect(Buffer.from(present).includes(Buffer.from([1, ...i64(2 ** 40)]))).toBe(true);
    expect(decodeMessage(TestSpec, 1, present)['cursor']).toEqual({ offset: 2 ** 40 });
  });
});

describe('versions and defaults', () => {
  it('decodes fields absent from the version to their defaults', () => {
    const decoded = decodeMessage(TestSpec, 0, encodeMessage(TestSpec, 0, { acks: 1, topics: [ONE_TOPIC] }));
    expect(decoded).toEqual({
      transactionalId: null,
      acks: 1,
      legacyTimeout: 7,
      topics: [
        {
          name: 't',
          topicId: ZERO_UUID,
          partitions: [{ index: 3, leaderEpoch: -1, records: Uint8Array.of(9, 9), currentLeader: { leaderId: -1, leaderEpoch: -1 }, note: null }],
        },
      ],
      labels: [],
      clusterId: null,
      rack: '',
      epochs: [],
      cursor: null,
      state: { leaderId: -1, leaderEpoch: -1 },
      flag: false,
      ratio: 0,
      port: 0,
      count: 0,
      tiny: -1,
      blob: new Uint8Array(0),
    });
  });

  it('ignores, on write, the values of fields absent from the version', () => {
    const a = encodeMessage(TestSpec, 0, { acks: 1, topics: [], ratio: 3.5, transactionalId: 'ignored', clusterId: 'ignored' });
    const b = encodeMessage(TestSpec, 0, { acks: 1, topics: [] });
    expect([...a]).toEqual([...b]);
  });

  it('makes fresh default arrays and structs for every decode', () => {
    const body = encodeMessage(TestSpec, 0, { topics: [] });
    const first = decodeMessage(TestSpec, 0, body);
    const second = decodeMessage(TestSpec, 0, body);
    expect(first['labels']).not.toBe(second['labels']);
    expect(first['state']).not.toBe(second['state']);
  });

  it('knows which versions are flexible and valid', () => {
    expect([0, 1, 2, 3].map((v) => isFlexible(TestSpec, v))).toEqual([false, false, true, true]);
    expect(() => decodeMessage(TestSpec, 4, new Uint8Array(0))).toThrow(UnsupportedVersionError);
    expect(() => decodeMessage(TestSpec, -1, new Uint8Array(0))).toThrow(/unsupported version -1 of TestRequest/);
    expect(() => encodeMessage(TestSpec, 4, {})).toThrow(WireFormatError);
  });
});

describe('tagged fields', () => {
  // v3: a message with an empty topic list whose tag buffer holds tags 0 (known), 1 (unknown), 2 (known), 9 (unknown).
  const known0 = [0, 2, ...compact('c')];
  const unknown1 = [1, 3, 0xde, 0xad, 0xbe];
  const known2 = [2, 2, ...compact('r')];
  const unknown9 = [9, 0];
  // The body before the message's tag buffer: null id, acks 0, no topics, no labels, cursor null (int8 -1),
  // then flag, ratio, port, count, tiny 0, empty blob.
  const head = bytes([0, 0, 0], [1], [1], [0xff], [0], [0, 0, 0, 0, 0, 0, 0, 0], [0, 0], i32(0), [0], [1]);

  it('keeps unknown tags on the struct and writes them back in tag order, byte for byte', () => {
    const wire = bytes(head, [4], known0, unknown1, known2, unknown9);
    const decoded = decodeMessage(TestSpec, 3, wire);
    expect(decoded).toMatchObject({ clusterId: 'c', rack: 'r' });
    expect(decoded['unknownTaggedFields']).toEqual([
      { tag: 1, data: Uint8Array.of(0xde, 0xad, 0xbe) },
      { tag: 9, data: new Uint8Array(0) },
    ]);
    expect([...encodeMessage(TestSpec, 3, decoded)]).toEqual([...wire]);
  });

  it('keeps unknown tags of nested structs (array elements) too', () => {
    const partition = bytes(i32(1), i32(-1), [0], [2, 3, 1, 0x55, 8, 1, 0x66]);
    const wire = bytes([0, 0, 0], [2, ...compact('t'), ...new Array(16).fill(0), 2], partition, [0], head.subarray(4), [0]);
    const decoded = decodeMessage(TestSpec, 3, wire);
    const p = (decoded['topics'] as { partitions: Record<string, unknown>[] }[])[0]!.partitions[0]!;
    expect(p['unknownTaggedFields']).toEqual([
      { tag: 3, data: Uint8Array.of(0x55) },
      { tag: 8, data: Uint8Array.of(0x66) },
    ]);
    expect([...encodeMessage(TestSpec, 3, decoded)]).toEqual([...wire]);
  });

  it('refuses tags out of order, a value shorter or longer than its size, and unknown tags that clash', () => {
    expect(() => decodeMessage(TestSpec, 3, bytes(head, [2], known2, known0))).toThrow(/tags must be strictly ascending/);
    expect(() => decodeMessage(TestSpec, 3, bytes(head, [2], unknown1, unknown1))).toThrow(/tags must be strictly ascending/);
    expect(() => decodeMessage(TestSpec, 3, bytes(head, [1], [0, 3, ...compact('c'), 0]))).toThrow(/tagged field 0 has 1 bytes beyond its value at clusterId/);
    expect(() => decodeMessage(TestSpec, 3, bytes(head, [1], [0, 1, ...compact('c')]))).toThrow(/end of data reading compact string.* at clusterId/);
    expect(() => decodeMessage(TestSpec, 3, bytes(head, [1], [1, 5, 0]))).toThrow(/end of data reading tagged field 1/);
    const clash = { topics: [], unknownTaggedFields: [{ tag: 2, data: Uint8Array.of(1) }] };
    expect(() => encodeMessage(TestSpec, 3, clash)).toThrow(/tag 2 is a known tagged field in this version at unknownTaggedFields\[0\]/);
    const unordered = {
      topics: [],
      unknownTaggedFields: [
        { tag: 9, data: new Uint8Array(0) },
        { tag: 8, data: new Uint8Array(0) },
      ],
    };
    expect(() => encodeMessage(TestSpec, 3, unordered)).toThrow(/strictly ascending at unknownTaggedFields\[1\]/);
    // A tag known in v3 (rack, tag 2) is unknown in v2: kept raw.
    const v2 = { topics: [], unknownTaggedFields: [{ tag: 2, data: Uint8Array.of(...compact('r')) }] };
    expect(decodeMessage(TestSpec, 2, encodeMessage(TestSpec, 2, v2))['unknownTaggedFields']).toEqual(v2.unknownTaggedFields);
  });

  it('leaves out tagged fields equal to their defaults, including empty arrays and default structs', () => {
    const plain = encodeMessage(TestSpec, 3, { topics: [] });
    const defaults = encodeMessage(TestSpec, 3, { topics: [], clusterId: null, rack: '', epochs: [], state: { leaderId: -1, leaderEpoch: -1 } });
    expect([...defaults]).toEqual([...plain]);
    expect(plain[plain.length - 1]).toBe(0);
  });
});

describe('errors and their paths', () => {
  const value = {
    acks: 1,
    topics: [
      { name: 'a', partitions: [] },
      {
        name: 'b',
        partitions: [
          { index: 0, records: null },
          { index: 1, records: Uint8Array.of(1, 2, 3) },
        ],
      },
    ],
  };

  it('names the field of a truncated message', () => {
    const full = encodeMessage(TestSpec, 1, value);
    // Cut inside the records of topics[1].partitions[1].
    const cut = full.subarray(0, full.indexOf(3, 20) + 1);
    expect(() => decodeMessage(TestSpec, 1, cut)).toThrow(/end of data reading bytes: .* at topics\[1\]\.partitions\[1\]\.records$/);
    try {
      decodeMessage(TestSpec, 1, cut);
    } catch (e) {
      expect(e).toBeInstanceOf(WireFormatError);
      expect((e as WireFormatError).path).toBe('topics[1].partitions[1].records');
    }
  });

  it('refuses leftover bytes, nulls in non-nullable fields, and absurd array counts', () => {
    const full = encodeMessage(TestSpec, 1, value);
    expect(() => decodeMessage(TestSpec, 1, bytes([...full], [0]))).toThrow(/1 bytes left over after TestRequest v1/);
    expect(() => decodeMessage(TestSpec, 0, bytes([0, 1], i32(0), [0xff, 0xff, 0xff, 0xff]))).toThrow(/null in a non-nullable array at topics/);
    expect(() => decodeMessage(TestSpec, 0, bytes([0, 1], i32(0), i32(1), [0xff, 0xff]))).toThrow(/null in a non-nullable string at topics\[0\]\.name/);
    expect(() => decodeMessage(TestSpec, 0, bytes([0, 1], i32(0), i32(1000)))).toThrow(/array of 1000 elements but only 0 bytes left at topics/);
  });

  it('names the field of a value it cannot write', () => {
    const bad = (v: Record<string, unknown>, version: number, message: RegExp) => expect(() => encodeMessage(TestSpec, version, v)).toThrow(message);
    bad({ acks: 40000 }, 0, /cannot write number 40000 as int16 at acks/);
    bad({ topics: [{ name: 'a', partitions: [{ index: '1' }] }] }, 0, /cannot write "1" as int32 at topics\[0\]\.partitions\[0\]\.index/);
    bad({ topics: [{ name: null }] }, 0, /null in a non-nullable string at topics\[0\]\.name/);
    bad({ topics: {} }, 0, /expected an array, got an object at topics/);
    bad({ topics: [5] }, 0, /expected a struct \(an object\), got number 5 at topics\[0\]/);
    bad({ topics: [], labels: null }, 1, /null in a non-nullable array at labels/);
    bad({ topics: [], cursor: { offset: 2 ** 60 } }, 1, /as int64 at cursor\.offset/);
    bad({ topics: [], rack: 7 }, 3, /cannot write number 7 as compact string at rack/);
    bad({ topics: [], blob: 'x' }, 2, /as compact bytes at blob/);
    bad({ topics: [], unknownTaggedFields: [{ tag: 1 }] }, 2, /expected \{ tag, data \}, got an object at unknownTaggedFields\[0\]/);
  });

  it('reports spec mistakes when a version is first used', () => {
    const spec = (fields: FieldSpec[]): MessageSpec => ({ apiKey: 1, name: 'Bad', type: 'request', validVersions: '0-1', flexibleVersions: '1+', fields });
    expect(() => encodeMessage(spec([{ name: 'x', type: 'int32', versions: '0+', taggedVersions: '0+', tag: 0 }]), 0, {})).toThrow(/not flexible/);
    expect(() => encodeMessage(spec([{ name: 'x', type: 'int32', versions: '0+', nullableVersions: '0+' }]), 0, {})).toThrow(/cannot be nullable/);
    expect(() => encodeMessage(spec([{ name: 'x', type: 'int32', versions: '0+', default: 'no' }]), 0, {})).toThrow(/does not fit/);
    const twoTags: FieldSpec[] = [
      { name: 'x', type: 'int32', versions: '1+', taggedVersions: '1+', tag: 0 },
      { name: 'y', type: 'int32', versions: '1+', taggedVersions: '1+', tag: 0 },
    ];
    expect(() => encodeMessage(spec(twoTags), 1, {})).toThrow(/duplicate tag/);
  });
});

describe('writer and reader entry points', () => {
  it('reads a message from a reader that holds more after it, and writes into a shared writer', () => {
    const w = new WireWriter();
    w.int32(42);
    writeMessage(TestSpec, 2, { acks: 5, topics: [] }, w);
    w.int8(7);
    const r = new WireReader(w.finish());
    expect(r.int32()).toBe(42);
    expect(readMessage(TestSpec, 2, r)['acks']).toBe(5);
    expect(r.int8()).toBe(7);
  });
});

// ---- A spec-driven round trip: values drawn from the spec, encoded, decoded, encoded again ----

type Value = Record<string, unknown>;

const SCALARS: Record<ScalarType, fc.Arbitrary<unknown>> = {
  int8: fc.integer({ min: -128, max: 127 }),
  int16: fc.integer({ min: -32768, max: 32767 }),
  uint16: fc.integer({ min: 0, max: 65535 }),
  int32: fc.integer(),
  uint32: fc.nat({ max: 2 ** 32 - 1 }),
  int64: fc.oneof(fc.maxSafeInteger(), fc.constantFrom(-1, 0)),
  float64: fc.double(),
  bool: fc.boolean(),
  uuid: fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString('base64url')),
  string: fc.oneof(fc.string({ unit: 'grapheme', maxLength: 12 }), fc.constant('')),
  bytes: fc.uint8Array({ maxLength: 12 }),
  records: fc.uint8Array({ maxLength: 30 }),
};

const isArrayType = (t: FieldSpec['type']): t is { array: ScalarType | StructSpec } => typeof t === 'object' && 'array' in t;

/** A value for the fields present in `version` (absent ones are left out; a tagged one sometimes too). */
function structArb(fields: readonly FieldSpec[], version: number, flexible: boolean, depth: number): fc.Arbitrary<Value> {
  const entries: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of fields) if (inVersions(f.versions, version)) entries[f.name] = fieldArb(f, version, flexible, depth);
  const unknownTags = flexible
    ? fc
        .uniqueArray(fc.integer({ min: 100, max: 300 }), { maxLength: 2 })
        .map((tags) => tags.sort((a, b) => a - b).map((tag) => ({ tag, data: Uint8Array.of(tag & 0xff) })))
    : fc.constant([]);
  const requiredKeys = fields.filter((f) => inVersions(f.versions, version) && !inVersions(f.taggedVersions, version)).map((f) => f.name);
  return fc
    .tuple(fc.record(entries, { requiredKeys }), unknownTags)
    .map(([value, unknown]) => (unknown.length > 0 ? { ...value, unknownTaggedFields: unknown } : value));
}

function fieldArb(f: FieldSpec, version: number, flexible: boolean, depth: number): fc.Arbitrary<unknown> {
  const t = f.type;
  const base: fc.Arbitrary<unknown> =
    typeof t === 'string'
      ? SCALARS[t]
      : isArrayType(t)
        ? fc.array(typeof t.array === 'string' ? SCALARS[t.array] : structArb(t.array.fields, version, flexible, depth + 1), { maxLength: depth > 1 ? 1 : 3 })
        : structArb(t.fields, version, flexible, depth + 1);
  return inVersions(f.nullableVersions, version) ? fc.option(base, { nil: null }) : base;
}

/** What decoding gives: every field of the spec, absent and left-out ones at their defaults (an independent reading of Kafka's rules). */
function expected(fields: readonly FieldSpec[], version: number, value: Value | undefined): Value {
  const out: Value = {};
  for (const f of fields) {
    const given = value?.[f.name];
    const present = inVersions(f.versions, version);
    out[f.name] = present && given !== undefined ? expectedValue(f, version, given) : defaultOf(f, version);
  }
  if (value?.['unknownTaggedFields'] !== undefined) out['unknownTaggedFields'] = value['unknownTaggedFields'];
  return out;
}

function expectedValue(f: FieldSpec, version: number, given: unknown): unknown {
  const t = f.type;
  if (given === null || typeof t === 'string') return given;
  if (isArrayType(t)) return typeof t.array === 'string' ? given : (given as Value[]).map((v) => expected((t.array as StructSpec).fields, version, v));
  return expected(t.fields, version, given as Value);
}

function defaultOf(f: FieldSpec, version: number): unknown {
  if (f.default !== undefined) return f.default;
  const t = f.type;
  if (isArrayType(t)) return [];
  if (typeof t !== 'string') return expected(t.fields, version, undefined);
  const zero: Record<ScalarType, unknown> = {
    int8: 0,
    int16: 0,
    uint16: 0,
    int32: 0,
    uint32: 0,
    int64: 0,
    float64: 0,
    bool: false,
    uuid: ZERO_UUID,
    string: '',
    bytes: new Uint8Array(0),
    records: f.nullableVersions !== undefined ? null : new Uint8Array(0),
  };
  return zero[t];
}

describe('spec-driven round trips', () => {
  for (const version of [0, 1, 2, 3]) {
    const flexible = isFlexible(TestSpec, version);
    test.prop([structArb(TestSpec.fields, version, flexible, 0)], { numRuns: 150 })(`TestRequest v${version}: encode, decode, encode again`, (value) => {
      const wire = encodeMessage(TestSpec, version, value);
      const decoded = decodeMessage(TestSpec, version, wire);
      expect(decoded).toEqual(expected(TestSpec.fields, version, value));
      expect([...encodeMessage(TestSpec, version, decoded)]).toEqual([...wire]);
    });
  }
});
