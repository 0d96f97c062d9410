// The client-history checkers on hand-made histories: each must stay quiet on legal histories
// (including the tricky ones: out-of-order acknowledgements, reads racing writes, seeks back) and
// report the anomaly it exists for with its step, nodes and facts. Then fast-check properties:
// histories of a correct broker pass, and a lost value or two swapped values are reported.
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import type { ObservedEvent } from '../../core/trace/schema.ts';
import { HISTORY_CHECKERS, HistoryCheckers, historyOpFromTrace } from '../../models/history/history-checkers.ts';
import type { PollRecord } from '../../models/history/op-values.ts';
import type { HistoryOp } from '../../models/history/types.ts';
import type { Violation } from '../../models/violation.ts';
import { check, History, r } from './history-builder.ts';

const names = (vs: Violation[]) => vs.map((v) => v.name);
const only = (vs: Violation[], name: string) => vs.filter((v) => v.name === name);

describe('lost-write', () => {
  it('accepts concurrent sends whose acknowledgements arrive out of order', () => {
    const h = new History();
    const a = h.sendInvoke('p1', 'a');
    const b = h.sendInvoke('p2', 'b');
    h.sendOk(b, 0, 1);
    h.sendOk(a, 0, 0);
    h.poll('c1', r(0, 0, 'a'), r(0, 1, 'b'));
    expect(check(h.ops)).toEqual([]);
  });

  it('accepts a poll that read the value before its write was acknowledged', () => {
    const h = new History();
    const a = h.sendInvoke('p1', 'a');
    const b = h.sendInvoke('p1', 'b');
    h.poll('c1', r(0, 0, 'a'), r(0, 1, 'b'));
    h.sendOk(a, 0, 0);
    h.sendOk(b, 0, 1);
    h.poll('c1', r(0, 2, 'c'));
    h.send('p2', 0, 2, 'c');
    expect(check(h.ops)).toEqual([]);
  });

  it('accepts a consumer that starts or seeks beyond an unread value that another consumer reads later', () => {
    const h = new History();
    h.send('p1', 0, 0, 'a');
    h.send('p1', 0, 1, 'b');
    h.send('p1', 0, 2, 'c');
    h.assign('c2', [0]);
    h.poll('c2', r(0, 2, 'c'));
    h.seek('c3', 0, 1);
    h.poll('c3', r(0, 1, 'b'), r(0, 2, 'c'));
    h.poll('c1', r(0, 0, 'a'));
    expect(check(h.ops)).toEqual([]);
  });

  it('accepts failed, info and acks=0 sends that no poll ever returns', () => {
    const h = new History();
    const f = h.sendInvoke('p1', 'failed');
    h.end('p1', 'send', f.id, 'fail', undefined);
    const i = h.sendInvoke('p1', 'unknown');
    h.end('p1', 'send', i.id, 'info', undefined);
    h.send('p2', 0, -1, 'fire-and-forget', { acks: 0 });
    h.send('p2', 0, 0, 'zero-with-offset', { acks: 0 });
    h.send('p1', 0, 1, 'x');
    h.poll('c1', r(0, 1, 'x'));
    expect(check(h.ops)).toEqual([]);
  });

  it("reports a value a consumer's poll passed over, naming the value, offset, acks and poll", () => {
    const h = new History();
    h.send('p1', 0, 0, 'a');
    h.send('p1', 0, 1, 'b', { acks: 1 });
    h.send('p1', 0, 2, 'c');
    const step = h.poll('c1', r(0, 0, 'a'), r(0, 2, 'c'));
    const lost = only(check(h.ops, false), 'lost-write');
    expect(lost).toMatchObject([
      { step, nodes: ['p1', 'c1'], values: { value: 'b', topic: 'orders', partition: 0, offset: 1, acks: 1, consumer: 'c1', pollStep: step, pollOffset: 2 } },
    ]);
    expect(lost[0]!.message).toBe(
      `p1's acknowledged write 'b' (acks=1, step 3) at orders/0 offset 1 was passed over: c1's poll (step ${step}), invoked after the acknowledgement, returned orders/0 offset 2, and no poll has returned 'b'`,
    );
    // Reported once: not again at the end.
    h.poll('c1', r(0, 3, 'd'));
    expect(names(only(check(h.ops), 'lost-write'))).toEqual(['lost-write']);
  });

  it('does not count a poll invoked before the acknowledgement, but counts the next one', () => {
    const h = new History();
    h.send('p1', 0, 0, 'a');
    const b = h.sendInvoke('p1', 'b');
    const early = h.pollInvoke('c1');
    h.sendOk(b, 0, 1);
    h.pollOk('c1', early, r(0, 0, 'a'), r(0, 2, 'c'));
    expect(only(check(h.ops, false), 'lost-write')).toEqual([]);
    const step = h.poll('c1', r(0, 3, 'd'));
    expect(only(check(h.ops, false), 'lost-write')).toMatchObject([{ step, nodes: ['p1', 'c1'], values: { value: 'b', offset: 1, pollOffset: 3 } }]);
  });

  it('does not count a poll that completed before the acknowledgement, but counts the next one', () => {
    const h = new History();
    const b = h.sendInvoke('p1', 'b');
    h.poll('c1', r(0, 0, 'a'), r(0, 2, 'c'));
    h.sendOk(b, 0, 1);
    expect(only(check(h.ops, false), 'lost-write')).toEqual([]);
    const step = h.poll('c1', r(0, 3, 'd'));
    expect(only(check(h.ops, false), 'lost-write')).toMatchObject([{ step, nodes: ['p1', 'c1'], values: { value: 'b', offset: 1 } }]);
    // After a seek, the consumer no longer claims to have read across the offset.
    const h2 = new History();
    const b2 = h2.sendInvoke('p1', 'b');
    h2.poll('c1', r(0, 0, 'a'), r(0, 2, 'c'));
    h2.sendOk(b2, 0, 1);
    h2.seek('c1', 0, 3);
    h2.poll('c1', r(0, 3, 'd'));
    h2.poll('c2', r(0, 1, 'b'));
    expect(names(check(h2.ops))).toEqual(['poll-skip']);
  });

  it('reports at the end an acknowledged value no poll returned', () => {
    const h = new History();
    h.send('p1', 0, 0, 'a', { acks: 1 });
    h.send('p2', 1, 0, 'b');
    h.poll('c1', r(1, 0, 'b'));
    const last = h.assign('c1', [0, 1]);
    expect(check(h.ops, false)).toEqual([]);
    const found = check(h.ops);
    expect(found).toMatchObject([
      { name: 'lost-write', step: last, nodes: ['p1'], values: { value: 'a', topic: 'orders', partition: 0, offset: 0, acks: 1, ackStep: 1 } },
    ]);
    expect(found[0]!.message).toBe("p1's acknowledged write 'a' (acks=1, step 1) at orders/0 offset 0 was never returned by any poll");
  });

  it('reports a value overwritten at its offset (truncated after a failover)', () => {
    const h = new History();
    h.send('p1', 0, 0, 'a');
    h.send('p1', 0, 1, 'b');
    const step = h.poll('c1', r(0, 0, 'a'), r(0, 1, 'x'), r(0, 2, 'y'));
    expect(only(check(h.ops), 'lost-write')).toMatchObject([{ step, nodes: ['p1', 'c1'], values: { value: 'b', offset: 1, pollOffset: 2 } }]);
  });
});

