// The transactional data plane on a partition leader (KIP-98, KIP-890): WriteTxnMarkers, the last
// stable offset and its trace, read_committed Fetch and ListOffsets, the aborted-transaction index
// (persisted, truncated, rebuilt by recovery), KIP-890 verification against a fake coordinator, the
// cleaner and transactions, and the seeded bugs of this part.
import { describe, expect, it } from 'vitest';
import type { BrokerBug } from '../../core/broker/bugs.ts';
import { ReplicaManager } from '../../core/broker/replica-manager.ts';
import { MetadataImage } from '../../core/controller/image.ts';
import type { Env, NodeId, TimerTag } from '../../core/env.ts';
import { cleanLog } from '../../core/log/cleaner.ts';
import { LogCleaner } from '../../core/broker/log-cleaner.ts';
import { Config, type ConfigValue } from '../../core/protocol/configs.ts';
import {
  LATEST_TIMESTAMP,
  type DataMessage,
  type FetchPartitionResponse,
  type FetchResponse,
  type ListOffsetsResponse,
  type ProducePartitionResponse,
  type ProduceResponse,
} from '../../core/protocol/data.ts';
import { ErrorCode } from '../../core/protocol/errors.ts';
import {
  CONTROL_BIT,
  ControlType,
  controlKey,
  endTxnMarkerValue,
  lastOffsetOf,
  NO_PRODUCER_ID,
  TRANSACTIONAL_BIT,
  type RecordBatch,
} from '../../core/protocol/records.ts';
import type { AddPartitionsToTxnRequest, TxnMessage, WriteTxnMarkersResponse } from '../../core/protocol/txn.ts';
import type { NodeEvent } from '../../core/trace/schema.ts';
import { SimStorage } from '../../sim/disk.ts';

type Msg = DataMessage | TxnMessage | { api: string; kind: string; correlationId: number };
/** A request as a test writes it (b1 gives it a correlation id). */
type Req = Record<string, unknown> & { api: string; kind: string };
const TOPIC = 'orders';
const CLIENT: NodeId = 'client';
/** The transaction coordinator the test plays: the leader of __transaction_state's one partition. */
const COORDINATOR: NodeId = 'tc';

interface Options {
  /** orders-0's replicas (b1 leads; any other is played by the test). */
  replicas?: NodeId[];
  config?: Record<string, ConfigValue>;
  bugs?: BrokerBug[];
  /** Whether __transaction_state exists (led by the fake coordinator). */
  transactionTopic?: boolean;
}

/** One broker, b1, leading orders-0 and __consumer_offsets-0, with a fake coordinator and client around it. */
class World implements Env<never> {
  readonly self = 'b1';
  now_ = 0;
  storage = new SimStorage();
  readonly timers = new Map<TimerTag, number>();
  readonly traces: NodeEvent[] = [];
  readonly sent: Array<{ to: NodeId; msg: Msg }> = [];
  readonly markersWritten: Array<[string, number, number, boolean, number]> = [];
  readonly image = new MetadataImage();
  rm!: ReplicaManager;
  private nextCorrelationId = 1;

  constructor(private readonly o: Options = {}) {
    for (const [i, id] of ['b1', 'b2'].entries())
      this.image.apply({ type: 'RegisterBrokerRecord', brokerId: id, brokerEpoch: 10 + i, incarnationId: `i-${id}`, fenced: false });
    const topic = (name: string, replicas: NodeId[], leader: NodeId) => {
      this.image.apply({ type: 'TopicRecord', name, topicId: `T-${name}` });
      this.image.apply({
        type: 'PartitionRecord',
        partitionId: 0,
        topicId: `T-${name}`,
        replicas,
        isr: replicas,
        leader,
        leaderRecoveryState: 0,
        leaderEpoch: 0,
        partitionEpoch: 0,
      });
    };
    topic(TOPIC, o.replicas ?? ['b1'], 'b1');
    topic('__consumer_offsets', o.replicas ?? ['b1'], 'b1');
    if (o.transactionTopic !== false) topic('__transaction_state', [COORDINATOR], COORDINATOR);
    this.boot();
  }

