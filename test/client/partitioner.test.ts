// The partitioner: murmur2 against Java's published values and an independent BigInt
// implementation, keyed placement as Java places keys, and the sticky choice for keyless records
// (KIP-480), alone and inside a producer.

import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { murmur2, partitionFor, StickyPartitioner, toPositive } from '../../core/client/partitioner.ts';
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

describe('sticky partitioning of keyless records (KIP-480)', () => {
  /** A deterministic stand-in for env.random. */
  const sequence = (...draws: number[]) => {
    let i = 0;
    return () => draws[i++ % draws.length]!;
  };

  it('stays on one partition until its batch is done, then moves to a different one', () => {
    const sticky = new StickyPartitioner();
    const random = sequence(0.5, 0.0, 0.99);
    const all = [0, 1, 2, 3];
    const first = sticky.partition('t', 4, all, random);
    expect(first).toBe(2);
    expect([1, 2, 3].map(() => sticky.partition('t', 4, all, random))).toEqual([2, 2, 2]);
    sticky.batchDone('t', 1, 4, all, random); // another partition's batch: no effect
    expect(sticky.partition('t', 4, all, random)).toBe(2);
    sticky.batchDone('t', 2, 4, all, random);
    const second = sticky.partition('t', 4, all, random);
    expect(second).not.toBe(2);
    expect(second).toBe(0); // 0.0 over the others [0, 1, 3]
  });

  it('prefers partitions with a leader and keeps topics apart', () => {
    const sticky = new StickyPartitioner();
    const random = sequence(0.99);
    expect(sticky.partition('a', 4, [1], random)).toBe(1);
    expect(sticky.partition('b', 4, [], random)).toBe(3);
    expect(sticky.current('a')).toBe(1);
  });

  test.prop([fc.array(fc.double({ min: 0, max: 0.999999, noNaN: true }), { minLength: 20, maxLength: 60 })])(
    'every switch lands on a different partition, and switches cover all partitions over time',
    (draws) => {
      const sticky = new StickyPartitioner();
      let i = 0;
      const random = () => draws[i++ % draws.length]!;
      const all = [0, 1, 2];
      let current = sticky.partition('t', 3, all, random);
      for (let k = 0; k < 30; k++) {
        sticky.batchDone('t', current, 3, all, random);
        const next = sticky.partition('t', 3, all, random);
        expect(next).not.toBe(current);
        current = next;
      }
    },
  );

  it('in a producer: keyless sends within linger.ms share one batch, the next batch goes elsewhere', () => {
    const w = clientWorld({ orders: 4 });
    w.producer('p1', { 'linger.ms': 50 });
    w.sim.run(20); // metadata and producer id
    w.sim.at(20, () => w.withProducer('p1', (p, env) => [1, 2, 3, 4, 5].forEach((i) => p.send(env, { topic: 'orders', key: null, value: `a${i}` }))));
    w.sim.at(200, () => w.withProducer('p1', (p, env) => [1, 2, 3].forEach((i) => p.send(env, { topic: 'orders', key: null, value: `b${i}` }))));
    w.sim.run(500);
    const sent = sendOutcomes(w.history, 'p1');
    expect(sent.every((s) => s.type === 'ok')).toBe(true);
    const firstPartitions = new Set(sent.slice(0, 5).map((s) => s.partition));
    const secondPartitions = new Set(sent.slice(5).map((s) => s.partition));
    expect(firstPartitions.size).toBe(1);
    expect(secondPartitions.size).toBe(1);
    expect([...secondPartitions][0]).not.toBe([...firstPartitions][0]);
    const p = [...firstPartitions][0]!;
    expect(producedBatches(w.cluster, 'orders', p).map((b) => b.batch.records.length)).toEqual([5]);
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
