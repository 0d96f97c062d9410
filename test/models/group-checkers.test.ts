// The consumer-group checkers on hand-made histories: double-assignment, stale-generation-commit,
// committed-offset-regression and at-least-once each stay quiet on legal group histories (eager
// and cooperative hand-overs, zombies Kafka tolerates, concurrent commits, a reset where nothing
// was committed) and report the anomaly they exist for.
import { describe, expect, it } from 'vitest';
import { HistoryCheckers } from '../../models/history/history-checkers.ts';
import type { Violation } from '../../models/violation.ts';
import { check, History, r } from './history-builder.ts';

const only = (vs: Violation[], name: string) => vs.filter((v) => v.name === name);

describe('double-assignment', () => {
  it('accepts an eager hand-over: everyone revokes before the next generation assigns', () => {
    const h = new History();
    h.assignment('c1', 1, [0, 1]);
    h.revoke('c1', 1, [0, 1]);
    h.assignment('c1', 2, [0]);
    h.assignment('c2', 2, [1]);
    expect(only(check(h.ops), 'double-assignment')).toEqual([]);
  });

  it('accepts a cooperative hand-over: revoked in one generation, assigned in the next', () => {
    const h = new History();
    h.assignment('c1', 1, [0, 1]);
    h.assignment('c2', 2, []);
    h.assignment('c1', 2, [0]);
    h.revoke('c1', 2, [1]);
    h.assignment('c1', 3, [0]);
    h.assignment('c2', 3, [1]);
    expect(only(check(h.ops), 'double-assignment')).toEqual([]);
  });

  it('accepts a zombie the coordinator expelled: it is in no later generation', () => {
    const h = new History();
    h.assignment('c1', 1, [0, 1]);
    h.assignment('c2', 2, [0, 1]);
    h.revoke('c1', -1, [0, 1], true);
    h.revoke('c2', 2, [0, 1]);
    h.assignment('c1', 3, [1]);
    h.assignment('c2', 3, [0]);
    expect(only(check(h.ops), 'double-assignment')).toEqual([]);
  });

  it('accepts a partition taken over from a member that crashed', () => {
    const h = new History();
    h.assignment('c1', 1, [0]);
    h.crash('c1');
    h.assignment('c2', 2, [0]);
    h.assignment('c1', 2, []);
    expect(only(check(h.ops), 'double-assignment')).toEqual([]);
  });

  it('reports one generation giving a partition to two members', () => {
    const h = new History();
    h.assignment('c1', 1, [0, 1]);
    const step = h.assignment('c2', 1, [1, 2]);
    const vs = only(check(h.ops), 'double-assignment');
    expect(vs).toHaveLength(1);
    expect(vs[0]).toMatchObject({ step, nodes: ['c1', 'c2'], values: { group: 'g1', generation: 1, partition: 'orders/1' } });
  });

  it('reports a cooperative move before the owner revoked (the holder turns out to be in the generation)', () => {
    const h = new History();
    h.assignment('c1', 1, [0, 1]);
    h.assignment('c2', 2, [1]);
    const step = h.assignment('c1', 2, [0]);
    h.revoke('c1', 2, [1]);
    const vs = only(check(h.ops), 'double-assignment');
    expect(vs).toHaveLength(1);
    expect(vs[0]).toMatchObject({ step, values: { acquirer: 'c2', holder: 'c1', generation: 2, partition: 'orders/1' } });
  });
});

describe('stale-generation-commit', () => {
  it('accepts commits of the current generation, simple commits, and stale commits that were refused', () => {
    const h = new History();
    h.assignment('c1', 1, [0]);
    h.commit('c1', 1, [[0, 5]]);
    h.commit('c9', -1, [[1, 3]]);
    h.assignment('c2', 2, [0]);
    h.commitEnd(h.commitInvoke('c1', 1, [[0, 7]]), 'fail');
    expect(only(check(h.ops), 'stale-generation-commit')).toEqual([]);
  });

  it('accepts a commit sent before the newer generation was assigned, even if answered after', () => {
    const h = new History();
    h.assignment('c1', 1, [0]);
    const c = h.commitInvoke('c1', 1, [[0, 5]]);
    h.assignment('c2', 2, [0]);
    h.commitEnd(c, 'ok');
    expect(only(check(h.ops), 'stale-generation-commit')).toEqual([]);
  });

  it('reports a commit with an older generation that the coordinator accepted', () => {
    const h = new History();
    h.assignment('c1', 1, [0]);
    h.assignment('c2', 2, [0]);
    const step = h.commit('c1', 1, [[0, 9]]);
    const vs = only(check(h.ops), 'stale-generation-commit');
    expect(vs).toHaveLength(1);
    expect(vs[0]).toMatchObject({ step, nodes: ['c1', 'c2'], values: { generation: 1, newerGeneration: 2 } });
  });
});