  boot(): void {
    this.timers.clear();
    const config = new Config({ 'replica.socket.timeout.ms': 2_000, 'log.cleaner.enable': false, ...this.o.config });
    this.rm = new ReplicaManager('b1', config, new Set(this.o.bugs ?? []), {
      controller: () => 'c1',
      brokerEpoch: () => 10,
      clusterId: 'test',
      txnMarkerWritten: (_env, topic, partition, producerId, committed, offset) => this.markersWritten.push([topic, partition, producerId, committed, offset]),
    });
    this.rm.start(this as never);
    this.rm.applyImage(this as never, this.image.clone(), true);
  }

  now(): number {
    return this.now_;
  }
  random(): number {
    return 0.5;
  }
  send(to: NodeId, msg: never): void {
    this.sent.push({ to, msg });
  }
  setTimer(delayMs: number, tag: TimerTag): void {
    this.timers.set(tag, this.now_ + delayMs);
  }
  cancelTimer(tag: TimerTag): void {
    this.timers.delete(tag);
  }
  trace(event: NodeEvent): void {
    this.traces.push(event);
  }

  get partition() {
    return this.rm.partitions.get(`${TOPIC}-0`)!;
  }

  /** Sends a request to b1; returns its correlation id. */
  request(body: Req, from: NodeId = CLIENT): number {
    const correlationId = this.nextCorrelationId++;
    const msg = { ...body, correlationId } as never;
    if ((body as { api: string }).api === 'WriteTxnMarkers') this.rm.writeTxnMarkers(this as never, from, msg);
    else this.rm.handle(this as never, from, msg);
    return correlationId;
  }

  /** The response b1 sent to `to` for `correlationId`, if any. */
  response<R>(correlationId: number, to: NodeId = CLIENT): R | undefined {
    const found = this.sent.filter((s) => s.to === to && s.msg.kind === 'response' && s.msg.correlationId === correlationId);
    if (found.length > 1) throw new Error(`answered ${found.length} times`);
    return found[0]?.msg as R | undefined;
  }

  advance(ms: number): void {
    const end = this.now_ + ms;
    for (;;) {
      const due = [...this.timers].filter(([, at]) => at <= end).sort((a, b) => a[1] - b[1])[0];
      if (due === undefined) break;
      this.now_ = due[1];
      this.timers.delete(due[0]);
      this.rm.fire(this as never, due[0]);
    }
    this.now_ = end;
  }

  /** Restarts b1 on its storage (after a power loss when `crash`). */
  restart(crash = false): void {
    if (crash) this.storage.crash();
    this.boot();
  }

  lsoTraces(): number[] {
    return this.traces.flatMap((e) => (e.kind === 'partition-lso' ? [e.lastStableOffset] : []));
  }
}

/** A producer's batch: transactional with `txn`, values `${tag}${i}`. */
function batch(producerId: number, seq: number, count: number, o: { txn?: boolean; epoch?: number; tag?: string; keys?: string[] } = {}): RecordBatch {
  return {
    baseOffset: 0,
    partitionLeaderEpoch: -1,
    attributes: o.txn === false ? 0 : TRANSACTIONAL_BIT,
    lastOffsetDelta: count - 1,
    baseTimestamp: 1_000,
    maxTimestamp: 1_000,
    producerId,
    producerEpoch: o.epoch ?? 0,
    baseSequence: seq,
    records: Array.from({ length: count }, (_, i) => ({
      offsetDelta: i,
      timestampDelta: 0,
      key: o.keys?.[i] ?? null,
      value: `${o.tag ?? 'v'}${i}`,
      headers: [],
    })),
  };
}

function produce(records: RecordBatch, transactionalId: string | null = null, topic = TOPIC): Req {
  return { api: 'Produce', kind: 'request', transactionalId, acks: -1, timeoutMs: 1_000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] };
}

function markers(producerId: number, committed: boolean, o: { epoch?: number; coordinatorEpoch?: number; topic?: string; partitions?: number[] } = {}) {
  return {
    api: 'WriteTxnMarkers' as const,
    kind: 'request' as const,
    markers: [
      {
        producerId,
        producerEpoch: o.epoch ?? 0,
        transactionResult: committed,
        topics: [{ name: o.topic ?? TOPIC, partitionIndexes: o.partitions ?? [0] }],
        coordinatorEpoch: o.coordinatorEpoch ?? 1,
      },
    ],
  };
}

