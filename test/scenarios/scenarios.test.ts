// Every scenario file as `samsa run` runs it: each seeded bug's scenario trips exactly the
// checkers it expects (and nothing without its bug), and every plain scenario reports nothing over
// several seeds.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SAFETY_CHECKERS } from '../../models/checker-suite.ts';
import { LIVENESS_CHECKERS } from '../../models/checkers/liveness.ts';
import { KNOWN_BUGS } from '../../core/bugs.ts';
import { replayTrace } from '../../sim/replay.ts';
import { ScenarioSetupError } from '../../sim/scenario/cluster.ts';
import { loadScenario, parseScenario } from '../../sim/scenario/parse.ts';
import { runScenario } from '../../sim/scenario/run.ts';
import type { Fault, KafkaConfig, Scenario } from '../../sim/scenario/types.ts';
import { FileSink } from '../../trace/sink.ts';

const root = join(import.meta.dirname, '..', '..');
const load = (path: string) => loadScenario(join(root, path), { knownBugs: KNOWN_BUGS });
const yamlFiles = (dir: string) =>
  readdirSync(join(root, dir))
    .filter((f) => f.endsWith('.yaml'))
    .sort();

describe('bug scenarios', () => {
  const files = yamlFiles('scenarios/bugs');

  it('exist for every seeded bug', () => {
    expect(files.map((f) => f.replace(/\.yaml$/, ''))).toEqual([...KNOWN_BUGS].sort());
  });

  it('together trip every checker: each checker ships with a seeded bug it catches', () => {
    const tripped = new Set(files.flatMap((f) => load(`scenarios/bugs/${f}`).expect.violations));
    const checkers = [...new Set([...SAFETY_CHECKERS, ...LIVENESS_CHECKERS].map((c) => c.name))];
    expect(checkers.filter((name) => !tripped.has(name))).toEqual([]);
  });

  for (const file of files) {
    it(`${file} trips exactly the checkers it expects, and none without its bug`, () => {
      const scenario = load(`scenarios/bugs/${file}`);
      expect(scenario.bugs).toEqual([file.replace(/\.yaml$/, '')]);
      expect(scenario.expect.violations.length).toBeGreaterThan(0);
      const result = runScenario(scenario);
      expect(Object.keys(result.violationCounts).sort()).toEqual([...scenario.expect.violations].sort());
      expect(result.expectationMet).toBe(true);
      const withoutBug = runScenario({ ...scenario, bugs: [] });
      expect(withoutBug.violations.map((v) => `${v.name}: ${v.message}`)).toEqual([]);
    });
  }
});

// Each config scenario with the setting that causes its loss made safe: the loss must go away.
const withTopicConfig = (s: Scenario, config: KafkaConfig): Scenario => ({ ...s, topics: s.topics.map((t) => ({ ...t, config: { ...t.config, ...config } })) });
const SAFE_VARIANTS: Record<string, (s: Scenario) => Scenario> = {
  'acks1-leader-crash': (s) => ({ ...s, clients: s.clients.map((c) => (c.kind === 'producer' ? { ...c, config: { ...c.config, acks: 'all' } } : c)) }),
  'no-fsync-power-loss': (s) => withTopicConfig(s, { 'flush.messages': 1 }),
  'unclean-leader-election': (s) => withTopicConfig(s, { 'unclean.leader.election.enable': false }),
  'jepsen-2013': (s) => withTopicConfig(s, { 'unclean.leader.election.enable': false, 'min.insync.replicas': 2 }),
};

describe('config scenarios: the documented losses of legitimate settings', () => {
  const files = yamlFiles('scenarios/configs');

  it('each has a safe variant', () => {
    expect(files.map((f) => f.replace(/\.yaml$/, ''))).toEqual(Object.keys(SAFE_VARIANTS).sort());
  });

  for (const file of files) {
    it(`${file} loses acknowledged writes with its setting, and nothing once the setting is safe`, () => {
      const scenario = load(`scenarios/configs/${file}`);
      expect(scenario.bugs).toEqual([]);
      expect(scenario.expect.violations).toContain('lost-write');
      const result = runScenario(scenario);
      expect(Object.keys(result.violationCounts).sort()).toEqual([...scenario.expect.violations].sort());
      const safe = runScenario(SAFE_VARIANTS[file.replace(/\.yaml$/, '')]!(scenario));
      expect(safe.violations.map((v) => `${v.name}: ${v.message}`)).toEqual([]);
      expect(safe.convergedAtMs).not.toBeNull();
    });
  }
});

