// The model-checking ladder: each variant's verdict at its bounds, shortest counterexamples
// (checked against an independent depth-bounded search), replayable traces, stable state counts.

import { describe, expect, it } from 'vitest';
import { check, type Spec } from '../../models/explicit/checker.ts';
import { formatCounterexample } from '../../models/explicit/format.ts';
import { asExpected, MODEL_CATALOGUE } from '../../models/spec/catalogue.ts';
import { raftSpec } from '../../models/spec/raft.ts';
import { replicationSpec } from '../../models/spec/replication.ts';

/** The figures at the default bounds; a change here means the specs or the checker changed. */
const EXPECTED: Record<string, { verdict: string; states: number; transitions: number; depth: number; violated: string | null; length: number | null }> = {
  'replication/truncate-to-hw': { verdict: 'fail', states: 6047, transitions: 19079, depth: 8, violated: 'WeakIsr', length: 8 },
  'replication/kip-101': { verdict: 'fail', states: 13397, transitions: 43349, depth: 10, violated: 'WeakIsr', length: 10 },
  'replication/kip-279': { verdict: 'fail', states: 13397, transitions: 43349, depth: 10, violated: 'WeakIsr', length: 10 },
  'replication/kip-320-first-try': { verdict: 'fail', states: 22416, transitions: 72959, depth: 11, violated: 'WeakIsr', length: 11 },
  'replication/kip-320': { verdict: 'pass', states: 151798, transitions: 403546, depth: 25, violated: null, length: null },
  'replication/kip-320-epoch-start': { verdict: 'pass', states: 167958, transitions: 459278, depth: 25, violated: null, length: null },
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
    const id = `${entry.spec}/${entry.variant}`;
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
