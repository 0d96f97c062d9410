// Checkers of partition replication, after Gustafson's and Vanlightly's Kafka specs and Kafka's own
// replication tests: leader-epoch-unique, replica-log-matching, strong-isr, leader-completeness and
// hw-monotonic (for partitions), hw-le-leo and hw-min-isr, fed by the partition ghost after every event.

import type { NodeId } from '../../core/env.ts';
import type { NodeEvents } from '../../core/trace/schema.ts';
import { batchAt, type GhostPartition, type GhostPartitionReplica, type PartitionGhost, type PartitionHooks } from '../partition-ghost.ts';
import type { CheckerInfo, Report } from '../violation.ts';

export const LEADER_EPOCH_UNIQUE: CheckerInfo = {
  name: 'leader-epoch-unique',
  statement: 'At most one replica leads a partition in any leader epoch.',
  source: "Gustafson's Kafka replication spec; Vanlightly's KRaft replication spec (one leader per partition and epoch)",
};

export const REPLICA_LOG_MATCHING: CheckerInfo = {
  name: 'replica-log-matching',
  statement: "Every replica's log below its high watermark is the partition's committed log.",
  source: "Vanlightly's KRaft replication spec LogMatchingProperty; KIP-101, KIP-279",
};

export const STRONG_ISR: CheckerInfo = {
  name: 'strong-isr',
  statement: 'Every member of the committed ISR (in its current incarnation) holds every committed record.',
  source: "Gustafson's Kafka replication spec StrongIsr; Vanlightly's LeaderCandidateCompletenessProperty",
};

export const HW_LE_LEO: CheckerInfo = {
  name: 'hw-le-leo',
  statement: "A replica's high watermark never exceeds its log end offset.",
  source: "Kafka's UnifiedLog (the high watermark is clamped to the log end); Divij Vaidya's spec HighWatermarkRangeOk",
};

/** Reports once per key. */
class Once {
  private readonly seen = new Set<string>();
  constructor(private readonly report: Report) {}
  report_(key: string, v: Parameters<Report>[0]): void {
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.report(v);
  }
}

export class LeaderEpochUnique implements PartitionHooks {
  private readonly leaders = new Map<string, NodeId>();
  private readonly once: Once;
  constructor(report: Report) {
    this.once = new Once(report);
  }

  role(p: GhostPartition, r: GhostPartitionReplica, step: number, e: NodeEvents['partition-role']): void {
    if (e.role !== 'leader') return;
    const key = `${p.key}:${e.leaderEpoch}`;
    const other = this.leaders.get(key);
    if (other === undefined) this.leaders.set(key, r.broker);
    else if (other !== r.broker) {
      this.once.report_(key, {
        step,
        message: `${other} and ${r.broker} both lead ${p.key} in leader epoch ${e.leaderEpoch}`,
        nodes: [other, r.broker],
        values: { partition: p.key, leaderEpoch: e.leaderEpoch },
      });
    }
  }
}

export class HwLeLeo implements PartitionHooks {
  private readonly touched = new Set<GhostPartitionReplica>();
  private readonly once: Once;
  constructor(report: Report) {
    this.once = new Once(report);
  }

  highWatermark(_p: GhostPartition, r: GhostPartitionReplica): void {
    this.touched.add(r);
  }

  shrunk(_p: GhostPartition, r: GhostPartitionReplica): void {
    this.touched.add(r);
  }

  appended(_p: GhostPartition, r: GhostPartitionReplica): void {
    this.touched.add(r);
  }

  stepEnd(step: number): void {
    if (this.touched.size === 0) return;
    for (const r of this.touched) {
      if (r.hw > r.leo) {
        this.once.report_(`${r.key}:${r.broker}:${r.hw}`, {
          step,
          message: `${r.broker}'s high watermark ${r.hw} of ${r.key} is past its log end ${r.leo}`,
          nodes: [r.broker],
          values: { partition: r.key, hw: r.hw, leo: r.leo },
        });
      }
    }
    this.touched.clear();
  }
}

