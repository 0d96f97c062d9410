// at-least-once: a consumer group whose members commit what poll() returned (commit after
// process) processes every acknowledged record of its topics at least once: a member that takes
// over a partition starts at the committed offset, never past a record no member processed. Records
// before where the group first started a partition (auto.offset.reset, no offset committed yet) are
// not the group's to read, nor are records deleted (retention, DeleteRecords) once committed. Also counts re-deliveries, as Jepsen counts duplicates: records a member
// of the group got again after the group had processed them once (allowed by at-least-once).

import type { NodeId } from '../../core/env.ts';
import type { CheckerInfo, Report } from '../violation.ts';
import { CommitFacts } from './commit-facts.ts';
import { CompactionFacts } from './compaction-facts.ts';
import { type HistoryChecker } from './history-checker.ts';
import { partitionKey } from './group-values.ts';
import { quote, type ReadOp } from './op-values.ts';
import { PartitionMap } from './partition-map.ts';
import type { Sightings } from './sightings.ts';

export const AT_LEAST_ONCE: CheckerInfo = {
  name: 'at-least-once',
  statement:
    'A consumer group that commits after processing processes every acknowledged record of its topics at least once (from where it first started each partition, and unless retention or DeleteRecords deleted it once committed), whatever members crash, leave or rebalance.',
  source: "Kafka docs (delivery semantics: at-least-once with commit after processing); Jepsen's Kafka workload (consumer groups, unseen records)",
};

/** Per group: its members and topics, where it first started each partition, and what it processed. */
interface GroupRecord {
  members: Set<NodeId>;
  topics: Set<string>;
  /** Per partition, the offset the group's first start reset to (no committed offset yet); absent when it started from a commit. */
  firstStart: Map<string, number | null>;
  /** Offsets processed, per partition. */
  processed: PartitionMap<Set<number>>;
  records: number;
  redelivered: number;
}

/** What a run's groups did: records processed, and how many of those deliveries were repeats. */
export interface GroupDeliveries {
  processed: number;
  redelivered: number;
}

export class AtLeastOnce implements HistoryChecker {
  readonly info = AT_LEAST_ONCE;
  private readonly groups = new Map<string, GroupRecord>();
  private readonly groupOf = new Map<NodeId, string>();
  /** The sightings of acknowledged writes, in history order (only `finish` reads them, so a run without groups keeps a number per write). */
  private readonly ackIds: number[] = [];
  /** Members that acquired a partition and have not yet started it: `process/topic/partition`. */
  private readonly starting = new Set<string>();
  private finished = false;

  /**
   * Records deleted once committed (retention, DeleteRecords: `facts`) are not the group's to read.
   * On a compacted topic a record that a later write of its key superseded, or a tombstone, may be
   * gone before the group reads it (compaction keeps each key's last value; tombstone-visible
   * judges tombstones): such records are not the group's to process either.
   */
  constructor(
    private readonly report: Report,
    private readonly sightings: Sightings,
    private readonly facts: CommitFacts = new CommitFacts(),
    private readonly compaction?: CompactionFacts,
  ) {}

  observe({ op, group, ack, records, firstSighting }: ReadOp): void {
    if (ack !== null) {
      this.ackIds.push(firstSighting);
      return;
    }
    if (group !== null) {
      if (group.kind === 'subscribe') {
        const g = this.group(group.group);
        g.members.add(op.process);
        for (const t of group.topics) g.topics.add(t);
        this.groupOf.set(op.process, group.group);
      } else if (group.kind === 'assignment') {
        for (const [topic, partition] of group.partitions) this.starting.add(`${op.process}\u0000${partitionKey(topic, partition)}`);
      }
      return;
    }
    const name = this.groupOf.get(op.process);
    if (name === undefined) return;
    const g = this.groups.get(name)!;
    if (op.op === 'seek' && op.type === 'ok') return this.started(op.process, g, op.value);
    if (records === null) return;
    for (const [topic, partition, offset] of records) {
      const seen = g.processed.getOrCreate(topic, partition, () => new Set());
      if (seen.has(offset)) g.redelivered++;
      else seen.add(offset);
      g.records++;
    }
  }

