// The partitioner: murmur2 against Java's published values and an independent BigInt
// implementation, keyed placement as Java places keys, and the built-in partitioner's choice for
// keyless records (KIP-794: sticky by bytes, adaptive by queue), alone and inside a producer.

import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { BuiltInPartitioner, murmur2, partitionFor, toPositive } from '../../core/client/partitioner.ts';
import { producedBatches } from './fake-broker.ts';
import { clientWorld, sendOutcomes } from './helpers.ts';

/** Kafka's Utils.murmur2, transcribed with BigInt and explicit 32-bit masks (no Math.imul). */
function murmur2Reference(bytes: readonly number[]): number {
  const MASK = 0xffffffffn;
  const m = 0x5bd1e995n;
  const mul = (a: bigint, b: bigint) => (a * b) & MASK;
  let h = (0x9747b28cn ^ BigInt(bytes.length)) & MASK;
  const words = Math.floor(bytes.length / 4);
  for (let i = 0; i < words; i++) {
    let k = 0n;
    for (let j = 3; j >= 0; j--) k = (k << 8n) | BigInt(bytes[i * 4 + j]!);
    k = mul(k, m);
    k ^= k >> 24n;
    k = mul(k, m);
    h = mul(h, m);
    h ^= k;
  }
  const tail = words * 4;
  const rest = bytes.length % 4;
  if (rest === 3) h ^= BigInt(bytes[tail + 2]!) << 16n;
  if (rest >= 2) h ^= BigInt(bytes[tail + 1]!) << 8n;
  if (rest >= 1) {
    h ^= BigInt(bytes[tail]!);
    h = mul(h, m);
  }
  h ^= h >> 13n;
  h = mul(h, m);
  h ^= h >> 15n;
  return Number(BigInt.asIntN(32, h));
}

const bytesOf = (s: string) => [...s].map((c) => c.charCodeAt(0));

describe('murmur2 (Java-compatible)', () => {
  it("matches Java's values for known keys", () => {
    // From Kafka's UtilsTest / kafkajs' partitioner tests (signed int32).
    const vectors: Array<[string, number]> = [
      ['0', 971027396],
      ['1', -1993445489],
      ['128', -326012175],
      ['kafka', 0xd067cf64 | 0],
      ['', 0x106e08d9],
      ['giberish123456789', 0x8f552b0c | 0],
      ['100:48069', 1009543857],
    ];
    for (const [key, expected] of vectors) {
      expect(murmur2(key), JSON.stringify(key)).toBe(expected);
      expect(murmur2Reference(bytesOf(key)), `reference on ${JSON.stringify(key)}`).toBe(expected);
    }
  });

  it('places keys on the partitions Java places them (3 partitions)', () => {
    expect(['0', '1', '128', 'kafka'].map((k) => partitionFor(k, 3))).toEqual([2, 0, 2, 1]);
  });

  it('toPositive drops the sign bit rather than taking the absolute value', () => {
    expect(toPositive(-1)).toBe(0x7fffffff);
    expect(toPositive(-2147483648)).toBe(0);
    expect(toPositive(5)).toBe(5);
  });

  test.prop([fc.uint8Array({ maxLength: 64 })])('agrees with the BigInt reference on any bytes', (bytes) => {
    const key = String.fromCharCode(...bytes);
    expect(murmur2(key)).toBe(murmur2Reference([...bytes]));
  });

  test.prop([fc.uint8Array({ maxLength: 32 }), fc.integer({ min: 1, max: 1000 })])('partitionFor is (murmur2 & 0x7fffffff) % n and in range', (bytes, n) => {
    const key = String.fromCharCode(...bytes);
    const p = partitionFor(key, n);
    expect(p).toBe(Number((BigInt(murmur2Reference([...bytes])) & 0x7fffffffn) % BigInt(n)));
    expect(p).toBeGreaterThanOrEqual(0);
    expect(p).toBeLessThan(n);
  });

  it('rejects a partition count below one', () => {
    expect(() => partitionFor('k', 0)).toThrow(/positive integer/);
  });
});

