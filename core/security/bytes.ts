// Byte strings in metadata records and snapshots: hex for the image's snapshot, and the repair of a
// Uint8Array that went through JSON (the metadata log's on-disk journal and the quorum's wire form
// encode records as JSON, which turns a Uint8Array into an object keyed "0", "1", ...).

/** Lower-case hex of some bytes. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += (b < 16 ? '0' : '') + b.toString(16);
  return s;
}

/** The bytes of a hex string (as toHex writes it). */
export function fromHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >>> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

/**
 * A record's byte field as a Uint8Array, whether it is one or JSON's rendering of one
 * ({"0": 12, "1": 255, ...}) after a round trip through the metadata log's JSON.
 */
export function bytesField(value: Uint8Array | Record<string, number>): Uint8Array {
  if (value instanceof Uint8Array) return value;
  const keys = Object.keys(value);
  const out = new Uint8Array(keys.length);
  for (let i = 0; i < keys.length; i++) out[i] = value[String(i)] ?? 0;
  return out;
}
