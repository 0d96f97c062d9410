// `samsa check` as a user runs it: against a clean three-broker `samsa cluster` and against librdkafka's
// mock cluster it finds nothing, reads back every acknowledged write and writes a history the visualizer
// opens; the same checkers find the loss when a recorded real history lacks an acknowledged write; a
// cluster that cannot be reached is one line and exit 64.

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rdkafkaMockMissing, startRdkafkaMock, type RunningMock } from '../../bench/peer/rdkafka-mock.ts';
import type { EventLine } from '../../core/trace/schema.ts';
import { CheckerSuite } from '../../models/checker-suite.ts';
import { ProduceOps } from '../../models/history/produce-ops.ts';
import { LocalCluster } from '../../net/local-cluster.ts';
import { readEventLines } from '../../trace/reader.ts';
import { startVizServer } from '../../viz/server/start.ts';
import { samsa, type Run } from './real-helpers.ts';

const mockMissing = rdkafkaMockMissing();
if (process.env.SAMSA_REQUIRE_KAFKA_CLIENTS === '1' && mockMissing !== null) throw new Error(`SAMSA_REQUIRE_KAFKA_CLIENTS=1 but ${mockMissing}`);

interface CheckJson {
  bootstrap: string;
  topic: string;
  durationMs: number;
  violations: Array<{ name: string; message: string }>;
  counts: { sends: number; acknowledged: number; failed: number; unknown: number; consumed: number };
  finalReadComplete: boolean;
  valid: boolean | 'unknown';
}

const lastJson = (r: Run) => JSON.parse(r.stdout.trim().split('\n').pop()!) as CheckJson;

type ClientLine = Extract<EventLine, { kind: 'client' }>;
const clientLines = (path: string): ClientLine[] => [...readEventLines(path)].filter((l): l is ClientLine => l.kind === 'client');

/** The values of acknowledged sends, and per consumer the values its polls returned. */
function writesAndReads(lines: readonly ClientLine[]): { acknowledged: string[]; readBy: Map<string, Set<string>> } {
  // The producers write their history per request (models/history/produce-ops.ts): expanded to one send per record.
  const produceOps = new ProduceOps();
  const acknowledged = lines
    .flatMap((l) =>
      l.op === 'produce' ? produceOps.expand({ process: l.node, op: l.op, type: l.type, id: l.id, step: l.i, value: l.value }).map((s) => s.op) : [],
    )
    .filter((op) => op.type === 'ok')
    .map((op) => (op.value as { value: string }).value);
  const readBy = new Map<string, Set<string>>();
  for (const l of lines) {
    if (l.op !== 'poll' || l.type !== 'ok') continue;
    const seen = readBy.get(l.node) ?? new Set<string>();
    for (const r of (l.value as { records: Array<[string, number, number, string | null, string]> }).records) seen.add(r[4]);
    readBy.set(l.node, seen);
  }
  return { acknowledged, readBy };
}

/** The history checkers' verdict on recorded client lines, fed as `samsa check` feeds them. */
function judge(lines: readonly EventLine[]): string[] {
  const suite = new CheckerSuite({ replicaEvents: false });
  for (const l of lines) suite.observe(l.i, l.node ?? null, l as never);
  suite.finish(true);
  return suite.violations.map((v) => `${v.name}: ${v.message}`);
}

describe('samsa check against a clean three-broker samsa cluster', () => {
  let dir: string;
  let cluster: LocalCluster;
  let history: string;
  let run: Run;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'samsa-check-'));
    history = join(dir, 'history.jsonl');
    cluster = await LocalCluster.prepare({ brokers: 3, dataDir: join(dir, 'cluster'), basePort: 0 });
    cluster.startAll();
    await cluster.waitReady(60_000);
    run = await samsa([
      'check',
      '--bootstrap',
      cluster.bootstrapServers,
      '--topic',
      'jepsen',
      '--partitions',
      '3',
      '--replication-factor',
      '3',
      '--duration',
      '10s',
      '--rate',
      '50',
      '--producers',
      '2',
      '--consumers',
      '2',
      '--acks',
      'all',
      '--history',
      history,
      '--json',
    ]);
  }, 150_000);

  afterAll(async () => {
    await cluster?.stopAll();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('finds nothing, exit 0, and says so', () => {
    expect(run.stderr).toMatch(/no violations/);
    expect(run.code, run.stderr).toBe(0);
    const result = lastJson(run);
    expect(result).toMatchObject({ bootstrap: cluster.bootstrapServers, topic: 'jepsen', violations: [], valid: true, finalReadComplete: true });
    expect(result.durationMs).toBeGreaterThanOrEqual(10_000);
    expect(result.counts.acknowledged).toBeGreaterThan(500);
    expect(result.counts.failed + result.counts.unknown).toBe(0);
  });

  it('every acknowledged write was read back by every consumer', () => {
    const { acknowledged, readBy } = writesAndReads(clientLines(history));
    expect(acknowledged.length).toBe(lastJson(run).counts.acknowledged);
    expect([...readBy.keys()].sort()).toEqual(['c1', 'c2']);
    for (const seen of readBy.values()) expect(acknowledged.filter((v) => !seen.has(v))).toEqual([]);
  });

  it('the checkers find a lost write in the same real history with one acknowledged write taken out of every read', () => {
    const lines = [...readEventLines(history)];
    expect(judge(lines)).toEqual([]);
    const { acknowledged } = writesAndReads(clientLines(history));
    const victim = acknowledged[Math.floor(acknowledged.length / 2)]!;
    const withoutVictim = lines.map((l) => {
      if (l.kind !== 'client' || l.op !== 'poll' || l.type !== 'ok') return l;
      const records = (l.value as { records: Array<[string, number, number, string | null, string]> }).records;
      return { ...l, value: { records: records.filter((r) => r[4] !== victim) } };
    });
    const found = judge(withoutVictim);
    expect(
      found.some((v) => v.startsWith('lost-write:') && v.includes(`'${victim}'`)),
      found.join('\n'),
    ).toBe(true);
  });

  it('writes a history the visualizer opens, one lane per client', async () => {
    const viz = await startVizServer({ traces: [history], cwd: dir, host: '127.0.0.1', port: 0 });
    try {
      const list = (await (await fetch(new URL('api/traces', viz.url))).json()) as { traces: Array<{ id: string }> } | Array<{ id: string }>;
      const id = (Array.isArray(list) ? list : list.traces)[0]!.id;
      const meta = (await (await fetch(new URL(`api/traces/${id}/meta`, viz.url))).json()) as { lanes: Array<{ id: string }>; header: { scenario: string } };
      expect(meta.header.scenario).toBe('check');
      expect(meta.lanes.map((l) => l.id).sort()).toEqual(['c1', 'c2', 'p1', 'p2']);
    } finally {
      await viz.close();
    }
  });
});

