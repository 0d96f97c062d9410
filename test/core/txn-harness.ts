// A transaction coordinator on a fake broker: a metadata image built by hand, a __transaction_state
// log whose acks=all writes complete when the test says so, WriteTxnMarkers answered by the test,
// producer ids from a counter, and a clock with timers the test advances.

import { MetadataImage } from '../../core/controller/image.ts';
import type { Env, NodeId } from '../../core/env.ts';
import { Config } from '../../core/protocol/configs.ts';
import type { InitProducerIdRequest, InitProducerIdResponse } from '../../core/protocol/data.ts';
import { ErrorCode } from '../../core/protocol/errors.ts';
import type { FindCoordinatorRequest } from '../../core/protocol/group.ts';
import type { KafkaRecord, RecordBatch } from '../../core/protocol/records.ts';
import type { WriteTxnMarkersRequest } from '../../core/protocol/txn.ts';
import type { NodeEvent } from '../../core/trace/schema.ts';
import type { TxnBug } from '../../core/txn/bugs.ts';
import { TransactionCoordinator, type TxnCoordinatorMessage, type TxnCoordinatorRequest } from '../../core/txn/coordinator.ts';
import { TRANSACTION_STATE_TOPIC } from '../../core/txn/transaction-topic.ts';

export const CLIENT = 'client';
export const SELF = 'b1';
/** The coordinator epoch (leader epoch of __transaction_state-0) the harness starts with. */
export const EPOCH = 5;

type Body<R> = R extends unknown ? Omit<R, 'correlationId'> : never;

interface PendingAppend {
  records: KafkaRecord[];
  done: (errorCode: number) => void;
}

/** The broker side a coordinator sees, shared by coordinators that succeed each other (failover). */
export class FakeBroker {
  readonly image = new MetadataImage();
  /** __transaction_state-0, as written (acks=all writes land here at once and are acknowledged on settle). */
  readonly log: RecordBatch[] = [];
  readonly pending: PendingAppend[] = [];
  /** The error the next writes fail with (NONE: they succeed). */
  appendError: number = ErrorCode.NONE;
  nextProducerId = 1000;
  created: Array<{ name: string; partitions: number; replicationFactor: number; configs: Array<{ name: string; value: string }> }> = [];

  constructor() {
    this.image.apply({ type: 'TopicRecord', name: TRANSACTION_STATE_TOPIC, topicId: 'TS' });
    this.partition('TS', 0, SELF, EPOCH);
    this.image.apply({ type: 'TopicRecord', name: 'orders', topicId: 'OR' });
    this.partition('OR', 0, 'b2', 1);
    this.partition('OR', 1, 'b3', 1);
    this.image.apply({ type: 'TopicRecord', name: '__consumer_offsets', topicId: 'CO' });
    for (let p = 0; p < 3; p++) this.partition('CO', p, 'b2', 1);
  }

  private partition(topicId: string, partitionId: number, leader: NodeId, leaderEpoch: number): void {
    this.image.apply({
      type: 'PartitionRecord',
      partitionId,
      topicId,
      replicas: ['b1', 'b2', 'b3'],
      isr: ['b1', 'b2', 'b3'],
      leader,
      leaderRecoveryState: 0,
      leaderEpoch,
      partitionEpoch: 0,
    });
  }

  moveLeader(topicId: string, partitionId: number, leader: NodeId | null): void {
    this.image.apply({ type: 'PartitionChangeRecord', partitionId, topicId, leader });
  }

  /** Acknowledges (or fails) every write waiting for its replicas. */
  settle(): void {
    while (this.pending.length > 0) {
      const append = this.pending.shift()!;
      append.done(this.appendError);
    }
  }
}

export class Harness {
  now = 0;
  readonly sent: Array<{ to: NodeId; msg: TxnCoordinatorMessage }> = [];
  readonly traces: NodeEvent[] = [];
  private readonly timers = new Map<string, number>();
  private correlationId = 1;
  readonly coordinator: TransactionCoordinator;
  readonly env: Env<TxnCoordinatorMessage>;

  constructor(
    readonly broker = new FakeBroker(),
    bugs: TxnBug[] = [],
    config: Record<string, number> = {},
  ) {
    this.env = {
      self: SELF,
      now: () => this.now,
      random: () => 0.5,
      send: (to, msg) => this.sent.push({ to, msg }),
      setTimer: (delayMs, tag) => this.timers.set(tag, this.now + delayMs),
      cancelTimer: (tag) => this.timers.delete(tag),
      storage: null as never,
      trace: (event) => this.traces.push(event),
    };
    this.coordinator = new TransactionCoordinator(new Config({ 'transaction.state.log.num.partitions': 1, ...config }), new Set(bugs), {
      image: () => broker.image,
      ledLog: (topic, partition) => (topic === TRANSACTION_STATE_TOPIC && partition === 0 && this.leads ? broker.log : null),
      appendCommitted: (_env, topic, partition, records, _timeoutMs, done) => {
        if (topic !== TRANSACTION_STATE_TOPIC || partition !== 0) throw new Error(`write to ${topic}-${partition}`);
        if (broker.appendError === ErrorCode.NONE) broker.log.push(batchOf(records, this.now));
        broker.pending.push({ records, done });
      },
      createTopic: (_env, name, partitions, replicationFactor, configs) => broker.created.push({ name, partitions, replicationFactor, configs }),
      nextProducerId: () => broker.nextProducerId++,
    });
  }

