// The producer against fake brokers in a real Simulation: batching (linger.ms, batch.size, one
// request per leader, max in flight), acks, retries after leader moves, timeouts and their
// `info` outcomes, idempotent sequences and deduplication, OUT_OF_ORDER handling, and history.

import { describe, expect, it } from 'vitest';
import type { SendResult } from '../../core/client/producer.ts';
import type { Env } from '../../core/env.ts';
import type { DataMessage } from '../../core/protocol/data.ts';
import { ErrorCode } from '../../core/protocol/errors.ts';
import { producedBatches } from './fake-broker.ts';
import { clientWorld, expectWellFormed, sendOutcomes, type ClientWorld } from './helpers.ts';

interface Done {
  at: number;
  value: string;
  result: SendResult;
}

/** Schedules sends of `values` (same key, so one partition) at `at`; outcomes land in `done`. */
function sendAt(w: ClientWorld, at: number, values: string[], done: Done[], key: string | null = 'k', producer = 'p1'): void {
  w.sim.at(at, () =>
    w.withProducer(producer, (p, env) => {
      for (const value of values) p.send(env, { topic: 'orders', key, value }, (result) => done.push({ at: env.now(), value, result }));
    }),
  );
}

const ok = (d: Done) => d.result.type === 'ok';

describe('producer: batching', () => {
  it('waits linger.ms after a batch opens, then sends everything gathered in one request', () => {
    const w = clientWorld();
    w.producer('p1', { 'linger.ms': 20 });
    const done: Done[] = [];
    sendAt(w, 10, ['a', 'b', 'c', 'd'], done);
    sendAt(w, 15, ['e'], done);
    sendAt(w, 200, ['f'], done);
    sendAt(w, 400, ['g'], done);
    w.sim.run(1000);
    const produce = w.cluster.received('Produce');
    expect(produce.map((r) => r.msg.topicData[0]!.partitionData[0]!.records.records.length)).toEqual([5, 1, 1]);
    // The first batch opened when metadata arrived (t = 12) and lingered 20 ms (+1 ms on the wire).
    expect(produce[0]!.at).toBeGreaterThanOrEqual(32);
    expect(produce[0]!.at).toBeLessThan(40);
    expect(produce[1]!.at).toBeGreaterThanOrEqual(220);
    expect(done.map((d) => d.result)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((_, i) => ({ type: 'ok', topic: 'orders', partition: 0, offset: i })));
    expect(w.cluster.values('orders', 0)).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
  });

  it('sends a batch as soon as it reaches batch.size, without waiting for linger.ms', () => {
    const w = clientWorld();
    // Each record is 8 + 20 bytes, a batch header 61: eight records fit in 300 bytes, nine do not.
    w.producer('p1', { 'linger.ms': 1000, 'batch.size': 300 });
    const done: Done[] = [];
    sendAt(
      w,
      10,
      Array.from({ length: 20 }, (_, i) => `v${i}`.padEnd(20, '.')),
      done,
    );
    w.sim.run(100);
    expect(w.cluster.received('Produce').map((r) => r.msg.topicData[0]!.partitionData[0]!.records.records.length)).toEqual([8, 8]);
    w.sim.run(3000);
    const produce = w.cluster.received('Produce');
    expect(produce.map((r) => r.msg.topicData[0]!.partitionData[0]!.records.records.length)).toEqual([8, 8, 4]);
    expect(produce[2]!.at).toBeGreaterThanOrEqual(1010);
    expect(done.every(ok)).toBe(true);
    expect(w.cluster.values('orders', 0)).toHaveLength(20);
  });

  it('puts the ready batches of all partitions a broker leads into one request, one request per leader', () => {
    const w = clientWorld({ orders: 3 });
    w.cluster.moveLeader('orders', 2, 'b2');
    w.producer('p1');
    const done: Done[] = [];
    // Keys '0' and '128' go to partition 2, '1' to 0, 'kafka' to 1 (murmur2, 3 partitions).
    w.sim.at(10, () =>
      w.withProducer('p1', (p, env) =>
        ['0', '1', 'kafka', '128'].forEach((key) =>
          p.send(env, { topic: 'orders', key, value: `v-${key}` }, (r) => done.push({ at: env.now(), value: key, result: r })),
        ),
      ),
    );
    w.sim.run(500);
    const toB1 = w.cluster.received('Produce', 'b1');
    const toB2 = w.cluster.received('Produce', 'b2');
    expect(toB1).toHaveLength(1);
    expect(toB1[0]!.msg.topicData[0]!.partitionData.map((p) => p.index).sort()).toEqual([0, 1]);
    expect(toB2).toHaveLength(1);
    expect(toB2[0]!.msg.topicData[0]!.partitionData.map((p) => [p.index, p.records.records.length])).toEqual([[2, 2]]);
    expect(done.every(ok)).toBe(true);
  });

  it('keeps at most max.in.flight.requests.per.connection requests unanswered per broker', () => {
    const w = clientWorld();
    w.producer('p1', { 'linger.ms': 0, 'max.in.flight.requests.per.connection': 2 });
    w.sim.setLinkBetween('p1', 'b1', { latency: { constant: 10 } });
    const done: Done[] = [];
    for (let i = 0; i < 30; i++) sendAt(w, 50 + i, [`v${i}`], done);
    let most = 0;
    w.sim.onStep((sim) => {
      const p = sim.nodeObject('p1') as { inFlightRequests(b: string): number } | null;
      if (p !== null) most = Math.max(most, p.inFlightRequests('b1'));
    });
    w.sim.run(2000);
    expect(most).toBe(2);
    expect(done.every(ok)).toBe(true);
    // Records that could not go while two requests were out were batched together meanwhile.
    expect(w.cluster.received('Produce').length).toBeLessThan(30);
    expect(w.cluster.values('orders', 0)).toEqual(Array.from({ length: 30 }, (_, i) => `v${i}`));
  });
});

