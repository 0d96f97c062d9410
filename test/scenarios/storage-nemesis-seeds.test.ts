// Seeds of scenarios/storage-nemesis.yaml that the explorer found failing, each run clean now. What
// each one found is in the table; the fixes are in core/log/partition-log.ts (recovery),
// models/cleaned-batches.ts and models/trace-validation.ts (projections of cleaned and emptied logs),
// models/history/compaction-facts.ts (a superseding record seen only by the read that skipped).
import { describe, expect, it } from 'vitest';
import { KNOWN_BUGS } from '../../core/bugs.ts';
import { loadScenario } from '../../sim/scenario/parse.ts';
import { runScenario } from '../../sim/scenario/run.ts';

const FOUND: Array<[seed: number, what: string]> = [
  [853, 'a log start recovered below the cached epochs hid a divergence (replica-log-matching, trace-validation)'],
  [976, "a follower paused past its leader's log start truncated on an old divergence (trace-validation)"],
  [1573, "a follower's emptied log took a first batch straddling its start (trace-validation)"],
  [1580, 'a recovered log start older than its cleans left a gap the ghost could not fill (strong-isr)'],
  [1618, 'recovery lost the start of an epoch whose first batch was cleaned away (replica-log-matching, strong-isr)'],
  [9298, 'a read returned a tombstone of a send whose outcome was unknown, past the value it superseded (lost-write, poll-skip)'],
  [9802, 'the same: a superseding record known only from the read that passed over the superseded one (lost-write)'],
];

describe('storage-nemesis seeds the explorer found failing', () => {
  const scenario = loadScenario('scenarios/storage-nemesis.yaml', { knownBugs: KNOWN_BUGS });
  for (const [seed, what] of FOUND) {
    it(`seed ${seed} runs clean: ${what}`, () => {
      const result = runScenario(scenario, { seed });
      expect(result.violations.map((v) => `${v.name}: ${v.message}`)).toEqual([]);
    }, 60_000);
  }
});
