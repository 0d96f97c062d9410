// One transactional id's state at its coordinator (Kafka's TransactionMetadata): the state machine
// with Kafka's legal transitions, the producer id and epoch (and the last epoch, for KIP-360
// retries), the partitions of the ongoing transaction, its timeout and start time. A transition is
// prepared (the pending state: requests meanwhile hear CONCURRENT_TRANSACTIONS), written to
// __transaction_state, and only then completed.

import type { TxnStateName } from '../protocol/txn.ts';
import type { StoredTransaction } from './transaction-log.ts';

export const NO_PRODUCER_ID = -1;
export const NO_PRODUCER_EPOCH = -1;
const SHORT_MAX = 32767;

/** The states a state may be entered from (TransactionState.validPreviousStates; PrepareAbort from Empty and Complete* is KIP-890's abort without partitions). */
const VALID_PREVIOUS: Readonly<Record<TxnStateName, readonly TxnStateName[]>> = {
  Empty: ['Empty', 'CompleteCommit', 'CompleteAbort'],
  Ongoing: ['Ongoing', 'Empty', 'CompleteCommit', 'CompleteAbort'],
  PrepareCommit: ['Ongoing'],
  PrepareAbort: ['Ongoing', 'PrepareEpochFence', 'Empty', 'CompleteCommit', 'CompleteAbort'],
  CompleteCommit: ['PrepareCommit'],
  CompleteAbort: ['PrepareAbort'],
  Dead: ['Empty', 'CompleteAbort', 'CompleteCommit'],
  PrepareEpochFence: ['Ongoing'],
};

export function isValidTransition(from: TxnStateName, to: TxnStateName): boolean {
  return VALID_PREVIOUS[to].includes(from);
}

/** No producer may use an epoch of Short.MAX - 1 or more, so the coordinator can always fence one (TransactionMetadata.isEpochExhausted). */
export function isEpochExhausted(epoch: number): boolean {
  return epoch >= SHORT_MAX - 1;
}

/** A transition being written: the whole state the transactional id will have (Kafka's TxnTransitMetadata). */
export interface TxnTransit extends StoredTransaction {
  lastProducerEpoch: number;
}

/** A broken invariant of the state machine (Kafka's IllegalStateException): a bug, never a client's error. */
export class IllegalTxnStateError extends Error {}

export class TransactionMetadata {
  producerId: number;
  previousProducerId: number;
  nextProducerId: number;
  producerEpoch: number;
  /** The epoch before the last InitProducerId bump, so a retried KIP-360 InitProducerId is recognised; -1 when unknown. */
  lastProducerEpoch: number;
  txnTimeoutMs: number;
  state: TxnStateName;
  readonly partitions = new Set<string>();
  txnStartTimestamp: number;
  txnLastUpdateTimestamp: number;
  /** 2 once the client ended a transaction with EndTxn v5 (epoch bump per transaction), else 0. */
  clientTransactionVersion: number;
  /** The state a transition being written goes to; null when none is. */
  pendingState: TxnStateName | null = null;
  /** A fencing bump whose write failed: the epoch was raised in memory already, so the next fence does not raise it again. */
  hasFailedEpochFence = false;

  constructor(
    readonly transactionalId: string,
    init: Omit<TxnTransit, 'partitions'> & { partitions?: Iterable<string> },
  ) {
    this.producerId = init.producerId;
    this.previousProducerId = init.previousProducerId;
    this.nextProducerId = init.nextProducerId;
    this.producerEpoch = init.producerEpoch;
    this.lastProducerEpoch = init.lastProducerEpoch;
    this.txnTimeoutMs = init.txnTimeoutMs;
    this.state = init.state;
    for (const p of init.partitions ?? []) this.partitions.add(p);
    this.txnStartTimestamp = init.txnStartTimestamp;
    this.txnLastUpdateTimestamp = init.txnLastUpdateTimestamp;
    this.clientTransactionVersion = init.clientTransactionVersion;
  }

  /** A fresh transactional id: Empty, epoch -1 (the first InitProducerId bumps it to 0). */
  static created(transactionalId: string, producerId: number, txnTimeoutMs: number, now: number): TransactionMetadata {
    return new TransactionMetadata(transactionalId, {
      producerId,
      previousProducerId: NO_PRODUCER_ID,
      nextProducerId: NO_PRODUCER_ID,
      producerEpoch: NO_PRODUCER_EPOCH,
      lastProducerEpoch: NO_PRODUCER_EPOCH,
      txnTimeoutMs,
      state: 'Empty',
      txnStartTimestamp: -1,
      txnLastUpdateTimestamp: now,
      clientTransactionVersion: 0,
    });
  }

