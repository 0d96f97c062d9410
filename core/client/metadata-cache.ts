// What a client knows of the cluster (Kafka's client Metadata): brokers, and per partition the
// leader with its leader epoch (KIP-320), from Metadata responses. Refreshed on demand (an error
// that means "the leader moved") and after metadata.max.age.ms, asking a random bootstrap broker.

import type { Env, NodeId } from '../env.ts';
import type { DataMessage, MetadataResponse } from '../protocol/data.ts';
import { ErrorCode } from '../protocol/errors.ts';
import { ClientConfigError } from './client-config.ts';

/** Errors that mean the client's idea of a partition's leader is out of date. */
export const LEADER_MOVED_ERRORS: ReadonlySet<number> = new Set([
  ErrorCode.NOT_LEADER_OR_FOLLOWER,
  ErrorCode.FENCED_LEADER_EPOCH,
  ErrorCode.UNKNOWN_LEADER_EPOCH,
  ErrorCode.LEADER_NOT_AVAILABLE,
  ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
]);

export interface MetadataSettings {
  requestTimeoutMs: number;
  retryBackoffMs: number;
  metadataMaxAgeMs: number;
}

export interface PartitionLeader {
  leaderId: NodeId;
  leaderEpoch: number;
}

interface PartitionInfo {
  leaderId: NodeId | null;
  leaderEpoch: number;
}

interface TopicInfo {
  errorCode: number;
  partitions: PartitionInfo[];
}

export class MetadataCache {
  /** Bumped on every applied response, so clients can tell that something may have changed. */
  version = 0;
  private readonly topics = new Map<string, TopicInfo>();
  private readonly interest = new Set<string>();
  private brokers: NodeId[] = [];
  private updateRequested = false;
  private lastRefreshMs = -Infinity;
  /** When the last request ended (answered or timed out): the next one waits retry.backoff.ms. */
  private lastEndMs = -Infinity;
  /** `again`: an update was asked for after this request went out, so its answer may predate the change. */
  private inFlight: { correlationId: number; broker: NodeId; deadlineMs: number; again: boolean } | null = null;
  private lastFailedBroker: NodeId | null = null;

  constructor(
    private readonly bootstrap: readonly NodeId[],
    private readonly settings: MetadataSettings,
    private readonly nextCorrelationId: () => number,
  ) {
    if (bootstrap.length === 0) throw new ClientConfigError('a client needs at least one bootstrap broker');
  }

  /** Follows `topic` from now on; unknown topics are fetched at the next poll. */
  addTopic(topic: string): void {
    if (this.interest.has(topic)) return;
    this.interest.add(topic);
    this.updateRequested = true;
  }

  /** Follows exactly these topics (a consumer's assignment). */
  setTopics(topics: Iterable<string>): void {
    const next = new Set(topics);
    for (const t of this.interest) if (!next.has(t)) this.interest.delete(t);
    for (const t of next) this.addTopic(t);
  }

  /** Asks for a refresh at the next chance (after retry.backoff.ms since the last request). */
  requestUpdate(): void {
    this.updateRequested = true;
    if (this.inFlight !== null) this.inFlight.again = true;
  }

  get updatePending(): boolean {
    return this.updateRequested;
  }

  /** Sends a Metadata request if one is due; gives up on one that outlived request.timeout.ms. */
  poll(env: Env<DataMessage>): void {
    const now = env.now();
    if (this.inFlight !== null && now >= this.inFlight.deadlineMs) {
      // No answer: the broker or the link is down. Ask another bootstrap broker at once.
      this.lastFailedBroker = this.inFlight.broker;
      this.inFlight = null;
      this.updateRequested = true;
    }
    if (this.inFlight !== null || this.interest.size === 0 || !this.due(now)) return;
    const candidates = this.bootstrap.length > 1 ? this.bootstrap.filter((b) => b !== this.lastFailedBroker) : this.bootstrap;
    const broker = candidates[Math.floor(env.random() * candidates.length)]!;
    const correlationId = this.nextCorrelationId();
    this.inFlight = { correlationId, broker, deadlineMs: now + this.settings.requestTimeoutMs, again: false };
    env.send(broker, { api: 'Metadata', kind: 'request', correlationId, topics: [...this.interest], allowAutoTopicCreation: false });
  }

