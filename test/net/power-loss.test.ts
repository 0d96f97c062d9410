// A power loss emulated on real files (net/power-loss.ts over FileStorage's durability journal): what an
// fsync made durable stays, the rest goes, as the simulator's disk loses it on a crash; a torn tail is
// cut by the logs' own recovery.
import { fc, test } from '@fast-check/vitest';
import { existsSync, mkdtempSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect } from 'vitest';
import { readAll, type Storage } from '../../core/storage.ts';
import { PartitionLog } from '../../core/log/partition-log.ts';
import type { RecordBatch } from '../../core/protocol/records.ts';
import { recordBatch } from '../core/batches.ts';
import { FileStorage } from '../../net/file-storage.ts';
import { rollBackToDurable } from '../../net/power-loss.ts';
import { SimStorage } from '../../sim/disk.ts';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'samsa-power-loss-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The process dies (no flush; the lock goes with it), then the machine loses power. */
function powerLoss(storage: FileStorage, root = dir): FileStorage {
  storage.close();
  rollBackToDurable(root);
  return new FileStorage(root);
}

function contents(storage: Storage): Record<string, string> {
  return Object.fromEntries(storage.list().map((n) => [n, text(readAll(storage, n))]));
}

describe('rollBackToDurable', () => {
  test('appends without fsync are lost; fsynced ones are kept', () => {
    let storage = new FileStorage(dir);
    storage.append('orders-0/log', bytes('synced '));
    storage.fsync('orders-0/log');
    storage.append('orders-0/log', bytes('unsynced'));
    storage = powerLoss(storage);
    expect(contents(storage)).toEqual({ 'orders-0/log': 'synced ' });
    storage.close();
  });

  test('a file created and written but never fsynced is gone, its new directory too (its entry was never durable)', () => {
    let storage = new FileStorage(dir);
    storage.append('kept', bytes('k'));
    storage.fsync('kept');
    storage.append('orders-0/log', bytes('never synced'));
    storage = powerLoss(storage);
    expect(storage.list()).toEqual(['kept']);
    expect(existsSync(join(dir, 'orders-0'))).toBe(false);
    storage.close();
  });

  test('a checkpoint written by replace (temp, fsync, rename, directory fsync) survives whole', () => {
    let storage = new FileStorage(dir);
    storage.replace('replication-offset-checkpoint', bytes('{"orders-0":1}'));
    storage.replace('replication-offset-checkpoint', bytes('{"orders-0":22}'));
    storage = powerLoss(storage);
    expect(contents(storage)).toEqual({ 'replication-offset-checkpoint': '{"orders-0":22}' });
    storage.close();
  });

  test('a replace cut before its rename leaves the old content, cut to what was durable', () => {
    let storage = new FileStorage(dir);
    storage.append('log', bytes('abc'));
    storage.fsync('log');
    storage.append('log', bytes('def'));
    storage.close();
    // What replace does up to its rename, then the SIGKILL: a journaled pending replace and its temp file.
    writeFileSync(join(dir, '.durable-journal'), '["r","log"]\n', { flag: 'a' });
    writeFileSync(join(dir, 'log.tmp'), 'new content');
    rollBackToDurable(dir);
    expect(existsSync(join(dir, 'log.tmp'))).toBe(false);
    storage = new FileStorage(dir);
    expect(contents(storage)).toEqual({ log: 'abc' });
    storage.close();
  });

  test('a replace renamed but not followed by its directory fsync: the new content whole, or no file when none was durable', () => {
    const storage = new FileStorage(dir);
    storage.append('log', bytes('abc'));
    storage.fsync('log');
    storage.close();
    writeFileSync(join(dir, '.durable-journal'), '["r","log"]\n["r","fresh"]\n', { flag: 'a' });
    writeFileSync(join(dir, 'log.tmp'), 'a longer new content');
    renameSync(join(dir, 'log.tmp'), join(dir, 'log'));
    writeFileSync(join(dir, 'fresh'), 'renamed, entry not durable');
    rollBackToDurable(dir);
    const again = new FileStorage(dir);
    expect(contents(again)).toEqual({ log: 'a longer new content' });
    again.close();
  });

  test('a SIGKILL alone loses nothing, and what the first process left unsynced is lost at a later power loss', () => {
    let storage = new FileStorage(dir);
    storage.append('log', bytes('a'));
    storage.fsync('log');
    storage.append('log', bytes('b'));
    storage.close(); // SIGKILL: the page cache keeps 'b'
    storage = new FileStorage(dir);
    expect(contents(storage)).toEqual({ log: 'ab' });
    expect(storage.unsyncedFiles()).toEqual(['log']);
    storage.append('log', bytes('c'));
    storage = powerLoss(storage);
    expect(contents(storage)).toEqual({ log: 'a' });
    storage.close();
  });

  test('a truncation below the durable size keeps what is left: the cut bytes cannot come back', () => {
    let storage = new FileStorage(dir);
    storage.append('log', bytes('abcdef'));
    storage.fsync('log');
    storage.truncate('log', 2);
    storage.append('log', bytes('XY'));
    storage = powerLoss(storage);
    expect(contents(storage)).toEqual({ log: 'ab' });
    storage.close();
  });

  test('deleted files stay deleted; a journal rolled back once describes the files left', () => {
    let storage = new FileStorage(dir);
    storage.append('gone', bytes('g'));
    storage.fsync('gone');
    storage.delete('gone');
    storage.append('log', bytes('x'));
    storage.fsync('log');
    storage = powerLoss(storage);
    storage = powerLoss(storage);
    expect(contents(storage)).toEqual({ log: 'x' });
    storage.close();
  });

  test('a log dir from before the journal is fsynced at open; rolling back one without a journal changes nothing', () => {
    writeFileSync(join(dir, 'old'), 'from an older samsa');
    expect(rollBackToDurable(dir)).toEqual({ journal: false, files: [] });
    let storage = new FileStorage(dir);
    expect(storage.unsyncedFiles()).toEqual([]);
    storage = powerLoss(storage);
    expect(contents(storage)).toEqual({ old: 'from an older samsa' });
    storage.close();
  });

  test('refuses a log dir that a live FileStorage holds', () => {
    const storage = new FileStorage(dir);
    expect(() => rollBackToDurable(dir)).toThrow(/held by the live process/);
    storage.close();
  });

  test('torn tails: a prefix of the unsynced bytes, or garbage past the durable size; the partition log recovers its synced batches', () => {
    for (const tornTail of ['prefix', 'garbage'] as const) {
      for (let seed = 1; seed <= 20; seed++) {
        const root = mkdtempSync(join(dir, `${tornTail}-`));
        let storage = new FileStorage(root);
        const { log } = PartitionLog.open(storage, 'orders-0', { appended: () => {}, truncated: () => {} });
        log.append([batch(0, 'synced')]);
        log.flush();
        const synced = storage.size(SEGMENT);
        log.append([batch(1, 'lost one'), batch(2, 'lost two')]);
        const before = storage.size(SEGMENT);
        storage.close();
        const report = rollBackToDurable(root, { tornTail, seed });
        expect(report.files).toHaveLength(1);
        const [outcome] = report.files;
        expect(outcome).toMatchObject({ file: SEGMENT, size: before, synced, torn: true });
        expect(statSync(join(root, SEGMENT)).size).toBe(outcome!.kept);
        expect(outcome!.kept).toBeGreaterThan(synced);
        if (tornTail === 'prefix') expect(outcome!.kept).toBeLessThan(before);
        storage = new FileStorage(root);
        const recovered = PartitionLog.open(storage, 'orders-0', { appended: () => {}, truncated: () => {} });
        // A prefix may keep the first unsynced batch whole; garbage never passes the checksum.
        expect(recovered.log.logEndOffset).toBeGreaterThanOrEqual(1);
        if (tornTail === 'garbage') expect(recovered.log.logEndOffset).toBe(1);
        expect(recovered.log.logEndOffset).toBeLessThan(3);
        expect(storage.size(SEGMENT)).toBeLessThan(before);
        storage.close();
      }
    }
  });
});

