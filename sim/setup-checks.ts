// What a trace header's config must hold before `samsa replay` re-runs it: a scenario must pass
// the scenario file's own checks (written back as YAML and parsed), a workload's counts and times
// must be in range. A header samsa wrote always passes; an edited one may not, and running it
// anyway could throw, or build a million nodes, before the first line is compared.

import { KNOWN_BUGS } from '../core/bugs.ts';
import { parseScenario, ScenarioError } from './scenario/parse.ts';
import { scenarioToYaml } from './scenario/to-yaml.ts';
import type { Scenario } from './scenario/types.ts';
import { MAX_DURATION_MS } from './scenario/units.ts';

type Fields = Record<string, unknown>;

/** The most nodes a workload header may ask for, as a scenario's cluster may. */
const MAX_NODES = 64;

/** Why the header's config cannot be re-run by its setup (`config.<field>: ...`), or null. */
export function setupProblem(setup: string, config: Fields): string | null {
  switch (setup) {
    case 'scenario':
      return scenarioProblem(config);
    case 'kernel-workload':
      return (
        count(config, 'nodes', 1, MAX_NODES) ??
        count(config, 'tokensPerNode', 0, 1_000) ??
        count(config, 'syncEvery', 0, Number.MAX_SAFE_INTEGER) ??
        time(config, 'tickMs', true) ??
        time(config, 'durationMs', false) ??
        time(config, 'faultEveryMs', false)
      );
    case 'raft-workload':
      return (
        count(config, 'voters', 1, MAX_NODES) ??
        count(config, 'observers', 0, MAX_NODES) ??
        count(config, 'batch', 0, 10_000) ??
        time(config, 'appendEveryMs', false) ??
        time(config, 'durationMs', false)
      );
    default:
      return null;
  }
}

function scenarioProblem(config: Fields): string | null {
  const bugs = config['bugs'];
  if (!Array.isArray(bugs) || !bugs.every((b) => typeof b === 'string' && KNOWN_BUGS.includes(b))) {
    return 'config.bugs: expected a list of known bugs';
  }
  let yaml: string;
  try {
    yaml = scenarioToYaml(config['scenario'] as Scenario);
  } catch (err) {
    return `config.scenario: not a scenario (${err instanceof Error ? err.message : String(err)})`;
  }
  try {
    parseScenario(yaml, 'config.scenario', { knownBugs: KNOWN_BUGS });
    return null;
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    const first = err.problems[0];
    return first === undefined ? 'config.scenario: not a valid scenario' : `config.scenario.${first.path}: ${first.message}`;
  }
}

function count(config: Fields, field: string, min: number, max: number): string | null {
  const v = config[field];
  return Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max
    ? null
    : `config.${field}: expected an integer from ${min} to ${max}, got ${JSON.stringify(v) ?? 'nothing'}`;
}

function time(config: Fields, field: string, positive: boolean): string | null {
  const v = config[field];
  const ok = typeof v === 'number' && Number.isFinite(v) && (positive ? v > 0 : v >= 0) && v <= MAX_DURATION_MS;
  return ok ? null : `config.${field}: expected a time in ms ${positive ? '> 0' : '>= 0'}, got ${JSON.stringify(v) ?? 'nothing'}`;
}
