// The log cleaner's algorithm (core/log/cleaner.ts) on hand-made logs: Kafka's record and batch
// retention rules, tombstones and their delete horizon (KIP-534), partial rounds, wire bytes, the
// seeded bugs; then a fast-check property: a cleaned log keeps every key's last write at its
// offset, drops tombstoned keys once past the horizon, and only ever removes records.
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import type { LogBug } from '../../core/log/bugs.ts';
import { cleanLog, NO_TIMESTAMP, type CleanOptions, type CleanerSegment } from '../../core/log/cleaner.ts';
import { DELETE_HORIZON_BIT, deleteHorizonOf, lastOffsetOf, NO_PRODUCER_ID, type RecordBatch } from '../../core/protocol/records.ts';
import { CODEC_IDS, CODEC_MASK } from '../../core/wire/compression.ts';
import { decodeRecordBatch, encodeRecordBatch } from '../../core/wire/record-batch.ts';
import { NODE_COMPRESSORS } from '../../net/compression.ts';

/** One write: a key (null: keyless) and a value (null: a tombstone). */
type Write = [key: string | null, value: string | null];

const DAY = 86_400_000;

/**
 * A log of `writes` from offset 0: batches of `batchSize` records (record i has timestamp 1000 + i),
 * `batchesPerSegment` batches a segment; the last segment is the active one.
 */
function logOf(writes: readonly Write[], batchSize = 2, batchesPerSegment = 2, producerId = NO_PRODUCER_ID): CleanerSegment[] {
  const batches: RecordBatch[] = [];
  for (let base = 0; base < writes.length; base += batchSize) {
    const slice = writes.slice(base, base + batchSize);
    batches.push({
      baseOffset: base,
      partitionLeaderEpoch: 0,
      attributes: 0,
      lastOffsetDelta: slice.length - 1,
      baseTimestamp: 1_000 + base,
      maxTimestamp: 1_000 + base + slice.length - 1,
      producerId,
      producerEpoch: producerId === NO_PRODUCER_ID ? -1 : 0,
      baseSequence: producerId === NO_PRODUCER_ID ? -1 : base,
      records: slice.map(([key, value], i) => ({ offsetDelta: i, timestampDelta: i, key, value, headers: [] })),
    });
  }
  const segments: CleanerSegment[] = [];
  for (let i = 0; i < batches.length; i += batchesPerSegment)
    segments.push({ baseOffset: batches[i]!.baseOffset, batches: batches.slice(i, i + batchesPerSegment) });
  return segments;
}

/** Options for cleaning everything below the active (last) segment, from the log start. */
function everything(segments: readonly CleanerSegment[], more: Partial<CleanOptions> = {}): CleanOptions {
  return { firstDirtyOffset: 0, firstUncleanableOffset: segments.at(-1)!.baseOffset, now: 10_000, deleteRetentionMs: DAY, ...more };
}

/** The log after a clean: the recopied segments, then the untouched rest. */
function after(segments: readonly CleanerSegment[], options: CleanOptions): CleanerSegment[] {
  const result = cleanLog(segments, options);
  return [...result.segments, ...segments.filter((s) => s.baseOffset >= result.endOffset)];
}

interface Entry {
  offset: number;
  key: string | null;
  value: string | null;
  timestamp: number;
}

/** Every record of a log, in log order, with its offset and its timestamp. */
function entries(segments: readonly CleanerSegment[]): Entry[] {
  return segments.flatMap((s) =>
    s.batches.flatMap((b) =>
      b.records.map((r) => ({ offset: b.baseOffset + r.offsetDelta, key: r.key, value: r.value, timestamp: b.baseTimestamp + r.timestampDelta })),
    ),
  );
}

const batchesOf = (segments: readonly CleanerSegment[]) => segments.flatMap((s) => s.batches);

/** Each key's last write (with its offset) among `list`: tombstones included. */
function lastWrites(list: readonly Entry[]): Map<string, Entry> {
  const last = new Map<string, Entry>();
  for (const e of list) if (e.key !== null) last.set(e.key, e);
  return last;
}

