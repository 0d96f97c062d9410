// A partition's log (Kafka's UnifiedLog): segments named by base offset under the partition's
// directory, each with a sparse offset index and a time index (core/log/segment.ts); rolling on
// segment.bytes, segment.ms and a full index; the log start and end offsets, the recovery point
// (what an fsync made durable), the leader-epoch cache (KIP-101) kept in leader-epoch-checkpoint,
// truncation, and recovery without a clean-shutdown marker: segments below the recovery point are
// trusted, the rest re-validated frame by frame, a torn or foreign tail cut; the aborted
// transactions of each segment (core/log/txn-index.ts), which the partition adds and, for the
// recovered segments, rebuilds from its producer state. The high watermark is
// the replica's business, not the log's; it is checkpointed beside the log by the replica manager.

import type { OffsetAndEpoch } from '../protocol/quorum.ts';
import { lastOffsetOf, recordTimestamp, type RecordBatch } from '../protocol/records.ts';
import type { Storage } from '../storage.ts';
import { integers, readCheckpoint, writeCheckpoint } from './checkpoint-file.ts';
import { EpochCache, UNDEFINED_EPOCH } from './epoch-cache.ts';
import { DEFAULT_LOG_CONFIG, type LogConfig } from './log-config.ts';
import { frameOf } from './log-frame.ts';
import { TAIL_CACHE_BYTES } from './tail-cache.ts';
import { installSwap, pendingSwaps, writeSwap } from './segment-swap.ts';
import { baseOffsetOfFile, LogSegment, type SegmentInfo, type StoredBatch } from './segment.ts';
import type { AbortedTxn } from './txn-index.ts';

export type { SegmentInfo, StoredBatch } from './segment.ts';

/** What the log reports as it changes (wired to the trace by the replica). */
export interface PartitionLogObserver {
  appended(batches: readonly StoredBatch[]): void;
  truncated(endOffset: number): void;
  /** A new segment starts at `baseOffset` (the partition snapshots its producer state there). */
  rolled?(baseOffset: number): void;
}

export interface OpenOptions {
  /** The checkpointed recovery point: segments wholly below it are trusted without re-reading. */
  recoveryPoint?: number;
  /** The checkpointed log start offset (DeleteRecords and retention move it). */
  logStartOffset?: number;
  /** Bytes of the active segment kept decoded in memory (core/log/tail-cache.ts). */
  tailCacheBytes?: number;
}

export const LEADER_EPOCH_CHECKPOINT = 'leader-epoch-checkpoint';

export class PartitionLog {
  /** Ascending by base offset; never empty (the last is the active segment). */
  private segments: LogSegment[] = [];
  private readonly epochs = new EpochCache(UNDEFINED_EPOCH);
  private startOffset = 0;
  /** Batches below this offset are durable (Kafka's recovery point). */
  flushedEnd = 0;
  /** Records appended since the last flush (for flush.messages). */
  unflushedMessages = 0;
  /** Segments with writes not yet fsynced. */
  private readonly dirty = new Set<LogSegment>();
  private tailCacheBytes = TAIL_CACHE_BYTES;
  /** Where opening re-read the log (the first recovered segment's base): the aborted-transaction indexes from here on are empty until rebuilt. */
  private recoveredFrom = 0;

  private constructor(
    readonly storage: Storage,
    /** The partition's directory, e.g. `orders-0`. */
    readonly dir: string,
    private readonly observer: PartitionLogObserver,
    private logConfig: LogConfig,
  ) {}

  /** The segment settings the log rolls by. */
  get config(): LogConfig {
    return this.logConfig;
  }

  /** Opens the log from storage, recovering what lies past the recovery point; reports the bytes cut. */
  static open(
    storage: Storage,
    dir: string,
    observer: PartitionLogObserver,
    config: LogConfig = DEFAULT_LOG_CONFIG,
    options: OpenOptions = {},
  ): { log: PartitionLog; tornBytes: number } {
    const log = new PartitionLog(storage, dir, observer, config);
    if (options.tailCacheBytes !== undefined) log.tailCacheBytes = options.tailCacheBytes;
    const tornBytes = log.load(options);
    return { log, tornBytes };
  }

