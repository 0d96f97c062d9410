// Byte strings (the core's `Bytes`: one char per byte) to and from byte arrays, for payloads the
// core keeps as strings: record keys and values, group protocol metadata and assignments.

const CHUNK = 8192;

/** Bytes as the core's byte strings (one char per byte). */
export function latin1Of(bytes: Uint8Array): string {
  let s = '';
  for (let at = 0; at < bytes.length; at += CHUNK) s += String.fromCharCode(...bytes.subarray(at, at + CHUNK));
  return s;
}

/** A byte string (one char per byte) as bytes. */
export function bytesOfLatin1(s: string): Uint8Array {
  const bytes = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i);
  return bytes;
}
