// `samsa bench sim`: whole scenario runs as `samsa run` does them (three combined nodes, a topic of
// 3 partitions with replication factor 3, idempotent acks=all producers and a consumer; every
// checker on, the trace written to a file). Two figures: records produced, replicated to three
// replicas and consumed per wall second when the producers offer more than the cluster takes, and
// simulated time per wall time under a Jepsen-like load of 100 writes per second. Each run is then
// taken apart: timed again with no trace (simulation and checkers alone), and its trace written
// again with no simulation (the trace alone), which bound what the two figures can be.

import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KNOWN_BUGS } from '../core/bugs.ts';
import { parseScenario } from '../sim/scenario/parse.ts';
import { runScenario, type RunResult } from '../sim/scenario/run.ts';
import { FileSink } from '../trace/sink.ts';

export interface SimBenchRun {
  name: string;
  simMs: number;
  wallMs: number;
  recordsSent: number;
  recordsConsumed: number;
  traceSteps: number;
  events: number;
  violations: number;
  /** Trace size in bytes. */
  traceBytes: number;
  /**
   * Wall ms to only encode (JSON.stringify), hash (SHA-256) and write this run's trace lines, with
   * no simulation and no checking: the least any run writing this trace can take.
   */
  traceOnlyMs: number;
  /**
   * Wall ms of the same run with no trace at all (simulation and every checker; no line
   * formatted): the best of two, after the traced runs warmed the code.
   */
  untracedWallMs: number;
}

export interface SimBenchResult {
  bench: 'sim';
  recordsPerSec: number;
  timeRatio: number;
  /** The most `recordsPerSec` and `timeRatio` could be if simulating and checking cost nothing (trace alone). */
  traceBound: { recordsPerSec: number; timeRatio: number };
  /** The most they could be if writing the trace cost nothing (simulation and checkers alone, warm). */
  untracedBound: { recordsPerSec: number; timeRatio: number };
  brokers: number;
  partitions: number;
  replicationFactor: number;
  runs: SimBenchRun[];
}

/** The cluster a bench run simulates: brokers (combined broker and controller nodes) and the topic's partitions, replication factor 3. */
export interface SimShape {
  brokers: number;
  partitions: number;
}

export const DEFAULT_SHAPE: SimShape = { brokers: 3, partitions: 3 };
/** The shapes `--scaling` measures besides the default: cluster size at 3 partitions, partitions at 3 brokers. */
export const SCALING_SHAPES: readonly SimShape[] = [
  { brokers: 5, partitions: 3 },
  { brokers: 9, partitions: 3 },
  { brokers: 3, partitions: 1 },
  { brokers: 3, partitions: 10 },
  { brokers: 3, partitions: 100 },
];

function scenarioText(name: string, durationS: number, producers: string, shape: SimShape): string {
  return `samsa: 1
name: ${name}
seed: 1
duration: ${durationS}s
cluster: { nodes: ${shape.brokers} }
network: { latency: { min: 1ms, max: 5ms } }
topics:
  - { name: orders, partitions: ${shape.partitions}, replicationFactor: 3, config: { min.insync.replicas: 2 } }
clients:
${producers}
  - { consumer: reader, topic: orders }
`;
}

/** One timed run, its trace left in `dir` for `traceOnly`; `untraced` times the run again with no trace. */
function run(name: string, text: string, dir: string): SimBenchRun & { untraced: () => number } {
  const scenario = parseScenario(text, `${name}.yaml`, { knownBugs: KNOWN_BUGS });
  const untraced = () => {
    const started = performance.now();
    runScenario(scenario, { trace: null });
    return Math.round(performance.now() - started);
  };
  const started = performance.now();
  const result: RunResult = runScenario(scenario, { trace: new FileSink(join(dir, `${name}.jsonl`)) });
  const wallMs = performance.now() - started;
  return {
    name,
    simMs: Math.round(result.simMs),
    wallMs: Math.round(wallMs),
    recordsSent: result.protocol.sends,
    recordsConsumed: result.protocol.consumed,
    traceSteps: result.steps,
    events: result.events,
    violations: result.violations.length,
    traceBytes: 0,
    traceOnlyMs: 0,
    untracedWallMs: 0,
    untraced,
  };
}

/**
 * Times writing the run's trace again from its events as objects (parsed beforehand, untimed),
 * line by line as the simulator writes it: each event stringified, hashed in 64 KiB chunks and
 * written to a file. The best of three: a bound, so the cheapest it can be.
 */
function traceOnly(r: SimBenchRun, dir: string): void {
  const text = readFileSync(join(dir, `${r.name}.jsonl`), 'utf8');
  const events: unknown[] = text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line));
  r.traceBytes = Buffer.byteLength(text);
  r.traceOnlyMs = Math.min(...[0, 1, 2].map(() => writeAgain(events, join(dir, 'again.jsonl'))));
}

/** Wall ms to stringify, hash and write `events` as a JSON Lines file at `out`. */
function writeAgain(events: readonly unknown[], out: string): number {
  const fd = openSync(out, 'w');
  const started = performance.now();
  const hash = createHash('sha256');
  let chunk: string[] = [];
  let chars = 0;
  const flush = () => {
    const joined = chunk.join('\n') + '\n';
    hash.update(joined, 'utf8');
    writeSync(fd, joined, null, 'utf8');
    chunk = [];
    chars = 0;
  };
  for (const event of events) {
    const line = JSON.stringify(event);
    chunk.push(line);
    chars += line.length + 1;
    if (chars >= 1 << 16) flush();
  }
  flush();
  hash.digest('hex');
  const ms = performance.now() - started;
  closeSync(fd);
  return Math.round(ms * 10) / 10;
}

