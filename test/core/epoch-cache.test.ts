// The leader-epoch cache (KIP-101): where each epoch starts, and where an asked-for epoch ends.
// Unit cases for every operation, and properties against a brute-force scan of the log itself.
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { EpochCache, NO_EPOCH } from '../../core/log/epoch-cache.ts';

/** A cache fed the way a log feeds it: one assign per entry, in offset order. */
function cacheOf(epochs: readonly number[], firstOffset = 0): EpochCache {
  const cache = new EpochCache();
  epochs.forEach((epoch, i) => cache.assign(epoch, firstOffset + i));
  return cache;
}

/** What endOffsetFor should answer, found by scanning the entries (offsets start at `firstOffset`). */
function bruteForceEndOffset(epochs: readonly number[], asked: number, firstOffset = 0): { epoch: number; endOffset: number } {
  let largest: number | null = null;
  for (const e of epochs) if (e <= asked && (largest === null || e > largest)) largest = e;
  const firstAfter = epochs.findIndex((e) => e > asked);
  const endOffset = firstAfter < 0 ? firstOffset + epochs.length : firstOffset + firstAfter;
  return { epoch: largest ?? NO_EPOCH, endOffset };
}

/** The epochs of a log: non-decreasing, as a log's leader epochs are. */
const logEpochsArb = (minEpoch: number) =>
  fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 5 })), { maxLength: 12 }).map((runs) => {
    const out: number[] = [];
    let epoch = minEpoch;
    for (const [step, length] of runs) {
      epoch += step;
      for (let i = 0; i < length; i++) out.push(epoch);
    }
    return out;
  });

describe('EpochCache: assign', () => {
  it('starts empty: latest epoch is NO_EPOCH and no epoch has a start offset', () => {
    const cache = new EpochCache();
    expect(cache.latestEpoch).toBe(NO_EPOCH);
    expect(cache.toArray()).toEqual([]);
    expect(cache.startOffsetOf(1)).toBeNull();
  });

  it('records the first offset of each new epoch', () => {
    const cache = new EpochCache();
    cache.assign(1, 0);
    cache.assign(3, 4);
    cache.assign(4, 9);
    expect(cache.toArray()).toEqual([
      { epoch: 1, startOffset: 0 },
      { epoch: 3, startOffset: 4 },
      { epoch: 4, startOffset: 9 },
    ]);
    expect(cache.latestEpoch).toBe(4);
    expect(cache.startOffsetOf(3)).toBe(4);
    expect(cache.startOffsetOf(2)).toBeNull();
  });

  it('ignores a repeated latest epoch, whatever offset it comes with', () => {
    const cache = new EpochCache();
    cache.assign(2, 5);
    cache.assign(2, 6);
    cache.assign(2, 7);
    cache.assign(2, 3); // even an earlier offset: the epoch is already known to start at 5
    expect(cache.toArray()).toEqual([{ epoch: 2, startOffset: 5 }]);
  });

  it('throws on an epoch lower than the latest', () => {
    const cache = new EpochCache();
    cache.assign(1, 0);
    cache.assign(3, 2);
    expect(() => cache.assign(2, 4)).toThrow(RangeError);
    expect(() => cache.assign(1, 4)).toThrow(RangeError);
    expect(cache.toArray()).toEqual([
      { epoch: 1, startOffset: 0 },
      { epoch: 3, startOffset: 2 },
    ]);
  });

  it('throws on a new epoch whose start offset goes back', () => {
    const cache = new EpochCache();
    cache.assign(1, 5);
    expect(() => cache.assign(2, 4)).toThrow(RangeError);
    expect(cache.toArray()).toEqual([{ epoch: 1, startOffset: 5 }]);
    // The same start offset is allowed (an epoch with no entries before the next one).
    cache.assign(2, 5);
    expect(cache.latestEpoch).toBe(2);
  });

  it('toArray hands out copies', () => {
    const cache = cacheOf([1, 1, 2]);
    const copy = cache.toArray();
    copy[0]!.startOffset = 99;
    copy.pop();
    expect(cache.toArray()).toEqual([
      { epoch: 1, startOffset: 0 },
      { epoch: 2, startOffset: 2 },
    ]);
  });
});

