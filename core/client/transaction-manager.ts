// The transactional producer's half of KIP-98 (Kafka's TransactionManager): the state machine
// (UNINITIALIZED, INITIALIZING, READY, IN_TRANSACTION, COMMITTING_TRANSACTION, ABORTING_TRANSACTION,
// ABORTABLE_ERROR, FATAL_ERROR), the transaction coordinator found with FindCoordinator (key type 1),
// InitProducerId, AddPartitionsToTxn before a partition's first batch, AddOffsetsToTxn then
// TxnOffsetCommit to the group's coordinator, and EndTxn once the batches are answered (with an
// epoch bump per transaction under transaction.version 2, KIP-890 part 2). One coordinator request
// is out at a time, as Kafka's Sender sends them. Records init-txn, end-txn and txn-offsets.

import type { Env, NodeId } from '../env.ts';
import type { InitProducerIdResponse } from '../protocol/data.ts';
import { ErrorCode, errorName } from '../protocol/errors.ts';
import { CoordinatorType, type FindCoordinatorResponse } from '../protocol/group.ts';
import { NO_PRODUCER_ID } from '../protocol/records.ts';
import type { AddOffsetsToTxnResponse, AddPartitionsToTxnResponse, EndTxnResponse, TxnOffsetCommitResponse } from '../protocol/txn.ts';
import type { ProducerConfig } from './client-config.ts';
import {
  ABORTABLE,
  addOffsetsRequest,
  addPartitionsRequest,
  COORDINATOR_MOVED,
  endTxnRequest,
  FATAL_PRODUCE,
  ID_LOST,
  initProducerIdRequest,
  RETRY_SAME,
  txnOffsetCommitRequest,
  UNSURE,
  type ConsumerGroupMetadata,
  type TxnIdentity,
} from './transaction-requests.ts';

export type { ConsumerGroupMetadata };
import { earlierWake } from './wake.ts';

export type TxnStateName =
  'UNINITIALIZED' | 'INITIALIZING' | 'READY' | 'IN_TRANSACTION' | 'COMMITTING_TRANSACTION' | 'ABORTING_TRANSACTION' | 'ABORTABLE_ERROR' | 'FATAL_ERROR';

/** How a transactional call ended: ok, fail (certainly not done), info (unknown: a commit may have happened). */
export type TxnResult = { type: 'ok' } | { type: 'fail' | 'info'; error: string };
export type TxnCallback = (result: TxnResult) => void;

export type TxnResponse =
  FindCoordinatorResponse | InitProducerIdResponse | AddPartitionsToTxnResponse | AddOffsetsToTxnResponse | EndTxnResponse | TxnOffsetCommitResponse;

/** What the manager needs from its producer. */
export interface TransactionHost {
  readonly config: ProducerConfig;
  nextCorrelationId(): number;
  /** Brokers to ask FindCoordinator (the metadata's, else the bootstrap list). */
  brokers(): readonly NodeId[];
  send(env: Env<never>, to: NodeId, msg: unknown): void;
  takeOpId(env: Env<never>): number;
  record(env: Env<never>, op: string, type: 'invoke' | 'ok' | 'fail' | 'info', id: number, value: unknown, error?: string): void;
  /** Sends of the transaction without an answer yet: waiting for metadata, queued or in flight. */
  incompleteSends(): number;
  inFlightBatches(): number;
  /** Ends every send not on the wire with `error` (never written: fail). */
  failUnsent(env: Env<never>, error: string): void;
  /** Makes every open batch ready now (flush). */
  flush(): void;
  producerIdAndEpoch(): { producerId: number; producerEpoch: number };
  setProducerIdAndEpoch(producerId: number, producerEpoch: number): void;
}

type RequestKind = 'find-txn' | 'find-group' | 'init' | 'add-partitions' | 'add-offsets' | 'txn-offset-commit' | 'end';

interface InFlight {
  correlationId: number;
  kind: RequestKind;
  deadlineMs: number;
  /** add-partitions: the partitions it asks for. */
  partitions?: string[];
}