describe('cleanLog: which records stay', () => {
  it("keeps each key's last value at its offset and drops what a later write of the key superseded", () => {
    // offsets: 0 a=1, 1 b=1, 2 a=2, 3 c=1 | 4 b=2, 5 a=3, 6 d=1, 7 c=2 | active: 8 a=4, 9 b=3
    const log = logOf([
      ['a', '1'],
      ['b', '1'],
      ['a', '2'],
      ['c', '1'],
      ['b', '2'],
      ['a', '3'],
      ['d', '1'],
      ['c', '2'],
      ['a', '4'],
      ['b', '3'],
    ]);
    const result = cleanLog(log, everything(log));
    expect(result.endOffset).toBe(8);
    expect(result.segments.map((s) => s.baseOffset)).toEqual([0, 4]);
    const cleaned = [...result.segments, log[2]!];
    // a=3 stays although a=4 is in the active segment: the map covers only the dirty range (Kafka keeps it too).
    expect(entries(cleaned).map((e) => `${e.offset}:${e.key}=${e.value}`)).toEqual(['4:b=2', '5:a=3', '6:d=1', '7:c=2', '8:a=4', '9:b=3']);
    expect(result.stats).toMatchObject({ recordsRead: 8, recordsRetained: 4, batchesRead: 4, batchesRetained: 2, mapEntries: 4 });
  });

  it('keeps offsets, base offsets and last offsets, and hands back untouched batches as the same objects', () => {
    const log = logOf([
      ['a', '1'],
      ['b', '1'],
      ['a', '2'],
      ['b', '2'],
      ['c', '1'],
      ['d', '1'],
      ['e', '1'],
      ['f', '1'],
      ['x', 'x'],
    ]);
    const kept = batchesOf(cleanLog(log, everything(log)).segments);
    // Batch [0,1] lost both records (superseded at 2 and 3) and goes; the others keep all theirs, as they were.
    expect(kept).toHaveLength(3);
    expect(kept[0]).toBe(log[0]!.batches[1]);
    expect(kept[1]).toBe(log[1]!.batches[0]);
    expect(kept[2]).toBe(log[1]!.batches[1]);
  });

  it('rebuilds a batch that loses records around the survivors: base offset, last offset and each record offset and timestamp kept', () => {
    const log = logOf(
      [
        ['a', '1'],
        ['b', '1'],
        ['a', '2'],
        ['c', '1'],
        ['x', 'x'],
      ],
      3,
      1,
    );
    const [batch] = batchesOf(cleanLog(log, everything(log)).segments);
    expect(batch).toMatchObject({ baseOffset: 0, lastOffsetDelta: 2, baseTimestamp: 1_001, maxTimestamp: 1_002, partitionLeaderEpoch: 0 });
    expect(batch!.records.map((r) => [r.offsetDelta, r.key, batch!.baseTimestamp + r.timestampDelta])).toEqual([
      [1, 'b', 1_001],
      [2, 'a', 1_002],
    ]);
  });

  it('drops keyless records (a compacted topic refuses them) and counts them', () => {
    const log = logOf([
      [null, 'n1'],
      ['a', '1'],
      [null, 'n2'],
      ['b', '1'],
      ['z', 'z'],
    ]);
    const result = cleanLog(log, everything(log));
    expect(entries(result.segments).map((e) => e.value)).toEqual(['1', '1']);
    expect(result.stats.invalidRecords).toBe(2);
  });

  it('keeps records beyond the offset map: a record of the clean head stays unless the dirty range has a later write of its key', () => {
    // Cleaned before up to 4 (checkpoint): a=1@0, b=1@1 | dirty: a=2@4 ... ; c=1@2 keeps.
    const log = logOf([
      ['a', '1'],
      ['b', '1'],
      ['c', '1'],
      ['d', '1'],
      ['a', '2'],
      ['e', '1'],
      ['f', '1'],
      ['g', '1'],
      ['h', '1'],
    ]);
    const result = cleanLog(log, everything(log, { firstDirtyOffset: 4 }));
    expect(entries(result.segments).map((e) => `${e.offset}:${e.key}`)).toEqual(['1:b', '2:c', '3:d', '4:a', '5:e', '6:f', '7:g']);
  });

  it('cleans only as far as a full offset map reached: the round ends there and the rest waits for the next', () => {
    const log = logOf([
      ['a', '1'],
      ['b', '1'],
      ['a', '2'],
      ['c', '1'],
      ['d', '1'],
      ['c', '2'],
      ['a', '3'],
      ['e', '1'],
      ['x', 'x'],
    ]);
    const result = cleanLog(log, everything(log, { maxMapEntries: 3 }));
    // The map takes a, b, c (offsets 0-3) and is full at d@4: the round cleans up to offset 3.
    expect(result.endOffset).toBe(4);
    expect(result.stats.mapEntries).toBe(3);
    expect(result.segments.map((s) => s.baseOffset)).toEqual([0]);
    expect(entries(result.segments).map((e) => `${e.offset}:${e.key}`)).toEqual(['1:b', '2:a', '3:c']);
    const next = cleanLog(after(log, everything(log, { maxMapEntries: 3 })), everything(log, { firstDirtyOffset: 4 }));
    expect(next.endOffset).toBe(8);
    expect(entries(next.segments).map((e) => `${e.offset}:${e.key}`)).toEqual(['1:b', '4:d', '5:c', '6:a', '7:e']);
  });

  it('refuses an offset map that takes nothing and a range that ends before it starts', () => {
    const log = logOf([
      ['a', '1'],
      ['b', '1'],
      ['c', '1'],
    ]);
    expect(() => cleanLog(log, everything(log, { maxMapEntries: 0 }))).toThrow(/at least one key/);
    expect(() => cleanLog(log, everything(log, { firstDirtyOffset: 3, firstUncleanableOffset: 2 }))).toThrow(/below firstDirtyOffset/);
  });

  it('keeps a LogAppendTime batch’s max timestamp; a CreateTime batch’s becomes its survivors’ latest', () => {
    // Batch [0,1] loses b@1, its latest record, to b@2.
    const log = logOf(
      [
        ['a', '1'],
        ['b', '1'],
        ['b', '2'],
        ['c', '1'],
        ['x', 'x'],
      ],
      2,
      2,
    );
    const appendTime = log.map((s) => ({ ...s, batches: s.batches.map((b) => ({ ...b, attributes: 0x08, maxTimestamp: 5_000 })) }));
    expect(batchesOf(cleanLog(log, everything(log)).segments)[0]).toMatchObject({ maxTimestamp: 1_000 });
    expect(batchesOf(cleanLog(appendTime, everything(appendTime)).segments)[0]).toMatchObject({ maxTimestamp: 5_000, attributes: 0x08 });
  });
});

