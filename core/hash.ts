// Fast non-cryptographic 53-bit hashes for identifying log entries in traces and checkers:
// a content hash of a string, and a chain hash that folds an entry into its log prefix, so
// equal prefix hashes mean equal logs up to that offset (with overwhelming probability).

/** A 53-bit hash of a string (cyrb53's mixing). */
export function hashString(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** Folds one entry (its epoch and content hash) into the hash of the log prefix before it. */
export function chainHash(previous: number, epoch: number, contentHash: number): number {
  return hashString(`${previous}:${epoch}:${contentHash}`);
}
