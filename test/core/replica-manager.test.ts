// The broker's replica manager (Kafka's ReplicaManager) driven by real messages between fake brokers and clients: Produce, Fetch, ListOffsets, OffsetForLeaderEpoch, Metadata, ISR changes and follower replication.
import { recordBatch } from './batches.ts';
import { describe, expect, it } from 'vitest';
import type { BrokerBug } from '../../core/broker/bugs.ts';
import { ReplicaManager } from '../../core/broker/replica-manager.ts';
import { MetadataImage } from '../../core/controller/image.ts';
import type { Env, NodeId, TimerTag } from '../../core/env.ts';
import { Config, type ConfigValue } from '../../core/protocol/configs.ts';
import type { AllocateProducerIdsRequest, AllocateProducerIdsResponse, AlterPartitionRequest, AlterPartitionResponse } from '../../core/protocol/controller.ts';
import {
  EARLIEST_TIMESTAMP,
  LATEST_TIMESTAMP,
  type DataMessage,
  type DataRequest,
  type DeleteRecordsResponse,
  type FetchPartitionResponse,
  type FetchResponse,
  type InitProducerIdResponse,
  type ListOffsetsResponse,
  type MetadataResponse,
  type OffsetForLeaderEpochResponse,
  type ProducePartitionResponse,
  type ProduceResponse,
} from '../../core/protocol/data.ts';
import { ErrorCode } from '../../core/protocol/errors.ts';
import { lastOffsetOf, type RecordBatch } from '../../core/protocol/records.ts';
import type { NodeEvent } from '../../core/trace/schema.ts';
import { SimStorage } from '../../sim/disk.ts';

type Msg = DataMessage | AlterPartitionRequest | AlterPartitionResponse | AllocateProducerIdsRequest | AllocateProducerIdsResponse;
interface Delivery {
  at: number;
  from: NodeId;
  to: NodeId;
  msg: Msg;
}
/** A request as a test writes it; the cluster gives it a correlation id. */
type Body<R> = R extends unknown ? Omit<R, 'correlationId'> : never;

const TOPIC = 'orders';
const TOPIC_ID = 'T-orders';
const CONTROLLER: NodeId = 'c1';
const CLIENT: NodeId = 'client';
const BROKER_EPOCH: Record<NodeId, number> = { b1: 11, b2: 12, b3: 13, b4: 14 };

/** One broker's environment (clock, timers, storage, trace) around its replica manager. */
class Broker implements Env<DataMessage | AlterPartitionRequest> {
  readonly storage = new SimStorage();
  readonly timers = new Map<TimerTag, number>();
  readonly traces: NodeEvent[] = [];
  rm!: ReplicaManager;

  constructor(
    private readonly cluster: Cluster,
    readonly self: NodeId,
    private readonly config: Config,
    private readonly bugs: BrokerBug[],
  ) {
    this.boot();
  }

  /** Starts a fresh replica manager over this broker's storage (first start, or a restart). */
  boot(): void {
    this.timers.clear();
    this.rm = new ReplicaManager(this.self, this.config, new Set(this.bugs), {
      controller: () => CONTROLLER,
      brokerEpoch: () => BROKER_EPOCH[this.self] ?? -1,
      clusterId: 'test-cluster',
    });
    this.rm.start(this);
  }

  now(): number {
    return this.cluster.now;
  }
  random(): number {
    return 0.5;
  }
  send(to: NodeId, msg: DataMessage | AlterPartitionRequest): void {
    this.cluster.queue.push({ at: this.cluster.now, from: this.self, to, msg });
  }
  setTimer(delayMs: number, tag: TimerTag): void {
    this.timers.set(tag, this.cluster.now + delayMs);
  }
  cancelTimer(tag: TimerTag): void {
    this.timers.delete(tag);
  }
  trace(event: NodeEvent): void {
    this.traces.push(event);
  }

  get partition() {
    const p = this.rm.partitions.get(`${TOPIC}-0`);
    if (p === undefined) throw new Error(`${this.self} holds no ${TOPIC}-0`);
    return p;
  }
}

interface ClusterOptions {
  /** Brokers simulated for real; other replicas are played by the test (their fetches sent by hand). */
  brokers?: NodeId[];
  replicas?: NodeId[];
  isr?: NodeId[];
  leader?: NodeId | null;
  leaderEpoch?: number;
  config?: Record<string, ConfigValue>;
  topicConfig?: Record<string, string>;
  fenced?: NodeId[];
  bugs?: BrokerBug[];
  /** Answer AlterPartition requests by committing them (and publishing the image). */
  autoController?: boolean;
}

/**
 * Brokers around one partition, orders-0, with a metadata image built from records as the
 * controller writes them. Messages go through a FIFO queue; those to non-brokers (the client, the
 * controller, replicas played by the test) are kept in `received`. Time moves only by `advance`.
 */
class Cluster {
  now = 0;
  readonly brokers = new Map<NodeId, Broker>();
  readonly queue: Delivery[] = [];
  readonly received: Delivery[] = [];
  readonly image = new MetadataImage();
  /** Nodes whose messages are lost (a network partition). */
  readonly cut = new Set<NodeId>();
  private nextCorrelationId = 1;
  private readonly autoController: boolean;

  constructor(o: ClusterOptions = {}) {
    const replicas = o.replicas ?? ['b1', 'b2', 'b3'];
    const isr = o.isr ?? replicas;
    const config = new Config({ 'replica.socket.timeout.ms': 2_000, 'replica.fetch.backoff.ms': 100, 'replica.lag.time.max.ms': 10_000, ...o.config });
    this.autoController = o.autoController ?? false;
    for (const id of ['b1', 'b2', 'b3', 'b4']) {
      this.image.apply({
        type: 'RegisterBrokerRecord',
        brokerId: id,
        brokerEpoch: BROKER_EPOCH[id]!,
        incarnationId: `inc-${id}`,
        fenced: (o.fenced ?? []).includes(id),
      });
    }
    this.image.apply({ type: 'TopicRecord', name: TOPIC, topicId: TOPIC_ID });
    this.image.apply({
      type: 'PartitionRecord',
      partitionId: 0,
      topicId: TOPIC_ID,
      replicas,
      isr,
      leader: o.leader === undefined ? isr[0]! : o.leader,
      leaderRecoveryState: 0,
      leaderEpoch: o.leaderEpoch ?? 0,
      partitionEpoch: 0,
    });
    for (const [name, value] of Object.entries(o.topicConfig ?? {}))
      this.image.apply({ type: 'ConfigRecord', resourceType: 2, resourceName: TOPIC, name, value });
    for (const id of o.brokers ?? ['b1']) {
      this.brokers.set(id, new Broker(this, id, config, o.bugs ?? []));
    }
    this.publish();
  }

  broker(id: NodeId = 'b1'): Broker {
    return this.brokers.get(id)!;
  }

  /** Every broker takes the current image (each its own copy), then messages flow. */
  publish(): void {
    for (const b of this.brokers.values()) b.rm.applyImage(b, this.image.clone(), true);
    this.deliver();
  }

  /** Restarts broker `id` (after a power loss when `powerLoss`: unsynced bytes are gone) and gives it the image. */
  restart(id: NodeId, powerLoss: boolean): void {
    const broker = this.broker(id);
    this.queue.splice(0, this.queue.length, ...this.queue.filter((d) => d.from !== id && d.to !== id));
    if (powerLoss) broker.storage.crash();
    broker.boot();
    broker.rm.applyImage(broker, this.image.clone(), true);
    this.deliver();
  }

  /** Commits a partition change (a new leader bumps the leader epoch) and publishes it. */
  change(change: { leader?: NodeId | null; isr?: NodeId[] }): void {
    this.image.apply({ type: 'PartitionChangeRecord', partitionId: 0, topicId: TOPIC_ID, ...change });
    this.publish();
  }

  get state() {
    return this.image.partition(TOPIC, 0)!;
  }

  /** Delivers queued messages, and those they cause, until none is left. */
  deliver(): void {
    for (let d = this.queue.shift(); d !== undefined; d = this.queue.shift()) {
      if (this.cut.has(d.from) || this.cut.has(d.to)) continue;
      const broker = this.brokers.get(d.to);
      if (broker === undefined) {
        this.received.push(d);
        if (d.to === CONTROLLER && this.autoController && d.msg.api === 'AlterPartition' && d.msg.kind === 'request') this.commitAlterPartition(d.from, d.msg);
        continue;
      }
      const msg = d.msg;
      if (msg.kind === 'request') {
        if (msg.api !== 'AlterPartition' && msg.api !== 'AllocateProducerIds') broker.rm.handle(broker, d.from, msg);
      } else if (msg.api === 'Fetch') broker.rm.fetchResponse(broker, d.from, msg);
      else if (msg.api === 'AlterPartition') broker.rm.alterPartitionResponse(broker, msg);
      else if (msg.api === 'AllocateProducerIds') broker.rm.allocateProducerIdsResponse(broker, msg);
      else if (msg.api === 'ListOffsets') broker.rm.listOffsetsResponse(broker, d.from, msg);
    }
  }

  /** Moves the clock `ms` forward, firing every timer that falls due, in time order. */
  advance(ms: number): void {
    const end = this.now + ms;
    this.deliver();
    for (;;) {
      let next: { broker: Broker; tag: TimerTag; at: number } | null = null;
      for (const broker of this.brokers.values()) {
        for (const [tag, at] of broker.timers) if (at <= end && (next === null || at < next.at)) next = { broker, tag, at };
      }
      if (next === null) break;
      this.now = next.at;
      next.broker.timers.delete(next.tag);
      next.broker.rm.fire(next.broker, next.tag);
      this.deliver();
    }
    this.now = end;
  }

  /** Sends a request from `from` to broker `to` and delivers it; returns its correlation id. */
  send(to: NodeId, body: Body<DataRequest>, from: NodeId = CLIENT): number {
    const correlationId = this.nextCorrelationId++;
    this.queue.push({ at: this.now, from, to, msg: { ...body, correlationId } as DataRequest });
    this.deliver();
    return correlationId;
  }

