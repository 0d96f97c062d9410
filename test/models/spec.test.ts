// The model-checking ladder: each variant's verdict at its bounds, shortest counterexamples
// (checked against an independent depth-bounded search), replayable traces, stable state counts,
// and where KIP-101 and KIP-279 part (two replicas) or cannot be told apart (the default bounds).

import { describe, expect, it } from 'vitest';
import { check, type Spec } from '../../models/explicit/checker.ts';
import { formatCounterexample } from '../../models/explicit/format.ts';
import { asExpected, entryId, indistinguishableRungs, MODEL_CATALOGUE, TWO_REPLICA_BOUNDS } from '../../models/spec/catalogue.ts';
import { raftSpec } from '../../models/spec/raft.ts';
import { type ReplicationState, recId, replicationSpec } from '../../models/spec/replication.ts';

/** The figures at each entry's bounds; a change here means the specs or the checker changed. */
const EXPECTED: Record<string, { verdict: string; states: number; transitions: number; depth: number; violated: string | null; length: number | null }> = {
  'replication/truncate-to-hw': { verdict: 'fail', states: 6047, transitions: 19079, depth: 8, violated: 'WeakIsr', length: 8 },
  'replication/kip-101': { verdict: 'fail', states: 13397, transitions: 43349, depth: 10, violated: 'WeakIsr', length: 10 },
  'replication/kip-279': { verdict: 'fail', states: 13397, transitions: 43349, depth: 10, violated: 'WeakIsr', length: 10 },
  'replication/kip-320-first-try': { verdict: 'fail', states: 22416, transitions: 72959, depth: 11, violated: 'WeakIsr', length: 11 },
  'replication/kip-320': { verdict: 'pass', states: 151798, transitions: 403546, depth: 25, violated: null, length: null },
  'replication/kip-320-epoch-start': { verdict: 'pass', states: 167958, transitions: 459278, depth: 25, violated: null, length: null },
  'replication/kip-101 (two replicas)': { verdict: 'fail', states: 2656, transitions: 6096, depth: 11, violated: 'WeakIsr', length: 11 },
  'replication/kip-279 (two replicas)': { verdict: 'pass', states: 7103, transitions: 17313, depth: 18, violated: null, length: null },
  'raft/kraft': { verdict: 'pass', states: 199099, transitions: 592870, depth: 27, violated: null, length: null },
  'raft/vote-twice': { verdict: 'fail', states: 449, transitions: 1070, depth: 6, violated: 'ElectionSafety', length: 6 },
  'raft/votes-not-persisted': { verdict: 'fail', states: 992, transitions: 2564, depth: 7, violated: 'ElectionSafety', length: 7 },
  'raft/no-log-check': { verdict: 'fail', states: 5928, transitions: 15869, depth: 10, violated: 'LeaderCompleteness', length: 10 },
};

/** Whether some invariant fails within `depth` actions: a plain depth-first search without state hashing or symmetry. */
function violationWithin<S>(spec: Spec<S>, depth: number): boolean {
  const bad = (s: S) => spec.invariants.some((inv) => !inv.holds(s));
  const search = (s: S, left: number): boolean => bad(s) || (left > 0 && spec.actions(s).some((a) => search(a.next, left - 1)));
  return spec.init().some((s) => search(s, depth));
}

describe('the model-checking ladder', () => {
  for (const entry of MODEL_CATALOGUE) {
    const id = entryId(entry);
    it(`${id} ${entry.expected === 'pass' ? 'holds' : 'fails'} at its bounds, with stable figures`, () => {
      const { result, describe } = entry.run();
      expect(asExpected(entry, result)).toBe(true);
      const want = EXPECTED[id]!;
      expect({
        verdict: result.verdict,
        states: result.states,
        transitions: result.transitions,
        depth: result.depth,
        violated: result.violation?.invariant ?? null,
        length: result.violation === null ? null : result.violation.trace.length - 1,
      }).toEqual(want);
      if (result.violation !== null) {
        const text = formatCounterexample(result.violation.trace, describe, result.violation.invariant);
        expect(text).toContain(`${result.violation.invariant} is violated`);
      }
    }, 60_000);
  }
});

describe('counterexamples', () => {
  const small = [
    // (A search without hashing is exponential: the shortest-path check runs on the small specs only.)
    { name: 'replication/truncate-to-hw', spec: replicationSpec('truncate-to-hw') as Spec<unknown>, exhaustive: false },
    { name: 'raft/vote-twice', spec: raftSpec('vote-twice') as Spec<unknown>, exhaustive: true },
    { name: 'raft/votes-not-persisted', spec: raftSpec('votes-not-persisted') as Spec<unknown>, exhaustive: true },
  ];
  for (const { name, spec, exhaustive } of small) {
    it(`${name}: the counterexample is a real path${exhaustive ? ' and no shorter one exists' : ''}`, () => {
      const result = check(spec);
      const trace = result.violation!.trace;
      // Each step is an enabled action of the step before, and the last state breaks the invariant.
      for (let i = 1; i < trace.length; i++) {
        const names = spec.actions(trace[i - 1]!.state).map((a) => a.name);
        expect(names).toContain(trace[i]!.action);
      }
      const inv = spec.invariants.find((x) => x.name === result.violation!.invariant)!;
      expect(inv.holds(trace.at(-1)!.state)).toBe(false);
      expect(trace.slice(0, -1).every((s) => spec.invariants.every((x) => x.holds(s.state)))).toBe(true);
      // Breadth first means shortest: a search without hashing finds nothing one action shorter.
      if (exhaustive) {
        expect(violationWithin(spec, trace.length - 2)).toBe(false);
        expect(violationWithin(spec, trace.length - 1)).toBe(true);
      }
    }, 60_000);
  }

  it('stops at --max-states with an incomplete verdict', () => {
    const result = check(replicationSpec('kip-320'), { maxStates: 1000 });
    expect(result.verdict).toBe('incomplete');
    expect(result.states).toBe(1000);
  });

  it('symmetry reduction only merges states: without it the verdicts are the same and the counts larger', () => {
    const reduced = replicationSpec('truncate-to-hw');
    const plain: Spec<unknown> = { ...(reduced as Spec<unknown>), key: undefined };
    const a = check(reduced as Spec<unknown>);
    const b = check(plain);
    expect(b.verdict).toBe(a.verdict);
    expect(b.violation!.trace.length).toBe(a.violation!.trace.length);
    expect(b.states).toBeGreaterThan(a.states);
  });
});

