// A partition's log (Kafka's UnifiedLog) over simulated storage: append and read, the epoch cache, whole-batch truncation, persistence and torn/corrupt tails.
import { recordBatch } from './batches.ts';
import { describe, expect, it } from 'vitest';
import { UNDEFINED_EPOCH } from '../../core/log/epoch-cache.ts';
import { DEFAULT_LOG_CONFIG } from '../../core/log/log-config.ts';
import { PartitionLog, type PartitionLogObserver, type StoredBatch } from '../../core/log/partition-log.ts';
import { lastOffsetOf, type RecordBatch } from '../../core/protocol/records.ts';
import { readAll } from '../../core/storage.ts';
import { SimStorage } from '../../sim/disk.ts';
import { Rng } from '../../sim/random.ts';

const DIR = 'orders-0';
const FILE = `${DIR}/00000000000000000000.log`;

type Event = { kind: 'appended'; batches: Array<[number, number, number]> } | { kind: 'truncated'; end: number };

function recording(): { observer: PartitionLogObserver; events: Event[] } {
  const events: Event[] = [];
  return {
    events,
    observer: {
      appended: (batches: readonly StoredBatch[]) =>
        events.push({ kind: 'appended', batches: batches.map((b) => [b.batch.baseOffset, lastOffsetOf(b.batch), b.batch.partitionLeaderEpoch]) }),
      truncated: (end) => events.push({ kind: 'truncated', end }),
    },
  };
}

const quiet: PartitionLogObserver = { appended() {}, truncated() {} };

/** A batch of `count` records from `baseOffset`, written in leader epoch `epoch`; record i has timestamp `ts + i` and value v<offset>. */
function batch(baseOffset: number, count: number, epoch: number, ts = 1_000 + baseOffset): RecordBatch {
  return recordBatch({ count, baseOffset, epoch, ts, value: (i) => `v${baseOffset + i}` });
}

function open(storage: SimStorage, observer: PartitionLogObserver = quiet): PartitionLog {
  return PartitionLog.open(storage, DIR, observer).log;
}

/** A log holding consecutive batches of the given [count, epoch] runs, from offset 0. */
function logOf(runs: ReadonlyArray<readonly [count: number, epoch: number]>, storage = new SimStorage(), observer: PartitionLogObserver = quiet): PartitionLog {
  const log = open(storage, observer);
  for (const [count, epoch] of runs) log.append([batch(log.logEndOffset, count, epoch)]);
  return log;
}

/** Every batch held, as [baseOffset, lastOffset, epoch]. */
function layout(log: PartitionLog): Array<[number, number, number]> {
  return log.storedBatches().map((b) => [b.batch.baseOffset, lastOffsetOf(b.batch), b.batch.partitionLeaderEpoch]);
}

const offsetsOf = (batches: readonly RecordBatch[]) => batches.map((b) => [b.baseOffset, lastOffsetOf(b)]);