  /** The response to request `correlationId` received by `to`, or undefined while there is none. */
  response<R extends Msg>(correlationId: number, to: NodeId = CLIENT): R | undefined {
    const found = this.received.filter((d) => d.to === to && d.msg.kind === 'response' && d.msg.correlationId === correlationId);
    if (found.length > 1) throw new Error(`request ${correlationId} was answered ${found.length} times`);
    return found[0]?.msg as R | undefined;
  }

  /** The response to request `correlationId`, which must have come. */
  answer<R extends Msg>(correlationId: number, to: NodeId = CLIENT): R {
    const r = this.response<R>(correlationId, to);
    if (r === undefined) throw new Error(`no response to request ${correlationId} yet`);
    return r;
  }

  /** The AlterPartition requests the controller got. */
  alterPartitions(): AlterPartitionRequest[] {
    return this.received.flatMap((d) => (d.to === CONTROLLER && d.msg.api === 'AlterPartition' && d.msg.kind === 'request' ? [d.msg] : []));
  }

  /** The AllocateProducerIds requests the controller got. */
  allocateProducerIds(): AllocateProducerIdsRequest[] {
    return this.received.flatMap((d) => (d.to === CONTROLLER && d.msg.api === 'AllocateProducerIds' && d.msg.kind === 'request' ? [d.msg] : []));
  }

  /** The controller's part: answers the last AllocateProducerIds request with this block. */
  allotProducerIds(to: NodeId, producerIdStart: number, producerIdLen: number, errorCode: number = ErrorCode.NONE): void {
    const req = this.allocateProducerIds().at(-1);
    if (req === undefined) throw new Error('no AllocateProducerIds request');
    const response: AllocateProducerIdsResponse = {
      api: 'AllocateProducerIds',
      kind: 'response',
      correlationId: req.correlationId,
      errorCode,
      producerIdStart,
      producerIdLen,
    };
    this.queue.push({ at: this.now, from: CONTROLLER, to, msg: response });
    this.deliver();
  }

  /** The controller's part: commits the proposed ISR and answers with the new partition state. */
  private commitAlterPartition(from: NodeId, req: AlterPartitionRequest): void {
    const proposal = req.topics[0]!.partitions[0]!;
    const isr = proposal.newIsrWithEpochs.map((e) => e.brokerId);
    this.image.apply({ type: 'PartitionChangeRecord', partitionId: 0, topicId: TOPIC_ID, isr });
    const s = this.state;
    const response: AlterPartitionResponse = {
      api: 'AlterPartition',
      kind: 'response',
      correlationId: req.correlationId,
      errorCode: ErrorCode.NONE,
      topics: [
        {
          topicId: TOPIC_ID,
          partitions: [
            {
              partitionIndex: 0,
              errorCode: ErrorCode.NONE,
              leaderId: s.leader,
              leaderEpoch: s.leaderEpoch,
              isr: [...s.isr],
              leaderRecoveryState: 0,
              partitionEpoch: s.partitionEpoch,
            },
          ],
        },
      ],
    };
    this.queue.push({ at: this.now, from: CONTROLLER, to: from, msg: response });
    this.publish();
  }

  /** Answers the last fetch `follower` sent to a replica the test plays (`leader`) with these batches. */
  answerFollowerFetch(
    follower: NodeId,
    leader: NodeId,
    batches: RecordBatch[],
    highWatermark: number,
    errorCode: number = ErrorCode.NONE,
    logStartOffset = 0,
  ): void {
    const fetch = this.received.filter((d) => d.from === follower && d.to === leader && d.msg.api === 'Fetch' && d.msg.kind === 'request').at(-1);
    if (fetch === undefined) throw new Error(`${follower} sent no fetch to ${leader}`);
    const response: FetchResponse = {
      api: 'Fetch',
      kind: 'response',
      correlationId: fetch.msg.correlationId,
      errorCode: ErrorCode.NONE,
      topics: [
        {
          topic: TOPIC,
          partitions: [
            {
              partitionIndex: 0,
              errorCode,
              highWatermark,
              lastStableOffset: highWatermark,
              logStartOffset,
              divergingEpoch: null,
              abortedTransactions: null,
              currentLeader: { leaderId: leader, leaderEpoch: this.state.leaderEpoch },
              records: batches,
            },
          ],
        },
      ],
    };
    this.queue.push({ at: this.now, from: leader, to: follower, msg: response });
    this.deliver();
  }
}

// ---- requests --------------------------------------------------------------------------------

/** A producer's batch of `count` records with timestamps from `ts` (offsets unassigned). */
function records(count: number, ts = 1_000, producer?: { id: number; epoch?: number; seq: number }): RecordBatch {
  return recordBatch({ count, ts, producer, value: (i) => `value-${ts + i}` });
}

/** A batch as a leader in `epoch` wrote it at `baseOffset`. */
function written(baseOffset: number, count: number, epoch: number): RecordBatch {
  return { ...records(count, 1_000 + baseOffset), baseOffset, partitionLeaderEpoch: epoch };
}

function produce(acks: 0 | 1 | -1, batch: RecordBatch, o: { timeoutMs?: number; topic?: string; partition?: number } = {}): Body<DataRequest> {
  return {
    api: 'Produce',
    kind: 'request',
    transactionalId: null,
    acks,
    timeoutMs: o.timeoutMs ?? 1_000,
    topicData: [{ name: o.topic ?? TOPIC, partitionData: [{ index: o.partition ?? 0, records: batch }] }],
  };
}

interface FetchOptions {
  offset: number;
  maxWaitMs?: number;
  minBytes?: number;
  currentLeaderEpoch?: number;
  lastFetchedEpoch?: number;
  maxBytes?: number;
  /** The fetching follower's log start offset. */
  logStartOffset?: number;
}

function consumerFetch(o: FetchOptions): Body<DataRequest> {
  return fetchRequest(null, -1, o);
}

function followerFetch(replica: NodeId, o: FetchOptions): Body<DataRequest> {
  return fetchRequest(replica, BROKER_EPOCH[replica] ?? -1, o);
}

function fetchRequest(replicaId: NodeId | null, replicaEpoch: number, o: FetchOptions): Body<DataRequest> {
  return {
    api: 'Fetch',
    kind: 'request',
    replicaId,
    replicaEpoch,
    maxWaitMs: o.maxWaitMs ?? 0,
    minBytes: o.minBytes ?? 1,
    maxBytes: 1 << 20,
    isolationLevel: 0,
    topics: [
      {
        topic: TOPIC,
        partitions: [
          {
            partition: 0,
            currentLeaderEpoch: o.currentLeaderEpoch ?? -1,
            fetchOffset: o.offset,
            lastFetchedEpoch: o.lastFetchedEpoch ?? -1,
            logStartOffset: o.logStartOffset ?? 0,
            partitionMaxBytes: o.maxBytes ?? 1 << 20,
          },
        ],
      },
    ],
  };
}

function listOffsets(timestamp: number, currentLeaderEpoch = -1, replicaId: NodeId | null = null): Body<DataRequest> {
  return {
    api: 'ListOffsets',
    kind: 'request',
    replicaId,
    isolationLevel: 0,
    topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, currentLeaderEpoch, timestamp }] }],
  };
}

function offsetForLeaderEpoch(leaderEpoch: number, currentLeaderEpoch = -1): Body<DataRequest> {
  return {
    api: 'OffsetForLeaderEpoch',
    kind: 'request',
    replicaId: null,
    topics: [{ topic: TOPIC, partitions: [{ partition: 0, currentLeaderEpoch, leaderEpoch }] }],
  };
}

// ---- reading responses ------------------------------------------------------------------------

const produced = (r: ProduceResponse): ProducePartitionResponse => r.responses[0]!.partitionResponses[0]!;
const fetched = (r: FetchResponse): FetchPartitionResponse => r.topics[0]!.partitions[0]!;
const offsetsOf = (batches: readonly RecordBatch[]) => batches.map((b) => [b.baseOffset, lastOffsetOf(b)]);
const listed = (r: ListOffsetsResponse) => r.topics[0]!.partitions[0]!;
const epochEnd = (r: OffsetForLeaderEpochResponse) => r.topics[0]!.partitions[0]!;

/** Sends `batch` with `acks` to b1 and returns the partition response (which must have come). */
function produceNow(c: Cluster, acks: 1 | -1, batch: RecordBatch): ProducePartitionResponse {
  return produced(c.answer<ProduceResponse>(c.send('b1', produce(acks, batch))));
}

/** The test's followers (b2, b3 unless told) fetch from b1 at its log end, as caught-up replicas do. */
function followersCatchUp(c: Cluster, followers: NodeId[] = ['b2', 'b3']): void {
  const p = c.broker().partition;
  for (const f of followers)
    c.send('b1', followerFetch(f, { offset: p.logEndOffset, lastFetchedEpoch: p.log.lastEpoch, currentLeaderEpoch: p.leaderEpoch }), f);
}

// ---- the tests ----------------------------------------------------------------------------------

