// `samsa bench bugs`: the bug-finding power of the explorer. For every seeded bug, explore the
// generic nemesis scenario with that bug switched on until a seed trips a checker that the bug's
// own scenario (scenarios/bugs/<bug>.yaml) expects, or the cap: seeds needed, wall seconds, the
// checker that found it, and the faults left after shrinking. A seed that trips only other
// checkers does not count, and harness crashes are counted apart. And clean seeds with no bug
// (run first), where any violation is a false alarm. Workers start once and serve every bug.

import { explore } from '../explore/explorer.ts';
import { closeRunners, seedRunners, type SeedRunner } from '../explore/pool.ts';
import type { SeedOutcome, SeedViolation } from '../explore/run-seed.ts';
import type { Scenario } from '../sim/scenario/types.ts';

export interface BugFinding {
  name: string;
  /** A seed tripped one of the checkers the bug's own scenario expects. */
  found: boolean;
  /** The checkers the bug's own scenario expects (what counts as finding it). */
  expected: string[];
  /** Seeds run until the finding one (all seeds run, when not found). */
  seeds: number;
  /** The first seed that found it, or null. */
  seed: number | null;
  seconds: number;
  /** The expected checker that found it, or null. */
  violation: string | null;
  /** Seeds that failed with other checkers only (not counted as finding the bug). */
  otherViolationSeeds: number;
  /** Seeds on which the harness itself crashed (a bug in samsa, never a finding). */
  crashSeeds: number[];
  /** Faults in the shrunk scenario, or null when nothing was found. */
  shrunkFaults: number | null;
  shrunkFrom: number | null;
  shrinkRuns: number | null;
  failure: string | null;
}

export interface BugsBenchResult {
  bench: 'bugs';
  scenario: string;
  workers: number;
  capSeconds: number;
  bugs: BugFinding[];
  found: number;
  medianSeconds: number | null;
  maxShrunkFaults: number | null;
  cleanSeeds: number;
  falseAlarms: number;
  falseAlarmSeeds: number[];
  /** Seeds on which the harness crashed, clean seeds and bug runs together (never counted as findings or false alarms). */
  harnessCrashes: number;
  /** Clean seeds per wall second, all workers together. */
  seedsPerSec: number;
  /** Median seeds run until a bug was found (over the bugs found). */
  medianSeeds: number | null;
  /** With --buggify: the same hunt again with BUGGIFY on (clean seeds included: BUGGIFY must raise no false alarm). */
  buggify: BuggifyPass | null;
}

/** The hunt with BUGGIFY on, to set beside the one without. */
export interface BuggifyPass {
  bugs: BugFinding[];
  found: number;
  medianSeconds: number | null;
  medianSeeds: number | null;
  cleanSeeds: number;
  falseAlarms: number;
  falseAlarmSeeds: number[];
  harnessCrashes: number;
}

export interface BugsBenchOptions {
  scenario: Scenario;
  bugs: readonly string[];
  /** Per bug, the checkers its own scenario expects. */
  expected: ReadonlyMap<string, readonly string[]>;
  capMs: number;
  cleanSeeds: number;
  workers: number;
  failuresDir: string | null;
  /** Also hunt every bug with BUGGIFY on. */
  buggify?: boolean;
  progress: (line: string) => void;
}

export async function runBugsBench(options: BugsBenchOptions): Promise<BugsBenchResult> {
  const runners = seedRunners(options.workers);
  try {
    const plain = await hunt(options, options.scenario, runners, '');
    const withBuggify = options.buggify === true ? await hunt(options, { ...options.scenario, buggify: true }, runners, 'BUGGIFY ') : null;
    const shrunkFaults = plain.bugs.map((b) => b.shrunkFaults).filter((n): n is number => n !== null);
    return {
      bench: 'bugs',
      scenario: options.scenario.name,
      workers: runners.length,
      capSeconds: options.capMs / 1000,
      bugs: plain.bugs,
      found: plain.found,
      medianSeconds: plain.medianSeconds,
      maxShrunkFaults: shrunkFaults.length === 0 ? null : Math.max(...shrunkFaults),
      cleanSeeds: plain.cleanSeeds,
      falseAlarms: plain.falseAlarms,
      falseAlarmSeeds: plain.falseAlarmSeeds,
      harnessCrashes: plain.harnessCrashes,
      seedsPerSec: plain.seedsPerSec,
      medianSeeds: plain.medianSeeds,
      buggify: withBuggify === null ? null : (({ seedsPerSec: _s, ...pass }) => pass)(withBuggify),
    };
  } finally {
    await closeRunners(runners);
  }
}

