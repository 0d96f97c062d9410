// Property: every generated scenario that Kafka's settings promise to survive (sim/scenario/
// generate.ts) runs with no checker tripping and converges once every fault is healed. The seed is
// printed first; a failure prints and saves the scenario as YAML for `samsa run`. A fixed budget
// here; SAMSA_DEEP=1 (npm run test:deep) runs many more and shrinks a failure for up to a minute;
// SAMSA_PROPERTY_RUNS sets the number of scenarios outright.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scenarioDocArb, type Doc } from './generate.ts';
import { DEEP, failureReport, problemsOf, propertySeed, runGenerated } from './harness.ts';

const SUITE = 'generated-scenarios';
const RUNS = Number(process.env['SAMSA_PROPERTY_RUNS'] ?? (DEEP ? 400 : 30));
/** Deep runs also draw longer runs with more faults. */
const SHAPE = DEEP ? { durationS: [10, 45] as const, maxFaults: 12, maxRate: 200 } : { durationS: [10, 20] as const, maxFaults: 6, maxRate: 80 };
/** Wall time spent shrinking a failure before the smallest one found so far is reported. */
const SHRINK_MS = DEEP ? 60_000 : 0;

interface Tally {
  scenarios: number;
  faults: number;
  acknowledged: number;
  consumed: number;
  tolerated: Record<string, number>;
  shapes: Set<string>;
}

describe('generated scenarios', () => {
  it(
    'trip no checker and converge after healing, for every configuration Kafka promises to survive',
    () => {
      const { seed, path } = propertySeed(SUITE);
      const tally: Tally = { scenarios: 0, faults: 0, acknowledged: 0, consumed: 0, tolerated: {}, shapes: new Set() };
      let firstFailureAt: number | null = null;
      const started = performance.now();
      const property = fc.property(scenarioDocArb(SHAPE), (doc: Doc) => {
        // Once the shrink budget is spent every further candidate passes, which ends shrinking at
        // the smallest failure found so far (the one last saved).
        if (firstFailureAt !== null && performance.now() - firstFailureAt > SHRINK_MS) return true;
        const run = runGenerated(doc);
        const problems = problemsOf(run);
        if (firstFailureAt === null) {
          tally.scenarios++;
          tally.faults += run.result.faults.length;
          tally.acknowledged += run.result.protocol.acknowledged;
          tally.consumed += run.result.protocol.consumed;
          tally.shapes.add(`${run.scenario.cluster.nodes}/${run.scenario.cluster.controllers}`);
          for (const [name, n] of Object.entries(run.result.violationCounts)) tally.tolerated[name] = (tally.tolerated[name] ?? 0) + n;
        }
        if (problems.length === 0) return true;
        firstFailureAt ??= performance.now();
        throw new Error(failureReport(SUITE, run, problems, seed));
      });
      try {
        fc.assert(property, { numRuns: RUNS, seed, path, endOnFailure: SHRINK_MS === 0 });
      } finally {
        const wall = ((performance.now() - started) / 1000).toFixed(1);
        console.log(
          `[${SUITE}] ${tally.scenarios} scenarios in ${wall}s: ${tally.faults} scheduled faults fired, ${tally.acknowledged} writes acknowledged, ` +
            `${tally.consumed} records consumed, ${tally.shapes.size} cluster shapes; checker reports (only duplicate and producer-order of non-idempotent producers may pass): ${JSON.stringify(tally.tolerated)}`,
        );
      }
      expect(tally.scenarios).toBeGreaterThan(0);
    },
    DEEP ? 3_600_000 : 120_000,
  );
});
