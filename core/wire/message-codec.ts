// The generic message codec: reads and writes any Kafka message from its MessageSpec, through a plan compiled
// once per (spec, version) that says which fields are on the wire, in which encoding, and which are tagged.

import { describeValue, UnsupportedVersionError, WireFormatError, within } from './errors.ts';
import { inVersions, type FieldSpec, type MessageSpec, type ScalarType } from './spec.ts';
import { WireReader } from './wire-reader.ts';
import { WireWriter } from './wire-writer.ts';

/** A tagged field this codec does not know, kept as its raw bytes so that decode then encode is byte-exact. */
export interface RawTaggedField {
  tag: number;
  data: Uint8Array;
}

/** The property of a decoded struct that holds its unknown tagged fields (present only when there are some). */
export const UNKNOWN_TAGGED_FIELDS = 'unknownTaggedFields';

/** Kafka's all-zero UUID (Uuid.ZERO_UUID) in text form: the default of a uuid field. */
export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA';

// Field kinds: small integers, so that reading and writing is a switch rather than a call through a closure.
const INT8 = 0;
const INT16 = 1;
const UINT16 = 2;
const INT32 = 3;
const UINT32 = 4;
const INT64 = 5;
const FLOAT64 = 6;
const BOOL = 7;
const UUID = 8;
const STRING = 9;
const BYTES = 10;
const RECORDS = 11;
const STRUCT = 12;
const ARRAY = 13;

const SCALAR_KINDS: Readonly<Record<ScalarType, number>> = {
  int8: INT8,
  int16: INT16,
  uint16: UINT16,
  int32: INT32,
  uint32: UINT32,
  int64: INT64,
  float64: FLOAT64,
  bool: BOOL,
  uuid: UUID,
  string: STRING,
  bytes: BYTES,
  records: RECORDS,
};

// Where a field is in a given version.
const ABSENT = 0;
const BODY = 1;
const TAGGED = 2;

/** One field of a struct at one version. */
interface FieldPlan {
  readonly name: string;
  readonly kind: number;
  /** An array's element kind (STRUCT for an array of structs); -1 for other kinds. */
  readonly elementKind: number;
  /** The struct of a struct field or of an array of structs. */
  readonly struct: StructPlan | null;
  readonly mode: number;
  readonly tag: number;
  readonly nullable: boolean;
  /** Compact encodings (the message version is flexible). */
  readonly flexible: boolean;
  /** For an array or struct: its default is null (otherwise [] or a struct of defaults, made fresh each time). */
  readonly defaultIsNull: boolean;
  /** For a scalar: its default (immutable, so shared). */
  readonly scalarDefault: unknown;
}

/** A struct (or the message itself) at one version. */
interface StructPlan {
  /** Every field of the spec, in order: a decoded struct has them all, in this order. */
  readonly fields: readonly FieldPlan[];
  /** The fields written in the body, in order. */
  readonly body: readonly FieldPlan[];
  /** The tagged fields, by ascending tag. */
  readonly tagged: readonly FieldPlan[];
  readonly flexible: boolean;
}

const EMPTY_BYTES = new Uint8Array(0);
const NO_RAW_FIELDS: readonly RawTaggedField[] = [];
/** The plan of a tag buffer alone (a header's): every tag is unknown. */
const RAW_PLAN: StructPlan = { fields: [], body: [], tagged: [], flexible: true };

/** Whether `version` of the message uses compact types and tagged fields. */
export function isFlexible(spec: MessageSpec, version: number): boolean {
  return inVersions(spec.flexibleVersions, version);
}

/** Reads the message body at `version` from the reader (which may hold more after it). */
export function readMessage(spec: MessageSpec, version: number, reader: WireReader): Record<string, unknown> {
  return readStruct(planFor(spec, version), reader);
}

/** Writes the message body at `version`; properties left undefined are written as their defaults. */
export function writeMessage(spec: MessageSpec, version: number, value: Record<string, unknown>, writer: WireWriter): void {
  writeStruct(planFor(spec, version), value, writer);
}

/** Decodes a whole message body: bytes left over after it are a WireFormatError. */
export function decodeMessage(spec: MessageSpec, version: number, bytes: Uint8Array): Record<string, unknown> {
  const reader = new WireReader(bytes);
  const value = readMessage(spec, version, reader);
  if (reader.remaining !== 0) throw new WireFormatError(`${reader.remaining} bytes left over after ${spec.name} v${version}`);
  return value;
}