describe('committed-offset-regression', () => {
  it('accepts a new owner starting at the committed offset, or resetting where nothing was committed', () => {
    const h = new History();
    h.assignment('c1', 1, [0, 1]);
    h.start('c1', 0, 0, 'auto.offset.reset');
    h.start('c1', 1, 0, 'auto.offset.reset');
    h.commit('c1', 1, [[0, 10]]);
    h.revoke('c1', 1, [0, 1]);
    h.assignment('c2', 2, [0, 1]);
    h.start('c2', 0, 10, 'committed');
    h.start('c2', 1, 0, 'auto.offset.reset');
    expect(only(check(h.ops), 'committed-offset-regression')).toEqual([]);
  });

  it('does not judge where the last commit is uncertain (an unknown outcome, or two commits at once)', () => {
    const h = new History();
    h.assignment('c1', 1, [0]);
    h.commit('c1', 1, [[0, 10]]);
    h.commitEnd(h.commitInvoke('c1', 1, [[0, 12]]), 'info');
    h.revoke('c1', 1, [0]);
    h.assignment('c2', 2, [0]);
    h.start('c2', 0, 4, 'committed');
    const a = h.commitInvoke('c2', 2, [[0, 20]]);
    const b = h.commitInvoke('c3', 2, [[0, 15]]);
    h.commitEnd(a, 'ok');
    h.commitEnd(b, 'ok');
    h.revoke('c2', 2, [0]);
    h.assignment('c3', 3, [0]);
    h.start('c3', 0, 15, 'committed');
    expect(only(check(h.ops), 'committed-offset-regression')).toEqual([]);
  });

  it('reports a new owner starting below the acknowledged committed offset', () => {
    const h = new History();
    h.assignment('c1', 1, [0]);
    h.commit('c1', 1, [[0, 10]]);
    h.revoke('c1', 1, [0]);
    h.assignment('c2', 2, [0]);
    const step = h.start('c2', 0, 3, 'committed');
    const vs = only(check(h.ops), 'committed-offset-regression');
    expect(vs).toHaveLength(1);
    expect(vs[0]).toMatchObject({ step, nodes: ['c2', 'c1'], values: { partition: 'orders/0', offset: 3, committed: 10 } });
  });

  it('reports a committed offset that vanished (the owner reset for want of one)', () => {
    const h = new History();
    h.assignment('c1', 1, [0]);
    h.commit('c1', 1, [[0, 10]]);
    h.crash('c1');
    h.assignment('c2', 2, [0]);
    h.start('c2', 0, 42, 'auto.offset.reset');
    expect(only(check(h.ops), 'committed-offset-regression')).toHaveLength(1);
  });
});

describe('at-least-once', () => {
  /** Four acknowledged records at offsets 0..3 of partition 0. */
  const produced = (h: History) => ['a', 'b', 'c', 'd'].forEach((v, i) => h.send('p1', 0, i, v));

  it('accepts every record processed once or more across a hand-over, and counts the re-deliveries', () => {
    const h = new History();
    produced(h);
    h.subscribe('c1');
    h.subscribe('c2');
    h.assignment('c1', 1, [0]);
    h.start('c1', 0, 0, 'auto.offset.reset');
    h.poll('c1', r(0, 0, 'a'), r(0, 1, 'b'), r(0, 2, 'c'));
    h.commit('c1', 1, [[0, 2]]);
    h.crash('c1');
    h.assignment('c2', 2, [0]);
    h.start('c2', 0, 2, 'committed');
    h.poll('c2', r(0, 2, 'c'), r(0, 3, 'd'));
    const found: Violation[] = [];
    const checkers = new HistoryCheckers((info) => (v) => found.push({ name: info.name, class: 'safety', ...v }));
    for (const op of h.ops) if (op.op !== '#crash') checkers.observe(op);
    checkers.finish(true);
    expect(only(found, 'at-least-once')).toEqual([]);
    expect(checkers.groupDeliveries()).toEqual({ g1: { processed: 5, redelivered: 1 } });
  });

  it('does not count records before where the group first started a partition', () => {
    const h = new History();
    produced(h);
    h.subscribe('c1');
    h.assignment('c1', 1, [0]);
    h.start('c1', 0, 3, 'auto.offset.reset');
    h.poll('c1', r(0, 3, 'd'));
    expect(only(check(h.ops), 'at-least-once')).toEqual([]);
  });

  it('reports records the group skipped when a later member reset past them', () => {
    const h = new History();
    produced(h);
    h.subscribe('c1');
    h.subscribe('c2');
    h.assignment('c1', 1, [0]);
    h.start('c1', 0, 0, 'auto.offset.reset');
    h.poll('c1', r(0, 0, 'a'));
    h.crash('c1');
    h.assignment('c2', 2, [0]);
    h.start('c2', 0, 3, 'auto.offset.reset');
    h.poll('c2', r(0, 3, 'd'));
    const vs = only(check(h.ops), 'at-least-once');
    expect(vs).toHaveLength(1);
    expect(vs[0]).toMatchObject({ values: { group: 'g1', partition: 0, offset: 1, missed: 2, offsets: [1, 2] } });
    expect(only(check(h.ops, false), 'at-least-once')).toEqual([]);
  });
});