function fetch(offset: number, isolationLevel: 0 | 1, maxWaitMs = 0): Req {
  return {
    api: 'Fetch',
    kind: 'request',
    replicaId: null,
    replicaEpoch: -1,
    maxWaitMs,
    minBytes: 1,
    maxBytes: 1 << 20,
    isolationLevel,
    topics: [
      {
        topic: TOPIC,
        partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: offset, lastFetchedEpoch: -1, logStartOffset: 0, partitionMaxBytes: 1 << 20 }],
      },
    ],
  };
}

const NO_VERIFY = { 'transaction.partition.verification.enable': false };
const produced = (w: World, id: number): ProducePartitionResponse | undefined => w.response<ProduceResponse>(id)?.responses[0]!.partitionResponses[0];
const markerCodes = (w: World, id: number, to: NodeId = COORDINATOR) =>
  w.response<WriteTxnMarkersResponse>(id, to)?.markers.flatMap((m) => m.topics.flatMap((t) => t.partitions.map((p) => p.errorCode)));
const fetched = (w: World, id: number): FetchPartitionResponse => w.response<FetchResponse>(id)!.topics[0]!.partitions[0]!;
const offsetsOf = (batches: readonly RecordBatch[]) => batches.map((b) => [b.baseOffset, lastOffsetOf(b)]);

