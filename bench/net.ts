// `samsa bench net`: the same client loads against a local three-broker `samsa cluster` and against
// librdkafka's mock cluster (an in-memory C Kafka that does not replicate) in one run, side by side:
// kcat producing 100-byte records (acks=1 on a topic of replication factor 1; acks=all on one of
// replication factor 3), kcat consuming them back, kafkajs producing in batches of 1,000, and produce
// latency at a fixed rate (librdkafka, open loop); each figure beside the mock's, with the ratio, the
// issue's targets and Kreps 2014's published figure for Kafka.

import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalCluster } from '../net/local-cluster.ts';
import { wireRequests } from '../net/wire-request.ts';
import { summarizeCpuProfile, type ProfileSummary } from './cpu-profile.ts';
import { rdkafkaMockMissing, startRdkafkaMock } from './peer/rdkafka-mock.ts';

const RECORD_BYTES = 100;
const PARTITIONS = 3;
const TOPIC_ALREADY_EXISTS = 36;
const KAFKAJS_BATCH = 1000;
const KAFKAJS_IN_FLIGHT = 4;
/** Records the consume load reads back (what the mock keeps of a 3-partition topic of 100-byte records). */
const CONSUME_RECORDS = 50_000;
const LATENCY_SOURCE = fileURLToPath(new URL('./peer/rdkafka-latency.c', import.meta.url));

export const NET_LOADS = ['produce-rf1', 'produce-rf3', 'consume', 'kafkajs', 'latency-rf1', 'latency-rf3'] as const;
export type NetLoadName = (typeof NET_LOADS)[number];
export type NetTarget = 'samsa' | 'rdkafka-mock';

/** What each load is, in the words the table prints. */
export const NET_LOAD_DESCRIPTIONS: Record<NetLoadName, string> = {
  'produce-rf1': 'kcat produce, acks=1, RF 1',
  'produce-rf3': 'kcat produce, acks=all, RF 3',
  consume: `kcat consume, ${CONSUME_RECORDS.toLocaleString('en-US')} records from the beginning (RF 1)`,
  kafkajs: `kafkajs produce, batches of ${KAFKAJS_BATCH.toLocaleString('en-US')}, ${KAFKAJS_IN_FLIGHT} in flight, acks=1, RF 1`,
  'latency-rf1': 'produce latency, acks=1, RF 1',
  'latency-rf3': 'produce latency, acks=all, RF 3',
};

export interface ThroughputFigure {
  records: number;
  wallMs: number;
  recordsPerSec: number;
  mbPerSec: number;
}

export interface LatencyFigure {
  /** Records scheduled (rate × seconds) and how many were acknowledged or failed. */
  records: number;
  delivered: number;
  failed: number;
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
}

export interface NetLoadResult {
  name: NetLoadName;
  description: string;
  kind: 'throughput' | 'latency';
  /** The best run of each target (highest records/s, or lowest p99), and every run's figure. */
  samsa: ThroughputFigure | LatencyFigure;
  mock: ThroughputFigure | LatencyFigure;
  runs: { samsa: Array<ThroughputFigure | LatencyFigure>; mock: Array<ThroughputFigure | LatencyFigure> };
  /** Throughput: Samsa's records/s over the mock's (higher is better). Latency: Samsa's p99 over the mock's (lower is better). */
  ratio: number;
}

export interface NetTargetResult {
  name: string;
  goal: string;
  value: number;
  met: boolean;
}

export interface NetBenchResult {
  records: number;
  recordBytes: number;
  partitions: number;
  runs: number;
  latency: { ratePerSec: number; seconds: number; client: string };
  loads: NetLoadResult[];
  targets: NetTargetResult[];
  allTargetsMet: boolean;
  /** Kafka's published figure (Kreps 2014) beside Samsa's produce-rf3 figure measured here. */
  kreps2014: { recordsPerSec: number; mbPerSec: number; hardware: string; samsaRecordsPerSec: number | null; here: string; ratio: number | null };
  /** With a profile dir: each broker's heaviest functions by self time. */
  profiles?: ProfileSummary[];
}

export interface NetBenchOptions {
  records: number;
  /** Runs of each load on each target; the best is reported. */
  runs: number;
  latencyRatePerSec: number;
  latencySeconds: number;
  /** Only these loads (all by default). */
  loads?: readonly NetLoadName[];
  /** Runs every broker under `node --cpu-prof` into this directory and summarizes the profiles. */
  profileDir?: string;
  progress(line: string): void;
}