  private load(options: OpenOptions): number {
    this.finishSwaps();
    const bases = this.segmentFiles();
    const checkpoint = this.readEpochCheckpoint();
    // Without the epoch checkpoint the epochs of trusted segments would be unknown: recover everything.
    const recoveryPoint = checkpoint === null ? 0 : Math.max(0, options.recoveryPoint ?? 0);
    if (checkpoint !== null) for (const e of checkpoint) this.epochs.assign(e.epoch, e.startOffset);
    this.segments = bases.map((base) => this.newSegment(base));
    let firstRecovered = 0;
    while (firstRecovered + 1 < this.segments.length && this.segments[firstRecovered + 1]!.baseOffset <= recoveryPoint) firstRecovered++;
    for (let i = 0; i < firstRecovered; i++) this.segments[i]!.load(this.segments[i + 1]!.baseOffset, this.storage.wireBatches);
    let tornBytes = 0;
    if (this.segments.length > 0) {
      // Where the checkpoint says each epoch starts: compaction may have removed an epoch's first
      // records, and the first batch left of it starts later (Kafka keeps the checkpoint's entries).
      const checkpointed = new Map((checkpoint ?? []).map((e) => [e.epoch, e.startOffset]));
      this.epochs.truncateFromEnd(this.segments[firstRecovered]!.baseOffset);
      let next = this.segments[firstRecovered]!.baseOffset;
      this.recoveredFrom = next;
      let epoch = this.epochs.latestEpoch;
      const accept = (batch: RecordBatch): boolean => {
        if (batch.baseOffset < next || batch.partitionLeaderEpoch < epoch) return false;
        const known = checkpointed.get(batch.partitionLeaderEpoch);
        this.epochs.assign(batch.partitionLeaderEpoch, known !== undefined && known >= next && known < batch.baseOffset ? known : batch.baseOffset);
        next = lastOffsetOf(batch) + 1;
        epoch = batch.partitionLeaderEpoch;
        return true;
      };
      for (let i = firstRecovered; i < this.segments.length; i++) {
        const segment = this.segments[i]!;
        const cut = segment.recover(this.storage.wireBatches, accept, i === this.segments.length - 1);
        tornBytes += cut;
        // Past the recovery point nothing is known to be durable: the next flush fsyncs it.
        this.dirty.add(segment);
        if (cut > 0 && i < this.segments.length - 1) {
          // Kafka's rule: once a segment had to be cut, every later segment goes too.
          for (const later of this.segments.splice(i + 1)) {
            tornBytes += this.storage.size(later.logFile);
            later.delete();
          }
          segment.activate(this.storage.wireBatches);
        }
      }
    }
    const start = Math.max(options.logStartOffset ?? 0, this.segments[0]?.baseOffset ?? 0);
    if (this.segments.length === 0 || this.logEndOffset < start) this.resetSegments(start);
    this.recoveredFrom = Math.max(this.recoveredFrom, this.segments[0]!.baseOffset);
    this.startOffset = start;
    this.dropSegmentsBelowStart();
    this.epochs.truncateFromEnd(this.logEndOffset);
    this.trimEpochsToStart();
    this.coverEpochsFromStart();
    const epochs = this.epochs.toArray();
    if (checkpoint === null ? epochs.length > 0 : !sameEntries(checkpoint, epochs)) this.writeEpochCheckpoint();
    this.flushedEnd = Math.min(recoveryPoint, this.logEndOffset);
    return tornBytes;
  }

