// Property: whatever the simulated disk does to a segmented partition log at a crash (torn writes
// that keep part of the unsynced bytes, random garbage past the synced content), reopening from the
// last checkpointed recovery point gives a valid prefix of what was written: every batch below the
// recovery point, batches identical to those appended, indexes that find each of them, and a log
// that takes appends again. A truncation is not fsynced (as in Kafka), so a crash may bring back
// batches it cut, whole: replication's epoch checks cut them again, and the property allows them.
import { describe, expect, it } from 'vitest';
import { DEFAULT_LOG_CONFIG, type LogConfig } from '../../core/log/log-config.ts';
import { PartitionLog, type PartitionLogObserver } from '../../core/log/partition-log.ts';
import { lastOffsetOf } from '../../core/protocol/records.ts';
import { SimStorage } from '../../sim/disk.ts';
import { Rng } from '../../sim/random.ts';
import { recordBatch } from './batches.ts';

const DIR = 'orders-0';
const quiet: PartitionLogObserver = { appended() {}, truncated() {} };
const CONFIG: LogConfig = { ...DEFAULT_LOG_CONFIG, segmentBytes: 1_500, indexIntervalBytes: 200 };
const ROUNDS = 300;

interface Written {
  baseOffset: number;
  lastOffset: number;
  hash: number;
}

/** One seed: a random history of appends, truncations, flushes and checkpoints, then a crash. */
export function runRound(seed: number, faults: { tornWrites: number; garbageTail: number }): void {
  const rng = new Rng(`disk-faults-${seed}`);
  const storage = new SimStorage(new Rng(`disk-${seed}`), { tornWrites: faults.tornWrites, fsyncFailure: 0, readError: 0, garbageTail: faults.garbageTail });
  let log = PartitionLog.open(storage, DIR, quiet, CONFIG).log;
  let written: Written[] = [];
  /** Every batch ever appended, truncated or not, by its identity. */
  const ever = new Set<string>();
  const identity = (w: Written) => `${w.baseOffset}-${w.lastOffset}-${w.hash}`;
  let checkpoint = 0;
  let epoch = 0;
  let ts = 1_000;
  const steps = 20 + rng.int(120);
  for (let step = 0; step < steps; step++) {
    const roll = rng.int(100);
    if (roll < 70) {
      if (rng.chance(0.05)) epoch++;
      ts += rng.int(4);
      const batch = recordBatch({ count: 1 + rng.int(6), baseOffset: log.logEndOffset, epoch, ts, value: (i) => `s${seed}-${log.logEndOffset + i}` });
      log.append([batch]);
      const stored = log.storedBatches().at(-1)!;
      written.push({ baseOffset: batch.baseOffset, lastOffset: lastOffsetOf(batch), hash: stored.hash });
      ever.add(identity(written.at(-1)!));
    } else if (roll < 80) {
      log.flush();
    } else if (roll < 90) {
      checkpoint = log.recoveryPoint;
    } else if (roll < 94 && written.length > 0) {
      const to = written[rng.int(written.length)]!.baseOffset;
      log.truncateTo(to);
      written = written.filter((w) => w.lastOffset < log.logEndOffset);
      checkpoint = Math.min(checkpoint, log.recoveryPoint);
    } else if (rng.chance(0.3)) {
      // A restart without a crash: the page cache keeps everything.
      log = PartitionLog.open(storage, DIR, quiet, CONFIG, { recoveryPoint: checkpoint }).log;
      expect(log.logEndOffset).toBe(written.at(-1)?.lastOffset === undefined ? log.logStartOffset : written.at(-1)!.lastOffset + 1);
    }
  }
  const durableEnd = log.recoveryPoint;
  storage.crash();
  const { log: recovered } = PartitionLog.open(storage, DIR, quiet, CONFIG, { recoveryPoint: checkpoint });
  const got = recovered.storedBatches().map((s): Written => ({ baseOffset: s.batch.baseOffset, lastOffset: lastOffsetOf(s.batch), hash: s.hash }));
  // Everything flushed is there, batch for batch.
  const flushed = written.filter((w) => w.lastOffset < durableEnd);
  expect(got.slice(0, flushed.length)).toEqual(flushed);
  // Every batch is one that was appended at that offset, and they follow each other without a gap.
  for (const [i, w] of got.entries()) {
    expect(ever.has(identity(w))).toBe(true);
    expect(w.baseOffset).toBe(i === 0 ? recovered.logStartOffset : got[i - 1]!.lastOffset + 1);
  }
  expect(recovered.logEndOffset).toBe(got.at(-1) === undefined ? recovered.logStartOffset : got.at(-1)!.lastOffset + 1);
  // The rebuilt indexes find every batch.
  for (const w of got) expect(recovered.read(w.baseOffset, Infinity, 1).map((b) => b.baseOffset)).toEqual([w.baseOffset]);
  // And the log goes on: an append, then a clean reopen, gives the same log.
  const next = recordBatch({ count: 2, baseOffset: recovered.logEndOffset, epoch: epoch + 1, ts: ts + 10 });
  recovered.append([next]);
  const again = PartitionLog.open(storage, DIR, quiet, CONFIG, { recoveryPoint: checkpoint }).log;
  expect(again.storedBatches().map((s) => s.hash)).toEqual(recovered.storedBatches().map((s) => s.hash));
}

describe('PartitionLog: every disk fault recovers to a valid prefix', () => {
  it(`torn writes at a crash (${ROUNDS} seeds)`, () => {
    for (let seed = 0; seed < ROUNDS; seed++) runRound(seed, { tornWrites: 1, garbageTail: 0 });
  });

  it(`garbage past the synced content at a crash (${ROUNDS} seeds)`, () => {
    for (let seed = 0; seed < ROUNDS; seed++) runRound(seed, { tornWrites: 0, garbageTail: 1 });
  });

  it(`both, half the time each (${ROUNDS} seeds)`, () => {
    for (let seed = 0; seed < ROUNDS; seed++) runRound(seed, { tornWrites: 0.5, garbageTail: 0.5 });
  });
});
