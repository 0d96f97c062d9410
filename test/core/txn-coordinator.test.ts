// The transaction coordinator on a fake broker: InitProducerId and fencing, AddPartitionsToTxn and
// leaders' verification, commit and abort with their markers (CONCURRENT_TRANSACTIONS while they are
// on their way), KIP-890 epoch bumps, timeouts, failover (a reload resumes the markers of Prepare*),
// the admin APIs, and the two seeded bugs.

import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../core/protocol/errors.ts';
import type { FindCoordinatorResponse } from '../../core/protocol/group.ts';
import type { AddOffsetsToTxnResponse, DescribeTransactionsResponse, ListTransactionsResponse } from '../../core/protocol/txn.ts';
import { offsetsPartitionFor } from '../../core/group/offsets-topic.ts';
import { readTransactionLogRecord, transactionLogRecord } from '../../core/txn/transaction-log.ts';
import { EPOCH, FakeBroker, Harness } from './txn-harness.ts';

const E = ErrorCode;

/** A coordinator that leads and has loaded, with t1 initialised (producer 1000, epoch 0). */
function ready(bugs: ConstructorParameters<typeof Harness>[1] = [], config: Record<string, number> = {}): Harness {
  const h = new Harness(new FakeBroker(), bugs, config).lead();
  expect(h.init()).toMatchObject({ errorCode: E.NONE, producerId: 1000, producerEpoch: 0 });
  return h;
}

describe('coordination', () => {
  it('answers NOT_COORDINATOR without the partition and COORDINATOR_LOAD_IN_PROGRESS while loading', () => {
    const h = new Harness();
    expect(h.init().errorCode).toBe(E.NOT_COORDINATOR);
    h.lead(EPOCH, false);
    expect(h.init().errorCode).toBe(E.COORDINATOR_LOAD_IN_PROGRESS);
    h.advance(10);
    expect(h.init().errorCode).toBe(E.NONE);
    h.resign();
    expect(h.addPartitions(1000, 0, { orders: [0] })).toEqual([E.NOT_COORDINATOR]);
  });

  it('FindCoordinator creates __transaction_state with its configs, then names the leader', () => {
    const broker = new FakeBroker();
    broker.image.apply({ type: 'RemoveTopicRecord', topicId: 'TS' });
    const h = new Harness(broker, [], { 'transaction.state.log.replication.factor': 3, 'transaction.state.log.min.isr': 2 });
    const ask = () => h.call<FindCoordinatorResponse>({ api: 'FindCoordinator', kind: 'request', keyType: 1, coordinatorKeys: ['t1'] }).coordinators[0]!;
    expect(ask().errorCode).toBe(E.COORDINATOR_NOT_AVAILABLE);
    expect(broker.created).toEqual([
      {
        name: '__transaction_state',
        partitions: 1,
        replicationFactor: 3,
        configs: [
          { name: 'cleanup.policy', value: 'compact' },
          { name: 'min.insync.replicas', value: '2' },
          { name: 'segment.bytes', value: '104857600' },
        ],
      },
    ]);
    expect(
      new Harness().call<FindCoordinatorResponse>({ api: 'FindCoordinator', kind: 'request', keyType: 1, coordinatorKeys: ['t1'] }).coordinators[0],
    ).toMatchObject({ errorCode: E.NONE, nodeId: 'b1' });
  });
});