export class PartitionHwMonotonic implements PartitionHooks {
  private readonly latest = new Map<string, { epoch: number; hw: number; holder: NodeId }>();
  private readonly once: Once;
  constructor(report: Report) {
    this.once = new Once(report);
  }

  highWatermark(p: GhostPartition, r: GhostPartitionReplica, step: number, e: NodeEvents['partition-hw']): void {
    if (e.role !== 'leader' || !e.exposed) return;
    const seen = this.latest.get(p.key);
    if (seen !== undefined && e.leaderEpoch < seen.epoch) return;
    if (seen !== undefined && e.highWatermark < seen.hw) {
      this.once.report_(`${p.key}:${e.leaderEpoch}`, {
        step,
        message: `leader ${r.broker} of ${p.key} (epoch ${e.leaderEpoch}) exposes high watermark ${e.highWatermark}, below ${seen.hw} exposed by ${seen.holder}`,
        nodes: [r.broker, seen.holder],
        values: { partition: p.key, hw: e.highWatermark, previous: seen.hw, leaderEpoch: e.leaderEpoch },
      });
    }
    if (seen === undefined || e.highWatermark >= seen.hw) this.latest.set(p.key, { epoch: e.leaderEpoch, hw: e.highWatermark, holder: r.broker });
    else seen.epoch = e.leaderEpoch;
  }
}

export class ReplicaLogMatching implements PartitionHooks {
  private readonly once: Once;
  constructor(report: Report) {
    this.once = new Once(report);
  }

  highWatermark(p: GhostPartition, r: GhostPartitionReplica, step: number, e: NodeEvents['partition-hw']): void {
    const end = Math.min(e.highWatermark, p.committedEnd);
    const at = r.firstDifference(p.committed, end);
    if (at === null) return;
    this.once.report_(`${p.key}:${r.broker}:${at}`, {
      step,
      message: `${r.broker}'s log of ${p.key} below its high watermark ${e.highWatermark} differs from the committed log from offset ${at}`,
      nodes: [r.broker],
      values: { partition: p.key, hw: e.highWatermark, firstDifference: at },
    });
  }
}

export class StrongIsr implements PartitionHooks {
  private readonly once: Once;
  constructor(
    private readonly ghost: PartitionGhost,
    report: Report,
  ) {
    this.once = new Once(report);
  }

  isrChanged(p: GhostPartition, step: number): void {
    for (const member of p.isr) this.check(p, p.replica(member), step);
  }

  shrunk(p: GhostPartition, r: GhostPartitionReplica, step: number): void {
    if (p.isr.includes(r.broker)) this.check(p, r, step);
  }

  private check(p: GhostPartition, r: GhostPartitionReplica, step: number): void {
    if (!this.ghost.registered.has(r.broker)) return;
    // Records some replica's log start passed were deleted on purpose (retention, DeleteRecords): a
    // member need not hold them, and one that still holds another history there drops it with the
    // log start it takes from its leader.
    const at = r.firstDifference(p.committed, p.committedEnd, p.deletedEnd);
    if (at === null) return;
    this.once.report_(`${p.key}:${r.broker}:${p.partitionEpoch}:${at}`, {
      step,
      message: `${r.broker} is in the ISR of ${p.key} (partition epoch ${p.partitionEpoch}) but lacks committed records from offset ${at} (committed up to ${p.committedEnd})`,
      nodes: [r.broker],
      values: { partition: p.key, isr: [...p.isr], firstMissing: at, committed: p.committedEnd },
    });
  }
}

export class PartitionLeaderCompleteness implements PartitionHooks {
  private readonly once: Once;
  /** Per partition and leader epoch, the highest high watermark reported in it. */
  private readonly committedInEpoch = new Map<string, Map<number, number>>();
  constructor(report: Report) {
    this.once = new Once(report);
  }

