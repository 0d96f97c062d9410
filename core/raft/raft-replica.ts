// One replica of the KRaft metadata quorum (KIP-595): pull-based Raft. Voters elect a leader by
// Vote (granted only to candidates whose log is at least as up to date, the vote durable before
// the reply), after a pre-vote round in which a prospective voter asks, at its current epoch,
// whether the others would vote for it (KIP-996: a voter still following a live leader says no,
// so a voter that was cut off cannot disrupt a healthy quorum when it returns); followers and
// observers Fetch from the leader with their last fetched epoch, and
// truncate when the leader answers a diverging epoch; the leader's high watermark advances only
// over flushed entries of its own epoch held by a majority. Snapshots bound the log.

import type { Env, NodeId, TimerTag } from '../env.ts';
import { ErrorCode } from '../protocol/errors.ts';
import type {
  BeginQuorumEpochRequest,
  BeginQuorumEpochResponse,
  EndQuorumEpochRequest,
  FetchSnapshotRequest,
  FetchSnapshotResponse,
  LeaderHint,
  OffsetAndEpoch,
  QuorumFetchRequest,
  QuorumFetchResponse,
  QuorumMessage,
  RaftEntry,
  VoteRequest,
  VoteResponse,
} from '../protocol/quorum.ts';
import { StorageError } from '../storage.ts';
import type { RaftRole } from '../trace/schema.ts';
import type { RaftBug } from './bugs.ts';
import { readElectionState, writeElectionState, type ElectionState } from './quorum-state.ts';
import { RaftLog } from './raft-log.ts';

export interface RaftSettings {
  clusterId: string;
  /** The static voter set (controller.quorum.voters). */
  voters: readonly NodeId[];
  electionTimeoutMs: number;
  fetchTimeoutMs: number;
  electionBackoffMaxMs: number;
  requestTimeoutMs: number;
  retryBackoffMs: number;
  fetchMaxWaitMs: number;
  /** Delay before the leader fsyncs what it appended (0: at once). */
  flushDelayMs: number;
  /** Committed bytes after which a snapshot is taken. */
  snapshotBytes: number;
  /** Most entries sent in one fetch response. */
  maxFetchEntries: number;
  bugs: ReadonlySet<RaftBug>;
}

/** What the quorum drives: the replicated state machine (the controller's metadata image). */
export interface StateMachine<R> {
  /** Entries now committed, in offset order, each exactly once per incarnation (after any snapshot). */
  commit(entries: RaftEntry<R>[]): void;
  /** Replaces the whole state with a snapshot's. */
  loadSnapshot(state: unknown, id: OffsetAndEpoch): void;
  /** The state as of the last committed entry given to `commit`. */
  snapshot(): unknown;
  /** The known leader changed (or this replica's role did). */
  leaderChanged(leader: LeaderHint, selfIsLeader: boolean): void;
}

/** The leader's view of one replica that fetches from it. */
interface ReplicaProgress {
  /** The replica's log end as of its last valid fetch; -1 until it fetches in this epoch. */
  endOffset: number;
  lastFetchMs: number;
}

/** BUGGIFY's raft.flush-late: how much later the leader's fsync comes. */
const LATE_FLUSH_MS = 50;

const T = {
  election: 'raft:election',
  fetchTimeout: 'raft:fetch-timeout',
  requestTimeout: 'raft:request-timeout',
  fetchRetry: 'raft:fetch-retry',
  checkQuorum: 'raft:check-quorum',
  beginEpochRetry: 'raft:begin-epoch-retry',
  flush: 'raft:flush',
  voteRetry: 'raft:vote-retry',
  parkedPrefix: 'raft:parked:',
} as const;

export class RaftReplica<R> {
  private epoch = 0;
  private role: RaftRole = 'unattached';
  private leaderId: NodeId | null = null;
  private votedId: NodeId | null = null;
  private durable: ElectionState = { epoch: 0, votedId: null, leaderId: null };
  private log!: RaftLog<R>;
  /** Null while unknown (a new leader, a restarted replica). */
  private hw: number | null = null;
  /** Entries below this offset have been given to the state machine. */
  private applied = 0;
  private nextCorrelationId = 1;

  // Candidate state
  private votes = new Set<NodeId>();
  /** As a follower: whether a fetch from the leader of this epoch has succeeded (a pre-vote is then refused). */
  private hasFetchedFromLeader = false;
  private electionRetries = 0;
  private backingOff = false;
  /** Only with the raft-candidate-gives-up bug: this node never stands again. */
  private gaveUp = false;

  // Leader state
  private epochStartOffset = 0;
  private progress = new Map<NodeId, ReplicaProgress>();
  private beginEpochPending = new Set<NodeId>();
  private parked = new Map<NodeId, QuorumFetchRequest>();

  // Follower and observer state
  private outstandingFetch: { correlationId: number; to: NodeId } | null = null;
  private outstandingSnapshotFetch: number | null = null;
  /** Voters that have not answered this election yet. */
  private unansweredVoters = new Set<NodeId>();
  /** The first correlation id of this election: answers to any of its (re)sent requests count. */
  private electionFirstCorrelationId = 0;

  constructor(
    readonly id: NodeId,
    private readonly settings: RaftSettings,
    private readonly machine: StateMachine<R>,
  ) {}

  // ---- queries ----------------------------------------------------------------------------

  get isVoter(): boolean {
    return this.settings.voters.includes(this.id);
  }

  get currentEpoch(): number {
    return this.epoch;
  }

  get currentRole(): RaftRole {
    return this.role;
  }