describe('cleanLog: emptied batches', () => {
  it('drops an emptied batch', () => {
    const log = logOf(
      [
        ['a', '1'],
        ['a', '2'],
        ['a', '3'],
        ['x', 'x'],
      ],
      1,
      3,
    );
    expect(batchesOf(cleanLog(log, everything(log)).segments).map((b) => b.baseOffset)).toEqual([2]);
  });

  it("keeps an active producer's last batch as an empty header, so its last sequence survives (KAFKA-5490)", () => {
    // Producer 7 wrote every batch; its last data batch in the log is [2,3] (a=2, a=3), which the later a=4 empties.
    const log = logOf(
      [
        ['a', '1'],
        ['b', '1'],
        ['a', '2'],
        ['a', '3'],
        ['a', '4'],
        ['c', '1'],
        ['x', 'x'],
      ],
      2,
      3,
      7,
    );
    const result = cleanLog(log, everything(log, { lastOffsetOfActiveProducers: new Map([[7, 3]]) }));
    const empty = batchesOf(result.segments).find((b) => b.baseOffset === 2)!;
    expect(empty).toMatchObject({ baseOffset: 2, lastOffsetDelta: 1, records: [], baseTimestamp: NO_TIMESTAMP, maxTimestamp: 1_003 });
    expect(empty).toMatchObject({ producerId: 7, producerEpoch: 0, baseSequence: 2, partitionLeaderEpoch: 0 });
    // Without the producer's state the batch goes, as any emptied one.
    expect(batchesOf(cleanLog(log, everything(log)).segments).map((b) => b.baseOffset)).toEqual([0, 4]);
  });

  it('keeps the batch that ends at the high watermark, empty, so the log end survives the clean (KAFKA-17076, KAFKA-20452)', () => {
    // Batch [2,3] holds only keyless records, so cleaning empties it; it ends just below offset 4.
    const log = logOf(
      [
        ['a', '1'],
        ['b', '1'],
        [null, 'n1'],
        [null, 'n2'],
        ['c', '1'],
      ],
      2,
      2,
    );
    const layout = (highWatermark?: number) =>
      batchesOf(cleanLog(log, everything(log, highWatermark === undefined ? {} : { highWatermark })).segments).map((b) => [
        b.baseOffset,
        lastOffsetOf(b),
        b.records.length,
      ]);
    expect(layout(4)).toEqual([
      [0, 1, 2],
      [2, 3, 0],
    ]);
    expect(layout(5)).toEqual([[0, 1, 2]]);
    expect(layout()).toEqual([[0, 1, 2]]);
  });
});