  /**
   * Gives the batches between the log start and the first cached epoch their epochs. The epoch
   * checkpoint is written when the log start moves, the log-start checkpoint only on its timer, so a
   * crash between them brings back a log start below where the cached epochs begin; left so, an
   * epoch older than every one cached would end past records this log still serves, and a follower
   * holding other records there would not be told to truncate them (explorer, storage-nemesis seed 853).
   */
  private coverEpochsFromStart(): void {
    const first = this.epochs.toArray()[0];
    if (first === undefined || first.startOffset <= this.startOffset) return;
    const below: RecordBatch[] = [];
    this.forEachBatchFrom(this.startOffset, (stored) => {
      if (stored.batch.baseOffset >= first.startOffset) return false;
      below.push(stored.batch);
      return true;
    });
    for (let i = below.length - 1; i >= 0; i--) this.epochs.extendBack(below[i]!.partitionLeaderEpoch, Math.max(below[i]!.baseOffset, this.startOffset));
  }

  /** Finishes replacing segments with the cleaned segment a crash left as a swap file (core/log/segment-swap.ts). */
  private finishSwaps(): void {
    for (const swap of pendingSwaps(this.storage, this.dir)) {
      const replaced = this.segmentFiles().filter((base) => base >= swap.baseOffset && base < swap.endOffset);
      installSwap(this.storage, this.dir, swap, replaced);
    }
  }

  /**
   * Replaces consecutive closed segments, from the one at `baseOffset` up to (not including) the one
   * at `endOffset`, with one segment holding `batches` (what the cleaner kept of them: offsets a
   * subset of theirs, in order), crash-safely through a swap file. Returns the new segment's size.
   */
  replaceSegments(baseOffset: number, endOffset: number, batches: readonly RecordBatch[]): number {
    const first = this.segments.findIndex((s) => s.baseOffset === baseOffset);
    const end = this.segments.findIndex((s) => s.baseOffset === endOffset);
    if (first < 0 || end <= first || end > this.segments.length - 1) {
      throw new RangeError(`${this.dir}: no closed segments from ${baseOffset} to ${endOffset} to replace`);
    }
    let previous = baseOffset - 1;
    for (const b of batches) {
      if (b.baseOffset <= previous || lastOffsetOf(b) >= endOffset) throw new RangeError(`${this.dir}: cleaned batch at ${b.baseOffset} out of order or range`);
      previous = lastOffsetOf(b);
    }
    const wire = this.storage.wireBatches;
    const swap = writeSwap(
      this.storage,
      this.dir,
      baseOffset,
      endOffset,
      batches.map((b) => frameOf(b, wire).frame),
    );
    const replaced = this.segments.slice(first, end);
    for (const s of replaced) this.dirty.delete(s);
    installSwap(
      this.storage,
      this.dir,
      swap,
      replaced.map((s) => s.baseOffset),
    );
    const cleaned = this.newSegment(baseOffset);
    cleaned.load(endOffset, wire);
    cleaned.fsync(true);
    this.segments.splice(first, end - first, cleaned);
    return cleaned.size;
  }

  /** Base offsets of the segments in the directory, ascending; index files without their log are deleted. */
  private segmentFiles(): number[] {
    const logs = new Set<number>();
    const orphans: string[] = [];
    const prefix = `${this.dir}/`;
    for (const name of this.storage.list()) {
      if (!name.startsWith(prefix)) continue;
      const parsed = baseOffsetOfFile(name);
      if (parsed === null) continue;
      if (parsed.suffix === '.log') logs.add(parsed.baseOffset);
      else orphans.push(name);
    }
    for (const name of orphans) if (!logs.has(baseOffsetOfFile(name)!.baseOffset)) this.storage.delete(name);
    return [...logs].sort((a, b) => a - b);
  }

  private newSegment(baseOffset: number): LogSegment {
    return new LogSegment(this.storage, this.dir, baseOffset, this.logConfig, this.tailCacheBytes);
  }

  private get active(): LogSegment {
    return this.segments[this.segments.length - 1]!;
  }

  get logStartOffset(): number {
    return this.startOffset;
  }

  get logEndOffset(): number {
    return this.active.nextOffset;
  }

  /** Kafka's recovery point: every batch below it is durable. */
  get recoveryPoint(): number {
    return this.flushedEnd;
  }

