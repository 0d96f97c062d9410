// Every (value, offset) the history showed, stored once in columns for all history checkers: the
// offset an acknowledged send landed at, and each record a poll returned. Each distinct value gets
// a value id on its first sighting (one map lookup per sighting, for all checkers). Checkers keep
// sighting and value ids (numbers) in arrays, not an object or a map entry per record, so their
// memory is a few numbers per record and the garbage collector has little to trace.

import type { NodeId } from '../../core/env.ts';
import type { Sighting } from './op-values.ts';

export class Sightings {
  private readonly values: Array<string | null> = [];
  private readonly keys: Array<string | null> = [];
  private readonly topics: string[] = [];
  private readonly partitions: number[] = [];
  private readonly offsets: number[] = [];
  private readonly processes: NodeId[] = [];
  private readonly steps: number[] = [];
  /** 1: an acknowledgement, 0: a poll. */
  private readonly acks: number[] = [];
  /** Per sighting, its value's id (-1 for a null value). */
  private readonly valueIdOf: number[] = [];
  private readonly valueIds = new Map<string, number>();

  get count(): number {
    return this.values.length;
  }

  /** Stores one sighting; returns its id. */
  add(process: NodeId, step: number, how: Sighting['how'], topic: string, partition: number, offset: number, key: string | null, value: string | null): number {
    this.values.push(value);
    this.keys.push(key);
    this.topics.push(topic);
    this.partitions.push(partition);
    this.offsets.push(offset);
    this.processes.push(process);
    this.steps.push(step);
    this.acks.push(how === 'ack' ? 1 : 0);
    let valueId = -1;
    if (value !== null) {
      valueId = this.valueIds.get(value) ?? -1;
      if (valueId < 0) this.valueIds.set(value, (valueId = this.valueIds.size));
    }
    this.valueIdOf.push(valueId);
    return this.values.length - 1;
  }

  /** The id of the sighting's value: 0, 1, 2, ... in order of first sighting; -1 for null. */
  valueId(id: number): number {
    return this.valueIdOf[id]!;
  }

  value(id: number): string | null {
    return this.values[id]!;
  }

  key(id: number): string | null {
    return this.keys[id]!;
  }

  /** Whether the sighting is an acknowledgement (else a poll). */
  isAck(id: number): boolean {
    return this.acks[id] === 1;
  }

  step(id: number): number {
    return this.steps[id]!;
  }

  topic(id: number): string {
    return this.topics[id]!;
  }

  partition(id: number): number {
    return this.partitions[id]!;
  }

  offset(id: number): number {
    return this.offsets[id]!;
  }

  process(id: number): NodeId {
    return this.processes[id]!;
  }

  /** The sighting as an object (for reports). */
  get(id: number): Sighting {
    return {
      topic: this.topics[id]!,
      partition: this.partitions[id]!,
      offset: this.offsets[id]!,
      process: this.processes[id]!,
      step: this.steps[id]!,
      how: this.acks[id] === 1 ? 'ack' : 'poll',
    };
  }
}

const CHUNK_BITS = 10;
const CHUNK = 1 << CHUNK_BITS;

/**
 * One partition's offsets mapped to a sighting id each (the first sighting there), in chunks of
 * 1,024 offsets: dense where offsets are (they are, mostly), without a map entry per offset.
 */
export class OffsetIndex {
  /** Chunk number -> ids + 1 (0: none). */
  private readonly chunks = new Map<number, Int32Array>();

  /** The id stored for `offset`, or -1. */
  get(offset: number): number {
    const chunk = this.chunks.get(Math.floor(offset / CHUNK));
    return chunk === undefined ? -1 : chunk[offset - Math.floor(offset / CHUNK) * CHUNK]! - 1;
  }

  /** Stores `id` for `offset` (offsets are non-negative integers). */
  set(offset: number, id: number): void {
    const n = Math.floor(offset / CHUNK);
    let chunk = this.chunks.get(n);
    if (chunk === undefined) this.chunks.set(n, (chunk = new Int32Array(CHUNK)));
    chunk[offset - n * CHUNK] = id + 1;
  }

  /** The lowest offset in [from, to] that has an id, or -1. */
  firstIn(from: number, to: number): number {
    if (to < from) return -1;
    let best = -1;
    const first = Math.floor(from / CHUNK);
    const last = Math.floor(to / CHUNK);
    if (last - first + 1 <= this.chunks.size) {
      for (let n = first; n <= last && best < 0; n++) best = this.firstInChunk(n, from, to);
    } else {
      // A wide range over few chunks: look only at the chunks there are.
      for (const n of this.chunks.keys()) {
        if (n < first || n > last || (best >= 0 && n * CHUNK > best)) continue;
        const found = this.firstInChunk(n, from, to);
        if (found >= 0 && (best < 0 || found < best)) best = found;
      }
    }
    return best;
  }

  private firstInChunk(n: number, from: number, to: number): number {
    const chunk = this.chunks.get(n);
    if (chunk === undefined) return -1;
    const start = Math.max(from, n * CHUNK);
    const end = Math.min(to, n * CHUNK + CHUNK - 1);
    for (let o = start; o <= end; o++) if (chunk[o - n * CHUNK] !== 0) return o;
    return -1;
  }
}