describe('duplicate', () => {
  it('accepts a value acknowledged and returned at one offset, by several polls', () => {
    const h = new History();
    h.send('p1', 0, 0, 'a');
    h.poll('c1', r(0, 0, 'a'));
    h.poll('c2', r(0, 0, 'a'));
    h.seek('c1', 0, 0);
    h.poll('c1', r(0, 0, 'a'), r(0, 1, null), r(0, 2, null));
    expect(check(h.ops)).toEqual([]);
  });

  it('reports a value acknowledged at one offset and returned at another', () => {
    const h = new History();
    h.send('p1', 0, 0, 'a');
    const step = h.poll('c1', r(0, 0, 'a'), r(0, 1, 'a'));
    const found = only(check(h.ops), 'duplicate');
    expect(found).toMatchObject([{ step, nodes: ['p1', 'c1'], values: { value: 'a', first: { offset: 0, how: 'ack' }, second: { offset: 1, how: 'poll' } } }]);
    expect(found[0]!.message).toBe(`'a' is at orders/0 offset 0 (acknowledged to p1 at step 1) and at orders/0 offset 1 (returned to c1 at step ${step})`);
  });

  it('reports a value returned from two partitions, once', () => {
    const h = new History();
    h.poll('c1', r(0, 0, 'a'));
    const step = h.poll('c2', r(1, 0, 'a'));
    h.poll('c3', r(2, 0, 'a'));
    expect(only(check(h.ops), 'duplicate')).toMatchObject([
      { step, nodes: ['c1', 'c2'], values: { value: 'a', first: { partition: 0 }, second: { partition: 1 } } },
    ]);
  });

  it('leaves alone the values of a producer without idempotence, whose retries may append a batch twice', () => {
    const twice = () => {
      const h = new History();
      h.send('p1', 0, 0, 'p1-0');
      h.send('p2', 0, 1, 'p2-0');
      h.poll('c1', r(0, 0, 'p1-0'), r(0, 1, 'p2-0'), r(0, 2, 'p1-0'), r(0, 3, 'p2-0'));
      return h.ops;
    };
    const found: string[] = [];
    const checkers = new HistoryCheckers((info) => (v) => found.push(`${info.name}: ${v.message}`), undefined, new Set(['p1']));
    for (const op of twice()) checkers.observe(op);
    checkers.finish();
    expect(found.filter((f) => f.startsWith('duplicate'))).toEqual([
      "duplicate: 'p2-0' is at orders/0 offset 1 (acknowledged to p2 at step 3) and at orders/0 offset 3 (returned to c1 at step 5)",
    ]);
    expect(names(only(check(twice()), 'duplicate'))).toEqual(['duplicate', 'duplicate']);
  });
});