describe('producer: acks', () => {
  for (const [setting, acks] of [
    ['all', -1],
    ['1', 1],
  ] as const) {
    it(`acks=${setting} sends acks ${acks} and reports the offsets the broker assigned`, () => {
      const w = clientWorld();
      w.producer('p1', { acks: setting });
      const done: Done[] = [];
      sendAt(w, 10, ['x', 'y'], done);
      w.sim.run(500);
      expect(w.cluster.received('Produce').map((r) => r.msg.acks)).toEqual([acks]);
      expect(done.map((d) => d.result)).toEqual([
        { type: 'ok', topic: 'orders', partition: 0, offset: 0 },
        { type: 'ok', topic: 'orders', partition: 0, offset: 1 },
      ]);
      expect(sendOutcomes(w.history, 'p1').map((s) => [s.type, s.offset])).toEqual([
        ['ok', 0],
        ['ok', 1],
      ]);
    });
  }

  it('acks=0 completes each send (offset -1) the moment its request leaves, with no response', () => {
    const w = clientWorld();
    w.producer('p1', { acks: 0, 'linger.ms': 0 });
    const done: Done[] = [];
    sendAt(w, 10, ['x', 'y'], done);
    w.sim.run(500);
    const produce = w.cluster.received('Produce');
    expect(produce.map((r) => r.msg.acks)).toEqual([0]);
    expect(done.map((d) => d.result)).toEqual([
      { type: 'ok', topic: 'orders', partition: 0, offset: -1 },
      { type: 'ok', topic: 'orders', partition: 0, offset: -1 },
    ]);
    // Completed one link latency before the request reached the broker.
    expect(done[0]!.at).toBe(produce[0]!.at - 1);
    expect(w.cluster.values('orders', 0)).toEqual(['x', 'y']);
    expect(w.cluster.received('InitProducerId')).toHaveLength(0); // acks=0 turns idempotence off
    expect(produce[0]!.msg.topicData[0]!.partitionData[0]!.records.producerId).toBe(-1);
  });
});

