// The explorer's loop: a clean scenario stays clean on worker threads and in this thread alike
// (same trace hashes), a bug is found and shrunk, and the exit code says which class failed.

import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { explore, exploreExitCode, type ExploreReport } from '../../explore/explorer.ts';
import { KNOWN_BUGS } from '../../core/bugs.ts';
import { loadScenario } from '../../sim/scenario/parse.ts';
import { runSeed } from '../../explore/run-seed.ts';

const nemesis = loadScenario('scenarios/nemesis.yaml', { knownBugs: KNOWN_BUGS });
const base = { scenario: nemesis, from: 1, timeBudgetMs: null, untilFirst: false, bugs: [], shrink: 0, failuresDir: null };

describe('samsa explore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-explore-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs seeds on worker threads with the same outcomes as in this thread', async () => {
    // Every seed hashed here, so that the two runs are compared byte for byte.
    const threads = await explore({ ...base, seeds: 4, workers: 2, recheckEvery: 1 });
    const inline = await explore({ ...base, seeds: 4, workers: 1, recheckEvery: 1 });
    expect(threads.outcomes.map((o) => o.seed)).toEqual([1, 2, 3, 4]);
    expect(threads.failing).toEqual([]);
    expect(threads.outcomes.every((o) => o.traceHash !== null)).toBe(true);
    expect(threads.outcomes.map((o) => o.traceHash)).toEqual(inline.outcomes.map((o) => o.traceHash));
    expect(threads.determinism).toEqual({ seeds: [1, 2, 3, 4], mismatches: [] });
    expect(exploreExitCode(threads)).toBe(0);
  }, 120_000);

  it('hashes one seed in every recheckEvery (a hundred by default), and runs only those again', async () => {
    const report = await explore({ ...base, seeds: 3, workers: 1, recheckEvery: 2 });
    expect(report.outcomes.map((o) => o.traceHash !== null)).toEqual([true, false, true]);
    expect(report.determinism).toEqual({ seeds: [1, 3], mismatches: [] });
  }, 120_000);

  it('gives the same verdicts whether the trace is hashed or not (checkers read events, not the trace)', () => {
    let violations = 0;
    for (const bugs of [[], ['truncate-to-hw']]) {
      for (const seed of [4, 5, 6]) {
        const hashed = runSeed(nemesis, seed, bugs, true);
        const bare = runSeed(nemesis, seed, bugs, false);
        expect(hashed.traceHash).not.toBeNull();
        expect(bare.traceHash).toBeNull();
        expect({ ...bare, traceHash: hashed.traceHash }).toEqual(hashed);
        violations += hashed.violations.length;
      }
    }
    expect(violations).toBeGreaterThan(0);
  }, 120_000);

  it('finds a seeded bug, stops at the first failing seed, shrinks it and writes it', async () => {
    const report = await explore({ ...base, seeds: 10, workers: 1, untilFirst: true, bugs: ['partitioner-ignores-key'], shrink: 1, failuresDir: dir });
    expect(report.stoppedBy).toBe('first-violation');
    expect(report.failing.map((o) => o.seed)).toEqual([1]);
    expect(report.failing[0]!.violations.map((v) => v.name)).toContain('key-partition');
    expect(report.shrunk[0]!.result.scenario.faults).toEqual([]); // the bug needs no fault at all
    expect(readdirSync(dir).sort()).toEqual(['nemesis-seed-1-partitioner-ignores-key.jsonl', 'nemesis-seed-1-partitioner-ignores-key.yaml']);
    expect(exploreExitCode(report)).toBe(1);
    // The shrunk file describes the violation its own run finds, not the one of the seed it came from.
    const shrunk = loadScenario(join(dir, 'nemesis-seed-1-partitioner-ignores-key.yaml'), { knownBugs: KNOWN_BUGS });
    const own = runSeed(shrunk, shrunk.seed, []).violations.find((v) => v.name === 'key-partition')!;
    expect(shrunk.description).toContain(`it trips key-partition at step ${own.step}: ${own.message}`);
    expect(report.shrunk[0]!.shrunkViolation).toEqual(own);
  }, 120_000);

  it('gives exit code 3 for a crash of the harness or a nondeterministic seed, and 2 for liveness alone', () => {
    const report = (failing: ExploreReport['failing'], mismatches: number[] = []): ExploreReport => ({
      outcomes: failing,
      determinism: { seeds: [1], mismatches },
      failing,
      shrunk: [],
      wallMs: 1,
      exploreMs: 1,
      seedsPerSec: 1,
      stoppedBy: 'seeds',
    });
    const liveness = {
      seed: 1,
      violations: [{ name: 'final-read', class: 'liveness' as const, message: '', step: 1 }],
      traceHash: null,
      simMs: 1,
      crash: null,
      buggify: null,
    };
    const crash = { seed: 2, violations: [], traceHash: null, simMs: 0, crash: 'Error: boom', buggify: null };
    expect(exploreExitCode(report([liveness]))).toBe(2);
    expect(exploreExitCode(report([liveness, crash]))).toBe(3);
    expect(exploreExitCode(report([], [1]))).toBe(3); // a seed that ran differently twice
  });
});
