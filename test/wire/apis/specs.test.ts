// Every API spec: well-formed as a Kafka message definition (names, version ranges, nullable and
// tagged versions, unique tags), and a random message at every valid version, flexible ones with
// tagged fields included, encodes and decodes back to itself (and re-encodes to the same bytes).
import { fc } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import * as apiVersions from '../../../core/wire/apis/api-versions.ts';
import * as createPartitions from '../../../core/wire/apis/create-partitions.ts';
import * as createTopics from '../../../core/wire/apis/create-topics.ts';
import * as deleteTopics from '../../../core/wire/apis/delete-topics.ts';
import * as describeConfigs from '../../../core/wire/apis/describe-configs.ts';
import * as fetch from '../../../core/wire/apis/fetch.ts';
import * as initProducerId from '../../../core/wire/apis/init-producer-id.ts';
import * as listOffsets from '../../../core/wire/apis/list-offsets.ts';
import * as metadata from '../../../core/wire/apis/metadata.ts';
import * as offsetForLeaderEpoch from '../../../core/wire/apis/offset-for-leader-epoch.ts';
import * as produce from '../../../core/wire/apis/produce.ts';
import { decodeMessage, encodeMessage } from '../../../core/wire/message-codec.ts';
import { inVersions, versionRange, type FieldType, type MessageSpec, type StructSpec } from '../../../core/wire/spec.ts';
import { defaultOf, expectSameBytes, messageArb, presentAt, versionsOf } from './helpers.ts';

const modules = {
  apiVersions,
  metadata,
  produce,
  fetch,
  listOffsets,
  offsetForLeaderEpoch,
  initProducerId,
  createTopics,
  deleteTopics,
  describeConfigs,
  createPartitions,
};

/** [api key, lowest version, highest version] each module must cover (Kafka's range, at least what clients use). */
const expected: Record<keyof typeof modules, [number, number, number]> = {
  apiVersions: [18, 0, 4],
  metadata: [3, 0, 12],
  produce: [0, 0, 11],
  fetch: [1, 0, 17],
  listOffsets: [2, 0, 10],
  offsetForLeaderEpoch: [23, 0, 4],
  initProducerId: [22, 0, 5],
  createTopics: [19, 0, 7],
  deleteTopics: [20, 0, 6],
  describeConfigs: [32, 0, 4],
  createPartitions: [37, 0, 3],
};

const pairs = Object.entries(modules).map(([api, mod]) => {
  const specs = Object.values(mod) as MessageSpec[];
  const request = specs.find((s) => s.type === 'request');
  const response = specs.find((s) => s.type === 'response');
  if (request === undefined || response === undefined || specs.length !== 2) throw new Error(`${api}: expected one request and one response spec`);
  return { api: api as keyof typeof modules, request, response };
});
const allSpecs = pairs.flatMap((p) => [p.request, p.response]);

const SIZE_TYPES = new Set(['string', 'bytes', 'records']);

/** Problems in one struct's field list (recursing into nested structs). */
function structProblems(spec: MessageSpec, struct: StructSpec, path: string): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  const flexible = versionRange(spec.flexibleVersions);
  const valid = versionRange(spec.validVersions);
  const tagged: { tag: number; versions: string; name: string }[] = [];
  for (const field of struct.fields) {
    const where = `${path}.${field.name}`;
    if (!/^[a-z][A-Za-z0-9]*$/.test(field.name)) problems.push(`${where}: not lowerCamelCase`);
    if (names.has(field.name)) problems.push(`${where}: duplicate name`);
    names.add(field.name);
    const range = versionRange(field.versions);
    if (range.min > valid.max || range.max < valid.min) problems.push(`${where}: versions ${field.versions} outside ${spec.validVersions}`);
    if (field.nullableVersions !== undefined) {
      versionRange(field.nullableVersions);
      const t = field.type;
      if (typeof t === 'string' && !SIZE_TYPES.has(t)) problems.push(`${where}: ${t} cannot be nullable`);
    }
    if ((field.taggedVersions === undefined) !== (field.tag === undefined)) problems.push(`${where}: tag and taggedVersions go together`);
    if (field.taggedVersions !== undefined && field.tag !== undefined) {
      const t = versionRange(field.taggedVersions);
      if (t.min < flexible.min) problems.push(`${where}: tagged in non-flexible versions`);
      if (t.min !== Math.max(range.min, flexible.min) || t.max !== range.max)
        problems.push(`${where}: taggedVersions ${field.taggedVersions} vs versions ${field.versions}`);
      for (const other of tagged) {
        const o = versionRange(other.versions);
        if (other.tag === field.tag && o.min <= t.max && t.min <= o.max) problems.push(`${where}: tag ${field.tag} also used by ${other.name}`);
      }
      tagged.push({ tag: field.tag, versions: field.taggedVersions, name: field.name });
    }
    const inner = innerStruct(field.type);
    if (inner !== null) problems.push(...structProblems(spec, inner, where));
  }
  return problems;
}