interface InitOp {
  historyId: number | null;
  deadlineMs: number;
  done: TxnCallback;
  /** KIP-360: bump the epoch of the id we have (after an abort that needs it) instead of asking as a new producer. */
  resume: boolean;
}

interface OffsetsOp {
  historyId: number;
  txn: number;
  deadlineMs: number;
  group: ConsumerGroupMetadata;
  offsets: Array<[string, number, number]>;
  /** The offsets the group coordinator has not taken yet (all of them until a TxnOffsetCommit answers). */
  unsent: Array<[string, number, number]>;
  stage: 'add' | 'commit';
  /** A TxnOffsetCommit went unanswered: it may be pending at the group coordinator. */
  maybeSent: boolean;
  done: TxnCallback;
}

interface EndOp {
  historyId: number;
  txn: number;
  commit: boolean;
  deadlineMs: number;
  /** An EndTxn went out whose fate is unknown (unanswered): a later error leaves the outcome unknown. */
  maybeSent: boolean;
  done: TxnCallback;
}

/** Kafka's ADD_PARTITIONS_RETRY_BACKOFF_MS: CONCURRENT_TRANSACTIONS before the first partition is in (the previous transaction's markers are being written). */
const ADD_PARTITIONS_RETRY_BACKOFF_MS = 20;

export class TransactionManager {
  private state: TxnStateName = 'UNINITIALIZED';
  private lastError: string | null = null;
  private coordinator: NodeId | null = null;
  private readonly groupCoordinators = new Map<string, NodeId>();
  private inFlight: InFlight | null = null;
  private retryAtMs = -Infinity;
  private brokerCursor = 0;
  private initOp: InitOp | null = null;
  private offsetsOp: OffsetsOp | null = null;
  private endOp: EndOp | null = null;
  /** The op id of the open transaction (the history's T). */
  private txn: number | null = null;
  /** A partition or the offsets are in the transaction at the coordinator (else EndTxn is not needed). */
  private started = false;
  private readonly inTransaction = new Set<string>();
  private readonly pendingAdds = new Set<string>();
  /** KIP-360: the epoch must be bumped before the next transaction (an abort after a lost sequence). */
  private epochBumpRequired = false;

  constructor(private readonly host: TransactionHost) {}

  get transactionalId(): string {
    return this.host.config.transactionalId!;
  }

  get currentState(): TxnStateName {
    return this.state;
  }

  /** The history id of the open transaction, or null. */
  get currentTxn(): number | null {
    return this.state === 'IN_TRANSACTION' ||
      this.state === 'COMMITTING_TRANSACTION' ||
      this.state === 'ABORTING_TRANSACTION' ||
      this.state === 'ABORTABLE_ERROR'
      ? this.txn
      : null;
  }

  get error(): string | null {
    return this.lastError;
  }

  get hasFatalError(): boolean {
    return this.state === 'FATAL_ERROR';
  }

  // ---- the application's calls -----------------------------------------------------------------

  /**
   * InitProducerId through the transaction coordinator: fences earlier producers of the id and
   * completes (or aborts) their last transaction. From FATAL_ERROR it starts over as a new producer
   * instance would (Kafka's application closes the producer and creates another with the same id).
   */
  initTransactions(env: Env<never>, done: TxnCallback): void {
    if (this.state === 'FATAL_ERROR') this.reset(env);
    if (this.state !== 'UNINITIALIZED') return done({ type: 'fail', error: `initTransactions in state ${this.state}` });
    const historyId = this.host.takeOpId(env);
    this.host.record(env, 'init-txn', 'invoke', historyId, { transactionalId: this.transactionalId });
    this.state = 'INITIALIZING';
    this.initOp = { historyId, deadlineMs: env.now() + this.host.config.maxBlockMs, done, resume: false };
  }