describe('producer: retries', () => {
  it('after NOT_LEADER_OR_FOLLOWER it refreshes metadata and retries on the new leader', () => {
    const w = clientWorld();
    w.producer('p1');
    const done: Done[] = [];
    sendAt(w, 10, ['warm-up'], done);
    w.sim.at(100, () => w.cluster.moveLeader('orders', 0, 'b2'));
    sendAt(w, 200, ['moved'], done);
    w.sim.run(1000);
    expect(done.map((d) => d.result.type)).toEqual(['ok', 'ok']);
    expect(done[1]!.result).toEqual({ type: 'ok', topic: 'orders', partition: 0, offset: 1 });
    const produce = w.cluster.received('Produce');
    expect(produce.map((r) => r.broker)).toEqual(['b1', 'b1', 'b2']);
    // The retry waited retry.backoff.ms (100) and a fresh Metadata answer came in between.
    expect(produce[2]!.at - produce[1]!.at).toBeGreaterThanOrEqual(100);
    const metadataTimes = w.cluster.received('Metadata').map((r) => r.at);
    expect(metadataTimes.some((t) => t > produce[1]!.at && t < produce[2]!.at)).toBe(true);
    // Same producer id, epoch and sequence on the retry: the batch is the same batch.
    const [, first, retry] = produce.map((r) => r.msg.topicData[0]!.partitionData[0]!.records);
    expect([retry!.producerId, retry!.producerEpoch, retry!.baseSequence]).toEqual([first!.producerId, first!.producerEpoch, first!.baseSequence]);
    expect(w.cluster.values('orders', 0)).toEqual(['warm-up', 'moved']);
  });

  it('a request without a response is retried after request.timeout.ms; the broker deduplicates the idempotent retry', () => {
    const w = clientWorld();
    w.producer('p1', { 'request.timeout.ms': 200 });
    w.cluster.inject({ api: 'Produce', drop: true, times: 1 });
    const done: Done[] = [];
    sendAt(w, 10, ['once'], done);
    w.sim.run(1000);
    const produce = producedBatches(w.cluster, 'orders', 0);
    expect(produce).toHaveLength(2);
    expect(produce[1]!.at - produce[0]!.at).toBeGreaterThanOrEqual(200);
    const [a, b] = produce.map((p) => p.batch);
    expect([b!.producerId, b!.producerEpoch, b!.baseSequence]).toEqual([a!.producerId, a!.producerEpoch, a!.baseSequence]);
    expect(a!.producerId).toBeGreaterThanOrEqual(0);
    expect(done.map((d) => d.result)).toEqual([{ type: 'ok', topic: 'orders', partition: 0, offset: 0 }]);
    expect(w.cluster.values('orders', 0)).toEqual(['once']);
  });

  it('without idempotence the same lost response leaves the record in the log twice', () => {
    const w = clientWorld();
    w.producer('p1', { 'request.timeout.ms': 200, 'enable.idempotence': false });
    w.cluster.inject({ api: 'Produce', drop: true, times: 1 });
    const done: Done[] = [];
    sendAt(w, 10, ['twice'], done);
    w.sim.run(1000);
    expect(producedBatches(w.cluster, 'orders', 0).map((p) => p.batch.baseSequence)).toEqual([-1, -1]);
    expect(done.map((d) => d.result)).toEqual([{ type: 'ok', topic: 'orders', partition: 0, offset: 1 }]);
    expect(w.cluster.values('orders', 0)).toEqual(['twice', 'twice']);
  });

  it('NOT_ENOUGH_REPLICAS_AFTER_APPEND is retried; the idempotent retry is answered with the first offset', () => {
    const w = clientWorld();
    w.producer('p1');
    w.cluster.inject({ api: 'Produce', topic: 'orders', partition: 0, error: ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND, append: true, times: 1 });
    const done: Done[] = [];
    sendAt(w, 10, ['x'], done);
    w.sim.run(1000);
    expect(w.cluster.received('Produce')).toHaveLength(2);
    expect(done.map((d) => d.result)).toEqual([{ type: 'ok', topic: 'orders', partition: 0, offset: 0 }]);
    expect(w.cluster.values('orders', 0)).toEqual(['x']);
  });

  it('retries=0 ends a send at its first retriable error', () => {
    const w = clientWorld();
    w.producer('p1', { retries: 0 });
    w.cluster.inject({ api: 'Produce', topic: 'orders', partition: 0, error: ErrorCode.NOT_ENOUGH_REPLICAS, times: 1 });
    const done: Done[] = [];
    sendAt(w, 10, ['x'], done);
    w.sim.run(1000);
    expect(w.cluster.received('Produce')).toHaveLength(1);
    expect(done.map((d) => d.result.type)).toEqual(['fail']);
    expect(done[0]!.result).toMatchObject({ error: expect.stringContaining('retries exhausted') });
  });

  it('INVALID_RECORD is not retried: fail at once; later sends go on under a bumped epoch', () => {
    const w = clientWorld();
    w.producer('p1');
    w.cluster.inject({ api: 'Produce', topic: 'orders', partition: 0, error: ErrorCode.INVALID_RECORD, times: 1 });
    const done: Done[] = [];
    sendAt(w, 10, ['bad'], done);
    sendAt(w, 300, ['good'], done);
    w.sim.run(1000);
    expect(done.map((d) => [d.value, d.result.type])).toEqual([
      ['bad', 'fail'],
      ['good', 'ok'],
    ]);
    expect(done[0]!.result).toMatchObject({ error: 'INVALID_RECORD' });
    const batches = producedBatches(w.cluster, 'orders', 0).map((p) => [p.batch.producerEpoch, p.batch.baseSequence]);
    expect(batches).toEqual([
      [0, 0],
      [1, 0],
    ]);
    expect(w.cluster.values('orders', 0)).toEqual(['good']);
  });
});