  get currentLeader(): NodeId | null {
    return this.leaderId;
  }

  get highWatermark(): number | null {
    return this.hw;
  }

  get logEndOffset(): number {
    return this.log.endOffset;
  }

  get isLeader(): boolean {
    return this.role === 'leader';
  }

  /** Read access to the log, for the controller's catch-up checks and for tests. */
  get raftLog(): RaftLog<R> {
    return this.log;
  }

  private get majority(): number {
    return Math.floor(this.settings.voters.length / 2) + 1;
  }

  // ---- lifecycle --------------------------------------------------------------------------

  /** Boot or reboot: recover the election state and the log, then take up the right role. */
  start(env: Env<QuorumMessage<R>>): void {
    const state = readElectionState(env.storage);
    this.durable = state;
    env.trace({ kind: 'raft-load', epoch: state.epoch, votedFor: state.votedId, leader: state.leaderId });
    const { log, tornBytes } = RaftLog.open<R>(env.storage, {
      appended: (offset, entries) => env.trace({ kind: 'raft-append', offset, entries: entries.map((e) => [e.epoch, e.hash]) }),
      truncated: (endOffset) => env.trace({ kind: 'raft-truncate', endOffset, highWatermark: this.hw }),
      flushed: () => {},
    });
    this.log = log;
    env.trace({
      kind: 'raft-recover',
      startOffset: log.startOffset,
      endOffset: log.endOffset,
      snapshotEpoch: log.snapshot?.id.epoch ?? null,
      tornBytes,
      entries: log.entryHashes(),
    });
    if (log.snapshot !== null) {
      this.machine.loadSnapshot(log.snapshot.state, log.snapshot.id);
      this.applied = log.snapshot.id.endOffset;
    }
    this.epoch = state.epoch;
    this.votedId = state.votedId;
    if (state.leaderId === this.id) {
      if (this.settings.bugs.has('raft-same-epoch-reinit')) {
        this.becomeLeader(env);
        return;
      }
      // A leader that restarts may have lost entries it led with; it must not lead this epoch again.
      this.setRole(env, 'resigned', null, state.votedId);
      this.armElectionTimer(env);
    } else if (state.leaderId !== null) {
      this.becomeFollower(env, state.epoch, state.leaderId, false);
    } else if (state.votedId !== null) {
      this.setRole(env, 'voted', null, state.votedId);
      this.armElectionTimer(env);
    } else {
      this.becomeUnattached(env, state.epoch, false);
    }
  }

  /** Handles a quorum request or response. */
  receive(env: Env<QuorumMessage<R>>, from: NodeId, msg: QuorumMessage<R>): void {
    switch (msg.api) {
      case 'Vote':
        if (msg.kind === 'request') this.onVoteRequest(env, from, msg);
        else this.onVoteResponse(env, from, msg);
        return;
      case 'BeginQuorumEpoch':
        if (msg.kind === 'request') this.onBeginQuorumEpoch(env, from, msg);
        else this.onBeginQuorumEpochResponse(env, from, msg);
        return;
      case 'EndQuorumEpoch':
        if (msg.kind === 'request') this.onEndQuorumEpoch(env, from, msg);
        return;
      case 'Fetch':
        if (msg.kind === 'request') this.onFetchRequest(env, from, msg);
        else this.onFetchResponse(env, from, msg);
        return;
      case 'FetchSnapshot':
        if (msg.kind === 'request') this.onFetchSnapshotRequest(env, from, msg);
        else this.onFetchSnapshotResponse(env, msg);
        return;
    }
  }

  /** Handles a quorum timer; returns false when the tag is not the quorum's. */
  fire(env: Env<QuorumMessage<R>>, tag: TimerTag): boolean {
    if (!tag.startsWith('raft:')) return false;
    if (tag.startsWith(T.parkedPrefix)) {
      const replica = tag.slice(T.parkedPrefix.length);
      const request = this.parked.get(replica);
      if (request !== undefined) {
        this.parked.delete(replica);
        if (this.role === 'leader') this.answerFetch(env, replica, request);
        else this.sendFetchResponse(env, replica, request, ErrorCode.NOT_LEADER_OR_FOLLOWER, [], null, null);
      }
      return true;
    }
    switch (tag) {
      case T.election:
        this.onElectionTimeout(env);
        break;
      case T.fetchTimeout:
        this.onFetchTimeout(env);
        break;
      case T.requestTimeout:
      case T.fetchRetry:
        this.outstandingFetch = null;
        this.outstandingSnapshotFetch = null;
        this.sendFetch(env);
        break;
      case T.checkQuorum:
        this.checkQuorum(env);
        break;
      case T.beginEpochRetry:
        this.sendBeginQuorumEpoch(env);
        break;
      case T.flush:
        this.flushAsLeader(env);
        break;
      case T.voteRetry:
        this.sendVoteRequests(env);
        break;
    }
    return true;
  }

  // ---- the leader's write path ------------------------------------------------------------

  /** Appends state machine records as leader; returns the last offset, or null when not leader. */
  append(env: Env<QuorumMessage<R>>, values: R[]): number | null {
    if (this.role !== 'leader' || values.length === 0) return null;
    const last = this.log.append(
      this.epoch,
      values.map((value) => ({ type: 'data' as const, value })),
    );
    this.afterLeaderAppend(env);
    return last;
  }

