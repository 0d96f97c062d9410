// Where a run's trace lines go. Every sink keeps a running SHA-256 over the lines (header and
// events, each followed by a newline) and the summary line carries that hash, so two runs
// can be compared by hash alone. Lines stream out in large chunks; nothing holds the trace.

import { createHash, type Hash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import type { EventLine, TraceSummary } from '../core/trace/schema.ts';
import { parseTraceLine } from './reader.ts';

export interface TraceSink {
  /** Takes one complete JSON line, without its newline. */
  write(line: string): void;
  /** Writes the summary (with `traceHash` added, not itself hashed), closes, returns the hash. */
  close(summary: Omit<TraceSummary, 'traceHash'>): string;
}

/**
 * Lines are joined and hashed about every 64 KiB: small enough that pending lines die young
 * (a larger buffer lets them survive scavenges into old space, which costs more GC than it saves).
 */
const CHUNK_CHARS = 1 << 16;

/** Hashes lines in chunks; subclasses decide what else happens to each chunk. */
export abstract class HashingSink implements TraceSink {
  private readonly hash: Hash = createHash('sha256');
  private pending: string[] = [];
  private pendingChars = 0;
  private closed = false;

  constructor(private readonly chunkChars = CHUNK_CHARS) {}

  write(line: string): void {
    this.pending.push(line);
    this.pendingChars += line.length + 1;
    if (this.pendingChars >= this.chunkChars) this.flush();
  }

  close(summary: Omit<TraceSummary, 'traceHash'>): string {
    if (this.closed) throw new Error('trace sink closed twice');
    this.closed = true;
    this.flush();
    const traceHash = this.hash.digest('hex');
    this.emitChunk(JSON.stringify({ ...summary, traceHash }) + '\n');
    this.end();
    return traceHash;
  }

  /** Hashes and emits the pending lines now (a real runtime's periodic flush; the hash does not depend on when). */
  flush(): void {
    if (this.pending.length === 0) return;
    // Hashed and emitted as a string: node encodes it to UTF-8 outside the JS heap, where a
    // Buffer per chunk would be one more large allocation for the GC to account for.
    const chunk = this.pending.join('\n') + '\n';
    this.pending = [];
    this.pendingChars = 0;
    this.hash.update(chunk, 'utf8');
    this.emitChunk(chunk);
  }

  protected abstract emitChunk(chunk: string): void;
  protected end(): void {}
}

/** Computes the hash only: what explored seeds use when no file is wanted. */
export class HashOnlySink extends HashingSink {
  protected emitChunk(): void {}
}

/** Streams the trace to a JSON Lines file. */
export class FileSink extends HashingSink {
  private readonly fd: number;

  constructor(readonly path: string) {
    super();
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'w');
  }

  protected emitChunk(chunk: string): void {
    writeSync(this.fd, chunk, null, 'utf8');
  }

  protected override end(): void {
    closeSync(this.fd);
  }
}

/** Keeps every line in memory; for tests and small runs. */
export class MemorySink extends HashingSink {
  private text = '';

  constructor() {
    super(0); // every line is visible at once
  }

  protected emitChunk(chunk: string): void {
    this.text += chunk;
  }

  /** Every line written so far (including the summary once closed), parsed. */
  lines(): string[] {
    return this.text.split('\n').filter((l) => l.length > 0);
  }

  /** Every line written so far, parsed but not checked (tests look at raw fields). */
  events(): Array<Record<string, unknown>> {
    return this.lines().map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  /** The event lines written so far (header and summary left out), parsed and checked against the schema. */
  eventLines(): EventLine[] {
    const out: EventLine[] = [];
    this.lines().forEach((line, index) => {
      if (index === 0) return;
      const parsed = parseTraceLine(line, index + 1, '(memory)');
      if (parsed.kind !== 'summary') out.push(parsed);
    });
    return out;
  }
}
