// duplicate: a value at more than one offset (Jepsen's Kafka workload). Producers write every value
// once, so a second offset means the log holds the record twice (e.g. a retried produce that the
// broker appended again: what idempotence, KIP-98, exists to prevent) or a client misread it.
// A producer without idempotence (enable.idempotence=false, or acks other than all) may append a
// retried batch twice by design, so its values are not judged: the scenario names such producers.

import type { CheckerInfo, Report } from '../violation.ts';
import { involved, type HistoryChecker } from './history-checker.ts';
import { quote, sightingFacts, sightingText, tp, type ReadOp } from './op-values.ts';
import type { Sightings } from './sightings.ts';
import type { HistoryOp } from './types.ts';

export const DUPLICATE: CheckerInfo = {
  name: 'duplicate',
  statement: 'Each value written is acknowledged and returned at one offset of one partition only.',
  source: "Jepsen's Kafka workload (duplicate); KIP-98 (idempotent producer: no duplicates from retries)",
};

/** What a value's entry turns into once reported. */
const REPORTED = -1;

export class Duplicate implements HistoryChecker {
  readonly info = DUPLICATE;
  /** Per value id, the sighting id where the value was first seen; REPORTED once reported. */
  private readonly first: number[] = [];

  constructor(
    private readonly report: Report,
    private readonly sightings: Sightings,
    /** Producers whose retries may append a value twice (no idempotence); values are `<producer>-<n>`. */
    private readonly nonIdempotentProducers: ReadonlySet<string> = new Set(),
  ) {}

  observe(read: ReadOp): void {
    const s = this.sightings;
    for (let id = read.firstSighting, end = id + read.sightingCount; id < end; id++) {
      // Null values (tombstones) are not the producers' unique values.
      if (s.valueId(id) >= 0) this.seen(read.op, id);
    }
  }

  finish(): void {}

  private seen(op: HistoryOp, id: number): void {
    const s = this.sightings;
    const valueId = s.valueId(id);
    const first = this.first[valueId];
    if (first === undefined) this.first[valueId] = id;
    else if (
      first !== REPORTED &&
      !this.mayRepeat(s.value(id)) &&
      (s.offset(first) !== s.offset(id) || s.partition(first) !== s.partition(id) || s.topic(first) !== s.topic(id))
    ) {
      this.first[valueId] = REPORTED;
      const value = s.value(id);
      const a = s.get(first);
      const b = s.get(id);
      this.report({
        step: op.step,
        message: `${quote(value)} is at ${tp(a.topic, a.partition)} offset ${a.offset} (${sightingText(a)}) and at ${tp(b.topic, b.partition)} offset ${b.offset} (${sightingText(b)})`,
        nodes: involved(a.process, b.process),
        values: { value, first: sightingFacts(a), second: sightingFacts(b) },
      });
    }
  }

  private mayRepeat(value: unknown): boolean {
    if (this.nonIdempotentProducers.size === 0 || typeof value !== 'string') return false;
    return this.nonIdempotentProducers.has(value.slice(0, value.lastIndexOf('-')));
  }
}
