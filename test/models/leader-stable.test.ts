// quorum-leader-stable from hand-made events: a candidacy while a leader has led with a steady
// majority for the window is reported; one while that majority was disturbed, or on a lossy
// network, is not.
import { describe, expect, it } from 'vitest';
import type { NodeId } from '../../core/env.ts';
import type { ObservedEvent } from '../../core/trace/schema.ts';
import { LeaderStable } from '../../models/checkers/leader-stable.ts';
import type { Violation } from '../../models/violation.ts';

const state = (epoch: number, role: 'leader' | 'follower' | 'candidate'): ObservedEvent => ({
  kind: 'raft-state',
  epoch,
  role,
  leader: role === 'leader' ? 'b1' : role === 'follower' ? 'b1' : null,
  votedFor: null,
  voter: true,
});

/** b1 leads epoch 1 from t=0 with b2 and b3 following; `between` runs before b3 stands in epoch 2 at t=20 s. */
function run(between: (checker: LeaderStable, at: (t: number, node: NodeId | null, e: ObservedEvent) => void) => void, lossy = false) {
  const found: Array<Omit<Violation, 'name' | 'class'>> = [];
  const checker = new LeaderStable({ fetchTimeoutMs: 2000, electionTimeoutMs: 1000 }, lossy, (v) => found.push(v));
  let step = 0;
  const at = (t: number, node: NodeId | null, e: ObservedEvent) => checker.observe(t, step++, node, e);
  for (const n of ['b1', 'b2', 'b3']) at(0, n, { kind: 'start', incarnation: 1 });
  at(0, 'b1', state(1, 'leader'));
  at(0, 'b2', state(1, 'follower'));
  at(0, 'b3', state(1, 'follower'));
  between(checker, at);
  at(20_000, 'b3', state(2, 'candidate'));
  return found;
}

describe('quorum-leader-stable', () => {
  it('reports a voter cut off from a steady majority that stands for election', () => {
    const found = run((_c, at) =>
      at(12_000, null, {
        kind: 'partition',
        groups: [['b3'], ['b1', 'b2']],
        oneWay: false,
        cut: [
          ['b3', 'b1'],
          ['b1', 'b3'],
          ['b3', 'b2'],
          ['b2', 'b3'],
        ],
      }),
    );
    expect(found).toMatchObject([
      { nodes: ['b3', 'b1'], values: { candidate: 'b3', epoch: 2, leader: 'b1', leaderEpoch: 1, majority: ['b1', 'b2'], windowMs: 6000 } },
    ]);
  });

  it('says nothing when the majority itself was disturbed within the window, or the network loses messages', () => {
    const cutMajority = run((_c, at) =>
      at(15_000, null, {
        kind: 'partition',
        groups: [['b1'], ['b2', 'b3']],
        oneWay: false,
        cut: [
          ['b1', 'b2'],
          ['b2', 'b1'],
          ['b1', 'b3'],
          ['b3', 'b1'],
        ],
      }),
    );
    expect(cutMajority).toEqual([]);
    const restarted = run((_c, at) => {
      at(14_500, 'b3', { kind: 'crash', reason: 'kill', disk: [] });
      at(15_000, 'b3', { kind: 'restart', incarnation: 2 });
      at(16_000, 'b2', { kind: 'crash', reason: 'kill', disk: [] });
      at(17_000, 'b2', { kind: 'restart', incarnation: 2 });
    });
    expect(restarted).toEqual([]);
    expect(run(() => {}, true)).toEqual([]);
  });

  it('heals only the directed links a heal names: a one-way fault healed inside a two-way one leaves the other way cut', () => {
    // b3 is cut off from the leader b1 (as in transactions-nemesis seed 8443); b1 and b2 are steady only without the two-way fault.
    const isolateB3: ObservedEvent = {
      kind: 'partition',
      groups: [['b3'], ['b1']],
      oneWay: false,
      cut: [
        ['b3', 'b1'],
        ['b1', 'b3'],
      ],
    } as const;
    const oneWay: ObservedEvent = { kind: 'partition', groups: [['b1'], ['b2']], oneWay: true, cut: [['b1', 'b2']] };
    const healOneWay: ObservedEvent = { kind: 'heal', links: [['b1', 'b2']] };
    const overlapping = run((_c, at) => {
      at(2_000, null, oneWay);
      at(3_000, null, { kind: 'partition', groups: [['b1'], ['b2']], oneWay: false, cut: [['b2', 'b1']] });
      at(3_500, null, healOneWay);
      at(12_000, null, isolateB3);
    });
    expect(overlapping).toEqual([]);
    const healed = run((_c, at) => {
      at(2_000, null, oneWay);
      at(3_500, null, healOneWay);
      at(12_000, null, isolateB3);
    });
    expect(healed).toMatchObject([{ values: { candidate: 'b3', majority: ['b1', 'b2'] } }]);
  });

  it('says nothing about a candidacy while the leader has led for less than the window', () => {
    const found: unknown[] = [];
    const checker = new LeaderStable({ fetchTimeoutMs: 2000, electionTimeoutMs: 1000 }, false, (v) => found.push(v));
    for (const n of ['b1', 'b2', 'b3']) checker.observe(0, 0, n, { kind: 'start', incarnation: 1 });
    checker.observe(10_000, 1, 'b1', state(1, 'leader'));
    checker.observe(10_000, 2, 'b2', state(1, 'follower'));
    checker.observe(10_000, 3, 'b3', state(1, 'follower'));
    checker.observe(15_000, 4, 'b3', state(2, 'candidate'));
    expect(found).toEqual([]);
  });
});
