// Scenario files, version 1: valid files normalise exactly; every kind of mistake names the file,
// line, path and expectation; unit parsing round-trips; garbage never escapes as another error.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { formatPath, loadScenario, parseScenario, ScenarioError } from '../../sim/scenario/parse.ts';
import { nodeIdsOf, type Scenario } from '../../sim/scenario/types.ts';
import { scenarioToYaml } from '../../sim/scenario/to-yaml.ts';
import { MAX_DURATION_MS, parseDuration, parseProbability, parseRate } from '../../sim/scenario/units.ts';

const FILE = 'scenarios/x.yaml';
const OPTIONS = { knownBugs: ['skip-fsync', 'stale-hw'] };

const FULL = `samsa: 1
name: leader-isolated
description: The leader of orders/0 is cut off from its followers; acks=all writes must survive.
seed: 42
duration: 1.5m
cluster:
  nodes: 3
  controllers: 3
  config: { replica.lag.time.max.ms: 10000, unclean.leader.election.enable: false }
network:
  latency: { mean: 5ms, min: 1ms, max: 100ms }
  loss: 0.01
  duplicate: 0.001
  reorder: 0
disk:
  tornWrites: 0.5
  readError: 0.001
topics:
  - { name: orders, partitions: 3, replicationFactor: 3, config: { min.insync.replicas: 2 } }
  - { name: audit.log_v2, partitions: 1, replicationFactor: 1 }
clients:
  - { producer: p1, topic: orders, rate: 6000/m, keys: 0, config: { acks: all, enable.idempotence: true } }
  - { producer: p2, topic: audit.log_v2, rate: 2.5 }
  - { consumer: r1, topic: orders, mode: assign }
  - { consumer: r2, topic: orders, mode: assign, config: { max.poll.records: 10 } }
  - { consumer: r3, topic: audit.log_v2 }
faults:
  - { at: 5s, partition: [[leader-of: orders/0], rest], for: 10s }
  - { at: 6s, partition-oneway: { from: [b1, c1], to: controller-leader } }
  - { at: 15s, heal: all }
  - { at: 20s, crash: b2 }
  - { at: 25s, restart: b2 }
  - { at: 26s, restart-wiped: [b3] }
  - { at: 27s, power-loss: all }
  - { at: 30s, slow-link: { between: [b1, random], latency: 500ms }, for: 10s }
  - { at: 31s, slow-link: { between: [b2, c2], latency: { min: 100ms, max: 200ms } } }
  - { at: 35s, network: { loss: 0.1, reorder: 0.05, latency: { min: 1ms, max: 20ms } }, for: 1h }
  - { at: 40s, clock-skew: { node: c3, offsetMs: -2000 } }
  - { at: 750, crash: 'b1' }
nemesis: { faults: [partition, crash, slow-link, loss], interval: 5s }
bugs: [stale-hw]
expect: { violations: [lost-write, hw-monotonic], liveness: false }
`;