describe('producer: delivery.timeout.ms and outcomes', () => {
  it('fails (certainly not written) when every attempt was refused with NOT_ENOUGH_REPLICAS', () => {
    const w = clientWorld();
    w.producer('p1', { 'delivery.timeout.ms': 1000, 'request.timeout.ms': 300 });
    w.cluster.inject({ api: 'Produce', topic: 'orders', partition: 0, error: ErrorCode.NOT_ENOUGH_REPLICAS, times: 1000 });
    const done: Done[] = [];
    sendAt(w, 10, ['x'], done);
    w.sim.run(3000);
    expect(done).toHaveLength(1);
    expect(done[0]!.result.type).toBe('fail');
    expect(done[0]!.at).toBeGreaterThanOrEqual(1010);
    expect(done[0]!.at).toBeLessThan(1200);
    expect(w.cluster.received('Produce').length).toBeGreaterThan(5);
    expect(sendOutcomes(w.history, 'p1')).toEqual([{ value: 'x', type: 'fail', error: done[0]!.result.type === 'fail' ? done[0]!.result.error : '' }]);
  });

  it('reports info (may have been written) when an attempt ended with NOT_ENOUGH_REPLICAS_AFTER_APPEND', () => {
    const w = clientWorld();
    w.producer('p1', { 'delivery.timeout.ms': 1000, 'request.timeout.ms': 300, 'enable.idempotence': false });
    w.cluster.inject({ api: 'Produce', topic: 'orders', partition: 0, error: ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND, append: true, times: 1 });
    // Every later attempt is refused before the append.
    w.sim.at(50, () => w.cluster.inject({ api: 'Produce', topic: 'orders', partition: 0, error: ErrorCode.NOT_ENOUGH_REPLICAS, times: 1000 }));
    const done: Done[] = [];
    sendAt(w, 10, ['x'], done);
    w.sim.run(3000);
    expect(w.cluster.received('Produce').length).toBeGreaterThan(3);
    expect(done.map((d) => d.result.type)).toEqual(['info']);
    expect(w.cluster.values('orders', 0)).toEqual(['x']); // it was in fact written
  });

  it('reports info when the leader never answers, once delivery.timeout.ms has passed', () => {
    const w = clientWorld();
    w.producer('p1', { 'delivery.timeout.ms': 1000, 'request.timeout.ms': 300 });
    w.sim.at(5, () => w.sim.partition([['p1'], ['b1']]));
    const done: Done[] = [];
    sendAt(w, 10, ['x'], done);
    w.sim.run(3000);
    // Metadata still arrives through b2, which names b1 as the leader.
    expect(done.map((d) => d.result.type)).toEqual(['info']);
    expect(done[0]!.at).toBeGreaterThanOrEqual(1010);
    expect(done[0]!.at).toBeLessThan(1100);
    expect((done[0]!.result as { error: string }).error).toMatch(/delivery\.timeout\.ms/);
    expect(w.cluster.values('orders', 0)).toEqual([]);
  });

  it('fails (never sent) when no broker answers Metadata before delivery.timeout.ms', () => {
    const w = clientWorld();
    w.producer('p1', { 'delivery.timeout.ms': 1000, 'request.timeout.ms': 300 });
    w.sim.at(5, () => w.sim.partition([['p1'], ['b1', 'b2']]));
    const done: Done[] = [];
    sendAt(w, 10, ['x'], done);
    w.sim.run(3000);
    expect(done.map((d) => d.result.type)).toEqual(['fail']);
    expect((done[0]!.result as { error: string }).error).toMatch(/not present in metadata/);
    expect(done[0]!.at).toBeGreaterThanOrEqual(1010);
    expect(w.cluster.received('Metadata')).toHaveLength(0); // nothing got through the cut
    expect(w.cluster.received('Produce')).toHaveLength(0);
  });

  it('asks another bootstrap broker for metadata when the one it chose does not answer', () => {
    const times: number[] = [];
    for (let seed = 1; seed <= 8; seed++) {
      const w = clientWorld({ orders: 1 }, seed);
      w.cluster.moveLeader('orders', 0, 'b2');
      w.producer('p1', { 'request.timeout.ms': 300 });
      w.sim.partition([['p1'], ['b1']]);
      const done: Done[] = [];
      sendAt(w, 10, ['x'], done);
      w.sim.run(2000);
      expect(
        done.map((d) => d.result.type),
        `seed ${seed}`,
      ).toEqual(['ok']);
      times.push(done[0]!.at);
    }
    // Some seeds picked b1 first (answered only after the 300 ms timeout), some b2 straight away.
    expect(times.some((t) => t < 100)).toBe(true);
    expect(times.some((t) => t >= 300)).toBe(true);
  });

  it('recovers once a cut heals before delivery.timeout.ms: the retried batch is written once', () => {
    const w = clientWorld();
    w.producer('p1', { 'request.timeout.ms': 300 });
    w.sim.at(5, () => w.sim.partition([['p1'], ['b1']]));
    w.sim.at(700, () => w.sim.healAll());
    const done: Done[] = [];
    sendAt(w, 10, ['x'], done);
    w.sim.run(3000);
    expect(done.map((d) => d.result)).toEqual([{ type: 'ok', topic: 'orders', partition: 0, offset: 0 }]);
    expect(w.cluster.values('orders', 0)).toEqual(['x']);
  });
});

