// compaction-order: on a compacted topic, reads return records in the order they were written
// (Kafka's log compaction guarantee, design.html §4.8: compaction only removes records, ordering
// is never changed). Each value's written place is the offset it was acknowledged at (else where
// it was first seen); a consumer that gets, from one partition with no assign or seek in between,
// a value written before the one it got just before has read a reordered log. That offsets rise
// strictly within such a read is nonmonotonic-poll's, on every topic.

import type { CheckerInfo, Report } from '../violation.ts';
import type { CompactionFacts } from './compaction-facts.ts';
import type { HistoryChecker } from './history-checker.ts';
import { quote, tp, type ReadOp } from './op-values.ts';
import { PerConsumer } from './partition-map.ts';
import type { Sightings } from './sightings.ts';
import type { NodeId } from '../../core/env.ts';

export const COMPACTION_ORDER: CheckerInfo = {
  name: 'compaction-order',
  statement:
    'On a compacted topic, the values a consumer gets from a partition (with no assign or seek in between) come in the order they were written: each was acknowledged at a higher offset than the one before it.',
  source: 'Kafka docs, design.html §4.8 log compaction guarantees (ordering of messages is always maintained; offsets never change)',
};

/** The last value a consumer got from one partition: its sighting and where it was written. */
interface Last {
  id: number;
  written: number;
}

export class CompactionOrder implements HistoryChecker {
  readonly info = COMPACTION_ORDER;
  /** Per value id, the offset it was written at: its acknowledgement's, else its first sighting's. */
  private readonly written: number[] = [];
  private readonly acked: boolean[] = [];
  private readonly last = new PerConsumer<{ value: Last | null }>(() => ({ value: null }));

  constructor(
    private readonly report: Report,
    private readonly sightings: Sightings,
    private readonly facts: CompactionFacts,
  ) {}

  observe({ op, reset, records, firstSighting, sightingCount }: ReadOp): void {
    const s = this.sightings;
    for (let id = firstSighting; id < firstSighting + sightingCount; id++) {
      const v = s.valueId(id);
      if (v < 0 || !this.facts.compacted(s.topic(id))) continue;
      if (this.written[v] === undefined || (s.isAck(id) && this.acked[v] !== true)) {
        this.written[v] = s.offset(id);
        this.acked[v] = s.isAck(id);
      }
    }
    if (reset !== null) return this.last.reset(op.process, reset, (l) => (l.value = null));
    if (records === null) return;
    for (let i = 0; i < records.length; i++) {
      const id = firstSighting + i;
      const v = s.valueId(id);
      if (v < 0 || !this.facts.compacted(s.topic(id))) continue;
      const l = this.last.get(op.process, s.topic(id), s.partition(id));
      const here: Last = { id, written: this.written[v]! };
      if (l.value !== null && here.written < l.value.written) this.reordered(op.process, op.step, l.value, here);
      l.value = here;
    }
  }

  finish(): void {}

  crashed(process: NodeId): void {
    this.last.resetAll(process, (l) => (l.value = null));
  }

  private reordered(consumer: NodeId, step: number, before: Last, after: Last): void {
    const s = this.sightings;
    const topic = s.topic(after.id);
    const partition = s.partition(after.id);
    this.report({
      step,
      message: `${consumer} got ${quote(s.value(after.id))} (written at offset ${after.written}) at ${tp(topic, partition)} offset ${s.offset(after.id)}, after ${quote(s.value(before.id))} (written at offset ${before.written}) at offset ${s.offset(before.id)}: read out of the order they were written`,
      nodes: [consumer],
      values: {
        topic,
        partition,
        consumer,
        value: s.value(after.id),
        offset: s.offset(after.id),
        writtenAt: after.written,
        previous: s.value(before.id),
        previousOffset: s.offset(before.id),
        previousWrittenAt: before.written,
      },
    });
  }
}