describe('ReplicaManager: Produce', () => {
  it('acks=1 is answered at once with the base offset, before any follower has the batch', () => {
    const c = new Cluster();
    expect(produceNow(c, 1, records(3))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0, logStartOffset: 0 });
    expect(produceNow(c, 1, records(2))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 3 });
    const p = c.broker().partition;
    expect(p.logEndOffset).toBe(5);
    expect(p.hw).toBe(0);
    expect(p.log.storedBatches().map((b) => b.batch.partitionLeaderEpoch)).toEqual([0, 0]);
  });

  it('acks=0 is never answered, but the batch is appended', () => {
    const c = new Cluster();
    c.send('b1', produce(0, records(3)));
    c.advance(5_000);
    expect(c.received.filter((d) => d.to === CLIENT)).toEqual([]);
    expect(c.broker().partition.logEndOffset).toBe(3);
  });

  it('acks=all is answered only once the high watermark passes the batch', () => {
    const c = new Cluster();
    const id = c.send('b1', produce(-1, records(3)));
    expect(c.response(id)).toBeUndefined();
    c.send('b1', followerFetch('b2', { offset: 3, lastFetchedEpoch: 0, currentLeaderEpoch: 0 }), 'b2');
    expect(c.response(id)).toBeUndefined(); // b3, in the ISR, does not have it yet
    c.send('b1', followerFetch('b3', { offset: 2, lastFetchedEpoch: 0, currentLeaderEpoch: 0 }), 'b3');
    expect(c.broker().partition.hw).toBe(2);
    expect(c.response(id)).toBeUndefined(); // the high watermark is inside the batch
    c.send('b1', followerFetch('b3', { offset: 3, lastFetchedEpoch: 0, currentLeaderEpoch: 0 }), 'b3');
    expect(produced(c.answer<ProduceResponse>(id))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0 });
  });

  it('acks=all with only the leader in the ISR and min.insync.replicas=1 is answered at once', () => {
    const c = new Cluster({ isr: ['b1'] });
    expect(produceNow(c, -1, records(2))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0 });
  });

  it('a waiting acks=all write completes when the controller drops a dead follower from the ISR', () => {
    const c = new Cluster({ isr: ['b1', 'b2'], replicas: ['b1', 'b2'] });
    const id = c.send('b1', produce(-1, records(3), { timeoutMs: 30_000 }));
    c.advance(9_000); // b2 never fetches; the controller fences it after its session timeout
    c.image.apply({ type: 'FenceBrokerRecord', id: 'b2', epoch: BROKER_EPOCH['b2']! });
    c.change({ isr: ['b1'] });
    expect(c.broker().partition.hw).toBe(3);
    expect(produced(c.answer<ProduceResponse>(id))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0 });
  });

  it("acks=all times out with REQUEST_TIMED_OUT; the batch stays in the leader's log", () => {
    const c = new Cluster();
    const id = c.send('b1', produce(-1, records(3), { timeoutMs: 700 }));
    c.advance(699);
    expect(c.response(id)).toBeUndefined();
    c.advance(1);
    expect(produced(c.answer<ProduceResponse>(id))).toMatchObject({ errorCode: ErrorCode.REQUEST_TIMED_OUT, baseOffset: 0 });
    expect(c.broker().partition.logEndOffset).toBe(3);
    // A late high watermark does not answer it twice (answer() would throw).
    followersCatchUp(c);
    expect(produced(c.answer<ProduceResponse>(id)).errorCode).toBe(ErrorCode.REQUEST_TIMED_OUT);
  });

  it('NOT_ENOUGH_REPLICAS before appending when the ISR is below min.insync.replicas; acks=1 is not affected', () => {
    const c = new Cluster({ isr: ['b1'], config: { 'min.insync.replicas': 2 } });
    expect(produceNow(c, -1, records(3)).errorCode).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
    expect(c.broker().partition.logEndOffset).toBe(0);
    expect(produceNow(c, 1, records(3))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0 });
  });

  it('with one replica and min.insync.replicas 2, acks=all writes are accepted: the requirement is capped at the replica count, as Kafka does', () => {
    const c = new Cluster({ replicas: ['b1'], config: { 'min.insync.replicas': 2 } });
    expect(produceNow(c, -1, records(3))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0 });
    expect(c.broker().partition.hw).toBe(3);
  });

  it("the topic's min.insync.replicas overrides the broker's", () => {
    const c = new Cluster({ isr: ['b1', 'b2'], topicConfig: { 'min.insync.replicas': '3' } });
    expect(produceNow(c, -1, records(1)).errorCode).toBe(ErrorCode.NOT_ENOUGH_REPLICAS);
  });

  it('a broker that is not the leader answers NOT_LEADER_OR_FOLLOWER with where the leader is', () => {
    const c = new Cluster({ brokers: ['b1'], leader: 'b2', leaderEpoch: 4, isr: ['b2', 'b1', 'b3'] });
    const r = produceNow(c, 1, records(1));
    expect(r.errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(r.currentLeader).toEqual({ leaderId: 'b2', leaderEpoch: 4 });
    expect(c.broker().partition.logEndOffset).toBe(0);
  });

  it('an unknown topic is UNKNOWN_TOPIC_OR_PARTITION; bad acks are INVALID_REQUIRED_ACKS', () => {
    const c = new Cluster();
    expect(produced(c.answer<ProduceResponse>(c.send('b1', produce(1, records(1), { topic: 'nope' })))).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const bad = { ...produce(1, records(1)), acks: 2 } as unknown as Body<DataRequest>;
    expect(produced(c.answer<ProduceResponse>(c.send('b1', bad))).errorCode).toBe(ErrorCode.INVALID_REQUIRED_ACKS);
    expect(c.broker().partition.logEndOffset).toBe(0);
  });

  it('a waiting acks=all write fails with NOT_LEADER_OR_FOLLOWER when the leadership moves', () => {
    const c = new Cluster();
    const id = c.send('b1', produce(-1, records(2)));
    c.change({ leader: 'b2' });
    expect(produced(c.answer<ProduceResponse>(id)).errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  });

  it('an idempotent retry is answered with the original offset and not appended again; a gap is OUT_OF_ORDER_SEQUENCE_NUMBER', () => {
    const c = new Cluster({ replicas: ['b1'] });
    expect(produceNow(c, 1, records(2, 1_000, { id: 5, seq: 0 })).baseOffset).toBe(0);
    expect(produceNow(c, 1, records(3, 2_000, { id: 5, seq: 2 })).baseOffset).toBe(2);
    expect(produceNow(c, 1, records(2, 1_000, { id: 5, seq: 0 }))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0 });
    expect(c.broker().partition.logEndOffset).toBe(5);
    expect(produceNow(c, 1, records(1, 3_000, { id: 5, seq: 9 })).errorCode).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(c.broker().partition.logEndOffset).toBe(5);
  });
});

