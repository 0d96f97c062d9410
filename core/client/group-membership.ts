// A consumer's membership in a classic group (Kafka's ConsumerCoordinator and AbstractCoordinator):
// finding the coordinator, JoinGroup with MEMBER_ID_REQUIRED (KIP-394), the leader's assignment with
// the chosen assignor, SyncGroup, heartbeats every heartbeat.interval.ms, rejoining on the errors that
// call for it, leaving when poll() stops for max.poll.interval.ms, and the rebalance listener's
// calls: eager protocols revoke everything before they rejoin, cooperative ones only what moved
// (KIP-429); partitions are "lost" when the generation is gone. Records each assignment and
// revocation in the client history.

import type { Env, NodeId } from '../env.ts';
import { ErrorCode, errorName } from '../protocol/errors.ts';
import type { GroupMessage, GroupResponse, JoinGroupResponse, SyncGroupResponse } from '../protocol/group.ts';
import { assign, isCooperative, type AssignorName, type AssignorOptions } from './assignors.ts';
import { decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription, type TopicPartitions } from './consumer-protocol.ts';

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface MembershipSettings {
  groupId: string;
  groupInstanceId: string | null;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  maxPollIntervalMs: number;
  assignors: readonly AssignorName[];
  requestTimeoutMs: number;
  retryBackoffMs: number;
  /** How the leader assigns (the seeded assignor bugs). */
  assignorOptions?: AssignorOptions;
}

/** What membership needs from its consumer. */
export interface MembershipHost {
  nextCorrelationId(): number;
  /** A broker to ask FindCoordinator, or null while none is known. */
  anyBroker(): NodeId | null;
  /** The partition count of a topic as the consumer's metadata knows it, null when unknown (and asks for it). */
  partitionCount(topic: string): number | null;
  /** Commits the positions of the partitions about to be revoked, then calls `done` (whatever the outcome). */
  commitBeforeRevoke(env: Env<GroupMessage>, partitions: readonly TopicPartition[], done: () => void): void;
  /** The partitions are no longer this member's; `lost` when its generation ended without a clean revoke. */
  revoked(env: Env<GroupMessage>, partitions: readonly TopicPartition[], lost: boolean): void;
  /** The partitions are this member's now (their committed offsets are to be fetched). */
  assigned(env: Env<GroupMessage>, partitions: readonly TopicPartition[]): void;
  /** Records a history entry of this client. */
  record(env: Env<GroupMessage>, op: string, value: unknown): void;
}

type State = 'unjoined' | 'preparing' | 'joining' | 'syncing' | 'stable' | 'fatal';

interface InFlight {
  correlationId: number;
  deadlineMs: number;
}

/** Kafka's join deadline: the rebalance may take the whole rebalance timeout, plus a margin (AbstractCoordinator.JOIN_GROUP_TIMEOUT_LAPSE). */
const JOIN_TIMEOUT_LAPSE_MS = 5000;

export class GroupMembership {
  coordinator: NodeId | null = null;
  memberId = '';
  generation = -1;
  protocol: string | null = null;
  /** The partitions this member owns now. */
  owned: TopicPartition[] = [];
  /** What the last generation gave this member: an eager member revokes it all before joining, yet names it so the sticky assignor can keep it. */
  private lastAssigned: TopicPartition[] = [];
  private lastAssignedGeneration = -1;
  private state: State = 'unjoined';
  private topics: string[] = [];
  private rejoinNeeded = true;
  /**
   * As leader, the partition count of each topic the group subscribed to when this member assigned
   * them (absent: unknown then); a count known now that differs asks for a rebalance, as Kafka's
   * assignmentSnapshot does. Null while another member leads.
   */
  private assignmentSnapshot: Map<string, number | null> | null = null;
  private find: InFlight | null = null;
  private request: (InFlight & { api: 'JoinGroup' | 'SyncGroup' }) | null = null;
  private heartbeat: InFlight | null = null;
  private nextHeartbeatAtMs = Infinity;
  /** When the coordinator last answered a heartbeat (or the member became stable). */
  private lastHeartbeatOkMs = 0;
  private backoffUntilMs = -Infinity;
  private lastPollMs = 0;
  /** Why the membership stopped for good (FENCED_INSTANCE_ID, INCONSISTENT_GROUP_PROTOCOL, ...). */
  fatalError: string | null = null;

  constructor(
    private readonly settings: MembershipSettings,
    private readonly host: MembershipHost,
  ) {}

