// A small fake Kafka cluster for the clients' tests: broker nodes that share one in-memory log per
// partition, answer Metadata, InitProducerId, Produce (with KIP-98 deduplication), Fetch (with a
// simple long-poll), ListOffsets and OffsetForLeaderEpoch, and can be told to answer with errors,
// drop responses, or move a partition's leadership with an epoch bump and a truncation.

import type { Env, Node, NodeId, TimerTag } from '../../core/env.ts';
import type {
  DataMessage,
  DataRequest,
  FetchPartitionResponse,
  FetchRequest,
  MetadataTopic,
  ProducePartitionResponse,
  ProduceRequest,
} from '../../core/protocol/data.ts';
import { ErrorCode } from '../../core/protocol/errors.ts';
import { assignOffsets, batchSizeInBytes, lastOffsetOf, type KafkaRecord, type RecordBatch } from '../../core/protocol/records.ts';

interface ProducerEntry {
  epoch: number;
  lastSequence: number;
  /** The last five batches, for deduplication (Kafka's ProducerStateEntry). */
  batches: Array<{ firstSeq: number; lastSeq: number; baseOffset: number }>;
}

export interface FakePartition {
  leader: NodeId;
  leaderEpoch: number;
  log: RecordBatch[];
  logStartOffset: number;
  /** Leader epoch history: the first offset of each epoch (Kafka's leader-epoch-checkpoint). */
  epochs: Array<{ epoch: number; startOffset: number }>;
  producers: Map<number, ProducerEntry>;
  /** The aborted transactions a read_committed fetch is told about (producer id, first offset). */
  aborted?: Array<{ producerId: number; firstOffset: number }>;
}

/** A scripted misbehaviour, used `times` times by the first requests it matches. */
export interface Fault {
  api: DataRequest['api'];
  broker?: NodeId;
  topic?: string;
  partition?: number;
  /** Answer this error for the partition (or the whole InitProducerId). */
  error?: number;
  /** Append the batch first, then answer `error` (NOT_ENOUGH_REPLICAS_AFTER_APPEND, REQUEST_TIMED_OUT). */
  append?: boolean;
  /** Handle the request normally but send no response (as if it were lost on the way back). */
  drop?: boolean;
  times: number;
}

export interface ReceivedRequest {
  at: number;
  broker: NodeId;
  from: NodeId;
  msg: DataRequest;
}

export class FakeCluster {
  readonly topics = new Map<string, FakePartition[]>();
  readonly requests: ReceivedRequest[] = [];
  /** Responses sent: [time, broker, correlation id, api]. */
  readonly responses: Array<{ at: number; broker: NodeId; to: NodeId; correlationId: number; api: DataRequest['api'] }> = [];
  readonly faults: Fault[] = [];
  private nextProducerId = 1000;

  constructor(readonly brokers: readonly NodeId[]) {}

  createTopic(name: string, partitions: number, leader: NodeId = this.brokers[0]!): void {
    this.topics.set(
      name,
      Array.from({ length: partitions }, () => ({
        leader,
        leaderEpoch: 0,
        log: [],
        logStartOffset: 0,
        epochs: [{ epoch: 0, startOffset: 0 }],
        producers: new Map(),
      })),
    );
  }

  partition(topic: string, partition: number): FakePartition {
    const p = this.topics.get(topic)?.[partition];
    if (p === undefined) throw new Error(`no partition ${topic}/${partition}`);
    return p;
  }

  endOffset(topic: string, partition: number): number {
    const log = this.partition(topic, partition).log;
    return log.length === 0 ? this.partition(topic, partition).logStartOffset : lastOffsetOf(log[log.length - 1]!) + 1;
  }

  /** Every record value in the partition's log, in offset order. */
  values(topic: string, partition: number): Array<string | null> {
    return this.partition(topic, partition).log.flatMap((b) => ((b.attributes & 0x20) !== 0 ? [] : b.records.map((r) => r.value)));
  }

  /** [offset, value] of every record of the partition. */
  entries(topic: string, partition: number): Array<[number, string | null]> {
    return this.partition(topic, partition).log.flatMap((b) =>
      (b.attributes & 0x20) !== 0 ? [] : b.records.map((r) => [b.baseOffset + r.offsetDelta, r.value] as [number, string | null]),
    );
  }

