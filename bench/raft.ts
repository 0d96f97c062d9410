// `samsa bench raft`: the metadata quorum alone (three voters, the counter state machine), with
// every quorum checker on and the trace hashed, as a real explored run has them. Two figures:
// committed records per wall second when the leader is offered far more than it can take, and
// the simulated-to-wall time ratio under a steady load of 100 records per second.

import { CheckerSuite } from '../models/checker-suite.ts';
import { buildRaftWorkload, counterNode, DEFAULT_RAFT_WORKLOAD, type RaftWorkload } from '../sim/raft-workload.ts';
import { HashOnlySink } from '../trace/sink.ts';

export interface RaftBenchRun {
  name: string;
  simMs: number;
  wallMs: number;
  committedRecords: number;
  events: number;
  violations: number;
}

export interface RaftBenchResult {
  bench: 'raft';
  committedRecordsPerSec: number;
  timeRatio: number;
  voters: number;
  runs: RaftBenchRun[];
}

function run(name: string, workload: RaftWorkload, simMs: number): RaftBenchRun {
  const sim = buildRaftWorkload(workload, 1, new HashOnlySink());
  const suite = new CheckerSuite();
  suite.attach(sim);
  // Let the first election settle before the clock starts.
  sim.run(5_000);
  const committed = () => Math.max(...sim.nodeIds.map((id) => counterNode(sim, id)?.machine.committed ?? 0));
  const startCommitted = committed();
  const startEvents = sim.events;
  const started = performance.now();
  sim.run(5_000 + simMs);
  const wallMs = performance.now() - started;
  sim.finish();
  return {
    name,
    simMs,
    wallMs: Math.round(wallMs),
    committedRecords: committed() - startCommitted,
    events: sim.events - startEvents,
    violations: suite.violations.length,
  };
}

export function runRaftBench(options: { scale?: number; progress?: (line: string) => void } = {}): RaftBenchResult {
  const scale = options.scale ?? 1;
  const progress = options.progress ?? (() => {});
  const base: RaftWorkload = { ...DEFAULT_RAFT_WORKLOAD, voters: 3, observers: 0, network: { latency: { min: 0.1, max: 0.5 } } };
  // Saturation: 200 records offered every millisecond, far beyond what the quorum commits.
  const saturated = run('saturation', { ...base, appendEveryMs: 1, batch: 200 }, Math.max(200, 2_000 * scale));
  progress(`saturation  ${saturated.committedRecords} records committed in ${saturated.wallMs} ms wall`);
  // Steady: 100 records per second for a minute of simulated time, on a LAN-like network.
  const steady = run('steady-100/s', { ...base, appendEveryMs: 10, batch: 1, network: { latency: { min: 1, max: 5 } } }, Math.max(1_000, 60_000 * scale));
  progress(`steady      ${steady.simMs} simulated ms in ${steady.wallMs} ms wall`);
  return {
    bench: 'raft',
    committedRecordsPerSec: Math.round((saturated.committedRecords / Math.max(1, saturated.wallMs)) * 1000),
    timeRatio: Math.round((steady.simMs / Math.max(1, steady.wallMs)) * 10) / 10,
    voters: 3,
    runs: [saturated, steady],
  };
}