describe('PartitionLog: append and read', () => {
  it('an empty log: end offset 0, no epoch, nothing to read, nothing written on open', () => {
    const storage = new SimStorage();
    const { log, tornBytes } = PartitionLog.open(storage, DIR, quiet);
    expect(tornBytes).toBe(0);
    expect(log.logEndOffset).toBe(0);
    expect(log.logStartOffset).toBe(0);
    expect(log.lastEpoch).toBe(UNDEFINED_EPOCH);
    expect(log.storedBatches().length).toBe(0);
    expect(log.read(0, 100, 1 << 20)).toEqual([]);
    expect(storage.list()).toEqual([]);
  });

  it('appends batches at the log end; the log end offset is one past the last record', () => {
    const { observer, events } = recording();
    const log = logOf(
      [
        [3, 0],
        [1, 0],
        [5, 1],
      ],
      new SimStorage(),
      observer,
    );
    expect(log.logEndOffset).toBe(9);
    expect(log.lastEpoch).toBe(1);
    expect(layout(log)).toEqual([
      [0, 2, 0],
      [3, 3, 0],
      [4, 8, 1],
    ]);
    expect(events).toEqual([
      { kind: 'appended', batches: [[0, 2, 0]] },
      { kind: 'appended', batches: [[3, 3, 0]] },
      { kind: 'appended', batches: [[4, 8, 1]] },
    ]);
    // Frames are laid end to end in the file.
    const stored = log.storedBatches();
    expect(stored[1]!.position).toBe(stored[0]!.bytes);
    expect(stored[2]!.position).toBe(stored[0]!.bytes + stored[1]!.bytes);
    expect(log.sizeInBytes).toBe(stored.reduce((n, b) => n + b.bytes, 0));
  });

  it('several batches in one append are checked and written together', () => {
    const log = open(new SimStorage());
    log.append([batch(0, 2, 0), batch(2, 2, 0), batch(4, 1, 3)]);
    expect(layout(log)).toEqual([
      [0, 1, 0],
      [2, 3, 0],
      [4, 4, 3],
    ]);
  });

  it('rejects a batch that does not continue the log, or whose epoch goes back, and changes nothing', () => {
    const storage = new SimStorage();
    const log = logOf([[3, 2]], storage);
    const size = storage.size(FILE);
    expect(() => log.append([batch(4, 1, 2)])).toThrow(RangeError); // a gap
    expect(() => log.append([batch(2, 1, 2)])).toThrow(RangeError); // an overlap
    expect(() => log.append([batch(3, 1, 1)])).toThrow(RangeError); // an older epoch
    // A valid first batch followed by an invalid one: nothing of the call is applied.
    expect(() => log.append([batch(3, 1, 2), batch(5, 1, 2)])).toThrow(RangeError);
    expect(log.logEndOffset).toBe(3);
    expect(log.storedBatches().length).toBe(1);
    expect(storage.size(FILE)).toBe(size);
  });

  it('reads by offset: from the batch holding the offset on, whole batches', () => {
    const log = logOf([
      [3, 0],
      [1, 0],
      [5, 1],
    ]);
    expect(offsetsOf(log.read(0, 9, 1 << 20))).toEqual([
      [0, 2],
      [3, 3],
      [4, 8],
    ]);
    expect(offsetsOf(log.read(3, 9, 1 << 20))).toEqual([
      [3, 3],
      [4, 8],
    ]);
    // An offset inside a batch returns that whole batch (the reader skips what it already has).
    expect(offsetsOf(log.read(6, 9, 1 << 20))).toEqual([[4, 8]]);
    expect(log.read(9, 9, 1 << 20)).toEqual([]);
    expect(log.read(0, 9, 1 << 20)[2]!.records.map((r) => r.value)).toEqual(['v4', 'v5', 'v6', 'v7', 'v8']);
  });

  it('reads only below the given max offset (a consumer reads up to the high watermark)', () => {
    const log = logOf([
      [3, 0],
      [1, 0],
      [5, 1],
    ]);
    expect(offsetsOf(log.read(0, 4, 1 << 20))).toEqual([
      [0, 2],
      [3, 3],
    ]);
    expect(offsetsOf(log.read(0, 3, 1 << 20))).toEqual([[0, 2]]);
    expect(log.read(0, 0, 1 << 20)).toEqual([]);
    expect(log.read(4, 4, 1 << 20)).toEqual([]);
  });

  it('reads about maxBytes, but always at least one batch (KIP-74)', () => {
    const log = logOf([
      [3, 0],
      [1, 0],
      [5, 1],
    ]);
    const [a, b] = log.storedBatches();
    expect(offsetsOf(log.read(0, 9, 1))).toEqual([[0, 2]]);
    expect(offsetsOf(log.read(0, 9, a!.bytes + b!.bytes))).toEqual([
      [0, 2],
      [3, 3],
    ]);
    expect(offsetsOf(log.read(0, 9, a!.bytes + b!.bytes - 1))).toEqual([[0, 2]]);
  });

  it('finds the first offset whose timestamp is at or after a given time', () => {
    const log = open(new SimStorage());
    log.append([batch(0, 3, 0, 100)]); // timestamps 100, 101, 102
    log.append([batch(3, 2, 0, 200)]); // 200, 201
    expect(log.offsetForTimestamp(0)).toEqual({ offset: 0, timestamp: 100, epoch: 0 });
    expect(log.offsetForTimestamp(101)).toEqual({ offset: 1, timestamp: 101, epoch: 0 });
    expect(log.offsetForTimestamp(150)).toEqual({ offset: 3, timestamp: 200, epoch: 0 });
    expect(log.offsetForTimestamp(201)).toEqual({ offset: 4, timestamp: 201, epoch: 0 });
    expect(log.offsetForTimestamp(202)).toBeNull();
  });
});

