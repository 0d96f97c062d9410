// nonmonotonic-poll: a consumer getting an offset of a partition at or below one it already got
// from it, with no assign or seek of that partition in between (Jepsen's Kafka workload:
// nonmonotonic-poll between polls, int-nonmonotonic-poll inside one). Kafka's consumer position
// only moves forward unless the application seeks.

import type { CheckerInfo, Report } from '../violation.ts';
import type { HistoryChecker } from './history-checker.ts';
import { tp, type ReadOp } from './op-values.ts';
import { PerConsumer } from './partition-map.ts';

export const NONMONOTONIC_POLL: CheckerInfo = {
  name: 'nonmonotonic-poll',
  statement:
    'Without an assign or seek of a partition in between, each offset a consumer gets from it (across polls and inside one poll) is greater than the last offset it got from it.',
  source: "Jepsen's Kafka workload (nonmonotonic-poll, int-nonmonotonic-poll); Maelstrom kafka workload; Kafka docs, consumer position",
};

/** A consumer's last offset got from one partition since its last reset. */
export interface Position {
  last: number | undefined;
  /** Step of the poll that returned `last`. */
  lastStep: number;
}

export const newPosition = (): Position => ({ last: undefined, lastStep: -1 });
export const clearPosition = (p: Position): void => {
  p.last = undefined;
};

export class NonmonotonicPoll implements HistoryChecker {
  readonly info = NONMONOTONIC_POLL;
  private readonly positions = new PerConsumer<Position>(newPosition);

  constructor(private readonly report: Report) {}

  observe({ op, reset, records }: ReadOp): void {
    if (reset !== null) return this.positions.reset(op.process, reset, clearPosition);
    if (records === null) return;
    let reported: Set<Position> | undefined;
    for (const [topic, partition, offset] of records) {
      const p = this.positions.get(op.process, topic, partition);
      if (p.last !== undefined && offset <= p.last && !reported?.has(p)) {
        (reported ??= new Set()).add(p);
        const within = p.lastStep === op.step;
        this.report({
          step: op.step,
          message: `${op.process} got ${tp(topic, partition)} offset ${offset} after offset ${p.last} ${within ? 'in the same poll' : `(got in the poll at step ${p.lastStep})`}, with no assign or seek in between`,
          nodes: [op.process],
          values: { topic, partition, offset, previous: p.last, previousStep: p.lastStep, withinPoll: within },
        });
      }
      p.last = offset;
      p.lastStep = op.step;
    }
  }

  finish(): void {}
}
