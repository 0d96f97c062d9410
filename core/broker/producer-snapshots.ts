// Producer-state snapshots (Kafka's `<offset>.snapshot` files beside the segments): at each roll the
// partition's idempotent-producer state as of the new segment's base offset (ongoing transactions
// and last coordinator epochs included, as Kafka's snapshots carry them), so that recovery and
// truncation replay only the batches after the newest usable snapshot instead of the whole log.
// Written atomically (Storage.replace); a file that does not parse is ignored, as Kafka drops a
// snapshot whose CRC fails. The newest two are kept.

import type { Storage } from '../storage.ts';
import type { ProducerSnapshotEntry } from './producer-state.ts';

const SUFFIX = '.snapshot';
const KEPT_SNAPSHOTS = 2;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function snapshotFileName(dir: string, offset: number): string {
  return `${dir}/${String(offset).padStart(20, '0')}${SUFFIX}`;
}

/** The snapshot files of `dir` as offsets, ascending. */
function snapshotOffsets(storage: Storage, dir: string): number[] {
  const prefix = `${dir}/`;
  const out: number[] = [];
  for (const name of storage.list()) {
    if (!name.startsWith(prefix) || !name.endsWith(SUFFIX)) continue;
    const digits = name.slice(prefix.length, -SUFFIX.length);
    if (/^\d{20}$/.test(digits)) out.push(Number(digits));
  }
  return out.sort((a, b) => a - b);
}

/** Writes the state as of `offset` and drops all but the newest snapshots. */
export function writeProducerSnapshot(storage: Storage, dir: string, offset: number, producers: ProducerSnapshotEntry[]): void {
  storage.replace(snapshotFileName(dir, offset), encoder.encode(JSON.stringify({ version: 1, offset, producers })));
  const offsets = snapshotOffsets(storage, dir);
  for (const old of offsets.slice(0, Math.max(0, offsets.length - KEPT_SNAPSHOTS))) storage.delete(snapshotFileName(dir, old));
}

/**
 * The newest readable snapshot at or below `atMost` (default `maxOffset`) and at or above
 * `minOffset`; snapshots past `maxOffset` (the log was truncated below them) are deleted.
 */
export function latestProducerSnapshot(
  storage: Storage,
  dir: string,
  minOffset: number,
  maxOffset: number,
  atMost = maxOffset,
): { offset: number; producers: ProducerSnapshotEntry[] } | null {
  const offsets = snapshotOffsets(storage, dir);
  for (const offset of offsets.filter((o) => o > maxOffset)) storage.delete(snapshotFileName(dir, offset));
  for (const offset of offsets.filter((o) => o <= Math.min(maxOffset, atMost) && o >= minOffset).reverse()) {
    const file = snapshotFileName(dir, offset);
    const parsed = parse(decoder.decode(storage.read(file, 0, storage.size(file))));
    if (parsed !== null && parsed.offset === offset) return parsed;
  }
  return null;
}

function parse(text: string): { offset: number; producers: ProducerSnapshotEntry[] } | null {
  try {
    const value = JSON.parse(text) as { version?: unknown; offset?: unknown; producers?: unknown };
    if (value.version !== 1 || typeof value.offset !== 'number' || !Array.isArray(value.producers)) return null;
    return { offset: value.offset, producers: value.producers as ProducerSnapshotEntry[] };
  } catch {
    return null;
  }
}
