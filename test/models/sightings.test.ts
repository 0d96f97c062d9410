// The history checkers' shared columns: sightings read back as stored, and the chunked offset
// index against a plain map (sparse and dense offsets, narrow and wide ranges).
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { OffsetIndex, Sightings } from '../../models/history/sightings.ts';

describe('Sightings', () => {
  it('gives back each sighting as stored, by id', () => {
    const s = new Sightings();
    expect(s.add('p1', 4, 'ack', 'orders', 2, 17, 'k1', 'a')).toBe(0);
    expect(s.add('c1', 9, 'poll', 'orders', 0, 3, null, null)).toBe(1);
    expect(s.count).toBe(2);
    expect(s.get(0)).toEqual({ topic: 'orders', partition: 2, offset: 17, process: 'p1', step: 4, how: 'ack' });
    expect(s.get(1)).toEqual({ topic: 'orders', partition: 0, offset: 3, process: 'c1', step: 9, how: 'poll' });
    expect([s.value(0), s.value(1), s.offset(1), s.partition(0), s.topic(1), s.process(1)]).toEqual(['a', null, 3, 2, 'orders', 'c1']);
    expect([s.key(0), s.key(1), s.isAck(0), s.isAck(1), s.step(1)]).toEqual(['k1', null, true, false, 9]);
  });
});

describe('OffsetIndex', () => {
  it('answers -1 for offsets never set, and the lowest set offset of a range', () => {
    const index = new OffsetIndex();
    expect(index.get(0)).toBe(-1);
    expect(index.firstIn(0, 10)).toBe(-1);
    index.set(5000, 0);
    index.set(1023, 7);
    index.set(1024, 8);
    expect([index.get(5000), index.get(1023), index.get(1024), index.get(1025)]).toEqual([0, 7, 8, -1]);
    expect(index.firstIn(0, 1_000_000_000)).toBe(1023);
    expect(index.firstIn(1024, 1_000_000_000)).toBe(1024);
    expect(index.firstIn(1025, 4999)).toBe(-1);
    expect(index.firstIn(1025, 5000)).toBe(5000);
    expect(index.firstIn(7, 3)).toBe(-1);
  });

  const offsetArb = fc.oneof(fc.nat({ max: 3000 }), fc.nat({ max: 2_000_000_000 }));
  test.prop([fc.array(fc.tuple(offsetArb, fc.nat({ max: 1000 })), { maxLength: 40 }), fc.array(fc.tuple(offsetArb, offsetArb), { maxLength: 20 })])(
    'agrees with a map of offsets',
    (sets, ranges) => {
      const index = new OffsetIndex();
      const model = new Map<number, number>();
      for (const [offset, id] of sets) {
        index.set(offset, id);
        model.set(offset, id);
      }
      for (const [offset] of sets) expect(index.get(offset)).toBe(model.get(offset));
      for (const [a, b] of ranges) {
        const from = Math.min(a, b);
        const to = Math.max(a, b);
        const inRange = [...model.keys()].filter((o) => o >= from && o <= to);
        expect(index.firstIn(from, to)).toBe(inRange.length === 0 ? -1 : Math.min(...inRange));
      }
    },
  );
});