describe.skipIf(mockMissing !== null)("samsa check against librdkafka's mock cluster", () => {
  let dir: string;
  let mock: RunningMock;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'samsa-check-mock-'));
    mock = await startRdkafkaMock(dir, 3);
  }, 60_000);

  afterAll(() => {
    mock?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs clean without a nemesis (the topic created on use, as the mock does), and again on the same topic', async () => {
    const check = () => samsa(['check', '--bootstrap', mock.bootstrap, '--topic', 'mocked', '--duration', '4s', '--rate', '50', '--consumers', '2', '--json']);
    for (const round of ['first', 'again']) {
      const run = await check();
      expect(run.code, `${round}: ${run.stderr}`).toBe(0);
      const result = lastJson(run);
      // Again: the earlier run's values (the same p1-<n>) are in the topic, and are not read as this run's.
      expect(result, round).toMatchObject({ violations: [], valid: true, finalReadComplete: true });
      expect(result.counts.acknowledged).toBeGreaterThan(100);
      expect(result.counts.consumed).toBe(2 * result.counts.acknowledged);
    }
  }, 120_000);

  it('reads back what an acks=0 producer wrote (each client on its own connections)', async () => {
    const run = await samsa([
      'check',
      '--bootstrap',
      mock.bootstrap,
      '--topic',
      'fire-and-forget',
      '--acks',
      '0',
      '--duration',
      '3s',
      '--rate',
      '50',
      '--json',
    ]);
    expect(run.code, run.stderr).toBe(0);
    const result = lastJson(run);
    expect(result).toMatchObject({ violations: [], valid: true, finalReadComplete: true });
    expect(result.counts.consumed).toBe(result.counts.acknowledged);
  }, 60_000);
});

describe('samsa check without a cluster', () => {
  it('says in one line that the cluster cannot be reached, exit 64', async () => {
    const port = await new Promise<number>((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    const run = await samsa(['check', '--bootstrap', `127.0.0.1:${port}`, '--timeout', '2s', '--duration', '1s']);
    expect(run.code).toBe(64);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(new RegExp(`cannot reach the cluster at 127\\.0\\.0\\.1:${port}`));
  }, 30_000);

  it('has --help naming its options', async () => {
    const run = await samsa(['check', '--help']);
    expect(run.code).toBe(0);
    for (const option of ['--bootstrap', '--topic', '--duration', '--rate', '--acks', '--producers', '--consumers', '--history', '--json']) {
      expect(run.stdout).toContain(option);
    }
  }, 30_000);

  it('refuses bad arguments, exit 64', async () => {
    const run = await samsa(['check', '--bootstrap', '127.0.0.1:9', '--acks', '2']);
    expect(run.code).toBe(64);
    expect(run.stderr).toMatch(/--acks: expected all, -1, 1 or 0, got "2"/);
    // A nemesis is checked before anything connects: kinds a real cluster cannot take, faults on another topic, no fault control.
    const control = ['--fault-control', 'http://127.0.0.1:9/faults'];
    const nemesis = async (args: string[]) => (await samsa(['check', '--bootstrap', '127.0.0.1:9', ...args])).stderr;
    expect(await nemesis(['--nemesis', 'crash,loss', ...control])).toMatch(
      /unknown fault kind "loss" \(a fault the simulator has, but a real cluster cannot be given\)/,
    );
    expect(await nemesis(['--nemesis', 'crsh', ...control])).toMatch(/unknown fault kind "crsh" \(did you mean "crash"\?\)/);
    expect(await nemesis(['--nemesis', 'scenarios/quickstart.yaml', ...control])).toMatch(/names leader-of orders\/0, but the topic checked is samsa-check/);
    expect(await nemesis(['--nemesis', 'crash'])).toMatch(/--nemesis: needs --fault-control/);
  }, 30_000);
});
