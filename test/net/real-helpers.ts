// What the real-client suites share: which clients this machine has (CI requires them all), running a
// command with stdin, waiting on a condition, and a partition's leader and ISR as a broker reports them.

import { execFile, spawnSync } from 'node:child_process';
import { wireRequests } from '../../net/wire-request.ts';

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

export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
