// The compaction checkers (compaction-last-value, compaction-order, offsets-stable,
// tombstone-visible) on hand-made histories of a compacted topic: each stays quiet on what a
// correct cleaner leaves and reports the anomaly it exists for; and the older history checkers
// (lost-write, poll-skip, at-least-once) leave alone exactly what compaction may remove.
import { describe, expect, it } from 'vitest';
import type { TopicPolicies } from '../../models/history/history-checkers.ts';
import type { Violation } from '../../models/violation.ts';
import { check, History, r } from './history-builder.ts';

const RETENTION = 10_000;
/** `orders` is compacted (delete.retention.ms 10 s); `plain` is not. */
const TOPICS: TopicPolicies = (topic) => ({ compacted: topic === 'orders', deleteRetentionMs: RETENTION });

const run = (h: History) => check(h.ops, true, TOPICS);
const names = (vs: Violation[]) => [...new Set(vs.map((v) => v.name))].sort();
const only = (vs: Violation[], name: string) => vs.filter((v) => v.name === name);

/**
 * p1 writes to orders/0: k1=a@0, k2=b@1, k1=c@2, k3=d@3, k2=e@4 (each key's last: k1=c@2, k3=d@3,
 * k2=e@4); c1 keeps up, reading all five as they come.
 */
function written(h = new History(), topic = 'orders'): History {
  h.at(0);
  const writes: Array<[string, string]> = [
    ['k1', 'a'],
    ['k2', 'b'],
    ['k1', 'c'],
    ['k3', 'd'],
    ['k2', 'e'],
  ];
  writes.forEach(([key, value], offset) => h.send('p1', 0, offset, value, { key, topic }));
  h.seek('c1', 0, 0, topic);
  h.poll('c1', ...writes.map(([key, value], offset) => r(0, offset, value, key, topic)));
  return h;
}

/** A second consumer reading orders/0 from the log start after a clean, getting `records` ([offset, key, value]). */
function reread(h: History, records: Array<[number, string, string | null]>, topic = 'orders', consumer = 'c2'): number {
  h.seek(consumer, 0, 0, topic);
  return h.poll(consumer, ...records.map(([offset, key, value]) => r(0, offset, value, key, topic)));
}

