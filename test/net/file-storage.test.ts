// FileStorage against the simulator's disk: any sequence of operations gives the same files, sizes,
// bytes and errors; plus what only real files have: reopening, temp files from a crashed replace, the lock.
import { fc, test } from '@fast-check/vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect } from 'vitest';
import { FileStorage, LogDirInUseError } from '../../net/file-storage.ts';
import { readAll, StorageError, type Storage } from '../../core/storage.ts';
import { SimStorage } from '../../sim/disk.ts';

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (data: Uint8Array) => new TextDecoder().decode(data);

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'samsa-file-storage-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Names as the core makes them, none a directory of another. */
const NAMES = [
  'client-op-ids',
  'replication-offset-checkpoint',
  '__cluster_metadata-0/log',
  '__cluster_metadata-0/quorum-state',
  'orders-0/00000000000000000000.log',
  'a/b/c',
];

type Op =
  | { op: 'append'; name: string; data: Uint8Array }
  | { op: 'read'; name: string; offset: number; length: number }
  | { op: 'truncate'; name: string; size: number }
  | { op: 'fsync'; name: string }
  | { op: 'replace'; name: string; data: Uint8Array }
  | { op: 'delete'; name: string }
  | { op: 'reopen' };

const name = fc.constantFrom(...NAMES);
const data = fc.uint8Array({ maxLength: 40 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.record({ op: fc.constant('append' as const), name, data }), weight: 5 },
  {
    arbitrary: fc.record({ op: fc.constant('read' as const), name, offset: fc.integer({ min: -1, max: 120 }), length: fc.integer({ min: -1, max: 120 }) }),
    weight: 3,
  },
  { arbitrary: fc.record({ op: fc.constant('truncate' as const), name, size: fc.integer({ min: -1, max: 120 }) }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('fsync' as const), name }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('replace' as const), name, data }), weight: 2 },
  { arbitrary: fc.record({ op: fc.constant('delete' as const), name }), weight: 1 },
  { arbitrary: fc.constant({ op: 'reopen' as const }), weight: 1 },
);

/** What an operation returned or threw, comparable across implementations. */
function outcome(run: () => unknown): unknown {
  try {
    const value = run();
    return value instanceof Uint8Array ? { bytes: [...value] } : { value: value ?? null };
  } catch (err) {
    if (err instanceof StorageError) return { error: err.kind, message: err.message };
    throw err;
  }
}

function apply(storage: Storage, op: Exclude<Op, { op: 'reopen' }>): unknown {
  switch (op.op) {
    case 'append':
      // Both may keep the array: each gets its own.
      return outcome(() => storage.append(op.name, op.data.slice()));
    case 'read':
      return outcome(() => storage.read(op.name, op.offset, op.length));
    case 'truncate':
      return outcome(() => storage.truncate(op.name, op.size));
    case 'fsync':
      return outcome(() => storage.fsync(op.name));
    case 'replace':
      return outcome(() => storage.replace(op.name, op.data.slice()));
    case 'delete':
      return outcome(() => storage.delete(op.name));
  }
}

function snapshot(storage: Storage): unknown {
  return storage.list().map((n) => ({ name: n, size: storage.size(n), exists: storage.exists(n), content: [...readAll(storage, n)] }));
}