  private afterLeaderAppend(env: Env<QuorumMessage<R>>): void {
    const flushDelayMs = env.buggify?.('raft.flush-late') === true ? this.settings.flushDelayMs + LATE_FLUSH_MS : this.settings.flushDelayMs;
    if (flushDelayMs > 0) {
      // Arm once: later appends ride along with the pending fsync.
      if (!this.flushPending) {
        this.flushPending = true;
        env.setTimer(flushDelayMs, T.flush);
      }
      if (this.settings.bugs.has('raft-commit-unflushed')) this.maybeAdvanceHighWatermark(env);
      this.completeParkedFetches(env);
    } else {
      this.flushAsLeader(env);
    }
  }

  private flushPending = false;

  private flushAsLeader(env: Env<QuorumMessage<R>>): void {
    this.flushPending = false;
    if (this.role !== 'leader') return;
    this.log.flush();
    this.maybeAdvanceHighWatermark(env);
    this.completeParkedFetches(env);
  }

  // ---- elections --------------------------------------------------------------------------

  private onElectionTimeout(env: Env<QuorumMessage<R>>): void {
    if (!this.isVoter || this.role === 'leader' || this.role === 'follower') return;
    if (this.gaveUp) return;
    if (this.role === 'candidate' && this.settings.bugs.has('raft-candidate-gives-up')) {
      // The bug: a failed election ends this node's candidacy for good.
      this.gaveUp = true;
      this.backingOff = true;
      return;
    }
    if (this.role === 'candidate' && !this.backingOff) {
      // The election failed: back off (exponentially, bounded) before trying again in a new epoch.
      this.backingOff = true;
      this.electionRetries++;
      const backoff = Math.min(this.settings.electionBackoffMaxMs, this.settings.retryBackoffMs * 2 ** this.electionRetries);
      env.setTimer(env.random() * backoff, T.election);
      return;
    }
    // A pre-vote round that did not end in time is lost: back to the known leader, or unattached.
    if (this.role === 'prospective') return this.prospectiveLost(env);
    this.standForElection(env);
  }

  /** Stands for election: first as a prospective voter asking for pre-votes (KIP-996), unless the bug skips it. */
  private standForElection(env: Env<QuorumMessage<R>>): void {
    if (this.gaveUp) return;
    if (this.settings.bugs.has('raft-no-prevote')) this.startElection(env);
    else this.becomeProspective(env);
  }

  /**
   * KIP-996's Prospective state: in memory only, at the current epoch, keeping the leader and vote
   * it knows; it asks every voter whether it would vote for it. A majority of yeses makes it a
   * candidate; a lost round sends it back.
   */
  private becomeProspective(env: Env<QuorumMessage<R>>): void {
    this.backingOff = false;
    this.votes = new Set([this.id]);
    this.unansweredVoters.clear();
    this.setRole(env, 'prospective', this.leaderId, this.votedId);
    env.cancelTimer(T.fetchTimeout);
    if (this.votes.size >= this.majority) return this.startElection(env);
    for (const voter of this.settings.voters) if (voter !== this.id) this.unansweredVoters.add(voter);
    this.electionFirstCorrelationId = this.nextCorrelationId;
    this.sendVoteRequests(env);
    env.setTimer(this.randomElectionTimeout(env), T.election);
  }

  /** A pre-vote round lost: follow the leader it knows again (it is alive, say the others), or wait unattached. */
  private prospectiveLost(env: Env<QuorumMessage<R>>): void {
    this.unansweredVoters.clear();
    // The bug: a lost round, like a lost election, ends this node's candidacy for good.
    if (this.settings.bugs.has('raft-candidate-gives-up')) this.gaveUp = true;
    if (this.leaderId !== null) this.becomeFollower(env, this.epoch, this.leaderId, false);
    else this.becomeUnattached(env, this.epoch, false);
  }

  private startElection(env: Env<QuorumMessage<R>>): void {
    this.backingOff = false;
    this.epoch++;
    this.votes = new Set([this.id]);
    this.unansweredVoters.clear();
    this.setRole(env, 'candidate', null, this.id);
    this.persist(env);
    if (this.votes.size >= this.majority) {
      this.becomeLeader(env);
      return;
    }
    for (const voter of this.settings.voters) if (voter !== this.id) this.unansweredVoters.add(voter);
    this.electionFirstCorrelationId = this.nextCorrelationId;
    this.sendVoteRequests(env);
    env.setTimer(this.randomElectionTimeout(env), T.election);
  }

  /**
   * Asks every voter that has not answered. The simulated network has no connection errors, so a
   * request lost to a crashed or cut-off voter is retried after a short backoff, as Kafka retries
   * a request whose connection failed.
   */
  private sendVoteRequests(env: Env<QuorumMessage<R>>): void {
    if ((this.role !== 'candidate' && this.role !== 'prospective') || this.backingOff || this.unansweredVoters.size === 0) return;
    for (const voter of this.unansweredVoters) {
      const correlationId = this.nextCorrelationId++;
      env.send(voter, {
        api: 'Vote',
        kind: 'request',
        correlationId,
        clusterId: this.settings.clusterId,
        candidateEpoch: this.epoch,
        candidateId: this.id,
        lastEpoch: this.log.lastEpoch,
        lastEpochEndOffset: this.log.endOffset,
        preVote: this.role === 'prospective',
      });
    }
    env.setTimer(this.voteRetryMs, T.voteRetry);
  }

  private get voteRetryMs(): number {
    return Math.max(this.settings.retryBackoffMs * 5, 50);
  }

