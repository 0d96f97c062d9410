// The transaction coordinator of one broker (Kafka's TransactionCoordinator and
// TransactionStateManager): the transactional ids of the __transaction_state partitions this broker
// leads, loaded by replaying the partition (COORDINATOR_LOAD_IN_PROGRESS meanwhile, NOT_COORDINATOR
// elsewhere) and dropped when leadership moves; FindCoordinator for transactional ids (creating the
// topic), InitProducerId with fencing, AddPartitionsToTxn (and leaders' KIP-890 verification),
// AddOffsetsToTxn, EndTxn (with KIP-890 part 2's epoch bump), DescribeTransactions and
// ListTransactions. Every transition is written with acks=all before it takes effect; EndTxn is
// answered once Prepare* is written, the markers follow (marker-channel.ts), then Complete*.
// Transactions past their timeout are aborted after an epoch bump; idle transactional ids expire.

import type { MetadataImage } from '../controller/image.ts';
import type { Env, NodeId, TimerTag } from '../env.ts';
import { coordinatorsOf } from '../group/coordinator.ts';
import { offsetsPartitionFor, OFFSETS_TOPIC } from '../group/offsets-topic.ts';
import type { Config } from '../protocol/configs.ts';
import type { InitProducerIdRequest, InitProducerIdResponse } from '../protocol/data.ts';
import { ErrorCode } from '../protocol/errors.ts';
import type { FindCoordinatorRequest, FindCoordinatorResponse } from '../protocol/group.ts';
import { isControl, type KafkaRecord, type RecordBatch } from '../protocol/records.ts';
import {
  TXN_STATES,
  type AddOffsetsToTxnRequest,
  type AddPartitionsToTxnRequest,
  type AddPartitionsToTxnResult,
  type AddPartitionsToTxnTransaction,
  type DescribeTransactionsRequest,
  type EndTxnRequest,
  type ListTransactionsRequest,
  type TransactionStateDescription,
  type TxnResponse,
  type WriteTxnMarkersRequest,
  type WriteTxnMarkersResponse,
} from '../protocol/txn.ts';
import type { TxnBug } from './bugs.ts';
import { MARKER_RETRY_BACKOFF_MS, TransactionMarkerChannel, type PendingMarkers } from './marker-channel.ts';
import { partitionsByTopic, readTransactionLogRecord, splitPartitionName, transactionLogRecord, type StoredTransaction } from './transaction-log.ts';
import {
  IllegalTxnStateError,
  isEpochExhausted,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  storedOf,
  TransactionMetadata,
  type TxnTransit,
} from './transaction-metadata.ts';
import { TRANSACTION_STATE_TOPIC, transactionPartitionFor } from './transaction-topic.ts';

/** What the coordinator needs from its broker. */
export interface TxnCoordinatorHooks {
  image(): MetadataImage | null;
  /** The batches of this broker's replica of the partition, up to its log end, while it leads it. */
  ledLog(topic: string, partition: number): readonly RecordBatch[] | null;
  /** Appends records as the partition's leader and calls `done` once every ISR replica has them (acks=all) or the write failed. */
  appendCommitted(env: Env<never>, topic: string, partition: number, records: KafkaRecord[], timeoutMs: number, done: (errorCode: number) => void): void;
  /** Asks the controller to create a topic with these configs (Kafka's AutoTopicCreationManager). */
  createTopic(env: Env<never>, name: string, partitions: number, replicationFactor: number, configs: Array<{ name: string; value: string }>): void;
  /** The next producer id of this broker's blocks (KIP-730), or null while it has none. */
  nextProducerId(env: Env<never>): number | null;
}

/** What the coordinator sends: its answers, and WriteTxnMarkers to leaders. */
export type TxnCoordinatorMessage = TxnResponse | InitProducerIdResponse | FindCoordinatorResponse | WriteTxnMarkersRequest;
export type TxnCoordinatorRequest = AddPartitionsToTxnRequest | AddOffsetsToTxnRequest | EndTxnRequest | DescribeTransactionsRequest | ListTransactionsRequest;

type TxnEnv = Env<TxnCoordinatorMessage>;
type EndTxnCallback = (errorCode: number, producerId: number, producerEpoch: number) => void;

const SHORT_MAX = 32767;
const TIMER_PREFIX = 'txn:';
const LOAD_TIMER = 'txn:load:';
const ABORT_TIMER = 'txn:abort-timed-out';
const EXPIRE_TIMER = 'txn:expire-ids';
const ACTION_TIMER = 'txn:action:';

/** Kafka's mapping of a failed __transaction_state write to what the requester hears (TransactionStateManager.appendTransactionToLog). */
function appendError(errorCode: number): number {
  switch (errorCode) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case ErrorCode.REQUEST_TIMED_OUT:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR;
    case ErrorCode.MESSAGE_TOO_LARGE:
    case ErrorCode.RECORD_LIST_TOO_LARGE:
      return ErrorCode.UNKNOWN_SERVER_ERROR;
    default:
      return errorCode;
  }
}

export class TransactionCoordinator {
  /** The transactional ids of the partitions this broker leads and has loaded. */
  private readonly txns = new Map<string, TransactionMetadata>();
  /** __transaction_state partitions this broker leads: loading until replayed, then serving; the leader epoch is the coordinator epoch. */
  private readonly owned = new Map<number, { leaderEpoch: number; loaded: boolean }>();
  /** Complete* transitions waiting for their markers, by transactional id. */
  private readonly completions = new Map<string, { transit: TxnTransit; coordinatorEpoch: number }>();
  private readonly actions = new Map<TimerTag, (env: TxnEnv) => void>();
  private readonly markers: TransactionMarkerChannel;
  private nextActionId = 1;
  private cleanupTimersArmed = false;

