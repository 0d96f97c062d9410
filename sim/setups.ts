// The setups a trace can name in its header (`config.setup`), each with the runner that rebuilds
// the run from the header alone: what `samsa replay` uses to re-run any trace.

import { runKernelWorkload, type KernelWorkload } from './kernel-workload.ts';
import { buildRaftWorkload, type RaftWorkload } from './raft-workload.ts';
import { runScenario } from './scenario/run.ts';
import type { Scenario } from './scenario/types.ts';
import type { TraceHeader } from '../core/trace/schema.ts';
import type { TraceSink } from '../trace/sink.ts';

/** Re-runs a recorded setup from its header, writing the new trace to `sink`. */
export type SetupRunner = (header: TraceHeader, sink: TraceSink) => void;

const setups = new Map<string, SetupRunner>([
  ['kernel-workload', (header, sink) => void runKernelWorkload(header.config as unknown as KernelWorkload, header.seed, sink)],
  [
    'scenario',
    (header, sink) => {
      const config = header.config as unknown as { scenario: Scenario; bugs: string[] };
      runScenario(config.scenario, { seed: header.seed, trace: sink, bugs: config.bugs });
    },
  ],
  [
    'raft-workload',
    (header, sink) => {
      const config = header.config as unknown as RaftWorkload;
      const sim = buildRaftWorkload(config, header.seed, sink);
      sim.run(config.durationMs);
      sim.finish();
    },
  ],
]);

export function setupRunner(name: string): SetupRunner | undefined {
  return setups.get(name);
}

export function knownSetups(): string[] {
  return [...setups.keys()];
}
