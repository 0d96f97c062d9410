// The producer (Kafka's KafkaProducer with its RecordAccumulator and Sender) as a sans-IO node:
// batching by linger.ms and batch.size, retries until delivery.timeout.ms (KIP-91), and the
// idempotent producer's ids, epochs and sequence numbers (KIP-98, KIP-360); with transactional.id,
// transactions (transaction-manager.ts). Records its history.

import type { Env, Node, NodeId, TimerTag } from '../env.ts';
import type { ConfigValue } from '../protocol/configs.ts';
import type { DataMessage, InitProducerIdResponse, ProducePartitionResponse, ProduceRequest, ProduceResponse } from '../protocol/data.ts';
import { ErrorCode, errorName } from '../protocol/errors.ts';
import type { GroupMessage } from '../protocol/group.ts';
import { batchSizeInBytes, NO_PRODUCER_ID, TRANSACTIONAL_BIT, type Bytes, type KafkaRecord, type RecordBatch, type RecordHeader } from '../protocol/records.ts';
import type { TxnMessage } from '../protocol/txn.ts';
import { ClientConfigError, parseProducerConfig, type ProducerConfig } from './client-config.ts';
import { LEADER_MOVED_ERRORS, MetadataCache } from './metadata-cache.ts';
import { OpIds } from './op-ids.ts';
import type { ClientBug } from './bugs.ts';
import { BuiltInPartitioner, partitionFor, type PartitionQueue } from './partitioner.ts';
import {
  TransactionManager,
  type ConsumerGroupMetadata,
  type TransactionHost,
  type TxnCallback,
  type TxnResponse,
  type TxnStateName,
} from './transaction-manager.ts';
import { earlierWake } from './wake.ts';

/** What a producer sends and hears: data requests, and with transactions FindCoordinator and the transaction APIs. */
export type ProducerMessage = DataMessage | GroupMessage | TxnMessage;

/** The answers the transaction manager takes. */
const TXN_RESPONSES: ReadonlySet<string> = new Set(['FindCoordinator', 'InitProducerId', 'AddPartitionsToTxn', 'AddOffsetsToTxn', 'EndTxn', 'TxnOffsetCommit']);

/** What the caller asks to write. Keys and values are byte strings (one char per byte); a null value is a tombstone (a delete, on a compacted topic). */
export interface ProducerRecord {
  topic: string;
  key: Bytes | null;
  value: Bytes | null;
  headers?: RecordHeader[];
  /** An explicit partition; otherwise the partitioner chooses. */
  partition?: number;
}

/** How a send ended, as its history outcome says: ok (written), fail (not written), info (unknown). */
export type SendResult = { type: 'ok'; topic: string; partition: number; offset: number } | { type: 'fail' | 'info'; error: string };

export type SendCallback = (result: SendResult) => void;

/** Errors worth another attempt (Kafka's RetriableException family, for Produce). */
const RETRIABLE: ReadonlySet<number> = new Set([
  ...LEADER_MOVED_ERRORS,
  ErrorCode.NOT_ENOUGH_REPLICAS,
  ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
  ErrorCode.REQUEST_TIMED_OUT,
  ErrorCode.KAFKA_STORAGE_ERROR,
  ErrorCode.NETWORK_EXCEPTION,
  ErrorCode.CORRUPT_MESSAGE,
  ErrorCode.BROKER_NOT_AVAILABLE,
  ErrorCode.REPLICA_NOT_AVAILABLE,
]);

/** Errors after which the client must look the leader up again (Kafka's InvalidMetadataException). */
const REFRESH_METADATA: ReadonlySet<number> = new Set([...LEADER_MOVED_ERRORS, ErrorCode.KAFKA_STORAGE_ERROR]);

/**
 * Answers that prove the batch was not appended: the broker rejects these before writing. Any
 * other error (NOT_ENOUGH_REPLICAS_AFTER_APPEND, REQUEST_TIMED_OUT, KAFKA_STORAGE_ERROR, an
 * unknown code) leaves the write's fate unknown.
 */
const NOT_APPENDED: ReadonlySet<number> = new Set([
  ...LEADER_MOVED_ERRORS,
  ErrorCode.NOT_ENOUGH_REPLICAS,
  ErrorCode.INVALID_RECORD,
  ErrorCode.CORRUPT_MESSAGE,
  ErrorCode.MESSAGE_TOO_LARGE,
  ErrorCode.RECORD_LIST_TOO_LARGE,
  ErrorCode.INVALID_TIMESTAMP,
  ErrorCode.INVALID_REQUIRED_ACKS,
  ErrorCode.INVALID_TOPIC_EXCEPTION,
  ErrorCode.TOPIC_AUTHORIZATION_FAILED,
  ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
  ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT,
  ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
  ErrorCode.UNSUPPORTED_VERSION,
  ErrorCode.INVALID_REQUEST,
  ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
  ErrorCode.UNKNOWN_PRODUCER_ID,
  ErrorCode.INVALID_PRODUCER_EPOCH,
  ErrorCode.PRODUCER_FENCED,
]);

/** Kafka keeps the last five batches per producer and partition for deduplication (KIP-98). */
const MAX_IN_FLIGHT_PER_PARTITION_IDEMPOTENT = 5;
/** What Kafka's idempotent (non-transactional) producer sends as the transaction timeout with InitProducerId: Integer.MAX_VALUE. */
const IDEMPOTENT_TRANSACTION_TIMEOUT_MS = 2147483647;
/** The largest producer epoch (a short); past it an idempotent producer asks for a new id. */
const MAX_PRODUCER_EPOCH = 32767;
const WAKE: TimerTag = 'producer:wake';
const EMPTY_BATCH: RecordBatch = {
  baseOffset: 0,
  partitionLeaderEpoch: -1,
  attributes: 0,
  lastOffsetDelta: -1,
  baseTimestamp: 0,
  maxTimestamp: 0,
  producerId: NO_PRODUCER_ID,
  producerEpoch: -1,
  baseSequence: -1,
  records: [],
};
const RECORD_HEADER_BYTES = batchSizeInBytes(EMPTY_BATCH);

interface PendingSend {
  id: number;
  topic: string;
  key: Bytes | null;
  value: Bytes | null;
  headers: RecordHeader[];
  partition: number | null;
  timestampMs: number;
  sentAtMs: number;
  callback: SendCallback | null;
  /** In the history already: a Produce request carried it, or its outcome came before any did. */
  invoked: boolean;
  /** The transaction it belongs to (its history id), or null. */
  txn: number | null;
}

