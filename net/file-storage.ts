// The core's Storage on a real log directory: synchronous node:fs calls (the core never awaits),
// Kafka's durability patterns (fsync the directory after creating a file, checkpoint by rename). What
// an fsync made durable is journaled beside the files (net/durable-journal.ts) for power-loss tests.

import {
  closeSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  realpathSync,
  renameSync,
  rmdirSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { StorageError, type Storage, type StorageErrorKind, type WireBatchCodec } from '../core/storage.ts';
import { JOURNAL_FILE, JournalWriter, readJournal, resolveDurable, type DurableState } from './durable-journal.ts';

export const TMP_SUFFIX = '.tmp';
export const LOCK_FILE = '.lock';
/** Well under the usual soft limit of 1024 descriptors, which the sockets share. */
const DEFAULT_MAX_OPEN_FILES = 512;

/** Log directories this process holds: the pid in a lock file cannot tell two opens by one process apart. */
const HELD_HERE = new Set<string>();

/** Another live process (or another FileStorage in this one) holds the log directory. */
export class LogDirInUseError extends Error {
  constructor(
    readonly dir: string,
    /** The holder's pid (this process's own when it is held twice here). */
    readonly holderPid: number,
  ) {
    super(
      holderPid === process.pid
        ? `log dir ${dir} is already open in this process`
        : `log dir ${dir} is in use by process ${holderPid} (see ${join(dir, LOCK_FILE)}): two brokers must never share a log dir`,
    );
    this.name = 'LogDirInUseError';
  }
}

export interface FileStorageOptions {
  /** Descriptors kept open at once; the least recently used one is closed beyond that. */
  maxOpenFiles?: number;
  /** Lets partition logs keep batches that came from the wire as their own bytes (core/storage.ts). */
  wireBatches?: WireBatchCodec;
}

interface TrackedFile {
  size: number;
  fd: number | null;
  /** Appends or truncations since the last fsync. */
  dirty: boolean;
  /** Bytes from the start that are durable (a power loss keeps them, when the entry is durable). */
  stable: number;
  /** The directory entry survives a crash (the directory has been fsynced since the file was created). */
  entryDurable: boolean;
}

export class FileStorage implements Storage {
  readonly root: string;
  private readonly files = new Map<string, TrackedFile>();
  /** Names with an open descriptor, least recently used first (a Map keeps insertion order). */
  private readonly openOrder = new Map<string, true>();
  /** Directories (relative, '' is the root) known to exist, so appends skip the mkdir call. */
  private readonly dirs = new Set<string>(['']);
  /** Directories created here whose own entry in their parent has not been fsynced yet. */
  private readonly pendingDirs = new Set<string>();
  private readonly maxOpenFiles: number;
  private journal: JournalWriter | null = null;
  private closed = false;
  readonly wireBatches?: WireBatchCodec;

  /** Opens (creating when absent) the log directory, takes its lock and drops temp files a crash left behind. */
  constructor(root: string, options: FileStorageOptions = {}) {
    this.maxOpenFiles = Math.max(1, options.maxOpenFiles ?? DEFAULT_MAX_OPEN_FILES);
    if (options.wireBatches !== undefined) this.wireBatches = options.wireBatches;
    const absolute = resolve(root);
    const created = mkdirSync(absolute, { recursive: true }) !== undefined;
    this.root = realpathSync(absolute);
    if (created) syncDirectory(dirname(this.root), this.root);
    acquireLock(this.root);
    try {
      const durable = readJournal(this.root);
      const temps = new Set<string>();
      this.scan('', temps);
      this.journal = new JournalWriter(this.root, this.recover(durable, temps));
    } catch (err) {
      this.close();
      throw err instanceof StorageError ? err : storageError('read-failed', '.', err);
    }
  }

  append(name: string, data: Uint8Array): void {
    this.checkOpen();
    let file = this.files.get(name);
    if (file === undefined) file = this.create(name);
    const fd = this.descriptor(name, file);
    try {
      let done = 0;
      while (done < data.length) {
        const n = writeSync(fd, data, done, data.length - done, file.size);
        done += n;
        file.size += n;
        file.dirty = true;
      }
    } catch (err) {
      throw storageError('fsync-failed', name, err);
    }
  }

  read(name: string, offset: number, length: number): Uint8Array {
    this.checkOpen();
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0) {
      throw new StorageError('bad-range', name, `offset ${offset}, length ${length}`);
    }
    const file = this.files.get(name);
    if (file === undefined) return new Uint8Array(0);
    const end = Math.min(offset + length, file.size);
    if (end <= offset) return new Uint8Array(0);
    const out = new Uint8Array(end - offset);
    let fd: number;
    try {
      fd = this.descriptor(name, file);
    } catch (err) {
      throw err instanceof StorageError ? new StorageError('read-failed', name, err.message) : err;
    }
    try {
      let done = 0;
      while (done < out.length) {
        const n = readSync(fd, out, done, out.length - done, offset + done);
        if (n === 0) throw new Error(`the file ends at ${offset + done}, before the ${file.size} bytes written to it`);
        done += n;
      }
    } catch (err) {
      throw storageError('read-failed', name, err);
    }
    return out;
  }

  size(name: string): number {
    return this.files.get(name)?.size ?? 0;
  }

  exists(name: string): boolean {
    return this.files.has(name);
  }

  truncate(name: string, size: number): void {
    this.checkOpen();
    const file = this.files.get(name);
    if (file === undefined || size >= file.size) return;
    if (size < 0 || !Number.isInteger(size)) throw new StorageError('bad-range', name, `truncate to ${size}`);
    const fd = this.descriptor(name, file);
    try {
      ftruncateSync(fd, size);
    } catch (err) {
      throw storageError('fsync-failed', name, err);
    }
    file.size = size;
    file.dirty = true;
    if (size < file.stable) {
      file.stable = size;
      if (file.entryDurable) this.journal!.truncated(name, size);
    }
  }

  fsync(name: string): void {
    this.checkOpen();
    const file = this.files.get(name);
    if (file === undefined || (!file.dirty && file.entryDurable)) return;
    if (file.dirty) {
      const fd = this.descriptor(name, file);
      try {
        fsyncSync(fd);
      } catch (err) {
        throw storageError('fsync-failed', name, err);
      }
      file.dirty = false;
    }
    if (!file.entryDurable) {
      this.syncEntry(name);
      file.entryDurable = true;
    }
    file.stable = file.size;
    this.journal!.synced(name, file.size);
  }

  replace(name: string, data: Uint8Array): void {
    this.checkOpen();
    checkName(name);
    const dir = parentOf(name);
    this.ensureDir(dir, name);
    const path = this.pathOf(name);
    const tmp = path + TMP_SUFFIX;
    const old = this.files.get(name);
    const before = { entry: old?.entryDurable ?? false, size: old?.stable ?? 0 };
    this.journal!.replacing(name);
    try {
      const fd = openSync(tmp, 'w');
      try {
        let done = 0;
        while (done < data.length) done += writeSync(fd, data, done, data.length - done, done);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      // The old inode goes away with the rename: a descriptor on it would read stale bytes.
      this.closeDescriptor(name);
      renameSync(tmp, path);
    } catch (err) {
      try {
        unlinkSync(tmp);
      } catch {
        // Nothing was left behind, or the next open removes it.
      }
      this.journal!.restore(name, before);
      throw storageError('fsync-failed', name, err);
    }
    // The entry in the map goes in before the directory sync: the rename is done whether or not
    // that sync succeeds, and the next read must see the new content.
    const file: TrackedFile = { size: data.length, fd: null, dirty: false, entryDurable: false, stable: data.length };
    this.files.set(name, file);
    this.syncEntry(name);
    file.entryDurable = true;
    this.journal!.synced(name, data.length);
  }

  list(): string[] {
    return [...this.files.keys()].sort();
  }

  delete(name: string): void {
    this.checkOpen();
    if (!this.files.has(name)) return;
    this.closeDescriptor(name);
    this.files.delete(name);
    this.journal!.deleted(name);
    try {
      unlinkSync(this.pathOf(name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw storageError('fsync-failed', name, err);
    }
    this.removeEmptyDirs(parentOf(name));
  }

  /** Fsyncs every file with unsynced writes or an entry not yet durable (clean shutdown). Throws the first failure after trying them all. */
  flushAll(): void {
    this.checkOpen();
    let first: unknown = null;
    for (const [name, file] of this.files) {
      if (!file.dirty && file.entryDurable) continue;
      try {
        this.fsync(name);
      } catch (err) {
        first ??= err;
      }
    }
    if (first !== null) throw first;
  }

  /** Closes every descriptor and releases the lock. Does not fsync: call flushAll first for a clean shutdown. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const name of [...this.openOrder.keys()]) this.closeDescriptor(name);
    this.journal?.close();
    releaseLock(this.root);
  }

  /** Files with unsynced writes (for tests and shutdown logs). */
  unsyncedFiles(): string[] {
    return [...this.files].filter(([, f]) => f.dirty || !f.entryDurable).map(([name]) => name);
  }

  // ---- internals ----

  private checkOpen(): void {
    if (this.closed) throw new Error(`storage at ${this.root} is closed`);
  }

  private pathOf(name: string): string {
    return join(this.root, ...name.split('/'));
  }

  private create(name: string): TrackedFile {
    checkName(name);
    this.ensureDir(parentOf(name), name);
    let fd: number;
    try {
      // Truncating: a file the map does not know does not exist, whatever an outside hand left there.
      fd = openSync(this.pathOf(name), 'w+');
    } catch (err) {
      throw storageError('fsync-failed', name, err);
    }
    const file: TrackedFile = { size: 0, fd: null, dirty: true, entryDurable: false, stable: 0 };
    this.files.set(name, file);
    this.adopt(name, file, fd);
    return file;
  }

  private descriptor(name: string, file: TrackedFile): number {
    if (file.fd !== null) {
      this.openOrder.delete(name);
      this.openOrder.set(name, true);
      return file.fd;
    }
    let fd: number;
    try {
      fd = openSync(this.pathOf(name), 'r+');
    } catch (err) {
      throw storageError('fsync-failed', name, err);
    }
    this.adopt(name, file, fd);
    return fd;
  }

  private adopt(name: string, file: TrackedFile, fd: number): void {
    file.fd = fd;
    this.openOrder.set(name, true);
    while (this.openOrder.size > this.maxOpenFiles) {
      // fsync works on the file, not the descriptor: closing one with unsynced writes loses nothing.
      const oldest = this.openOrder.keys().next().value!;
      this.closeDescriptor(oldest);
    }
  }

  private closeDescriptor(name: string): void {
    const file = this.files.get(name);
    this.openOrder.delete(name);
    if (file === undefined || file.fd === null) return;
    try {
      closeSync(file.fd);
    } catch {
      // A failed close loses no data the fsync contract promised.
    }
    file.fd = null;
  }

  private ensureDir(dir: string, forFile: string): void {
    if (this.dirs.has(dir)) return;
    this.ensureDir(parentOf(dir), forFile);
    try {
      mkdirSync(join(this.root, ...dir.split('/')));
      this.pendingDirs.add(dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw storageError('fsync-failed', forFile, err);
    }
    this.dirs.add(dir);
  }

  /** Makes `name`'s directory entry durable, and the entries of any directories created on its way. */
  private syncEntry(name: string): void {
    let dir = parentOf(name);
    this.syncDir(dir, name);
    while (dir !== '' && this.pendingDirs.has(dir)) {
      const parent = parentOf(dir);
      this.syncDir(parent, name);
      this.pendingDirs.delete(dir);
      dir = parent;
    }
  }

  private syncDir(dir: string, forFile: string): void {
    try {
      syncDirectory(join(this.root, ...dir.split('/').filter((c) => c !== '')), forFile);
    } catch (err) {
      throw err instanceof StorageError ? err : storageError('fsync-failed', forFile, err);
    }
  }

  /** Partition deletion would otherwise leave one empty directory per deleted partition. */
  private removeEmptyDirs(dir: string): void {
    while (dir !== '') {
      try {
        rmdirSync(join(this.root, ...dir.split('/')));
      } catch {
        return;
      }
      this.dirs.delete(dir);
      this.pendingDirs.delete(dir);
      dir = parentOf(dir);
    }
  }

  /**
   * What of the scanned files is durable, by the journal a previous run left. Without one (a log
   * dir from before the journal) nothing tells, so every file is fsynced now and counts as durable.
   */
  private recover(durable: DurableState | null, temps: ReadonlySet<string>): DurableState {
    const state: DurableState = new Map();
    if (durable === null) {
      for (const [name, file] of this.files) {
        try {
          fsyncSync(this.descriptor(name, file));
        } catch (err) {
          throw storageError('fsync-failed', name, err);
        }
      }
      for (const dir of this.dirs) this.syncDir(dir, dir === '' ? '.' : dir);
    }
    for (const [name, file] of this.files) {
      if (durable === null) {
        state.set(name, { size: file.size, entry: true, replacing: false });
        continue;
      }
      const known = resolveDurable(durable.get(name), file.size, temps.has(name));
      file.entryDurable = known.entry;
      file.stable = known.entry ? known.size : 0;
      file.dirty = file.stable !== file.size;
      if (known.entry) state.set(name, { size: file.stable, entry: true, replacing: false });
    }
    return state;
  }

  private scan(dir: string, temps: Set<string>): void {
    const absolute = dir === '' ? this.root : join(this.root, ...dir.split('/'));
    for (const entry of readdirSync(absolute, { withFileTypes: true })) {
      const name = dir === '' ? entry.name : `${dir}/${entry.name}`;
      if (entry.isDirectory()) {
        this.dirs.add(name);
        this.scan(name, temps);
      } else if (entry.isFile()) {
        if (name === LOCK_FILE || name === JOURNAL_FILE) continue;
        // A replace that crashed before its rename: the old content is still in place.
        if (entry.name.endsWith(TMP_SUFFIX)) {
          unlinkSync(join(absolute, entry.name));
          temps.add(name.slice(0, -TMP_SUFFIX.length));
          continue;
        }
        const fd = openSync(join(absolute, entry.name), 'r');
        let size: number;
        try {
          size = fstatSync(fd).size;
        } finally {
          closeSync(fd);
        }
        this.files.set(name, { size, fd: null, dirty: false, entryDurable: true, stable: size });
      }
    }
  }
}

function parentOf(name: string): string {
  const slash = name.lastIndexOf('/');
  return slash < 0 ? '' : name.slice(0, slash);
}

/** Names come from the core (partition directories of validated topic names, fixed file names): a bad one is a bug. */
function checkName(name: string): void {
  const parts = name.split('/');
  const bad =
    name === LOCK_FILE ||
    name === JOURNAL_FILE ||
    name.includes('\0') ||
    name.includes('\\') ||
    parts.some((p) => p === '' || p === '.' || p === '..') ||
    parts[parts.length - 1]!.endsWith(TMP_SUFFIX);
  if (bad) throw new Error(`invalid storage file name ${JSON.stringify(name)}`);
}

function syncDirectory(path: string, forFile: string): void {
  // Windows cannot open a directory for fsync; its file systems journal entries anyway.
  if (process.platform === 'win32') return;
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    throw storageError('fsync-failed', forFile, err);
  }
  try {
    fsyncSync(fd);
  } catch (err) {
    throw storageError('fsync-failed', forFile, err);
  } finally {
    closeSync(fd);
  }
}

function storageError(kind: StorageErrorKind, name: string, err: unknown): StorageError {
  if (err instanceof StorageError) return err;
  return new StorageError(kind, name, err instanceof Error ? err.message : String(err));
}

function acquireLock(root: string): void {
  if (HELD_HERE.has(root)) throw new LogDirInUseError(root, process.pid);
  const path = join(root, LOCK_FILE);
  // Two tries: the second follows the removal of a stale lock.
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const holder = lockHolder(path);
      // Our own pid in a lock we do not hold is stale: in a container every restart is pid 1 again.
      if (holder !== null && holder !== process.pid && isAlive(holder)) throw new LogDirInUseError(root, holder);
      try {
        unlinkSync(path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      continue;
    }
    try {
      writeSync(fd, `${process.pid}\n`);
    } finally {
      closeSync(fd);
    }
    HELD_HERE.add(root);
    return;
  }
  throw new Error(`could not take the lock ${path}: another process keeps recreating it`);
}

/** The pid of the process holding the log dir at `root` (this one's when a FileStorage here has it open), or null. */
export function logDirHolder(root: string): number | null {
  const absolute = realpathSync(resolve(root));
  if (HELD_HERE.has(absolute)) return process.pid;
  const holder = lockHolder(join(absolute, LOCK_FILE));
  return holder !== null && holder !== process.pid && isAlive(holder) ? holder : null;
}

function releaseLock(root: string): void {
  if (!HELD_HERE.delete(root)) return;
  const path = join(root, LOCK_FILE);
  if (lockHolder(path) !== process.pid) return;
  try {
    unlinkSync(path);
  } catch {
    // Gone already: nothing to release.
  }
}

/** The pid in a lock file; null when absent or unreadable (a crash between creating and writing it). */
function lockHolder(path: string): number | null {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
  return /^\d+$/.test(text) ? Number(text) : null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