  /** Starts a transaction: a fresh history id T for its sends. Throws on a wrong state, as Kafka's IllegalStateException. */
  beginTransaction(env: Env<never>): number {
    if (this.state !== 'READY') throw new Error(`beginTransaction in state ${this.state}${this.lastError === null ? '' : ` (${this.lastError})`}`);
    this.txn = this.host.takeOpId(env);
    this.state = 'IN_TRANSACTION';
    this.started = false;
    this.inTransaction.clear();
    this.pendingAdds.clear();
    return this.txn;
  }

  /** Why a send may not join the transaction now, or null (Kafka's send() throws in these states). */
  sendProblem(): string | null {
    if (this.state === 'IN_TRANSACTION') return null;
    if (this.state === 'ABORTABLE_ERROR' || this.state === 'FATAL_ERROR')
      return `Cannot perform send because at least one previous transactional request has failed: ${this.lastError ?? this.state}`;
    return `Cannot send in state ${this.state}: no transaction in progress`;
  }

  /** A send was batched for this partition: it joins the transaction with the next AddPartitionsToTxn. */
  maybeAddPartition(topic: string, partition: number): void {
    const key = `${topic}/${partition}`;
    if (!this.inTransaction.has(key)) this.pendingAdds.add(key);
  }

  /** Whether batches of the partition may go (Kafka's isSendToPartitionAllowed). */
  isSendToPartitionAllowed(topic: string, partition: number): boolean {
    if (this.state !== 'IN_TRANSACTION' && this.state !== 'COMMITTING_TRANSACTION') return false;
    return this.inTransaction.has(`${topic}/${partition}`);
  }

  sendOffsetsToTransaction(env: Env<never>, offsets: Array<[string, number, number]>, group: ConsumerGroupMetadata, done: TxnCallback): void {
    const historyId = this.host.takeOpId(env);
    const txn = this.txn ?? -1;
    const value = { txn, group: group.groupId, offsets };
    this.host.record(env, 'txn-offsets', 'invoke', historyId, value);
    const problem =
      this.state !== 'IN_TRANSACTION'
        ? `sendOffsetsToTransaction in state ${this.state}${this.lastError === null ? '' : ` (${this.lastError})`}`
        : this.offsetsOp !== null
          ? 'a previous sendOffsetsToTransaction is still pending'
          : null;
    if (problem !== null) {
      this.host.record(env, 'txn-offsets', 'fail', historyId, value, problem);
      return done({ type: 'fail', error: problem });
    }
    const deadlineMs = env.now() + this.host.config.maxBlockMs;
    this.offsetsOp = { historyId, txn, deadlineMs, group, offsets, unsent: offsets, stage: 'add', maybeSent: false, done };
  }

  /** Flushes the transaction's batches, then EndTxn(commit); a batch that failed fails the commit (abortable). */
  commitTransaction(env: Env<never>, done: TxnCallback): void {
    this.beginEnd(env, true, done);
  }

  /** Drops the unsent batches, waits for those in flight, then EndTxn(abort). */
  abortTransaction(env: Env<never>, done: TxnCallback): void {
    this.beginEnd(env, false, done);
  }

  private beginEnd(env: Env<never>, commit: boolean, done: TxnCallback): void {
    const txn = this.txn ?? -1;
    const historyId = this.host.takeOpId(env);
    const value = { txn, commit, transactionalId: this.transactionalId };
    this.host.record(env, 'end-txn', 'invoke', historyId, value);
    const allowed = commit ? this.state === 'IN_TRANSACTION' : this.state === 'IN_TRANSACTION' || this.state === 'ABORTABLE_ERROR';
    if (!allowed || this.endOp !== null) {
      // Never an abort after a commit of unknown outcome (Jepsen's rule): that state is fatal here.
      const error = `${commit ? 'commitTransaction' : 'abortTransaction'} in state ${this.state}${this.lastError === null ? '' : ` (${this.lastError})`}`;
      this.host.record(env, 'end-txn', 'fail', historyId, value, error);
      return done({ type: 'fail', error });
    }
    this.endOp = { historyId, txn, commit, deadlineMs: env.now() + this.host.config.maxBlockMs, maybeSent: false, done };
    if (commit) {
      this.state = 'COMMITTING_TRANSACTION';
      this.host.flush();
    } else {
      this.state = 'ABORTING_TRANSACTION';
      this.pendingAdds.clear();
      if (this.offsetsOp !== null) this.endOffsets(env, 'fail', 'the transaction is being aborted');
      this.host.failUnsent(env, 'the transaction was aborted before the batch was sent');
    }
  }