/** Encodes a message body into a new byte array. */
export function encodeMessage(spec: MessageSpec, version: number, value: Record<string, unknown>): Uint8Array {
  const writer = new WireWriter();
  writeMessage(spec, version, value, writer);
  return writer.finish();
}

/** Reads a tag buffer whose tags are all unknown (a header's), returning its fields. */
export function readRawTaggedFields(reader: WireReader): RawTaggedField[] {
  const holder: Record<string, unknown> = {};
  readTagBuffer(RAW_PLAN, reader, holder);
  return (holder[UNKNOWN_TAGGED_FIELDS] as RawTaggedField[] | undefined) ?? [];
}

/** Writes a tag buffer of raw fields (by ascending tag); none gives the single byte 0. */
export function writeRawTaggedFields(writer: WireWriter, fields: readonly RawTaggedField[] = NO_RAW_FIELDS): void {
  writeTagBuffer(RAW_PLAN, { [UNKNOWN_TAGGED_FIELDS]: fields }, writer);
}

// ---- Plans ----

const plans = new WeakMap<MessageSpec, StructPlan[]>();

function planFor(spec: MessageSpec, version: number): StructPlan {
  let byVersion = plans.get(spec);
  if (byVersion === undefined) plans.set(spec, (byVersion = []));
  let plan = byVersion[version];
  if (plan === undefined) {
    // Checked only on a cache miss: a plan exists only for valid versions.
    if (!Number.isInteger(version) || !inVersions(spec.validVersions, version)) throw new UnsupportedVersionError(spec.name, version);
    plan = compileStruct(spec.fields, version, isFlexible(spec, version), spec.name);
    byVersion[version] = plan;
  }
  return plan;
}

/** A spec mistake (not a wire error): found when the plan is compiled, on the first use of a version. */
function specError(where: string, problem: string): Error {
  return new Error(`bad message spec at ${where}: ${problem}`);
}

function compileStruct(specs: readonly FieldSpec[], version: number, flexible: boolean, where: string): StructPlan {
  const fields = specs.map((spec) => compileField(spec, version, flexible, `${where}.${spec.name}`));
  const names = new Set(fields.map((f) => f.name));
  if (names.size !== fields.length || names.has(UNKNOWN_TAGGED_FIELDS)) throw specError(where, 'duplicate or reserved field name');
  const tagged = fields.filter((f) => f.mode === TAGGED).sort((a, b) => a.tag - b.tag);
  if (tagged.some((f, i) => i > 0 && tagged[i - 1]!.tag === f.tag)) throw specError(where, `duplicate tag in version ${version}`);
  return { fields, body: fields.filter((f) => f.mode === BODY), tagged, flexible };
}

function compileField(spec: FieldSpec, version: number, flexible: boolean, where: string): FieldPlan {
  const present = inVersions(spec.versions, version);
  const tagged = inVersions(spec.taggedVersions, version);
  if (tagged && !present) throw specError(where, `tagged in version ${version} but not in its versions`);
  if (tagged && !flexible) throw specError(where, `tagged in version ${version}, which is not flexible`);
  if (spec.taggedVersions !== undefined && (spec.tag === undefined || spec.tag >>> 0 !== spec.tag)) throw specError(where, 'a tagged field needs a tag');
  const mode = tagged ? TAGGED : present ? BODY : ABSENT;
  const type = spec.type;
  let kind: number;
  let elementKind = -1;
  let struct: StructPlan | null = null;
  if (typeof type === 'string') {
    kind = scalarKind(type, where);
  } else if ('array' in type) {
    kind = ARRAY;
    const element = type.array;
    if (typeof element === 'string') elementKind = scalarKind(element, where);
    else {
      elementKind = STRUCT;
      struct = compileStruct(element.fields, version, flexible, where);
    }
  } else {
    kind = STRUCT;
    struct = compileStruct(type.fields, version, flexible, where);
  }
  const nullable = present && inVersions(spec.nullableVersions, version);
  if (nullable && kind < STRING) throw specError(where, `a ${String(type)} cannot be nullable`);
  const given = spec.default;
  if (given !== undefined && !defaultFits(kind, given)) throw specError(where, `default ${describeValue(given)} does not fit the type`);
  return {
    name: spec.name,
    kind,
    elementKind,
    struct,
    mode,
    tag: tagged ? spec.tag! : -1,
    nullable,
    flexible,
    defaultIsNull: given === null,
    scalarDefault: given !== undefined ? given : kindDefault(kind, spec.nullableVersions !== undefined),
  };
}