describe('FileStorage', () => {
  test.prop([fc.array(opArb, { maxLength: 40 })], { numRuns: 100 })('behaves as the simulated disk without faults', (ops) => {
    const root = mkdtempSync(join(dir, 'run-'));
    const sim = new SimStorage();
    let real = new FileStorage(root);
    try {
      for (const op of ops) {
        if (op.op === 'reopen') {
          // A clean close keeps even unsynced writes (the page cache outlives the process).
          real.close();
          real = new FileStorage(root);
        } else {
          expect(apply(real, op)).toEqual(apply(sim, op));
        }
        for (const n of NAMES) {
          expect(real.size(n)).toBe(sim.size(n));
          expect(real.exists(n)).toBe(sim.exists(n));
        }
        expect(real.list()).toEqual(sim.list());
      }
      expect(snapshot(real)).toEqual(snapshot(sim));
      real.close();
      real = new FileStorage(root);
      expect(snapshot(real)).toEqual(snapshot(sim));
    } finally {
      real.close();
    }
  });

  test('data, sizes and nested names survive close and reopen', () => {
    const storage = new FileStorage(dir);
    storage.append('orders-0/00000000000000000000.log', bytes('hello '));
    storage.append('orders-0/00000000000000000000.log', bytes('world'));
    storage.fsync('orders-0/00000000000000000000.log');
    storage.replace('__cluster_metadata-0/quorum-state', bytes('{"epoch":3}'));
    storage.append('client-op-ids', new Uint8Array(0));
    storage.flushAll();
    expect(storage.unsyncedFiles()).toEqual([]);
    storage.close();
    expect(() => storage.size('client-op-ids')).not.toThrow();
    expect(() => storage.append('client-op-ids', bytes('x'))).toThrow(/closed/);

    const again = new FileStorage(dir);
    expect(again.list()).toEqual(['__cluster_metadata-0/quorum-state', 'client-op-ids', 'orders-0/00000000000000000000.log']);
    expect(text(readAll(again, 'orders-0/00000000000000000000.log'))).toBe('hello world');
    expect(again.read('orders-0/00000000000000000000.log', 6, 100)).toEqual(bytes('world'));
    expect(text(readAll(again, '__cluster_metadata-0/quorum-state'))).toBe('{"epoch":3}');
    expect(again.size('client-op-ids')).toBe(0);
    again.close();
  });

  test('read returns a copy', () => {
    const storage = new FileStorage(dir);
    storage.append('f', bytes('abc'));
    const first = storage.read('f', 0, 3);
    first[0] = 0;
    expect(text(storage.read('f', 0, 3))).toBe('abc');
    storage.close();
  });

  test('unsynced files are tracked until fsync or flushAll', () => {
    const storage = new FileStorage(dir);
    storage.replace('checkpoint', bytes('1'));
    expect(storage.unsyncedFiles()).toEqual([]);
    storage.append('a/log', bytes('x'));
    storage.append('b/log', bytes('y'));
    expect(storage.unsyncedFiles()).toEqual(['a/log', 'b/log']);
    storage.fsync('a/log');
    expect(storage.unsyncedFiles()).toEqual(['b/log']);
    storage.truncate('a/log', 0);
    expect(storage.unsyncedFiles()).toEqual(['a/log', 'b/log']);
    storage.flushAll();
    expect(storage.unsyncedFiles()).toEqual([]);
    storage.close();
  });

  test('a replace that crashed before its rename leaves the old content, and its temp file is removed at open', () => {
    const storage = new FileStorage(dir);
    storage.replace('__cluster_metadata-0/quorum-state', bytes('old'));
    storage.close();
    // What a crash between writing the temp file and renaming it leaves on disk.
    writeFileSync(join(dir, '__cluster_metadata-0', 'quorum-state.tmp'), 'ne');
    writeFileSync(join(dir, 'replication-offset-checkpoint.tmp'), 'never renamed');

    const again = new FileStorage(dir);
    expect(again.list()).toEqual(['__cluster_metadata-0/quorum-state']);
    expect(text(readAll(again, '__cluster_metadata-0/quorum-state'))).toBe('old');
    expect(existsSync(join(dir, '__cluster_metadata-0', 'quorum-state.tmp'))).toBe(false);
    expect(existsSync(join(dir, 'replication-offset-checkpoint.tmp'))).toBe(false);
    again.replace('__cluster_metadata-0/quorum-state', bytes('new'));
    expect(text(readAll(again, '__cluster_metadata-0/quorum-state'))).toBe('new');
    expect(readdirSync(join(dir, '__cluster_metadata-0'))).toEqual(['quorum-state']);
    again.close();
  });

  test('replace over a file with an open descriptor reads the new content', () => {
    const storage = new FileStorage(dir);
    storage.append('log', bytes('0123456789'));
    expect(text(storage.read('log', 0, 4))).toBe('0123');
    storage.replace('log', bytes('abc'));
    expect(text(readAll(storage, 'log'))).toBe('abc');
    storage.append('log', bytes('d'));
    expect(text(readAll(storage, 'log'))).toBe('abcd');
    storage.close();
  });

  test('delete removes the file and the directories it leaves empty', () => {
    const storage = new FileStorage(dir);
    storage.append('orders-0/00000000000000000000.log', bytes('x'));
    storage.append('orders-1/00000000000000000000.log', bytes('y'));
    storage.delete('orders-0/00000000000000000000.log');
    expect(storage.list()).toEqual(['orders-1/00000000000000000000.log']);
    expect(readdirSync(dir).sort()).toEqual(['.durable-journal', '.lock', 'orders-1']);
    storage.append('orders-0/00000000000000000000.log', bytes('z'));
    expect(text(readAll(storage, 'orders-0/00000000000000000000.log'))).toBe('z');
    storage.close();
  });

  test('a descriptor cap closes the least recently used files without losing data', () => {
    const storage = new FileStorage(dir, { maxOpenFiles: 2 });
    for (let round = 0; round < 3; round++) for (let i = 0; i < 5; i++) storage.append(`p-${i}/log`, bytes(`${round}`));
    for (let i = 0; i < 5; i++) expect(text(readAll(storage, `p-${i}/log`))).toBe('012');
    storage.truncate('p-0/log', 1);
    storage.flushAll();
    storage.close();
    const again = new FileStorage(dir);
    expect(text(readAll(again, 'p-0/log'))).toBe('0');
    again.close();
  });

  test('a file cut short behind its back fails the read with read-failed', () => {
    const storage = new FileStorage(dir);
    storage.append('log', bytes('0123456789'));
    truncateSync(join(dir, 'log'), 4);
    expect(() => storage.read('log', 0, 10)).toThrow(StorageError);
    try {
      storage.read('log', 0, 10);
    } catch (err) {
      expect((err as StorageError).kind).toBe('read-failed');
    }
    storage.close();
  });

  test('names that would escape the directory or clash with temp and lock files are refused', () => {
    const storage = new FileStorage(dir);
    for (const bad of ['../x', 'a/../b', '/abs', 'a//b', 'x.tmp', 'a/b.tmp', '.lock', '.durable-journal', '']) {
      expect(() => storage.append(bad, bytes('x')), bad).toThrow(/invalid storage file name/);
    }
    expect(storage.list()).toEqual([]);
    storage.close();
  });

  describe('the lock', () => {
    test('refuses a second opener in this process until the first closes', () => {
      const first = new FileStorage(dir);
      expect(readFileSync(join(dir, '.lock'), 'utf8').trim()).toBe(String(process.pid));
      expect(() => new FileStorage(dir)).toThrow(LogDirInUseError);
      expect(() => new FileStorage(join(dir, '.'))).toThrow(`log dir ${first.root} is already open in this process`);
      first.close();
      expect(existsSync(join(dir, '.lock'))).toBe(false);
      new FileStorage(dir).close();
    });

    test('refuses a log dir whose lock names another live process', async () => {
      const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
      try {
        const pid = child.pid!;
        writeFileSync(join(dir, '.lock'), `${pid}\n`);
        let error: unknown;
        try {
          new FileStorage(dir).close();
        } catch (err) {
          error = err;
        }
        expect(error).toBeInstanceOf(LogDirInUseError);
        expect((error as LogDirInUseError).holderPid).toBe(pid);
        expect((error as Error).message).toContain(`is in use by process ${pid}`);
        expect((error as Error).message).toContain('two brokers must never share a log dir');
        expect(readFileSync(join(dir, '.lock'), 'utf8').trim()).toBe(String(pid));
      } finally {
        child.kill();
        await new Promise((resolve) => child.once('exit', resolve));
      }
    });

    test('takes over a lock left by a dead process, an unreadable one, or one naming this pid', () => {
      const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
      for (const content of [`${dead}\n`, '', 'garbage', `${process.pid}`]) {
        writeFileSync(join(dir, '.lock'), content);
        const storage = new FileStorage(dir);
        expect(readFileSync(join(dir, '.lock'), 'utf8').trim()).toBe(String(process.pid));
        storage.close();
      }
    });

    test('the lock file is not one of the files', () => {
      mkdirSync(join(dir, 'sub'));
      writeFileSync(join(dir, 'sub', '.lock'), 'a file the core wrote');
      const storage = new FileStorage(dir);
      expect(storage.list()).toEqual(['sub/.lock']);
      storage.close();
    });
  });
});
