// Trace validation, the link between the replication spec (models/spec/replication.ts, variant
// kip-320 with Kafka's ISR-join rule) and the real core: every partition event of a simulator trace is mapped onto the spec's
// actions and checked against their guards (a refinement mapping, as etcd validates raft traces).
//
// The projection, per partition: each replica's log (batches as [base, last, leader epoch, hash];
// a batch stands for the spec's records at those offsets), high watermark, role, leader and leader
// epoch, and a leader's own ISR; the quorum state (leader, epoch, ISR) from the first node to apply
// each committed metadata record; every LeaderAndIsr "request" (epoch -> leader) the quorum issued.
//
// Where the core's steps are finer or coarser than the spec's atomic actions:
// - Message delay. The spec's actions read another replica's state directly; the core reads a
//   message sent earlier. Guards that read another replica are therefore checked against that
//   replica's history within the same leader epoch: a leader's log and high watermark as leader of
//   epoch E only grow, and a follower's log end while it follows epoch E (after reconciling) only
//   grows, so "it held at some point of that epoch" is the condition the spec step needed at the
//   moment the message was sent. The step is thereby reordered to that moment, which is sound
//   because the reordered steps write disjoint state.
// - Becoming a follower. The spec's BecomeFollowerAndTruncate is one step (fenced: the leader
//   already leads that epoch) that truncates to one past the last record shared with the leader.
//   The core takes the role, then truncates on diverging-epoch answers, possibly in several steps.
//   Those truncations together are the one spec step: each must stay at or above the spec's
//   truncation point, the last lands on it, and only then may the follower append (KIP-320 rule 1)
//   or count toward the leader's high watermark and ISR.
// - High watermark jumps: one core step of h -> h' is h' - h spec increments, each of whose guards
//   holds if the last one's does. A follower's high watermark moved by a fetch without records is
//   FollowerFetch with nothing to copy; the spec's fetch always copies one record.
// - Controller steps: KRaft bumps the leader epoch only when the leader changes, and may shrink the
//   ISR and elect in one record; that is ControllerShrinkIsr then ControllerElectLeader (epochs are
//   only ever compared, so one number stands for the two). An ISR shrink without an epoch bump (a
//   fenced broker, or the leader's AlterPartition) is accepted as LeaderShrinkIsr without its lag
//   guard: the core decides lag over time (replica.lag.time.max.ms), and shrinking is always safe
//   (KIP-320 rule 4). An expansion must be the quorum's commit of the leader's AlterPartition, whose
//   guard is checked when the leader proposed it: FencedLeaderExpandIsr as in variant
//   kip-320-epoch-start (Kafka's rule), which the model checker verifies alongside kip-320.
// - Crashes are outside the spec: a crash ends the replica's role, and the restarted replica's log
//   is what its disk recovered (an environment step); its epoch may then be taken again.
// - The log start offset is outside the spec, which never deletes: records below it (retention,
//   DeleteRecords) stay in the projection as the spec's, so long as it never passes the replica's
//   high watermark (deleting records nobody committed is no step of the spec). A follower whose log
//   ends before its leader's log start and starts its log again there copied the leader's records
//   up to it (the spec's truncation and FollowerFetch steps, done at once).
// Only the core's own choices are judged: a step the spec does not allow is the first failure.

import { partitionName } from '../core/partition-name.ts';
import type { NodeId } from '../core/env.ts';
import { observedEvent, type EventLine, type ObservedEvent } from '../core/trace/schema.ts';
import { readEventLines } from '../trace/reader.ts';
import type { CheckerHost } from './checker-host.ts';
import { CleanedBatches } from './cleaned-batches.ts';
import { batchAt } from './partition-ghost.ts';
import type { CheckerInfo } from './violation.ts';

/** [baseOffset, lastOffset, leaderEpoch, hash] as the core's trace events carry them. */
export type Batch = readonly [number, number, number, number, ...number[]];

/** The partition events trace validation maps onto the spec. */
type PartitionEvent = Extract<ObservedEvent, { kind: `partition-${string}` }>;

const isPartitionEvent = (e: ObservedEvent): e is PartitionEvent => e.kind.startsWith('partition-');

export interface ValidationFailure {
  step: number;
  node: NodeId | null;
  partition: string;
  /** The spec action the event was mapped to. */
  action: string;
  reason: string;
  event: PartitionEvent;
  /** The projected state of the partition before the event. */
  state: string;
}

export interface ValidationResult {
  ok: boolean;
  /** Partition events mapped onto spec actions (and environment steps), in all. */
  mappedEvents: number;
  /** Per spec action (or environment step), how many events were mapped to it. */
  actions: Record<string, number>;
  failure: ValidationFailure | null;
}