describe('producer: idempotence (KIP-98, KIP-360)', () => {
  it('numbers batches per partition from 0 with the id and epoch from InitProducerId', () => {
    const w = clientWorld({ orders: 2 });
    w.producer('p1');
    const done: Done[] = [];
    // Key '0' -> partition 0, key '1' -> partition 1 (murmur2, 2 partitions).
    sendAt(w, 10, ['a', 'b', 'c'], done, '0');
    sendAt(w, 100, ['d', 'e'], done, '0');
    sendAt(w, 100, ['f'], done, '1');
    sendAt(w, 200, ['g'], done, '0');
    w.sim.run(1000);
    const init = w.cluster.received('InitProducerId');
    expect(init).toHaveLength(1);
    expect([init[0]!.msg.producerId, init[0]!.msg.producerEpoch]).toEqual([-1, -1]);
    const seq = (p: number) =>
      producedBatches(w.cluster, 'orders', p).map((b) => [b.batch.producerId, b.batch.producerEpoch, b.batch.baseSequence, b.batch.records.length]);
    expect(seq(0)).toEqual([
      [1000, 0, 0, 3],
      [1000, 0, 3, 2],
      [1000, 0, 5, 1],
    ]);
    expect(seq(1)).toEqual([[1000, 0, 0, 1]]);
    expect(done.every(ok)).toBe(true);
  });

  it('OUT_OF_ORDER_SEQUENCE_NUMBER fails the batch and the later ones in flight, bumps the epoch, restarts at 0', () => {
    const w = clientWorld();
    w.producer('p1', { 'linger.ms': 0 });
    const done: Done[] = [];
    sendAt(w, 5, ['w'], done);
    w.sim.at(15, () => w.cluster.inject({ api: 'Produce', topic: 'orders', partition: 0, error: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, times: 1 }));
    sendAt(w, 20, ['a'], done);
    sendAt(w, 20.5, ['b'], done); // on the wire while a's answer is on its way back
    sendAt(w, 300, ['c'], done);
    w.sim.run(1000);
    expect(done.map((d) => [d.value, d.result.type])).toEqual([
      ['w', 'ok'],
      ['a', 'fail'],
      ['b', 'fail'],
      ['c', 'ok'],
    ]);
    expect(done[1]!.result).toMatchObject({ error: 'OUT_OF_ORDER_SEQUENCE_NUMBER' });
    // The epoch is bumped locally (KIP-360, Kafka's bumpIdempotentProducerEpoch): no second InitProducerId.
    const init = w.cluster.received('InitProducerId').map((r) => [r.msg.producerId, r.msg.producerEpoch]);
    expect(init).toEqual([[-1, -1]]);
    expect(producedBatches(w.cluster, 'orders', 0).map((b) => [b.batch.records[0]!.value, b.batch.producerEpoch, b.batch.baseSequence])).toEqual([
      ['w', 0, 0],
      ['a', 0, 1],
      ['b', 0, 2],
      ['c', 1, 0],
    ]);
    expect(done[3]!.result).toEqual({ type: 'ok', topic: 'orders', partition: 0, offset: 1 });
    expect(w.cluster.values('orders', 0)).toEqual(['w', 'c']);
  });

  it('a batch refused only because an earlier one is being retried is retried, not failed', () => {
    const w = clientWorld();
    w.producer('p1', { 'linger.ms': 0 });
    // a is refused (retriable); b, already on the wire behind it, arrives with a sequence gap.
    const done: Done[] = [];
    sendAt(w, 5, ['w'], done);
    w.sim.at(15, () => w.cluster.inject({ api: 'Produce', topic: 'orders', partition: 0, error: ErrorCode.NOT_ENOUGH_REPLICAS, times: 1 }));
    sendAt(w, 20, ['a'], done);
    sendAt(w, 20.5, ['b'], done);
    w.sim.run(1000);
    expect(done.map((d) => d.result)).toEqual([
      { type: 'ok', topic: 'orders', partition: 0, offset: 0 },
      { type: 'ok', topic: 'orders', partition: 0, offset: 1 },
      { type: 'ok', topic: 'orders', partition: 0, offset: 2 },
    ]);
    const batches = producedBatches(w.cluster, 'orders', 0);
    expect(batches.map((b) => [b.batch.records[0]!.value, b.batch.baseSequence])).toEqual([
      ['w', 0],
      ['a', 1],
      ['b', 2],
      ['a', 1],
      ['b', 2],
    ]);
    expect(w.cluster.values('orders', 0)).toEqual(['w', 'a', 'b']);
    expect(w.cluster.received('InitProducerId')).toHaveLength(1); // no epoch bump needed
  });

  it('an epoch bump asked for by one partition leaves a retry on another partition with its old epoch and sequence', () => {
    const w = clientWorld({ orders: 2 });
    w.producer('p1', { 'linger.ms': 0 });
    const done: Done[] = [];
    // a (partition 0) fails with a gap and bumps the epoch; r (partition 1) is refused, retriable.
    w.sim.at(5, () => {
      w.cluster.inject({ api: 'Produce', topic: 'orders', partition: 0, error: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, times: 1 });
      w.cluster.inject({ api: 'Produce', topic: 'orders', partition: 1, error: ErrorCode.NOT_LEADER_OR_FOLLOWER, times: 1 });
    });
    sendAt(w, 20, ['a'], done, '0');
    sendAt(w, 20, ['r'], done, '1');
    sendAt(w, 400, ['s'], done, '1');
    w.sim.run(1000);
    expect(done.map((d) => [d.value, d.result.type])).toEqual([
      ['a', 'fail'],
      ['r', 'ok'],
      ['s', 'ok'],
    ]);
    expect(w.cluster.received('InitProducerId')).toHaveLength(1);
    // Kafka rewrites sequences only on the partition that asked for the bump: r is resent as it
    // was first sent (the broker could have taken later batches of epoch 0 meanwhile), and the
    // partition starts the new epoch at 0 once r is answered.
    expect(producedBatches(w.cluster, 'orders', 1).map((b) => [b.batch.records[0]!.value, b.batch.producerEpoch, b.batch.baseSequence])).toEqual([
      ['r', 0, 0],
      ['r', 0, 0],
      ['s', 1, 0],
    ]);
  });
  it('UNKNOWN_PRODUCER_ID for the next batch in line also fails it and bumps the epoch', () => {
    const w = clientWorld();
    w.producer('p1');
    w.cluster.inject({ api: 'Produce', topic: 'orders', partition: 0, error: ErrorCode.UNKNOWN_PRODUCER_ID, times: 1 });
    const done: Done[] = [];
    sendAt(w, 10, ['a'], done);
    sendAt(w, 300, ['b'], done);
    w.sim.run(1000);
    expect(done.map((d) => d.result.type)).toEqual(['fail', 'ok']);
    expect(w.cluster.received('InitProducerId')).toHaveLength(1);
    expect(
      producedBatches(w.cluster, 'orders', 0).map((b) => [b.batch.records[0]!.value, b.batch.producerId, b.batch.producerEpoch, b.batch.baseSequence]),
    ).toEqual([
      ['a', 1000, 0, 0],
      ['b', 1000, 1, 0],
    ]);
  });

  it('asks for a new producer id only when a bump would overflow the epoch (a short)', () => {
    const w = clientWorld();
    w.cluster.freshEpoch = 32767;
    w.producer('p1');
    w.cluster.inject({ api: 'Produce', topic: 'orders', partition: 0, error: ErrorCode.UNKNOWN_PRODUCER_ID, times: 1 });
    const done: Done[] = [];
    sendAt(w, 10, ['a'], done);
    sendAt(w, 300, ['b'], done);
    w.sim.run(1000);
    expect(done.map((d) => d.result.type)).toEqual(['fail', 'ok']);
    expect(w.cluster.received('InitProducerId').map((r) => [r.msg.producerId, r.msg.producerEpoch])).toEqual([
      [-1, -1],
      [-1, -1],
    ]);
    expect(
      producedBatches(w.cluster, 'orders', 0).map((b) => [b.batch.records[0]!.value, b.batch.producerId, b.batch.producerEpoch, b.batch.baseSequence]),
    ).toEqual([
      ['a', 1000, 32767, 0],
      ['b', 1001, 32767, 0],
    ]);
  });
});

