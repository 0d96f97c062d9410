// The consumer protocol's embedded payloads: ConsumerProtocolSubscription (JoinGroup protocol metadata) and
// ConsumerProtocolAssignment (SyncGroup assignment). Their bytes start with an int16 version that the specs leave out:
// these tests read it first, as a caller must. kafkajs's payload fixtures, hand-built layouts, random round trips.
import { fc } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { ConsumerProtocolAssignmentSpec, ConsumerProtocolSubscriptionSpec } from '../../../core/wire/apis/consumer-protocol.ts';
import { decodeMessage, encodeMessage, readMessage } from '../../../core/wire/message-codec.ts';
import { WireReader } from '../../../core/wire/wire-reader.ts';
import { versionRange, type MessageSpec } from '../../../core/wire/spec.ts';
import { Bytes, decodeExactly, expectSameBytes, fixture, messageArb, presentAt, versionsOf } from './helpers.ts';
import { specProblems } from './spec-problems.ts';

/** Splits a payload into its int16 version and body, and the version to decode the body at (Kafka reads newer as its newest). */
function split(payload: Uint8Array): { version: number; readAt: number; body: Uint8Array } {
  const version = new DataView(payload.buffer, payload.byteOffset, payload.byteLength).getInt16(0);
  return { version, readAt: Math.min(version, versionRange(ConsumerProtocolSubscriptionSpec.validVersions).max), body: payload.subarray(2) };
}

const TOPIC = (hexSuffix: string) => `test-topic-${hexSuffix}`;

describe('consumer protocol specs: well-formed', () => {
  it.each([ConsumerProtocolSubscriptionSpec, ConsumerProtocolAssignmentSpec])('$name', (spec: MessageSpec) => {
    expect(spec.apiKey).toBe(-1);
    expect(versionRange(spec.validVersions)).toEqual({ min: 0, max: 3 });
    expect(spec.flexibleVersions).toBe('none');
    expect(specProblems(spec)).toEqual([]);
  });
});

describe('consumer protocol specs: kafkajs payload fixtures', () => {
  const subscriptions = [
    ['joinGroup', 'v1_assignerMetadata.json', TOPIC('95a688e6831934f5b1af-21486-9dc1527a-1fe5-4ab2-b438-8c06792d5c02')],
    ['joinGroup', 'v2_assignerMetadata.json', TOPIC('6d25fae0b963e68547b8-23702-fafdf91d-ed40-4f21-8281-d7abb0d9bdd9')],
    ['describeGroups', 'v1_memberMetadata.json', TOPIC('d167f5ec5302bfc1c649-53384-752a87e8-5936-4f78-8f42-4d920393b5f2')],
  ] as const;

  it.each(subscriptions)('%s/%s: kafkajs writes version 1 over a version-0 body (no ownedPartitions)', (api, file, topic) => {
    const { version, body } = split(fixture(api, file));
    expect(version).toBe(1);
    // Read at its stated version the body is short (Kafka's Java consumer would fail the same way); at v0 it is exact.
    expect(() => decodeMessage(ConsumerProtocolSubscriptionSpec, 1, body)).toThrow();
    expect(decodeExactly(ConsumerProtocolSubscriptionSpec, 0, body)).toMatchObject({
      topics: [topic],
      userData: new Uint8Array(0),
      ownedPartitions: [],
      generationId: -1,
    });
  });

  const assignments = [
    ['syncGroup', 'v1_memberAssignment.json', TOPIC('14918994efdfbee2c114-24495-102a599a-d6d6-4eb4-857c-acb651ebc730')],
    ['describeGroups', 'v1_memberAssignment.json', TOPIC('d167f5ec5302bfc1c649-53384-752a87e8-5936-4f78-8f42-4d920393b5f2')],
  ] as const;

  it.each(assignments)('%s/%s: version 1 assignment of partition 0, empty (not null) user data', (api, file, topic) => {
    const { version, readAt, body } = split(fixture(api, file));
    expect(version).toBe(1);
    expect(decodeExactly(ConsumerProtocolAssignmentSpec, readAt, body)).toMatchObject({
      assignedPartitions: [{ topic, partitions: [0] }],
      userData: new Uint8Array(0),
    });
  });
});