  // ---- produce outcomes ---------------------------------------------------------------------------

  /**
   * A batch of the transaction failed (Kafka's handleFailedBatch): the transaction must abort, or
   * the producer is fenced. A batch that had a sequence leaves a gap in the partition's sequences:
   * the epoch is bumped with the abort (KIP-360; transaction.version 2 bumps it at every end anyway).
   */
  batchFailed(env: Env<never>, errorCode: number | null, error: string, hadSequence: boolean): void {
    // A batch of an earlier producer instance (before a fatal error's re-init) changes nothing now.
    if (this.state !== 'IN_TRANSACTION' && this.state !== 'COMMITTING_TRANSACTION' && this.state !== 'ABORTING_TRANSACTION') return;
    if (errorCode !== null && FATAL_PRODUCE.has(errorCode)) return this.fatal(env, error);
    if (hadSequence) this.epochBumpRequired = true;
    // Failures while aborting change nothing: the abort goes on.
    if (this.state === 'ABORTING_TRANSACTION') return;
    this.abortable(env, error);
  }

  // ---- the sender's turn --------------------------------------------------------------------------

  /** Called by the producer's loop before it drains: expiries, then the next coordinator request. */
  poll(env: Env<never>, now: number): void {
    if (this.inFlight !== null && now >= this.inFlight.deadlineMs) this.requestTimedOut(now);
    this.expireOps(env, now);
    // Kafka's Sender aborts the undrained batches while aborting or in error: a retry put back in the queue never goes.
    if (this.state === 'ABORTABLE_ERROR' || this.state === 'FATAL_ERROR' || this.state === 'ABORTING_TRANSACTION')
      this.host.failUnsent(env, this.lastError ?? 'the transaction was aborted before the batch was sent');
    if (this.inFlight !== null || now < this.retryAtMs) return;
    if (this.initOp !== null) return this.sendToCoordinator(env, now, 'init');
    if (this.state !== 'IN_TRANSACTION' && this.state !== 'COMMITTING_TRANSACTION' && this.state !== 'ABORTING_TRANSACTION') return;
    if (this.pendingAdds.size > 0 && this.state !== 'ABORTING_TRANSACTION') return this.sendToCoordinator(env, now, 'add-partitions');
    if (this.offsetsOp !== null) {
      if (this.offsetsOp.stage === 'add') return this.sendToCoordinator(env, now, 'add-offsets');
      return this.sendTxnOffsetCommit(env, now);
    }
    const end = this.endOp;
    if (end === null) return;
    const ready = end.commit ? this.host.incompleteSends() === 0 : this.host.inFlightBatches() === 0;
    if (!ready) return;
    // Nothing reached the coordinator: there is no transaction there to end (Kafka skips EndTxn too).
    if (!this.started) return this.endCompleted(env, null);
    this.sendToCoordinator(env, now, 'end');
  }

  nextWakeMs(now: number): number {
    let next = Infinity;
    if (this.inFlight !== null) next = earlierWake(now, next, this.inFlight.deadlineMs);
    next = earlierWake(now, next, this.retryAtMs);
    for (const op of [this.initOp, this.offsetsOp, this.endOp]) if (op !== null) next = earlierWake(now, next, op.deadlineMs);
    return next;
  }

  // ---- requests -----------------------------------------------------------------------------------