describe('InitProducerId', () => {
  it('gives a new id epoch 0, then bumps the epoch; checks the timeout and the id given (KIP-360)', () => {
    const h = ready();
    expect(h.init()).toMatchObject({ errorCode: E.NONE, producerId: 1000, producerEpoch: 1 });
    expect(h.init('t1', 0).errorCode).toBe(E.INVALID_TRANSACTION_TIMEOUT);
    expect(h.init('t1', 900_001).errorCode).toBe(E.INVALID_TRANSACTION_TIMEOUT);
    expect(h.init('t1', 1000, 1000, -1).errorCode).toBe(E.INVALID_REQUEST);
    // Resuming with the current epoch bumps it; a retry with the previous one gets the same again.
    expect(h.init('t1', 60_000, 1000, 1)).toMatchObject({ errorCode: E.NONE, producerEpoch: 2 });
    expect(h.init('t1', 60_000, 1000, 1)).toMatchObject({ errorCode: E.NONE, producerEpoch: 2 });
    expect(h.init('t1', 60_000, 1000, 0).errorCode).toBe(E.PRODUCER_FENCED);
    expect(h.init('t1', 60_000, 777, 2).errorCode).toBe(E.PRODUCER_FENCED);
    expect(h.states()).toEqual(['Empty@0', 'Empty@1', 'Empty@2', 'Empty@2']);
  });

  it('fences an ongoing transaction: PrepareAbort at a bumped epoch, CONCURRENT_TRANSACTIONS, then a second bump', () => {
    const h = ready();
    expect(h.addPartitions(1000, 0, { orders: [0, 1] })).toEqual([E.NONE, E.NONE]);
    expect(h.init().errorCode).toBe(E.CONCURRENT_TRANSACTIONS);
    expect(h.states()).toEqual(['Empty@0', 'Ongoing@0', 'PrepareAbort@1']);
    const markers = h.markerRequests();
    expect(markers.map((m) => m.to).sort()).toEqual(['b2', 'b3']);
    expect(markers[0]!.msg.markers[0]).toMatchObject({ producerId: 1000, producerEpoch: 1, transactionResult: false, coordinatorEpoch: EPOCH });
    // The zombie is fenced; the new producer waits for the markers.
    expect(h.endTxn(1000, 0, true).errorCode).toBe(E.PRODUCER_FENCED);
    expect(h.init().errorCode).toBe(E.CONCURRENT_TRANSACTIONS);
    h.answerMarkers();
    expect(h.init()).toMatchObject({ errorCode: E.NONE, producerId: 1000, producerEpoch: 2 });
    expect(h.states()).toEqual(['Empty@0', 'Ongoing@0', 'PrepareAbort@1', 'CompleteAbort@1', 'Empty@2']);
  });

  it('rotates to a new producer id when the epochs are used up', () => {
    const broker = new FakeBroker();
    const a = new Harness(broker).lead();
    a.init();
    a.resign();
    // The id's last record, at epoch 32766 (Short.MAX - 1: exhausted).
    const last = broker.log.at(-1)!;
    const read = readTransactionLogRecord(last.records[0]!.key, last.records[0]!.value)!;
    broker.log.push({ ...last, records: [transactionLogRecord('t1', { ...read.value!, producerEpoch: 32766 })] });
    const b = new Harness(broker).lead(EPOCH + 1);
    expect(b.init('t1', 60_000, 1000, 32766)).toMatchObject({ errorCode: E.NONE, producerId: 1001, producerEpoch: 0 });
    // The producer retries (the answer was lost): the old id and its exhausted epoch are recognised, nothing bumps.
    expect(b.init('t1', 60_000, 1000, 32766)).toMatchObject({ errorCode: E.NONE, producerId: 1001, producerEpoch: 0 });
    expect(b.init()).toMatchObject({ errorCode: E.NONE, producerId: 1001, producerEpoch: 1 });
  });
});