  private onVoteRequest(env: Env<QuorumMessage<R>>, from: NodeId, req: VoteRequest): void {
    const reply = (errorCode: number, granted: boolean) =>
      env.send(from, {
        api: 'Vote',
        kind: 'response',
        correlationId: req.correlationId,
        errorCode,
        leaderId: this.leaderId,
        leaderEpoch: this.epoch,
        voteGranted: granted,
      });
    if (!this.isVoter) return reply(ErrorCode.INCONSISTENT_VOTER_SET, false);
    if (req.candidateEpoch < this.epoch) return reply(ErrorCode.FENCED_LEADER_EPOCH, false);
    const upToDate = req.lastEpoch > this.log.lastEpoch || (req.lastEpoch === this.log.lastEpoch && req.lastEpochEndOffset >= this.log.endOffset);
    const logOk = upToDate || this.settings.bugs.has('raft-no-log-check');
    // A later epoch, even in a pre-vote, is adopted (Kafka's handleVoteRequest): the prospective
    // voter holds it because some candidate started it, and a leader left behind in an older epoch
    // must learn of it, or a voter that stood once while cut off could never rejoin.
    if (req.candidateEpoch > this.epoch) this.becomeUnattached(env, req.candidateEpoch, true);
    // A pre-vote records nothing; it is refused by a leader, a resigned leader, and a follower that
    // has heard from its leader (Kafka's canGrantVote with isPreVote).
    if (req.preVote) return reply(ErrorCode.NONE, logOk && this.canGrantPreVote());
    if (this.settings.bugs.has('raft-vote-twice') && (this.role !== 'unattached' || this.votedId !== null)) {
      // The bug: whatever this node did in this epoch already (voted, stood, leads), it grants again.
      return reply(ErrorCode.NONE, logOk);
    }
    // A prospective voter that knows no leader votes as an unattached one would (and so gives up its round).
    const mayVote = this.role === 'unattached' || this.role === 'voted' || (this.role === 'prospective' && this.leaderId === null);
    if (!mayVote) return reply(ErrorCode.NONE, false);
    if (this.votedId !== null) return reply(ErrorCode.NONE, this.votedId === req.candidateId);
    if (!logOk) return reply(ErrorCode.NONE, false);
    this.setRole(env, 'voted', null, req.candidateId);
    if (this.settings.bugs.has('raft-vote-before-fsync')) {
      // The bug: answer now; the vote reaches the disk only with the next write of the election
      // state (when the node learns the leader), so a crash in between forgets it.
      reply(ErrorCode.NONE, true);
    } else {
      this.persist(env);
      reply(ErrorCode.NONE, true);
    }
    env.setTimer(this.randomElectionTimeout(env), T.election);
  }

  private canGrantPreVote(): boolean {
    switch (this.role) {
      case 'leader':
      case 'resigned':
        return false;
      case 'follower':
        return !this.hasFetchedFromLeader;
      default:
        return true;
    }
  }

  private onVoteResponse(env: Env<QuorumMessage<R>>, from: NodeId, res: VoteResponse): void {
    if (!this.unansweredVoters.has(from) || res.correlationId < this.electionFirstCorrelationId) return;
    this.unansweredVoters.delete(from);
    if (res.leaderEpoch > this.epoch) {
      if (res.leaderId !== null) this.becomeFollower(env, res.leaderEpoch, res.leaderId, true);
      else this.becomeUnattached(env, res.leaderEpoch, true);
      return;
    }
    if (this.role === 'prospective') return this.onPreVoteResponse(env, from, res);
    if (this.role !== 'candidate' || res.leaderEpoch !== this.epoch || !res.voteGranted) return;
    this.votes.add(from);
    if (this.votes.size >= this.majority) this.becomeLeader(env);
  }

  /** A pre-vote answer: a majority makes this voter a candidate; a voter naming the epoch's leader, or a round lost, sends it back. */
  private onPreVoteResponse(env: Env<QuorumMessage<R>>, from: NodeId, res: VoteResponse): void {
    if (res.leaderEpoch !== this.epoch) return;
    if (res.voteGranted) {
      this.votes.add(from);
      if (this.votes.size >= this.majority) return this.startElection(env);
    } else if (res.leaderId !== null && this.leaderId === null) {
      // A voter names this epoch's leader, which this one did not know (Kafka's maybeHandleCommonResponse).
      return this.becomeFollower(env, this.epoch, res.leaderId, true);
    }
    if (this.unansweredVoters.size === 0 && this.votes.size < this.majority) this.prospectiveLost(env);
  }

  private becomeLeader(env: Env<QuorumMessage<R>>): void {
    this.electionRetries = 0;
    this.unansweredVoters.clear();
    this.outstandingFetch = null;
    this.outstandingSnapshotFetch = null;
    env.cancelTimer(T.election);
    env.cancelTimer(T.fetchTimeout);
    env.cancelTimer(T.requestTimeout);
    env.cancelTimer(T.fetchRetry);
    this.setRole(env, 'leader', this.id, this.votedId ?? this.id);
    this.persist(env);
    this.hw = null;
    this.epochStartOffset = this.log.endOffset;
    this.progress = new Map();
    this.parked = new Map();
    const now = env.now();
    for (const voter of this.settings.voters) if (voter !== this.id) this.progress.set(voter, { endOffset: -1, lastFetchMs: now });
    this.log.append(this.epoch, [{ type: 'leader-change', leaderId: this.id, voters: [...this.settings.voters] }]);
    this.beginEpochPending = new Set(this.settings.voters.filter((v) => v !== this.id));
    this.sendBeginQuorumEpoch(env);
    env.setTimer(this.checkQuorumTimeoutMs, T.checkQuorum);
    this.machine.leaderChanged({ leaderId: this.id, leaderEpoch: this.epoch }, true);
    this.afterLeaderAppend(env);
  }

