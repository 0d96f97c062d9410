// Checkpoint files on real disk are written as Kafka writes them (temp file, fsync, rename,
// directory fsync): a crash between any two of those steps leaves a checkpoint that reads back
// whole, with the old entries or the new, never a mix and never unreadable.
import { mkdtempSync, openSync, closeSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readCheckpoint, writeCheckpoint } from '../../core/log/checkpoint-file.ts';
import { FileStorage, TMP_SUFFIX } from '../../net/file-storage.ts';

const FILE = 'recovery-point-offset-checkpoint';
const OLD = [
  ['orders', '0', '120'],
  ['orders', '1', '95'],
];
const NEW = [
  ['orders', '0', '4100'],
  ['orders', '1', '3980'],
  ['payments', '0', '7'],
];

/** The bytes writeCheckpoint would put in the file for `entries`. */
function bytesOf(entries: string[][]): Uint8Array {
  return new TextEncoder().encode(['0', String(entries.length), ...entries.map((e) => e.join(' '))].join('\n') + '\n');
}

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A log dir holding the old checkpoint, durably written; the storage is closed again. */
function logDirWithOld(): string {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-checkpoint-'));
  dirs.push(dir);
  const storage = new FileStorage(dir);
  writeCheckpoint(storage, FILE, OLD);
  storage.close();
  return dir;
}

/** What a fresh open of the log dir reads from the checkpoint. */
function reopenAndRead(dir: string): string[][] | null {
  const storage = new FileStorage(dir);
  try {
    return readCheckpoint(storage, FILE, 3);
  } finally {
    storage.close();
  }
}

describe('checkpoint files survive a crash at any step of their replace', () => {
  const path = (dir: string) => join(dir, FILE);
  const steps: Array<[string, (dir: string) => void, string[][]]> = [
    ['before the temp file exists', () => {}, OLD],
    ['after the temp file was created, empty', (dir) => closeSync(openSync(path(dir) + TMP_SUFFIX, 'w')), OLD],
    [
      'halfway through writing the temp file',
      (dir) => {
        const fd = openSync(path(dir) + TMP_SUFFIX, 'w');
        const bytes = bytesOf(NEW);
        writeSync(fd, bytes, 0, bytes.length >> 1);
        closeSync(fd);
      },
      OLD,
    ],
    ['after the temp file was written and fsynced, before the rename', (dir) => writeFileSync(path(dir) + TMP_SUFFIX, bytesOf(NEW)), OLD],
    [
      'after the rename, before the directory fsync (the rename reached the disk)',
      (dir) => {
        writeFileSync(path(dir) + TMP_SUFFIX, bytesOf(NEW));
        renameSync(path(dir) + TMP_SUFFIX, path(dir));
      },
      NEW,
    ],
  ];
  for (const [when, crashState, expected] of steps) {
    it(when, () => {
      const dir = logDirWithOld();
      crashState(dir);
      expect(reopenAndRead(dir)).toEqual(expected);
    });
  }

  it('a checkpoint whose content is cut or foreign reads as no checkpoint, never as wrong offsets', () => {
    const dir = logDirWithOld();
    writeFileSync(join(dir, FILE), bytesOf(NEW).subarray(0, 20));
    expect(reopenAndRead(dir)).toBeNull();
    writeFileSync(join(dir, FILE), 'not a checkpoint\n');
    expect(reopenAndRead(dir)).toBeNull();
  });
});
