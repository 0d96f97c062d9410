// The core's own SHA-256, SHA-512 and HMAC against node:crypto's, over lengths around the block and padding boundaries.

import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hash, hmac } from '../../../core/security/sha.ts';

const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7) & 0xff);
const LENGTHS = [0, 1, 3, 55, 56, 63, 64, 65, 111, 112, 119, 127, 128, 129, 200, 1000];

describe('sha', () => {
  for (const [name, node] of [
    ['SHA-256', 'sha256'],
    ['SHA-512', 'sha512'],
  ] as const) {
    it(`${name} equals node:crypto's for messages of ${LENGTHS.join(', ')} bytes`, () => {
      for (const n of LENGTHS) {
        const m = bytes(n, n);
        expect(Buffer.from(hash(name, m)).toString('hex'), `${n} bytes`).toBe(createHash(node).update(m).digest('hex'));
      }
    });

    it(`HMAC-${name} equals node:crypto's, with short keys and keys longer than a block`, () => {
      for (const keyLength of [0, 5, 32, 64, 128, 200]) {
        for (const n of [0, 10, 130]) {
          const key = bytes(keyLength, 3);
          const m = bytes(n, 9);
          expect(Buffer.from(hmac(name, key, m)).toString('hex')).toBe(createHmac(node, key).update(m).digest('hex'));
        }
      }
    });
  }

  it('the "abc" test vector of FIPS 180-4', () => {
    const abc = new TextEncoder().encode('abc');
    expect(Buffer.from(hash('SHA-256', abc)).toString('hex')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
