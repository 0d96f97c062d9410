// Reading the group operations of a consumer's history (subscribe, assignment, revoke, commit; see
// core/client/group-membership.ts and group-offsets.ts) without trusting them: each shape is checked
// before a group checker relies on it.

import type { HistoryOp } from './types.ts';

/** [topic, partition] */
export type GroupPartition = [string, number];

/** An `assignment` ok: the member's whole assignment in a generation. */
export interface AssignmentOp {
  kind: 'assignment';
  group: string;
  generation: number;
  member: string;
  partitions: GroupPartition[];
}

/** A `revoke` ok: partitions the member gave up; `lost` when its generation ended without a clean revoke. */
export interface RevokeOp {
  kind: 'revoke';
  group: string;
  generation: number;
  partitions: GroupPartition[];
  lost: boolean;
}

/** A `commit` invocation: offsets committed with a generation and member (-1 and '' for a simple commit). */
export interface CommitOp {
  kind: 'commit';
  group: string;
  generation: number;
  member: string;
  /** [topic, partition, offset] */
  offsets: Array<[string, number, number]>;
}

/** A `subscribe` ok: the member reads these topics through its group. */
export interface SubscribeOp {
  kind: 'subscribe';
  group: string;
  topics: string[];
}

export type GroupOp = AssignmentOp | RevokeOp | CommitOp | SubscribeOp;

const GROUP_OPS: ReadonlySet<string> = new Set(['subscribe', 'assignment', 'revoke', 'commit']);

const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x);
const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;
const isPartition = (x: unknown): x is GroupPartition => Array.isArray(x) && x.length === 2 && typeof x[0] === 'string' && isInt(x[1]) && x[1] >= 0;
const isOffset = (x: unknown): x is [string, number, number] =>
  Array.isArray(x) && x.length === 3 && typeof x[0] === 'string' && isInt(x[1]) && x[1] >= 0 && isInt(x[2]);
const listOf = <T>(x: unknown, is: (e: unknown) => e is T): x is T[] => Array.isArray(x) && x.every(is);

/** Whether the op is one of the group operations this module reads. */
export function isGroupOp(op: HistoryOp): boolean {
  return GROUP_OPS.has(op.op);
}

/**
 * The group operation `op` records, or null when it is another op, the wrong half of it (a commit
 * is read at its invocation, the others at their ok), or malformed.
 */
export function groupOp(op: HistoryOp): GroupOp | null {
  const v = op.value;
  if (!isObject(v) || typeof v['group'] !== 'string') return null;
  const group = v['group'];
  if (op.op === 'commit') {
    if (op.type !== 'invoke' || !isInt(v['generation']) || typeof v['member'] !== 'string' || !listOf(v['offsets'], isOffset)) return null;
    return { kind: 'commit', group, generation: v['generation'], member: v['member'], offsets: v['offsets'] };
  }
  if (op.type !== 'ok') return null;
  switch (op.op) {
    case 'assignment':
      if (!isInt(v['generation']) || typeof v['member'] !== 'string' || !listOf(v['partitions'], isPartition)) return null;
      return { kind: 'assignment', group, generation: v['generation'], member: v['member'], partitions: v['partitions'] };
    case 'revoke':
      if (!isInt(v['generation']) || typeof v['lost'] !== 'boolean' || !listOf(v['partitions'], isPartition)) return null;
      return { kind: 'revoke', group, generation: v['generation'], partitions: v['partitions'], lost: v['lost'] };
    case 'subscribe':
      if (!listOf(v['topics'], (t): t is string => typeof t === 'string')) return null;
      return { kind: 'subscribe', group, topics: v['topics'] };
    default:
      return null;
  }
}

/** The key of a partition in the group checkers' maps. */
export const partitionKey = (topic: string, partition: number): string => `${topic}/${partition}`;
