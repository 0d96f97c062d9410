// The assign-mode consumer against fake brokers in a real Simulation: positions from
// auto.offset.reset, seeks, max.poll.records, OFFSET_OUT_OF_RANGE resets, leader changes with
// KIP-320 truncation detection, control batches, restarts, and the history each call records.

import { describe, expect, it } from 'vitest';
import type { Consumer, ConsumerRecord } from '../../core/client/consumer.ts';
import { ConsumerUsageError } from '../../core/client/consumer.ts';
import { ErrorCode } from '../../core/protocol/errors.ts';
import { ControlType, controlKey } from '../../core/protocol/records.ts';
import type { HistoryOp } from '../../models/history/types.ts';
import { clientWorld, expectWellFormed, type ClientWorld } from './helpers.ts';

const FAST = { 'fetch.max.wait.ms': 50 };

/** Polls `consumer` at `at`; the records returned are appended to `into`. */
function pollAt(w: ClientWorld, at: number, into: ConsumerRecord[], consumer = 'c1', maxRecords?: number): void {
  w.sim.at(at, () => w.withConsumer(consumer, (c, env) => into.push(...c.poll(env, maxRecords))));
}

function act(w: ClientWorld, at: number, action: (c: Consumer, env: Parameters<Parameters<ClientWorld['withConsumer']>[1]>[1]) => void, consumer = 'c1'): void {
  w.sim.at(at, () => w.withConsumer(consumer, action));
}

const offsets = (records: ConsumerRecord[]) => records.map((r) => r.offset);
const values = (records: ConsumerRecord[]) => records.map((r) => r.value);

/** The completed ops of one kind, with their outcome values, in history order. */
function completed(history: HistoryOp[], op: string, type = 'ok'): unknown[] {
  return history.filter((h) => h.op === op && h.type === type).map((h) => (type === 'ok' ? h.value : h.error));
}

/** A log of `n` records in batches of `batch` on orders/`partition`, values `${prefix}${offset}`. */
function fill(w: ClientWorld, n: number, batch = 4, partition = 0, prefix = 'v'): void {
  for (let start = 0; start < n; start += batch) {
    const base = w.cluster.endOffset('orders', partition);
    w.cluster.appendRecords(
      'orders',
      partition,
      Array.from({ length: Math.min(batch, n - start) }, (_, i) => `${prefix}${base + i}`),
    );
  }
}