const KREPS_2014 = {
  recordsPerSec: 421_823,
  mbPerSec: 40.2,
  hardware:
    'Kafka 0.8.1, one producer thread, 3x synchronous replication (acks=all), 100-byte records; three broker machines of 6 cores (2.5 GHz Xeon), 32 GB, six 7200 rpm SATA disks, 1 GbE, the producer on a machine of its own',
};

/** Why the benchmark cannot run on this machine, or null when it can. */
export function netBenchMissing(): string | null {
  if (spawnSync('kcat', ['-V']).status !== 0) return 'kcat is not installed (apt-get install kcat)';
  return rdkafkaMockMissing();
}

/** Creates a topic of PARTITIONS partitions (CreateTopics v3), asking each bootstrap server until the active controller answers. */
async function createTopic(bootstrap: string, name: string, replicationFactor: number): Promise<void> {
  const errors: number[] = [];
  for (const server of bootstrap.split(',')) {
    const [host, port] = server.split(':');
    const [response] = await wireRequests(host!, Number(port), [
      {
        apiKey: 19,
        version: 3,
        body: { topics: [{ name, numPartitions: PARTITIONS, replicationFactor, assignments: [], configs: [] }], timeoutMs: 30_000, validateOnly: false },
      },
    ]);
    const errorCode = (response!.topics as Array<{ errorCode: number }>)[0]!.errorCode;
    if (errorCode === 0 || errorCode === TOPIC_ALREADY_EXISTS) return;
    errors.push(errorCode);
  }
  throw new Error(`creating ${name} on ${bootstrap} failed with errors ${errors.join(', ')}`);
}

function throughput(records: number, wallMs: number): ThroughputFigure {
  return {
    records,
    wallMs,
    recordsPerSec: Math.round(records / (wallMs / 1000)),
    mbPerSec: Number(((records * RECORD_BYTES) / 1e6 / (wallMs / 1000)).toFixed(1)),
  };
}

/** Produces every line of `file` with kcat; timed until every record is acknowledged. */
function kcatProduce(bootstrap: string, topic: string, acks: '1' | 'all', file: string, records: number): ThroughputFigure {
  const started = performance.now();
  execFileSync('kcat', ['-b', bootstrap, '-P', '-t', topic, '-X', `acks=${acks}`, '-X', 'linger.ms=5', '-l', file], { stdio: ['ignore', 'ignore', 'inherit'] });
  return throughput(records, Math.round(performance.now() - started));
}

