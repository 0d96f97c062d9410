// The transaction markers a coordinator owes (Kafka's TransactionMarkerChannelManager): for each
// transaction in PrepareCommit or PrepareAbort, WriteTxnMarkers to the leader of every partition
// in it (found in the metadata image), grouped by leader; retried on retriable errors, lost
// requests and leader changes; a partition whose topic is gone counts as done (Kafka skips
// deleted partitions). When every partition is acknowledged the coordinator writes Complete*.

import type { MetadataImage } from '../controller/image.ts';
import type { Env, NodeId, TimerTag } from '../env.ts';
import { ErrorCode } from '../protocol/errors.ts';
import type { WriteTxnMarkersRequest, WriteTxnMarkersResponse } from '../protocol/txn.ts';
import { partitionsByTopic, splitPartitionName } from './transaction-log.ts';

/** The pause before markers that failed or found no leader go out again (Kafka's retry.backoff.ms default). */
export const MARKER_RETRY_BACKOFF_MS = 100;

const RETRY_TIMER = 'txn:marker-retry:';
const TIMEOUT_TIMER = 'txn:marker-timeout:';

/** Errors after which the coordinator stops sending this transaction's markers (it was fenced; a newer coordinator owns it). */
const ABANDON: ReadonlySet<number> = new Set([ErrorCode.INVALID_PRODUCER_EPOCH, ErrorCode.TRANSACTION_COORDINATOR_FENCED]);

/** The markers of one transaction. */
export interface PendingMarkers {
  transactionalId: string;
  coordinatorEpoch: number;
  producerId: number;
  producerEpoch: number;
  committed: boolean;
  /** `topic/partition` names still unacknowledged. */
  partitions: readonly string[];
}

interface Entry extends PendingMarkers {
  id: number;
  remaining: Set<string>;
  /** Partitions in a request now, by the request's correlation id. */
  inFlight: Map<string, number>;
}

export interface MarkerChannelHooks {
  image(): MetadataImage | null;
  /** Whether this broker still coordinates the transactional id at this coordinator epoch. */
  isCurrent(transactionalId: string, coordinatorEpoch: number): boolean;
  /** One partition has its marker (Kafka's removePartition: DescribeTransactions then lists only those without). */
  acknowledged(markers: PendingMarkers, partition: string): void;
  /** Every partition has its marker: the coordinator writes Complete*. */
  completed(env: Env<never>, markers: PendingMarkers): void;
  requestTimeoutMs: number;
}

type MarkerEnv = Env<WriteTxnMarkersRequest>;

export class TransactionMarkerChannel {
  private readonly entries = new Map<number, Entry>();
  private readonly requests = new Map<number, { entryId: number; broker: NodeId; partitions: string[] }>();
  private nextEntryId = 1;
  private nextCorrelationId = 1;

  constructor(private readonly hooks: MarkerChannelHooks) {}

  /** Starts sending a transaction's markers. */
  add(env: MarkerEnv, markers: PendingMarkers): void {
    const entry: Entry = { ...markers, id: this.nextEntryId++, remaining: new Set(markers.partitions), inFlight: new Map() };
    this.entries.set(entry.id, entry);
    this.pump(env, entry);
  }

  /** Whether markers of this transactional id are still owed. */
  pendingFor(transactionalId: string): boolean {
    for (const e of this.entries.values()) if (e.transactionalId === transactionalId) return true;
    return false;
  }

  /** Drops what is owed for transactional ids this broker no longer coordinates (Kafka's removeMarkersForTxnTopicPartition). */
  dropStale(env: MarkerEnv): void {
    for (const entry of [...this.entries.values()]) if (!this.hooks.isCurrent(entry.transactionalId, entry.coordinatorEpoch)) this.drop(env, entry);
  }

