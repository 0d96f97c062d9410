// Reading the values of history operations (models/history/types.ts) without trusting them: the
// history comes from trace events, so each shape is checked before a checker relies on it.

import type { NodeId } from '../../core/env.ts';
import { groupOp, isGroupOp, type GroupOp } from './group-values.ts';
import type { Sightings } from './sightings.ts';
import type { HistoryOp, PollOk, SendOk } from './types.ts';

export type PollRecord = PollOk['records'][number];

const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x);
const isKey = (x: unknown): x is string | null => x === null || typeof x === 'string';
const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;

/** The value of a `send` ok, or null when the op is something else or its value is malformed. */
export function sendOk(op: HistoryOp): SendOk | null {
  if (op.op !== 'send' || op.type !== 'ok') return null;
  const v = op.value;
  if (!isObject(v)) return null;
  if (typeof v['topic'] !== 'string' || !isKey(v['key']) || !isKey(v['value'])) return null;
  if (v['acks'] !== 0 && v['acks'] !== 1 && v['acks'] !== -1) return null;
  if (!isInt(v['partition']) || !isInt(v['offset'])) return null;
  return v as unknown as SendOk;
}

/**
 * A send the cluster acknowledged, from its `sendOk` value: acks 1 or -1 and a real offset. An
 * acks=0 send is never acknowledged (Kafka answers nothing and the producer reports offset -1).
 */
function acknowledged(s: SendOk | null): SendOk | null {
  return s !== null && s.acks !== 0 && s.partition >= 0 && s.offset >= 0 ? s : null;
}

function isRecord(r: unknown): r is PollRecord {
  return Array.isArray(r) && r.length === 5 && typeof r[0] === 'string' && isInt(r[1]) && isInt(r[2]) && r[2] >= 0 && isKey(r[3]) && isKey(r[4]);
}

/** The records of a `poll` ok, or null when the op is something else or a record is malformed. */
export function pollRecords(op: HistoryOp): PollOk['records'] | null {
  if (op.op !== 'poll' || op.type !== 'ok' || !isObject(op.value)) return null;
  const records = op.value['records'];
  if (!Array.isArray(records)) return null;
  for (const r of records) if (!isRecord(r)) return null;
  return records as PollOk['records'];
}

/** Partitions whose read position an assign or seek reset; partition null means every partition of the topic. */
export interface PositionReset {
  topic: string;
  partition: number | null;
  /** A seek's new position, when its value gives one. */
  offset?: number;
}

/**
 * The positions an `assign` or `seek` resets. The invocation already counts (while it runs the
 * position is unknown, and an `info` outcome may carry no value); a `fail` outcome changes nothing
 * more. An assign replaces the consumer's assignment of the topic, so all its positions in that
 * topic are forgotten, listed partitions or not.
 */
export function positionReset(op: HistoryOp): PositionReset | null {
  if ((op.op !== 'assign' && op.op !== 'seek') || op.type === 'fail') return null;
  const v = op.value;
  if (!isObject(v) || typeof v['topic'] !== 'string') return null;
  if (op.op === 'assign') return { topic: v['topic'], partition: null };
  if (!isInt(v['partition'])) return null;
  return isInt(v['offset']) && v['offset'] >= 0
    ? { topic: v['topic'], partition: v['partition'], offset: v['offset'] }
    : { topic: v['topic'], partition: v['partition'] };
}

/**
 * A history op as every checker gets it: its value read and checked once (for all checkers), and
 * an outcome paired with its invocation.
 */
export interface ReadOp {
  readonly op: HistoryOp;
  /** An outcome's invocation; undefined for an invocation, or when it is not in the history. */
  readonly invocation: HistoryOp | undefined;
  /** See `acknowledged`. */
  readonly ack: SendOk | null;
  /** See `pollRecords`. */
  readonly records: PollRecord[] | null;
  /** See `positionReset`. */
  readonly reset: PositionReset | null;
  /** A group operation (group-values.ts); for a commit's outcome, its invocation's value. */
  readonly group: GroupOp | null;
  /** An ok of a known operation whose value does not have the documented shape (checkers ignore it). */
  readonly malformed: boolean;
  /**
   * The op's sightings in the shared `Sightings` (ids firstSighting, firstSighting + 1, ...): the
   * acknowledgement's offset, or each record polled, in order.
   */
  readonly firstSighting: number;
  readonly sightingCount: number;
}

/** Reads `op` and stores its sightings. */
export function readOp(op: HistoryOp, invocation: HistoryOp | undefined, sightings: Sightings): ReadOp {
  const send = sendOk(op);
  const ack = acknowledged(send);
  const records = op.op === 'poll' ? pollRecords(op) : null;
  const reset = op.op === 'assign' || op.op === 'seek' ? positionReset(op) : null;
  const known = op.op === 'send' || op.op === 'poll' || op.op === 'assign' || op.op === 'seek';
  const isGroup = isGroupOp(op);
  const group = isGroup ? groupOp(op.op === 'commit' && op.type !== 'invoke' ? (invocation ?? op) : op) : null;
  const groupShaped = op.op === 'commit' ? op.type === 'invoke' : op.type === 'ok';
  const malformed = (op.type === 'ok' && known && send === null && records === null && reset === null) || (isGroup && groupShaped && group === null);
  const firstSighting = sightings.count;
  if (ack !== null) sightings.add(op.process, op.step, 'ack', ack.topic, ack.partition, ack.offset, ack.key, ack.value);
  else if (records !== null)
    for (const [topic, partition, offset, key, value] of records) sightings.add(op.process, op.step, 'poll', topic, partition, offset, key, value);
  return { op, invocation, ack, records, reset, group, malformed, firstSighting, sightingCount: sightings.count - firstSighting };
}

export const tp = (topic: string, partition: number): string => `${topic}/${partition}`;
export const quote = (value: string | null): string => (value === null ? 'null' : `'${value}'`);

/** Where a value was seen at an offset, and by what: an acknowledged send or a poll. */
export interface Sighting {
  topic: string;
  partition: number;
  offset: number;
  process: NodeId;
  step: number;
  how: 'ack' | 'poll';
}

export const sightingText = (s: Sighting) => `${s.how === 'ack' ? 'acknowledged to' : 'returned to'} ${s.process} at step ${s.step}`;
export const sightingFacts = (s: Sighting) => ({ topic: s.topic, partition: s.partition, offset: s.offset, process: s.process, step: s.step, how: s.how });
