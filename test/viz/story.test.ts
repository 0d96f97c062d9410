// A violation's story, told from hand-made traces: a write acknowledged before it was replicated
// and lost to an election and a truncation (ack-before-hw's shape), a committed record truncated
// away by a follower that then joins the ISR (truncate-to-hw's), a record lost on restart, an
// election that keeps the record, an ISR that empties, and which violations have a story at all.

import { describe, expect, it } from 'vitest';
import type { EventLine } from '../../core/trace/schema.ts';
import type { ViolationEntry } from '../../viz/shared/contract.ts';
import { explainViolation, type StoryEvent } from '../../viz/shared/story.ts';
import { storySubject } from '../../viz/shared/story-subject.ts';

type Untimed<E extends EventLine = EventLine> = E extends unknown ? Omit<E, 't' | 'i'> : never;

const at = { topic: 'orders', partition: 0 };

/** Events given without steps and times: row k is step k at 10·k ms. */
function trace(events: Untimed[]): StoryEvent[] {
  return events.map((ev, row) => ({ row, ev: { t: row * 10, i: row, ...ev } as EventLine }));
}

function violation(name: string, atRow: number, values: Record<string, unknown>, nodes: string[] = []): ViolationEntry {
  return {
    row: atRow + 1,
    step: atRow + 1,
    atRow,
    atStep: atRow,
    atT: atRow * 10,
    t: atRow * 10,
    name,
    class: 'safety',
    message: '',
    partition: 'orders/0',
    nodes,
    values,
  };
}

function tell(v: ViolationEntry, events: StoryEvent[]) {
  const subject = storySubject(v);
  if (subject === null) throw new Error(`no story for ${v.name}`);
  return explainViolation(3, v, subject, events);
}

const change = (node: string, leader: string | null, isr: string[], leaderEpoch: number, partitionEpoch: number): Untimed => ({
  kind: 'partition-change',
  node,
  ...at,
  leader,
  isr,
  leaderEpoch,
  partitionEpoch,
});
const append = (node: string, base: number, last: number, epoch: number, hash: number): Untimed => ({
  kind: 'partition-append',
  node,
  ...at,
  batches: [[base, last, epoch, hash]],
});
const hw = (node: string, highWatermark: number, role: 'leader' | 'follower', leaderEpoch = 0): Untimed => ({
  kind: 'partition-hw',
  node,
  ...at,
  highWatermark,
  role,
  leaderEpoch,
  exposed: true,
});
const role = (node: string, r: 'leader' | 'follower', leader: string, leaderEpoch: number): Untimed => ({
  kind: 'partition-role',
  node,
  ...at,
  role: r,
  leader,
  leaderEpoch,
});

/** Three replicas that hold offsets 0-9 (epoch 0, committed), b1 leading. */
const start: Untimed[] = [
  change('b1', 'b1', ['b1', 'b2', 'b3'], 0, 0),
  change('b2', 'b1', ['b1', 'b2', 'b3'], 0, 0),
  role('b1', 'leader', 'b1', 0),
  role('b2', 'follower', 'b1', 0),
  role('b3', 'follower', 'b1', 0),
  append('b1', 0, 9, 0, 100),
  append('b2', 0, 9, 0, 100),
  append('b3', 0, 9, 0, 100),
  hw('b1', 10, 'leader'),
];

