// Leader election and ISR changes for one partition, as KRaft's PartitionChangeBuilder does
// them: a fenced broker leaves the ISR (never the last member); a new leader comes from the ISR
// among unfenced brokers, in replica order, or, only with unclean.leader.election.enable, from
// any unfenced replica (the ISR then restarts from it, KIP-704 RECOVERING).

import type { NodeId } from '../env.ts';
import type { PartitionState } from './image.ts';
import type { ControllerBug } from './bugs.ts';
import type { LeaderRecoveryState, PartitionChangeRecord } from './records.ts';

export interface ElectionRules {
  isUnfenced(broker: NodeId): boolean;
  uncleanLeaderElection: boolean;
  bugs: ReadonlySet<ControllerBug>;
}

interface Target {
  isr: NodeId[];
  leader: NodeId | null;
  recovery: LeaderRecoveryState;
}

/** The partition after `broker` is fenced: out of the ISR, and replaced if it led. */
export function fencedBrokerChange(p: PartitionState, broker: NodeId, rules: ElectionRules): PartitionChangeRecord | null {
  if (!p.isr.includes(broker) && p.leader !== broker) return null;
  let isr = p.isr.filter((r) => r !== broker);
  // The last ISR member stays in the ISR even when fenced: it is the only replica known to hold
  // every committed record, and must remain the one to come back as leader.
  if (isr.length === 0 && !rules.bugs.has('controller-empty-isr')) isr = p.isr;
  const target: Target = { isr, leader: p.leader, recovery: p.leaderRecoveryState };
  if (p.leader === broker || (p.leader !== null && !isr.includes(p.leader))) elect(p, target, rules, broker);
  return changeRecord(p, target);
}

/** Elects a leader for a leaderless partition if one is now possible (a broker was unfenced). */
export function leaderlessChange(p: PartitionState, rules: ElectionRules): PartitionChangeRecord | null {
  if (p.leader !== null) return null;
  const target: Target = { isr: p.isr, leader: null, recovery: p.leaderRecoveryState };
  elect(p, target, rules, null);
  return changeRecord(p, target);
}

/** A new ISR requested by the leader (AlterPartition); the caller has validated it. */
export function isrChange(p: PartitionState, isr: NodeId[], recovery: LeaderRecoveryState): PartitionChangeRecord | null {
  return changeRecord(p, { isr, leader: p.leader, recovery });
}

function elect(p: PartitionState, target: Target, rules: ElectionRules, excluded: NodeId | null): void {
  const eligible = (r: NodeId) => r !== excluded && rules.isUnfenced(r);
  if (rules.bugs.has('controller-elect-outside-isr')) {
    // The bug: any live replica will do, and the ISR is left as it was.
    target.leader = p.replicas.find(eligible) ?? null;
    return;
  }
  const clean = p.replicas.find((r) => target.isr.includes(r) && eligible(r));
  if (clean !== undefined) {
    target.leader = clean;
    return;
  }
  const unclean = rules.uncleanLeaderElection ? p.replicas.find(eligible) : undefined;
  if (unclean !== undefined) {
    target.leader = unclean;
    target.isr = [unclean];
    target.recovery = 1;
    return;
  }
  target.leader = null;
}

function changeRecord(p: PartitionState, target: Target): PartitionChangeRecord | null {
  const isrChanged = target.isr.length !== p.isr.length || target.isr.some((r, i) => r !== p.isr[i]);
  const leaderChanged = target.leader !== p.leader;
  const recoveryChanged = target.recovery !== p.leaderRecoveryState;
  if (!isrChanged && !leaderChanged && !recoveryChanged) return null;
  const record: PartitionChangeRecord = { type: 'PartitionChangeRecord', partitionId: p.partition, topicId: p.topicId };
  if (isrChanged) record.isr = [...target.isr];
  if (leaderChanged) record.leader = target.leader;
  if (recoveryChanged) record.leaderRecoveryState = target.recovery;
  return record;
}
