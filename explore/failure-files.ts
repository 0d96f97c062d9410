// Writes a shrunk failure under failures/: the scenario as YAML (ready for `samsa run`) and the
// trace of its run (ready for `samsa replay` and `samsa viz`).

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runScenario } from '../sim/scenario/run.ts';
import { scenarioToYaml } from '../sim/scenario/to-yaml.ts';
import type { Scenario } from '../sim/scenario/types.ts';
import { FileSink } from '../trace/sink.ts';

export interface FailureFiles {
  scenario: string;
  trace: string;
  traceHash: string | null;
}

export function writeFailure(dir: string, scenario: Scenario): FailureFiles {
  mkdirSync(dir, { recursive: true });
  const base = join(dir, scenario.name);
  const scenarioPath = `${base}.yaml`;
  const tracePath = `${base}.jsonl`;
  writeFileSync(scenarioPath, scenarioToYaml(scenario));
  const run = runScenario(scenario, { seed: scenario.seed, trace: new FileSink(tracePath) });
  return { scenario: scenarioPath, trace: tracePath, traceHash: run.traceHash };
}