/** A send as a `produce` invocation lists it: [send id, topic, partition, key, value, when send() was called]. */
type InvokedSend = [number, string, number, Bytes | null, Bytes | null, number];

/** An outcome waiting to go into the history with the others of its moment (see Producer.recordOutcomes). */
interface Outcome {
  send: PendingSend;
  result: SendResult;
  /** The partition it was batched for (-1: none yet). */
  partition: number;
}

interface PartitionState {
  topic: string;
  partition: number;
  /** Batches not on the wire, in creation order: the open batch last, retries first. */
  queue: Batch[];
  /** Batches sent and not yet answered, in sequence order. */
  inFlight: Batch[];
  /** The producer id and epoch this partition's sequences belong to (KIP-98). */
  seqProducerId: number;
  seqEpoch: number;
  nextSequence: number;
  lastAckedSequence: number;
}

interface Batch {
  /** Creation order, which is also sequence order within a partition and epoch. */
  serial: number;
  tp: PartitionState;
  sends: PendingSend[];
  records: KafkaRecord[];
  sizeBytes: number;
  baseTimestamp: number;
  createdMs: number;
  deadlineMs: number;
  /** No more records go in: full, or already sent once. */
  closed: boolean;
  attempts: number;
  retryAtMs: number;
  /** Some attempt may have been appended (no answer, or an error that does not rule it out). */
  maybeAppended: boolean;
  lastErrorText: string | null;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  /** Its sequences were given up by an epoch bump: whatever answer comes next is final. */
  doomed: boolean;
  /** The request carrying it, while on the wire. */
  request: number | null;
  done: boolean;
}

interface InFlightRequest {
  correlationId: number;
  broker: NodeId;
  batches: Batch[];
  deadlineMs: number;
}

export class Producer implements Node<ProducerMessage> {
  readonly config: ProducerConfig;
  private metadata!: MetadataCache;
  private readonly partitioner: BuiltInPartitioner;
  /** Per broker, when it last had a ready batch and when it last took one (Kafka's NodeLatencyStats, for partitioner.availability.timeout.ms). */
  private nodeLatency = new Map<NodeId, { readyMs: number; drainMs: number }>();
  private readonly opIds = new OpIds();
  private partitions = new Map<string, PartitionState>();
  /** Sends whose topic's metadata is not known yet, in send order. */
  private waiting: PendingSend[] = [];
  /** The topics of `waiting`. */
  private readonly waitingTopics = new Set<string>();
  private requests = new Map<number, InFlightRequest>();
  private nextCorrelationId = 1;
  private nextBatchSerial = 1;
  private producerId = NO_PRODUCER_ID;
  private producerEpoch = -1;
  private pidRequest: { correlationId: number; broker: NodeId; deadlineMs: number } | null = null;
  private pidRetryAtMs = -Infinity;
  private pidFailedBroker: NodeId | null = null;
  private wakeAtMs = Infinity;
  private callbacks: Array<() => void> = [];
  /** Outcomes not yet in the history, in the order they were settled. */
  private outcomes: Outcome[] = [];
  private flushingCallbacks = false;
  /** With transactional.id: the transactions' state machine and coordinator requests. */
  private txn: TransactionManager | null = null;
  /** The transactions of the sends an invocation lists, beside it (transactional producers only). */
  private listedTxns: Array<number | null> = [];

  constructor(
    readonly id: NodeId,
    private readonly bootstrap: readonly NodeId[],
    config: Readonly<Record<string, ConfigValue>> = {},
    private readonly bugs: ReadonlySet<ClientBug> = new Set(),
  ) {
    this.config = parseProducerConfig(config);
    this.partitioner = new BuiltInPartitioner(this.config.batchSize);
    if (bootstrap.length === 0) throw new ClientConfigError(`producer ${id} needs at least one bootstrap broker`);
  }

  start(env: Env<ProducerMessage>): void {
    // A restarted producer begins empty: sends in flight at the crash never complete.
    this.metadata = new MetadataCache(this.bootstrap, this.config, () => this.nextCorrelationId++);
    this.partitioner.clear();
    this.nodeLatency = new Map();
    this.partitions = new Map();
    this.waiting = [];
    this.waitingTopics.clear();
    this.requests = new Map();
    this.producerId = NO_PRODUCER_ID;
    this.producerEpoch = -1;
    this.pidRequest = null;
    this.pidRetryAtMs = -Infinity;
    this.pidFailedBroker = null;
    this.wakeAtMs = Infinity;
    this.callbacks = [];
    this.outcomes = [];
    this.opIds.start(env.storage);
    this.txn = this.config.transactionalId === null ? null : new TransactionManager(this.transactionHost());
    this.run(env);
  }

  /** Queues a record (KafkaProducer.send); the callback gets its outcome, as the history does. */
  send(env: Env<ProducerMessage>, record: ProducerRecord, callback?: SendCallback): number {
    const id = this.opIds.take(env.storage);
    const key = record.key ?? null;
    const now = env.now();
    const pending: PendingSend = {
      id,
      topic: record.topic,
      key,
      value: record.value,
      headers: record.headers ?? [],
      partition: record.partition ?? null,
      timestampMs: Math.floor(now),
      sentAtMs: now,
      callback: callback ?? null,
      invoked: false,
      txn: this.txn?.currentTxn ?? null,
    };
    const problem = recordProblem(record) ?? this.txn?.sendProblem() ?? null;
    if (problem !== null) this.complete(pending, { type: 'fail', error: problem });
    else {
      this.metadata.addTopic(record.topic);
      if (this.joinOpenBatch(env, pending, now)) return id;
      this.waiting.push(pending);
      this.waitingTopics.add(pending.topic);
    }
    this.run(env);
    return id;
  }

  /**
   * Kafka's send() appends to the accumulator and wakes the sender only when a batch is full or
   * new: a record whose partition is known at once (a key or an explicit partition) and whose
   * partition has an open batch with room joins it, and the sender loop runs only if that filled
   * it. Nothing else can have changed: the loop already armed the wake for that batch's linger
   * and deadline, which the new record does not move. Keyless records take the loop's way (the
   * partitioner reads load stats the loop keeps), as do records behind others waiting for metadata.
   */
  private joinOpenBatch(env: Env<ProducerMessage>, s: PendingSend, now: number): boolean {
    if (this.waiting.length > 0 || (s.partition === null && (s.key === null || this.config.partitionerIgnoreKeys || this.bugs.has('partitioner-ignores-key'))))
      return false;
    const count = this.metadata.partitionCount(s.topic);
    if (count === null || (s.partition !== null && s.partition >= count)) return false;
    const partition = s.partition ?? partitionFor(s.key!, count);
    const open = this.partitions.get(`${s.topic}/${partition}`)?.queue.at(-1);
    if (
      open === undefined ||
      open.closed ||
      open.sizeBytes + recordSize({ offsetDelta: 0, timestampDelta: 0, key: s.key, value: s.value, headers: s.headers }) > this.config.batchSize
    )
      return false;
    this.append(env, s, partition, now);
    if (open.closed) this.run(env);
    return true;
  }