/** The partition's first segment file. */
const SEGMENT = 'orders-0/00000000000000000000.log';

function batch(offset: number, value: string): RecordBatch {
  return recordBatch({ count: 1, baseOffset: offset, epoch: 0, value: () => value });
}

/** Names as the core makes them, none a directory of another. */
const NAMES = ['client-op-ids', 'replication-offset-checkpoint', '__cluster_metadata-0/log', 'orders-0/00000000000000000000.log', 'a/b/c'];

type Op =
  | { op: 'append'; name: string; data: Uint8Array }
  | { op: 'truncate'; name: string; size: number }
  | { op: 'fsync'; name: string }
  | { op: 'replace'; name: string; data: Uint8Array }
  | { op: 'delete'; name: string }
  | { op: 'kill' }
  | { op: 'power-loss' };

const name = fc.constantFrom(...NAMES);
const data = fc.uint8Array({ minLength: 1, maxLength: 20 });
const ops = (withTruncate: boolean) =>
  fc.array(
    fc.oneof(
      { arbitrary: fc.record({ op: fc.constant('append' as const), name, data }), weight: 6 },
      { arbitrary: fc.record({ op: fc.constant('truncate' as const), name, size: fc.integer({ min: 0, max: 60 }) }), weight: withTruncate ? 2 : 0 },
      { arbitrary: fc.record({ op: fc.constant('fsync' as const), name }), weight: 3 },
      { arbitrary: fc.record({ op: fc.constant('replace' as const), name, data }), weight: 1 },
      { arbitrary: fc.record({ op: fc.constant('delete' as const), name }), weight: 1 },
      { arbitrary: fc.constant({ op: 'kill' as const }), weight: 1 },
      { arbitrary: fc.constant({ op: 'power-loss' as const }), weight: withTruncate ? 0 : 1 },
    ),
    { maxLength: 30 },
  );

