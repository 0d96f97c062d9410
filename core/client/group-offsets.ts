// A group consumer's committed offsets (Kafka's ConsumerCoordinator offset handling): OffsetFetch for
// newly assigned partitions, OffsetCommit of the positions poll() has returned (auto-commit every
// auto.commit.interval.ms and before partitions are revoked, or on request), sent with the
// member's generation and id, retried where Kafka retries, and recorded in the history as `commit`.

import type { Env, NodeId } from '../env.ts';
import { ErrorCode, errorName } from '../protocol/errors.ts';
import type { GroupMessage, OffsetCommitResponse, OffsetFetchResponse } from '../protocol/group.ts';
import type { GroupMembership, TopicPartition } from './group-membership.ts';

export interface CommittedPosition {
  offset: number;
  leaderEpoch: number | null;
}

export interface GroupOffsetsHost {
  nextCorrelationId(): number;
  /** Records a history entry of this client (an invocation or an outcome). */
  record(env: Env<GroupMessage>, op: string, type: 'invoke' | 'ok' | 'fail' | 'info', id: number | null, value: unknown, error?: string): number;
}

interface PendingFetch {
  correlationId: number;
  deadlineMs: number;
  partitions: TopicPartition[];
  done: (committed: Map<string, CommittedPosition | null>) => void;
}

interface PendingCommit {
  correlationId: number;
  deadlineMs: number;
  historyId: number;
  offsets: Array<[string, number, number]>;
  done: (ok: boolean) => void;
}

/** A commit waiting for the coordinator to be found (Kafka looks it up, then sends the commit). */
interface DeferredCommit {
  deadlineMs: number;
  historyId: number;
  value: { group: string; generation: number; member: string; offsets: Array<[string, number, number]> };
  request: { leaderEpochs: Array<number | null> };
  done: (ok: boolean) => void;
}