describe('cleanLog: tombstones and the delete horizon (KIP-534)', () => {
  const writes: Write[] = [
    ['a', '1'],
    ['b', '1'],
    ['a', null],
    ['c', '1'],
    ['x', 'x'],
  ];

  it('the first clean keeps a latest tombstone and stamps its batch: horizon = now + delete.retention.ms in the base timestamp, bit 6 set, record timestamps unchanged', () => {
    const log = logOf(writes, 2, 2);
    const result = cleanLog(log, everything(log, { now: 50_000 }));
    const batch = batchesOf(result.segments).find((b) => b.baseOffset === 2)!;
    expect(batch.attributes & DELETE_HORIZON_BIT).toBe(DELETE_HORIZON_BIT);
    expect(deleteHorizonOf(batch)).toBe(50_000 + DAY);
    expect(entries([{ baseOffset: 0, batches: [batch] }])).toEqual([
      { offset: 2, key: 'a', value: null, timestamp: 1_002 },
      { offset: 3, key: 'c', value: '1', timestamp: 1_003 },
    ]);
    expect(result.stats.tombstonesStamped).toBe(1);
    // The batch without a tombstone is not stamped.
    expect(deleteHorizonOf(batchesOf(result.segments).find((b) => b.baseOffset === 0)!)).toBeNull();
  });

  it('later cleans keep the tombstone (and its horizon) until a clean starts at or after the horizon, which drops it', () => {
    const log = after(logOf(writes, 2, 2), everything(logOf(writes, 2, 2), { now: 50_000 }));
    const horizon = 50_000 + DAY;
    const before = after(log, everything(log, { now: horizon - 1 }));
    expect(entries(before).map((e) => `${e.offset}:${e.key}=${e.value}`)).toEqual(['1:b=1', '2:a=null', '3:c=1', '4:x=x']);
    expect(deleteHorizonOf(batchesOf(before).find((b) => b.baseOffset === 2)!)).toBe(horizon);
    const at = after(log, everything(log, { now: horizon }));
    expect(entries(at).map((e) => `${e.offset}:${e.key}=${e.value}`)).toEqual(['1:b=1', '3:c=1', '4:x=x']);
    // The rebuilt batch that lost its tombstone keeps its horizon (as Kafka's filterTo does), and its record its timestamp.
    const batch = batchesOf(at).find((b) => b.baseOffset === 2)!;
    expect(deleteHorizonOf(batch)).toBe(horizon);
    expect(batch.baseTimestamp + batch.records[0]!.timestampDelta).toBe(1_003);
  });

  it('a superseded tombstone goes at once, like any superseded record', () => {
    const log = logOf(
      [
        ['a', '1'],
        ['a', null],
        ['a', '2'],
        ['b', '1'],
        ['x', 'x'],
      ],
      1,
      4,
    );
    expect(entries(cleanLog(log, everything(log)).segments).map((e) => `${e.key}=${e.value}`)).toEqual(['a=2', 'b=1']);
  });
});