describe('regression scenarios: failures the explorer and the property tests found, now fixed', () => {
  for (const file of yamlFiles('scenarios/regressions')) {
    it(`${file} runs clean with its seed`, () => {
      const result = runScenario(load(`scenarios/regressions/${file}`));
      expect(result.violations.map((v) => `${v.name}: ${v.message}`)).toEqual([]);
      expect(result.convergedAtMs).not.toBeNull();
    });
  }
});

describe('controlled shutdown: rolling-restart.yaml', () => {
  it('stopping each broker in turn leaves no partition without a leader and loses nothing; crashing them instead leaves partitions leaderless for seconds', () => {
    const scenario = load('scenarios/rolling-restart.yaml');
    expect(scenario.faults.map((f) => f.kind)).toEqual(['stop', 'stop', 'stop']);
    const stopped = runScenario(scenario);
    expect(stopped.violations).toEqual([]);
    expect(stopped.protocol.acknowledged).toBe(stopped.protocol.sends);
    expect(Object.keys(stopped.leaderlessMs)).toEqual(['orders/0', 'orders/1', 'orders/2']);
    expect(Math.max(...Object.values(stopped.leaderlessMs))).toBeLessThan(100);
    // One broker at a time.
    expect(stopped.faults.map((f) => f.nodes)).toEqual([['b1'], ['b2'], ['b3']]);
    const crashed = runScenario({ ...scenario, faults: scenario.faults.map((f): Fault => (f.kind === 'stop' ? { ...f, kind: 'crash' } : f)) });
    expect(crashed.violations).toEqual([]);
    expect(Math.max(...Object.values(crashed.leaderlessMs))).toBeGreaterThan(5_000);
  });
});

