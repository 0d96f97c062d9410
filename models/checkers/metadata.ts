// Checkers of the cluster metadata the controller keeps on the quorum (KIP-631; Vanlightly's
// KRaft replication spec): metadata-log-prefix, leader-in-isr and isr-never-empty.

import type { NodeId } from '../../core/env.ts';
import type { GhostReplica, QuorumGhost, QuorumHooks } from '../quorum-ghost.ts';
import type { CheckerInfo, Report } from '../violation.ts';

export const METADATA_LOG_PREFIX: CheckerInfo = {
  name: 'metadata-log-prefix',
  statement: "Every node's metadata image is built from a prefix of the committed metadata log.",
  source: "Vanlightly's KRaft replication spec MetadataLogMatchingProperty",
};

export class MetadataLogPrefix implements QuorumHooks {
  private readonly reported = new Set<NodeId>();
  constructor(
    private readonly ghost: QuorumGhost,
    private readonly report: Report,
  ) {}

  metadataApplied(r: GhostReplica, step: number, endOffset: number): void {
    if (this.reported.has(r.id) || endOffset === 0) return;
    const committed = this.ghost.committed;
    const uncommitted = endOffset > committed.length;
    const differs = !uncommitted && r.log[endOffset - 1] !== committed[endOffset - 1];
    if (!uncommitted && !differs) return;
    this.reported.add(r.id);
    this.report({
      step,
      message: uncommitted
        ? `${r.id} applied metadata up to offset ${endOffset}, beyond the committed ${committed.length}`
        : `${r.id} applied metadata up to offset ${endOffset} from a log that differs from the committed one`,
      nodes: [r.id],
      values: { endOffset, committed: committed.length },
    });
  }
}

/** The partition state a node's metadata image holds after applying a record. */
export interface PartitionStateEvent {
  kind: 'partition-change';
  topic: string;
  partition: number;
  leader: NodeId | null;
  isr: NodeId[];
  leaderEpoch: number;
  partitionEpoch: number;
}

export const LEADER_IN_ISR: CheckerInfo = {
  name: 'leader-in-isr',
  statement: 'A partition with a leader has that leader in its ISR.',
  source: "Gustafson's Kafka replication spec LeaderInIsr (fixed form); Vanlightly's ValidControllerState",
};

export const ISR_NEVER_EMPTY: CheckerInfo = {
  name: 'isr-never-empty',
  statement: "A partition's ISR is never empty.",
  source: "Vanlightly's KRaft replication spec ValidControllerState; KIP-966",
};

/** Checks each partition state a node's image takes; reports each partition once per checker. */
export class PartitionStateCheckers {
  private readonly reported = new Set<string>();
  constructor(
    private readonly leaderInIsr: Report,
    private readonly isrNeverEmpty: Report,
  ) {}

  observe(step: number, node: NodeId, e: PartitionStateEvent): void {
    const where = `${e.topic}/${e.partition}`;
    if (e.leader !== null && !e.isr.includes(e.leader) && this.first(`lii:${where}`)) {
      this.leaderInIsr({
        step,
        message: `${where} has leader ${e.leader} outside its ISR [${e.isr.join(', ')}] (seen by ${node})`,
        nodes: [node, e.leader],
        values: { ...e },
      });
    }
    if (e.isr.length === 0 && this.first(`ine:${where}`)) {
      this.isrNeverEmpty({ step, message: `${where} has an empty ISR (seen by ${node})`, nodes: [node], values: { ...e } });
    }
  }

  private first(key: string): boolean {
    if (this.reported.has(key)) return false;
    this.reported.add(key);
    return true;
  }
}