describe('keyless records: the built-in partitioner (KIP-794)', () => {
  /** A deterministic stand-in for env.random. */
  const sequence = (...draws: number[]) => {
    let i = 0;
    return () => draws[i++ % draws.length]!;
  };
  /** The draw that Java's toPositive(nextInt()) % n turns into `index` (0.5 / 2^31 past index). */
  const pick = (index: number) => (index + 0.5) / 0x80000000;
  const all = [0, 1, 2, 3];

  it('stays on one partition until batch.size bytes went to it and its last batch is full, then draws again', () => {
    const p = new BuiltInPartitioner(100);
    const random = sequence(pick(2), pick(1));
    expect(p.partition('t', 4, all, random)).toBe(2);
    p.appended('t', 2, 60, true, 4, all, random);
    expect(p.partition('t', 4, all, random)).toBe(2); // 60 < 100 bytes
    p.appended('t', 1, 500, true, 4, all, random); // a record another way (keyed or explicit): not counted
    p.appended('t', 2, 50, false, 4, all, random);
    expect(p.partition('t', 4, all, random)).toBe(2); // 110 bytes, but the last batch is not full
    p.appended('t', 2, 10, true, 4, all, random);
    expect(p.partition('t', 4, all, random)).toBe(1); // 120 bytes and a full batch: switch
  });

  it('switches at twice batch.size even while the last batch is not full', () => {
    const p = new BuiltInPartitioner(100);
    const random = sequence(pick(0), pick(3));
    expect(p.partition('t', 4, all, random)).toBe(0);
    p.appended('t', 0, 199, false, 4, all, random);
    expect(p.current('t')).toBe(0);
    p.appended('t', 0, 1, false, 4, all, random);
    expect(p.current('t')).toBe(3);
  });

  it('draws uniformly among partitions with a leader, any partition when none has one, and may draw the same one again', () => {
    const p = new BuiltInPartitioner(10);
    expect(p.partition('a', 4, [1, 3], sequence(pick(3)))).toBe(3); // 3 % 2 = index 1 of [1, 3]
    expect(p.partition('b', 4, [], sequence(pick(6)))).toBe(2); // 6 % 4
    p.appended('a', 3, 10, true, 4, [1, 3], sequence(pick(1)));
    expect(p.current('a')).toBe(3); // unlike KIP-480, nothing forbids the same partition
  });

  it("adaptive: the draw is weighted against each partition's queue of unsent batches (the cumulative frequency table)", () => {
    const p = new BuiltInPartitioner(10);
    // Queues 0, 3, 1: weights 4, 1, 3, so the table is 4 5 8 and draws 0-3, 4, 5-7 pick 0, 1, 2.
    p.updateLoadStats(
      't',
      [
        { partition: 0, queued: 0, unavailable: false },
        { partition: 1, queued: 3, unavailable: false },
        { partition: 2, queued: 1, unavailable: false },
      ],
      3,
    );
    const chosen = [0, 3, 4, 5, 7, 8].map((draw) => {
      const q = new BuiltInPartitioner(10);
      q.updateLoadStats(
        't',
        [0, 3, 1].map((queued, partition) => ({ partition, queued, unavailable: false })),
        3,
      );
      return q.partition('t', 3, [0, 1, 2], sequence(pick(draw)));
    });
    expect(chosen).toEqual([0, 0, 1, 2, 2, 0]);
    expect(p.partition('t', 3, [0, 1, 2], sequence(pick(4)))).toBe(1);
  });

  it('adaptive: equal queues over every partition draw uniformly; a partition left out (unavailable or leaderless) is never drawn', () => {
    const equal = new BuiltInPartitioner(10);
    equal.updateLoadStats(
      't',
      [0, 1, 2].map((partition) => ({ partition, queued: 2, unavailable: false })),
      3,
    );
    expect(equal.partition('t', 3, [0, 1, 2], sequence(pick(4)))).toBe(1); // uniform: 4 % 3
    for (let draw = 0; draw < 12; draw++) {
      const q = new BuiltInPartitioner(10);
      q.updateLoadStats(
        't',
        [
          { partition: 0, queued: 2, unavailable: false },
          { partition: 1, queued: 2, unavailable: true },
          { partition: 2, queued: 2, unavailable: false },
        ],
        3,
      );
      expect(q.partition('t', 3, [0, 1, 2], sequence(pick(draw)))).not.toBe(1);
      const leaderless = new BuiltInPartitioner(10);
      leaderless.updateLoadStats(
        't',
        [0, 2].map((partition) => ({ partition, queued: 1, unavailable: false })),
        3,
      );
      expect(leaderless.partition('t', 3, [0, 2], sequence(pick(draw)))).not.toBe(1);
    }
  });

  test.prop([fc.array(fc.double({ min: 0, max: 0.999999, noNaN: true }), { minLength: 20, maxLength: 60 })])(
    'moves to another partition only after batch.size bytes, and only to an available one',
    (draws) => {
      const p = new BuiltInPartitioner(100);
      let i = 0;
      const random = () => draws[i++ % draws.length]!;
      const available = [0, 2, 3];
      let current = p.partition('t', 4, available, random);
      let produced = 0;
      for (let k = 0; k < 60; k++) {
        p.appended('t', current, 30, k % 2 === 0, 4, available, random);
        produced += 30;
        const next = p.partition('t', 4, available, random);
        expect(available).toContain(next);
        // A change comes only after batch.size bytes since the last draw, so since the last change too.
        if (next !== current) {
          expect(produced).toBeGreaterThanOrEqual(100);
          produced = 0;
        }
        current = next;
      }
    },
  );

  it('in a producer: keyless sends stick to one partition across batches until batch.size bytes, as the Java client since 3.3', () => {
    const w = clientWorld({ orders: 4 });
    w.producer('p1', { 'linger.ms': 50, 'batch.size': 200 });
    w.sim.run(20); // metadata and producer id
    w.sim.at(20, () => w.withProducer('p1', (p, env) => [1, 2, 3].forEach((i) => p.send(env, { topic: 'orders', key: null, value: `a${i}` }))));
    w.sim.at(200, () => w.withProducer('p1', (p, env) => [1, 2, 3].forEach((i) => p.send(env, { topic: 'orders', key: null, value: `b${i}` }))));
    w.sim.run(500);
    const sent = sendOutcomes(w.history, 'p1');
    expect(sent.every((s) => s.type === 'ok')).toBe(true);
    // Two batches, far below 200 bytes each: the second stays where the first went (KIP-480 would have moved).
    const partitions = new Set(sent.map((s) => s.partition));
    expect(partitions.size).toBe(1);
    const p = [...partitions][0]!;
    expect(producedBatches(w.cluster, 'orders', p).map((b) => b.batch.records.length)).toEqual([3, 3]);
  });

  it('in a producer: once batch.size bytes went to a partition, keyless records move on', () => {
    const w = clientWorld({ orders: 4 });
    w.producer('p1', { 'linger.ms': 0, 'batch.size': 120 });
    w.sim.run(20);
    const values = Array.from({ length: 40 }, (_, i) => `value-${String(i).padStart(2, '0')}`);
    values.forEach((v, i) => w.sim.at(20 + i * 5, () => w.withProducer('p1', (p, env) => p.send(env, { topic: 'orders', key: null, value: v }))));
    w.sim.run(1000);
    const sent = sendOutcomes(w.history, 'p1');
    expect(sent.every((s) => s.type === 'ok')).toBe(true);
    // Each record is about 20 bytes plus a batch header: a partition takes a few records, never all 40.
    const runs: number[] = [];
    for (const s of sent)
      if (runs.length === 0 || sent[runs.reduce((a, b) => a + b, 0) - 1]!.partition !== s.partition) runs.push(1);
      else runs[runs.length - 1]!++;
    expect(runs.length).toBeGreaterThan(3);
  });

  /**
   * orders-0 led by b1, orders-1 by b2; b2 takes its first five Produce requests and answers none
   * for 10 s (max.in.flight 5: then nothing more goes to it, and its partition's batches queue up;
   * with max.in.flight 1 the partition would be muted instead, and Kafka counts no readiness for a
   * muted partition). Returns the partitions of the keyless
   * sends made between 500 ms and 2 s, once every send has been answered.
   */
  function partitionsDuringStall(config: Record<string, number | boolean>): number[] {
    const w = clientWorld({ orders: 2 });
    w.cluster.topics.get('orders')![1]!.leader = 'b2';
    w.cluster.inject({ api: 'Produce', broker: 'b2', drop: true, times: 5 });
    w.producer('p1', { 'linger.ms': 0, 'batch.size': 60, 'request.timeout.ms': 10_000, ...config });
    const sentAt = new Map<string, number>();
    for (let t = 20; t < 2_000; t += 10) {
      const value = `v${t}`;
      sentAt.set(value, t);
      w.sim.at(t, () => w.withProducer('p1', (p, env) => p.send(env, { topic: 'orders', key: null, value })));
    }
    w.sim.run(15_000);
    const outcomes = sendOutcomes(w.history, 'p1');
    expect(outcomes.every((o) => o.type === 'ok')).toBe(true);
    const during: number[] = [];
    for (const partition of [0, 1]) for (const v of w.cluster.values('orders', partition)) if (sentAt.get(v ?? '')! >= 500) during.push(partition);
    return during;
  }

  it('partitioner.availability.timeout.ms: keyless records avoid a broker that has taken no ready batch for that long', () => {
    const count = (ps: number[], p: number) => ps.filter((x) => x === p).length;
    const avoiding = partitionsDuringStall({ 'partitioner.availability.timeout.ms': 100 });
    expect(count(avoiding, 1)).toBe(0);
    // Adaptive alone only weighs the stalled partition's long queue down; uniform choice ignores it.
    const adaptive = partitionsDuringStall({});
    const uniform = partitionsDuringStall({ 'partitioner.adaptive.partitioning.enable': false });
    expect(count(adaptive, 1)).toBeGreaterThan(0);
    expect(count(uniform, 1)).toBeGreaterThan(count(adaptive, 1));
  });

  it('partitioner.ignore.keys sends keyed records the keyless way', () => {
    const w = clientWorld({ orders: 3 });
    w.producer('p1', { 'partitioner.ignore.keys': true });
    w.sim.at(10, () => w.withProducer('p1', (p, env) => ['0', '1', '128', 'kafka'].forEach((key, i) => p.send(env, { topic: 'orders', key, value: `v${i}` }))));
    w.sim.run(200);
    // murmur2 would give 2, 0, 2, 1; the built-in partitioner keeps them together.
    expect(new Set(sendOutcomes(w.history, 'p1').map((s) => s.partition)).size).toBe(1);
  });

  it('in a producer: keyed sends go to partitionFor(key)', () => {
    const w = clientWorld({ orders: 3 });
    w.producer('p1');
    w.sim.at(10, () => w.withProducer('p1', (p, env) => ['0', '1', '128', 'kafka'].forEach((key, i) => p.send(env, { topic: 'orders', key, value: `v${i}` }))));
    w.sim.run(200);
    expect(sendOutcomes(w.history, 'p1').map((s) => s.partition)).toEqual([2, 0, 2, 1]);
    expect(w.cluster.values('orders', 2)).toEqual(['v0', 'v2']);
  });
});