describe('ReplicaManager: Fetch from consumers', () => {
  /** b1 leads with 5 records in two batches; the followers have the first batch only (HW 3). */
  function withHw3(): Cluster {
    const c = new Cluster();
    produceNow(c, 1, records(3));
    followersCatchUp(c);
    produceNow(c, 1, records(2, 2_000));
    expect(c.broker().partition.hw).toBe(3);
    return c;
  }

  it('reads only up to the high watermark', () => {
    const c = withHw3();
    const r = fetched(c.answer<FetchResponse>(c.send('b1', consumerFetch({ offset: 0 }))));
    expect(r.errorCode).toBe(ErrorCode.NONE);
    expect(offsetsOf(r.records)).toEqual([[0, 2]]);
    expect(r.highWatermark).toBe(3);
    expect(r.lastStableOffset).toBe(3);
    // Between the high watermark and the log end: nothing yet, and no error.
    const above = fetched(c.answer<FetchResponse>(c.send('b1', consumerFetch({ offset: 4 }))));
    expect(above.errorCode).toBe(ErrorCode.NONE);
    expect(above.records).toEqual([]);
  });

  it('with nothing to return, waits up to maxWaitMs and then answers empty', () => {
    const c = withHw3();
    const id = c.send('b1', consumerFetch({ offset: 3, maxWaitMs: 500 }));
    c.advance(499);
    expect(c.response(id)).toBeUndefined();
    c.advance(1);
    expect(fetched(c.answer<FetchResponse>(id)).records).toEqual([]);
  });

  it('a waiting fetch is answered as soon as the high watermark passes new records', () => {
    const c = withHw3();
    const id = c.send('b1', consumerFetch({ offset: 3, maxWaitMs: 500 }));
    c.advance(100);
    c.send('b1', followerFetch('b2', { offset: 5, lastFetchedEpoch: 0, currentLeaderEpoch: 0 }), 'b2');
    expect(c.response(id)).toBeUndefined(); // appended is not enough: the HW has not moved
    c.send('b1', followerFetch('b3', { offset: 5, lastFetchedEpoch: 0, currentLeaderEpoch: 0 }), 'b3');
    const r = fetched(c.answer<FetchResponse>(id));
    expect(offsetsOf(r.records)).toEqual([[3, 4]]);
    expect(r.highWatermark).toBe(5);
    expect(c.received.find((d) => d.msg.kind === 'response' && d.msg.correlationId === id)!.at).toBe(100);
  });

  it('waits for minBytes: a smaller result waits for more data or until maxWaitMs', () => {
    const c = new Cluster({ replicas: ['b1'] });
    produceNow(c, 1, records(1));
    const id = c.send('b1', consumerFetch({ offset: 0, maxWaitMs: 500, minBytes: 10_000 }));
    c.advance(100);
    produceNow(c, 1, records(1));
    expect(c.response(id)).toBeUndefined();
    c.advance(400);
    expect(offsetsOf(fetched(c.answer<FetchResponse>(id)).records)).toEqual([
      [0, 0],
      [1, 1],
    ]);
  });

  it('minBytes is met by enough data: the waiting fetch is answered then', () => {
    const c = new Cluster({ replicas: ['b1'] });
    const id = c.send('b1', consumerFetch({ offset: 0, maxWaitMs: 500, minBytes: 300 }));
    produceNow(c, 1, records(1));
    expect(c.response(id)).toBeUndefined();
    c.advance(50);
    produceNow(c, 1, records(40));
    expect(offsetsOf(fetched(c.answer<FetchResponse>(id)).records)).toEqual([
      [0, 0],
      [1, 40],
    ]);
  });

  it('a waiting fetch is answered NOT_LEADER_OR_FOLLOWER when the leadership moves', () => {
    const c = new Cluster();
    const id = c.send('b1', consumerFetch({ offset: 0, maxWaitMs: 500 }));
    c.advance(10);
    c.change({ leader: 'b2' });
    const r = fetched(c.answer<FetchResponse>(id));
    expect(r.errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(r.currentLeader).toEqual({ leaderId: 'b2', leaderEpoch: 1 });
  });

  it('maxWaitMs 0 answers at once, even with nothing', () => {
    const c = new Cluster();
    expect(fetched(c.answer<FetchResponse>(c.send('b1', consumerFetch({ offset: 0, maxWaitMs: 0 })))).records).toEqual([]);
  });

  it('an offset past the log end is OFFSET_OUT_OF_RANGE', () => {
    const c = withHw3();
    expect(fetched(c.answer<FetchResponse>(c.send('b1', consumerFetch({ offset: 6 })))).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
  });

  it('is fenced by leader epoch: older FENCED_LEADER_EPOCH, newer UNKNOWN_LEADER_EPOCH, -1 unchecked (KIP-320)', () => {
    const c = new Cluster({ leaderEpoch: 3 });
    produceNow(c, 1, records(1));
    const code = (epoch: number) => fetched(c.answer<FetchResponse>(c.send('b1', consumerFetch({ offset: 0, currentLeaderEpoch: epoch })))).errorCode;
    expect(code(2)).toBe(ErrorCode.FENCED_LEADER_EPOCH);
    expect(code(4)).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);
    expect(code(3)).toBe(ErrorCode.NONE);
    expect(code(-1)).toBe(ErrorCode.NONE);
  });

  it('a follower broker answers NOT_LEADER_OR_FOLLOWER with the leader hint, without waiting', () => {
    const c = new Cluster({ leader: 'b2', isr: ['b2', 'b1'], replicas: ['b1', 'b2'] });
    const r = fetched(c.answer<FetchResponse>(c.send('b1', consumerFetch({ offset: 0, maxWaitMs: 500 }))));
    expect(r.errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(r.currentLeader).toEqual({ leaderId: 'b2', leaderEpoch: 0 });
  });
});

describe('ReplicaManager: Fetch from followers', () => {
  it("returns records up to the log end and counts the fetch offset as the follower's progress", () => {
    const c = new Cluster();
    produceNow(c, 1, records(3));
    produceNow(c, 1, records(2));
    const r = fetched(c.answer<FetchResponse>(c.send('b1', followerFetch('b2', { offset: 0, lastFetchedEpoch: -1, currentLeaderEpoch: 0 }), 'b2'), 'b2'));
    expect(offsetsOf(r.records)).toEqual([
      [0, 2],
      [3, 4],
    ]);
    expect(r.highWatermark).toBe(0);
    c.send('b1', followerFetch('b2', { offset: 5, lastFetchedEpoch: 0, currentLeaderEpoch: 0 }), 'b2');
    c.send('b1', followerFetch('b3', { offset: 3, lastFetchedEpoch: 0, currentLeaderEpoch: 0 }), 'b3');
    expect(c.broker().partition.hw).toBe(3);
  });

  it('a follower of an older epoch is FENCED_LEADER_EPOCH, of a newer one UNKNOWN_LEADER_EPOCH, and neither counts', () => {
    const c = new Cluster({ leaderEpoch: 2 });
    produceNow(c, 1, records(3));
    const code = (epoch: number) =>
      fetched(c.answer<FetchResponse>(c.send('b1', followerFetch('b2', { offset: 3, lastFetchedEpoch: 2, currentLeaderEpoch: epoch }), 'b2'), 'b2')).errorCode;
    expect(code(1)).toBe(ErrorCode.FENCED_LEADER_EPOCH);
    expect(code(3)).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);
    c.send('b1', followerFetch('b3', { offset: 3, lastFetchedEpoch: 2, currentLeaderEpoch: 2 }), 'b3');
    expect(c.broker().partition.hw).toBe(0); // b2's fenced fetches did not count
  });

  it('a broker that is not a replica is NOT_LEADER_OR_FOLLOWER', () => {
    const c = new Cluster();
    expect(fetched(c.answer<FetchResponse>(c.send('b1', followerFetch('b4', { offset: 0, currentLeaderEpoch: 0 }), 'b4'), 'b4')).errorCode).toBe(
      ErrorCode.NOT_LEADER_OR_FOLLOWER,
    );
  });

  it('an offset past the log end without a last fetched epoch is OFFSET_OUT_OF_RANGE', () => {
    const c = new Cluster();
    produceNow(c, 1, records(3));
    expect(fetched(c.answer<FetchResponse>(c.send('b1', followerFetch('b2', { offset: 7, currentLeaderEpoch: 0 }), 'b2'), 'b2')).errorCode).toBe(
      ErrorCode.OFFSET_OUT_OF_RANGE,
    );
  });

  it('a diverging follower gets divergingEpoch, no records, and its fetch does not count (KIP-595)', () => {
    // b1 led epoch 0 ([0, 3)), then epoch 2 ([3, 5)); b2 claims epoch 1 up to offset 6.
    const c = new Cluster({ isr: ['b1', 'b2'], leaderEpoch: 0 });
    produceNow(c, 1, records(3));
    c.change({ leader: 'b2' });
    c.change({ leader: 'b1' });
    expect(c.broker().partition.leaderEpoch).toBe(2);
    produceNow(c, 1, records(2));
    const r = fetched(c.answer<FetchResponse>(c.send('b1', followerFetch('b2', { offset: 6, lastFetchedEpoch: 1, currentLeaderEpoch: 2 }), 'b2'), 'b2'));
    expect(r.errorCode).toBe(ErrorCode.NONE);
    expect(r.divergingEpoch).toEqual({ epoch: 0, endOffset: 3 });
    expect(r.records).toEqual([]);
    expect(c.broker().partition.hw).toBe(0);
    // Past the end of its last epoch in the leader's log (epoch 0 ends at 3).
    const past = fetched(c.answer<FetchResponse>(c.send('b1', followerFetch('b2', { offset: 4, lastFetchedEpoch: 0, currentLeaderEpoch: 2 }), 'b2'), 'b2'));
    expect(past.divergingEpoch).toEqual({ epoch: 0, endOffset: 3 });
    // Consistent: records from there on.
    const ok = fetched(c.answer<FetchResponse>(c.send('b1', followerFetch('b2', { offset: 3, lastFetchedEpoch: 0, currentLeaderEpoch: 2 }), 'b2'), 'b2'));
    expect(ok.divergingEpoch).toBeNull();
    expect(offsetsOf(ok.records)).toEqual([[3, 4]]);
  });

  it('a follower outside the ISR is proposed to join once it reaches the high watermark, with broker epochs (KIP-903)', () => {
    const c = new Cluster({ isr: ['b1', 'b2'] });
    produceNow(c, 1, records(3));
    c.send('b1', followerFetch('b2', { offset: 3, lastFetchedEpoch: 0, currentLeaderEpoch: 0 }), 'b2');
    expect(c.broker().partition.hw).toBe(3);
    c.send('b1', followerFetch('b3', { offset: 1, lastFetchedEpoch: 0, currentLeaderEpoch: 0 }), 'b3');
    expect(c.alterPartitions()).toEqual([]);
    c.send('b1', followerFetch('b3', { offset: 3, lastFetchedEpoch: 0, currentLeaderEpoch: 0 }), 'b3');
    const [req] = c.alterPartitions();
    expect(req).toMatchObject({ brokerId: 'b1', brokerEpoch: BROKER_EPOCH.b1 });
    expect(req!.topics).toEqual([
      {
        topicId: TOPIC_ID,
        partitions: [
          {
            partitionIndex: 0,
            leaderEpoch: 0,
            partitionEpoch: 0,
            leaderRecoveryState: 0,
            newIsrWithEpochs: [
              { brokerId: 'b1', brokerEpoch: -1 },
              { brokerId: 'b2', brokerEpoch: BROKER_EPOCH.b2 },
              { brokerId: 'b3', brokerEpoch: BROKER_EPOCH.b3 },
            ],
          },
        ],
      },
    ]);
    expect(c.broker().partition.pendingIsr).toEqual(['b1', 'b2', 'b3']);
  });

  it("the controller's answer commits the ISR change; without an answer the request is retried", () => {
    const c = new Cluster({ isr: ['b1', 'b2'], autoController: true });
    c.send('b1', followerFetch('b3', { offset: 0, lastFetchedEpoch: -1, currentLeaderEpoch: 0 }), 'b3');
    expect(c.alterPartitions()).toHaveLength(1);
    expect(c.broker().partition.isr).toEqual(['b1', 'b2', 'b3']);
    expect(c.broker().partition.pendingIsr).toBeNull();
    expect(c.broker().partition.partitionEpoch).toBe(1);

    const lost = new Cluster({ isr: ['b1', 'b2'] });
    lost.send('b1', followerFetch('b3', { offset: 0, lastFetchedEpoch: -1, currentLeaderEpoch: 0 }), 'b3');
    lost.advance(2_000); // controller.quorum.request.timeout.ms
    expect(lost.alterPartitions()).toHaveLength(2);
    expect(lost.alterPartitions()[1]!.correlationId).not.toBe(lost.alterPartitions()[0]!.correlationId);
  });

  it('shrinks the ISR of a follower that has not caught up for replica.lag.time.max.ms', () => {
    const c = new Cluster({ config: { 'replica.lag.time.max.ms': 1_000 }, autoController: true });
    produceNow(c, 1, records(2));
    for (let t = 0; t < 4; t++) {
      followersCatchUp(c, ['b2']); // b2 keeps up; b3 never fetches
      c.advance(400);
    }
    const [shrink] = c.alterPartitions();
    expect(shrink!.topics[0]!.partitions[0]!.newIsrWithEpochs.map((e) => e.brokerId)).toEqual(['b1', 'b2']);
    expect(c.state.isr).toEqual(['b1', 'b2']);
    expect(c.broker().partition.isr).toEqual(['b1', 'b2']);
    // With b3 out, b2 alone carries the high watermark.
    expect(c.broker().partition.hw).toBe(2);
  });
});

describe('ReplicaManager: replication between brokers', () => {
  const brokers = ['b1', 'b2', 'b3'];

  it("followers fetch the leader's batches; acks=all completes; followers learn the high watermark", () => {
    const c = new Cluster({ brokers, config: { 'replica.fetch.wait.max.ms': 200 } });
    const id = c.send('b1', produce(-1, records(3)));
    expect(produced(c.answer<ProduceResponse>(id))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0 });
    for (const b of ['b2', 'b3']) {
      const p = c.broker(b).partition;
      expect(p.role).toBe('follower');
      expect(p.log.storedBatches().map((s) => s.hash)).toEqual(
        c
          .broker()
          .partition.log.storedBatches()
          .map((s) => s.hash),
      );
    }
    expect(c.broker().partition.hw).toBe(3);
    c.advance(200); // the followers' parked fetches come back with the new high watermark
    expect(c.broker('b2').partition.hw).toBe(3);
    expect(c.broker('b3').partition.hw).toBe(3);
  });

  it("a follower whose log diverged truncates to the leader's epoch end and converges (KIP-101/595)", () => {
    const c = new Cluster({ brokers: ['b1', 'b2'], replicas: ['b1', 'b2'], config: { 'replica.fetch.wait.max.ms': 200 } });
    produceNow(c, -1, records(3)); // epoch 0: [0, 3) on both
    c.cut.add('b2');
    produceNow(c, 1, records(2)); // [3, 5) in epoch 0 on b1 only
    c.cut.delete('b2');
    c.cut.add('b1'); // b1 is away while b2 is elected and takes writes
    c.change({ leader: 'b2', isr: ['b2'] }); // epoch 1
    expect(produced(c.answer<ProduceResponse>(c.send('b2', produce(1, records(4)))))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 3 }); // [3, 7) in epoch 1
    expect(c.broker('b1').partition.logEndOffset).toBe(5);
    c.cut.delete('b1');
    c.advance(3_000); // b1's fetcher retries b2 after its request timeout
    const leader = c.broker('b2').partition;
    const follower = c.broker('b1').partition;
    expect(follower.role).toBe('follower');
    expect(follower.log.storedBatches().map((s) => [s.batch.baseOffset, s.batch.partitionLeaderEpoch, s.hash])).toEqual(
      leader.log.storedBatches().map((s) => [s.batch.baseOffset, s.batch.partitionLeaderEpoch, s.hash]),
    );
    expect(
      c
        .broker('b1')
        .traces.filter((e) => e.kind === 'partition-truncate')
        .map((e) => (e as { endOffset: number }).endOffset),
    ).toEqual([3]);
  });

  it('a follower outside the ISR catches up and is added to it through the controller', () => {
    const c = new Cluster({ brokers, isr: ['b1', 'b2'], autoController: true, config: { 'replica.fetch.wait.max.ms': 200 } });
    produceNow(c, -1, records(3));
    c.advance(1_000);
    expect(c.state.isr).toEqual(['b1', 'b2', 'b3']);
    expect(c.broker().partition.isr).toEqual(['b1', 'b2', 'b3']);
    expect(c.broker('b3').partition.logEndOffset).toBe(3);
  });

  it('a follower moves its fetches to the new leader, in the new epoch', () => {
    const c = new Cluster({ brokers: ['b1'], leader: 'b2', isr: ['b2', 'b1', 'b3'] });
    c.change({ leader: 'b3' });
    const last = c.received.filter((d) => d.from === 'b1' && d.msg.api === 'Fetch').at(-1)!;
    expect(last.to).toBe('b3');
    expect((last.msg as Extract<DataRequest, { api: 'Fetch' }>).topics[0]!.partitions[0]!.currentLeaderEpoch).toBe(1);
  });

  it("a follower applies fetched batches and takes the leader's high watermark clamped to its log end", () => {
    const c = new Cluster({ brokers: ['b1'], leader: 'b2', isr: ['b2', 'b1', 'b3'] });
    c.answerFollowerFetch('b1', 'b2', [written(0, 3, 0)], 9);
    const p = c.broker().partition;
    expect(p.logEndOffset).toBe(3);
    expect(p.hw).toBe(3);
    // It fetched again at once, from its new log end and last epoch.
    const last = c.received.filter((d) => d.from === 'b1' && d.msg.api === 'Fetch').at(-1)!.msg as Extract<DataRequest, { api: 'Fetch' }>;
    expect(last.topics[0]!.partitions[0]).toMatchObject({ fetchOffset: 3, lastFetchedEpoch: 0, currentLeaderEpoch: 0 });
    expect(last).toMatchObject({ replicaId: 'b1', replicaEpoch: BROKER_EPOCH.b1 });
  });

  it("a follower drops the part of a fetch answer whose partition changed epoch while it was in flight (as Kafka's fetcher)", () => {
    const c = new Cluster({ brokers: ['b1'], leader: 'b2', isr: ['b2', 'b1', 'b3'] });
    const fetches = () => c.received.filter((d) => d.from === 'b1' && d.msg.api === 'Fetch' && d.msg.kind === 'request');
    expect(fetches()).toHaveLength(1);
    c.change({ leader: null }); // epoch 1: no leader
    c.change({ leader: 'b2' }); // epoch 2: b2 again, while the epoch-0 fetch is still unanswered
    expect(c.broker().partition.leaderEpoch).toBe(2);
    expect(fetches()).toHaveLength(1);
    c.answerFollowerFetch('b1', 'b2', [written(0, 3, 0)], 3); // b2's answer as leader of epoch 0
    expect(c.broker().partition.logEndOffset).toBe(0);
    // The session goes on: the next fetch asks in epoch 2.
    const next = fetches().at(-1)!.msg as Extract<DataRequest, { api: 'Fetch' }>;
    expect(fetches()).toHaveLength(2);
    expect(next.topics[0]!.partitions[0]).toMatchObject({ fetchOffset: 0, currentLeaderEpoch: 2 });
  });

  /** b1 follows b2 (played by the test) and holds [0, 3) and [3, 5) of epoch 0; b2 answers its next fetch OFFSET_OUT_OF_RANGE. */
  function outOfRange(): { c: Cluster; listOffsets: () => Delivery[]; fetches: () => Delivery[] } {
    const c = new Cluster({ brokers: ['b1'], leader: 'b2', isr: ['b2', 'b1', 'b3'] });
    c.answerFollowerFetch('b1', 'b2', [written(0, 3, 0), written(3, 2, 0)], 5);
    c.answerFollowerFetch('b1', 'b2', [], 5, ErrorCode.OFFSET_OUT_OF_RANGE);
    return {
      c,
      listOffsets: () => c.received.filter((d) => d.from === 'b1' && d.msg.api === 'ListOffsets' && d.msg.kind === 'request'),
      fetches: () => c.received.filter((d) => d.from === 'b1' && d.msg.api === 'Fetch' && d.msg.kind === 'request'),
    };
  }

  /** b2's answer to b1's last ListOffsets: its log end. */
  function answerListOffsets(c: Cluster, offset: number, errorCode: number = ErrorCode.NONE): void {
    const req = c.received.filter((d) => d.from === 'b1' && d.msg.api === 'ListOffsets' && d.msg.kind === 'request').at(-1)!;
    const response: ListOffsetsResponse = {
      api: 'ListOffsets',
      kind: 'response',
      correlationId: req.msg.correlationId,
      topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, errorCode, timestamp: -1, offset, leaderEpoch: 0 }] }],
    };
    c.queue.push({ at: c.now, from: 'b2', to: 'b1', msg: response });
    c.deliver();
  }

  it("OFFSET_OUT_OF_RANGE: a follower asks the leader for its log end and truncates to it when ahead (Kafka's fetchOffsetAndTruncate)", () => {
    const { c, listOffsets, fetches } = outOfRange();
    expect(listOffsets()).toHaveLength(1);
    expect(listOffsets()[0]!.msg).toMatchObject({
      replicaId: 'b1',
      topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, currentLeaderEpoch: 0, timestamp: LATEST_TIMESTAMP }] }],
    });
    const fetchesBefore = fetches().length;
    c.advance(500); // no fetch of the partition while the answer is awaited
    expect(fetches()).toHaveLength(fetchesBefore);
    answerListOffsets(c, 3);
    expect(c.broker().partition.logEndOffset).toBe(3);
    expect((fetches().at(-1)!.msg as Extract<DataRequest, { api: 'Fetch' }>).topics[0]!.partitions[0]).toMatchObject({ fetchOffset: 3 });
  });

  it("OFFSET_OUT_OF_RANGE: a follower not ahead of the leader asks where the leader's log starts; at or below its own end it keeps its log and fetches again from its end", () => {
    const { c, listOffsets, fetches } = outOfRange();
    answerListOffsets(c, 9);
    expect(listOffsets().map((d) => (d.msg as Extract<DataRequest, { api: 'ListOffsets' }>).topics[0]!.partitions[0]!.timestamp)).toEqual([
      LATEST_TIMESTAMP,
      EARLIEST_TIMESTAMP,
    ]);
    const fetchesBefore = fetches().length;
    answerListOffsets(c, 5);
    expect(c.broker().partition.logEndOffset).toBe(5);
    expect(fetches()).toHaveLength(fetchesBefore + 1);
    expect((fetches().at(-1)!.msg as Extract<DataRequest, { api: 'Fetch' }>).topics[0]!.partitions[0]).toMatchObject({ fetchOffset: 5 });
  });

  it("OFFSET_OUT_OF_RANGE: a follower whose log ends before the leader's log start empties its log and starts it there (truncateFullyAndStartAt)", () => {
    const { c, fetches } = outOfRange();
    answerListOffsets(c, 20);
    answerListOffsets(c, 12);
    const p = c.broker().partition;
    expect([p.log.logStartOffset, p.logEndOffset, p.hw, p.log.storedBatches().length]).toEqual([12, 12, 12, 0]);
    expect(c.broker().traces.filter((e) => e.kind === 'partition-log-start')).toEqual([
      { kind: 'partition-log-start', topic: TOPIC, partition: 0, logStartOffset: 12, cause: 'leader' },
    ]);
    expect((fetches().at(-1)!.msg as Extract<DataRequest, { api: 'Fetch' }>).topics[0]!.partitions[0]).toMatchObject({ fetchOffset: 12, logStartOffset: 12 });
  });

  it('OFFSET_OUT_OF_RANGE: an answer for an epoch the follower has left, or an error, truncates nothing', () => {
    const moved = outOfRange();
    moved.c.change({ leader: 'b3' });
    answerListOffsets(moved.c, 2);
    expect(moved.c.broker().partition.logEndOffset).toBe(5);
    const refused = outOfRange();
    answerListOffsets(refused.c, 2, ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(refused.c.broker().partition.logEndOffset).toBe(5);
  });

  it('a follower backs off after an error answer and fetches again after replica.fetch.backoff.ms', () => {
    const c = new Cluster({ brokers: ['b1'], leader: 'b2', isr: ['b2', 'b1', 'b3'] });
    const fetches = () => c.received.filter((d) => d.from === 'b1' && d.msg.api === 'Fetch').length;
    expect(fetches()).toBe(1);
    c.answerFollowerFetch('b1', 'b2', [], 0, ErrorCode.NOT_LEADER_OR_FOLLOWER);
    expect(fetches()).toBe(1);
    c.advance(99);
    expect(fetches()).toBe(1);
    c.advance(1);
    expect(fetches()).toBe(2);
  });
});

