// The group leader's assignors: each partition of the subscribed topics goes to exactly one member
// (range, roundrobin, sticky), sticky balances equal subscriptions within one and keeps what members
// own, cooperative-sticky withholds partitions still owned elsewhere, and the seeded bug
// assignor-overlap gives a partition to two members. Plus the consumer protocol's payloads.

import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { assign, type AssignorMember, type AssignorName, type GroupAssignment } from '../../core/client/assignors.ts';
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from '../../core/client/consumer-protocol.ts';

function owners(result: GroupAssignment): Map<string, string[]> {
  const byPartition = new Map<string, string[]>();
  for (const [member, topics] of result)
    for (const [topic, ps] of topics) for (const p of ps) byPartition.set(`${topic}/${p}`, [...(byPartition.get(`${topic}/${p}`) ?? []), member]);
  return byPartition;
}

function counts(result: GroupAssignment): number[] {
  return [...result.values()].map((topics) => [...topics.values()].reduce((n, ps) => n + ps.length, 0));
}

const member = (memberId: string, owned: Record<string, number[]> = {}, generationId = 1): AssignorMember => ({
  memberId,
  groupInstanceId: null,
  topics: ['a', 'b'],
  ownedPartitions: Object.entries(owned).map(([topic, partitions]) => ({ topic, partitions })),
  generationId,
});

/** A group with equal subscriptions to topics a and b, each member owning some distinct partitions. */
const groups = fc
  .record({ members: fc.integer({ min: 1, max: 5 }), a: fc.integer({ min: 0, max: 9 }), b: fc.integer({ min: 0, max: 9 }), seed: fc.integer() })
  .map(({ members, a, b, seed }) => {
    const partitions = new Map([
      ['a', a],
      ['b', b],
    ]);
    const owned: Array<Record<string, number[]>> = Array.from({ length: members }, () => ({}));
    let s = seed >>> 0;
    for (const [topic, count] of partitions) {
      for (let p = 0; p < count; p++) {
        s = (Math.imul(s, 1103515245) + 12345) >>> 0;
        const m = s % (members + 1);
        if (m < members) owned[m]![topic] = [...(owned[m]![topic] ?? []), p];
      }
    }
    return { members: owned.map((o, i) => member(`m${i}`, o)), partitions, total: a + b };
  });

describe('assignors', () => {
  test.prop([groups, fc.constantFrom<AssignorName>('range', 'roundrobin', 'sticky')])(
    'every partition goes to exactly one member',
    ({ members, partitions, total }, name) => {
      const result = assign(name, members, partitions);
      const byPartition = owners(result);
      expect(byPartition.size).toBe(total);
      for (const list of byPartition.values()) expect(list).toHaveLength(1);
    },
  );

  test.prop([groups])('sticky balances equal subscriptions within one partition', ({ members, partitions }) => {
    const c = counts(assign('sticky', members, partitions));
    expect(Math.max(...c) - Math.min(...c)).toBeLessThanOrEqual(1);
  });

  test.prop([groups])('sticky keeps every owned partition when no member owns more than its share', ({ members, partitions, total }) => {
    const share = Math.floor(total / members.length);
    fc.pre(members.every((m) => m.ownedPartitions.reduce((n, t) => n + t.partitions.length, 0) <= share));
    const result = assign('sticky', members, partitions);
    for (const m of members) for (const t of m.ownedPartitions) for (const p of t.partitions) expect(result.get(m.memberId)!.get(t.topic)).toContain(p);
  });

  test.prop([groups])(
    'cooperative-sticky never hands over a partition another member still owns; the rest follows in the next round',
    ({ members, partitions, total }) => {
      const result = assign('cooperative-sticky', members, partitions);
      const ownedBy = new Map<string, string>();
      for (const m of members) for (const t of m.ownedPartitions) for (const p of t.partitions) ownedBy.set(`${t.topic}/${p}`, m.memberId);
      for (const [tp, list] of owners(result)) {
        expect(list).toHaveLength(1);
        const owner = ownedBy.get(tp);
        if (owner !== undefined) expect(list[0]).toBe(owner);
      }
      // The members revoke what they lost and rejoin owning what they were given: the next round completes the assignment.
      const next = members.map((m) => ({
        ...m,
        ownedPartitions: [...result.get(m.memberId)!].map(([topic, ps]) => ({ topic, partitions: ps })),
        generationId: m.generationId + 1,
      }));
      const second = assign('cooperative-sticky', next, partitions);
      expect(owners(second).size).toBe(total);
      const c = counts(second);
      expect(Math.max(...c) - Math.min(...c)).toBeLessThanOrEqual(1);
    },
  );

  it('range cuts each topic into consecutive ranges, the first members taking one more', () => {
    const result = assign('range', [member('m2'), member('m1'), member('m3')], new Map([['a', 7]]));
    expect(result.get('m1')!.get('a')).toEqual([0, 1, 2]);
    expect(result.get('m2')!.get('a')).toEqual([3, 4]);
    expect(result.get('m3')!.get('a')).toEqual([5, 6]);
  });

  it('orders static members by instance id', () => {
    const result = assign(
      'range',
      [
        { ...member('z'), groupInstanceId: 'i1' },
        { ...member('a'), groupInstanceId: 'i2' },
      ],
      new Map([['a', 2]]),
    );
    expect(result.get('z')!.get('a')).toEqual([0]);
  });

  it('the seeded bug assignor-overlap gives a partition to two members', () => {
    const result = assign('range', [member('m1'), member('m2')], new Map([['a', 4]]), { overlap: true });
    expect(owners(result).get('a/2')).toEqual(['m1', 'm2']);
  });

  it('a partition two members claim stays with the newer generation', () => {
    const result = assign('sticky', [member('m1', { a: [0] }, 3), member('m2', { a: [0] }, 4)], new Map([['a', 2]]));
    expect(result.get('m2')!.get('a')).toEqual([0]);
  });
});

describe('consumer protocol payloads', () => {
  it('round-trips a subscription (version 3) and an assignment', () => {
    const s = { topics: ['a'], userData: null, ownedPartitions: [{ topic: 'a', partitions: [1, 2] }], generationId: 7, rackId: null };
    const bytes = encodeSubscription(s);
    expect(bytes.charCodeAt(1)).toBe(3);
    expect(decodeSubscription(bytes)).toEqual(s);
    const a = { assignedPartitions: [{ topic: 'a', partitions: [0] }], userData: '\x01' };
    expect(decodeAssignment(encodeAssignment(a))).toEqual(a);
    expect(decodeAssignment('')).toEqual({ assignedPartitions: [], userData: null });
  });

  it("reads kafkajs's version 1 header over a version-0 body", () => {
    // version 1, topics ["t"], userData empty (not null): no ownedPartitions follow.
    const bytes = String.fromCharCode(0, 1, 0, 0, 0, 1, 0, 1, 116, 0, 0, 0, 0);
    expect(decodeSubscription(bytes)).toMatchObject({ topics: ['t'], userData: '', ownedPartitions: [] });
  });
});