describe('inconsistent-offset', () => {
  it('accepts acknowledgements and polls that agree', () => {
    const h = new History();
    h.poll('c1', r(0, 0, 'a'));
    h.send('p1', 0, 0, 'a');
    h.send('p1', 1, 0, 'b');
    h.poll('c2', r(0, 0, 'a'), r(1, 0, 'b'));
    expect(check(h.ops)).toEqual([]);
  });

  it('reports a poll that disagrees with an acknowledgement', () => {
    const h = new History();
    h.send('p1', 0, 0, 'a');
    const step = h.poll('c1', r(0, 0, 'b'));
    const found = only(check(h.ops), 'inconsistent-offset');
    expect(found).toMatchObject([{ step, nodes: ['p1', 'c1'], values: { topic: 'orders', partition: 0, offset: 0, values: ['a', 'b'] } }]);
    expect(found[0]!.message).toBe(`orders/0 offset 0 holds 'a' (acknowledged to p1 at step 1) and 'b' (returned to c1 at step ${step})`);
  });

  it('reports an acknowledgement that arrives after a poll showed another value there', () => {
    const h = new History();
    const a = h.sendInvoke('p1', 'a');
    h.poll('c1', r(0, 0, 'b'));
    const step = h.sendOk(a, 0, 0);
    expect(only(check(h.ops, false), 'inconsistent-offset')).toMatchObject([{ step, nodes: ['c1', 'p1'], values: { offset: 0, values: ['b', 'a'] } }]);
  });

  it('reports two polls that disagree, once per offset', () => {
    const h = new History();
    h.poll('c1', r(0, 0, 'a'));
    const step = h.poll('c2', r(0, 0, 'b'));
    h.poll('c3', r(0, 0, 'c'));
    expect(only(check(h.ops), 'inconsistent-offset')).toMatchObject([{ step, nodes: ['c1', 'c2'] }]);
  });
});