  /** The leader epoch of the last batch (the epoch a follower reports as last fetched); -1 when empty. */
  get lastEpoch(): number {
    // A log whose every batch was deleted reports none: a follower at its leader's log start then
    // fetches without a divergence check, which the leader could not answer (its epochs before the
    // start are gone) and which would otherwise send it back to the same offset forever.
    return this.isEmpty ? UNDEFINED_EPOCH : this.epochs.latestEpoch;
  }

  /** Whether the log holds no batch. */
  get isEmpty(): boolean {
    return this.logEndOffset === this.startOffset;
  }

  /** Every batch held, oldest first (read from the files for closed segments). */
  storedBatches(): readonly StoredBatch[] {
    if (this.segments.length === 1) return this.active.all(this.storage.wireBatches).filter((s) => lastOffsetOf(s.batch) >= this.startOffset);
    return this.segments.flatMap((s) => s.all(this.storage.wireBatches)).filter((s) => lastOffsetOf(s.batch) >= this.startOffset);
  }

  segmentInfos(): SegmentInfo[] {
    return this.segments.map((s, i) => s.info(i === this.segments.length - 1));
  }

  /**
   * segmentInfos with each segment's first batch's max timestamp (-1 when empty), which
   * max.compaction.lag.ms counts from: a trusted segment's first frame is read once for it.
   */
  segmentSummaries(): Array<SegmentInfo & { firstBatchTimestamp: number }> {
    const wire = this.storage.wireBatches;
    return this.segments.map((s, i) => ({ ...s.info(i === this.segments.length - 1), firstBatchTimestamp: s.firstBatchTimestamp(wire) }));
  }

  /** The batches of the segment at `baseOffset`, oldest first (what the cleaner reads). */
  segmentBatches(baseOffset: number): StoredBatch[] {
    const segment = this.segments.find((s) => s.baseOffset === baseOffset);
    if (segment === undefined) throw new RangeError(`${this.dir}: no segment at ${baseOffset}`);
    return segment.all(this.storage.wireBatches);
  }

  setConfig(config: LogConfig): void {
    this.logConfig = config;
    for (const s of this.segments) s.setConfig(config);
  }

  epochStartOffset(epoch: number): number | null {
    return this.epochs.startOffsetOf(epoch);
  }

  endOffsetForEpoch(epoch: number): OffsetAndEpoch {
    return this.epochs.endOffsetFor(epoch, this.startOffset, this.logEndOffset);
  }

  /** Where a fetcher at `fetchOffset` whose last batch was in `lastFetchedEpoch` parts from this log, or null. */
  divergence(fetchOffset: number, lastFetchedEpoch: number): OffsetAndEpoch | null {
    const first = this.epochs.toArray()[0];
    // A log whose records below its start were deleted knows no epoch of them. Kafka's endOffsetFor:
    // an epoch older than every one left ends where the first one left starts; with none left (every
    // record deleted), whatever a fetcher holds up to the log end is what was deleted here.
    if (first === undefined && this.startOffset > 0) return null;
    if (first !== undefined && lastFetchedEpoch < first.epoch && first.startOffset <= this.startOffset) {
      return fetchOffset <= first.startOffset ? null : { epoch: lastFetchedEpoch, endOffset: first.startOffset };
    }
    return this.epochs.divergence(fetchOffset, lastFetchedEpoch, this.startOffset, this.logEndOffset);
  }

  /** Where this log truncates when its leader reports `diverging`. */
  truncationOffsetFor(diverging: OffsetAndEpoch): number {
    return this.epochs.truncationOffsetFor(diverging, this.startOffset, this.logEndOffset);
  }