  get groupId(): string {
    return this.settings.groupId;
  }

  /** Whether the member is in a generation it may commit with. */
  get isStable(): boolean {
    return this.state === 'stable';
  }

  /**
   * The generation and member id a commit goes with: those of the last generation while the member
   * is stable in it or about to rejoin (Kafka commits in onJoinPrepare before leaving Stable); null
   * while it has none (the commit then fails at once, as Kafka's CommitFailedException).
   */
  commitIdentity(): { generation: number; memberId: string } | null {
    return (this.state === 'stable' || this.state === 'preparing') && this.generation >= 0 ? { generation: this.generation, memberId: this.memberId } : null;
  }

  subscribe(topics: readonly string[], now: number): void {
    this.topics = [...new Set(topics)].sort();
    this.rejoinNeeded = true;
    this.lastPollMs = now;
  }

  /** The application called poll(): the member is alive (max.poll.interval.ms). */
  polled(now: number): void {
    this.lastPollMs = now;
  }

  /** Sends whatever is due; called from the consumer's run loop. */
  poll(env: Env<GroupMessage>, now: number): void {
    if (this.topics.length === 0 || this.state === 'fatal') return;
    this.expire(env, now);
    if (this.state !== 'unjoined' && now - this.lastPollMs > this.settings.maxPollIntervalMs) {
      // Kafka's heartbeat thread leaves the group when poll() stops; the partitions are lost at the next poll.
      this.leave(env, 'consumer poll timeout has expired');
      this.lose(env);
      return;
    }
    // A member that left for want of poll() rejoins only once the application polls again.
    if (now < this.backoffUntilMs || now - this.lastPollMs > this.settings.maxPollIntervalMs) return;
    if (this.coordinator === null) return this.findCoordinator(env, now);
    if (this.state === 'stable' && this.assignmentMetadataChanged()) this.rejoinNeeded = true;
    if (this.rejoinNeeded && (this.state === 'unjoined' || this.state === 'stable')) return this.prepareJoin(env, now);
    if (this.state === 'stable' && this.heartbeat === null && now >= this.nextHeartbeatAtMs) {
      const correlationId = this.host.nextCorrelationId();
      this.heartbeat = { correlationId, deadlineMs: now + this.settings.requestTimeoutMs };
      env.send(this.coordinator, {
        api: 'Heartbeat',
        kind: 'request',
        correlationId,
        groupId: this.settings.groupId,
        generationId: this.generation,
        memberId: this.memberId,
        groupInstanceId: this.settings.groupInstanceId,
      });
    }
  }

  /** The next time after `now` at which poll() has something to do (a heartbeat, a deadline, the end of a backoff). */
  nextWakeMs(now: number): number {
    if (this.topics.length === 0 || this.state === 'fatal') return Infinity;
    const times = [this.backoffUntilMs, this.find?.deadlineMs, this.request?.deadlineMs, this.heartbeat?.deadlineMs];
    if (this.state !== 'unjoined') times.push(this.lastPollMs + this.settings.maxPollIntervalMs + 1);
    if (this.state === 'stable' && this.heartbeat === null) times.push(this.nextHeartbeatAtMs);
    if (this.state === 'stable') times.push(this.lastHeartbeatOkMs + this.settings.sessionTimeoutMs);
    let at = Infinity;
    for (const t of times) if (t !== undefined && t > now && t < at) at = t;
    return at;
  }

  /** A group response; returns whether it was membership's. */
  receive(env: Env<GroupMessage>, from: NodeId, msg: GroupResponse): boolean {
    const now = env.now();
    switch (msg.api) {
      case 'FindCoordinator': {
        if (this.find?.correlationId !== msg.correlationId) return false;
        this.find = null;
        const c = msg.coordinators[0];
        if (c === undefined || c.errorCode !== ErrorCode.NONE || c.nodeId === null) {
          this.backoff(now);
          return true;
        }
        // A new coordinator: the session's clock starts again and a heartbeat goes to it at once.
        this.coordinator = c.nodeId;
        this.lastHeartbeatOkMs = now;
        this.nextHeartbeatAtMs = now;
        return true;
      }
      case 'JoinGroup':
        if (this.request?.api !== 'JoinGroup' || this.request.correlationId !== msg.correlationId) return false;
        this.request = null;
        this.onJoin(env, msg, now);
        return true;
      case 'SyncGroup':
        if (this.request?.api !== 'SyncGroup' || this.request.correlationId !== msg.correlationId) return false;
        this.request = null;
        this.onSync(env, msg, now);
        return true;
      case 'Heartbeat':
        if (this.heartbeat?.correlationId !== msg.correlationId) return false;
        this.heartbeat = null;
        this.nextHeartbeatAtMs = now + this.settings.heartbeatIntervalMs;
        this.lastHeartbeatOkMs = now;
        this.onGroupError(env, msg.errorCode, now);
        return true;
      case 'LeaveGroup':
        return true;
      default:
        void from;
        return false;
    }
  }

