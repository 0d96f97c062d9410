// offsets-stable: on a compacted topic, an offset always holds the same record (Kafka's log
// compaction guarantee, design.html §4.8: "the offset for a message never changes"; compaction
// may remove the record at an offset, never put another there). Every poll that returns an offset
// returns the same key and value as the first one that returned it. inconsistent-offset compares
// values on every topic; this compares whole records, so a tombstone (no value) is held to its key.

import type { CheckerInfo, Report } from '../violation.ts';
import type { CompactionFacts } from './compaction-facts.ts';
import { involved, type HistoryChecker } from './history-checker.ts';
import { quote, sightingFacts, sightingText, tp, type ReadOp } from './op-values.ts';
import { PartitionMap } from './partition-map.ts';
import { OffsetIndex, type Sightings } from './sightings.ts';

export const OFFSETS_STABLE: CheckerInfo = {
  name: 'offsets-stable',
  statement:
    'On a compacted topic, every poll that returns an offset of a partition returns the same record there (key and value), whoever reads it and whenever.',
  source: 'Kafka docs, design.html §4.8 log compaction guarantees (the offset for a message never changes)',
};

export class OffsetsStable implements HistoryChecker {
  readonly info = OFFSETS_STABLE;
  /** Per partition, each offset's first poll sighting. */
  private readonly first = new PartitionMap<OffsetIndex>();
  /** First sightings already reported against (one report per offset). */
  private readonly reported = new Set<number>();

  constructor(
    private readonly report: Report,
    private readonly sightings: Sightings,
    private readonly facts: CompactionFacts,
  ) {}

  observe({ op, records, firstSighting }: ReadOp): void {
    if (records === null) return;
    const s = this.sightings;
    for (let id = firstSighting; id < firstSighting + records.length; id++) {
      const topic = s.topic(id);
      if (!this.facts.compacted(topic)) continue;
      const held = this.first.getOrCreate(topic, s.partition(id), () => new OffsetIndex());
      const offset = s.offset(id);
      const first = held.get(offset);
      if (first < 0) held.set(offset, id);
      else if ((s.key(first) !== s.key(id) || s.value(first) !== s.value(id)) && !this.reported.has(first)) {
        this.reported.add(first);
        const a = s.get(first);
        const b = s.get(id);
        const record = (x: number) => `${quote(s.key(x))}=${quote(s.value(x))}`;
        this.report({
          step: op.step,
          message: `${tp(topic, a.partition)} offset ${offset} held ${record(first)} (${sightingText(a)}) and later ${record(id)} (${sightingText(b)})`,
          nodes: involved(a.process, b.process),
          values: {
            topic,
            partition: a.partition,
            offset,
            records: [
              [s.key(first), s.value(first)],
              [s.key(id), s.value(id)],
            ],
            first: sightingFacts(a),
            second: sightingFacts(b),
          },
        });
      }
    }
  }

  finish(): void {}
}
