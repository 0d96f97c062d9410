// poll-skip: a consumer jumping over offsets of a partition that exist, with no assign or seek of
// it in between (Jepsen's Kafka workload: poll-skip between polls, int-poll-skip inside one). A
// skip is judged when some acknowledgement or poll shows a record at a skipped offset, which may
// come after the skip: skips without that evidence wait for it.

import type { NodeId } from '../../core/env.ts';
import type { CheckerInfo, Report } from '../violation.ts';
import { involved, type HistoryChecker } from './history-checker.ts';
import { CompactionFacts, NO_COMPACTION } from './compaction-facts.ts';
import { clearPosition, newPosition, type Position } from './nonmonotonic-poll.ts';
import { quote, sightingText, tp, type ReadOp } from './op-values.ts';
import { PartitionMap, PerConsumer } from './partition-map.ts';
import { OffsetIndex, type Sightings } from './sightings.ts';
import { TxnFacts } from './txn-facts.ts';
import { readCommitted } from './txn-reads.ts';
import type { HistoryOp } from './types.ts';

export const POLL_SKIP: CheckerInfo = {
  name: 'poll-skip',
  statement:
    'Without an assign or seek of a partition in between, a consumer gets its offsets contiguously: it never jumps over an offset that some acknowledgement or poll shows to hold a record.',
  source: "Jepsen's Kafka workload (poll-skip, int-poll-skip); Maelstrom kafka workload; Kafka docs, consumer position",
};

/** A jump over offsets [from, to] none of which was known to exist when it happened. */
interface Gap {
  consumer: NodeId;
  step: number;
  from: number;
  to: number;
  /** The consumer reads with isolation.level=read_committed: it jumps over records of transactions that did not commit. */
  readCommitted: boolean;
}

interface Known {
  /** Offsets known to exist, each with the sighting that showed it first (its witness). */
  witness: OffsetIndex;
  gaps: Gap[];
}

/**
 * On a compacted topic a consumer legitimately jumps over records that compaction removed: those a
 * later write of their key superseded before the poll that jumped (compaction keeps each key's last
 * value only), and tombstones (tombstone-visible judges those). Its skips are judged at the end,
 * when every write of each key is known, by the skipped offsets whose records were not of these.
 */
export class PollSkip implements HistoryChecker {
  readonly info = POLL_SKIP;
  private readonly positions = new PerConsumer<Position>(newPosition);
  private readonly known = new PartitionMap<Known>();
  /**
   * Skips proven by some sighting but judged at the end: on compacted topics, and by read_committed
   * consumers over records written in transactions (whose fate only the end tells): [topic,
   * partition, gap, step of the proof].
   */
  private readonly deferred: Array<{ topic: string; partition: number; gap: Gap; step: number }> = [];

  constructor(
    private readonly report: Report,
    private readonly sightings: Sightings,
    private readonly compaction: CompactionFacts = new CompactionFacts(NO_COMPACTION, sightings),
    private readonly txns: TxnFacts = new TxnFacts(),
  ) {}

  observe(read: ReadOp): void {
    const { op, reset, ack, records, firstSighting } = read;
    if (reset !== null) return this.positions.reset(op.process, reset, clearPosition);
    if (ack !== null) {
      this.exists(op, ack.topic, ack.partition, ack.offset, firstSighting);
      return;
    }
    if (records === null) return;
    for (let i = 0; i < records.length; i++) {
      const [topic, partition, offset] = records[i]!;
      const known = this.exists(op, topic, partition, offset, firstSighting + i);
      const p = this.positions.get(op.process, topic, partition);
      if (p.last !== undefined && offset > p.last + 1) {
        const gap: Gap = { consumer: op.process, step: op.step, from: p.last + 1, to: offset - 1, readCommitted: readCommitted(read) };
        const skipped = known.witness.firstIn(gap.from, gap.to);
        if (skipped >= 0) this.skipped(op.step, topic, partition, gap, skipped, known.witness.get(skipped));
        else known.gaps.push(gap);
      }
      p.last = offset;
      p.lastStep = op.step;
    }
  }

  /** Skips whose offsets never turned out to exist are not violations: nothing is left to judge. */
  finish(): void {
    for (const { topic, partition, gap, step } of this.deferred.splice(0)) {
      const witness = this.known.get(topic, partition)!.witness;
      const compacted = this.compaction.compacted(topic);
      for (let o = witness.firstIn(gap.from, gap.to); o >= 0; o = witness.firstIn(o + 1, gap.to)) {
        const id = witness.get(o);
        const s = this.sightings;
        if (compacted && (s.value(id) === null || this.compaction.superseded(topic, partition, o, s.key(id), gap.step))) continue;
        if (gap.readCommitted && this.uncommitted(s.value(id))) continue;
        this.reportSkip(step, topic, partition, gap, o, id);
        break;
      }
    }
  }

  /** A value written in a transaction that did not certainly commit: read_committed consumers may pass over its record. */
  private uncommitted(value: string | null): boolean {
    const txn = this.txns.txnOfValue(value);
    return txn !== undefined && txn.fate !== 'committed';
  }

  /** Records that (topic, partition, offset) holds a record, shown by sighting `id`; reports waiting skips it proves. */
  private exists(op: HistoryOp, topic: string, partition: number, offset: number, id: number): Known {
    const known = this.known.getOrCreate(topic, partition, () => ({ witness: new OffsetIndex(), gaps: [] }));
    if (known.witness.get(offset) >= 0) return known;
    known.witness.set(offset, id);
    if (known.gaps.length > 0) {
      const left: Gap[] = [];
      for (const g of known.gaps) {
        if (g.from <= offset && offset <= g.to) this.skipped(op.step, topic, partition, g, offset, id);
        else left.push(g);
      }
      known.gaps = left;
    }
    return known;
  }

  /** The skip `g` is proven at `step` by the sighting `witness` of a record at `offset`: reported now, or at the end on a compacted topic. */
  private skipped(step: number, topic: string, partition: number, g: Gap, offset: number, witness: number): void {
    if (this.compaction.compacted(topic) || (g.readCommitted && this.txns.txnOfValue(this.sightings.value(witness)) !== undefined))
      this.deferred.push({ topic, partition, gap: g, step });
    else this.reportSkip(step, topic, partition, g, offset, witness);
  }

  private reportSkip(step: number, topic: string, partition: number, g: Gap, offset: number, witness: number): void {
    const w = this.sightings.get(witness);
    const value = this.sightings.value(witness);
    const later = step !== g.step;
    const range = g.from === g.to ? `offset ${g.from}` : `offsets ${g.from}..${g.to}`;
    this.report({
      step,
      message: `${g.consumer} jumped from ${tp(topic, partition)} offset ${g.from - 1} to offset ${g.to + 1}${later ? ` in the poll at step ${g.step}` : ''}, skipping ${range}; offset ${offset} holds ${quote(value)} (${sightingText(w)})`,
      nodes: involved(g.consumer, w.process),
      values: { topic, partition, from: g.from - 1, to: g.to + 1, skipped: offset, value, skipStep: g.step, witness: w.process, witnessStep: w.step },
    });
  }
}