describe('the story of a lost write', () => {
  // Row 9 on: b1 appends offset 10 and acknowledges it at once (ack-before-hw), crashes, b2 is elected without it and writes
  // offset 10 anew; b1 comes back with it on disk, then truncates it away as b2's follower; a reader passes over it.
  const events = trace([
    ...start,
    append('b1', 10, 10, 0, 200), // 9
    { kind: 'client', node: 'p1', op: 'send', type: 'ok', id: 7 }, // 10: the acknowledgement
    { kind: 'crash', node: 'b1', reason: 'kill', disk: [] }, // 11
    change('b3', 'b2', ['b2', 'b3'], 1, 1), // 12: the election
    change('b2', 'b2', ['b2', 'b3'], 1, 1), // 13: the same change, reported again
    role('b2', 'leader', 'b2', 1), // 14
    append('b2', 10, 12, 1, 300), // 15: another record at offset 10
    { kind: 'restart', node: 'b1', incarnation: 2 }, // 16
    {
      kind: 'partition-recover',
      node: 'b1',
      ...at,
      batches: [
        [0, 9, 0, 100],
        [10, 10, 0, 200],
      ],
      tornBytes: 0,
      highWatermark: 10,
    }, // 17
    { kind: 'partition-truncate', node: 'b1', ...at, endOffset: 10 }, // 18: the truncation
    append('b1', 10, 12, 1, 300), // 19
    change('b2', 'b2', ['b2', 'b3', 'b1'], 1, 2), // 20: b1 back in the ISR, without the record
    { kind: 'client', node: 'reader', op: 'poll', type: 'ok', id: 9 }, // 21: the poll that passed it over
    { kind: 'crash', node: 'b3', reason: 'kill', disk: [] }, // 22: after the violation
  ]);
  const v = violation('lost-write', 21, { value: 'p1-10', topic: 'orders', partition: 0, offset: 10, acks: -1, producer: 'p1', ackStep: 10 }, ['p1', 'reader']);

  it('links the acknowledgement, the election and the truncation that removed it, and the changes between', () => {
    const story = tell(v, events);
    expect(story).toMatchObject({ violation: 3, partition: 'orders/0', offset: 10 });
    expect(story.steps.map((s) => [s.row, s.node, s.role, s.cause])).toEqual([
      [10, 'p1', 'origin', false],
      [11, 'b1', 'crash', false],
      [12, 'b3', 'election', true],
      [15, 'b2', 'overwrite', false],
      [18, 'b1', 'truncation', true],
      [19, 'b1', 'overwrite', false],
      [20, 'b2', 'isr', false],
      [21, 'reader', 'exposed', false],
    ]);
    expect(story.steps.map((s) => s.text)).toEqual([
      "p1's write 'p1-10' at orders/0 offset 10 acknowledged to p1; leader b1's high watermark was 10 (not committed yet); held by b1",
      'b1 crashed (kill), the leader, holding the record',
      "b2 elected leader (leader epoch 1, ISR [b2, b3]) without offset 10's record",
      'b2 wrote another record at offset 10 (leader epoch 1)',
      'b1 truncated its log to offset 10 (its high watermark was 10), dropping offset 10',
      'b1 wrote another record at offset 10 (leader epoch 1)',
      "the ISR becomes [b2, b3, b1] (partition epoch 2), admitting b1 without offset 10's record",
      "lost-write exposed: reader's poll ok",
    ]);
    expect(story.steps.map((s) => [s.step, s.t])).toContainEqual([18, 180]);
    expect(story.headline).toBe(
      "p1's write 'p1-10' at orders/0 offset 10, acknowledged to p1 at step 10 before it was committed: b2 was elected leader without it (step 12); b1 truncated it away (step 18).",
    );
  });

  it('tells the same record for two values at one offset, up to the second sighting', () => {
    const inconsistent = violation('inconsistent-offset', 19, {
      topic: 'orders',
      partition: 0,
      offset: 10,
      values: ['p1-10', 'p1-12'],
      first: { process: 'p1', step: 10, how: 'ack' },
      second: { process: 'reader', step: 19, how: 'poll' },
    });
    const story = tell(inconsistent, events);
    expect(story.headline).toMatch(/^'p1-10' at orders\/0 offset 10, acknowledged to p1 at step 10 before it was committed: b2 was elected/);
    expect(story.steps.map((s) => s.role)).toEqual(['origin', 'crash', 'election', 'overwrite', 'truncation', 'overwrite']);
    expect(story.steps.at(-1)!.text).toBe('inconsistent-offset exposed: b1 wrote another record at offset 10 (leader epoch 1)');
  });
});

