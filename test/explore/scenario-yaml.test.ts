// Scenarios written back as YAML parse to the same scenario: every file in scenarios/, and the
// nemesis drawn out as an explicit schedule (which is how shrunk failures are handed over).

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { KNOWN_BUGS } from '../../core/bugs.ts';
import { withNemesisDrawn } from '../../sim/scenario/nemesis.ts';
import { loadScenario, parseScenario } from '../../sim/scenario/parse.ts';
import { scenarioToYaml } from '../../sim/scenario/to-yaml.ts';

const options = { knownBugs: KNOWN_BUGS };
const files = ['scenarios', 'scenarios/bugs', 'scenarios/configs'].flatMap((dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => join(dir, f)),
);

describe('scenarios written as YAML', () => {
  it.each(files)('%s parses back to the same scenario', (file) => {
    const scenario = loadScenario(file, options);
    expect(parseScenario(scenarioToYaml(scenario), `${file} (rewritten)`, options)).toEqual(scenario);
  });

  it("keep a producer's tombstones and a consumer's reread", () => {
    const scenario = parseScenario(
      'samsa: 1\nname: x\nduration: 1s\ncluster: { nodes: 1 }\ntopics: [{ name: t, partitions: 1, replicationFactor: 1 }]\nclients:\n  - { producer: p1, topic: t, rate: 5/s, keys: 3, tombstones: 0.25 }\n  - { consumer: c1, topic: t, reread: 1.5s }\n  - { consumer: c2, topic: t, group: g1, reread: 2s }\n',
      'x.yaml',
      options,
    );
    expect(scenario.clients).toMatchObject([{ tombstones: 0.25 }, { rereadMs: 1_500 }, { rereadMs: 2_000 }]);
    expect(parseScenario(scenarioToYaml(scenario), 'x.yaml (rewritten)', options)).toEqual(scenario);
  });

  it('keep a drawn nemesis schedule, selectors and all', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const drawn = withNemesisDrawn(loadScenario('scenarios/nemesis.yaml', options), seed);
      expect(drawn.faults.length).toBeGreaterThan(0);
      expect(parseScenario(scenarioToYaml(drawn), 'drawn', options)).toEqual(drawn);
    }
  });
});
