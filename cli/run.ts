// `samsa run <scenario>`: one simulated run of a scenario file with every checker on; prints a
// summary for people (or one JSON line), writes the trace, and exits 0 when the run met the
// scenario's expectation (see exitCodeOf).

import { ALLOWED_ANOMALIES } from '../models/history/allowed-anomalies.ts';
import type { Command } from 'commander';
import { KNOWN_BUGS } from '../core/bugs.ts';
import { ScenarioSetupError } from '../sim/scenario/cluster.ts';
import { loadScenario, ScenarioError } from '../sim/scenario/parse.ts';
import { runScenario, type RunResult } from '../sim/scenario/run.ts';
import { traceFileSink } from './output.ts';
import { CHECKER_NAMES } from '../models/checker-suite.ts';
import { LIVENESS_CHECKERS } from '../models/checkers/liveness.ts';
import type { AppliedFault } from '../sim/scenario/faults.ts';
import type { Violation } from '../models/violation.ts';
import { bad, checkBugs, dim, figuresTable, intOption, ok, printJson, table, terminalWidth, UserError, warn } from './output.ts';
import { finalStateTable } from './final-state.ts';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description(
      "run one scenario in simulation with every invariant checker on; exit 0 when the run met the scenario's `expect`, 1 when it did not on safety (a violation it did not expect, or an expected one that did not happen), 2 when it did not on liveness or the verdict is unknown (no write acknowledged), 64 on bad input",
    )
    .argument('<scenario>', 'a scenario file (YAML, see scenarios/)')
    .option('--seed <n>', "the run seed (default: the scenario's seed)", intOption('--seed'))
    .option('--trace <file>', 'where to write the trace (default: traces/<scenario>-seed-<seed>.jsonl)')
    .option('--bug <name...>', `switch on seeded bugs (${KNOWN_BUGS.join(', ')})`)
    .option('--wire', "send every message through Kafka's wire codec (bytes and back), as the scenario's `wire: true` does; the trace records it")
    .option('--buggify', "BUGGIFY: rare, legal detours inside the core (core/buggify.ts), as the scenario's `buggify: true` does; the trace records it")
    .option(
      '--ignore-expect',
      "judge the run by its violations alone, whatever the scenario's `expect` says: exit 1 on a safety violation, 2 on a liveness failure, else 0",
    )
    .option('--verbose', 'list every violation and every partition in full (tables otherwise show the first few and say how many more)')
    .option('--json', 'print the result as one JSON line at the end')
    .action((path: string, opts: RunFlags) => {
      const started = performance.now();
      const result = runFile(path, opts);
      const wallMs = Math.round(performance.now() - started);
      const human = opts.json ? process.stderr : process.stdout;
      human.write(describeRun(result.run, result.tracePath, wallMs, { verbose: opts.verbose === true, width: terminalWidth(human) }) + '\n');
      if (opts.json) {
        const r = result.run;
        printJson({
          scenario: r.scenario,
          seed: r.seed,
          violations: r.violations.map((v) => ({ name: v.name, message: v.message, step: v.step, class: v.class, nodes: v.nodes })),
          violationCounts: r.violationCounts,
          expected: r.expected,
          valid: r.valid,
          expectationMet: r.expectationMet,
          warnings: r.warnings,
          traceHash: r.traceHash,
          steps: r.steps,
          simMs: r.simMs,
          wallMs,
          convergedAtMs: r.convergedAtMs,
          bugs: r.bugs,
          protocol: r.protocol,
          ...(r.buggify !== null ? { buggify: r.buggify } : {}),
          trace: result.tracePath,
          partitions: r.partitions,
        });
      }
      process.exitCode = opts.ignoreExpect === true ? violationExitCode(result.run) : exitCodeOf(result.run);
    });
}

interface RunFlags {
  seed?: number;
  trace?: string;
  bug?: string[];
  wire?: boolean;
  buggify?: boolean;
  ignoreExpect?: boolean;
  verbose?: boolean;
  json?: boolean;
}

const LIVENESS_NAMES = new Set(LIVENESS_CHECKERS.map((c) => c.name));

/**
 * By the scenario's expectation: 0 when it was met (a bug scenario that tripped what it expects
 * succeeds); 1 when it was not on safety (a safety checker tripped that was not expected, or an
 * expected one did not trip); 2 when it was not on liveness alone, or the verdict is unknown.
 */
export function exitCodeOf(run: RunResult): number {
  if (run.expectationMet) return 0;
  const tripped = Object.keys(run.violationCounts).filter((name) => (run.violationCounts[name] ?? 0) > 0);
  const mismatched = [...tripped.filter((name) => !run.expected.includes(name)), ...run.expected.filter((name) => !tripped.includes(name))];
  return mismatched.some((name) => !LIVENESS_NAMES.has(name)) ? 1 : 2;
}

/** By the violations alone (`--ignore-expect`): 1 on a safety violation, 2 on a liveness failure only, else 0. */
export function violationExitCode(run: RunResult): number {
  if (run.violations.some((v) => v.class === 'safety')) return 1;
  return run.violations.length > 0 ? 2 : 0;
}

