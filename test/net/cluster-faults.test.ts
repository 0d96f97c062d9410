// `samsa cluster --faults` as `samsa check --nemesis` drives it: every link goes through a proxy (the
// nodes' replication and quorum traffic included), a cut between a partition's leader and the rest
// (POSTed to the fault control endpoint) moves the leadership, and heal brings the old leader back.

import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { partitionStates, startFaultCluster, until } from './real-helpers.ts';

async function fault(control: string, command: unknown): Promise<void> {
  const res = await fetch(control, { method: 'POST', body: JSON.stringify(command) });
  expect(res.status, await res.clone().text()).toBe(200);
}

describe('samsa cluster --faults', () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-cluster-faults-'));
  const running: ChildProcess[] = [];
  afterAll(() => {
    for (const child of running) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('a cut between a partition leader and the rest moves the leadership; heal brings the old leader back into the ISR', async () => {
    const { child, bootstrap, control } = await startFaultCluster(dir);
    running.push(child);
    const ports = bootstrap.split(',').map((hp) => Number(hp.split(':')[1]));
    const kafka = new Kafka({ clientId: 'samsa-faults', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'cut', numPartitions: 1, replicationFactor: 3 }], waitForLeaders: true });
    await admin.disconnect();
    await until('a full ISR', async () => (await partitionStates(ports[0]!, 'cut'))[0]!.isr.length === 3, 30_000);
    // acks=all: these reach the followers through the proxies of the replication links.
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'cut', acks: -1, messages: Array.from({ length: 10 }, (_, i) => ({ value: `v${i}` })) });
    await producer.disconnect();
    const leader = (await partitionStates(ports[0]!, 'cut'))[0]!.leader;
    const other = ports[leader === 1 ? 1 : 0]!;

    await fault(control, { partition: [[`b${leader}`], 'rest'] });
    const links = (await (await fetch(control)).json()) as Array<{
      from: number | string;
      to: number;
      kind: string;
      faults: { toTarget: { cut: boolean } };
      stats: { toTarget: { delivered: number } };
    }>;
    const touchesLeader = (l: (typeof links)[number]) => l.from !== 'clients' && (l.from === leader || l.to === leader);
    expect(links.filter(touchesLeader).every((l) => l.faults.toTarget.cut)).toBe(true);
    expect(links.filter((l) => !touchesLeader(l)).some((l) => l.faults.toTarget.cut)).toBe(false);
    // The nodes replicate and vote through the proxies.
    expect(links.filter((l) => l.kind === 'broker').some((l) => l.stats.toTarget.delivered > 0)).toBe(true);
    expect(links.filter((l) => l.kind === 'controller').some((l) => l.stats.toTarget.delivered > 0)).toBe(true);
    await until(
      'another leader, as the majority sees it',
      async () => {
        const p = (await partitionStates(other, 'cut'))[0]!;
        return p.leader !== leader && p.leader >= 0;
      },
      60_000,
    );

    await fault(control, { heal: 'all' });
    await until('the old leader back in the ISR', async () => (await partitionStates(other, 'cut'))[0]!.isr.includes(leader), 60_000);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  }, 240_000);
});