  private sendBeginQuorumEpoch(env: Env<QuorumMessage<R>>): void {
    if (this.role !== 'leader' || this.beginEpochPending.size === 0) return;
    for (const voter of this.beginEpochPending) {
      env.send(voter, {
        api: 'BeginQuorumEpoch',
        kind: 'request',
        correlationId: this.nextCorrelationId++,
        clusterId: this.settings.clusterId,
        leaderId: this.id,
        leaderEpoch: this.epoch,
      });
    }
    // Kafka resends BeginQuorumEpoch at half the fetch timeout, well before voters give up on a leader.
    env.setTimer(Math.floor(this.settings.fetchTimeoutMs / 2), T.beginEpochRetry);
  }

  private onBeginQuorumEpoch(env: Env<QuorumMessage<R>>, from: NodeId, req: BeginQuorumEpochRequest): void {
    const reply = (errorCode: number) =>
      env.send(from, {
        api: 'BeginQuorumEpoch',
        kind: 'response',
        correlationId: req.correlationId,
        errorCode,
        leaderId: this.leaderId,
        leaderEpoch: this.epoch,
      });
    if (req.leaderEpoch < this.epoch) return reply(ErrorCode.FENCED_LEADER_EPOCH);
    if (req.leaderEpoch === this.epoch && this.role === 'leader') return reply(ErrorCode.INVALID_REQUEST);
    if (req.leaderEpoch > this.epoch || this.leaderId !== req.leaderId || this.role === 'prospective')
      this.becomeFollower(env, req.leaderEpoch, req.leaderId, true);
    reply(ErrorCode.NONE);
  }

  private onBeginQuorumEpochResponse(env: Env<QuorumMessage<R>>, from: NodeId, res: BeginQuorumEpochResponse): void {
    if (res.leaderEpoch > this.epoch) {
      if (res.leaderId !== null) this.becomeFollower(env, res.leaderEpoch, res.leaderId, true);
      else this.becomeUnattached(env, res.leaderEpoch, true);
      return;
    }
    if (this.role === 'leader' && res.errorCode === ErrorCode.NONE && res.leaderEpoch === this.epoch) this.beginEpochPending.delete(from);
  }

  private onEndQuorumEpoch(env: Env<QuorumMessage<R>>, from: NodeId, req: EndQuorumEpochRequest): void {
    env.send(from, {
      api: 'EndQuorumEpoch',
      kind: 'response',
      correlationId: req.correlationId,
      errorCode: ErrorCode.NONE,
      leaderId: this.leaderId,
      leaderEpoch: this.epoch,
    });
    if (req.leaderEpoch < this.epoch || !this.isVoter) return;
    if (req.leaderEpoch > this.epoch) this.becomeUnattached(env, req.leaderEpoch, true);
    else if (this.leaderId === req.leaderId && this.role === 'follower') this.becomeUnattached(env, this.epoch, false);
    // The leader stepped down: stand for election soon, the preferred successors first.
    const rank = req.preferredSuccessors.indexOf(this.id);
    const delay = rank < 0 ? this.randomElectionTimeout(env) / 2 : rank * this.settings.retryBackoffMs + env.random() * this.settings.retryBackoffMs;
    env.setTimer(delay, T.election);
  }

  private checkQuorum(env: Env<QuorumMessage<R>>): void {
    if (this.role !== 'leader') return;
    const since = env.now() - this.checkQuorumTimeoutMs;
    let fetched = 1;
    for (const [voter, p] of this.progress) if (this.settings.voters.includes(voter) && p.lastFetchMs >= since) fetched++;
    if (fetched >= this.majority) {
      env.setTimer(this.checkQuorumTimeoutMs, T.checkQuorum);
      return;
    }
    // No majority has fetched lately: this leader may be cut off. Resign so a reachable voter can lead.
    this.resign(env);
  }

  /**
   * A leader steps down (Resigned) and tells every other voter by EndQuorumEpoch, naming them as
   * preferred successors: when it cannot reach a majority (check quorum) and when it shuts down
   * gracefully (Kafka's KafkaRaftClient.shutdown). Anything else is left as it is.
   */
  resign(env: Env<QuorumMessage<R>>): void {
    if (this.role !== 'leader') return;
    this.setRole(env, 'resigned', null, this.votedId);
    this.machine.leaderChanged({ leaderId: null, leaderEpoch: this.epoch }, false);
    this.dropLeaderState(env);
    for (const voter of this.settings.voters) {
      if (voter === this.id) continue;
      env.send(voter, {
        api: 'EndQuorumEpoch',
        kind: 'request',
        correlationId: this.nextCorrelationId++,
        clusterId: this.settings.clusterId,
        leaderId: this.id,
        leaderEpoch: this.epoch,
        preferredSuccessors: this.settings.voters.filter((v) => v !== this.id),
      });
    }
    this.armElectionTimer(env);
  }

  private get checkQuorumTimeoutMs(): number {
    return Math.floor(this.settings.fetchTimeoutMs * 1.5);
  }

  // ---- role transitions -------------------------------------------------------------------