describe('ReplicaManager: ListOffsets', () => {
  /** b1 leads with [0, 3) at t=100.. and [3, 5) at t=200..; HW 3. */
  function twoBatches(): Cluster {
    const c = new Cluster();
    produceNow(c, 1, records(3, 100));
    followersCatchUp(c);
    produceNow(c, 1, records(2, 200));
    return c;
  }
  const list = (c: Cluster, timestamp: number, epoch = -1) => listed(c.answer<ListOffsetsResponse>(c.send('b1', listOffsets(timestamp, epoch))));

  it('earliest is the log start; latest is the high watermark, not the log end', () => {
    const c = twoBatches();
    expect(list(c, EARLIEST_TIMESTAMP)).toMatchObject({ errorCode: ErrorCode.NONE, offset: 0 });
    expect(list(c, LATEST_TIMESTAMP)).toMatchObject({ errorCode: ErrorCode.NONE, offset: 3, leaderEpoch: 0 });
  });

  it('a follower asking as a replica is told the log end, not the high watermark (no isolation level, as Kafka answers replicas)', () => {
    const c = twoBatches();
    const asReplica = listed(c.answer<ListOffsetsResponse>(c.send('b1', listOffsets(LATEST_TIMESTAMP, 0, 'b2'), 'b2'), 'b2'));
    expect(asReplica).toMatchObject({ errorCode: ErrorCode.NONE, offset: 5, leaderEpoch: 0 });
  });

  it('by timestamp: the first offset at or after it, below the high watermark; -1 when there is none', () => {
    const c = twoBatches();
    expect(list(c, 0)).toMatchObject({ errorCode: ErrorCode.NONE, offset: 0, timestamp: 100 });
    expect(list(c, 101)).toMatchObject({ offset: 1, timestamp: 101 });
    expect(list(c, 150)).toMatchObject({ errorCode: ErrorCode.NONE, offset: -1, timestamp: -1 }); // 200 is above the HW
    followersCatchUp(c);
    expect(list(c, 150)).toMatchObject({ offset: 3, timestamp: 200 });
    expect(list(c, 999)).toMatchObject({ errorCode: ErrorCode.NONE, offset: -1, timestamp: -1 });
  });

  it("a new leader whose high watermark is below its epoch's start answers OFFSET_NOT_AVAILABLE until it gets there", () => {
    const c = new Cluster({ brokers: ['b1'], leader: 'b2', isr: ['b2', 'b1', 'b3'] });
    c.answerFollowerFetch('b1', 'b2', [written(0, 4, 0)], 2);
    c.change({ leader: 'b1' });
    expect(c.broker().partition.leaderEpochStartOffset).toBe(4);
    expect(list(c, LATEST_TIMESTAMP, 1).errorCode).toBe(ErrorCode.OFFSET_NOT_AVAILABLE);
    expect(list(c, EARLIEST_TIMESTAMP, 1)).toMatchObject({ errorCode: ErrorCode.NONE, offset: 0 });
    followersCatchUp(c);
    expect(list(c, LATEST_TIMESTAMP, 1)).toMatchObject({ errorCode: ErrorCode.NONE, offset: 4, leaderEpoch: 1 });
  });

  it('is fenced by leader epoch and served only by the leader', () => {
    const c = new Cluster({ leaderEpoch: 2 });
    expect(list(c, LATEST_TIMESTAMP, 1).errorCode).toBe(ErrorCode.FENCED_LEADER_EPOCH);
    expect(list(c, LATEST_TIMESTAMP, 3).errorCode).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);
    c.change({ leader: 'b2' });
    expect(list(c, LATEST_TIMESTAMP).errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  });
});