/** Clean seeds, then every bug until found or the cap, on `scenario`. */
async function hunt(options: BugsBenchOptions, scenario: Scenario, runners: SeedRunner[], label: string): Promise<BuggifyPass & { seedsPerSec: number }> {
  const common = { scenario, from: 1, workers: options.workers, runners, failuresDir: options.failuresDir };
  // Clean seeds first: they also warm the workers up, so no bug's time pays for that.
  const clean = await explore({ ...common, seeds: options.cleanSeeds, timeBudgetMs: null, untilFirst: false, bugs: [], shrink: 0, failuresDir: null });
  const cleanCrashes = clean.failing.filter((o) => o.crash !== null).length;
  options.progress(
    `${label}clean: ${clean.outcomes.length} seeds, ${clean.failing.length - cleanCrashes} false alarms, ${cleanCrashes} harness crashes, ${clean.seedsPerSec.toFixed(1)} seeds/s`,
  );
  const bugs: BugFinding[] = [];
  for (const bug of options.bugs) {
    const expected = [...(options.expected.get(bug) ?? [])];
    const counts = (o: SeedOutcome): SeedViolation | null => o.violations.find((v) => expected.includes(v.name)) ?? null;
    const report = await explore({
      ...common,
      seeds: Number.POSITIVE_INFINITY,
      timeBudgetMs: options.capMs,
      untilFirst: true,
      bugs: [bug],
      shrink: 1,
      counts,
    });
    const first = report.outcomes.find((o) => counts(o) !== null) ?? null;
    const shrunk = report.shrunk[0] ?? null;
    const finding: BugFinding = {
      name: bug,
      found: first !== null,
      expected,
      seeds: first === null ? report.outcomes.length : report.outcomes.filter((o) => o.seed <= first.seed).length,
      seed: first?.seed ?? null,
      seconds: Number((report.exploreMs / 1000).toFixed(2)),
      violation: first === null ? null : counts(first)!.name,
      otherViolationSeeds: report.outcomes.filter((o) => o.crash === null && o.violations.length > 0 && counts(o) === null).length,
      crashSeeds: report.outcomes.filter((o) => o.crash !== null).map((o) => o.seed),
      shrunkFaults: shrunk?.result.scenario.faults.length ?? null,
      shrunkFrom: shrunk?.result.faultsBefore ?? null,
      shrinkRuns: shrunk?.result.runs ?? null,
      failure: shrunk?.files?.scenario ?? null,
    };
    bugs.push(finding);
    const crashes = finding.crashSeeds.length > 0 ? `; harness crashed on seeds ${finding.crashSeeds.join(', ')}` : '';
    options.progress(
      label +
        (finding.found
          ? `${bug}: found by ${finding.violation} on seed ${finding.seed} after ${finding.seeds} seeds, ${finding.seconds} s; shrunk to ${finding.shrunkFaults} of ${finding.shrunkFrom} faults${crashes}`
          : `${bug}: NOT found (${expected.join(' or ')}) in ${finding.seeds} seeds, ${finding.seconds} s; ${finding.otherViolationSeeds} seeds tripped other checkers${crashes}`),
    );
  }
  const found = bugs.filter((b) => b.found);
  return {
    bugs,
    found: found.length,
    medianSeconds: median(found.map((b) => b.seconds)),
    medianSeeds: median(found.map((b) => b.seeds)),
    cleanSeeds: clean.outcomes.length,
    falseAlarms: clean.failing.filter((o) => o.crash === null).length,
    falseAlarmSeeds: clean.failing.filter((o) => o.crash === null).map((o) => o.seed),
    harnessCrashes: cleanCrashes + bugs.reduce((n, b) => n + b.crashSeeds.length, 0),
    seedsPerSec: Number(clean.seedsPerSec.toFixed(2)),
  };
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : Number(((sorted[mid - 1]! + sorted[mid]!) / 2).toFixed(2));
}

/** Per bug, the checkers that its own scenario expects (read by the caller from scenarios/bugs/<bug>.yaml). */
export function expectedCheckers(bugs: readonly string[], scenarioOf: (bug: string) => Scenario): Map<string, string[]> {
  return new Map(bugs.map((bug) => [bug, [...scenarioOf(bug).expect.violations]]));
}
