// Shrinking: ddmin finds a 1-minimal failing subset; shrinking a real failing seed keeps the
// violation, drops the faults that do not matter, and writes a scenario that reproduces it.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KNOWN_BUGS } from '../../core/bugs.ts';
import { writeFailure } from '../../explore/failure-files.ts';
import { runSeed } from '../../explore/run-seed.ts';
import { ddmin, shrink } from '../../explore/shrink.ts';
import { loadScenario } from '../../sim/scenario/parse.ts';
import { runScenario } from '../../sim/scenario/run.ts';
import { HashOnlySink } from '../../trace/sink.ts';

describe('ddmin', () => {
  it('finds the two items that together make the test fail', () => {
    const items = Array.from({ length: 20 }, (_, i) => i);
    let tries = 0;
    const result = ddmin(items, (subset) => {
      tries++;
      return subset.includes(3) && subset.includes(17);
    });
    expect(result).toEqual([3, 17]);
    expect(tries).toBeLessThan(60);
  });

  it('returns nothing when the failure needs nothing, and everything when every item matters', () => {
    expect(ddmin([1, 2, 3], () => true)).toEqual([]);
    expect(ddmin([1, 2, 3], (s) => s.length === 3)).toEqual([1, 2, 3]);
  });
});

describe('shrinking a failing seed', () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-shrink-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const nemesis = loadScenario('scenarios/nemesis.yaml', { knownBugs: KNOWN_BUGS });

  it('keeps the violation, drops faults that do not matter, and writes a scenario that reproduces it', () => {
    // With truncate-to-hw, seed 4 of the nemesis trips strong-isr (found by samsa bench bugs).
    const outcome = runSeed(nemesis, 4, ['truncate-to-hw']);
    expect(outcome.violations.map((v) => v.name)).toContain('strong-isr');
    const result = shrink(nemesis, 4, { violation: 'strong-isr', bugs: ['truncate-to-hw'], maxRuns: 40 });
    expect(result.scenario.nemesis).toBeNull();
    expect(result.scenario.faults.length).toBeLessThan(result.faultsBefore);
    expect(result.scenario.faults.length).toBeLessThanOrEqual(6);
    expect(result.runs).toBeLessThanOrEqual(41);
    expect(result.scenario.expect.violations).toContain('strong-isr');
    const files = writeFailure(dir, { ...result.scenario, name: 'shrunk' });
    const rerun = runScenario(loadScenario(files.scenario, { knownBugs: KNOWN_BUGS }), { trace: new HashOnlySink() });
    expect(rerun.expectationMet).toBe(true);
    expect(rerun.traceHash).toBe(files.traceHash);
    // The same scenario without its bug is clean: the bug, not the faults, is what fails.
    expect(runScenario({ ...result.scenario, bugs: [], expect: { violations: [], liveness: true } }).violations).toEqual([]);
  });
});
