// Reads a trace file line by line, synchronously and in large chunks, so that a replay can
// compare a re-run against a recording of any size without holding either in memory.

import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

const CHUNK_BYTES = 1 << 20;

export class TraceLineReader {
  private readonly fd: number;
  private readonly buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  private readonly decoder = new StringDecoder('utf8');
  private lines: string[] = [];
  private next = 0;
  private carry = '';
  private eof = false;

  constructor(readonly path: string) {
    this.fd = openSync(path, 'r');
  }

  /** The next line without its newline, or null at the end of the file. */
  read(): string | null {
    while (this.next >= this.lines.length) {
      if (this.eof) return null;
      this.fill();
    }
    return this.lines[this.next++]!;
  }

  close(): void {
    if (!this.eof) closeSync(this.fd);
    this.eof = true;
  }

  private fill(): void {
    const n = readSync(this.fd, this.buffer, 0, CHUNK_BYTES, null);
    let text: string;
    if (n === 0) {
      text = this.carry + this.decoder.end();
      this.close();
      this.lines = text.length > 0 ? [text] : [];
      this.carry = '';
    } else {
      text = this.carry + this.decoder.write(this.buffer.subarray(0, n));
      const parts = text.split('\n');
      this.carry = parts.pop()!;
      this.lines = parts;
    }
    this.next = 0;
  }
}

/** The first line of a trace: what ran, with which seed. */
export interface TraceHeader {
  samsa: number;
  scenario: string;
  seed: number;
  config: { setup: string } & Record<string, unknown>;
}

/** Parses a trace's header line, with a clear error when the file is not a Samsa trace. */
export function parseHeader(line: string | null, path: string): TraceHeader {
  let header: unknown;
  try {
    header = line === null ? null : JSON.parse(line);
  } catch {
    throw new TraceFormatError(path, 'line 1 is not JSON');
  }
  const h = header as Partial<TraceHeader> | null;
  if (h === null || typeof h !== 'object' || h.samsa !== 1) {
    throw new TraceFormatError(path, 'line 1 is not a Samsa trace header ({"samsa":1,...})');
  }
  if (typeof h.seed !== 'number') throw new TraceFormatError(path, 'the header has no numeric "seed"');
  if (typeof h.config !== 'object' || h.config === null || typeof h.config.setup !== 'string') {
    throw new TraceFormatError(path, 'the header\'s "config" names no "setup" to re-run');
  }
  return h as TraceHeader;
}

export class TraceFormatError extends Error {
  constructor(
    readonly path: string,
    detail: string,
  ) {
    super(`${path}: ${detail}`);
    this.name = 'TraceFormatError';
  }
}
