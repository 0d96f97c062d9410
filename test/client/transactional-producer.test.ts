// The transactional producer against fake brokers and a fake transaction coordinator: init through
// FindCoordinator(TRANSACTION), AddPartitionsToTxn once per partition before its first batch, the
// transactional bit and id on Produce, EndTxn only after every batch is answered, abort dropping
// unsent batches, fencing as a fatal error, CONCURRENT_TRANSACTIONS retried, the epoch bumped per
// transaction (transaction.version 2), sendOffsetsToTransaction, and the history it writes.

import { describe, expect, it } from 'vitest';
import type { Env } from '../../core/env.ts';
import type { Producer, ProducerMessage } from '../../core/client/producer.ts';
import type { TxnResult } from '../../core/client/transaction-manager.ts';
import { ErrorCode } from '../../core/protocol/errors.ts';
import { CONTROL_BIT, TRANSACTIONAL_BIT } from '../../core/protocol/records.ts';
import type { HistoryOp } from '../../models/history/types.ts';
import { clientWorld, type ClientWorld } from './helpers.ts';
import { FakeTxnCoordinator } from './fake-txn-coordinator.ts';

const TXN_CONFIG = { 'transactional.id': 'tx-1', 'linger.ms': 0 };

function txnWorld(config: Record<string, string | number> = {}): { w: ClientWorld; tc: FakeTxnCoordinator; raw: HistoryOp[] } {
  const w = clientWorld({ orders: 2, input: 1 });
  const tc = new FakeTxnCoordinator(w.cluster, 'b2');
  w.cluster.txn = tc;
  const raw: HistoryOp[] = [];
  w.sim.observe((step, node, event) => {
    if (event.kind !== 'client' || node === null) return;
    const e = event as unknown as { op: string; type: HistoryOp['type']; id: number; value?: unknown; error?: string };
    raw.push({ process: node, op: e.op, type: e.type, id: e.id, value: e.value, error: e.error, step });
  });
  w.producer('p1', { ...TXN_CONFIG, ...config });
  return { w, tc, raw };
}

function act(w: ClientWorld, action: (p: Producer, env: Env<ProducerMessage>) => void): void {
  w.withProducer('p1', (p, env) => action(p, env as Env<ProducerMessage>));
}

/** Calls a transactional method and returns a box its result lands in. */
function call(w: ClientWorld, method: (p: Producer, env: Env<ProducerMessage>, done: (r: TxnResult) => void) => void): { result: TxnResult | null } {
  const box: { result: TxnResult | null } = { result: null };
  act(w, (p, env) => method(p, env, (r) => (box.result = r)));
  return box;
}

function initialised(config: Record<string, string | number> = {}) {
  const world = txnWorld(config);
  const init = call(world.w, (p, env, done) => p.initTransactions(env, done));
  world.w.sim.run(100);
  expect(init.result).toEqual({ type: 'ok' });
  return world;
}

function sendAll(w: ClientWorld, records: Array<[string, number, string]>): void {
  act(w, (p, env) => {
    for (const [topic, partition, value] of records) p.send(env, { topic, partition, key: null, value });
  });
}

