// One classic group as its coordinator holds it (Kafka's GroupMetadata): the state, generation,
// chosen protocol, leader, members with their protocols, timeouts and assignments, the members that
// were handed an id and must rejoin with it (KIP-394), static members by instance id (KIP-345), the
// members still to send SyncGroup, and the group's committed offsets.

import type { NodeId } from '../env.ts';
import type { GroupStateName, JoinGroupProtocol } from '../protocol/group.ts';
import type { Bytes } from '../protocol/records.ts';
import type { CommittedOffset, StoredGroup } from './offsets-topic.ts';

/** A request parked until the group can answer it (a JoinGroup until the join completes, a SyncGroup until the leader's assignment is stored). */
export interface ParkedReply {
  from: NodeId;
  correlationId: number;
}

export interface Member {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  protocolType: string;
  protocols: JoinGroupProtocol[];
  assignment: Bytes;
  awaitingJoin: ParkedReply | null;
  awaitingSync: ParkedReply | null;
  /** Joined during the rebalance now in progress, never part of a generation yet. */
  isNew: boolean;
}

export interface GroupOffset extends CommittedOffset {
  topic: string;
  partition: number;
}

/**
 * A producer's offsets in an open transaction, with the generation and member its last
 * TxnOffsetCommit named, and where in the log each offset's record was appended (Kafka's
 * CommitRecordMetadataAndOffset.appendedBatchOffset; -1 for offsets a replay found, which precede
 * any marker still to come).
 */
export interface PendingTxnOffsets {
  generation: number;
  member: string;
  offsets: Map<string, GroupOffset>;
  appendedAt: Map<GroupOffset, number>;
}

export class Group {
  state: GroupStateName = 'Empty';
  generation = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  readonly members = new Map<string, Member>();
  /** group.instance.id -> the member id that holds it now. */
  readonly staticMembers = new Map<string, string>();
  /** Ids handed out with MEMBER_ID_REQUIRED, not yet joined with. */
  readonly pendingMembers = new Set<string>();
  /** Members of the generation that have not sent SyncGroup yet. */
  readonly pendingSyncMembers = new Set<string>();
  /** Committed offsets by "topic/partition". */
  readonly offsets = new Map<string, GroupOffset>();
  /** Transactional offsets by producer id, pending until their transaction's marker (Kafka's pendingTransactionalOffsetCommits). */
  readonly pendingTxnOffsets = new Map<number, PendingTxnOffsets>();
  /** While the initial rebalance delay runs: whether a member joined since it was last extended. */
  newMemberAdded = false;
  /** How much of the first rebalance's timeout the initial delay may still use. */
  initialDelayRemainingMs = 0;
  currentStateTimestamp = -1;

  constructor(readonly groupId: string) {}

  /** Whether some transaction holds an offset of this partition pending (OffsetFetch's requireStable, KIP-447). */
  hasPendingTxnOffset(key: string): boolean {
    for (const p of this.pendingTxnOffsets.values()) if (p.offsets.has(key)) return true;
    return false;
  }

  get isEmpty(): boolean {
    return this.members.size === 0;
  }

  /** Kafka's hasAllMembersJoined: every member rejoined and no handed-out id is still outstanding. */
  get allMembersJoined(): boolean {
    for (const m of this.members.values()) if (m.awaitingJoin === null) return false;
    return this.pendingMembers.size === 0;
  }

  /** The longest rebalance timeout of the members: how long a rebalance waits for them. */
  get rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  /** Whether a member with these protocols may join: same protocol type, and a protocol every member supports. */
  supportsProtocols(protocolType: string, protocols: readonly JoinGroupProtocol[]): boolean {
    if (this.isEmpty) return protocolType !== '' && protocols.length > 0;
    if (protocolType !== this.protocolType) return false;
    return this.candidateProtocols().some((name) => protocols.some((p) => p.name === name));
  }

  /** The protocols every member supports, in the first member's order. */
  candidateProtocols(): string[] {
    const members = [...this.members.values()];
    if (members.length === 0) return [];
    return members[0]!.protocols.map((p) => p.name).filter((name) => members.every((m) => m.protocols.some((p) => p.name === name)));
  }