  private becomeUnattached(env: Env<QuorumMessage<R>>, epoch: number, persist: boolean): void {
    const wasLeader = this.role === 'leader';
    // A vote cast in this epoch stands until the epoch ends: forgetting it would allow a second vote.
    const votedFor = epoch === this.epoch ? this.votedId : null;
    this.epoch = epoch;
    this.setRole(env, votedFor === null ? 'unattached' : 'voted', null, votedFor);
    if (persist) this.persist(env);
    if (wasLeader) this.dropLeaderState(env);
    this.outstandingFetch = null;
    this.outstandingSnapshotFetch = null;
    this.machine.leaderChanged({ leaderId: null, leaderEpoch: epoch }, false);
    if (this.isVoter) this.armElectionTimer(env);
    else this.discoverLeader(env);
  }

  private becomeFollower(env: Env<QuorumMessage<R>>, epoch: number, leaderId: NodeId, persist: boolean): void {
    if (leaderId === this.id) {
      // Others name this node the leader of an epoch it does not remember leading (its disk was
      // lost): it led that epoch in a former life, so it records its vote then and does not lead.
      this.epoch = epoch;
      this.setRole(env, 'resigned', null, this.id);
      this.persist(env);
      this.armElectionTimer(env);
      return;
    }
    const wasLeader = this.role === 'leader';
    const votedFor = epoch === this.epoch ? this.votedId : null;
    this.epoch = epoch;
    this.hasFetchedFromLeader = false;
    this.setRole(env, 'follower', leaderId, votedFor);
    if (persist) this.persist(env);
    if (wasLeader) this.dropLeaderState(env);
    env.cancelTimer(T.election);
    this.outstandingFetch = null;
    this.outstandingSnapshotFetch = null;
    this.machine.leaderChanged({ leaderId, leaderEpoch: epoch }, false);
    env.setTimer(this.settings.fetchTimeoutMs, T.fetchTimeout);
    this.sendFetch(env);
  }

  private dropLeaderState(env: Env<QuorumMessage<R>>): void {
    // As Kafka's fetch purgatory on resignation (completeAllExceptionally): each parked fetch is answered, not dropped.
    for (const [replica, request] of this.parked) {
      env.cancelTimer(T.parkedPrefix + replica);
      this.sendFetchResponse(env, replica, request, ErrorCode.NOT_LEADER_OR_FOLLOWER, [], null, null);
    }
    this.parked.clear();
    this.progress.clear();
    this.beginEpochPending.clear();
    env.cancelTimer(T.checkQuorum);
    env.cancelTimer(T.beginEpochRetry);
    if (this.flushPending) {
      this.flushPending = false;
      env.cancelTimer(T.flush);
      this.log.flush();
    }
  }

  private setRole(env: Env<QuorumMessage<R>>, role: RaftRole, leaderId: NodeId | null, votedId: NodeId | null): void {
    this.role = role;
    this.leaderId = leaderId;
    this.votedId = votedId;
    env.trace({ kind: 'raft-state', epoch: this.epoch, role, leader: leaderId, votedFor: votedId, voter: this.isVoter });
  }

  /** Makes the in-memory election state durable (an fsync'd atomic write). */
  private persist(env: Env<QuorumMessage<R>>): void {
    const state: ElectionState = { epoch: this.epoch, votedId: this.votedId, leaderId: this.leaderId };
    if (state.epoch === this.durable.epoch && state.votedId === this.durable.votedId && state.leaderId === this.durable.leaderId) return;
    writeElectionState(env.storage, state);
    this.durable = state;
    env.trace({ kind: 'raft-persist', epoch: state.epoch, votedFor: state.votedId, leader: state.leaderId });
  }

  private armElectionTimer(env: Env<QuorumMessage<R>>): void {
    if (this.isVoter) env.setTimer(this.randomElectionTimeout(env), T.election);
  }

  private randomElectionTimeout(env: Env<QuorumMessage<R>>): number {
    return this.settings.electionTimeoutMs + env.random() * this.settings.electionTimeoutMs;
  }

  // ---- replication: the follower side ------------------------------------------------------

  private onFetchTimeout(env: Env<QuorumMessage<R>>): void {
    if (this.role !== 'follower') return;
    // No successful fetch for fetch.timeout.ms: the leader is gone or unreachable.
    if (this.isVoter) this.standForElection(env);
    else this.becomeUnattached(env, this.epoch, false);
  }

  /** Observers with no known leader ask a random voter; the answer names the leader. */
  private discoverLeader(env: Env<QuorumMessage<R>>): void {
    const voters = this.settings.voters;
    if (voters.length === 0) return;
    const target = voters[Math.floor(env.random() * voters.length)]!;
    this.sendFetchTo(env, target);
  }

  private sendFetch(env: Env<QuorumMessage<R>>): void {
    if (this.outstandingFetch !== null || this.outstandingSnapshotFetch !== null) return;
    if (this.role === 'follower' && this.leaderId !== null) this.sendFetchTo(env, this.leaderId);
    else if (!this.isVoter && this.role === 'unattached') this.discoverLeader(env);
  }

  private sendFetchTo(env: Env<QuorumMessage<R>>, to: NodeId): void {
    const correlationId = this.nextCorrelationId++;
    this.outstandingFetch = { correlationId, to };
    env.send(to, {
      api: 'Fetch',
      kind: 'request',
      topic: '__cluster_metadata',
      correlationId,
      clusterId: this.settings.clusterId,
      replicaId: this.id,
      maxWaitMs: this.settings.fetchMaxWaitMs,
      currentLeaderEpoch: this.epoch,
      fetchOffset: this.log.endOffset,
      lastFetchedEpoch: this.log.lastEpoch,
      logStartOffset: this.log.startOffset,
    });
    env.setTimer(this.settings.requestTimeoutMs, T.requestTimeout);
  }

