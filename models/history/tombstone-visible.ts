// tombstone-visible: on a compacted topic, a consumer that keeps up sees every tombstone (Kafka's log
// compaction guarantee, design.html §4.8: delete markers are seen by a reader that reaches them
// within delete.retention.ms; KIP-534 keeps each tombstone until a clean starts at or after the
// delete horizon the first clean set, now + delete.retention.ms). KAFKA-4529 removed them early.
//
// "Keeps up", precisely: a consumer's reading of the tombstone's partition (from the log start, a
// committed offset or any position at or below the tombstone's offset, up to its next assign, seek
// or crash) keeps up with the tombstone when the poll that first takes it past the tombstone's
// offset completes before delete.retention.ms has passed since the tombstone's send was invoked,
// and before any other send of the same key to the topic began that could land after it (a later
// write supersedes a tombstone, and compaction may then remove it at once). No clean can have
// removed the tombstone by then: its horizon is at least its append plus delete.retention.ms.

import type { NodeId } from '../../core/env.ts';
import type { CheckerInfo, Report } from '../violation.ts';
import type { CompactionFacts } from './compaction-facts.ts';
import { involved, type HistoryChecker } from './history-checker.ts';
import { quote, tp, type ReadOp } from './op-values.ts';
import type { ReadStretches, Stretch } from './read-stretches.ts';
import type { Sightings } from './sightings.ts';
import type { HistoryOp, SendInvoke } from './types.ts';

export const TOMBSTONE_VISIBLE: CheckerInfo = {
  name: 'tombstone-visible',
  statement:
    'On a compacted topic, a consumer that reads past an acknowledged tombstone within delete.retention.ms of its send, before any later send of its key, gets the tombstone at its offset.',
  source: 'Kafka docs, design.html §4.8 log compaction guarantees (delete markers and delete.retention.ms); KIP-534 (delete horizon); KAFKA-4529',
};

/** One send to a compacted topic, keyed. */
interface Send {
  producer: NodeId;
  topic: string;
  key: string;
  value: string | null;
  invokeTime: number;
  /** Where it landed, once acknowledged. */
  ack: { partition: number; offset: number; step: number } | null;
}

export class TombstoneVisible implements HistoryChecker {
  readonly info = TOMBSTONE_VISIBLE;
  /** Sends by their invocation op (outcomes find them through their invocation). */
  private readonly byInvocation = new Map<HistoryOp, Send>();
  /** Per topic and key, every send, in invocation order. */
  private readonly sends = new Map<string, Map<string, Send[]>>();
  private lastStep = -1;
  private finished = false;

  constructor(
    private readonly report: Report,
    private readonly sightings: Sightings,
    private readonly facts: CompactionFacts,
    private readonly stretches: ReadStretches,
  ) {}

  observe({ op, invocation, ack }: ReadOp): void {
    this.lastStep = op.step;
    if (op.op !== 'send') return;
    if (op.type === 'invoke') {
      const v = op.value as Partial<SendInvoke> | undefined;
      if (typeof v?.topic !== 'string' || typeof v.key !== 'string' || op.time === undefined || !this.facts.compacted(v.topic)) return;
      const send: Send = {
        producer: op.process,
        topic: v.topic,
        key: v.key,
        value: typeof v.value === 'string' ? v.value : null,
        invokeTime: op.time,
        ack: null,
      };
      this.byInvocation.set(op, send);
      let keys = this.sends.get(v.topic);
      if (keys === undefined) this.sends.set(v.topic, (keys = new Map()));
      const list = keys.get(v.key);
      if (list === undefined) keys.set(v.key, [send]);
      else list.push(send);
      return;
    }
    if (invocation === undefined) return;
    const send = this.byInvocation.get(invocation);
    if (send === undefined) return;
    this.byInvocation.delete(invocation);
    if (ack !== null) send.ack = { partition: ack.partition, offset: ack.offset, step: op.step };
  }

  finish(): void {
    if (this.finished) return;
    this.finished = true;
    const byPartition = new Map<string, Stretch[]>();
    for (const st of this.stretches.all) {
      const k = tp(st.topic, st.partition);
      const list = byPartition.get(k);
      if (list === undefined) byPartition.set(k, [st]);
      else list.push(st);
    }
    for (const [topic, keys] of this.sends) {
      const retention = this.facts.policy(topic).deleteRetentionMs;
      for (const [, sends] of keys) {
        for (const t of sends) {
          if (t.value !== null || t.ack === null) continue;
          const visibleUntil = this.visibleUntil(t, sends, retention);
          const missed = (byPartition.get(tp(topic, t.ack.partition)) ?? []).flatMap((st) => {
            const passedAt = passedAtTime(this.sightings, st, t.ack!.offset);
            return passedAt !== null && passedAt < visibleUntil && !this.got(st, t) ? [{ st, passedAt }] : [];
          });
          if (missed.length > 0) this.missed(t, missed, visibleUntil, retention);
        }
      }
    }
  }

  /** Until when readers must see tombstone `t`: delete.retention.ms after its send, or the start of a send of its key that may supersede it. */
  private visibleUntil(t: Send, sends: readonly Send[], retention: number): number {
    let until = t.invokeTime + retention;
    for (const s of sends) {
      if (s === t) continue;
      // A write acknowledged below the tombstone, or in another partition, cannot supersede it.
      if (s.ack !== null && (s.ack.partition !== t.ack!.partition || s.ack.offset < t.ack!.offset)) continue;
      until = Math.min(until, s.invokeTime);
    }
    return until;
  }

  /** Whether the stretch got tombstone `t` at its offset. */
  private got(st: Stretch, t: Send): boolean {
    const s = this.sightings;
    return st.ids.some((id) => s.offset(id) === t.ack!.offset && s.key(id) === t.key && s.value(id) === null);
  }

  private missed(t: Send, missed: Array<{ st: Stretch; passedAt: number }>, visibleUntil: number, retention: number): void {
    const { st, passedAt } = missed[0]!;
    const ack = t.ack!;
    const more = missed.length > 1 ? `; ${missed.length - 1} more read${missed.length > 2 ? 's' : ''} passed it too` : '';
    this.report({
      step: this.lastStep,
      message: `${t.producer}'s tombstone for key ${quote(t.key)} at ${tp(t.topic, ack.partition)} offset ${ack.offset} (sent at ${t.invokeTime} ms, acknowledged at step ${ack.step}) was not returned to ${st.consumer}, whose read from offset ${st.start} passed it at ${passedAt} ms, within delete.retention.ms (${retention} ms)${visibleUntil < t.invokeTime + retention ? ' and before any later send of the key' : ''}${more}`,
      nodes: involved(t.producer, ...missed.map((m) => m.st.consumer)),
      values: {
        topic: t.topic,
        partition: ack.partition,
        offset: ack.offset,
        key: t.key,
        producer: t.producer,
        sentAtMs: t.invokeTime,
        ackStep: ack.step,
        consumer: st.consumer,
        readFrom: st.start,
        passedAtMs: passedAt,
        visibleUntilMs: visibleUntil,
        deleteRetentionMs: retention,
        reads: missed.length,
      },
    });
  }
}

/** When the stretch first got an offset beyond `offset`, having started at or below it; null if it never did (or the history has no times). */
function passedAtTime(s: Sightings, st: Stretch, offset: number): number | null {
  if (st.start > offset) return null;
  for (let i = 0; i < st.ids.length; i++) if (s.offset(st.ids[i]!) > offset) return Number.isNaN(st.times[i]!) ? null : st.times[i]!;
  return null;
}
