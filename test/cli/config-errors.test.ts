// Scenario mistakes on one line (issue 18): every config kind (broker, topic, producer, consumer)
// names file, line, field path and, for a misspelt name, the name meant; bad values say what was
// expected; YAML syntax errors and several problems at once still print one line, exit 64.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { samsaInProcess as samsa, stderrLines } from './in-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'samsa-config-errors-'));

/** A valid scenario with a placeholder in each config map (lines 4, 6, 8 and 9). */
function scenario(edit: { cluster?: string; topic?: string; producer?: string; consumer?: string }): string {
  return `samsa: 1
name: configs
duration: 1s
cluster: { nodes: 1, config: { ${edit.cluster ?? ''} } }
topics:
  - { name: t, partitions: 1, replicationFactor: 1, config: { ${edit.topic ?? ''} } }
clients:
  - { producer: p1, topic: t, rate: 10/s, config: { ${edit.producer ?? ''} } }
  - { consumer: c1, topic: t, config: { ${edit.consumer ?? ''} } }
`;
}

let files = 0;
async function runText(text: string): Promise<{ code: number; line: string; file: string }> {
  const file = join(dir, `s${files++}.yaml`);
  writeFileSync(file, text);
  const run = await samsa('run', file, '--trace', join(dir, 'unused.jsonl'));
  const lines = stderrLines(run);
  expect(lines, run.stderr).toHaveLength(1);
  expect(run.stderr).not.toMatch(/internal error|\n\s+at /);
  return { code: run.code, line: lines[0]!, file };
}

describe('config mistakes in a scenario, one line each with file, line, field path and the fix', () => {
  const cases: Array<[string, Parameters<typeof scenario>[0], number, string, RegExp]> = [
    [
      'a misspelt broker config',
      { cluster: 'replica.lag.time.max.msx: 5' },
      4,
      'cluster.config["replica.lag.time.max.msx"]',
      /unknown config "replica\.lag\.time\.max\.msx" \(did you mean "replica\.lag\.time\.max\.ms"\?\)/,
    ],
    [
      'a misspelt topic config',
      { topic: 'min.insync.replica: 2' },
      6,
      'topics[0].config["min.insync.replica"]',
      /unknown topic config "min\.insync\.replica" \(did you mean "min\.insync\.replicas"\?\)/,
    ],
    [
      'a misspelt producer config',
      { producer: 'lingr.ms: 5' },
      8,
      'clients[0].config["lingr.ms"]',
      /unknown producer config "lingr\.ms" \(did you mean "linger\.ms"\?\)/,
    ],
    [
      'a misspelt consumer config',
      { consumer: 'fetch.max.wait: 5' },
      9,
      'clients[1].config["fetch.max.wait"]',
      /unknown consumer config "fetch\.max\.wait" \(did you mean "fetch\.max\.wait\.ms"\?\)/,
    ],
    [
      'a producer config in the broker config',
      { cluster: 'acks: all' },
      4,
      'cluster.config.acks',
      /"acks" is a producer config: set it in a producer's config/,
    ],
    ['a topic config in the broker config', { cluster: 'flush.messages: 1' }, 4, 'cluster.config["flush.messages"]', /it is a topic config/],
    [
      'a broker config in a topic config',
      { topic: 'broker.session.timeout.ms: 5' },
      6,
      'topics[0].config["broker.session.timeout.ms"]',
      /it is a broker config/,
    ],
    [
      'a topic config in a producer config',
      { producer: 'min.insync.replicas: 2' },
      8,
      'clients[0].config["min.insync.replicas"]',
      /"min\.insync\.replicas" is a broker and topic config: set it in cluster\.config or a topic's config; known: /,
    ],
    ['a broker config of the wrong type', { cluster: 'num.partitions: three' }, 4, 'cluster.config["num.partitions"]', /must be an integer, got "three"/],
    ['a broker config out of range', { cluster: 'min.insync.replicas: 0' }, 4, 'cluster.config["min.insync.replicas"]', /must be at least 1, got 0/],
    ['a negative broker timeout', { cluster: 'replica.lag.time.max.ms: -5' }, 4, 'cluster.config["replica.lag.time.max.ms"]', /must be at least 0, got -5/],
    ['a topic config out of range', { topic: 'min.insync.replicas: 0' }, 6, 'topics[0].config["min.insync.replicas"]', /must be at least 1, got "0"/],
    [
      'a topic boolean that is not one',
      { topic: 'unclean.leader.election.enable: maybe' },
      6,
      'topics[0].config["unclean.leader.election.enable"]',
      /true or false, got "maybe"/,
    ],
    ['acks: 2', { producer: 'acks: 2' }, 8, 'clients[0].config.acks', /producer config "acks" must be one of all, -1, 1, 0; got 2/],
    ['a negative linger.ms', { producer: 'linger.ms: -1' }, 8, 'clients[0].config["linger.ms"]', /must be at least 0, got -1/],
    [
      'a bad consumer enum',
      { consumer: 'auto.offset.reset: newest' },
      9,
      'clients[1].config["auto.offset.reset"]',
      /must be one of latest, earliest, none; got "newest"/,
    ],
    [
      'a consumer config of the wrong type',
      { consumer: 'session.timeout.ms: 1.5' },
      9,
      'clients[1].config["session.timeout.ms"]',
      /must be an integer, got 1\.5/,
    ],
  ];
  for (const [what, edit, line, path, message] of cases) {
    it(what, async () => {
      const run = await runText(scenario(edit));
      expect(run.code).toBe(64);
      expect(run.line).toContain(`error: ${run.file}:${line}:`);
      expect(run.line).toContain(`: ${path}: `);
      expect(run.line).toMatch(message);
    });
  }

  it('several problems: the first, then how many more and on which lines, still one line', async () => {
    const run = await runText(scenario({ cluster: 'num.partitions: x', topic: 'min.insync.replica: 2', producer: 'acks: 2', consumer: 'acks: all' }));
    expect(run.code).toBe(64);
    expect(run.line).toMatch(/:4:\d+: cluster\.config\["num\.partitions"\]: .* \(and 3 more problems, on lines 6, 8, 9\)$/);
  });
});

describe('YAML syntax errors and command-line mistakes, one line each', () => {
  it('an unclosed flow mapping', async () => {
    const run = await runText('samsa: 1\nname: x\nduration: 1s\ncluster: { nodes: 3\n');
    expect(run.code).toBe(64);
    expect(run.line).toMatch(/s\d+\.yaml:\d+:\d+: YAML: /);
  });

  it('a document with several syntax errors', async () => {
    const run = await runText('samsa: 1\nname: x\n  duration: 1s\ncluster: [nodes: 3\n\tfoo: 1\n');
    expect(run.code).toBe(64);
    expect(run.line).toMatch(/s\d+\.yaml:2:7: YAML: .* \(and 2 more problems, on lines 2, 5\)$/);
  });

  it("commander's errors, with their suggestion, on one line", async () => {
    for (const args of [['run', 'x.yaml', '--sed', '1'], ['run'], ['frobnicate']]) {
      const run = await samsa(...args);
      expect(run.code, args.join(' ')).toBe(64);
      expect(stderrLines(run), args.join(' ')).toHaveLength(1);
      expect(run.stderr).toMatch(/^error: .*\(run with --help for usage\)\n$/);
    }
    expect((await samsa('run', 'x.yaml', '--sed', '1')).stderr).toContain("unknown option '--sed' (Did you mean --seed?)");
  });
});