describe('the story of a committed record', () => {
  // Offset 10 is written in epoch 0 and committed; b3 restarts and truncates to its high watermark (10, below the
  // leader's 11: truncate-to-hw), then joins the ISR without it; a new leader that lacks it is elected after.
  const events = trace([
    ...start,
    append('b1', 10, 10, 0, 200), // 9
    append('b2', 10, 10, 0, 200), // 10
    append('b3', 10, 10, 0, 200), // 11
    hw('b2', 10, 'follower'), // 12: a follower's high watermark is no commit
    hw('b1', 11, 'leader'), // 13: committed
    { kind: 'crash', node: 'b3', reason: 'kill', disk: [] }, // 14
    {
      kind: 'partition-recover',
      node: 'b3',
      ...at,
      batches: [
        [0, 9, 0, 100],
        [10, 10, 0, 200],
      ],
      tornBytes: 0,
      highWatermark: 10,
    }, // 15
    { kind: 'partition-truncate', node: 'b3', ...at, endOffset: 10 }, // 16
    change('b1', 'b1', ['b1', 'b2'], 0, 1), // 17: b3 left the ISR while down
    change('b1', 'b1', ['b1', 'b2', 'b3'], 0, 2), // 18: and is back, without offset 10
    change('b1', 'b2', ['b2', 'b3'], 1, 3), // 19: an election of a replica holding it
    change('b1', 'b3', ['b3'], 2, 4), // 20: and one of a replica without it
  ]);

  it('starts at the commit and ends where strong-isr saw an ISR member without it', () => {
    const story = tell(violation('strong-isr', 18, { partition: 'orders-0', isr: ['b1', 'b2', 'b3'], firstMissing: 10, committed: 11 }, ['b3']), events);
    expect(story.steps.map((s) => [s.row, s.node, s.role, s.cause])).toEqual([
      [13, 'b1', 'origin', false],
      [14, 'b3', 'crash', false],
      [16, 'b3', 'truncation', true],
      [18, 'b1', 'isr', false],
    ]);
    expect(story.steps[0]!.text).toBe('offset 10 committed: leader b1 (leader epoch 0) moved its high watermark to 11; held by b1, b2, b3');
    expect(story.steps[3]!.text).toBe("strong-isr exposed: the ISR becomes [b1, b2, b3] (partition epoch 2), admitting b3 without offset 10's record");
    expect(story.headline).toBe('the committed record at orders/0 offset 10, committed at step 13: b3 truncated it away (step 16).');
  });

  it('tells an election of a replica with the record from one without it', () => {
    const story = tell(violation('leader-completeness', 20, { partition: 'orders-0', leaderEpoch: 2, firstMissing: 10, committed: 11 }, ['b3']), events);
    const elections = story.steps.filter((s) => s.role === 'election');
    expect(elections.map((s) => [s.row, s.cause, s.text])).toEqual([
      [19, false, "b2 elected leader (leader epoch 1, ISR [b2, b3]) holding offset 10's record"],
      [20, true, "leader-completeness exposed: b3 elected leader (leader epoch 2, ISR [b3]) without offset 10's record"],
    ]);
  });

  it('names a replica that came back from a crash without the record', () => {
    const lost = trace([
      ...start,
      append('b1', 10, 10, 0, 200),
      append('b2', 10, 10, 0, 200),
      hw('b1', 11, 'leader'), // 11
      { kind: 'crash', node: 'b2', reason: 'power-loss', disk: [] }, // 12
      { kind: 'partition-recover', node: 'b2', ...at, batches: [[0, 9, 0, 100]], tornBytes: 0, highWatermark: 9 }, // 13
      hw('b2', 9, 'follower'), // 14
    ]);
    const story = tell(violation('replica-log-matching', 14, { partition: 'orders-0', hw: 9, firstDifference: 10 }, ['b2']), lost);
    expect(story.steps.map((s) => [s.row, s.role, s.cause])).toEqual([
      [11, 'origin', false],
      [12, 'crash', false],
      [13, 'recovery', true],
      [14, 'exposed', false],
    ]);
    expect(story.steps[2]!.text).toBe('b2 restarted without offset 10: its log on disk ends at 10');
  });
});

