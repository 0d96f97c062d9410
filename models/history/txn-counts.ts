// Each transactional producer's transactions by fate, counted from its history (any runtime's):
// committed (a commit ended ok), aborted (an abort was invoked, a commit failed, or the transaction
// never ended: its producer crashed or was fenced, and the coordinator aborts it), unknown (a commit
// ended info or never ended). The fates of the contract in models/history/types.ts, for the summary.

import type { NodeId } from '../../core/env.ts';
import type { NodeEvents } from '../../core/trace/schema.ts';

export interface TransactionFigures {
  committed: number;
  aborted: number;
  unknown: number;
}

type Fate = 'open' | 'committing' | 'committed' | 'aborted' | 'unknown';

export class TransactionCounts {
  /** Per producer, each transaction's fate so far. */
  private readonly fates = new Map<NodeId, Map<number, Fate>>();
  /** Per producer, the transaction of each end-txn op in flight. */
  private readonly ends = new Map<NodeId, Map<number, { txn: number; commit: boolean }>>();

  observe(node: NodeId, event: NodeEvents['client']): void {
    if (event.op === 'produce' && event.type === 'invoke') {
      const txn = (event.value as { txn?: unknown } | undefined)?.txn;
      if (typeof txn === 'number') this.set(node, txn, 'open', false);
    } else if (event.op === 'end-txn') {
      const ends = this.inner(this.ends, node);
      if (event.type === 'invoke') {
        const v = event.value as { txn?: unknown; commit?: unknown } | undefined;
        if (typeof v?.txn !== 'number' || v.txn < 0) return;
        ends.set(event.id, { txn: v.txn, commit: v.commit === true });
        this.set(node, v.txn, v.commit === true ? 'committing' : 'aborted', true);
        return;
      }
      const end = ends.get(event.id);
      if (end === undefined) return;
      ends.delete(event.id);
      if (!end.commit) return;
      this.set(node, end.txn, event.type === 'ok' ? 'committed' : event.type === 'fail' ? 'aborted' : 'unknown', true);
    }
  }

  /** Per producer that ran transactions, how they ended. */
  figures(): Record<NodeId, TransactionFigures> {
    const out: Record<NodeId, TransactionFigures> = {};
    for (const [node, fates] of [...this.fates].sort(([a], [b]) => a.localeCompare(b))) {
      const f: TransactionFigures = { committed: 0, aborted: 0, unknown: 0 };
      for (const fate of fates.values()) {
        if (fate === 'committed') f.committed++;
        else if (fate === 'committing' || fate === 'unknown') f.unknown++;
        else f.aborted++;
      }
      out[node] = f;
    }
    return out;
  }

  private set(node: NodeId, txn: number, fate: Fate, overwrite: boolean): void {
    const fates = this.inner(this.fates, node);
    if (overwrite || !fates.has(txn)) fates.set(txn, fate);
  }

  private inner<V>(outer: Map<NodeId, Map<number, V>>, node: NodeId): Map<number, V> {
    let m = outer.get(node);
    if (m === undefined) outer.set(node, (m = new Map()));
    return m;
  }
}
