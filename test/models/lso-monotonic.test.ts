// lso-monotonic over hand-made replica events: a leader's last stable offset may not go back in an
// epoch, pass its high watermark, or pass a transaction still open in its log (a transactional batch
// whose producer has no marker after it); truncation and recovery rebuild what is open.

import { describe, expect, it } from 'vitest';
import type { BatchSummary, ObservedEvent } from '../../core/trace/schema.ts';
import { LsoMonotonic } from '../../models/checkers/lso-monotonic.ts';
import type { Violation } from '../../models/violation.ts';

const T = 'orders';
/** A transactional batch (attributes 0x10) or marker (0x30) of producer `pid`. */
const txnBatch = (base: number, last: number, pid: number, marker = false): BatchSummary => [base, last, 0, 1, marker ? 0x30 : 0x10, pid];
const plain = (base: number, last: number): BatchSummary => [base, last, 0, 1];

function run(events: ObservedEvent[]): string[] {
  const found: Array<Omit<Violation, 'name' | 'class'>> = [];
  const c = new LsoMonotonic((v) => found.push(v));
  events.forEach((e, step) => {
    c.observe(step, 'b1', e);
    c.endStep();
  });
  return found.map((v) => v.message);
}

const append = (...batches: BatchSummary[]): ObservedEvent => ({ kind: 'partition-append', topic: T, partition: 0, batches });
const hw = (highWatermark: number): ObservedEvent => ({
  kind: 'partition-hw',
  topic: T,
  partition: 0,
  highWatermark,
  role: 'leader',
  leaderEpoch: 0,
  exposed: true,
});
const lso = (lastStableOffset: number, leaderEpoch = 0): ObservedEvent => ({ kind: 'partition-lso', topic: T, partition: 0, lastStableOffset, leaderEpoch });

describe('lso-monotonic', () => {
  it('is quiet while the LSO stays at the first open transaction and follows the high watermark once it ends', () => {
    expect(run([append(plain(0, 1), txnBatch(2, 3, 7)), hw(4), lso(2), append(txnBatch(4, 4, 7, true)), hw(5), lso(5)])).toEqual([]);
  });

  it('trips when the LSO passes an open transaction', () => {
    const found = run([append(plain(0, 1), txnBatch(2, 3, 7)), hw(4), lso(4)]);
    expect(found).toEqual(["b1's last stable offset of orders/0 is 4, past offset 2 where producer 7's transaction is still open in its log"]);
  });

  it('trips when the LSO goes back within an epoch, not across epochs', () => {
    expect(run([append(plain(0, 4)), hw(5), lso(5), lso(3)])).toEqual(["b1's last stable offset of orders/0 went back from 5 to 3 in leader epoch 0"]);
    expect(run([append(plain(0, 4)), hw(5), lso(5), lso(3, 1)])).toEqual([]);
  });

  it('trips when the LSO passes the high watermark', () => {
    expect(run([append(plain(0, 4)), hw(3), lso(5)])).toEqual(["b1's last stable offset of orders/0 is 5, past its high watermark 3"]);
  });

  it('forgets a marker that truncation removed: the transaction is open again', () => {
    const events = [append(txnBatch(0, 1, 7), txnBatch(2, 2, 7, true)), hw(3), lso(3)];
    expect(run(events)).toEqual([]);
    const truncated: ObservedEvent = { kind: 'partition-truncate', topic: T, partition: 0, endOffset: 2 };
    expect(run([...events, truncated, lso(2, 1)])).toEqual([
      "b1's last stable offset of orders/0 is 2, past offset 0 where producer 7's transaction is still open in its log",
    ]);
  });

  it('takes a recovered replica’s high watermark, with or without transactions in its log', () => {
    const recovered: ObservedEvent = { kind: 'partition-recover', topic: T, partition: 0, batches: [plain(0, 0)], tornBytes: 0, highWatermark: 1 };
    const crash: ObservedEvent = { kind: 'crash', reason: 'kill', disk: [] };
    expect(run([append(plain(0, 0)), hw(1), crash, recovered, append(txnBatch(1, 1, 7)), lso(1, 1)])).toEqual([]);
  });
});
