// Kafka's checkpoint text files (CheckpointFile): a version line, an entry count, then one entry
// per line, fields separated by spaces; written atomically through Storage.replace (temp file,
// fsync, rename), so a crash leaves the old content or the new, never a mix.

import type { Storage } from '../storage.ts';

const VERSION = 0;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Writes the entries (each a list of fields) atomically and durably. */
export function writeCheckpoint(storage: Storage, file: string, entries: ReadonlyArray<ReadonlyArray<string | number>>): void {
  const lines = [String(VERSION), String(entries.length), ...entries.map((e) => e.join(' '))];
  storage.replace(file, encoder.encode(lines.join('\n') + '\n'));
}

/**
 * The entries of a checkpoint file, each with `fields` fields; null when the file is absent or
 * does not parse (wrong version, count or field count), which callers treat as "no checkpoint".
 */
export function readCheckpoint(storage: Storage, file: string, fields: number): string[][] | null {
  if (!storage.exists(file)) return null;
  const lines = decoder.decode(storage.read(file, 0, storage.size(file))).split('\n');
  if (lines.at(-1) === '') lines.pop();
  if (lines.length < 2 || lines[0] !== String(VERSION) || !/^\d+$/.test(lines[1]!)) return null;
  const count = Number(lines[1]);
  if (lines.length !== count + 2) return null;
  const entries = lines.slice(2).map((line) => line.split(' '));
  return entries.every((e) => e.length === fields && e.every((f) => f !== '')) ? entries : null;
}

/** Integer fields of a checkpoint entry, or null when one is not an integer. */
export function integers(fields: readonly string[]): number[] | null {
  const out = fields.map((f) => (/^-?\d+$/.test(f) ? Number(f) : NaN));
  return out.some(Number.isNaN) ? null : out;
}