interface Replica {
  log: Batch[];
  /** The log start offset; the log end is at least this (a log started again past its old end). */
  start: number;
  hw: number;
  role: 'leader' | 'follower' | 'none';
  leader: NodeId | null;
  leaderEpoch: number;
  /** A leader's own ISR (the committed one it knows), and members it proposed to add (AlterPartition in flight). */
  isr: NodeId[];
  pending: NodeId[];
  /** Restarted since its last role: it may take its last epoch again. */
  restarted: boolean;
  /** A follower whose log matches its leader's up to its end in this epoch (the spec step is done). */
  reconciled: boolean;
  /** The follower's log when it took its role, and the spec's truncation point once its leader leads. */
  logAtRole: Batch[] | null;
  /**
   * The follower's own log while `log` stands in the leader's records for it: set when it matched
   * only because all of it lay below the leader's log start (reconcileBelowLeaderStart), so that a
   * later truncation (a divergence computed before that start moved, or after a crash brought the
   * leader's old start back) is judged against what the follower really holds.
   */
  ownLog: Batch[] | null;
  target: number | null;
}

interface Quorum {
  leader: NodeId | null;
  leaderEpoch: number;
  isr: NodeId[];
  partitionEpoch: number;
}

const leo = (log: readonly Batch[]) => (log.length === 0 ? 0 : log[log.length - 1]![1] + 1);
/** A replica's log end: its last batch's, or its log start when that is past it. */
const logEnd = (r: Replica) => Math.max(leo(r.log), r.start);
const sameBatch = (a: Batch, b: Batch) => a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];
const key = (node: NodeId, epoch: number) => `${node}@${epoch}`;

/** KIP-279's truncation point: one past the last batch the follower shares with the leader. */
export function truncationPoint(leaderLog: readonly Batch[], followerLog: readonly Batch[]): number {
  const byBase = new Map<number, Batch>();
  for (const b of leaderLog) byBase.set(b[0], b);
  for (let i = followerLog.length - 1; i >= 0; i--) {
    const mine = followerLog[i]!;
    const theirs = byBase.get(mine[0]);
    if (theirs !== undefined && sameBatch(mine, theirs)) return mine[1] + 1;
  }
  return 0;
}

/**
 * A follower of an epoch whose leader did not lead it yet, about to crash or take a later epoch,
 * may have fetches in flight (or parked) that the leader counts once it leads, as Kafka's leader
 * does: a fetch of its own epoch, from a replica it knows nothing newer of. Keep the log they carried.
 */
function strandFetches(p: PartitionModel, node: NodeId, r: Replica): void {
  if (r.role === 'follower' && !r.reconciled && r.target === null && r.leader !== null) {
    p.stranded.set(key(node, r.leaderEpoch), { epoch: r.leaderEpoch, leader: r.leader, log: r.logAtRole ?? r.log });
  }
}

class PartitionModel {
  readonly replicas = new Map<NodeId, Replica>();
  quorum: Quorum | null = null;
  /** The LeaderAndIsr requests: which leader each epoch named. */
  readonly requests = new Map<number, NodeId | null>();
  readonly isrAt = new Map<number, NodeId[]>();
  /** A leader's log during its tenure of an epoch (append-only), and its highest high watermark then. */
  readonly leaderLogs = new Map<string, Batch[]>();
  readonly leaderHw = new Map<string, number>();
  /** A follower's largest reconciled log end while following an epoch. */
  readonly followerLeo = new Map<string, number>();
  /** What log cleaners did: the projection keeps batches as first written (models/cleaned-batches.ts). */
  readonly cleaned = new CleanedBatches();
  /**
   * Followers that crashed, or moved on to a later epoch, while following an epoch whose leader did
   * not lead it yet (by `${node}@${epoch}`): the log their in-flight fetches carried, judged when
   * that leader starts leading.
   */
  readonly stranded = new Map<string, { epoch: number; leader: NodeId; log: Batch[] }>();
  /** ISR expansions a leader proposed: `${epoch}:${follower}` -> null if the spec's guard held, else why not. */
  readonly proposals = new Map<string, string | null>();

  constructor(readonly name: string) {}

  replica(node: NodeId): Replica {
    let r = this.replicas.get(node);
    if (r === undefined) {
      r = {
        log: [],
        start: 0,
        hw: 0,
        role: 'none',
        leader: null,
        leaderEpoch: -1,
        isr: [],
        pending: [],
        restarted: false,
        reconciled: false,
        logAtRole: null,
        ownLog: null,
        target: null,
      };
      this.replicas.set(node, r);
    }
    return r;
  }