  /**
   * Appends batches whose offsets are assigned (by the leader or fetched from it). Not durable until
   * flush. `gaps`: offsets may be skipped (a follower copying a leader's cleaned log, as Kafka's
   * follower append allows); a leader's own appends continue the log exactly.
   */
  append(batches: readonly RecordBatch[], gaps = false): void {
    if (batches.length === 0) return;
    let next = this.logEndOffset;
    let epoch = this.lastEpoch;
    for (const batch of batches) {
      if (gaps ? batch.baseOffset < next : batch.baseOffset !== next)
        throw new RangeError(`${this.dir}: batch at ${batch.baseOffset} does not continue the log at ${next}`);
      if (batch.partitionLeaderEpoch < epoch) throw new RangeError(`${this.dir}: batch epoch ${batch.partitionLeaderEpoch} below ${epoch}`);
      next = lastOffsetOf(batch) + 1;
      epoch = batch.partitionLeaderEpoch;
    }
    const wire = this.storage.wireBatches;
    const frames = batches.map((b) => frameOf(b, wire));
    let incoming = 0;
    for (const f of frames) incoming += f.frame.length;
    if (this.active.shouldRoll(incoming, batches[0]!.maxTimestamp, next - 1)) this.roll();
    const added: StoredBatch[] = [];
    const latestEpoch = this.epochs.latestEpoch;
    for (let i = 0; i < batches.length; i++) {
      const batch = batches[i]!;
      // Each batch's frame is appended as it is: the same immutable array on every replica.
      added.push(this.active.append(batch, frames[i]!.frame, frames[i]!.hash));
      this.epochs.assign(batch.partitionLeaderEpoch, batch.baseOffset);
      this.unflushedMessages += batch.lastOffsetDelta + 1;
    }
    this.dirty.add(this.active);
    if (this.epochs.latestEpoch !== latestEpoch) this.writeEpochCheckpoint();
    this.observer.appended(added);
  }

  /**
   * Closes the active segment and starts a new one at the log end (Kafka's roll): the closed
   * segment's time index gets its last entry and everything below the new segment is flushed, which
   * moves the recovery point there. A no-op while the active segment is empty.
   */
  roll(): void {
    if (this.active.isEmpty) return;
    this.active.close();
    this.segments.push(this.newSegment(this.logEndOffset));
    this.createActiveFile();
    this.flush();
    this.observer.rolled?.(this.logEndOffset);
  }

  /** Makes every appended batch durable. May throw StorageError. */
  flush(): void {
    if (this.flushedEnd === this.logEndOffset && this.unflushedMessages === 0 && this.dirty.size === 0) return;
    // A closed segment's indexes must be durable (recovery trusts them below the recovery point);
    // the active segment's are rebuilt by every recovery, as Kafka's are.
    for (const segment of this.dirty) segment.fsync(segment !== this.active);
    this.dirty.clear();
    this.flushedEnd = this.logEndOffset;
    this.unflushedMessages = 0;
  }

  /**
   * Moves the log start offset to `offset` (DeleteRecords, retention); never backwards or past the
   * log end. Segments wholly below it are deleted. Returns whether it moved.
   */
  advanceLogStartOffset(offset: number): boolean {
    const target = Math.min(offset, this.logEndOffset);
    if (target <= this.startOffset) return false;
    this.startOffset = target;
    this.dropSegmentsBelowStart();
    const before = this.epochs.toArray();
    this.trimEpochsToStart();
    if (!sameEntries(before, this.epochs.toArray())) this.writeEpochCheckpoint();
    return true;
  }

  /** Forgets the epochs of records below the log start; the epoch holding it keeps its entry, moved up to it (Kafka's truncateFromStart). */
  private trimEpochsToStart(): void {
    const holding = this.epochs
      .toArray()
      .filter((e) => e.startOffset <= this.startOffset)
      .at(-1);
    if (holding !== undefined) this.epochs.truncateFromStart(this.startOffset, holding.epoch);
  }

  /** Deletes segments whose every offset lies below the log start (never the active one). */
  private dropSegmentsBelowStart(): void {
    while (this.segments.length > 1 && this.segments[1]!.baseOffset <= this.startOffset) {
      const gone = this.segments.shift()!;
      this.dirty.delete(gone);
      gone.delete();
    }
  }