describe('WriteTxnMarkers and the last stable offset', () => {
  it('a COMMIT marker is a control batch of one record (controlKey, endTxnMarkerValue) that ends the transaction; the LSO follows and is traced', () => {
    const w = new World({ config: NO_VERIFY });
    expect(produced(w, w.request(produce(batch(7, 0, 2), 'tx')))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0 });
    expect(produced(w, w.request(produce(batch(8, 0, 1, { txn: false }))))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 2 });
    const p = w.partition;
    expect([p.hw, p.lastStableOffset()]).toEqual([3, 0]);
    const id = w.request(markers(7, true, { coordinatorEpoch: 5 }), COORDINATOR);
    expect(markerCodes(w, id)).toEqual([ErrorCode.NONE]);
    const marker = p.log.read(3, Infinity, Infinity)[0]!;
    expect(marker).toMatchObject({
      baseOffset: 3,
      attributes: TRANSACTIONAL_BIT | CONTROL_BIT,
      producerId: 7,
      producerEpoch: 0,
      baseSequence: -1,
      lastOffsetDelta: 0,
    });
    expect(marker.records).toMatchObject([{ key: controlKey(ControlType.COMMIT), value: endTxnMarkerValue(5) }]);
    expect([p.hw, p.lastStableOffset()]).toEqual([4, 4]);
    expect(w.lsoTraces()).toEqual([0, 4]);
    expect(w.traces.filter((e) => e.kind === 'partition-lso')[0]).toEqual({
      kind: 'partition-lso',
      topic: TOPIC,
      partition: 0,
      lastStableOffset: 0,
      leaderEpoch: 0,
    });
    // The producer may write outside a transaction again.
    expect(produced(w, w.request(produce(batch(7, 2, 1, { txn: false }))))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 4 });
  });

  it('a partition without transactions never traces its LSO', () => {
    const w = new World({ config: NO_VERIFY });
    w.request(produce(batch(NO_PRODUCER_ID, -1, 3, { txn: false })));
    w.request(produce(batch(9, 0, 3, { txn: false })));
    expect(w.partition.lastStableOffset()).toBe(6);
    expect(w.lsoTraces()).toEqual([]);
  });

  it('markers are checked as Kafka does: an older producer epoch, an older coordinator epoch, unknown and unled partitions', () => {
    const w = new World({ config: NO_VERIFY });
    w.request(produce(batch(7, 0, 1, { epoch: 2 }), 'tx'));
    expect(markerCodes(w, w.request(markers(7, false, { epoch: 1 }), COORDINATOR))).toEqual([ErrorCode.INVALID_PRODUCER_EPOCH]);
    expect(markerCodes(w, w.request(markers(7, false, { epoch: 2, coordinatorEpoch: 4 }), COORDINATOR))).toEqual([ErrorCode.NONE]);
    expect(markerCodes(w, w.request(markers(7, true, { epoch: 2, coordinatorEpoch: 3 }), COORDINATOR))).toEqual([ErrorCode.TRANSACTION_COORDINATOR_FENCED]);
    expect(markerCodes(w, w.request(markers(7, true, { epoch: 2, topic: 'nope' }), COORDINATOR))).toEqual([ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
    expect(markerCodes(w, w.request(markers(7, true, { epoch: 2, topic: '__transaction_state' }), COORDINATOR))).toEqual([ErrorCode.NOT_LEADER_OR_FOLLOWER]);
    // Only the accepted marker is in the log.
    expect(offsetsOf(w.partition.log.read(0, Infinity, Infinity))).toEqual([
      [0, 0],
      [1, 1],
    ]);
  });

  it('a non-transactional write of a producer with a transaction open is refused (INVALID_TXN_STATE)', () => {
    const w = new World({ config: NO_VERIFY });
    w.request(produce(batch(7, 0, 1), 'tx'));
    expect(produced(w, w.request(produce(batch(7, 1, 1, { txn: false }))))).toMatchObject({ errorCode: ErrorCode.INVALID_TXN_STATE });
  });

  it('a marker waits for every ISR replica (acks=all) before its answer and the txnMarkerWritten hook on __consumer_offsets', () => {
    const w = new World({ config: NO_VERIFY, replicas: ['b1', 'b2'] });
    const id = w.request(
      { ...markers(7, true), markers: [{ ...markers(7, true).markers[0]!, topics: [{ name: '__consumer_offsets', partitionIndexes: [0] }] }] },
      COORDINATOR,
    );
    expect(markerCodes(w, id)).toBeUndefined();
    expect(w.markersWritten).toEqual([]);
    // b2 fetches past the marker: the high watermark passes it.
    w.rm.handle(w as never, 'b2', {
      ...fetch(1, 0),
      replicaId: 'b2',
      replicaEpoch: 11,
      topics: [
        {
          topic: '__consumer_offsets',
          partitions: [{ partition: 0, currentLeaderEpoch: 0, fetchOffset: 1, lastFetchedEpoch: 0, logStartOffset: 0, partitionMaxBytes: 1 << 20 }],
        },
      ],
      correlationId: 99,
    } as never);
    expect(markerCodes(w, id)).toEqual([ErrorCode.NONE]);
    // The hook names where the marker is (the log's first batch).
    expect(w.markersWritten).toEqual([['__consumer_offsets', 0, 7, true, 0]]);
  });

  it("appendCommitted with a producer writes a transactional batch of the coordinator's (no sequence, epoch checked) that a marker ends", () => {
    const w = new World({ config: NO_VERIFY });
    const codes: number[] = [];
    const record = { offsetDelta: 0, timestampDelta: 0, key: 'g', value: 'offsets', headers: [] };
    const appendedAt = [1, 1, 0].map((producerEpoch) =>
      w.rm.appendCommitted(w as never, '__consumer_offsets', 0, [record], 1_000, (code) => codes.push(code), { producerId: 7, producerEpoch }),
    );
    expect(codes).toEqual([ErrorCode.NONE, ErrorCode.NONE, ErrorCode.INVALID_PRODUCER_EPOCH]);
    // It answers where each batch went (null: nothing appended).
    expect(appendedAt).toEqual([0, 1, null]);
    const offsets = w.rm.partitions.get('__consumer_offsets-0')!;
    expect(offsets.log.read(0, Infinity, Infinity).map((b) => [b.attributes, b.producerId, b.baseSequence])).toEqual([
      [TRANSACTIONAL_BIT, 7, -1],
      [TRANSACTIONAL_BIT, 7, -1],
    ]);
    expect(offsets.lastStableOffset()).toBe(0);
    w.request({ ...markers(7, true, { epoch: 1, topic: '__consumer_offsets' }) }, COORDINATOR);
    expect(offsets.lastStableOffset()).toBe(3);
    // The hook names where the marker is: the group coordinator ends only the offsets that precede it.
    expect(w.markersWritten).toEqual([['__consumer_offsets', 0, 7, true, 2]]);
  });

  it('the LSO waits for a completed transaction until its marker is below the high watermark', () => {
    const w = new World({ config: NO_VERIFY, replicas: ['b1', 'b2'] });
    const follow = (offset: number) =>
      w.rm.handle(w as never, 'b2', {
        ...fetch(0, 0),
        replicaId: 'b2',
        replicaEpoch: 11,
        correlationId: 100 + offset,
        topics: [
          {
            topic: TOPIC,
            partitions: [
              {
                partition: 0,
                currentLeaderEpoch: 0,
                fetchOffset: offset,
                lastFetchedEpoch: offset === 0 ? -1 : 0,
                logStartOffset: 0,
                partitionMaxBytes: 1 << 20,
              },
            ],
          },
        ],
      } as never);
    w.request(produce(batch(7, 0, 2), 'tx'));
    follow(2);
    const p = w.partition;
    expect([p.hw, p.lastStableOffset()]).toEqual([2, 0]);
    w.request(markers(7, true), COORDINATOR);
    expect([p.hw, p.lastStableOffset()]).toEqual([2, 0]);
    follow(3);
    expect([p.hw, p.lastStableOffset()]).toEqual([3, 3]);
  });
});