function runFile(
  path: string,
  opts: { seed?: number; trace?: string; bug?: string[]; wire?: boolean; buggify?: boolean },
): { run: RunResult; tracePath: string } {
  checkBugs(opts.bug ?? []);
  try {
    const scenario = loadScenario(path, { knownBugs: KNOWN_BUGS });
    const seed = opts.seed ?? scenario.seed;
    const tracePath = opts.trace ?? `traces/${scenario.name}-seed-${seed}.jsonl`;
    const trace = traceFileSink(tracePath);
    const run = runScenario(scenario, { seed, trace, bugs: opts.bug ?? [], wire: opts.wire === true, buggify: opts.buggify === true });
    return { run, tracePath };
  } catch (err) {
    if (err instanceof ScenarioError || err instanceof ScenarioSetupError) throw new UserError(err instanceof ScenarioError ? err.oneLine() : err.message);
    throw err;
  }
}

const n = (x: number) => x.toLocaleString('en-US');

/** How many of `names` held and which tripped ("36 of 38 held; tripped: ..."); `kind` names them ("history checkers"). */
export function checkersLine(names: readonly string[], counts: Record<string, number>, kind = ''): string {
  const tripped = names.filter((name) => (counts[name] ?? 0) > 0);
  const held = `${names.length - tripped.length} of ${names.length}${kind === '' ? '' : ` ${kind}`} held`;
  return tripped.length === 0 ? ok(held) : `${held}; ${bad(`tripped: ${tripped.join(', ')}`)}`;
}

/** One applied fault on one line: "8.00 s  partition b1 (for 10 s)". */
function describeFault(f: AppliedFault): string {
  const nodes = f.nodes.length === 0 ? dim('(no node matched)') : f.nodes.join(', ');
  const what =
    f.kind === 'partition'
      ? `partition: ${nodes} cut off`
      : f.kind === 'partition-oneway'
        ? `one-way partition from ${nodes}`
        : f.kind === 'network'
          ? 'network change'
          : `${f.kind} ${nodes}`;
  return `${(f.atMs / 1000).toFixed(2)} s  ${what}${f.forMs === null ? '' : ` (for ${f.forMs / 1000} s)`}`;
}

/** The longest and the total time partitions spent without a leader. */
function leaderlessLine(leaderlessMs: Record<string, number>): string {
  const entries = Object.entries(leaderlessMs);
  if (entries.length === 0) return dim('-');
  const [worst, worstMs] = entries.reduce((a, b) => (b[1] > a[1] ? b : a));
  const total = entries.reduce((sum, [, ms]) => sum + ms, 0);
  const ms = (v: number) => `${Math.round(v).toLocaleString('en-US')} ms`;
  return `longest ${ms(worstMs)}${worstMs > 0 ? ` (${worst})` : ''}, ${ms(total)} in all over ${entries.length} partitions`;
}

/** Per group: its rebalances, the longest, its last generation, and the records re-delivered to it. */
function groupsLine(groups: RunResult['groups']): string {
  const ms = (v: number) => `${Math.round(v).toLocaleString('en-US')} ms`;
  return Object.entries(groups)
    .map(
      ([name, g]) =>
        `${name}: ${g.rebalances} rebalance${g.rebalances === 1 ? '' : 's'} (longest ${ms(g.longestMs)}, ${ms(g.totalMs)} in all), generation ${g.generation}; ${n(g.processed)} records processed, ${n(g.redelivered)} of them again`,
    )
    .join('\n');
}

/** "t1: 40 / 9 / 1" per transactional producer. */
export function transactionsLine(transactions: RunResult['transactions']): string {
  return Object.entries(transactions)
    .map(([id, t]) => `${id}: ${n(t.committed)} / ${n(t.aborted)} / ${n(t.unknown)}`)
    .join('\n');
}

/** Per pipeline: its inputs, and how many are in the committed output once, never, or more than once. */
function pipelinesLine(pipelines: RunResult['pipelines']): string {
  return pipelines
    .map((p) => `${p.input} → ${p.output}: ${n(p.inputs)} inputs, ${n(p.once)} once, ${n(p.missing)} missing, ${n(p.duplicated)} duplicated`)
    .join('\n');
}

/** The anomalies Kafka's transactions allow, which no checker reports. */
export function allowedLine(): string {
  return ALLOWED_ANOMALIES.map((a) => `${a.name}: ${dim(a.why)}`).join('\n');
}

/** How many violations are listed before "N more". */
const VIOLATIONS_SHOWN = 10;

/** The verdict as Jepsen would give it: valid, N violations, or unknown when nothing was acknowledged. */
export function verdictLine(valid: boolean | 'unknown', counts: { sends: number }, violationCounts: Record<string, number>): string {
  if (valid === true) return ok('no violations');
  if (valid === 'unknown') {
    return bad(`unknown: ${n(counts.sends)} write(s) sent and none acknowledged, so no acknowledged write was there to check`);
  }
  return bad(`${n(Object.values(violationCounts).reduce((a, b) => a + b, 0))} violation(s)`);
}