  /**
   * A response's error that concerns the membership (Heartbeat, OffsetCommit): rejoin, reset, or find
   * the coordinator again. Returns whether it was one of those.
   */
  onGroupError(env: Env<GroupMessage>, errorCode: number, now: number): boolean {
    switch (errorCode) {
      case ErrorCode.NONE:
        return false;
      case ErrorCode.REBALANCE_IN_PROGRESS:
        this.rejoinNeeded = true;
        return true;
      case ErrorCode.UNKNOWN_MEMBER_ID:
        this.memberId = '';
        this.lose(env);
        return true;
      case ErrorCode.ILLEGAL_GENERATION:
        this.lose(env);
        return true;
      case ErrorCode.FENCED_INSTANCE_ID:
        this.fatal(env, errorCode);
        return true;
      case ErrorCode.NOT_COORDINATOR:
      case ErrorCode.COORDINATOR_NOT_AVAILABLE:
        this.coordinatorLost(now);
        return true;
      default:
        return false;
    }
  }

  /** Leaves the group (close, or poll() stopped): LeaveGroup, forgetting the member id unless static. */
  /** The consumer is closing: what it owns is revoked, it leaves the group and joins no more. */
  close(env: Env<GroupMessage>, reason: string): void {
    if (this.owned.length > 0) {
      const revoked = this.owned;
      this.owned = [];
      this.host.revoked(env, revoked, false);
      this.host.record(env, 'revoke', { group: this.settings.groupId, generation: this.generation, partitions: pairs(revoked), lost: false });
    }
    this.leave(env, reason);
    this.topics = [];
    this.state = 'unjoined';
  }

  leave(env: Env<GroupMessage>, reason: string): void {
    if (this.coordinator !== null && this.memberId !== '' && this.settings.groupInstanceId === null) {
      env.send(this.coordinator, {
        api: 'LeaveGroup',
        kind: 'request',
        correlationId: this.host.nextCorrelationId(),
        groupId: this.settings.groupId,
        members: [{ memberId: this.memberId, groupInstanceId: null, reason }],
      });
      this.memberId = '';
    }
  }

  // ---- joining ---------------------------------------------------------------------------------

  private findCoordinator(env: Env<GroupMessage>, now: number): void {
    if (this.find !== null) return;
    const broker = this.host.anyBroker();
    if (broker === null) return;
    const correlationId = this.host.nextCorrelationId();
    this.find = { correlationId, deadlineMs: now + this.settings.requestTimeoutMs };
    env.send(broker, { api: 'FindCoordinator', kind: 'request', correlationId, keyType: 0, coordinatorKeys: [this.settings.groupId] });
  }

  /** Kafka's onJoinPrepare: commit, then revoke everything (eager) or nothing (cooperative), then JoinGroup. */
  private prepareJoin(env: Env<GroupMessage>, now: number): void {
    this.rejoinNeeded = false;
    this.state = 'preparing';
    this.nextHeartbeatAtMs = Infinity;
    const generation = this.generation;
    this.host.commitBeforeRevoke(env, this.owned, () => {
      if (this.state !== 'preparing' || this.generation !== generation) return;
      if (!this.cooperative && this.owned.length > 0) {
        const revoked = this.owned;
        this.owned = [];
        this.host.revoked(env, revoked, false);
        this.host.record(env, 'revoke', { group: this.settings.groupId, generation: this.generation, partitions: pairs(revoked), lost: false });
      }
      this.sendJoin(env, env.now());
    });
    void now;
  }

  private get cooperative(): boolean {
    return this.protocol !== null ? isCooperative(this.protocol) : this.settings.assignors.every(isCooperative);
  }

