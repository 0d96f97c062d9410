// dirty-read: a consumer read a record that was not committed. Kafka serves consumers (isolation
// read_uncommitted too) only the records below the leader's high watermark, so every record a
// consumer gets is in the committed log, at that offset, for ever. A record read above the high
// watermark can vanish with its leader, and the producer's retries may later fill the same offsets
// again, with other values or with the very same ones: only the high watermark at the time of the
// read tells the second case from a correct run.

import type { CheckerInfo, Report } from '../violation.ts';
import type { CommitFacts } from './commit-facts.ts';
import { involved, type HistoryChecker } from './history-checker.ts';
import { quote, sightingFacts, tp, type ReadOp } from './op-values.ts';
import { PartitionMap } from './partition-map.ts';
import { OffsetIndex, type Sightings } from './sightings.ts';

export const DIRTY_READ: CheckerInfo = {
  name: 'dirty-read',
  statement:
    'Every record a consumer polled was committed when it was served: no poll returns an offset at or above every high watermark reported by then, and no two polls return different records at one offset of the committed log.',
  source:
    "Kafka docs (consumers see only records below the high watermark, the committed ones); Redpanda PR #14794 (leader_ack batches made visible before majority replication); Jepsen's Kafka workload",
};

/**
 * Two parts. (b) When a poll returns a record, the highest high watermark any replica reported by
 * then bounds what any leader could have served a consumer: a record at or above it was read
 * uncommitted (the fetch response came before the poll, and high watermarks are reported when
 * they move). (a) The committed log holds one record per offset: two polls that return different
 * values at one offset mean one of them read a record that was never committed there, unless the
 * partition lost committed records from that offset on (an unclean election, a power loss without
 * fsync: other checkers report that loss). Values are unique per send, so a value names its record
 * (key included). Without the replicas' events (a black-box history) only (a) is judged.
 */
export class DirtyRead implements HistoryChecker {
  readonly info = DIRTY_READ;
  /** Per partition, each offset's last poll sighting that was not reported as uncommitted. */
  private readonly read = new PartitionMap<OffsetIndex>();
  /** Sightings already reported against in (a) (one report per pair's earlier read). */
  private readonly reported = new Set<number>();

  constructor(
    private readonly report: Report,
    private readonly sightings: Sightings,
    private readonly facts: CommitFacts,
  ) {}

  observe({ op, records, firstSighting }: ReadOp): void {
    if (records === null || records.length === 0) return;
    // (b), once per partition of the poll: its records at or above the high watermark. A poll's
    // records come partition by partition, so each run of one partition looks its facts up once.
    let dirty: Map<string, { topic: string; partition: number; first: number; last: number; count: number; value: string | null }> | null = null;
    let runTopic: string | null = null;
    let runPartition = -1;
    let frontier = 0;
    let held: OffsetIndex | null = null;
    for (let i = 0; i < records.length; i++) {
      const [topic, partition, offset, , value] = records[i]!;
      if (topic !== runTopic || partition !== runPartition) {
        runTopic = topic;
        runPartition = partition;
        frontier = this.facts.known ? this.facts.frontier(topic, partition) : Infinity;
        held = null;
      }
      if (offset >= frontier) {
        dirty ??= new Map();
        const key = tp(topic, partition);
        const d = dirty.get(key);
        if (d === undefined) dirty.set(key, { topic, partition, first: offset, last: offset, count: 1, value });
        else {
          d.count++;
          if (offset < d.first) d.first = offset;
          if (offset > d.last) d.last = offset;
        }
        continue;
      }
      held ??= this.read.getOrCreate(topic, partition, () => new OffsetIndex());
      this.polled(op.step, firstSighting + i, held, topic, partition, offset);
    }
    if (dirty === null) return;
    for (const d of dirty.values()) {
      const hw = this.facts.frontier(d.topic, d.partition);
      const range = d.first === d.last ? `offset ${d.first}` : `offsets ${d.first}..${d.last}`;
      this.report({
        step: op.step,
        message: `${op.process}'s poll (step ${op.step}) returned ${tp(d.topic, d.partition)} ${range} (${d.count} record${d.count === 1 ? '' : 's'}, first ${quote(d.value)}), at or above the partition's high watermark: no replica had reported one above ${hw}, so no leader had committed ${d.count === 1 ? 'it' : 'them'}`,
        nodes: [op.process],
        values: {
          topic: d.topic,
          partition: d.partition,
          consumer: op.process,
          pollStep: op.step,
          firstOffset: d.first,
          lastOffset: d.last,
          records: d.count,
          highWatermark: hw,
          value: d.value,
        },
      });
    }
  }

  finish(): void {}

  /** (a): the poll sighting `id` (of `topic`/`partition` at `offset`, read below the high watermark) against the last one there. */
  private polled(step: number, id: number, held: OffsetIndex, topic: string, partition: number, offset: number): void {
    const s = this.sightings;
    const before = held.get(offset);
    held.set(offset, id);
    if (before < 0 || s.value(before) === s.value(id) || this.reported.has(before)) return;
    if (this.facts.lostAt(topic, partition, offset)) return;
    this.reported.add(before);
    const a = s.get(before);
    const b = s.get(id);
    this.report({
      step,
      message: `${tp(topic, partition)} offset ${offset} was returned as ${quote(s.value(before))} to ${a.process} (step ${a.step}) and as ${quote(s.value(id))} to ${b.process} (step ${b.step})${this.facts.known ? ', and no leader lost committed records there' : ''}: one of these polls read a record that was never committed`,
      nodes: involved(a.process, b.process),
      values: { topic, partition, offset, values: [s.value(before), s.value(id)], first: sightingFacts(a), second: sightingFacts(b) },
    });
  }
}