describe('read_committed Fetch and ListOffsets', () => {
  /** Producer 7's transaction (0-1) aborted at 3; producer 8's plain batch at 2; producer 9's transaction (4) open. */
  function aborted(bugs: BrokerBug[] = []): World {
    const w = new World({ config: NO_VERIFY, bugs });
    w.request(produce(batch(7, 0, 2), 'tx'));
    w.request(produce(batch(8, 0, 1, { txn: false })));
    w.request(markers(7, false), COORDINATOR);
    w.request(produce(batch(9, 0, 1), 'ty'));
    return w;
  }

  it('reads up to the LSO and answers the aborted transactions overlapping what it returns; read_uncommitted answers null', () => {
    const w = aborted();
    const committed = fetched(w, w.request(fetch(0, 1)));
    expect(offsetsOf(committed.records)).toEqual([
      [0, 1],
      [2, 2],
      [3, 3],
    ]);
    expect(committed).toMatchObject({ highWatermark: 5, lastStableOffset: 4, abortedTransactions: [{ producerId: 7, firstOffset: 0 }] });
    const uncommitted = fetched(w, w.request(fetch(0, 0)));
    expect(offsetsOf(uncommitted.records).at(-1)).toEqual([4, 4]);
    expect(uncommitted).toMatchObject({ lastStableOffset: 4, abortedTransactions: null });
    // From past the marker nothing aborted overlaps.
    expect(fetched(w, w.request(fetch(4, 1)))).toMatchObject({ records: [], abortedTransactions: [] });
  });

  it('ListOffsets LATEST answers the LSO under read_committed, the high watermark otherwise', () => {
    const w = aborted();
    const list = (isolationLevel: 0 | 1) =>
      w.response<ListOffsetsResponse>(
        w.request({
          api: 'ListOffsets',
          kind: 'request',
          replicaId: null,
          isolationLevel,
          topics: [{ name: TOPIC, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: LATEST_TIMESTAMP }] }],
        }),
      )!.topics[0]!.partitions[0]!.offset;
    expect([list(1), list(0)]).toEqual([4, 5]);
  });

  it('a parked read_committed fetch wakes when a marker moves the LSO', () => {
    const w = aborted();
    const id = w.request(fetch(4, 1, 500));
    expect(w.response(id)).toBeUndefined();
    w.request(markers(9, true), COORDINATOR);
    expect(offsetsOf(fetched(w, id).records)).toEqual([
      [4, 4],
      [5, 5],
    ]);
  });

  it('seeded bug lso-ignores-open-txn: the LSO is the high watermark, read_committed reads an open transaction', () => {
    const right = aborted();
    expect(fetched(right, right.request(fetch(4, 1)))).toMatchObject({ lastStableOffset: 4, records: [] });
    const w = aborted(['lso-ignores-open-txn']);
    expect(fetched(w, w.request(fetch(4, 1)))).toMatchObject({ lastStableOffset: 5, records: [expect.objectContaining({ baseOffset: 4, producerId: 9 })] });
  });

  it('seeded bug fetch-ignores-aborted-index: read_committed is told of no aborted transaction', () => {
    const w = aborted(['fetch-ignores-aborted-index']);
    expect(fetched(w, w.request(fetch(0, 1)))).toMatchObject({
      abortedTransactions: [],
      records: expect.arrayContaining([expect.objectContaining({ producerId: 7 })]),
    });
  });
});

