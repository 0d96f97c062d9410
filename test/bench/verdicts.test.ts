// `samsa bench verdicts`: a run's verdict leaves trace steps out (a leaner trace renumbers them)
// and keeps everything else, and the comparison names each run whose verdict moved.

import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compareVerdicts, verdictOf, verdictScenarios, type RunVerdict, type VerdictsFile } from '../../bench/verdicts.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const file = (runs: RunVerdict[]): VerdictsFile => ({ bench: 'verdicts', seeds: [1], runs });

describe('bench verdicts', () => {
  it('covers the scenarios, bug, config and regression folders', () => {
    const files = verdictScenarios(ROOT);
    expect(files).toContain('scenarios/quickstart.yaml');
    expect(files).toContain('scenarios/bugs/ack-before-hw.yaml');
    expect(files).toContain('scenarios/configs/jepsen-2013.yaml');
    expect(files.some((f) => f.startsWith('scenarios/regressions/'))).toBe(true);
  });

  it("reduces a bug scenario's run to its violations without steps", () => {
    const v = verdictOf(ROOT, 'scenarios/bugs/ack-before-hw.yaml', 1);
    expect(Object.keys(v.violationCounts).length).toBeGreaterThan(0);
    expect(v.violations.length).toBeGreaterThan(0);
    for (const violation of v.violations) {
      expect(violation.message).not.toMatch(/\bsteps? \d/);
      expect(JSON.stringify(violation.values)).not.toMatch(/"(step|ackStep|steps)":/);
    }
  }, 60_000);

  it('names every moved verdict, and none when nothing moved', () => {
    const base: RunVerdict = {
      scenario: 's.yaml',
      seed: 1,
      valid: false,
      violationCounts: { 'lost-write': 1 },
      violations: [{ name: 'lost-write', nodes: ['p1'], message: "'p1-3' acknowledged at step _", values: { value: 'p1-3', offset: 7 } }],
    };
    expect(compareVerdicts(file([base]), file([base]))).toEqual([]);
    const moved: RunVerdict = { ...base, violations: [{ ...base.violations[0]!, values: { value: 'p1-3', offset: 8 } }] };
    expect(compareVerdicts(file([base]), file([moved])).map((d) => d.what)).toEqual([expect.stringContaining('"offset":8')]);
    const clean: RunVerdict = { ...base, valid: true, violationCounts: {}, violations: [] };
    expect(compareVerdicts(file([base]), file([clean])).length).toBe(3);
    expect(compareVerdicts(file([base]), file([])).map((d) => d.what)).toEqual(['missing from this run']);
  });
});
