// Reads a trace file line by line, synchronously and in large chunks, so that a replay can
// compare a re-run against a recording of any size without holding either in memory; and parses
// lines into the schema's types, with an error naming the file and line when one is not.

import { closeSync, openSync, readSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { EVENT_KINDS, type EventLine, type TraceHeader, type TraceSummary } from '../core/trace/schema.ts';

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

/** Parses a trace's header line, with a clear error when the file is not a Samsa trace. */
export function parseTraceHeader(line: string | null, path: string): TraceHeader {
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
  if (typeof h.config !== 'object' || h.config === null) throw new TraceFormatError(path, 'the header has no "config" object');
  return h as TraceHeader;
}

/** Parses the header of a trace that is to be re-run: it must name the setup that rebuilds it. */
export function parseHeader(line: string | null, path: string): TraceHeader & { config: { setup: string } } {
  const header = parseTraceHeader(line, path);
  if (typeof header.config.setup !== 'string') throw new TraceFormatError(path, 'the header\'s "config" names no "setup" to re-run');
  return header as TraceHeader & { config: { setup: string } };
}

/**
 * Parses a line after the header: an event line (an object with a known kind, a time and a step)
 * or the summary. `lineNumber` is 1-based, for the error.
 */
export function parseTraceLine(line: string, lineNumber: number, path: string): EventLine | TraceSummary {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new TraceFormatError(path, `line ${lineNumber} is not JSON`);
  }
  const v = value as Partial<EventLine> | Partial<TraceSummary> | null;
  if (v === null || typeof v !== 'object' || typeof v.kind !== 'string')
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
    parseTraceHeader(reader.read(), path);
    let lineNumber = 1;
    for (let line = reader.read(); line !== null; line = reader.read()) {
      lineNumber++;
      if (line.length === 0) continue;
      const parsed = parseTraceLine(line, lineNumber, path);
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