  /**
   * Removes everything at or after `offset`. A batch straddling it goes whole, as Kafka truncates
   * a segment at the start of the batch holding the offset.
   */
  truncateTo(offset: number): void {
    if (offset >= this.logEndOffset) return;
    if (offset < this.startOffset || offset <= this.segments[0]!.baseOffset) {
      // Nothing is left: the log starts again there (Kafka's truncateTo below the log start).
      this.resetSegments(offset);
      this.startOffset = offset;
    } else {
      while (this.segments.length > 1 && this.active.baseOffset >= offset) {
        const gone = this.segments.pop()!;
        this.dirty.delete(gone);
        gone.delete();
      }
      this.active.truncateTo(offset, this.storage.wireBatches);
      this.dirty.add(this.active);
      this.startOffset = Math.min(this.startOffset, this.logEndOffset);
    }
    this.epochs.truncateFromEnd(this.logEndOffset);
    this.writeEpochCheckpoint();
    this.flushedEnd = Math.min(this.flushedEnd, this.logEndOffset);
    this.observer.truncated(this.logEndOffset);
  }

  /**
   * Empties the log and starts it again at `offset`, which may lie past the old log end (a follower
   * whose leader's log now starts beyond it) or below the old start (Kafka's truncateFullyAndStartAt).
   * The observer hears nothing: the caller reports the new log start.
   */
  truncateFullyAndStartAt(offset: number): void {
    this.resetSegments(offset);
    this.startOffset = offset;
    this.epochs.truncateFromEnd(-1);
    this.writeEpochCheckpoint();
    this.flushedEnd = offset;
    this.unflushedMessages = 0;
  }

  /** Deletes every segment and starts one, empty, at `baseOffset`. */
  private resetSegments(baseOffset: number): void {
    for (const s of this.segments) s.delete();
    this.dirty.clear();
    this.segments = [this.newSegment(baseOffset)];
    this.createActiveFile();
  }

  /** An empty active segment's file exists durably, so a restart finds where the log ends (a log at 0 needs none). */
  private createActiveFile(): void {
    if (this.active.baseOffset === 0) return;
    this.storage.append(this.active.logFile, new Uint8Array(0));
    this.storage.fsync(this.active.logFile);
  }

  /** Deletes every file of the log's directory (its topic was deleted). */
  deleteFiles(): void {
    this.segments = [this.newSegment(this.startOffset)];
    this.dirty.clear();
    const prefix = `${this.dir}/`;
    for (const name of this.storage.list()) if (name.startsWith(prefix)) this.storage.delete(name);
  }

  /** Where opening re-read the log, for the one who rebuilds its aborted-transaction indexes (once: Infinity after). */
  takeRecoveredFrom(): number {
    const from = this.recoveredFrom;
    this.recoveredFrom = Infinity;
    return from;
  }

  /** Records a transaction aborted by the marker at `entry.lastOffset` in the index of the segment holding it. */
  appendAbortedTxn(entry: AbortedTxn): void {
    this.segments[this.segmentIndexFor(entry.lastOffset)]!.txnIndex.append(entry);
  }

  /**
   * Kafka's collectAbortedTransactions: the aborted transactions overlapping [fetchOffset, upperBound),
   * from the segment holding `fetchOffset` on, until an entry shows no later one can overlap.
   */
  collectAbortedTxns(fetchOffset: number, upperBound: number): AbortedTxn[] {
    const out: AbortedTxn[] = [];
    for (let i = this.segmentIndexFor(fetchOffset); i < this.segments.length; i++) {
      const { aborted, complete } = this.segments[i]!.txnIndex.collect(fetchOffset, upperBound);
      out.push(...aborted);
      if (complete) break;
    }
    return out;
  }

  /** Every aborted transaction indexed, in marker order (tests and the cleaner). */
  abortedTxns(): AbortedTxn[] {
    return this.segments.flatMap((s) => s.txnIndex.all());
  }

