// The durable state of a log dir, journaled beside its files: per file, how much of it an fsync has
// made durable and whether its directory entry is, so that a power loss can be emulated after a SIGKILL.
// The journal has to outlive the process, not the machine (a real power loss needs no emulation), so
// its records are plain writes that the page cache keeps across a SIGKILL; none is fsynced.

import { closeSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const JOURNAL_FILE = '.durable-journal';
const HEADER = '["samsa-durable",1]';

/** What a power loss would keep of one file whose directory entry is (or was, before a pending replace) durable. */
export interface DurableFile {
  /** Bytes from the start known durable: the size at the last fsync, or less after a truncation since. */
  size: number;
  /** False for a file only a pending replace brings: its rename has not been made durable. */
  entry: boolean;
  /** A replace (temp file, fsync, rename, directory fsync) was under way and did not finish. */
  replacing: boolean;
}

/** Files whose entry is durable, by name; null when the log dir has no journal (durability unknown). */
export type DurableState = Map<string, DurableFile>;

type JournalRecord = ['s', string, number] | ['t', string, number] | ['d', string] | ['r', string];

/** Reads the journal of `root`; a torn last line (a SIGKILL mid-write) is left out. Null when there is none or it is not ours. */
export function readJournal(root: string): DurableState | null {
  let text: string;
  try {
    text = readFileSync(join(root, JOURNAL_FILE), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const lines = text.split('\n');
  if (lines[0] !== HEADER) return null;
  const state: DurableState = new Map();
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    let record: JournalRecord;
    try {
      record = JSON.parse(line) as JournalRecord;
    } catch {
      break;
    }
    apply(state, record);
  }
  return state;
}

function apply(state: DurableState, record: JournalRecord): void {
  const [kind, name] = record;
  const file = state.get(name);
  switch (kind) {
    case 's':
      state.set(name, { size: record[2] as number, entry: true, replacing: false });
      return;
    case 't':
      if (file !== undefined) file.size = Math.min(file.size, record[2] as number);
      return;
    case 'd':
      state.delete(name);
      return;
    case 'r':
      if (file !== undefined) file.replacing = true;
      else state.set(name, { size: 0, entry: false, replacing: true });
      return;
  }
}

/**
 * What survives of a file found on disk with `actual` bytes, by the journal: whether its entry is
 * durable and how many bytes from the start are. `tmpExists`: the temp file of a replace is still
 * there, so its rename never happened.
 */
export function resolveDurable(file: DurableFile | undefined, actual: number, tmpExists: boolean): { entry: boolean; size: number } {
  if (file === undefined) return { entry: false, size: 0 };
  if (file.replacing && !tmpExists) {
    // Renamed, directory not synced: the old or the new content, never a mix. The old one is gone,
    // so the new one stays whole, unless no old entry was durable (then the file may vanish).
    return file.entry ? { entry: true, size: actual } : { entry: false, size: 0 };
  }
  return { entry: file.entry, size: Math.min(file.size, actual) };
}

/** Writes `state` as a fresh journal (temp file and rename, so a SIGKILL leaves the old or the new one). */
export function writeJournal(root: string, state: DurableState): void {
  const lines = [HEADER];
  for (const [name, file] of state) {
    if (file.entry) lines.push(JSON.stringify(['s', name, file.size]));
    if (file.replacing) lines.push(JSON.stringify(['r', name]));
  }
  const path = join(root, JOURNAL_FILE);
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    const data = Buffer.from(lines.join('\n') + '\n');
    let done = 0;
    while (done < data.length) done += writeSync(fd, data, done, data.length - done);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** Appends records to a log dir's journal as fsyncs complete; rewrites it compactly once it has grown. */
export class JournalWriter {
  private fd: number;
  private records = 0;

  constructor(
    private readonly root: string,
    private readonly state: DurableState,
  ) {
    writeJournal(root, state);
    this.fd = openSync(join(root, JOURNAL_FILE), 'a');
  }

  /** An fsync of `name` completed at `size` bytes, its directory entry durable too. */
  synced(name: string, size: number): void {
    this.write(['s', name, size]);
  }

  /** `name` was cut to `size` bytes, below what was durable: the cut bytes may not come back. */
  truncated(name: string, size: number): void {
    if (this.state.has(name)) this.write(['t', name, size]);
  }

  deleted(name: string): void {
    if (this.state.has(name)) this.write(['d', name]);
  }

  /** A replace of `name` is about to rename its temp file over it. */
  replacing(name: string): void {
    this.write(['r', name]);
  }

  /** Puts back what was durable of `name` before a replace that failed. */
  restore(name: string, before: { entry: boolean; size: number }): void {
    this.write(before.entry ? ['s', name, before.size] : ['d', name]);
  }

  close(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
  }

  private write(record: JournalRecord): void {
    if (this.fd < 0) return;
    apply(this.state, record);
    const line = Buffer.from(JSON.stringify(record) + '\n');
    let done = 0;
    while (done < line.length) done += writeSync(this.fd, line, done, line.length - done);
    if (++this.records > 1024 + 4 * this.state.size) {
      closeSync(this.fd);
      writeJournal(this.root, this.state);
      this.fd = openSync(join(this.root, JOURNAL_FILE), 'a');
      this.records = 0;
    }
  }
}