describe('compaction-last-value', () => {
  it('accepts a read from the log start after a clean: superseded records gone, every last value at its offset', () => {
    const h = written();
    reread(h, [
      [2, 'k1', 'c'],
      [3, 'k3', 'd'],
      [4, 'k2', 'e'],
    ]);
    expect(run(h)).toEqual([]);
  });

  it("reports a read that passed a key's last value and got the one before (a cleaner that drops last values)", () => {
    const h = written();
    // k1's last value c@2 is gone; a@0, superseded, survived.
    reread(h, [
      [0, 'k1', 'a'],
      [3, 'k3', 'd'],
      [4, 'k2', 'e'],
    ]);
    const found = only(run(h), 'compaction-last-value');
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ nodes: ['p1', 'c2'], values: { key: 'k1', value: 'c', offset: 2, consumer: 'c2', readFrom: 0, readTo: 4, got: null } });
    expect(found[0]!.message).toMatch(/last acknowledged write of key 'k1' to orders\/0, 'c' at offset 2 .* is not in c2's read from offset 0/);
  });

  it('reports a last value read at another offset than its own', () => {
    const h = written();
    reread(h, [
      [2, 'k3', 'd'],
      [3, 'k1', 'c'],
      [4, 'k2', 'e'],
    ]);
    const found = only(run(h), 'compaction-last-value');
    expect(found.map((v) => v.values['key'])).toEqual(['k1', 'k3']);
    expect(found[0]).toMatchObject({ values: { offset: 2, got: 'd', movedTo: 3 } });
  });

  it('judges only reads that start at or below the offset and go beyond it, and only acknowledged values', () => {
    const h = written();
    // c2 starts at 3 (a committed offset, say): k1's c@2 is not its to read. c3 stops at 1.
    h.seek('c2', 0, 3);
    h.poll('c2', r(0, 3, 'd', 'k3'), r(0, 4, 'e', 'k2'));
    h.seek('c3', 0, 0);
    h.poll('c3', r(0, 1, 'b', 'k2'));
    // k4's last write f@5 was never acknowledged: not judged.
    const f = h.sendInvoke('p1', 'f', { key: 'k4' });
    h.end('p1', 'send', f.id, 'info');
    h.poll('c1', r(0, 5, 'f', 'k4'));
    h.send('p1', 0, 6, 'z', { key: 'k9' });
    reread(
      h,
      [
        [2, 'k1', 'c'],
        [3, 'k3', 'd'],
        [4, 'k2', 'e'],
        [6, 'k9', 'z'],
      ],
      'orders',
      'c4',
    );
    expect(only(run(h), 'compaction-last-value')).toEqual([]);
  });

  it('leaves a key whose last write is a tombstone to tombstone-visible, and topics that are not compacted alone', () => {
    const h = written();
    h.send('p1', 0, 5, null, { key: 'k3' });
    h.at(RETENTION * 2);
    reread(h, [
      [2, 'k1', 'c'],
      [4, 'k2', 'e'],
      [6, 'k5', 'g'],
    ]);
    h.send('p1', 0, 6, 'g', { key: 'k5' });
    expect(run(h)).toEqual([]);
    const plain = written(new History(), 'plain');
    reread(
      plain,
      [
        [0, 'k1', 'a'],
        [4, 'k2', 'e'],
      ],
      'plain',
    );
    expect(names(run(plain))).toEqual(['poll-skip']);
  });
});

describe('compaction-order', () => {
  it('accepts reads whose values come in written order, gaps and all, and a seek back between two reads', () => {
    const h = written();
    reread(h, [
      [2, 'k1', 'c'],
      [4, 'k2', 'e'],
    ]);
    h.seek('c2', 0, 0);
    h.poll('c2', r(0, 2, 'c', 'k1'));
    expect(only(run(h), 'compaction-order')).toEqual([]);
  });

  it('reports a read that gets a value written after the next one it gets (survivors renumbered backwards)', () => {
    const h = written();
    const step = reread(h, [
      [2, 'k2', 'e'],
      [3, 'k3', 'd'],
      [4, 'k1', 'c'],
    ]);
    const found = only(run(h), 'compaction-order');
    expect(found).toHaveLength(2);
    expect(found[0]).toMatchObject({
      step,
      nodes: ['c2'],
      values: { value: 'd', offset: 3, writtenAt: 3, previous: 'e', previousOffset: 2, previousWrittenAt: 4 },
    });
    expect(found[0]!.message).toBe(
      "c2 got 'd' (written at offset 3) at orders/0 offset 3, after 'e' (written at offset 4) at offset 2: read out of the order they were written",
    );
  });

  it('reports across polls, and forgets what a consumer read before it crashed', () => {
    const h = written();
    h.seek('c2', 0, 0);
    h.poll('c2', r(0, 4, 'e', 'k2'));
    h.poll('c2', r(0, 5, 'c', 'k1'));
    expect(only(run(h), 'compaction-order')).toHaveLength(1);
    const restarted = written();
    restarted.poll('c2', r(0, 4, 'e', 'k2'));
    restarted.crash('c2');
    restarted.poll('c2', r(0, 2, 'c', 'k1'));
    expect(only(run(restarted), 'compaction-order')).toEqual([]);
  });
});

