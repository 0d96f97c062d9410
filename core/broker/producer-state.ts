// Idempotent producer state of one partition (KIP-98, Kafka's ProducerStateManager): per producer
// id, its epoch and its last five batches (first and last sequence, offsets). The leader checks a
// new batch against it: a retry of one of the last five is a duplicate (answered with the original
// offsets), a gap in sequence is out of order. Every replica updates it from each appended batch,
// so a follower that becomes leader carries on where the old leader was. With transactions
// (KIP-98) it also keeps, per producer, the first offset of its ongoing transaction here and the
// coordinator epoch of its last marker, and, for the last stable offset, the transactions whose
// marker is in the log but not yet below the high watermark (Kafka's unreplicatedTxns).

import { ErrorCode } from '../protocol/errors.ts';
import {
  controlTypeOf,
  ControlType,
  isControl,
  isTransactional,
  lastOffsetOf,
  markerCoordinatorEpoch,
  NO_PRODUCER_ID,
  type RecordBatch,
} from '../protocol/records.ts';
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
  /** The first offset of the producer's ongoing transaction on this partition; -1 when none (Kafka's currentTxnFirstOffset). */
  txnFirstOffset: number;
  /** The coordinator epoch of the producer's last marker; -1 before any. */
  coordinatorEpoch: number;
}

/** A transaction whose marker was appended (Kafka's CompletedTxn): its producer, first data offset and marker offset. */
export interface CompletedTxn {
  producerId: number;
  firstOffset: number;
  /** The marker's offset. */
  lastOffset: number;
  aborted: boolean;
}

/**
 * A producer's entry as a snapshot keeps it: the traced summary, with the ongoing transaction's
 * first offset and the last marker's coordinator epoch appended when either is set (as Kafka's
 * snapshot format carries CurrentTxnFirstOffset and CoordinatorEpoch).
 */
export type ProducerSnapshotEntry = [...ProducerEntrySummary, number, number] | ProducerEntrySummary;

/** How many of a producer's latest batches are kept for duplicate detection (Kafka's 5). */
export const KEPT_BATCHES = 5;
const MAX_SEQUENCE = 2 ** 31 - 1;

export type SequenceCheck =
  { kind: 'append' } | { kind: 'duplicate'; baseOffset: number; lastOffset: number } | { kind: 'error'; errorCode: number; message: string };

export class ProducerState {
  private readonly producers = new Map<number, ProducerEntry>();
  /** The ongoing transactions' first offsets by producer id (the entries' txnFirstOffset, kept apart so the LSO does not walk every producer). */
  private readonly ongoing = new Map<number, number>();
  /** Completed transactions whose marker is not yet below the high watermark, in marker order. */
  private unreplicated: CompletedTxn[] = [];

  /**
   * Judges a batch a leader is about to append (before offsets are assigned). Without `sequences`
   * (a coordinator's own write, Kafka's AppendOrigin.COORDINATOR) only the epoch is checked.
   */
  check(batch: RecordBatch, sequences = true): SequenceCheck {
    if (batch.producerId === NO_PRODUCER_ID) return { kind: 'append' };
    if (isControl(batch)) return this.checkMarker(batch);
    const verdict = sequences ? this.checkSequence(batch) : this.checkEpoch(batch);
    if (verdict.kind !== 'append') return verdict;
    // Kafka's appendDataBatch: a producer with a transaction open here writes only inside it.
    if (!isTransactional(batch) && this.ongoingTxnFirstOffset(batch.producerId) !== null) {
      return {
        kind: 'error',
        errorCode: ErrorCode.INVALID_TXN_STATE,
        message: `producer ${batch.producerId} has an ongoing transaction: a non-transactional write is refused`,
      };
    }
    return verdict;
  }

  private checkEpoch(batch: RecordBatch): SequenceCheck {
    const entry = this.producers.get(batch.producerId);
    if (entry === undefined || batch.producerEpoch >= entry.epoch) return { kind: 'append' };
    return { kind: 'error', errorCode: ErrorCode.INVALID_PRODUCER_EPOCH, message: `producer epoch ${batch.producerEpoch} is older than ${entry.epoch}` };
  }

