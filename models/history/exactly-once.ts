// exactly-once: every input record of a consume-transform-produce pipeline is in its committed output
// exactly once (Kafka's transactions_test.py copier and Streams' EosTestDriver). A pipeline is an
// input topic whose offsets a processor committed inside a transaction, and the topic that
// transaction wrote to; outputs name their input (types.ts, inputOfOutputValue). Judged at the end,
// once the final read caught up, from what read_committed consumers returned of the output.

import type { CheckerInfo, Report } from '../violation.ts';
import { type HistoryChecker } from './history-checker.ts';
import { quote, type ReadOp } from './op-values.ts';
import type { Sightings } from './sightings.ts';
import type { TxnFacts } from './txn-facts.ts';
import type { TxnReads } from './txn-reads.ts';
import { inputOfOutputValue, type TxnOffsetsInvoke } from './types.ts';

export const EXACTLY_ONCE: CheckerInfo = {
  name: 'exactly-once',
  statement:
    'In a consume-transform-produce pipeline, every acknowledged input record appears exactly once in the committed output (read_committed), once the final read is done.',
  source: "KIP-98 and KIP-447 (exactly-once consume-transform-produce); Kafka's transactions_test.py (copier, no duplicates or losses); Streams EosTestDriver",
};

/** One pipeline's counts, for the run summary. */
export interface PipelineCounts {
  input: string;
  output: string;
  inputs: number;
  once: number;
  missing: number;
  duplicated: number;
}

export class ExactlyOnce implements HistoryChecker {
  readonly info = EXACTLY_ONCE;
  /** Per topic, the sightings of its acknowledged writes. */
  private readonly acks = new Map<string, number[]>();
  /** Per process and transaction, the input topics whose offsets it sent to the transaction. */
  private readonly inputsOf = new Map<string, Set<string>>();
  private judged: PipelineCounts[] | null = null;
  /** The last step of the history, where the end-of-run verdicts are placed. */
  private lastStep = 0;

  constructor(
    private readonly report: Report,
    private readonly sightings: Sightings,
    private readonly txns: TxnFacts,
    private readonly reads: TxnReads,
  ) {}

  observe(read: ReadOp): void {
    this.lastStep = Math.max(this.lastStep, read.op.step);
    if (read.ack !== null) {
      let ids = this.acks.get(read.ack.topic);
      if (ids === undefined) this.acks.set(read.ack.topic, (ids = []));
      ids.push(read.firstSighting);
      return;
    }
    const op = read.op;
    if (op.op === 'txn-offsets' && op.type === 'invoke') {
      const v = op.value as Partial<TxnOffsetsInvoke> | undefined;
      if (typeof v?.txn !== 'number' || !Array.isArray(v.offsets)) return;
      const key = `${op.process}:${v.txn}`;
      let topics = this.inputsOf.get(key);
      if (topics === undefined) this.inputsOf.set(key, (topics = new Set()));
      for (const o of v.offsets) if (Array.isArray(o) && typeof o[0] === 'string') topics.add(o[0]);
    }
  }

  /** Each pipeline's counts once judged (empty before the end, or without a complete final read). */
  counts(): PipelineCounts[] {
    return this.judged ?? [];
  }

  finish(finalRead: boolean): void {
    if (this.judged !== null) return;
    this.judged = [];
    if (!finalRead) return;
    for (const [input, output] of this.pipelines()) {
      if (!this.reads.topics.has(output)) continue;
      const copies = new Map<string, number>();
      for (const [value, places] of this.reads.placesByTopic.get(output) ?? []) {
        const source = inputOfOutputValue(value);
        if (source !== null) copies.set(source, (copies.get(source) ?? 0) + places.size);
      }
      const counts: PipelineCounts = { input, output, inputs: 0, once: 0, missing: 0, duplicated: 0 };
      const values = new Set<string>();
      for (const id of this.acks.get(input) ?? []) {
        const value = this.sightings.value(id);
        if (value !== null) values.add(value);
      }
      for (const value of [...values].sort()) {
        counts.inputs++;
        const n = copies.get(value) ?? 0;
        if (n === 1) {
          counts.once++;
          continue;
        }
        if (n === 0) counts.missing++;
        else counts.duplicated++;
        this.report({
          step: this.lastStep,
          message:
            n === 0
              ? `input ${quote(value)} of ${input} is not in the committed output ${output}: it was never processed, or its processing was lost`
              : `input ${quote(value)} of ${input} is in the committed output ${output} ${n} times`,
          nodes: [],
          values: { input, output, value, copies: n },
        });
      }
      this.judged.push(counts);
    }
  }

  /** [input topic, output topic] of every committed transaction that sent offsets. */
  private pipelines(): Array<[string, string]> {
    const pairs = new Set<string>();
    for (const t of this.txns.all()) {
      if (t.fate !== 'committed') continue;
      const inputs = this.inputsOf.get(`${t.process}:${t.txn}`);
      if (inputs === undefined) continue;
      for (const input of inputs) for (const s of t.sends) pairs.add(JSON.stringify([input, s.topic]));
    }
    return [...pairs].sort().map((p) => JSON.parse(p) as [string, string]);
  }
}
