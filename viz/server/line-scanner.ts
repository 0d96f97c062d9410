// Visits every line of a file as a byte range of a reused buffer, with its offset in the file:
// no string is made unless the visitor asks for one, which is what lets the trace index skip the
// bodies of a million messages; and reads a byte range back (rows, checkpoint blocks).

import { closeSync, openSync, readSync } from 'node:fs';

const CHUNK_BYTES = 8 << 20;

/** The visitor sees the line's bytes `buffer[start..end)` (no newline) and where the line starts in the file. */
export type LineVisitor = (buffer: Buffer, start: number, end: number, fileOffset: number) => void;

/** Visits every line; answers the file's length in bytes. */
export function scanLines(path: string, visit: LineVisitor): number {
  const fd = openSync(path, 'r');
  let buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  let filled = 0;
  let bufferFileOffset = 0;
  try {
    for (;;) {
      if (filled === buffer.length) {
        // One line longer than the buffer: grow it.
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, filled);
        buffer = bigger;
      }
      const n = readSync(fd, buffer, filled, buffer.length - filled, bufferFileOffset + filled);
      const end = filled + n;
      let start = 0;
      for (let nl = buffer.indexOf(10, filled); nl !== -1 && nl < end; nl = buffer.indexOf(10, start)) {
        visit(buffer, start, nl, bufferFileOffset + start);
        start = nl + 1;
      }
      if (n === 0) {
        if (start < end) visit(buffer, start, end, bufferFileOffset + start);
        return bufferFileOffset + end;
      }
      // Keep the unfinished line at the front of the buffer.
      buffer.copy(buffer, 0, start, end);
      bufferFileOffset += start;
      filled = end - start;
    }
  } finally {
    closeSync(fd);
  }
}

/** Bytes `start..end` of a file; throws when the file is shorter than that (it changed since it was indexed). */
export function readFileRange(path: string, start: number, end: number): Buffer {
  return readFileRanges(path, [[start, end]])[0]!;
}

/** Bytes `start..end` of a file for each range, through one open file. */
export function readFileRanges(path: string, ranges: ReadonlyArray<readonly [start: number, end: number]>): Buffer[] {
  const fd = openSync(path, 'r');
  try {
    return ranges.map(([start, end]) => {
      const buffer = Buffer.allocUnsafe(end - start);
      let got = 0;
      while (got < buffer.length) {
        const n = readSync(fd, buffer, got, buffer.length - got, start + got);
        if (n === 0) throw new Error(`${path} changed since it was indexed`);
        got += n;
      }
      return buffer;
    });
  } finally {
    closeSync(fd);
  }
}
