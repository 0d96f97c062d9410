// Checkers of the quorum's elections and logs (KIP-595; Kafka's RaftEventSimulationTest; Raft):
// election-safety, epoch-monotonic and log-matching, fed by the quorum ghost after every event.

import type { NodeId } from '../../core/env.ts';
import type { GhostReplica, QuorumHooks } from '../quorum-ghost.ts';
import type { CheckerInfo, Report } from '../violation.ts';

export const ELECTION_SAFETY: CheckerInfo = {
  name: 'election-safety',
  statement: 'At most one replica is leader in any epoch.',
  source: "Raft's Election Safety; Kafka RaftEventSimulationTest SingleLeader; Vanlightly's KRaft spec ElectionSafety",
};

export class ElectionSafety implements QuorumHooks {
  private readonly leaders = new Map<number, NodeId>();
  constructor(private readonly report: Report) {}

  roleChanged(r: GhostReplica, step: number): void {
    if (r.role !== 'leader') return;
    const other = this.leaders.get(r.epoch);
    if (other === undefined) this.leaders.set(r.epoch, r.id);
    else if (other !== r.id) {
      this.report({ step, message: `${other} and ${r.id} are both leaders of epoch ${r.epoch}`, nodes: [other, r.id], values: { epoch: r.epoch } });
    }
  }
}

export const EPOCH_MONOTONIC: CheckerInfo = {
  name: 'epoch-monotonic',
  statement: "A replica's durable epoch never goes back, and it acts only on an election state (epoch and vote) that is durable.",
  source: 'KIP-595 (persist before acting); Kafka RaftEventSimulationTest MonotonicEpoch',
};

export class EpochMonotonic implements QuorumHooks {
  private readonly touched = new Set<GhostReplica>();
  private readonly reported = new Set<string>();
  constructor(private readonly report: Report) {}

  persisted(r: GhostReplica, step: number, previousEpoch: number): void {
    if (r.persistedEpoch < previousEpoch) {
      this.report({
        step,
        message: `${r.id} persisted epoch ${r.persistedEpoch} after epoch ${previousEpoch}`,
        nodes: [r.id],
        values: { epoch: r.persistedEpoch, previous: previousEpoch },
      });
    }
  }

  loaded(r: GhostReplica, step: number, loadedEpoch: number, previousEpoch: number): void {
    if (loadedEpoch < previousEpoch) {
      this.report({
        step,
        message: `${r.id} restarted with epoch ${loadedEpoch} although it had persisted epoch ${previousEpoch}`,
        nodes: [r.id],
        values: { loaded: loadedEpoch, persisted: previousEpoch },
      });
    }
  }

  roleChanged(r: GhostReplica): void {
    this.touched.add(r);
  }

  stepEnd(step: number): void {
    if (this.touched.size === 0) return;
    for (const r of this.touched) {
      if (!r.up || (r.epoch === r.persistedEpoch && r.votedFor === r.persistedVote)) continue;
      const key = `${r.id}:${r.epoch}:${r.votedFor}`;
      if (this.reported.has(key)) continue;
      this.reported.add(key);
      this.report({
        step,
        message: `${r.id} acts in epoch ${r.epoch} (vote: ${r.votedFor ?? 'none'}) but its durable state is epoch ${r.persistedEpoch} (vote: ${r.persistedVote ?? 'none'})`,
        nodes: [r.id],
        values: { epoch: r.epoch, votedFor: r.votedFor, persistedEpoch: r.persistedEpoch, persistedVote: r.persistedVote },
      });
    }
    this.touched.clear();
  }
}

export const LOG_MATCHING: CheckerInfo = {
  name: 'log-matching',
  statement: 'If two replicas hold an entry with the same offset and epoch, the entries and all entries before them are identical.',
  source: "Raft's Log Matching; Vanlightly's KRaft spec LogMatching; KAFKA-10527",
};

export class LogMatching implements QuorumHooks {
  private readonly seen = new Map<string, { hash: number; node: NodeId }>();
  private readonly reported = new Set<string>();
  constructor(private readonly report: Report) {}

  appended(r: GhostReplica, step: number, fromOffset: number): void {
    for (let o = fromOffset; o < r.log.length; o++) {
      const key = `${o}:${r.epochs[o]}`;
      const first = this.seen.get(key);
      if (first === undefined) this.seen.set(key, { hash: r.log[o]!, node: r.id });
      else if (first.hash !== r.log[o] && !this.reported.has(key)) {
        this.reported.add(key);
        this.report({
          step,
          message: `${r.id} and ${first.node} hold different logs up to offset ${o}, both with epoch ${r.epochs[o]} there`,
          nodes: [first.node, r.id],
          values: { offset: o, epoch: r.epochs[o] },
        });
      }
    }
  }
}
