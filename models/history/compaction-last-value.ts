// compaction-last-value: on a compacted topic, each key's last write survives compaction at its
// original offset (Kafka's log compaction guarantee, design.html §4.8: a reader from the start
// sees at least the final value of every key). Judged at the end of the history, when each key's
// last write is known, against every read that passed its offset: the final read from the log
// start included.

import type { CheckerInfo, Report } from '../violation.ts';
import type { CompactionFacts } from './compaction-facts.ts';
import { involved, type HistoryChecker } from './history-checker.ts';
import { quote, tp, type ReadOp } from './op-values.ts';
import type { ReadStretches, Stretch } from './read-stretches.ts';
import type { Sightings } from './sightings.ts';

export const COMPACTION_LAST_VALUE: CheckerInfo = {
  name: 'compaction-last-value',
  statement:
    "On a compacted topic, every read of a partition that passes the offset of a key's last acknowledged write returns that value there, at its original offset (a key whose last write is a tombstone is tombstone-visible's).",
  source:
    'Kafka docs, design.html §4.8 log compaction guarantees (the final value of every key; offsets never change); LogCompactionTester (system test log_compaction_test.py)',
};

export class CompactionLastValue implements HistoryChecker {
  readonly info = COMPACTION_LAST_VALUE;
  private lastStep = -1;
  private finished = false;

  constructor(
    private readonly report: Report,
    private readonly sightings: Sightings,
    private readonly facts: CompactionFacts,
    private readonly stretches: ReadStretches,
  ) {}

  observe({ op }: ReadOp): void {
    this.lastStep = op.step;
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    const s = this.sightings;
    const byPartition = new Map<string, Stretch[]>();
    for (const st of this.stretches.all) {
      const k = tp(st.topic, st.partition);
      const list = byPartition.get(k);
      if (list === undefined) byPartition.set(k, [st]);
      else list.push(st);
    }
    for (const [topic, partition] of this.facts.partitions()) {
      const stretches = (byPartition.get(tp(topic, partition)) ?? []).map((st) => ({ st, read: readOf(s, st) }));
      for (const [key, writes] of this.facts.keysOf(topic, partition)) {
        let lastOffset = -1;
        for (const [o, w] of writes) if (o > lastOffset && this.facts.written(o, w)) lastOffset = o;
        if (lastOffset < 0) continue;
        const ack = writes.get(lastOffset)!.ack;
        // Judged only when the key's last write is an acknowledged value.
        if (ack < 0 || s.value(ack) === null) continue;
        const value = s.value(ack)!;
        const missed = stretches.filter(({ st, read }) => st.start <= lastOffset && read.max > lastOffset && !holds(s, read.at.get(lastOffset), key, value));
        if (missed.length === 0) continue;
        const { st, read } = missed[0]!;
        const got = read.at.get(lastOffset);
        const instead = got === undefined ? 'nothing' : `${quote(s.value(got))} of key ${quote(s.key(got))}`;
        const elsewhere = [...read.at].find(([, id]) => s.value(id) === value)?.[0];
        const more = missed.length > 1 ? `; ${missed.length - 1} more read${missed.length > 2 ? 's' : ''} missed it too` : '';
        const producer = s.process(ack);
        this.report({
          step: this.lastStep,
          message: `the last acknowledged write of key ${quote(key)} to ${tp(topic, partition)}, ${quote(value)} at offset ${lastOffset} (acknowledged to ${producer} at step ${s.step(ack)}), is not in ${st.consumer}'s read from offset ${st.start}, which got ${instead} there and went on to offset ${read.max}${elsewhere === undefined ? '' : ` (it got ${quote(value)} at offset ${elsewhere})`}${more}`,
          nodes: involved(producer, ...missed.map((m) => m.st.consumer)),
          values: {
            topic,
            partition,
            key,
            value,
            offset: lastOffset,
            producer,
            ackStep: s.step(ack),
            consumer: st.consumer,
            readFrom: st.start,
            readTo: read.max,
            got: got === undefined ? null : s.value(got),
            movedTo: elsewhere ?? null,
            reads: missed.length,
          },
        });
      }
    }
  }
}

/** A stretch's records by offset (the first one got at each) and its highest offset. */
function readOf(s: Sightings, st: Stretch): { at: Map<number, number>; max: number } {
  const at = new Map<number, number>();
  let max = -1;
  for (const id of st.ids) {
    const offset = s.offset(id);
    if (!at.has(offset)) at.set(offset, id);
    if (offset > max) max = offset;
  }
  return { at, max };
}

function holds(s: Sightings, id: number | undefined, key: string, value: string): boolean {
  return id !== undefined && s.key(id) === key && s.value(id) === value;
}
