// Request headers v1 and v2 (the client id stays an int16 string in v2) and response headers v0 and v1, byte by
// byte; the ApiVersions response exception; round trips; errors naming the header field.
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { WireFormatError } from '../../core/wire/errors.ts';
import {
  readRequestHeader,
  readResponseHeader,
  responseHeaderIsFlexible,
  writeRequestHeader,
  writeResponseHeader,
  type RequestHeader,
} from '../../core/wire/header.ts';
import { WireReader } from '../../core/wire/wire-reader.ts';
import { WireWriter } from '../../core/wire/wire-writer.ts';

const written = (write: (w: WireWriter) => void): number[] => {
  const w = new WireWriter();
  write(w);
  return [...w.finish()];
};
const reader = (bytes: readonly number[]) => new WireReader(Uint8Array.from(bytes));
/** Produce (key 0) is flexible from v9, ApiVersions (key 18) from v3. */
const flexibleFor = (apiKey: number, apiVersion: number) => (apiKey === 0 ? apiVersion >= 9 : apiKey === 18 ? apiVersion >= 3 : false);

const header: RequestHeader = { apiKey: 0, apiVersion: 9, correlationId: 7, clientId: 'ab' };
const V1_BYTES = [0, 0, 0, 9, 0, 0, 0, 7, 0, 2, 0x61, 0x62];

describe('request header', () => {
  it('lays out v1 as api key, version, correlation id and an int16-length client id', () => {
    expect(written((w) => writeRequestHeader(w, header, false))).toEqual(V1_BYTES);
    expect(written((w) => writeRequestHeader(w, { ...header, clientId: null }, false))).toEqual([0, 0, 0, 9, 0, 0, 0, 7, 0xff, 0xff]);
  });

  it('lays out v2 as v1 (client id still int16-length, never compact) and an empty tag buffer', () => {
    expect(written((w) => writeRequestHeader(w, header, true))).toEqual([...V1_BYTES, 0]);
  });

  it('reads the tag buffer only when the api key and version read first are flexible', () => {
    const r = reader([...V1_BYTES, 0, 0xee]);
    expect(readRequestHeader(r, flexibleFor)).toEqual(header);
    expect(r.remaining).toBe(1);
    const v8 = reader([0, 0, 0, 8, 0, 0, 0, 7, 0, 2, 0x61, 0x62, 0xee]);
    expect(readRequestHeader(v8, flexibleFor)).toEqual({ ...header, apiVersion: 8 });
    expect(v8.remaining).toBe(1);
  });

  it('skips tagged fields in a v2 header', () => {
    const r = reader([...V1_BYTES, 2, 0, 1, 0x99, 5, 2, 0x98, 0x97, 0xee]);
    expect(readRequestHeader(r, flexibleFor)).toEqual(header);
    expect(r.int8()).toBe(-18);
  });

  it('names the field of a truncated header', () => {
    expect(() => readRequestHeader(reader([0, 0, 0]), flexibleFor)).toThrow(/reading int16.* at header\.requestApiVersion/);
    expect(() => readRequestHeader(reader(V1_BYTES.slice(0, 11)), flexibleFor)).toThrow(/reading string.* at header\.clientId/);
    expect(() => readRequestHeader(reader(V1_BYTES), flexibleFor)).toThrow(WireFormatError);
    expect(() => readRequestHeader(reader([...V1_BYTES, 1, 0]), flexibleFor)).toThrow(/at header\.taggedFields/);
  });

  const headers = fc.record({
    apiKey: fc.integer({ min: 0, max: 80 }),
    apiVersion: fc.integer({ min: 0, max: 20 }),
    correlationId: fc.integer({ min: -0x80000000, max: 0x7fffffff }),
    clientId: fc.option(fc.string({ unit: 'grapheme', maxLength: 30 }), { nil: null }),
  });
  test.prop([headers])('round-trips any header, v1 or v2 as its api version says', (h) => {
    const w = new WireWriter();
    writeRequestHeader(w, h, flexibleFor(h.apiKey, h.apiVersion));
    const r = new WireReader(w.finish());
    expect(readRequestHeader(r, flexibleFor)).toEqual(h);
    expect(r.remaining).toBe(0);
  });
});

describe('response header', () => {
  it('lays out v0 as the correlation id and v1 with an empty tag buffer', () => {
    expect(written((w) => writeResponseHeader(w, 0x01020304, false))).toEqual([1, 2, 3, 4]);
    expect(written((w) => writeResponseHeader(w, -1, true))).toEqual([0xff, 0xff, 0xff, 0xff, 0]);
  });

  it('reads v0 and v1, skipping tagged fields', () => {
    expect(readResponseHeader(reader([0, 0, 0, 5]), false)).toEqual({ correlationId: 5 });
    const r = reader([0, 0, 0, 5, 1, 3, 1, 0x42, 0xee]);
    expect(readResponseHeader(r, true)).toEqual({ correlationId: 5 });
    expect(r.remaining).toBe(1);
    expect(() => readResponseHeader(reader([0, 0, 0, 5]), true)).toThrow(/reading uvarint.* at header\.taggedFields/);
    expect(() => readResponseHeader(reader([0, 0]), false)).toThrow(/reading int32.* at header\.correlationId/);
  });

  it('is v1 for a flexible request, except for ApiVersions, whose response header is always v0', () => {
    expect(responseHeaderIsFlexible(0, true)).toBe(true);
    expect(responseHeaderIsFlexible(0, false)).toBe(false);
    expect(responseHeaderIsFlexible(18, true)).toBe(false);
    expect(responseHeaderIsFlexible(18, false)).toBe(false);
  });
});