  /** Makes every open batch ready now, ignoring linger.ms (KafkaProducer.flush, without blocking). */
  flush(env: Env<ProducerMessage>): void {
    for (const tp of this.partitions.values()) for (const b of tp.queue) this.closeBatch(b);
    this.run(env);
  }

  /** Produce requests awaiting an answer from `broker`. */
  inFlightRequests(broker: NodeId): number {
    let n = 0;
    for (const r of this.requests.values()) if (r.broker === broker) n++;
    return n;
  }

  /** The current producer id and epoch (-1 before InitProducerId answered, or without idempotence). */
  producerIdAndEpoch(): { producerId: number; producerEpoch: number } {
    return { producerId: this.producerId, producerEpoch: this.producerEpoch };
  }

  // ---- transactions (KIP-98): the application's calls; each answers through its callback ----------

  /** InitProducerId through the transaction coordinator (again after a fatal error: as a new instance). */
  initTransactions(env: Env<ProducerMessage>, done: TxnCallback = () => {}): void {
    this.transactions().initTransactions(env as Env<never>, this.later(done));
    this.run(env);
  }

  /** Opens a transaction and returns its history id; throws when the producer is not ready (Kafka's IllegalStateException). */
  beginTransaction(env: Env<ProducerMessage>): number {
    return this.transactions().beginTransaction(env as Env<never>);
  }

  /** AddOffsetsToTxn, then TxnOffsetCommit of `offsets` ([topic, partition, next offset]) with the consumer's generation (KIP-447). */
  sendOffsetsToTransaction(
    env: Env<ProducerMessage>,
    offsets: Array<[string, number, number]>,
    group: ConsumerGroupMetadata,
    done: TxnCallback = () => {},
  ): void {
    this.transactions().sendOffsetsToTransaction(env as Env<never>, offsets, group, this.later(done));
    this.run(env);
  }

  commitTransaction(env: Env<ProducerMessage>, done: TxnCallback = () => {}): void {
    this.transactions().commitTransaction(env as Env<never>, this.later(done));
    this.run(env);
  }

  abortTransaction(env: Env<ProducerMessage>, done: TxnCallback = () => {}): void {
    this.transactions().abortTransaction(env as Env<never>, this.later(done));
    this.run(env);
  }

  /** The transaction manager's state (UNINITIALIZED, READY, IN_TRANSACTION, ABORTABLE_ERROR, FATAL_ERROR, ...) and its last error. */
  transactionState(): { state: TxnStateName; error: string | null } {
    const txn = this.transactions();
    return { state: txn.currentState, error: txn.error };
  }

  private transactions(): TransactionManager {
    if (this.txn === null) throw new Error('Cannot use transactional methods without enabling transactions by setting transactional.id');
    return this.txn;
  }

  /** A callback run once the producer's state is settled, with the sends' callbacks (never inside the loop). */
  private later(done: TxnCallback): TxnCallback {
    return (result) => this.callbacks.push(() => done(result));
  }

  private transactionHost(): TransactionHost {
    return {
      config: this.config,
      nextCorrelationId: () => this.nextCorrelationId++,
      brokers: () => this.metadata.contactableBrokers(),
      send: (env, to, msg) => (env as Env<ProducerMessage>).send(to, msg as ProducerMessage),
      takeOpId: (env) => this.opIds.take(env.storage),
      record: (env, op, type, id, value, error) => env.trace({ kind: 'client', op, type, id, value, ...(error === undefined ? {} : { error }) }),
      incompleteSends: () => {
        let n = this.waiting.length;
        for (const tp of this.partitions.values()) n += tp.queue.length + tp.inFlight.length;
        return n;
      },
      inFlightBatches: () => {
        let n = 0;
        for (const tp of this.partitions.values()) n += tp.inFlight.length;
        return n;
      },
      failUnsent: (env, error) => this.failUnsent(env as Env<ProducerMessage>, error),
      flush: () => {
        for (const tp of this.partitions.values()) for (const b of tp.queue) this.closeBatch(b);
      },
      producerIdAndEpoch: () => this.producerIdAndEpoch(),
      setProducerIdAndEpoch: (producerId, producerEpoch) => {
        this.producerId = producerId;
        this.producerEpoch = producerEpoch;
      },
    };
  }

  /** Ends every send not on the wire (waiting for metadata or queued): an abort drops them (Kafka's abortUndrainedBatches). */
  private failUnsent(env: Env<ProducerMessage>, error: string): void {
    for (const s of this.waiting) this.complete(s, { type: 'fail', error });
    this.waiting = [];
    this.waitingTopics.clear();
    for (const tp of this.partitions.values()) for (const b of [...tp.queue]) this.finish(env, b, error);
  }

  receive(env: Env<ProducerMessage>, _from: NodeId, msg: ProducerMessage): void {
    if (msg.kind !== 'response') return;
    if (this.txn !== null && TXN_RESPONSES.has(msg.api)) this.txn.receive(env as Env<never>, msg as TxnResponse);
    else if (msg.api === 'Metadata') this.metadata.handleResponse(env, msg);
    else if (msg.api === 'Produce') this.onProduceResponse(env, msg);
    else if (msg.api === 'InitProducerId') this.onInitProducerIdResponse(env, msg);
    this.run(env);
  }

  fire(env: Env<ProducerMessage>, tag: TimerTag): void {
    if (tag !== WAKE) return;
    this.wakeAtMs = Infinity;
    this.run(env);
  }

  // ---- the sender loop ------------------------------------------------------------------------

  private run(env: Env<ProducerMessage>): void {
    const now = env.now();
    this.metadata.poll(env);
    this.expireRequests(env, now);
    this.pollProducerId(env, now);
    this.partitionWaiting(env, now);
    this.expireBatches(env, now);
    // After batching: the partitions just given a batch go into AddPartitionsToTxn at once.
    this.txn?.poll(env as Env<never>, now);
    this.recordOutcomes(env);
    this.drain(env, now);
    this.updateLoadStats();
    this.metadata.poll(env);
    this.armWake(env, now);
    this.recordOutcomes(env);
    this.flushCallbacks();
  }