function scalarKind(type: string, where: string): number {
  const kind = SCALAR_KINDS[type as ScalarType];
  if (kind === undefined) throw specError(where, `unknown type ${type}`);
  return kind;
}

/** Kafka's default for a field without one: 0, false, "", empty bytes, the zero UUID; records null when nullable. */
function kindDefault(kind: number, everNullable: boolean): unknown {
  switch (kind) {
    case BOOL:
      return false;
    case UUID:
      return ZERO_UUID;
    case STRING:
      return '';
    case BYTES:
      return EMPTY_BYTES;
    case RECORDS:
      return everNullable ? null : EMPTY_BYTES;
    default:
      return kind < BOOL ? 0 : undefined;
  }
}

function defaultFits(kind: number, value: unknown): boolean {
  switch (kind) {
    case FLOAT64:
      return typeof value === 'number';
    case BOOL:
      return typeof value === 'boolean';
    case UUID:
      return typeof value === 'string';
    case STRING:
      return value === null || typeof value === 'string';
    case BYTES:
    case RECORDS:
      return value === null || value instanceof Uint8Array;
    case STRUCT:
      return value === null;
    case ARRAY:
      return value === null || (Array.isArray(value) && value.length === 0);
    default:
      return Number.isSafeInteger(value);
  }
}

/** A field's default value; arrays and structs are made fresh, so that a decoded message shares nothing. */
function makeDefault(f: FieldPlan): unknown {
  if (f.kind === ARRAY) return f.defaultIsNull ? null : [];
  if (f.kind === STRUCT) return f.defaultIsNull ? null : defaultStruct(f.struct!);
  return f.scalarDefault;
}

function defaultStruct(plan: StructPlan): Record<string, unknown> {
  const obj: Record<string, unknown> = {};
  for (const f of plan.fields) obj[f.name] = makeDefault(f);
  return obj;
}

function taggedField(plan: StructPlan, tag: number): FieldPlan | undefined {
  for (const f of plan.tagged) if (f.tag === tag) return f;
  return undefined;
}

// ---- Reading ----

function readStruct(plan: StructPlan, r: WireReader): Record<string, unknown> {
  const obj: Record<string, unknown> = {};
  const fields = plan.fields;
  let i = 0;
  try {
    for (; i < fields.length; i++) {
      const f = fields[i]!;
      obj[f.name] = f.mode === BODY ? readField(f, r) : makeDefault(f);
    }
  } catch (e) {
    throw within(e, fields[i]!.name);
  }
  if (plan.flexible) readTagBuffer(plan, r, obj);
  return obj;
}

function readField(f: FieldPlan, r: WireReader): unknown {
  switch (f.kind) {
    case ARRAY:
      return readArray(f, r);
    case STRUCT:
      // A nullable struct has a presence marker: int8 -1 / 1 in the body, uvarint 0 / 1 in a tagged field.
      if (f.nullable && (f.mode === TAGGED ? r.uvarint() === 0 : r.int8() < 0)) return null;
      return readStruct(f.struct!, r);
    default:
      return readScalar(f.kind, f.flexible, f.nullable, r);
  }
}

function readArray(f: FieldPlan, r: WireReader): unknown[] | null {
  const n = f.flexible ? r.compactArrayLength() : r.arrayLength();
  if (n === -1) {
    if (f.nullable) return null;
    throw new WireFormatError('null in a non-nullable array');
  }
  // As Kafka checks: no element takes less than a byte, so a larger count is corrupt (and not worth allocating).
  if (n > r.remaining) throw new WireFormatError(`array of ${n} elements but only ${r.remaining} bytes left`);
  const out: unknown[] = [];
  const struct = f.struct;
  let i = 0;
  try {
    if (struct !== null) for (; i < n; i++) out.push(readStruct(struct, r));
    else for (; i < n; i++) out.push(readScalar(f.elementKind, f.flexible, false, r));
  } catch (e) {
    throw within(e, `[${i}]`);
  }
  return out;
}

function readScalar(kind: number, flexible: boolean, nullable: boolean, r: WireReader): unknown {
  switch (kind) {
    case INT8:
      return r.int8();
    case INT16:
      return r.int16();
    case UINT16:
      return r.uint16();
    case INT32:
      return r.int32();
    case UINT32:
      return r.uint32();
    case INT64:
      return r.int64();
    case FLOAT64:
      return r.float64();
    case BOOL:
      return r.bool();
    case UUID:
      return r.uuid();
    case STRING: {
      const s = flexible ? r.compactNullableString() : r.nullableString();
      if (s === null && !nullable) throw new WireFormatError('null in a non-nullable string');
      return s;
    }
    default: {
      const b = flexible ? r.compactNullableBytes() : r.nullableBytes();
      if (b === null && !nullable) throw new WireFormatError(`null in non-nullable ${kind === RECORDS ? 'records' : 'bytes'}`);
      return b;
    }
  }
}

