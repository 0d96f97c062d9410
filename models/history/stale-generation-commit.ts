// stale-generation-commit: the coordinator accepting an offset commit from a generation older than
// one the group had already completed. Once some member holds an assignment of generation g', the
// coordinator has moved past every older generation (it stored g' before answering any SyncGroup),
// so a commit sent later with an older generation must fail with ILLEGAL_GENERATION or
// UNKNOWN_MEMBER_ID: this is how Kafka fences a zombie member that still believes it owns its
// partitions.

import type { NodeId } from '../../core/env.ts';
import type { CheckerInfo, Report } from '../violation.ts';
import { involved, type HistoryChecker } from './history-checker.ts';
import type { CommitOp } from './group-values.ts';
import type { ReadOp } from './op-values.ts';

export const STALE_GENERATION_COMMIT: CheckerInfo = {
  name: 'stale-generation-commit',
  statement:
    'No offset commit is accepted from a generation older than one the group had already completed when the commit was sent: such a commit is fenced with ILLEGAL_GENERATION or UNKNOWN_MEMBER_ID.',
  source: 'Kafka GroupCoordinator (OffsetCommit generation check); KIP-345 (FENCED_INSTANCE_ID); Kafka consumer docs (CommitFailedException)',
};

interface Newest {
  generation: number;
  process: NodeId;
  step: number;
}

export class StaleGenerationCommit implements HistoryChecker {
  readonly info = STALE_GENERATION_COMMIT;
  /** Per group, the newest generation some member held an assignment of, and the first such assignment. */
  private readonly newest = new Map<string, Newest>();
  /** Commits sent with a generation older than the group's newest at the time, by process and op id. */
  private readonly stale = new Map<string, { commit: CommitOp; newer: Newest; step: number }>();

  constructor(private readonly report: Report) {}

  observe({ op, group }: ReadOp): void {
    if (group === null) return;
    if (group.kind === 'assignment') {
      const n = this.newest.get(group.group);
      if (n === undefined || group.generation > n.generation)
        this.newest.set(group.group, { generation: group.generation, process: op.process, step: op.step });
      return;
    }
    if (group.kind !== 'commit' || group.generation < 0) return;
    const key = `${op.process}\u0000${op.id}`;
    if (op.type === 'invoke') {
      const newer = this.newest.get(group.group);
      if (newer !== undefined && newer.generation > group.generation) this.stale.set(key, { commit: group, newer, step: op.step });
      return;
    }
    const sent = this.stale.get(key);
    if (sent === undefined) return;
    this.stale.delete(key);
    if (op.type !== 'ok') return;
    const { commit, newer } = sent;
    this.report({
      step: op.step,
      message: `${op.process} committed ${commit.offsets.map(([t, p, o]) => `${t}/${p}@${o}`).join(', ')} for group ${commit.group} with generation ${commit.generation}, sent at step ${sent.step}, and the coordinator accepted it, though generation ${newer.generation} had been assigned (to ${newer.process} at step ${newer.step})`,
      nodes: involved(op.process, newer.process),
      values: {
        group: commit.group,
        generation: commit.generation,
        member: commit.member,
        offsets: commit.offsets,
        newerGeneration: newer.generation,
        newerMember: newer.process,
        newerStep: newer.step,
        sentStep: sent.step,
      },
    });
  }

  finish(): void {}
}
