// The determinism self-check, as FoundationDB's simulation harness does it: a sample of generated
// scenarios is run, then run again in the opposite order, each into a hash-only trace sink. Every
// scenario must give the same trace hash both times: the same seed replays byte for byte, and no
// state leaks from one run into the next (module-level caches, id counters, shared PRNGs).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scenarioDocArb, scenarioYaml } from './generate.ts';
import { HashOnlySink } from '../../trace/sink.ts';
import { DEEP, propertySeed, runGenerated } from './harness.ts';

const SUITE = 'determinism';
const SAMPLE = Number(process.env['SAMSA_DETERMINISM_SAMPLE'] ?? (DEEP ? 40 : 5));

describe('determinism of generated scenarios', () => {
  it(
    'gives every scenario the same trace hash when run twice, in a different order',
    () => {
      const { seed } = propertySeed(SUITE);
      const docs = fc.sample(scenarioDocArb(), { numRuns: SAMPLE, seed });
      const hashOf = (i: number) => {
        const run = runGenerated(docs[i]!, new HashOnlySink());
        expect(run.result.traceHash).toMatch(/^[0-9a-f]{64}$/);
        return run.result.traceHash!;
      };
      const order = docs.map((_, i) => i);
      const first = new Map(order.map((i) => [i, hashOf(i)]));
      // Reversed: the last scenario runs twice back to back, every other one after different runs.
      const second = new Map([...order].reverse().map((i) => [i, hashOf(i)]));
      const differing = order.filter((i) => first.get(i) !== second.get(i));
      const report = differing.map((i) => `scenario ${i} (fast-check seed ${seed}): ${first.get(i)} then ${second.get(i)}\n${scenarioYaml(docs[i]!)}`);
      expect(report).toEqual([]);
      // Different scenarios give different traces (a hash that ignored its input would pass the above).
      expect(new Set(first.values()).size).toBe(new Set(docs.map((d) => scenarioYaml(d))).size);
    },
    DEEP ? 1_800_000 : 120_000,
  );
});
