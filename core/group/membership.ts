// The classic rebalance protocol of one coordinator (Kafka's GroupCoordinator for JoinGroup, SyncGroup,
// Heartbeat and LeaveGroup): member ids handed out with MEMBER_ID_REQUIRED (KIP-394), joins parked
// until every member rejoined or the rebalance timeout passed (the first one after
// group.initial.rebalance.delay.ms), generations and protocol choice, the leader's assignment stored
// in __consumer_offsets before anyone gets theirs, session timeouts, members that never send
// SyncGroup, and static members (KIP-345) that come back under a new id without a rebalance.

import type { Env, NodeId } from '../env.ts';
import { ErrorCode } from '../protocol/errors.ts';
import type {
  GroupResponse,
  HeartbeatRequest,
  JoinGroupRequest,
  JoinGroupResponse,
  LeaveGroupRequest,
  LeaveGroupResponse,
  SyncGroupRequest,
} from '../protocol/group.ts';
import type { Bytes } from '../protocol/records.ts';
import { randomUuid } from '../uuid.ts';
import type { Group, Member, ParkedReply } from './group.ts';

export interface GroupSettings {
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  initialRebalanceDelayMs: number;
  maxSize: number;
}

/** What the rebalance protocol needs from its coordinator. */
export interface MembershipHost {
  readonly settings: GroupSettings;
  reply(env: Env<GroupResponse>, to: NodeId, res: GroupResponse): void;
  /** Arms (or re-arms) the named timer of this coordinator. */
  schedule(env: Env<GroupResponse>, key: string, delayMs: number, action: (env: Env<GroupResponse>) => void): void;
  unschedule(env: Env<GroupResponse>, key: string): void;
  /** Writes the group's metadata (with these assignments) to its __consumer_offsets partition; `done` once committed or failed. */
  storeGroup(env: Env<GroupResponse>, group: Group, assignments: ReadonlyMap<string, Bytes> | null, done: (errorCode: number) => void): void;
  /** Reports the group's state, generation and members to the trace. */
  traced(env: Env<GroupResponse>, group: Group): void;
}

type GroupEnv = Env<GroupResponse>;

const timerKey = {
  heartbeat: (g: Group, memberId: string) => `hb\u0000${g.groupId}\u0000${memberId}`,
  pending: (g: Group, memberId: string) => `pending\u0000${g.groupId}\u0000${memberId}`,
  join: (g: Group) => `join\u0000${g.groupId}`,
  sync: (g: Group) => `sync\u0000${g.groupId}`,
};

/** Kafka's mapping of a failed group write to what the members hear (GroupMetadataManager.storeGroup). */
export function storeGroupError(errorCode: number): number {
  switch (errorCode) {
    case ErrorCode.UNKNOWN_TOPIC_OR_PARTITION:
    case ErrorCode.NOT_ENOUGH_REPLICAS:
    case ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND:
      return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    case ErrorCode.NOT_LEADER_OR_FOLLOWER:
    case ErrorCode.KAFKA_STORAGE_ERROR:
      return ErrorCode.NOT_COORDINATOR;
    case ErrorCode.REQUEST_TIMED_OUT:
      return ErrorCode.REBALANCE_IN_PROGRESS;
    default:
      return errorCode === ErrorCode.NONE ? ErrorCode.NONE : ErrorCode.UNKNOWN_SERVER_ERROR;
  }
}

export class Membership {
  /** Groups whose current rebalance is the first one, timed by the initial delay. */
  private readonly initialDelay = new Set<Group>();

  constructor(private readonly host: MembershipHost) {}

  // ---- JoinGroup -------------------------------------------------------------------------------