describe('the aborted-transaction index', () => {
  const index = (w: World) => w.partition.log.abortedTxns();

  it('gets an entry per ABORT marker (none for COMMIT) in a .txnindex file beside the segment, kept across a restart', () => {
    const w = new World({ config: NO_VERIFY });
    w.request(produce(batch(7, 0, 2), 'tx'));
    w.request(produce(batch(8, 0, 1), 'ty'));
    w.request(markers(7, false), COORDINATOR);
    w.request(markers(8, true), COORDINATOR);
    expect(index(w)).toEqual([{ producerId: 7, firstOffset: 0, lastOffset: 3, lastStableOffset: 2 }]);
    expect(w.storage.size('orders-0/00000000000000000000.txnindex')).toBe(34);
    w.partition.log.flush();
    w.restart();
    expect(index(w)).toEqual([{ producerId: 7, firstOffset: 0, lastOffset: 3, lastStableOffset: 2 }]);
  });

  it('is rebuilt by recovery for the segments recovered (here all: no recovery point was checkpointed) when its files are lost', () => {
    const w = new World({ config: NO_VERIFY });
    for (let seq = 0; seq < 6; seq += 2) {
      w.request(produce(batch(7, seq, 2), 'tx'));
      w.request(markers(7, false), COORDINATOR);
      if (seq < 4) w.partition.log.roll();
    }
    const before = index(w);
    expect(before.map((e) => e.lastOffset)).toEqual([2, 5, 8]);
    expect(w.partition.log.segmentInfos().length).toBeGreaterThan(1);
    w.partition.log.flush();
    for (const name of w.storage.list()) if (name.endsWith('.txnindex')) w.storage.delete(name);
    w.restart();
    expect(index(w)).toEqual(before);
    expect(w.storage.list().filter((f) => f.endsWith('.txnindex'))).toHaveLength(3);
  });

  it('survives a crash whatever was unflushed: recovery replays the producer state over the recovered segments', () => {
    const w = new World({ config: NO_VERIFY });
    w.request(produce(batch(7, 0, 2), 'tx'));
    w.request(markers(7, false), COORDINATOR);
    w.partition.log.flush();
    w.restart(true);
    expect(index(w)).toEqual([{ producerId: 7, firstOffset: 0, lastOffset: 2, lastStableOffset: 3 }]);
    // The recovered state as traced: the marker shows in the log view flagged, and keeps no batch.
    expect(w.traces.filter((e) => e.kind === 'producer-state').at(-1)).toMatchObject({
      cause: 'leader',
      producers: [[7, 0, [[0, 1, 0, 1]]]],
      log: [
        [0, 1, 7, 0, 0],
        [2, 2, 7, 0, -1, 'marker'],
      ],
    });
    // The producer's transaction is closed after the rebuild: a plain write is fine.
    expect(produced(w, w.request(produce(batch(7, 2, 1, { txn: false }))))).toMatchObject({ errorCode: ErrorCode.NONE });
  });

  it('is truncated with the log, and the transaction is open again after a truncation below its marker', () => {
    const w = new World({ config: NO_VERIFY });
    w.request(produce(batch(7, 0, 2), 'tx'));
    w.request(markers(7, false), COORDINATOR);
    w.partition.truncateTo(w as never, 2);
    expect(index(w)).toEqual([]);
    expect(w.storage.size('orders-0/00000000000000000000.txnindex')).toBe(0);
    expect(w.partition.producers.ongoingTxnFirstOffset(7)).toBe(0);
  });

  it('is deleted with its segment (retention, DeleteRecords)', () => {
    const w = new World({ config: NO_VERIFY });
    w.request(produce(batch(7, 0, 2), 'tx'));
    w.request(markers(7, false), COORDINATOR);
    w.partition.log.roll();
    w.request(produce(batch(8, 0, 1, { txn: false })));
    expect(w.storage.exists('orders-0/00000000000000000000.txnindex')).toBe(true);
    w.partition.advanceLogStart(w as never, 3, 'retention');
    expect(w.storage.exists('orders-0/00000000000000000000.txnindex')).toBe(false);
    expect(index(w)).toEqual([]);
  });

  it('producer snapshots keep an ongoing transaction (rebuilds from a snapshot still know it)', () => {
    const w = new World({ config: NO_VERIFY });
    w.request(produce(batch(7, 0, 2), 'tx'));
    w.request(produce(batch(8, 0, 2, { txn: false })));
    w.partition.log.roll();
    expect(w.storage.list().filter((f) => f.endsWith('.snapshot'))).toEqual(['orders-0/00000000000000000004.snapshot']);
    // The snapshot alone knows the transaction: the batch that opened it is gone from the replay's reach.
    w.storage.delete('orders-0/00000000000000000000.log');
    w.partition.log.flush();
    w.restart();
    expect(w.partition.producers.ongoingTxnFirstOffset(7)).toBe(0);
    expect(w.partition.lastStableOffset()).toBe(0);
  });
});

