// What the real-client suites share: which clients this machine has (CI requires them all), running a
// command with stdin, running samsa, starting `samsa cluster --faults`, waiting on a condition, and a
// partition's leader and ISR as a broker reports them, and a three-broker cluster for a describe block.

import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { LocalCluster } from '../../net/local-cluster.ts';
import { wireRequests } from '../../net/wire-request.ts';

export const SAMSA = join(import.meta.dirname, '..', '..', 'bin', 'samsa.js');

export const PYTHON = '/usr/bin/python3';
export const hasKcat = spawnSync('kcat', ['-V']).status === 0;
export const hasPython = spawnSync(PYTHON, ['-c', 'import kafka, confluent_kafka']).status === 0;
const required = process.env.SAMSA_REQUIRE_KAFKA_CLIENTS === '1';
if (required && !(hasKcat && hasPython)) throw new Error('SAMSA_REQUIRE_KAFKA_CLIENTS=1 but kcat, python3-kafka or python3-confluent-kafka is missing');

/** Runs a command to completion with stdin, resolving with stdout; rejects with stderr on a non-zero exit. */
export function run(cmd: string, args: string[], input = '', timeoutMs = 60_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(cmd, args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`${cmd} ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else resolve(stdout);
    });
    // A command that never reads its stdin (kcat -C) may close it first: that is no failure.
    child.stdin!.on('error', () => {});
    child.stdin!.end(input);
  });
}

/** The partitions' replicas and ISRs as a broker's Metadata v1 says. */
export async function partitionStates(port: number, topic: string): Promise<Array<{ partition: number; leader: number; isr: number[] }>> {
  const [metadata] = await wireRequests('127.0.0.1', port, [{ apiKey: 3, version: 1, body: { topics: [{ name: topic }] } }]);
  const t = (metadata!.topics as Array<{ partitions: Array<{ partitionIndex: number; leaderId: number; isrNodes: number[] }> }>)[0]!;
  return t.partitions.map((p) => ({ partition: p.partitionIndex, leader: p.leaderId, isr: p.isrNodes }));
}

/** How many brokers a broker's Metadata lists (KRaft lists the registered, unfenced ones). */
export async function brokersListed(port: number): Promise<number> {
  const [metadata] = await wireRequests('127.0.0.1', port, [{ apiKey: 3, version: 1, body: { topics: [] } }]);
  return (metadata!.brokers as unknown[]).length;
}

export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `samsa ARGS` with `input` on stdin to its end (killed after `timeoutMs`); never rejects, so that exit codes can be asserted. */
export function samsa(args: string[], options: { input?: string; timeoutMs?: number } = {}): Promise<Run> {
  const timeoutMs = options.timeoutMs ?? 90_000;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [SAMSA, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

/** Starts `samsa cluster --faults` (three brokers, free ports) and resolves with the process, its bootstrap servers and its fault control URL. */
export function startFaultCluster(dataDir: string, extraArgs: string[] = []): Promise<{ child: ChildProcess; bootstrap: string; control: string }> {
  const args = [SAMSA, 'cluster', '--brokers', '3', '--port', '0', '--data', dataDir, '--faults', ...extraArgs];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no bootstrap servers printed within 90 s:\n${out}`)), 90_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const bootstrap = /bootstrap servers: (\S+)/.exec(out);
      const control = /fault control: (\S+)/.exec(out);
      if (bootstrap !== null && control !== null) {
        clearTimeout(timer);
        resolve({ child, bootstrap: bootstrap[1]!, control: control[1]! });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`samsa cluster exited with ${code}:\n${out}`)));
  });
}

/**
 * A `samsa cluster` of `brokers` nodes on free ports, with `config` on every node, for the calling
 * describe block: prepared and started before its tests, stopped and its data dir removed after.
 */
export function localClusterFor(
  prefix: string,
  options: { brokers: number; config?: Record<string, string> },
): { readonly cluster: LocalCluster; readonly bootstrap: string } {
  let dir = '';
  let cluster: LocalCluster | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), prefix));
    cluster = await LocalCluster.prepare({
      brokers: options.brokers,
      dataDir: dir,
      basePort: 0,
      ...(options.config !== undefined ? { config: options.config } : {}),
    });
    cluster.startAll();
    await cluster.waitReady(60_000);
  }, 90_000);
  afterAll(async () => {
    await cluster?.stopAll();
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  }, 30_000);
  return {
    get cluster() {
      return cluster!;
    },
    get bootstrap() {
      return cluster!.bootstrapServers;
    },
  };
}

/** A three-broker `samsa cluster` on free ports for the calling describe block. */
export function threeBrokerCluster(prefix: string): { readonly cluster: LocalCluster; readonly bootstrap: string } {
  return localClusterFor(prefix, { brokers: 3 });
}