describe('consumer: positions and auto.offset.reset', () => {
  it('earliest: starts at the log start and returns every record in order, then new ones', () => {
    const w = clientWorld();
    fill(w, 10);
    w.consumer('c1', { ...FAST, 'auto.offset.reset': 'earliest' });
    const got: ConsumerRecord[] = [];
    act(w, 10, (c, env) => c.assign(env, 'orders', [0]));
    pollAt(w, 100, got);
    w.sim.at(150, () => fill(w, 5, 5));
    pollAt(w, 400, got);
    w.sim.run(500);
    expect(offsets(got)).toEqual(Array.from({ length: 15 }, (_, i) => i));
    expect(values(got)).toEqual(Array.from({ length: 15 }, (_, i) => `v${i}`));
    expect(w.sim.nodeObject('c1') && (w.sim.nodeObject('c1') as Consumer).position('orders', 0)).toBe(15);
    expect(completed(w.history, 'assign')).toEqual([{ topic: 'orders', partitions: [0] }]);
    expect(completed(w.history, 'seek')).toEqual([{ topic: 'orders', partition: 0, offset: 0, reason: 'auto.offset.reset' }]);
    expect(w.cluster.received('ListOffsets').map((r) => r.msg.topics[0]!.partitions[0]!.timestamp)).toEqual([-2]);
    expectWellFormed(w.history);
  });

  it('latest (the default): starts at the end and returns only records written after', () => {
    const w = clientWorld();
    fill(w, 10);
    w.consumer('c1', FAST);
    const got: ConsumerRecord[] = [];
    act(w, 10, (c, env) => c.assign(env, 'orders', [0]));
    pollAt(w, 100, got);
    w.sim.at(150, () => fill(w, 3, 3));
    pollAt(w, 400, got);
    w.sim.run(500);
    expect(offsets(got)).toEqual([10, 11, 12]);
    expect(completed(w.history, 'seek')).toEqual([{ topic: 'orders', partition: 0, offset: 10, reason: 'auto.offset.reset' }]);
    const pollOks = completed(w.history, 'poll') as Array<{ records: unknown[] }>;
    expect(pollOks[0]!.records).toEqual([]);
    expect(pollOks[1]!.records).toEqual([
      ['orders', 0, 10, null, 'v10'],
      ['orders', 0, 11, null, 'v11'],
      ['orders', 0, 12, null, 'v12'],
    ]);
  });

  it('none: poll fails until the application seeks; then it starts exactly at the seek offset', () => {
    const w = clientWorld();
    fill(w, 10, 5);
    w.consumer('c1', { ...FAST, 'auto.offset.reset': 'none' });
    const got: ConsumerRecord[] = [];
    act(w, 10, (c, env) => c.assign(env, 'orders', [0]));
    pollAt(w, 100, got);
    act(w, 110, (c, env) => c.seek(env, 'orders', 0, 3));
    pollAt(w, 300, got);
    w.sim.run(400);
    expect(completed(w.history, 'poll', 'fail')).toEqual([expect.stringMatching(/NoOffsetForPartition: orders\/0/)]);
    // The first batch holds offsets 0-4: the records below the position are dropped.
    expect(offsets(got)).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect(w.cluster.received('ListOffsets')).toHaveLength(0);
    expect(completed(w.history, 'seek')).toEqual([{ topic: 'orders', partition: 0, offset: 3 }]);
    expectWellFormed(w.history);
  });

  it('seekToBeginning and seekToEnd move the position through ListOffsets and record the seek', () => {
    const w = clientWorld();
    fill(w, 6);
    w.consumer('c1', { ...FAST, 'auto.offset.reset': 'earliest' });
    const got: ConsumerRecord[] = [];
    act(w, 10, (c, env) => c.assign(env, 'orders', [0]));
    pollAt(w, 100, got);
    act(w, 110, (c, env) => c.seekToBeginning(env, 'orders', [0]));
    pollAt(w, 300, got);
    act(w, 310, (c, env) => c.seekToEnd(env, 'orders', [0]));
    w.sim.at(400, () => fill(w, 1, 1));
    pollAt(w, 600, got);
    w.sim.run(700);
    expect(offsets(got)).toEqual([0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5, 6]);
    expect(completed(w.history, 'seek')).toEqual([
      { topic: 'orders', partition: 0, offset: 0, reason: 'auto.offset.reset' },
      { topic: 'orders', partition: 0, offset: 0 },
      { topic: 'orders', partition: 0, offset: 6 },
    ]);
  });

  it('seekToTimestamp moves to the first record at or after the time, and to the end when none is', () => {
    const w = clientWorld();
    fill(w, 6);
    w.consumer('c1', { ...FAST, 'auto.offset.reset': 'latest' });
    const got: ConsumerRecord[] = [];
    act(w, 10, (c, env) => c.assign(env, 'orders', [0]));
    // fill() stamps every record at time 0.
    act(w, 100, (c, env) => c.seekToTimestamp(env, 'orders', [0], 0));
    pollAt(w, 300, got);
    act(w, 310, (c, env) => c.seekToTimestamp(env, 'orders', [0], 1));
    w.sim.at(400, () => fill(w, 1, 1));
    pollAt(w, 600, got);
    w.sim.run(700);
    expect(offsets(got)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(completed(w.history, 'seek')).toEqual([
      { topic: 'orders', partition: 0, offset: 6, reason: 'auto.offset.reset' },
      { topic: 'orders', partition: 0, offset: 0 },
      { topic: 'orders', partition: 0, offset: 6 },
    ]);
  });

  it('returns at most max.poll.records (or the lower maxRecords), in offset order per partition', () => {
    const w = clientWorld({ orders: 2 });
    fill(w, 300, 50, 0, 'a');
    fill(w, 300, 50, 1, 'b');
    w.consumer('c1', { ...FAST, 'auto.offset.reset': 'earliest', 'max.poll.records': 100 });
    const sizes: number[] = [];
    const got: ConsumerRecord[] = [];
    act(w, 10, (c, env) => c.assign(env, 'orders', [0, 1]));
    for (let i = 0; i < 12; i++) {
      w.sim.at(100 + i * 100, () =>
        w.withConsumer('c1', (c, env) => {
          const records = c.poll(env, i === 0 ? 30 : undefined);
          sizes.push(records.length);
          got.push(...records);
        }),
      );
    }
    w.sim.run(2000);
    expect(sizes[0]).toBe(30);
    expect(Math.max(...sizes)).toBe(100);
    for (const p of [0, 1]) expect(offsets(got.filter((r) => r.partition === p))).toEqual(Array.from({ length: 300 }, (_, i) => i));
  });

  it('assign replaces the partitions of a topic and keeps the position of those that stay', () => {
    const w = clientWorld({ orders: 2 });
    fill(w, 4, 4, 0);
    fill(w, 4, 4, 1);
    w.consumer('c1', { ...FAST, 'auto.offset.reset': 'earliest' });
    const got: ConsumerRecord[] = [];
    act(w, 10, (c, env) => c.assign(env, 'orders', [0]));
    pollAt(w, 100, got);
    act(w, 110, (c, env) => c.assign(env, 'orders', [0, 1]));
    pollAt(w, 300, got);
    w.sim.run(400);
    expect(got.map((r) => [r.partition, r.offset])).toEqual([...[0, 1, 2, 3].map((o) => [0, o]), ...[0, 1, 2, 3].map((o) => [1, o])]);
    const c = w.sim.nodeObject('c1') as Consumer;
    expect(c.assignment()).toEqual([
      { topic: 'orders', partition: 0 },
      { topic: 'orders', partition: 1 },
    ]);
    expect([c.position('orders', 0), c.position('orders', 1)]).toEqual([4, 4]);
  });

  it('rejects seeks on partitions it does not own and negative offsets', () => {
    const w = clientWorld();
    w.consumer('c1');
    const errors: unknown[] = [];
    act(w, 10, (c, env) => {
      c.assign(env, 'orders', [0]);
      for (const attempt of [() => c.seek(env, 'orders', 1, 0), () => c.seek(env, 'orders', 0, -1), () => c.seekToEnd(env, 'other', [0])]) {
        try {
          attempt();
        } catch (err) {
          errors.push(err);
        }
      }
    });
    w.sim.run(50);
    expect(errors).toHaveLength(3);
    expect(errors.every((e) => e instanceof ConsumerUsageError)).toBe(true);
    expect(String(errors[0])).toMatch(/orders\/1 is not assigned/);
  });
});

describe('consumer: fetching', () => {
  it('keeps one Fetch in flight per leader, with the leader epoch it knows and the position', () => {
    const w = clientWorld({ orders: 3 });
    w.cluster.moveLeader('orders', 2, 'b2');
    fill(w, 4, 4, 0);
    w.consumer('c1', { ...FAST, 'auto.offset.reset': 'earliest' });
    act(w, 10, (c, env) => c.assign(env, 'orders', [0, 1, 2]));
    pollAt(w, 500, []);
    w.sim.run(1000);
    const toB1 = w.cluster.received('Fetch', 'b1');
    const toB2 = w.cluster.received('Fetch', 'b2');
    expect(toB1.length).toBeGreaterThan(3);
    expect(toB2.length).toBeGreaterThan(3);
    const asked = (r: (typeof toB1)[number]) => r.msg.topics[0]!.partitions.map((p) => [p.partition, p.fetchOffset, p.currentLeaderEpoch]);
    expect(asked(toB1[0]!)).toEqual([
      [0, 0, 0],
      [1, 0, 0],
    ]);
    // While orders/0's records wait for a poll, it is left out of fetches (as Kafka does) ...
    const beforePoll = toB1.filter((r) => r.at > toB1[0]!.at && r.at < 500);
    expect(beforePoll.length).toBeGreaterThan(0);
    for (const r of beforePoll) expect(asked(r)).toEqual([[1, 0, 0]]);
    // ... and fetched again from its new position once polled.
    expect(asked(toB1.find((r) => r.at > 500)!)).toEqual([
      [0, 4, 0],
      [1, 0, 0],
    ]);
    for (const r of toB2) expect(asked(r)).toEqual([[2, 0, 1]]);
    // Fetches to one broker never overlap: each goes out after the previous one was answered.
    for (let i = 1; i < toB1.length; i++) {
      const answered = w.cluster.responses.find((r) => r.broker === 'b1' && r.correlationId === toB1[i - 1]!.msg.correlationId)!;
      expect(toB1[i]!.at).toBeGreaterThan(answered.at);
    }
    // With nothing new to return, the broker holds a fetch for fetch.max.wait.ms (50).
    expect(toB2[2]!.at - toB2[1]!.at).toBeGreaterThanOrEqual(50);
  });

  it('skips control batches and steps over their offsets', () => {
    const w = clientWorld();
    w.cluster.appendRecords('orders', 0, ['a', 'b', 'c']);
    w.cluster.appendRecords('orders', 0, ['marker'], { control: true });
    w.cluster.appendRecords('orders', 0, ['d', 'e']);
    w.cluster.appendRecords('orders', 0, ['marker'], { control: true });
    w.consumer('c1', { ...FAST, 'auto.offset.reset': 'earliest' });
    const got: ConsumerRecord[] = [];
    act(w, 10, (c, env) => c.assign(env, 'orders', [0]));
    pollAt(w, 200, got);
    w.sim.run(300);
    expect(got.map((r) => [r.offset, r.value])).toEqual([
      [0, 'a'],
      [1, 'b'],
      [2, 'c'],
      [4, 'd'],
      [5, 'e'],
    ]);
    expect((w.sim.nodeObject('c1') as Consumer).position('orders', 0)).toBe(7);
  });

  it('read_committed: fetches and lists offsets with isolation level 1, drops the batches of aborted transactions until their ABORT marker, never returns markers', () => {
    const run = (config: Record<string, string | number>) => {
      const w = clientWorld();
      const txn = (pid: number, values: string[]) => w.cluster.appendRecords('orders', 0, values, { producerId: pid, transactional: true });
      const marker = (pid: number, type: number) => w.cluster.appendRecords('orders', 0, [''], { producerId: pid, control: true, keys: [controlKey(type)] });
      txn(7, ['a7', 'b7']); // 0-1, aborted
      txn(8, ['c8']); // 2, committed
      marker(7, ControlType.ABORT); // 3
      txn(8, ['d8']); // 4
      marker(8, ControlType.COMMIT); // 5
      txn(7, ['e7', 'f7']); // 6-7: producer 7's next transaction, committed
      marker(7, ControlType.COMMIT); // 8
      w.cluster.partition('orders', 0).aborted = [{ producerId: 7, firstOffset: 0 }];
      w.consumer('c1', { ...FAST, 'auto.offset.reset': 'earliest', ...config });
      const got: ConsumerRecord[] = [];
      act(w, 10, (c, env) => c.assign(env, 'orders', [0]));
      pollAt(w, 200, got);
      w.sim.run(300);
      return { w, got, position: (w.sim.nodeObject('c1') as Consumer).position('orders', 0) };
    };
    const committed = run({ 'isolation.level': 'read_committed' });
    expect(committed.got.map((r) => [r.offset, r.value])).toEqual([
      [2, 'c8'],
      [4, 'd8'],
      [6, 'e7'],
      [7, 'f7'],
    ]);
    expect(committed.position).toBe(9);
    expect(committed.w.cluster.received('Fetch').every((r) => r.msg.isolationLevel === 1)).toBe(true);
    expect(committed.w.cluster.received('ListOffsets').every((r) => r.msg.isolationLevel === 1)).toBe(true);
    expect(completed(committed.w.history, 'poll').at(-1)).toMatchObject({ readCommitted: true });
    const uncommitted = run({});
    expect(offsets(uncommitted.got)).toEqual([0, 1, 2, 4, 6, 7]);
    expect(uncommitted.position).toBe(9);
    expect(uncommitted.w.cluster.received('Fetch').every((r) => r.msg.isolationLevel === 0)).toBe(true);
    expect(completed(uncommitted.w.history, 'poll').at(-1)).not.toHaveProperty('readCommitted');
  });

  it('drops a fetch answer for a position it has left (a seek while the fetch was out)', () => {
    const w = clientWorld();
    w.consumer('c1', { 'fetch.max.wait.ms': 200, 'auto.offset.reset': 'earliest' });
    const got: ConsumerRecord[] = [];
    act(w, 10, (c, env) => c.assign(env, 'orders', [0]));
    w.sim.at(100, () => fill(w, 5, 5)); // the parked fetch from 0 answers at ~215 with 0-4
    act(w, 150, (c, env) => c.seek(env, 'orders', 0, 3));
    pollAt(w, 500, got);
    w.sim.run(600);
    expect(offsets(got)).toEqual([3, 4]);
  });

  it('OFFSET_OUT_OF_RANGE resets per auto.offset.reset and records the move as a seek', () => {
    for (const [policy, expected] of [
      ['earliest', [0, 1, 2, 3, 4, 5]],
      ['latest', [6]],
    ] as const) {
      const w = clientWorld();
      fill(w, 6);
      w.consumer('c1', { ...FAST, 'auto.offset.reset': policy });
      const got: ConsumerRecord[] = [];
      act(w, 10, (c, env) => {
        c.assign(env, 'orders', [0]);
        c.seek(env, 'orders', 0, 1000);
      });
      w.sim.at(200, () => fill(w, 1, 1));
      pollAt(w, 400, got);
      w.sim.run(500);
      expect(offsets(got), policy).toEqual(expected);
      const seeks = completed(w.history, 'seek') as Array<{ offset: number; reason?: string }>;
      expect(
        seeks.find((s) => s.reason === 'offset-out-of-range'),
        policy,
      ).toEqual({ topic: 'orders', partition: 0, offset: policy === 'earliest' ? 0 : 6, reason: 'offset-out-of-range' });
      expectWellFormed(w.history);
    }
  });

  it('OFFSET_OUT_OF_RANGE with auto.offset.reset=none makes poll fail until a seek', () => {
    const w = clientWorld();
    fill(w, 6);
    w.consumer('c1', { ...FAST, 'auto.offset.reset': 'none' });
    const got: ConsumerRecord[] = [];
    act(w, 10, (c, env) => {
      c.assign(env, 'orders', [0]);
      c.seek(env, 'orders', 0, 1000);
    });
    pollAt(w, 200, got);
    act(w, 210, (c, env) => c.seek(env, 'orders', 0, 2));
    pollAt(w, 400, got);
    w.sim.run(500);
    expect(completed(w.history, 'poll', 'fail')).toEqual([expect.stringMatching(/OffsetOutOfRange: fetch offset 1000 of orders\/0/)]);
    expect(offsets(got)).toEqual([2, 3, 4, 5]);
  });

  it('after a leader error it refreshes metadata and fetches from the new leader, carrying on from its position', () => {
    const w = clientWorld();
    fill(w, 4);
    w.consumer('c1', { ...FAST, 'auto.offset.reset': 'earliest' });
    const got: ConsumerRecord[] = [];
    act(w, 10, (c, env) => c.assign(env, 'orders', [0]));
    pollAt(w, 100, got);
    w.sim.at(150, () => w.cluster.moveLeader('orders', 0, 'b2'));
    w.sim.at(160, () => fill(w, 2, 2));
    pollAt(w, 600, got);
    w.sim.run(700);
    expect(offsets(got)).toEqual([0, 1, 2, 3, 4, 5]);
    // The position was checked against the new leader (KIP-320) and found intact: no seek.
    const validation = w.cluster.received('OffsetForLeaderEpoch');
    expect(validation.map((r) => [r.broker, r.msg.topics[0]!.partitions[0]])).toEqual([['b2', { partition: 0, currentLeaderEpoch: 1, leaderEpoch: 0 }]]);
    expect(completed(w.history, 'seek')).toHaveLength(1);
    const last = w.cluster.received('Fetch', 'b2');
    expect(last.length).toBeGreaterThan(0);
    expect(last[0]!.msg.topics[0]!.partitions[0]!.currentLeaderEpoch).toBe(1);
  });

  it('moves to a new leader found by the periodic metadata refresh while a fetch to the old one is lost', () => {
    const w = clientWorld();
    fill(w, 4);
    w.consumer('c1', { ...FAST, 'auto.offset.reset': 'earliest', 'metadata.max.age.ms': 500 });
    const got: ConsumerRecord[] = [];
    act(w, 10, (c, env) => c.assign(env, 'orders', [0]));
    pollAt(w, 100, got);
    w.sim.at(150, () => {
      w.sim.partition([['c1'], ['b1']]);
      w.cluster.moveLeader('orders', 0, 'b2');
      fill(w, 2, 2);
    });
    pollAt(w, 1500, got);
    w.sim.run(1600);
    // Well before request.timeout.ms (30 s) gives up on the fetch that went to b1.
    expect(offsets(got)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(w.cluster.received('Fetch', 'b2')[0]!.at).toBeLessThan(1000);
  });

  it('retries FENCED_LEADER_EPOCH and ListOffsets errors after a metadata refresh', () => {
    const w = clientWorld();
    fill(w, 3);
    w.cluster.inject({ api: 'ListOffsets', topic: 'orders', partition: 0, error: ErrorCode.NOT_LEADER_OR_FOLLOWER, times: 1 });
    w.cluster.inject({ api: 'Fetch', topic: 'orders', partition: 0, error: ErrorCode.FENCED_LEADER_EPOCH, times: 2 });
    w.consumer('c1', { ...FAST, 'auto.offset.reset': 'earliest' });
    const got: ConsumerRecord[] = [];
    act(w, 10, (c, env) => c.assign(env, 'orders', [0]));
    pollAt(w, 800, got);
    w.sim.run(900);
    expect(offsets(got)).toEqual([0, 1, 2]);
    expect(w.cluster.received('ListOffsets')).toHaveLength(2);
    expect(w.cluster.received('Metadata').length).toBeGreaterThanOrEqual(3);
  });
});

describe('consumer: truncation detection (KIP-320)', () => {
  /** Reads offsets 0-9 (epoch 0) from b1, then b2 leads epoch 1 with the log cut back to 6. */
  function truncated(policy: 'earliest' | 'none') {
    const w = clientWorld();
    fill(w, 10);
    w.consumer('c1', { ...FAST, 'auto.offset.reset': policy });
    const got: ConsumerRecord[] = [];
    act(w, 10, (c, env) => {
      c.assign(env, 'orders', [0]);
      if (policy === 'none') c.seek(env, 'orders', 0, 0);
    });
    pollAt(w, 100, got);
    w.sim.at(150, () => w.cluster.moveLeader('orders', 0, 'b2', 6));
    w.sim.at(160, () => fill(w, 3, 3, 0, 'new'));
    pollAt(w, 600, got);
    w.sim.run(700);
    return { w, got };
  }

  it('moves the position back to the new leader’s end of the consumed epoch and records a truncation seek', () => {
    const { w, got } = truncated('earliest');
    expect(got.map((r) => [r.offset, r.value])).toEqual([...Array.from({ length: 10 }, (_, i) => [i, `v${i}`]), [6, 'new6'], [7, 'new7'], [8, 'new8']]);
    expect(completed(w.history, 'seek')).toEqual([
      { topic: 'orders', partition: 0, offset: 0, reason: 'auto.offset.reset' },
      { topic: 'orders', partition: 0, offset: 6, reason: 'truncation' },
    ]);
    const validation = w.cluster.received('OffsetForLeaderEpoch');
    expect(validation.map((r) => r.msg.topics[0]!.partitions[0])).toEqual([{ partition: 0, currentLeaderEpoch: 1, leaderEpoch: 0 }]);
    // No fetch from the new leader before the position was validated.
    const firstFetchOnB2 = w.cluster.received('Fetch', 'b2')[0]!;
    expect(firstFetchOnB2.at).toBeGreaterThan(validation[0]!.at);
    expect(firstFetchOnB2.msg.topics[0]!.partitions[0]!.fetchOffset).toBe(6);
    expect((w.sim.nodeObject('c1') as Consumer).position('orders', 0)).toBe(9);
    expectWellFormed(w.history);
  });

  it('with auto.offset.reset=none a truncation makes poll fail instead of moving silently', () => {
    const { w, got } = truncated('none');
    expect(offsets(got)).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(completed(w.history, 'poll', 'fail')).toEqual([expect.stringMatching(/LogTruncation: orders\/0 was truncated to 6 below the position 10/)]);
  });
});

describe('consumer: restarts and history', () => {
  it('a restarted consumer begins unassigned, and its history ids never repeat', () => {
    const w = clientWorld();
    fill(w, 4);
    w.consumer('c1', { ...FAST, 'auto.offset.reset': 'earliest' });
    const got: ConsumerRecord[] = [];
    act(w, 10, (c, env) => c.assign(env, 'orders', [0]));
    pollAt(w, 100, got);
    w.sim.at(150, () => w.sim.crash('c1'));
    w.sim.at(160, () => w.sim.restart('c1'));
    let after: { assignment: unknown[]; position: number | null } | null = null;
    act(w, 170, (c) => (after = { assignment: c.assignment(), position: c.position('orders', 0) }));
    pollAt(w, 200, got);
    act(w, 210, (c, env) => c.assign(env, 'orders', [0]));
    pollAt(w, 400, got);
    w.sim.run(500);
    expect(after).toEqual({ assignment: [], position: null });
    expect(offsets(got)).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
    const invokes = w.history.filter((h) => h.type === 'invoke');
    expect(new Set(invokes.map((h) => h.id)).size).toBe(invokes.length);
    expectWellFormed(w.history);
  });

  it('records invoke then ok in the same instant for assign, seek and poll, with the values the checkers read', () => {
    const w = clientWorld();
    fill(w, 2);
    w.consumer('c1', { ...FAST, 'auto.offset.reset': 'earliest' });
    act(w, 10, (c, env) => c.assign(env, 'orders', [0]));
    pollAt(w, 100, []);
    w.sim.run(200);
    const ops = w.history.map((h) => [h.op, h.type]);
    expect(ops).toEqual([
      ['assign', 'invoke'],
      ['assign', 'ok'],
      ['seek', 'invoke'],
      ['seek', 'ok'],
      ['poll', 'invoke'],
      ['poll', 'ok'],
    ]);
    for (let i = 0; i < w.history.length; i += 2) expect(w.history[i + 1]!.step).toBe(w.history[i]!.step + 1);
    expect(w.history[5]!.value).toEqual({
      records: [
        ['orders', 0, 0, null, 'v0'],
        ['orders', 0, 1, null, 'v1'],
      ],
    });
  });
});
