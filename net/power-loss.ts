// A power loss emulated on a log dir whose broker was SIGKILLed (which keeps the page cache): every
// file falls back to what its journal (net/durable-journal.ts) says an fsync made durable, as the
// simulator's disk does on a crash; optionally the tail past that is torn, as a cut write-back leaves it.

import { closeSync, ftruncateSync, openSync, readdirSync, rmdirSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { JOURNAL_FILE, readJournal, resolveDurable, writeJournal, type DurableState } from './durable-journal.ts';
import { LOCK_FILE, logDirHolder, TMP_SUFFIX } from './file-storage.ts';

export interface PowerLossOptions {
  /**
   * A torn tail on each file with at least two unsynced bytes: `prefix` keeps part of the unsynced
   * bytes (a write-back cut short), `garbage` puts random bytes past the durable size instead (blocks
   * whose size reached the disk before their data). The core's logs frame and checksum every batch.
   */
  tornTail?: 'prefix' | 'garbage';
  /** Seeds the torn tails' lengths and bytes. */
  seed?: number;
}

/** What the power loss did to one file (files that kept everything are left out). */
export interface PowerLossOutcome {
  file: string;
  /** Its size before. */
  size: number;
  /** Bytes from the start that were durable. */
  synced: number;
  /** Its size after (0 when deleted). */
  kept: number;
  deleted: boolean;
  torn: boolean;
}

export interface PowerLossReport {
  /** False when the log dir had no journal: nothing tells what was durable, so every file was kept whole. */
  journal: boolean;
  files: PowerLossOutcome[];
}

/**
 * Rolls the log dir back to its durable state: each file cut to its durable size, files whose
 * directory entry was never made durable deleted, temp files of unfinished replaces removed. Bytes
 * a truncation removed cannot be brought back: such a file keeps what is left. Refuses a log dir
 * that a live process holds.
 */
export function rollBackToDurable(logDir: string, options: PowerLossOptions = {}): PowerLossReport {
  const holder = logDirHolder(logDir);
  if (holder !== null) throw new Error(`log dir ${logDir} is held by the live process ${holder}: kill it before the power loss`);
  const durable = readJournal(logDir);
  if (durable === null) return { journal: false, files: [] };
  const random = mulberry32(options.seed ?? 1);
  const files: string[] = [];
  const temps = new Set<string>();
  const dirs: string[] = [];
  walk(logDir, '', files, temps, dirs);
  files.sort();
  const after: DurableState = new Map();
  const outcomes: PowerLossOutcome[] = [];
  for (const name of files) {
    const path = join(logDir, ...name.split('/'));
    const size = statSync(path).size;
    const known = resolveDurable(durable.get(name), size, temps.has(name));
    if (!known.entry) {
      unlinkSync(path);
      outcomes.push({ file: name, size, synced: 0, kept: 0, deleted: true, torn: false });
      continue;
    }
    let kept = known.size;
    let torn = false;
    const unsynced = size - known.size;
    const fd = openSync(path, 'r+');
    try {
      if (options.tornTail === 'prefix' && unsynced >= 2) {
        kept = known.size + 1 + Math.floor(random() * (unsynced - 1));
        torn = true;
      }
      if (kept < size) ftruncateSync(fd, kept);
      if (options.tornTail === 'garbage' && unsynced >= 2) {
        const garbage = new Uint8Array(1 + Math.floor(random() * Math.min(unsynced, 4096)));
        for (let i = 0; i < garbage.length; i++) garbage[i] = Math.floor(random() * 256);
        writeSync(fd, garbage, 0, garbage.length, known.size);
        kept = known.size + garbage.length;
        torn = true;
      }
    } finally {
      closeSync(fd);
    }
    // After the power loss, whatever is on the disk is durable.
    after.set(name, { size: kept, entry: true, replacing: false });
    if (kept !== size || torn) outcomes.push({ file: name, size, synced: known.size, kept, deleted: false, torn });
  }
  for (const name of temps) unlinkSync(join(logDir, ...name.split('/')) + TMP_SUFFIX);
  // Deepest first: a partition directory emptied by the deletions goes, as its unsynced entry would.
  for (const dir of dirs.reverse()) {
    try {
      rmdirSync(join(logDir, ...dir.split('/')));
    } catch {
      // Not empty: it holds durable files.
    }
  }
  writeJournal(logDir, after);
  return { journal: true, files: outcomes };
}

function walk(root: string, dir: string, files: string[], temps: Set<string>, dirs: string[]): void {
  for (const entry of readdirSync(dir === '' ? root : join(root, ...dir.split('/')), { withFileTypes: true })) {
    const name = dir === '' ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      dirs.push(name);
      walk(root, name, files, temps, dirs);
    } else if (entry.isFile() && name !== LOCK_FILE && name !== JOURNAL_FILE) {
      if (entry.name.endsWith(TMP_SUFFIX)) temps.add(name.slice(0, -TMP_SUFFIX.length));
      else files.push(name);
    }
  }
}

/** A small seeded PRNG (net/ does not share the simulator's). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
