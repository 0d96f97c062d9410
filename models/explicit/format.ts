// Prints what the explicit-state checker found: the shortest counterexample as numbered actions
// with the state after each, and the search's figures (distinct states, transitions, depth).

import type { CheckResult, TraceStep } from './checker.ts';

/** A counterexample, one numbered step per action, each followed by the state it led to (indented). */
export function formatCounterexample<S>(trace: ReadonlyArray<TraceStep<S>>, describe: (s: S) => string, invariant: string): string {
  const lines: string[] = [];
  trace.forEach((step, i) => {
    lines.push(`${String(i).padStart(2)}. ${step.action ?? 'Init'}`);
    for (const line of describe(step.state).split('\n')) lines.push(`      ${line}`);
  });
  lines.push(`    ${invariant} is violated in the last state (${trace.length - 1} actions).`);
  return lines.join('\n');
}

/** One line of figures: "151,798 distinct states, 403,546 transitions, depth 25". */
export function formatFigures(result: CheckResult<unknown>): string {
  const n = (x: number) => x.toLocaleString('en-US');
  return `${n(result.states)} distinct states, ${n(result.transitions)} transitions, depth ${result.depth}`;
}