  describe(): string {
    const q = this.quorum;
    const lines = [
      `${this.name} quorum: ${q === null ? 'none' : `leader ${q.leader ?? 'none'}, epoch ${q.leaderEpoch}, isr [${q.isr.join(',')}], partition epoch ${q.partitionEpoch}`}`,
    ];
    for (const [node, r] of [...this.replicas].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const phase =
        r.role === 'follower' ? (r.reconciled ? ', reconciled' : `, reconciling (spec truncation point ${r.target ?? 'unknown until the leader leads'})`) : '';
      const isr = r.role === 'leader' ? `, isr [${r.isr.join(',')}]${r.pending.length > 0 ? ` + proposed [${r.pending.join(',')}]` : ''}` : '';
      lines.push(
        `  ${node}: ${r.role}${r.leader !== null && r.role !== 'leader' ? ` of ${r.leader}` : ''}, epoch ${r.leaderEpoch}, hw ${r.hw}, log start ${r.start}, log end ${logEnd(r)}${isr}${phase}, log ${epochRuns(r.log)}`,
      );
    }
    return lines.join('\n');
  }
}

/** A log as runs of epochs: "e0 [0..41] e2 [42..50]". */
function epochRuns(log: readonly Batch[]): string {
  const runs: string[] = [];
  let start = 0;
  for (let i = 0; i < log.length; i++) {
    const b = log[i]!;
    const next = log[i + 1];
    if (next === undefined || next[2] !== b[2]) {
      runs.push(`e${b[2]} [${log[start]![0]}..${b[1]}]`);
      start = i + 1;
    }
  }
  return runs.length === 0 ? '(empty)' : runs.join(' ');
}

