// inconsistent-offset: one offset of a partition holding two different values (Jepsen's Kafka
// workload, inconsistent-offsets). An offset names one record for ever; two values there mean the
// log diverged, e.g. an acknowledged record truncated and the offset reused after a failover.

import type { CheckerInfo, Report } from '../violation.ts';
import { involved, type HistoryChecker } from './history-checker.ts';
import { forEachSighting, quote, sightingFacts, sightingText, tp, type ReadOp, type Sighting } from './op-values.ts';
import { PartitionMap } from './partition-map.ts';
import type { HistoryOp } from './types.ts';

export const INCONSISTENT_OFFSET: CheckerInfo = {
  name: 'inconsistent-offset',
  statement: 'Each offset of a partition holds one value: every acknowledgement and every poll that names it agree.',
  source: "Jepsen's Kafka workload (inconsistent-offsets; Redpanda 21.10.1); Kafka docs, the offset uniquely identifies a record in a partition",
};

interface Held {
  value: string | null;
  at: Sighting;
  reported: boolean;
}

export class InconsistentOffset implements HistoryChecker {
  readonly info = INCONSISTENT_OFFSET;
  private readonly offsets = new PartitionMap<Map<number, Held>>();

  constructor(private readonly report: Report) {}

  observe(read: ReadOp): void {
    forEachSighting(read, (value, at) => this.seen(read.op, value, at));
  }

  finish(): void {}

  private seen(op: HistoryOp, value: string | null, here: Sighting): void {
    const held = this.offsets.getOrCreate(here.topic, here.partition, () => new Map());
    const h = held.get(here.offset);
    if (h === undefined) held.set(here.offset, { value, at: here, reported: false });
    else if (h.value !== value && !h.reported) {
      h.reported = true;
      this.report({
        step: op.step,
        message: `${tp(here.topic, here.partition)} offset ${here.offset} holds ${quote(h.value)} (${sightingText(h.at)}) and ${quote(value)} (${sightingText(here)})`,
        nodes: involved(h.at.process, here.process),
        values: { topic: here.topic, partition: here.partition, offset: here.offset, values: [h.value, value], first: sightingFacts(h.at), second: sightingFacts(here) },
      });
    }
  }
}