describe('cleanLog: wire bytes', () => {
  /** The log with each batch's wire bytes, encoded with `codec`. */
  const withWire = (segments: CleanerSegment[], codec: 'none' | 'gzip') =>
    segments.map((s) => ({
      ...s,
      batches: s.batches.map((b) => {
        const wireBytes = encodeRecordBatch(b, { codec, compressors: NODE_COMPRESSORS });
        return { ...decodeRecordBatch(wireBytes, NODE_COMPRESSORS), wireBytes };
      }),
    }));
  const log = () =>
    logOf(
      [
        ['a', '1'],
        ['b', '1'],
        ['a', null],
        ['c', '1'],
        ['x', 'x'],
      ],
      2,
      2,
    );

  it('a rebuilt batch gets new wire bytes that decode to it, CRC and all; an untouched one keeps its own', () => {
    const segments = withWire(log(), 'none');
    const result = cleanLog(segments, everything(segments));
    const [rebuilt, stamped] = batchesOf(result.segments);
    for (const b of [rebuilt!, stamped!]) {
      const { wireBytes, ...fields } = b;
      expect(decodeRecordBatch(wireBytes!)).toEqual({ ...fields, wireBytes });
      expect(wireBytes).not.toBe(segments[0]!.batches[0]!.wireBytes);
    }
    const untouched = withWire(
      logOf(
        [
          ['a', '1'],
          ['b', '1'],
          ['c', '1'],
        ],
        2,
        1,
      ),
      'none',
    );
    expect(batchesOf(cleanLog(untouched, everything(untouched)).segments)[0]!.wireBytes).toBe(untouched[0]!.batches[0]!.wireBytes);
  });

  it('a compressed batch is recompressed with its own codec when the runtime has it, and written uncompressed when it does not', () => {
    const segments = withWire(log(), 'gzip');
    const gzip = batchesOf(cleanLog(segments, everything(segments, { compressors: NODE_COMPRESSORS })).segments);
    for (const b of gzip) {
      expect(b.attributes & CODEC_MASK).toBe(CODEC_IDS.gzip);
      expect(decodeRecordBatch(b.wireBytes!, NODE_COMPRESSORS).records).toEqual(b.records);
    }
    const plain = batchesOf(cleanLog(segments, everything(segments)).segments);
    for (const b of plain) {
      expect(b.attributes & CODEC_MASK).toBe(0);
      expect(decodeRecordBatch(b.wireBytes!).records).toEqual(b.records);
    }
    expect(entries([{ baseOffset: 0, batches: plain }])).toEqual(entries([{ baseOffset: 0, batches: gzip }]));
  });

  it('an emptied batch kept for its producer is an uncompressed header', () => {
    const segments = withWire(
      logOf(
        [
          ['a', '1'],
          ['a', '2'],
          ['b', '1'],
        ],
        1,
        2,
        7,
      ),
      'gzip',
    );
    const [empty] = batchesOf(
      cleanLog(segments, everything(segments, { lastOffsetOfActiveProducers: new Map([[7, 0]]), compressors: NODE_COMPRESSORS })).segments,
    );
    expect(empty).toMatchObject({ baseOffset: 0, records: [] });
    expect(empty!.attributes & CODEC_MASK).toBe(0);
    expect(decodeRecordBatch(empty!.wireBytes!)).toMatchObject({ baseOffset: 0, lastOffsetDelta: 0, records: [], producerId: 7 });
  });
});

describe('cleanLog: the seeded bugs produce their anomalies', () => {
  const bugs = (bug: LogBug): ReadonlySet<LogBug> => new Set([bug]);

  it('cleaner-drops-last-value: a key written twice loses its last value and keeps the one before', () => {
    const log = logOf(
      [
        ['a', '1'],
        ['a', '2'],
        ['a', '3'],
        ['b', '1'],
        ['x', 'x'],
      ],
      1,
      4,
    );
    const good = lastWrites(entries(after(log, everything(log))));
    const bad = lastWrites(entries(after(log, everything(log, { bugs: bugs('cleaner-drops-last-value') }))));
    expect(good.get('a')).toMatchObject({ offset: 2, value: '3' });
    expect(bad.get('a')).toMatchObject({ offset: 1, value: '2' });
    // A key written once is unharmed.
    expect(bad.get('b')).toMatchObject({ offset: 3, value: '1' });
  });

  it('cleaner-reorders: the survivors of a rebuilt batch come out backwards, at offsets that held other records', () => {
    const log = logOf(
      [
        ['a', '1'],
        ['b', '1'],
        ['c', '1'],
        ['a', '2'],
        ['x', 'x'],
      ],
      4,
      1,
    );
    const cleaned = entries(after(log, everything(log, { bugs: bugs('cleaner-reorders') })));
    expect(cleaned.map((e) => `${e.offset}:${e.key}=${e.value}`)).toEqual(['0:a=2', '1:c=1', '2:b=1', '4:x=x']);
    const correct = entries(after(log, everything(log)));
    expect(correct.map((e) => `${e.offset}:${e.key}=${e.value}`)).toEqual(['1:b=1', '2:c=1', '3:a=2', '4:x=x']);
  });

  it('tombstone-deleted-early: a latest tombstone goes at the first clean, long before now + delete.retention.ms', () => {
    const log = logOf(
      [
        ['a', '1'],
        ['a', null],
        ['b', '1'],
        ['x', 'x'],
      ],
      1,
      3,
    );
    expect(entries(after(log, everything(log))).map((e) => `${e.key}=${e.value}`)).toEqual(['a=null', 'b=1', 'x=x']);
    expect(entries(after(log, everything(log, { bugs: bugs('tombstone-deleted-early') }))).map((e) => `${e.key}=${e.value}`)).toEqual(['b=1', 'x=x']);
  });
});