  /** Appends records as the leader would (for consumer tests); returns the base offset. */
  appendRecords(
    topic: string,
    partition: number,
    values: string[],
    options: { control?: boolean; keys?: Array<string | null>; producerId?: number; transactional?: boolean } = {},
  ): number {
    const p = this.partition(topic, partition);
    const records: KafkaRecord[] = values.map((value, i) => ({ offsetDelta: i, timestampDelta: 0, key: options.keys?.[i] ?? null, value, headers: [] }));
    const batch: RecordBatch = {
      baseOffset: 0,
      partitionLeaderEpoch: -1,
      attributes: options.control ? 0x30 : options.transactional ? 0x10 : 0,
      lastOffsetDelta: records.length - 1,
      baseTimestamp: 0,
      maxTimestamp: 0,
      producerId: options.producerId ?? -1,
      producerEpoch: -1,
      baseSequence: -1,
      records,
    };
    const base = this.endOffset(topic, partition);
    p.log.push(assignOffsets(batch, base, p.leaderEpoch));
    return base;
  }

  /**
   * Moves leadership to `leader` with a new leader epoch; with `truncateTo`, the new leader's log
   * ends there (what the old leader appended past it was never replicated and is gone).
   */
  moveLeader(topic: string, partition: number, leader: NodeId, truncateTo?: number): void {
    const p = this.partition(topic, partition);
    if (truncateTo !== undefined) {
      p.log = p.log
        .filter((b) => b.baseOffset < truncateTo)
        .map((b) =>
          lastOffsetOf(b) < truncateTo
            ? b
            : { ...b, lastOffsetDelta: truncateTo - 1 - b.baseOffset, records: b.records.filter((r) => b.baseOffset + r.offsetDelta < truncateTo) },
        );
      p.epochs = p.epochs.filter((e, i) => i === 0 || e.startOffset < truncateTo);
      rebuildProducers(p);
    }
    p.leader = leader;
    p.leaderEpoch++;
    p.epochs.push({ epoch: p.leaderEpoch, startOffset: this.endOffset(topic, partition) });
  }

  inject(fault: Fault): void {
    this.faults.push({ ...fault });
  }

  /** Requests of one API received so far (optionally by one broker). */
  received<A extends DataRequest['api']>(api: A, broker?: NodeId): Array<ReceivedRequest & { msg: Extract<DataRequest, { api: A }> }> {
    return this.requests.filter((r) => r.msg.api === api && (broker === undefined || r.broker === broker)) as Array<
      ReceivedRequest & { msg: Extract<DataRequest, { api: A }> }
    >;
  }

  /** Takes one use of the first fault matching; null when none does. */
  takeFault(match: { api: DataRequest['api']; broker: NodeId; topic?: string; partition?: number }, want: (f: Fault) => boolean): Fault | null {
    for (const f of this.faults) {
      if (f.times <= 0 || f.api !== match.api || !want(f)) continue;
      if (f.broker !== undefined && f.broker !== match.broker) continue;
      if (f.topic !== undefined && f.topic !== match.topic) continue;
      if (f.partition !== undefined && f.partition !== match.partition) continue;
      f.times--;
      return f;
    }
    return null;
  }

  /**
   * The epoch a fresh id starts at: 0 as Kafka's brokers give it; a test sets it near the maximum to
   * reach the overflow of an idempotent producer's local epoch bumps without 32,767 failures.
   */
  freshEpoch = 0;

  /** As Kafka answers InitProducerId without a transactional id: a fresh id, whatever the request carries. */
  allocateProducerId(): { producerId: number; producerEpoch: number } {
    return { producerId: this.nextProducerId++, producerEpoch: this.freshEpoch };
  }
}

function rebuildProducers(p: FakePartition): void {
  p.producers = new Map();
  for (const b of p.log) if (b.producerId >= 0) recordProducerBatch(p, b, b.baseOffset);
}

