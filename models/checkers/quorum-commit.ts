// Checkers of what the quorum commits (Kafka RaftEventSimulationTest; Raft; Vanlightly's KRaft
// spec): hw-monotonic, majority-reached-hw, leader-completeness and committed-data-consistent.

import type { RaftRole } from '../../core/trace/schema.ts';
import type { GhostReplica, QuorumGhost, QuorumHooks } from '../quorum-ghost.ts';
import type { CheckerInfo, Report } from '../violation.ts';

export const HW_MONOTONIC: CheckerInfo = {
  name: 'hw-monotonic',
  statement: "The quorum's high watermark, as reported by the leader of the latest epoch, never goes back.",
  source: 'Kafka RaftEventSimulationTest MonotonicHighWatermark; KAFKA-10533',
};

export class HwMonotonic implements QuorumHooks {
  private latestEpoch = -1;
  private quorumHw = 0;
  private holder = '';
  constructor(private readonly report: Report) {}

  highWatermark(r: GhostReplica, step: number, hw: number, role: RaftRole, epoch: number): void {
    if (role !== 'leader' || epoch < this.latestEpoch) return;
    this.latestEpoch = epoch;
    if (hw < this.quorumHw) {
      this.report({
        step,
        message: `leader ${r.id} of epoch ${epoch} reports high watermark ${hw}, below ${this.quorumHw} reported by ${this.holder}`,
        nodes: [r.id, this.holder],
        values: { hw, previous: this.quorumHw, epoch },
      });
    }
    if (hw >= this.quorumHw) {
      this.quorumHw = hw;
      this.holder = r.id;
    }
  }
}

export const MAJORITY_REACHED_HW: CheckerInfo = {
  name: 'majority-reached-hw',
  statement: "A majority of voters hold the log up to the quorum's high watermark.",
  source: 'Kafka RaftEventSimulationTest MajorityReachedHighWatermark; Raft commitment',
};

export class MajorityReachedHw implements QuorumHooks {
  private quorumHw = 0;
  private latestEpoch = -1;
  private readonly reported = new Set<number>();
  constructor(
    private readonly ghost: QuorumGhost,
    private readonly report: Report,
  ) {}

  highWatermark(r: GhostReplica, step: number, hw: number, role: RaftRole, epoch: number): void {
    if (role !== 'leader' || epoch < this.latestEpoch) return;
    this.latestEpoch = epoch;
    // The committed prefix is extended after this hook, so the new end's entry comes from the reporter.
    if (hw > this.quorumHw) {
      this.quorumHw = hw;
      this.check(step, r.log[hw - 1]);
    } else {
      this.check(step, this.ghost.committed[this.quorumHw - 1]);
    }
  }

  shrunk(r: GhostReplica, step: number): void {
    if (r.voter && this.quorumHw > 0) this.check(step, this.ghost.committed[this.quorumHw - 1]);
  }

  private check(step: number, expected: number | undefined): void {
    const hw = this.quorumHw;
    if (hw === 0 || expected === undefined || this.reported.has(hw)) return;
    const holders: string[] = [];
    for (const v of this.ghost.replicas.values()) if (v.voter && v.log.length >= hw && v.log[hw - 1] === expected) holders.push(v.id);
    const voters = this.ghost.voterCount;
    if (holders.length * 2 > voters) return;
    this.reported.add(hw);
    this.report({
      step,
      message: `only ${holders.length} of ${voters} voters (${holders.join(', ') || 'none'}) hold the log up to the high watermark ${hw}`,
      nodes: holders,
      values: { hw, holders: holders.length, voters },
    });
  }
}

export const LEADER_COMPLETENESS: CheckerInfo = {
  name: 'leader-completeness',
  statement: 'A newly elected leader holds every entry committed in an earlier epoch.',
  source: "Raft's Leader Completeness; Vanlightly's KRaft spec LeaderCompleteness",
};

/**
 * Raft's property is about the epochs entries were committed in: a leader of epoch e holds every
 * entry committed in an epoch below e. A leader of an older epoch may still be elected after a later
 * epoch committed more (its vote arrived late, over a slow link), and need not hold those.
 */
export class LeaderCompleteness implements QuorumHooks {
  /** Per epoch, the highest high watermark reported in it: the committed end as of that epoch. */
  private readonly committedInEpoch = new Map<number, number>();

  constructor(
    private readonly ghost: QuorumGhost,
    private readonly report: Report,
  ) {}

  highWatermark(_r: GhostReplica, _step: number, hw: number, _role: RaftRole, epoch: number): void {
    if (hw > (this.committedInEpoch.get(epoch) ?? 0)) this.committedInEpoch.set(epoch, hw);
  }

  roleChanged(r: GhostReplica, step: number, previousRole: RaftRole): void {
    if (r.role !== 'leader' || previousRole === 'leader') return;
    let end = 0;
    for (const [epoch, hw] of this.committedInEpoch) if (epoch < r.epoch && hw > end) end = hw;
    end = Math.min(end, this.ghost.committedEnd);
    if (end === 0 || (r.log.length >= end && r.log[end - 1] === this.ghost.committed[end - 1])) return;
    let held = 0;
    while (held < Math.min(end, r.log.length) && r.log[held] === this.ghost.committed[held]) held++;
    this.report({
      step,
      message: `${r.id} became leader of epoch ${r.epoch} holding only ${held} of the ${end} entries committed in earlier epochs`,
      nodes: [r.id],
      values: { epoch: r.epoch, committed: end, held },
    });
  }
}

export const COMMITTED_DATA_CONSISTENT: CheckerInfo = {
  name: 'committed-data-consistent',
  statement: "An offset below any replica's high watermark maps to one entry, on every replica and forever.",
  source: 'Kafka RaftEventSimulationTest ConsistentCommittedData',
};

export class CommittedDataConsistent implements QuorumHooks {
  private readonly reported = new Set<string>();
  constructor(
    private readonly ghost: QuorumGhost,
    private readonly report: Report,
  ) {}

  highWatermark(r: GhostReplica, step: number, hw: number): void {
    const committed = this.ghost.committed;
    if (r.log.length < hw) {
      this.once(`beyond:${r.id}:${hw}`, {
        step,
        message: `${r.id} reports high watermark ${hw} but holds only ${r.log.length} entries`,
        nodes: [r.id],
        values: { hw, endOffset: r.log.length },
      });
      return;
    }
    const at = Math.min(hw, committed.length) - 1;
    if (at >= 0 && r.log[at] !== committed[at]) {
      let first = 0;
      while (first < at && r.log[first] === committed[first]) first++;
      this.once(`diff:${r.id}:${first}`, {
        step,
        message: `${r.id} treats offsets up to ${hw} as committed, but from offset ${first} its log differs from what was committed`,
        nodes: [r.id],
        values: { hw, firstDifference: first },
      });
    }
  }

  snapshotFetched(r: GhostReplica, step: number, endOffset: number): void {
    if (endOffset > this.ghost.committedEnd) {
      this.once(`snapshot:${r.id}:${endOffset}`, {
        step,
        message: `${r.id} loaded a snapshot up to ${endOffset}, beyond the committed ${this.ghost.committedEnd}`,
        nodes: [r.id],
        values: { endOffset, committed: this.ghost.committedEnd },
      });
    }
  }

  private once(key: string, v: Parameters<Report>[0]): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.report(v);
  }
}