describe('plain scenarios', () => {
  // scenarios/real/ holds the fault schedules `samsa check --nemesis` gives a real cluster; in the simulator they run clean too.
  for (const file of [...yamlFiles('scenarios'), ...yamlFiles('scenarios/real').map((f) => `real/${f}`)]) {
    it(`${file} reports no violation with its seed and two more`, () => {
      const scenario = load(`scenarios/${file}`);
      for (const seed of [scenario.seed, scenario.seed + 101, scenario.seed + 202]) {
        const result = runScenario(scenario, { seed });
        expect(result.violations.map((v) => `seed ${seed}: ${v.name}: ${v.message}`)).toEqual([]);
        expect(result.topicsCreatedAtMs).not.toBeNull();
        expect(result.convergedAtMs).not.toBeNull();
      }
    });
  }

  it('a scenario run replays identically from its trace alone', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'samsa-scenario-')), 'quickstart.jsonl');
    const run = runScenario(load('scenarios/quickstart.yaml'), { seed: 7, trace: new FileSink(path) });
    const replay = replayTrace(path);
    expect(replay).toMatchObject({ identical: true, recordedHash: run.traceHash, replayedHash: run.traceHash });
  });

  it('configs are checked when the file is read, each error naming file, line and field, and bad values of every topic config', () => {
    const base = 'samsa: 1\nname: x\nduration: 1s\ncluster: { nodes: 1 }\ntopics: [{ name: t, partitions: 1, replicationFactor: 1 }]\nclients:\n';
    const read = (text: string) => () => parseScenario(text, 'x.yaml', { knownBugs: KNOWN_BUGS });
    expect(read(base + '  - { producer: p1, topic: t, rate: 1/s, config: { acks: 2 } }')).toThrow(/^x\.yaml:7:\d+: clients\[0\]\.config\.acks: /);
    expect(read(base + '  - { producer: p1, topic: t, rate: 1/s, config: { acks: 1, enable.idempotence: true } }')).toThrow(
      /^x\.yaml:7:\d+: clients\[0\]\.config: enable\.idempotence=true needs acks must be all/,
    );
    expect(read(base + '  - { consumer: r1, topic: t, config: { max.poll.records: 0 } }')).toThrow(
      /^x\.yaml:7:\d+: clients\[0\]\.config\["max\.poll\.records"\]: /,
    );
    expect(read(base + '  - { consumer: r1, topic: t, config: { isolation.level: dirty } }')).toThrow(
      /^x\.yaml:7:\d+: clients\[0\]\.config\["isolation\.level"\]: .*must be one of read_uncommitted, read_committed/,
    );
    expect(read(base + '  - { consumer: r1, topic: t, group: g1, config: { session.timeout.ms: 1000 } }')).toThrow(
      /^x\.yaml:7:\d+: clients\[0\]\.config: consumer config "heartbeat\.interval\.ms" \(3000\) must be lower than "session\.timeout\.ms" \(1000\)/,
    );
    expect(read(base + '  - { consumer: r1, topic: t, config: { group.id: g1 } }')).toThrow(
      /^x\.yaml:7:\d+: clients\[0\]\.config\["group\.id"\]: expected the group id as group:/,
    );
    const topics = (config: string) =>
      `samsa: 1\nname: x\nduration: 1s\ncluster: { nodes: 1 }\ntopics:\n  - { name: t, partitions: 1, replicationFactor: 1, config: { ${config} } }\n`;
    for (const [config, problem] of [
      ['cleanup.policy: shred', /must be a comma-separated list of delete, compact, got "shred"/],
      ['retention.ms: -2', /must be at least -1/],
      ['segment.bytes: 100', /must be at least 1048576, got "100"/],
      ['segment.ms: 0', /must be at least 1/],
      ['segment.index.bytes: 2', /must be at least 4/],
      ['index.interval.bytes: -1', /must be at least 0/],
      ['min.cleanable.dirty.ratio: 2', /must be between 0 and 1/],
      ['max.compaction.lag.ms: 0', /must be at least 1/],
      ['compression.type: brotli', /must be one of uncompressed, zstd, lz4, snappy, gzip, producer/],
      ['max.message.bytes: 1.5', /must be an integer/],
      ['message.timestamp.type: BrokerTime', /must be one of CreateTime, LogAppendTime/],
    ] as const) {
      const name = config.split(':')[0]!.replace(/\./g, '\\.');
      expect(read(topics(config))).toThrow(new RegExp(`^x\\.yaml:6:\\d+: topics\\[0\\]\\.config\\["${name}"\\]: .*${problem.source}`));
    }
    const every =
      'cleanup.policy: "compact,delete", retention.ms: 1000, retention.bytes: 10, segment.bytes: 1048576, segment.ms: 10, segment.index.bytes: 4096, ' +
      'index.interval.bytes: 100, min.cleanable.dirty.ratio: 0.1, min.compaction.lag.ms: 5, max.compaction.lag.ms: 100000, delete.retention.ms: 10, ' +
      'file.delete.delay.ms: 0, compression.type: gzip, max.message.bytes: 10, message.timestamp.type: LogAppendTime, internal.segment.bytes: 1000';
    expect(read(topics(every))().topics[0]!.config).toMatchObject({ 'segment.bytes': 1048576, 'message.timestamp.type': 'LogAppendTime' });
    expect(read(topics('no.such.config: 1'))).toThrow(/^x\.yaml:6:\d+: topics\[0\]\.config\["no\.such\.config"\]: unknown topic config/);
    expect(read('samsa: 1\nname: x\nduration: 1s\ncluster: { nodes: 1, config: { no.such.config: 1 } }\n')).toThrow(
      /^x\.yaml:4:\d+: cluster\.config\["no\.such\.config"\]: unknown config/,
    );
  });

  it('a scenario built in code (not read from a file) still has its configs checked before the run', () => {
    const scenario = parseScenario('samsa: 1\nname: x\nduration: 1s\ncluster: { nodes: 1 }\n', 'x.yaml', { knownBugs: KNOWN_BUGS });
    const bad = { ...scenario, cluster: { ...scenario.cluster, config: { 'no.such.config': 1 } } };
    expect(() => runScenario(bad)).toThrow(ScenarioSetupError);
    expect(() => runScenario(bad)).toThrow(/unknown config "no\.such\.config"/);
  });
});