  private sendToCoordinator(env: Env<never>, now: number, kind: 'init' | 'add-partitions' | 'add-offsets' | 'end'): void {
    if (this.coordinator === null) return this.findCoordinator(env, now, CoordinatorType.TRANSACTION, this.transactionalId, 'find-txn');
    const correlationId = this.host.nextCorrelationId();
    const flight: InFlight = { correlationId, kind, deadlineMs: now + this.host.config.requestTimeoutMs };
    const id = this.identity();
    let msg: unknown;
    if (kind === 'init') msg = initProducerIdRequest(correlationId, id, this.host.config.transactionTimeoutMs, this.initOp!.resume);
    else if (kind === 'add-partitions') msg = addPartitionsRequest(correlationId, id, (flight.partitions = [...this.pendingAdds]));
    else if (kind === 'add-offsets') msg = addOffsetsRequest(correlationId, id, this.offsetsOp!.group.groupId);
    else {
      msg = endTxnRequest(correlationId, id, this.endOp!.commit, this.host.config.transactionVersion === 2);
      // Once an EndTxn went out, the coordinator may act on it whatever answer comes back first (an
      // answer can be lost, or be that of a copy the network delivered twice): a failure is no proof.
      this.endOp!.maybeSent = true;
    }
    this.inFlight = flight;
    this.host.send(env, this.coordinator, msg);
  }

  private identity(): TxnIdentity {
    return { transactionalId: this.transactionalId, ...this.host.producerIdAndEpoch() };
  }

  private sendTxnOffsetCommit(env: Env<never>, now: number): void {
    const op = this.offsetsOp!;
    const coordinator = this.groupCoordinators.get(op.group.groupId);
    if (coordinator === undefined) return this.findCoordinator(env, now, CoordinatorType.GROUP, op.group.groupId, 'find-group');
    const correlationId = this.host.nextCorrelationId();
    this.inFlight = { correlationId, kind: 'txn-offset-commit', deadlineMs: now + this.host.config.requestTimeoutMs };
    this.host.send(env, coordinator, txnOffsetCommitRequest(correlationId, this.identity(), op.group, op.unsent));
  }

  private findCoordinator(env: Env<never>, now: number, keyType: number, key: string, kind: 'find-txn' | 'find-group'): void {
    const brokers = this.host.brokers();
    const broker = brokers[this.brokerCursor++ % brokers.length]!;
    const correlationId = this.host.nextCorrelationId();
    this.inFlight = { correlationId, kind, deadlineMs: now + this.host.config.requestTimeoutMs };
    this.host.send(env, broker, { api: 'FindCoordinator', kind: 'request', correlationId, keyType, coordinatorKeys: [key] });
  }

  /** No answer within request.timeout.ms: Kafka drops the connection and looks the coordinator up again. */
  private requestTimedOut(now: number): void {
    const flight = this.inFlight!;
    this.inFlight = null;
    if (flight.kind === 'end' && this.endOp !== null) this.endOp.maybeSent = true;
    if (flight.kind === 'txn-offset-commit' && this.offsetsOp !== null) {
      this.offsetsOp.maybeSent = true;
      this.groupCoordinators.delete(this.offsetsOp.group.groupId);
    } else if (flight.kind !== 'find-group') this.coordinator = null;
    this.retryAtMs = now;
  }

  // ---- answers ------------------------------------------------------------------------------------

  /** Takes an answer meant for the manager; false when it is not one. */
  receive(env: Env<never>, msg: TxnResponse): boolean {
    const flight = this.inFlight;
    if (flight === null || msg.correlationId !== flight.correlationId) return false;
    this.inFlight = null;
    const now = env.now();
    switch (msg.api) {
      case 'FindCoordinator':
        this.onFindCoordinator(flight, msg, now);
        break;
      case 'InitProducerId':
        this.onInitProducerId(env, msg, now);
        break;
      case 'AddPartitionsToTxn':
        this.onAddPartitions(env, flight, msg, now);
        break;
      case 'AddOffsetsToTxn':
        this.onAddOffsets(env, msg, now);
        break;
      case 'TxnOffsetCommit':
        this.onTxnOffsetCommit(env, msg, now);
        break;
      case 'EndTxn':
        this.onEndTxn(env, msg, now);
        break;
    }
    return true;
  }