describe('PartitionLog: leader epochs (KIP-101)', () => {
  // Epochs 0 at [0, 5), 2 at [5, 8), 5 at [8, 10).
  const epochLog = () =>
    logOf([
      [3, 0],
      [2, 0],
      [3, 2],
      [2, 5],
    ]);

  it('records where each epoch starts', () => {
    const log = epochLog();
    expect(log.epochStartOffset(0)).toBe(0);
    expect(log.epochStartOffset(2)).toBe(5);
    expect(log.epochStartOffset(5)).toBe(8);
    expect(log.epochStartOffset(1)).toBeNull();
    expect(log.lastEpoch).toBe(5);
  });

  it('endOffsetForEpoch: the largest epoch at or below the asked one, and where it ends', () => {
    const log = epochLog();
    // Epoch 0 is a real epoch for partitions (leader epochs start at 0), not "none".
    expect(log.endOffsetForEpoch(0)).toEqual({ epoch: 0, endOffset: 5 });
    expect(log.endOffsetForEpoch(1)).toEqual({ epoch: 0, endOffset: 5 });
    expect(log.endOffsetForEpoch(2)).toEqual({ epoch: 2, endOffset: 8 });
    expect(log.endOffsetForEpoch(4)).toEqual({ epoch: 2, endOffset: 8 });
    // The latest epoch ends at the log end offset, and so does any later one.
    expect(log.endOffsetForEpoch(5)).toEqual({ epoch: 5, endOffset: 10 });
    expect(log.endOffsetForEpoch(9)).toEqual({ epoch: 5, endOffset: 10 });
  });

  it('an epoch older than every epoch in the log answers UNDEFINED_EPOCH (-1) and where the log starts', () => {
    const log = logOf([
      [2, 3],
      [2, 4],
    ]);
    expect(log.endOffsetForEpoch(2)).toEqual({ epoch: UNDEFINED_EPOCH, endOffset: 0 });
    expect(log.endOffsetForEpoch(0)).toEqual({ epoch: UNDEFINED_EPOCH, endOffset: 0 });
    expect(log.endOffsetForEpoch(3)).toEqual({ epoch: 3, endOffset: 2 });
  });

  it('an empty log answers UNDEFINED_EPOCH at offset 0 for any epoch', () => {
    const log = open(new SimStorage());
    expect(log.endOffsetForEpoch(0)).toEqual({ epoch: UNDEFINED_EPOCH, endOffset: 0 });
    expect(log.endOffsetForEpoch(7)).toEqual({ epoch: UNDEFINED_EPOCH, endOffset: 0 });
  });
});