  private sendJoin(env: Env<GroupMessage>, now: number): void {
    if (this.coordinator === null) {
      this.state = 'unjoined';
      this.rejoinNeeded = true;
      return;
    }
    this.state = 'joining';
    const correlationId = this.host.nextCorrelationId();
    this.request = {
      api: 'JoinGroup',
      correlationId,
      deadlineMs: now + Math.max(this.settings.requestTimeoutMs, this.settings.maxPollIntervalMs + JOIN_TIMEOUT_LAPSE_MS),
    };
    const cooperative = this.cooperative;
    const metadata = encodeSubscription({
      topics: this.topics,
      userData: null,
      ownedPartitions: grouped(cooperative ? this.owned : this.lastAssigned),
      generationId: cooperative ? this.generation : this.lastAssignedGeneration,
      rackId: null,
    });
    env.send(this.coordinator, {
      api: 'JoinGroup',
      kind: 'request',
      correlationId,
      groupId: this.settings.groupId,
      sessionTimeoutMs: this.settings.sessionTimeoutMs,
      rebalanceTimeoutMs: this.settings.maxPollIntervalMs,
      memberId: this.memberId,
      groupInstanceId: this.settings.groupInstanceId,
      protocolType: 'consumer',
      protocols: this.settings.assignors.map((name) => ({ name, metadata })),
      requireKnownMemberId: true,
      reason: null,
      clientId: env.self,
    });
  }

  private onJoin(env: Env<GroupMessage>, res: JoinGroupResponse, now: number): void {
    if (res.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
      this.memberId = res.memberId;
      return this.sendJoin(env, now);
    }
    if (res.errorCode !== ErrorCode.NONE) {
      this.state = 'unjoined';
      this.rejoinNeeded = true;
      if (res.errorCode === ErrorCode.COORDINATOR_LOAD_IN_PROGRESS || res.errorCode === ErrorCode.REBALANCE_IN_PROGRESS) return this.backoff(now);
      if (this.onGroupError(env, res.errorCode, now)) return this.backoff(now);
      return this.fatal(env, res.errorCode);
    }
    this.memberId = res.memberId;
    this.generation = res.generationId;
    this.protocol = res.protocolName;
    this.state = 'syncing';
    this.assignmentSnapshot = null;
    const assignments = res.leader === res.memberId && !res.skipAssignment ? this.leaderAssignments(res) : [];
    const correlationId = this.host.nextCorrelationId();
    this.request = { api: 'SyncGroup', correlationId, deadlineMs: now + this.settings.requestTimeoutMs };
    env.send(this.coordinator!, {
      api: 'SyncGroup',
      kind: 'request',
      correlationId,
      groupId: this.settings.groupId,
      generationId: this.generation,
      memberId: this.memberId,
      groupInstanceId: this.settings.groupInstanceId,
      protocolType: 'consumer',
      protocolName: this.protocol,
      assignments,
    });
  }

  /** The leader's work: every member's subscription through the chosen assignor. */
  private leaderAssignments(res: JoinGroupResponse): Array<{ memberId: string; assignment: string }> {
    const members = res.members.map((m) => {
      const s = decodeSubscription(m.metadata);
      return { memberId: m.memberId, groupInstanceId: m.groupInstanceId, topics: s.topics, ownedPartitions: s.ownedPartitions, generationId: s.generationId };
    });
    const counts = new Map<string, number>();
    const snapshot = new Map<string, number | null>();
    for (const topic of new Set(members.flatMap((m) => m.topics))) {
      const n = this.host.partitionCount(topic);
      snapshot.set(topic, n);
      if (n !== null) counts.set(topic, n);
    }
    this.assignmentSnapshot = snapshot;
    const name = (this.protocol ?? 'range') as AssignorName;
    const result = assign(name, members, counts, this.settings.assignorOptions);
    return [...result].map(([memberId, topics]) => ({
      memberId,
      assignment: encodeAssignment({ assignedPartitions: [...topics].map(([topic, partitions]) => ({ topic, partitions })), userData: null }),
    }));
  }

  /**
   * Whether a topic the leader assigned has a partition count now that it did not have then (the
   * topic was unknown, or grew). A topic unknown now is no change: a metadata answer from a broker
   * that has not caught up must not start a rebalance (Kafka compares whole snapshots).
   */
  private assignmentMetadataChanged(): boolean {
    if (this.assignmentSnapshot === null) return false;
    for (const [topic, then] of this.assignmentSnapshot) {
      const now = this.host.partitionCount(topic);
      if (now !== null && now !== then) return true;
    }
    return false;
  }

