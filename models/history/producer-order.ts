// producer-order: one producer's writes to one partition land in the order it sent them. Kafka
// guarantees it with enable.idempotence (KIP-98: per-partition sequence numbers; also with up to
// five in-flight requests, KAFKA-5494); without idempotence, retries can reorder, so a scenario
// says whether it expects this to hold. Jepsen calls a violation nonmonotonic-send.

import type { NodeId } from '../../core/env.ts';
import { upperBound } from '../../core/sorted.ts';
import type { CheckerInfo, Report } from '../violation.ts';
import type { HistoryChecker } from './history-checker.ts';
import { quote, tp, type ReadOp } from './op-values.ts';
import { PartitionMap } from './partition-map.ts';
import type { HistoryOp } from './types.ts';

export const PRODUCER_ORDER: CheckerInfo = {
  name: 'producer-order',
  statement: 'If a producer invoked send A before send B and both were acknowledged in the same partition, A landed at a lower offset than B.',
  source: "Kafka docs, producer ordering guarantee (enable.idempotence, KIP-98; KAFKA-5494); Jepsen's Kafka workload (nonmonotonic-send)",
};

/**
 * One producer's acknowledged sends to one partition, sorted by invocation step, as columns (no
 * object per send). Sends that broke the order are reported and left out, so the lane stays sorted
 * by offset as well, and a new send need only be compared with its two neighbours.
 */
class Lane {
  readonly invoked: number[] = [];
  readonly offsets: number[] = [];
  readonly values: Array<string | null> = [];

  insert(i: number, invoked: number, offset: number, value: string | null): void {
    if (i === this.invoked.length) {
      this.invoked.push(invoked);
      this.offsets.push(offset);
      this.values.push(value);
    } else {
      this.invoked.splice(i, 0, invoked);
      this.offsets.splice(i, 0, offset);
      this.values.splice(i, 0, value);
    }
  }

  at(i: number): Landed {
    return { invoked: this.invoked[i]!, offset: this.offsets[i]!, value: this.values[i]! };
  }
}

interface Landed {
  invoked: number;
  offset: number;
  value: string | null;
}

export class ProducerOrder implements HistoryChecker {
  readonly info = PRODUCER_ORDER;
  private readonly lanes = new Map<NodeId, PartitionMap<Lane>>();

  constructor(private readonly report: Report) {}

  observe({ op, invocation, ack }: ReadOp): void {
    if (ack === null || invocation === undefined) return;
    let mine = this.lanes.get(op.process);
    if (mine === undefined) this.lanes.set(op.process, (mine = new PartitionMap()));
    const lane = mine.getOrCreate(ack.topic, ack.partition, () => new Lane());
    const here: Landed = { invoked: invocation.step, offset: ack.offset, value: ack.value };
    // The first send invoked after this one.
    const i = upperBound(lane.invoked, here.invoked);
    if (i > 0 && lane.offsets[i - 1]! >= here.offset) this.violated(op, ack.topic, ack.partition, lane.at(i - 1), here);
    else if (i < lane.invoked.length && lane.offsets[i]! <= here.offset) this.violated(op, ack.topic, ack.partition, here, lane.at(i));
    else lane.insert(i, here.invoked, here.offset, here.value);
  }

  finish(): void {}

  /** `earlier` was invoked first but did not land below `later`. */
  private violated(op: HistoryOp, topic: string, partition: number, earlier: Landed, later: Landed): void {
    this.report({
      step: op.step,
      message: `${op.process} sent ${quote(earlier.value)} (invoked at step ${earlier.invoked}) before ${quote(later.value)} (invoked at step ${later.invoked}) to ${tp(topic, partition)}, but they landed at offsets ${earlier.offset} and ${later.offset}`,
      nodes: [op.process],
      values: {
        topic,
        partition,
        first: { value: earlier.value, invokeStep: earlier.invoked, offset: earlier.offset },
        second: { value: later.value, invokeStep: later.invoked, offset: later.offset },
      },
    });
  }
}
