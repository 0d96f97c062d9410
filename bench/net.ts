// `samsa bench net`: one client load, kcat (librdkafka) producing 100-byte records, against a local
// three-broker `samsa cluster` and against librdkafka's mock cluster (an in-memory C Kafka that does not
// replicate) in the same run: records/s and MB/s for acks=1 and for acks=all on a topic of replication
// factor 3, and Samsa's figure as a fraction of the mock's.

import { execFileSync, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalCluster } from '../net/local-cluster.ts';
import { rdkafkaMockMissing, startRdkafkaMock } from './peer/rdkafka-mock.ts';
import { wireRequests } from '../net/wire-request.ts';

const RECORD_BYTES = 100;
const PARTITIONS = 3;
const TOPIC_ALREADY_EXISTS = 36;

export interface NetBenchLoad {
  target: 'samsa' | 'rdkafka-mock';
  acks: '1' | 'all';
  records: number;
  wallMs: number;
  recordsPerSec: number;
  mbPerSec: number;
}

export interface NetBenchResult {
  records: number;
  recordBytes: number;
  loads: NetBenchLoad[];
  /** Samsa's records/s over the mock's, per acks setting. */
  ratios: Record<'1' | 'all', number>;
}

/** Why the benchmark cannot run on this machine, or null when it can. */
export function netBenchMissing(): string | null {
  if (spawnSync('kcat', ['-V']).status !== 0) return 'kcat is not installed (apt-get install kcat)';
  return rdkafkaMockMissing();
}

/**
 * Creates a topic of 3 partitions with replication factor 3 (CreateTopics v3), asking each bootstrap
 * server in turn until the active controller answers (Samsa's brokers do not forward to it yet).
 */
async function createTopic(bootstrap: string, name: string): Promise<void> {
  const errors: number[] = [];
  for (const server of bootstrap.split(',')) {
    const [host, port] = server.split(':');
    const [response] = await wireRequests(host!, Number(port), [
      {
        apiKey: 19,
        version: 3,
        body: { topics: [{ name, numPartitions: PARTITIONS, replicationFactor: 3, assignments: [], configs: [] }], timeoutMs: 30_000, validateOnly: false },
      },
    ]);
    const errorCode = (response!.topics as Array<{ errorCode: number }>)[0]!.errorCode;
    if (errorCode === 0 || errorCode === TOPIC_ALREADY_EXISTS) return;
    errors.push(errorCode);
  }
  throw new Error(`creating ${name} on ${bootstrap} failed with errors ${errors.join(', ')}`);
}

/** Produces every line of `file` with kcat and times it until every record is acknowledged. */
function produce(bootstrap: string, topic: string, acks: '1' | 'all', file: string, records: number, target: NetBenchLoad['target']): NetBenchLoad {
  const started = performance.now();
  execFileSync('kcat', ['-b', bootstrap, '-P', '-t', topic, '-X', `acks=${acks}`, '-X', 'linger.ms=5', '-l', file], { stdio: ['ignore', 'ignore', 'inherit'] });
  const wallMs = Math.round(performance.now() - started);
  const recordsPerSec = Math.round(records / (wallMs / 1000));
  return { target, acks, records, wallMs, recordsPerSec, mbPerSec: Number(((records * RECORD_BYTES) / 1e6 / (wallMs / 1000)).toFixed(1)) };
}

export async function runNetBench(options: { records: number; progress: (line: string) => void }): Promise<NetBenchResult> {
  const missing = netBenchMissing();
  if (missing !== null) throw new Error(`bench net cannot run here: ${missing}`);
  const dir = mkdtempSync(join(tmpdir(), 'samsa-bench-net-'));
  const file = join(dir, 'records.txt');
  writeFileSync(file, `${'x'.repeat(RECORD_BYTES)}\n`.repeat(options.records));
  options.progress(`${options.records.toLocaleString('en-US')} records of ${RECORD_BYTES} bytes (${(statSync(file).size / 1e6).toFixed(0)} MB of lines)`);
  const cluster = await LocalCluster.prepare({ brokers: 3, dataDir: join(dir, 'samsa'), basePort: 0 });
  let mock: ChildProcess | null = null;
  try {
    cluster.startAll();
    await cluster.waitReady(60_000);
    const started = await startRdkafkaMock(dir);
    mock = started.child;
    const targets: Array<[NetBenchLoad['target'], string]> = [
      ['samsa', cluster.bootstrapServers],
      ['rdkafka-mock', started.bootstrap],
    ];
    const loads: NetBenchLoad[] = [];
    for (const acks of ['1', 'all'] as const) {
      for (const [target, bootstrap] of targets) {
        const topic = `bench-acks-${acks}`;
        // librdkafka 2.0.2's mock does not serve CreateTopics: its topics are created on first use.
        if (target === 'samsa') await createTopic(bootstrap, topic);
        await new Promise((resolve) => setTimeout(resolve, 1000)); // leaders elected and known to every broker
        options.progress(`${target}: acks=${acks} …`);
        const load = produce(bootstrap, topic, acks, file, options.records, target);
        options.progress(`${target}: acks=${acks}: ${load.recordsPerSec.toLocaleString('en-US')} records/s`);
        loads.push(load);
      }
    }
    const ratio = (acks: '1' | 'all') => {
      const of = (t: NetBenchLoad['target']) => loads.find((l) => l.target === t && l.acks === acks)!.recordsPerSec;
      return Number((of('samsa') / of('rdkafka-mock')).toFixed(2));
    };
    return { records: options.records, recordBytes: RECORD_BYTES, loads, ratios: { '1': ratio('1'), all: ratio('all') } };
  } finally {
    mock?.kill('SIGTERM');
    await cluster.stopAll();
    rmSync(dir, { recursive: true, force: true });
  }
}