  /** Gives records whose topic is now known a partition and a batch; expires the rest. */
  private partitionWaiting(env: Env<ProducerMessage>, now: number): void {
    if (this.waiting.length === 0) return;
    // While no waiting topic is in the metadata yet and the oldest record has time left, the pass
    // would change nothing: skip it (else every send() walks every record waiting before it).
    const oldest = this.waiting[0]!;
    if (now < oldest.sentAtMs + this.config.deliveryTimeoutMs && !this.anyWaitingTopicKnown()) return;
    const still: PendingSend[] = [];
    for (const s of this.waiting) {
      const count = this.metadata.partitionCount(s.topic);
      if (count === null) {
        if (now >= s.sentAtMs + this.config.deliveryTimeoutMs) {
          const why = this.metadata.topicError(s.topic);
          const detail = why === ErrorCode.NONE ? '' : ` (${errorName(why)})`;
          this.complete(s, { type: 'fail', error: `topic ${s.topic} not present in metadata after delivery.timeout.ms${detail}` });
        } else still.push(s);
        continue;
      }
      if (s.partition !== null && s.partition >= count) {
        this.complete(s, { type: 'fail', error: `invalid partition ${s.partition}: topic ${s.topic} has ${count} partitions` });
        continue;
      }
      if (s.partition !== null) {
        this.append(env, s, s.partition, now);
      } else if (s.key !== null && !this.config.partitionerIgnoreKeys && !this.bugs.has('partitioner-ignores-key')) {
        this.append(env, s, partitionFor(s.key, count), now);
      } else {
        // Keyless (or keys ignored): the built-in partitioner's sticky choice, told what went to it.
        const available = this.metadata.availablePartitions(s.topic);
        const random = () => env.random();
        const partition = this.partitioner.partition(s.topic, count, available, random);
        const { appendedBytes, lastBatchFull } = this.append(env, s, partition, now);
        this.partitioner.appended(s.topic, partition, appendedBytes, lastBatchFull, count, available, random);
      }
    }
    this.waiting = still;
    this.waitingTopics.clear();
    for (const w of still) this.waitingTopics.add(w.topic);
  }

  private anyWaitingTopicKnown(): boolean {
    for (const topic of this.waitingTopics) if (this.metadata.partitionCount(topic) !== null) return true;
    return false;
  }

  /**
   * RecordAccumulator.append: into the partition's open batch, or a new one when it is full.
   * Returns the bytes the batch grew by (with a new batch's header) and whether the partition's
   * last batch is now full, for the built-in partitioner.
   */
  private append(env: Env<ProducerMessage>, s: PendingSend, partition: number, now: number): { appendedBytes: number; lastBatchFull: boolean } {
    const tp = this.partitionState(s.topic, partition);
    this.txn?.maybeAddPartition(s.topic, partition);
    const record: KafkaRecord = { offsetDelta: 0, timestampDelta: 0, key: s.key, value: s.value, headers: s.headers };
    const recordBytes = recordSize(record);
    let batch = tp.queue[tp.queue.length - 1];
    if (batch !== undefined && !batch.closed && batch.sizeBytes + recordBytes > this.config.batchSize) this.closeBatch(batch);
    const sizeBefore = batch === undefined || batch.closed ? 0 : batch.sizeBytes;
    if (batch === undefined || batch.closed) {
      batch = {
        serial: this.nextBatchSerial++,
        tp,
        sends: [],
        records: [],
        sizeBytes: RECORD_HEADER_BYTES,
        baseTimestamp: s.timestampMs,
        createdMs: now,
        deadlineMs: now + this.config.deliveryTimeoutMs,
        closed: false,
        attempts: 0,
        retryAtMs: -Infinity,
        maybeAppended: false,
        lastErrorText: null,
        producerId: NO_PRODUCER_ID,
        producerEpoch: -1,
        baseSequence: -1,
        doomed: false,
        request: null,
        done: false,
      };
      tp.queue.push(batch);
    }
    record.offsetDelta = batch.records.length;
    record.timestampDelta = s.timestampMs - batch.baseTimestamp;
    batch.records.push(record);
    batch.sends.push(s);
    batch.sizeBytes += recordBytes;
    // A batch's deadline is its oldest record's: delivery.timeout.ms counts from send().
    batch.deadlineMs = Math.min(batch.deadlineMs, s.sentAtMs + this.config.deliveryTimeoutMs);
    if (batch.sizeBytes >= this.config.batchSize || env.buggify?.('producer.batch-split') === true) this.closeBatch(batch);
    return { appendedBytes: batch.sizeBytes - sizeBefore, lastBatchFull: batch.closed };
  }

  private closeBatch(batch: Batch): void {
    batch.closed = true;
  }

  /** delivery.timeout.ms: batches waiting or on the wire that ran out of time end now. */
  private expireBatches(env: Env<ProducerMessage>, now: number): void {
    for (const tp of this.partitions.values()) {
      // Most runs expire nothing: look before copying the lists that finish() edits.
      if (!anyExpired(tp.queue, now) && !anyExpired(tp.inFlight, now)) continue;
      for (const b of [...tp.queue]) {
        if (!b.done && now >= b.deadlineMs)
          this.finish(env, b, `delivery.timeout.ms expired${b.attempts > 0 ? ` after ${b.attempts} attempt(s)` : ' before the batch was sent'}`);
      }
      for (const b of [...tp.inFlight]) {
        if (!b.done && now >= b.deadlineMs) {
          // Kafka expires in-flight batches too (KIP-91); the answer may still come, too late.
          b.maybeAppended = true;
          this.finish(env, b, 'delivery.timeout.ms expired while the request was in flight');
        }
      }
    }
  }

  /** Sends requests while there are ready batches and room in flight (the Sender's loop). */
  private drain(env: Env<ProducerMessage>, now: number): void {
    while (this.drainOnce(env, now));
  }

