// aborted-read (Adya's G1a, Jepsen's Kafka workload): a read_committed consumer returned a record of
// a transaction that was aborted (an abort was asked for, its commit failed, or its producer never
// asked to end it), judged once every transaction's fate is known.

import type { CheckerInfo, Report } from '../violation.ts';
import { involved, type HistoryChecker } from './history-checker.ts';
import { quote, tp, type ReadOp } from './op-values.ts';
import type { TxnReads } from './txn-reads.ts';

export const ABORTED_READ: CheckerInfo = {
  name: 'aborted-read',
  statement: 'A consumer with isolation.level=read_committed never returns a record of an aborted transaction.',
  source: "Adya's G1a; Jepsen's Kafka workload (aborted-read) and Bufstream 0.1.0 analysis; KIP-98 (read_committed)",
};

export class AbortedRead implements HistoryChecker {
  readonly info = ABORTED_READ;
  private done = false;

  constructor(
    private readonly report: Report,
    private readonly reads: TxnReads,
  ) {}

  observe(_read: ReadOp): void {}

  finish(): void {
    if (this.done) return;
    this.done = true;
    for (const r of this.reads.firstPerConsumerAndTxn((read) => read.txn.fate === 'aborted')) {
      const [topic, partition, offset, , value] = r.record;
      this.report({
        step: r.step,
        message: `${r.consumer} (read_committed) returned ${quote(value)} at ${tp(topic, partition)} offset ${offset}, written by ${r.txn.process} in transaction ${r.txn.txn}, which was aborted${r.txn.ended ? '' : ' (its producer never asked to end it)'}`,
        nodes: involved(r.consumer, r.txn.process),
        values: { value, topic, partition, offset, consumer: r.consumer, producer: r.txn.process, txn: r.txn.txn, transactionalId: r.txn.transactionalId },
      });
    }
  }
}
