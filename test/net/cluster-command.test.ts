// `samsa cluster` as a user runs it: it prints its bootstrap servers, Ctrl-C stops it cleanly (exit 0),
// and a second start over the same --data serves the records written before (the logs recovered);
// producing to a topic nobody created creates it (auto.create.topics.enable); with --trace DIR the
// broker traces each incarnation to its own file, ended by a summary on a clean stop; a broker whose
// `samsa cluster` dies, even by SIGKILL, stops too rather than live on orphaned.
// kcat is the client; without it the suite is skipped unless SAMSA_REQUIRE_KAFKA_CLIENTS=1.

import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { wireRequests } from '../../net/wire-request.ts';

const SAMSA = fileURLToPath(new URL('../../bin/samsa.js', import.meta.url));
const hasKcat = spawnSync('kcat', ['-V']).status === 0;
if (process.env.SAMSA_REQUIRE_KAFKA_CLIENTS === '1' && !hasKcat) throw new Error('SAMSA_REQUIRE_KAFKA_CLIENTS=1 but kcat is missing');

/** Starts `samsa cluster` and resolves with the process and the bootstrap servers it prints. */
function startCluster(dataDir: string, traceDir: string): Promise<{ child: ChildProcess; bootstrap: string }> {
  const child = spawn(process.execPath, [SAMSA, 'cluster', '--brokers', '1', '--port', '0', '--data', dataDir, '--trace', traceDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no bootstrap servers printed within 60 s:\n${out}`)), 60_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const m = /bootstrap servers: (\S+)/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve({ child, bootstrap: m[1]! });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`samsa cluster exited with ${code}:\n${out}`)));
  });
}

const traceLines = (path: string) =>
  readFileSync(path, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

/** Sends SIGINT (Ctrl-C) and resolves with the exit code. */
function interrupt(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.kill('SIGINT');
  });
}

/** Creates a topic of one partition through the broker (CreateTopics v3); a single broker is its own controller. */
async function createTopic(bootstrap: string, name: string): Promise<number> {
  const [host, port] = bootstrap.split(',')[0]!.split(':');
  const body = { topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 10_000, validateOnly: false };
  const [response] = await wireRequests(host!, Number(port), [{ apiKey: 19, version: 3, body }]);
  return (response!.topics as Array<{ errorCode: number }>)[0]!.errorCode;
}

describe.skipIf(!hasKcat)('samsa cluster', () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-cluster-cmd-'));
  const running: ChildProcess[] = [];
  afterAll(() => {
    for (const child of running) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints its bootstrap servers, stops on Ctrl-C with exit 0, and a second start recovers what was written', async () => {
    const traces = join(dir, 'traces');
    const first = await startCluster(join(dir, 'data'), traces);
    running.push(first.child);
    let created = -1;
    for (let tries = 0; tries < 50 && created !== 0; tries++) {
      created = await createTopic(first.bootstrap, 'kept').catch(() => -1);
      if (created !== 0) await new Promise((r) => setTimeout(r, 200));
    }
    expect(created).toBe(0);
    const lines = Array.from({ length: 20 }, (_, i) => `k${i}:v${i}`).join('\n') + '\n';
    execFileSync('kcat', ['-b', first.bootstrap, '-P', '-t', 'kept', '-K:', '-X', 'acks=all'], { input: lines, timeout: 30_000 });
    expect(await interrupt(first.child)).toBe(0);
    const firstTrace = traceLines(join(traces, 'b1.jsonl'));
    expect(firstTrace[0]).toMatchObject({ samsa: 1, config: { runtime: 'real', node: '1', incarnation: 1 } });
    expect(firstTrace[1]).toMatchObject({ node: '1', kind: 'start', incarnation: 1 });
    expect(firstTrace.some((l) => l.kind === 'partition-append' && l.topic === 'kept')).toBe(true);
    expect(firstTrace.slice(-3).map((l) => l.kind)).toEqual(['stop', 'crash', 'summary']);

    const second = await startCluster(join(dir, 'data'), traces);
    running.push(second.child);
    expect(second.bootstrap).toBe(first.bootstrap);
    const read = execFileSync('kcat', ['-b', second.bootstrap, '-C', '-t', 'kept', '-o', 'beginning', '-e', '-q', '-f', '%k=%s\n'], {
      timeout: 30_000,
    }).toString();
    expect(read.trim().split('\n')).toEqual(Array.from({ length: 20 }, (_, i) => `k${i}=v${i}`));
    // auto.create.topics.enable (true by default, as in Kafka): producing to a topic nobody created creates it.
    execFileSync('kcat', ['-b', second.bootstrap, '-P', '-t', 'auto-created', '-X', 'acks=all'], { input: 'a\nb\nc\n', timeout: 30_000 });
    const auto = execFileSync('kcat', ['-b', second.bootstrap, '-C', '-t', 'auto-created', '-o', 'beginning', '-e', '-q'], { timeout: 30_000 }).toString();
    expect(auto.trim().split('\n')).toEqual(['a', 'b', 'c']);
    expect(await interrupt(second.child)).toBe(0);
    const secondTrace = traceLines(join(traces, 'b1.2.jsonl'));
    expect(secondTrace[1]).toMatchObject({ node: '1', kind: 'restart', incarnation: 2 });
    expect(secondTrace.at(-1)).toMatchObject({ kind: 'summary' });
  }, 120_000);

  it('a broker stops cleanly when its samsa cluster is killed with SIGKILL (no orphaned broker)', async () => {
    const traces = join(dir, 'orphan-traces');
    const { child, bootstrap } = await startCluster(join(dir, 'orphan-data'), traces);
    running.push(child);
    const [host, port] = bootstrap.split(':');
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    // The broker sees its IPC channel close, stops and ends its trace as on Ctrl-C; its port closes.
    const deadline = Date.now() + 15_000;
    while (await canConnect(host!, Number(port))) {
      if (Date.now() > deadline) throw new Error(`the broker at ${bootstrap} still listens 15 s after its cluster was killed`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const trace = traceLines(join(traces, 'b1.jsonl'));
    expect(trace.find((l) => l.kind === 'stop')).toMatchObject({ graceful: true });
    expect(trace.at(-1)).toMatchObject({ kind: 'summary' });
  }, 60_000);
});

/** Whether something accepts a TCP connection at host:port. */
function canConnect(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