describe('EpochCache: endOffsetFor', () => {
  // Log: offsets 0-2 in epoch 1, 3-5 in epoch 3, 6-7 in epoch 5; log end 8.
  const cache = cacheOf([1, 1, 1, 3, 3, 3, 5, 5]);

  it('an epoch in the log ends where the next epoch starts', () => {
    expect(cache.endOffsetFor(1, 0, 8)).toEqual({ epoch: 1, endOffset: 3 });
    expect(cache.endOffsetFor(3, 0, 8)).toEqual({ epoch: 3, endOffset: 6 });
  });

  it('the latest epoch ends at the log end', () => {
    expect(cache.endOffsetFor(5, 0, 8)).toEqual({ epoch: 5, endOffset: 8 });
    expect(cache.endOffsetFor(5, 0, 11)).toEqual({ epoch: 5, endOffset: 11 });
  });

  it('an epoch missing from the log answers for the largest epoch below it', () => {
    expect(cache.endOffsetFor(2, 0, 8)).toEqual({ epoch: 1, endOffset: 3 });
    expect(cache.endOffsetFor(4, 0, 8)).toEqual({ epoch: 3, endOffset: 6 });
    expect(cache.endOffsetFor(9, 0, 8)).toEqual({ epoch: 5, endOffset: 8 });
  });

  it('an epoch older than all gives NO_EPOCH and the start offset of the first epoch', () => {
    const later = cacheOf([4, 4, 6], 10);
    expect(later.endOffsetFor(3, 7, 13)).toEqual({ epoch: NO_EPOCH, endOffset: 10 });
    expect(later.endOffsetFor(0, 7, 13)).toEqual({ epoch: NO_EPOCH, endOffset: 10 });
  });

  it('an empty cache gives NO_EPOCH and the log start offset', () => {
    expect(new EpochCache().endOffsetFor(3, 0, 0)).toEqual({ epoch: NO_EPOCH, endOffset: 0 });
    expect(new EpochCache().endOffsetFor(3, 12, 12)).toEqual({ epoch: NO_EPOCH, endOffset: 12 });
  });

  test.prop([logEpochsArb(0)])('matches a brute-force scan of the entries for every epoch', (epochs) => {
    const cache = cacheOf(epochs);
    const max = epochs.at(-1) ?? 0;
    for (let e = 0; e <= max + 1; e++) {
      expect(cache.endOffsetFor(e, 0, epochs.length)).toEqual(bruteForceEndOffset(epochs, e));
    }
  });

  test.prop([logEpochsArb(1), fc.nat({ max: 50 })])('matches the scan when the log starts at a later offset', (epochs, first) => {
    const cache = cacheOf(epochs, first);
    const max = epochs.at(-1) ?? 0;
    for (let e = 0; e <= max + 1; e++) {
      expect(cache.endOffsetFor(e, first, first + epochs.length)).toEqual(bruteForceEndOffset(epochs, e, first));
    }
  });

  test.prop([logEpochsArb(1)])('startOffsetOf is the offset of the first entry of the epoch', (epochs) => {
    const cache = cacheOf(epochs);
    const max = epochs.at(-1) ?? 0;
    for (let e = 0; e <= max + 1; e++) {
      const first = epochs.indexOf(e);
      expect(cache.startOffsetOf(e)).toBe(first < 0 ? null : first);
    }
    expect(cache.latestEpoch).toBe(epochs.at(-1) ?? NO_EPOCH);
  });
});

describe('EpochCache: truncateFromEnd', () => {
  it('forgets the epochs that start at or after the new log end', () => {
    const cache = cacheOf([1, 1, 2, 2, 3, 3]); // 1@0, 2@2, 3@4
    cache.truncateFromEnd(5);
    expect(cache.toArray()).toEqual([
      { epoch: 1, startOffset: 0 },
      { epoch: 2, startOffset: 2 },
      { epoch: 3, startOffset: 4 },
    ]);
    cache.truncateFromEnd(4);
    expect(cache.toArray()).toEqual([
      { epoch: 1, startOffset: 0 },
      { epoch: 2, startOffset: 2 },
    ]);
    expect(cache.latestEpoch).toBe(2);
    expect(cache.endOffsetFor(3, 0, 4)).toEqual({ epoch: 2, endOffset: 4 });
    cache.truncateFromEnd(0);
    expect(cache.toArray()).toEqual([]);
    expect(cache.latestEpoch).toBe(NO_EPOCH);
  });

  it('accepts a lower epoch again once truncated below the epochs above it', () => {
    const cache = cacheOf([1, 1, 3, 3]);
    expect(() => cache.assign(2, 4)).toThrow(RangeError);
    cache.truncateFromEnd(2);
    cache.assign(2, 2);
    expect(cache.toArray()).toEqual([
      { epoch: 1, startOffset: 0 },
      { epoch: 2, startOffset: 2 },
    ]);
  });

  test.prop([logEpochsArb(1).chain((epochs) => fc.tuple(fc.constant(epochs), fc.nat({ max: epochs.length })))])(
    'truncating a cache equals rebuilding it from the kept entries',
    ([epochs, end]) => {
      const cache = cacheOf(epochs);
      cache.truncateFromEnd(end);
      const kept = epochs.slice(0, end);
      const rebuilt = cacheOf(kept);
      expect(cache.toArray()).toEqual(rebuilt.toArray());
      expect(cache.latestEpoch).toBe(rebuilt.latestEpoch);
      const max = epochs.at(-1) ?? 0;
      for (let e = 0; e <= max + 1; e++) {
        expect(cache.endOffsetFor(e, 0, end)).toEqual(bruteForceEndOffset(kept, e));
      }
    },
  );
});

