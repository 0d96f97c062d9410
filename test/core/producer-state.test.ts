// Idempotent producer state (KIP-98, Kafka's ProducerStateManager): sequence checks per producer id and epoch, duplicates of the last five batches, and rebuilds after truncation.
import { describe, expect, it } from 'vitest';
import { ProducerState, type SequenceCheck } from '../../core/broker/producer-state.ts';
import { ErrorCode } from '../../core/protocol/errors.ts';
import { CONTROL_BIT, ControlType, controlKey, endTxnMarkerValue, NO_PRODUCER_ID, TRANSACTIONAL_BIT, type RecordBatch } from '../../core/protocol/records.ts';

const MAX_SEQUENCE = 2 ** 31 - 1;

/** A batch of `count` records from producer `pid` in `epoch`, sequences from `seq`, stored at `offset`. */
function idem(pid: number, epoch: number, seq: number, count: number, offset = 0): RecordBatch {
  return {
    baseOffset: offset,
    partitionLeaderEpoch: 0,
    attributes: 0,
    lastOffsetDelta: count - 1,
    baseTimestamp: 0,
    maxTimestamp: 0,
    producerId: pid,
    producerEpoch: epoch,
    baseSequence: seq,
    records: Array.from({ length: count }, (_, i) => ({ offsetDelta: i, timestampDelta: 0, key: null, value: `s${seq + i}`, headers: [] })),
  };
}

const APPEND: SequenceCheck = { kind: 'append' };
const errorOf = (check: SequenceCheck) => (check.kind === 'error' ? check.errorCode : null);

/**
 * Feeds batches through the state as a leader does: check, then (if appended) update with the
 * offset the log gives it. Returns each batch as it was stored (or undefined when not appended).
 */
class Leader {
  readonly state = new ProducerState();
  private nextOffset = 0;
  readonly log: RecordBatch[] = [];

  produce(batch: RecordBatch): SequenceCheck {
    const check = this.state.check(batch);
    if (check.kind === 'append') {
      const stored = { ...batch, baseOffset: this.nextOffset };
      this.nextOffset += batch.lastOffsetDelta + 1;
      this.state.update(stored);
      this.log.push(stored);
    }
    return check;
  }

  /** Produces consecutive batches of `sizes` records for `pid` in `epoch`, sequences from `firstSeq`. */
  run(pid: number, epoch: number, sizes: number[], firstSeq = 0): void {
    let seq = firstSeq;
    for (const size of sizes) {
      expect(this.produce(idem(pid, epoch, seq, size))).toEqual(APPEND);
      seq += size;
    }
  }
}