describe('ReplicaManager: OffsetForLeaderEpoch', () => {
  const ask = (c: Cluster, epoch: number, current = -1) => epochEnd(c.answer<OffsetForLeaderEpochResponse>(c.send('b1', offsetForLeaderEpoch(epoch, current))));

  /** b1 follows b2 in epoch 0 ([0, 3)), then leads from epoch 1 with [3, 5). */
  function twoEpochs(): Cluster {
    const c = new Cluster({ brokers: ['b1'], leader: 'b2', isr: ['b2', 'b1', 'b3'] });
    c.answerFollowerFetch('b1', 'b2', [written(0, 3, 0)], 3);
    c.change({ leader: 'b1' });
    produceNow(c, 1, records(2));
    return c;
  }

  it("answers where an epoch ends in the leader's log: the largest epoch at or below the one asked", () => {
    const c = twoEpochs();
    expect(ask(c, 0)).toEqual({ errorCode: ErrorCode.NONE, partition: 0, leaderEpoch: 0, endOffset: 3 });
    expect(ask(c, 1)).toEqual({ errorCode: ErrorCode.NONE, partition: 0, leaderEpoch: 1, endOffset: 5 });
  });

  it("an epoch older than every epoch in the log: the asked-for epoch and where the first one starts (Kafka's answer)", () => {
    const c = new Cluster({ replicas: ['b1'], leaderEpoch: 3 });
    produceNow(c, 1, records(2));
    expect(ask(c, 1)).toEqual({ errorCode: ErrorCode.NONE, partition: 0, leaderEpoch: 1, endOffset: 0 });
  });

  it('is fenced by the current leader epoch and served only by the leader', () => {
    const c = twoEpochs();
    expect(ask(c, 0, 0).errorCode).toBe(ErrorCode.FENCED_LEADER_EPOCH);
    expect(ask(c, 0, 2).errorCode).toBe(ErrorCode.UNKNOWN_LEADER_EPOCH);
    expect(ask(c, 0, 1).errorCode).toBe(ErrorCode.NONE);
    c.change({ leader: 'b3' });
    expect(ask(c, 0).errorCode).toBe(ErrorCode.NOT_LEADER_OR_FOLLOWER);
  });
});

describe('ReplicaManager: Metadata', () => {
  it("lists the unfenced brokers, the controller, and each partition's leader, epoch, replicas, ISR and offline replicas", () => {
    const c = new Cluster({ leaderEpoch: 4, isr: ['b1', 'b2'], fenced: ['b3'] });
    const r = c.answer<MetadataResponse>(c.send('b1', { api: 'Metadata', kind: 'request', topics: null, allowAutoTopicCreation: false }));
    expect(r.clusterId).toBe('test-cluster');
    expect(r.controllerId).toBe(CONTROLLER);
    expect(r.brokers.map((b) => b.nodeId)).toEqual(['b1', 'b2', 'b4']);
    expect(r.topics).toEqual([
      {
        errorCode: ErrorCode.NONE,
        name: TOPIC,
        topicId: TOPIC_ID,
        isInternal: false,
        partitions: [
          {
            errorCode: ErrorCode.NONE,
            partitionIndex: 0,
            leaderId: 'b1',
            leaderEpoch: 4,
            replicaNodes: ['b1', 'b2', 'b3'],
            isrNodes: ['b1', 'b2'],
            offlineReplicas: ['b3'],
          },
        ],
      },
    ]);
  });

  it('an unknown topic is UNKNOWN_TOPIC_OR_PARTITION; a partition without a leader LEADER_NOT_AVAILABLE', () => {
    const c = new Cluster();
    c.change({ leader: null });
    const r = c.answer<MetadataResponse>(c.send('b1', { api: 'Metadata', kind: 'request', topics: [TOPIC, 'nope'], allowAutoTopicCreation: false }));
    expect(r.topics[0]!.partitions[0]).toMatchObject({ errorCode: ErrorCode.LEADER_NOT_AVAILABLE, leaderId: null, leaderEpoch: 1 });
    expect(r.topics[1]).toEqual({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name: 'nope', topicId: null, isInternal: false, partitions: [] });
  });
});

describe('ReplicaManager: InitProducerId (KIP-730 producer id blocks)', () => {
  const init = (c: Cluster, producerId = -1, producerEpoch = -1) =>
    c.answer<InitProducerIdResponse>(
      c.send('b1', { api: 'InitProducerId', kind: 'request', transactionalId: null, transactionTimeoutMs: 2147483647, producerId, producerEpoch }),
    );

  it('asks the controller for a block and answers COORDINATOR_LOAD_IN_PROGRESS until it has one', () => {
    const c = new Cluster();
    expect(init(c)).toMatchObject({ errorCode: ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, producerId: -1 });
    expect(c.allocateProducerIds()).toMatchObject([{ brokerId: 'b1', brokerEpoch: BROKER_EPOCH['b1'] }]);
    // A second InitProducerId while the request is in flight asks nothing more.
    init(c);
    expect(c.allocateProducerIds()).toHaveLength(1);
    c.allotProducerIds('b1', 5000, 1000);
    expect(init(c)).toMatchObject({ errorCode: ErrorCode.NONE, producerId: 5000, producerEpoch: 0 });
    expect(init(c)).toMatchObject({ errorCode: ErrorCode.NONE, producerId: 5001, producerEpoch: 0 });
  });

  it('answers a request carrying an id and epoch with a fresh id, never the old id with a bumped epoch', () => {
    const c = new Cluster();
    init(c);
    c.allotProducerIds('b1', 0, 1000);
    expect(init(c, 77, 3)).toMatchObject({ errorCode: ErrorCode.NONE, producerId: 0, producerEpoch: 0 });
  });

  it('asks for the next block at 90% of the current one and moves on to it when the current one is used up', () => {
    const c = new Cluster();
    init(c);
    c.allotProducerIds('b1', 0, 10);
    const ids = [];
    for (let i = 0; i < 9; i++) ids.push(init(c).producerId);
    expect(ids).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(c.allocateProducerIds()).toHaveLength(1);
    expect(init(c).producerId).toBe(9); // the 90% mark: the next block is asked for
    expect(c.allocateProducerIds()).toHaveLength(2);
    c.allotProducerIds('b1', 20, 10);
    expect(init(c).producerId).toBe(20);
  });

  it('asks again after a refusal or a lost answer, once the backoff has passed', () => {
    const c = new Cluster();
    init(c);
    c.allotProducerIds('b1', -1, 0, ErrorCode.STALE_BROKER_EPOCH);
    init(c);
    expect(c.allocateProducerIds()).toHaveLength(1); // within the backoff
    c.advance(50);
    init(c);
    expect(c.allocateProducerIds()).toHaveLength(2);
    c.advance(60_000); // no answer: the request times out
    init(c);
    expect(c.allocateProducerIds()).toHaveLength(3);
  });
});