class Reject extends Error {
  constructor(
    readonly action: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** Trace validation reported as a checker: a step of the core that the spec does not allow. */
export const TRACE_VALIDATION: CheckerInfo = {
  name: 'trace-validation',
  statement: "Every partition event of the core's trace is a step that the replication spec (KIP-320 with Kafka's ISR-join rule) allows.",
  source: "Gustafson's Kafka replication TLA+ spec (hachikuji/kafka-specification); trace validation as etcd's raft does it against its TLA+ spec",
};

export class TraceValidator {
  private readonly partitions = new Map<string, PartitionModel>();
  private readonly counts = new Map<string, number>();
  private mapped = 0;
  failure: ValidationFailure | null = null;

  /** Validates a run's events as they happen. */
  attach(host: CheckerHost): void {
    host.observe((step, node, event) => this.observe(step, node, event));
  }

  result(): ValidationResult {
    return { ok: this.failure === null, mappedEvents: this.mapped, actions: Object.fromEntries([...this.counts].sort()), failure: this.failure };
  }

  observe(step: number, node: NodeId | null, event: ObservedEvent): void {
    if (this.failure !== null || node === null) return;
    if (event.kind === 'crash') {
      for (const p of this.partitions.values()) {
        const r = p.replicas.get(node);
        if (r === undefined) continue;
        strandFetches(p, node, r);
        r.role = 'none';
        r.restarted = true;
        this.count('Crash (environment)');
      }
      return;
    }
    if (!isPartitionEvent(event)) return;
    const name = partitionName(event.topic, event.partition);
    let p = this.partitions.get(name);
    if (p === undefined) {
      p = new PartitionModel(name);
      this.partitions.set(name, p);
    }
    const before = p.describe.bind(p);
    try {
      const action = this.apply(p, node, event);
      if (action !== null) this.count(action);
    } catch (err) {
      if (!(err instanceof Reject)) throw err;
      this.failure = { step, node, partition: name, action: err.action, reason: err.reason, event, state: before() };
    }
  }

  private count(action: string): void {
    this.mapped++;
    this.counts.set(action, (this.counts.get(action) ?? 0) + 1);
  }

  /** Applies one event to the projection; returns the spec action it maps to, or throws Reject. */
  private apply(p: PartitionModel, node: NodeId, e: PartitionEvent): string | null {
    switch (e.kind) {
      case 'partition-change':
        return this.quorumChange(p, e.leader, e.isr, e.leaderEpoch, e.partitionEpoch);
      case 'partition-recover': {
        const r = p.replica(node);
        r.start = e.logStartOffset ?? 0;
        r.log = p.cleaned.any ? p.cleaned.restore(r.start, e.batches) : [...e.batches];
        r.hw = e.highWatermark; // the checkpointed value, clamped to the recovered log
        r.role = 'none';
        r.restarted = true;
        r.reconciled = false;
        r.ownLog = null;
        return 'Recover (environment)';
      }
      case 'partition-role':
        return this.role(p, node, e.role, e.leader, e.leaderEpoch);
      case 'partition-truncate':
        return this.truncate(p, node, e.endOffset);
      case 'partition-append': {
        if (!p.cleaned.any) return this.append(p, node, e.batches);
        const r = p.replica(node);
        return this.append(p, node, p.cleaned.restore(r.log.length === 0 ? r.start : leo(r.log), e.batches));
      }
      case 'partition-hw':
        return this.highWatermark(p, node, e.highWatermark);
      case 'partition-isr':
        return this.leaderIsr(p, node, e.isr, e.pendingIsr, e.partitionEpoch);
      case 'partition-log-start':
        return this.logStart(p, node, e.logStartOffset, e.cause);
      case 'partition-clean': {
        const r = p.replica(node);
        const problem = p.cleaned.clean(r.log, r.start, e.baseOffset, e.endOffset, e.batches);
        if (problem !== null) throw new Reject('Clean (environment)', `${node}'s log cleaner: ${problem}`);
        return 'Clean (environment)';
      }
      case 'partition-lso':
        // The last stable offset is outside the replication spec (lso-monotonic judges it).
        return null;
    }
  }

  /** The log start moved: outside the spec, allowed up to the high watermark; past the log end, the leader's records up to it are copied. */
  private logStart(p: PartitionModel, node: NodeId, offset: number, cause: string): string {
    const r = p.replica(node);
    if (offset <= r.start) {
      r.start = offset; // a truncation below the log start started the log again lower
      return 'LogStart (environment)';
    }
    if (offset <= logEnd(r)) {
      // A follower takes its leader's log start along with (just before) the high watermark that covers it.
      const leaderHw = r.role === 'follower' && r.leader !== null ? (p.leaderHw.get(key(r.leader, r.leaderEpoch)) ?? 0) : 0;
      const bound = Math.max(r.hw, leaderHw);
      if (offset > bound)
        throw new Reject(
          `LogStart (${cause})`,
          `${node} moved its log start to ${offset}, past its high watermark ${bound}: it deleted records nobody committed`,
        );
      r.start = offset;
      // Followers of this leader still reconciling may now lie wholly below its log start.
      if (r.role === 'leader') {
        for (const [f, fr] of p.replicas)
          if (fr.role === 'follower' && fr.leader === node && fr.leaderEpoch === r.leaderEpoch) this.reconcileBelowLeaderStart(p, f, fr);
      }
      return `LogStart (${cause})`;
    }
    const action = 'BecomeFollowerAndTruncate+FollowerFetch (log start)';
    if (r.role !== 'follower' || r.leader === null) throw new Reject(action, `${node} started its log again at ${offset} while not following a leader`);
    const leaderLog = p.leaderLogs.get(key(r.leader, r.leaderEpoch));
    if (leaderLog === undefined)
      throw new Reject(action, `${node} started its log again at ${offset} from ${r.leader}, which never led epoch ${r.leaderEpoch}`);
    // The spec's follower takes the leader's log up to there: the batches wholly below it.
    r.log = leaderLog.filter((b) => b[1] < offset);
    r.ownLog = null;
    r.start = offset;
    if (r.target !== null && leo(r.log) < r.target && logEnd(r) < r.target)
      throw new Reject(action, `${node} started its log again at ${offset}, below ${r.target}, one past the last record it shares with leader ${r.leader}`);
    r.reconciled = true;
    const k = key(node, r.leaderEpoch);
    p.followerLeo.set(k, Math.max(p.followerLeo.get(k) ?? 0, logEnd(r)));
    return action;
  }

  private quorumChange(p: PartitionModel, leader: NodeId | null, isr: NodeId[], leaderEpoch: number, partitionEpoch: number): string | null {
    const prev = p.quorum;
    // Every node applies every committed record; the first to apply one is the quorum's step.
    if (prev !== null && partitionEpoch <= prev.partitionEpoch) return null;
    const action = prev === null ? 'ControllerElectLeader' : leaderEpoch > prev.leaderEpoch ? 'ControllerElectLeader' : 'QuorumUpdateIsr';
    if (leader !== null && !isr.includes(leader)) throw new Reject('LeaderInIsr', `the quorum's leader ${leader} is not in its ISR [${isr.join(',')}]`);
    if (isr.length === 0) throw new Reject(action, 'the quorum ISR is empty');
    let result: string;
    if (prev === null) {
      result = 'ControllerElectLeader';
    } else if (leaderEpoch > prev.leaderEpoch) {
      const added = isr.filter((r) => !prev.isr.includes(r));
      if (added.length > 0)
        throw new Reject('ControllerElectLeader', `a new leader epoch ${leaderEpoch} adds [${added.join(',')}] to the ISR; the controller only shrinks it`);
      if (leader !== null && !prev.isr.includes(leader)) {
        throw new Reject(
          'ControllerElectLeader',
          `leader ${leader} was not in the ISR [${prev.isr.join(',')}]: an unclean election, which the spec (clean elections only) does not allow`,
        );
      }
      if (leader === prev.leader)
        throw new Reject('ControllerElectLeader', `epoch ${leaderEpoch} names the same leader ${leader ?? 'none'} as epoch ${prev.leaderEpoch}`);
      result = isr.length < prev.isr.length ? (leader === null ? 'ControllerShrinkIsr' : 'ControllerShrinkIsr+ControllerElectLeader') : 'ControllerElectLeader';
    } else if (leaderEpoch === prev.leaderEpoch) {
      if (leader !== prev.leader)
        throw new Reject(
          'ControllerElectLeader',
          `the leader changed from ${prev.leader ?? 'none'} to ${leader ?? 'none'} without a new leader epoch (${leaderEpoch})`,
        );
      const added = isr.filter((r) => !prev.isr.includes(r));
      const removed = prev.isr.filter((r) => !isr.includes(r));
      for (const f of added) {
        const proposal = p.proposals.get(`${leaderEpoch}:${f}`);
        if (proposal === undefined)
          throw new Reject('LeaderExpandIsr', `${f} joined the ISR in epoch ${leaderEpoch} without a proposal from leader ${leader ?? 'none'}`);
        if (proposal !== null) throw new Reject('LeaderExpandIsr', proposal);
      }
      result = added.length > 0 ? 'LeaderExpandIsr' : removed.length > 0 ? 'LeaderShrinkIsr' : 'QuorumUpdate (no ISR change)';
    } else {
      throw new Reject('ControllerElectLeader', `the leader epoch went back from ${prev.leaderEpoch} to ${leaderEpoch}`);
    }
    void action;
    p.quorum = { leader, leaderEpoch, isr: [...isr], partitionEpoch };
    if (!p.requests.has(leaderEpoch)) p.requests.set(leaderEpoch, leader);
    p.isrAt.set(partitionEpoch, [...isr]);
    return result;
  }

  private role(p: PartitionModel, node: NodeId, role: Replica['role'], leader: NodeId | null, epoch: number): string {
    const r = p.replica(node);
    if (role === 'none') {
      r.role = 'none';
      return 'StopReplica (environment)';
    }
    const action = role === 'leader' ? 'BecomeLeader' : 'BecomeFollowerAndTruncate';
    if (!p.requests.has(epoch)) throw new Reject(action, `no LeaderAndIsr request has epoch ${epoch}`);
    if (p.requests.get(epoch) !== leader)
      throw new Reject(action, `epoch ${epoch}'s request names leader ${p.requests.get(epoch) ?? 'none'}, not ${leader ?? 'none'}`);
    if (epoch < r.leaderEpoch || (epoch === r.leaderEpoch && !r.restarted)) {
      throw new Reject(action, `${node} is at epoch ${r.leaderEpoch}; a request is taken only with a higher epoch`);
    }
    if (r.role === 'follower' && !r.reconciled && r.target !== null && logEnd(r) < r.target) {
      throw new Reject(
        'BecomeFollowerAndTruncate',
        `${node} truncated to ${logEnd(r)}, below the spec's truncation point ${r.target}, before leaving epoch ${r.leaderEpoch}`,
      );
    }
    // Leaving an epoch whose leader has not led it yet: fetches sent in it may still be counted.
    if (epoch !== r.leaderEpoch) strandFetches(p, node, r);
    // A new role starts from what the replica really holds, not the leader's records stood in for it.
    if (r.ownLog !== null) r.log = r.ownLog;
    r.ownLog = null;
    r.restarted = false;
    r.leaderEpoch = epoch;
    r.leader = leader;
    if (role === 'leader') {
      r.role = 'leader';
      r.reconciled = true;
      r.isr = [];
      r.pending = [];
      p.leaderLogs.set(key(node, epoch), [...r.log]);
      p.leaderHw.set(key(node, epoch), r.hw);
      // Followers that took this epoch before its leader did can now be judged (the spec's step was disabled until now).
      for (const [f, fr] of p.replicas) {
        if (fr.role === 'follower' && fr.leader === node && fr.leaderEpoch === epoch && !fr.reconciled) this.startReconcile(p, f, fr);
      }
      // A follower of this epoch that crashed before this leader led it: a fetch it sent with a log that
      // already matched the leader's (nothing to truncate) is the spec's FollowerFetch at the time it was sent.
      for (const [k, stranded] of p.stranded) {
        if (stranded.epoch !== epoch || stranded.leader !== node) continue;
        p.stranded.delete(k);
        const end = leo(stranded.log);
        if (truncationPoint(p.leaderLogs.get(key(node, epoch))!, stranded.log) === end) p.followerLeo.set(k, Math.max(p.followerLeo.get(k) ?? 0, end));
      }
      return action;
    }
    r.role = 'follower';
    r.reconciled = leader === null; // no leader: the spec's None branch, no truncation
    r.logAtRole = [...r.log];
    r.target = null;
    if (leader !== null && p.leaderLogs.has(key(leader, epoch))) this.startReconcile(p, node, r);
    return leader === null ? 'BecomeFollower (no leader)' : action;
  }

  /** The follower's leader leads its epoch: the spec's truncation point is known; judge what was done so far. */
  private startReconcile(p: PartitionModel, node: NodeId, r: Replica): void {
    // Below its log start a follower holds the committed log (deleted on purpose), which its leader holds too.
    r.target = Math.max(truncationPoint(p.leaderLogs.get(key(r.leader!, r.leaderEpoch))!, r.logAtRole ?? r.log), r.start);
    this.checkReconcile(p, node, r);
  }

  private checkReconcile(p: PartitionModel, node: NodeId, r: Replica): void {
    if (r.target === null) return;
    if (this.reconcileBelowLeaderStart(p, node, r)) return;
    const end = logEnd(r);
    if (end < r.target) {
      throw new Reject(
        'BecomeFollowerAndTruncate',
        `${node} truncated to ${end}, below ${r.target}, one past the last record it shares with leader ${r.leader} of epoch ${r.leaderEpoch}: it threw away records the leader has`,
      );
    }
    if (end === r.target) {
      r.reconciled = true;
      const k = key(node, r.leaderEpoch);
      p.followerLeo.set(k, Math.max(p.followerLeo.get(k) ?? 0, end));
    }
  }

  /**
   * A follower whose whole log lies below its leader's log start matches the leader: what it holds
   * there is either the committed log, which the leader deleted, or records the leader never served
   * and the follower drops with the leader's log start. In the spec: the truncation, then copying
   * the leader's records up to the follower's end. Returns whether that settled the follower.
   */
  private reconcileBelowLeaderStart(p: PartitionModel, node: NodeId, r: Replica): boolean {
    if (r.reconciled || r.target === null || r.leader === null) return false;
    const end = logEnd(r);
    if ((p.replicas.get(r.leader)?.start ?? 0) < end) return false;
    // The leader's records where its log (as this projection knows it) has them, the follower's own beyond.
    const leaders = (p.leaderLogs.get(key(r.leader, r.leaderEpoch)) ?? []).filter((b) => b[1] < end);
    r.ownLog = r.log;
    r.log = [...leaders, ...r.log.filter((b) => b[0] >= leo(leaders))];
    r.reconciled = true;
    const k = key(node, r.leaderEpoch);
    p.followerLeo.set(k, Math.max(p.followerLeo.get(k) ?? 0, end));
    return true;
  }

  private truncate(p: PartitionModel, node: NodeId, endOffset: number): string {
    const r = p.replica(node);
    const cut = () => {
      while (r.log.length > 0 && r.log[r.log.length - 1]![1] >= endOffset) r.log.pop();
    };
    if (r.role === 'none') {
      cut(); // a torn tail cut while the log is opened after a crash
      return 'Recover (environment)';
    }
    if (r.role === 'leader') throw new Reject('LeaderWrite', `leader ${node} of epoch ${r.leaderEpoch} truncated its log to ${endOffset}`);
    if (r.reconciled && r.leader === null) {
      throw new Reject(
        'BecomeFollower (no leader)',
        `${node} truncated to ${endOffset} with no leader in epoch ${r.leaderEpoch}: the spec truncates only to match a leader's log`,
      );
    }
    if (r.reconciled && r.ownLog !== null) {
      // It matched only in that all of it lay below the leader's log start: a divergence the leader
      // computed before its start moved, or after a crash brought an older start back, cuts its own log.
      r.log = r.ownLog;
      r.ownLog = null;
      r.reconciled = false;
      cut();
      this.checkReconcile(p, node, r);
      return "BecomeFollowerAndTruncate (below the leader's log start)";
    }
    if (r.reconciled) {
      throw new Reject(
        'BecomeFollowerAndTruncate',
        `${node} truncated to ${endOffset} after its log had matched leader ${r.leader ?? 'none'}'s in epoch ${r.leaderEpoch} (truncation happens once per epoch, KIP-320)`,
      );
    }
    cut();
    this.checkReconcile(p, node, r);
    return r.reconciled ? 'BecomeFollowerAndTruncate' : 'BecomeFollowerAndTruncate (partial)';
  }

  private append(p: PartitionModel, node: NodeId, batches: Batch[]): string {
    const r = p.replica(node);
    const end = r.log.length === 0 ? r.start : leo(r.log);
    if (batches.length === 0) return 'FollowerFetch';
    // A log empty from `start` on may take a first batch that holds its start (DeleteRecords or
    // retention put it mid-batch); what it kept below its start of that batch's offsets goes.
    const startsInside = logEnd(r) === r.start && batches[0]![0] < r.start && batches[0]![1] >= r.start;
    if (batches[0]![0] !== end && !startsInside)
      throw new Reject(r.role === 'leader' ? 'LeaderWrite' : 'FollowerFetch', `${node} appended at ${batches[0]![0]}, not at its log end ${end}`);
    if (startsInside) {
      const below = (log: Batch[]) => log.filter((b) => b[1] < batches[0]![0]);
      r.log = below(r.log);
      if (r.ownLog !== null) r.ownLog = below(r.ownLog);
    }
    if (r.role === 'leader') {
      const bad = batches.find((b) => b[2] !== r.leaderEpoch);
      if (bad !== undefined) throw new Reject('LeaderWrite', `leader ${node} of epoch ${r.leaderEpoch} wrote a batch of epoch ${bad[2]}`);
      r.log.push(...batches);
      p.leaderLogs.get(key(node, r.leaderEpoch))!.push(...batches);
      return 'LeaderWrite';
    }
    if (r.role !== 'follower' || r.leader === null) throw new Reject('FollowerFetch', `${node} appended while neither leader nor following a leader`);
    const leaderLog = p.leaderLogs.get(key(r.leader, r.leaderEpoch));
    if (leaderLog === undefined) throw new Reject('FollowerFetch', `${node} appended from ${r.leader}, which never led epoch ${r.leaderEpoch}`);
    this.reconcileBelowLeaderStart(p, node, r);
    if (!r.reconciled) {
      throw new Reject(
        'FollowerFetch',
        `${node} appended before its log matched leader ${r.leader}'s in epoch ${r.leaderEpoch} (log end ${end}, spec truncation point ${r.target ?? 'unknown'}; KIP-320 rule 1)`,
      );
    }
    for (const b of batches) {
      const found = batchAt(leaderLog, b[0]);
      const theirs = found !== undefined && found[0] === b[0] ? found : undefined;
      if (theirs === undefined || !sameBatch(b, theirs)) {
        throw new Reject(
          'FollowerFetch',
          `${node} appended [${b.join(',')}], which leader ${r.leader} of epoch ${r.leaderEpoch} never had (${theirs === undefined ? 'no batch there' : `it had [${theirs.join(',')}]`})`,
        );
      }
    }
    r.log.push(...batches);
    r.ownLog?.push(...batches);
    const k = key(node, r.leaderEpoch);
    p.followerLeo.set(k, Math.max(p.followerLeo.get(k) ?? 0, leo(r.log)));
    return 'FollowerFetch';
  }

  private highWatermark(p: PartitionModel, node: NodeId, hw: number): string {
    const r = p.replica(node);
    const end = logEnd(r);
    if (r.role === 'leader') {
      const action = 'LeaderIncHighWatermark';
      if (hw < r.hw) throw new Reject(action, `leader ${node}'s high watermark went back from ${r.hw} to ${hw}`);
      if (hw > end) throw new Reject(action, `leader ${node}'s high watermark ${hw} is past its log end ${end}`);
      // In the spec an ISR expansion reaches the quorum and the leader's own ISR in one step, which
      // this mapping places at the leader's proposal (where its guard is checked): from then on the
      // proposed member counts for the high watermark (AsyncIsr's maximal ISR), and so does the
      // quorum's ISR of this epoch, which the core's leader learns of later.
      const q = p.quorum;
      const quorumIsr = q !== null && q.leader === node && q.leaderEpoch === r.leaderEpoch ? q.isr : [];
      const isr = [...new Set([...r.isr, ...r.pending, ...quorumIsr])];
      for (const f of isr) {
        if (f === node) continue;
        const fleo = p.followerLeo.get(key(f, r.leaderEpoch));
        if (fleo === undefined)
          throw new Reject(
            action,
            `ISR member ${f} never followed ${node} in epoch ${r.leaderEpoch} with a matching log, yet the high watermark moved to ${hw}`,
          );
        if (fleo < hw) throw new Reject(action, `ISR member ${f} reached only ${fleo} in epoch ${r.leaderEpoch}, below the new high watermark ${hw}`);
      }
      r.hw = hw;
      const k = key(node, r.leaderEpoch);
      p.leaderHw.set(k, Math.max(p.leaderHw.get(k) ?? 0, hw));
      return action;
    }
    const action = 'FollowerFetch (high watermark)';
    if (hw > end) throw new Reject(action, `${node}'s high watermark ${hw} is past its log end ${end}`);
    if (hw > r.hw) {
      const leaderHw = r.role === 'follower' && r.leader !== null ? p.leaderHw.get(key(r.leader, r.leaderEpoch)) : undefined;
      if (leaderHw === undefined || hw > leaderHw) {
        throw new Reject(
          action,
          `${node}'s high watermark rose to ${hw}, above any leader ${r.leader ?? 'none'} of epoch ${r.leaderEpoch} had (${leaderHw ?? 'none'})`,
        );
      }
    }
    r.hw = hw;
    return action;
  }

  private leaderIsr(p: PartitionModel, node: NodeId, isr: NodeId[], pending: NodeId[] | null, partitionEpoch: number): string {
    const r = p.replica(node);
    if (r.role !== 'leader') throw new Reject('QuorumUpdateIsr', `${node} changed its ISR view without leading`);
    const committed = p.isrAt.get(partitionEpoch);
    if (committed !== undefined && (committed.length !== isr.length || committed.some((x) => !isr.includes(x)))) {
      throw new Reject(
        'QuorumUpdateIsr',
        `leader ${node} took ISR [${isr.join(',')}] for partition epoch ${partitionEpoch}, which the quorum committed as [${committed.join(',')}]`,
      );
    }
    r.isr = [...isr];
    r.pending = pending === null ? [] : pending.filter((x) => !isr.includes(x));
    if (pending === null) return 'QuorumUpdateIsr (leader learns)';
    for (const f of r.pending) p.proposals.set(`${r.leaderEpoch}:${f}`, this.expandGuard(p, node, r, f));
    return 'LeaderExpandIsr (proposed)';
  }

  /**
   * The FencedLeaderExpandIsr guard at the moment the leader proposes; null if it holds. The guard is
   * that of variant kip-320-epoch-start (Kafka's KAFKA-7128 rule: the follower reached the high
   * watermark and the start of the leader's epoch), which the model checker verifies as it does
   * kip-320. Gustafson's kip-320 instead waits for the leader's high watermark to reach its own
   * epoch; the core, like Kafka, does not, and a clean quickstart trace shows it.
   */
  private expandGuard(p: PartitionModel, node: NodeId, r: Replica, f: NodeId): string | null {
    const q = p.quorum;
    if (q === null || q.leader !== node || q.leaderEpoch !== r.leaderEpoch)
      return `${node} proposed adding ${f} while not the quorum's leader of epoch ${r.leaderEpoch}`;
    const fleo = p.followerLeo.get(key(f, r.leaderEpoch));
    if (fleo === undefined) return `${node} proposed adding ${f}, which had not followed it in epoch ${r.leaderEpoch} with a matching log`;
    if (fleo < r.hw) return `${node} proposed adding ${f} at ${fleo}, below its high watermark ${r.hw}`;
    const first = r.log.find((b) => b[2] === r.leaderEpoch);
    const epochStart = first === undefined ? leo(r.log) : first[0];
    if (fleo < epochStart) return `${node} proposed adding ${f} at ${fleo}, below the start ${epochStart} of its epoch ${r.leaderEpoch} (KAFKA-7128)`;
    return null;
  }
}

/** Validates a trace file (JSON Lines, as `samsa run --trace` writes). */
export function validateTraceFile(path: string): ValidationResult {
  return validateTraceEvents(readEventLines(path));
}

/** Validates a run's event lines (a trace file's, or a MemorySink's parsed lines without header and summary). */
export function validateTraceEvents(lines: Iterable<EventLine>): ValidationResult {
  const validator = new TraceValidator();
  for (const line of lines) {
    const event = observedEvent(line);
    if (event !== null) validator.observe(line.i, line.node ?? null, event);
    if (validator.failure !== null) break;
  }
  return validator.result();
}

/** A failure for people: the step, the event, the spec action it could not be, why, and the projected state. */
export function formatValidationFailure(f: ValidationFailure): string {
  const { kind, ...rest } = f.event;
  return [
    `step ${f.step}, node ${f.node ?? '-'}, partition ${f.partition}: ${kind} ${JSON.stringify(rest)}`,
    `  is not an instance of spec action ${f.action}: ${f.reason}`,
    '  projected state before the event:',
    ...f.state.split('\n').map((l) => `  ${l}`),
  ].join('\n');
}