describe('PartitionLog: truncation', () => {
  it('truncateTo cuts whole batches: a batch holding the offset goes with everything after it', () => {
    const storage = new SimStorage();
    const { observer, events } = recording();
    const log = logOf(
      [
        [3, 0],
        [2, 0],
        [3, 2],
        [2, 5],
      ],
      storage,
      observer,
    );
    const positionOfThird = log.storedBatches()[2]!.position;
    log.truncateTo(6); // inside [5, 7]
    expect(log.logEndOffset).toBe(5);
    expect(layout(log)).toEqual([
      [0, 2, 0],
      [3, 4, 0],
    ]);
    expect(storage.size(FILE)).toBe(positionOfThird);
    expect(log.sizeInBytes).toBe(positionOfThird);
    expect(events.at(-1)).toEqual({ kind: 'truncated', end: 5 });
  });

  it('truncation forgets the epochs that started at or after the new end', () => {
    const log = logOf([
      [3, 0],
      [2, 0],
      [3, 2],
      [2, 5],
    ]);
    log.truncateTo(8);
    expect(log.lastEpoch).toBe(2);
    expect(log.epochStartOffset(5)).toBeNull();
    expect(log.endOffsetForEpoch(5)).toEqual({ epoch: 2, endOffset: 8 });
    log.truncateTo(5);
    expect(log.epochStartOffset(2)).toBeNull();
    expect(log.endOffsetForEpoch(9)).toEqual({ epoch: 0, endOffset: 5 });
    log.truncateTo(0);
    expect(log.logEndOffset).toBe(0);
    expect(log.lastEpoch).toBe(UNDEFINED_EPOCH);
    expect(log.endOffsetForEpoch(0)).toEqual({ epoch: UNDEFINED_EPOCH, endOffset: 0 });
  });

  it('truncating at or beyond the log end changes nothing and reports nothing', () => {
    const storage = new SimStorage();
    const { observer, events } = recording();
    const log = logOf([[3, 0]], storage, observer);
    const size = storage.size(FILE);
    log.truncateTo(3);
    log.truncateTo(10);
    expect(log.logEndOffset).toBe(3);
    expect(storage.size(FILE)).toBe(size);
    expect(events.filter((e) => e.kind === 'truncated')).toEqual([]);
  });

  it('appends continue from the truncation point, in a new epoch, and recover so', () => {
    const storage = new SimStorage();
    const log = logOf(
      [
        [3, 0],
        [2, 1],
      ],
      storage,
    );
    log.truncateTo(3);
    log.append([batch(3, 4, 2)]);
    expect(layout(log)).toEqual([
      [0, 2, 0],
      [3, 6, 2],
    ]);
    expect(log.endOffsetForEpoch(1)).toEqual({ epoch: 0, endOffset: 3 });
    log.flush();
    storage.crash();
    const reopened = open(storage);
    expect(layout(reopened)).toEqual(layout(log));
    expect(reopened.read(3, 7, 1 << 20)[0]!.records.map((r) => r.value)).toEqual(['v3', 'v4', 'v5', 'v6']);
  });
});

describe('PartitionLog: persistence', () => {
  it('reopening over the same storage without a crash keeps unflushed batches (the page cache survives)', () => {
    const storage = new SimStorage();
    const log = logOf(
      [
        [3, 0],
        [2, 1],
      ],
      storage,
    );
    expect(log.flushedEnd).toBe(0);
    const { log: reopened, tornBytes } = PartitionLog.open(storage, DIR, quiet);
    expect(tornBytes).toBe(0);
    expect(layout(reopened)).toEqual(layout(log));
    expect(reopened.storedBatches().map((b) => b.hash)).toEqual(log.storedBatches().map((b) => b.hash));
    expect(reopened.endOffsetForEpoch(0)).toEqual({ epoch: 0, endOffset: 3 });
  });

  it('a crash (power loss) loses what was not flushed', () => {
    const storage = new SimStorage();
    logOf(
      [
        [3, 0],
        [2, 1],
      ],
      storage,
    );
    storage.crash();
    const reopened = open(storage);
    expect(reopened.logEndOffset).toBe(0);
    expect(reopened.lastEpoch).toBe(UNDEFINED_EPOCH);
  });

  it('flushed batches survive a crash; the unflushed ones after them do not', () => {
    const storage = new SimStorage();
    const log = logOf(
      [
        [3, 0],
        [2, 1],
      ],
      storage,
    );
    log.flush();
    expect(log.flushedEnd).toBe(5);
    expect(log.unflushedMessages).toBe(0);
    const flushed = { layout: layout(log), hashes: log.storedBatches().map((b) => b.hash) };
    log.append([batch(5, 4, 1)]);
    expect(log.flushedEnd).toBe(5);
    expect(log.unflushedMessages).toBe(4);
    storage.crash();
    const { log: reopened, tornBytes } = PartitionLog.open(storage, DIR, quiet, DEFAULT_LOG_CONFIG, { recoveryPoint: log.recoveryPoint });
    expect(tornBytes).toBe(0);
    expect(layout(reopened)).toEqual(flushed.layout);
    expect(reopened.storedBatches().map((b) => b.hash)).toEqual(flushed.hashes);
    // The recovery point comes back from its checkpoint; without one, nothing counts as flushed yet.
    expect(reopened.flushedEnd).toBe(5);
    expect(PartitionLog.open(storage, DIR, quiet).log.flushedEnd).toBe(0);
    expect(reopened.endOffsetForEpoch(1)).toEqual({ epoch: 1, endOffset: 5 });
  });

  it('counts unflushed records for flush.messages and resets the count on flush', () => {
    const log = logOf([
      [3, 0],
      [1, 0],
    ]);
    expect(log.unflushedMessages).toBe(4);
    log.flush();
    expect(log.unflushedMessages).toBe(0);
  });
});