/** The states a spec goes through taking the named actions in turn (each must be enabled). */
function replayActions(spec: Spec<ReplicationState>, names: readonly string[]): ReplicationState[] {
  const states = [spec.init()[0]!];
  for (const name of names) {
    const action = spec.actions(states.at(-1)!).find((a) => a.name === name);
    expect(action, `${name} is enabled`).toBeDefined();
    states.push(action!.next);
  }
  return states;
}

const logIds = (s: ReplicationState, r: number) => s.logs[r]!.map(recId);

describe('KIP-101 against KIP-279', () => {
  const entry = (variant: string, twoReplicas: boolean) => MODEL_CATALOGUE.find((e) => e.variant === variant && (e.scenario !== undefined) === twoReplicas)!;
  const runAll = (variants: string[], twoReplicas: boolean) => variants.map((v) => entry(v, twoReplicas)).map((e) => ({ entry: e, result: e.run().result }));

  it('at the default bounds the model cannot tell them apart, and indistinguishableRungs says so', () => {
    const runs = runAll(['truncate-to-hw', 'kip-101', 'kip-279', 'kip-320-first-try'], false);
    expect(indistinguishableRungs(runs)).toEqual([null, null, 1, null]);
    // Both fail by a third replica truncating on a stale LeaderAndIsr request: the fencing KIP-320 adds.
    expect(runs[2]!.result.violation!.trace.at(-1)!.action).toBe('BecomeFollowerAndTruncate(r3, e1, leader r2)');
  });

  it('at two replicas KIP-101 loses a committed record (the leader cannot answer for the epoch) and KIP-279 holds', () => {
    const runs = runAll(['kip-101', 'kip-279'], true);
    expect(runs.map((r) => r.result.verdict)).toEqual(['fail', 'pass']);
    expect(indistinguishableRungs(runs)).toEqual([null, null]);
    // r1 commits A in epoch 0; r2 writes B in epoch 1, which r1 never saw, then follows r1 in epoch 2:
    // KIP-101's leader has no end offset for epoch 1, so r2 truncates to its high watermark, 0, and drops A.
    const { invariant, trace } = runs[0]!.result.violation!;
    expect(invariant).toBe('WeakIsr');
    const actions = trace.slice(1).map((step) => step.action!);
    expect(actions.at(-1)).toBe('BecomeFollowerAndTruncate(r2, e2, leader r1)');
    const kip101 = trace.at(-1)!.state as ReplicationState;
    expect([kip101.replicas[0]!.hw, logIds(kip101, 0), logIds(kip101, 1)]).toEqual([1, [0], []]);
    // KIP-279 takes the same steps and keeps A: r2's last record matching r1's is at offset 0.
    const kip279 = replayActions(replicationSpec('kip-279', TWO_REPLICA_BOUNDS), actions).at(-1)!;
    expect(logIds(kip279, 1)).toEqual([0]);
  });

  it('the fast-failover divergence KIP-279 is named after breaks Log Matching under KIP-101, not under KIP-279', () => {
    // r1 writes A in epoch 0; r2 leads epoch 1 and writes C; r1 leads epoch 2 and writes B; r2
    // follows r1: KIP-101 answers "epoch 1 ends where epoch 2 starts", offset 1, so r2 keeps C at
    // offset 0 and then fetches B after it. KIP-279 finds no shared record and truncates to 0.
    const actions = [
      'ControllerElectLeader(r1)',
      'ControllerElectLeader(r2)',
      'ControllerElectLeader(r1)',
      'BecomeLeader(r1, e0)',
      'BecomeLeader(r2, e1)',
      'LeaderWrite(r1)',
      'BecomeLeader(r1, e2)',
      'LeaderWrite(r1)',
      'LeaderWrite(r2)',
      'BecomeFollowerAndTruncate(r2, e2, leader r1)',
      'FollowerFetch(r2, from r1)',
    ];
    const logMatching = (variant: 'kip-101' | 'kip-279') => {
      const spec = replicationSpec(variant, TWO_REPLICA_BOUNDS);
      const last = replayActions(spec, actions).at(-1)!;
      return { holds: spec.invariants.find((i) => i.name === 'LogMatching')!.holds(last), logs: [logIds(last, 0), logIds(last, 1)] };
    };
    expect(logMatching('kip-101')).toEqual({
      holds: false,
      logs: [
        [0, 1],
        [2, 1],
      ],
    });
    expect(logMatching('kip-279')).toEqual({ holds: true, logs: [[0, 1], [0]] });
  });
});
