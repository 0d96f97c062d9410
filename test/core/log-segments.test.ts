// The segmented partition log: rolls on segment.bytes, segment.ms and full indexes; reads and
// timestamp lookups by sparse index across segments, checked against a plain list of every batch;
// recovery that trusts segments below the recovery point and rebuilds bad indexes; the log start
// offset deleting whole segments; truncation across segments.
import { describe, expect, it } from 'vitest';
import type { LogConfig } from '../../core/log/log-config.ts';
import { DEFAULT_LOG_CONFIG } from '../../core/log/log-config.ts';
import { PartitionLog, type PartitionLogObserver } from '../../core/log/partition-log.ts';
import { lastOffsetOf, type RecordBatch } from '../../core/protocol/records.ts';
import type { Storage } from '../../core/storage.ts';
import { SimStorage } from '../../sim/disk.ts';
import { Rng } from '../../sim/random.ts';
import { recordBatch } from './batches.ts';

const DIR = 'orders-0';
const quiet: PartitionLogObserver = { appended() {}, truncated() {} };
const SMALL: LogConfig = { ...DEFAULT_LOG_CONFIG, segmentBytes: 2_000, indexIntervalBytes: 300 };

function open(storage: Storage, config: LogConfig = SMALL, options = {}): PartitionLog {
  return PartitionLog.open(storage, DIR, quiet, config, options).log;
}

/** Appends `n` batches of 1-5 records with rising timestamps (ties included); returns every batch appended. */
function fill(log: PartitionLog, n: number, rng: Rng, epoch = 0, ts = { now: 10_000 }): RecordBatch[] {
  const out: RecordBatch[] = [];
  for (let i = 0; i < n; i++) {
    ts.now += rng.int(3);
    const b = recordBatch({ count: 1 + rng.int(5), baseOffset: log.logEndOffset, epoch, ts: ts.now, value: (k) => `value-${log.logEndOffset + k}` });
    log.append([b]);
    out.push(b);
  }
  return out;
}

const span = (batches: readonly RecordBatch[]) => batches.map((b) => [b.baseOffset, lastOffsetOf(b)]);

/** What a read from `from` must return from a plain list: whole batches from the one holding it, at least one, about maxBytes. */
function expectedRead(all: readonly RecordBatch[], from: number, upTo: number, count: number): number[][] {
  return span(all.filter((b) => lastOffsetOf(b) >= from && lastOffsetOf(b) < upTo).slice(0, count));
}

function segmentFiles(storage: SimStorage): string[] {
  return storage.list().filter((f) => f.startsWith(`${DIR}/0`));
}