  private onFindCoordinator(flight: InFlight, msg: FindCoordinatorResponse, now: number): void {
    const c = msg.coordinators[0];
    if (c === undefined || c.errorCode !== ErrorCode.NONE || c.nodeId === null) {
      this.retryAtMs = now + this.host.config.retryBackoffMs;
      return;
    }
    if (flight.kind === 'find-txn') this.coordinator = c.nodeId;
    else if (this.offsetsOp !== null) this.groupCoordinators.set(this.offsetsOp.group.groupId, c.nodeId);
  }

  /** The shared handling of a coordinator's error: retried (true) or not (false, the caller decides). */
  private retried(code: number, now: number, backoffMs = this.host.config.retryBackoffMs): boolean {
    if (COORDINATOR_MOVED.has(code)) {
      this.coordinator = null;
      this.retryAtMs = now;
      return true;
    }
    if (RETRY_SAME.has(code)) {
      this.retryAtMs = now + backoffMs;
      return true;
    }
    return false;
  }

  private onInitProducerId(env: Env<never>, msg: InitProducerIdResponse, now: number): void {
    const op = this.initOp!;
    if (msg.errorCode === ErrorCode.NONE) {
      this.initOp = null;
      this.host.setProducerIdAndEpoch(msg.producerId, msg.producerEpoch);
      this.epochBumpRequired = false;
      this.state = 'READY';
      this.lastError = null;
      const value = { transactionalId: this.transactionalId, producerId: msg.producerId, producerEpoch: msg.producerEpoch };
      if (op.historyId !== null) this.host.record(env, 'init-txn', 'ok', op.historyId, value);
      return op.done({ type: 'ok' });
    }
    if (this.retried(msg.errorCode, now)) return;
    this.fatal(env, errorName(msg.errorCode));
  }

  private onAddPartitions(env: Env<never>, flight: InFlight, msg: AddPartitionsToTxnResponse, now: number): void {
    const asked = flight.partitions ?? [];
    const errors = new Map<string, number>();
    for (const t of msg.resultsByTransaction[0]?.topicResults ?? [])
      for (const p of t.resultsByPartition) errors.set(`${t.name}/${p.partitionIndex}`, p.partitionErrorCode);
    let worst: number = msg.errorCode;
    for (const key of asked) {
      const code = msg.errorCode !== ErrorCode.NONE ? msg.errorCode : (errors.get(key) ?? ErrorCode.UNKNOWN_SERVER_ERROR);
      if (code === ErrorCode.NONE) {
        this.pendingAdds.delete(key);
        this.inTransaction.add(key);
        this.started = true;
      } else if (worst === ErrorCode.NONE && code !== ErrorCode.OPERATION_NOT_ATTEMPTED) worst = code;
    }
    if (worst === ErrorCode.NONE || this.state === 'ABORTING_TRANSACTION') return;
    const backoff = this.inTransaction.size === 0 && worst === ErrorCode.CONCURRENT_TRANSACTIONS ? ADD_PARTITIONS_RETRY_BACKOFF_MS : undefined;
    if (this.retried(worst, now, backoff) || worst === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
      if (worst === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) this.retryAtMs = now + this.host.config.retryBackoffMs;
      return;
    }
    this.coordinatorError(env, worst, `AddPartitionsToTxn: ${errorName(worst)}`);
  }

  private onAddOffsets(env: Env<never>, msg: AddOffsetsToTxnResponse, now: number): void {
    const op = this.offsetsOp;
    if (op === null) return;
    if (msg.errorCode === ErrorCode.NONE) {
      op.stage = 'commit';
      this.started = true;
      return;
    }
    if (this.retried(msg.errorCode, now)) return;
    this.coordinatorError(env, msg.errorCode, `AddOffsetsToTxn: ${errorName(msg.errorCode)}`);
  }