  private retryFetchLater(env: Env<QuorumMessage<R>>): void {
    this.outstandingFetch = null;
    env.cancelTimer(T.requestTimeout);
    env.setTimer(this.settings.retryBackoffMs, T.fetchRetry);
  }

  private onFetchResponse(env: Env<QuorumMessage<R>>, from: NodeId, res: QuorumFetchResponse<R>): void {
    if (this.outstandingFetch?.correlationId !== res.correlationId) return;
    env.cancelTimer(T.requestTimeout);
    this.outstandingFetch = null;
    const hint = res.currentLeader;
    if (hint.leaderEpoch > this.epoch || (hint.leaderEpoch === this.epoch && this.leaderId === null && hint.leaderId !== null)) {
      if (hint.leaderId !== null) this.becomeFollower(env, hint.leaderEpoch, hint.leaderId, true);
      else if (hint.leaderEpoch > this.epoch) this.becomeUnattached(env, hint.leaderEpoch, true);
      else this.retryFetchLater(env);
      return;
    }
    if (res.errorCode !== ErrorCode.NONE || this.role !== 'follower' || from !== this.leaderId) {
      this.retryFetchLater(env);
      return;
    }
    this.hasFetchedFromLeader = true;
    env.setTimer(this.settings.fetchTimeoutMs, T.fetchTimeout);
    if (res.divergingEpoch !== null) {
      this.log.truncateTo(this.log.truncationOffsetFor(res.divergingEpoch));
      this.sendFetch(env);
      return;
    }
    if (res.snapshotId !== null) {
      const correlationId = this.nextCorrelationId++;
      this.outstandingSnapshotFetch = correlationId;
      env.send(from, {
        api: 'FetchSnapshot',
        kind: 'request',
        correlationId,
        clusterId: this.settings.clusterId,
        replicaId: this.id,
        currentLeaderEpoch: this.epoch,
        snapshotId: res.snapshotId,
      });
      // A lost request or answer must not stop the follower fetching: it asks again after the timeout.
      env.setTimer(this.settings.requestTimeoutMs, T.requestTimeout);
      return;
    }
    if (res.records.length > 0) {
      if (res.records[0]!.offset !== this.log.endOffset) {
        this.sendFetch(env);
        return;
      }
      this.log.appendEntries(res.records);
      this.log.flush();
      if (this.settings.bugs.has('raft-apply-uncommitted')) this.applyCommitted(env);
    }
    if (res.highWatermark >= 0 && !this.settings.bugs.has('raft-follower-ignores-hw'))
      this.advanceHighWatermark(env, Math.min(res.highWatermark, this.log.endOffset));
    this.sendFetch(env);
  }

  private onFetchSnapshotResponse(env: Env<QuorumMessage<R>>, res: FetchSnapshotResponse): void {
    if (this.outstandingSnapshotFetch !== res.correlationId) return;
    this.outstandingSnapshotFetch = null;
    env.cancelTimer(T.requestTimeout);
    if (res.errorCode !== ErrorCode.NONE || res.currentLeader.leaderEpoch !== this.epoch || this.role !== 'follower') {
      this.retryFetchLater(env);
      return;
    }
    this.log.installSnapshot({ id: res.snapshotId, state: res.snapshot }, true);
    env.trace({ kind: 'raft-snapshot', endOffset: res.snapshotId.endOffset, epoch: res.snapshotId.epoch, fetched: true });
    this.machine.loadSnapshot(res.snapshot, res.snapshotId);
    this.applied = res.snapshotId.endOffset;
    if (this.hw === null || this.hw < res.snapshotId.endOffset) this.hw = res.snapshotId.endOffset;
    this.sendFetch(env);
  }

  // ---- replication: the leader side --------------------------------------------------------