  join(env: GroupEnv, from: NodeId, req: JoinGroupRequest, group: Group): void {
    const fail = (errorCode: number, memberId = req.memberId) => this.replyJoinError(env, { from, correlationId: req.correlationId }, errorCode, memberId);
    if (group.state === 'Dead') return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (!group.supportsProtocols(req.protocolType, req.protocols)) return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    if (req.memberId === '') {
      if (group.members.size + group.pendingMembers.size >= this.host.settings.maxSize) return fail(ErrorCode.GROUP_MAX_SIZE_REACHED);
      const memberId = `${req.clientId}-${randomUuid(() => env.random())}`;
      if (req.groupInstanceId !== null) return this.staticJoin(env, from, req, group, memberId);
      if (req.requireKnownMemberId) {
        // KIP-394: the id comes back first, so a client that dies before joining leaves nothing behind.
        group.pendingMembers.add(memberId);
        this.host.schedule(env, timerKey.pending(group, memberId), req.sessionTimeoutMs, (e) => this.pendingExpired(e, group, memberId));
        return fail(ErrorCode.MEMBER_ID_REQUIRED, memberId);
      }
      return this.addMemberAndRebalance(env, from, req, group, memberId);
    }
    if (group.pendingMembers.has(req.memberId)) {
      group.pendingMembers.delete(req.memberId);
      this.host.unschedule(env, timerKey.pending(group, req.memberId));
      return this.addMemberAndRebalance(env, from, req, group, req.memberId);
    }
    if (group.isFenced(req.memberId, req.groupInstanceId)) return fail(ErrorCode.FENCED_INSTANCE_ID);
    const member = group.members.get(req.memberId);
    if (member === undefined) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    const parked = { from, correlationId: req.correlationId };
    switch (group.state) {
      case 'PreparingRebalance':
        return this.updateMemberAndRebalance(env, group, member, req, parked);
      case 'CompletingRebalance':
        // A member that lost the JoinGroup answer asks again with the same protocols: the same answer.
        if (sameProtocols(member, req)) return this.replyJoin(env, group, member, parked);
        return this.updateMemberAndRebalance(env, group, member, req, parked);
      case 'Stable':
        if (member.memberId === group.leaderId || !sameProtocols(member, req)) return this.updateMemberAndRebalance(env, group, member, req, parked);
        return this.replyJoin(env, group, member, parked);
      default:
        return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    }
  }

  private addMemberAndRebalance(env: GroupEnv, from: NodeId, req: JoinGroupRequest, group: Group, memberId: string): void {
    const member: Member = {
      memberId,
      groupInstanceId: req.groupInstanceId,
      clientId: req.clientId,
      clientHost: from,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs < 0 ? req.sessionTimeoutMs : req.rebalanceTimeoutMs,
      sessionTimeoutMs: req.sessionTimeoutMs,
      protocolType: req.protocolType,
      protocols: req.protocols,
      assignment: '',
      awaitingJoin: { from, correlationId: req.correlationId },
      awaitingSync: null,
      isNew: true,
    };
    group.addMember(member);
    if (group.state === 'PreparingRebalance' && group.generation === 0) group.newMemberAdded = true;
    this.scheduleHeartbeatExpiry(env, group, member);
    this.maybePrepareRebalance(env, group);
  }

  private updateMemberAndRebalance(env: GroupEnv, group: Group, member: Member, req: JoinGroupRequest, parked: ParkedReply): void {
    member.protocols = req.protocols;
    member.rebalanceTimeoutMs = req.rebalanceTimeoutMs < 0 ? req.sessionTimeoutMs : req.rebalanceTimeoutMs;
    member.sessionTimeoutMs = req.sessionTimeoutMs;
    if (member.awaitingJoin !== null) this.replyJoinError(env, member.awaitingJoin, ErrorCode.UNKNOWN_MEMBER_ID, member.memberId);
    member.awaitingJoin = parked;
    this.scheduleHeartbeatExpiry(env, group, member);
    this.maybePrepareRebalance(env, group);
  }