  /** The Sender's drain: one Produce request per leader with the ready batch of each partition it leads. */
  private drainOnce(env: Env<ProducerMessage>, now: number): boolean {
    // Created with the first ready batch: most drains find none.
    let byBroker: Map<NodeId, Batch[]> | null = null;
    const idempotent = this.config.enableIdempotence;
    for (const tp of this.partitions.values()) {
      // With one request in flight per connection Kafka promises order (guaranteeMessageOrder): a
      // partition with a batch in flight is muted, or a batch could overtake it on another broker.
      if (this.config.maxInFlightRequestsPerConnection === 1 && tp.inFlight.length > 0) continue;
      const batch = this.readyHead(tp, now);
      if (batch === null) continue;
      // A transaction's batch waits until AddPartitionsToTxn put its partition in (Kafka's isSendToPartitionAllowed).
      if (this.txn !== null && !this.txn.isSendToPartitionAllowed(tp.topic, tp.partition)) continue;
      const leader = this.metadata.leader(tp.topic, tp.partition);
      if (leader === null) {
        this.metadata.requestUpdate();
        continue;
      }
      const broker = leader.leaderId;
      if (!byBroker?.has(broker) && this.inFlightRequests(broker) >= this.config.maxInFlightRequestsPerConnection) {
        this.noteReadyNode(broker, now, false);
        continue;
      }
      if (idempotent && !this.assignSequence(tp, batch)) continue;
      this.noteReadyNode(broker, now, true);
      tp.queue.shift();
      this.closeBatch(batch);
      byBroker ??= new Map();
      const list = byBroker.get(broker);
      if (list === undefined) byBroker.set(broker, [batch]);
      else list.push(batch);
    }
    if (byBroker === null) return false;
    for (const [broker, batches] of byBroker) this.sendProduce(env, broker, batches, now);
    return true;
  }

  /** Sender.sendProducerData's latency stats: a broker with a ready batch, taken now or not (it has no room in flight). */
  private noteReadyNode(broker: NodeId, now: number, drained: boolean): void {
    let stats = this.nodeLatency.get(broker);
    if (stats === undefined) this.nodeLatency.set(broker, (stats = { readyMs: now, drainMs: now }));
    stats.readyMs = now;
    if (drained) stats.drainMs = now;
  }

  /**
   * RecordAccumulator.partitionReady's part for the built-in partitioner: for each topic keyless
   * records went to, the queue of unsent batches of each partition with a leader, once every
   * partition of the topic has had a batch; a partition whose broker has had ready batches but
   * taken none for partitioner.availability.timeout.ms is left out.
   */
  private updateLoadStats(): void {
    if (!this.config.adaptivePartitioning) return;
    let byTopic: Map<string, PartitionState[]> | null = null;
    for (const tp of this.partitions.values()) {
      if (this.partitioner.current(tp.topic) === undefined) continue;
      byTopic ??= new Map();
      const list = byTopic.get(tp.topic);
      if (list === undefined) byTopic.set(tp.topic, [tp]);
      else list.push(tp);
    }
    if (byTopic === null) return;
    const timeoutMs = this.config.partitionAvailabilityTimeoutMs;
    for (const [topic, tps] of byTopic) {
      if (tps.length < (this.metadata.partitionCount(topic) ?? Infinity)) {
        this.partitioner.updateLoadStats(topic, null, tps.length);
        continue;
      }
      const queues: PartitionQueue[] = [];
      for (const tp of tps.sort((a, b) => a.partition - b.partition)) {
        const leader = this.metadata.leader(topic, tp.partition);
        if (leader === null) continue;
        const stats = this.nodeLatency.get(leader.leaderId);
        const stalled = timeoutMs > 0 && stats !== undefined && stats.readyMs - stats.drainMs > timeoutMs;
        queues.push({ partition: tp.partition, queued: tp.queue.length, unavailable: tp.queue.length > 0 && stalled });
      }
      this.partitioner.updateLoadStats(topic, queues, tps.length);
    }
  }

  /**
   * The first batch of a partition if it may go now: lingered enough, full, or a retry past its
   * backoff. A retry keeps the producer epoch and sequence it was first sent with, even after an
   * epoch bump another partition asked for (Kafka rewrites only the partitions that triggered the
   * bump): the broker deduplicates it if an earlier attempt was written, and rewriting it under
   * the new epoch would put it after later batches the broker already took.
   */
  private readyHead(tp: PartitionState, now: number): Batch | null {
    const head = tp.queue[0];
    if (head === undefined || head.retryAtMs > now) return null;
    const ready = head.closed || tp.queue.length > 1 || now >= head.createdMs + this.config.lingerMs;
    return ready ? head : null;
  }

  /** Gives the batch its producer id, epoch and base sequence, or says it must wait. */
  private assignSequence(tp: PartitionState, batch: Batch): boolean {
    if (this.producerId === NO_PRODUCER_ID || this.pidRequest !== null) return false;
    if (batch.baseSequence >= 0) {
      // A retry goes alone, once everything before it is answered, so sequences reach the
      // broker in order (Kafka's Sender does the same).
      return tp.inFlight.length === 0;
    }
    if (tp.seqProducerId !== this.producerId || tp.seqEpoch !== this.producerEpoch) {
      // A new epoch starts every partition at sequence 0, once the old epoch's batches are answered.
      if (tp.inFlight.length > 0) return false;
      tp.seqProducerId = this.producerId;
      tp.seqEpoch = this.producerEpoch;
      tp.nextSequence = 0;
      tp.lastAckedSequence = -1;
    }
    if (tp.inFlight.length >= MAX_IN_FLIGHT_PER_PARTITION_IDEMPOTENT) return false;
    batch.producerId = this.producerId;
    batch.producerEpoch = this.producerEpoch;
    batch.baseSequence = tp.nextSequence;
    tp.nextSequence = (tp.nextSequence + batch.records.length) % 2147483648;
    return true;
  }

  private sendProduce(env: Env<ProducerMessage>, broker: NodeId, batches: Batch[], now: number): void {
    const correlationId = this.nextCorrelationId++;
    const topicData: ProduceRequest['topicData'] = [];
    for (const b of batches) {
      b.attempts++;
      let entry = topicData.find((t) => t.name === b.tp.topic);
      if (entry === undefined) {
        entry = { name: b.tp.topic, partitionData: [] };
        topicData.push(entry);
      }
      entry.partitionData.push({ index: b.tp.partition, records: toRecordBatch(b, this.txn !== null) });
    }
    const acks = this.config.acks;
    this.recordInvocation(env, batches);
    env.send(broker, {
      api: 'Produce',
      kind: 'request',
      correlationId,
      transactionalId: this.config.transactionalId,
      acks,
      timeoutMs: this.config.requestTimeoutMs,
      topicData,
    });
    if (acks === 0) {
      // No response will come: the send is done as soon as the request is out (offset unknown).
      for (const b of batches) this.succeed(env, b, -1);
      return;
    }
    for (const b of batches) {
      b.request = correlationId;
      b.tp.inFlight.push(b);
      b.tp.inFlight.sort((x, y) => x.serial - y.serial);
    }
    const timeoutMs = env.buggify?.('producer.early-timeout') === true ? this.config.requestTimeoutMs / 10 : this.config.requestTimeoutMs;
    this.requests.set(correlationId, { correlationId, broker, batches, deadlineMs: now + timeoutMs });
  }