  /** The next instant `poll` has something to do, or Infinity. */
  nextWakeMs(): number {
    if (this.inFlight !== null) return this.inFlight.deadlineMs;
    if (this.interest.size === 0) return Infinity;
    if (this.needsUpdate()) return this.lastEndMs + this.settings.retryBackoffMs;
    return this.lastRefreshMs + this.settings.metadataMaxAgeMs;
  }

  /** Applies a Metadata response; returns false when it is not the one awaited (late, stale). */
  handleResponse(env: Env<DataMessage>, msg: MetadataResponse): boolean {
    if (this.inFlight === null || msg.correlationId !== this.inFlight.correlationId) return false;
    const now = env.now();
    this.updateRequested = this.inFlight.again;
    this.inFlight = null;
    this.lastEndMs = now;
    this.lastRefreshMs = now;
    this.lastFailedBroker = null;
    this.brokers = msg.brokers.map((b) => b.nodeId);
    for (const t of msg.topics) {
      if (t.errorCode !== ErrorCode.NONE) {
        // Kafka keeps what it knew of a topic through a transient error and asks again.
        this.updateRequested = true;
        const known = this.topics.get(t.name);
        if (known === undefined) this.topics.set(t.name, { errorCode: t.errorCode, partitions: [] });
        else known.errorCode = t.errorCode;
        continue;
      }
      const known = this.topics.get(t.name);
      const partitions: PartitionInfo[] = [];
      for (const p of t.partitions) {
        const old = known?.partitions[p.partitionIndex];
        // KIP-320: never go back to an older leader epoch (a stale broker answered).
        if (old !== undefined && old.leaderEpoch > p.leaderEpoch) partitions[p.partitionIndex] = old;
        else partitions[p.partitionIndex] = { leaderId: p.leaderId, leaderEpoch: p.leaderEpoch };
      }
      for (let i = 0; i < partitions.length; i++) partitions[i] ??= { leaderId: null, leaderEpoch: -1 };
      if (partitions.some((p) => p.leaderId === null)) this.updateRequested = true;
      this.topics.set(t.name, { errorCode: ErrorCode.NONE, partitions });
    }
    for (const t of this.interest) if (!msg.topics.some((r) => r.name === t)) this.updateRequested = true;
    this.version++;
    return true;
  }

  /** Brokers named by the last response. */
  knownBrokers(): readonly NodeId[] {
    return this.brokers;
  }

  /**
   * Brokers to send a request that any broker answers (FindCoordinator): those the last Metadata
   * named, or the bootstrap brokers when it named none (a broker cut off from the cluster may list
   * no live broker), as Kafka's clients rebootstrap (KIP-899).
   */
  contactableBrokers(): readonly NodeId[] {
    return this.brokers.length > 0 ? this.brokers : this.bootstrap;
  }

  /** The partition count of `topic`, or null while it is unknown (or the topic has an error). */
  partitionCount(topic: string): number | null {
    const t = this.topics.get(topic);
    return t === undefined || t.partitions.length === 0 ? null : t.partitions.length;
  }

  /** The last error Metadata gave for `topic` (NONE when fine or never asked). */
  topicError(topic: string): number {
    return this.topics.get(topic)?.errorCode ?? ErrorCode.NONE;
  }

  leader(topic: string, partition: number): PartitionLeader | null {
    const p = this.topics.get(topic)?.partitions[partition];
    return p === undefined || p.leaderId === null ? null : { leaderId: p.leaderId, leaderEpoch: p.leaderEpoch };
  }

  /** The partition's leader epoch as last known, -1 when unknown. */
  leaderEpoch(topic: string, partition: number): number {
    return this.topics.get(topic)?.partitions[partition]?.leaderEpoch ?? -1;
  }

  /** Partitions of `topic` with a known leader. */
  availablePartitions(topic: string): number[] {
    const t = this.topics.get(topic);
    if (t === undefined) return [];
    const out: number[] = [];
    t.partitions.forEach((p, i) => {
      if (p.leaderId !== null) out.push(i);
    });
    return out;
  }

  private needsUpdate(): boolean {
    if (this.updateRequested) return true;
    for (const t of this.interest) if (!this.topics.has(t)) return true;
    return false;
  }

  private due(now: number): boolean {
    if (this.needsUpdate()) return now >= this.lastEndMs + this.settings.retryBackoffMs;
    return now >= this.lastRefreshMs + this.settings.metadataMaxAgeMs;
  }
}