describe('cleanLog: properties', () => {
  const write = fc.tuple(fc.constantFrom('k0', 'k1', 'k2', 'k3', 'k4'), fc.option(fc.nat({ max: 999 }).map(String), { freq: 5 }));
  const arbitraryLog = fc.record({
    writes: fc.array(write, { minLength: 1, maxLength: 60 }),
    batchSize: fc.integer({ min: 1, max: 5 }),
    batchesPerSegment: fc.integer({ min: 1, max: 4 }),
  });

  /** Values made unique per write (v<offset>), tombstones kept: records can then be told apart by value. */
  const uniqueValues = (writes: Array<[string, string | null]>): Write[] => writes.map(([k, v], i) => [k, v === null ? null : `v${i}`]);

  /**
   * Cleans `input` (all of it below the active segment, mapped from the log start each round)
   * `rounds` + 1 times, the last one past every delete horizon when there are several, and throws
   * unless: offsets strictly increase and are the input's, each record is the input's record there,
   * below the active segment each key's last write there survives at its offset and nothing else of
   * the key does (a tombstoned key is gone once past the horizon), batches keep their spans, and the
   * active segment is untouched.
   */
  function cleanAndCheck(input: CleanerSegment[], rounds: number, bugs?: ReadonlySet<LogBug>): void {
    const original = entries(input);
    const byOffset = new Map(original.map((e) => [e.offset, e]));
    let log = input;
    const end = input.at(-1)!.baseOffset;
    for (let round = 0; round <= rounds; round++) {
      const now = round === rounds && rounds > 0 ? 10_000 + 2 * DAY : 10_000 + round;
      const result = cleanLog(log, { firstDirtyOffset: 0, firstUncleanableOffset: end, now, deleteRetentionMs: DAY, ...(bugs === undefined ? {} : { bugs }) });
      log = [...result.segments, ...log.filter((s) => s.baseOffset >= result.endOffset)];
      expect(result.endOffset).toBe(end);
    }
    const cleaned = entries(log);
    for (let i = 1; i < cleaned.length; i++) expect(cleaned[i]!.offset).toBeGreaterThan(cleaned[i - 1]!.offset);
    for (const e of cleaned) expect(e).toEqual(byOffset.get(e.offset));
    const pastHorizon = rounds > 0;
    for (const [key, last] of lastWrites(original.filter((e) => e.offset < end))) {
      const survivors = cleaned.filter((e) => e.key === key && e.offset < end);
      if (last.value === null && pastHorizon) expect(survivors).toEqual([]);
      else expect(survivors).toEqual([last]);
    }
    expect(log.at(-1)).toBe(input.at(-1));
    const spans = new Map(batchesOf(input).map((b) => [b.baseOffset, lastOffsetOf(b)]));
    for (const b of batchesOf(log)) expect(lastOffsetOf(b)).toBe(spans.get(b.baseOffset));
  }

  test.prop([arbitraryLog, fc.nat({ max: 3 })])(
    "after cleaning, each key's last write is at its original offset (a tombstone until its horizon passes), offsets only go, and records never change",
    ({ writes, batchSize, batchesPerSegment }, rounds) => cleanAndCheck(logOf(uniqueValues(writes), batchSize, batchesPerSegment), rounds),
  );

  it('the same property fails with each seeded bug of the cleaner: it can tell', () => {
    for (const bug of ['cleaner-drops-last-value', 'cleaner-reorders', 'tombstone-deleted-early'] as const) {
      const found = fc.check(
        fc.property(arbitraryLog, fc.nat({ max: 3 }), ({ writes, batchSize, batchesPerSegment }, rounds) =>
          cleanAndCheck(logOf(uniqueValues(writes), batchSize, batchesPerSegment), rounds, new Set([bug])),
        ),
        { seed: 1 },
      );
      expect(found.failed, bug).toBe(true);
    }
  });

  test.prop([arbitraryLog])('cleaning twice at the same time changes nothing more (a clean log stays as it is)', ({ writes, batchSize, batchesPerSegment }) => {
    const input = logOf(uniqueValues(writes), batchSize, batchesPerSegment);
    const options = everything(input);
    const once = after(input, options);
    const twice = after(once, options);
    expect(entries(twice)).toEqual(entries(once));
  });
});