describe('nonmonotonic-poll', () => {
  it('accepts increasing offsets per partition, and going back after a seek or an assign', () => {
    const h = new History();
    h.poll('c1', r(0, 0, 'a'), r(1, 0, 'x'), r(0, 1, 'b'));
    h.poll('c2', r(0, 0, 'a'));
    h.poll('c1', r(0, 2, 'c'), r(1, 1, 'y'));
    h.seek('c1', 0, 0);
    h.poll('c1', r(0, 0, 'a'), r(1, 2, 'z'));
    h.assign('c1', [0, 1]);
    h.poll('c1', r(0, 1, 'b'), r(1, 0, 'x'));
    expect(check(h.ops)).toEqual([]);
  });

  it('reports a poll that starts at or before where the last one ended', () => {
    const h = new History();
    h.poll('c1', r(0, 0, 'a'), r(0, 1, 'b'));
    h.seek('c1', 1, 0);
    const step = h.poll('c1', r(0, 1, 'b'), r(0, 2, 'c'));
    const found = only(check(h.ops), 'nonmonotonic-poll');
    expect(found).toMatchObject([
      { step, nodes: ['c1'], values: { topic: 'orders', partition: 0, offset: 1, previous: 1, previousStep: 1, withinPoll: false } },
    ]);
    expect(found[0]!.message).toBe('c1 got orders/0 offset 1 after offset 1 (got in the poll at step 1), with no assign or seek in between');
  });

  it('reports offsets going back inside one poll, once per partition and poll', () => {
    const h = new History();
    const step = h.poll('c1', r(0, 3, 'd'), r(0, 1, 'b'), r(0, 0, 'a'), r(0, 4, 'e'));
    const found = only(check(h.ops), 'nonmonotonic-poll');
    expect(found).toMatchObject([{ step, nodes: ['c1'], values: { offset: 1, previous: 3, withinPoll: true } }]);
    expect(found[0]!.message).toBe('c1 got orders/0 offset 1 after offset 3 in the same poll, with no assign or seek in between');
  });
});

describe('poll-skip', () => {
  it('accepts contiguous reads, and jumps after a seek or an assign', () => {
    const h = new History();
    for (let o = 0; o < 6; o++) h.send('p1', 0, o, `v${o}`);
    h.poll('c1', r(0, 0, 'v0'), r(0, 1, 'v1'));
    h.poll('c1', r(0, 2, 'v2'));
    h.seek('c1', 0, 4);
    h.poll('c1', r(0, 4, 'v4'));
    h.assign('c1', [0]);
    h.poll('c1', r(0, 0, 'v0'), r(0, 1, 'v1'), r(0, 2, 'v2'), r(0, 3, 'v3'), r(0, 4, 'v4'), r(0, 5, 'v5'));
    expect(check(h.ops)).toEqual([]);
  });

  it('accepts a jump over offsets no acknowledgement or poll ever showed (a transaction marker, say)', () => {
    const h = new History();
    h.poll('c1', r(0, 0, 'a'), r(0, 2, 'b'));
    h.poll('c2', r(0, 0, 'a'), r(0, 2, 'b'));
    expect(check(h.ops)).toEqual([]);
  });

  it('reports a jump between polls over an acknowledged offset', () => {
    const h = new History();
    h.poll('c1', r(0, 0, 'a'));
    h.send('p1', 0, 1, 'b');
    h.poll('c2', r(0, 2, 'c'));
    const step = h.poll('c1', r(0, 2, 'c'));
    const found = only(check(h.ops), 'poll-skip');
    expect(found).toMatchObject([
      { step, nodes: ['c1', 'p1'], values: { topic: 'orders', partition: 0, from: 0, to: 2, skipped: 1, value: 'b', skipStep: step } },
    ]);
    expect(found[0]!.message).toBe("c1 jumped from orders/0 offset 0 to offset 2, skipping offset 1; offset 1 holds 'b' (acknowledged to p1 at step 3)");
  });

  it('reports a jump inside one poll over an offset another consumer got', () => {
    const h = new History();
    h.poll('c2', r(0, 2, 'c'));
    const step = h.poll('c1', r(0, 0, 'a'), r(0, 1, 'b'), r(0, 3, 'd'));
    expect(only(check(h.ops), 'poll-skip')).toMatchObject([{ step, nodes: ['c1', 'c2'], values: { from: 1, to: 3, skipped: 2, value: 'c' } }]);
  });

  it('reports a skip when the skipped offset shows up only later, at the step that shows it', () => {
    const h = new History();
    const skip = h.poll('c1', r(0, 0, 'a'), r(0, 4, 'e'));
    expect(only(check(h.ops), 'poll-skip')).toEqual([]);
    const step = h.send('p1', 0, 2, 'c');
    h.send('p1', 0, 3, 'd');
    const found = only(check(h.ops), 'poll-skip');
    expect(found).toMatchObject([{ step, nodes: ['c1', 'p1'], values: { from: 0, to: 4, skipped: 2, skipStep: skip } }]);
    expect(found[0]!.message).toBe(
      `c1 jumped from orders/0 offset 0 to offset 4 in the poll at step ${skip}, skipping offsets 1..3; offset 2 holds 'c' (acknowledged to p1 at step ${step})`,
    );
  });

  it('still judges skips across an assign of another topic or a seek of another partition', () => {
    const h = new History();
    h.send('p1', 0, 1, 'b');
    h.poll('c1', r(0, 0, 'a'));
    h.seek('c1', 1, 0);
    h.assign('c1', [0], 'audit');
    const step = h.poll('c1', r(0, 2, 'c'));
    expect(only(check(h.ops), 'poll-skip')).toMatchObject([{ step, nodes: ['c1', 'p1'] }]);
  });
});

