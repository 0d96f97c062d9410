// The producer's history per request (issue 21): a `produce` invocation lists the records one
// Produce request carried for the first time (with when send() was called for each), a
// `produce` outcome the sends one answer settled.
// Each listed send keeps its own id, so it expands here into the per-record `send` ops (SendInvoke,
// SendOk) that the history checkers judge and that a black-box history still records directly.

import type { NodeId } from '../../core/env.ts';
import type { HistoryOp, SendInvoke } from './types.ts';

const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x);
const isBytes = (x: unknown): x is string | null => x === null || typeof x === 'string';

/** A `send` op and, for an outcome, the invocation it answers (undefined when the history lacks it). */
export interface ExpandedSend {
  op: HistoryOp;
  invocation: HistoryOp | undefined;
}

export class ProduceOps {
  /** Per producer, its listed sends still without an outcome. */
  private readonly open = new Map<NodeId, Map<number, HistoryOp>>();
  /** `produce` events whose value was not the documented shape (nothing expanded from them). */
  malformed = 0;

  /** The per-record `send` ops a `produce` op stands for, in its order. */
  expand(op: HistoryOp): ExpandedSend[] {
    const v = op.value as { acks?: unknown; sends?: unknown } | undefined;
    const acks = v?.acks;
    if (typeof v !== 'object' || v === null || !Array.isArray(v.sends) || (acks !== 0 && acks !== 1 && acks !== -1)) {
      this.malformed++;
      return [];
    }
    let mine = this.open.get(op.process);
    if (mine === undefined) this.open.set(op.process, (mine = new Map()));
    const out: ExpandedSend[] = [];
    for (const entry of v.sends as unknown[]) {
      if (!Array.isArray(entry) || !isInt(entry[0])) {
        this.malformed++;
        continue;
      }
      const id = entry[0];
      if (op.type === 'invoke') {
        const [, topic, , key, value, sentAt] = entry as unknown[];
        if (typeof topic !== 'string' || !isBytes(key) || !isBytes(value)) {
          this.malformed++;
          continue;
        }
        const send: HistoryOp = { process: op.process, op: 'send', type: 'invoke', id, step: op.step, value: { topic, key, value, acks } satisfies SendInvoke };
        // Invoked when the application called send() (Jepsen's invocation time), if the entry says when.
        if (typeof sentAt === 'number' && Number.isFinite(sentAt)) send.time = sentAt;
        else if (op.time !== undefined) send.time = op.time;
        mine.set(id, send);
        out.push({ op: send, invocation: undefined });
        continue;
      }
      const invocation = mine.get(id);
      if (invocation !== undefined) mine.delete(id);
      const invoked = invocation?.value as SendInvoke | undefined;
      const send: HistoryOp = { process: op.process, op: 'send', type: op.type, id, step: op.step };
      if (op.type === 'ok') {
        const [, partition, offset] = entry as unknown[];
        // Without its invocation the ok lacks topic, key and value: the checkers count it malformed.
        send.value =
          invoked === undefined ? { acks, partition, offset } : { topic: invoked.topic, key: invoked.key, value: invoked.value, acks, partition, offset };
      } else if (invoked !== undefined) send.value = { topic: invoked.topic, key: invoked.key, value: invoked.value, acks };
      if (op.error !== undefined) send.error = op.error;
      if (op.time !== undefined) send.time = op.time;
      out.push({ op: send, invocation });
    }
    return out;
  }

  /** A stopped or restarted producer's open sends are gone with it (their outcomes never come). */
  forget(process: NodeId): void {
    this.open.delete(process);
  }
}