describe('ProducerState: sequence checks', () => {
  it('batches without a producer id are always appended and never tracked', () => {
    const state = new ProducerState();
    const plain = { ...idem(NO_PRODUCER_ID, -1, -1, 3), producerId: NO_PRODUCER_ID };
    expect(state.check(plain)).toEqual(APPEND);
    state.update(plain);
    expect(state.check(plain)).toEqual(APPEND);
  });

  it('accepts consecutive sequences of one producer', () => {
    const leader = new Leader();
    leader.run(7, 0, [3, 1, 4]);
    expect(leader.produce(idem(7, 0, 8, 2))).toEqual(APPEND);
  });

  it('a gap in sequence is OUT_OF_ORDER_SEQUENCE_NUMBER', () => {
    const leader = new Leader();
    leader.run(7, 0, [3, 2]); // sequences 0..4
    expect(errorOf(leader.produce(idem(7, 0, 7, 1)))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    // Nothing was recorded for the rejected batch: the expected sequence is still 5.
    expect(leader.produce(idem(7, 0, 5, 1))).toEqual(APPEND);
  });

  it('a batch overlapping the last one without matching it exactly is out of order, not a duplicate', () => {
    const leader = new Leader();
    leader.run(7, 0, [3, 3]); // batches [0, 2] and [3, 5]
    expect(errorOf(leader.produce(idem(7, 0, 3, 2)))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(errorOf(leader.produce(idem(7, 0, 4, 2)))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  });

  it('a producer the partition has no state for may start at any sequence (KIP-360)', () => {
    const state = new ProducerState();
    expect(state.check(idem(9, 0, 4, 1))).toEqual(APPEND);
    state.update({ ...idem(9, 0, 4, 1), baseOffset: 0 });
    expect(errorOf(state.check(idem(9, 0, 7, 1)))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(state.check(idem(9, 0, 5, 1))).toEqual(APPEND);
  });

  it('producers are independent of each other', () => {
    const leader = new Leader();
    leader.run(1, 0, [2, 2]);
    leader.run(2, 0, [5]);
    expect(leader.produce(idem(1, 0, 4, 1))).toEqual(APPEND);
    expect(leader.produce(idem(2, 0, 5, 1))).toEqual(APPEND);
    expect(errorOf(leader.produce(idem(2, 0, 4, 1)))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  });

  it('sequences wrap from 2^31-1 to 0', () => {
    const state = new ProducerState();
    // A producer known from the log with its last batch ending at the largest sequence.
    state.update({ ...idem(3, 0, MAX_SEQUENCE - 2, 3), baseOffset: 100 });
    expect(state.check(idem(3, 0, 0, 2))).toEqual(APPEND);
    expect(errorOf(state.check(idem(3, 0, 1, 2)))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    // A batch crossing the wrap: [2^31-2, 2^31-1, 0] then continues at 1.
    const crossing = new ProducerState();
    crossing.update({ ...idem(4, 0, MAX_SEQUENCE - 3, 2), baseOffset: 0 });
    crossing.update({ ...idem(4, 0, MAX_SEQUENCE - 1, 3), baseOffset: 2 });
    expect(crossing.check(idem(4, 0, 1, 1))).toEqual(APPEND);
    expect(crossing.check(idem(4, 0, MAX_SEQUENCE - 1, 3))).toEqual({ kind: 'duplicate', baseOffset: 2, lastOffset: 4 });
  });
});

describe('ProducerState: duplicates', () => {
  it('a retry of any of the last five batches is a duplicate answered with its original offsets', () => {
    // Kafka's broker returns the original batch's offsets with no error for such a retry
    // (UnifiedLog.append: maybeDuplicate), rather than DUPLICATE_SEQUENCE_NUMBER.
    const leader = new Leader();
    leader.run(7, 0, [2, 2, 2, 2, 2, 2]); // six batches: sequences 0..11 at offsets 0..11
    for (let i = 1; i < 6; i++) {
      expect(leader.produce(idem(7, 0, 2 * i, 2))).toEqual({ kind: 'duplicate', baseOffset: 2 * i, lastOffset: 2 * i + 1 });
    }
    expect(leader.log).toHaveLength(6);
  });

  it('a retry of a batch older than the last five is out of order', () => {
    const leader = new Leader();
    leader.run(7, 0, [2, 2, 2, 2, 2, 2]);
    expect(errorOf(leader.produce(idem(7, 0, 0, 2)))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  });

  it('duplicates keep their offsets when other producers wrote in between', () => {
    const leader = new Leader();
    leader.run(1, 0, [3]); // offsets 0..2
    leader.run(2, 0, [4]); // offsets 3..6
    leader.run(1, 0, [2], 3); // offsets 7..8
    expect(leader.produce(idem(1, 0, 3, 2))).toEqual({ kind: 'duplicate', baseOffset: 7, lastOffset: 8 });
    expect(leader.produce(idem(2, 0, 0, 4))).toEqual({ kind: 'duplicate', baseOffset: 3, lastOffset: 6 });
  });
});

describe('ProducerState: producer epochs', () => {
  it('a bumped epoch starts again at sequence 0 and anything else is out of order', () => {
    const leader = new Leader();
    leader.run(7, 0, [3, 3]);
    expect(errorOf(leader.produce(idem(7, 1, 6, 1)))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(leader.produce(idem(7, 1, 0, 2))).toEqual(APPEND);
    expect(leader.produce(idem(7, 1, 2, 1))).toEqual(APPEND);
  });

  it('after a bump, the old epoch is fenced with INVALID_PRODUCER_EPOCH, its retries included', () => {
    const leader = new Leader();
    leader.run(7, 0, [3, 3]);
    leader.run(7, 1, [1]);
    expect(errorOf(leader.produce(idem(7, 0, 6, 1)))).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(errorOf(leader.produce(idem(7, 0, 3, 3)))).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
  });

  it("the old epoch's batches are not duplicates in the new epoch", () => {
    const leader = new Leader();
    leader.run(7, 0, [2]);
    leader.run(7, 1, [2]);
    // Same sequences as epoch 0's batch, but epoch 1 already has them at its own offsets.
    expect(leader.produce(idem(7, 1, 0, 2))).toEqual({ kind: 'duplicate', baseOffset: 2, lastOffset: 3 });
  });
});

describe('ProducerState: rebuild from the log', () => {
  it('after truncation, the state is that of the batches left: their retries are duplicates, the lost ones are appended again', () => {
    const leader = new Leader();
    leader.run(7, 0, [2, 2, 2, 2]); // sequences 0..7 at offsets 0..7
    const kept = leader.log.slice(0, 2); // the log was truncated to offset 4
    const state = new ProducerState();
    state.rebuild(kept);
    expect(state.check(idem(7, 0, 2, 2))).toEqual({ kind: 'duplicate', baseOffset: 2, lastOffset: 3 });
    // The truncated batch [4, 5] is no longer known: its retry is the next in order.
    expect(state.check(idem(7, 0, 4, 2))).toEqual(APPEND);
    expect(errorOf(state.check(idem(7, 0, 6, 2)))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  });

  it('rebuilding replaces the previous state entirely', () => {
    const leader = new Leader();
    leader.run(7, 0, [2, 2]);
    leader.state.rebuild([]);
    expect(leader.state.check(idem(7, 0, 0, 2))).toEqual(APPEND); // no longer a duplicate
    expect(leader.state.check(idem(7, 0, 4, 1))).toEqual(APPEND); // unknown again: any sequence goes
  });

  it("a rebuilt state keeps only each producer's last five batches and its latest epoch", () => {
    const leader = new Leader();
    leader.run(7, 0, [1, 1, 1]);
    leader.run(7, 1, [1, 1, 1, 1, 1, 1]);
    const state = new ProducerState();
    state.rebuild(leader.log);
    expect(errorOf(state.check(idem(7, 0, 3, 1)))).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    expect(errorOf(state.check(idem(7, 1, 0, 1)))).toBe(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
    expect(state.check(idem(7, 1, 1, 1))).toEqual({ kind: 'duplicate', baseOffset: 4, lastOffset: 4 });
    expect(state.check(idem(7, 1, 6, 1))).toEqual(APPEND);
  });

  it("a follower updating from replicated batches ends in the leader's state", () => {
    const leader = new Leader();
    leader.run(1, 0, [2, 3]);
    leader.run(2, 4, [1]);
    const follower = new ProducerState();
    for (const b of leader.log) follower.update(b);
    for (const probe of [idem(1, 0, 2, 3), idem(1, 0, 5, 1), idem(2, 4, 0, 1), idem(2, 3, 1, 1), idem(1, 0, 9, 1)]) {
      expect(follower.check(probe)).toEqual(leader.state.check(probe));
    }
  });
});

describe('ProducerState: transactions', () => {
  const txn = (pid: number, seq: number, count: number, offset: number, epoch = 0): RecordBatch => ({
    ...idem(pid, epoch, seq, count, offset),
    attributes: TRANSACTIONAL_BIT,
  });
  const marker = (pid: number, offset: number, type: number, coordinatorEpoch = 0, epoch = 0): RecordBatch => ({
    ...idem(pid, epoch, -1, 1, offset),
    attributes: TRANSACTIONAL_BIT | CONTROL_BIT,
    records: [{ offsetDelta: 0, timestampDelta: 0, key: controlKey(type), value: endTxnMarkerValue(coordinatorEpoch), headers: [] }],
  });

  it('a transactional batch opens a transaction at its offset, a marker ends it and says how; plain writes are refused meanwhile', () => {
    const s = new ProducerState();
    expect(s.update(txn(7, 0, 2, 10))).toBeNull();
    expect(s.update(txn(7, 2, 1, 14))).toBeNull();
    expect(s.ongoingTxnFirstOffset(7)).toBe(10);
    expect(errorOf(s.check(idem(7, 0, 3, 1)))).toBe(ErrorCode.INVALID_TXN_STATE);
    expect(s.check(txn(7, 3, 1, 0))).toEqual(APPEND);
    expect(s.update(marker(7, 15, ControlType.ABORT))).toEqual({ producerId: 7, firstOffset: 10, lastOffset: 15, aborted: true });
    expect(s.ongoingTxnFirstOffset(7)).toBeNull();
    expect(s.check(idem(7, 0, 3, 1))).toEqual(APPEND);
    // A marker for a producer with nothing open here completes nothing.
    expect(s.update(marker(8, 16, ControlType.COMMIT))).toBeNull();
  });

  it('the first unstable offset: the earliest open transaction, or a completed one until its marker is below the high watermark', () => {
    const s = new ProducerState();
    s.update(txn(7, 0, 1, 0));
    s.update(txn(8, 0, 1, 1));
    expect(s.firstUnstableOffset()).toBe(0);
    const done = s.update(marker(7, 2, ControlType.COMMIT))!;
    expect(s.lastStableOffsetAfter(done)).toBe(1);
    expect(s.firstUnstableOffset()).toBe(0);
    s.markersReplicated(2);
    expect(s.firstUnstableOffset()).toBe(0);
    s.markersReplicated(3);
    expect(s.firstUnstableOffset()).toBe(1);
    s.update(marker(8, 3, ControlType.ABORT));
    s.markersReplicated(4);
    expect(s.firstUnstableOffset()).toBeNull();
    expect(s.hasTransactions).toBe(false);
  });

  it('markers are refused with an older producer epoch or an older coordinator epoch; a newer epoch forgets the batches', () => {
    const s = new ProducerState();
    s.update(txn(7, 0, 2, 0, 2));
    expect(errorOf(s.check(marker(7, 0, ControlType.ABORT, 0, 1)))).toBe(ErrorCode.INVALID_PRODUCER_EPOCH);
    s.update(marker(7, 2, ControlType.ABORT, 5, 3));
    expect(errorOf(s.check(marker(7, 0, ControlType.ABORT, 4, 3)))).toBe(ErrorCode.TRANSACTION_COORDINATOR_FENCED);
    expect(s.check(marker(7, 0, ControlType.ABORT, 5, 3))).toEqual(APPEND);
    expect(s.describe()).toEqual([[7, 3, []]]);
  });

  it('snapshots carry the open transaction and the coordinator epoch; plain producers keep their traced shape', () => {
    const s = new ProducerState();
    s.update(idem(5, 0, 0, 1, 0));
    s.update(marker(7, 1, ControlType.COMMIT, 4));
    s.update(txn(7, 0, 1, 2));
    expect(s.snapshot()).toEqual([
      [5, 0, [[0, 0, 0, 0]]],
      [7, 0, [[0, 0, 2, 2]], 2, 4],
    ]);
    expect(s.describe()).toEqual([
      [5, 0, [[0, 0, 0, 0]]],
      [7, 0, [[0, 0, 2, 2]]],
    ]);
    const loaded = new ProducerState();
    loaded.load(s.snapshot());
    expect(loaded.ongoingTxnFirstOffset(7)).toBe(2);
    expect(errorOf(loaded.check(marker(7, 3, ControlType.COMMIT, 3)))).toBe(ErrorCode.TRANSACTION_COORDINATOR_FENCED);
  });
});