describe('a transaction', () => {
  it('commits: Ongoing, PrepareCommit answered, markers to each leader, CompleteCommit once acknowledged', () => {
    const h = ready();
    expect(h.addPartitions(1000, 0, { orders: [0] })).toEqual([E.NONE]);
    expect(h.addPartitions(1000, 0, { orders: [0, 1] })).toEqual([E.NONE, E.NONE]);
    expect(h.endTxn(1000, 0, true)).toMatchObject({ errorCode: E.NONE, producerId: -1, producerEpoch: -1 });
    expect(h.states()).toEqual(['Empty@0', 'Ongoing@0', 'Ongoing@0', 'PrepareCommit@0']);
    const markers = h.markerRequests().sort((a, b) => (a.to < b.to ? -1 : 1));
    expect(markers.map((m) => [m.to, m.msg.markers[0]!.topics])).toEqual([
      ['b2', [{ name: 'orders', partitionIndexes: [0] }]],
      ['b3', [{ name: 'orders', partitionIndexes: [1] }]],
    ]);
    expect(markers[0]!.msg.markers[0]).toMatchObject({ transactionResult: true, producerEpoch: 0, coordinatorEpoch: EPOCH });
    // While the markers are on their way, the next transaction and a retried EndTxn wait.
    expect(h.addPartitions(1000, 0, { orders: [0] })).toEqual([E.CONCURRENT_TRANSACTIONS]);
    expect(h.endTxn(1000, 0, true).errorCode).toBe(E.CONCURRENT_TRANSACTIONS);
    expect(h.endTxn(1000, 0, false).errorCode).toBe(E.CONCURRENT_TRANSACTIONS);
    h.answerMarkers(E.NONE, 'b2');
    expect(h.states().at(-1)).toBe('PrepareCommit@0');
    // DescribeTransactions lists only the partitions still without their marker.
    const described = h.call<DescribeTransactionsResponse>({ api: 'DescribeTransactions', kind: 'request', transactionalIds: ['t1'] });
    expect(described.transactionStates[0]).toMatchObject({ transactionState: 'PrepareCommit', topics: [{ topic: 'orders', partitions: [1] }] });
    h.answerMarkers(E.NONE, 'b3');
    expect(h.states().at(-1)).toBe('CompleteCommit@0');
    // A retried EndTxn is a success; the opposite one is not.
    expect(h.endTxn(1000, 0, true).errorCode).toBe(E.NONE);
    expect(h.endTxn(1000, 0, false).errorCode).toBe(E.INVALID_TXN_STATE);
    expect(h.addPartitions(1000, 0, { orders: [1] })).toEqual([E.NONE]);
  });

  it('aborts, and EndTxn on Empty or from another id is refused', () => {
    const h = ready();
    expect(h.endTxn(1000, 0, false).errorCode).toBe(E.INVALID_TXN_STATE);
    expect(h.endTxn(999, 0, false).errorCode).toBe(E.INVALID_PRODUCER_ID_MAPPING);
    h.addPartitions(1000, 0, { orders: [1] });
    expect(h.endTxn(1000, 0, false).errorCode).toBe(E.NONE);
    expect(h.markerRequests()[0]!.msg.markers[0]).toMatchObject({ transactionResult: false });
    h.answerMarkers();
    expect(h.states().slice(-2)).toEqual(['PrepareAbort@0', 'CompleteAbort@0']);
    expect(h.endTxn(1000, 0, false).errorCode).toBe(E.NONE);
  });

  it('adds the group’s __consumer_offsets partition for AddOffsetsToTxn', () => {
    const h = ready();
    const res = h.call<AddOffsetsToTxnResponse>({
      api: 'AddOffsetsToTxn',
      kind: 'request',
      transactionalId: 't1',
      producerId: 1000,
      producerEpoch: 0,
      groupId: 'g1',
    });
    expect(res.errorCode).toBe(E.NONE);
    const ongoing = h.traces.find((e) => e.kind === 'txn-state' && e.state === 'Ongoing');
    expect(ongoing).toMatchObject({ partitions: [`__consumer_offsets/${offsetsPartitionFor('g1', 3)}`] });
  });

  it('refuses unknown partitions and does not attempt the others', () => {
    const h = ready();
    expect(h.addPartitions(1000, 0, { orders: [0, 7], nowhere: [0] })).toEqual([
      E.OPERATION_NOT_ATTEMPTED,
      E.UNKNOWN_TOPIC_OR_PARTITION,
      E.UNKNOWN_TOPIC_OR_PARTITION,
    ]);
    expect(h.addPartitions(1000, 1, { orders: [0] })).toEqual([E.PRODUCER_FENCED]);
    expect(h.addPartitions(5, 0, { orders: [0] }, 'unknown-id')).toEqual([E.INVALID_PRODUCER_ID_MAPPING]);
  });

  it('answers a leader’s verification (verifyOnly) without adding anything', () => {
    const h = ready();
    h.addPartitions(1000, 0, { orders: [0] });
    expect(h.addPartitions(1000, 0, { orders: [0, 1] }, 't1', true)).toEqual([E.NONE, E.INVALID_TXN_STATE]);
    expect(h.addPartitions(1000, 1, { orders: [0] }, 't1', true)).toEqual([E.PRODUCER_FENCED]);
    expect(h.states()).toEqual(['Empty@0', 'Ongoing@0']);
    h.endTxn(1000, 0, true);
    expect(h.addPartitions(1000, 0, { orders: [0] }, 't1', true)).toEqual([E.CONCURRENT_TRANSACTIONS]);
  });

  it('gives the transaction back when its write fails', () => {
    const h = ready();
    h.broker.appendError = E.NOT_ENOUGH_REPLICAS;
    expect(h.addPartitions(1000, 0, { orders: [0] })).toEqual([E.COORDINATOR_NOT_AVAILABLE]);
    h.broker.appendError = E.NONE;
    expect(h.addPartitions(1000, 0, { orders: [0] })).toEqual([E.NONE]);
  });
});