describe('transactional producer', () => {
  it('initialises through the transaction coordinator it finds with FindCoordinator key type 1, and records init-txn', () => {
    const { w, tc, raw } = initialised();
    const find = tc.requests('FindCoordinator');
    expect(find.map((r) => [r.keyType, r.coordinatorKeys])).toEqual([[1, ['tx-1']]]);
    const init = tc.received.filter((r) => r.msg.api === 'InitProducerId');
    expect(init.map((r) => r.msg)).toMatchObject([{ transactionalId: 'tx-1', transactionTimeoutMs: 60000, producerId: -1, producerEpoch: -1 }]);
    // The idempotent producer's own InitProducerId (to any broker, no transactional id) is never sent.
    expect(w.cluster.received('InitProducerId')).toHaveLength(0);
    const ops = raw.filter((o) => o.op === 'init-txn');
    expect(ops.map((o) => [o.type, o.value])).toEqual([
      ['invoke', { transactionalId: 'tx-1' }],
      ['ok', { transactionalId: 'tx-1', producerId: 5000, producerEpoch: 0 }],
    ]);
    act(w, (p) => expect(p.transactionState().state).toBe('READY'));
  });

  it('adds each partition once before its first batch, marks batches transactional, and ends with EndTxn only after every batch is answered', () => {
    const { w, tc, raw } = initialised();
    let txn = -1;
    act(w, (p, env) => (txn = p.beginTransaction(env)));
    sendAll(w, [
      ['orders', 0, 'a'],
      ['orders', 1, 'b'],
    ]);
    w.sim.run(150);
    sendAll(w, [
      ['orders', 0, 'c'],
      ['orders', 1, 'd'],
    ]);
    const commit = call(w, (p, env, done) => p.commitTransaction(env, done));
    w.sim.run(400);
    expect(commit.result).toEqual({ type: 'ok' });
    const added = tc.requests('AddPartitionsToTxn').flatMap((r) => r.transactions[0]!.topics.flatMap((t) => t.partitions.map((p) => `${t.name}/${p}`)));
    expect(added.sort()).toEqual(['orders/0', 'orders/1']);
    const produce = w.cluster.received('Produce');
    expect(produce.length).toBeGreaterThanOrEqual(2);
    for (const r of produce) {
      expect(r.msg.transactionalId).toBe('tx-1');
      for (const t of r.msg.topicData) for (const pd of t.partitionData) expect(pd.records.attributes & TRANSACTIONAL_BIT).toBe(TRANSACTIONAL_BIT);
    }
    const endAt = tc.received.find((r) => r.msg.api === 'EndTxn')!.at;
    const lastProduceAnswer = Math.max(...w.cluster.responses.filter((r) => r.api === 'Produce').map((r) => r.at));
    expect(endAt).toBeGreaterThan(lastProduceAnswer);
    expect(tc.requests('EndTxn')).toMatchObject([{ committed: true, bumpEpoch: true, producerId: 5000, producerEpoch: 0 }]);
    // The COMMIT markers follow the records in each partition.
    expect(w.cluster.partition('orders', 0).log.at(-1)!.attributes & CONTROL_BIT).toBe(CONTROL_BIT);
    // History: every produce invocation names the transaction; end-txn invoke and ok.
    const produceOps = raw.filter((o) => o.op === 'produce');
    expect(produceOps.map((o) => o.type)).toContain('invoke');
    expect(produceOps.map((o) => o.type)).toContain('ok');
    // Invocations and outcomes alike name the transaction.
    for (const o of produceOps) expect((o.value as { txn: number }).txn).toBe(txn);
    const end = raw.filter((o) => o.op === 'end-txn');
    expect(end.map((o) => [o.type, o.value])).toEqual([
      ['invoke', { txn, commit: true, transactionalId: 'tx-1' }],
      ['ok', { txn, commit: true, transactionalId: 'tx-1', producerId: 5000, producerEpoch: 1 }],
    ]);
    expect(end[0]!.id).not.toBe(txn);
  });

  it('takes the epoch EndTxn bumped to for the next transaction (transaction.version 2); version 1 keeps one epoch and asks no bump', () => {
    for (const version of [2, 1]) {
      const { w, tc } = initialised({ 'samsa.transaction.version': version });
      for (let i = 0; i < 2; i++) {
        act(w, (p, env) => p.beginTransaction(env));
        sendAll(w, [['orders', 0, `v${i}`]]);
        const commit = call(w, (p, env, done) => p.commitTransaction(env, done));
        w.sim.run(w.sim.now + 200);
        expect(commit.result).toEqual({ type: 'ok' });
      }
      const epochs = w.cluster.received('Produce').flatMap((r) => r.msg.topicData.flatMap((t) => t.partitionData.map((pd) => pd.records.producerEpoch)));
      expect(epochs).toEqual(version === 2 ? [0, 1] : [0, 0]);
      expect(tc.requests('EndTxn').map((r) => r.bumpEpoch)).toEqual(version === 2 ? [true, true] : [false, false]);
      // Each epoch's sequences start at 0.
      const sequences = w.cluster.received('Produce').map((r) => r.msg.topicData[0]!.partitionData[0]!.records.baseSequence);
      expect(sequences).toEqual(version === 2 ? [0, 0] : [0, 1]);
    }
  });

  it('abort drops the batches not yet sent (fail), waits for those in flight, then EndTxn(abort)', () => {
    const { w, tc, raw } = initialised({ 'linger.ms': 1000 });
    let txn = -1;
    act(w, (p, env) => (txn = p.beginTransaction(env)));
    sendAll(w, [['orders', 0, 'never-sent']]);
    w.sim.run(w.sim.now + 50); // partition added; the batch lingers
    const abort = call(w, (p, env, done) => p.abortTransaction(env, done));
    w.sim.run(w.sim.now + 200);
    expect(abort.result).toEqual({ type: 'ok' });
    expect(w.cluster.received('Produce')).toHaveLength(0);
    expect(tc.requests('EndTxn')).toMatchObject([{ committed: false }]);
    const fails = raw.filter((o) => o.op === 'produce' && o.type === 'fail');
    expect(fails).toHaveLength(1);
    const invoke = raw.find((o) => o.op === 'produce' && o.type === 'invoke')!;
    expect((invoke.value as { txn: number }).txn).toBe(txn);
    expect(raw.filter((o) => o.op === 'end-txn').map((o) => o.type)).toEqual(['invoke', 'ok']);
    act(w, (p) => expect(p.transactionState().state).toBe('READY'));
  });

  it('a transaction that never reached the coordinator ends without EndTxn', () => {
    const { w, tc, raw } = initialised();
    act(w, (p, env) => p.beginTransaction(env));
    const commit = call(w, (p, env, done) => p.commitTransaction(env, done));
    w.sim.run(w.sim.now + 100);
    expect(commit.result).toEqual({ type: 'ok' });
    expect(tc.requests('EndTxn')).toHaveLength(0);
    expect(raw.filter((o) => o.op === 'end-txn').map((o) => o.type)).toEqual(['invoke', 'ok']);
  });

  it('retries AddPartitionsToTxn answered CONCURRENT_TRANSACTIONS until it is taken', () => {
    const { w, tc } = initialised();
    tc.faults.push({ api: 'AddPartitionsToTxn', error: ErrorCode.CONCURRENT_TRANSACTIONS, times: 3 });
    act(w, (p, env) => p.beginTransaction(env));
    sendAll(w, [['orders', 0, 'x']]);
    const commit = call(w, (p, env, done) => p.commitTransaction(env, done));
    w.sim.run(w.sim.now + 500);
    expect(commit.result).toEqual({ type: 'ok' });
    expect(tc.requests('AddPartitionsToTxn')).toHaveLength(4);
    expect(w.cluster.values('orders', 0)).toEqual(['x']);
  });

  it('a fenced EndTxn is fatal: the commit ends of unknown outcome (an EndTxn went out), and no abort is ever sent after it', () => {
    const { w, tc, raw } = initialised();
    act(w, (p, env) => p.beginTransaction(env));
    sendAll(w, [['orders', 0, 'x']]);
    tc.faults.push({ api: 'EndTxn', error: ErrorCode.PRODUCER_FENCED, times: 1 });
    const commit = call(w, (p, env, done) => p.commitTransaction(env, done));
    w.sim.run(w.sim.now + 300);
    // Once an EndTxn went out its outcome is no longer certain (an answer may be a copy's, the first one lost).
    expect(commit.result).toEqual({ type: 'info', error: 'EndTxn: PRODUCER_FENCED' });
    act(w, (p) => expect(p.transactionState()).toEqual({ state: 'FATAL_ERROR', error: 'EndTxn: PRODUCER_FENCED' }));
    const abort = call(w, (p, env, done) => p.abortTransaction(env, done));
    w.sim.run(w.sim.now + 300);
    expect(abort.result?.type).toBe('fail');
    expect(tc.requests('EndTxn')).toHaveLength(1);
    expect(raw.filter((o) => o.op === 'end-txn').map((o) => o.type)).toEqual(['invoke', 'info', 'invoke', 'fail']);
    // Sends after a fatal error fail at once.
    const results: string[] = [];
    act(w, (p, env) => p.send(env, { topic: 'orders', key: null, value: 'late' }, (r) => results.push(r.type)));
    expect(results).toEqual(['fail']);
  });

  it('a commit whose EndTxn never gets an answer within max.block.ms is of unknown outcome (info), and fatal', () => {
    const { w, tc, raw } = initialised({ 'max.block.ms': 5000, 'request.timeout.ms': 1000, 'delivery.timeout.ms': 2000 });
    act(w, (p, env) => p.beginTransaction(env));
    sendAll(w, [['orders', 0, 'x']]);
    tc.faults.push({ api: 'EndTxn', drop: true, times: 100 });
    const commit = call(w, (p, env, done) => p.commitTransaction(env, done));
    w.sim.run(w.sim.now + 6000);
    expect(commit.result).toEqual({ type: 'info', error: 'commitTransaction did not finish within max.block.ms' });
    expect(tc.requests('EndTxn').length).toBeGreaterThan(1); // retried after each request timeout
    const abort = call(w, (p, env, done) => p.abortTransaction(env, done));
    w.sim.run(w.sim.now + 100);
    expect(abort.result?.type).toBe('fail');
    expect(tc.requests('EndTxn').every((r) => r.committed)).toBe(true);
    expect(raw.filter((o) => o.op === 'end-txn').map((o) => o.type)).toEqual(['invoke', 'info', 'invoke', 'fail']);
    // Initialising again starts over as a new producer: fencing the old epoch.
    const init = call(w, (p, env, done) => p.initTransactions(env, done));
    w.sim.run(w.sim.now + 100);
    expect(init.result).toEqual({ type: 'ok' });
    act(w, (p) => expect(p.producerIdAndEpoch()).toEqual({ producerId: 5000, producerEpoch: 1 }));
  });

  it('a batch that fails makes the transaction abortable: the commit fails without EndTxn, and an abort succeeds', () => {
    const { w, tc, raw } = initialised();
    act(w, (p, env) => p.beginTransaction(env));
    w.cluster.inject({ api: 'Produce', error: ErrorCode.INVALID_RECORD, times: 1 });
    sendAll(w, [['orders', 0, 'bad']]);
    const commit = call(w, (p, env, done) => p.commitTransaction(env, done));
    w.sim.run(w.sim.now + 200);
    expect(commit.result?.type).toBe('fail');
    act(w, (p) => expect(p.transactionState().state).toBe('ABORTABLE_ERROR'));
    expect(tc.requests('EndTxn')).toHaveLength(0);
    const abort = call(w, (p, env, done) => p.abortTransaction(env, done));
    w.sim.run(w.sim.now + 200);
    expect(abort.result).toEqual({ type: 'ok' });
    expect(tc.requests('EndTxn')).toMatchObject([{ committed: false }]);
    expect(raw.filter((o) => o.op === 'end-txn').map((o) => [o.type, (o.value as { commit: boolean }).commit])).toEqual([
      ['invoke', true],
      ['fail', true],
      ['invoke', false],
      ['ok', false],
    ]);
  });

  it('a batch put back for a retry while aborting is dropped, never sent after the EndTxn(abort)', () => {
    const { w, tc, raw } = initialised();
    // A first transaction, so the metadata is known and orders/0 was added once before.
    act(w, (p, env) => p.beginTransaction(env));
    sendAll(w, [['orders', 0, 'first']]);
    act(w, (p, env) => p.commitTransaction(env));
    w.sim.run(w.sim.now + 100);
    w.sim.setLinkBetween('p1', 'b1', { latency: { constant: 50 } });
    w.cluster.inject({ api: 'Produce', error: ErrorCode.NOT_LEADER_OR_FOLLOWER, times: 1 });
    act(w, (p, env) => p.beginTransaction(env));
    sendAll(w, [['orders', 0, 'x']]);
    w.sim.run(w.sim.now + 20); // partition added (b2 is near), the batch on its way to b1
    expect(w.cluster.received('Produce')).toHaveLength(1);
    const abort = call(w, (p, env, done) => p.abortTransaction(env, done));
    w.sim.run(w.sim.now + 1000);
    expect(abort.result).toEqual({ type: 'ok' });
    expect(w.cluster.received('Produce')).toHaveLength(2);
    expect(tc.requests('EndTxn')).toMatchObject([{ committed: true }, { committed: false }]);
    expect(raw.filter((o) => o.op === 'produce' && o.type !== 'invoke').map((o) => o.type)).toEqual(['ok', 'fail']);
  });

  it('transaction.version 1: an abort after a batch with a sequence failed bumps the epoch with InitProducerId (KIP-360)', () => {
    const { w, tc } = initialised({ 'samsa.transaction.version': 1 });
    act(w, (p, env) => p.beginTransaction(env));
    w.cluster.inject({ api: 'Produce', error: ErrorCode.INVALID_RECORD, times: 1 });
    sendAll(w, [['orders', 0, 'bad']]);
    w.sim.run(w.sim.now + 100);
    act(w, (p) => expect(p.transactionState().state).toBe('ABORTABLE_ERROR'));
    const abort = call(w, (p, env, done) => p.abortTransaction(env, done));
    w.sim.run(w.sim.now + 200);
    expect(abort.result).toEqual({ type: 'ok' });
    const inits = tc.received.filter((r) => r.msg.api === 'InitProducerId').map((r) => r.msg);
    expect(inits).toMatchObject([
      { producerId: -1, producerEpoch: -1 },
      { producerId: 5000, producerEpoch: 0 },
    ]);
    act(w, (p) => expect([p.transactionState().state, p.producerIdAndEpoch().producerEpoch]).toEqual(['READY', 1]));
  });

  it('sendOffsetsToTransaction: AddOffsetsToTxn to the transaction coordinator, then TxnOffsetCommit with the generation to the group coordinator', () => {
    const { w, tc, raw } = initialised();
    let txn = -1;
    act(w, (p, env) => (txn = p.beginTransaction(env)));
    sendAll(w, [['orders', 0, 'copy']]);
    const offsets = call(w, (p, env, done) => p.sendOffsetsToTransaction(env, [['input', 0, 7]], { groupId: 'copiers', generation: 3, memberId: 'm-1' }, done));
    w.sim.run(w.sim.now + 200);
    expect(offsets.result).toEqual({ type: 'ok' });
    expect(tc.requests('AddOffsetsToTxn')).toMatchObject([{ transactionalId: 'tx-1', groupId: 'copiers', producerId: 5000, producerEpoch: 0 }]);
    expect(tc.requests('FindCoordinator').map((r) => r.keyType)).toEqual([1, 0]);
    expect(tc.requests('TxnOffsetCommit')).toMatchObject([
      {
        groupId: 'copiers',
        generationId: 3,
        memberId: 'm-1',
        producerId: 5000,
        topics: [{ name: 'input', partitions: [{ partitionIndex: 0, committedOffset: 7 }] }],
      },
    ]);
    const commit = call(w, (p, env, done) => p.commitTransaction(env, done));
    w.sim.run(w.sim.now + 200);
    expect(commit.result).toEqual({ type: 'ok' });
    expect(tc.committedOffsets.get('copiers')).toEqual([['input', 0, 7]]);
    expect(raw.filter((o) => o.op === 'txn-offsets').map((o) => [o.type, o.value])).toEqual([
      ['invoke', { txn, group: 'copiers', offsets: [['input', 0, 7]] }],
      ['ok', { txn, group: 'copiers', offsets: [['input', 0, 7]] }],
    ]);
  });

  it('a TxnOffsetCommit fenced by the group (ILLEGAL_GENERATION, KIP-447) makes the transaction abortable', () => {
    const { w, tc } = initialised();
    act(w, (p, env) => p.beginTransaction(env));
    tc.faults.push({ api: 'TxnOffsetCommit', error: ErrorCode.ILLEGAL_GENERATION, times: 1 });
    const offsets = call(w, (p, env, done) => p.sendOffsetsToTransaction(env, [['input', 0, 7]], { groupId: 'copiers', generation: 1, memberId: 'm-1' }, done));
    w.sim.run(w.sim.now + 200);
    expect(offsets.result).toEqual({ type: 'fail', error: 'TxnOffsetCommit: ILLEGAL_GENERATION' });
    act(w, (p) => expect(p.transactionState().state).toBe('ABORTABLE_ERROR'));
  });

  it('sends outside a transaction fail at once; a non-transactional producer refuses the transactional calls', () => {
    const { w } = initialised();
    const results: string[] = [];
    act(w, (p, env) => p.send(env, { topic: 'orders', key: null, value: 'x' }, (r) => results.push(r.type === 'ok' ? 'ok' : `${r.type}: ${r.error}`)));
    expect(results).toEqual(['fail: Cannot send in state READY: no transaction in progress']);
    w.producer('plain', {});
    w.withProducer('plain', (p, env) => expect(() => p.beginTransaction(env as Env<ProducerMessage>)).toThrow(/transactional\.id/));
  });
});
