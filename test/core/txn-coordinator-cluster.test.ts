// The transaction coordinator in a simulated three-node cluster, with and without the wire codec:
// FindCoordinator for a transactional id creates __transaction_state (compacted, its min.insync.replicas),
// InitProducerId with a transactional id reaches the coordinator, partitions join the transaction,
// EndTxn is answered once PrepareCommit is written on every ISR replica, the leaders write the COMMIT
// markers and the coordinator completes; another broker answers NOT_COORDINATOR; all traced as txn-state.

import { describe, expect, it } from 'vitest';
import type { CreateTopicsResponse } from '../../core/protocol/controller.ts';
import type { InitProducerIdResponse } from '../../core/protocol/data.ts';
import { ErrorCode } from '../../core/protocol/errors.ts';
import { ControlType, controlTypeOf, isControl } from '../../core/protocol/records.ts';
import type { FindCoordinatorResponse } from '../../core/protocol/group.ts';
import type { AddPartitionsToTxnResponse, EndTxnResponse, TxnRequest } from '../../core/protocol/txn.ts';
import { TRANSACTION_STATE_TOPIC, transactionPartitionFor } from '../../core/txn/transaction-topic.ts';
import { combinedScenario, startedCluster, TestCluster } from './controller-helpers.ts';

type Body<R> = R extends unknown ? Omit<R, 'correlationId'> : never;

function cluster(wire: boolean): TestCluster {
  const config = { 'transaction.state.log.num.partitions': 3, 'transaction.state.log.replication.factor': 3, 'transaction.state.log.min.isr': 2 };
  const tc = new TestCluster(startedCluster({ ...combinedScenario(config), ...(wire ? { wire: true as const } : {}) }, 1, null, []));
  tc.runUntil(() => tc.activeController() !== null && tc.allUnfenced(), 30_000, 'an active controller and unfenced brokers');
  const created = tc.request<CreateTopicsResponse>(tc.controller(), (correlationId) => ({
    api: 'CreateTopics',
    kind: 'request',
    correlationId,
    topics: [{ name: 'orders', numPartitions: 2, replicationFactor: 3, configs: [] }],
    timeoutMs: 2000,
    validateOnly: false,
  }));
  expect(created.topics[0]!.errorCode).toBe(ErrorCode.NONE);
  return tc;
}

function send<R>(
  tc: TestCluster,
  to: string,
  body: Body<
    | TxnRequest
    | { api: 'InitProducerId'; kind: 'request'; transactionalId: string | null; transactionTimeoutMs: number; producerId: number; producerEpoch: number }
  >,
): R {
  return tc.request(to, (correlationId) => ({ ...body, correlationId }) as never) as R;
}

function coordinatorOf(tc: TestCluster, transactionalId: string): string {
  let coordinator: string | null = null;
  tc.runUntil(
    () => {
      const res = tc.request<FindCoordinatorResponse>('b1', (correlationId) => ({
        api: 'FindCoordinator',
        kind: 'request',
        correlationId,
        keyType: 1,
        coordinatorKeys: [transactionalId],
      }));
      const c = res.coordinators[0]!;
      if (c.errorCode === ErrorCode.NONE) coordinator = c.nodeId;
      else expect(c.errorCode).toBe(ErrorCode.COORDINATOR_NOT_AVAILABLE);
      return coordinator !== null;
    },
    20_000,
    'a transaction coordinator',
  );
  return coordinator!;
}

function init(tc: TestCluster, to: string): InitProducerIdResponse {
  let res: InitProducerIdResponse | null = null;
  tc.runUntil(
    () => {
      res = send<InitProducerIdResponse>(tc, to, {
        api: 'InitProducerId',
        kind: 'request',
        transactionalId: 'app-1',
        transactionTimeoutMs: 60_000,
        producerId: -1,
        producerEpoch: -1,
      });
      // The coordinator may not have applied its leadership yet, then loads the partition.
      if (res.errorCode !== ErrorCode.NONE) expect([ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS]).toContain(res.errorCode);
      return res.errorCode === ErrorCode.NONE;
    },
    5_000,
    'a producer id',
  );
  return res!;
}

describe.each([false, true])('the transaction coordinator in a cluster (through the wire codec: %s)', (wire) => {
  it('creates __transaction_state, initialises a producer, adds partitions and writes PrepareCommit before answering EndTxn', () => {
    const tc = cluster(wire);
    const coordinator = coordinatorOf(tc, 'app-1');
    const topic = tc.node('b1').image.topicByName(TRANSACTION_STATE_TOPIC)!;
    expect(topic.partitions).toHaveLength(3);
    expect(topic.config).toMatchObject({ 'cleanup.policy': 'compact', 'min.insync.replicas': '2' });

    const { producerId, producerEpoch } = init(tc, coordinator);
    expect(producerEpoch).toBe(0);
    expect(producerId).toBeGreaterThanOrEqual(0);
    const other = ['b1', 'b2', 'b3'].find((b) => b !== coordinator)!;
    expect(
      send<AddPartitionsToTxnResponse>(tc, other, addBody(producerId)).resultsByTransaction[0]!.topicResults[0]!.resultsByPartition[0]!.partitionErrorCode,
    ).toBe(ErrorCode.NOT_COORDINATOR);
    const added = send<AddPartitionsToTxnResponse>(tc, coordinator, addBody(producerId));
    expect(added.resultsByTransaction[0]!.topicResults[0]!.resultsByPartition.map((p) => p.partitionErrorCode)).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
    const ended = send<EndTxnResponse>(tc, coordinator, {
      api: 'EndTxn',
      kind: 'request',
      transactionalId: 'app-1',
      producerId,
      producerEpoch: 0,
      committed: true,
      bumpEpoch: false,
    });
    expect(ended.errorCode).toBe(ErrorCode.NONE);
    const states = tc.traces.filter((t) => t.node === coordinator && t.event.kind === 'txn-state').map((t) => t.event.state);
    expect(states.slice(0, 3)).toEqual(['Empty', 'Ongoing', 'PrepareCommit']);
    const prepared = tc.traces.find((t) => t.event.kind === 'txn-state' && t.event.state === 'PrepareCommit')!.event;
    expect(prepared).toMatchObject({ transactionalId: 'app-1', producerId, producerEpoch: 0, partitions: ['orders/0', 'orders/1'] });
    // The leaders write the COMMIT markers; then the coordinator completes the transaction.
    tc.runUntil(
      () => tc.traces.some((t) => t.node === coordinator && t.event.kind === 'txn-state' && t.event.state === 'CompleteCommit'),
      5_000,
      'CompleteCommit',
    );
    for (const partition of [0, 1]) {
      const leader = tc.node(coordinator).image.partition('orders', partition)!.leader!;
      const log = tc.node(leader).replicas!.ledLog('orders', partition)!;
      expect(log.filter((b) => isControl(b)).map((b) => [b.producerId, controlTypeOf(b.records[0]!.key)])).toEqual([[producerId, ControlType.COMMIT]]);
    }
    // The coordinator epoch is the leader epoch of the id's __transaction_state partition.
    expect(prepared.coordinatorEpoch).toBe(tc.node(coordinator).image.partition(TRANSACTION_STATE_TOPIC, transactionPartitionFor('app-1', 3))!.leaderEpoch);
  });
});

function addBody(producerId: number): Body<TxnRequest> {
  return {
    api: 'AddPartitionsToTxn',
    kind: 'request',
    transactions: [{ transactionalId: 'app-1', producerId, producerEpoch: 0, verifyOnly: false, topics: [{ name: 'orders', partitions: [0, 1] }] }],
  };
}