describe('key-partition', () => {
  it('accepts a key in one partition per topic, and null keys anywhere', () => {
    const h = new History();
    h.send('p1', 0, 0, 'a', { key: 'k1' });
    h.send('p1', 1, 0, 'b', { key: null });
    h.send('p2', 2, 0, 'c', { key: 'k1', topic: 'audit' });
    h.poll('c1', r(0, 0, 'a', 'k1'), r(1, 0, 'b'), r(0, 1, 'd', null), r(2, 0, 'c', 'k1', 'audit'));
    expect(check(h.ops)).toEqual([]);
  });

  it('reports a key acknowledged in one partition and polled from another', () => {
    const h = new History();
    h.send('p1', 0, 0, 'a', { key: 'k1' });
    const step = h.poll('c1', r(1, 0, 'b', 'k1'));
    const found = only(check(h.ops), 'key-partition');
    expect(found).toMatchObject([{ step, nodes: ['p1', 'c1'], values: { topic: 'orders', key: 'k1', partitions: [0, 1], offsets: [0, 0] } }]);
    expect(found[0]!.message).toBe("key 'k1' of topic orders is in partition 0 (offset 0, seen by p1 at step 1) and in partition 1 (offset 0, seen by c1)");
  });
});

describe('producer-order', () => {
  it('accepts pipelined sends acknowledged out of order, other producers and other partitions', () => {
    const h = new History();
    const a = h.sendInvoke('p1', 'a');
    const b = h.sendInvoke('p1', 'b');
    const c = h.sendInvoke('p1', 'c');
    const x = h.sendInvoke('p2', 'x');
    const f = h.sendInvoke('p1', 'f');
    h.sendOk(x, 0, 0);
    h.sendOk(c, 0, 3);
    h.sendOk(b, 1, 0);
    h.sendOk(a, 0, 1);
    h.end('p1', 'send', f.id, 'fail');
    h.send('p1', 0, 4, 'd');
    h.poll('c1', r(0, 0, 'x'), r(0, 1, 'a'), r(0, 2, 'e'), r(0, 3, 'c'), r(0, 4, 'd'), r(1, 0, 'b'));
    expect(check(h.ops)).toEqual([]);
  });

  it('reports a later send that landed below an earlier one, acknowledged first', () => {
    const h = new History();
    const a = h.sendInvoke('p1', 'a');
    const b = h.sendInvoke('p1', 'b');
    h.sendOk(b, 0, 4);
    const step = h.sendOk(a, 0, 5);
    const found = only(check(h.ops, false), 'producer-order');
    expect(found).toMatchObject([
      {
        step,
        nodes: ['p1'],
        values: { topic: 'orders', partition: 0, first: { value: 'a', invokeStep: 0, offset: 5 }, second: { value: 'b', invokeStep: 1, offset: 4 } },
      },
    ]);
    expect(found[0]!.message).toBe("p1 sent 'a' (invoked at step 0) before 'b' (invoked at step 1) to orders/0, but they landed at offsets 5 and 4");
  });

  it('reports a later send that landed below an earlier one, acknowledged in order', () => {
    const h = new History();
    h.send('p1', 0, 5, 'a');
    const step = h.send('p1', 0, 3, 'b');
    h.send('p1', 0, 6, 'c');
    expect(only(check(h.ops), 'producer-order')).toMatchObject([{ step, nodes: ['p1'], values: { first: { value: 'a' }, second: { value: 'b' } } }]);
  });
});