  private onFetchRequest(env: Env<QuorumMessage<R>>, from: NodeId, req: QuorumFetchRequest): void {
    const fail = (errorCode: number) => this.sendFetchResponse(env, from, req, errorCode, [], null, null);
    if (this.role !== 'leader') return fail(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    if (req.currentLeaderEpoch < this.epoch) return fail(ErrorCode.FENCED_LEADER_EPOCH);
    if (req.currentLeaderEpoch > this.epoch) return fail(ErrorCode.UNKNOWN_LEADER_EPOCH);
    const validation = this.log.validateFetch(req.fetchOffset, req.lastFetchedEpoch);
    if (validation.kind === 'snapshot') return this.sendFetchResponse(env, from, req, ErrorCode.NONE, [], null, validation.snapshotId);
    if (validation.kind === 'diverging') return this.sendFetchResponse(env, from, req, ErrorCode.NONE, [], validation.divergingEpoch, null);
    const progress = this.progress.get(from);
    if (progress !== undefined) {
      progress.endOffset = req.fetchOffset;
      progress.lastFetchMs = env.now();
    } else {
      this.progress.set(from, { endOffset: req.fetchOffset, lastFetchMs: env.now() });
    }
    this.maybeAdvanceHighWatermark(env);
    if (req.fetchOffset >= this.log.endOffset && req.maxWaitMs > 0) {
      // Nothing new: park the fetch until data or a new high watermark arrives, or maxWaitMs passes.
      // Every request gets its answer (a real connection answers in order, so one never answered
      // would hold back every later answer on it): a fetch still parked for this replica is
      // answered now, before the new one takes its place.
      const previous = this.parked.get(from);
      if (previous !== undefined) {
        env.cancelTimer(T.parkedPrefix + from);
        this.answerFetch(env, from, previous);
      }
      this.parked.set(from, req);
      env.setTimer(req.maxWaitMs, T.parkedPrefix + from);
      return;
    }
    this.answerFetch(env, from, req);
  }

  private answerFetch(env: Env<QuorumMessage<R>>, to: NodeId, req: QuorumFetchRequest): void {
    const records = this.log.read(req.fetchOffset, this.settings.maxFetchEntries);
    this.sendFetchResponse(env, to, req, ErrorCode.NONE, records, null, null);
  }

  private completeParkedFetches(env: Env<QuorumMessage<R>>): void {
    if (this.parked.size === 0) return;
    for (const [replica, req] of this.parked) {
      if (req.fetchOffset < this.log.endOffset || (this.hw ?? -1) > req.fetchOffset - 1) {
        this.parked.delete(replica);
        env.cancelTimer(T.parkedPrefix + replica);
        this.answerFetch(env, replica, req);
      }
    }
  }

  private sendFetchResponse(
    env: Env<QuorumMessage<R>>,
    to: NodeId,
    req: QuorumFetchRequest,
    errorCode: number,
    records: RaftEntry<R>[],
    divergingEpoch: OffsetAndEpoch | null,
    snapshotId: OffsetAndEpoch | null,
  ): void {
    env.send(to, {
      api: 'Fetch',
      kind: 'response',
      topic: '__cluster_metadata',
      correlationId: req.correlationId,
      errorCode,
      highWatermark: this.hw ?? -1,
      logStartOffset: this.log.startOffset,
      records,
      divergingEpoch,
      currentLeader: { leaderId: this.leaderId, leaderEpoch: this.epoch },
      snapshotId,
    });
  }

  private onFetchSnapshotRequest(env: Env<QuorumMessage<R>>, from: NodeId, req: FetchSnapshotRequest): void {
    const snapshot = this.log.snapshot;
    let errorCode: number = ErrorCode.NONE;
    if (this.role !== 'leader') errorCode = ErrorCode.NOT_LEADER_OR_FOLLOWER;
    else if (req.currentLeaderEpoch !== this.epoch)
      errorCode = req.currentLeaderEpoch < this.epoch ? ErrorCode.FENCED_LEADER_EPOCH : ErrorCode.UNKNOWN_LEADER_EPOCH;
    else if (snapshot === null || snapshot.id.endOffset !== req.snapshotId.endOffset || snapshot.id.epoch !== req.snapshotId.epoch)
      errorCode = ErrorCode.SNAPSHOT_NOT_FOUND;
    env.send(from, {
      api: 'FetchSnapshot',
      kind: 'response',
      correlationId: req.correlationId,
      errorCode,
      currentLeader: { leaderId: this.leaderId, leaderEpoch: this.epoch },
      snapshotId: req.snapshotId,
      snapshot: errorCode === ErrorCode.NONE ? snapshot!.state : null,
    });
  }

  /** The leader's high watermark: the largest offset a majority of voters holds, if it is in this epoch. */
  private maybeAdvanceHighWatermark(env: Env<QuorumMessage<R>>): void {
    if (this.role !== 'leader') return;
    const ownEnd = this.settings.bugs.has('raft-commit-unflushed') ? this.log.endOffset : this.log.flushedEnd;
    const ends = this.settings.voters.map((v) => (v === this.id ? ownEnd : (this.progress.get(v)?.endOffset ?? -1)));
    ends.sort((a, b) => b - a);
    const candidate = ends[this.majority - 1]!;
    const ownEpoch = candidate > this.epochStartOffset;
    if (!ownEpoch && !(this.settings.bugs.has('raft-commit-old-epoch') && candidate > 0)) return;
    if (this.hw !== null && candidate <= this.hw) return;
    this.advanceHighWatermark(env, candidate);
    this.completeParkedFetches(env);
  }

  private advanceHighWatermark(env: Env<QuorumMessage<R>>, hw: number): void {
    if (this.hw !== null && hw <= this.hw) return;
    this.hw = hw;
    env.trace({ kind: 'raft-hw', highWatermark: hw, epoch: this.epoch, role: this.role });
    this.applyCommitted(env);
  }

  /** Hands newly committed entries to the state machine and takes a snapshot when due. */
  private applyCommitted(env: Env<QuorumMessage<R>>): void {
    const hw = this.settings.bugs.has('raft-apply-uncommitted') ? this.log.endOffset : (this.hw ?? 0);
    while (this.applied < hw) {
      const batch = this.log.read(this.applied, 1000);
      const upTo = batch.filter((e) => e.offset < hw);
      if (upTo.length === 0) break;
      this.applied = upTo.at(-1)!.offset + 1;
      this.machine.commit(upTo);
    }
    if (this.log.bytesSinceSnapshot >= this.settings.snapshotBytes && this.applied > this.log.startOffset) {
      // The bug (KAFKA-14618): the id takes the last contained offset, which is inclusive, as its end offset.
      const endOffset = this.settings.bugs.has('raft-snapshot-id-off-by-one') ? this.applied - 1 : this.applied;
      const id = { endOffset, epoch: this.log.epochAt(this.applied - 1) };
      try {
        this.log.installSnapshot({ id, state: this.machine.snapshot() }, false);
        env.trace({ kind: 'raft-snapshot', endOffset: id.endOffset, epoch: id.epoch, fetched: false });
      } catch (err) {
        if (!(err instanceof StorageError)) throw err;
        // A failed snapshot write is retried at the next commit; the log is still whole.
      }
    }
  }
}
