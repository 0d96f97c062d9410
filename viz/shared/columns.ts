// The binary form of TraceColumns: one buffer, a small header and each column 8-byte aligned, so
// that the browser takes typed-array views of the response without copying or parsing anything.

import type { TraceColumns } from './contract.ts';

/** "SMVC" little-endian: marks a columns body, so that a wrong response fails loudly. */
const MAGIC = 0x43564d53;
const HEADER_BYTES = 8;

type ColumnName = Exclude<keyof TraceColumns, 'count'>;
type ArrayKind = Float64ArrayConstructor | Int32ArrayConstructor | Uint8ArrayConstructor;

/** Widest first, so that every column starts aligned to its element size. */
const LAYOUT: ReadonlyArray<readonly [ColumnName, ArrayKind]> = [
  ['t', Float64Array],
  ['end', Float64Array],
  ['step', Int32Array],
  ['link', Int32Array],
  ['kind', Uint8Array],
  ['lane', Uint8Array],
  ['peer', Uint8Array],
  ['label', Uint8Array],
  ['flags', Uint8Array],
];

const align8 = (n: number) => (n + 7) & ~7;

function byteLength(count: number): number {
  let bytes = HEADER_BYTES;
  for (const [, kind] of LAYOUT) bytes += align8(count * kind.BYTES_PER_ELEMENT);
  return bytes;
}

/** Views of every column over one buffer of `count` rows (zeroed when the buffer is new). */
function viewsOver(buffer: ArrayBuffer, byteOffset: number, count: number): TraceColumns {
  const columns = { count } as TraceColumns;
  let at = byteOffset + HEADER_BYTES;
  for (const [name, kind] of LAYOUT) {
    (columns as unknown as Record<string, unknown>)[name] = new kind(buffer, at, count);
    at += align8(count * kind.BYTES_PER_ELEMENT);
  }
  return columns;
}

/** Columns for `count` rows backed by one buffer that `encodeColumns` sends as it is. */
export function allocateColumns(count: number): TraceColumns {
  const buffer = new ArrayBuffer(byteLength(count));
  const header = new Uint32Array(buffer, 0, 2);
  header[0] = MAGIC;
  header[1] = count;
  const columns = viewsOver(buffer, 0, count);
  columns.link.fill(-1);
  return columns;
}

/** The bytes of columns made by `allocateColumns` (no copy). */
export function encodeColumns(columns: TraceColumns): Uint8Array {
  const buffer = columns.t.buffer as ArrayBuffer;
  return new Uint8Array(buffer, 0, byteLength(columns.count));
}

/** Typed-array views over a received body; throws when it is not a columns body. */
export function decodeColumns(body: ArrayBuffer): TraceColumns {
  if (body.byteLength < HEADER_BYTES) throw new Error(`columns body too short (${body.byteLength} bytes)`);
  const [magic, count] = new Uint32Array(body, 0, 2) as unknown as [number, number];
  if (magic !== MAGIC) throw new Error('not a columns body (bad magic)');
  if (body.byteLength < byteLength(count)) throw new Error(`columns body truncated: ${body.byteLength} bytes for ${count} rows`);
  return viewsOver(body, 0, count);
}

/** The first `count` rows of `columns` copied into new columns with room for `capacity` rows (to grow or to trim). */
export function copyColumns(columns: TraceColumns, count: number, capacity: number = count): TraceColumns {
  const out = allocateColumns(capacity);
  for (const [name] of LAYOUT) (out[name] as { set(a: ArrayLike<number>): void }).set(columns[name].subarray(0, count));
  return out;
}
