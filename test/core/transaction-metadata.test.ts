// The transaction state machine: Kafka's legal transitions, one pending transition at a time, the
// epoch bumps of InitProducerId (KIP-360 retries), fencing, KIP-890's bump per transaction and its
// producer id rotation once the epochs run out.

import { describe, expect, it } from 'vitest';
import { TXN_STATES } from '../../core/protocol/txn.ts';
import { IllegalTxnStateError, isValidTransition, TransactionMetadata, type TxnTransit } from '../../core/txn/transaction-metadata.ts';

function fresh(): TransactionMetadata {
  return TransactionMetadata.created('t1', 1000, 60_000, 0);
}

/** Prepares and completes a transition, as a successful write does. */
function commit(m: TransactionMetadata, transit: TxnTransit): void {
  m.completeTransitionTo(transit);
}

describe('the state machine', () => {
  it('allows Kafka’s transitions only', () => {
    const legal = TXN_STATES.flatMap((from) => TXN_STATES.filter((to) => isValidTransition(from, to)).map((to) => `${from}>${to}`));
    expect(legal.sort()).toEqual(
      [
        'Empty>Empty',
        'CompleteCommit>Empty',
        'CompleteAbort>Empty',
        'Ongoing>Ongoing',
        'Empty>Ongoing',
        'CompleteCommit>Ongoing',
        'CompleteAbort>Ongoing',
        'Ongoing>PrepareCommit',
        'Ongoing>PrepareAbort',
        'PrepareEpochFence>PrepareAbort',
        'Empty>PrepareAbort',
        'CompleteCommit>PrepareAbort',
        'CompleteAbort>PrepareAbort',
        'PrepareCommit>CompleteCommit',
        'PrepareAbort>CompleteAbort',
        'Empty>Dead',
        'CompleteAbort>Dead',
        'CompleteCommit>Dead',
        'Ongoing>PrepareEpochFence',
      ].sort(),
    );
  });

  it('prepares one transition at a time and refuses illegal ones', () => {
    const m = fresh();
    commit(m, m.prepareIncrementProducerEpoch(60_000, null, 1)!);
    const add = m.prepareAddPartitions(['orders/0'], 2);
    expect(m.pendingState).toBe('Ongoing');
    expect(() => m.prepareAddPartitions(['orders/1'], 3)).toThrow(IllegalTxnStateError);
    m.abandonTransition();
    expect(m.state).toBe('Empty');
    expect(() => m.prepareAbortOrCommit('PrepareCommit', false, -1, 3, false)).toThrow(IllegalTxnStateError);
    m.abandonTransition();
    commit(m, m.prepareAddPartitions(['orders/0'], 4));
    expect(add.txnStartTimestamp).toBe(2);
    expect(m).toMatchObject({ state: 'Ongoing', txnStartTimestamp: 4, partitions: new Set(['orders/0']) });
    commit(m, m.prepareAddPartitions(['orders/1'], 5));
    expect(m.txnStartTimestamp).toBe(4);
    commit(m, m.prepareAbortOrCommit('PrepareCommit', false, -1, 6, false));
    expect(() => m.prepareAddPartitions(['orders/2'], 7)).toThrow(IllegalTxnStateError);
    commit(m, m.prepareComplete(8));
    expect(m).toMatchObject({ state: 'CompleteCommit', producerEpoch: 0, partitions: new Set() });
  });

  it('bumps the epoch for InitProducerId, answers a retry of the last epoch, fences others', () => {
    const m = fresh();
    commit(m, m.prepareIncrementProducerEpoch(60_000, null, 1)!);
    expect(m).toMatchObject({ producerEpoch: 0, lastProducerEpoch: -1 });
    commit(m, m.prepareIncrementProducerEpoch(60_000, 0, 2)!);
    expect(m).toMatchObject({ producerEpoch: 1, lastProducerEpoch: 0 });
    commit(m, m.prepareIncrementProducerEpoch(60_000, 0, 3)!);
    expect(m).toMatchObject({ producerEpoch: 1, lastProducerEpoch: 0 });
    expect(m.prepareIncrementProducerEpoch(60_000, 5, 4)).toBeNull();
  });

  it('fences with a bumped epoch, and not twice after a failed fence', () => {
    const m = fresh();
    commit(m, m.prepareIncrementProducerEpoch(60_000, null, 1)!);
    commit(m, m.prepareAddPartitions(['orders/0'], 2));
    expect(m.prepareFenceProducerEpoch()).toMatchObject({ state: 'PrepareEpochFence', producerEpoch: 1 });
    m.abandonTransition();
    m.producerEpoch = 1;
    m.hasFailedEpochFence = true;
    expect(m.prepareFenceProducerEpoch()).toMatchObject({ producerEpoch: 1 });
  });

  it('bumps the epoch with each end under KIP-890 and moves to the next producer id when complete', () => {
    const m = fresh();
    commit(m, m.prepareIncrementProducerEpoch(60_000, null, 1)!);
    commit(m, m.prepareAddPartitions(['orders/0'], 2));
    commit(m, m.prepareAbortOrCommit('PrepareCommit', true, -1, 3, false));
    expect(m).toMatchObject({ producerEpoch: 1, lastProducerEpoch: 0, clientTransactionVersion: 2 });
    commit(m, m.prepareComplete(4));
    commit(m, m.prepareAddPartitions(['orders/0'], 5));
    m.producerEpoch = 32766;
    commit(m, m.prepareAbortOrCommit('PrepareAbort', true, 2000, 6, false));
    expect(m).toMatchObject({ producerId: 1000, producerEpoch: 32767, nextProducerId: 2000 });
    commit(m, m.prepareComplete(7));
    expect(m).toMatchObject({ state: 'CompleteAbort', producerId: 2000, producerEpoch: 0, previousProducerId: 1000, nextProducerId: -1 });
  });
});
