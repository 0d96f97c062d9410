// Storage that lives in the process's memory: what Samsa's own clients keep (their operation-id
// blocks) when they run on real sockets, where a client's state ends with its process anyway.

import { StorageError, type Storage } from '../core/storage.ts';

export class MemoryStorage implements Storage {
  private readonly files = new Map<string, Uint8Array>();

  append(file: string, data: Uint8Array): void {
    const old = this.files.get(file) ?? new Uint8Array(0);
    const next = new Uint8Array(old.length + data.length);
    next.set(old);
    next.set(data, old.length);
    this.files.set(file, next);
  }

  read(file: string, offset: number, length: number): Uint8Array {
    if (!Number.isInteger(offset) || !Number.isInteger(length) || offset < 0 || length < 0) {
      throw new StorageError('bad-range', file, `offset ${offset}, length ${length}`);
    }
    return (this.files.get(file) ?? new Uint8Array(0)).slice(offset, offset + length);
  }

  size(file: string): number {
    return this.files.get(file)?.length ?? 0;
  }

  exists(file: string): boolean {
    return this.files.has(file);
  }

  truncate(file: string, size: number): void {
    const content = this.files.get(file);
    if (content !== undefined && size < content.length) this.files.set(file, content.slice(0, size));
  }

  fsync(): void {}

  replace(file: string, data: Uint8Array): void {
    this.files.set(file, data.slice());
  }

  list(): string[] {
    return [...this.files.keys()].sort();
  }

  delete(file: string): void {
    this.files.delete(file);
  }
}
