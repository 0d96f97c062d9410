// dirty-read, and lost-write's accounting of dirty reads, on hand-made traces: the replicas' events
// (appends, high watermarks, roles) and the clients' history, fed to the checker suite in order.
// Also how lost-write, at-least-once and the partition checkers treat records below a traced log
// start (retention, DeleteRecords): exempt exactly where they were committed when they went.
// A poll of a record at or above every high watermark reported by then is a dirty read, even when
// the producer's retries later fill the offset with the same value; a record read below it is not.
import { beforeEach, describe, expect, it } from 'vitest';
import type { NodeId } from '../../core/env.ts';
import type { ObservedEvent } from '../../core/trace/schema.ts';
import { CheckerSuite } from '../../models/checker-suite.ts';
import { HistoryCheckers } from '../../models/history/history-checkers.ts';
import type { PollRecord } from '../../models/history/op-values.ts';

type Batch = [number, number, number, number];

const at0 = { topic: 'orders', partition: 0 };
const batch = (base: number, last = base, epoch = 0, hash = 1_000 * (epoch + 1) + base): Batch => [base, last, epoch, hash];

let suite: CheckerSuite;
let step: number;
const ids = new Map<NodeId, number>();

/** One kernel step on `node`: its events, then the step-end checks. Returns the step. */
function on(node: NodeId, ...events: ObservedEvent[]): number {
  const s = step++;
  for (const e of events) suite.observe(s, node, e);
  suite.endStep(s);
  return s;
}

const role = (node: NodeId, r: 'leader' | 'follower', leader: NodeId, leaderEpoch: number) =>
  on(node, { kind: 'partition-role', ...at0, role: r, leader, leaderEpoch });
const append = (node: NodeId, ...batches: Batch[]) => on(node, { kind: 'partition-append', ...at0, batches });
const truncate = (node: NodeId, endOffset: number) => on(node, { kind: 'partition-truncate', ...at0, endOffset });
const logStart = (node: NodeId, logStartOffset: number, cause: 'retention' | 'delete-records' | 'leader') =>
  on(node, { kind: 'partition-log-start', ...at0, logStartOffset, cause });
const hw = (node: NodeId, highWatermark: number, r: 'leader' | 'follower', leaderEpoch: number) =>
  on(node, { kind: 'partition-hw', ...at0, highWatermark, role: r, leaderEpoch, exposed: r === 'leader' });

function client(node: NodeId, op: string, value?: unknown): number {
  const id = ids.get(node) ?? 0;
  ids.set(node, id + 1);
  on(node, { kind: 'client', op, type: 'invoke', id, ...(op === 'poll' ? {} : { value }) });
  return on(node, { kind: 'client', op, type: 'ok', id, value });
}
/** A send acknowledged at `offset`; returns the step of the acknowledgement. */
const send = (value: string, offset: number, acks: 1 | -1 = -1) => client('p1', 'send', { topic: 'orders', key: null, value, acks, partition: 0, offset });
const rec = (offset: number, value: string): PollRecord => ['orders', 0, offset, null, value];
const poll = (consumer: NodeId, ...records: PollRecord[]) => client(consumer, 'poll', { records });
const seek = (consumer: NodeId, offset: number) => client(consumer, 'seek', { topic: 'orders', partition: 0, offset, reason: 'truncation' });

const found = (name: string) => suite.violations.filter((v) => v.name === name);

/** b1 leads epoch 0 with b2 following; offsets 0-2 are committed on both (high watermark 3). */
function committedStart(): void {
  role('b1', 'leader', 'b1', 0);
  role('b2', 'follower', 'b1', 0);
  append('b1', batch(0, 1), batch(2));
  append('b2', batch(0, 1), batch(2));
  hw('b1', 3, 'leader', 0);
  hw('b2', 3, 'follower', 0);
}

/** b1 appends offsets 3-4 that b2 never gets; b2 takes over in epoch 1 and b1 truncates them. */
function uncommittedTailLost(): void {
  append('b1', batch(3, 4));
  role('b2', 'leader', 'b2', 1);
  role('b1', 'follower', 'b2', 1);
  truncate('b1', 3);
}

beforeEach(() => {
  suite = new CheckerSuite();
  step = 0;
  ids.clear();
});