  private leads = false;

  /** Becomes the leader of __transaction_state-0 at `epoch` and (unless told not to) waits for the load. */
  lead(epoch = EPOCH, load = true): this {
    this.leads = true;
    this.coordinator.leadershipChanged(this.env, 0, epoch);
    if (load) this.advance(10);
    return this;
  }

  resign(): void {
    this.leads = false;
    this.coordinator.leadershipChanged(this.env, 0, null);
  }

  /** Moves the clock, firing due timers in order. */
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const due = [...this.timers].filter(([, at]) => at <= end).sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))[0];
      if (due === undefined) break;
      this.timers.delete(due[0]);
      this.now = Math.max(this.now, due[1]);
      this.coordinator.fire(this.env, due[0]);
    }
    this.now = end;
  }

  /** Sends a request and settles the writes it makes; returns its answer (undefined when none came). */
  call<R extends TxnCoordinatorMessage>(body: Body<TxnCoordinatorRequest | InitProducerIdRequest | FindCoordinatorRequest>, settle = true): R {
    const correlationId = this.correlationId++;
    const mark = this.sent.length;
    this.coordinator.handle(this.env, CLIENT, { ...body, correlationId } as TxnCoordinatorRequest);
    if (settle) this.broker.settle();
    return this.sent.slice(mark).find((s) => s.to === CLIENT && s.msg.correlationId === correlationId)?.msg as R;
  }

  init(transactionalId = 't1', timeoutMs = 60_000, producerId = -1, producerEpoch = -1): InitProducerIdResponse {
    return this.call<InitProducerIdResponse>({
      api: 'InitProducerId',
      kind: 'request',
      transactionalId,
      transactionTimeoutMs: timeoutMs,
      producerId,
      producerEpoch,
    });
  }

  addPartitions(producerId: number, producerEpoch: number, partitions: Record<string, number[]>, transactionalId = 't1', verifyOnly = false): number[] {
    const res = this.call<Extract<TxnCoordinatorMessage, { api: 'AddPartitionsToTxn' }>>({
      api: 'AddPartitionsToTxn',
      kind: 'request',
      transactions: [
        { transactionalId, producerId, producerEpoch, verifyOnly, topics: Object.entries(partitions).map(([name, ps]) => ({ name, partitions: ps })) },
      ],
    });
    return res.resultsByTransaction[0]!.topicResults.flatMap((t) => t.resultsByPartition.map((p) => p.partitionErrorCode));
  }

  endTxn(producerId: number, producerEpoch: number, committed: boolean, bumpEpoch = false, transactionalId = 't1') {
    return this.call<Extract<TxnCoordinatorMessage, { api: 'EndTxn' }>>({
      api: 'EndTxn',
      kind: 'request',
      transactionalId,
      producerId,
      producerEpoch,
      committed,
      bumpEpoch,
    });
  }

  /** WriteTxnMarkers sent and not yet answered by `answerMarkers`. */
  markerRequests(): Array<{ to: NodeId; msg: WriteTxnMarkersRequest }> {
    return this.sent.filter(
      (s): s is { to: NodeId; msg: WriteTxnMarkersRequest } => s.msg.api === 'WriteTxnMarkers' && !this.answered.has(s.msg.correlationId),
    );
  }

  private readonly answered = new Set<number>();

  /** Answers every outstanding WriteTxnMarkers (each partition with `errorCode`), then settles the writes that follow. */
  answerMarkers(errorCode: number = ErrorCode.NONE, only?: NodeId): void {
    for (const { to, msg } of this.markerRequests()) {
      if (only !== undefined && to !== only) continue;
      this.answered.add(msg.correlationId);
      this.coordinator.writeTxnMarkersResponse(this.env, {
        api: 'WriteTxnMarkers',
        kind: 'response',
        correlationId: msg.correlationId,
        markers: msg.markers.map((m) => ({
          producerId: m.producerId,
          topics: m.topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, errorCode })) })),
        })),
      });
    }
    this.broker.settle();
  }

  /** The txn-state events traced so far, as `state@epoch`. */
  states(transactionalId = 't1'): string[] {
    return this.traces.flatMap((e) => (e.kind === 'txn-state' && e.transactionalId === transactionalId ? [`${e.state}@${e.producerEpoch}`] : []));
  }
}

function batchOf(records: KafkaRecord[], now: number): RecordBatch {
  return {
    baseOffset: 0,
    partitionLeaderEpoch: EPOCH,
    attributes: 0,
    lastOffsetDelta: records.length - 1,
    baseTimestamp: now,
    maxTimestamp: now,
    producerId: -1,
    producerEpoch: -1,
    baseSequence: -1,
    records,
  };
}