  /**
   * A static member joining without its id (a restart): it takes its instance's place under a new id.
   * In a stable group with the same protocols nothing is rebalanced: the group metadata is stored
   * with the new id, and the member gets the current generation back (a returning leader is told
   * to skip the assignment, KIP-814); otherwise it joins the rebalance in its old place.
   */
  private staticJoin(env: GroupEnv, from: NodeId, req: JoinGroupRequest, group: Group, memberId: string): void {
    const oldId = group.staticMembers.get(req.groupInstanceId!);
    const old = oldId === undefined ? undefined : group.members.get(oldId);
    if (old === undefined) return this.addMemberAndRebalance(env, from, req, group, memberId);
    const parked = { from, correlationId: req.correlationId };
    if (old.awaitingJoin !== null) this.replyJoinError(env, old.awaitingJoin, ErrorCode.FENCED_INSTANCE_ID, old.memberId);
    if (old.awaitingSync !== null) this.replySync(env, old.awaitingSync, ErrorCode.FENCED_INSTANCE_ID, group, '');
    this.host.unschedule(env, timerKey.heartbeat(group, old.memberId));
    const wasLeader = group.leaderId === old.memberId;
    const replacement: Member = { ...old, memberId, clientId: req.clientId, clientHost: from, awaitingJoin: null, awaitingSync: null };
    group.removeMember(old.memberId);
    group.addMember(replacement);
    if (wasLeader) group.leaderId = memberId;
    this.scheduleHeartbeatExpiry(env, group, replacement);
    if (group.state === 'Stable' && sameProtocols(old, req)) {
      const generation = group.generation;
      this.host.storeGroup(env, group, null, (errorCode) => {
        if (errorCode !== ErrorCode.NONE) return this.replyJoinError(env, parked, storeGroupError(errorCode), memberId);
        if (group.generation !== generation) return this.replyJoinError(env, parked, ErrorCode.REBALANCE_IN_PROGRESS, memberId);
        this.replyJoin(env, group, replacement, parked, wasLeader);
      });
      this.host.traced(env, group);
      return;
    }
    this.updateMemberAndRebalance(env, group, replacement, req, parked);
  }

  private maybePrepareRebalance(env: GroupEnv, group: Group): void {
    if (group.state === 'Stable' || group.state === 'CompletingRebalance' || group.state === 'Empty') this.prepareRebalance(env, group);
    else if (group.state === 'PreparingRebalance') this.tryCompleteJoin(env, group);
  }

  /** Kafka's prepareRebalance: park joins until everyone is back, the first time after the initial delay. */
  prepareRebalance(env: GroupEnv, group: Group): void {
    if (group.state === 'CompletingRebalance') this.resetAndPropagateAssignmentError(env, group, ErrorCode.REBALANCE_IN_PROGRESS);
    this.host.unschedule(env, timerKey.sync(group));
    const wasEmpty = group.state === 'Empty';
    group.state = 'PreparingRebalance';
    group.currentStateTimestamp = Math.floor(env.now());
    this.host.traced(env, group);
    if (wasEmpty) {
      const delay = Math.min(this.host.settings.initialRebalanceDelayMs, group.rebalanceTimeoutMs);
      group.newMemberAdded = false;
      group.initialDelayRemainingMs = Math.max(group.rebalanceTimeoutMs - this.host.settings.initialRebalanceDelayMs, 0);
      this.initialDelay.add(group);
      this.host.schedule(env, timerKey.join(group), delay, (e) => this.initialDelayExpired(e, group));
      return;
    }
    this.initialDelay.delete(group);
    this.host.schedule(env, timerKey.join(group), group.rebalanceTimeoutMs, (e) => this.completeJoin(e, group));
    this.tryCompleteJoin(env, group);
  }

  /** Kafka's InitialDelayedJoin: each new member during the delay extends it, up to the rebalance timeout. */
  private initialDelayExpired(env: GroupEnv, group: Group): void {
    if (group.newMemberAdded && group.initialDelayRemainingMs > 0) {
      group.newMemberAdded = false;
      const delay = Math.min(this.host.settings.initialRebalanceDelayMs, group.initialDelayRemainingMs);
      group.initialDelayRemainingMs = Math.max(group.initialDelayRemainingMs - delay, 0);
      this.host.schedule(env, timerKey.join(group), delay, (e) => this.initialDelayExpired(e, group));
      return;
    }
    this.completeJoin(env, group);
  }

  private tryCompleteJoin(env: GroupEnv, group: Group): void {
    if (group.state === 'PreparingRebalance' && !this.initialDelay.has(group) && group.allMembersJoined) this.completeJoin(env, group);
  }