  constructor(
    private readonly config: Config,
    private readonly bugs: ReadonlySet<TxnBug>,
    private readonly hooks: TxnCoordinatorHooks,
  ) {
    this.markers = new TransactionMarkerChannel({
      image: () => hooks.image(),
      isCurrent: (transactionalId, coordinatorEpoch) => this.coordinatorEpochOf(transactionalId) === coordinatorEpoch,
      completed: (env, markers) => this.markersWritten(env as TxnEnv, markers),
      acknowledged: (markers, partition) => {
        const metadata = this.txns.get(markers.transactionalId);
        const preparing = metadata?.state === 'PrepareCommit' || metadata?.state === 'PrepareAbort';
        if (preparing && this.coordinatorEpochOf(markers.transactionalId) === markers.coordinatorEpoch) metadata!.partitions.delete(partition);
      },
      requestTimeoutMs: config.int('request.timeout.ms'),
    });
  }

  handle(env: TxnEnv, from: NodeId, req: TxnCoordinatorRequest | InitProducerIdRequest | FindCoordinatorRequest): void {
    switch (req.api) {
      case 'FindCoordinator':
        return this.onFindCoordinator(env, from, req);
      case 'InitProducerId':
        return this.onInitProducerId(env, from, req);
      case 'AddPartitionsToTxn':
        return this.onAddPartitionsToTxn(env, from, req);
      case 'AddOffsetsToTxn':
        return this.onAddOffsetsToTxn(env, from, req);
      case 'EndTxn':
        return this.onEndTxn(env, from, req);
      case 'DescribeTransactions':
        return this.onDescribeTransactions(env, from, req);
      case 'ListTransactions':
        return this.onListTransactions(env, from, req);
    }
  }

  /** A leader's answer to WriteTxnMarkers. */
  writeTxnMarkersResponse(env: TxnEnv, res: WriteTxnMarkersResponse): void {
    this.markers.response(env, res);
  }

  fire(env: TxnEnv, tag: TimerTag): boolean {
    if (!tag.startsWith(TIMER_PREFIX)) return false;
    if (this.markers.fire(env, tag)) return true;
    if (tag.startsWith(LOAD_TIMER)) this.load(env, Number(tag.slice(LOAD_TIMER.length)));
    else if (tag === ABORT_TIMER) {
      this.abortTimedOutTransactions(env);
      env.setTimer(this.config.int('transaction.abort.timed.out.transaction.cleanup.interval.ms'), ABORT_TIMER);
    } else if (tag === EXPIRE_TIMER) {
      this.expireTransactionalIds(env);
      env.setTimer(this.config.int('transaction.remove.expired.transaction.cleanup.interval.ms'), EXPIRE_TIMER);
    } else {
      const action = this.actions.get(tag);
      this.actions.delete(tag);
      action?.(env);
    }
    return true;
  }

  // ---- coordination ----------------------------------------------------------------------------

  private partitionOf(transactionalId: string): number | null {
    const topic = this.hooks.image()?.topicByName(TRANSACTION_STATE_TOPIC);
    return topic === undefined || topic.partitions.length === 0 ? null : transactionPartitionFor(transactionalId, topic.partitions.length);
  }

  /** The coordinator epoch under which this broker serves the id, or null when it does not (yet). */
  private coordinatorEpochOf(transactionalId: string): number | null {
    const partition = this.partitionOf(transactionalId);
    const owned = partition === null ? undefined : this.owned.get(partition);
    return owned?.loaded === true ? owned.leaderEpoch : null;
  }

  /** Kafka's getTransactionState: the id's metadata (undefined when unknown) and coordinator epoch, or why this broker cannot serve it. */
  private stateOf(transactionalId: string): { error: number } | { metadata: TransactionMetadata | undefined; coordinatorEpoch: number } {
    const partition = this.partitionOf(transactionalId);
    const owned = partition === null ? undefined : this.owned.get(partition);
    if (owned === undefined) return { error: ErrorCode.NOT_COORDINATOR };
    if (!owned.loaded) return { error: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS };
    return { metadata: this.txns.get(transactionalId), coordinatorEpoch: owned.leaderEpoch };
  }

  private onFindCoordinator(env: TxnEnv, from: NodeId, req: FindCoordinatorRequest): void {
    const coordinators = coordinatorsOf(this.hooks.image(), req.coordinatorKeys, TRANSACTION_STATE_TOPIC, transactionPartitionFor, () =>
      this.hooks.createTopic(
        env as Env<never>,
        TRANSACTION_STATE_TOPIC,
        this.config.int('transaction.state.log.num.partitions'),
        this.config.int('transaction.state.log.replication.factor'),
        [
          { name: 'cleanup.policy', value: 'compact' },
          { name: 'min.insync.replicas', value: String(this.config.int('transaction.state.log.min.isr')) },
          { name: 'segment.bytes', value: String(this.config.int('transaction.state.log.segment.bytes')) },
        ],
      ),
    );
    env.send(from, { api: 'FindCoordinator', kind: 'response', correlationId: req.correlationId, coordinators });
  }

