// Per-partition and per-consumer-per-partition state for the history checkers, keyed by topic
// then partition (no string keys built per record), iterated in insertion order (deterministic).

import type { NodeId } from '../../core/env.ts';
import type { PositionReset } from './op-values.ts';

export class PartitionMap<T> {
  private readonly topicMap = new Map<string, Map<number, T>>();

  get(topic: string, partition: number): T | undefined {
    return this.topicMap.get(topic)?.get(partition);
  }

  getOrCreate(topic: string, partition: number, make: () => T): T {
    let parts = this.topicMap.get(topic);
    if (parts === undefined) this.topicMap.set(topic, (parts = new Map()));
    let v = parts.get(partition);
    if (v === undefined) parts.set(partition, (v = make()));
    return v;
  }

  /** The topics held, in insertion order. */
  topics(): IterableIterator<string> {
    return this.topicMap.keys();
  }

  /** The partitions of one topic with their entries, in insertion order. */
  entries(topic: string): IterableIterator<[number, T]> {
    return (this.topicMap.get(topic) ?? new Map<number, T>()).entries();
  }

  /** The entries of one topic (partition null: all of them) or of one partition. */
  *select(topic: string, partition: number | null): IterableIterator<T> {
    const parts = this.topicMap.get(topic);
    if (parts === undefined) return;
    if (partition === null) yield* parts.values();
    else {
      const v = parts.get(partition);
      if (v !== undefined) yield v;
    }
  }
}

/**
 * A consumer's reading state per partition. States live as long as the checker (other structures
 * may point at them); an assign or seek clears them through `reset`.
 */
export class PerConsumer<T> {
  private readonly consumers = new Map<NodeId, PartitionMap<T>>();

  constructor(private readonly make: (consumer: NodeId) => T) {}

  get(consumer: NodeId, topic: string, partition: number): T {
    let m = this.consumers.get(consumer);
    if (m === undefined) this.consumers.set(consumer, (m = new PartitionMap()));
    return m.getOrCreate(topic, partition, () => this.make(consumer));
  }

  reset(consumer: NodeId, r: PositionReset, clear: (state: T) => void): void {
    const m = this.consumers.get(consumer);
    if (m !== undefined) for (const s of m.select(r.topic, r.partition)) clear(s);
  }

  /** Clears every state of the consumer (its process stopped). */
  resetAll(consumer: NodeId, clear: (state: T) => void): void {
    const m = this.consumers.get(consumer);
    if (m !== undefined) for (const topic of m.topics()) for (const [, s] of m.entries(topic)) clear(s);
  }
}
