// The traces the visualizer may serve: the files and folders it was given, whatever is under
// failures/ (rescanned on every listing), and traces dropped onto the page. A trace is reached only
// by its id, a hash of its absolute path, so no request can name a path outside the catalog.

import { createHash } from 'node:crypto';
import { closeSync, createWriteStream, existsSync, mkdtempSync, openSync, readdirSync, readSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { TraceListing } from '../shared/contract.ts';
import { fileStamp, indexTrace, type TraceIndex } from './trace-index.ts';
import { ByteLimit, UploadTooLarge } from './upload-limit.ts';

/** A path given to the visualizer that is not there or holds no trace. */
export class CatalogError extends Error {}

export interface CatalogOptions {
  /** Trace files or folders of traces (*.jsonl). */
  traces: readonly string[];
  /** Where relative paths and failures/ are resolved. */
  cwd: string;
}

interface Entry {
  listing: TraceListing;
  absolute: string;
}

const TRACE_EXTENSION = '.jsonl';
const FIRST_LINE_PROBE_BYTES = 4096;

export class TraceCatalog {
  private readonly given: Array<{ absolute: string; folder: boolean }>;
  private readonly uploads: Entry[] = [];
  private uploadDir: string | null = null;
  private readonly indexes = new Map<string, { stamp: string; index: TraceIndex }>();

  constructor(private readonly options: CatalogOptions) {
    this.given = options.traces.map((path) => {
      const absolute = resolve(options.cwd, path);
      if (!existsSync(absolute)) throw new CatalogError(`${path}: no such file or folder`);
      const folder = statSync(absolute).isDirectory();
      if (!folder && !looksLikeTrace(absolute)) throw new CatalogError(`${path}: not a Samsa trace (its first line has no "samsa" version)`);
      return { absolute, folder };
    });
  }

  /** The single trace file given on the command line, when that is all that was given. */
  soleTraceId(): string | null {
    if (this.given.length !== 1 || this.given[0]!.folder) return null;
    return traceId(this.given[0]!.absolute);
  }

  list(): TraceListing[] {
    return this.entries().map((e) => e.listing);
  }

  /** The absolute path of the trace with this id, or null when the catalog has no such trace. */
  pathOf(id: string): string | null {
    return this.entries().find((e) => e.listing.id === id)?.absolute ?? null;
  }

  /** The index of a trace, built on first use and rebuilt when the file changed. */
  index(id: string): TraceIndex | null {
    const entry = this.entries().find((e) => e.listing.id === id);
    if (entry === undefined) return null;
    const stamp = fileStamp(entry.absolute);
    const cached = this.indexes.get(id);
    if (cached !== undefined && cached.stamp === stamp) return cached.index;
    cached?.index.checkpoints.stop();
    const index = indexTrace(entry.absolute, id, entry.listing.name);
    index.checkpoints.foldInBackground();
    this.indexes.set(id, { stamp, index });
    return index;
  }

  /**
   * Saves a trace sent by the browser; answers its id, or throws CatalogError when it is not a
   * trace and UploadTooLarge when it is longer than `maxBytes` (then nothing is kept).
   */
  async upload(body: Readable, name: string, maxBytes: number = Infinity): Promise<string> {
    this.uploadDir ??= mkdtempSync(join(tmpdir(), 'samsa-viz-uploads-'));
    const safeName = basename(name).replace(/[^A-Za-z0-9._-]/g, '_') || 'dropped.jsonl';
    const absolute = join(this.uploadDir, `${this.uploads.length + 1}-${safeName}`);
    const limit = new ByteLimit(maxBytes);
    try {
      await pipeline(body, limit, createWriteStream(absolute));
    } catch (err) {
      rmSync(absolute, { force: true });
      throw err;
    }
    if (limit.exceeded) {
      rmSync(absolute, { force: true });
      throw new UploadTooLarge(maxBytes, null);
    }
    if (!looksLikeTrace(absolute)) {
      rmSync(absolute, { force: true });
      throw new CatalogError(`${safeName} is not a Samsa trace (its first line has no "samsa" version)`);
    }
    const listing: TraceListing = { id: traceId(absolute), name: safeName, source: 'uploaded', path: safeName, bytes: statSync(absolute).size };
    this.uploads.push({ listing, absolute });
    return listing.id;
  }

  close(): void {
    for (const { index } of this.indexes.values()) index.checkpoints.stop();
    if (this.uploadDir !== null) rmSync(this.uploadDir, { recursive: true, force: true });
  }

  private entries(): Entry[] {
    const seen = new Set<string>();
    const out: Entry[] = [];
    const add = (absolute: string, source: TraceListing['source']) => {
      if (seen.has(absolute)) return;
      seen.add(absolute);
      out.push({ absolute, listing: { id: traceId(absolute), name: basename(absolute), source, path: this.shown(absolute), bytes: statSync(absolute).size } });
    };
    for (const g of this.given) {
      if (!g.folder) add(g.absolute, 'given');
      else for (const file of tracesUnder(g.absolute)) add(file, 'given');
    }
    const failures = join(this.options.cwd, 'failures');
    if (existsSync(failures)) for (const file of tracesUnder(failures)) add(file, 'failures');
    for (const u of this.uploads) if (!seen.has(u.absolute)) out.push(u);
    return out;
  }

  private shown(absolute: string): string {
    const rel = relative(this.options.cwd, absolute);
    return rel.startsWith('..') || isAbsolute(rel) ? absolute : rel;
  }
}

export function traceId(absolute: string): string {
  return createHash('sha1').update(absolute).digest('hex').slice(0, 12);
}

/** Trace files in a folder and its subfolders (failures/ keeps one folder per failure), sorted. */
function tracesUnder(folder: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) out.push(...tracesUnder(path));
    else if (entry.isFile() && entry.name.endsWith(TRACE_EXTENSION) && looksLikeTrace(path)) out.push(path);
  }
  return out.sort();
}

/** The first line is a Samsa trace header (JSON with a numeric "samsa"). */
function looksLikeTrace(path: string): boolean {
  const buffer = Buffer.alloc(FIRST_LINE_PROBE_BYTES);
  const fd = openSync(path, 'r');
  let n: number;
  try {
    n = readSync(fd, buffer, 0, buffer.length, 0);
  } finally {
    closeSync(fd);
  }
  const text = buffer.toString('utf8', 0, n);
  // The header holds the whole scenario and may be longer than the probe: test its start only.
  return /^\{"samsa":\d+,/.test(text);
}