describe('markers', () => {
  it('are sent again to the new leader after NOT_LEADER_OR_FOLLOWER, and a deleted topic counts as done', () => {
    const h = ready();
    h.addPartitions(1000, 0, { orders: [0, 1] });
    h.endTxn(1000, 0, true);
    h.broker.moveLeader('OR', 0, 'b3');
    h.answerMarkers(E.NOT_LEADER_OR_FOLLOWER, 'b2');
    h.answerMarkers(E.NONE, 'b3');
    expect(h.markerRequests()).toEqual([]);
    h.advance(100);
    expect(h.markerRequests().map((m) => [m.to, m.msg.markers[0]!.topics])).toEqual([['b3', [{ name: 'orders', partitionIndexes: [0] }]]]);
    h.broker.image.apply({ type: 'RemoveTopicRecord', topicId: 'OR' });
    h.advance(31_000); // the request times out; the partition is gone
    h.broker.settle();
    expect(h.states().at(-1)).toBe('CompleteCommit@0');
  });
});

describe('completion', () => {
  it('writes Complete* again while __transaction_state is unavailable, and stops sending when fenced', () => {
    const h = ready();
    h.addPartitions(1000, 0, { orders: [0] });
    h.endTxn(1000, 0, true);
    h.broker.appendError = E.NOT_ENOUGH_REPLICAS;
    h.answerMarkers();
    expect(h.states().at(-1)).toBe('PrepareCommit@0');
    expect(h.addPartitions(1000, 0, { orders: [0] })).toEqual([E.CONCURRENT_TRANSACTIONS]);
    h.broker.appendError = E.NONE;
    h.advance(100);
    h.broker.settle();
    expect(h.states().at(-1)).toBe('CompleteCommit@0');

    h.addPartitions(1000, 0, { orders: [1] });
    h.endTxn(1000, 0, false);
    h.answerMarkers(E.TRANSACTION_COORDINATOR_FENCED);
    h.advance(60_000);
    expect(h.markerRequests()).toEqual([]);
    expect(h.states().at(-1)).toBe('PrepareAbort@0');
  });
});

describe('KIP-890 part 2 (EndTxn v5)', () => {
  it('bumps the epoch with each end, markers carry it, a retry of the old epoch is answered, the old epoch is fenced', () => {
    const h = ready();
    h.addPartitions(1000, 0, { orders: [0] });
    expect(h.endTxn(1000, 0, true, true)).toMatchObject({ errorCode: E.NONE, producerId: 1000, producerEpoch: 1 });
    expect(h.markerRequests()[0]!.msg.markers[0]).toMatchObject({ producerEpoch: 1, transactionResult: true });
    expect(h.endTxn(1000, 0, true, true).errorCode).toBe(E.CONCURRENT_TRANSACTIONS);
    h.answerMarkers();
    expect(h.endTxn(1000, 0, true, true)).toMatchObject({ errorCode: E.NONE, producerId: 1000, producerEpoch: 1 });
    expect(h.addPartitions(1000, 0, { orders: [0] })).toEqual([E.PRODUCER_FENCED]);
    expect(h.addPartitions(1000, 1, { orders: [0] })).toEqual([E.NONE]);
    h.endTxn(1000, 1, false, true);
    h.answerMarkers();
    // An abort without partitions is a transaction too: no markers, completed at once.
    expect(h.endTxn(1000, 2, false, true)).toMatchObject({ errorCode: E.NONE, producerEpoch: 3 });
    expect(h.states()).toEqual([
      'Empty@0',
      'Ongoing@0',
      'PrepareCommit@1',
      'CompleteCommit@1',
      'Ongoing@1',
      'PrepareAbort@2',
      'CompleteAbort@2',
      'PrepareAbort@3',
      'CompleteAbort@3',
    ]);
  });

  it('seeded bug no-epoch-bump-per-txn: the same epoch is answered and the markers carry it', () => {
    const h = ready(['no-epoch-bump-per-txn']);
    h.addPartitions(1000, 0, { orders: [0] });
    expect(h.endTxn(1000, 0, true, true)).toMatchObject({ errorCode: E.NONE, producerId: 1000, producerEpoch: 0 });
    expect(h.markerRequests()[0]!.msg.markers[0]).toMatchObject({ producerEpoch: 0 });
    h.answerMarkers();
    // A delayed write of the committed transaction's epoch is accepted into the next one.
    expect(h.addPartitions(1000, 0, { orders: [0] })).toEqual([E.NONE]);
  });
});

