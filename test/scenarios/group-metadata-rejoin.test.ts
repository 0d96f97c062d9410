// A group leader that assigned while its topic was still unknown to its metadata (a broker's image
// lagged the topic's creation) rejoins once the topic's partitions are known, as Kafka's
// ConsumerCoordinator does when its assignment snapshot no longer matches the metadata. Found by the
// explorer: storage-nemesis seed 495 left the group in generation 1 with nothing assigned, and
// final-read and group-stable tripped 60 s after the faults healed.
import { describe, expect, it } from 'vitest';
import { KNOWN_BUGS } from '../../core/bugs.ts';
import { loadScenario } from '../../sim/scenario/parse.ts';
import { runScenario } from '../../sim/scenario/run.ts';
import { MemorySink } from '../../trace/sink.ts';

describe('a group leader whose assignment saw no partitions of its topic', () => {
  it('rejoins when the metadata learns them, and the group reads everything', () => {
    const scenario = loadScenario('scenarios/storage-nemesis.yaml', { knownBugs: KNOWN_BUGS });
    const sink = new MemorySink();
    const result = runScenario(scenario, { seed: 495, trace: sink });
    expect(result.violations.map((v) => `${v.name}: ${v.message}`)).toEqual([]);
    // The first assignment was empty; a later generation gave the member both partitions.
    const assignments = [...sink.eventLines()].filter((e) => e.kind === 'client' && e.op === 'assignment' && e.type === 'ok');
    const partitions = assignments.map((e) => (e as unknown as { value: { partitions: unknown[] } }).value.partitions.length);
    expect(partitions[0]).toBe(0);
    expect(partitions.at(-1)).toBe(2);
  }, 60_000);
});
