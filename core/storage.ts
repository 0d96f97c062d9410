// Durable storage as a node sees it: named append-only files with an explicit fsync.
// Writes are volatile until fsync (the page-cache model); this is what Kafka's log,
// its checkpoints and KRaft's quorum-state file are built on.

import type { RecordBatch } from './protocol/records.ts';

export interface Storage {
  /**
   * Appends bytes at the end of `file`, creating it when absent. The storage may keep `data`
   * itself rather than a copy: the caller must not change it afterwards.
   */
  append(file: string, data: Uint8Array): void;
  /** Reads up to `length` bytes starting at `offset`; shorter at end of file. Returns a copy. */
  read(file: string, offset: number, length: number): Uint8Array;
  /** Current size in bytes (including unsynced writes); 0 when the file does not exist. */
  size(file: string): number;
  exists(file: string): boolean;
  /** Cuts `file` down to `size` bytes; a no-op when it is already that short. */
  truncate(file: string, size: number): void;
  /** Makes every write and truncation of `file` so far durable. May throw StorageError. */
  fsync(file: string): void;
  /**
   * Atomically and durably replaces the whole content of `file` (write a temporary file, fsync,
   * rename over the old one, as Kafka writes its checkpoint and quorum-state files). After a
   * crash the file holds either the old or the new content, never a mix. May throw StorageError.
   */
  replace(file: string, data: Uint8Array): void;
  /** Every file name, sorted. */
  list(): string[];
  delete(file: string): void;
  /**
   * Offered by a runtime whose batches come from the wire (the real one): partition logs then keep a
   * batch that has its RecordBatch v2 bytes as those bytes, not as JSON, and read such frames back
   * with `decode`. Without it (the simulator) every log frame is JSON, as before.
   */
  readonly wireBatches?: WireBatchCodec;
}

/** Reads a stored RecordBatch v2 back into the core's batch (decompressing with the runtime's codecs). */
export interface WireBatchCodec {
  /** `verified`: the bytes were validated when the log recovered them; the codec may skip the CRC. */
  decode(bytes: Uint8Array, verified?: boolean): RecordBatch;
}

export type StorageErrorKind = 'fsync-failed' | 'read-failed' | 'bad-range';

/** An IO failure the node must handle (Kafka marks the log dir offline and halts). */
export class StorageError extends Error {
  constructor(
    readonly kind: StorageErrorKind,
    readonly file: string,
    detail: string,
  ) {
    super(`${kind} on ${file}: ${detail}`);
    this.name = 'StorageError';
  }
}

/** Reads a whole file. */
export function readAll(storage: Storage, file: string): Uint8Array {
  return storage.read(file, 0, storage.size(file));
}
