// key-partition: records with one key stay in one partition of a topic. Kafka's default
// partitioner hashes the key (murmur2 modulo the partition count), which is what gives per-key
// ordering; a key in two partitions means a client or broker put a record in the wrong place.

import type { NodeId } from '../../core/env.ts';
import type { CheckerInfo, Report } from '../violation.ts';
import { involved, type HistoryChecker } from './history-checker.ts';
import { quote, tp, type ReadOp } from './op-values.ts';
import type { HistoryOp } from './types.ts';

export const KEY_PARTITION: CheckerInfo = {
  name: 'key-partition',
  statement: 'Every acknowledged or polled record with a given non-null key is in the same partition of its topic.',
  source: 'Kafka docs, producer partitioner (records with the same key go to the same partition; murmur2 in DefaultPartitioner / BuiltInPartitioner)',
};

interface Placed {
  partition: number;
  offset: number;
  process: NodeId;
  step: number;
  reported: boolean;
}

export class KeyPartition implements HistoryChecker {
  readonly info = KEY_PARTITION;
  private readonly keys = new Map<string, Map<string, Placed>>();

  constructor(private readonly report: Report) {}

  observe({ op, ack, records }: ReadOp): void {
    if (ack !== null) return this.seen(op, ack.topic, ack.key, ack.partition, ack.offset);
    if (records === null) return;
    for (const [topic, partition, offset, key] of records) this.seen(op, topic, key, partition, offset);
  }

  finish(): void {}

  private seen(op: HistoryOp, topic: string, key: string | null, partition: number, offset: number): void {
    if (key === null) return;
    let keys = this.keys.get(topic);
    if (keys === undefined) this.keys.set(topic, (keys = new Map()));
    const first = keys.get(key);
    if (first === undefined) keys.set(key, { partition, offset, process: op.process, step: op.step, reported: false });
    else if (first.partition !== partition && !first.reported) {
      first.reported = true;
      this.report({
        step: op.step,
        message: `key ${quote(key)} of topic ${topic} is in partition ${first.partition} (offset ${first.offset}, seen by ${first.process} at step ${first.step}) and in partition ${partition} (offset ${offset}, seen by ${op.process})`,
        nodes: involved(first.process, op.process),
        values: {
          topic,
          key,
          partitions: [first.partition, partition],
          offsets: [first.offset, offset],
          first: tp(topic, first.partition),
          firstStep: first.step,
        },
      });
    }
  }
}