describe('PartitionLog segments: rolling', () => {
  it('rolls before an append would pass segment.bytes; files are named by base offset, with both indexes', () => {
    const storage = new SimStorage();
    const log = open(storage);
    const all = fill(log, 200, new Rng('roll'));
    const infos = log.segmentInfos();
    expect(infos.length).toBeGreaterThan(3);
    for (const [i, s] of infos.entries()) {
      expect(s.sizeInBytes).toBeLessThanOrEqual(SMALL.segmentBytes);
      expect(s.active).toBe(i === infos.length - 1);
      if (i > 0) expect(s.baseOffset).toBe(infos[i - 1]!.nextOffset);
    }
    expect(infos.at(-1)!.nextOffset).toBe(lastOffsetOf(all.at(-1)!) + 1);
    const names = segmentFiles(storage);
    for (const s of infos.slice(0, -1)) {
      const base = String(s.baseOffset).padStart(20, '0');
      expect(names).toContain(`${DIR}/${base}.log`);
      expect(names).toContain(`${DIR}/${base}.index`);
      expect(names).toContain(`${DIR}/${base}.timeindex`);
      // The index sizes the cleaner groups segments by are the index files' sizes.
      expect(s.offsetIndexBytes).toBe(storage.size(`${DIR}/${base}.index`));
      expect(s.timeIndexBytes).toBe(storage.size(`${DIR}/${base}.timeindex`));
      expect(s.offsetIndexBytes).toBeGreaterThan(0);
      // A roll flushes what it closes: the recovery point reaches the new segment's base at least.
    }
    expect(log.recoveryPoint).toBeGreaterThanOrEqual(infos.at(-1)!.baseOffset);
  });

  it('rolls once a segment spans segment.ms by its records timestamps, and when an index is full', () => {
    const byTime = open(new SimStorage(), { ...DEFAULT_LOG_CONFIG, segmentMs: 100 });
    for (let i = 0; i < 10; i++) byTime.append([recordBatch({ count: 1, baseOffset: i, epoch: 0, ts: 1_000 + i * 60 })]);
    // 0..1 span 60 ms; the batch at 120 ms past the first rolls; and so on every third batch.
    expect(byTime.segmentInfos().map((s) => s.baseOffset)).toEqual([0, 2, 4, 6, 8]);
    const byIndex = open(new SimStorage(), { ...DEFAULT_LOG_CONFIG, indexIntervalBytes: 0, segmentIndexBytes: 8 * 4 });
    for (let i = 0; i < 20; i++) byIndex.append([recordBatch({ count: 1, baseOffset: i, epoch: 0, ts: 1_000 + i })]);
    // The time index (12-byte entries, its last slot kept for the roll) fills first: 32/12 = 2 slots, 1 usable.
    expect(byIndex.segmentInfos().length).toBeGreaterThan(5);
  });

  it('never rolls an empty segment, even for a batch bigger than segment.bytes', () => {
    const log = open(new SimStorage(), { ...DEFAULT_LOG_CONFIG, segmentBytes: 10 });
    log.append([recordBatch({ count: 3, baseOffset: 0, epoch: 0 })]);
    log.append([recordBatch({ count: 3, baseOffset: 3, epoch: 0 })]);
    expect(log.segmentInfos().map((s) => [s.baseOffset, s.nextOffset])).toEqual([
      [0, 3],
      [3, 6],
    ]);
  });
});

describe('PartitionLog segments: lookups by sparse index', () => {
  for (const [reopen, tailCacheBytes] of [
    [false, undefined],
    [true, undefined],
    [false, 500],
  ] as const) {
    const how = reopen ? ', from the files after a reopen' : tailCacheBytes !== undefined ? ', with the active segment mostly on disk' : '';
    it(`reads from any offset and finds any timestamp as a plain list does${how}`, () => {
      const storage = new SimStorage();
      const rng = new Rng(`reads-${reopen}-${tailCacheBytes}`);
      let log = open(storage, { ...SMALL, segmentBytes: tailCacheBytes === undefined ? SMALL.segmentBytes : 1 << 20 }, { tailCacheBytes });
      const all = fill(log, 300, rng);
      if (reopen) log = open(storage, SMALL, { recoveryPoint: log.recoveryPoint });
      expect(log.segmentInfos().length).toBeGreaterThan(tailCacheBytes === undefined ? 5 : 0);
      const end = log.logEndOffset;
      for (let k = 0; k < 300; k++) {
        const from = rng.int(end + 1);
        const upTo = from + rng.int(end - from + 1);
        const got = log.read(from, upTo, 1 + rng.int(400));
        const want = expectedRead(all, from, upTo, Math.max(1, got.length));
        expect(span(got)).toEqual(want);
        expect(got.map((b) => b.records.map((r) => r.value))).toEqual(
          want.map(([base]) => all.find((b) => b.baseOffset === base)!.records.map((r) => r.value)),
        );
      }
      const records = all.flatMap((b) => b.records.map((r) => ({ offset: b.baseOffset + r.offsetDelta, ts: b.baseTimestamp + r.timestampDelta })));
      for (let k = 0; k < 200; k++) {
        const ts = 9_990 + rng.int(records.at(-1)!.ts - 9_990 + 5);
        const first = records.find((r) => r.ts >= ts);
        const found = log.offsetForTimestamp(ts);
        expect(found === null ? null : [found.offset, found.timestamp]).toEqual(first === undefined ? null : [first.offset, first.ts]);
      }
    });
  }
});

