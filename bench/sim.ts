// `samsa bench sim`: whole scenario runs as `samsa run` does them (three combined nodes, a topic of
// 3 partitions with replication factor 3, idempotent acks=all producers and a consumer; every
// checker on, the trace written to a file). Two figures: records produced, replicated to three
// replicas and consumed per wall second when the producers offer more than the cluster takes, and
// simulated time per wall time under a Jepsen-like load of 100 writes per second. Each run is then
// taken apart: timed again with no trace (simulation and checkers alone), and its trace written
// again with no simulation (the trace alone), which bound what the two figures can be.

import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
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
  replicationFactor: number;
  runs: SimBenchRun[];
}

function scenarioText(name: string, durationS: number, producers: string): string {
  return `samsa: 1
name: ${name}
seed: 1
duration: ${durationS}s
cluster: { nodes: 3 }
network: { latency: { min: 1ms, max: 5ms } }
topics:
  - { name: orders, partitions: 3, replicationFactor: 3, config: { min.insync.replicas: 2 } }
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

export function runSimBench(options: { scale?: number; progress?: (line: string) => void } = {}): SimBenchResult {
  const scale = options.scale ?? 1;
  const progress = options.progress ?? (() => {});
  // Saturation: two producers offer 20,000 records/s each, batching as Kafka's producer does.
  const producer = (id: string) => `  - { producer: ${id}, topic: orders, rate: 20000/s, keys: 100, config: { acks: all, linger.ms: 5, batch.size: 65536 } }`;
  const dir = mkdtempSync(join(tmpdir(), 'samsa-bench-'));
  try {
    const saturated = run(
      'saturation',
      scenarioText('bench-saturation', Math.max(3, Math.round(10 * scale)), [producer('p1'), producer('p2')].join('\n')),
      dir,
    );
    progress(`saturation    ${saturated.recordsConsumed} records consumed in ${saturated.wallMs} ms wall`);
    // Jepsen-like: 100 writes/s for 60 simulated seconds.
    const steady = run(
      'steady-100',
      scenarioText('bench-steady', Math.max(6, Math.round(60 * scale)), '  - { producer: p1, topic: orders, rate: 100/s, keys: 10, config: { acks: all } }'),
      dir,
    );
    progress(`steady        ${steady.simMs} simulated ms in ${steady.wallMs} ms wall`);
    for (const r of [saturated, steady]) {
      r.untracedWallMs = Math.min(r.untraced(), r.untraced());
      progress(`no trace      ${r.name}: ${r.untracedWallMs} ms wall`);
    }
    // After the runs, so that the parsed traces do not weigh on them.
    for (const r of [saturated, steady]) {
      traceOnly(r, dir);
      progress(`trace alone   ${r.name}: ${r.traceOnlyMs} ms to stringify, hash and write ${(r.traceBytes / 1e6).toFixed(1)} MB`);
    }
    const { untraced: _s, ...saturatedRun } = saturated;
    const { untraced: _t, ...steadyRun } = steady;
    return summarize(saturatedRun, steadyRun);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function summarize(saturated: SimBenchRun, steady: SimBenchRun): SimBenchResult {
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
    brokers: 3,
    replicationFactor: 3,
    runs: [saturated, steady],
  };
}