  /**
   * Judges a transaction marker (Kafka's appendEndTxnMarker): an epoch older than the producer's is
   * refused, and so is a coordinator epoch older than its last marker's (a deposed coordinator).
   */
  private checkMarker(batch: RecordBatch): SequenceCheck {
    const entry = this.producers.get(batch.producerId);
    if (entry === undefined) return { kind: 'append' };
    if (batch.producerEpoch < entry.epoch) {
      return { kind: 'error', errorCode: ErrorCode.INVALID_PRODUCER_EPOCH, message: `marker epoch ${batch.producerEpoch} is older than ${entry.epoch}` };
    }
    const coordinatorEpoch = markerCoordinatorEpoch(batch.records[0]?.value ?? null);
    if (coordinatorEpoch < entry.coordinatorEpoch) {
      return {
        kind: 'error',
        errorCode: ErrorCode.TRANSACTION_COORDINATOR_FENCED,
        message: `coordinator epoch ${coordinatorEpoch} is older than the last marker's ${entry.coordinatorEpoch}`,
      };
    }
    return { kind: 'append' };
  }

  private checkSequence(batch: RecordBatch): SequenceCheck {
    const entry = this.producers.get(batch.producerId);
    const lastSeq = addSequence(batch.baseSequence, batch.lastOffsetDelta);
    // A producer this partition has no state for (new, or its batches truncated or deleted) may
    // start at any sequence: Kafka's checkSequence since KIP-360 (2.5) only demands 0 of a new epoch.
    if (entry === undefined) return { kind: 'append' };
    if (batch.producerEpoch < entry.epoch) {
      return { kind: 'error', errorCode: ErrorCode.INVALID_PRODUCER_EPOCH, message: `producer epoch ${batch.producerEpoch} is older than ${entry.epoch}` };
    }
    if (batch.producerEpoch > entry.epoch) {
      return batch.baseSequence === 0 ? { kind: 'append' } : outOfOrder(`a new producer epoch must start at sequence 0, got ${batch.baseSequence}`);
    }
    const duplicate = entry.batches.find((b) => b.firstSeq === batch.baseSequence && b.lastSeq === lastSeq);
    if (duplicate !== undefined) return { kind: 'duplicate', baseOffset: duplicate.baseOffset, lastOffset: duplicate.lastOffset };
    const expected = addSequence(entry.batches.at(-1)?.lastSeq ?? -1, 1);
    if (batch.baseSequence !== expected) return outOfOrder(`expected sequence ${expected}, got ${batch.baseSequence}`);
    return { kind: 'append' };
  }

  /**
   * Takes in a batch now in the log (offsets assigned), as leader or follower. Returns the
   * transaction a marker completes (none for a marker of a producer with no transaction open here).
   */
  update(batch: RecordBatch): CompletedTxn | null {
    if (batch.producerId === NO_PRODUCER_ID) return null;
    let entry = this.producers.get(batch.producerId);
    if (entry === undefined) {
      entry = { epoch: batch.producerEpoch, batches: [], txnFirstOffset: -1, coordinatorEpoch: -1 };
      this.producers.set(batch.producerId, entry);
    } else if (batch.producerEpoch > entry.epoch) {
      // A new epoch forgets the batches, not the transaction (Kafka's maybeUpdateProducerEpoch).
      entry.epoch = batch.producerEpoch;
      entry.batches = [];
    }
    if (isControl(batch)) return this.endTxn(batch, entry);
    if (isTransactional(batch) && entry.txnFirstOffset < 0) {
      entry.txnFirstOffset = batch.baseOffset;
      this.ongoing.set(batch.producerId, batch.baseOffset);
    }
    entry.batches.push({
      firstSeq: batch.baseSequence,
      lastSeq: addSequence(batch.baseSequence, batch.lastOffsetDelta),
      baseOffset: batch.baseOffset,
      lastOffset: lastOffsetOf(batch),
    });
    if (entry.batches.length > KEPT_BATCHES) entry.batches.shift();
    return null;
  }