describe('KIP-890 verification with the transaction coordinator', () => {
  const verifications = (w: World) =>
    w.sent.filter((s) => s.to === COORDINATOR && s.msg.api === 'AddPartitionsToTxn').map((s) => s.msg as AddPartitionsToTxnRequest);
  const answer = (w: World, req: AddPartitionsToTxnRequest, partitionErrorCode: number, errorCode: number = ErrorCode.NONE) =>
    w.rm.addPartitionsToTxnResponse(w as never, COORDINATOR, {
      api: 'AddPartitionsToTxn',
      kind: 'response',
      correlationId: req.correlationId,
      errorCode,
      resultsByTransaction: [{ transactionalId: 'tx', topicResults: [{ name: TOPIC, resultsByPartition: [{ partitionIndex: 0, partitionErrorCode }] }] }],
    });

  it('a write opening a transaction is held until the coordinator confirms the partition; later writes of the transaction are not asked about', () => {
    const w = new World();
    const id = w.request(produce(batch(7, 0, 2, { epoch: 3 }), 'tx'));
    expect(produced(w, id)).toBeUndefined();
    expect(w.partition.logEndOffset).toBe(0);
    const [req] = verifications(w);
    expect(req!.transactions).toEqual([
      { transactionalId: 'tx', producerId: 7, producerEpoch: 3, verifyOnly: true, topics: [{ name: TOPIC, partitions: [0] }] },
    ]);
    answer(w, req!, ErrorCode.NONE);
    expect(produced(w, id)).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 0 });
    expect(produced(w, w.request(produce(batch(7, 2, 1, { epoch: 3 }), 'tx')))).toMatchObject({ errorCode: ErrorCode.NONE, baseOffset: 2 });
    expect(verifications(w)).toHaveLength(1);
  });

  it.each([
    [ErrorCode.INVALID_TXN_STATE, ErrorCode.NONE, ErrorCode.INVALID_TXN_STATE],
    [ErrorCode.CONCURRENT_TRANSACTIONS, ErrorCode.NONE, ErrorCode.NOT_ENOUGH_REPLICAS],
    [ErrorCode.NONE, ErrorCode.NOT_COORDINATOR, ErrorCode.NOT_ENOUGH_REPLICAS],
    [ErrorCode.PRODUCER_FENCED, ErrorCode.NONE, ErrorCode.PRODUCER_FENCED],
  ])('coordinator says %i (top-level %i): the produce is answered %i and nothing is appended', (partitionCode, topCode, expected) => {
    const w = new World();
    const id = w.request(produce(batch(7, 0, 1), 'tx'));
    answer(w, verifications(w)[0]!, partitionCode, topCode);
    expect(produced(w, id)).toMatchObject({ errorCode: expected });
    expect(w.partition.logEndOffset).toBe(0);
  });

  it('no answer within the timeout, or no coordinator in the image: NOT_ENOUGH_REPLICAS (retriable)', () => {
    const w = new World();
    const id = w.request(produce(batch(7, 0, 1), 'tx'));
    w.advance(2_000);
    expect(produced(w, id)).toMatchObject({ errorCode: ErrorCode.NOT_ENOUGH_REPLICAS });
    const lone = new World({ transactionTopic: false });
    expect(produced(lone, lone.request(produce(batch(7, 0, 1), 'tx')))).toMatchObject({ errorCode: ErrorCode.NOT_ENOUGH_REPLICAS });
    expect(lone.partition.logEndOffset).toBe(0);
  });

  it('a marker written while the verification is out retires its guard: the late confirmation cannot open a transaction (KAFKA-14884)', () => {
    const w = new World();
    const id = w.request(produce(batch(7, 0, 1), 'tx'));
    w.request(markers(7, false), COORDINATOR);
    answer(w, verifications(w)[0]!, ErrorCode.NONE);
    expect(produced(w, id)).toMatchObject({ errorCode: ErrorCode.INVALID_TXN_STATE });
    expect(w.partition.producers.ongoingTxnFirstOffset(7)).toBeNull();
  });

  it('seeded bug hanging-transaction: no verification, the late write opens a transaction nobody will end', () => {
    const w = new World({ bugs: ['hanging-transaction'] });
    expect(produced(w, w.request(produce(batch(7, 0, 1), 'tx')))).toMatchObject({ errorCode: ErrorCode.NONE });
    expect(verifications(w)).toEqual([]);
    expect(w.partition.lastStableOffset()).toBe(0);
  });
});

