// Shared by the property suites: runs a generated scenario document, decides which violations
// Kafka's documentation allows for its settings, and turns a failure into a replayable report
// (the fast-check seed and path, and the scenario as YAML for `samsa run`).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Violation } from '../../models/violation.ts';
import { parseGenerated, scenarioYaml, type Doc } from './generate.ts';
import { runScenario, type RunResult } from '../../sim/scenario/run.ts';
import type { ProducerSpec, Scenario } from '../../sim/scenario/types.ts';
import type { TraceSink } from '../../trace/sink.ts';

export const DEEP = process.env['SAMSA_DEEP'] !== undefined && process.env['SAMSA_DEEP'] !== '' && process.env['SAMSA_DEEP'] !== '0';

const root = join(import.meta.dirname, '..', '..');
/** Where failing scenarios are written (gitignored); SAMSA_PROPERTY_FAILURES moves it. */
export const FAILURE_DIR = process.env['SAMSA_PROPERTY_FAILURES'] ?? join(root, 'test-artifacts', 'properties');

/**
 * The fast-check seed: SAMSA_PROPERTY_SEED to replay (with SAMSA_PROPERTY_PATH for a shrunk case),
 * otherwise a fresh one per run, printed before anything runs so even a hung run can be replayed.
 */
export function propertySeed(suite: string): { seed: number; path: string | undefined } {
  const fromEnv = process.env['SAMSA_PROPERTY_SEED'];
  // Tests are outside the determinism guard (core/, sim/, models/): a fresh seed per run is the point.
  const seed = fromEnv !== undefined && fromEnv !== '' ? Number(fromEnv) : (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) >>> 1;
  const path = process.env['SAMSA_PROPERTY_PATH'] || undefined;
  console.log(
    `[${suite}] fast-check seed ${seed}${path ? ` path ${path}` : ''} (replay: SAMSA_PROPERTY_SEED=${seed}${DEEP ? ' SAMSA_DEEP=1' : ''} npx vitest run test/properties)`,
  );
  return { seed, path };
}

export interface GeneratedRun {
  yaml: string;
  scenario: Scenario;
  result: RunResult;
}

export function runGenerated(doc: Doc, trace: TraceSink | null = null): GeneratedRun {
  const yaml = scenarioYaml(doc);
  const scenario = parseGenerated(yaml);
  const result = runScenario(scenario, { trace });
  return { yaml, scenario, result };
}

/**
 * Without idempotence Kafka promises neither exactly-once appends nor, with more than one request
 * in flight, send order (the producer docs for enable.idempotence and
 * max.in.flight.requests.per.connection): a retry of a write that was appended appends it again,
 * and may land behind a later send. Those reports, for those producers only, are allowed.
 */
function allowed(scenario: Scenario, v: Violation): boolean {
  const producers = scenario.clients.filter((c): c is ProducerSpec => c.kind === 'producer');
  const plain = producers.filter((p) => p.config['enable.idempotence'] === false);
  if (v.name === 'duplicate') {
    const value = v.values['value'];
    return typeof value === 'string' && plain.some((p) => value.startsWith(`${p.id}-`));
  }
  if (v.name === 'producer-order') {
    return plain.some((p) => v.nodes.includes(p.id) && Number(p.config['max.in.flight.requests.per.connection'] ?? 5) > 1);
  }
  return false;
}

/** What is wrong with a run of a scenario that should be clean: unexpected violations, no convergence. */
export function problemsOf(run: GeneratedRun): string[] {
  const { result, scenario } = run;
  // Only the first few violations of each checker are kept; a checker whose kept ones are all
  // allowed is taken to have found only allowed ones (the rest cannot be inspected).
  const out = result.violations.filter((v) => !allowed(scenario, v)).map((v) => `${v.name} (${v.class}, step ${v.step}): ${v.message}`);
  if (scenario.expect.liveness && result.convergedAtMs === null && out.length === 0) out.push('the cluster did not converge after every fault healed');
  return out;
}

/** Writes the failing scenario and returns the message to fail with. */
export function failureReport(suite: string, run: GeneratedRun, problems: readonly string[], seed: number): string {
  mkdirSync(FAILURE_DIR, { recursive: true });
  const file = join(FAILURE_DIR, `${suite}-fc${seed}.yaml`);
  const header = [
    `# ${suite}: fast-check seed ${seed}; replay: samsa run ${file}`,
    ...problems.map((p) => `# ${p}`),
    '# (samsa run also lists duplicate and producer-order reports of producers with enable.idempotence false:',
    '# Kafka promises neither without idempotence, so the property test allows those.)',
    '',
  ].join('\n');
  writeFileSync(file, header + run.yaml);
  return [
    `${suite}: a generated scenario that Kafka's settings promise to survive failed (fast-check seed ${seed}).`,
    ...problems.map((p) => `  - ${p}`),
    `Scenario (saved to ${file}; replay with samsa run ${file}):`,
    run.yaml,
  ].join('\n');
}