/** Reads a struct's tag buffer into `obj`: known tags as their fields, the others under unknownTaggedFields. */
function readTagBuffer(plan: StructPlan, r: WireReader, obj: Record<string, unknown>): void {
  const count = r.uvarint();
  if (count === 0) return;
  let unknown: RawTaggedField[] | undefined;
  let previous = -1;
  for (let k = 0; k < count; k++) {
    const tag = r.uvarint();
    if (tag <= previous) throw new WireFormatError(`tagged field ${tag} follows tag ${previous}: tags must be strictly ascending`);
    previous = tag;
    const size = r.uvarint();
    const f = taggedField(plan, tag);
    if (f === undefined) {
      (unknown ??= []).push({ tag, data: r.raw(size, `tagged field ${tag}`) });
      continue;
    }
    const section = r.section(size, `tagged field ${tag}`);
    try {
      obj[f.name] = readField(f, section);
      if (section.remaining !== 0) throw new WireFormatError(`tagged field ${tag} has ${section.remaining} bytes beyond its value`);
    } catch (e) {
      throw within(e, f.name);
    }
  }
  if (unknown !== undefined) obj[UNKNOWN_TAGGED_FIELDS] = unknown;
}

// ---- Writing ----

function writeStruct(plan: StructPlan, value: unknown, w: WireWriter): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
    throw new WireFormatError(`expected a struct (an object), got ${describeValue(value)}`);
  }
  const obj = value as Record<string, unknown>;
  const body = plan.body;
  let i = 0;
  try {
    for (; i < body.length; i++) {
      const f = body[i]!;
      writeField(f, obj[f.name], w);
    }
  } catch (e) {
    throw within(e, body[i]!.name);
  }
  if (plan.flexible) writeTagBuffer(plan, obj, w);
}

function writeField(f: FieldPlan, value: unknown, w: WireWriter): void {
  const v = value === undefined ? makeDefault(f) : value;
  switch (f.kind) {
    case ARRAY:
      return writeArray(f, v, w);
    case STRUCT:
      if (v === null) {
        if (!f.nullable) throw new WireFormatError('null in a non-nullable struct');
        if (f.mode === TAGGED) w.uvarint(0);
        else w.int8(-1);
        return;
      }
      if (f.nullable) {
        if (f.mode === TAGGED) w.uvarint(1);
        else w.int8(1);
      }
      return writeStruct(f.struct!, v, w);
    default:
      return writeScalar(f.kind, f.flexible, f.nullable, v, w);
  }
}

function writeArray(f: FieldPlan, v: unknown, w: WireWriter): void {
  if (v === null) {
    if (!f.nullable) throw new WireFormatError('null in a non-nullable array');
    if (f.flexible) w.compactArrayLength(-1);
    else w.arrayLength(-1);
    return;
  }
  if (!Array.isArray(v)) throw new WireFormatError(`expected an array, got ${describeValue(v)}`);
  if (f.flexible) w.compactArrayLength(v.length);
  else w.arrayLength(v.length);
  const struct = f.struct;
  let i = 0;
  try {
    if (struct !== null) for (; i < v.length; i++) writeStruct(struct, v[i], w);
    else for (; i < v.length; i++) writeScalar(f.elementKind, f.flexible, false, v[i], w);
  } catch (e) {
    throw within(e, `[${i}]`);
  }
}

// The writer checks each value's JavaScript type and range, so the casts below are safe.
function writeScalar(kind: number, flexible: boolean, nullable: boolean, v: unknown, w: WireWriter): void {
  switch (kind) {
    case INT8:
      return w.int8(v as number);
    case INT16:
      return w.int16(v as number);
    case UINT16:
      return w.uint16(v as number);
    case INT32:
      return w.int32(v as number);
    case UINT32:
      return w.uint32(v as number);
    case INT64:
      return w.int64(v as number);
    case FLOAT64:
      return w.float64(v as number);
    case BOOL:
      return w.bool(v as boolean);
    case UUID:
      return w.uuid(v as string);
    case STRING:
      if (v === null) {
        if (!nullable) throw new WireFormatError('null in a non-nullable string');
        return flexible ? w.compactNullableString(null) : w.nullableString(null);
      }
      return flexible ? w.compactString(v as string) : w.string(v as string);
    default:
      if (v === null) {
        if (!nullable) throw new WireFormatError(`null in non-nullable ${kind === RECORDS ? 'records' : 'bytes'}`);
        return flexible ? w.compactNullableBytes(null) : w.nullableBytes(null);
      }
      return flexible ? w.compactBytes(v as Uint8Array) : w.bytes(v as Uint8Array);
  }
}

