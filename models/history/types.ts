// Client histories as Jepsen records them: each operation is an invocation followed by its
// outcome (ok: it happened; fail: it did not; info: unknown). Clients write them to the trace as
// `client` events; the history checkers read them in trace order.

import type { NodeId } from '../../core/env.ts';

export type OpType = 'invoke' | 'ok' | 'fail' | 'info';

/** One history entry: a `client` trace event with the node that recorded it and where. */
export interface HistoryOp {
  /** The client (producer or consumer) that performed the operation. */
  process: NodeId;
  op: string;
  type: OpType;
  /** Pairs an invocation with its outcome, per process. */
  id: number;
  value?: unknown;
  error?: string;
  step: number;
  /** When the op was recorded (the run's clock, ms), when the history has it: checkers that judge durations need it. */
  time?: number;
}

/** `send` invoke: what a producer was asked to write (a null value: a tombstone). acks is Kafka's (0, 1, -1 = all). */
export interface SendInvoke {
  topic: string;
  key: string | null;
  value: string | null;
  acks: 0 | 1 | -1;
}

/** `send` ok: where the write landed. */
export interface SendOk extends SendInvoke {
  partition: number;
  offset: number;
}

/** `poll` ok: the records returned, in the order the consumer got them. */
export interface PollOk {
  /** [topic, partition, offset, key, value] */
  records: Array<[string, number, number, string | null, string | null]>;
  /** Present (true) when the consumer reads with isolation.level=read_committed: it must never see aborted or open transactions. */
  readCommitted?: true;
  /** [topic, partition, position] where the position moved past offsets that gave no record (markers, aborted transactions). */
  positions?: Array<[string, number, number]>;
}

// Transactions (KIP-98). A transactional producer numbers each transaction with a fresh op id T
// (unique per process across restarts, like every op id). Its `produce` invocations carry
// `txn: T` beside `acks` and `sends` (a Produce request holds the batches of one transaction), so
// every send belongs to one transaction. A transaction's fate is its `end-txn` op: committed when
// a commit ended ok; aborted when an abort was invoked, when a commit failed, or when no `end-txn`
// was ever invoked for it (its producer crashed or was fenced first: the coordinator aborts it);
// unknown when a commit ended info or never ended.

/** `end-txn` invoke: the application called commitTransaction() (commit: true) or abortTransaction() for transaction `txn`. */
export interface EndTxnInvoke {
  txn: number;
  commit: boolean;
  transactionalId: string;
}

/** `txn-offsets` invoke: sendOffsetsToTransaction(), the group's offsets (the next offset to read) that commit with transaction `txn`. */
export interface TxnOffsetsInvoke {
  txn: number;
  group: string;
  /** [topic, partition, offset] */
  offsets: Array<[string, number, number]>;
}

/**
 * A processor (consume-transform-produce) copies each input record to its output topic with the
 * same key and the value `<input value>@<processor>.<txn>`: output values stay unique (an aborted
 * copy and its committed retry differ) and still name the input they came from.
 */
export function inputOfOutputValue(value: string): string | null {
  const at = value.lastIndexOf('@');
  return at < 0 ? null : value.slice(0, at);
}

/** `init-txn` ok: InitProducerId gave the transactional producer this id and epoch. */
export interface InitTxnOk {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
}

/** `assign` ok: the consumer now reads these partitions (positions are reset: skips are not judged across it). */
export interface AssignOk {
  topic: string;
  partitions: number[];
}

/** `seek` ok: the consumer moved its position in a partition (asked to, or on its own). */
export interface SeekOk {
  topic: string;
  partition: number;
  offset: number;
  /** Why the consumer moved by itself: auto.offset.reset, an out-of-range offset, or a detected truncation. */
  reason?: 'auto.offset.reset' | 'offset-out-of-range' | 'truncation';
}

// Security. An intruder (sim/scenario/intruder.ts) has no rights; each of its raw requests is an
// `intrude` op: the invocation names the API, the resource and the broker it went to, the ok its
// answer. The unauthorized-access checker proves none of them got through.

/** `intrude` invoke: the intruder sent `api` about `resource` to `broker`, authenticated as `principal`. */
export interface IntrudeInvoke {
  api: string;
  resource: string;
  broker: NodeId;
  principal: string;
}

/** `intrude` ok: the answer's error codes by name (deepest level that has them), and what it handed over that only a granted request gets. */
export interface IntrudeOk extends IntrudeInvoke {
  errors: string[];
  gained: string[];
}

/** Values the intruder produces contain this: `<id>!intruder-<n>` (a processor's copy of one still contains it). */
export const INTRUDER_MARK = '!intruder-';
/** Topics the intruder tries to create start with this. */
export const INTRUDER_TOPIC_PREFIX = 'intruder-';
/** The offset the intruder tries to commit for a group: no consumer commits it. */
export const INTRUDER_OFFSET = 31_337_000;
/** The retention.ms the intruder tries to set. */
export const INTRUDER_RETENTION_MS = 31_337;

export function intruderValue(id: NodeId, n: number): string {
  return `${id}${INTRUDER_MARK}${n}`;
}
