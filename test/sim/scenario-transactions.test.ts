// Scenario files with transactions: a producer's `transactions` (needing config transactional.id,
// and the other way round) and the `processor` client (consume-transform-produce); mistakes name the
// field; faults may strike processors and transactional producers; files write back as they read.

import { describe, expect, it } from 'vitest';
import { loadScenario, parseScenario, ScenarioError } from '../../sim/scenario/parse.ts';
import { scenarioToYaml } from '../../sim/scenario/to-yaml.ts';

const FILE = 'scenarios/t.yaml';
const OPTIONS = { knownBugs: [] };
const BASE = `samsa: 1
name: t
duration: 60s
cluster:
  nodes: 3
topics:
  - { name: input, partitions: 2, replicationFactor: 3 }
  - { name: output, partitions: 2, replicationFactor: 3 }
`;

function problems(text: string): string[] {
  try {
    parseScenario(text, FILE, OPTIONS);
  } catch (e) {
    if (e instanceof ScenarioError) return e.message.split('\n');
    throw e;
  }
  return [];
}

const PROCESSOR = `{ processor: x1, from: input, to: output, group: copiers, config: { transactional.id: x1 } }`;

describe('scenario files with transactions', () => {
  it('reads a transactional producer and a processor, lets faults name them, and writes them back', () => {
    const text = `${BASE}clients:
  - { producer: p1, topic: input, rate: 10/s, transactions: { size: 5, abort: 0.2 }, config: { transactional.id: p1 } }
  - ${PROCESSOR}
faults:
  - { at: 5s, crash: x1, for: 2s }
  - { at: 6s, stall: p1, for: 2s }
`;
    const s = parseScenario(text, FILE, OPTIONS);
    expect(s.clients).toEqual([
      { kind: 'producer', id: 'p1', topic: 'input', ratePerSec: 10, keys: 10, transactions: { size: 5, abort: 0.2 }, config: { 'transactional.id': 'p1' } },
      {
        kind: 'processor',
        id: 'x1',
        from: 'input',
        to: 'output',
        group: 'copiers',
        config: { 'transactional.id': 'x1' },
      },
    ]);
    expect(s.faults.map((f) => f.kind)).toEqual(['crash', 'stall']);
    expect(parseScenario(scenarioToYaml(s), FILE, OPTIONS)).toEqual(s);
    // abort defaults to 0.
    const noAbort = parseScenario(
      `${BASE}clients:\n  - { producer: p1, topic: input, rate: 1, transactions: { size: 2 }, config: { transactional.id: p1 } }\n`,
      FILE,
      OPTIONS,
    );
    expect(noAbort.clients[0]).toMatchObject({ transactions: { size: 2, abort: 0 } });
  });

  it('a producer with transactions needs a transactional.id, and one with a transactional.id needs transactions', () => {
    expect(problems(`${BASE}clients:\n  - { producer: p1, topic: input, rate: 1, transactions: { size: 5 } }\n`)).toEqual([
      expect.stringMatching(
        /clients\[0\]\.config\["transactional\.id"\]: expected a transactional\.id with transactions, like config: \{ transactional\.id: p1 \}$/,
      ),
    ]);
    expect(problems(`${BASE}clients:\n  - { producer: p1, topic: input, rate: 1, config: { transactional.id: p1 } }\n`)).toEqual([
      expect.stringMatching(/clients\[0\]\.transactions: expected transactions: \{ size: 5 \} with config transactional\.id/),
    ]);
    expect(
      problems(`${BASE}clients:\n  - { producer: p1, topic: input, rate: 1, transactions: { size: 0, abort: 2 }, config: { transactional.id: p1 } }\n`),
    ).toEqual([
      expect.stringMatching(/clients\[0\]\.transactions\.size: expected an integer >= 1, got 0$/),
      expect.stringMatching(/clients\[0\]\.transactions\.abort: expected a probability from 0 to 1, got 2$/),
    ]);
    expect(
      problems(`${BASE}clients:\n  - { producer: p1, topic: input, rate: 1, transactions: { size: 1, aborts: 0.1 }, config: { transactional.id: p1 } }\n`),
    ).toEqual([expect.stringMatching(/clients\[0\]\.transactions\.aborts: unknown key "aborts"; allowed keys: size, abort$/)]);
  });

  it('the shipped transaction scenarios read', () => {
    for (const file of ['transactions', 'exactly-once']) expect(loadScenario(`scenarios/${file}.yaml`, OPTIONS).clients.length).toBeGreaterThan(0);
  });

  it('a processor names what is wrong: its transactional.id, its topics, its config', () => {
    const processor = (fields: string) => problems(`${BASE}clients:\n  - { processor: x1, ${fields} }\n`);
    expect(processor('from: input, to: output, group: g, config: { max.poll.records: 10 }')).toEqual([
      expect.stringMatching(/clients\[0\]\.config\["transactional\.id"\]: expected a transactional\.id: a processor writes in transactions/),
    ]);
    expect(processor('from: input, to: input, group: g, config: { transactional.id: x1 }')).toEqual([
      expect.stringMatching(/clients\[0\]\.to: expected a topic other than from \(input\)/),
    ]);
    expect(processor('from: input, to: nowhere, group: g, config: { transactional.id: x1 }')).toContainEqual(
      expect.stringMatching(/clients\[0\]\.to: expected a topic declared in topics/),
    );
    expect(processor('from: input, to: output, group: g, config: { transactional.idd: x1 }')).toContainEqual(
      expect.stringMatching(
        /clients\[0\]\.config\["transactional\.idd"\]: unknown processor config "transactional\.idd" \(did you mean "transactional\.id"\?\)/,
      ),
    );
    expect(processor('from: input, to: output, group: g, config: { transactional.id: x1, enable.auto.commit: true }')).toContainEqual(
      expect.stringMatching(/clients\[0\]\.config\["enable\.auto\.commit"\]: a processor commits its offsets in its transactions/),
    );
    expect(processor('from: input, to: output, config: { transactional.id: x1 }')).toContainEqual(expect.stringMatching(/clients\[0\]\.group: /));
    expect(problems(`${BASE}clients:\n  - { processor: x1, producer: p1, from: input, to: output, group: g, config: { transactional.id: x1 } }\n`)).toEqual([
      expect.stringMatching(/clients\[0\]: expected a processor alone, got it with producer or consumer$/),
    ]);
  });
});