describe('offsets-stable', () => {
  it('accepts every read holding the same record at each offset it returns', () => {
    const h = written();
    reread(h, [
      [2, 'k1', 'c'],
      [4, 'k2', 'e'],
    ]);
    expect(only(run(h), 'offsets-stable')).toEqual([]);
  });

  it('reports an offset that later holds another record, once', () => {
    const h = written();
    const step = reread(h, [
      [1, 'k1', 'c'],
      [2, 'k3', 'd'],
    ]);
    reread(h, [[1, 'k1', 'c']], 'orders', 'c3');
    const found = only(run(h), 'offsets-stable');
    expect(found).toHaveLength(2);
    expect(found[0]).toMatchObject({
      step,
      nodes: ['c1', 'c2'],
      values: {
        offset: 1,
        records: [
          ['k2', 'b'],
          ['k1', 'c'],
        ],
      },
    });
  });

  it('tells two tombstones of different keys at one offset apart (inconsistent-offset compares values only)', () => {
    const h = new History();
    h.send('p1', 0, 0, null, { key: 'k1' });
    h.poll('c1', r(0, 0, null, 'k1'));
    h.poll('c2', r(0, 0, null, 'k2'));
    expect(names(run(h))).toEqual(['offsets-stable']);
  });
});

describe('tombstone-visible', () => {
  /** p1 writes k1=a@0 at 0 ms, then k1's tombstone @1 at 1000 ms and k2=b@2. */
  function tombstoned(): History {
    const h = new History().at(0);
    h.send('p1', 0, 0, 'a', { key: 'k1' });
    h.at(1_000);
    h.send('p1', 0, 1, null, { key: 'k1' });
    h.send('p1', 0, 2, 'b', { key: 'k2' });
    return h;
  }

  it('accepts a consumer that passes the tombstone within delete.retention.ms and gets it', () => {
    const h = tombstoned().at(5_000);
    reread(h, [
      [1, 'k1', null],
      [2, 'k2', 'b'],
    ]);
    expect(run(h)).toEqual([]);
  });

  it('reports a consumer that passes it within delete.retention.ms without it (a tombstone deleted early)', () => {
    const h = tombstoned().at(5_000);
    reread(h, [[2, 'k2', 'b']]);
    const found = run(h);
    expect(names(found)).toEqual(['tombstone-visible']);
    expect(found[0]).toMatchObject({
      nodes: ['p1', 'c2'],
      values: { key: 'k1', offset: 1, sentAtMs: 1_000, passedAtMs: 5_000, visibleUntilMs: 1_000 + RETENTION, consumer: 'c2', readFrom: 0 },
    });
    expect(found[0]!.message).toMatch(
      /^p1's tombstone for key 'k1' at orders\/0 offset 1 \(sent at 1000 ms, .*\) was not returned to c2, whose read from offset 0 passed it at 5000 ms/,
    );
  });

  it('accepts a consumer that passes it only once delete.retention.ms has gone by, or that started beyond it', () => {
    const late = tombstoned().at(1_000 + RETENTION);
    reread(late, [[2, 'k2', 'b']]);
    expect(run(late)).toEqual([]);
    const beyond = tombstoned().at(2_000);
    beyond.seek('c2', 0, 2);
    beyond.poll('c2', r(0, 2, 'b', 'k2'));
    expect(run(beyond)).toEqual([]);
  });

  it('accepts a consumer that passes it after a later send of its key began (which supersedes it), but not one acknowledged below it', () => {
    const superseded = tombstoned().at(2_000);
    superseded.send('p1', 0, 3, 'c', { key: 'k1' });
    superseded.at(3_000);
    reread(superseded, [
      [2, 'k2', 'b'],
      [3, 'k1', 'c'],
    ]);
    expect(run(superseded)).toEqual([]);
    const below = new History().at(0);
    const early = below.sendInvoke('p2', 'x', { key: 'k1' });
    below.at(1_000);
    below.send('p1', 0, 1, null, { key: 'k1' });
    below.sendOk(early, 0, 0);
    below.send('p1', 0, 2, 'b', { key: 'k2' });
    below.at(3_000);
    reread(below, [[2, 'k2', 'b']]);
    expect(names(run(below))).toEqual(['tombstone-visible']);
  });

  it('judges nothing without times', () => {
    const h = new History();
    h.send('p1', 0, 0, null, { key: 'k1' });
    h.send('p1', 0, 1, 'b', { key: 'k2' });
    reread(h, [[1, 'k2', 'b']]);
    expect(run(h)).toEqual([]);
  });
});

