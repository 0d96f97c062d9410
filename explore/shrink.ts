// Shrinking a failing seed: delta debugging (Zeller and Hildebrandt, ddmin) over the drawn fault
// schedule, then fewer clients, a shorter run and a lower produce rate, keeping each step only
// if the same checker still trips with the same seed. Every try is one deterministic run.

import type { Fault, Scenario } from '../sim/scenario/types.ts';
import { withNemesisDrawn } from '../sim/scenario/nemesis.ts';
import { runSeed, type SeedOutcome } from './run-seed.ts';

export interface ShrinkOptions {
  /** The checker whose violation must survive every step. */
  violation: string;
  bugs: readonly string[];
  /** At most this many runs in all (each costs one simulated run). */
  maxRuns?: number;
}

export interface ShrinkResult {
  /** The smallest failing scenario found: an explicit fault schedule, no nemesis. */
  scenario: Scenario;
  /** Its run with the seed: the violations `expect` lists. */
  outcome: SeedOutcome;
  faultsBefore: number;
  runs: number;
}

const DEFAULT_MAX_RUNS = 150;

export function shrink(base: Scenario, seed: number, options: ShrinkOptions): ShrinkResult {
  const maxRuns = options.maxRuns ?? DEFAULT_MAX_RUNS;
  let runs = 0;
  let best = withNemesisDrawn(base, seed);
  let bestOutcome: SeedOutcome | null = null;
  const faultsBefore = best.faults.length;
  /** Runs `candidate`; adopts it when the violation survives. */
  const attempt = (candidate: Scenario): boolean => {
    if (runs >= maxRuns) return false;
    runs++;
    const outcome = runSeed(candidate, seed, options.bugs);
    if (!outcome.violations.some((v) => v.name === options.violation)) return false;
    best = candidate;
    bestOutcome = outcome;
    return true;
  };
  const withFaults = (faults: Fault[]) => ({ ...best, faults });

  ddmin(best.faults, (faults) => attempt(withFaults(faults)));
  for (const client of [...best.clients]) attempt({ ...best, clients: best.clients.filter((c) => c !== client) });
  shortenRun(best, attempt);
  lowerRates(best, attempt);
  // Fewer clients or a shorter run can make more faults unnecessary.
  ddmin(best.faults, (faults) => attempt(withFaults(faults)));

  const outcome = bestOutcome ?? runSeed(best, seed, options.bugs);
  if (bestOutcome === null) runs++;
  const tripped = outcome.violations.map((v) => v.name);
  const scenario: Scenario = {
    ...best,
    seed,
    bugs: [...new Set([...best.bugs, ...options.bugs])],
    expect: { violations: tripped, liveness: best.expect.liveness },
  };
  return { scenario, outcome, faultsBefore, runs };
}

/** ddmin: the smallest list (1-minimal at best) for which `fails` still holds; `fails` adopts it. */
export function ddmin<T>(items: readonly T[], fails: (subset: T[]) => boolean): T[] {
  let current = [...items];
  if (current.length > 0 && fails([])) return [];
  let n = 2;
  while (current.length >= 2) {
    const chunks = split(current, n);
    const chunk = chunks.find((c) => fails(c));
    if (chunk !== undefined) {
      current = chunk;
      n = 2;
      continue;
    }
    // With two chunks the complements are the chunks themselves, tried already.
    const rest = n > 2 ? chunks.map((_, i) => chunks.filter((__, j) => j !== i).flat()).find((r) => fails(r)) : undefined;
    if (rest !== undefined) {
      current = rest;
      n = Math.max(n - 1, 2);
      continue;
    }
    if (n >= current.length) break;
    n = Math.min(current.length, n * 2);
  }
  return current;
}

function split<T>(items: readonly T[], n: number): T[][] {
  const chunks: T[][] = [];
  const size = Math.ceil(items.length / n);
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** Tries a quarter, a half and three quarters of the run, never cutting off a fault. */
function shortenRun(scenario: Scenario, attempt: (s: Scenario) => boolean): void {
  const lastFault = Math.max(0, ...scenario.faults.map((f) => f.atMs));
  for (const fraction of [0.25, 0.5, 0.75]) {
    const durationMs = Math.ceil((scenario.durationMs * fraction) / 1000) * 1000;
    if (durationMs <= lastFault || durationMs >= scenario.durationMs) continue;
    if (attempt({ ...scenario, durationMs })) return;
  }
}

/** Halves every producer's rate while the failure survives (down to 1 record/s). */
function lowerRates(scenario: Scenario, attempt: (s: Scenario) => boolean): void {
  let current = scenario;
  for (;;) {
    if (!current.clients.some((c) => c.kind === 'producer' && c.ratePerSec > 1)) return;
    const slower: Scenario = {
      ...current,
      clients: current.clients.map((c) => (c.kind === 'producer' ? { ...c, ratePerSec: Math.max(1, Math.floor(c.ratePerSec / 2)) } : c)),
    };
    if (!attempt(slower)) return;
    current = slower;
  }
}