function recordProducerBatch(p: FakePartition, batch: RecordBatch, baseOffset: number): void {
  const lastSeq = batch.baseSequence + batch.lastOffsetDelta;
  let entry = p.producers.get(batch.producerId);
  if (entry === undefined || entry.epoch !== batch.producerEpoch) {
    entry = { epoch: batch.producerEpoch, lastSequence: -1, batches: [] };
    p.producers.set(batch.producerId, entry);
  }
  entry.lastSequence = lastSeq;
  entry.batches.push({ firstSeq: batch.baseSequence, lastSeq, baseOffset });
  if (entry.batches.length > 5) entry.batches.shift();
}

const PARK = 'fetch:';

export class FakeBroker implements Node<DataMessage> {
  private parked = new Map<TimerTag, { from: NodeId; msg: FetchRequest }>();

  constructor(
    readonly id: NodeId,
    readonly cluster: FakeCluster,
  ) {}

  start(): void {
    this.parked = new Map();
  }

  receive(env: Env<DataMessage>, from: NodeId, msg: DataMessage): void {
    if (msg.kind !== 'request') return;
    this.cluster.requests.push({ at: env.now(), broker: this.id, from, msg });
    const drop = this.cluster.takeFault({ api: msg.api, broker: this.id }, (f) => f.drop === true) !== null;
    const reply = (response: DataMessage) => {
      if (!drop) this.respond(env, from, response);
    };
    switch (msg.api) {
      case 'Metadata': {
        const names = msg.topics ?? [...this.cluster.topics.keys()];
        const topics: MetadataTopic[] = names.map((name) => {
          const parts = this.cluster.topics.get(name);
          if (parts === undefined) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name, topicId: null, isInternal: false, partitions: [] };
          return {
            errorCode: ErrorCode.NONE,
            name,
            topicId: `T-${name}`,
            isInternal: false,
            partitions: parts.map((p, i) => ({
              errorCode: ErrorCode.NONE,
              partitionIndex: i,
              leaderId: p.leader,
              leaderEpoch: p.leaderEpoch,
              replicaNodes: [...this.cluster.brokers],
              isrNodes: [...this.cluster.brokers],
              offlineReplicas: [],
            })),
          };
        });
        const brokers = this.cluster.brokers.map((b, i) => ({ nodeId: b, host: b, port: 9092 + i, rack: null }));
        reply({ api: 'Metadata', kind: 'response', correlationId: msg.correlationId, brokers, clusterId: 'fake', controllerId: null, topics });
        return;
      }
      case 'InitProducerId': {
        const fault = this.cluster.takeFault({ api: msg.api, broker: this.id }, (f) => f.error !== undefined);
        if (fault !== null) {
          reply({ api: 'InitProducerId', kind: 'response', correlationId: msg.correlationId, errorCode: fault.error!, producerId: -1, producerEpoch: -1 });
          return;
        }
        const ids = this.cluster.allocateProducerId();
        reply({ api: 'InitProducerId', kind: 'response', correlationId: msg.correlationId, errorCode: ErrorCode.NONE, ...ids });
        return;
      }
      case 'Produce': {
        const responses = msg.topicData.map((t) => ({
          name: t.name,
          partitionResponses: t.partitionData.map((pd) => this.produce(t.name, pd.index, pd.records)),
        }));
        if (msg.acks !== 0) reply({ api: 'Produce', kind: 'response', correlationId: msg.correlationId, responses, throttleTimeMs: 0 });
        return;
      }
      case 'Fetch': {
        if (!this.hasData(msg) && msg.maxWaitMs > 0 && !drop) {
          const tag = `${PARK}${from}:${msg.correlationId}`;
          this.parked.set(tag, { from, msg });
          env.setTimer(msg.maxWaitMs, tag);
          return;
        }
        reply(this.fetch(msg));
        return;
      }
      case 'ListOffsets': {
        const topics = msg.topics.map((t) => ({
          name: t.name,
          partitions: t.partitions.map((q) => {
            const error = this.check('ListOffsets', t.name, q.partitionIndex, q.currentLeaderEpoch);
            if (error !== ErrorCode.NONE) return { partitionIndex: q.partitionIndex, errorCode: error, timestamp: -1, offset: -1, leaderEpoch: -1 };
            const p = this.cluster.partition(t.name, q.partitionIndex);
            const offset =
              q.timestamp === -2 ? p.logStartOffset : q.timestamp === -1 ? this.cluster.endOffset(t.name, q.partitionIndex) : firstAtOrAfter(p, q.timestamp);
            return { partitionIndex: q.partitionIndex, errorCode: ErrorCode.NONE, timestamp: -1, offset, leaderEpoch: p.leaderEpoch };
          }),
        }));
        reply({ api: 'ListOffsets', kind: 'response', correlationId: msg.correlationId, topics });
        return;
      }
      case 'OffsetForLeaderEpoch': {
        const topics = msg.topics.map((t) => ({
          topic: t.topic,
          partitions: t.partitions.map((q) => {
            const error = this.check('OffsetForLeaderEpoch', t.topic, q.partition, q.currentLeaderEpoch);
            if (error !== ErrorCode.NONE) return { errorCode: error, partition: q.partition, leaderEpoch: -1, endOffset: -1 };
            const p = this.cluster.partition(t.topic, q.partition);
            // The largest epoch at or below the one asked for, and where it ends.
            let found = -1;
            for (let i = 0; i < p.epochs.length; i++) if (p.epochs[i]!.epoch <= q.leaderEpoch) found = i;
            if (found < 0) return { errorCode: ErrorCode.NONE, partition: q.partition, leaderEpoch: -1, endOffset: -1 };
            const end = found + 1 < p.epochs.length ? p.epochs[found + 1]!.startOffset : this.cluster.endOffset(t.topic, q.partition);
            return { errorCode: ErrorCode.NONE, partition: q.partition, leaderEpoch: p.epochs[found]!.epoch, endOffset: end };
          }),
        }));
        reply({ api: 'OffsetForLeaderEpoch', kind: 'response', correlationId: msg.correlationId, topics });
        return;
      }
    }
  }

  fire(env: Env<DataMessage>, tag: TimerTag): void {
    const parked = this.parked.get(tag);
    if (parked === undefined) return;
    this.parked.delete(tag);
    this.respond(env, parked.from, this.fetch(parked.msg));
  }

  private respond(env: Env<DataMessage>, to: NodeId, response: DataMessage): void {
    this.cluster.responses.push({ at: env.now(), broker: this.id, to, correlationId: response.correlationId, api: response.api });
    env.send(to, response);
  }

  /** Leadership, topic and leader-epoch checks shared by the partition-level APIs. */
  private check(api: DataRequest['api'], topic: string, partition: number, currentLeaderEpoch: number): number {
    const p = this.cluster.topics.get(topic)?.[partition];
    if (p === undefined) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    const fault = this.cluster.takeFault({ api, broker: this.id, topic, partition }, (f) => f.error !== undefined && !f.append);
    if (fault !== null) return fault.error!;
    if (p.leader !== this.id) return ErrorCode.NOT_LEADER_OR_FOLLOWER;
    if (currentLeaderEpoch >= 0 && currentLeaderEpoch < p.leaderEpoch) return ErrorCode.FENCED_LEADER_EPOCH;
    if (currentLeaderEpoch > p.leaderEpoch) return ErrorCode.UNKNOWN_LEADER_EPOCH;
    return ErrorCode.NONE;
  }

  private produce(topic: string, partition: number, batch: RecordBatch): ProducePartitionResponse {
    const answer = (errorCode: number, baseOffset = -1): ProducePartitionResponse => ({
      index: partition,
      errorCode,
      baseOffset,
      logAppendTimeMs: -1,
      logStartOffset: 0,
      errorMessage: null,
      currentLeader: null,
    });
    const error = this.check('Produce', topic, partition, -1);
    if (error !== ErrorCode.NONE) return answer(error);
    const p = this.cluster.partition(topic, partition);
    if (batch.producerId >= 0) {
      const entry = p.producers.get(batch.producerId);
      if (entry !== undefined && batch.producerEpoch < entry.epoch) return answer(ErrorCode.INVALID_PRODUCER_EPOCH);
      if (entry !== undefined && batch.producerEpoch === entry.epoch) {
        const lastSeq = batch.baseSequence + batch.lastOffsetDelta;
        const dup = entry.batches.find((b) => b.firstSeq === batch.baseSequence && b.lastSeq === lastSeq);
        if (dup !== undefined) return answer(ErrorCode.NONE, dup.baseOffset);
      }
      const expected = entry !== undefined && entry.epoch === batch.producerEpoch ? entry.lastSequence + 1 : 0;
      if (batch.baseSequence !== expected) return answer(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    }
    const baseOffset = this.cluster.endOffset(topic, partition);
    p.log.push(assignOffsets(batch, baseOffset, p.leaderEpoch));
    if (batch.producerId >= 0) recordProducerBatch(p, batch, baseOffset);
    const after = this.cluster.takeFault({ api: 'Produce', broker: this.id, topic, partition }, (f) => f.append === true);
    return answer(after?.error ?? ErrorCode.NONE, after === null ? baseOffset : -1);
  }

  private hasData(msg: FetchRequest): boolean {
    return msg.topics.some((t) =>
      t.partitions.some((q) => {
        const p = this.cluster.topics.get(t.topic)?.[q.partition];
        return p === undefined || p.leader !== this.id || this.cluster.endOffset(t.topic, q.partition) !== q.fetchOffset;
      }),
    );
  }

  private fetch(msg: FetchRequest): DataMessage {
    const topics = msg.topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((q): FetchPartitionResponse => {
        const base = {
          partitionIndex: q.partition,
          highWatermark: -1,
          lastStableOffset: -1,
          logStartOffset: -1,
          divergingEpoch: null,
          abortedTransactions: null,
          currentLeader: { leaderId: null, leaderEpoch: -1 },
          records: [],
        };
        const error = this.check('Fetch', t.topic, q.partition, q.currentLeaderEpoch);
        if (error !== ErrorCode.NONE) return { ...base, errorCode: error };
        const p = this.cluster.partition(t.topic, q.partition);
        const end = this.cluster.endOffset(t.topic, q.partition);
        if (q.fetchOffset < p.logStartOffset || q.fetchOffset > end) return { ...base, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, highWatermark: end };
        const records: RecordBatch[] = [];
        let bytes = 0;
        for (const b of p.log) {
          if (lastOffsetOf(b) < q.fetchOffset) continue;
          const size = batchSizeInBytes(b);
          // At least one batch, even a large one (KIP-74).
          if (records.length > 0 && bytes + size > q.partitionMaxBytes) break;
          records.push(b);
          bytes += size;
        }
        const abortedTransactions = msg.isolationLevel === 1 ? [...(p.aborted ?? [])] : null;
        return {
          ...base,
          errorCode: ErrorCode.NONE,
          highWatermark: end,
          lastStableOffset: end,
          logStartOffset: p.logStartOffset,
          records,
          abortedTransactions,
        };
      }),
    }));
    return { api: 'Fetch', kind: 'response', correlationId: msg.correlationId, errorCode: ErrorCode.NONE, topics };
  }
}

/** The Produce requests' batches for one partition, in arrival order. */
export function producedBatches(
  cluster: FakeCluster,
  topic: string,
  partition: number,
): Array<{ broker: NodeId; at: number; batch: RecordBatch; request: ProduceRequest }> {
  const out: Array<{ broker: NodeId; at: number; batch: RecordBatch; request: ProduceRequest }> = [];
  for (const r of cluster.received('Produce')) {
    for (const t of r.msg.topicData) {
      if (t.name !== topic) continue;
      for (const pd of t.partitionData) if (pd.index === partition) out.push({ broker: r.broker, at: r.at, batch: pd.records, request: r.msg });
    }
  }
  return out;
}

/** The offset of the partition's first record stamped at or after `timestamp`, or -1 when there is none (ListOffsets by time). */
function firstAtOrAfter(p: FakePartition, timestamp: number): number {
  for (const batch of p.log) {
    const i = batch.records.findIndex((r) => batch.baseTimestamp + r.timestampDelta >= timestamp);
    if (i >= 0) return batch.baseOffset + batch.records[i]!.offsetDelta;
  }
  return -1;
}