/** Reads a topic from the beginning to its end with kcat, counting the records (one line each). */
async function kcatConsume(bootstrap: string, topic: string, expected: number, exact: boolean): Promise<ThroughputFigure> {
  const started = performance.now();
  const child = spawn('kcat', ['-b', bootstrap, '-C', '-t', topic, '-e', '-o', 'beginning', '-q'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let lines = 0;
  child.stdout.on('data', (chunk: Buffer) => {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines++;
  });
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  const wallMs = Math.round(performance.now() - started);
  if (code !== 0) throw new Error(`kcat -C on ${topic} exited with ${code}`);
  // Samsa must give back every record; the mock's in-memory retention may have dropped its oldest.
  if (exact ? lines !== expected : lines === 0 || lines > expected) throw new Error(`kcat -C read ${lines} records of ${topic}, not ${expected}`);
  return throughput(lines, wallMs);
}

/** kafkajs sends of KAFKAJS_BATCH records each, KAFKAJS_IN_FLIGHT at a time, acks=1; timed until the last is acknowledged. */
async function kafkajsProduce(bootstrap: string, topic: string, records: number): Promise<ThroughputFigure> {
  const { Kafka, logLevel, Partitioners } = await import('kafkajs');
  const kafka = new Kafka({ clientId: 'samsa-bench', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const value = Buffer.alloc(RECORD_BYTES, 'x');
    const messages = Array.from({ length: KAFKAJS_BATCH }, () => ({ value }));
    await producer.send({ topic, acks: 1, messages: messages.slice(0, 1) }); // metadata and connections in place
    let left = Math.ceil(records / KAFKAJS_BATCH);
    const started = performance.now();
    await Promise.all(
      Array.from({ length: KAFKAJS_IN_FLIGHT }, async () => {
        while (left > 0) {
          left--;
          await producer.send({ topic, acks: 1, messages });
        }
      }),
    );
    return throughput(Math.ceil(records / KAFKAJS_BATCH) * KAFKAJS_BATCH, Math.round(performance.now() - started));
  } finally {
    await producer.disconnect();
  }
}

/** The latency client's linger.ms: librdkafka's own default (5 ms since 1.5), as an application that sets nothing gets. */
const LATENCY_LINGER_MS = 5;

/** Open-loop produce latency with librdkafka (bench/peer/rdkafka-latency.c). */
function rdkafkaLatency(binary: string, bootstrap: string, topic: string, acks: '1' | 'all', rate: number, seconds: number): LatencyFigure {
  const out = execFileSync(binary, [bootstrap, topic, acks, String(rate), String(seconds), String(RECORD_BYTES), String(LATENCY_LINGER_MS)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  const parsed = JSON.parse(out.trim()) as LatencyFigure & { sendSeconds: number };
  const { sendSeconds: _s, ...figure } = parsed;
  return figure;
}

function better(kind: NetLoadResult['kind'], a: ThroughputFigure | LatencyFigure, b: ThroughputFigure | LatencyFigure): boolean {
  return kind === 'throughput'
    ? (a as ThroughputFigure).recordsPerSec > (b as ThroughputFigure).recordsPerSec
    : (a as LatencyFigure).p99Ms < (b as LatencyFigure).p99Ms;
}

const round2 = (x: number) => Number(x.toFixed(2));

export async function runNetBench(options: NetBenchOptions): Promise<NetBenchResult> {
  const missing = netBenchMissing();
  if (missing !== null) throw new Error(`bench net cannot run here: ${missing}`);
  const selected = new Set<NetLoadName>(options.loads ?? NET_LOADS);
  const dir = mkdtempSync(join(tmpdir(), 'samsa-bench-net-'));
  const file = join(dir, 'records.txt');
  writeFileSync(file, `${'x'.repeat(RECORD_BYTES)}\n`.repeat(options.records));
  const latencyBinary = join(dir, 'rdkafka-latency');
  execFileSync('cc', ['-O2', '-o', latencyBinary, LATENCY_SOURCE, '-lrdkafka']);
  options.progress(`${options.records.toLocaleString('en-US')} records of ${RECORD_BYTES} bytes per load, ${options.runs} run(s) of each load on each target`);
  if (options.profileDir !== undefined) mkdirSync(options.profileDir, { recursive: true });
  const cluster = await LocalCluster.prepare({
    brokers: 3,
    dataDir: join(dir, 'samsa'),
    basePort: 0,
    ...(options.profileDir !== undefined ? { nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] } : {}),
  });
  // Every topic of the run, with its replication factor: Samsa's are created up front, the mock's at its start.
  const topics = new Map<string, number>();
  const topicOf = (load: NetLoadName, run: number) => {
    const name = `bench-${load}-r${run}`;
    topics.set(name, load.endsWith('rf3') ? 3 : 1);
    return name;
  };
  for (const load of NET_LOADS) for (let run = 1; run <= (load === 'consume' ? 1 : options.runs); run++) topicOf(load, run);
  let mock: ChildProcess | null = null;
  try {
    cluster.startAll();
    await cluster.waitReady(60_000);
    const started = await startRdkafkaMock(
      dir,
      3,
      [...topics].map(([name, rf]) => `${name}:${PARTITIONS}:${rf}`),
    );
    mock = started.child;
    for (const [name, rf] of topics) await createTopic(cluster.bootstrapServers, name, rf);
    await new Promise((resolve) => setTimeout(resolve, 1000)); // leaders elected and known to every broker
    const targets: Array<[NetTarget, string]> = [
      ['samsa', cluster.bootstrapServers],
      ['rdkafka-mock', started.bootstrap],
    ];
    const loads: NetLoadResult[] = [];
    const measure = async (
      name: NetLoadName,
      kind: NetLoadResult['kind'],
      run: (bootstrap: string, runIndex: number) => Promise<ThroughputFigure | LatencyFigure>,
    ) => {
      const runs: NetLoadResult['runs'] = { samsa: [], mock: [] };
      for (let r = 1; r <= options.runs; r++) {
        for (const [target, bootstrap] of targets) {
          const figure = await run(bootstrap, r);
          (target === 'samsa' ? runs.samsa : runs.mock).push(figure);
          const shown =
            kind === 'throughput'
              ? `${(figure as ThroughputFigure).recordsPerSec.toLocaleString('en-US')} records/s`
              : `p99 ${(figure as LatencyFigure).p99Ms} ms`;
          options.progress(`${name} (run ${r}) on ${target}: ${shown}`);
        }
      }
      const best = (figures: Array<ThroughputFigure | LatencyFigure>) => figures.reduce((a, b) => (better(kind, b, a) ? b : a));
      const samsa = best(runs.samsa);
      const mockFigure = best(runs.mock);
      const ratio =
        kind === 'throughput'
          ? (samsa as ThroughputFigure).recordsPerSec / (mockFigure as ThroughputFigure).recordsPerSec
          : (samsa as LatencyFigure).p99Ms / Math.max(0.001, (mockFigure as LatencyFigure).p99Ms);
      loads.push({ name, description: NET_LOAD_DESCRIPTIONS[name], kind, samsa, mock: mockFigure, runs, ratio: round2(ratio) });
    };
    const records = options.records;
    if (selected.has('produce-rf1')) await measure('produce-rf1', 'throughput', async (b, r) => kcatProduce(b, topicOf('produce-rf1', r), '1', file, records));
    if (selected.has('produce-rf3'))
      await measure('produce-rf3', 'throughput', async (b, r) => kcatProduce(b, topicOf('produce-rf3', r), 'all', file, records));
    if (selected.has('consume')) {
      // Its own topic of at most CONSUME_RECORDS, written untimed: the mock keeps only about the last 5 MB of a
      // partition in memory (of 1M records it gave back ~131k, of 100k ~97k), so a longer topic cannot be read back from it.
      const count = Math.min(records, CONSUME_RECORDS);
      const source = topicOf('consume', 1);
      const consumeFile = join(dir, 'consume.txt');
      writeFileSync(consumeFile, `${'x'.repeat(RECORD_BYTES)}\n`.repeat(count));
      for (const [, bootstrap] of targets) kcatProduce(bootstrap, source, '1', consumeFile, count);
      await measure('consume', 'throughput', (b) => kcatConsume(b, source, count, b === cluster.bootstrapServers));
    }
    if (selected.has('kafkajs')) await measure('kafkajs', 'throughput', (b, r) => kafkajsProduce(b, topicOf('kafkajs', r), records));
    for (const [name, acks] of [
      ['latency-rf1', '1'],
      ['latency-rf3', 'all'],
    ] as const) {
      if (selected.has(name))
        await measure(name, 'latency', async (b, r) =>
          rdkafkaLatency(latencyBinary, b, topicOf(name, r), acks, options.latencyRatePerSec, options.latencySeconds),
        );
    }
    const result = summarize(options, loads);
    mock.kill('SIGTERM');
    mock = null;
    await cluster.stopAll();
    if (options.profileDir !== undefined) {
      result.profiles = readdirSync(options.profileDir)
        .filter((f) => f.endsWith('.cpuprofile'))
        .map((f) => summarizeCpuProfile(join(options.profileDir!, f)));
    }
    return result;
  } finally {
    mock?.kill('SIGTERM');
    await cluster.stopAll();
    rmSync(dir, { recursive: true, force: true });
  }
}

function summarize(options: NetBenchOptions, loads: NetLoadResult[]): NetBenchResult {
  const load = (name: NetLoadName) => loads.find((l) => l.name === name);
  const targets: NetTargetResult[] = [];
  const ratioTarget = (name: NetLoadName, goal: number) => {
    const l = load(name);
    if (l !== undefined) targets.push({ name: `${name} samsa/mock records/s`, goal: `>= ${goal.toFixed(1)}x`, value: l.ratio, met: l.ratio >= goal });
  };
  ratioTarget('produce-rf1', 1.0);
  ratioTarget('produce-rf3', 0.7);
  for (const name of ['latency-rf1', 'latency-rf3'] as const) {
    const l = load(name);
    if (l !== undefined) {
      const p99 = (l.samsa as LatencyFigure).p99Ms;
      targets.push({
        name: `${name} samsa p99 ms at ${options.latencyRatePerSec.toLocaleString('en-US')} records/s`,
        goal: '< 10 ms',
        value: p99,
        met: p99 < 10,
      });
    }
  }
  const rf3 = load('produce-rf3');
  const samsaRf3 = rf3 === undefined ? null : (rf3.samsa as ThroughputFigure).recordsPerSec;
  return {
    records: options.records,
    recordBytes: RECORD_BYTES,
    partitions: PARTITIONS,
    runs: options.runs,
    latency: {
      ratePerSec: options.latencyRatePerSec,
      seconds: options.latencySeconds,
      client: `librdkafka 2.0.2, linger.ms=${LATENCY_LINGER_MS} (its default), open loop from each scheduled send time`,
    },
    loads,
    targets,
    allTargetsMet: targets.every((t) => t.met),
    kreps2014: {
      ...KREPS_2014,
      samsaRecordsPerSec: samsaRf3,
      here: 'three Samsa broker processes, kcat, the mock and the benchmark on one machine of 2 cores shared with other work, over loopback, log on one disk',
      ratio: samsaRf3 === null ? null : round2(samsaRf3 / KREPS_2014.recordsPerSec),
    },
  };
}