  /** Kafka's onCompleteJoin: members that did not rejoin leave, a new generation starts, every member hears it. */
  private completeJoin(env: GroupEnv, group: Group): void {
    if (group.state !== 'PreparingRebalance') return;
    this.initialDelay.delete(group);
    this.host.unschedule(env, timerKey.join(group));
    for (const member of [...group.members.values()]) {
      if (member.awaitingJoin !== null) continue;
      group.removeMember(member.memberId);
      this.host.unschedule(env, timerKey.heartbeat(group, member.memberId));
    }
    group.initNextGeneration(Math.floor(env.now()));
    this.host.traced(env, group);
    if (group.isEmpty) {
      this.host.storeGroup(env, group, null, () => {});
      return;
    }
    for (const member of group.members.values()) {
      const parked = member.awaitingJoin!;
      member.awaitingJoin = null;
      member.isNew = false;
      this.replyJoin(env, group, member, parked);
      this.scheduleHeartbeatExpiry(env, group, member);
    }
    const generation = group.generation;
    this.host.schedule(env, timerKey.sync(group), group.rebalanceTimeoutMs, (e) => this.syncExpired(e, group, generation));
  }

  /** Members of the generation that never sent SyncGroup within the rebalance timeout leave, and the group rebalances. */
  private syncExpired(env: GroupEnv, group: Group, generation: number): void {
    if (group.generation !== generation || (group.state !== 'CompletingRebalance' && group.state !== 'Stable')) return;
    if (group.pendingSyncMembers.size === 0) return;
    for (const memberId of [...group.pendingSyncMembers]) {
      const member = group.members.get(memberId);
      group.removeMember(memberId);
      this.host.unschedule(env, timerKey.heartbeat(group, memberId));
      if (member?.awaitingSync != null) this.replySync(env, member.awaitingSync, ErrorCode.UNKNOWN_MEMBER_ID, group, '');
    }
    this.memberLeft(env, group);
  }

