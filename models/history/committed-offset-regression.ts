// committed-offset-regression: a group's committed offset going back (or vanishing) without anyone
// committing a lower one. When a member acquires a partition it starts at the group's committed
// offset (OffsetFetch); that offset must be at least the last one a commit was acknowledged for
// before the assignment. Judged only where the last commit is certain: no other commit of the
// partition was in flight or ended unknown since, so the acknowledged one is the coordinator's last.

import type { NodeId } from '../../core/env.ts';
import type { CheckerInfo, Report } from '../violation.ts';
import { involved, type HistoryChecker } from './history-checker.ts';
import { Ownership } from './group-ownership.ts';
import { partitionKey } from './group-values.ts';
import type { ReadOp } from './op-values.ts';

export const COMMITTED_OFFSET_REGRESSION: CheckerInfo = {
  name: 'committed-offset-regression',
  statement:
    "A group's committed offset never goes back without a commit of a lower offset: a member that acquires a partition starts at least at the last offset acknowledged as committed for it before the assignment, and never resets for want of a committed offset when one was acknowledged.",
  source:
    'Kafka consumer docs (committed position; offsets stored in __consumer_offsets survive coordinator failover); KIP-496; Kafka GroupCoordinator (offset load on leadership change)',
};

/** What the history knows of a partition's committed offset in one group. */
interface Committed {
  /** The offset of the last acknowledged commit, when it is certain to be the coordinator's last; null when none or unknown. */
  offset: number | null;
  /** Who committed it, and when it was acknowledged. */
  process: NodeId | null;
  step: number;
  /** Commits invoked and not yet answered. */
  inflight: number;
  /** Commits invoked so far (to tell whether another one overlapped an acknowledged one). */
  invoked: number;
  /** Whether some commit ended unknown (info), or overlapped another: the committed offset is then unknown until a lone commit is acknowledged. */
  uncertain: boolean;
}

/** A member that acquired a partition and has not started reading it yet. */
interface Starting {
  group: string;
  key: string;
  /** The committed offset certain at the assignment, or null when none was. */
  expected: { offset: number; process: NodeId; step: number } | null;
  step: number;
}

export class CommittedOffsetRegression implements HistoryChecker {
  readonly info = COMMITTED_OFFSET_REGRESSION;
  private readonly ownership = new Ownership();
  private readonly committed = new Map<string, Committed>();
  /** Per commit invocation (process and op id): its group, and per partition how many commits had been invoked before it and how many were in flight. */
  private readonly sent = new Map<string, { group: string; before: Map<string, { invoked: number; inflight: number }> }>();
  /** Per member and partition, the start it owes after acquiring the partition. */
  private readonly starting = new Map<string, Starting>();

  constructor(private readonly report: Report) {}

  observe({ op, group }: ReadOp): void {
    if (op.op === 'seek' && op.type === 'ok') return this.seeked(op.process, op.value, op.step);
    if (group === null) return;
    switch (group.kind) {
      case 'assignment':
        for (const key of this.ownership.assigned(op.process, group, op.step)) {
          const c = this.committed.get(`${group.group}\u0000${key}`);
          const expected =
            c !== undefined && c.offset !== null && c.inflight === 0 && !c.uncertain ? { offset: c.offset, process: c.process!, step: c.step } : null;
          this.starting.set(`${op.process}\u0000${key}`, { group: group.group, key, expected, step: op.step });
        }
        return;
      case 'revoke':
        this.ownership.revoked(op.process, group);
        for (const [topic, partition] of group.partitions) this.starting.delete(`${op.process}\u0000${partitionKey(topic, partition)}`);
        return;
      case 'commit':
        return this.commit(op.process, op.id, op.type, group.group, group.offsets, op.step);
    }
  }

  /** The process stopped: it holds nothing, and its unanswered commits have unknown outcomes. */
  crashed(process: NodeId): void {
    this.ownership.crashed(process);
    for (const key of [...this.starting.keys()]) if (key.startsWith(`${process}\u0000`)) this.starting.delete(key);
    for (const [opKey, sent] of [...this.sent]) {
      if (!opKey.startsWith(`${process}\u0000`)) continue;
      this.sent.delete(opKey);
      for (const key of sent.before.keys()) {
        const c = this.partition(sent.group, key);
        c.inflight--;
        c.uncertain = true;
      }
    }
  }

  finish(): void {}

  private commit(process: NodeId, id: number, type: string, group: string, offsets: Array<[string, number, number]>, step: number): void {
    const opKey = `${process}\u0000${id}`;
    if (type === 'invoke') {
      const before = new Map<string, { invoked: number; inflight: number }>();
      for (const [topic, partition] of offsets) {
        const c = this.partition(group, partitionKey(topic, partition));
        before.set(partitionKey(topic, partition), { invoked: c.invoked, inflight: c.inflight });
        c.invoked++;
        c.inflight++;
      }
      this.sent.set(opKey, { group, before });
      return;
    }
    const sent = this.sent.get(opKey);
    if (sent === undefined) return;
    this.sent.delete(opKey);
    const before = sent.before;
    for (const [topic, partition, offset] of offsets) {
      const key = partitionKey(topic, partition);
      const c = this.partition(group, key);
      c.inflight--;
      if (type === 'info') c.uncertain = true;
      if (type !== 'ok') continue;
      // Alone in flight from its invocation to its answer: the coordinator's last commit is this one.
      const then = before.get(key)!;
      const alone = then.inflight === 0 && c.invoked === then.invoked + 1 && c.inflight === 0;
      c.offset = alone ? offset : null;
      c.process = process;
      c.step = step;
      c.uncertain = !alone;
    }
  }

  /** A member's first position in a partition it acquired: from the committed offset, or a reset for want of one. */
  private seeked(process: NodeId, value: unknown, step: number): void {
    const v = value as { topic?: unknown; partition?: unknown; offset?: unknown; reason?: unknown } | null;
    if (v === null || typeof v !== 'object' || typeof v.topic !== 'string' || typeof v.partition !== 'number' || typeof v.offset !== 'number') return;
    const key = partitionKey(v.topic, v.partition);
    const s = this.starting.get(`${process}\u0000${key}`);
    if (s === undefined) return;
    this.starting.delete(`${process}\u0000${key}`);
    const e = s.expected;
    if (e === null) return;
    if (v.reason === 'committed' && v.offset < e.offset) this.regressed(process, s, `started at committed offset ${v.offset}`, v.offset, step);
    else if (v.reason === 'auto.offset.reset')
      this.regressed(process, s, `found no committed offset and reset to ${v.offset} (auto.offset.reset)`, v.offset, step);
  }

  private regressed(process: NodeId, s: Starting, what: string, offset: number, step: number): void {
    const e = s.expected!;
    this.report({
      step,
      message: `${process} acquired ${s.key} in group ${s.group} at step ${s.step} and ${what}, though offset ${e.offset} had been committed (acknowledged to ${e.process} at step ${e.step})`,
      nodes: involved(process, e.process),
      values: { group: s.group, partition: s.key, offset, committed: e.offset, committer: e.process, committedStep: e.step, assignedStep: s.step },
    });
  }

  private partition(group: string, key: string): Committed {
    const k = `${group}\u0000${key}`;
    let c = this.committed.get(k);
    if (c === undefined) this.committed.set(k, (c = { offset: null, process: null, step: -1, inflight: 0, invoked: 0, uncertain: false }));
    return c;
  }
}
