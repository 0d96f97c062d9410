// The fault schedule of `samsa check --nemesis`, in the simulator's scenario format: a scenario file's
// `faults:` and its `nemesis:` drawn for the seed (sim/scenario/nemesis.ts), or a list of nemesis fault
// kinds, turned into the fault control's commands (net/cluster-faults.ts) for a real cluster.

import { parseScenario, ScenarioError } from '../sim/scenario/parse.ts';
import { drawNemesis } from '../sim/scenario/nemesis.ts';
import { NEMESIS_FAULTS, type Fault, type Scenario, type Selector } from '../sim/scenario/types.ts';
import type { ScheduledFault } from '../net/nemesis-runner.ts';
import { didYouMean } from '../core/protocol/nearest-name.ts';
import { loadScenarioForCli, UserError } from './output.ts';

/** The nemesis kinds a real cluster can be given (no lossy or reordering TCP, no clocks to skew, no disks to wipe). */
export const REAL_NEMESIS_FAULTS = ['partition', 'partition-oneway', 'crash', 'power-loss', 'pause', 'slow-link'] as const;

export interface NemesisPlan {
  schedule: ScheduledFault[];
  /** Where it came from, in words. */
  source: string;
}

export interface NemesisTarget {
  brokers: number;
  topic: string;
  partitions: number;
  durationMs: number;
  intervalMs: number;
  seed: number;
}

/** The schedule `spec` (a scenario file, or a comma-separated list of nemesis fault kinds) means for the target cluster. */
export function nemesisPlan(spec: string, target: NemesisTarget): NemesisPlan {
  const isFile = isScenarioFile(spec);
  const scenario = isFile ? loadScenarioForCli(spec) : kindsScenario(spec, target);
  const where = isFile ? spec : '--nemesis';
  if (scenario.cluster.nodes !== target.brokers || scenario.cluster.controllers !== 'combined') {
    throw new UserError(`${where}: the scenario's cluster has ${scenario.cluster.nodes} nodes, the cluster checked ${target.brokers} combined brokers`);
  }
  const faults = [...scenario.faults, ...drawNemesis(scenario, target.seed).faults].sort((a, b) => a.atMs - b.atMs);
  const schedule = faults.map((f) => ({ atMs: f.atMs, forMs: f.forMs ?? null, command: commandOf(f, target.topic, where) }));
  const drawn =
    scenario.nemesis === null ? '' : `nemesis ${scenario.nemesis.faults.join(', ')} every ~${scenario.nemesis.intervalMs} ms, drawn for seed ${target.seed}`;
  return { schedule, source: isFile ? `${spec} (${scenario.faults.length} scheduled faults${drawn === '' ? '' : `, ${drawn}`})` : drawn };
}

/**
 * Refuses a spec that cannot run, before anything connects: unknown kinds, a scenario file that does not
 * parse, and scheduled faults a real cluster cannot take or that name another topic.
 */
export function checkNemesisSpec(spec: string, topic: string): void {
  if (!isScenarioFile(spec)) {
    kindsOf(spec);
    return;
  }
  const scenario = loadScenarioForCli(spec);
  for (const fault of scenario.faults) commandOf(fault, topic, spec);
}

const isScenarioFile = (spec: string) => /\.ya?ml$/i.test(spec) || spec.includes('/');

/** The nemesis kinds of a comma-separated list, each one a real cluster can take. */
function kindsOf(spec: string): string[] {
  const kinds = spec.split(',').map((k) => k.trim());
  for (const kind of kinds) {
    if (!(REAL_NEMESIS_FAULTS as readonly string[]).includes(kind)) {
      const simOnly = (NEMESIS_FAULTS as readonly string[]).includes(kind)
        ? ' (a fault the simulator has, but a real cluster cannot be given)'
        : didYouMean(kind, REAL_NEMESIS_FAULTS);
      throw new UserError(`--nemesis: unknown fault kind "${kind}"${simOnly}; expected a scenario file or some of ${REAL_NEMESIS_FAULTS.join(', ')}`);
    }
  }
  return kinds;
}

/** A scenario holding only a nemesis of `kinds`, for the checked cluster and topic. */
function kindsScenario(spec: string, target: NemesisTarget): Scenario {
  const kinds = kindsOf(spec);
  const text = [
    'samsa: 1',
    'name: check-nemesis',
    `duration: ${target.durationMs}ms`,
    `cluster: { nodes: ${target.brokers} }`,
    `topics: [{ name: ${JSON.stringify(target.topic)}, partitions: ${target.partitions}, replicationFactor: 1 }]`,
    `nemesis: { faults: [${kinds.join(', ')}], interval: ${target.intervalMs}ms }`,
  ].join('\n');
  try {
    return parseScenario(text, '--nemesis', { knownBugs: [] });
  } catch (err) {
    if (err instanceof ScenarioError) throw new UserError(err.oneLine());
    throw err;
  }
}

/** One fault as a command of the fault control. */
function commandOf(fault: Fault, topic: string, where: string): Record<string, unknown> {
  const refuse = (why: string): never => {
    throw new UserError(`${where}: the fault at ${fault.atMs} ms (${fault.kind}) ${why}`);
  };
  const selector = (s: Selector): unknown => {
    switch (s.kind) {
      case 'node':
        if (!/^b\d+$/.test(s.id)) refuse(`names "${s.id}": a real cluster's nodes are b1..bN`);
        return s.id;
      case 'leader-of':
        if (s.topic !== topic) refuse(`names leader-of ${s.topic}/${s.partition}, but the topic checked is ${topic}`);
        return { 'leader-of': `${s.topic}/${s.partition}` };
      default:
        return s.kind;
    }
  };
  const nodes = (list: readonly Selector[]) => list.map(selector);
  switch (fault.kind) {
    case 'partition':
      return { partition: fault.groups.map(nodes) };
    case 'partition-oneway':
      return { 'partition-oneway': { from: nodes(fault.from), to: nodes(fault.to) } };
    case 'heal':
      if (!fault.nodes.some((s) => s.kind === 'all')) refuse('heals some nodes: a real cluster heals all links at once (heal: all)');
      return { heal: 'all' };
    case 'crash':
    case 'power-loss':
    case 'stop':
    case 'restart':
    case 'pause':
    case 'resume':
      return { [fault.kind]: nodes(fault.nodes) };
    case 'slow-link':
      return { 'slow-link': { between: nodes(fault.between), latency: fixedLatency(fault.latency) } };
    default:
      return refuse('is a fault the simulator has, but a real cluster cannot be given');
  }
}

/** The proxy delays every chunk by one fixed time: a constant as it is, a range's middle, a distribution's mean. */
function fixedLatency(latency: Extract<Fault, { kind: 'slow-link' }>['latency']): number {
  if ('constant' in latency) return latency.constant;
  if ('mean' in latency) return Math.round(latency.mean);
  return Math.round((latency.min + latency.max) / 2);
}