/** The saturated and the steady scenario of a shape, as YAML. */
export function benchScenarios(scale: number, shape: SimShape): { saturation: string; steady: string } {
  // Saturation: two producers offer 20,000 records/s each, batching as Kafka's producer does.
  const producer = (id: string) => `  - { producer: ${id}, topic: orders, rate: 20000/s, keys: 100, config: { acks: all, linger.ms: 5, batch.size: 65536 } }`;
  return {
    saturation: scenarioText('bench-saturation', Math.max(3, Math.round(10 * scale)), [producer('p1'), producer('p2')].join('\n'), shape),
    // Jepsen-like: 100 writes/s for 60 simulated seconds.
    steady: scenarioText(
      'bench-steady',
      Math.max(6, Math.round(60 * scale)),
      '  - { producer: p1, topic: orders, rate: 100/s, keys: 10, config: { acks: all } }',
      shape,
    ),
  };
}

export function runSimBench(options: { scale?: number; shape?: SimShape; progress?: (line: string) => void } = {}): SimBenchResult {
  const scale = options.scale ?? 1;
  const shape = options.shape ?? DEFAULT_SHAPE;
  const progress = options.progress ?? (() => {});
  const texts = benchScenarios(scale, shape);
  const label = `${shape.brokers} brokers, ${shape.partitions} partitions`;
  const dir = mkdtempSync(join(tmpdir(), 'samsa-bench-'));
  try {
    const saturated = run('saturation', texts.saturation, dir);
    progress(`${label}: saturation    ${saturated.recordsConsumed} records consumed in ${saturated.wallMs} ms wall`);
    const steady = run('steady-100', texts.steady, dir);
    progress(`${label}: steady        ${steady.simMs} simulated ms in ${steady.wallMs} ms wall`);
    for (const r of [saturated, steady]) {
      r.untracedWallMs = Math.min(r.untraced(), r.untraced());
      progress(`${label}: no trace      ${r.name}: ${r.untracedWallMs} ms wall`);
    }
    // After the runs, so that the parsed traces do not weigh on them.
    for (const r of [saturated, steady]) {
      traceOnly(r, dir);
      progress(`${label}: trace alone   ${r.name}: ${r.traceOnlyMs} ms to stringify, hash and write ${(r.traceBytes / 1e6).toFixed(1)} MB`);
    }
    const { untraced: _s, ...saturatedRun } = saturated;
    const { untraced: _t, ...steadyRun } = steady;
    return summarize(saturatedRun, steadyRun, shape);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function summarize(saturated: SimBenchRun, steady: SimBenchRun, shape: SimShape): SimBenchResult {
  return {
    bench: 'sim',
    recordsPerSec: Math.round((saturated.recordsConsumed / Math.max(1, saturated.wallMs)) * 1000),
    timeRatio: Math.round((steady.simMs / Math.max(1, steady.wallMs)) * 10) / 10,
    traceBound: {
      recordsPerSec: Math.round((saturated.recordsConsumed / Math.max(1, saturated.traceOnlyMs)) * 1000),
      timeRatio: Math.round((steady.simMs / Math.max(1, steady.traceOnlyMs)) * 10) / 10,
    },
    untracedBound: {
      recordsPerSec: Math.round((saturated.recordsConsumed / Math.max(1, saturated.untracedWallMs)) * 1000),
      timeRatio: Math.round((steady.simMs / Math.max(1, steady.untracedWallMs)) * 10) / 10,
    },
    brokers: shape.brokers,
    partitions: shape.partitions,
    replicationFactor: 3,
    runs: [saturated, steady],
  };
}

/**
 * CPU profiles of the saturated run (default shape), traced and with no trace, taken in this
 * process with the inspector after one warm-up run: `<dir>/sim-saturation-traced.cpuprofile` and
 * `<dir>/sim-saturation-untraced.cpuprofile` (open them in Chrome's DevTools or speedscope).
 */
export async function profileSaturation(dir: string, scale: number, progress: (line: string) => void = () => {}): Promise<string[]> {
  const { Session } = await import('node:inspector');
  mkdirSync(dir, { recursive: true });
  const scenario = parseScenario(benchScenarios(scale, DEFAULT_SHAPE).saturation, 'bench-saturation.yaml', { knownBugs: KNOWN_BUGS });
  const tmp = mkdtempSync(join(tmpdir(), 'samsa-bench-'));
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result))));
  const files: string[] = [];
  try {
    runScenario(scenario, { trace: null }); // warm-up: the profiles show the run, not the compiler
    await post('Profiler.enable');
    await post('Profiler.setSamplingInterval', { interval: 200 });
    for (const traced of [false, true]) {
      await post('Profiler.start');
      const started = performance.now();
      runScenario(scenario, { trace: traced ? new FileSink(join(tmp, 'trace.jsonl')) : null });
      const ms = Math.round(performance.now() - started);
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      const file = join(dir, `sim-saturation-${traced ? 'traced' : 'untraced'}.cpuprofile`);
      writeFileSync(file, JSON.stringify(profile));
      files.push(file);
      progress(`profiled the saturated run ${traced ? 'with its trace' : 'with no trace'} (${ms} ms wall, under the profiler): ${file}`);
    }
  } finally {
    session.disconnect();
    rmSync(tmp, { recursive: true, force: true });
  }
  return files;
}