function run(storage: Storage, op: Exclude<Op, { op: 'kill' | 'power-loss' }>): void {
  switch (op.op) {
    case 'append':
      return storage.append(op.name, op.data.slice());
    case 'truncate':
      return storage.truncate(op.name, op.size);
    case 'fsync':
      return storage.fsync(op.name);
    case 'replace':
      return storage.replace(op.name, op.data.slice());
    case 'delete':
      return storage.delete(op.name);
  }
}

describe('a power loss on real files against the simulated disk', () => {
  test.prop([ops(false)], { numRuns: 60 })('keeps exactly what the simulated disk keeps on a crash', (sequence) => {
    const root = mkdtempSync(join(dir, 'run-'));
    const sim = new SimStorage();
    let real = new FileStorage(root);
    try {
      for (const op of [...sequence, { op: 'power-loss' as const }]) {
        if (op.op === 'kill') {
          real.close();
          real = new FileStorage(root);
        } else if (op.op === 'power-loss') {
          real = powerLoss(real, root);
          sim.crash();
          expect(contents(real)).toEqual(contents(sim));
        } else {
          run(real, op);
          run(sim, op);
        }
      }
    } finally {
      real.close();
    }
  });

  test.prop([ops(true)], { numRuns: 60 })('with truncations, keeps a prefix of it (bytes cut below the durable size are gone for good)', (sequence) => {
    const root = mkdtempSync(join(dir, 'run-'));
    const sim = new SimStorage();
    let real = new FileStorage(root);
    for (const op of sequence) {
      if (op.op === 'kill') {
        real.close();
        real = new FileStorage(root);
      } else if (op.op !== 'power-loss') {
        run(real, op);
        run(sim, op);
      }
    }
    real = powerLoss(real, root);
    sim.crash();
    const got = contents(real);
    const want = contents(sim);
    real.close();
    expect(Object.keys(got)).toEqual(Object.keys(want));
    for (const [n, content] of Object.entries(got)) expect(want[n]!.startsWith(content), n).toBe(true);
    unlinkSync(join(root, '.durable-journal'));
  });
});