describe('PartitionLog: the log start offset', () => {
  it('advanceLogStartOffset drops the batches wholly below the new start, keeps the one holding it, and never goes back', () => {
    const log = logOf([
      [3, 0],
      [2, 0],
      [4, 1],
    ]);
    expect(log.advanceLogStartOffset(4)).toBe(true);
    expect(log.logStartOffset).toBe(4);
    expect(layout(log)).toEqual([
      [3, 4, 0],
      [5, 8, 1],
    ]);
    // Reads from the start begin inside the batch that holds it.
    expect(offsetsOf(log.read(4, 9, Infinity))).toEqual([
      [3, 4],
      [5, 8],
    ]);
    expect(log.advanceLogStartOffset(2)).toBe(false);
    expect(log.advanceLogStartOffset(4)).toBe(false);
    expect(log.logStartOffset).toBe(4);
    // The epoch cache forgets what lies before the start: epoch 0 now starts at 4.
    expect(log.epochStartOffset(0)).toBe(4);
    expect(log.endOffsetForEpoch(0)).toEqual({ epoch: 0, endOffset: 5 });
  });

  it('advancing to the log end empties the log; it goes on at the same offsets and never past its end', () => {
    const log = logOf([
      [3, 0],
      [2, 1],
    ]);
    expect(log.advanceLogStartOffset(99)).toBe(true);
    expect(log.logStartOffset).toBe(5);
    expect(log.logEndOffset).toBe(5);
    expect(log.storedBatches().length).toBe(0);
    // The epoch holding the new start stays in the cache, moved up to it; the log reports no last epoch.
    expect(log.lastEpoch).toBe(UNDEFINED_EPOCH);
    expect(log.endOffsetForEpoch(1)).toEqual({ epoch: 1, endOffset: 5 });
    log.append([batch(5, 2, 1)]);
    expect(layout(log)).toEqual([[5, 6, 1]]);
  });

  it('truncateFullyAndStartAt empties the log past its end (a follower behind its leader start) and reports nothing; reopening starts at the first batch', () => {
    const storage = new SimStorage();
    const rec = recording();
    const log = logOf([[3, 0]], storage, rec.observer);
    rec.events.length = 0;
    log.truncateFullyAndStartAt(10);
    expect(rec.events).toEqual([]);
    expect([log.logStartOffset, log.logEndOffset, log.storedBatches().length, log.lastEpoch]).toEqual([10, 10, 0, UNDEFINED_EPOCH]);
    expect(storage.size(FILE)).toBe(0);
    log.append([batch(10, 2, 1)]);
    log.flush();
    const reopened = open(storage);
    expect([reopened.logStartOffset, reopened.logEndOffset]).toEqual([10, 12]);
    expect(layout(reopened)).toEqual([[10, 11, 1]]);
  });

  it('truncating below the log start starts the log again there, reported as a truncation', () => {
    const rec = recording();
    const log = logOf(
      [
        [3, 0],
        [3, 0],
      ],
      new SimStorage(),
      rec.observer,
    );
    log.advanceLogStartOffset(4);
    rec.events.length = 0;
    log.truncateTo(2);
    expect([log.logStartOffset, log.logEndOffset, log.storedBatches().length]).toEqual([2, 2, 0]);
    expect(rec.events).toEqual([{ kind: 'truncated', end: 2 }]);
  });

  it('segmentInfos: the log start moving inside the only segment keeps it, bytes and largest timestamp unchanged', () => {
    const log = logOf([
      [3, 0],
      [2, 0],
    ]);
    const all = [...log.storedBatches()];
    // Two small batches: no index entry yet (index.interval.bytes has not passed).
    const whole = {
      baseOffset: 0,
      nextOffset: 5,
      sizeInBytes: all[0]!.bytes + all[1]!.bytes,
      largestTimestamp: 1_004,
      active: true,
      offsetIndexBytes: 0,
      timeIndexBytes: 0,
    };
    expect(log.segmentInfos()).toEqual([whole]);
    log.advanceLogStartOffset(3);
    expect(log.segmentInfos()).toEqual([whole]);
    expect(log.storedBatches().map((b) => b.batch.baseOffset)).toEqual([3]);
  });
});

