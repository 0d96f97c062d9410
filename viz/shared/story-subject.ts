// Which violations the visualizer explains, and what each one is about, read from the values the
// checkers of models/ record: a record at one offset of a partition (a lost write, two values at
// one offset, a replica, ISR member or leader without a committed record), or a partition's ISR.

import type { ViolationEntry } from './contract.ts';

/** Where the record at stake came in. */
export type StoryOrigin =
  /** A client's operation at this step acknowledged or read it (`how`: "acknowledged to p1"). */
  | { kind: 'client'; step: number; how: string }
  /** The first time a leader's high watermark passed its offset. */
  | { kind: 'commit' };

export type StorySubject =
  { kind: 'record'; partition: string; offset: number; origin: StoryOrigin; what: string } | { kind: 'isr'; partition: string; nodes: string[] };

/** Checkers about a partition's ISR whose story is the partition's leader and ISR changes. */
const ISR_CHECKERS = new Set(['leader-in-isr', 'isr-never-empty', 'isr-freshness', 'hw-min-isr']);
/** Checkers about a committed record that a replica, an ISR member or a new leader lacks, and the value naming its offset. */
const COMMITTED_RECORD_CHECKERS: Record<string, string> = {
  'replica-log-matching': 'firstDifference',
  'strong-isr': 'firstMissing',
  'leader-completeness': 'firstMissing',
};

const quote = (value: unknown) => `'${String(value)}'`;
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isInteger(value) ? value : null);

/** What the violation is about, or null when its checker has no story (or its values are not as expected). */
export function storySubject(v: ViolationEntry): StorySubject | null {
  const partition = v.partition;
  if (partition === null) return null;
  const values = v.values;
  if (ISR_CHECKERS.has(v.name)) return { kind: 'isr', partition, nodes: v.nodes };
  const committed = COMMITTED_RECORD_CHECKERS[v.name];
  if (committed !== undefined) {
    const offset = num(values[committed]);
    return offset === null
      ? null
      : { kind: 'record', partition, offset, origin: { kind: 'commit' }, what: `the committed record at ${partition} offset ${offset}` };
  }
  if (v.name === 'lost-write') {
    const [offset, step] = [num(values.offset), num(values.ackStep)];
    if (offset === null || step === null) return null;
    const producer = String(values.producer);
    const how = `acknowledged to ${producer}`;
    return {
      kind: 'record',
      partition,
      offset,
      origin: { kind: 'client', step, how },
      what: `${producer}'s write ${quote(values.value)} at ${partition} offset ${offset}`,
    };
  }
  if (v.name === 'inconsistent-offset') {
    const offset = num(values.offset);
    const first = values.first as { process?: unknown; step?: unknown; how?: unknown } | undefined;
    const step = num(first?.step);
    if (offset === null || step === null || !Array.isArray(values.values)) return null;
    const how = first?.how === 'ack' ? `acknowledged to ${String(first.process)}` : `read by ${String(first?.process)}`;
    return { kind: 'record', partition, offset, origin: { kind: 'client', step, how }, what: `${quote(values.values[0])} at ${partition} offset ${offset}` };
  }
  return null;
}