  private replyJoin(env: GroupEnv, group: Group, member: Member, to: ParkedReply, skipAssignment = false): void {
    const isLeader = member.memberId === group.leaderId;
    const res: JoinGroupResponse = {
      api: 'JoinGroup',
      kind: 'response',
      correlationId: to.correlationId,
      errorCode: ErrorCode.NONE,
      generationId: group.generation,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leader: group.leaderId ?? '',
      skipAssignment,
      memberId: member.memberId,
      members: isLeader
        ? [...group.members.values()].map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: group.metadataOf(m) }))
        : [],
    };
    this.host.reply(env, to.from, res);
  }

  private replyJoinError(env: GroupEnv, to: ParkedReply, errorCode: number, memberId: string): void {
    this.host.reply(env, to.from, {
      api: 'JoinGroup',
      kind: 'response',
      correlationId: to.correlationId,
      errorCode,
      generationId: -1,
      protocolType: null,
      protocolName: null,
      leader: '',
      skipAssignment: false,
      memberId,
      members: [],
    });
  }

  // ---- SyncGroup -------------------------------------------------------------------------------

  sync(env: GroupEnv, from: NodeId, req: SyncGroupRequest, group: Group | undefined): void {
    const parked = { from, correlationId: req.correlationId };
    const fail = (errorCode: number) => this.replySync(env, parked, errorCode, group ?? null, '');
    if (group === undefined) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    if (group.state === 'Dead') return fail(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (group.isFenced(req.memberId, req.groupInstanceId)) return fail(ErrorCode.FENCED_INSTANCE_ID);
    const member = group.members.get(req.memberId);
    if (member === undefined) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    if (req.generationId !== group.generation) return fail(ErrorCode.ILLEGAL_GENERATION);
    if ((req.protocolType !== null && req.protocolType !== group.protocolType) || (req.protocolName !== null && req.protocolName !== group.protocolName))
      return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    switch (group.state) {
      case 'Empty':
        return fail(ErrorCode.UNKNOWN_MEMBER_ID);
      case 'PreparingRebalance':
        return fail(ErrorCode.REBALANCE_IN_PROGRESS);
      case 'Stable':
        group.pendingSyncMembers.delete(member.memberId);
        this.scheduleHeartbeatExpiry(env, group, member);
        return this.replySync(env, parked, ErrorCode.NONE, group, member.assignment);
      case 'CompletingRebalance':
        break;
    }
    if (member.awaitingSync !== null) this.replySync(env, member.awaitingSync, ErrorCode.REBALANCE_IN_PROGRESS, group, '');
    member.awaitingSync = parked;
    group.pendingSyncMembers.delete(member.memberId);
    this.scheduleHeartbeatExpiry(env, group, member);
    if (member.memberId !== group.leaderId) return;
    const assignments = new Map<string, Bytes>();
    for (const id of group.members.keys()) assignments.set(id, '');
    for (const a of req.assignments) if (assignments.has(a.memberId)) assignments.set(a.memberId, a.assignment);
    const generation = group.generation;
    this.host.storeGroup(env, group, assignments, (errorCode) => {
      // A rebalance that began meanwhile has already told the parked members.
      if (group.state !== 'CompletingRebalance' || group.generation !== generation) return;
      if (errorCode !== ErrorCode.NONE) {
        this.resetAndPropagateAssignmentError(env, group, storeGroupError(errorCode));
        return this.prepareRebalance(env, group);
      }
      for (const [id, assignment] of assignments) {
        const m = group.members.get(id);
        if (m !== undefined) m.assignment = assignment;
      }
      group.state = 'Stable';
      group.currentStateTimestamp = Math.floor(env.now());
      for (const m of group.members.values()) {
        if (m.awaitingSync === null) continue;
        this.replySync(env, m.awaitingSync, ErrorCode.NONE, group, m.assignment);
        m.awaitingSync = null;
      }
      this.host.traced(env, group);
    });
  }

  private resetAndPropagateAssignmentError(env: GroupEnv, group: Group, errorCode: number): void {
    for (const m of group.members.values()) {
      m.assignment = '';
      if (m.awaitingSync === null) continue;
      this.replySync(env, m.awaitingSync, errorCode, group, '');
      m.awaitingSync = null;
    }
  }

  private replySync(env: GroupEnv, to: ParkedReply, errorCode: number, group: Group | null, assignment: Bytes): void {
    const ok = errorCode === ErrorCode.NONE && group !== null;
    this.host.reply(env, to.from, {
      api: 'SyncGroup',
      kind: 'response',
      correlationId: to.correlationId,
      errorCode,
      protocolType: ok ? group.protocolType : null,
      protocolName: ok ? group.protocolName : null,
      assignment: ok ? assignment : '',
    });
  }

  // ---- Heartbeat and LeaveGroup -----------------------------------------------------------------

  heartbeat(env: GroupEnv, from: NodeId, req: HeartbeatRequest, group: Group | undefined): void {
    const answer = (errorCode: number) => this.host.reply(env, from, { api: 'Heartbeat', kind: 'response', correlationId: req.correlationId, errorCode });
    if (group === undefined) return answer(ErrorCode.UNKNOWN_MEMBER_ID);
    if (group.state === 'Dead') return answer(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (group.isFenced(req.memberId, req.groupInstanceId)) return answer(ErrorCode.FENCED_INSTANCE_ID);
    const member = group.members.get(req.memberId);
    if (group.state === 'Empty' || member === undefined) return answer(ErrorCode.UNKNOWN_MEMBER_ID);
    if (req.generationId !== group.generation) return answer(ErrorCode.ILLEGAL_GENERATION);
    this.scheduleHeartbeatExpiry(env, group, member);
    answer(group.state === 'PreparingRebalance' ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE);
  }

  leave(env: GroupEnv, from: NodeId, req: LeaveGroupRequest, group: Group | undefined): void {
    const results: LeaveGroupResponse['members'] = [];
    let left = false;
    for (const m of req.members) {
      const result = (errorCode: number) => results.push({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode });
      if (group === undefined || group.state === 'Dead') {
        result(ErrorCode.UNKNOWN_MEMBER_ID);
        continue;
      }
      // A static member leaving by instance id may leave out its member id (UNKNOWN_MEMBER_ID is "").
      const memberId = m.groupInstanceId !== null && m.memberId === '' ? (group.staticMembers.get(m.groupInstanceId) ?? '') : m.memberId;
      if (m.groupInstanceId !== null && group.isFenced(memberId, m.groupInstanceId)) {
        result(ErrorCode.FENCED_INSTANCE_ID);
        continue;
      }
      if (group.pendingMembers.delete(memberId)) {
        this.host.unschedule(env, timerKey.pending(group, memberId));
        result(ErrorCode.NONE);
        continue;
      }
      const member = group.members.get(memberId);
      if (member === undefined) {
        result(ErrorCode.UNKNOWN_MEMBER_ID);
        continue;
      }
      this.dropMember(env, group, member);
      left = true;
      result(ErrorCode.NONE);
    }
    if (left && group !== undefined) this.memberLeft(env, group);
    this.host.reply(env, from, { api: 'LeaveGroup', kind: 'response', correlationId: req.correlationId, errorCode: ErrorCode.NONE, members: results });
  }

  // ---- expiry ----------------------------------------------------------------------------------

  private scheduleHeartbeatExpiry(env: GroupEnv, group: Group, member: Member): void {
    this.host.schedule(env, timerKey.heartbeat(group, member.memberId), member.sessionTimeoutMs, (e) => this.heartbeatExpired(e, group, member.memberId));
  }

  /** Kafka's onExpireHeartbeat: a member parked in a join or sync is kept alive; one that went quiet leaves. */
  private heartbeatExpired(env: GroupEnv, group: Group, memberId: string): void {
    const member = group.members.get(memberId);
    if (member === undefined || group.state === 'Dead') return;
    if (member.awaitingJoin !== null || member.awaitingSync !== null) return this.scheduleHeartbeatExpiry(env, group, member);
    this.dropMember(env, group, member);
    this.memberLeft(env, group);
  }

  private pendingExpired(env: GroupEnv, group: Group, memberId: string): void {
    if (!group.pendingMembers.delete(memberId)) return;
    if (group.state === 'PreparingRebalance') this.tryCompleteJoin(env, group);
  }

  /** Removes a member, answering anything it had parked. */
  private dropMember(env: GroupEnv, group: Group, member: Member): void {
    if (member.awaitingJoin !== null) this.replyJoinError(env, member.awaitingJoin, ErrorCode.UNKNOWN_MEMBER_ID, member.memberId);
    if (member.awaitingSync !== null) this.replySync(env, member.awaitingSync, ErrorCode.UNKNOWN_MEMBER_ID, group, '');
    group.removeMember(member.memberId);
    this.host.unschedule(env, timerKey.heartbeat(group, member.memberId));
  }

  /** Kafka's removeMemberAndUpdateGroup, after the removal: a settled group rebalances, a rebalancing one may now complete. */
  private memberLeft(env: GroupEnv, group: Group): void {
    if (group.state === 'Stable' || group.state === 'CompletingRebalance') this.prepareRebalance(env, group);
    else if (group.state === 'PreparingRebalance') this.tryCompleteJoin(env, group);
    else this.host.traced(env, group);
  }

  // ---- coordinator changes ---------------------------------------------------------------------

  /** Re-arms the session timers of a group just loaded by a new coordinator: its members must heartbeat to it. */
  loaded(env: GroupEnv, group: Group): void {
    for (const member of group.members.values()) this.scheduleHeartbeatExpiry(env, group, member);
  }

  /** The coordinator gave the group up (or deleted it): parked requests hear `errorCode`, its timers stop. */
  unloaded(env: GroupEnv, group: Group, errorCode: number): void {
    group.state = 'Dead';
    this.initialDelay.delete(group);
    this.host.unschedule(env, timerKey.join(group));
    this.host.unschedule(env, timerKey.sync(group));
    for (const member of group.members.values()) {
      this.host.unschedule(env, timerKey.heartbeat(group, member.memberId));
      if (member.awaitingJoin !== null) this.replyJoinError(env, member.awaitingJoin, errorCode, member.memberId);
      if (member.awaitingSync !== null) this.replySync(env, member.awaitingSync, errorCode, group, '');
      member.awaitingJoin = null;
      member.awaitingSync = null;
    }
    for (const memberId of group.pendingMembers) this.host.unschedule(env, timerKey.pending(group, memberId));
  }
}

function sameProtocols(member: Member, req: JoinGroupRequest): boolean {
  return (
    member.protocols.length === req.protocols.length &&
    member.protocols.every((p, i) => p.name === req.protocols[i]!.name && p.metadata === req.protocols[i]!.metadata)
  );
}