  /**
   * Leadership of a __transaction_state partition moved: a new leader loads it after the load delay;
   * a former one drops its transactional ids and the markers it owed for them.
   */
  leadershipChanged(env: TxnEnv, partition: number, leaderEpoch: number | null): void {
    const before = this.owned.get(partition);
    if (before !== undefined && leaderEpoch === before.leaderEpoch) return;
    this.unloadPartition(env, partition);
    if (leaderEpoch === null) return;
    this.owned.set(partition, { leaderEpoch, loaded: false });
    env.setTimer(this.config.int('samsa.txn.load.delay.ms'), LOAD_TIMER + partition);
    if (!this.cleanupTimersArmed) {
      this.cleanupTimersArmed = true;
      env.setTimer(this.config.int('transaction.abort.timed.out.transaction.cleanup.interval.ms'), ABORT_TIMER);
      env.setTimer(this.config.int('transaction.remove.expired.transaction.cleanup.interval.ms'), EXPIRE_TIMER);
    }
  }

  private unloadPartition(env: TxnEnv, partition: number): void {
    this.owned.delete(partition);
    env.cancelTimer(LOAD_TIMER + partition);
    for (const transactionalId of [...this.txns.keys()]) {
      const p = this.partitionOf(transactionalId);
      if (p !== null && p !== partition) continue;
      this.txns.delete(transactionalId);
      this.completions.delete(transactionalId);
    }
    this.markers.dropStale(env);
  }

  /** Replays the partition to its log end (Kafka's loadTransactionsForTxnTopicPartition); transactions in Prepare* get their markers again. */
  private load(env: TxnEnv, partition: number): void {
    const owned = this.owned.get(partition);
    const batches = this.hooks.ledLog(TRANSACTION_STATE_TOPIC, partition);
    if (owned === undefined || batches === null) return;
    const stored = new Map<string, StoredTransaction | null>();
    for (const batch of batches) {
      if (isControl(batch)) continue;
      for (const record of batch.records) {
        const read = readTransactionLogRecord(record.key, record.value);
        if (read !== null) stored.set(read.transactionalId, read.value);
      }
    }
    owned.loaded = true;
    for (const [transactionalId, value] of [...stored].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (value === null || value.state === 'Dead') continue;
      const metadata = TransactionMetadata.loaded(transactionalId, value);
      this.txns.set(transactionalId, metadata);
      this.traceState(env, metadata, owned.leaderEpoch);
      if (metadata.state === 'PrepareCommit' || metadata.state === 'PrepareAbort') this.sendMarkers(env, metadata, owned.leaderEpoch);
    }
  }

  // ---- writes ----------------------------------------------------------------------------------

  /**
   * Writes a prepared transition to __transaction_state (acks=all) and completes it once written,
   * if this broker still coordinates the id at the same epoch (else NOT_COORDINATOR). A failed write
   * drops the transition, except a Complete* write that is retried (`keepOnUnavailable`).
   */
  private append(
    env: TxnEnv,
    metadata: TransactionMetadata,
    coordinatorEpoch: number,
    transit: TxnTransit,
    done: (errorCode: number) => void,
    keepOnUnavailable = false,
  ): void {
    const id = metadata.transactionalId;
    const partition = this.partitionOf(id);
    if (partition === null) {
      metadata.abandonTransition();
      return done(ErrorCode.NOT_COORDINATOR);
    }
    const record = transactionLogRecord(id, storedOf(transit));
    this.hooks.appendCommitted(env as Env<never>, TRANSACTION_STATE_TOPIC, partition, [record], this.config.int('request.timeout.ms'), (written) => {
      const current = this.txns.get(id) === metadata && this.coordinatorEpochOf(id) === coordinatorEpoch;
      let errorCode = appendError(written);
      if (errorCode === ErrorCode.NONE) {
        if (current) {
          metadata.completeTransitionTo(transit);
          this.traceState(env, metadata, coordinatorEpoch);
        } else errorCode = ErrorCode.NOT_COORDINATOR;
      } else if (current && !(keepOnUnavailable && errorCode === ErrorCode.COORDINATOR_NOT_AVAILABLE)) metadata.abandonTransition();
      done(errorCode);
    });
  }

  private traceState(env: TxnEnv, metadata: TransactionMetadata, coordinatorEpoch: number): void {
    env.trace({
      kind: 'txn-state',
      transactionalId: metadata.transactionalId,
      state: metadata.state,
      producerId: metadata.producerId,
      producerEpoch: metadata.producerEpoch,
      partitions: [...metadata.partitions].sort(),
      coordinatorEpoch,
    });
  }

  private schedule(env: TxnEnv, delayMs: number, action: (env: TxnEnv) => void): void {
    const tag = ACTION_TIMER + this.nextActionId++;
    this.actions.set(tag, action);
    env.setTimer(delayMs, tag);
  }

  // ---- InitProducerId ----------------------------------------------------------------------------

