// The checkers on hand-made event streams: each must stay quiet on a correct history and must
// report the violation it exists for, naming the step and the nodes.
import { beforeEach, describe, expect, it } from 'vitest';
import type { ObservedEvent, RaftRole } from '../../core/trace/schema.ts';
import { CheckerSuite, KEPT_PER_CHECKER } from '../../models/checker-suite.ts';

let suite: CheckerSuite;
let step: number;

function ev(node: string | null, event: ObservedEvent): void {
  suite.observe(step++, node, event);
}

function endStep(): void {
  suite.endStep(step);
}

const state = (node: string, epoch: number, role: RaftRole, extra: Partial<{ voter: boolean; votedFor: string | null; leader: string | null }> = {}) =>
  ev(node, { kind: 'raft-state', epoch, role, leader: role === 'leader' ? node : null, votedFor: null, voter: true, ...extra });
const persist = (node: string, epoch: number, votedFor: string | null = null) => ev(node, { kind: 'raft-persist', epoch, votedFor, leader: null });
const append = (node: string, offset: number, entries: Array<[number, number]>) => ev(node, { kind: 'raft-append', offset, entries });
const hw = (node: string, highWatermark: number, epoch: number, role: RaftRole = 'leader') => ev(node, { kind: 'raft-hw', highWatermark, epoch, role });
const names = () => suite.violations.map((v) => v.name);

beforeEach(() => {
  suite = new CheckerSuite();
  step = 0;
  for (const node of ['b1', 'b2', 'b3']) state(node, 0, 'unattached');
});

describe('election-safety', () => {
  it('reports two leaders of one epoch, naming both', () => {
    state('b1', 3, 'leader');
    state('b2', 3, 'leader');
    expect(suite.violations).toMatchObject([{ name: 'election-safety', step: 4, nodes: ['b1', 'b2'], values: { epoch: 3 } }]);
  });

  it('accepts one leader per epoch, and the same leader announced twice', () => {
    state('b1', 3, 'leader');
    state('b1', 3, 'leader');
    state('b2', 4, 'leader');
    expect(names()).toEqual([]);
  });
});

describe('epoch-monotonic', () => {
  it('reports a node that ends a step acting on a vote its disk does not hold', () => {
    persist('b2', 2);
    state('b2', 2, 'voted', { votedFor: 'b1' });
    endStep();
    expect(suite.violations).toMatchObject([
      { name: 'epoch-monotonic', nodes: ['b2'], values: { epoch: 2, votedFor: 'b1', persistedEpoch: 2, persistedVote: null } },
    ]);
  });

  it('accepts a state made durable within the same step', () => {
    state('b2', 2, 'voted', { votedFor: 'b1' });
    persist('b2', 2, 'b1');
    endStep();
    expect(names()).toEqual([]);
  });

  it('reports a durable epoch that goes back, and a restart that loads an older epoch', () => {
    persist('b1', 5);
    persist('b1', 4);
    ev('b1', { kind: 'raft-load', epoch: 3, votedFor: null, leader: null });
    expect(names()).toEqual(['epoch-monotonic', 'epoch-monotonic']);
  });

  it('lets a node whose disk was replaced start over from epoch 0', () => {
    persist('b1', 5);
    ev('b1', { kind: 'restart', incarnation: 2, wiped: true });
    ev('b1', { kind: 'raft-load', epoch: 0, votedFor: null, leader: null });
    expect(names()).toEqual([]);
  });
});

describe('log-matching', () => {
  it('reports two logs with the same epoch at an offset but different contents', () => {
    append('b1', 0, [
      [1, 11],
      [1, 12],
    ]);
    append('b2', 0, [
      [1, 11],
      [1, 99],
    ]);
    expect(suite.violations).toMatchObject([{ name: 'log-matching', nodes: ['b1', 'b2'], values: { offset: 1, epoch: 1 } }]);
  });

  it('reports a same-epoch entry whose prefix differs, even if the entry itself is equal', () => {
    append('b1', 0, [
      [1, 11],
      [1, 12],
    ]);
    append('b2', 0, [
      [1, 10],
      [1, 12],
    ]);
    expect(names()).toContain('log-matching');
  });

  it('accepts identical logs and different entries under different epochs', () => {
    append('b1', 0, [
      [1, 11],
      [1, 12],
    ]);
    append('b2', 0, [
      [1, 11],
      [1, 12],
    ]);
    append('b3', 0, [
      [1, 11],
      [2, 99],
    ]);
    expect(names()).toEqual([]);
  });
});

describe('hw-monotonic', () => {
  it("reports a new leader's high watermark below the quorum's", () => {
    for (const node of ['b1', 'b3'])
      append(node, 0, [
        [1, 1],
        [1, 2],
        [1, 3],
        [1, 4],
        [1, 5],
      ]);
    hw('b1', 5, 1);
    append('b2', 0, [
      [1, 1],
      [1, 2],
      [1, 3],
    ]);
    hw('b2', 3, 2);
    expect(suite.violations.filter((v) => v.name === 'hw-monotonic')).toMatchObject([{ nodes: ['b2', 'b1'], values: { hw: 3, previous: 5, epoch: 2 } }]);
  });

  it('ignores followers and leaders of stale epochs', () => {
    for (const node of ['b1', 'b2'])
      append(node, 0, [
        [1, 1],
        [1, 2],
        [1, 3],
        [1, 4],
        [1, 5],
      ]);
    hw('b1', 5, 2);
    append('b3', 0, [[1, 1]]);
    hw('b3', 1, 2, 'follower');
    hw('b2', 2, 1);
    expect(names()).toEqual([]);
  });
});