  /** Per group, what it processed (for the run's figures). */
  deliveries(): Record<string, GroupDeliveries> {
    const out: Record<string, GroupDeliveries> = {};
    for (const [name, g] of [...this.groups].sort(([a], [b]) => a.localeCompare(b))) out[name] = { processed: g.records, redelivered: g.redelivered };
    return out;
  }

  finish(finalRead: boolean): void {
    if (!finalRead || this.finished) return;
    this.finished = true;
    if (this.groups.size === 0) return;
    // Per partition, offset -> the sighting of the last write acknowledged there.
    const s = this.sightings;
    const byPartition = new PartitionMap<Map<number, number>>();
    for (const id of this.ackIds) byPartition.getOrCreate(s.topic(id), s.partition(id), () => new Map()).set(s.offset(id), id);
    for (const [name, g] of this.groups) {
      for (const topic of g.topics) {
        for (const [partition, acked] of byPartition.entries(topic)) {
          const start = g.firstStart.get(partitionKey(topic, partition)) ?? 0;
          const seen = g.processed.get(topic, partition);
          const missed = [...acked]
            .filter(
              ([offset, write]) =>
                offset >= start &&
                !(seen?.has(offset) ?? false) &&
                !this.facts.deleted(topic, partition, offset) &&
                !this.compactedAway(topic, partition, offset, write),
            )
            .map(([offset]) => offset)
            .sort((a, b) => a - b);
          if (missed.length > 0) this.missed(name, g, topic, partition, missed, acked);
        }
      }
    }
  }

  private compactedAway(topic: string, partition: number, offset: number, id: number): boolean {
    const c = this.compaction;
    return c !== undefined && c.compacted(topic) && (this.sightings.value(id) === null || c.superseded(topic, partition, offset, this.sightings.key(id)));
  }

  /** A member's first position in a partition it acquired: the group's first start of it, if the group had none. */
  private started(process: NodeId, g: GroupRecord, value: unknown): void {
    const v = value as { topic?: unknown; partition?: unknown; offset?: unknown; reason?: unknown } | null;
    if (v === null || typeof v !== 'object' || typeof v.topic !== 'string' || typeof v.partition !== 'number' || typeof v.offset !== 'number') return;
    const key = partitionKey(v.topic, v.partition);
    if (!this.starting.delete(`${process}\u0000${key}`) || g.firstStart.has(key)) return;
    g.firstStart.set(key, v.reason === 'auto.offset.reset' ? v.offset : null);
  }

  private missed(name: string, g: GroupRecord, topic: string, partition: number, missed: number[], acked: Map<number, number>): void {
    const id = acked.get(missed[0]!)!;
    const value = this.sightings.value(id);
    const producer = this.sightings.process(id);
    const step = this.sightings.step(id);
    const more = missed.length > 1 ? ` and ${missed.length - 1} more (offsets ${missed.slice(0, 5).join(', ')}${missed.length > 5 ? ', ...' : ''})` : '';
    this.report({
      step,
      message: `group ${name} (${[...g.members].join(', ')}) never processed ${quote(value)} at ${topic}/${partition} offset ${missed[0]}, acknowledged to ${producer} at step ${step}${more}`,
      nodes: [producer, ...g.members],
      values: { group: name, topic, partition, offset: missed[0], value, producer, missed: missed.length, offsets: missed.slice(0, 20) },
    });
  }

  private group(name: string): GroupRecord {
    let g = this.groups.get(name);
    if (g === undefined) {
      g = { members: new Set(), topics: new Set(), firstStart: new Map(), processed: new PartitionMap(), records: 0, redelivered: 0 };
      this.groups.set(name, g);
    }
    return g;
  }
}
