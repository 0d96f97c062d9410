// Idempotent producer state of one partition (KIP-98, Kafka's ProducerStateManager): per producer
// id, its epoch and its last five batches (first and last sequence, offsets). The leader checks a
// new batch against it: a retry of one of the last five is a duplicate (answered with the original
// offsets), a gap in sequence is out of order. Every replica updates it from each appended batch,
// so a follower that becomes leader carries on where the old leader was.

import { ErrorCode } from '../protocol/errors.ts';
import { lastOffsetOf, NO_PRODUCER_ID, type RecordBatch } from '../protocol/records.ts';
import type { ProducerEntrySummary } from '../trace/schema.ts';

interface BatchMetadata {
  firstSeq: number;
  lastSeq: number;
  baseOffset: number;
  lastOffset: number;
}

interface ProducerEntry {
  epoch: number;
  batches: BatchMetadata[];
}

/** How many of a producer's latest batches are kept for duplicate detection (Kafka's 5). */
export const KEPT_BATCHES = 5;
const MAX_SEQUENCE = 2 ** 31 - 1;

export type SequenceCheck =
  { kind: 'append' } | { kind: 'duplicate'; baseOffset: number; lastOffset: number } | { kind: 'error'; errorCode: number; message: string };

export class ProducerState {
  private readonly producers = new Map<number, ProducerEntry>();

  /** Judges a batch a leader is about to append (before offsets are assigned). */
  check(batch: RecordBatch): SequenceCheck {
    if (batch.producerId === NO_PRODUCER_ID) return { kind: 'append' };
    const entry = this.producers.get(batch.producerId);
    const lastSeq = addSequence(batch.baseSequence, batch.lastOffsetDelta);
    // A producer this partition has no state for (new, or its batches truncated or deleted) may
    // start at any sequence: Kafka's checkSequence since KIP-360 (2.5) only demands 0 of a new epoch.
    if (entry === undefined) return { kind: 'append' };
    if (batch.producerEpoch < entry.epoch) {
      return { kind: 'error', errorCode: ErrorCode.INVALID_PRODUCER_EPOCH, message: `producer epoch ${batch.producerEpoch} is older than ${entry.epoch}` };
    }
    // No sequence: a coordinator's write (transactional offsets, markers); Kafka checks sequences of clients' batches only.
    if (batch.baseSequence === -1) return { kind: 'append' };
    if (batch.producerEpoch > entry.epoch) {
      return batch.baseSequence === 0 ? { kind: 'append' } : outOfOrder(`a new producer epoch must start at sequence 0, got ${batch.baseSequence}`);
    }
    const duplicate = entry.batches.find((b) => b.firstSeq === batch.baseSequence && b.lastSeq === lastSeq);
    if (duplicate !== undefined) return { kind: 'duplicate', baseOffset: duplicate.baseOffset, lastOffset: duplicate.lastOffset };
    const expected = addSequence(entry.batches.at(-1)?.lastSeq ?? -1, 1);
    if (batch.baseSequence !== expected) return outOfOrder(`expected sequence ${expected}, got ${batch.baseSequence}`);
    return { kind: 'append' };
  }

  /** Takes in a batch now in the log (offsets assigned), as leader or follower. */
  update(batch: RecordBatch): void {
    if (batch.producerId === NO_PRODUCER_ID) return;
    let entry = this.producers.get(batch.producerId);
    if (entry === undefined || batch.producerEpoch > entry.epoch) {
      entry = { epoch: batch.producerEpoch, batches: [] };
      this.producers.set(batch.producerId, entry);
    }
    entry.batches.push({
      firstSeq: batch.baseSequence,
      lastSeq: addSequence(batch.baseSequence, batch.lastOffsetDelta),
      baseOffset: batch.baseOffset,
      lastOffset: lastOffsetOf(batch),
    });
    if (entry.batches.length > KEPT_BATCHES) entry.batches.shift();
  }

  /** Rebuilds the state from the log (after recovery or truncation). */
  rebuild(batches: Iterable<RecordBatch>): void {
    this.producers.clear();
    for (const batch of batches) this.update(batch);
  }

  /** Takes the state a snapshot holds (as `describe` gave it). */
  load(entries: readonly ProducerEntrySummary[]): void {
    this.producers.clear();
    for (const [producerId, epoch, batches] of entries) {
      this.producers.set(producerId, {
        epoch,
        batches: batches.map(([firstSeq, lastSeq, baseOffset, lastOffset]) => ({ firstSeq, lastSeq, baseOffset, lastOffset })),
      });
    }
  }

  /** Each producer's last offset in the log (Kafka's lastOffsetOfActiveProducers: the cleaner keeps those batches, empty if need be). */
  lastOffsets(): Map<number, number> {
    const out = new Map<number, number>();
    for (const [producerId, e] of this.producers) {
      const last = e.batches.at(-1);
      if (last !== undefined) out.set(producerId, last.lastOffset);
    }
    return out;
  }

  /** The state as traces show it, by producer id (for producer-state-consistent). */
  describe(): ProducerEntrySummary[] {
    return [...this.producers]
      .sort(([a], [b]) => a - b)
      .map(([producerId, e]) => [
        producerId,
        e.epoch,
        e.batches.map((b): [number, number, number, number] => [b.firstSeq, b.lastSeq, b.baseOffset, b.lastOffset]),
      ]);
  }
}

function addSequence(sequence: number, delta: number): number {
  const next = sequence + delta;
  return next > MAX_SEQUENCE ? next - MAX_SEQUENCE - 1 : next;
}

function outOfOrder(message: string): SequenceCheck {
  return { kind: 'error', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, message };
}