  /**
   * Kafka's selectProtocol: among the protocols every member supports, each member votes for the first
   * of its own list; most votes wins (ties go to the earlier candidate, so the choice is deterministic).
   */
  selectProtocol(): string | null {
    const candidates = this.candidateProtocols();
    const votes = new Map<string, number>();
    for (const m of this.members.values()) {
      const vote = m.protocols.find((p) => candidates.includes(p.name));
      if (vote !== undefined) votes.set(vote.name, (votes.get(vote.name) ?? 0) + 1);
    }
    let best: string | null = null;
    for (const name of candidates) if (best === null || (votes.get(name) ?? 0) > (votes.get(best) ?? 0)) best = name;
    return best;
  }

  /** A member's metadata for the chosen protocol. */
  metadataOf(member: Member): Bytes {
    return member.protocols.find((p) => p.name === this.protocolName)?.metadata ?? '';
  }

  addMember(member: Member): void {
    if (this.isEmpty) this.protocolType = member.protocolType;
    this.members.set(member.memberId, member);
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId);
    if (this.leaderId === null) this.leaderId = member.memberId;
  }

  removeMember(memberId: string): Member | undefined {
    const member = this.members.get(memberId);
    if (member === undefined) return undefined;
    this.members.delete(memberId);
    this.pendingSyncMembers.delete(memberId);
    if (member.groupInstanceId !== null && this.staticMembers.get(member.groupInstanceId) === memberId) this.staticMembers.delete(member.groupInstanceId);
    if (this.leaderId === memberId) this.leaderId = this.members.keys().next().value ?? null;
    return member;
  }

  /** Whether a request naming this instance id comes from an older incarnation (FENCED_INSTANCE_ID). */
  isFenced(memberId: string, groupInstanceId: string | null): boolean {
    if (groupInstanceId === null) return false;
    const holder = this.staticMembers.get(groupInstanceId);
    return holder !== undefined && holder !== memberId;
  }

  /** Kafka's initNextGeneration: a new generation, with a protocol if anyone is left. */
  initNextGeneration(now: number): void {
    this.generation++;
    if (this.isEmpty) {
      this.protocolName = null;
      this.state = 'Empty';
    } else {
      this.protocolName = this.selectProtocol();
      this.state = 'CompletingRebalance';
      this.pendingSyncMembers.clear();
      for (const id of this.members.keys()) this.pendingSyncMembers.add(id);
    }
    this.currentStateTimestamp = now;
  }

  /** The group as GroupMetadataValue stores it (with every member's assignment). */
  toStored(now: number): StoredGroup {
    return {
      protocolType: this.protocolType ?? '',
      generation: this.generation,
      protocol: this.protocolName,
      leader: this.leaderId,
      currentStateTimestamp: now,
      members: [...this.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeout: m.rebalanceTimeoutMs,
        sessionTimeout: m.sessionTimeoutMs,
        subscription: this.metadataOf(m),
        assignment: m.assignment,
      })),
    };
  }

  /** Rebuilds a group from its stored metadata (a coordinator loading its partition): Stable with its members, or Empty. */
  static fromStored(groupId: string, stored: StoredGroup): Group {
    const group = new Group(groupId);
    group.generation = stored.generation;
    group.protocolType = stored.protocolType === '' ? null : stored.protocolType;
    group.protocolName = stored.protocol;
    group.currentStateTimestamp = stored.currentStateTimestamp;
    for (const m of stored.members) {
      group.addMember({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        rebalanceTimeoutMs: m.rebalanceTimeout,
        sessionTimeoutMs: m.sessionTimeout,
        protocolType: stored.protocolType,
        protocols: stored.protocol === null ? [] : [{ name: stored.protocol, metadata: m.subscription }],
        assignment: m.assignment,
        awaitingJoin: null,
        awaitingSync: null,
        isNew: false,
      });
    }
    group.leaderId = stored.leader;
    group.state = group.isEmpty ? 'Empty' : 'Stable';
    return group;
  }
}