describe('the history checkers together', () => {
  it('lists the twenty checkers with a statement and a source', () => {
    expect(HISTORY_CHECKERS.map((c) => c.name)).toEqual([
      'lost-write',
      'duplicate',
      'inconsistent-offset',
      'nonmonotonic-poll',
      'poll-skip',
      'key-partition',
      'producer-order',
      'dirty-read',
      'double-assignment',
      'stale-generation-commit',
      'committed-offset-regression',
      'at-least-once',
      'compaction-last-value',
      'compaction-order',
      'offsets-stable',
      'tombstone-visible',
      'aborted-read',
      'precommitted-read',
      'torn-transaction',
      'exactly-once',
      'unauthorized-access',
    ]);
    for (const c of HISTORY_CHECKERS) {
      expect(c.statement).toMatch(/\.$/);
      expect(c.source.length).toBeGreaterThan(10);
    }
  });

  it('turns client trace events into history ops and ignores the rest', () => {
    expect(historyOpFromTrace(7, 'p1', { kind: 'client', op: 'send', type: 'invoke', id: 3, value: { topic: 't' } })).toEqual({
      process: 'p1',
      op: 'send',
      type: 'invoke',
      id: 3,
      value: { topic: 't' },
      step: 7,
    });
    expect(historyOpFromTrace(8, 'p1', { kind: 'client', op: 'send', type: 'fail', id: 3, error: 'NOT_ENOUGH_REPLICAS' })).toEqual({
      process: 'p1',
      op: 'send',
      type: 'fail',
      id: 3,
      error: 'NOT_ENOUGH_REPLICAS',
      step: 8,
    });
    expect(historyOpFromTrace(9, 'b1', { kind: 'raft-append', offset: 0, entries: [] })).toBeNull();
    expect(historyOpFromTrace(9, null, { kind: 'client', op: 'poll', type: 'ok', id: 1 })).toBeNull();
    // What a trace file may hold, whatever the schema says.
    expect(historyOpFromTrace(9, 'c1', { kind: 'client', op: 'poll', type: 'maybe', id: 1 } as unknown as ObservedEvent)).toBeNull();
  });

  it('reads a trace, skips other clients’ ops, and counts malformed values', () => {
    const found: string[] = [];
    const checkers = new HistoryCheckers((info) => () => found.push(info.name));
    checkers.observeTrace(0, 'admin', { kind: 'client', op: 'create-topics', type: 'ok', id: 0, value: ['orders'] });
    checkers.observeTrace(1, 'p1', { kind: 'client', op: 'send', type: 'ok', id: 0, value: { topic: 'orders' } });
    checkers.observeTrace(2, 'c1', { kind: 'client', op: 'poll', type: 'ok', id: 0, value: { records: [['orders', 0, 'x', null, 'a']] } });
    checkers.observeTrace(3, 'c1', { kind: 'note', text: 'not a client op' });
    checkers.finish();
    expect(found).toEqual([]);
    expect(checkers.malformed).toBe(2);
  });

  it('reports only once per finding when finish is called twice', () => {
    const h = new History();
    h.send('p1', 0, 0, 'a');
    const found: string[] = [];
    const checkers = new HistoryCheckers((info) => () => found.push(info.name));
    for (const op of h.ops) checkers.observe(op);
    checkers.finish();
    checkers.finish();
    expect(found).toEqual(['lost-write']);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties: histories a correct broker produces.

interface Shape {
  /** Partition count of each topic. */
  topics: number[];
  producers: number;
  consumers: number;
}

type Command = [kind: number, a: number, b: number];

interface Pending {
  id: number;
  topic: string;
  partition: number;
  key: string | null;
  value: string;
  acks: 0 | 1 | -1;
  offset: number | null;
}

const ACKS = [-1, 1, 0] as const;

/**
 * A correct broker and its clients: producers pipeline sends that the broker appends in each
 * producer's order (dense offsets per partition) and acknowledges in any order; consumers poll
 * contiguous ranges from their positions, seek and re-assign now and then; at the end every
 * pending send is settled and a final consumer drains every partition from offset 0.
 */
function correctHistory(shape: Shape, commands: Command[]): HistoryOp[] {
  const h = new History();
  const topics = shape.topics.map((partitions, i) => ({ name: `t${i}`, partitions }));
  const logs = new Map<string, Array<{ key: string | null; value: string }>>();
  const log = (topic: string, partition: number) => {
    const k = `${topic}/${partition}`;
    let l = logs.get(k);
    if (l === undefined) logs.set(k, (l = []));
    return l;
  };
  const producers = Array.from({ length: shape.producers }, (_, i) => ({ name: `p${i + 1}`, pending: [] as Pending[] }));
  const consumers = Array.from({ length: shape.consumers }, (_, i) => ({
    name: `c${i + 1}`,
    topic: topics[i % topics.length]!,
    positions: new Map<number, number>(),
    polling: null as number | null,
  }));
  type Consumer = (typeof consumers)[number];
  let next = 0;

  const append = (s: Pending) => {
    const l = log(s.topic, s.partition);
    s.offset = l.length;
    l.push({ key: s.key, value: s.value });
  };
  const settle = (producer: string, s: Pending, type: 'ok' | 'info') => {
    const value = { topic: s.topic, key: s.key, value: s.value, acks: s.acks, partition: s.partition, offset: s.acks === 0 ? -1 : s.offset };
    h.end(producer, 'send', s.id, type, type === 'ok' ? value : undefined);
  };
  const assign = (c: Consumer, start: (partition: number, length: number) => number) => {
    const partitions = Array.from({ length: c.topic.partitions }, (_, p) => p);
    h.assign(c.name, partitions, c.topic.name);
    for (const p of partitions) c.positions.set(p, start(p, log(c.topic.name, p).length));
  };
  const pollOk = (c: Consumer, id: number, max: number) => {
    const records: PollRecord[] = [];
    for (const [p, pos] of c.positions) {
      const l = log(c.topic.name, p);
      const n = Math.min(l.length - pos, max);
      for (let i = 0; i < n; i++) records.push([c.topic.name, p, pos + i, l[pos + i]!.key, l[pos + i]!.value]);
      c.positions.set(p, pos + Math.max(n, 0));
    }
    h.pollOk(c.name, id, ...records);
  };

  for (const c of consumers) assign(c, () => 0);
  for (const [kind, a, b] of commands) {
    const p = producers[a % producers.length]!;
    const c = consumers[a % consumers.length]!;
    switch (kind) {
      case 0:
      case 1: {
        const topic = topics[b % topics.length]!;
        const k = (a + b) % 6;
        const key = k === 0 ? null : `k${k}`;
        const partition = key === null ? b % topic.partitions : k % topic.partitions;
        const value = `v${next++}`;
        const s = h.sendInvoke(p.name, value, { topic: topic.name, key, acks: ACKS[(a * 7 + b) % 3]! });
        p.pending.push({ id: s.id, topic: topic.name, partition, key, value, acks: s.invoke.acks, offset: null });
        break;
      }
      case 2:
      case 3: {
        const s = p.pending.find((x) => x.offset === null);
        if (s !== undefined) append(s);
        break;
      }
      case 4: {
        if (p.pending.length === 0) break;
        const i = b % p.pending.length;
        const s = p.pending[i]!;
        p.pending.splice(i, 1);
        if (s.offset === null) h.end(p.name, 'send', s.id, b % 3 === 0 ? 'info' : 'fail');
        else settle(p.name, s, b % 5 === 0 ? 'info' : 'ok');
        break;
      }
      case 5:
      case 6:
        if (c.polling === null) c.polling = h.pollInvoke(c.name);
        else {
          pollOk(c, c.polling, 1 + (b % 4));
          c.polling = null;
        }
        break;
      case 7: {
        if (c.polling !== null) break;
        const partition = b % c.topic.partitions;
        const offset = (a + b) % (log(c.topic.name, partition).length + 1);
        h.seek(c.name, partition, offset, c.topic.name);
        c.positions.set(partition, offset);
        break;
      }
      case 8:
        if (c.polling === null) assign(c, (partition, length) => (a + b + partition) % (length + 1));
        break;
    }
  }
  // Settle everything: unwritten sends are written now (in each producer's order) and acknowledged.
  for (const p of producers) {
    for (const s of p.pending) if (s.offset === null) append(s);
    for (const s of p.pending) settle(p.name, s, 'ok');
  }
  for (const c of consumers) if (c.polling !== null) pollOk(c, c.polling, 3);
  const drain = { name: 'drain', topic: topics[0]!, positions: new Map<number, number>(), polling: null };
  for (const topic of topics) {
    drain.topic = topic;
    assign(drain, () => 0);
    while ([...drain.positions].some(([p, pos]) => pos < log(topic.name, p).length)) pollOk(drain, h.pollInvoke('drain'), 5);
  }
  return h.ops;
}

const shapes = fc.record({
  topics: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 2 }),
  producers: fc.integer({ min: 1, max: 3 }),
  consumers: fc.integer({ min: 1, max: 3 }),
});
const commandLists = fc.array(fc.tuple(fc.nat(8), fc.nat(99), fc.nat(99)), { minLength: 20, maxLength: 150 });

const acknowledgedValues = (ops: HistoryOp[]) =>
  ops.flatMap((op) => {
    const v = op.value as { acks?: number; value?: string } | undefined;
    return op.op === 'send' && op.type === 'ok' && v?.acks !== 0 ? [v!.value!] : [];
  });

describe('history checker properties', () => {
  test.prop([shapes, commandLists], { numRuns: 200 })('a correct broker’s history has no violations', (shape, commands) => {
    const ops = correctHistory(shape, commands);
    expect(check(ops).map((v) => `${v.name}: ${v.message}`)).toEqual([]);
  });

  test.prop([shapes, commandLists, fc.nat()], { numRuns: 200 })(
    'an acknowledged value removed from every poll is reported by lost-write',
    (shape, commands, pick) => {
      const ops = correctHistory(shape, commands);
      const acked = acknowledgedValues(ops);
      fc.pre(acked.length > 0);
      const lost = acked[pick % acked.length]!;
      const without = ops.map((op) =>
        op.op === 'poll' && op.type === 'ok'
          ? { ...op, value: { records: (op.value as { records: PollRecord[] }).records.filter((rec) => rec[4] !== lost) } }
          : op,
      );
      expect(check(ops)).toEqual([]);
      const found = only(check(without), 'lost-write');
      expect(found.map((v) => v.values['value'])).toEqual([lost]);
    },
  );

  test.prop([shapes, commandLists, fc.nat()], { numRuns: 200 })(
    'two offsets whose values are swapped in one poll are reported by inconsistent-offset',
    (shape, commands, pick) => {
      const ops = correctHistory(shape, commands);
      const acked = new Set(acknowledgedValues(ops));
      const candidates: Array<[op: number, i: number, j: number]> = [];
      ops.forEach((op, k) => {
        if (op.op !== 'poll' || op.type !== 'ok') return;
        const records = (op.value as { records: PollRecord[] }).records;
        for (let i = 0; i + 1 < records.length; i++) {
          const [a, b] = [records[i]!, records[i + 1]!];
          if (a[0] === b[0] && a[1] === b[1] && acked.has(a[4]!) && acked.has(b[4]!)) candidates.push([k, i, i + 1]);
        }
      });
      fc.pre(candidates.length > 0);
      const [k, i, j] = candidates[pick % candidates.length]!;
      const records = [...(ops[k]!.value as { records: PollRecord[] }).records];
      const [a, b] = [records[i]!, records[j]!];
      records[i] = [a[0], a[1], a[2], b[3], b[4]];
      records[j] = [b[0], b[1], b[2], a[3], a[4]];
      const swapped = ops.map((op, n) => (n === k ? { ...op, value: { records } } : op));
      const found = only(check(swapped), 'inconsistent-offset');
      expect(found.map((v) => v.values['offset']).sort()).toEqual([a[2], b[2]].sort());
    },
  );
});
