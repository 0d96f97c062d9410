// UTF-8 encoding without a TextEncoder call per string: log entries are short and mostly ASCII,
// and for those a JS loop is several times faster than crossing into the runtime's encoder.

const encoder = new TextEncoder();

/** The most bytes `text` can take in UTF-8 (for sizing a buffer before encoding into it). */
export function maxUtf8Length(text: string): number {
  return text.length * 3;
}

/** Copies `text` into `out` at `at` up to its first char past ASCII; returns how many chars it copied. */
function copyAsciiPrefix(text: string, out: Uint8Array, at: number): number {
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) return i;
    out[at + i] = c;
  }
  return n;
}

/** Writes `text` as UTF-8 into `out` at `at`; returns the number of bytes written. */
export function encodeUtf8Into(text: string, out: Uint8Array, at: number): number {
  const i = copyAsciiPrefix(text, out, at);
  return i === text.length ? i : i + encoder.encodeInto(text.slice(i), out.subarray(at + i)).written;
}

/** Writes `text` into `out` at `at` if it is all ASCII (one byte a char); returns its length, or -1 if it is not. */
export function encodeAsciiInto(text: string, out: Uint8Array, at: number): number {
  return copyAsciiPrefix(text, out, at) === text.length ? text.length : -1;
}
