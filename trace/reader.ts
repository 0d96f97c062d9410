// Reads a trace file line by line, synchronously and in large chunks, so that a replay can
// compare a re-run against a recording of any size without holding either in memory; and parses
// lines into the schema's types, with an error naming the file and line when one is not.

import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { EVENT_KINDS, type EventLine, type TraceHeader, type TraceSummary } from '../core/trace/schema.ts';

const CHUNK_BYTES = 1 << 20;

export class TraceLineReader {
  /** 1-based number of the line `read` returned last (0 before the first). */
  lineNumber = 0;
  private readonly fd: number;
  private readonly buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  private readonly decoder = new StringDecoder('utf8');
  private lines: string[] = [];
  private next = 0;
  private carry = '';
  private eof = false;
  /** The file's last line has no newline: whoever wrote it stopped mid-line (or the file was cut). */
  private unterminated = false;

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'r');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT'
          ? 'no such file'
          : code === 'EACCES' || code === 'EPERM'
            ? 'permission denied'
            : code === 'ENOTDIR'
              ? 'a part of the path is a file, not a folder'
              : null;
      if (why === null) throw err;
      throw new TraceFormatError(path, `cannot read the trace: ${why}`);
    }
    // Reading a folder fails only at the first read (EISDIR); say what is wrong at once instead.
    if (fstatSync(this.fd).isDirectory()) {
      closeSync(this.fd);
      this.eof = true;
      throw new TraceFormatError(path, 'is a folder, not a trace file');
    }
  }

  /** The next line without its newline, or null at the end of the file. */
  read(): string | null {
    while (this.next >= this.lines.length) {
      if (this.eof) return null;
      this.fill();
    }
    this.lineNumber++;
    return this.lines[this.next++]!;
  }

  /** Whether the line `read` returned last is the file's last and ends without a newline (a cut file). */
  get lastLineCut(): boolean {
    return this.unterminated && this.eof && this.next >= this.lines.length;
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
      this.unterminated = text.length > 0;
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

/** Where a trace is cut short: its last line is unfinished, or it ends without its summary line. */
export function truncatedAt(path: string, line: number): TraceFormatError {
  return new TraceFormatError(path, `trace truncated at line ${line} (it ends ${line === 0 ? 'before its header' : 'without its summary line'})`);
}

/**
 * Parses a trace's header line, with a clear error when the file is not a Samsa trace. `cut`
 * says the line was the file's last and had no newline, so a line that does not parse is a
 * truncated trace rather than a foreign file.
 */
export function parseTraceHeader(line: string | null, path: string, cut = false): TraceHeader {
  if (line === null) throw new TraceFormatError(path, 'the file is empty, not a Samsa trace');
  let header: unknown;
  try {
    header = JSON.parse(line);
  } catch {
    throw cut ? truncatedAt(path, 1) : new TraceFormatError(path, 'line 1 is not JSON, so this is not a Samsa trace header ({"samsa":1,...})');
  }
  const h = header as Partial<TraceHeader> | null;
  if (h === null || typeof h !== 'object' || Array.isArray(h) || h.samsa !== 1) {
    throw new TraceFormatError(path, 'line 1 is not a Samsa trace header ({"samsa":1,...})');
  }
  headerField(path, h, 'scenario', 'a string', (v) => typeof v === 'string');
  headerField(path, h, 'seed', 'an integer', (v) => Number.isSafeInteger(v));
  headerField(path, h, 'config', 'an object', (v) => typeof v === 'object' && v !== null && !Array.isArray(v));
  return h as TraceHeader;
}

/** Checks one field of the header: "header is missing field X", or "... must be ..., got ...". */
function headerField(path: string, header: object, field: string, what: string, ok: (value: unknown) => boolean): void {
  if (!Object.hasOwn(header, field)) throw new TraceFormatError(path, `header (line 1) is missing field "${field}"`);
  const value = (header as Record<string, unknown>)[field];
  if (!ok(value)) throw new TraceFormatError(path, `header (line 1) field "${field}" must be ${what}, got ${shown(value)}`);
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** Parses the header of a trace that is to be re-run: it must name the setup that rebuilds it. */
export function parseHeader(line: string | null, path: string, cut = false): TraceHeader & { config: { setup: string } } {
  const header = parseTraceHeader(line, path, cut);
  if (!Object.hasOwn(header.config, 'setup')) {
    throw new TraceFormatError(path, 'header (line 1) is missing field "config.setup" (the run that wrote it cannot be replayed)');
  }
  if (typeof header.config.setup !== 'string') {
    throw new TraceFormatError(path, `header (line 1) field "config.setup" must be a string, got ${shown(header.config.setup)}`);
  }
  return header as TraceHeader & { config: { setup: string } };
}

/**
 * Parses a line after the header: an event line (an object with a known kind, a time and a step)
 * or the summary. `lineNumber` is 1-based, for the error; `cut` as for the header.
 */
export function parseTraceLine(line: string, lineNumber: number, path: string, cut = false): EventLine | TraceSummary {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw cut ? truncatedAt(path, lineNumber) : new TraceFormatError(path, `line ${lineNumber} is not JSON`);
  }
  const v = value as Partial<EventLine> | Partial<TraceSummary> | null;
  if (v === null || typeof v !== 'object' || Array.isArray(v) || typeof v.kind !== 'string')
    throw new TraceFormatError(path, `line ${lineNumber} is not a trace event (no "kind")`);
  if (v.kind === 'summary') return v as TraceSummary;
  if (!EVENT_KINDS.has(v.kind)) throw new TraceFormatError(path, `line ${lineNumber} has an unknown kind "${v.kind}"`);
  const e = v as Partial<EventLine>;
  if (typeof e.t !== 'number' || typeof e.i !== 'number') throw new TraceFormatError(path, `line ${lineNumber} has no numeric "t" and "i"`);
  return e as EventLine;
}

/** A whole trace file's event lines, in order, after its header; stops at the summary. */
export function* readEventLines(path: string): Generator<EventLine> {
  const reader = new TraceLineReader(path);
  try {
    parseTraceHeader(reader.read(), path, reader.lastLineCut);
    for (let line = reader.read(); line !== null; line = reader.read()) {
      if (line.length === 0) continue;
      const parsed = parseTraceLine(line, reader.lineNumber, path, reader.lastLineCut);
      if (parsed.kind === 'summary') return;
      yield parsed;
    }
  } finally {
    reader.close();
  }
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
