// lso-monotonic: a leader's last stable offset (KIP-98) never goes back while it leads in one epoch,
// never passes its high watermark, and never passes the first offset of a transaction still open in
// its own log (a transactional batch of a producer with no marker after it), so read_committed
// consumers never read into an open transaction. Fed by the replicas' events: `partition-lso`,
// `partition-hw`, and the transactional batches and markers of `partition-append` (which name
// their producer), `partition-truncate` and `partition-recover`.

import type { NodeId } from '../../core/env.ts';
import type { BatchSummary, ObservedEvent } from '../../core/trace/schema.ts';
import type { CheckerInfo, Report } from '../violation.ts';

export const LSO_MONOTONIC: CheckerInfo = {
  name: 'lso-monotonic',
  statement:
    "A leader's last stable offset never decreases within its leader epoch, never exceeds its high watermark, and never passes the first offset of a transaction still open in its log.",
  source: "KIP-98 (last stable offset); Kafka's UnifiedLog.lastStableOffset and ProducerStateManager.firstUnstableOffset",
};

const TRANSACTIONAL = 0x10;
const CONTROL = 0x20;

/** One replica's view: its transactions as its log shows them, its high watermark and last reported LSO. */
interface Replica {
  /** Transactional batches and markers in its log, in offset order: [baseOffset, producerId, isMarker]. */
  txnBatches: Array<[number, number, boolean]>;
  /** Producers with a transaction open in the log, and the offset where it began. */
  open: Map<number, number>;
  hw: number;
  lso: { epoch: number; offset: number } | null;
}

export class LsoMonotonic {
  private readonly replicas = new Map<string, Replica>();
  /** LSO reports of this step, judged at its end (a leader may report its high watermark after its LSO). */
  private readonly pending: Array<{ step: number; node: NodeId; key: string; offset: number }> = [];

  constructor(private readonly report: Report) {}

  observe(step: number, node: NodeId | null, event: ObservedEvent): void {
    if (node === null) return;
    switch (event.kind) {
      case 'crash':
      case 'restart':
        for (const key of [...this.replicas.keys()]) if (key.startsWith(`${node} `)) this.replicas.delete(key);
        return;
      case 'partition-append': {
        let r: Replica | undefined;
        for (const b of event.batches) {
          if (!isTransactional(b)) continue;
          r ??= this.replica(node, event.topic, event.partition);
          take(r, b[0], b[5]!, ((b[4] ?? 0) & CONTROL) !== 0);
        }
        return;
      }
      case 'partition-truncate': {
        const r = this.replicas.get(keyOf(node, event.topic, event.partition));
        if (r === undefined) return;
        rebuild(
          r,
          r.txnBatches.filter(([base]) => base < event.endOffset),
        );
        return;
      }
      case 'partition-recover': {
        const batches = event.batches.filter(isTransactional).map((b): [number, number, boolean] => [b[0], b[5]!, ((b[4] ?? 0) & CONTROL) !== 0]);
        const r = this.replica(node, event.topic, event.partition);
        rebuild(r, batches);
        r.hw = event.highWatermark;
        r.lso = null;
        return;
      }
      case 'partition-hw':
        this.replica(node, event.topic, event.partition).hw = event.highWatermark;
        return;
      case 'partition-lso': {
        const key = keyOf(node, event.topic, event.partition);
        const r = this.replica(node, event.topic, event.partition);
        const last = r.lso;
        if (last !== null && last.epoch === event.leaderEpoch && event.lastStableOffset < last.offset) {
          this.report({
            step,
            message: `${node}'s last stable offset of ${event.topic}/${event.partition} went back from ${last.offset} to ${event.lastStableOffset} in leader epoch ${event.leaderEpoch}`,
            nodes: [node],
            values: { topic: event.topic, partition: event.partition, from: last.offset, to: event.lastStableOffset, leaderEpoch: event.leaderEpoch },
          });
        }
        r.lso = { epoch: event.leaderEpoch, offset: event.lastStableOffset };
        this.pending.push({ step, node, key, offset: event.lastStableOffset });
        return;
      }
    }
  }

  /** The step is over: each LSO it reported is judged against the replica's high watermark and open transactions. */
  endStep(): void {
    for (const { step, node, key, offset } of this.pending.splice(0)) {
      const r = this.replicas.get(key);
      if (r === undefined) continue;
      const topicPartition = key.slice(key.indexOf(' ') + 1);
      if (offset > r.hw) {
        this.report({
          step,
          message: `${node}'s last stable offset of ${topicPartition} is ${offset}, past its high watermark ${r.hw}`,
          nodes: [node],
          values: { partition: topicPartition, lastStableOffset: offset, highWatermark: r.hw },
        });
        continue;
      }
      let first: [number, number] | null = null;
      for (const [producerId, base] of r.open) if (first === null || base < first[1]) first = [producerId, base];
      if (first !== null && offset > first[1]) {
        this.report({
          step,
          message: `${node}'s last stable offset of ${topicPartition} is ${offset}, past offset ${first[1]} where producer ${first[0]}'s transaction is still open in its log`,
          nodes: [node],
          values: { partition: topicPartition, lastStableOffset: offset, producerId: first[0], openAt: first[1] },
        });
      }
    }
  }

  private replica(node: NodeId, topic: string, partition: number): Replica {
    const key = keyOf(node, topic, partition);
    let r = this.replicas.get(key);
    if (r === undefined) this.replicas.set(key, (r = { txnBatches: [], open: new Map(), hw: 0, lso: null }));
    return r;
  }
}

const keyOf = (node: NodeId, topic: string, partition: number) => `${node} ${topic}/${partition}`;

function isTransactional(b: BatchSummary): boolean {
  return b.length === 6 && ((b[4] ?? 0) & TRANSACTIONAL) !== 0;
}

function take(r: Replica, base: number, producerId: number, marker: boolean): void {
  r.txnBatches.push([base, producerId, marker]);
  if (marker) r.open.delete(producerId);
  else if (!r.open.has(producerId)) r.open.set(producerId, base);
}

function rebuild(r: Replica, batches: Array<[number, number, boolean]>): void {
  r.txnBatches = [];
  r.open.clear();
  for (const [base, producerId, marker] of batches) take(r, base, producerId, marker);
}
