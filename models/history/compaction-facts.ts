// What the client history shows about the keys of compacted topics (cleanup.policy=compact, Kafka's
// log compaction): each key's writes per partition, with the step their send began. With it the
// history checkers tell a record that compaction may have removed (a later write of its key
// superseded it: design.html §4.8, "at least the final value of every key" is all a reader is
// promised) from a record that was lost. Topics that are not compacted keep nothing here.

import type { ReadOp } from './op-values.ts';
import { PartitionMap } from './partition-map.ts';
import type { Sightings } from './sightings.ts';
import type { SendInvoke } from './types.ts';

/** What the history checkers need of a topic's configs. */
export interface TopicPolicy {
  /** cleanup.policy holds `compact`. */
  compacted: boolean;
  /** delete.retention.ms: how long a tombstone outlives the clean that first keeps it (Kafka's default: one day). */
  deleteRetentionMs: number;
}

export type TopicPolicies = (topic: string) => TopicPolicy;

/** Kafka's delete.retention.ms default. */
export const DEFAULT_DELETE_RETENTION_MS = 86_400_000;

/** Every topic as Kafka creates it by default: cleanup.policy=delete. */
export const NO_COMPACTION: TopicPolicies = () => ({ compacted: false, deleteRetentionMs: DEFAULT_DELETE_RETENTION_MS });

/** One record of a key, at one offset. */
export interface KeyWrite {
  /** The earliest step its write is known to have begun: its send's invocation, else the first poll that returned it. */
  start: number;
  /** An acknowledgement of it (sighting id), or -1. */
  ack: number;
  /** Its first sighting (id). */
  seen: number;
}

export class CompactionFacts {
  private readonly policies = new Map<string, TopicPolicy>();
  /** Per partition of a compacted topic: key → offset → its write. */
  private readonly writes = new PartitionMap<Map<string, Map<number, KeyWrite>>>();
  /** Values of sends to compacted topics → the step the send was invoked (values are unique per send). */
  private readonly invoked = new Map<string, number>();
  /** Value id → the offset it was acknowledged at. */
  private readonly ackedAt = new Map<number, number>();

  constructor(
    private readonly topics: TopicPolicies,
    private readonly sightings: Sightings,
  ) {}

  policy(topic: string): TopicPolicy {
    let p = this.policies.get(topic);
    if (p === undefined) this.policies.set(topic, (p = this.topics(topic)));
    return p;
  }

  compacted(topic: string): boolean {
    return this.policy(topic).compacted;
  }

  /** Takes in one op (after its sightings are stored). */
  observe(read: ReadOp): void {
    const { op } = read;
    if (op.op === 'send' && op.type === 'invoke') {
      const v = op.value as Partial<SendInvoke> | undefined;
      if (typeof v?.topic === 'string' && typeof v.value === 'string' && this.compacted(v.topic)) this.invoked.set(v.value, op.step);
      return;
    }
    const s = this.sightings;
    for (let id = read.firstSighting, end = id + read.sightingCount; id < end; id++) {
      const topic = s.topic(id);
      const key = s.key(id);
      if (key === null || !this.compacted(topic)) continue;
      const value = s.value(id);
      if (read.ack !== null && value !== null) this.ackedAt.set(s.valueId(id), s.offset(id));
      const start = read.ack !== null ? (read.invocation?.step ?? op.step) : ((value === null ? undefined : this.invoked.get(value)) ?? op.step);
      const byOffset = this.keyWrites(topic, s.partition(id), key);
      const offset = s.offset(id);
      const w = byOffset.get(offset);
      if (w === undefined) byOffset.set(offset, { start, ack: read.ack !== null ? id : -1, seen: id });
      else {
        w.start = Math.min(w.start, start);
        if (w.ack < 0 && read.ack !== null) w.ack = id;
      }
    }
  }

  /**
   * Whether the record of `key` at `offset` of a compacted topic's partition is superseded: the
   * history holds a write of the same key at a higher offset (see `written`) that began before step
   * `before`, or that the read at step `before` itself returned (a tombstone from a send whose
   * outcome is unknown is known only from the reads that return it; the log held it when that read
   * was served). Only then may compaction have removed it by that step.
   */
  superseded(topic: string, partition: number, offset: number, key: string | null, before = Infinity): boolean {
    if (key === null || !this.compacted(topic)) return false;
    const byOffset = this.writes.get(topic, partition)?.get(key);
    if (byOffset === undefined) return false;
    for (const [o, w] of byOffset) if (o > offset && w.start <= before && this.written(o, w)) return true;
    return false;
  }

  /**
   * Whether a record the history shows at `offset` was written there: acknowledged there, or a
   * poll got it and its value was never acknowledged elsewhere (a read of an acknowledged value at
   * another offset shows a broken log, not a write). Best judged once the history is complete.
   */
  written(offset: number, w: KeyWrite): boolean {
    if (w.ack >= 0) return true;
    const value = this.sightings.valueId(w.seen);
    const acked = value < 0 ? undefined : this.ackedAt.get(value);
    return acked === undefined || acked === offset;
  }

  /** Each key's writes in one partition of a compacted topic (key → offset → write). */
  keysOf(topic: string, partition: number): ReadonlyMap<string, ReadonlyMap<number, KeyWrite>> {
    return this.writes.get(topic, partition) ?? new Map();
  }

  /** The compacted topics' partitions that the history names, in first-seen order. */
  *partitions(): IterableIterator<[string, number]> {
    for (const topic of this.policies.keys()) {
      if (!this.compacted(topic)) continue;
      for (const [partition] of this.writes.entries(topic)) yield [topic, partition];
    }
  }

  private keyWrites(topic: string, partition: number, key: string): Map<number, KeyWrite> {
    const keys = this.writes.getOrCreate(topic, partition, () => new Map());
    let byOffset = keys.get(key);
    if (byOffset === undefined) keys.set(key, (byOffset = new Map()));
    return byOffset;
  }
}