  /** A transactional id as loaded from its last record (the last epoch is not stored: -1). */
  static loaded(transactionalId: string, stored: StoredTransaction): TransactionMetadata {
    return new TransactionMetadata(transactionalId, { ...stored, lastProducerEpoch: NO_PRODUCER_EPOCH });
  }

  get pendingTransitionInProgress(): boolean {
    return this.pendingState !== null;
  }

  get isProducerEpochExhausted(): boolean {
    return isEpochExhausted(this.producerEpoch);
  }

  /** Ongoing, PrepareCommit or PrepareAbort. */
  get hasPendingTransaction(): boolean {
    return this.state === 'Ongoing' || this.state === 'PrepareCommit' || this.state === 'PrepareAbort';
  }

  /** The current state as a transition's starting point. */
  snapshot(): TxnTransit {
    return {
      producerId: this.producerId,
      previousProducerId: this.previousProducerId,
      nextProducerId: this.nextProducerId,
      producerEpoch: this.producerEpoch,
      lastProducerEpoch: this.lastProducerEpoch,
      txnTimeoutMs: this.txnTimeoutMs,
      state: this.state,
      partitions: [...this.partitions].sort(),
      txnStartTimestamp: this.txnStartTimestamp,
      txnLastUpdateTimestamp: this.txnLastUpdateTimestamp,
      clientTransactionVersion: this.clientTransactionVersion,
    };
  }

  // ---- preparing transitions (each sets the pending state) ---------------------------------------

  /** Bumps the epoch to fence the current producer (an InitProducerId or a timeout while Ongoing); an abort follows. */
  prepareFenceProducerEpoch(): TxnTransit {
    if (this.producerEpoch >= SHORT_MAX) throw new IllegalTxnStateError(`cannot fence producer ${this.producerId} at epoch ${this.producerEpoch}`);
    const epoch = this.hasFailedEpochFence ? this.producerEpoch : this.producerEpoch + 1;
    return this.prepareTransitionTo({ state: 'PrepareEpochFence', producerEpoch: epoch, lastProducerEpoch: NO_PRODUCER_EPOCH });
  }

  /**
   * InitProducerId on an Empty or completed id: the next epoch, or, for a KIP-360 retry whose
   * expected epoch is the last one, the current epoch again; null when the expected epoch is
   * neither (PRODUCER_FENCED).
   */
  prepareIncrementProducerEpoch(txnTimeoutMs: number, expectedEpoch: number | null, now: number): TxnTransit | null {
    if (this.isProducerEpochExhausted) throw new IllegalTxnStateError(`no epochs left for producer ${this.producerId}`);
    let next: { epoch: number; last: number };
    if (expectedEpoch === null) next = { epoch: this.producerEpoch + 1, last: NO_PRODUCER_EPOCH };
    else if (this.producerEpoch === NO_PRODUCER_EPOCH || expectedEpoch === this.producerEpoch)
      next = { epoch: this.producerEpoch + 1, last: this.producerEpoch };
    else if (expectedEpoch === this.lastProducerEpoch) next = { epoch: this.producerEpoch, last: this.lastProducerEpoch };
    else return null;
    return this.prepareTransitionTo({
      state: 'Empty',
      producerEpoch: next.epoch,
      lastProducerEpoch: next.last,
      txnTimeoutMs,
      partitions: [],
      txnStartTimestamp: -1,
      txnLastUpdateTimestamp: now,
    });
  }

  /** InitProducerId with the epochs of this producer id used up: a new producer id at epoch 0. */
  prepareProducerIdRotation(newProducerId: number, txnTimeoutMs: number, now: number, recordLastEpoch: boolean): TxnTransit {
    if (this.hasPendingTransaction) throw new IllegalTxnStateError('cannot rotate producer ids while a transaction is pending');
    return this.prepareTransitionTo({
      state: 'Empty',
      producerId: newProducerId,
      previousProducerId: this.producerId,
      producerEpoch: 0,
      lastProducerEpoch: recordLastEpoch ? this.producerEpoch : NO_PRODUCER_EPOCH,
      txnTimeoutMs,
      partitions: [],
      txnStartTimestamp: -1,
      txnLastUpdateTimestamp: now,
    });
  }

  prepareAddPartitions(added: Iterable<string>, now: number): TxnTransit {
    const starts = this.state === 'Empty' || this.state === 'CompleteCommit' || this.state === 'CompleteAbort';
    return this.prepareTransitionTo({
      state: 'Ongoing',
      partitions: [...new Set([...this.partitions, ...added])].sort(),
      txnStartTimestamp: starts ? now : this.txnStartTimestamp,
      txnLastUpdateTimestamp: now,
    });
  }

