// The follower side of replication (Kafka's ReplicaFetcherThread): one fetch session per source
// broker carrying every partition this broker follows from it, one request in flight per
// session, retried after replica.fetch.backoff.ms on error and after replica.socket.timeout.ms
// without an answer. The replica manager applies what comes back.

import type { Env, NodeId, TimerTag } from '../env.ts';
import type { FetchRequest } from '../protocol/data.ts';

export interface FetcherSettings {
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  backoffMs: number;
  requestTimeoutMs: number;
}

/** What the fetcher needs of a followed partition to build its fetch. */
export interface FollowedPartition {
  topic: string;
  partition: number;
  leaderEpoch: number;
  fetchOffset: number;
  lastFetchedEpoch: number;
  logStartOffset: number;
}

interface Session {
  partitions: Set<string>;
  inFlight: number | null;
  /** What the request in flight asked for, per partition: its leader epoch and fetch offset. */
  asked: Map<string, { leaderEpoch: number; fetchOffset: number }>;
}

const TIMER_PREFIX = 'fetcher:';

export class FollowerFetcher {
  private readonly sessions = new Map<NodeId, Session>();
  private nextCorrelationId = 1;

  constructor(
    private readonly brokerId: NodeId,
    private readonly settings: FetcherSettings,
    private readonly brokerEpoch: () => number,
    private readonly partitionState: (key: string) => FollowedPartition | null,
  ) {}

  /** Follows `key` from `leader` (moving it from another leader's session if needed). */
  follow(key: string, leader: NodeId): void {
    for (const [source, session] of this.sessions) if (source !== leader) session.partitions.delete(key);
    let session = this.sessions.get(leader);
    if (session === undefined) {
      session = { partitions: new Set(), inFlight: null, asked: new Map() };
      this.sessions.set(leader, session);
    }
    session.partitions.add(key);
  }

  unfollow(key: string): void {
    for (const session of this.sessions.values()) session.partitions.delete(key);
  }

  /** Sends a fetch to every source broker that has partitions and no request in flight. */
  pump(env: Env<FetchRequest>): void {
    for (const [leader, session] of this.sessions) {
      if (session.inFlight === null && session.partitions.size > 0) this.send(env, leader, session);
    }
  }

  /** Whether `correlationId` is the request in flight to `leader` (and, if so, it is no longer). */
  accept(leader: NodeId, correlationId: number): boolean {
    const session = this.sessions.get(leader);
    if (session === undefined || session.inFlight !== correlationId) return false;
    session.inFlight = null;
    return true;
  }

  /**
   * Whether the answer for `key` from `leader` still fits the partition: as Kafka's fetcher, a response is
   * applied only while the partition's leader epoch and fetch offset are what the request asked with (a
   * partition re-added at a new epoch, or truncated, while the fetch was in flight drops its part).
   */
  stillCurrent(leader: NodeId, key: string, leaderEpoch: number, fetchOffset: number): boolean {
    const asked = this.sessions.get(leader)?.asked.get(key);
    return asked !== undefined && asked.leaderEpoch === leaderEpoch && asked.fetchOffset === fetchOffset;
  }

  /** After an answer: fetch again at once, or after the backoff when it failed. */
  next(env: Env<FetchRequest>, leader: NodeId, failed: boolean): void {
    env.cancelTimer(TIMER_PREFIX + leader);
    if (failed) env.setTimer(this.settings.backoffMs, TIMER_PREFIX + leader);
    else this.pump(env);
  }

  fire(env: Env<FetchRequest>, tag: TimerTag): boolean {
    if (!tag.startsWith(TIMER_PREFIX)) return false;
    const session = this.sessions.get(tag.slice(TIMER_PREFIX.length));
    // A timer is either the backoff after a failure or the timeout of the request in flight.
    if (session !== undefined) session.inFlight = null;
    this.pump(env);
    return true;
  }

  private send(env: Env<FetchRequest>, leader: NodeId, session: Session): void {
    const byTopic = new Map<string, FetchRequest['topics'][number]>();
    session.asked.clear();
    for (const key of session.partitions) {
      const state = this.partitionState(key);
      if (state === null) continue;
      session.asked.set(key, { leaderEpoch: state.leaderEpoch, fetchOffset: state.fetchOffset });
      let entry = byTopic.get(state.topic);
      if (entry === undefined) {
        entry = { topic: state.topic, partitions: [] };
        byTopic.set(state.topic, entry);
      }
      entry.partitions.push({
        partition: state.partition,
        currentLeaderEpoch: state.leaderEpoch,
        fetchOffset: state.fetchOffset,
        lastFetchedEpoch: state.lastFetchedEpoch,
        logStartOffset: state.logStartOffset,
        partitionMaxBytes: this.settings.maxBytes,
      });
    }
    if (byTopic.size === 0) return;
    const correlationId = this.nextCorrelationId++;
    session.inFlight = correlationId;
    env.send(leader, {
      api: 'Fetch',
      kind: 'request',
      correlationId,
      replicaId: this.brokerId,
      replicaEpoch: this.brokerEpoch(),
      maxWaitMs: this.settings.maxWaitMs,
      minBytes: this.settings.minBytes,
      maxBytes: this.settings.maxBytes,
      isolationLevel: 0,
      topics: [...byTopic.values()],
    });
    env.setTimer(this.settings.requestTimeoutMs, TIMER_PREFIX + leader);
  }
}
