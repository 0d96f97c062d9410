// torn-transaction: a committed transaction that read_committed consumers saw only part of (Jepsen's
// Bufstream analysis: part of a transaction committed, part lost). Judged at the end, once the final
// read caught up with every partition, over the topics read_committed consumers read.

import type { CheckerInfo, Report } from '../violation.ts';
import { involved, type HistoryChecker } from './history-checker.ts';
import { quote, type ReadOp } from './op-values.ts';
import type { TxnFacts } from './txn-facts.ts';
import type { TxnReads } from './txn-reads.ts';

export const TORN_TRANSACTION: CheckerInfo = {
  name: 'torn-transaction',
  statement:
    'A committed transaction is all or nothing: once the final read is done, read_committed consumers have returned either every record it wrote or none of them.',
  source: "KIP-98 (atomic multi-partition writes); Jepsen's Bufstream 0.1.0 analysis (torn transactions); Kafka's transactions_test.py",
};

export class TornTransaction implements HistoryChecker {
  readonly info = TORN_TRANSACTION;
  private done = false;

  constructor(
    private readonly report: Report,
    private readonly txns: TxnFacts,
    private readonly reads: TxnReads,
  ) {}

  observe(_read: ReadOp): void {}

  finish(finalRead: boolean): void {
    if (this.done) return;
    this.done = true;
    // Without a complete final read, an unseen record may only be late.
    if (!finalRead) return;
    for (const t of this.txns.all()) {
      if (t.fate !== 'committed') continue;
      const judged = t.sends.filter((s) => s.value !== null && this.reads.topics.has(s.topic));
      const seen = judged.filter((s) => this.reads.seen(s.topic, s.value));
      if (seen.length === 0 || seen.length === judged.length) continue;
      const missing = judged.filter((s) => !this.reads.seen(s.topic, s.value));
      this.report({
        step: t.fateStep ?? 0,
        message: `transaction ${t.txn} of ${t.process} committed, but read_committed consumers returned only ${seen.length} of its ${judged.length} records: never ${missing
          .slice(0, 5)
          .map((s) => `${quote(s.value)} (${s.topic}${s.partition === undefined ? '' : `/${s.partition} offset ${s.offset}`})`)
          .join(', ')}${missing.length > 5 ? ', ...' : ''}`,
        nodes: involved(t.process),
        values: {
          producer: t.process,
          txn: t.txn,
          transactionalId: t.transactionalId,
          seen: seen.map((s) => s.value),
          missing: missing.map((s) => s.value),
        },
      });
    }
  }
}
