// Consumers' reads of compacted topics kept whole for the checks that only the end of a history can
// settle (compaction-last-value, tombstone-visible): a stretch is one consumer reading one
// partition from one position, its start (the seek that set the position: the log start, a
// committed offset, a reset; else its first record) to its next assign, seek or crash, with every
// record it got and when.

import type { NodeId } from '../../core/env.ts';
import type { CompactionFacts } from './compaction-facts.ts';
import type { ReadOp } from './op-values.ts';
import { PartitionMap } from './partition-map.ts';

export interface Stretch {
  consumer: NodeId;
  topic: string;
  partition: number;
  /** Where the reading began: the position a seek set, else the first offset it got. */
  start: number;
  /** The records it got, in order, as sighting ids. */
  ids: number[];
  /** Per record, when the poll that returned it completed (NaN when the history has no times). */
  times: number[];
}

/** A consumer's reading of one partition now: the position its last seek set, and its stretch once it gets a record. */
interface Reading {
  seekedTo: number | undefined;
  stretch: Stretch | null;
}

export class ReadStretches {
  readonly all: Stretch[] = [];
  private readonly readings = new Map<NodeId, PartitionMap<Reading>>();

  constructor(private readonly facts: CompactionFacts) {}

  observe(read: ReadOp): void {
    const { op, reset, records } = read;
    if (reset !== null) {
      if (!this.facts.compacted(reset.topic)) return;
      const mine = this.readings.get(op.process);
      if (reset.partition === null) for (const r of mine?.select(reset.topic, null) ?? []) end(r);
      else {
        const r = this.reading(op.process, reset.topic, reset.partition);
        end(r);
        r.seekedTo = reset.offset;
      }
      return;
    }
    if (records === null) return;
    for (let i = 0; i < records.length; i++) {
      const [topic, partition, offset] = records[i]!;
      if (!this.facts.compacted(topic)) continue;
      const r = this.reading(op.process, topic, partition);
      if (r.stretch === null) {
        r.stretch = { consumer: op.process, topic, partition, start: Math.min(r.seekedTo ?? offset, offset), ids: [], times: [] };
        this.all.push(r.stretch);
      }
      r.stretch.ids.push(read.firstSighting + i);
      r.stretch.times.push(op.time ?? NaN);
    }
  }

  /** The consumer process stopped: its readings end. */
  crashed(process: NodeId): void {
    this.readings.delete(process);
  }

  private reading(consumer: NodeId, topic: string, partition: number): Reading {
    let mine = this.readings.get(consumer);
    if (mine === undefined) this.readings.set(consumer, (mine = new PartitionMap()));
    return mine.getOrCreate(topic, partition, () => ({ seekedTo: undefined, stretch: null }));
  }
}

function end(r: Reading): void {
  r.stretch = null;
  r.seekedTo = undefined;
}