describe('the log cleaner and transactions', () => {
  /** Key k written in producer 7's open transaction (segment 0), then outside it (segment 1); the cleaner runs once before the marker. */
  function openThenClean(bugs: BrokerBug[] = []) {
    const w = new World({ config: NO_VERIFY, bugs });
    const p = w.partition;
    const write = (key: string, value: string, producerId = NO_PRODUCER_ID, txnId: string | null = null) =>
      w.request(
        produce(
          {
            ...batch(producerId, producerId === NO_PRODUCER_ID ? -1 : 0, 1, { txn: txnId !== null }),
            records: [{ offsetDelta: 0, timestampDelta: 0, key, value, headers: [] }],
          },
          txnId,
        ),
      );
    write('k', 'open', 7, 'tx');
    p.log.roll();
    write('k', 'later');
    p.log.roll();
    write('j', 'x');
    const cleaner = new LogCleaner(new Config({ 'log.cleaner.enable': true }), new Set(), undefined);
    const clean = () => cleaner.run(w as never, [{ partition: p, topicConfig: { 'cleanup.policy': 'compact', 'min.cleanable.dirty.ratio': '0.01' } }]);
    const values = () => p.log.read(0, Infinity, Infinity).flatMap((b) => b.records.map((r) => r.value));
    clean();
    return { w, p, clean, values };
  }

  it('cleans nothing past the first unstable offset: an open transaction holds back the clean until its marker', () => {
    const { w, p, clean, values } = openThenClean();
    expect(values()).toEqual(['open', 'later', 'x']);
    w.request(markers(7, true), COORDINATOR);
    p.log.roll();
    clean();
    expect(values()).toEqual(['later', 'x', endTxnMarkerValue(1)]);
  });

  it('with lso-ignores-open-txn the cleaner compacts inside the open transaction', () => {
    expect(openThenClean(['lso-ignores-open-txn']).values()).toEqual(['later', 'x']);
  });

  const keyed = (base: number, producerId: number, attributes: number, key: string, value: string): RecordBatch => ({
    ...batch(producerId, producerId === NO_PRODUCER_ID ? -1 : base, 1, { keys: [key] }),
    attributes,
    baseOffset: base,
    records: [{ offsetDelta: 0, timestampDelta: 0, key, value, headers: [] }],
  });
  const marker = (base: number, producerId: number, type: number): RecordBatch => ({
    ...keyed(base, producerId, TRANSACTIONAL_BIT | CONTROL_BIT, controlKey(type), endTxnMarkerValue(0)),
    baseSequence: -1,
  });

  it("drops an aborted transaction's batches (their keys do not shadow older values) and keeps the markers", () => {
    const segment = {
      baseOffset: 0,
      batches: [
        keyed(0, NO_PRODUCER_ID, 0, 'k', 'committed'),
        keyed(1, 7, TRANSACTIONAL_BIT, 'k', 'aborted'),
        marker(2, 7, ControlType.ABORT),
        keyed(3, 8, TRANSACTIONAL_BIT, 'j', 'kept'),
        marker(4, 8, ControlType.COMMIT),
      ],
    };
    const result = cleanLog([segment, { baseOffset: 5, batches: [] }], {
      firstDirtyOffset: 0,
      firstUncleanableOffset: 5,
      now: 0,
      deleteRetentionMs: 1,
      abortedTransactions: [{ producerId: 7, firstOffset: 1, lastOffset: 2 }],
    });
    expect(result.segments[0]!.batches.map((b) => [b.baseOffset, b.records.map((r) => r.value)])).toEqual([
      [0, ['committed']],
      [2, [endTxnMarkerValue(0)]],
      [3, ['kept']],
      [4, [endTxnMarkerValue(0)]],
    ]);
  });
});