/** A storage that counts reads per file. */
function counting(storage: SimStorage): { storage: Storage; reads: Map<string, number> } {
  const reads = new Map<string, number>();
  const wrapped = Object.create(storage) as SimStorage;
  wrapped.read = (file: string, offset: number, length: number) => {
    reads.set(file, (reads.get(file) ?? 0) + 1);
    return storage.read(file, offset, length);
  };
  return { storage: wrapped, reads };
}

describe('PartitionLog segments: recovery', () => {
  it('trusts segments below the recovery point (their logs unread) and re-reads the rest', () => {
    const storage = new SimStorage();
    const log = open(storage);
    fill(log, 200, new Rng('trust'));
    const recoveryPoint = log.recoveryPoint;
    const { storage: watched, reads } = counting(storage);
    const reopened = open(watched, SMALL, { recoveryPoint });
    const infos = reopened.segmentInfos();
    const trusted = infos.filter((s) => s.nextOffset <= recoveryPoint && !s.active);
    expect(trusted.length).toBeGreaterThan(2);
    for (const s of trusted) expect(reads.get(`${DIR}/${String(s.baseOffset).padStart(20, '0')}.log`)).toBeUndefined();
    expect(reads.get(`${DIR}/${String(infos.at(-1)!.baseOffset).padStart(20, '0')}.log`)).toBeGreaterThan(0);
    expect(reopened.logEndOffset).toBe(log.logEndOffset);
    expect(reopened.segmentInfos()).toEqual(log.segmentInfos());
  });

  it('rebuilds an index that fails its sanity check or is missing, and reads stay right', () => {
    const storage = new SimStorage();
    const log = open(storage);
    const all = fill(log, 200, new Rng('rebuild'));
    const [first, second] = log.segmentInfos();
    const indexOf = (base: number, suffix: string) => `${DIR}/${String(base).padStart(20, '0')}${suffix}`;
    storage.append(indexOf(first!.baseOffset, '.index'), new Uint8Array([1, 2, 3])); // not a whole entry
    storage.delete(indexOf(second!.baseOffset, '.timeindex'));
    const reopened = open(storage, SMALL, { recoveryPoint: log.recoveryPoint });
    expect(storage.size(indexOf(first!.baseOffset, '.index')) % 8).toBe(0);
    expect(storage.exists(indexOf(second!.baseOffset, '.timeindex'))).toBe(true);
    for (const b of all) expect(span(reopened.read(b.baseOffset, Infinity, 1))).toEqual([[b.baseOffset, lastOffsetOf(b)]]);
    expect(reopened.segmentInfos()).toEqual(log.segmentInfos());
  });

  it('without a leader-epoch checkpoint every segment is re-read, and the epochs come back', () => {
    const storage = new SimStorage();
    const log = open(storage);
    const rng = new Rng('epochs');
    fill(log, 60, rng, 0);
    fill(log, 60, rng, 3);
    storage.delete(`${DIR}/leader-epoch-checkpoint`);
    const reopened = open(storage, SMALL, { recoveryPoint: log.recoveryPoint });
    expect(reopened.endOffsetForEpoch(0)).toEqual(log.endOffsetForEpoch(0));
    expect(reopened.endOffsetForEpoch(3)).toEqual(log.endOffsetForEpoch(3));
    expect(reopened.lastEpoch).toBe(3);
  });
});