const FULL_PARSED: Scenario = {
  samsa: 1,
  name: 'leader-isolated',
  description: 'The leader of orders/0 is cut off from its followers; acks=all writes must survive.',
  seed: 42,
  durationMs: 90_000,
  cluster: {
    nodes: 3,
    controllers: 3,
    config: { 'replica.lag.time.max.ms': 10000, 'unclean.leader.election.enable': false },
  },
  network: { latency: { mean: 5, min: 1, max: 100 }, loss: 0.01, duplicate: 0.001, reorder: 0 },
  disk: { tornWrites: 0.5, fsyncFailure: 0, readError: 0.001 },
  topics: [
    { name: 'orders', partitions: 3, replicationFactor: 3, config: { 'min.insync.replicas': 2 } },
    { name: 'audit.log_v2', partitions: 1, replicationFactor: 1, config: {} },
  ],
  clients: [
    { kind: 'producer', id: 'p1', topic: 'orders', ratePerSec: 100, keys: 0, config: { acks: 'all', 'enable.idempotence': true } },
    { kind: 'producer', id: 'p2', topic: 'audit.log_v2', ratePerSec: 2.5, keys: 10, config: {} },
    { kind: 'consumer', id: 'r1', topic: 'orders', mode: 'assign', config: {} },
    { kind: 'consumer', id: 'r2', topic: 'orders', mode: 'assign', config: { 'max.poll.records': 10 } },
    { kind: 'consumer', id: 'r3', topic: 'audit.log_v2', mode: 'assign', config: {} },
  ],
  faults: [
    { kind: 'partition', atMs: 5000, forMs: 10_000, groups: [[{ kind: 'leader-of', topic: 'orders', partition: 0 }], [{ kind: 'rest' }]] },
    {
      kind: 'partition-oneway',
      atMs: 6000,
      from: [
        { kind: 'node', id: 'b1' },
        { kind: 'node', id: 'c1' },
      ],
      to: [{ kind: 'controller-leader' }],
    },
    { kind: 'heal', atMs: 15_000, nodes: [{ kind: 'all' }] },
    { kind: 'crash', atMs: 20_000, nodes: [{ kind: 'node', id: 'b2' }] },
    { kind: 'restart', atMs: 25_000, nodes: [{ kind: 'node', id: 'b2' }] },
    { kind: 'restart-wiped', atMs: 26_000, nodes: [{ kind: 'node', id: 'b3' }] },
    { kind: 'power-loss', atMs: 27_000, nodes: [{ kind: 'all' }] },
    { kind: 'slow-link', atMs: 30_000, forMs: 10_000, between: [{ kind: 'node', id: 'b1' }, { kind: 'random' }], latency: { constant: 500 } },
    {
      kind: 'slow-link',
      atMs: 31_000,
      between: [
        { kind: 'node', id: 'b2' },
        { kind: 'node', id: 'c2' },
      ],
      latency: { min: 100, max: 200 },
    },
    { kind: 'network', atMs: 35_000, forMs: 3_600_000, change: { loss: 0.1, reorder: 0.05, latency: { min: 1, max: 20 } } },
    { kind: 'clock-skew', atMs: 40_000, node: { kind: 'node', id: 'c3' }, offsetMs: -2000 },
    { kind: 'crash', atMs: 750, nodes: [{ kind: 'node', id: 'b1' }] },
  ],
  nemesis: { faults: ['partition', 'crash', 'slow-link', 'loss'], intervalMs: 5000 },
  bugs: ['stale-hw'],
  expect: { violations: ['lost-write', 'hw-monotonic'], liveness: false },
};

const MINIMAL = `samsa: 1
name: smoke
duration: 10s
cluster: { nodes: 1 }
`;

/** A valid base to break one line of; line numbers in the tests below count from here. */
const BASE = `samsa: 1
name: base
duration: 60s
cluster:
  nodes: 3
topics:
  - { name: orders, partitions: 3, replicationFactor: 3 }
faults:
  - { at: 5s, crash: b1 }
`;