describe('dirty-read', () => {
  it('accepts polls of committed records, below the high watermark', () => {
    committedStart();
    poll('c1', rec(0, 'v0'), rec(1, 'v1'), rec(2, 'v2'));
    suite.finish(true);
    expect(suite.violations).toEqual([]);
  });

  it('reports a poll above the high watermark, even when retries refill the offsets with the same values', () => {
    committedStart();
    uncommittedTailLost();
    // The consumer read b1's tail before the failover (b1 still served it)...
    const dirty = poll('c1', rec(3, 'v3'), rec(4, 'v4'));
    // ...and after it the producer's retries land at the same offsets with the same values.
    append('b2', batch(3, 4, 1));
    append('b1', batch(3, 4, 1));
    hw('b2', 5, 'leader', 1);
    send('v3', 3);
    send('v4', 4);
    seek('c1', 3);
    poll('c1', rec(3, 'v3'), rec(4, 'v4'));
    suite.finish(true);
    expect(suite.tripped()).toEqual(['dirty-read']);
    const [v] = found('dirty-read');
    expect(v).toMatchObject({
      step: dirty,
      nodes: ['c1'],
      values: { topic: 'orders', partition: 0, firstOffset: 3, lastOffset: 4, records: 2, highWatermark: 3 },
    });
  });

  it('reports two polls that got different records at one offset, read below the high watermark', () => {
    committedStart();
    // b2 takes over in epoch 1 without b1's offsets 3-4 and commits other records there...
    append('b1', batch(3, 4));
    role('b2', 'leader', 'b2', 1);
    append('b2', batch(3, 4, 1));
    hw('b2', 5, 'leader', 1);
    // ...while b1, cut off, still serves its own (above its high watermark of 3, below b2's 5).
    poll('c1', rec(3, 'x3'));
    const second = poll('c2', rec(3, 'v3'));
    suite.finish(false);
    expect(suite.tripped()).toContain('dirty-read');
    const [v] = found('dirty-read');
    expect(v).toMatchObject({ step: second, nodes: ['c1', 'c2'], values: { offset: 3, values: ['x3', 'v3'] } });
  });

  it('does not blame reads for committed records a leader lost (an unclean election)', () => {
    committedStart();
    poll('c1', rec(2, 'v2'));
    // b3, outside the ISR and without offset 2, is elected and writes other records there.
    append('b3', batch(0, 1));
    role('b3', 'leader', 'b3', 1);
    append('b3', batch(2, 2, 1));
    hw('b3', 3, 'leader', 1);
    poll('c2', rec(2, 'w2'));
    suite.finish(false);
    expect(found('dirty-read')).toEqual([]);
    expect(suite.tripped()).toContain('leader-completeness');
  });

  it('judges only different records at one offset in a black-box history (no replica events)', () => {
    const reported: string[] = [];
    const checkers = new HistoryCheckers((info) => () => reported.push(info.name));
    const op = (process: string, type: 'invoke' | 'ok', id: number, s: number, value?: unknown) =>
      checkers.observe({ process, op: 'poll', type, id, step: s, ...(value === undefined ? {} : { value }) });
    op('c1', 'invoke', 0, 0);
    op('c1', 'ok', 0, 1, { records: [rec(7, 'a')] });
    expect(reported).toEqual([]);
    op('c2', 'invoke', 0, 2);
    op('c2', 'ok', 0, 3, { records: [rec(7, 'b')] });
    expect(reported).toContain('dirty-read');
  });
});