describe('PartitionLog segments: log start and truncation', () => {
  it('moving the log start deletes whole segments below it, never the active one, and survives a reopen', () => {
    const storage = new SimStorage();
    const log = open(storage);
    const all = fill(log, 200, new Rng('start'));
    const infos = log.segmentInfos();
    const mid = infos[3]!.baseOffset + 1;
    expect(log.advanceLogStartOffset(mid)).toBe(true);
    expect(log.advanceLogStartOffset(mid - 5)).toBe(false);
    expect(log.logStartOffset).toBe(mid);
    expect(log.segmentInfos()[0]!.baseOffset).toBe(infos[3]!.baseOffset);
    expect(storage.exists(`${DIR}/${String(infos[2]!.baseOffset).padStart(20, '0')}.log`)).toBe(false);
    expect(log.storedBatches()[0]!.batch.baseOffset).toBeLessThanOrEqual(mid);
    const reopened = open(storage, SMALL, { logStartOffset: mid, recoveryPoint: log.recoveryPoint });
    expect(reopened.logStartOffset).toBe(mid);
    expect(span(reopened.read(mid, Infinity, 1))).toEqual(expectedRead(all, mid, Infinity, 1));
    expect(log.advanceLogStartOffset(log.logEndOffset)).toBe(true);
    expect(log.segmentInfos().length).toBe(1);
    expect(log.storedBatches().length).toBeLessThanOrEqual(1);
  });

  it('truncation drops later segments and cuts the one holding the offset; appends continue there', () => {
    const storage = new SimStorage();
    const log = open(storage);
    const rng = new Rng('truncate');
    const all = fill(log, 200, rng);
    const cutAt = all[77]!.baseOffset;
    log.truncateTo(cutAt + 1);
    expect(log.logEndOffset).toBe(lastOffsetOf(all[77]!) + 1 === cutAt + 1 ? cutAt + 1 : cutAt);
    expect(log.segmentInfos().at(-1)!.nextOffset).toBe(log.logEndOffset);
    const more = fill(log, 100, rng, 1, { now: 20_000 });
    const kept = all.filter((b) => lastOffsetOf(b) < log.segmentInfos()[0]!.nextOffset || b.baseOffset < more[0]!.baseOffset);
    const reopened = open(storage, SMALL, { recoveryPoint: log.recoveryPoint });
    expect(span(reopened.read(0, Infinity, 1 << 30))).toEqual(span([...kept, ...more]));
    expect(reopened.endOffsetForEpoch(0).endOffset).toBe(more[0]!.baseOffset);
  });
});

describe('PartitionLog segments: replacing segments with cleaned ones (swap files)', () => {
  /** A log of several segments and, for the first three, the batches a cleaner might keep: every other one. */
  function setup() {
    const storage = new SimStorage();
    const log = open(storage);
    const all = fill(log, 200, new Rng('swap'));
    const infos = log.segmentInfos();
    const [from, to] = [infos[0]!.baseOffset, infos[3]!.baseOffset];
    const kept = all.filter((b) => b.baseOffset < to).filter((_, i) => i % 2 === 0);
    const expected = [...kept, ...all.filter((b) => b.baseOffset >= to)];
    return { storage, log, all, from, to, kept, expected };
  }
  const everything = (log: PartitionLog) => span(log.read(0, Infinity, 1 << 30));

  it('the kept batches take the place of the segments, at their own offsets; reads and a reopen agree', () => {
    const { storage, log, from, to, kept, expected } = setup();
    log.replaceSegments(from, to, kept);
    expect(everything(log)).toEqual(span(expected));
    expect(log.segmentInfos()[0]).toMatchObject({ baseOffset: from, nextOffset: to });
    expect(log.segmentInfos()[1]!.baseOffset).toBe(to);
    for (const b of expected) expect(span(log.read(b.baseOffset, Infinity, 1))).toEqual(span([b]));
    expect(storage.list().some((f) => f.endsWith('.swap'))).toBe(false);
    const reopened = open(storage, SMALL, { recoveryPoint: log.recoveryPoint });
    expect(everything(reopened)).toEqual(span(expected));
    expect(reopened.segmentInfos()).toEqual(log.segmentInfos());
  });

  it('refuses batches out of the replaced range or order, and a range that is not closed segments', () => {
    const { log, all, from, to, kept } = setup();
    expect(() => log.replaceSegments(from, to, [...kept, all.find((b) => b.baseOffset >= to)!])).toThrow(/out of order or range/);
    expect(() => log.replaceSegments(from, to, [...kept].reverse())).toThrow(/out of order or range/);
    expect(() => log.replaceSegments(from, log.logEndOffset + 1, kept)).toThrow(/no closed segments/);
  });

  it('a crash after the swap file is complete, before or during its install, is finished by the next open', async () => {
    const { writeSwap, installSwap } = await import('../../core/log/segment-swap.ts');
    const { frameOf } = await import('../../core/log/log-frame.ts');
    for (const stage of ['swap written', 'old segments half deleted', 'log written, swap not deleted']) {
      const { storage, log, from, to, kept, expected } = setup();
      log.flush();
      const swap = writeSwap(
        storage,
        DIR,
        from,
        to,
        kept.map((b) => frameOf(b, undefined).frame),
      );
      const bases = log
        .segmentInfos()
        .filter((s) => s.baseOffset >= from && s.baseOffset < to)
        .map((s) => s.baseOffset);
      if (stage === 'old segments half deleted') for (const base of bases.slice(1)) storage.delete(`${DIR}/${String(base).padStart(20, '0')}.log`);
      if (stage === 'log written, swap not deleted') {
        installSwap(storage, DIR, swap, bases);
        storage.replace(swap.file, storage.read(`${DIR}/${String(from).padStart(20, '0')}.log`, 0, 1 << 30));
      }
      storage.crash();
      const reopened = open(storage, SMALL, { recoveryPoint: log.recoveryPoint });
      expect(everything(reopened), stage).toEqual(span(expected));
      expect(
        storage.list().some((f) => f.endsWith('.swap')),
        stage,
      ).toBe(false);
    }
  });
});

