// The leader-epoch cache (KIP-101): for each leader epoch in a log, the offset of its first
// entry. It answers OffsetsForLeaderEpoch / divergence questions: "where does epoch e end in my
// log?", which is how followers find the point where their log parts from the leader's.

import type { OffsetAndEpoch } from '../protocol/quorum.ts';

/**
 * The epoch reported when the asked-for epoch is older than every epoch in the log. The quorum's
 * epochs start at 1, so 0 says "none" there; partition leader epochs start at 0, so a partition
 * log's cache uses Kafka's UNDEFINED_EPOCH, -1.
 */
export const NO_EPOCH = 0;
export const UNDEFINED_EPOCH = -1;

export class EpochCache {
  /** Ascending by epoch and by start offset. */
  private entries: Array<{ epoch: number; startOffset: number }> = [];

  constructor(private readonly noEpoch: number = NO_EPOCH) {}

  get latestEpoch(): number {
    return this.entries.at(-1)?.epoch ?? this.noEpoch;
  }

  /** Start offset of `epoch`, or null when the log has no entry of that epoch. */
  startOffsetOf(epoch: number): number | null {
    return this.entries.find((e) => e.epoch === epoch)?.startOffset ?? null;
  }

  /** Records that entries of `epoch` begin at `startOffset` (a no-op if the epoch is already the latest). */
  assign(epoch: number, startOffset: number): void {
    const last = this.entries.at(-1);
    if (last !== undefined && epoch === last.epoch) return;
    if (last !== undefined && (epoch < last.epoch || startOffset < last.startOffset)) {
      throw new RangeError(`epoch cache: epoch ${epoch} at ${startOffset} after epoch ${last.epoch} at ${last.startOffset}`);
    }
    this.entries.push({ epoch, startOffset });
  }

  /** Forgets everything: the log now starts at `startOffset` in `epoch` (a fetched snapshot replaced it). */
  reset(epoch: number, startOffset: number): void {
    this.entries = [{ epoch, startOffset }];
  }

  /** Forgets epochs that start at or after `endOffset` (the log was truncated there). */
  truncateFromEnd(endOffset: number): void {
    while (this.entries.length > 0 && this.entries.at(-1)!.startOffset >= endOffset) this.entries.pop();
  }

  /**
   * Records that `epoch` held the log from `startOffset`, below every entry: the first entry's epoch
   * starts earlier, or an older epoch goes in front (a log whose start came back below where its
   * cached epochs begin; see PartitionLog's load).
   */
  extendBack(epoch: number, startOffset: number): void {
    const first = this.entries[0];
    if (first !== undefined && (epoch > first.epoch || startOffset >= first.startOffset)) {
      throw new RangeError(`epoch cache: epoch ${epoch} at ${startOffset} before epoch ${first.epoch} at ${first.startOffset}`);
    }
    if (first !== undefined && first.epoch === epoch) first.startOffset = startOffset;
    else this.entries.unshift({ epoch, startOffset });
  }

  /**
   * Forgets what lies before `startOffset` (the log start moved there, e.g. after a snapshot whose
   * last entry has `epochAtStart`): older epochs go, and no epoch starts before the new log start.
   */
  truncateFromStart(startOffset: number, epochAtStart: number): void {
    const kept = this.entries.filter((e) => e.epoch >= epochAtStart).map((e) => ({ epoch: e.epoch, startOffset: Math.max(e.startOffset, startOffset) }));
    if (kept.length === 0 || kept[0]!.epoch !== epochAtStart) kept.unshift({ epoch: epochAtStart, startOffset });
    this.entries = kept;
  }

  /**
   * The largest epoch <= `epoch` and the offset where it ends (the start of the next epoch, or the
   * log end for the latest epoch). For an epoch older than all, the cache's "no epoch" and the log start.
   */
  endOffsetFor(epoch: number, logStartOffset: number, logEndOffset: number): OffsetAndEpoch {
    let found = -1;
    for (let i = this.entries.length - 1; i >= 0; i--) {
      if (this.entries[i]!.epoch <= epoch) {
        found = i;
        break;
      }
    }
    if (found < 0) return { epoch: this.noEpoch, endOffset: this.entries[0]?.startOffset ?? logStartOffset };
    const next = this.entries[found + 1];
    return { epoch: this.entries[found]!.epoch, endOffset: next === undefined ? logEndOffset : next.startOffset };
  }

  /**
   * Where a fetcher's log parts from this one (the leader's side, KIP-595 / KIP-320): null when
   * entries up to `fetchOffset` in `lastFetchedEpoch` are consistent with this log, otherwise the
   * largest epoch at or below it and where that epoch ends here.
   */
  divergence(fetchOffset: number, lastFetchedEpoch: number, logStartOffset: number, logEndOffset: number): OffsetAndEpoch | null {
    const end = this.endOffsetFor(lastFetchedEpoch, logStartOffset, logEndOffset);
    return end.epoch !== lastFetchedEpoch || end.endOffset < fetchOffset ? end : null;
  }

  /**
   * Where a follower truncates when its leader reports `diverging` (the follower's side, Kafka's
   * fetcher rule): to the end of the common epoch; when this log lacks the leader's epoch, to the
   * end of its own largest epoch below it (the next fetch narrows it down); when the leader holds no
   * epoch at or below the one asked for, to where the leader's log starts.
   */
  truncationOffsetFor(diverging: OffsetAndEpoch, logStartOffset: number, logEndOffset: number): number {
    if (diverging.epoch === this.noEpoch) return Math.min(diverging.endOffset, logEndOffset);
    const own = this.endOffsetFor(diverging.epoch, logStartOffset, logEndOffset);
    return own.epoch === diverging.epoch ? Math.min(own.endOffset, diverging.endOffset) : own.endOffset;
  }

  /** The cache's entries, oldest first (for snapshots of state and for tests). */
  toArray(): Array<{ epoch: number; startOffset: number }> {
    return this.entries.map((e) => ({ ...e }));
  }
}
