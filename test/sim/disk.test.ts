import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { readAll, StorageError } from '../../core/storage.ts';
import { SimStorage, type DiskFaults } from '../../sim/disk.ts';
import { Rng } from '../../sim/random.ts';

const bytes = (...xs: number[]) => new Uint8Array(xs);
const content = (s: SimStorage, f: string) => [...readAll(s, f)];

function faulty(faults: Partial<DiskFaults>, seed = 'disk-test') {
  const reported: Array<{ fault: string; detail: Record<string, unknown> }> = [];
  const storage = new SimStorage(new Rng(seed), { tornWrites: 0, fsyncFailure: 0, readError: 0, ...faults }, ({ fault, ...detail }) =>
    reported.push({ fault, detail }),
  );
  return { storage, reported };
}

type Op = { op: 'append'; data: number[] } | { op: 'truncate'; to: number } | { op: 'fsync' } | { op: 'crash' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('append' as const), data: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 8 }) }),
  fc.record({ op: fc.constant('truncate' as const), to: fc.nat({ max: 40 }) }),
  fc.constant({ op: 'fsync' as const }),
  fc.constant({ op: 'crash' as const }),
);

describe('the disk: page-cache model', () => {
  test.prop([fc.array(opArb, { maxLength: 60 })])('a crash keeps exactly the content as of the last fsync', (ops) => {
    const storage = new SimStorage();
    let current: number[] = [];
    let exists = false;
    let durable: number[] | null = null; // null: the file was never synced
    for (const step of ops) {
      switch (step.op) {
        case 'append':
          storage.append('f', new Uint8Array(step.data));
          current = [...current, ...step.data];
          exists = true;
          break;
        case 'truncate':
          storage.truncate('f', step.to);
          current = current.slice(0, step.to);
          break;
        case 'fsync':
          storage.fsync('f');
          if (exists) durable = [...current];
          break;
        case 'crash':
          storage.crash();
          current = durable ?? [];
          exists = durable !== null;
          break;
      }
      expect(storage.exists('f')).toBe(exists);
      expect(content(storage, 'f')).toEqual(current);
      expect(storage.size('f')).toBe(current.length);
      // Ranges that start and end inside appended pieces read the same bytes.
      for (let at = 0; at <= current.length; at += 3) expect([...storage.read('f', at, 5)]).toEqual(current.slice(at, at + 5));
    }
  });

  it('loses exactly the unsynced suffix and reports it', () => {
    const storage = new SimStorage();
    storage.append('log', bytes(1, 2, 3));
    storage.fsync('log');
    storage.append('log', bytes(4, 5));
    expect(storage.unsyncedBytes('log')).toBe(2);
    const outcome = storage.crash();
    expect(content(storage, 'log')).toEqual([1, 2, 3]);
    expect(outcome).toEqual([{ file: 'log', size: 5, synced: 3, kept: 3, torn: false }]);
  });

  it('an unsynced truncation is undone by a crash', () => {
    const storage = new SimStorage();
    storage.append('log', bytes(1, 2, 3, 4));
    storage.fsync('log');
    storage.truncate('log', 1);
    storage.append('log', bytes(9, 9));
    storage.crash();
    expect(content(storage, 'log')).toEqual([1, 2, 3, 4]);
  });

  it('a file that was never synced vanishes in a crash', () => {
    const storage = new SimStorage();
    storage.append('new', bytes(1));
    storage.crash();
    expect(storage.exists('new')).toBe(false);
    expect(storage.list()).toEqual([]);
  });

  it('replace is atomic and durable at once', () => {
    const storage = new SimStorage();
    storage.replace('quorum-state', bytes(1, 1));
    storage.replace('quorum-state', bytes(2, 2, 2));
    storage.crash();
    expect(content(storage, 'quorum-state')).toEqual([2, 2, 2]);
  });

  it('wipe loses everything, synced or not', () => {
    const storage = new SimStorage();
    storage.append('a', bytes(1));
    storage.fsync('a');
    storage.wipe();
    expect(storage.list()).toEqual([]);
  });

  it('reads ranges as copies, short at the end of the file, and rejects bad ranges', () => {
    const storage = new SimStorage();
    storage.append('f', bytes(1, 2, 3));
    const view = storage.read('f', 1, 10);
    expect([...view]).toEqual([2, 3]);
    view[0] = 99;
    expect(content(storage, 'f')).toEqual([1, 2, 3]);
    expect([...storage.read('f', 5, 2)]).toEqual([]);
    expect(() => storage.read('f', -1, 2)).toThrow(StorageError);
  });
});

describe('the disk: injected faults', () => {
  it('a torn write keeps the synced content plus part of the unsynced bytes, cutting inside them', () => {
    let tornSeen = 0;
    for (let seed = 0; seed < 50; seed++) {
      const { storage, reported } = faulty({ tornWrites: 1 }, `torn-${seed}`);
      storage.append('log', bytes(1, 2));
      storage.fsync('log');
      storage.append('log', bytes(3, 4, 5));
      storage.append('log', bytes(6, 7, 8));
      const [outcome] = storage.crash();
      const after = content(storage, 'log');
      expect(outcome!.torn).toBe(true);
      expect(after.length).toBeGreaterThan(2);
      expect(after.length).toBeLessThan(8);
      expect(after).toEqual([1, 2, 3, 4, 5, 6, 7, 8].slice(0, after.length));
      expect(reported).toEqual([{ fault: 'torn-write', detail: { file: 'log', synced: 2, size: 8, kept: after.length } }]);
      if (after.length !== 5) tornSeen++; // not on a write boundary: the write itself was torn
    }
    expect(tornSeen).toBeGreaterThan(30);
  });

  it('without torn writes enabled, no crash ever keeps unsynced bytes', () => {
    for (let seed = 0; seed < 50; seed++) {
      const { storage } = faulty({ tornWrites: 0, fsyncFailure: 0 }, `clean-${seed}`);
      storage.append('log', bytes(1));
      storage.fsync('log');
      storage.append('log', bytes(2, 3, 4));
      storage.crash();
      expect(content(storage, 'log')).toEqual([1]);
    }
  });

  it('a failed fsync throws, reports, and leaves the data volatile', () => {
    const { storage, reported } = faulty({ fsyncFailure: 1 });
    storage.append('log', bytes(1, 2));
    expect(() => storage.fsync('log')).toThrow(StorageError);
    expect(() => storage.replace('state', bytes(1))).toThrow(/fsync-failed/);
    expect(reported.map((r) => r.fault)).toEqual(['fsync-failed', 'fsync-failed']);
    storage.crash();
    expect(storage.exists('log')).toBe(false);
    expect(storage.exists('state')).toBe(false);
  });

  it('a read error throws and is reported', () => {
    const { storage, reported } = faulty({ readError: 1 });
    storage.append('log', bytes(1));
    expect(() => storage.read('log', 0, 1)).toThrow(/read-failed/);
    expect(reported).toHaveLength(1);
  });
});
