// Every API spec in the registry: well-formed as a Kafka message definition (names, version ranges,
// nullable and tagged versions, unique tags, defaults of the right type), covering Kafka's version
// range, and a random message at every valid version, flexible ones with tagged fields included,
// encodes and decodes back to itself (and re-encodes to the same bytes).
import { fc } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { API_SPECS } from '../../../core/wire/apis/index.ts';
import { decodeMessage, encodeMessage } from '../../../core/wire/message-codec.ts';
import { inVersions, versionRange, type FieldType } from '../../../core/wire/spec.ts';
import { defaultOf, expectSameBytes, messageArb, presentAt, versionsOf } from './helpers.ts';
import { specProblems } from './spec-problems.ts';

/** Per API, [lowest, highest, first flexible version]: Kafka's ranges (apache/kafka 1eb7644, October 2024). */
const EXPECTED: Record<string, [number, number, number]> = {
  Produce: [0, 11, 9],
  Fetch: [0, 17, 12],
  ListOffsets: [0, 10, 6],
  Metadata: [0, 12, 9],
  OffsetCommit: [0, 9, 8],
  OffsetFetch: [0, 9, 6],
  FindCoordinator: [0, 6, 3],
  JoinGroup: [0, 9, 6],
  Heartbeat: [0, 4, 4],
  LeaveGroup: [0, 5, 4],
  SyncGroup: [0, 5, 4],
  DescribeGroups: [0, 5, 5],
  ListGroups: [0, 5, 3],
  ApiVersions: [0, 4, 3],
  CreateTopics: [0, 7, 5],
  DeleteTopics: [0, 6, 4],
  DeleteRecords: [0, 2, 2],
  InitProducerId: [0, 5, 2],
  AddPartitionsToTxn: [0, 5, 3],
  AddOffsetsToTxn: [0, 4, 3],
  EndTxn: [0, 5, 3],
  DescribeTransactions: [0, 0, 0],
  ListTransactions: [0, 1, 0],
  DescribeAcls: [0, 3, 2],
  CreateAcls: [0, 3, 2],
  DeleteAcls: [0, 3, 2],
  DescribeUserScramCredentials: [0, 0, 0],
  AlterUserScramCredentials: [0, 0, 0],
  OffsetForLeaderEpoch: [0, 4, 4],
  TxnOffsetCommit: [0, 4, 3],
  DescribeConfigs: [0, 4, 4],
  CreatePartitions: [0, 3, 2],
  IncrementalAlterConfigs: [0, 1, 1],
  DeleteGroups: [0, 2, 2],
  Vote: [0, 2, 0],
  BeginQuorumEpoch: [0, 1, 1],
  EndQuorumEpoch: [0, 1, 1],
  AlterPartition: [0, 3, 0],
  FetchSnapshot: [0, 1, 0],
  BrokerRegistration: [0, 4, 0],
  BrokerHeartbeat: [0, 1, 0],
  AllocateProducerIds: [0, 0, 0],
  WriteTxnMarkers: [0, 1, 1],
};

const allSpecs = API_SPECS.flatMap((a) => [a.request, a.response]);

describe('API specs: well-formed', () => {
  it.each(API_SPECS.map((a) => [a.name, a] as const))("%s covers Kafka's versions, request and response alike", (name, a) => {
    const [min, max, flexible] = EXPECTED[name]!;
    for (const spec of [a.request, a.response]) {
      expect(versionRange(spec.validVersions), spec.name).toEqual({ min, max });
      expect(versionRange(spec.flexibleVersions), spec.name).toEqual({ min: flexible, max: Infinity });
    }
    expect(a.request.name).toBe(`${name}Request`);
    expect(a.response.name).toBe(`${name}Response`);
  });

  it('lists every API of the registry', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual(API_SPECS.map((a) => a.name).sort());
  });

  it.each(allSpecs.map((s) => [s.name, s] as const))('%s: names, version ranges, nullable and tagged versions, defaults', (_name, spec) => {
    expect(specProblems(spec)).toEqual([]);
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