  /**
   * Batches holding offsets from `fromOffset` up to (not including) `upTo`, up to about
   * `maxBytes` but always at least one batch when there is one (KIP-74).
   */
  read(fromOffset: number, upTo: number, maxBytes: number): RecordBatch[] {
    const out: RecordBatch[] = [];
    let bytes = 0;
    const visit = (stored: StoredBatch): boolean => {
      // High watermarks fall on batch boundaries (every replica appends whole batches).
      if (stored.batch.baseOffset >= upTo || lastOffsetOf(stored.batch) >= upTo) return false;
      if (out.length > 0 && bytes + stored.bytes > maxBytes) return false;
      out.push(stored.batch);
      bytes += stored.bytes;
      // Full: no next batch could fit, so none is read to find that out.
      return bytes < maxBytes;
    };
    this.forEachBatchFrom(fromOffset, visit, maxBytes);
    return out;
  }

  /** Visits the batches whose last offset is at or after `offset`, across segments, until `visit` returns false. */
  private forEachBatchFrom(offset: number, visit: (stored: StoredBatch) => boolean, wantBytes?: number): void {
    const wire = this.storage.wireBatches;
    for (let i = this.segmentIndexFor(offset); i < this.segments.length; i++) {
      if (this.segments[i]!.forEachFrom(offset, visit, wire, wantBytes)) return;
    }
  }

  /** The first offset at or after the log start whose record has a timestamp at or after `timestamp`, or null. */
  offsetForTimestamp(timestamp: number): { offset: number; timestamp: number; epoch: number } | null {
    const wire = this.storage.wireBatches;
    for (const segment of this.segments) {
      if (segment.maxTimestampSoFar < timestamp) continue;
      const from = Math.max(segment.timeIndex.lookup(timestamp), this.startOffset);
      let found: { offset: number; timestamp: number; epoch: number } | null = null;
      segment.forEachFrom(
        from,
        ({ batch }) => {
          if (batch.maxTimestamp < timestamp) return true;
          for (const r of batch.records) {
            const ts = recordTimestamp(batch, r);
            const offset = batch.baseOffset + r.offsetDelta;
            if (ts >= timestamp && offset >= from) {
              found = { offset, timestamp: ts, epoch: batch.partitionLeaderEpoch };
              return false;
            }
          }
          return true;
        },
        wire,
        0,
      );
      if (found !== null) return found;
    }
    return null;
  }

  /** Bytes held (for retention by size and for fetch limits). */
  get sizeInBytes(): number {
    let size = 0;
    for (const s of this.segments) size += s.size;
    return size;
  }

  /** The segment holding `offset`: the last whose base offset is at or below it (the first when none is). */
  private segmentIndexFor(offset: number): number {
    let lo = 0;
    let hi = this.segments.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.segments[mid]!.baseOffset <= offset) lo = mid + 1;
      else hi = mid;
    }
    return Math.max(0, lo - 1);
  }

  private readEpochCheckpoint(): Array<{ epoch: number; startOffset: number }> | null {
    const entries = readCheckpoint(this.storage, `${this.dir}/${LEADER_EPOCH_CHECKPOINT}`, 2);
    if (entries === null) return null;
    const out: Array<{ epoch: number; startOffset: number }> = [];
    for (const fields of entries) {
      const numbers = integers(fields);
      if (numbers === null) return null;
      const [epoch, startOffset] = numbers as [number, number];
      const last = out.at(-1);
      if (last !== undefined && (epoch <= last.epoch || startOffset < last.startOffset)) return null;
      out.push({ epoch, startOffset });
    }
    return out;
  }

  private writeEpochCheckpoint(): void {
    writeCheckpoint(
      this.storage,
      `${this.dir}/${LEADER_EPOCH_CHECKPOINT}`,
      this.epochs.toArray().map((e) => [e.epoch, e.startOffset]),
    );
  }
}

function sameEntries(a: ReadonlyArray<{ epoch: number; startOffset: number }>, b: ReadonlyArray<{ epoch: number; startOffset: number }>): boolean {
  return a.length === b.length && a.every((e, i) => e.epoch === b[i]!.epoch && e.startOffset === b[i]!.startOffset);
}