/** The violations found, the first few unless `verbose`, with a line saying how many more there are. */
export function violationsTable(
  violations: readonly Violation[],
  violationCounts: Record<string, number>,
  options: { verbose: boolean; width: number },
): string {
  const total = Object.values(violationCounts).reduce((a, b) => a + b, 0);
  const shown = options.verbose ? violations : violations.slice(0, VIOLATIONS_SHOWN);
  const rows: Array<Array<string | number>> = shown.map((v) => [v.name, v.class, v.step, v.message]);
  if (total > shown.length) {
    const listed = violations.length > shown.length ? `; --verbose or --json lists the ${n(violations.length)} recorded` : '';
    rows.push([dim(`${n(total - shown.length)} more`), '', '', dim(`not listed${listed}`)]);
  }
  return table(['checker', 'class', 'step', 'what happened'], rows, { wrap: 3, width: options.width });
}

export function describeRun(
  r: RunResult,
  tracePath: string,
  wallMs: number,
  options: { verbose: boolean; width: number } = { verbose: false, width: terminalWidth() },
): string {
  const safety = r.violations.filter((v) => v.class === 'safety').length;
  const lines = [
    figuresTable(
      `${r.scenario}, seed ${r.seed}`,
      [
        ['bugs switched on', r.bugs.length === 0 ? dim('none') : r.bugs.join(', ')],
        ['simulated time', `${(r.simMs / 1000).toFixed(1)} s`],
        ['wall time', `${wallMs} ms`],
        ['kernel events / trace steps', `${r.events.toLocaleString('en-US')} / ${r.steps.toLocaleString('en-US')}`],
        [
          'messages sent / dropped',
          `${r.stats.messagesSent.toLocaleString('en-US')} / ${Object.values(r.stats.dropped)
            .reduce((a, b) => a + b, 0)
            .toLocaleString('en-US')}`,
        ],
        ['faults (as scheduled)', r.faults.length === 0 ? dim('none') : r.faults.map(describeFault).join('\n')],
        ...(r.warnings.length === 0 ? [] : [['warnings', warn(r.warnings.join('\n'))] as [string, string]]),
        ['partitions / crashes / node starts', `${r.stats.partitions} / ${r.stats.crashes} / ${r.stats.starts}`],
        ['quorum leaders (epochs) / controller activations', `${r.protocol.quorumLeaders} / ${r.protocol.controllerActivations}`],
        ['broker registrations / partition changes', `${r.protocol.brokerRegistrations} / ${r.protocol.partitionChanges}`],
        ['partitions without a leader', leaderlessLine(r.leaderlessMs)],
        ['topics created at', r.topicsCreatedAtMs === null ? bad('never') : `${(r.topicsCreatedAtMs / 1000).toFixed(2)} s`],
        [
          'records sent / acknowledged / failed / unknown',
          `${n(r.protocol.sends)} / ${n(r.protocol.acknowledged)} / ${n(r.protocol.failed)} / ${n(r.protocol.unknown)}`,
        ],
        ['records consumed (all consumers)', n(r.protocol.consumed)],
        ...(Object.keys(r.groups).length === 0 ? [] : [['consumer groups', groupsLine(r.groups)] as [string, string]]),
        ...(Object.keys(r.transactions).length === 0
          ? []
          : [
              ['transactions committed / aborted / unknown', transactionsLine(r.transactions)] as [string, string],
              ['allowed, as Kafka allows them', allowedLine()] as [string, string],
            ]),
        ...(r.pipelines.length === 0 ? [] : [['exactly-once (committed output)', pipelinesLine(r.pipelines)] as [string, string]]),
        ['converged after healing at', r.convergedAtMs === null ? dim('-') : `${(r.convergedAtMs / 1000).toFixed(2)} s`],
        ...(r.buggify !== null ? [['BUGGIFY sites fired', buggifyLine(r.buggify)] as [string, string]] : []),
        ['checkers', checkersLine(CHECKER_NAMES, r.violationCounts)],
        ['verdict', verdictLine(r.valid, r.protocol, r.violationCounts)],
        ['expected', r.expected.length === 0 ? 'no violations' : r.expected.join(', ')],
        ['expectation', r.expectationMet ? ok('met') : bad('NOT met')],
        ['trace', tracePath],
        ['trace hash', r.traceHash ?? '-'],
      ],
      options.width,
    ),
  ];
  const finalState = finalStateTable(r.partitions, options);
  if (finalState !== null) lines.push("final state of the partitions (as kafka-topics --describe, plus each replica's log):", finalState);
  if (r.violations.length > 0) {
    lines.push(violationsTable(r.violations, r.violationCounts, options));
    if (safety > 0) lines.push(dim(`replay: npx samsa replay ${tracePath}`));
  }
  lines.push(dim(`watch it: npx samsa viz ${tracePath}`));
  return lines.join('\n');
}

/** "fetch.short-read ×12, raft.flush-late ×3", or none. */
export function buggifyLine(fired: Record<string, number>): string {
  const entries = Object.entries(fired);
  return entries.length === 0
    ? 'none (the sites active in this run were not reached, or none was active)'
    : entries.map(([site, n]) => `${site} ×${n}`).join(', ');
}
