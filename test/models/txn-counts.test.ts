// Transactions by fate for the run summary: committed when a commit ended ok; aborted when an abort
// was invoked, a commit failed, or the transaction never ended; unknown when a commit ended info
// or never ended.
import { describe, expect, it } from 'vitest';
import type { NodeEvents } from '../../core/trace/schema.ts';
import { TransactionCounts } from '../../models/history/txn-counts.ts';

type ClientEvent = NodeEvents['client'];
const produce = (txn: number, id: number): ClientEvent => ({
  op: 'produce',
  type: 'invoke',
  id,
  value: { acks: -1, txn, sends: [[id, 't', 0, null, 'v', 0]] },
});
const end = (type: ClientEvent['type'], id: number, txn: number, commit: boolean): ClientEvent => ({
  op: 'end-txn',
  type,
  id,
  value: { txn, commit, transactionalId: 'x' },
});

describe('transaction counts', () => {
  it('counts each producer’s transactions by fate', () => {
    const c = new TransactionCounts();
    const events: Array<[string, ClientEvent]> = [
      ['t1', produce(1, 2)],
      ['t1', end('invoke', 3, 1, true)],
      ['t1', end('ok', 3, 1, true)], // committed
      ['t1', produce(10, 11)],
      ['t1', end('invoke', 12, 10, false)],
      ['t1', end('ok', 12, 10, false)], // aborted
      ['t1', produce(20, 21)],
      ['t1', end('invoke', 22, 20, true)],
      ['t1', end('fail', 22, 20, true)], // a failed commit: aborted
      ['t1', produce(30, 31)],
      ['t1', end('invoke', 32, 30, true)],
      ['t1', end('info', 32, 30, true)], // unknown
      ['t1', produce(40, 41)], // never ended: aborted
      ['t2', produce(1, 2)],
      ['t2', end('invoke', 3, 1, true)], // never answered: unknown
    ];
    for (const [node, e] of events) c.observe(node, e);
    expect(c.figures()).toEqual({ t1: { committed: 1, aborted: 3, unknown: 1 }, t2: { committed: 0, aborted: 0, unknown: 1 } });
  });

  it('ignores producers without transactions', () => {
    const c = new TransactionCounts();
    c.observe('p1', { op: 'produce', type: 'invoke', id: 1, value: { acks: -1, sends: [] } });
    expect(c.figures()).toEqual({});
  });
});