/** Writes a struct's tag buffer: its non-default tagged fields and its unknown ones, merged by ascending tag. */
function writeTagBuffer(plan: StructPlan, obj: Record<string, unknown>, w: WireWriter): void {
  const tagged = plan.tagged;
  const unknown = unknownFieldsOf(plan, obj);
  if (tagged.length === 0 && unknown.length === 0) {
    w.uvarint(0);
    return;
  }
  let count = unknown.length;
  for (const f of tagged) if (!isDefault(f, obj[f.name])) count++;
  w.uvarint(count);
  let j = 0;
  for (const f of tagged) {
    while (j < unknown.length && unknown[j]!.tag < f.tag) writeRawField(unknown[j++]!, w);
    const v = obj[f.name];
    if (isDefault(f, v)) continue;
    w.uvarint(f.tag);
    // The size prefix goes in once the value's length is known.
    const start = w.offset;
    try {
      writeField(f, v, w);
    } catch (e) {
      throw within(e, f.name);
    }
    w.insertUvarint(start, w.offset - start);
  }
  while (j < unknown.length) writeRawField(unknown[j++]!, w);
}

function writeRawField(field: RawTaggedField, w: WireWriter): void {
  w.uvarint(field.tag);
  w.uvarint(field.data.length);
  w.raw(field.data);
}

/** The struct's unknown tagged fields, checked: well-formed, strictly ascending, none a known tag of this version. */
function unknownFieldsOf(plan: StructPlan, obj: Record<string, unknown>): readonly RawTaggedField[] {
  const fields = obj[UNKNOWN_TAGGED_FIELDS];
  if (fields === undefined) return NO_RAW_FIELDS;
  if (!Array.isArray(fields)) throw new WireFormatError(`expected an array, got ${describeValue(fields)}`, UNKNOWN_TAGGED_FIELDS);
  let previous = -1;
  for (let j = 0; j < fields.length; j++) {
    const field = fields[j] as Partial<RawTaggedField> | null;
    const where = `${UNKNOWN_TAGGED_FIELDS}[${j}]`;
    const tag = field?.tag;
    if (typeof tag !== 'number' || tag >>> 0 !== tag || !(field!.data instanceof Uint8Array)) {
      throw new WireFormatError(`expected { tag, data }, got ${describeValue(field)}`, where);
    }
    if (tag <= previous) throw new WireFormatError(`tag ${tag} follows tag ${previous}: tags must be strictly ascending`, where);
    if (taggedField(plan, tag) !== undefined) throw new WireFormatError(`tag ${tag} is a known tagged field in this version`, where);
    previous = tag;
  }
  return fields as RawTaggedField[];
}

/** Whether a tagged field's value equals its default (then it is left out, as Kafka does). */
function isDefault(f: FieldPlan, v: unknown): boolean {
  if (v === undefined) return true;
  switch (f.kind) {
    case ARRAY:
      return f.defaultIsNull ? v === null : Array.isArray(v) && v.length === 0;
    case STRUCT:
      return f.defaultIsNull ? v === null : isDefaultStruct(f.struct!, v);
    case BYTES:
    case RECORDS: {
      const d = f.scalarDefault as Uint8Array | null;
      if (d === null || v === null) return v === d;
      return v instanceof Uint8Array && bytesEqual(v, d);
    }
    default:
      return v === f.scalarDefault;
  }
}

/** Whether every field on the wire at this version is its default, with no unknown tagged fields. */
function isDefaultStruct(plan: StructPlan, v: unknown): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const obj = v as Record<string, unknown>;
  const unknown = obj[UNKNOWN_TAGGED_FIELDS];
  if (unknown !== undefined && !(Array.isArray(unknown) && unknown.length === 0)) return false;
  for (const f of plan.body) if (!isDefault(f, obj[f.name])) return false;
  for (const f of plan.tagged) if (!isDefault(f, obj[f.name])) return false;
  return true;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
