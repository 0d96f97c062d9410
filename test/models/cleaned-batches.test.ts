// What cleans did to a partition, as the projections (the partition ghost, trace validation) use it:
// a recovered or copied log with gaps gets back, as first written, the batches cleans dropped there.
import { describe, expect, it } from 'vitest';
import { CleanedBatches, type SummaryBatch } from '../../models/cleaned-batches.ts';

const batch = (base: number, epoch = 0, hash = base * 7 + 1): SummaryBatch => [base, base, epoch, hash];
const range = (from: number, to: number, epoch = 0) => Array.from({ length: to - from }, (_, i) => batch(from + i, epoch));

describe('CleanedBatches.restore', () => {
  it('fills a gap the dropped batches cover exactly, and leaves one they do not cover alone', () => {
    const cleaned = new CleanedBatches();
    // A replica whose log starts at 0 cleans [0, 10) and keeps 2 and 9.
    expect(cleaned.clean(range(0, 10), 0, 0, 10, [batch(2), batch(9)])).toBeNull();
    expect(cleaned.restore(0, [batch(2), batch(9)])).toEqual(range(0, 10));
    // Nothing was dropped at 10..11: that gap stays.
    expect(cleaned.restore(0, [batch(2), batch(9), batch(12)])).toEqual([...range(0, 10), batch(12)]);
  });

  it('fills the part of a gap that ends at the next batch when what lies below it was never recorded (below the log start at the clean)', () => {
    const cleaned = new CleanedBatches();
    // The log started at 5 when it was cleaned: 0..4 were not dropped by the clean, only 5..8 were.
    expect(cleaned.clean(range(0, 10), 5, 0, 10, [batch(9)])).toBeNull();
    // A crash brought back log start 0 (an older checkpoint) with batches 0..2 and 9 on disk.
    expect(cleaned.restore(0, [...range(0, 3), batch(9)])).toEqual([...range(0, 3), ...range(5, 10)]);
    // Recovered from 3 on, nothing below 9 is held but 5..8, which the clean dropped.
    expect(cleaned.restore(3, [batch(9)])).toEqual(range(5, 10));
  });
});