function innerStruct(type: FieldType): StructSpec | null {
  if (typeof type === 'string') return null;
  if ('array' in type) return typeof type.array === 'string' ? null : type.array;
  return type;
}

describe('API specs: well-formed', () => {
  it('each module has a request and a response spec with its key, names and version range', () => {
    for (const { api, request, response } of pairs) {
      const [key, min, max] = expected[api];
      for (const spec of [request, response]) {
        expect(spec.apiKey, spec.name).toBe(key);
        const range = versionRange(spec.validVersions);
        expect(range.min, spec.name).toBe(min);
        expect(range.max, spec.name).toBe(max);
        expect(/^\d+\+$/.test(spec.flexibleVersions), spec.name).toBe(true);
      }
      expect(request.name).toBe(response.name.replace(/Response$/, 'Request'));
      expect(request.name.endsWith('Request')).toBe(true);
      expect(request.flexibleVersions).toBe(response.flexibleVersions);
    }
  });

  it.each(allSpecs.map((s) => [s.name, s] as const))('%s: names, version ranges, nullable and tagged versions', (_name, spec) => {
    expect(structProblems(spec, spec, spec.name)).toEqual([]);
  });
});

/** Checks that every field absent at `version` decoded to its default (at every depth). */
function expectDefaultsWhereAbsent(type: FieldType, version: number, value: unknown, path: string): void {
  if (typeof type === 'string' || value === null) return;
  if ('array' in type) {
    for (const item of value as unknown[]) expectDefaultsWhereAbsent(type.array, version, item, `${path}[]`);
    return;
  }
  const record = value as Record<string, unknown>;
  for (const field of type.fields) {
    if (inVersions(field.versions, version)) expectDefaultsWhereAbsent(field.type, version, record[field.name], `${path}.${field.name}`);
    else expect(record[field.name], `${path}.${field.name} (absent at v${version})`).toEqual(defaultOf(field));
  }
}

describe('API specs: random messages round-trip at every version', () => {
  for (const spec of allSpecs) {
    describe(spec.name, () => {
      it.each(versionsOf(spec))('v%i', (version) => {
        fc.assert(
          fc.property(messageArb(spec, version), (value) => {
            const bytes = encodeMessage(spec, version, value);
            const decoded = decodeMessage(spec, version, bytes);
            expect(presentAt(spec, version, decoded)).toEqual(value);
            expectDefaultsWhereAbsent(spec, version, decoded, spec.name);
            expectSameBytes(encodeMessage(spec, version, decoded), bytes, 're-encoded');
          }),
          { numRuns: 40 },
        );
      });
    });
  }
});

describe('API specs: unknown tagged fields pass through every flexible version', () => {
  for (const spec of allSpecs) {
    const flexible = versionsOf(spec).filter((v) => inVersions(spec.flexibleVersions, v));
    it.each(flexible)(`${spec.name} v%i`, (version) => {
      fc.assert(
        fc.property(messageArb(spec, version), fc.uint8Array({ maxLength: 8 }), (value, data) => {
          const withUnknown = { ...value, unknownTaggedFields: [{ tag: 90, data }] };
          const bytes = encodeMessage(spec, version, withUnknown);
          const decoded = decodeMessage(spec, version, bytes);
          expect(decoded.unknownTaggedFields).toEqual([{ tag: 90, data }]);
          expectSameBytes(encodeMessage(spec, version, decoded), bytes, 're-encoded');
        }),
        { numRuns: 10 },
      );
    });
  }
});
