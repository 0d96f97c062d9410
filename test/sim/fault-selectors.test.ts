// Fault selectors as a fault fires: each resolved once (a `random` drawn once, so `rest` is every
// node but the one drawn) and those that match no node reported as the run's warnings.

import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../sim/scenario/parse.ts';
import { runScenario } from '../../sim/scenario/run.ts';
import { MemorySink } from '../../trace/sink.ts';

const scenario = (faults: string) =>
  parseScenario(
    `samsa: 1
name: selectors
duration: 4s
cluster: { nodes: 5 }
topics:
  - { name: orders, partitions: 1, replicationFactor: 3 }
faults:
${faults}
expect: { violations: none, liveness: false }
`,
    'selectors.yaml',
    { knownBugs: [] },
  );

describe('fault selectors', () => {
  it('draws a random node once per fault: `rest` is every other node, the two sides never share one', () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const sink = new MemorySink();
      runScenario(scenario('  - { at: 2s, partition: [[random], rest], for: 1s }'), { seed, trace: sink });
      const cut = sink.events().find((e) => e['kind'] === 'partition')!;
      const [random, rest] = cut['groups'] as string[][];
      expect(random, `seed ${seed}`).toHaveLength(1);
      expect(rest!.sort(), `seed ${seed}`).toEqual(['b1', 'b2', 'b3', 'b4', 'b5'].filter((id) => id !== random![0]));
    }
  });

  it('reports a selector that matched no node as a warning, and none when every selector matched', () => {
    const unmatched = runScenario(scenario('  - { at: 0s, crash: { leader-of: orders/0 } }'));
    expect(unmatched.warnings).toEqual(['the crash at 0 s: its selector "leader-of: orders/0" matched no node, so it struck nothing']);
    const matched = runScenario(scenario('  - { at: 3s, crash: { leader-of: orders/0 } }'));
    expect(matched.faults[0]!.nodes).toHaveLength(1);
    expect(matched.warnings).toEqual([]);
  });
});