  private onTxnOffsetCommit(env: Env<never>, msg: TxnOffsetCommitResponse, now: number): void {
    const op = this.offsetsOp;
    if (op === null) return;
    const failed = new Map<string, number>();
    for (const t of msg.topics) for (const p of t.partitions) if (p.errorCode !== ErrorCode.NONE) failed.set(`${t.name}/${p.partitionIndex}`, p.errorCode);
    if (failed.size === 0) return this.endOffsets(env, 'ok');
    const code = [...failed.values()][0]!;
    if (UNSURE.has(code)) op.maybeSent = true;
    // Kafka retries the partitions that failed; those that took are pending at the coordinator already.
    op.unsent = op.unsent.filter(([t, p]) => failed.has(`${t}/${p}`));
    if (COORDINATOR_MOVED.has(code) || code === ErrorCode.REQUEST_TIMED_OUT) {
      this.groupCoordinators.delete(op.group.groupId);
      this.retryAtMs = now;
      return;
    }
    if (code === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS || code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION || code === ErrorCode.CONCURRENT_TRANSACTIONS) {
      this.retryAtMs = now + this.host.config.retryBackoffMs;
      return;
    }
    // KIP-447's fencing (ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, FENCED_INSTANCE_ID) is Kafka's CommitFailedException: abortable.
    this.coordinatorError(env, code, `TxnOffsetCommit: ${errorName(code)}`);
  }

  private onEndTxn(env: Env<never>, msg: EndTxnResponse, now: number): void {
    if (this.endOp === null) return;
    if (msg.errorCode === ErrorCode.NONE) return this.endCompleted(env, msg);
    if (UNSURE.has(msg.errorCode)) this.endOp.maybeSent = true;
    if (this.retried(msg.errorCode, now)) return;
    this.coordinatorError(env, msg.errorCode, `EndTxn: ${errorName(msg.errorCode)}`);
  }

  /** A coordinator's error that is not retried: abortable (with an epoch bump when the id was lost) or fatal. */
  private coordinatorError(env: Env<never>, code: number, error: string): void {
    if (this.state === 'ABORTING_TRANSACTION' || this.state === 'INITIALIZING' || !(ID_LOST.has(code) || ABORTABLE.has(code))) return this.fatal(env, error);
    if (ID_LOST.has(code)) this.epochBumpRequired = true;
    this.abortable(env, error);
  }

  // ---- endings ------------------------------------------------------------------------------------

  private endOffsets(env: Env<never>, type: 'ok' | 'fail' | 'info', error?: string): void {
    const op = this.offsetsOp!;
    this.offsetsOp = null;
    const value = { txn: op.txn, group: op.group.groupId, offsets: op.offsets };
    this.host.record(env, 'txn-offsets', type, op.historyId, value, error);
    op.done(type === 'ok' ? { type } : { type, error: error! });
  }

  private endCompleted(env: Env<never>, msg: EndTxnResponse | null): void {
    const op = this.endOp!;
    this.endOp = null;
    const value: Record<string, unknown> = { txn: op.txn, commit: op.commit, transactionalId: this.transactionalId };
    if (msg !== null && this.host.config.transactionVersion === 2 && msg.producerId >= 0 && msg.producerEpoch >= 0) {
      // KIP-890 part 2: the next transaction goes with the epoch (or id) the coordinator bumped to.
      this.host.setProducerIdAndEpoch(msg.producerId, msg.producerEpoch);
      value['producerId'] = msg.producerId;
      value['producerEpoch'] = msg.producerEpoch;
    }
    this.host.record(env, 'end-txn', 'ok', op.historyId, value);
    this.clearTransaction();
    if (!op.commit && this.epochBumpRequired && this.host.config.transactionVersion === 1) {
      // KIP-360: the aborted transaction lost a sequence; InitProducerId with the id and epoch bumps it.
      this.state = 'INITIALIZING';
      this.initOp = { historyId: null, deadlineMs: env.now() + this.host.config.maxBlockMs, resume: true, done: () => op.done({ type: 'ok' }) };
      return;
    }
    this.epochBumpRequired = false;
    this.state = 'READY';
    this.lastError = null;
    op.done({ type: 'ok' });
  }