describe('consumer protocol specs: hand-checked layouts', () => {
  it('Subscription v0 (kafka-python, kafkajs) and v1 as librdkafka writes it (empty ownedPartitions)', () => {
    const v0 = { topics: ['a', 'b'], userData: null };
    const v0Bytes = new Bytes().arrayLength(2).string('a').string('b').int32(-1).build();
    expectSameBytes(encodeMessage(ConsumerProtocolSubscriptionSpec, 0, v0), v0Bytes);
    expect(decodeExactly(ConsumerProtocolSubscriptionSpec, 0, v0Bytes)).toMatchObject(v0);
    const v1 = { topics: ['a'], userData: null, ownedPartitions: [] };
    expectSameBytes(encodeMessage(ConsumerProtocolSubscriptionSpec, 1, v1), new Bytes().arrayLength(1).string('a').int32(-1).arrayLength(0).build());
  });

  it('Subscription v3: owned partitions, generation id, rack id', () => {
    const value = { topics: ['t'], userData: Uint8Array.of(7), ownedPartitions: [{ topic: 't', partitions: [0, 2] }], generationId: 5, rackId: 'r1' };
    const bytes = new Bytes()
      .arrayLength(1)
      .string('t')
      .int32(1)
      .raw([7])
      .arrayLength(1)
      .string('t')
      .arrayLength(2)
      .int32(0)
      .int32(2)
      .int32(5)
      .string('r1')
      .build();
    expectSameBytes(encodeMessage(ConsumerProtocolSubscriptionSpec, 3, value), bytes);
    expect(decodeExactly(ConsumerProtocolSubscriptionSpec, 3, bytes)).toMatchObject(value);
    // v2 stops before the rack id; read at v2 the rack is its default null.
    const v2 = bytes.subarray(0, bytes.length - 4);
    expect(decodeExactly(ConsumerProtocolSubscriptionSpec, 2, v2)).toMatchObject({ generationId: 5, rackId: null });
  });

  it('a newer version (4, say) is read with the v3 format and its unknown tail left unread, as Kafka does', () => {
    const v3 = { topics: ['t'], userData: null, ownedPartitions: [], generationId: 2, rackId: null };
    const payload = new Bytes()
      .int16(4)
      .raw(encodeMessage(ConsumerProtocolSubscriptionSpec, 3, v3))
      .raw([0xde, 0xad])
      .build();
    const { version, readAt, body } = split(payload);
    expect([version, readAt]).toEqual([4, 3]);
    expect(() => decodeMessage(ConsumerProtocolSubscriptionSpec, readAt, body)).toThrow(/left over/);
    const reader = new WireReader(body);
    expect(readMessage(ConsumerProtocolSubscriptionSpec, readAt, reader)).toMatchObject(v3);
    expect(reader.remaining).toBe(2);
  });

  it('Assignment v0-3 share one layout', () => {
    const value = { assignedPartitions: [{ topic: 't', partitions: [1] }], userData: null };
    const bytes = new Bytes().arrayLength(1).string('t').arrayLength(1).int32(1).int32(-1).build();
    for (const v of versionsOf(ConsumerProtocolAssignmentSpec)) expectSameBytes(encodeMessage(ConsumerProtocolAssignmentSpec, v, value), bytes, `v${v}`);
  });
});

describe('consumer protocol specs: random payloads round-trip at every version', () => {
  for (const spec of [ConsumerProtocolSubscriptionSpec, ConsumerProtocolAssignmentSpec]) {
    it.each(versionsOf(spec))(`${spec.name} v%i`, (version) => {
      fc.assert(
        fc.property(messageArb(spec, version), (value) => {
          const bytes = encodeMessage(spec, version, value);
          expect(presentAt(spec, version, decodeMessage(spec, version, bytes))).toEqual(value);
        }),
        { numRuns: 25 },
      );
    });
  }
});