describe('PartitionLog segments: what the log cleaner reads', () => {
  it("segmentSummaries give each segment's first batch's max timestamp, a trusted segment's read from its first frame only when asked", () => {
    const storage = new SimStorage();
    const log = open(storage);
    const all = fill(log, 200, new Rng('first-ts'));
    const firsts = log.segmentInfos().map((s) => all.find((b) => b.baseOffset === s.baseOffset)!.maxTimestamp);
    expect(log.segmentSummaries().map((s) => s.firstBatchTimestamp)).toEqual(firsts);
    const { storage: watched, reads } = counting(storage);
    const reopened = open(watched, SMALL, { recoveryPoint: log.recoveryPoint });
    const first = `${DIR}/${'0'.padStart(20, '0')}.log`;
    expect(reads.get(first)).toBeUndefined();
    expect(reopened.segmentSummaries().map((s) => s.firstBatchTimestamp)).toEqual(firsts);
    expect(reads.get(first)).toBeGreaterThan(0);
    expect(reopened.segmentBatches(0).map((s) => s.batch.baseOffset)).toEqual(
      all.filter((b) => b.baseOffset < reopened.segmentInfos()[1]!.baseOffset).map((b) => b.baseOffset),
    );
  });

  it('a follower append may skip offsets (a cleaned leader log), a plain append may not', () => {
    const log = open(new SimStorage());
    log.append([recordBatch({ count: 2 })]);
    const past = recordBatch({ count: 1, baseOffset: 5 });
    expect(() => log.append([past])).toThrow(/does not continue the log at 2/);
    log.append([past], true);
    expect(log.logEndOffset).toBe(6);
    expect(() => log.append([recordBatch({ count: 1, baseOffset: 4 })], true)).toThrow(/does not continue/);
    expect(span(log.read(0, Infinity, Infinity))).toEqual([
      [0, 1],
      [5, 5],
    ]);
  });

  it("a truncation to an offset in a cleaned log's gap ends the log there (Kafka's truncateTo), one inside a batch before that batch", () => {
    const log = open(new SimStorage());
    log.append([recordBatch({ count: 2 })]);
    log.append([recordBatch({ count: 1, baseOffset: 5 }), recordBatch({ count: 3, baseOffset: 6 })], true);
    log.truncateTo(7);
    expect(log.logEndOffset).toBe(6);
    log.truncateTo(4);
    expect(log.logEndOffset).toBe(4);
    expect(span(log.read(0, Infinity, Infinity))).toEqual([[0, 1]]);
    log.append([recordBatch({ count: 1, baseOffset: 4 })]);
    expect(log.logEndOffset).toBe(5);
  });
});

