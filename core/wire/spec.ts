// How a Kafka API message is described for the wire codec: the same shape as Kafka's own message
// definitions (clients/src/main/resources/common/message/*.json): fields with the versions they
// exist in, nullable and tagged versions, and defaults. One generic codec (message-codec.ts)
// reads and writes any message from its spec, so each API's module is its field list, and any
// byte of a frame is found by following the spec's path.

/** Kafka's version notation: "3+" (3 and up), "1-4" (1 to 4), "5" (5 only), "none" (never). */
export type Versions = string;

/** A scalar wire type (Kafka's names, lower-cased). */
export type ScalarType =
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'float64'
  | 'bool'
  | 'uuid'
  | 'string'
  | 'bytes'
  /** A record set: bytes (NULLABLE_BYTES, or COMPACT_NULLABLE_BYTES in flexible versions) holding record batches. */
  | 'records';

/** A struct: an ordered list of fields (in flexible versions it ends with its tagged fields). */
export interface StructSpec {
  fields: readonly FieldSpec[];
}

/** An array of scalars or of structs. */
export interface ArrayType {
  array: ScalarType | StructSpec;
}

export type FieldType = ScalarType | StructSpec | ArrayType;

export interface FieldSpec {
  /** Kafka's field name in lowerCamelCase (`TopicName` -> `topicName`): the property of the decoded object. */
  name: string;
  type: FieldType;
  /** The versions that carry the field; in others it is absent from the bytes and decodes to its default. */
  versions: Versions;
  /** Versions in which the field may be null (strings, bytes, records, arrays, structs). */
  nullableVersions?: Versions;
  /** Versions in which the field is a tagged field (flexible versions only), with its tag. */
  taggedVersions?: Versions;
  tag?: number;
  /**
   * The value when the field is absent (not in this version, or an untagged default): Kafka's
   * default is 0, false, "", [], or a struct of defaults, unless the definition says otherwise
   * (often -1, or null for a nullable field).
   */
  default?: unknown;
}

export interface MessageSpec {
  /** Kafka's API key. */
  apiKey: number;
  /** Kafka's message name, like `ProduceRequest`. */
  name: string;
  /** 'data': a versioned payload that is no API message (the consumer protocol's subscription and assignment). */
  type: 'request' | 'response' | 'data';
  validVersions: Versions;
  /** The versions that use compact types and tagged fields (and header v2 / v1). */
  flexibleVersions: Versions;
  fields: readonly FieldSpec[];
}

/** A parsed version range: [min, max], max Infinity for "N+", empty (min > max) for "none". */
export interface VersionRange {
  min: number;
  max: number;
}

const parsed = new Map<Versions, VersionRange>();

/** Parses Kafka's version notation; throws on anything else (a spec bug, not a wire error). */
export function versionRange(versions: Versions): VersionRange {
  let range = parsed.get(versions);
  if (range !== undefined) return range;
  const plus = /^(\d+)\+$/.exec(versions);
  const span = /^(\d+)-(\d+)$/.exec(versions);
  const single = /^(\d+)$/.exec(versions);
  if (versions === 'none') range = { min: 1, max: 0 };
  else if (plus !== null) range = { min: Number(plus[1]), max: Infinity };
  else if (span !== null) range = { min: Number(span[1]), max: Number(span[2]) };
  else if (single !== null) range = { min: Number(single[1]), max: Number(single[1]) };
  else throw new Error(`bad version range "${versions}"`);
  parsed.set(versions, range);
  return range;
}

/** Whether `version` is in the range `versions`. */
export function inVersions(versions: Versions | undefined, version: number): boolean {
  if (versions === undefined) return false;
  const { min, max } = versionRange(versions);
  return version >= min && version <= max;
}
