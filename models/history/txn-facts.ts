// What a history says of each transaction (KIP-98, the contract at the end of types.ts): the sends
// it holds, when its commit was asked for, and its fate: committed (a commit ended ok), aborted (an
// abort was asked for, a commit failed, or it never ended: the coordinator aborts what its producer
// left open), or unknown (a commit ended info or never ended). A transactional send's outcome is
// held until the fate is known, then handed to the other checkers as what it means to a reader:
// `ok` (acknowledged) when its transaction committed, `info` otherwise (its record may be in the
// log, but a read_committed reader must never see it).

import type { NodeId } from '../../core/env.ts';
import type { ExpandedSend } from './produce-ops.ts';
import type { EndTxnInvoke, HistoryOp, SendInvoke } from './types.ts';

export type TxnFate = 'open' | 'committed' | 'aborted' | 'unknown';

export interface TxnSend {
  value: string | null;
  topic: string;
  key: string | null;
  /** Where it landed, once its ok came (the log position, committed or not). */
  partition?: number;
  offset?: number;
}

export interface Txn {
  process: NodeId;
  /** The transaction's number (an op id of its producer). */
  txn: number;
  transactionalId: string | null;
  sends: TxnSend[];
  /** Step and time when the application asked to commit it (null: never). */
  commitStep: number | null;
  commitTime: number | null;
  /** An end-txn was invoked for it (commit or abort). */
  ended: boolean;
  fate: TxnFate;
  /** Step where the fate became known. */
  fateStep: number | null;
  /** Send outcomes waiting for the fate. */
  held: ExpandedSend[];
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;

/** The transaction number a `produce` op's value names, or null for a producer outside transactions. */
export function txnOfProduce(op: HistoryOp): number | null {
  const v = op.value;
  return isObject(v) && typeof v['txn'] === 'number' && Number.isInteger(v['txn']) ? v['txn'] : null;
}

function endTxnInvoke(op: HistoryOp): EndTxnInvoke | null {
  const v = op.value;
  if (!isObject(v) || typeof v['txn'] !== 'number' || typeof v['commit'] !== 'boolean') return null;
  return { txn: v['txn'], commit: v['commit'], transactionalId: typeof v['transactionalId'] === 'string' ? v['transactionalId'] : '' };
}

export class TxnFacts {
  private readonly txns = new Map<string, Txn>();
  /** Each transactional value's transaction (producers write every value once). */
  private readonly byValue = new Map<string, Txn>();
  /** Per process, its end-txn invocations still without an outcome, by op id. */
  private readonly ending = new Map<string, { txn: Txn; commit: boolean }>();
  /** end-txn ops whose value was not the documented shape. */
  malformed = 0;

  /** Every transaction seen, in order of first sight. */
  all(): IterableIterator<Txn> {
    return this.txns.values();
  }

  /** The transaction a value was written in, or undefined when it was written outside one. */
  txnOfValue(value: string | null): Txn | undefined {
    return value === null ? undefined : this.byValue.get(value);
  }

  /**
   * Takes one expanded send of transaction `txn`; returns what the other checkers get of it now:
   * its invocation at once, its outcome once the transaction's fate is known.
   */
  send(process: NodeId, txn: number, send: ExpandedSend): ExpandedSend[] {
    const t = this.txn(process, txn);
    const op = send.op;
    if (op.type === 'invoke') {
      const v = op.value as SendInvoke | undefined;
      if (v !== undefined) {
        t.sends.push({ value: v.value, topic: v.topic, key: v.key });
        if (v.value !== null) this.byValue.set(v.value, t);
      }
      return [send];
    }
    if (op.type === 'ok') {
      const v = op.value as { value?: unknown; partition?: unknown; offset?: unknown } | undefined;
      const s = typeof v?.value === 'string' ? t.sends.find((x) => x.value === v.value) : undefined;
      if (s !== undefined && typeof v?.partition === 'number' && typeof v.offset === 'number') {
        s.partition = v.partition;
        s.offset = v.offset;
      }
    }
    if (t.fate === 'open') {
      t.held.push(send);
      return [];
    }
    return [this.meaning(t, send, op.step, op.time)];
  }

  /** Takes an `end-txn` op (its invocation paired by the caller); returns the held send outcomes it settles. */
  endTxn(op: HistoryOp, invocation: HistoryOp | undefined): ExpandedSend[] {
    const key = `${op.process}:${op.id}`;
    if (op.type === 'invoke') {
      const v = endTxnInvoke(op);
      if (v === null) {
        this.malformed++;
        return [];
      }
      const t = this.txn(op.process, v.txn);
      if (v.transactionalId !== '') t.transactionalId = v.transactionalId;
      t.ended = true;
      if (v.commit && t.commitStep === null) {
        t.commitStep = op.step;
        t.commitTime = op.time ?? null;
      }
      this.ending.set(key, { txn: t, commit: v.commit });
      return [];
    }
    const ending = this.ending.get(key);
    if (ending === undefined) {
      // An outcome without its invocation says nothing of which transaction it ended.
      if (invocation === undefined) this.malformed++;
      return [];
    }
    this.ending.delete(key);
    const { txn: t, commit } = ending;
    if (t.fate !== 'open') return [];
    const fate: TxnFate = !commit || op.type === 'fail' ? 'aborted' : op.type === 'ok' ? 'committed' : 'unknown';
    return this.settle(t, fate, op.step, op.time);
  }

  /**
   * A producer process stopped: its transactions never asked to end will be aborted by the
   * coordinator (timeout or fencing), and those whose end it asked for without an answer are unknown.
   */
  crashed(process: NodeId, step: number): ExpandedSend[] {
    const out: ExpandedSend[] = [];
    for (const t of this.txns.values()) {
      if (t.process !== process || t.fate !== 'open') continue;
      out.push(...this.settle(t, t.ended ? 'unknown' : 'aborted', step, undefined));
    }
    for (const [key, e] of this.ending) if (e.txn.process === process) this.ending.delete(key);
    return out;
  }

  /** The history is over: what is still open never ended (aborted) or ended unanswered (unknown). */
  finish(step: number): ExpandedSend[] {
    const out: ExpandedSend[] = [];
    for (const t of this.txns.values()) if (t.fate === 'open') out.push(...this.settle(t, t.ended ? 'unknown' : 'aborted', step, undefined));
    return out;
  }

  private settle(t: Txn, fate: TxnFate, step: number, time: number | undefined): ExpandedSend[] {
    t.fate = fate;
    t.fateStep = step;
    const held = t.held;
    t.held = [];
    return held.map((s) => this.meaning(t, s, step, time));
  }

  /** A send outcome as its transaction's fate makes it: ok (acknowledged when the commit was) if committed, else info. */
  private meaning(t: Txn, send: ExpandedSend, step: number, time: number | undefined): ExpandedSend {
    const op: HistoryOp = { ...send.op };
    if (t.fate === 'committed') {
      if (op.type === 'ok') {
        op.step = Math.max(op.step, step);
        if (time !== undefined) op.time = time;
      }
    } else if (op.type === 'ok') {
      op.type = 'info';
      op.error = t.fate === 'aborted' ? 'transaction aborted' : 'transaction outcome unknown';
    }
    return { op, invocation: send.invocation };
  }

  private txn(process: NodeId, txn: number): Txn {
    const key = `${process}:${txn}`;
    let t = this.txns.get(key);
    if (t === undefined) {
      t = { process, txn, transactionalId: null, sends: [], commitStep: null, commitTime: null, ended: false, fate: 'open', fateStep: null, held: [] };
      this.txns.set(key, t);
    }
    return t;
  }
}
