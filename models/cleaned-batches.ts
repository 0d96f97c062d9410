// What the log cleaner did to a partition, for the projections of its replicas' logs (the partition
// ghost, trace validation): a clean may only keep, at the same offsets, batches the replica held
// (base, last offset and leader epoch the same; a batch that lost records gets a new content hash)
// and drop the rest. Projections keep the batches as first written (the spec's records, which the
// cleaner never changes the offsets of): a cleaned batch stands for the batch it came from, and the
// batches a clean dropped fill the gaps they leave in a replica that copied or recovered a cleaned log.

/** [baseOffset, lastOffset, leaderEpoch, hash, ...] as the trace's batch summaries carry them. */
export type SummaryBatch = readonly [number, number, number, number, ...number[]];

const identity = (b: SummaryBatch) => `${b[0]}:${b[1]}:${b[2]}:${b[3]}`;

export class CleanedBatches {
  /** A cleaned batch's identity → the batch it was cleaned from. */
  private readonly variants = new Map<string, SummaryBatch>();
  /** Batches some clean dropped, by base offset. */
  private readonly removed = new Map<number, SummaryBatch[]>();

  /** Whether any clean has been seen (projections skip the work until then). */
  get any(): boolean {
    return this.variants.size > 0 || this.removed.size > 0;
  }

  /**
   * Judges a clean of the range [base, end) of a replica whose projected log is `log` (starting at
   * `start`): every kept batch at or past the log start must be one of the log's batches there, in
   * order, with the same offsets and epoch. Returns what is wrong, or null, and remembers the clean.
   */
  clean(log: readonly SummaryBatch[], start: number, base: number, end: number, kept: readonly SummaryBatch[]): string | null {
    const inRange = log.filter((b) => b[0] >= base && b[1] < end);
    let i = 0;
    let previous = base - 1;
    const survivors = new Set<SummaryBatch>();
    for (const b of kept) {
      if (b[0] <= previous || b[1] >= end) return `the cleaned batch [${b.slice(0, 4).join(',')}] lies out of order or outside [${base}, ${end})`;
      previous = b[1];
      if (b[1] < start) continue;
      while (i < inRange.length && inRange[i]![0] < b[0]) i++;
      const original = inRange[i];
      if (original === undefined || original[0] !== b[0] || original[1] !== b[1] || original[2] !== b[2]) {
        return `the cleaned batch [${b.slice(0, 4).join(',')}] is no batch the replica held (${original === undefined ? 'none there' : `it held [${original.slice(0, 4).join(',')}]`})`;
      }
      survivors.add(original);
      if (original[3] !== b[3]) this.variants.set(identity(b), original);
    }
    for (const b of inRange) {
      if (survivors.has(b) || b[1] < start) continue;
      const at = this.removed.get(b[0]) ?? [];
      if (!at.some((r) => identity(r) === identity(b))) at.push(b);
      this.removed.set(b[0], at);
    }
    return null;
  }

  /** Whether some clean dropped a batch holding exactly the offsets `base`..`last`. */
  dropped(base: number, last: number): boolean {
    return (this.removed.get(base) ?? []).some((b) => b[1] === last);
  }

  /** The batch `b` was cleaned from, or `b`. */
  original<B extends SummaryBatch>(b: B): B | SummaryBatch {
    return this.variants.get(identity(b)) ?? b;
  }

  /**
   * `batches` (in offset order) as first written: cleaned batches mapped to their originals, and
   * every gap from `from` on filled with the batches cleans dropped there: the whole gap when they
   * fill it exactly, else the longest run of them that ends where the gap does.
   */
  restore(from: number, batches: readonly SummaryBatch[]): SummaryBatch[] {
    const out: SummaryBatch[] = [];
    let at = from;
    for (const b of batches) {
      if (b[0] > at) out.push(...this.fillBack(at, b[0], b[2]));
      out.push(this.original(b));
      at = b[1] + 1;
    }
    return out;
  }

  /**
   * The longest run of dropped batches that ends exactly at `to` and starts at or after `from`: a
   * log recovered with an older log start than the one its cleans saw holds, in a gap, batches no
   * clean recorded (they lay below the log start then) and, above them, the dropped ones.
   */
  private fillBack(from: number, to: number, epochBound: number): SummaryBatch[] {
    const whole = this.fill(from, to, epochBound);
    if (whole.length > 0) return whole;
    const starts = [...this.removed.keys()].filter((k) => k >= from && k < to).sort((a, b) => a - b);
    for (const start of starts) {
      const run = this.fill(start, to, epochBound);
      if (run.length > 0) return run;
    }
    return [];
  }

  /**
   * Dropped batches covering [from, to) exactly, their epochs never going down nor past
   * `epochBound` (the next batch's), the newest epoch where several fit; none when they do not.
   */
  private fill(from: number, to: number, epochBound: number): SummaryBatch[] {
    const out: SummaryBatch[] = [];
    let at = from;
    let floor = -Infinity;
    while (at < to) {
      const candidates = (this.removed.get(at) ?? []).filter((b) => b[1] < to && b[2] <= epochBound && b[2] >= floor);
      if (candidates.length === 0) return [];
      const pick = candidates.reduce((a, b) => (b[2] > a[2] ? b : a));
      out.push(pick);
      at = pick[1] + 1;
      floor = pick[2];
    }
    return out;
  }
}
