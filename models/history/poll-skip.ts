// poll-skip: a consumer jumping over offsets of a partition that exist, with no assign or seek of
// it in between (Jepsen's Kafka workload: poll-skip between polls, int-poll-skip inside one). A
// skip is judged when some acknowledgement or poll shows a record at a skipped offset, which may
// come after the skip: skips without that evidence wait for it.

import type { NodeId } from '../../core/env.ts';
import type { CheckerInfo, Report } from '../violation.ts';
import { involved, type HistoryChecker } from './history-checker.ts';
import { clearPosition, newPosition, type Position } from './nonmonotonic-poll.ts';
import { quote, tp, type ReadOp } from './op-values.ts';
import { PartitionMap, PerConsumer } from './partition-map.ts';
import type { HistoryOp } from './types.ts';

export const POLL_SKIP: CheckerInfo = {
  name: 'poll-skip',
  statement:
    'Without an assign or seek of a partition in between, a consumer gets its offsets contiguously: it never jumps over an offset that some acknowledgement or poll shows to hold a record.',
  source: "Jepsen's Kafka workload (poll-skip, int-poll-skip); Maelstrom kafka workload; Kafka docs, consumer position",
};

/** A record known to exist, and who showed it. */
interface Witness {
  value: string | null;
  process: NodeId;
  step: number;
  how: 'ack' | 'poll';
}

/** A jump over offsets [from, to] none of which was known to exist when it happened. */
interface Gap {
  consumer: NodeId;
  step: number;
  from: number;
  to: number;
}

interface Known {
  /** Offsets known to exist, ascending (they mostly arrive in order, so inserts land at the end). */
  sorted: number[];
  witness: Map<number, Witness>;
  gaps: Gap[];
}

export class PollSkip implements HistoryChecker {
  readonly info = POLL_SKIP;
  private readonly positions = new PerConsumer<Position>(newPosition);
  private readonly known = new PartitionMap<Known>();

  constructor(private readonly report: Report) {}

  observe({ op, reset, ack, records }: ReadOp): void {
    if (reset !== null) return this.positions.reset(op.process, reset, clearPosition);
    if (ack !== null) {
      this.exists(op, ack.topic, ack.partition, ack.offset, ack.value, 'ack');
      return;
    }
    if (records === null) return;
    for (const [topic, partition, offset, , value] of records) {
      const known = this.exists(op, topic, partition, offset, value, 'poll');
      const p = this.positions.get(op.process, topic, partition);
      if (p.last !== undefined && offset > p.last + 1) {
        const gap: Gap = { consumer: op.process, step: op.step, from: p.last + 1, to: offset - 1 };
        const i = lowerBound(known.sorted, gap.from);
        if (i < known.sorted.length && known.sorted[i]! <= gap.to) this.skipped(op, topic, partition, gap, known.sorted[i]!, known.witness.get(known.sorted[i]!)!);
        else known.gaps.push(gap);
      }
      p.last = offset;
      p.lastStep = op.step;
    }
  }

  /** Skips whose offsets never turned out to exist are not violations: nothing is left to judge. */
  finish(): void {}

  /** Records that (topic, partition, offset) holds a record; reports waiting skips it proves. */
  private exists(op: HistoryOp, topic: string, partition: number, offset: number, value: string | null, how: Witness['how']): Known {
    const known = this.known.getOrCreate(topic, partition, () => ({ sorted: [], witness: new Map(), gaps: [] }));
    if (known.witness.has(offset)) return known;
    const w: Witness = { value, process: op.process, step: op.step, how };
    known.witness.set(offset, w);
    const s = known.sorted;
    if (s.length === 0 || s[s.length - 1]! < offset) s.push(offset);
    else s.splice(lowerBound(s, offset), 0, offset);
    if (known.gaps.length > 0) {
      const left: Gap[] = [];
      for (const g of known.gaps) {
        if (g.from <= offset && offset <= g.to) this.skipped(op, topic, partition, g, offset, w);
        else left.push(g);
      }
      known.gaps = left;
    }
    return known;
  }

  private skipped(op: HistoryOp, topic: string, partition: number, g: Gap, offset: number, w: Witness): void {
    const later = op.step !== g.step;
    const range = g.from === g.to ? `offset ${g.from}` : `offsets ${g.from}..${g.to}`;
    this.report({
      step: op.step,
      message: `${g.consumer} jumped from ${tp(topic, partition)} offset ${g.from - 1} to offset ${g.to + 1}${later ? ` in the poll at step ${g.step}` : ''}, skipping ${range}; offset ${offset} holds ${quote(w.value)} (${w.how === 'ack' ? 'acknowledged to' : 'returned to'} ${w.process} at step ${w.step})`,
      nodes: involved(g.consumer, w.process),
      values: { topic, partition, from: g.from - 1, to: g.to + 1, skipped: offset, value: w.value, skipStep: g.step, witness: w.process, witnessStep: w.step },
    });
  }
}

/** First index whose element is >= x. */
function lowerBound(a: number[], x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