describe('PartitionLog: recovery of a damaged tail', () => {
  it('cuts garbage after the last intact batch, reports its size and makes the cut durable', () => {
    const storage = new SimStorage();
    const log = logOf(
      [
        [3, 0],
        [2, 1],
      ],
      storage,
    );
    log.flush();
    const good = storage.size(FILE);
    storage.append(FILE, new Uint8Array([0, 0, 0, 40, 1, 2, 3, 4, 5, 6, 7])); // a frame header promising more than is there
    const { log: reopened, tornBytes } = PartitionLog.open(storage, DIR, quiet);
    expect(tornBytes).toBe(11);
    expect(layout(reopened)).toEqual(layout(log));
    expect(storage.size(FILE)).toBe(good);
    storage.crash();
    expect(storage.size(FILE)).toBe(good);
  });

  it('stops at a batch whose checksum fails, dropping it and everything after', () => {
    const storage = new SimStorage();
    const log = logOf(
      [
        [3, 0],
        [2, 1],
        [1, 1],
      ],
      storage,
    );
    log.flush();
    const [, second] = log.storedBatches();
    const bytes = readAll(storage, FILE);
    bytes[second!.position + 8 + 5]! ^= 0x20; // flip a bit inside the second batch's JSON
    storage.replace(FILE, bytes);
    const { log: reopened, tornBytes } = PartitionLog.open(storage, DIR, quiet);
    expect(layout(reopened)).toEqual([[0, 2, 0]]);
    expect(tornBytes).toBe(bytes.length - second!.position);
    expect(reopened.lastEpoch).toBe(0);
  });

  it('cuts an intact frame that does not continue the log (a foreign or repeated batch)', () => {
    const storage = new SimStorage();
    const log = logOf(
      [
        [3, 0],
        [2, 0],
      ],
      storage,
    );
    const first = log.storedBatches()[0]!;
    storage.append(FILE, storage.read(FILE, first.position, first.bytes)); // batch 0..2 again at the end
    const { log: reopened, tornBytes } = PartitionLog.open(storage, DIR, quiet);
    expect(tornBytes).toBe(first.bytes);
    expect(layout(reopened)).toEqual(layout(log));
  });

  it('cuts an intact frame whose leader epoch goes back', () => {
    const storage = new SimStorage();
    logOf([[2, 5]], storage);
    // Borrow a well-formed frame for offsets [2, 2] in epoch 1 from another file.
    const scratch = PartitionLog.open(storage, 'scratch', quiet).log;
    scratch.append([batch(0, 2, 1), batch(2, 1, 1)]);
    const older = scratch.storedBatches()[1]!;
    storage.append(FILE, storage.read('scratch/00000000000000000000.log', older.position, older.bytes));
    const { log: reopened, tornBytes } = PartitionLog.open(storage, DIR, quiet);
    expect(tornBytes).toBe(older.bytes);
    expect(layout(reopened)).toEqual([[0, 1, 5]]);
  });

  it('a torn write at a crash: the intact prefix is kept, the partial batch cut', () => {
    const faults: string[] = [];
    const storage = new SimStorage(new Rng('partition-log-torn'), { tornWrites: 1, fsyncFailure: 0, readError: 0 }, (fault) => faults.push(fault.fault));
    const log = logOf(
      [
        [3, 0],
        [2, 1],
      ],
      storage,
    );
    log.flush();
    const durable = { size: storage.size(FILE), layout: layout(log) };
    log.append([batch(5, 50, 1)]);
    const [outcome] = storage.crash();
    expect(faults).toEqual(['torn-write']);
    expect(outcome!.torn).toBe(true);
    expect(outcome!.kept).toBeGreaterThan(durable.size);
    const { log: reopened, tornBytes } = PartitionLog.open(storage, DIR, quiet);
    expect(tornBytes).toBe(outcome!.kept - durable.size);
    expect(layout(reopened)).toEqual(durable.layout);
    expect(storage.size(FILE)).toBe(durable.size);
    // The log goes on from its recovered end.
    reopened.append([batch(5, 1, 2)]);
    expect(reopened.logEndOffset).toBe(6);
  });
});
