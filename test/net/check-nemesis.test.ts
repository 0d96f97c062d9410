// `samsa check --nemesis` against a `samsa cluster --faults`: the fault control pauses, kills, cuts the
// power of and restarts broker processes and resolves leader-of to the partition's leader; with the leader cut off
// from the other brokers, acks=1 loses acknowledged writes and the check reports it (exit 1), while
// acks=all with min.insync.replicas 2 loses nothing (exit 0), with the faults written into the history.

import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventLine } from '../../core/trace/schema.ts';
import { readEventLines } from '../../trace/reader.ts';
import { brokersListed, partitionStates, samsa, startFaultCluster, until, type Run } from './real-helpers.ts';

interface Broker {
  id: number;
  running: boolean;
  paused: boolean;
}

/** The leader of the check topic's partition 0 is cut off from the other brokers (not from the clients) for 8 s, well past the 3 s broker session. */
const ISOLATED_LEADER = `samsa: 1
name: isolated-leader-test
duration: 14s
cluster: { nodes: 3 }
topics:
  - { name: nemesis, partitions: 2, replicationFactor: 3, config: { min.insync.replicas: 2 } }
faults:
  - { at: 2s, partition: [[leader-of: nemesis/0], rest], for: 8s }
`;

describe('samsa check --nemesis', () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-check-nemesis-'));
  let cluster: { child: ChildProcess; bootstrap: string; control: string };
  let base: string;
  const brokers = async () => (await (await fetch(`${base}/brokers`)).json()) as Broker[];
  const post = async (command: unknown) => {
    const res = await fetch(`${base}/faults`, { method: 'POST', body: JSON.stringify(command) });
    const body = (await res.json()) as { applied?: { id: number; nodes: number[]; disk?: Record<string, unknown[]> }; error?: string };
    expect(res.status, JSON.stringify(body)).toBe(200);
    return body.applied!;
  };

  beforeAll(async () => {
    // A 3 s broker session (Kafka's default is 9 s): the controller fences a cut-off leader sooner, so the test is shorter.
    cluster = await startFaultCluster(join(dir, 'cluster'), ['--config', 'broker.session.timeout.ms=3000', '--config', 'broker.heartbeat.interval.ms=500']);
    base = cluster.control.replace(/\/faults$/, '');
  }, 120_000);
  afterAll(() => {
    cluster?.child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('the fault control pauses, resumes, kills, cuts the power of and restarts brokers, and resolves leader-of to the leader', async () => {
    expect((await brokers()).map((b) => [b.running, b.paused])).toEqual([
      [true, false],
      [true, false],
      [true, false],
    ]);
    const paused = await post({ pause: ['b2'] });
    expect(paused.nodes).toEqual([2]);
    expect((await brokers())[1]).toEqual({ id: 2, running: true, paused: true });
    await post({ undo: paused.id });
    expect((await brokers())[1]!.paused).toBe(false);
    // A crash `for` 1 s: down, then started again by the control itself.
    await post({ crash: ['b3'], for: '1s' });
    expect((await brokers())[2]!.running).toBe(false);
    await until('b3 restarted when its for ended', async () => (await brokers())[2]!.running, 10_000);
    // A power loss: SIGKILL, then the log dir rolled back to what was fsynced (net/power-loss.ts).
    const lost = await post({ 'power-loss': ['b1'] });
    expect(lost.nodes).toEqual([1]);
    expect((await brokers())[0]!.running).toBe(false);
    await post({ undo: lost.id });
    expect((await brokers())[0]!.running).toBe(true);
    // A topic of replication factor 3 needs all three registered and unfenced again.
    await until('every broker unfenced', async () => (await brokersListed(port())) === 3, 60_000);
    // leader-of names the leader the brokers report (a topic created by a short check run). The
    // broker asked above may list all three before the controller has unfenced the restarted one,
    // and a loaded machine can delay a heartbeat past the 3 s session: creation is retried while
    // the controller counts fewer than three unfenced brokers.
    const check = ['check', '--bootstrap', cluster.bootstrap, '--topic', 'nemesis', '--partitions', '2', '--replication-factor', '3', '--duration', '1s'];
    let created = await samsa(check);
    for (const deadline = Date.now() + 30_000; created.code !== 0 && /INVALID_REPLICATION_FACTOR/.test(created.stderr) && Date.now() < deadline;) {
      await new Promise((r) => setTimeout(r, 500));
      created = await samsa(check);
    }
    expect(created.code, created.stdout + created.stderr).toBe(0);
    const leader = (await partitionStates(port(), 'nemesis')).find((p) => p.partition === 0)!.leader;
    const crashed = await post({ crash: [{ 'leader-of': 'nemesis/0' }] });
    expect(crashed.nodes).toEqual([leader]);
    await post({ recover: 'all' });
    await until('every broker running', async () => (await brokers()).every((b) => b.running && !b.paused), 10_000);
    await fullIsr();
    const bad = await fetch(`${base}/faults`, { method: 'POST', body: '{"crash": ["b9"]}' });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/crash\[0\]: expected b1\.\.b3/);
  }, 120_000);

  const port = () => Number(cluster.bootstrap.split(',')[0]!.split(':')[1]);
  /** Every partition of the topic led and fully in sync: a cut of its leader then moves the leadership (and with acks=1 loses what the old one took). */
  const fullIsr = () =>
    until(
      'a full ISR on every partition of nemesis',
      async () => {
        const states = await partitionStates(port(), 'nemesis');
        return states.length > 0 && states.every((p) => p.leader >= 0 && p.isr.length === 3);
      },
      60_000,
    );

  const check = async (acks: string, history: string): Promise<Run> => {
    await fullIsr();
    const scenario = join(dir, 'isolated-leader.yaml');
    writeFileSync(scenario, ISOLATED_LEADER);
    return samsa(
      [
        'check',
        ...['--bootstrap', cluster.bootstrap, '--topic', 'nemesis', '--duration', '14s', '--rate', '300', '--acks', acks],
        ...['--nemesis', scenario, '--fault-control', cluster.control, '--history', history, '--json'],
      ],
      { timeoutMs: 150_000 },
    );
  };

  it('with acks=1 a leader cut off from its followers acknowledges writes that are then lost: exit 1, lost-write', async () => {
    const run = await check('1', join(dir, 'acks1.jsonl'));
    const result = JSON.parse(run.stdout.trim().split('\n').pop()!) as {
      valid: boolean;
      violationCounts: Record<string, number>;
      nemesis: { applied: number };
    };
    expect(run.code, run.stderr).toBe(1);
    expect(result.valid).toBe(false);
    expect(result.violationCounts['lost-write']).toBeGreaterThan(0);
    expect(result.nemesis.applied).toBe(1);
  }, 180_000);

  it('with acks=all and min.insync.replicas 2 the same fault loses nothing: exit 0, and the history holds the cut and its heal', async () => {
    const history = join(dir, 'acks-all.jsonl');
    const run = await check('all', history);
    const result = JSON.parse(run.stdout.trim().split('\n').pop()!) as { valid: boolean; counts: { acknowledged: number }; finalReadComplete: boolean };
    expect(run.code, run.stderr + run.stdout).toBe(0);
    expect(result.valid).toBe(true);
    expect(result.finalReadComplete).toBe(true);
    expect(result.counts.acknowledged).toBeGreaterThan(1000);
    const faults = [...readEventLines(history)].filter((l: EventLine) => l.kind === 'partition' || l.kind === 'heal').map((l) => l.kind);
    expect(faults).toEqual(['partition', 'heal', 'heal']); // the cut, its end, and the recovery before the drain
  }, 180_000);
});