  // ---- answers --------------------------------------------------------------------------------

  private onProduceResponse(env: Env<ProducerMessage>, msg: ProduceResponse): void {
    const req = this.requests.get(msg.correlationId);
    if (req === undefined) return; // timed out already: the connection was dropped
    this.requests.delete(msg.correlationId);
    for (const b of req.batches) {
      if (b.done || b.request !== msg.correlationId) continue;
      this.leaveFlight(b);
      const response = findPartitionResponse(msg, b.tp.topic, b.tp.partition);
      if (response === null) {
        b.maybeAppended = true;
        this.retry(env, b, 'no answer for the partition in the Produce response');
      } else this.onBatchResult(env, b, response);
    }
  }

  private onBatchResult(env: Env<ProducerMessage>, b: Batch, response: ProducePartitionResponse): void {
    const code = response.errorCode;
    if (code === ErrorCode.NONE) return this.succeed(env, b, response.baseOffset);
    // Kafka treats DUPLICATE_SEQUENCE_NUMBER as success with an unknown offset.
    if (code === ErrorCode.DUPLICATE_SEQUENCE_NUMBER) return this.succeed(env, b, -1);
    const error = errorName(code) + (response.errorMessage ? `: ${response.errorMessage}` : '');
    if (!NOT_APPENDED.has(code)) b.maybeAppended = true;
    if (REFRESH_METADATA.has(code)) this.metadata.requestUpdate();
    if (this.config.enableIdempotence && (code === ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER || code === ErrorCode.UNKNOWN_PRODUCER_ID)) {
      const tp = b.tp;
      const nextInLine = this.isCurrentEpoch(b) && b.baseSequence === (tp.lastAckedSequence + 1) % 2147483648;
      // A gap left by an earlier batch of this partition that is being retried: retry too.
      if (!b.doomed && this.isCurrentEpoch(b) && !nextInLine) return this.retry(env, b, error);
      // The broker lost (or never had) this producer's state at this point: the batch is not
      // written; start a new epoch so the partition's sequences can begin again at 0 (KIP-360).
      return this.finish(env, b, error, code);
    }
    if (code === ErrorCode.INVALID_PRODUCER_EPOCH || code === ErrorCode.PRODUCER_FENCED) return this.finish(env, b, error, code);
    if (RETRIABLE.has(code)) return this.retry(env, b, error);
    this.finish(env, b, error, code);
  }

  /** Puts a batch back in its partition's queue for another attempt after retry.backoff.ms. */
  private retry(env: Env<ProducerMessage>, b: Batch, error: string): void {
    const now = env.now();
    b.lastErrorText = error;
    if (b.doomed) return this.finish(env, b, `${error}; its sequence was given up by an epoch bump`);
    if (b.attempts > this.config.retries) return this.finish(env, b, `${error} (retries exhausted)`);
    if (now >= b.deadlineMs) return this.finish(env, b, `${error}; delivery.timeout.ms expired`);
    b.retryAtMs = now + this.config.retryBackoffMs;
    const queue = b.tp.queue;
    let at = 0;
    while (at < queue.length && queue[at]!.serial < b.serial) at++;
    queue.splice(at, 0, b);
  }

  private succeed(env: Env<ProducerMessage>, b: Batch, baseOffset: number): void {
    b.done = true;
    this.leaveFlight(b);
    removeFrom(b.tp.queue, b);
    const tp = b.tp;
    if (b.baseSequence >= 0 && b.producerId === tp.seqProducerId && b.producerEpoch === tp.seqEpoch) {
      tp.lastAckedSequence = (b.baseSequence + b.records.length - 1) % 2147483648;
    }
    for (let i = 0; i < b.sends.length; i++)
      this.complete(b.sends[i]!, { type: 'ok', topic: tp.topic, partition: tp.partition, offset: baseOffset < 0 ? -1 : baseOffset + i }, tp.partition);
  }

  /** Ends a batch with an error: `info` when some attempt may have been written, else `fail`. */
  private finish(env: Env<ProducerMessage>, b: Batch, error: string, errorCode: number | null = null): void {
    if (b.done) return;
    b.done = true;
    this.leaveFlight(b);
    removeFrom(b.tp.queue, b);
    const type = b.maybeAppended ? 'info' : 'fail';
    for (const s of b.sends) this.complete(s, { type, error }, b.tp.partition);
    // A transactional producer never bumps its epoch itself: the transaction must abort (Kafka's handleFailedBatch).
    if (this.txn !== null) this.txn.batchFailed(env as Env<never>, errorCode, error, b.baseSequence >= 0);
    else if (this.config.enableIdempotence && b.baseSequence >= 0 && !b.doomed && this.isCurrentEpoch(b)) this.abandonSequences(env, b);
  }

  /**
   * A batch with a sequence ended without being acknowledged: the broker's sequence for this
   * partition now has a gap or an unknown. Bump the epoch (KIP-360) and give up the later
   * batches of the partition in this epoch: queued ones end now, those on the wire end with
   * their answer (ok if the broker took them after all).
   */
  private abandonSequences(env: Env<ProducerMessage>, failed: Batch): void {
    this.bumpEpoch();
    const tp = failed.tp;
    const later = (b: Batch) =>
      b.producerId === failed.producerId && b.producerEpoch === failed.producerEpoch && b.serial > failed.serial && b.baseSequence >= 0;
    for (const b of tp.inFlight) if (later(b)) b.doomed = true;
    for (const b of [...tp.queue]) {
      if (later(b)) {
        b.doomed = true;
        this.finish(env, b, `an earlier batch of ${tp.topic}/${tp.partition} failed (${b.lastErrorText ?? 'sequence given up'}), so its sequence was given up`);
      }
    }
  }

  private isCurrentEpoch(b: Batch): boolean {
    return b.producerId === this.producerId && b.producerEpoch === this.producerEpoch;
  }