  highWatermark(p: GhostPartition, _r: GhostPartitionReplica, _step: number, e: NodeEvents['partition-hw']): void {
    let byEpoch = this.committedInEpoch.get(p.key);
    if (byEpoch === undefined) this.committedInEpoch.set(p.key, (byEpoch = new Map()));
    if (e.highWatermark > (byEpoch.get(e.leaderEpoch) ?? 0)) byEpoch.set(e.leaderEpoch, e.highWatermark);
  }

  /**
   * A leader of epoch e must hold what was committed in epochs below e. What later epochs
   * committed is not its to hold: a broker replaying the metadata log late can act on a leadership
   * the controller has since replaced, and the next epoch fences it.
   */
  role(p: GhostPartition, r: GhostPartitionReplica, step: number, e: NodeEvents['partition-role']): void {
    if (e.role !== 'leader') return;
    let end = 0;
    for (const [epoch, hw] of this.committedInEpoch.get(p.key) ?? []) if (epoch < e.leaderEpoch && hw > end) end = hw;
    end = Math.min(end, p.committedEnd);
    const at = r.firstDifference(p.committed, end);
    if (at === null) return;
    this.once.report_(`${p.key}:${e.leaderEpoch}`, {
      step,
      message: `${r.broker} became leader of ${p.key} (epoch ${e.leaderEpoch}) without the records committed in earlier epochs, from offset ${at} (committed up to ${end})`,
      nodes: [r.broker],
      values: { partition: p.key, leaderEpoch: e.leaderEpoch, firstMissing: at, committed: end },
    });
  }
}

export const HW_MIN_ISR: CheckerInfo = {
  name: 'hw-min-isr',
  statement: "A leader's high watermark passes only records that at least min.insync.replicas replicas hold.",
  source: 'KIP-966 (the high watermark does not advance while the ISR is below min.insync.replicas); Kafka docs, min.insync.replicas with acks=all',
};

/**
 * Checked when a leader moves its high watermark forward: the batch just below it must be on at
 * least min.insync.replicas replicas (the same batch: offsets, epoch and content). Holding that
 * batch stands for holding the prefix, which replica-log-matching checks on its own.
 */
export class HwMinIsr implements PartitionHooks {
  private readonly once: Once;
  /** The last high watermark each leader reported, per partition, broker and leader epoch. */
  private readonly last = new Map<string, number>();
  constructor(
    private readonly minInsyncReplicas: (topic: string) => number,
    report: Report,
  ) {
    this.once = new Once(report);
  }

  highWatermark(p: GhostPartition, r: GhostPartitionReplica, step: number, e: NodeEvents['partition-hw']): void {
    if (e.role !== 'leader' || e.highWatermark === 0) return;
    const key = `${p.key}:${r.broker}:${e.leaderEpoch}`;
    const before = this.last.get(key) ?? 0;
    this.last.set(key, e.highWatermark);
    if (e.highWatermark <= before) return;
    const needed = this.minInsyncReplicas(p.topic);
    if (needed <= 1) return;
    const batch = batchAt(r.batches, e.highWatermark - 1);
    if (batch === undefined) return; // past the leader's own log: hw-le-leo reports that
    const holders = [...p.replicas.values()].filter((q) => {
      // A replica whose log start passed the batch held it and deleted it on purpose (retention, DeleteRecords).
      if (q.start > batch[1]) return true;
      const theirs = batchAt(q.batches, batch[0]);
      return theirs !== undefined && theirs[0] === batch[0] && theirs[1] === batch[1] && theirs[2] === batch[2] && theirs[3] === batch[3];
    });
    if (holders.length >= needed) return;
    this.once.report_(`${p.key}:${e.leaderEpoch}`, {
      step,
      message: `leader ${r.broker} of ${p.key} (epoch ${e.leaderEpoch}) moved its high watermark to ${e.highWatermark}, but offset ${e.highWatermark - 1} is on ${holders.length} replica(s) (${holders.map((q) => q.broker).join(', ')}), fewer than min.insync.replicas ${needed}`,
      nodes: [r.broker],
      values: { partition: p.key, hw: e.highWatermark, holders: holders.map((q) => q.broker), minInsyncReplicas: needed },
    });
  }
}