function errorOf(text: string, options = OPTIONS): ScenarioError {
  try {
    parseScenario(text, FILE, options);
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error('expected a ScenarioError, but the scenario parsed');
}

/** The one problem line of a file with a single mistake. */
function oneProblem(text: string, options = OPTIONS): string {
  const e = errorOf(text, options);
  expect(e.problems, e.message).toHaveLength(1);
  expect(e.message).not.toMatch(/\n\s+at /);
  return e.message;
}

describe('valid scenarios', () => {
  it('parses a file using every feature to the exact normalised object', () => {
    expect(parseScenario(FULL, FILE, OPTIONS)).toEqual(FULL_PARSED);
  });

  it('parses pause (SIGSTOP, undone by SIGCONT after `for`) and resume, and writes them back', () => {
    const text = BASE.replace(
      '{ at: 5s, crash: b1 }',
      '{ at: 5s, pause: [leader-of: orders/0], for: 5s }\n  - { at: 20s, pause: [b2] }\n  - { at: 30s, resume: all }',
    );
    const parsed = parseScenario(text, FILE, OPTIONS);
    expect(parsed.faults).toEqual([
      { kind: 'pause', atMs: 5000, forMs: 5000, nodes: [{ kind: 'leader-of', topic: 'orders', partition: 0 }] },
      { kind: 'pause', atMs: 20_000, nodes: [{ kind: 'node', id: 'b2' }] },
      { kind: 'resume', atMs: 30_000, nodes: [{ kind: 'all' }] },
    ]);
    expect(parseScenario(scenarioToYaml(parsed), FILE, OPTIONS)).toEqual(parsed);
    expect(oneProblem(BASE.replace('crash: b1', 'resume: b1, for: 1s'))).toBe(
      `${FILE}:9:32: faults[0].for: expected no "for" on resume, which cannot be undone`,
    );
  });

  it('fills every default in a minimal file', () => {
    expect(parseScenario(MINIMAL, FILE, { knownBugs: [] })).toEqual({
      samsa: 1,
      name: 'smoke',
      description: '',
      seed: 1,
      durationMs: 10_000,
      cluster: { nodes: 1, controllers: 'combined', config: {} },
      network: { latency: { min: 1, max: 10 }, loss: 0, duplicate: 0, reorder: 0 },
      disk: { tornWrites: 0, fsyncFailure: 0, readError: 0 },
      topics: [],
      clients: [],
      faults: [],
      nemesis: null,
      bugs: [],
      expect: { violations: [], liveness: true },
    } satisfies Scenario);
  });

  it('parses the example from the design', () => {
    const s = parseScenario(
      `samsa: 1
name: leader-isolated
seed: 1
duration: 60s
cluster:
  nodes: 3
  controllers: combined
  config: { replica.lag.time.max.ms: 10000 }
network:
  latency: { min: 1ms, max: 10ms }
  loss: 0.0
  duplicate: 0.0
topics:
  - { name: orders, partitions: 3, replicationFactor: 3, config: { min.insync.replicas: 2 } }
clients:
  - { producer: p1, topic: orders, rate: 100/s, keys: 10, config: { acks: all } }
  - { consumer: c1, topic: orders, mode: assign }
faults:
  - { at: 5s, partition: [[leader-of: orders/0], rest] }
  - { at: 6s, partition-oneway: { from: [b1], to: [b2] } }
  - { at: 15s, heal: all }
  - { at: 20s, crash: b2 }
  - { at: 25s, restart: b2 }
  - { at: 30s, slow-link: { between: [b1, b3], latency: 500ms }, for: 10s }
  - { at: 40s, clock-skew: { node: b3, offsetMs: 2000 } }
nemesis: { faults: [partition, crash, slow-link], interval: 5s }
bugs: []
expect: { violations: none }
`,
      FILE,
      { knownBugs: [] },
    );
    expect(s.faults.map((f) => [f.kind, f.atMs])).toEqual([
      ['partition', 5000],
      ['partition-oneway', 6000],
      ['heal', 15_000],
      ['crash', 20_000],
      ['restart', 25_000],
      ['slow-link', 30_000],
      ['clock-skew', 40_000],
    ]);
    expect(s.clients[0]).toMatchObject({ kind: 'producer', ratePerSec: 100 });
  });

  it('lists brokers, then dedicated controllers, as node ids', () => {
    expect(nodeIdsOf(FULL_PARSED)).toEqual(['b1', 'b2', 'b3', 'c1', 'c2', 'c3']);
    expect(nodeIdsOf(parseScenario(MINIMAL, FILE, OPTIONS))).toEqual(['b1']);
  });

  it('loads a file from disk and names it in errors', () => {
    const dir = mkdtempSync(join(tmpdir(), 'samsa-scenario-'));
    try {
      const good = join(dir, 'good.yaml');
      writeFileSync(good, MINIMAL);
      expect(loadScenario(good, OPTIONS).name).toBe('smoke');
      const bad = join(dir, 'bad.yaml');
      writeFileSync(bad, MINIMAL.replace('10s', 'soon'));
      expect(() => loadScenario(bad, OPTIONS)).toThrow(`${bad}:3:11: duration: expected a duration like "5s" or "250ms", got "soon"`);
      const missing = join(dir, 'missing.yaml');
      expect(() => loadScenario(missing, OPTIONS)).toThrow(
        new ScenarioError(missing, [{ line: 0, col: 0, path: '', message: 'cannot read the scenario file (no such file)' }]),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('mistakes name the file, line, path and expectation', () => {
  it('accepts the base the mistakes are made in', () => {
    expect(parseScenario(BASE, FILE, OPTIONS).faults).toHaveLength(1);
  });

  it('an unknown key at the top level', () => {
    expect(oneProblem(`${BASE}colour: red\n`)).toBe(
      `${FILE}:10:1: colour: unknown key "colour"; allowed keys: samsa, name, description, seed, duration, cluster, network, disk, topics, clients, faults, nemesis, bugs, expect, wire, buggify, security`,
    );
  });

  it('an unknown key nested in a list entry', () => {
    expect(oneProblem(BASE.replace('replicationFactor: 3 }', 'replicationFactor: 3, replicas: 2 }'))).toBe(
      `${FILE}:7:58: topics[0].replicas: unknown key "replicas"; allowed keys: name, partitions, replicationFactor, config`,
    );
  });

  it('an unknown key in a fault (a misspelt action)', () => {
    expect(oneProblem(BASE.replace('crash: b1', 'crahs: b1'))).toMatch(
      /^scenarios\/x\.yaml:9:15: faults\[0\]\.crahs: unknown key "crahs"; allowed keys: at, for and one action of: partition, .*clock-skew, delete-records, alter-config$/,
    );
  });

  it('a wrong type', () => {
    expect(oneProblem(BASE.replace('nodes: 3', 'nodes: three'))).toBe(`${FILE}:5:10: cluster.nodes: expected an integer from 1 to 64, got "three"`);
    expect(oneProblem(BASE.replace('nodes: 3', 'nodes: 65'))).toBe(`${FILE}:5:10: cluster.nodes: expected an integer from 1 to 64, got 65`);
    expect(oneProblem(BASE.replace('partitions: 3', 'partitions: [3]'))).toBe(
      `${FILE}:7:33: topics[0].partitions: expected an integer >= 1, got a list of 1 item`,
    );
  });

  it('a bad duration', () => {
    expect(oneProblem(BASE.replace('at: 5s', 'at: soon'))).toBe(`${FILE}:9:11: faults[0].at: expected a duration like "5s" or "250ms", got "soon"`);
    expect(oneProblem(BASE.replace('at: 5s', 'at: 5d'))).toBe(
      `${FILE}:9:11: faults[0].at: expected a duration like "5s" or "250ms" (units: ms, s, m, h), got unknown unit "d" in "5d"`,
    );
    expect(oneProblem(BASE.replace('at: 5s', 'at: -5s'))).toBe(`${FILE}:9:11: faults[0].at: expected a duration >= 0, got "-5s"`);
    expect(oneProblem(BASE.replace('duration: 60s', 'duration: 0s'))).toBe(`${FILE}:3:11: duration: expected a duration > 0, got "0s"`);
    expect(oneProblem(BASE.replace('duration: 60s', 'duration: .nan'))).toBe(`${FILE}:3:11: duration: expected a duration like "5s" or "250ms", got NaN`);
  });

  it('a bad probability', () => {
    expect(oneProblem(`${BASE}network: { loss: 1.5 }\n`)).toBe(`${FILE}:10:18: network.loss: expected a probability from 0 to 1, got 1.5`);
    expect(oneProblem(`${BASE}disk:\n  tornWrites: 10%\n`)).toBe(`${FILE}:11:15: disk.tornWrites: expected a probability from 0 to 1, got "10%"`);
  });

  it('a node that the cluster does not have, saying which exist', () => {
    expect(oneProblem(BASE.replace('crash: b1', 'crash: b9'))).toBe(`${FILE}:9:22: faults[0].crash: expected a node of this cluster (b1..b3), got "b9"`);
    expect(oneProblem(BASE.replace('crash: b1', 'crash: c1'))).toBe(`${FILE}:9:22: faults[0].crash: expected a node of this cluster (b1..b3), got "c1"`);
    expect(oneProblem(BASE.replace('nodes: 3', 'nodes: 3\n  controllers: 2').replace('crash: b1', 'crash: [b2, c3]'))).toBe(
      `${FILE}:10:27: faults[0].crash[1]: expected a node of this cluster (b1..b3 and c1..c2), got "c3"`,
    );
  });

  it('an unknown bug, listing the known ones', () => {
    expect(oneProblem(`${BASE}bugs: [skip-fsync, lost-ack]\n`)).toBe(
      `${FILE}:10:20: bugs[1]: expected one of the known bugs: skip-fsync, stale-hw, got "lost-ack"`,
    );
    expect(oneProblem(`${BASE}bugs: [x]\n`, { knownBugs: [] })).toBe(`${FILE}:10:8: bugs[0]: expected a known bug (none are known yet), got "x"`);
  });

  it('rest outside a partition', () => {
    expect(oneProblem(BASE.replace('crash: b1', 'crash: rest'))).toBe(
      `${FILE}:9:22: faults[0].crash: expected a node selector other than "rest" here (rest is only valid inside partition groups), got "rest"`,
    );
  });

  it('leader-of a topic that is not declared, or a partition out of range', () => {
    expect(oneProblem(BASE.replace('crash: b1', 'crash: { leader-of: payments/0 }'))).toBe(
      `${FILE}:9:35: faults[0].crash.leader-of: expected a topic declared in topics (declared: orders), got "payments"`,
    );
    expect(oneProblem(BASE.replace('crash: b1', 'partition: [[leader-of: orders/3], rest]'))).toBe(
      `${FILE}:9:39: faults[0].partition[0][0].leader-of: expected a partition of orders from 0 to 2, got 3`,
    );
  });

  it('delete-records: an admin action on a declared partition, with an offset of -1 (the high watermark) or more, never undone', () => {
    const parsed = parseScenario(BASE.replace('crash: b1', 'delete-records: { partition: orders/2, offset: -1 }'), FILE, OPTIONS);
    expect(parsed.faults).toEqual([{ kind: 'delete-records', atMs: 5_000, topic: 'orders', partition: 2, offset: -1 }]);
    expect(oneProblem(BASE.replace('crash: b1', 'delete-records: { partition: payments/0, offset: 5 }'))).toBe(
      `${FILE}:9:44: faults[0].delete-records.partition: expected a topic declared in topics (declared: orders), got "payments"`,
    );
    expect(oneProblem(BASE.replace('crash: b1', 'delete-records: { partition: orders/3, offset: 5 }'))).toBe(
      `${FILE}:9:44: faults[0].delete-records.partition: expected a partition of orders from 0 to 2, got 3`,
    );
    expect(oneProblem(BASE.replace('crash: b1', 'delete-records: { partition: orders/0, offset: -2 }'))).toMatch(
      new RegExp(`^${FILE.replace(/[./]/g, '\\$&')}:9:\\d+: faults\\[0\\]\\.delete-records\\.offset: expected an integer >= -1, got -2$`),
    );
    expect(oneProblem(BASE.replace('crash: b1', 'delete-records: { partition: orders/0 }'))).toMatch(
      /faults\[0\]\.delete-records\.offset: required but missing/,
    );
    expect(oneProblem(BASE.replace('{ at: 5s, crash: b1 }', '{ at: 5s, for: 1s, delete-records: { partition: orders/0, offset: 1 } }'))).toBe(
      `${FILE}:9:20: faults[0].for: expected no "for" on delete-records, which cannot be undone`,
    );
  });

  it('a fault at or after the end of the run', () => {
    expect(oneProblem(BASE.replace('at: 5s', 'at: 1m'))).toBe(
      `${FILE}:9:11: faults[0].at: expected a time before the end of the run (duration 60000ms), got 60000ms`,
    );
  });

  it('a YAML syntax error, at its line', () => {
    const e = errorOf(BASE.replace('partitions: 3,', 'partitions: [3,'));
    expect(e.message).toMatch(/^scenarios\/x\.yaml:7:58: YAML: Flow sequence .* end with a \]$/m);
    expect(oneProblem(BASE.replace('name: base', 'name: "base'))).toMatch(/^scenarios\/x\.yaml:10:1: YAML: Missing closing "quote$/);
    expect(oneProblem(`${BASE}name: again\n`)).toBe(`${FILE}:10:1: YAML: Map keys must be unique`);
    expect(oneProblem(`${BASE}[a, b]: 1\n`)).toBe(`${FILE}:10:1: YAML: expected a plain key, got a list or mapping as a key`);
  });

  it('a missing required name or duration', () => {
    expect(oneProblem(BASE.replace('name: base\n', ''))).toBe(
      `${FILE}:1:1: name: required but missing; expected a name of lowercase letters, digits and dashes like "leader-isolated"`,
    );
    expect(oneProblem(BASE.replace('duration: 60s\n', ''))).toBe(`${FILE}:1:1: duration: required but missing; expected a duration like "5s" or "250ms"`);
    expect(oneProblem(BASE.replace('partitions: 3, ', ''))).toBe(`${FILE}:7:5: topics[0].partitions: required but missing; expected an integer >= 1`);
  });

  it('two actions in one fault', () => {
    expect(oneProblem(BASE.replace('crash: b1', 'crash: b1, restart: b1'))).toBe(
      `${FILE}:9:35: faults[0].restart: expected exactly one action per fault, got crash and restart`,
    );
    expect(oneProblem(BASE.replace('crash: b1', 'for: 1s'))).toMatch(/faults\[0\]: expected one action \(partition, .*\), got none$/);
  });

  it('a producer’s tombstones and a consumer’s reread: values read, bad ones named', () => {
    const parsed = parseScenario(
      `${BASE}clients:\n  - { producer: p1, topic: orders, rate: 10/s, keys: 20, tombstones: 0.1 }\n  - { consumer: r1, topic: orders, reread: 10s }\n  - { producer: p2, topic: orders, rate: 1/s, tombstones: 0 }\n`,
      FILE,
      OPTIONS,
    );
    expect(parsed.clients).toEqual([
      { kind: 'producer', id: 'p1', topic: 'orders', ratePerSec: 10, keys: 20, tombstones: 0.1, config: {} },
      { kind: 'consumer', id: 'r1', topic: 'orders', mode: 'assign', config: {}, rereadMs: 10_000 },
      { kind: 'producer', id: 'p2', topic: 'orders', ratePerSec: 1, keys: 10, config: {} },
    ]);
    expect(oneProblem(`${BASE}clients:\n  - { producer: p1, topic: orders, rate: 10/s, tombstones: 1.5 }\n`)).toBe(
      `${FILE}:11:60: clients[0].tombstones: expected a probability from 0 to 1, got 1.5`,
    );
    expect(oneProblem(`${BASE}clients:\n  - { producer: p1, topic: orders, rate: 10/s, keys: 0, tombstones: 0.1 }\n`)).toBe(
      `${FILE}:11:69: clients[0].tombstones: expected keys of at least 1 with tombstones (a tombstone deletes a key), got keys: 0`,
    );
    expect(oneProblem(`${BASE}clients:\n  - { consumer: r1, topic: orders, reread: 0s }\n`)).toBe(
      `${FILE}:11:44: clients[0].reread: expected a duration > 0, got "0s"`,
    );
  });

  it('cross-references: clients, topics, groups, partitions', () => {
    expect(oneProblem(`${BASE}clients:\n  - { producer: p1, topic: payments, rate: 10/s }\n`)).toBe(
      `${FILE}:11:28: clients[0].topic: expected a topic declared in topics (declared: orders), got "payments"`,
    );
    expect(oneProblem(`${BASE}clients:\n  - { consumer: r1, topic: orders, mode: group }\n`)).toBe(
      `${FILE}:11:5: clients[0].group: expected a group id with mode: group, like group: g1`,
    );
    expect(oneProblem(`${BASE}clients:\n  - { consumer: r1, topic: orders, mode: assign, group: g1 }\n`)).toBe(
      `${FILE}:11:57: clients[0].group: expected no group with mode: assign (use mode: group), got "g1"`,
    );
    expect(oneProblem(`${BASE}clients:\n  - { producer: b2, topic: orders, rate: 1 }\n`)).toBe(
      `${FILE}:11:17: clients[0].producer: "b2" is taken: the cluster names its brokers b1..b3; pick another client name`,
    );
    // Dedicated controllers are named c1..cN without the file saying so: a clash says where the name comes from.
    expect(oneProblem(`${BASE.replace('nodes: 3', 'nodes: 3\n  controllers: 3')}clients:\n  - { producer: c1, topic: orders, rate: 1 }\n`)).toBe(
      `${FILE}:12:17: clients[0].producer: "c1" is taken: the cluster names its brokers b1..b3 and its controllers c1..c3; pick another client name`,
    );
    expect(oneProblem(`${BASE}clients:\n  - { consumer: admin, topic: orders, mode: assign }\n`)).toBe(
      `${FILE}:11:17: clients[0].consumer: "admin" is taken by the admin client that creates the topics; pick another client name`,
    );
    expect(oneProblem(BASE.replace('replicationFactor: 3', 'replicationFactor: 4'))).toBe(
      `${FILE}:7:55: topics[0].replicationFactor: expected a replication factor of at most 3 (the number of brokers), got 4`,
    );
    expect(oneProblem(BASE.replace('crash: b1', 'partition: [[b1]]'))).toBe(
      `${FILE}:9:26: faults[0].partition: expected a list of at least 2 groups of nodes, like [[b1], rest], got a list of 1 item`,
    );
    expect(oneProblem(BASE.replace('crash: b1', 'heal: all, for: 1s'))).toBe(`${FILE}:9:31: faults[0].for: expected no "for" on heal, which cannot be undone`);
  });

  it('quotes config names in paths and checks their values', () => {
    expect(oneProblem(BASE.replace('nodes: 3', 'nodes: 3\n  config: { replica.lag.time.max.ms: [1] }'))).toBe(
      `${FILE}:6:38: cluster.config["replica.lag.time.max.ms"]: expected a string, number or boolean, got a list of 1 item`,
    );
    expect(formatPath(['faults', 2, 'partition-oneway', 'from', 0])).toBe('faults[2].partition-oneway.from[0]');
    expect(formatPath([])).toBe('(document)');
  });

  it('reports several problems at once, one per line, in file order, at most ten', () => {
    const e = errorOf(BASE.replace('name: base', 'name: Base').replace('at: 5s', 'at: soon').replace('nodes: 3', 'nodes: 3\n  extra: 1'));
    expect(e.message.split('\n')).toEqual([
      `${FILE}:2:7: name: expected a name of lowercase letters, digits and dashes like "leader-isolated", got "Base"`,
      `${FILE}:6:3: cluster.extra: unknown key "extra"; allowed keys: nodes, controllers, config`,
      `${FILE}:10:11: faults[0].at: expected a duration like "5s" or "250ms", got "soon"`,
    ]);
    const many = errorOf(`${BASE}${Array.from({ length: 15 }, (_, i) => `x${i}: 1`).join('\n')}\n`);
    expect(many.problems).toHaveLength(15);
    const lines = many.message.split('\n');
    expect(lines).toHaveLength(11);
    expect(lines[10]).toBe(`${FILE}: ... and 5 more problems`);
  });

  it('a document that is not a mapping, or empty', () => {
    expect(oneProblem('- 1\n')).toBe(`${FILE}:1:1: (document): expected a scenario mapping starting with samsa: 1, got a list of 1 item`);
    expect(oneProblem('')).toBe(`${FILE}:1:1: (document): expected a scenario mapping starting with samsa: 1, got an empty value`);
    expect(oneProblem(BASE.replace('samsa: 1', 'samsa: 2'))).toBe(`${FILE}:1:8: samsa: expected 1 (the format version), got 2`);
  });
});

describe('units', () => {
  it('parses durations, rates and probabilities', () => {
    const ok = (value: number) => ({ ok: true, value });
    expect(parseDuration('500ms')).toEqual(ok(500));
    expect(parseDuration('1.5s')).toEqual(ok(1500));
    expect(parseDuration('1.1s')).toEqual(ok(1100));
    expect(parseDuration('2m')).toEqual(ok(120_000));
    expect(parseDuration('1h')).toEqual(ok(3_600_000));
    expect(parseDuration(250)).toEqual(ok(250));
    expect(parseDuration('250')).toEqual(ok(250));
    expect(parseDuration('0s')).toEqual(ok(0));
    expect(parseDuration('0s', { positive: true }).ok).toBe(false);
    expect(parseDuration(-1)).toEqual({ ok: false, message: 'expected a duration >= 0, got -1' });
    expect(parseDuration(Number.NaN).ok).toBe(false);
    expect(parseDuration(Number.POSITIVE_INFINITY).ok).toBe(false);
    expect(parseDuration('5 s').ok).toBe(false);
    expect(parseDuration(true).ok).toBe(false);
    expect(parseRate('100/s')).toEqual(ok(100));
    expect(parseRate('6000/m')).toEqual(ok(100));
    expect(parseRate(42)).toEqual(ok(42));
    expect(parseRate('0/s').ok).toBe(false);
    expect(parseRate('10/d')).toEqual({ ok: false, message: 'expected a rate like "100/s" or "6000/m" (per ms, s, m or h), got unknown unit "d" in "10/d"' });
    expect(parseProbability(0)).toEqual(ok(0));
    expect(parseProbability(1)).toEqual(ok(1));
    expect(parseProbability(-0.1).ok).toBe(false);
    expect(parseProbability('0.5').ok).toBe(false);
  });

  test.prop([fc.nat({ max: MAX_DURATION_MS })])('a duration of n ms parses to n, also written in seconds', (n) => {
    expect(parseDuration(`${n}ms`)).toEqual({ ok: true, value: n });
    expect(parseDuration(n)).toEqual({ ok: true, value: n });
    const s = Math.floor(n / 1000);
    expect(parseDuration(`${s}s`)).toEqual({ ok: true, value: s * 1000 });
    expect(parseDuration(`${MAX_DURATION_MS + 1 + n}ms`).ok).toBe(false);
    expect(parseScenario(MINIMAL.replace('10s', `${Math.max(n, 1)}ms`), FILE, OPTIONS).durationMs).toBe(Math.max(n, 1));
  });

  test.prop([fc.integer({ min: 0, max: MAX_DURATION_MS - 1 }), fc.integer({ min: 0, max: 999 })])(
    'a duration with up to three decimals of ms parses exactly',
    (whole, frac) => {
      const text = `${whole}.${String(frac).padStart(3, '0')}`;
      expect(parseDuration(`${text}ms`)).toEqual({ ok: true, value: Number(text) });
    },
  );
});

describe('garbage in', () => {
  const check = (text: string) => {
    try {
      parseScenario(text, FILE, OPTIONS);
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      expect(e.message).not.toMatch(/\n\s+at /);
      for (const line of e.message.split('\n')) expect(line.startsWith(FILE)).toBe(true);
    }
  };

  test.prop([fc.string({ unit: 'binary', maxLength: 200 })])('random text throws only ScenarioError', check);

  // Mutations of a valid file reach far deeper into the schema than random text does.
  const yamlBits = [
    '{',
    '}',
    '[',
    ']',
    ':',
    ', ',
    '\n',
    '  ',
    '- ',
    '&a ',
    '*a',
    '!!str ',
    '~',
    'rest',
    'b9',
    '-1',
    '1e999',
    '.nan',
    '__proto__',
    'toString',
    '"',
    "'",
    '#',
  ];
  test.prop([
    fc.array(
      fc.record({ at: fc.nat({ max: FULL.length }), cut: fc.nat({ max: 5 }), insert: fc.oneof(fc.constantFrom(...yamlBits), fc.string({ maxLength: 4 })) }),
      { minLength: 1, maxLength: 4 },
    ),
  ])('mutated valid files throw only ScenarioError', (edits) => {
    let text = FULL;
    for (const { at, cut, insert } of edits) text = text.slice(0, at) + insert + text.slice(at + cut);
    check(text);
  });

  it('survives alias bombs and prototype keys', () => {
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...Array.from(
        { length: 8 },
        (_, i) =>
          `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`,
      ),
    ].join('\n');
    expect(() => parseScenario(bomb, FILE, OPTIONS)).toThrow(ScenarioError);
    expect(oneProblem(`${BASE}__proto__: { samsa: 1 }\n`)).toMatch(/__proto__: unknown key "__proto__"/);
    expect(oneProblem(BASE.replace('crash: b1', 'toString: b1'))).toMatch(/faults\[0\]\.toString: unknown key "toString"/);
  });
});
