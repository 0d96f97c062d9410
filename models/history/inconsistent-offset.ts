// inconsistent-offset: one offset of a partition holding two different values (Jepsen's Kafka
// workload, inconsistent-offsets). An offset names one record for ever; two values there mean the
// log diverged, e.g. an acknowledged record truncated and the offset reused after a failover.

import type { CheckerInfo, Report } from '../violation.ts';
import { involved, type HistoryChecker } from './history-checker.ts';
import { quote, sightingFacts, sightingText, tp, type ReadOp } from './op-values.ts';
import { PartitionMap } from './partition-map.ts';
import { OffsetIndex, type Sightings } from './sightings.ts';
import type { HistoryOp } from './types.ts';

export const INCONSISTENT_OFFSET: CheckerInfo = {
  name: 'inconsistent-offset',
  statement: 'Each offset of a partition holds one value: every acknowledgement and every poll that names it agree.',
  source: "Jepsen's Kafka workload (inconsistent-offsets; Redpanda 21.10.1); Kafka docs, the offset uniquely identifies a record in a partition",
};

export class InconsistentOffset implements HistoryChecker {
  readonly info = INCONSISTENT_OFFSET;
  /** Per partition, each offset's first sighting. */
  private readonly offsets = new PartitionMap<OffsetIndex>();
  /** First sightings already reported against (one report per offset). */
  private readonly reported = new Set<number>();

  constructor(
    private readonly report: Report,
    private readonly sightings: Sightings,
  ) {}

  observe(read: ReadOp): void {
    for (let id = read.firstSighting, end = id + read.sightingCount; id < end; id++) this.seen(read.op, id);
  }

  finish(): void {}

  private seen(op: HistoryOp, id: number): void {
    const s = this.sightings;
    const offset = s.offset(id);
    const held = this.offsets.getOrCreate(s.topic(id), s.partition(id), () => new OffsetIndex());
    const first = held.get(offset);
    if (first < 0) held.set(offset, id);
    else if (s.value(first) !== s.value(id) && !this.reported.has(first)) {
      this.reported.add(first);
      const a = s.get(first);
      const b = s.get(id);
      this.report({
        step: op.step,
        message: `${tp(b.topic, b.partition)} offset ${offset} holds ${quote(s.value(first))} (${sightingText(a)}) and ${quote(s.value(id))} (${sightingText(b)})`,
        nodes: involved(a.process, b.process),
        values: { topic: b.topic, partition: b.partition, offset, values: [s.value(first), s.value(id)], first: sightingFacts(a), second: sightingFacts(b) },
      });
    }
  }
}