describe('majority-reached-hw and leader-completeness', () => {
  beforeEach(() => {
    append('b1', 0, [
      [1, 1],
      [1, 2],
      [1, 3],
    ]);
    append('b2', 0, [
      [1, 1],
      [1, 2],
      [1, 3],
    ]);
    append('b3', 0, [[1, 1]]);
    hw('b1', 3, 1);
  });

  it('accepts a high watermark held by two of three voters', () => {
    expect(names()).toEqual([]);
  });

  it('reports when a voter recovers a shorter log and the majority is gone', () => {
    ev('b2', { kind: 'raft-recover', startOffset: 0, endOffset: 1, snapshotEpoch: null, tornBytes: 0, entries: [[1, 1]] });
    expect(suite.violations).toMatchObject([{ name: 'majority-reached-hw', nodes: ['b1'], values: { hw: 3, holders: 1, voters: 3 } }]);
  });

  it('reports a leader elected without every committed entry, and not one that has them', () => {
    state('b2', 2, 'leader');
    expect(names()).toEqual([]);
    state('b3', 3, 'leader');
    expect(suite.violations).toMatchObject([{ name: 'leader-completeness', nodes: ['b3'], values: { epoch: 3, committed: 3, held: 1 } }]);
  });

  it('does not ask a leader of an older epoch, whose votes arrived late, for what a later epoch committed', () => {
    // b1 committed 3 entries in epoch 1; b2 leads epoch 5 and commits two more with b1; b3, holding
    // the first three, then wins epoch 4 with votes sent before epoch 5 began (nemesis-intense seed 21450).
    append('b3', 1, [
      [1, 2],
      [1, 3],
    ]);
    state('b2', 5, 'leader');
    append('b2', 3, [
      [5, 4],
      [5, 5],
    ]);
    append('b1', 3, [
      [5, 4],
      [5, 5],
    ]);
    hw('b2', 5, 5);
    state('b3', 4, 'leader');
    expect(names()).toEqual([]);
    // As leader of epoch 6 it must hold all five.
    state('b3', 6, 'follower');
    state('b3', 6, 'leader');
    expect(suite.violations).toMatchObject([{ name: 'leader-completeness', nodes: ['b3'], values: { epoch: 6, committed: 5, held: 3 } }]);
  });
});

describe('committed-data-consistent', () => {
  it('reports a replica that treats as committed a log that differs from what was committed', () => {
    for (const node of ['b1', 'b3'])
      append(node, 0, [
        [1, 1],
        [1, 2],
      ]);
    hw('b1', 2, 1);
    append('b2', 0, [
      [1, 1],
      [2, 7],
    ]);
    hw('b2', 2, 2, 'follower');
    expect(suite.violations).toMatchObject([{ name: 'committed-data-consistent', nodes: ['b2'], values: { hw: 2, firstDifference: 1 } }]);
  });

  it('reports a high watermark beyond the log, and a snapshot beyond the committed end', () => {
    append('b1', 0, [[1, 1]]);
    hw('b1', 2, 1);
    ev('b2', { kind: 'raft-snapshot', endOffset: 5, epoch: 1, fetched: true });
    expect(names()).toEqual(['committed-data-consistent', 'committed-data-consistent']);
  });

  it('accepts replicas that agree, at any high watermark', () => {
    for (const node of ['b1', 'b3'])
      append(node, 0, [
        [1, 1],
        [1, 2],
        [1, 3],
      ]);
    hw('b1', 3, 1);
    append('b2', 0, [
      [1, 1],
      [1, 2],
    ]);
    hw('b2', 1, 1, 'follower');
    hw('b2', 2, 1, 'follower');
    expect(names()).toEqual([]);
  });
});

describe('metadata-log-prefix', () => {
  it('reports an image that applied records beyond the committed end', () => {
    for (const node of ['b1', 'b2'])
      append(node, 0, [
        [1, 1],
        [1, 2],
      ]);
    hw('b1', 1, 1);
    ev('b1', { kind: 'metadata-apply', endOffset: 1 });
    expect(names()).toEqual([]);
    ev('b1', { kind: 'metadata-apply', endOffset: 2 });
    expect(suite.violations).toMatchObject([{ name: 'metadata-log-prefix', nodes: ['b1'], values: { endOffset: 2, committed: 1 } }]);
  });
});

describe('leader-in-isr and isr-never-empty', () => {
  const change = (leader: string | null, isr: string[]) =>
    ev('b1', { kind: 'partition-change', topic: 'orders', partition: 0, leader, isr, leaderEpoch: 1, partitionEpoch: 1 });

  it('accept a leader inside a non-empty ISR and a leaderless partition', () => {
    change('b1', ['b1', 'b2']);
    change(null, ['b2']);
    expect(names()).toEqual([]);
  });

  it('report a leader outside the ISR and an empty ISR', () => {
    change('b3', ['b1', 'b2']);
    change(null, []);
    expect(suite.violations).toMatchObject([
      { name: 'leader-in-isr', nodes: ['b1', 'b3'] },
      { name: 'isr-never-empty', nodes: ['b1'] },
    ]);
  });
});

describe('the suite', () => {
  it('keeps the first violations of a checker (KEPT_PER_CHECKER) and counts the rest', () => {
    for (let epoch = 1; epoch <= KEPT_PER_CHECKER + 5; epoch++) {
      state('b1', epoch, 'leader');
      state('b2', epoch, 'leader');
    }
    expect(suite.violations).toHaveLength(KEPT_PER_CHECKER);
    expect(suite.counts.get('election-safety')).toBe(KEPT_PER_CHECKER + 5);
  });
});