describe('the story of a write deleted before it was committed (retention-past-hw)', () => {
  it('names the replicas whose log start moved past the record, with the cause and the high watermark then', () => {
    const events = trace([
      ...start,
      append('b1', 10, 10, 0, 200), // 9: on the leader only
      { kind: 'partition-log-start', node: 'b1', ...at, logStartOffset: 11, cause: 'retention' }, // 10: past its high watermark 10
      { kind: 'partition-log-start', node: 'b2', ...at, logStartOffset: 11, cause: 'leader' }, // 11: b2 never held it
      hw('b1', 11, 'leader'), // 12
      { kind: 'client', node: 'p1', op: 'send', type: 'ok', id: 7 }, // 13: the acknowledgement
      { kind: 'client', node: 'reader', op: 'poll', type: 'ok', id: 9 }, // 14
    ]);
    const v = violation('lost-write', 14, { value: 'p1-10', topic: 'orders', partition: 0, offset: 10, acks: -1, producer: 'p1', ackStep: 13 }, ['p1']);
    const story = tell(v, events);
    const deletion = story.steps.filter((s) => s.role === 'deletion');
    expect(deletion.map((s) => [s.row, s.node, s.cause, s.text])).toEqual([
      [10, 'b1', true, 'b1 moved its log start to 11 (retention), deleting offset 10; its high watermark was 10'],
    ]);
  });
});

describe('the story of an ISR', () => {
  it('keeps the last leader and ISR changes, crashes and restarts of its replicas, and where the named replicas last moved their logs', () => {
    const events = trace([
      ...start,
      { kind: 'crash', node: 'b9', reason: 'kill', disk: [] }, // 9: not a replica of orders/0
      { kind: 'crash', node: 'b3', reason: 'power-loss', disk: [] }, // 10
      { kind: 'restart', node: 'b3', incarnation: 2 }, // 11
      change('b1', 'b1', ['b1', 'b2'], 0, 1), // 12
      change('b1', 'b2', ['b2'], 1, 2), // 13
      change('b2', 'b2', ['b2'], 1, 2), // 14: reported again
      change('b2', null, [], 2, 3), // 15
    ]);
    const story = tell(violation('isr-never-empty', 15, { ...at, leader: null, isr: [], leaderEpoch: 2, partitionEpoch: 3 }, ['b2']), events);
    expect(story.offset).toBeNull();
    expect(story.steps.map((s) => [s.row, s.node, s.role])).toEqual([
      [0, 'b1', 'election'],
      [6, 'b2', 'log'],
      [10, 'b3', 'crash'],
      [11, 'b3', 'restart'],
      [12, 'b1', 'isr'],
      [13, 'b1', 'election'],
      [15, 'b2', 'election'],
    ]);
    expect(story.steps.at(-1)!.text).toBe('isr-never-empty exposed: orders/0 takes leader none (leader epoch 2), ISR [] (partition epoch 3)');
    expect(story.headline).toMatch(/^How orders\/0's ISR came to this/);
  });
});

describe('which violations have a story', () => {
  const named = (name: string, values: Record<string, unknown>, partition: string | null = 'orders/0') =>
    storySubject({ ...violation(name, 1, values), partition });

  it('reads the record at stake from each checker’s values', () => {
    expect(named('lost-write', { offset: 4, ackStep: 2, producer: 'p1', value: 'p1-3' })).toEqual({
      kind: 'record',
      partition: 'orders/0',
      offset: 4,
      origin: { kind: 'client', step: 2, how: 'acknowledged to p1' },
      what: "p1's write 'p1-3' at orders/0 offset 4",
    });
    expect(named('inconsistent-offset', { offset: 4, values: ['a', 'b'], first: { process: 'c1', step: 5, how: 'poll' } })).toMatchObject({
      offset: 4,
      origin: { kind: 'client', step: 5, how: 'read by c1' },
    });
    for (const [name, field] of [
      ['strong-isr', 'firstMissing'],
      ['leader-completeness', 'firstMissing'],
      ['replica-log-matching', 'firstDifference'],
    ]) {
      expect(named(name!, { [field!]: 7 })).toMatchObject({ kind: 'record', offset: 7, origin: { kind: 'commit' } });
    }
    for (const name of ['leader-in-isr', 'isr-never-empty', 'isr-freshness', 'hw-min-isr']) expect(named(name, {})).toMatchObject({ kind: 'isr' });
  });

  it('has none for other checkers, a violation without a partition, or values it cannot read', () => {
    expect(named('producer-order', { offset: 1 })).toBeNull();
    expect(named('trace-validation', {})).toBeNull();
    expect(named('lost-write', { offset: 4, ackStep: 2 }, null)).toBeNull();
    expect(named('lost-write', { offset: '4', ackStep: 2 })).toBeNull();
    expect(named('strong-isr', {})).toBeNull();
  });
});