describe('PartitionLog segments: divergence once the log start has passed the old epochs', () => {
  it('an epoch older than every one left is consistent up to where the first one left starts; with every record deleted, up to the log end', () => {
    const storage = new SimStorage();
    const log = open(storage);
    const rng = new Rng('divergence');
    fill(log, 30, rng, 0);
    const epochOneStart = log.logEndOffset;
    fill(log, 30, rng, 1);
    log.advanceLogStartOffset(epochOneStart + 3);
    // A follower whose last batch was in epoch 0 and that fetches at or below where epoch 1 starts here.
    expect(log.divergence(epochOneStart, 0)).toBeNull();
    expect(log.divergence(epochOneStart + 5, 0)).toEqual({ epoch: 0, endOffset: epochOneStart + 3 });
    // Every record deleted, and the log reopened: no epoch is left, and a fetch at the log end is consistent.
    log.advanceLogStartOffset(log.logEndOffset);
    const reopened = open(storage, SMALL, { logStartOffset: log.logEndOffset, recoveryPoint: log.recoveryPoint });
    expect(reopened.lastEpoch).toBe(-1);
    expect(reopened.divergence(reopened.logEndOffset, 0)).toBeNull();
  });

  it("a log start that comes back below the cached epochs (its checkpoint older than the epochs') gets their epochs back from the batches", () => {
    const storage = new SimStorage();
    // The first segment holds both epochs and is closed and flushed: the reopen trusts it, unread.
    const config: LogConfig = { ...SMALL, segmentBytes: 30_000 };
    const log = open(storage, config);
    const rng = new Rng('stale-log-start');
    fill(log, 30, rng, 0);
    const epochThreeStart = log.logEndOffset;
    fill(log, 30, rng, 3);
    log.roll();
    fill(log, 5, rng, 3);
    log.flush();
    // DeleteRecords moved the start into epoch 3 and the epoch checkpoint followed; the log-start checkpoint still says 5.
    log.advanceLogStartOffset(epochThreeStart + 20);
    expect(log.endOffsetForEpoch(0).epoch).toBe(-1);
    const reopened = open(storage, config, { logStartOffset: 5, recoveryPoint: log.recoveryPoint });
    expect(reopened.logStartOffset).toBe(5);
    expect(reopened.endOffsetForEpoch(0)).toEqual({ epoch: 0, endOffset: epochThreeStart });
    // A follower with other records in epoch 0 past where epoch 0 ends here is told to truncate there.
    expect(reopened.divergence(epochThreeStart + 2, 0)).toEqual({ epoch: 0, endOffset: epochThreeStart });
    expect(reopened.divergence(epochThreeStart, 0)).toBeNull();
  });

  it("a recovery keeps the checkpointed start of an epoch whose first batch a clean removed (Kafka keeps the checkpoint's entries)", () => {
    const storage = new SimStorage();
    const log = open(storage, { ...SMALL, segmentBytes: 100_000 });
    const append = (epoch: number, n = 1) => {
      const b = recordBatch({ count: n, baseOffset: log.logEndOffset, epoch });
      log.append([b]);
      return b;
    };
    for (let i = 0; i < 10; i++) append(0);
    const firstOfEpochThree = append(3);
    const rest = Array.from({ length: 10 }, () => append(3));
    log.roll();
    append(3);
    log.flush();
    // The cleaner dropped epoch 3's first batch (its key was written again later).
    const closedEnd = log.segmentInfos()[1]!.baseOffset;
    const kept = log.read(0, closedEnd, 1 << 30).filter((b) => b !== firstOfEpochThree && b.baseOffset !== firstOfEpochThree.baseOffset);
    log.replaceSegments(0, closedEnd, kept);
    expect(log.endOffsetForEpoch(0)).toEqual({ epoch: 0, endOffset: 10 });
    // Reopened from recovery point 0, every segment is read again.
    const reopened = open(storage, { ...SMALL, segmentBytes: 100_000 }, { recoveryPoint: 0 });
    expect(span(reopened.read(0, Infinity, 1 << 30)).slice(9, 11)).toEqual([
      [9, 9],
      [rest[0]!.baseOffset, rest[0]!.baseOffset],
    ]);
    // Epoch 0 ends where epoch 3 began, at 10, not at 11 where its first batch left is.
    expect(reopened.endOffsetForEpoch(0)).toEqual({ epoch: 0, endOffset: 10 });
    expect(reopened.divergence(11, 0)).toEqual({ epoch: 0, endOffset: 10 });
  });
});