describe('EpochCache: truncateFromStart (after a snapshot)', () => {
  it('drops older epochs and moves the snapshot epoch to the new log start', () => {
    const cache = cacheOf([1, 1, 1, 2, 2, 2, 2, 3, 3]); // 1@0, 2@3, 3@7
    cache.truncateFromStart(5, 2); // snapshot up to offset 5, whose last entry (4) is in epoch 2
    expect(cache.toArray()).toEqual([
      { epoch: 2, startOffset: 5 },
      { epoch: 3, startOffset: 7 },
    ]);
    expect(cache.endOffsetFor(2, 5, 9)).toEqual({ epoch: 2, endOffset: 7 });
    expect(cache.endOffsetFor(1, 5, 9)).toEqual({ epoch: NO_EPOCH, endOffset: 5 });
  });

  it('keeps later epochs unchanged when the cut is on an epoch boundary', () => {
    const cache = cacheOf([1, 1, 2, 2]); // 1@0, 2@2
    cache.truncateFromStart(2, 1); // snapshot ends after offset 1, in epoch 1
    expect(cache.toArray()).toEqual([
      { epoch: 1, startOffset: 2 },
      { epoch: 2, startOffset: 2 },
    ]);
    expect(cache.endOffsetFor(1, 2, 4)).toEqual({ epoch: 1, endOffset: 2 });
    expect(cache.endOffsetFor(2, 2, 4)).toEqual({ epoch: 2, endOffset: 4 });
  });

  it('a snapshot covering the whole log leaves only its epoch, at the new start', () => {
    const cache = cacheOf([1, 1, 2, 2]);
    cache.truncateFromStart(4, 2);
    expect(cache.toArray()).toEqual([{ epoch: 2, startOffset: 4 }]);
    expect(cache.endOffsetFor(2, 4, 4)).toEqual({ epoch: 2, endOffset: 4 });
  });

  it('a snapshot beyond the log (epoch unknown to the cache) becomes the only epoch', () => {
    const cache = cacheOf([1, 1, 2]);
    cache.truncateFromStart(10, 4);
    expect(cache.toArray()).toEqual([{ epoch: 4, startOffset: 10 }]);
    expect(cache.latestEpoch).toBe(4);
  });

  it('on an empty cache records the snapshot epoch', () => {
    const cache = new EpochCache();
    cache.truncateFromStart(6, 3);
    expect(cache.toArray()).toEqual([{ epoch: 3, startOffset: 6 }]);
  });

  test.prop([
    logEpochsArb(1)
      .filter((e) => e.length > 0)
      .chain((epochs) => fc.tuple(fc.constant(epochs), fc.integer({ min: 1, max: epochs.length }))),
  ])('after a snapshot every epoch from the snapshot on ends where the scan says', ([epochs, cut]) => {
    const cache = cacheOf(epochs);
    const snapshotEpoch = epochs[cut - 1]!;
    cache.truncateFromStart(cut, snapshotEpoch);
    expect(cache.toArray()[0]).toEqual({ epoch: snapshotEpoch, startOffset: cut });
    const max = epochs.at(-1)!;
    for (let e = snapshotEpoch; e <= max + 1; e++) {
      expect(cache.endOffsetFor(e, cut, epochs.length)).toEqual(bruteForceEndOffset(epochs, e));
    }
    for (let e = 0; e < snapshotEpoch; e++) {
      expect(cache.endOffsetFor(e, cut, epochs.length)).toEqual({ epoch: NO_EPOCH, endOffset: cut });
    }
  });
});

describe('EpochCache: reset', () => {
  it('forgets everything and starts the log at the given epoch and offset', () => {
    const cache = cacheOf([1, 2, 3, 4]);
    cache.reset(7, 20);
    expect(cache.toArray()).toEqual([{ epoch: 7, startOffset: 20 }]);
    expect(cache.latestEpoch).toBe(7);
    expect(cache.endOffsetFor(7, 20, 20)).toEqual({ epoch: 7, endOffset: 20 });
    expect(cache.endOffsetFor(3, 20, 20)).toEqual({ epoch: NO_EPOCH, endOffset: 20 });
    // Appends continue from the reset point; going back is still refused.
    cache.assign(8, 22);
    expect(cache.endOffsetFor(7, 20, 25)).toEqual({ epoch: 7, endOffset: 22 });
    expect(() => cache.assign(9, 21)).toThrow(RangeError);
  });

  it('may go back to a lower epoch (a snapshot fetched from the leader replaces the log)', () => {
    const cache = cacheOf([5, 5, 6]);
    cache.reset(2, 1);
    expect(cache.toArray()).toEqual([{ epoch: 2, startOffset: 1 }]);
  });
});