/** Commit errors after which the same commit is tried again (Kafka's RetriableCommitFailedException cases). */
const RETRIABLE_COMMIT = new Set<number>([ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, ErrorCode.REQUEST_TIMED_OUT, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);

export class GroupOffsets {
  private fetches = new Map<number, PendingFetch>();
  private commits = new Map<number, PendingCommit>();
  private deferred: DeferredCommit[] = [];
  private nextAutoCommitAtMs: number;

  constructor(
    private readonly membership: GroupMembership,
    private readonly settings: { requestTimeoutMs: number; retryBackoffMs: number; autoCommitIntervalMs: number; enableAutoCommit: boolean },
    private readonly host: GroupOffsetsHost,
    now: number,
  ) {
    this.nextAutoCommitAtMs = now + settings.autoCommitIntervalMs;
  }

  /** Whether auto-commit is due at `now` (the consumer then commits its positions). */
  autoCommitDue(now: number): boolean {
    if (!this.settings.enableAutoCommit || now < this.nextAutoCommitAtMs) return false;
    this.nextAutoCommitAtMs = now + this.settings.autoCommitIntervalMs;
    return true;
  }

  nextWakeMs(now: number): number {
    let at = this.settings.enableAutoCommit && this.nextAutoCommitAtMs > now ? this.nextAutoCommitAtMs : Infinity;
    for (const r of [...this.fetches.values(), ...this.commits.values(), ...this.deferred]) if (r.deadlineMs > now && r.deadlineMs < at) at = r.deadlineMs;
    return at;
  }

  /** Asks the coordinator for the committed offsets of `partitions`; `done` gets each one's (null: none committed), or is never called if the ask fails (the caller retries). */
  fetchCommitted(env: Env<GroupMessage>, partitions: readonly TopicPartition[], done: PendingFetch['done']): boolean {
    const coordinator = this.membership.coordinator;
    if (coordinator === null || partitions.length === 0) return false;
    const correlationId = this.host.nextCorrelationId();
    this.fetches.set(correlationId, { correlationId, deadlineMs: env.now() + this.settings.requestTimeoutMs, partitions: [...partitions], done });
    const byTopic = new Map<string, number[]>();
    for (const tp of partitions) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
    env.send(coordinator, {
      api: 'OffsetFetch',
      kind: 'request',
      correlationId,
      groups: [{ groupId: this.membership.groupId, topics: [...byTopic].map(([name, partitionIndexes]) => ({ name, partitionIndexes })) }],
      requireStable: true,
    });
    return true;
  }

  /**
   * Commits offsets with the member's generation; `done(ok)` when answered or given up. Without a
   * generation it fails at once; without a known coordinator it waits for one until request.timeout.ms.
   */
  commit(
    env: Env<GroupMessage>,
    offsets: ReadonlyArray<{ tp: TopicPartition; offset: number; leaderEpoch: number | null }>,
    done: (ok: boolean) => void,
  ): void {
    if (offsets.length === 0) return done(true);
    const identity = this.membership.commitIdentity();
    const value = {
      group: this.membership.groupId,
      generation: identity?.generation ?? -1,
      member: identity?.memberId ?? '',
      offsets: offsets.map((o) => [o.tp.topic, o.tp.partition, o.offset] as [string, number, number]),
    };
    const historyId = this.host.record(env, 'commit', 'invoke', null, value);
    if (identity === null) {
      this.host.record(env, 'commit', 'fail', historyId, value, 'REBALANCE_IN_PROGRESS');
      return done(false);
    }
    const commit: DeferredCommit = {
      deadlineMs: env.now() + this.settings.requestTimeoutMs,
      historyId,
      value,
      request: { leaderEpochs: offsets.map((o) => o.leaderEpoch) },
      done,
    };
    if (this.membership.coordinator === null) this.deferred.push(commit);
    else this.send(env, commit);
  }

  /** Sends the commits that waited for a coordinator, once there is one. */
  flushDeferred(env: Env<GroupMessage>): void {
    if (this.membership.coordinator === null || this.deferred.length === 0) return;
    const waiting = this.deferred;
    this.deferred = [];
    for (const c of waiting) this.send(env, c);
  }

  private send(env: Env<GroupMessage>, c: DeferredCommit): void {
    const correlationId = this.host.nextCorrelationId();
    this.commits.set(correlationId, { correlationId, deadlineMs: c.deadlineMs, historyId: c.historyId, offsets: c.value.offsets, done: c.done });
    const byTopic = new Map<string, Array<{ partitionIndex: number; committedOffset: number; committedLeaderEpoch: number; committedMetadata: string }>>();
    c.value.offsets.forEach(([topic, partition, offset], i) => {
      byTopic.set(topic, [
        ...(byTopic.get(topic) ?? []),
        { partitionIndex: partition, committedOffset: offset, committedLeaderEpoch: c.request.leaderEpochs[i] ?? -1, committedMetadata: '' },
      ]);
    });
    env.send(this.membership.coordinator!, {
      api: 'OffsetCommit',
      kind: 'request',
      correlationId,
      groupId: this.membership.groupId,
      generationId: c.value.generation,
      memberId: c.value.member,
      groupInstanceId: null,
      topics: [...byTopic].map(([name, partitions]) => ({ name, partitions })),
    });
  }

  receive(env: Env<GroupMessage>, _from: NodeId, msg: OffsetFetchResponse | OffsetCommitResponse): boolean {
    return msg.api === 'OffsetFetch' ? this.onFetch(env, msg) : this.onCommit(env, msg);
  }

  /** Gives up requests without an answer in request.timeout.ms: a fetch is asked again by the caller, a commit's outcome is unknown. */
  expire(env: Env<GroupMessage>, now: number): void {
    for (const [id, f] of this.fetches) if (now >= f.deadlineMs) this.fetches.delete(id);
    // A commit that never found a coordinator was never sent: it failed.
    const expired = this.deferred.filter((c) => now >= c.deadlineMs);
    this.deferred = this.deferred.filter((c) => now < c.deadlineMs);
    for (const c of expired) {
      this.host.record(env, 'commit', 'fail', c.historyId, c.value, 'COORDINATOR_NOT_AVAILABLE');
      c.done(false);
    }
    for (const [id, c] of this.commits) {
      if (now < c.deadlineMs) continue;
      this.commits.delete(id);
      this.host.record(env, 'commit', 'info', c.historyId, { group: this.membership.groupId, offsets: c.offsets }, 'REQUEST_TIMED_OUT');
      c.done(false);
    }
  }

  /** Whether a fetch of committed offsets for this partition is out. */
  fetching(tp: TopicPartition): boolean {
    for (const f of this.fetches.values()) if (f.partitions.some((x) => x.topic === tp.topic && x.partition === tp.partition)) return true;
    return false;
  }

  private onFetch(env: Env<GroupMessage>, msg: OffsetFetchResponse): boolean {
    const pending = this.fetches.get(msg.correlationId);
    if (pending === undefined) return false;
    this.fetches.delete(msg.correlationId);
    const group = msg.groups[0];
    const errorCode = group?.errorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
    if (errorCode !== ErrorCode.NONE) {
      this.membership.onGroupError(env, errorCode, env.now());
      return true;
    }
    const committed = new Map<string, CommittedPosition | null>();
    for (const tp of pending.partitions) {
      const p = group!.topics.find((t) => t.name === tp.topic)?.partitions.find((x) => x.partitionIndex === tp.partition);
      if (p === undefined || p.errorCode !== ErrorCode.NONE) return true;
      committed.set(
        `${tp.topic}/${tp.partition}`,
        p.committedOffset < 0 ? null : { offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch < 0 ? null : p.committedLeaderEpoch },
      );
    }
    pending.done(committed);
    return true;
  }

  private onCommit(env: Env<GroupMessage>, msg: OffsetCommitResponse): boolean {
    const pending = this.commits.get(msg.correlationId);
    if (pending === undefined) return false;
    this.commits.delete(msg.correlationId);
    const value = { group: this.membership.groupId, offsets: pending.offsets };
    const errors = msg.topics.flatMap((t) => t.partitions.map((p) => p.errorCode)).filter((c) => c !== ErrorCode.NONE);
    if (errors.length === 0) {
      this.host.record(env, 'commit', 'ok', pending.historyId, value);
      pending.done(true);
      return true;
    }
    const errorCode = errors[0]!;
    // A commit the coordinator may have written (timed out, lost coordinator) has an unknown outcome.
    const unknown = errorCode === ErrorCode.REQUEST_TIMED_OUT || errorCode === ErrorCode.NOT_COORDINATOR || errorCode === ErrorCode.COORDINATOR_NOT_AVAILABLE;
    this.host.record(env, 'commit', unknown ? 'info' : 'fail', pending.historyId, value, errorName(errorCode));
    if (!RETRIABLE_COMMIT.has(errorCode)) this.membership.onGroupError(env, errorCode, env.now());
    pending.done(false);
    return true;
  }
}