  private clearTransaction(): void {
    this.started = false;
    this.inTransaction.clear();
    this.pendingAdds.clear();
  }

  private endEnd(env: Env<never>, error: string): void {
    const op = this.endOp;
    if (op === null) return;
    this.endOp = null;
    const type = op.maybeSent || this.inFlight?.kind === 'end' ? 'info' : 'fail';
    this.host.record(env, 'end-txn', type, op.historyId, { txn: op.txn, commit: op.commit, transactionalId: this.transactionalId }, error);
    op.done({ type, error });
  }

  /** The transaction can only be aborted now (Kafka's ABORTABLE_ERROR). */
  private abortable(env: Env<never>, error: string): void {
    if (this.state === 'FATAL_ERROR') return;
    this.state = 'ABORTABLE_ERROR';
    this.lastError = error;
    this.pendingAdds.clear();
    if (this.offsetsOp !== null) this.endOffsets(env, this.offsetsOp.maybeSent ? 'info' : 'fail', error);
    this.endEnd(env, error);
  }

  /** The producer can do nothing more (fenced, unauthorised, or a commit of unknown outcome): every pending call ends. */
  private fatal(env: Env<never>, error: string): void {
    this.state = 'FATAL_ERROR';
    this.lastError = error;
    this.pendingAdds.clear();
    if (this.offsetsOp !== null) this.endOffsets(env, this.offsetsOp.maybeSent ? 'info' : 'fail', error);
    this.endEnd(env, error);
    const init = this.initOp;
    if (init !== null) {
      this.initOp = null;
      if (init.historyId !== null) this.host.record(env, 'init-txn', 'fail', init.historyId, { transactionalId: this.transactionalId }, error);
      init.done({ type: 'fail', error });
    }
  }

  /** max.block.ms: a call that has not finished gives up; a commit whose EndTxn may have landed is of unknown outcome, and fatal. */
  private expireOps(env: Env<never>, now: number): void {
    const timeout = (what: string) => `${what} did not finish within max.block.ms`;
    const init = this.initOp;
    if (init !== null && now >= init.deadlineMs) {
      this.initOp = null;
      const maybe = this.inFlight?.kind === 'init';
      if (maybe) this.inFlight = null;
      this.state = init.resume ? 'FATAL_ERROR' : 'UNINITIALIZED';
      this.lastError = timeout('InitProducerId');
      if (init.historyId !== null)
        this.host.record(env, 'init-txn', maybe ? 'info' : 'fail', init.historyId, { transactionalId: this.transactionalId }, this.lastError);
      init.done({ type: maybe ? 'info' : 'fail', error: this.lastError });
    }
    const offsets = this.offsetsOp;
    if (offsets !== null && now >= offsets.deadlineMs) {
      if (this.inFlight?.kind === 'txn-offset-commit') offsets.maybeSent = true;
      this.abortable(env, timeout('sendOffsetsToTransaction'));
    }
    const end = this.endOp;
    if (end !== null && now >= end.deadlineMs) {
      const unknown = end.maybeSent || this.inFlight?.kind === 'end';
      const error = timeout(end.commit ? 'commitTransaction' : 'abortTransaction');
      if (unknown || !end.commit) this.fatal(env, error);
      else this.abortable(env, error);
    }
  }

  /** Starts over as a new producer instance: nothing of the fenced or failed one is kept but its coordinator. */
  private reset(env: Env<never>): void {
    this.host.failUnsent(env, 'the producer was initialised again');
    this.state = 'UNINITIALIZED';
    this.lastError = null;
    this.inFlight = null;
    this.retryAtMs = -Infinity;
    this.txn = null;
    this.epochBumpRequired = false;
    this.clearTransaction();
    this.host.setProducerIdAndEpoch(NO_PRODUCER_ID, -1);
  }
}