  private endTxn(batch: RecordBatch, entry: ProducerEntry): CompletedTxn | null {
    const record = batch.records[0];
    entry.coordinatorEpoch = markerCoordinatorEpoch(record?.value ?? null);
    if (entry.txnFirstOffset < 0) return null;
    const completed: CompletedTxn = {
      producerId: batch.producerId,
      firstOffset: entry.txnFirstOffset,
      lastOffset: batch.baseOffset,
      aborted: controlTypeOf(record?.key ?? null) === ControlType.ABORT,
    };
    entry.txnFirstOffset = -1;
    this.ongoing.delete(batch.producerId);
    this.unreplicated.push(completed);
    return completed;
  }

  /** The first offset of the producer's ongoing transaction here, or null. */
  ongoingTxnFirstOffset(producerId: number): number | null {
    const first = this.producers.get(producerId)?.txnFirstOffset ?? -1;
    return first < 0 ? null : first;
  }

  /**
   * Kafka's firstUnstableOffset: the smallest first offset among the ongoing transactions and the
   * completed ones whose marker the high watermark has not passed; null when there is none.
   */
  firstUnstableOffset(): number | null {
    let first = Infinity;
    for (const offset of this.ongoing.values()) if (offset < first) first = offset;
    for (const t of this.unreplicated) if (t.firstOffset < first) first = t.firstOffset;
    return first === Infinity ? null : first;
  }

  /** Forgets the completed transactions whose marker lies below the high watermark (Kafka's onHighWatermarkUpdated). */
  markersReplicated(highWatermark: number): void {
    if (this.unreplicated.length > 0) this.unreplicated = this.unreplicated.filter((t) => t.lastOffset >= highWatermark);
  }

  /** Whether any transaction is open or awaits its marker's replication here. */
  get hasTransactions(): boolean {
    return this.firstUnstableOffset() !== null;
  }

  /**
   * The last stable offset an aborted transaction's index entry records (Kafka's
   * lastStableOffset(completedTxn)): the first offset of the earliest transaction of another
   * producer still open, else the offset after the marker.
   */
  lastStableOffsetAfter(completed: CompletedTxn): number {
    let first = Infinity;
    for (const [id, offset] of this.ongoing) if (id !== completed.producerId && offset < first) first = offset;
    return first === Infinity ? completed.lastOffset + 1 : first;
  }

  /** Rebuilds the state from the log (after recovery or truncation). */
  rebuild(batches: Iterable<RecordBatch>): void {
    this.load([]);
    for (const batch of batches) this.update(batch);
  }

  /** Takes the state a snapshot holds (as `snapshot` gave it). */
  load(entries: readonly ProducerSnapshotEntry[]): void {
    this.producers.clear();
    this.ongoing.clear();
    this.unreplicated = [];
    for (const [producerId, epoch, batches, txnFirstOffset = -1, coordinatorEpoch = -1] of entries) {
      if (txnFirstOffset >= 0) this.ongoing.set(producerId, txnFirstOffset);
      this.producers.set(producerId, {
        epoch,
        batches: batches.map(([firstSeq, lastSeq, baseOffset, lastOffset]) => ({ firstSeq, lastSeq, baseOffset, lastOffset })),
        txnFirstOffset,
        coordinatorEpoch,
      });
    }
  }

  /** The state as a snapshot keeps it: `describe`'s entries, with the transaction fields of the producers that have them. */
  snapshot(): ProducerSnapshotEntry[] {
    return this.describe().map((summary) => {
      const e = this.producers.get(summary[0])!;
      return e.txnFirstOffset < 0 && e.coordinatorEpoch < 0 ? summary : [...summary, e.txnFirstOffset, e.coordinatorEpoch];
    });
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