describe('timeouts', () => {
  it('aborts an ongoing transaction past its timeout, after bumping the epoch', () => {
    const h = ready([], { 'transaction.abort.timed.out.transaction.cleanup.interval.ms': 1000 });
    h.init('t2', 5000);
    h.addPartitions(1001, 0, { orders: [1] }, 't2');
    h.addPartitions(1000, 0, { orders: [0] });
    h.advance(4000);
    expect(h.states('t2').at(-1)).toBe('Ongoing@0');
    h.advance(2000);
    h.broker.settle();
    expect(h.states('t2').at(-1)).toBe('PrepareAbort@1');
    expect(h.states().at(-1)).toBe('Ongoing@0');
    h.answerMarkers();
    expect(h.states('t2').at(-1)).toBe('CompleteAbort@1');
    expect(h.endTxn(1001, 0, true, false, 't2').errorCode).toBe(E.PRODUCER_FENCED);
  });
});

describe('transactional id expiration', () => {
  it('forgets an idle id after transactional.id.expiration.ms with a tombstone, but not one in a transaction', () => {
    const config = { 'transactional.id.expiration.ms': 60_000, 'transaction.remove.expired.transaction.cleanup.interval.ms': 1000 };
    const h = ready([], config);
    h.init('t2');
    h.addPartitions(1001, 0, { orders: [0] }, 't2');
    h.advance(61_000);
    h.broker.settle();
    expect(h.states().at(-1)).toBe('Dead@0');
    expect(h.states('t2').at(-1)).toBe('Ongoing@0');
    const described = h.call<DescribeTransactionsResponse>({ api: 'DescribeTransactions', kind: 'request', transactionalIds: ['t1'] });
    expect(described.transactionStates[0]!.errorCode).toBe(E.TRANSACTIONAL_ID_NOT_FOUND);
    expect(h.broker.log.at(-1)!.records[0]!.value).toBeNull();
    // A new coordinator does not bring it back; a new InitProducerId starts it afresh.
    h.resign();
    const next = new Harness(h.broker, [], config).lead(EPOCH + 1);
    expect(next.states()).toEqual([]);
    expect(next.init()).toMatchObject({ errorCode: E.NONE, producerId: 1002, producerEpoch: 0 });
  });
});

