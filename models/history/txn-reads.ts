// The records read_committed consumers returned (PollOk.readCommitted), for the transaction
// checkers: which transactional values they saw (by whom and when), which topics they read, and
// every record of those topics by value, so the checkers can judge at the end, when every
// transaction's fate is known.

import type { NodeId } from '../../core/env.ts';
import type { PollRecord, ReadOp } from './op-values.ts';
import type { Txn, TxnFacts } from './txn-facts.ts';

/** One record of a transaction that a read_committed poll returned. */
export interface TxnRead {
  txn: Txn;
  consumer: NodeId;
  step: number;
  record: PollRecord;
}

/** Whether a poll ok was made under isolation.level=read_committed. */
export function readCommitted(read: ReadOp): boolean {
  const v = read.op.value as { readCommitted?: unknown } | undefined;
  return read.records !== null && v?.readCommitted === true;
}

export class TxnReads {
  /** Records of transactions returned under read_committed, in history order. */
  readonly reads: TxnRead[] = [];
  /** Topics some read_committed consumer polled. */
  readonly topics = new Set<string>();
  /** Per topic, how many times each value was returned under read_committed at each distinct offset: value → "partition/offset" set. */
  readonly placesByTopic = new Map<string, Map<string, Set<string>>>();

  constructor(private readonly txns: TxnFacts) {}

  observe(read: ReadOp): void {
    if (!readCommitted(read)) return;
    for (const record of read.records!) {
      const [topic, partition, offset, , value] = record;
      this.topics.add(topic);
      if (value === null) continue;
      let places = this.placesByTopic.get(topic);
      if (places === undefined) this.placesByTopic.set(topic, (places = new Map()));
      let at = places.get(value);
      if (at === undefined) places.set(value, (at = new Set()));
      at.add(`${partition}/${offset}`);
      const txn = this.txns.txnOfValue(value);
      if (txn !== undefined) this.reads.push({ txn, consumer: read.op.process, step: read.op.step, record });
    }
  }

  /** The first read of each consumer and transaction that `judged` picks (a bug tends to show every record of a transaction: one violation each). */
  firstPerConsumerAndTxn(judged: (r: TxnRead) => boolean): TxnRead[] {
    const seen = new Set<string>();
    return this.reads.filter((r) => {
      if (!judged(r)) return false;
      const key = `${r.consumer}:${r.txn.process}:${r.txn.txn}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }

  /** Whether a read_committed consumer returned this value from this topic. */
  seen(topic: string, value: string | null): boolean {
    return value !== null && (this.placesByTopic.get(topic)?.has(value) ?? false);
  }
}
