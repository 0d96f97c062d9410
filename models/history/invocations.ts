// Pairs each outcome with its invocation (Jepsen's history model: per process, an invoke and later
// its ok / fail / info with the same id). Only open invocations are kept, so memory follows the
// clients' concurrency, not the history's length.

import type { NodeId } from '../../core/env.ts';
import type { HistoryOp } from './types.ts';

export class Invocations {
  private readonly open = new Map<NodeId, Map<number, HistoryOp>>();

  /** Takes one op in history order; for an outcome, returns its invocation (undefined if unseen). */
  observe(op: HistoryOp): HistoryOp | undefined {
    let mine = this.open.get(op.process);
    if (op.type === 'invoke') {
      if (mine === undefined) this.open.set(op.process, (mine = new Map()));
      mine.set(op.id, op);
      return undefined;
    }
    const invocation = mine?.get(op.id);
    if (invocation !== undefined) mine!.delete(op.id);
    return invocation;
  }
}