  /**
   * EndTxn: PrepareCommit or PrepareAbort. With `bumpEpoch` (transaction version 2, KIP-890 part 2)
   * the epoch goes up with it, and `nextProducerId` (not -1) takes over at epoch 0 once complete.
   */
  prepareAbortOrCommit(
    state: 'PrepareCommit' | 'PrepareAbort',
    bumpEpoch: boolean,
    nextProducerId: number,
    now: number,
    noPartitionAdded: boolean,
  ): TxnTransit {
    return this.prepareTransitionTo({
      state,
      producerEpoch: bumpEpoch ? this.producerEpoch + 1 : this.producerEpoch,
      lastProducerEpoch: bumpEpoch ? this.producerEpoch : this.lastProducerEpoch,
      nextProducerId,
      clientTransactionVersion: bumpEpoch ? 2 : this.clientTransactionVersion,
      txnStartTimestamp: noPartitionAdded ? now : this.txnStartTimestamp,
      txnLastUpdateTimestamp: now,
    });
  }

  /** Every marker is written: CompleteCommit or CompleteAbort, with no partitions; a next producer id takes over at epoch 0. */
  prepareComplete(now: number): TxnTransit {
    if (this.state !== 'PrepareCommit' && this.state !== 'PrepareAbort') throw new IllegalTxnStateError(`cannot complete from ${this.state}`);
    this.hasFailedEpochFence = false;
    const rotate = this.nextProducerId !== NO_PRODUCER_ID;
    return this.prepareTransitionTo({
      state: this.state === 'PrepareCommit' ? 'CompleteCommit' : 'CompleteAbort',
      producerId: rotate ? this.nextProducerId : this.producerId,
      previousProducerId: rotate ? this.producerId : this.previousProducerId,
      nextProducerId: NO_PRODUCER_ID,
      producerEpoch: rotate ? 0 : this.producerEpoch,
      lastProducerEpoch: rotate ? NO_PRODUCER_EPOCH : this.lastProducerEpoch,
      partitions: [],
      txnLastUpdateTimestamp: now,
    });
  }

  prepareDead(): TxnTransit {
    return this.prepareTransitionTo({ state: 'Dead', partitions: [] });
  }

  private prepareTransitionTo(changes: Partial<TxnTransit> & { state: TxnStateName }): TxnTransit {
    if (this.pendingState !== null) throw new IllegalTxnStateError(`${this.transactionalId}: preparing ${changes.state} while ${this.pendingState} is pending`);
    if (!isValidTransition(this.state, changes.state)) throw new IllegalTxnStateError(`${this.transactionalId}: ${changes.state} cannot follow ${this.state}`);
    const transit = { ...this.snapshot(), ...changes };
    if (transit.producerId < 0) throw new IllegalTxnStateError(`illegal producer id ${transit.producerId}`);
    if (transit.state !== 'Dead' && transit.producerEpoch < 0) throw new IllegalTxnStateError(`illegal producer epoch ${transit.producerEpoch}`);
    this.pendingState = changes.state;
    return transit;
  }

  // ---- completing and abandoning them ------------------------------------------------------------

  /** The transition was written (acks=all): it takes effect. */
  completeTransitionTo(transit: TxnTransit): void {
    if (this.pendingState !== transit.state)
      throw new IllegalTxnStateError(`${this.transactionalId}: completing ${transit.state} while ${this.pendingState ?? 'nothing'} is pending`);
    if (transit.state === 'PrepareEpochFence' || transit.state === 'Dead')
      throw new IllegalTxnStateError(`${this.transactionalId}: ${transit.state} is never completed`);
    this.producerId = transit.producerId;
    this.previousProducerId = transit.previousProducerId;
    this.nextProducerId = transit.nextProducerId;
    this.producerEpoch = transit.producerEpoch;
    this.lastProducerEpoch = transit.lastProducerEpoch;
    this.txnTimeoutMs = transit.txnTimeoutMs;
    this.state = transit.state;
    this.partitions.clear();
    for (const p of transit.partitions) this.partitions.add(p);
    this.txnStartTimestamp = transit.txnStartTimestamp;
    this.txnLastUpdateTimestamp = transit.txnLastUpdateTimestamp;
    this.clientTransactionVersion = transit.clientTransactionVersion;
    this.pendingState = null;
  }

  /** The write failed: the transition is dropped (the state stays as it was). */
  abandonTransition(): void {
    this.pendingState = null;
  }
}

/** The record a transition writes. */
export function storedOf(transit: TxnTransit): StoredTransaction {
  const { lastProducerEpoch: _unused, ...stored } = transit;
  return stored;
}