  private onSync(env: Env<GroupMessage>, res: SyncGroupResponse, now: number): void {
    if (res.errorCode !== ErrorCode.NONE) {
      this.state = 'unjoined';
      this.rejoinNeeded = true;
      if (res.errorCode === ErrorCode.REBALANCE_IN_PROGRESS) return;
      if (this.onGroupError(env, res.errorCode, now)) return this.backoff(now);
      return this.fatal(env, res.errorCode);
    }
    const assigned = decodeAssignment(res.assignment).assignedPartitions.flatMap((t) => t.partitions.map((partition) => ({ topic: t.topic, partition })));
    const has = (list: readonly TopicPartition[], tp: TopicPartition) => list.some((x) => x.topic === tp.topic && x.partition === tp.partition);
    const revoked = this.owned.filter((tp) => !has(assigned, tp));
    const added = assigned.filter((tp) => !has(this.owned, tp));
    this.state = 'stable';
    this.nextHeartbeatAtMs = now + this.settings.heartbeatIntervalMs;
    this.lastHeartbeatOkMs = now;
    this.lastAssigned = assigned;
    this.lastAssignedGeneration = this.generation;
    this.host.record(env, 'assignment', {
      group: this.settings.groupId,
      generation: this.generation,
      member: this.memberId,
      partitions: pairs(assigned),
    });
    // Cooperatively, what moved away is revoked now and the member rejoins at once to hand it over.
    if (revoked.length > 0) {
      this.owned = this.owned.filter((tp) => has(assigned, tp));
      this.host.revoked(env, revoked, false);
      this.host.record(env, 'revoke', { group: this.settings.groupId, generation: this.generation, partitions: pairs(revoked), lost: false });
      this.rejoinNeeded = true;
    }
    this.owned = [...this.owned, ...added];
    if (added.length > 0) this.host.assigned(env, added);
  }

  // ---- failures --------------------------------------------------------------------------------

  /** The generation is gone (unknown member, illegal generation, poll timeout): everything owned is lost, and the member rejoins. */
  private lose(env: Env<GroupMessage>): void {
    this.generation = -1;
    this.lastAssigned = [];
    this.lastAssignedGeneration = -1;
    this.state = 'unjoined';
    this.rejoinNeeded = true;
    this.request = null;
    this.heartbeat = null;
    if (this.owned.length === 0) return;
    const lost = this.owned;
    this.owned = [];
    this.host.revoked(env, lost, true);
    this.host.record(env, 'revoke', { group: this.settings.groupId, generation: -1, partitions: pairs(lost), lost: true });
  }

  private coordinatorLost(now: number): void {
    this.coordinator = null;
    if (this.state === 'joining' || this.state === 'syncing' || this.state === 'preparing') {
      this.state = 'unjoined';
      this.rejoinNeeded = true;
      this.request = null;
    }
    this.heartbeat = null;
    this.backoff(now);
  }

  private fatal(env: Env<GroupMessage>, errorCode: number): void {
    this.state = 'fatal';
    this.fatalError = errorName(errorCode);
    this.lose(env);
    this.state = 'fatal';
    this.host.record(env, 'group-error', { group: this.settings.groupId, error: this.fatalError });
  }

  private backoff(now: number): void {
    this.backoffUntilMs = now + this.settings.retryBackoffMs;
  }

  /** Requests without an answer in time are given up; a coordinator that stays silent is looked up again. */
  private expire(env: Env<GroupMessage>, now: number): void {
    if (this.find !== null && now >= this.find.deadlineMs) this.find = null;
    if (this.request !== null && now >= this.request.deadlineMs) this.coordinatorLost(now);
    if (this.heartbeat !== null && now >= this.heartbeat.deadlineMs) this.coordinatorLost(now);
    // Kafka's "session timed out without receiving a heartbeat response": the coordinator is looked up again.
    if (this.state === 'stable' && this.coordinator !== null && now - this.lastHeartbeatOkMs >= this.settings.sessionTimeoutMs) this.coordinatorLost(now);
    void env;
  }
}

function grouped(tps: readonly TopicPartition[]): TopicPartitions[] {
  const byTopic = new Map<string, number[]>();
  for (const tp of tps) byTopic.set(tp.topic, [...(byTopic.get(tp.topic) ?? []), tp.partition]);
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions: partitions.sort((a, b) => a - b) }));
}

/** Partitions as the history writes them: [topic, partition] pairs in order. */
function pairs(tps: readonly TopicPartition[]): Array<[string, number]> {
  return [...tps].sort((a, b) => (a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition)).map((tp) => [tp.topic, tp.partition]);
}