describe('the older checkers on a compacted topic: what compaction may remove is not lost', () => {
  it('lost-write and poll-skip leave alone superseded records that a later read skips or that nobody read', () => {
    const h = new History().at(0);
    h.send('p1', 0, 0, 'a', { key: 'k1' });
    h.send('p1', 0, 1, 'b', { key: 'k1' });
    h.send('p1', 0, 2, 'c', { key: 'k2' });
    reread(h, [
      [1, 'k1', 'b'],
      [2, 'k2', 'c'],
    ]);
    expect(run(h)).toEqual([]);
    // The same history on a topic that is not compacted: a lost write, and a skip.
    const plain = new History().at(0);
    plain.send('p1', 0, 0, 'a', { key: 'k1', topic: 'plain' });
    plain.send('p1', 0, 1, 'b', { key: 'k1', topic: 'plain' });
    plain.send('p1', 0, 2, 'c', { key: 'k2', topic: 'plain' });
    plain.seek('c2', 0, 0, 'plain');
    plain.poll('c2', r(0, 1, 'b', 'k1', 'plain'), r(0, 2, 'c', 'k2', 'plain'));
    expect(names(run(plain))).toEqual(['lost-write']);
  });

  it('still report a record skipped before the write that superseded it began', () => {
    const h = new History().at(0);
    h.send('p1', 0, 0, 'a', { key: 'k1' });
    h.send('p1', 0, 1, 'c', { key: 'k2' });
    h.send('p1', 0, 2, 'd', { key: 'k3' });
    h.seek('c2', 0, 0);
    h.poll('c2', r(0, 0, 'a', 'k1'), r(0, 2, 'd', 'k3'));
    h.send('p1', 0, 3, 'b', { key: 'k2' });
    h.poll('c2', r(0, 3, 'b', 'k2'));
    expect(names(run(h))).toEqual(['lost-write', 'poll-skip']);
  });

  it("still report a key's last value skipped (it is never superseded), and leave skipped tombstones to tombstone-visible", () => {
    const h = written();
    reread(h, [
      [0, 'k1', 'a'],
      [3, 'k3', 'd'],
      [4, 'k2', 'e'],
    ]);
    expect(names(run(h))).toEqual(['compaction-last-value', 'poll-skip']);
    const t = new History().at(0);
    t.send('p1', 0, 0, null, { key: 'k1' });
    t.send('p1', 0, 1, 'b', { key: 'k2' });
    t.poll('c1', r(0, 0, null, 'k1'), r(0, 1, 'b', 'k2'));
    t.at(RETENTION * 3);
    reread(t, [[1, 'k2', 'b']]);
    expect(run(t)).toEqual([]);
  });

  it('at-least-once leaves alone superseded records and tombstones a group never processed', () => {
    const h = new History().at(0);
    h.subscribe('g1c');
    h.send('p1', 0, 0, 'a', { key: 'k1' });
    h.send('p1', 0, 1, null, { key: 'k2' });
    h.send('p1', 0, 2, 'b', { key: 'k1' });
    h.assignment('g1c', 1, [0]);
    h.start('g1c', 0, 0, 'auto.offset.reset');
    h.at(RETENTION * 3);
    h.poll('g1c', r(0, 2, 'b', 'k1'));
    expect(run(h)).toEqual([]);
    // Where nothing is compacted, the group missed two records.
    const none = check(h.ops, true, () => ({ compacted: false, deleteRetentionMs: RETENTION }));
    expect(only(none, 'at-least-once')).toMatchObject([{ values: { offsets: [0, 1] } }]);
  });
});