describe('lost-write with dirty reads', () => {
  it('does not count a dirty read of a write that was then lost as returning it', () => {
    committedStart();
    // An acks=1 write on b1 alone, read uncommitted, lost with b1's tail; b2 writes another value there.
    append('b1', batch(3));
    send('a3', 3, 1);
    poll('c1', rec(3, 'a3'));
    role('b2', 'leader', 'b2', 1);
    role('b1', 'follower', 'b2', 1);
    truncate('b1', 3);
    append('b2', batch(3, 3, 1));
    append('b1', batch(3, 3, 1));
    hw('b2', 4, 'leader', 1);
    send('b3', 3);
    seek('c1', 3);
    poll('c1', rec(3, 'b3'));
    suite.finish(true);
    const lost = found('lost-write');
    expect(lost).toHaveLength(1);
    expect(lost[0]).toMatchObject({ nodes: ['p1'], values: { value: 'a3', offset: 3, acks: 1, dirtyRead: true } });
    expect(suite.tripped()).toEqual(expect.arrayContaining(['dirty-read', 'inconsistent-offset', 'lost-write']));
  });

  it('counts a dirty read of a write that ended up committed at that offset', () => {
    committedStart();
    append('b1', batch(3));
    send('a3', 3, 1);
    poll('c1', rec(3, 'a3'));
    append('b2', batch(3));
    hw('b1', 4, 'leader', 0);
    suite.finish(true);
    expect(suite.tripped()).toEqual(['dirty-read']);
  });

  it('counts a dirty read made before the acknowledgement, once the write is committed at that offset', () => {
    committedStart();
    append('b1', batch(3));
    poll('c1', rec(3, 'a3'));
    append('b2', batch(3));
    hw('b1', 4, 'leader', 0);
    send('a3', 3);
    poll('c1');
    suite.finish(true);
    expect(suite.tripped()).toEqual(['dirty-read']);
  });
});

describe('records deleted below a log start', () => {
  it('are no lost writes where they were committed when deleted; an unread write above the log start still is', () => {
    committedStart();
    send('a0', 0);
    send('a1', 1);
    send('a2', 2);
    logStart('b1', 3, 'retention');
    logStart('b2', 3, 'leader');
    append('b1', batch(3));
    append('b2', batch(3));
    hw('b1', 4, 'leader', 0);
    send('a3', 3);
    suite.finish(true);
    expect(suite.violations.map((v) => [v.name, v.values['offset']])).toEqual([['lost-write', 3]]);
    // The partition checkers hold nothing below the log start against the replicas.
    hw('b2', 4, 'follower', 0);
    expect(suite.tripped()).toEqual(['lost-write']);
  });

  it('a log start past the high watermark (the bug retention-past-hw) exempts only what was committed then, even after later legitimate moves', () => {
    committedStart();
    append('b1', batch(3, 4));
    logStart('b1', 5, 'retention'); // records 3-4 were never committed
    logStart('b2', 5, 'leader'); // b2 starts its log at its leader's log start
    hw('b1', 5, 'leader', 0);
    send('a3', 3);
    send('a4', 4);
    append('b1', batch(5, 6));
    append('b2', batch(5, 6));
    hw('b1', 7, 'leader', 0);
    hw('b2', 7, 'follower', 0);
    logStart('b1', 7, 'delete-records');
    logStart('b2', 7, 'leader');
    suite.finish(true);
    expect(found('lost-write').map((v) => v.values['offset'])).toEqual([3, 4]);
  });

  it('are not records a group had to process (at-least-once), where they were committed when deleted', () => {
    committedStart();
    client('c1', 'subscribe', { group: 'g1', topics: ['orders'] });
    client('c1', 'assignment', { group: 'g1', generation: 1, member: 'c1-m', partitions: [['orders', 0]] });
    client('c1', 'seek', { topic: 'orders', partition: 0, offset: 0, reason: 'auto.offset.reset' });
    send('a0', 0);
    send('a1', 1);
    send('a2', 2);
    logStart('b1', 2, 'delete-records');
    logStart('b2', 2, 'leader');
    client('c1', 'seek', { topic: 'orders', partition: 0, offset: 2, reason: 'offset-out-of-range' });
    poll('c1', rec(2, 'a2'));
    suite.finish(true);
    expect(suite.violations).toEqual([]);
    // Without the deletion the group would have missed 0 and 1.
    suite = new CheckerSuite();
    step = 0;
    ids.clear();
    committedStart();
    client('c1', 'subscribe', { group: 'g1', topics: ['orders'] });
    client('c1', 'assignment', { group: 'g1', generation: 1, member: 'c1-m', partitions: [['orders', 0]] });
    client('c1', 'seek', { topic: 'orders', partition: 0, offset: 0, reason: 'auto.offset.reset' });
    send('a0', 0);
    send('a1', 1);
    send('a2', 2);
    client('c1', 'seek', { topic: 'orders', partition: 0, offset: 2 });
    poll('c1', rec(2, 'a2'));
    suite.finish(true);
    expect(found('at-least-once').map((v) => v.values['offsets'])).toEqual([[0, 1]]);
  });
});
