// `samsa bench bugs` counts a bug as found only when a seed trips a checker that the bug's own
// scenario expects: a seed that trips other checkers does not count, and every finding names the
// checker that found it.
import { describe, expect, it } from 'vitest';
import { expectedCheckers, runBugsBench } from '../../bench/bugs.ts';
import { KNOWN_BUGS } from '../../core/bugs.ts';
import { loadScenario } from '../../sim/scenario/parse.ts';

const load = (path: string) => loadScenario(path, { knownBugs: KNOWN_BUGS });
const nemesis = load('scenarios/nemesis.yaml');
const quiet = () => {};

describe('bench bugs: what counts as finding a bug', () => {
  it("reads each bug's expected checkers from its own scenario", () => {
    const expected = expectedCheckers(['raft-vote-twice', 'consumer-drops-buffer'], (bug) => load(`scenarios/bugs/${bug}.yaml`));
    expect(expected.get('raft-vote-twice')).toContain('election-safety');
    expect(expected.get('consumer-drops-buffer')).toEqual(['lost-write', 'poll-skip', 'final-read']);
  });

  it('names the expected checker that found the bug', async () => {
    const result = await runBugsBench({
      scenario: nemesis,
      bugs: ['raft-vote-twice'],
      expected: new Map([['raft-vote-twice', ['election-safety']]]),
      capMs: 60_000,
      cleanSeeds: 0,
      workers: 1,
      failuresDir: null,
      progress: quiet,
    });
    expect(result.bugs[0]).toMatchObject({ name: 'raft-vote-twice', found: true, violation: 'election-safety', crashSeeds: [] });
  }, 120_000);

  it('a seed that trips only other checkers is not a finding', async () => {
    // raft-vote-twice breaks election safety, never the partitioner: expecting key-partition, nothing counts.
    const result = await runBugsBench({
      scenario: nemesis,
      bugs: ['raft-vote-twice'],
      expected: new Map([['raft-vote-twice', ['key-partition']]]),
      capMs: 6_000,
      cleanSeeds: 0,
      workers: 1,
      failuresDir: null,
      progress: quiet,
    });
    const finding = result.bugs[0]!;
    expect(finding).toMatchObject({ found: false, violation: null, seed: null, shrunkFaults: null });
    expect(finding.otherViolationSeeds).toBeGreaterThan(0);
    expect(result.found).toBe(0);
  }, 120_000);
});
