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