describe('producer: history', () => {
  it('records an invocation and then exactly one outcome for every send', () => {
    const w = clientWorld({ orders: 2 });
    w.producer('p1', { 'delivery.timeout.ms': 1000, 'request.timeout.ms': 200 });
    w.cluster.inject({ api: 'Produce', topic: 'orders', partition: 1, error: ErrorCode.NOT_ENOUGH_REPLICAS, times: 1000 });
    w.cluster.inject({ api: 'Produce', drop: true, times: 2 });
    const done: Done[] = [];
    for (let i = 0; i < 20; i++) sendAt(w, 10 + i * 37, [`v${i}`], done, String(i));
    w.sim.run(5000);
    const outcomes = expectWellFormed(w.history);
    expect(outcomes.size).toBe(20);
    const types = [...outcomes.values()].map((o) => o.type);
    expect(types).toContain('ok');
    expect(types).toContain('fail');
    for (const h of w.history.filter((x) => x.op === 'send' && x.type === 'invoke')) {
      expect(Object.keys(h.value as object).sort()).toEqual(['acks', 'key', 'topic', 'value']);
    }
    for (const o of outcomes.values()) {
      if (o.type === 'ok') expect(Object.keys(o.value as object).sort()).toEqual(['acks', 'key', 'offset', 'partition', 'topic', 'value']);
      else expect(typeof o.error).toBe('string');
    }
    // The outcomes agree with the callbacks, and ok offsets with the log.
    const byValue = new Map(sendOutcomes(w.history, 'p1').map((s) => [s.value, s]));
    for (const d of done) {
      expect(byValue.get(d.value)!.type).toBe(d.result.type);
      if (d.result.type === 'ok') expect(w.cluster.entries('orders', d.result.partition)).toContainEqual([d.result.offset, d.value]);
    }
  });

  it('a producer that crashes leaves its unsent sends without outcome (and, per request, without invocation); the restarted one uses new ids', () => {
    const w = clientWorld();
    w.producer('p1');
    w.sim.at(5, () => w.sim.partition([['p1'], ['b1']]));
    const done: Done[] = [];
    sendAt(w, 10, ['lost-1', 'lost-2'], done);
    w.sim.at(100, () => w.sim.crash('p1'));
    w.sim.at(110, () => {
      w.sim.healAll();
      w.sim.restart('p1');
    });
    sendAt(w, 120, ['after'], done);
    w.sim.run(1000);
    const invokes = w.history.filter((h) => h.op === 'send' && h.type === 'invoke');
    // The history is written per Produce request: the two sends no request carried before the
    // crash have neither invocation nor outcome, and their ids (1 and 2) are not taken again.
    expect(invokes).toHaveLength(1);
    expect(invokes[0]!.id).toBeGreaterThan(2);
    const outcomes = expectWellFormed(w.history);
    expect([...outcomes.values()].map((o) => o.type)).toEqual(['ok']);
    expect(done.map((d) => d.value)).toEqual(['after']);
    expect(w.cluster.values('orders', 0)).toEqual(['after']);
  });

  it('a record that is not a byte string fails at once, with its invocation recorded', () => {
    const w = clientWorld();
    w.producer('p1');
    const done: Done[] = [];
    w.sim.at(10, () =>
      w.withProducer('p1', (p, env: Env<DataMessage>) =>
        p.send(env, { topic: 'orders', key: null, value: 'snow\u2603' }, (r) => done.push({ at: env.now(), value: 'x', result: r })),
      ),
    );
    w.sim.run(100);
    expect(done.map((d) => d.result.type)).toEqual(['fail']);
    expect(expectWellFormed(w.history).size).toBe(1);
    expect(w.cluster.received('Produce')).toHaveLength(0);
  });
});