  /** request.timeout.ms without an answer: Kafka drops the connection, failing every request on it. */
  private expireRequests(env: Env<ProducerMessage>, now: number): void {
    let expired: Set<NodeId> | null = null;
    for (const r of this.requests.values()) if (now >= r.deadlineMs) (expired ??= new Set()).add(r.broker);
    if (expired === null) return;
    for (const broker of expired) {
      for (const r of [...this.requests.values()]) {
        if (r.broker !== broker) continue;
        this.requests.delete(r.correlationId);
        for (const b of r.batches) {
          if (b.done || b.request !== r.correlationId) continue;
          this.leaveFlight(b);
          b.maybeAppended = true;
          this.retry(env, b, `no response from ${broker} within request.timeout.ms`);
        }
      }
      this.metadata.requestUpdate();
    }
  }

  private leaveFlight(b: Batch): void {
    b.request = null;
    removeFrom(b.tp.inFlight, b);
  }

  // ---- producer id (KIP-98, KIP-360) -----------------------------------------------------------

  private pollProducerId(env: Env<ProducerMessage>, now: number): void {
    // A transactional producer gets its id from its transaction coordinator (transaction-manager.ts).
    if (!this.config.enableIdempotence || this.txn !== null) return;
    if (this.pidRequest !== null && now >= this.pidRequest.deadlineMs) {
      this.pidFailedBroker = this.pidRequest.broker;
      this.pidRequest = null;
    }
    if (this.producerId !== NO_PRODUCER_ID || this.pidRequest !== null || now < this.pidRetryAtMs) return;
    // Any broker can hand out producer ids to an idempotent producer.
    const candidates = this.bootstrap.length > 1 ? this.bootstrap.filter((b) => b !== this.pidFailedBroker) : this.bootstrap;
    const broker = candidates[Math.floor(env.random() * candidates.length)]!;
    const correlationId = this.nextCorrelationId++;
    this.pidRequest = { correlationId, broker, deadlineMs: now + this.config.requestTimeoutMs };
    env.send(broker, {
      api: 'InitProducerId',
      kind: 'request',
      correlationId,
      transactionalId: null,
      transactionTimeoutMs: IDEMPOTENT_TRANSACTION_TIMEOUT_MS,
      producerId: NO_PRODUCER_ID,
      producerEpoch: -1,
    });
  }

  /**
   * KIP-360 as Kafka's idempotent producer does it (bumpIdempotentProducerEpoch): the epoch is
   * bumped locally, with no request, and every partition starts its sequences again at 0 once its
   * batches of the old epoch are answered; only an epoch at its maximum asks for a new id.
   */
  private bumpEpoch(): void {
    if (this.producerId === NO_PRODUCER_ID) return;
    if (this.producerEpoch >= MAX_PRODUCER_EPOCH) {
      this.producerId = NO_PRODUCER_ID;
      this.producerEpoch = -1;
    } else this.producerEpoch++;
  }

  private onInitProducerIdResponse(env: Env<ProducerMessage>, msg: InitProducerIdResponse): void {
    if (this.pidRequest === null || msg.correlationId !== this.pidRequest.correlationId) return;
    this.pidRequest = null;
    if (msg.errorCode !== ErrorCode.NONE) {
      this.pidRetryAtMs = env.now() + this.config.retryBackoffMs;
      return;
    }
    this.pidFailedBroker = null;
    this.producerId = msg.producerId;
    this.producerEpoch = msg.producerEpoch;
  }

  // ---- bookkeeping ----------------------------------------------------------------------------

  private partitionState(topic: string, partition: number): PartitionState {
    const key = `${topic}/${partition}`;
    let tp = this.partitions.get(key);
    if (tp === undefined) {
      tp = { topic, partition, queue: [], inFlight: [], seqProducerId: NO_PRODUCER_ID, seqEpoch: -1, nextSequence: 0, lastAckedSequence: -1 };
      this.partitions.set(key, tp);
    }
    return tp;
  }

  /** Queues the outcome for the history (recordOutcomes) and the callback (run once the state is settled). */
  private complete(s: PendingSend, result: SendResult, partition = -1): void {
    this.outcomes.push({ send: s, result, partition });
    const callback = s.callback;
    if (callback !== null) this.callbacks.push(() => callback(result));
  }

  /**
   * The history per request (Jepsen's Kafka workload records a transaction of sends as one op):
   * one `produce` invocation lists the records a Produce request carries for the first time,
   * each as [send id, topic, partition, key, value, time of its send() call]. Each send keeps its
   * own id and time, so the history checkers read it as the `send` it stands for
   * (models/history/produce-ops.ts).
   */
  private recordInvocation(env: Env<ProducerMessage>, batches: readonly Batch[]): void {
    let listed: InvokedSend[] | null = null;
    for (const b of batches) for (const s of b.sends) listed = this.listInvocation(listed, s, b.tp.partition);
    this.traceInvocation(env, listed);
  }

  /** Adds `s` to an invocation's list, unless the history has it already. */
  private listInvocation(listed: InvokedSend[] | null, s: PendingSend, partition: number): InvokedSend[] | null {
    if (s.invoked) return listed;
    s.invoked = true;
    (listed ??= []).push([s.id, s.topic, partition, s.key, s.value, s.sentAtMs]);
    if (this.txn !== null) this.listedTxns.push(s.txn);
    return listed;
  }

  private traceInvocation(env: Env<ProducerMessage>, listed: InvokedSend[] | null): void {
    if (listed === null) return;
    const acks = this.config.acks;
    if (this.txn === null) {
      env.trace({ kind: 'client', op: 'produce', type: 'invoke', id: listed[0]![0], value: { acks, sends: listed } });
      return;
    }
    // A transactional producer's invocation names the transaction of its sends (one per run of them).
    const txns = this.listedTxns;
    this.listedTxns = [];
    for (let start = 0, i = 1; i <= listed.length; i++) {
      if (i < listed.length && txns[i] === txns[start]) continue;
      const sends = listed.slice(start, i);
      const txn = txns[start] ?? null;
      env.trace({ kind: 'client', op: 'produce', type: 'invoke', id: sends[0]![0], value: txn === null ? { acks, sends } : { acks, txn, sends } });
      start = i;
    }
  }