describe('ReplicaManager: durability', () => {
  it('checkpoints high watermarks every replica.high.watermark.checkpoint.interval.ms and restores them at restart', () => {
    const c = new Cluster({ replicas: ['b1', 'b2'], isr: ['b1'] });
    produceNow(c, 1, records(3));
    c.advance(5_000);
    produceNow(c, 1, records(2)); // HW 5, not checkpointed yet
    expect(c.broker().partition.hw).toBe(5);
    c.change({ leader: 'b2', isr: ['b2', 'b1'] }); // b1 restarts as a follower: nothing moves its HW
    c.restart('b1', false);
    const p = c.broker().partition;
    expect(p.logEndOffset).toBe(5); // the page cache survived
    expect(p.hw).toBe(3);
  });

  it('after a power loss the restored high watermark is clamped to what the log kept', () => {
    const c = new Cluster({ replicas: ['b1', 'b2'], isr: ['b1'] });
    produceNow(c, 1, records(3));
    c.advance(5_000); // the checkpoint (HW 3) is durable; the log never was fsynced
    c.change({ leader: 'b2', isr: ['b2', 'b1'] });
    c.restart('b1', true);
    const p = c.broker().partition;
    expect(p.logEndOffset).toBe(0);
    expect(p.hw).toBe(0);
    expect(
      c
        .broker()
        .traces.filter((e) => e.kind === 'partition-recover')
        .at(-1),
    ).toMatchObject({ batches: [], tornBytes: 0 });
  });

  it("the topic's flush.messages fsyncs the log every that many records", () => {
    const c = new Cluster({ replicas: ['b1'], topicConfig: { 'flush.messages': '3' } });
    produceNow(c, 1, records(2));
    expect(c.broker().partition.log.flushedEnd).toBe(0);
    produceNow(c, 1, records(1));
    expect(c.broker().partition.log.flushedEnd).toBe(3);
    produceNow(c, 1, records(1));
    c.restart('b1', true);
    expect(c.broker().partition.logEndOffset).toBe(3);
  });

  it("the topic's flush.ms fsyncs the log that long after the first unsynced append", () => {
    const c = new Cluster({ replicas: ['b1'], topicConfig: { 'flush.ms': '100' } });
    produceNow(c, 1, records(2));
    c.advance(99);
    expect(c.broker().partition.log.flushedEnd).toBe(0);
    c.advance(1);
    expect(c.broker().partition.log.flushedEnd).toBe(2);
    produceNow(c, 1, records(2));
    c.restart('b1', true);
    expect(c.broker().partition.logEndOffset).toBe(2);
  });
});

