import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { EventQueue } from '../../sim/event-queue.ts';

interface Ev {
  t: number;
  seq: number;
}

describe('EventQueue', () => {
  test.prop([fc.array(fc.oneof(fc.integer({ min: 0, max: 50 }), fc.constant(-1)), { maxLength: 400 })])(
    'pops in (time, sequence) order under any mix of pushes and pops',
    (ops) => {
      const queue = new EventQueue<Ev>();
      const reference: Ev[] = [];
      let seq = 0;
      for (const op of ops) {
        if (op < 0) {
          reference.sort((a, b) => a.t - b.t || a.seq - b.seq);
          expect(queue.pop()).toBe(reference.shift());
        } else {
          const ev = { t: op, seq: seq++ };
          queue.push(ev);
          reference.push(ev);
        }
        expect(queue.size).toBe(reference.length);
      }
    },
  );

  it('breaks ties between simultaneous events by insertion order', () => {
    const queue = new EventQueue<Ev & { name: string }>();
    ['a', 'b', 'c', 'd'].forEach((name, seq) => queue.push({ t: 5, seq, name }));
    queue.push({ t: 4, seq: 9, name: 'early' });
    const order = Array.from({ length: 5 }, () => queue.pop()!.name);
    expect(order).toEqual(['early', 'a', 'b', 'c', 'd']);
  });

  it('retain keeps exactly the wanted events and the heap order', () => {
    const queue = new EventQueue<Ev>();
    for (let i = 0; i < 1000; i++) queue.push({ t: (i * 7919) % 1000, seq: i });
    queue.retain((ev) => ev.seq % 3 !== 0);
    expect(queue.size).toBe(666);
    let last: Ev | undefined;
    for (let ev = queue.pop(); ev !== undefined; ev = queue.pop()) {
      expect(ev.seq % 3).not.toBe(0);
      if (last) expect(ev.t > last.t || (ev.t === last.t && ev.seq > last.seq)).toBe(true);
      last = ev;
    }
  });

  it('holds a million pending events and drains them in order', () => {
    const queue = new EventQueue<Ev>();
    let x = 12345;
    for (let i = 0; i < 1_000_000; i++) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      queue.push({ t: x % 100_000, seq: i });
    }
    expect(queue.size).toBe(1_000_000);
    let prev = queue.pop()!;
    for (let i = 1; i < 1_000_000; i++) {
      const ev = queue.pop()!;
      if (ev.t < prev.t || (ev.t === prev.t && ev.seq < prev.seq)) throw new Error(`out of order at ${i}`);
      prev = ev;
    }
    expect(queue.size).toBe(0);
  });
});