  private onInitProducerId(env: TxnEnv, from: NodeId, req: InitProducerIdRequest): void {
    const reply = (errorCode: number, producerId = NO_PRODUCER_ID, producerEpoch = NO_PRODUCER_EPOCH) =>
      env.send(from, { api: 'InitProducerId', kind: 'response', correlationId: req.correlationId, errorCode, producerId, producerEpoch });
    const id = req.transactionalId;
    if (id === null || id === '') return reply(ErrorCode.INVALID_REQUEST);
    if (req.transactionTimeoutMs <= 0 || req.transactionTimeoutMs > this.config.int('transaction.max.timeout.ms'))
      return reply(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    const given = req.producerId !== NO_PRODUCER_ID || req.producerEpoch !== NO_PRODUCER_EPOCH;
    if (given && (req.producerId === NO_PRODUCER_ID || req.producerEpoch === NO_PRODUCER_EPOCH)) return reply(ErrorCode.INVALID_REQUEST);
    const expected = given ? { producerId: req.producerId, epoch: req.producerEpoch } : null;
    const state = this.stateOf(id);
    if ('error' in state) return reply(state.error);
    let metadata = state.metadata;
    if (metadata === undefined) {
      const producerId = this.hooks.nextProducerId(env as Env<never>);
      if (producerId === null) return reply(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS);
      metadata = TransactionMetadata.created(id, producerId, req.transactionTimeoutMs, Math.floor(env.now()));
      this.txns.set(id, metadata);
    }
    const prepared = this.prepareInitProducerIdTransit(env, metadata, req.transactionTimeoutMs, expected);
    if (typeof prepared === 'number') return reply(prepared);
    const m = metadata;
    if (prepared.state === 'PrepareEpochFence') {
      // Abort the open transaction with the bumped epoch; the client retries and gets a second bump.
      return this.endTransaction(env, id, prepared.producerId, prepared.producerEpoch, false, false, m.clientTransactionVersion >= 2, (errorCode) =>
        reply(errorCode === ErrorCode.NONE ? ErrorCode.CONCURRENT_TRANSACTIONS : errorCode),
      );
    }
    this.append(env, m, state.coordinatorEpoch, prepared, (errorCode) =>
      errorCode === ErrorCode.NONE ? reply(ErrorCode.NONE, m.producerId, m.producerEpoch) : reply(errorCode),
    );
  }

  /** Kafka's prepareInitProducerIdTransit: the transition InitProducerId makes, or its error. */
  private prepareInitProducerIdTransit(
    env: TxnEnv,
    metadata: TransactionMetadata,
    timeoutMs: number,
    expected: { producerId: number; epoch: number } | null,
  ): TxnTransit | number {
    // A given id must be this one, or the previous one retried after its epochs ran out (KIP-360).
    const validId = (e: { producerId: number; epoch: number }) =>
      metadata.producerEpoch === NO_PRODUCER_EPOCH ||
      e.producerId === metadata.producerId ||
      (e.producerId === metadata.previousProducerId && isEpochExhausted(e.epoch));
    if (metadata.pendingTransitionInProgress) return ErrorCode.CONCURRENT_TRANSACTIONS;
    if (expected !== null && !validId(expected)) return ErrorCode.PRODUCER_FENCED;
    switch (metadata.state) {
      case 'PrepareAbort':
      case 'PrepareCommit':
        return ErrorCode.CONCURRENT_TRANSACTIONS;
      case 'CompleteAbort':
      case 'CompleteCommit':
      case 'Empty': {
        if (metadata.isProducerEpochExhausted && (expected === null || expected.epoch === metadata.producerEpoch)) {
          const producerId = this.hooks.nextProducerId(env as Env<never>);
          if (producerId === null) return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
          return metadata.prepareProducerIdRotation(producerId, timeoutMs, Math.floor(env.now()), expected !== null);
        }
        return metadata.prepareIncrementProducerEpoch(timeoutMs, expected?.epoch ?? null, Math.floor(env.now())) ?? ErrorCode.PRODUCER_FENCED;
      }
      case 'Ongoing':
        return metadata.prepareFenceProducerEpoch();
      case 'Dead':
      case 'PrepareEpochFence':
        throw new IllegalTxnStateError(`${metadata.transactionalId} is in ${metadata.state}, which InitProducerId never meets`);
    }
  }

  // ---- AddPartitionsToTxn / AddOffsetsToTxn ------------------------------------------------------

  private onAddPartitionsToTxn(env: TxnEnv, from: NodeId, req: AddPartitionsToTxnRequest): void {
    const results: AddPartitionsToTxnResult[] = [];
    let waiting = req.transactions.length;
    const respond = () =>
      env.send(from, {
        api: 'AddPartitionsToTxn',
        kind: 'response',
        correlationId: req.correlationId,
        errorCode: ErrorCode.NONE,
        resultsByTransaction: results,
      });
    if (waiting === 0) return respond();
    req.transactions.forEach((txn, i) => {
      const answer = (errorOf: (name: string) => number) => {
        results[i] = {
          transactionalId: txn.transactionalId,
          topicResults: txn.topics.map((t) => ({
            name: t.name,
            resultsByPartition: t.partitions.map((p) => ({ partitionIndex: p, partitionErrorCode: errorOf(`${t.name}/${p}`) })),
          })),
        };
        if (--waiting === 0) respond();
      };
      if (txn.verifyOnly) return answer(this.verifyPartitions(txn));
      const partitions = txn.topics.flatMap((t) => t.partitions.map((p) => `${t.name}/${p}`));
      // Kafka's KafkaApis: partitions of unknown topics fail, and the others are not attempted.
      const image = this.hooks.image();
      const unknown = new Set(partitions.filter((name) => !partitionExists(image, name)));
      if (unknown.size > 0) return answer((name) => (unknown.has(name) ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.OPERATION_NOT_ATTEMPTED));
      this.addPartitions(env, txn.transactionalId, txn.producerId, txn.producerEpoch, partitions, (errorCode) => answer(() => errorCode));
    });
  }

  /** A leader's KIP-890 check (Kafka's handleVerifyPartitionsInTransaction): NONE for partitions in the ongoing transaction, INVALID_TXN_STATE for the others; nothing is added. */
  private verifyPartitions(txn: AddPartitionsToTxnTransaction): (name: string) => number {
    if (txn.transactionalId === '') return () => ErrorCode.INVALID_REQUEST;
    const state = this.stateOf(txn.transactionalId);
    if ('error' in state) return () => state.error;
    const metadata = state.metadata;
    if (metadata === undefined || metadata.producerId !== txn.producerId) return () => ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (metadata.producerEpoch !== txn.producerEpoch) return () => ErrorCode.PRODUCER_FENCED;
    if (metadata.state === 'PrepareCommit' || metadata.state === 'PrepareAbort') return () => ErrorCode.CONCURRENT_TRANSACTIONS;
    return (name) => (metadata.partitions.has(name) ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE);
  }

  /** Kafka's handleAddPartitionsToTransaction: Ongoing with the partitions added, written before it is answered. */
  private addPartitions(env: TxnEnv, id: string, producerId: number, producerEpoch: number, partitions: string[], done: (errorCode: number) => void): void {
    if (id === '') return done(ErrorCode.INVALID_REQUEST);
    const state = this.stateOf(id);
    if ('error' in state) return done(state.error);
    const metadata = state.metadata;
    if (metadata === undefined) return done(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    const ending = metadata.pendingTransitionInProgress || metadata.state === 'PrepareCommit' || metadata.state === 'PrepareAbort';
    // A client that already holds the next producer id (KIP-890 epoch overflow) waits for the markers too.
    if (ending && producerId === metadata.nextProducerId) return done(ErrorCode.CONCURRENT_TRANSACTIONS);
    if (metadata.producerId !== producerId) return done(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    if (metadata.producerEpoch !== producerEpoch) return done(ErrorCode.PRODUCER_FENCED);
    if (ending) return done(ErrorCode.CONCURRENT_TRANSACTIONS);
    if (metadata.state === 'Ongoing' && partitions.every((p) => metadata.partitions.has(p))) return done(ErrorCode.NONE);
    this.append(env, metadata, state.coordinatorEpoch, metadata.prepareAddPartitions(partitions, Math.floor(env.now())), done);
  }

  private onAddOffsetsToTxn(env: TxnEnv, from: NodeId, req: AddOffsetsToTxnRequest): void {
    const offsetsTopic = this.hooks.image()?.topicByName(OFFSETS_TOPIC);
    const count = offsetsTopic?.partitions.length || this.config.int('offsets.topic.num.partitions');
    const partition = `${OFFSETS_TOPIC}/${offsetsPartitionFor(req.groupId, count)}`;
    this.addPartitions(env, req.transactionalId, req.producerId, req.producerEpoch, [partition], (errorCode) =>
      env.send(from, { api: 'AddOffsetsToTxn', kind: 'response', correlationId: req.correlationId, errorCode }),
    );
  }

  // ---- EndTxn ------------------------------------------------------------------------------------

  private onEndTxn(env: TxnEnv, from: NodeId, req: EndTxnRequest): void {
    this.endTransaction(
      env,
      req.transactionalId,
      req.producerId,
      req.producerEpoch,
      req.committed,
      true,
      req.bumpEpoch,
      (errorCode, producerId, producerEpoch) =>
        env.send(from, { api: 'EndTxn', kind: 'response', correlationId: req.correlationId, errorCode, producerId, producerEpoch }),
    );
  }

  /**
   * Kafka's endTransaction (transaction versions 0-1, and 2 with `bumpEpoch`): Prepare* written,
   * then answered and the markers sent. Also the abort a fence (InitProducerId, timeout) starts,
   * with the fenced epoch (`fromClient` false).
   */
  private endTransaction(
    env: TxnEnv,
    id: string,
    producerId: number,
    producerEpoch: number,
    committed: boolean,
    fromClient: boolean,
    bumpEpoch: boolean,
    done: EndTxnCallback,
  ): void {
    const fail = (errorCode: number) => done(errorCode, NO_PRODUCER_ID, NO_PRODUCER_EPOCH);
    if (id === '') return fail(ErrorCode.INVALID_REQUEST);
    const state = this.stateOf(id);
    if ('error' in state) return fail(state.error);
    const metadata = state.metadata;
    if (metadata === undefined) return fail(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    // The bug no-epoch-bump-per-txn: an epoch-bumping EndTxn is handled as an old one (and answered with the same epoch).
    const sameEpochAnswer = bumpEpoch && this.bugs.has('no-epoch-bump-per-txn');
    const tv2 = bumpEpoch && !sameEpochAnswer;
    const prepared = tv2
      ? this.prepareEndTv2(env, metadata, producerId, producerEpoch, committed, fromClient)
      : this.prepareEndTv1(env, metadata, producerId, producerEpoch, committed, fromClient);
    if (typeof prepared === 'number') {
      // A fence that cannot go on gives its pending state back (else the id would wait forever).
      if (metadata.pendingState === 'PrepareEpochFence') metadata.abandonTransition();
      // A retry of an EndTxn that was done: answered with the id and epoch in use (v5).
      if (prepared === ErrorCode.NONE && (tv2 || sameEpochAnswer)) return done(ErrorCode.NONE, metadata.producerId, metadata.producerEpoch);
      return fail(prepared);
    }
    const { transit, isEpochFence } = prepared;
    const coordinatorEpoch = state.coordinatorEpoch;
    this.append(env, metadata, coordinatorEpoch, transit, (errorCode) => {
      if (errorCode !== ErrorCode.NONE) {
        // The fencing epoch was raised in memory but not written: the next fence keeps it.
        if (isEpochFence && this.txns.get(id) === metadata && this.coordinatorEpochOf(id) === coordinatorEpoch) metadata.hasFailedEpochFence = true;
        return fail(errorCode);
      }
      const nextProducerId = metadata.nextProducerId;
      if (tv2)
        done(
          ErrorCode.NONE,
          nextProducerId !== NO_PRODUCER_ID ? nextProducerId : metadata.producerId,
          nextProducerId !== NO_PRODUCER_ID ? 0 : metadata.producerEpoch,
        );
      else if (sameEpochAnswer) done(ErrorCode.NONE, metadata.producerId, metadata.producerEpoch);
      else fail(ErrorCode.NONE);
      this.sendMarkers(env, metadata, coordinatorEpoch);
    });
  }

  /** The Prepare* of a fence's abort: the pending PrepareEpochFence gives way, its bumped epoch taken in memory at once. */
  private takeFencedEpoch(metadata: TransactionMetadata, producerEpoch: number): void {
    metadata.pendingState = null;
    metadata.producerEpoch = producerEpoch;
    metadata.lastProducerEpoch = NO_PRODUCER_EPOCH;
  }

  /** EndTxn before KIP-890 part 2 (TransactionCoordinator.endTransactionWithTV1): one epoch for many transactions. */
  private prepareEndTv1(
    env: TxnEnv,
    metadata: TransactionMetadata,
    producerId: number,
    producerEpoch: number,
    committed: boolean,
    fromClient: boolean,
  ): { transit: TxnTransit; isEpochFence: boolean } | number {
    if (metadata.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if ((fromClient && producerEpoch !== metadata.producerEpoch) || producerEpoch < metadata.producerEpoch) return ErrorCode.PRODUCER_FENCED;
    const isEpochFence = metadata.pendingState === 'PrepareEpochFence';
    if (metadata.pendingTransitionInProgress && !isEpochFence) return ErrorCode.CONCURRENT_TRANSACTIONS;
    switch (metadata.state) {
      case 'Ongoing': {
        if (!committed && isEpochFence) this.takeFencedEpoch(metadata, producerEpoch);
        const transit = metadata.prepareAbortOrCommit(committed ? 'PrepareCommit' : 'PrepareAbort', false, NO_PRODUCER_ID, Math.floor(env.now()), false);
        return { transit, isEpochFence };
      }
      case 'CompleteCommit':
        return committed ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE;
      case 'CompleteAbort':
        return committed ? ErrorCode.INVALID_TXN_STATE : ErrorCode.NONE;
      case 'PrepareCommit':
        return committed ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.INVALID_TXN_STATE;
      case 'PrepareAbort':
        return committed ? ErrorCode.INVALID_TXN_STATE : ErrorCode.CONCURRENT_TRANSACTIONS;
      case 'Empty':
        return ErrorCode.INVALID_TXN_STATE;
      case 'Dead':
      case 'PrepareEpochFence':
        throw new IllegalTxnStateError(`${metadata.transactionalId} is in ${metadata.state}, which EndTxn never meets`);
    }
  }

  /**
   * EndTxn with KIP-890 part 2 (TransactionCoordinator.endTransaction, transaction version 2): each
   * end bumps the epoch, so a retry carries the epoch before the bump; an abort of Empty or a
   * completed transaction is a new (empty) transaction; an exhausted epoch brings a new producer id.
   */
  private prepareEndTv2(
    env: TxnEnv,
    metadata: TransactionMetadata,
    producerId: number,
    producerEpoch: number,
    committed: boolean,
    fromClient: boolean,
  ): { transit: TxnTransit; isEpochFence: boolean } | number {
    const isEpochFence = metadata.pendingState === 'PrepareEpochFence';
    const retryOnOverflow = !isEpochFence && metadata.previousProducerId === producerId && producerEpoch === SHORT_MAX - 1 && metadata.producerEpoch === 0;
    const retryOnEpochBump = !isEpochFence && metadata.producerEpoch === producerEpoch + 1;
    const isRetry = retryOnEpochBump || retryOnOverflow;
    let validEpoch: boolean;
    if (isEpochFence) validEpoch = (!fromClient || producerEpoch === metadata.producerEpoch) && producerEpoch >= metadata.producerEpoch;
    else if (metadata.state === 'PrepareCommit' || metadata.state === 'PrepareAbort') validEpoch = retryOnEpochBump;
    else if (metadata.state === 'CompleteCommit' || metadata.state === 'CompleteAbort') validEpoch = isRetry || producerEpoch === metadata.producerEpoch;
    else validEpoch = producerEpoch === metadata.producerEpoch;
    if (metadata.producerId !== producerId && !retryOnOverflow) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (!validEpoch) return ErrorCode.PRODUCER_FENCED;
    if (metadata.pendingTransitionInProgress && !isEpochFence) return ErrorCode.CONCURRENT_TRANSACTIONS;
    const complete = (state: 'PrepareCommit' | 'PrepareAbort', noPartitionAdded: boolean): { transit: TxnTransit; isEpochFence: boolean } | number => {
      let nextProducerId = NO_PRODUCER_ID;
      if (!isEpochFence && metadata.isProducerEpochExhausted) {
        const next = this.hooks.nextProducerId(env as Env<never>);
        if (next === null) return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
        nextProducerId = next;
      }
      if (state === 'PrepareAbort' && isEpochFence) this.takeFencedEpoch(metadata, producerEpoch);
      const bump = metadata.producerEpoch < SHORT_MAX;
      return { transit: metadata.prepareAbortOrCommit(state, bump, nextProducerId, Math.floor(env.now()), noPartitionAdded), isEpochFence };
    };
    switch (metadata.state) {
      case 'Ongoing':
        return complete(committed ? 'PrepareCommit' : 'PrepareAbort', false);
      case 'CompleteCommit':
        if (committed) return isRetry ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE;
        return isRetry ? ErrorCode.INVALID_TXN_STATE : complete('PrepareAbort', true);
      case 'CompleteAbort':
        if (committed) return ErrorCode.INVALID_TXN_STATE;
        return isRetry ? ErrorCode.NONE : complete('PrepareAbort', true);
      case 'PrepareCommit':
        return committed ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.INVALID_TXN_STATE;
      case 'PrepareAbort':
        return committed ? ErrorCode.INVALID_TXN_STATE : ErrorCode.CONCURRENT_TRANSACTIONS;
      case 'Empty':
        return committed ? ErrorCode.INVALID_TXN_STATE : complete('PrepareAbort', true);
      case 'Dead':
      case 'PrepareEpochFence':
        throw new IllegalTxnStateError(`${metadata.transactionalId} is in ${metadata.state}, which EndTxn never meets`);
    }
  }

  // ---- markers and completion --------------------------------------------------------------------

  /**
   * Prepare* is written: Complete* is prepared (so requests hear CONCURRENT_TRANSACTIONS until it
   * is written) and the markers go out; Complete* is written once every leader has its marker.
   * The bug endtxn-before-markers writes it at once.
   */
  private sendMarkers(env: TxnEnv, metadata: TransactionMetadata, coordinatorEpoch: number): void {
    const markers: PendingMarkers = {
      transactionalId: metadata.transactionalId,
      coordinatorEpoch,
      producerId: metadata.producerId,
      producerEpoch: metadata.producerEpoch,
      committed: metadata.state === 'PrepareCommit',
      partitions: [...metadata.partitions].sort(),
    };
    const transit = metadata.prepareComplete(Math.floor(env.now()));
    this.completions.set(metadata.transactionalId, { transit, coordinatorEpoch });
    this.markers.add(env, markers);
    if (this.bugs.has('endtxn-before-markers')) this.writeCompletion(env, metadata.transactionalId);
  }

  private markersWritten(env: TxnEnv, markers: PendingMarkers): void {
    const pending = this.completions.get(markers.transactionalId);
    if (pending === undefined || pending.coordinatorEpoch !== markers.coordinatorEpoch) return;
    this.writeCompletion(env, markers.transactionalId);
  }

  /** Writes the Complete* prepared for the id, again after a pause while __transaction_state is unavailable (Kafka's txnLogAppendRetryQueue). */
  private writeCompletion(env: TxnEnv, id: string): void {
    const pending = this.completions.get(id);
    const metadata = this.txns.get(id);
    if (pending === undefined || metadata === undefined) return;
    this.completions.delete(id);
    this.append(
      env,
      metadata,
      pending.coordinatorEpoch,
      pending.transit,
      (errorCode) => {
        if (errorCode !== ErrorCode.COORDINATOR_NOT_AVAILABLE || this.coordinatorEpochOf(id) !== pending.coordinatorEpoch) return;
        this.completions.set(id, pending);
        this.schedule(env, MARKER_RETRY_BACKOFF_MS, (e) => this.writeCompletion(e, id));
      },
      true,
    );
  }

  // ---- timeouts ----------------------------------------------------------------------------------

  /** Kafka's abortTimedOutTransactions: Ongoing transactions past start + timeout are fenced (epoch bump) and aborted. */
  private abortTimedOutTransactions(env: TxnEnv): void {
    const now = env.now();
    for (const metadata of [...this.txns.values()]) {
      if (metadata.state !== 'Ongoing' || metadata.pendingTransitionInProgress) continue;
      if (metadata.txnStartTimestamp + metadata.txnTimeoutMs >= now) continue;
      if (this.coordinatorEpochOf(metadata.transactionalId) === null) continue;
      const fence = metadata.prepareFenceProducerEpoch();
      this.endTransaction(env, metadata.transactionalId, fence.producerId, fence.producerEpoch, false, false, metadata.clientTransactionVersion >= 2, () => {});
    }
  }

  /**
   * Kafka's removeExpiredTransactionalIds: an id without a transaction whose last update is older than
   * transactional.id.expiration.ms goes Dead, its tombstone is written, and it is forgotten.
   */
  private expireTransactionalIds(env: TxnEnv): void {
    const now = env.now();
    const expirationMs = this.config.int('transactional.id.expiration.ms');
    for (const metadata of [...this.txns.values()]) {
      const id = metadata.transactionalId;
      const idle = metadata.state === 'Empty' || metadata.state === 'CompleteCommit' || metadata.state === 'CompleteAbort';
      if (!idle || metadata.pendingTransitionInProgress || metadata.txnLastUpdateTimestamp + expirationMs > now) continue;
      const coordinatorEpoch = this.coordinatorEpochOf(id);
      const partition = this.partitionOf(id);
      if (coordinatorEpoch === null || partition === null) continue;
      metadata.prepareDead();
      const tombstone = transactionLogRecord(id, null);
      this.hooks.appendCommitted(env as Env<never>, TRANSACTION_STATE_TOPIC, partition, [tombstone], this.config.int('request.timeout.ms'), (errorCode) => {
        if (this.txns.get(id) !== metadata || this.coordinatorEpochOf(id) !== coordinatorEpoch) return;
        if (errorCode !== ErrorCode.NONE) return metadata.abandonTransition();
        this.txns.delete(id);
        metadata.state = 'Dead';
        metadata.pendingState = null;
        metadata.partitions.clear();
        this.traceState(env, metadata, coordinatorEpoch);
      });
    }
  }

  // ---- DescribeTransactions / ListTransactions ---------------------------------------------------

  private onDescribeTransactions(env: TxnEnv, from: NodeId, req: DescribeTransactionsRequest): void {
    const transactionStates = req.transactionalIds.map((transactionalId): TransactionStateDescription => {
      const blank = {
        transactionalId,
        transactionState: '',
        transactionTimeoutMs: 0,
        transactionStartTimeMs: -1,
        producerId: -1,
        producerEpoch: -1,
        topics: [],
      };
      if (transactionalId === '') return { ...blank, errorCode: ErrorCode.INVALID_REQUEST };
      const state = this.stateOf(transactionalId);
      if ('error' in state) return { ...blank, errorCode: state.error };
      const m = state.metadata;
      if (m === undefined || m.state === 'Dead') return { ...blank, errorCode: ErrorCode.TRANSACTIONAL_ID_NOT_FOUND };
      return {
        errorCode: ErrorCode.NONE,
        transactionalId,
        transactionState: m.state,
        transactionTimeoutMs: m.txnTimeoutMs,
        transactionStartTimeMs: m.txnStartTimestamp,
        producerId: m.producerId,
        producerEpoch: m.producerEpoch,
        topics: partitionsByTopic(m.partitions).map((t) => ({ topic: t.topic, partitions: t.partitionIds })),
      };
    });
    env.send(from, { api: 'DescribeTransactions', kind: 'response', correlationId: req.correlationId, transactionStates });
  }

  private onListTransactions(env: TxnEnv, from: NodeId, req: ListTransactionsRequest): void {
    const respond = (
      errorCode: number,
      unknownStateFilters: string[],
      transactionStates: Array<{ transactionalId: string; producerId: number; transactionState: string }>,
    ) => env.send(from, { api: 'ListTransactions', kind: 'response', correlationId: req.correlationId, errorCode, unknownStateFilters, transactionStates });
    if ([...this.owned.values()].some((o) => !o.loaded)) return respond(ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, [], []);
    const known = new Set<string>(TXN_STATES);
    const unknownStateFilters = req.stateFilters.filter((s) => !known.has(s));
    const states = new Set(req.stateFilters.filter((s) => known.has(s)));
    // Only unknown states asked for: nothing can match.
    if (req.stateFilters.length > 0 && states.size === 0) return respond(ErrorCode.NONE, unknownStateFilters, []);
    const producerIds = new Set(req.producerIdFilters);
    const now = env.now();
    const transactionStates = [...this.txns.values()]
      .filter(
        (m) =>
          m.state !== 'Dead' &&
          (producerIds.size === 0 || producerIds.has(m.producerId)) &&
          (states.size === 0 || states.has(m.state)) &&
          (req.durationFilter < 0 || now - m.txnStartTimestamp > req.durationFilter),
      )
      .sort((a, b) => (a.transactionalId < b.transactionalId ? -1 : a.transactionalId > b.transactionalId ? 1 : 0))
      .map((m) => ({ transactionalId: m.transactionalId, producerId: m.producerId, transactionState: m.state }));
    respond(ErrorCode.NONE, unknownStateFilters, transactionStates);
  }
}

function partitionExists(image: MetadataImage | null, name: string): boolean {
  const { topic, partition } = splitPartitionName(name);
  return image?.partition(topic, partition) !== undefined;
}

/** The answer to a request the coordinator cannot serve at all (a node without a broker): `errorCode` everywhere. */
export function txnCoordinatorErrorResponse(
  req: TxnCoordinatorRequest | InitProducerIdRequest | FindCoordinatorRequest,
  errorCode: number,
): TxnCoordinatorMessage {
  const correlationId = req.correlationId;
  switch (req.api) {
    case 'FindCoordinator':
      return {
        api: 'FindCoordinator',
        kind: 'response',
        correlationId,
        coordinators: req.coordinatorKeys.map((key) => ({ key, nodeId: null, host: '', port: -1, errorCode, errorMessage: null })),
      };
    case 'InitProducerId':
      return { api: 'InitProducerId', kind: 'response', correlationId, errorCode, producerId: NO_PRODUCER_ID, producerEpoch: NO_PRODUCER_EPOCH };
    case 'AddPartitionsToTxn':
      return {
        api: 'AddPartitionsToTxn',
        kind: 'response',
        correlationId,
        errorCode: ErrorCode.NONE,
        resultsByTransaction: req.transactions.map((t) => ({
          transactionalId: t.transactionalId,
          topicResults: t.topics.map((topic) => ({
            name: topic.name,
            resultsByPartition: topic.partitions.map((partitionIndex) => ({ partitionIndex, partitionErrorCode: errorCode })),
          })),
        })),
      };
    case 'AddOffsetsToTxn':
      return { api: 'AddOffsetsToTxn', kind: 'response', correlationId, errorCode };
    case 'EndTxn':
      return { api: 'EndTxn', kind: 'response', correlationId, errorCode, producerId: NO_PRODUCER_ID, producerEpoch: NO_PRODUCER_EPOCH };
    case 'DescribeTransactions':
      return {
        api: 'DescribeTransactions',
        kind: 'response',
        correlationId,
        transactionStates: req.transactionalIds.map((transactionalId) => ({
          errorCode,
          transactionalId,
          transactionState: '',
          transactionTimeoutMs: 0,
          transactionStartTimeMs: -1,
          producerId: -1,
          producerEpoch: -1,
          topics: [],
        })),
      };
    case 'ListTransactions':
      return { api: 'ListTransactions', kind: 'response', correlationId, errorCode, unknownStateFilters: [], transactionStates: [] };
  }
}
