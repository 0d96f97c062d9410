// An explicit-state model checker, TLC-style: breadth-first search over the states of a spec
// written as plain data and guarded actions, one canonical key per state (symmetry-reduced when the
// spec says how), invariants checked on every new state, and the shortest counterexample rebuilt.

/** One enabled action: its name (with its arguments) and the state it leads to. */
export interface Action<S> {
  name: string;
  next: S;
}

export interface Invariant<S> {
  name: string;
  holds(s: S): boolean;
}

/** A spec: initial states, the next-state relation as a list of enabled actions, invariants. */
export interface Spec<S> {
  init(): S[];
  /** Every enabled action from `s`, in a fixed order (counterexamples are replayed by index). */
  actions(s: S): Array<Action<S>>;
  invariants: ReadonlyArray<Invariant<S>>;
  /**
   * The state's key: equal keys mean the same state up to symmetry. Without it the key is the
   * JSON text of the state (no symmetry reduction).
   */
  key?(s: S): string;
  /** One state for people (counterexamples); JSON without it. */
  describe?(s: S): string;
}

export interface CheckOptions {
  /** Stop (verdict "incomplete") once this many distinct states were found. */
  maxStates?: number;
}

export interface TraceStep<S> {
  /** The action that led here; null for the initial state. */
  action: string | null;
  state: S;
}

export interface CheckResult<S> {
  /** pass: every reachable state satisfies every invariant; fail: a counterexample; incomplete: maxStates reached first. */
  verdict: 'pass' | 'fail' | 'incomplete';
  /** Distinct states (after symmetry reduction). */
  states: number;
  /** Enabled actions taken from expanded states, including those leading to states already seen. */
  transitions: number;
  /** The length of the longest shortest path from an initial state (BFS levels - 1). */
  depth: number;
  violation: { invariant: string; trace: Array<TraceStep<S>> } | null;
}

const DEFAULT_MAX_STATES = 5_000_000;

/**
 * Explores `spec` breadth first. Only the frontier holds states; every state found keeps its
 * parent and the index of the action that produced it, so the first violating state's path is
 * replayed from its initial state. BFS finds states in order of distance, so that path is a
 * shortest counterexample.
 */
export function check<S>(spec: Spec<S>, options: CheckOptions = {}): CheckResult<S> {
  const maxStates = options.maxStates ?? DEFAULT_MAX_STATES;
  const keyOf = spec.key?.bind(spec) ?? ((s: S) => JSON.stringify(s));
  const seen = new Map<string, number>();
  // Per state index: the parent's index (-1 for an initial state) and the action index taken
  // from it (for an initial state: its index in init()).
  const parent: number[] = [];
  const via: number[] = [];
  let transitions = 0;
  let depth = 0;

  const violated = (s: S): string | null => {
    for (const inv of spec.invariants) if (!inv.holds(s)) return inv.name;
    return null;
  };
  const fail = (index: number, invariant: string): CheckResult<S> => ({
    verdict: 'fail',
    states: parent.length,
    transitions,
    depth,
    violation: { invariant, trace: replay(spec, parent, via, index) },
  });

  let frontier: Array<{ index: number; state: S }> = [];
  const inits = spec.init();
  for (let i = 0; i < inits.length; i++) {
    const s = inits[i]!;
    const key = keyOf(s);
    if (seen.has(key)) continue;
    const index = parent.length;
    seen.set(key, index);
    parent.push(-1);
    via.push(i);
    const bad = violated(s);
    if (bad !== null) return fail(index, bad);
    frontier.push({ index, state: s });
  }

  while (frontier.length > 0) {
    const next: Array<{ index: number; state: S }> = [];
    for (const { index: from, state } of frontier) {
      const actions = spec.actions(state);
      transitions += actions.length;
      for (let a = 0; a < actions.length; a++) {
        const s = actions[a]!.next;
        const key = keyOf(s);
        if (seen.has(key)) continue;
        const index = parent.length;
        seen.set(key, index);
        parent.push(from);
        via.push(a);
        const bad = violated(s);
        if (bad !== null) {
          depth++;
          return fail(index, bad);
        }
        if (parent.length >= maxStates) return { verdict: 'incomplete', states: parent.length, transitions, depth: depth + 1, violation: null };
        next.push({ index, state: s });
      }
    }
    if (next.length > 0) depth++;
    frontier = next;
  }
  return { verdict: 'pass', states: parent.length, transitions, depth, violation: null };
}

/** Rebuilds the path to state `index` by replaying action indices from its initial state. */
function replay<S>(spec: Spec<S>, parent: number[], via: number[], index: number): Array<TraceStep<S>> {
  const chain: number[] = [];
  for (let i = index; i !== -1; i = parent[i]!) chain.push(i);
  chain.reverse();
  let state: S = spec.init()[via[chain[0]!]!]!;
  const trace: Array<TraceStep<S>> = [{ action: null, state }];
  for (const i of chain.slice(1)) {
    const action = spec.actions(state)[via[i]!]!;
    state = action.next;
    trace.push({ action: action.name, state });
  }
  return trace;
}