  /**
   * Writes the outcomes settled since the last call: one `produce` event per outcome type (and
   * error), listing [send id, partition, offset] for ok and [send id] otherwise. Sends that end
   * before any request carried them (a bad record, a topic never known, a batch expired unsent)
   * are invoked here first, so every outcome has its invocation.
   */
  private recordOutcomes(env: Env<ProducerMessage>): void {
    if (this.outcomes.length === 0) return;
    const outcomes = this.outcomes;
    this.outcomes = [];
    let unsent: InvokedSend[] | null = null;
    for (const o of outcomes) unsent = this.listInvocation(unsent, o.send, o.partition);
    this.traceInvocation(env, unsent);
    if (this.txn === null) return this.traceOutcomes(env, outcomes, null);
    // A transactional producer's outcomes name their transaction too, one set of events per transaction.
    const byTxn = new Map<number | null, Outcome[]>();
    for (const o of outcomes) {
      const list = byTxn.get(o.send.txn);
      if (list === undefined) byTxn.set(o.send.txn, [o]);
      else list.push(o);
    }
    for (const [txn, list] of byTxn) this.traceOutcomes(env, list, txn);
  }

  /** One `produce` event per outcome type (and error): [send id, partition, offset] for ok, [send id] otherwise. */
  private traceOutcomes(env: Env<ProducerMessage>, outcomes: readonly Outcome[], txn: number | null): void {
    const acks = this.config.acks;
    let ok: Array<[number, number, number]> | null = null;
    let failed: Map<string, { type: 'fail' | 'info'; error: string; ids: Array<[number]> }> | null = null;
    for (const { send, result } of outcomes) {
      if (result.type === 'ok') (ok ??= []).push([send.id, result.partition, result.offset]);
      else {
        failed ??= new Map();
        const key = `${result.type} ${result.error}`;
        let group = failed.get(key);
        if (group === undefined) failed.set(key, (group = { type: result.type, error: result.error, ids: [] }));
        group.ids.push([send.id]);
      }
    }
    const value = <S>(sends: S) => (txn === null ? { acks, sends } : { acks, txn, sends });
    if (ok !== null) env.trace({ kind: 'client', op: 'produce', type: 'ok', id: ok[0]![0], value: value(ok) });
    for (const g of failed?.values() ?? []) env.trace({ kind: 'client', op: 'produce', type: g.type, id: g.ids[0]![0], value: value(g.ids), error: g.error });
  }

  private flushCallbacks(): void {
    if (this.flushingCallbacks) return;
    this.flushingCallbacks = true;
    try {
      for (let cb = this.callbacks.shift(); cb !== undefined; cb = this.callbacks.shift()) cb();
    } finally {
      this.flushingCallbacks = false;
    }
  }

  /** Arms one timer for the next instant at which time alone makes progress possible. */
  private armWake(env: Env<ProducerMessage>, now: number): void {
    let next = this.metadata.nextWakeMs();
    for (const s of this.waiting) next = earlierWake(now, next, s.sentAtMs + this.config.deliveryTimeoutMs);
    for (const r of this.requests.values()) next = earlierWake(now, next, r.deadlineMs);
    if (this.pidRequest !== null) next = earlierWake(now, next, this.pidRequest.deadlineMs);
    else if (this.config.enableIdempotence && this.txn === null && this.producerId === NO_PRODUCER_ID) next = earlierWake(now, next, this.pidRetryAtMs);
    if (this.txn !== null) next = Math.min(next, this.txn.nextWakeMs(now));
    for (const tp of this.partitions.values()) {
      for (const b of tp.queue) next = earlierWake(now, next, b.deadlineMs);
      for (const b of tp.inFlight) next = earlierWake(now, next, b.deadlineMs);
      const head = tp.queue[0];
      if (head !== undefined) {
        next = earlierWake(now, next, head.retryAtMs);
        if (!head.closed && tp.queue.length === 1) next = earlierWake(now, next, head.createdMs + this.config.lingerMs);
      }
    }
    if (next <= now) next = Infinity; // everything due now was done; what is left waits for a message
    if (next === this.wakeAtMs) return;
    this.wakeAtMs = next;
    if (next === Infinity) env.cancelTimer(WAKE);
    // At least one microsecond (the clock's grain), so float noise can never re-fire at the same instant.
    else env.setTimer(Math.max(next - now, 0.001), WAKE);
  }
}

/** Why a record cannot be sent at all, or null. */
function recordProblem(record: ProducerRecord): string | null {
  if (typeof record.topic !== 'string' || record.topic === '') return 'the topic must be a non-empty string';
  if (record.value !== null && typeof record.value !== 'string') return 'the value must be a byte string or null';
  if (record.key !== null && record.key !== undefined && typeof record.key !== 'string') return 'the key must be a byte string or null';
  if ((record.value !== null && !isBytes(record.value)) || (record.key != null && !isBytes(record.key)))
    return 'keys and values must be byte strings (chars 0-255)';
  if (record.partition !== undefined && (!Number.isSafeInteger(record.partition) || record.partition < 0)) return `invalid partition ${record.partition}`;
  return null;
}

function isBytes(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0xff) return false;
  return true;
}

/** A record's share of a batch's size, as batchSizeInBytes counts it. */
function recordSize(record: KafkaRecord): number {
  return batchSizeInBytes({ ...EMPTY_BATCH, records: [record] }) - RECORD_HEADER_BYTES;
}

function toRecordBatch(b: Batch, transactional: boolean): RecordBatch {
  let maxTimestamp = b.baseTimestamp;
  for (const r of b.records) maxTimestamp = Math.max(maxTimestamp, b.baseTimestamp + r.timestampDelta);
  return {
    baseOffset: 0,
    partitionLeaderEpoch: -1,
    attributes: transactional ? TRANSACTIONAL_BIT : 0,
    lastOffsetDelta: b.records.length - 1,
    baseTimestamp: b.baseTimestamp,
    maxTimestamp,
    producerId: b.producerId,
    producerEpoch: b.producerEpoch,
    baseSequence: b.baseSequence,
    records: b.records.map((r) => ({ ...r })),
  };
}

function findPartitionResponse(msg: ProduceResponse, topic: string, partition: number): ProducePartitionResponse | null {
  for (const t of msg.responses) {
    if (t.name !== topic) continue;
    for (const p of t.partitionResponses) if (p.index === partition) return p;
  }
  return null;
}

/** Whether some batch of the list is not done and past its delivery deadline. */
function anyExpired(batches: readonly Batch[], now: number): boolean {
  for (const b of batches) if (!b.done && now >= b.deadlineMs) return true;
  return false;
}

function removeFrom<T>(list: T[], item: T): void {
  const at = list.indexOf(item);
  if (at >= 0) list.splice(at, 1);
}
