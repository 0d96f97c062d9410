// CRC-32C by slicing-by-8 gives the checksum the one-byte-at-a-time definition gives, on any
// bytes, start and end; and the standard check value ("123456789" -> 0xe3069283).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32c } from '../../core/log/crc32c.ts';

/** The definition: the reflected polynomial 0x82f63b78, one bit at a time. */
function bitwise(bytes: Uint8Array, start: number, end: number): number {
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) {
    crc ^= bytes[i]!;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0x82f63b78 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe('crc32c', () => {
  it('has the standard check value', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  it('agrees with the bitwise definition on any bytes and range', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.nat(), fc.nat(), (bytes, a, b) => {
        const start = bytes.length === 0 ? 0 : a % (bytes.length + 1);
        const end = start + (bytes.length === 0 ? 0 : b % (bytes.length - start + 1));
        expect(crc32c(bytes, start, end)).toBe(bitwise(bytes, start, end));
      }),
      { numRuns: 500 },
    );
  });
});
