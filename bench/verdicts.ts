// `samsa bench verdicts`: every shipped scenario (scenarios/, bugs/, configs/, regressions/) run
// for a few seeds with no trace, each run's verdict reduced to what a change of the hot path must
// keep: which checkers tripped and how often, and for each reported violation its checker, nodes,
// values and message with trace steps left out (steps count events, and a leaner trace has fewer).
// Saved as JSON, a later build compares against it and names every run whose verdict moved.

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { KNOWN_BUGS } from '../core/bugs.ts';
import { loadScenario } from '../sim/scenario/parse.ts';
import { runScenario } from '../sim/scenario/run.ts';

/** The scenario folders whose runs are compared, relative to the repository. */
export const VERDICT_FOLDERS = ['scenarios', 'scenarios/bugs', 'scenarios/configs', 'scenarios/regressions'] as const;

export interface ViolationFacts {
  name: string;
  nodes: string[];
  message: string;
  values: unknown;
}

export interface RunVerdict {
  scenario: string;
  seed: number;
  valid: boolean | 'unknown';
  violationCounts: Record<string, number>;
  violations: ViolationFacts[];
}

export interface VerdictsFile {
  bench: 'verdicts';
  seeds: number[];
  runs: RunVerdict[];
}

/** Every scenario file of the compared folders, sorted. */
export function verdictScenarios(root: string): string[] {
  return VERDICT_FOLDERS.flatMap((folder) =>
    readdirSync(join(root, folder))
      .filter((f) => f.endsWith('.yaml'))
      .sort()
      .map((f) => join(folder, f)),
  );
}

/** Keys that hold trace steps, and "step N" in messages: they count events, which a leaner trace changes. */
const STEP_KEY = /(^step$|Step$|^steps$|Steps$|^at$)/;
const STEP_TEXT = /\b(steps?) \d+/g;

function withoutSteps(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSteps);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (!STEP_KEY.test(k)) out[k] = withoutSteps(v);
  return out;
}

/** One scenario at one seed, reduced to its verdict. */
export function verdictOf(root: string, file: string, seed: number): RunVerdict {
  const scenario = loadScenario(join(root, file), { knownBugs: KNOWN_BUGS });
  const r = runScenario(scenario, { seed, trace: null });
  return {
    scenario: file,
    seed,
    valid: r.valid,
    violationCounts: r.violationCounts,
    violations: r.violations.map((v) => ({
      name: v.name,
      nodes: [...v.nodes],
      message: v.message.replace(STEP_TEXT, '$1 _'),
      values: withoutSteps(v.values),
    })),
  };
}

export function runVerdicts(root: string, seeds: readonly number[], progress: (line: string) => void = () => {}, only?: RegExp): VerdictsFile {
  const runs: RunVerdict[] = [];
  for (const file of verdictScenarios(root)) {
    if (only !== undefined && !only.test(file)) continue;
    for (const seed of seeds) {
      const started = performance.now();
      const v = verdictOf(root, file, seed);
      runs.push(v);
      const tripped = Object.keys(v.violationCounts).join(', ') || 'clean';
      progress(`${file} seed ${seed}: ${tripped} (${Math.round(performance.now() - started)} ms)`);
    }
  }
  return { bench: 'verdicts', seeds: [...seeds], runs };
}

export interface VerdictDifference {
  scenario: string;
  seed: number;
  /** What moved, in words. */
  what: string;
}

/** The runs whose verdict differs between `before` and `after` (runs only one of them has are named too). */
export function compareVerdicts(before: VerdictsFile, after: VerdictsFile): VerdictDifference[] {
  const key = (r: RunVerdict) => `${r.scenario}#${r.seed}`;
  const old = new Map(before.runs.map((r) => [key(r), r]));
  const differences: VerdictDifference[] = [];
  for (const r of after.runs) {
    const o = old.get(key(r));
    old.delete(key(r));
    if (o === undefined) {
      differences.push({ scenario: r.scenario, seed: r.seed, what: 'not in the saved verdicts' });
      continue;
    }
    if (o.valid !== r.valid) differences.push({ scenario: r.scenario, seed: r.seed, what: `valid ${String(o.valid)} -> ${String(r.valid)}` });
    if (JSON.stringify(o.violationCounts) !== JSON.stringify(r.violationCounts))
      differences.push({ scenario: r.scenario, seed: r.seed, what: `counts ${JSON.stringify(o.violationCounts)} -> ${JSON.stringify(r.violationCounts)}` });
    const n = Math.max(o.violations.length, r.violations.length);
    for (let i = 0; i < n; i++) {
      const a = JSON.stringify(o.violations[i] ?? null);
      const b = JSON.stringify(r.violations[i] ?? null);
      if (a !== b) differences.push({ scenario: r.scenario, seed: r.seed, what: `violation ${i + 1}: ${a} -> ${b}` });
    }
  }
  for (const o of old.values()) differences.push({ scenario: o.scenario, seed: o.seed, what: 'missing from this run' });
  return differences;
}