describe('failover', () => {
  it('a new coordinator replays the log and sends the markers of a transaction in PrepareCommit again', () => {
    const broker = new FakeBroker();
    const a = new Harness(broker).lead();
    a.init();
    a.addPartitions(1000, 0, { orders: [0, 1] });
    a.endTxn(1000, 0, true);
    expect(a.markerRequests()).toHaveLength(2);
    a.resign();
    expect(a.endTxn(1000, 0, true).errorCode).toBe(E.NOT_COORDINATOR);
    a.answerMarkers(); // too late: the old coordinator dropped them
    expect(a.states().at(-1)).toBe('PrepareCommit@0');

    const b = new Harness(broker).lead(EPOCH + 1);
    expect(b.states()).toEqual(['PrepareCommit@0']);
    const resent = b.markerRequests();
    expect(resent.map((m) => m.msg.markers[0]!.coordinatorEpoch)).toEqual([EPOCH + 1, EPOCH + 1]);
    expect(b.addPartitions(1000, 0, { orders: [0] })).toEqual([E.CONCURRENT_TRANSACTIONS]);
    b.answerMarkers();
    expect(b.states()).toEqual(['PrepareCommit@0', 'CompleteCommit@0']);
    expect(b.init()).toMatchObject({ errorCode: E.NONE, producerId: 1000, producerEpoch: 1 });
  });

  it('a write that lands after leadership moved is answered NOT_COORDINATOR', () => {
    const h = ready();
    expect(h.addPartitions(1000, 0, { orders: [0] })).toEqual([E.NONE]);
    const res = h.call({ api: 'EndTxn', kind: 'request', transactionalId: 't1', producerId: 1000, producerEpoch: 0, committed: true, bumpEpoch: false }, false);
    expect(res).toBeUndefined();
    h.resign();
    h.broker.settle();
    expect(h.sent.at(-1)!.msg).toMatchObject({ api: 'EndTxn', errorCode: E.NOT_COORDINATOR });
    expect(h.markerRequests()).toEqual([]);
  });
});

describe('seeded bug endtxn-before-markers', () => {
  it('completes the transaction before the markers are acknowledged, so the next one starts at once', () => {
    const correct = ready();
    const buggy = ready(['endtxn-before-markers']);
    for (const h of [correct, buggy]) {
      h.addPartitions(1000, 0, { orders: [0] });
      h.endTxn(1000, 0, true);
      expect(h.markerRequests()).toHaveLength(1);
    }
    expect(correct.addPartitions(1000, 0, { orders: [0] })).toEqual([E.CONCURRENT_TRANSACTIONS]);
    expect(buggy.states().slice(-2)).toEqual(['PrepareCommit@0', 'CompleteCommit@0']);
    expect(buggy.addPartitions(1000, 0, { orders: [0] })).toEqual([E.NONE]);
    expect(buggy.endTxn(1000, 0, false).errorCode).toBe(E.NONE);
    // Both transactions' markers are now in flight to the same leader.
    expect(buggy.markerRequests().map((m) => m.msg.markers[0]!.transactionResult)).toEqual([true, false]);
  });
});

describe('DescribeTransactions and ListTransactions', () => {
  it('describe a transaction and list by state and producer id', () => {
    const h = ready();
    h.init('t2');
    h.addPartitions(1000, 0, { orders: [1, 0] });
    h.now = 5000;
    const described = h.call<DescribeTransactionsResponse>({ api: 'DescribeTransactions', kind: 'request', transactionalIds: ['t1', 'nope'] });
    expect(described.transactionStates).toEqual([
      {
        errorCode: E.NONE,
        transactionalId: 't1',
        transactionState: 'Ongoing',
        transactionTimeoutMs: 60_000,
        transactionStartTimeMs: 10,
        producerId: 1000,
        producerEpoch: 0,
        topics: [{ topic: 'orders', partitions: [0, 1] }],
      },
      expect.objectContaining({ errorCode: E.TRANSACTIONAL_ID_NOT_FOUND, transactionalId: 'nope' }),
    ]);
    const list = (stateFilters: string[], producerIdFilters: number[] = [], durationFilter = -1) =>
      h.call<ListTransactionsResponse>({ api: 'ListTransactions', kind: 'request', stateFilters, producerIdFilters, durationFilter });
    expect(list([]).transactionStates.map((t) => t.transactionalId)).toEqual(['t1', 't2']);
    expect(list(['Ongoing', 'Bogus'])).toMatchObject({
      unknownStateFilters: ['Bogus'],
      transactionStates: [{ transactionalId: 't1', producerId: 1000, transactionState: 'Ongoing' }],
    });
    expect(list([], [1001]).transactionStates.map((t) => t.transactionalId)).toEqual(['t2']);
    expect(list(['Ongoing'], [], 4000).transactionStates).toHaveLength(1);
    expect(list(['Ongoing'], [], 6000).transactionStates).toHaveLength(0);
  });
});