  response(env: MarkerEnv, res: WriteTxnMarkersResponse): void {
    const request = this.requests.get(res.correlationId);
    if (request === undefined) return;
    this.requests.delete(res.correlationId);
    env.cancelTimer(TIMEOUT_TIMER + res.correlationId);
    const entry = this.entries.get(request.entryId);
    if (entry === undefined) return;
    const answered = new Map<string, number>();
    for (const marker of res.markers) for (const t of marker.topics) for (const p of t.partitions) answered.set(`${t.name}/${p.partitionIndex}`, p.errorCode);
    let retry = false;
    for (const name of request.partitions) {
      if (entry.inFlight.get(name) !== res.correlationId) continue;
      entry.inFlight.delete(name);
      const errorCode = answered.get(name) ?? ErrorCode.UNKNOWN_SERVER_ERROR;
      if (ABANDON.has(errorCode)) return this.drop(env, entry);
      // UNSUPPORTED_FOR_MESSAGE_FORMAT: a topic too old for transactions; Kafka treats it as done.
      if (errorCode === ErrorCode.NONE || errorCode === ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT) {
        entry.remaining.delete(name);
        this.hooks.acknowledged(entry, name);
      }
      // Kafka retries NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS(_AFTER_APPEND), REQUEST_TIMED_OUT,
      // UNKNOWN_TOPIC_OR_PARTITION and KAFKA_STORAGE_ERROR, and fails hard on the rest; here every other error is retried.
      else retry = true;
    }
    if (retry) this.scheduleRetry(env, entry);
    this.maybeComplete(env, entry);
  }

  fire(env: MarkerEnv, tag: TimerTag): boolean {
    if (tag.startsWith(RETRY_TIMER)) {
      const entry = this.entries.get(Number(tag.slice(RETRY_TIMER.length)));
      if (entry !== undefined) this.pump(env, entry);
      return true;
    }
    if (tag.startsWith(TIMEOUT_TIMER)) {
      const correlationId = Number(tag.slice(TIMEOUT_TIMER.length));
      const request = this.requests.get(correlationId);
      this.requests.delete(correlationId);
      const entry = request === undefined ? undefined : this.entries.get(request.entryId);
      if (entry !== undefined) {
        for (const name of request!.partitions) if (entry.inFlight.get(name) === correlationId) entry.inFlight.delete(name);
        this.pump(env, entry);
      }
      return true;
    }
    return false;
  }

  /** Sends the markers of every partition not yet acknowledged nor in flight, one request per leader. */
  private pump(env: MarkerEnv, entry: Entry): void {
    if (!this.hooks.isCurrent(entry.transactionalId, entry.coordinatorEpoch)) return this.drop(env, entry);
    const image = this.hooks.image();
    const byLeader = new Map<NodeId, string[]>();
    let waiting = false;
    for (const name of [...entry.remaining].sort()) {
      if (entry.inFlight.has(name)) continue;
      const { topic, partition } = splitPartitionName(name);
      const topicState = image?.topicByName(topic);
      if (image !== null && (topicState === undefined || topicState.partitions[partition] === undefined)) {
        entry.remaining.delete(name);
        continue;
      }
      const leader = topicState?.partitions[partition]?.leader ?? null;
      if (leader === null) {
        waiting = true;
        continue;
      }
      let names = byLeader.get(leader);
      if (names === undefined) byLeader.set(leader, (names = []));
      names.push(name);
    }
    for (const [broker, partitions] of byLeader) {
      const correlationId = this.nextCorrelationId++;
      for (const name of partitions) entry.inFlight.set(name, correlationId);
      this.requests.set(correlationId, { entryId: entry.id, broker, partitions });
      env.setTimer(this.hooks.requestTimeoutMs, TIMEOUT_TIMER + correlationId);
      env.send(broker, {
        api: 'WriteTxnMarkers',
        kind: 'request',
        correlationId,
        markers: [
          {
            producerId: entry.producerId,
            producerEpoch: entry.producerEpoch,
            transactionResult: entry.committed,
            topics: partitionsByTopic(partitions).map((t) => ({ name: t.topic, partitionIndexes: t.partitionIds })),
            coordinatorEpoch: entry.coordinatorEpoch,
          },
        ],
      });
    }
    if (waiting) this.scheduleRetry(env, entry);
    this.maybeComplete(env, entry);
  }

  private scheduleRetry(env: MarkerEnv, entry: Entry): void {
    env.setTimer(MARKER_RETRY_BACKOFF_MS, RETRY_TIMER + entry.id);
  }

  private maybeComplete(env: MarkerEnv, entry: Entry): void {
    if (entry.remaining.size > 0 || !this.entries.has(entry.id)) return;
    this.drop(env, entry);
    this.hooks.completed(env as Env<never>, entry);
  }

  private drop(env: MarkerEnv, entry: Entry): void {
    this.entries.delete(entry.id);
    env.cancelTimer(RETRY_TIMER + entry.id);
    for (const correlationId of new Set(entry.inFlight.values())) {
      this.requests.delete(correlationId);
      env.cancelTimer(TIMEOUT_TIMER + correlationId);
    }
  }
}
