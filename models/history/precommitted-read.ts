// precommitted-read: a read_committed consumer returned a record of a transaction before its
// producer even asked to commit it (Jepsen's Kafka workload: a transaction's writes visible before it
// committed). Records of aborted transactions are aborted-read's; this judges the others.

import type { CheckerInfo, Report } from '../violation.ts';
import { involved, type HistoryChecker } from './history-checker.ts';
import { quote, tp, type ReadOp } from './op-values.ts';
import type { TxnRead, TxnReads } from './txn-reads.ts';

export const PRECOMMITTED_READ: CheckerInfo = {
  name: 'precommitted-read',
  statement:
    'A consumer with isolation.level=read_committed returns a record of a transaction only after its producer asked to commit it (the COMMIT marker comes after EndTxn).',
  source: "Jepsen's Kafka workload (precommitted-read); KIP-98 (last stable offset, read_committed)",
};

export class PrecommittedRead implements HistoryChecker {
  readonly info = PRECOMMITTED_READ;
  private done = false;

  constructor(
    private readonly report: Report,
    private readonly reads: TxnReads,
  ) {}

  observe(_read: ReadOp): void {}

  finish(): void {
    if (this.done) return;
    this.done = true;
    // Records of aborted transactions are aborted-read's.
    const early = (r: TxnRead) => r.txn.fate !== 'aborted' && (r.txn.commitStep === null || r.txn.commitStep >= r.step);
    for (const r of this.reads.firstPerConsumerAndTxn(early)) {
      const t = r.txn;
      const [topic, partition, offset, , value] = r.record;
      const when = t.commitStep === null ? 'its producer never asked to commit it' : `its producer asked to commit it only at step ${t.commitStep}`;
      this.report({
        step: r.step,
        message: `${r.consumer} (read_committed) returned ${quote(value)} at ${tp(topic, partition)} offset ${offset} at step ${r.step}, written by ${t.process} in transaction ${t.txn}; ${when}`,
        nodes: involved(r.consumer, t.process),
        values: { value, topic, partition, offset, consumer: r.consumer, producer: t.process, txn: t.txn, commitStep: t.commitStep, fate: t.fate },
      });
    }
  }
}
