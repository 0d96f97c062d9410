// Hand-made client histories for the history checkers' tests: a builder that writes Jepsen-style
// invoke/outcome pairs (sends, polls, assigns, seeks and the group operations), and a runner.
import { HistoryCheckers, type TopicPolicies } from '../../models/history/history-checkers.ts';
import type { PollRecord } from '../../models/history/op-values.ts';
import type { HistoryOp, OpType } from '../../models/history/types.ts';
import type { Violation } from '../../models/violation.ts';

/** A pseudo-op that marks a client process's crash in a hand-made history. */
const CRASH = '#crash';

export class History {
  readonly ops: HistoryOp[] = [];
  private readonly ids = new Map<string, number>();
  /** The clock of the ops that follow (ms); undefined: they carry no time. */
  private now: number | undefined;

  /** Sets the clock for the ops that follow. */
  at(ms: number): this {
    this.now = ms;
    return this;
  }

  invoke(process: string, op: string, value?: unknown): number {
    const id = this.ids.get(process) ?? 0;
    this.ids.set(process, id + 1);
    this.push(process, op, 'invoke', id, value);
    return id;
  }

  /** An outcome; returns its step. */
  end(process: string, op: string, id: number, type: Exclude<OpType, 'invoke'>, value?: unknown): number {
    return this.push(process, op, type, id, value);
  }

  sendInvoke(producer: string, value: string | null, o: { topic?: string; key?: string | null; acks?: 0 | 1 | -1 } = {}): Send {
    const invoke = { topic: o.topic ?? 'orders', key: o.key ?? null, value, acks: o.acks ?? -1 };
    return { producer, id: this.invoke(producer, 'send', invoke), invoke };
  }

  sendOk(s: Send, partition: number, offset: number): number {
    return this.end(s.producer, 'send', s.id, 'ok', { ...s.invoke, partition, offset });
  }

  /** A send invoked and acknowledged at once; returns the step of the ok. */
  send(producer: string, partition: number, offset: number, value: string | null, o: { topic?: string; key?: string | null; acks?: 0 | 1 | -1 } = {}): number {
    return this.sendOk(this.sendInvoke(producer, value, o), partition, offset);
  }

  pollInvoke(consumer: string): number {
    return this.invoke(consumer, 'poll');
  }

  pollOk(consumer: string, id: number, ...records: PollRecord[]): number {
    return this.end(consumer, 'poll', id, 'ok', { records });
  }

  /** A poll invoked and answered at once; returns the step of the ok. */
  poll(consumer: string, ...records: PollRecord[]): number {
    return this.pollOk(consumer, this.pollInvoke(consumer), ...records);
  }

  assign(consumer: string, partitions: number[], topic = 'orders'): number {
    const value = { topic, partitions };
    return this.end(consumer, 'assign', this.invoke(consumer, 'assign', value), 'ok', value);
  }

  seek(consumer: string, partition: number, offset: number, topic = 'orders'): number {
    const value = { topic, partition, offset };
    return this.end(consumer, 'seek', this.invoke(consumer, 'seek', value), 'ok', value);
  }

  crash(process: string): number {
    const step = this.ops.length;
    this.ops.push({ process, op: CRASH, type: 'ok', id: -1, step });
    return step;
  }

  /** An operation that happened at once (invoke and ok), as the consumer records group events; returns the step of the ok. */
  done(process: string, op: string, value: unknown): number {
    return this.end(process, op, this.invoke(process, op, value), 'ok', value);
  }

  subscribe(consumer: string, group = 'g1', topics = ['orders']): number {
    return this.done(consumer, 'subscribe', { group, topics });
  }

  /** The member's whole assignment in a generation: partitions of `orders` unless [topic, partition] pairs are given. */
  assignment(consumer: string, generation: number, partitions: Array<number | [string, number]>, group = 'g1'): number {
    const pairs = partitions.map((p) => (typeof p === 'number' ? ['orders', p] : p));
    return this.done(consumer, 'assignment', { group, generation, member: `${consumer}-m`, partitions: pairs });
  }

  revoke(consumer: string, generation: number, partitions: number[], lost = false, group = 'g1'): number {
    return this.done(consumer, 'revoke', { group, generation, partitions: partitions.map((p) => ['orders', p]), lost });
  }

  /** A commit's invocation of offsets of `orders` ([partition, offset] pairs); its outcome comes with `commitEnd`. */
  commitInvoke(consumer: string, generation: number, offsets: Array<[number, number]>, group = 'g1'): Commit {
    const value = { group, generation, member: generation < 0 ? '' : `${consumer}-m`, offsets: offsets.map(([p, o]) => ['orders', p, o]) };
    return { consumer, id: this.invoke(consumer, 'commit', value), value };
  }

  commitEnd(c: Commit, type: Exclude<OpType, 'invoke'>): number {
    return this.end(c.consumer, 'commit', c.id, type, { group: c.value.group, offsets: c.value.offsets });
  }

  /** A commit invoked and acknowledged at once. */
  commit(consumer: string, generation: number, offsets: Array<[number, number]>, group = 'g1'): number {
    return this.commitEnd(this.commitInvoke(consumer, generation, offsets, group), 'ok');
  }

  /** A position the consumer took by itself, with its reason (committed, auto.offset.reset, ...). */
  start(consumer: string, partition: number, offset: number, reason: string): number {
    return this.done(consumer, 'seek', { topic: 'orders', partition, offset, reason });
  }

  private push(process: string, op: string, type: OpType, id: number, value: unknown): number {
    const step = this.ops.length;
    const entry: HistoryOp = value === undefined ? { process, op, type, id, step } : { process, op, type, id, value, step };
    if (this.now !== undefined) entry.time = this.now;
    this.ops.push(entry);
    return step;
  }
}

interface Commit {
  consumer: string;
  id: number;
  value: { group: string; generation: number; member: string; offsets: Array<(string | number)[]> };
}

interface Send {
  producer: string;
  id: number;
  invoke: { topic: string; key: string | null; value: string | null; acks: 0 | 1 | -1 };
}

export const r = (partition: number, offset: number, value: string | null, key: string | null = null, topic = 'orders'): PollRecord => [
  topic,
  partition,
  offset,
  key,
  value,
];

/** Runs every history checker over `ops`; a `crash` op (see `crashes`) stops its process. `topics`: which are compacted (none by default). */
export function check(ops: readonly HistoryOp[], finish = true, topics?: TopicPolicies): Violation[] {
  const found: Violation[] = [];
  const checkers = new HistoryCheckers((info) => (v) => found.push({ name: info.name, class: 'safety', ...v }), undefined, undefined, topics);
  for (const op of ops) {
    if (op.op === CRASH) checkers.observeTrace(op.step, op.process, { kind: 'crash', reason: 'kill', disk: [] });
    else checkers.observe(op);
  }
  if (finish) checkers.finish();
  return found;
}
