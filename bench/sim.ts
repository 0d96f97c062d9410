// `samsa bench sim`: whole scenario runs as `samsa run` does them (three combined nodes, a topic of
// 3 partitions with replication factor 3, idempotent acks=all producers and a consumer; every
// checker on, the trace written to a file). Two figures: records produced, replicated to three
// replicas and consumed per wall second when the producers offer more than the cluster takes, and
// simulated time per wall time under a Jepsen-like load of 100 writes per second.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KNOWN_BUGS } from '../sim/bugs.ts';
import { parseScenario } from '../sim/scenario/parse.ts';
import { runScenario, type RunResult } from '../sim/scenario/run.ts';
import { FileSink } from '../sim/trace-sink.ts';

export interface SimBenchRun {
  name: string;
  simMs: number;
  wallMs: number;
  recordsSent: number;
  recordsConsumed: number;
  traceSteps: number;
  events: number;
  violations: number;
}

export interface SimBenchResult {
  bench: 'sim';
  recordsPerSec: number;
  timeRatio: number;
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

function run(name: string, text: string): SimBenchRun {
  const scenario = parseScenario(text, `${name}.yaml`, { knownBugs: KNOWN_BUGS });
  const dir = mkdtempSync(join(tmpdir(), 'samsa-bench-'));
  try {
    const started = performance.now();
    const result: RunResult = runScenario(scenario, { trace: new FileSink(join(dir, 'trace.jsonl')) });
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
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function runSimBench(options: { scale?: number; progress?: (line: string) => void } = {}): SimBenchResult {
  const scale = options.scale ?? 1;
  const progress = options.progress ?? (() => {});
  // Saturation: two producers offer 20,000 records/s each, batching as Kafka's producer does.
  const producer = (id: string) => `  - { producer: ${id}, topic: orders, rate: 20000/s, keys: 100, config: { acks: all, linger.ms: 5, batch.size: 65536 } }`;
  const saturated = run('saturation', scenarioText('bench-saturation', Math.max(3, Math.round(10 * scale)), [producer('p1'), producer('p2')].join('\n')));
  progress(`saturation    ${saturated.recordsConsumed} records consumed in ${saturated.wallMs} ms wall`);
  // Jepsen-like: 100 writes/s for 60 simulated seconds.
  const steady = run('steady-100/s', scenarioText('bench-steady', Math.max(6, Math.round(60 * scale)), '  - { producer: p1, topic: orders, rate: 100/s, keys: 10, config: { acks: all } }'));
  progress(`steady        ${steady.simMs} simulated ms in ${steady.wallMs} ms wall`);
  return {
    bench: 'sim',
    recordsPerSec: Math.round((saturated.recordsConsumed / Math.max(1, saturated.wallMs)) * 1000),
    timeRatio: Math.round((steady.simMs / Math.max(1, steady.wallMs)) * 10) / 10,
    brokers: 3,
    replicationFactor: 3,
    runs: [saturated, steady],
  };
}
