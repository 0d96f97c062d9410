// duplicate: a value at more than one offset (Jepsen's Kafka workload). Producers write every value
// once, so a second offset means the log holds the record twice (e.g. a retried produce that the
// broker appended again: what idempotence, KIP-98, exists to prevent) or a client misread it.

import type { CheckerInfo, Report } from '../violation.ts';
import { involved, type HistoryChecker } from './history-checker.ts';
import { forEachSighting, quote, sightingFacts, sightingText, tp, type ReadOp, type Sighting } from './op-values.ts';
import type { HistoryOp } from './types.ts';

export const DUPLICATE: CheckerInfo = {
  name: 'duplicate',
  statement: 'Each value written is acknowledged and returned at one offset of one partition only.',
  source: "Jepsen's Kafka workload (duplicate); KIP-98 (idempotent producer: no duplicates from retries)",
};

export class Duplicate implements HistoryChecker {
  readonly info = DUPLICATE;
  /** First place each value was seen; null once reported. */
  private readonly first = new Map<string, Sighting | null>();

  constructor(private readonly report: Report) {}

  observe(read: ReadOp): void {
    forEachSighting(read, (value, at) => {
      // Null values (tombstones) are not the producers' unique values.
      if (value !== null) this.seen(read.op, value, at);
    });
  }

  finish(): void {}

  private seen(op: HistoryOp, value: string, here: Sighting): void {
    const first = this.first.get(value);
    if (first === undefined) this.first.set(value, here);
    else if (first !== null && (first.offset !== here.offset || first.partition !== here.partition || first.topic !== here.topic)) {
      this.first.set(value, null);
      this.report({
        step: op.step,
        message: `${quote(value)} is at ${tp(first.topic, first.partition)} offset ${first.offset} (${sightingText(first)}) and at ${tp(here.topic, here.partition)} offset ${here.offset} (${sightingText(here)})`,
        nodes: involved(first.process, here.process),
        values: { value, first: sightingFacts(first), second: sightingFacts(here) },
      });
    }
  }
}