describe('ReplicaManager: retention and the log start offset', () => {
  const deleteRecords = (offset: number, timeoutMs = 1_000, topic = TOPIC): Body<DataRequest> => ({
    api: 'DeleteRecords',
    kind: 'request',
    topics: [{ name: topic, partitions: [{ partitionIndex: 0, offset }] }],
    timeoutMs,
  });
  const deleted = (r: DeleteRecordsResponse) => r.topics[0]!.partitions[0]!;
  const logStarts = (b: Broker) => b.traces.flatMap((e) => (e.kind === 'partition-log-start' ? [[e.logStartOffset, e.cause]] : []));
  const earliest = (c: Cluster) => listed(c.answer<ListOffsetsResponse>(c.send('b1', listOffsets(EARLIEST_TIMESTAMP)))).offset;

  it('every log.retention.check.interval.ms, records older than retention.ms go, never above the high watermark; reads below the log start are OFFSET_OUT_OF_RANGE', () => {
    const c = new Cluster({ replicas: ['b1', 'b2'], config: { 'log.retention.check.interval.ms': 1_000 }, topicConfig: { 'retention.ms': '2000' } });
    produceNow(c, 1, records(3, 0)); // timestamps 0..2; b2 has not fetched, so the high watermark stays 0
    c.advance(5_000);
    expect(c.broker().partition.log.logStartOffset).toBe(0);
    followersCatchUp(c, ['b2']);
    expect(c.broker().partition.hw).toBe(3);
    c.advance(1_000);
    expect(c.broker().partition.log.logStartOffset).toBe(3);
    expect(logStarts(c.broker())).toEqual([[3, 'retention']]);
    expect(fetched(c.answer<FetchResponse>(c.send('b1', consumerFetch({ offset: 0 })))).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect(earliest(c)).toBe(3);
    // Younger records stay: written at 6 000, they are not 2 s old at the next checks.
    produceNow(c, 1, records(2, 6_000));
    followersCatchUp(c, ['b2']);
    c.advance(2_000);
    expect(c.broker().partition.log.logStartOffset).toBe(3);
    c.advance(1_000);
    expect(c.broker().partition.log.logStartOffset).toBe(5);
  });

  it("the broker's log.retention.minutes is the default for topics without retention.ms, and retention.bytes 0 keeps nothing committed", () => {
    const minutes = new Cluster({ replicas: ['b1'], config: { 'log.retention.check.interval.ms': 30_000, 'log.retention.minutes': 1 } });
    produceNow(minutes, 1, records(3, 0));
    minutes.advance(60_000);
    expect(minutes.broker().partition.log.logStartOffset).toBe(0); // 60 000 - 2 is not over a minute
    minutes.advance(30_000);
    expect(minutes.broker().partition.log.logStartOffset).toBe(3);
    const bytes = new Cluster({ replicas: ['b1'], config: { 'log.retention.check.interval.ms': 1_000 }, topicConfig: { 'retention.bytes': '0' } });
    produceNow(bytes, 1, records(3, 1_000_000));
    bytes.advance(1_000);
    expect(bytes.broker().partition.log.logStartOffset).toBe(3);
  });

  it('a topic whose cleanup.policy lacks delete keeps everything, and refuses DeleteRecords with POLICY_VIOLATION', () => {
    const c = new Cluster({
      replicas: ['b1'],
      config: { 'log.retention.check.interval.ms': 1_000 },
      topicConfig: { 'cleanup.policy': 'compact', 'retention.ms': '0' },
    });
    produceNow(c, 1, records(3, 0));
    c.advance(5_000);
    expect(c.broker().partition.log.logStartOffset).toBe(0);
    expect(deleted(c.answer<DeleteRecordsResponse>(c.send('b1', deleteRecords(2))))).toEqual({
      partitionIndex: 0,
      lowWatermark: -1,
      errorCode: ErrorCode.POLICY_VIOLATION,
    });
  });

  it('DeleteRecords moves the log start, mid-batch if asked, never back and never past the high watermark (-1: the high watermark itself)', () => {
    const c = new Cluster({ replicas: ['b1'] });
    produceNow(c, 1, records(3));
    produceNow(c, 1, records(2));
    const answer = (offset: number) => deleted(c.answer<DeleteRecordsResponse>(c.send('b1', deleteRecords(offset))));
    expect(answer(6)).toEqual({ partitionIndex: 0, lowWatermark: -1, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE });
    expect(answer(-2)).toMatchObject({ errorCode: ErrorCode.OFFSET_OUT_OF_RANGE });
    expect(answer(4)).toEqual({ partitionIndex: 0, lowWatermark: 4, errorCode: ErrorCode.NONE });
    // The batch [3, 5) holding the new start stays; a read from the start gets it, below the start is out of range.
    expect(
      offsetsOf(
        c
          .broker()
          .partition.log.storedBatches()
          .map((b) => b.batch),
      ),
    ).toEqual([[3, 4]]);
    expect(fetched(c.answer<FetchResponse>(c.send('b1', consumerFetch({ offset: 3 })))).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect(offsetsOf(fetched(c.answer<FetchResponse>(c.send('b1', consumerFetch({ offset: 4 })))).records)).toEqual([[3, 4]]);
    expect(earliest(c)).toBe(4);
    expect(answer(2)).toEqual({ partitionIndex: 0, lowWatermark: 4, errorCode: ErrorCode.NONE });
    expect(answer(-1)).toEqual({ partitionIndex: 0, lowWatermark: 5, errorCode: ErrorCode.NONE });
    expect(logStarts(c.broker())).toEqual([
      [4, 'delete-records'],
      [5, 'delete-records'],
    ]);
  });

  it('DeleteRecords elsewhere than at the leader: NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION, and INVALID_TOPIC_EXCEPTION for internal topics', () => {
    const c = new Cluster({ brokers: ['b1'], leader: 'b2', isr: ['b2', 'b1', 'b3'] });
    expect(deleted(c.answer<DeleteRecordsResponse>(c.send('b1', deleteRecords(0))))).toMatchObject({ errorCode: ErrorCode.NOT_LEADER_OR_FOLLOWER });
    expect(deleted(c.answer<DeleteRecordsResponse>(c.send('b1', deleteRecords(0, 1_000, 'nope'))))).toMatchObject({
      errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    });
    expect(deleted(c.answer<DeleteRecordsResponse>(c.send('b1', deleteRecords(0, 1_000, '__consumer_offsets'))))).toMatchObject({
      errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION,
    });
  });

  it("DeleteRecords waits until every live replica's log start reaches it (DelayedDeleteRecords), or answers REQUEST_TIMED_OUT", () => {
    const c = new Cluster({ replicas: ['b1', 'b2', 'b3', 'b4'], isr: ['b1', 'b2', 'b3'], fenced: ['b4'] });
    produceNow(c, 1, records(3));
    followersCatchUp(c, ['b2', 'b3']);
    const id = c.send('b1', deleteRecords(-1, 1_000));
    expect(c.response(id)).toBeUndefined();
    c.send('b1', followerFetch('b2', { offset: 3, lastFetchedEpoch: 0, logStartOffset: 3 }), 'b2');
    expect(c.response(id)).toBeUndefined();
    // b4 is fenced: not waited for (Kafka counts replicas on live brokers).
    c.send('b1', followerFetch('b3', { offset: 3, lastFetchedEpoch: 0, logStartOffset: 3 }), 'b3');
    expect(deleted(c.answer<DeleteRecordsResponse>(id))).toEqual({ partitionIndex: 0, lowWatermark: 3, errorCode: ErrorCode.NONE });
    produceNow(c, 1, records(2));
    followersCatchUp(c, ['b2', 'b3']);
    const late = c.send('b1', deleteRecords(-1, 500));
    c.advance(499);
    expect(c.response(late)).toBeUndefined();
    c.advance(1);
    expect(deleted(c.answer<DeleteRecordsResponse>(late))).toEqual({ partitionIndex: 0, lowWatermark: 0, errorCode: ErrorCode.REQUEST_TIMED_OUT });
  });

  it('followers run retention too, each up to its own high watermark', () => {
    const c = new Cluster({
      brokers: ['b1', 'b2'],
      replicas: ['b1', 'b2'],
      config: { 'replica.fetch.wait.max.ms': 200, 'log.retention.check.interval.ms': 1_000 },
      topicConfig: { 'retention.ms': '500' },
    });
    produceNow(c, -1, records(3, 0));
    c.advance(200);
    expect(c.broker('b2').partition.hw).toBe(3);
    c.cut.add('b1'); // b2 hears nothing more of its leader's log start
    c.advance(1_000);
    expect(logStarts(c.broker('b1'))).toEqual([[3, 'retention']]);
    expect(logStarts(c.broker('b2'))).toEqual([[3, 'retention']]);
  });

  it("followers take the leader's log start from its fetch answers, and DeleteRecords completes when they report it", () => {
    const c = new Cluster({ brokers: ['b1', 'b2', 'b3'], config: { 'replica.fetch.wait.max.ms': 200 } });
    produceNow(c, -1, records(3));
    c.advance(200);
    const id = c.send('b1', deleteRecords(-1, 5_000));
    expect(c.response(id)).toBeUndefined();
    c.advance(400);
    for (const b of ['b2', 'b3']) {
      expect(c.broker(b).partition.log.logStartOffset).toBe(3);
      expect(logStarts(c.broker(b))).toEqual([[3, 'leader']]);
    }
    expect(deleted(c.answer<DeleteRecordsResponse>(id))).toEqual({ partitionIndex: 0, lowWatermark: 3, errorCode: ErrorCode.NONE });
  });

  it("a follower that was away while the leader deleted its records fetches below the log start, starts its log at the leader's, and replicates on", () => {
    const c = new Cluster({ brokers: ['b1', 'b2', 'b3'], autoController: true, config: { 'replica.fetch.wait.max.ms': 200 } });
    c.cut.add('b3');
    produceNow(c, 1, records(1));
    c.advance(16_000); // b3, stuck at 0, leaves the ISR
    expect(c.state.isr).toEqual(['b1', 'b2']);
    produceNow(c, -1, records(3));
    c.advance(200);
    const id = c.send('b1', deleteRecords(-1, 10_000));
    c.advance(400);
    expect(c.response(id)).toBeUndefined(); // b3 is on a live broker and has not reported
    c.cut.delete('b3');
    c.advance(3_000);
    const b3 = c.broker('b3').partition;
    expect([b3.log.logStartOffset, b3.logEndOffset]).toEqual([4, 4]);
    expect(logStarts(c.broker('b3'))).toEqual([[4, 'leader']]);
    expect(deleted(c.answer<DeleteRecordsResponse>(id))).toEqual({ partitionIndex: 0, lowWatermark: 4, errorCode: ErrorCode.NONE });
    produceNow(c, 1, records(2));
    c.advance(400);
    expect(b3.log.storedBatches().map((s) => s.hash)).toEqual(
      c
        .broker()
        .partition.log.storedBatches()
        .map((s) => s.hash),
    );
  });

  it('a follower of a leader whose log start DeleteRecords put inside a batch takes that whole batch and keeps the start inside it', () => {
    const c = new Cluster({ brokers: ['b1'], leader: 'b2', isr: ['b2', 'b1'] });
    const b1 = c.broker().partition;
    c.answerFollowerFetch('b1', 'b2', [], 0, ErrorCode.OFFSET_OUT_OF_RANGE);
    const answerListOffsets = (offset: number) => {
      const req = c.received.filter((d) => d.from === 'b1' && d.msg.api === 'ListOffsets' && d.msg.kind === 'request').at(-1)!;
      c.queue.push({
        at: c.now,
        from: 'b2',
        to: 'b1',
        msg: {
          api: 'ListOffsets',
          kind: 'response',
          correlationId: req.msg.correlationId,
          topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, errorCode: 0, timestamp: -1, offset, leaderEpoch: 0 }] }],
        },
      });
      c.deliver();
    };
    answerListOffsets(10);
    answerListOffsets(4); // the leader's log starts at 4, inside its batch [3, 6)
    expect([b1.log.logStartOffset, b1.logEndOffset]).toEqual([4, 4]);
    c.answerFollowerFetch('b1', 'b2', [written(3, 3, 0)], 6, ErrorCode.NONE, 4);
    expect([b1.log.logStartOffset, b1.logEndOffset, b1.hw]).toEqual([4, 6, 6]);
    expect(offsetsOf(b1.log.storedBatches().map((s) => s.batch))).toEqual([[3, 5]]);
  });

  it("an idempotent retry of a batch the log start passed is still a duplicate: the producer state keeps what it knew (Kafka's since KIP-360)", () => {
    const c = new Cluster({ replicas: ['b1'] });
    expect(produceNow(c, 1, records(2, 1_000, { id: 5, seq: 0 })).baseOffset).toBe(0);
    expect(produceNow(c, 1, records(3, 2_000, { id: 5, seq: 2 })).baseOffset).toBe(2);
    expect(deleted(c.answer<DeleteRecordsResponse>(c.send('b1', deleteRecords(-1)))).lowWatermark).toBe(5);
    expect(produceNow(c, 1, records(3, 2_000, { id: 5, seq: 2 }))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 2 });
    expect(c.broker().partition.logEndOffset).toBe(5);
    expect(produceNow(c, 1, records(1, 3_000, { id: 5, seq: 5 })).baseOffset).toBe(5);
  });

  it('log start offsets are checkpointed every log.flush.start.offset.checkpoint.interval.ms and restored at restart; a restart before that forgets the move', () => {
    const c = new Cluster({ replicas: ['b1'], config: { 'log.flush.start.offset.checkpoint.interval.ms': 1_000 } });
    produceNow(c, 1, records(3));
    produceNow(c, 1, records(2));
    c.send('b1', deleteRecords(4));
    c.restart('b1', false);
    expect(c.broker().partition.log.logStartOffset).toBe(0); // Kafka's window too: the move was not checkpointed yet
    c.send('b1', deleteRecords(4));
    c.advance(1_000);
    c.restart('b1', false);
    const p = c.broker().partition;
    expect([p.log.logStartOffset, p.logEndOffset, p.hw]).toEqual([4, 5, 5]);
    expect(
      c
        .broker()
        .traces.filter((e) => e.kind === 'partition-recover')
        .at(-1),
    ).toMatchObject({ logStartOffset: 4, highWatermark: 4 });
  });
});

describe('ReplicaManager: the seeded bugs break what the tests above check', () => {
  it('ack-before-hw: acks=all is answered before the followers have the batch', () => {
    const c = new Cluster({ bugs: ['ack-before-hw'] });
    expect(produceNow(c, -1, records(3)).errorCode).toBe(ErrorCode.NONE);
    expect(c.broker().partition.hw).toBe(0);
  });

  it('retention-past-hw: retention deletes records above the high watermark, which no follower holds', () => {
    const options = { replicas: ['b1', 'b2'], config: { 'log.retention.check.interval.ms': 1_000 }, topicConfig: { 'retention.ms': '0' } };
    const buggy = new Cluster({ ...options, bugs: ['retention-past-hw'] });
    produceNow(buggy, 1, records(3, 0));
    buggy.advance(1_000);
    expect([buggy.broker().partition.log.logStartOffset, buggy.broker().partition.hw]).toEqual([3, 0]);
    const fine = new Cluster(options);
    produceNow(fine, 1, records(3, 0));
    fine.advance(1_000);
    expect(fine.broker().partition.log.logStartOffset).toBe(0);
  });

  it('no-epoch-fencing: a follower of an older epoch is served, and its divergence goes unnoticed', () => {
    const c = new Cluster({ leaderEpoch: 2, bugs: ['no-epoch-fencing'] });
    produceNow(c, 1, records(3));
    const r = fetched(c.answer<FetchResponse>(c.send('b1', followerFetch('b2', { offset: 5, lastFetchedEpoch: 1, currentLeaderEpoch: 1 }), 'b2'), 'b2'));
    expect(r.errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    expect(r.divergingEpoch).toBeNull();
  });

  it('no-sequence-check: an idempotent retry is appended twice', () => {
    const c = new Cluster({ replicas: ['b1'], bugs: ['no-sequence-check'] });
    produceNow(c, 1, records(2, 1_000, { id: 5, seq: 0 }));
    expect(produceNow(c, 1, records(2, 1_000, { id: 5, seq: 0 })).baseOffset).toBe(2);
  });
});
