// `samsa bench kernel|raft|sim|bugs|viz`: runs a benchmark, prints its tables and, with --json, the figures.

import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { join } from 'node:path';
import { expectedCheckers, runBugsBench, type BugsBenchResult } from '../bench/bugs.ts';
import { KNOWN_BUGS } from '../core/bugs.ts';
import { runKernelBench } from '../bench/kernel.ts';
import { netBenchMissing, runNetBench } from '../bench/net.ts';
import { runRaftBench } from '../bench/raft.ts';
import { runSimBench } from '../bench/sim.ts';
import { runVizBench } from '../bench/viz.ts';
import {
  bad,
  checkBugs,
  dim,
  durationOption,
  figuresTable,
  folderOption,
  intOption,
  loadScenarioForCli,
  ok,
  printJson,
  table,
  UserError,
  workersFor,
} from './output.ts';

const TARGET_EVENTS_PER_SEC = 2_000_000;
const TARGET_NETWORK_EVENTS_PER_SEC = 1_000_000;
const TARGET_SIM_RECORDS_PER_SEC = 1_000_000;
const TARGET_SIM_TIME_RATIO = 1_000;
const TARGET_BUG_MEDIAN_SECONDS = 10;
const TARGET_SHRUNK_FAULTS = 6;
const TARGET_SEEDS_PER_SEC = 20;
const TARGET_VIZ_LOAD_MS = 3_000;

export function registerBench(program: Command): void {
  const bench = program.command('bench').description('benchmarks of the simulator and of the real runtime');
  bench
    .command('kernel')
    .description('simulation kernel throughput: events per second, with and without the network model')
    .option('--json', 'print the figures as one JSON line at the end')
    .option('--rounds <n>', 'measured rounds per workload (the median is reported)', intOption('--rounds', 1), 3)
    .option('--quick', 'a tenth of the events per round (for a fast look, less stable)')
    .action((opts: { json?: boolean; rounds: number; quick?: boolean }) => {
      // People read the tables; with --json they go to stderr so stdout is the JSON line alone.
      const human = opts.json ? process.stderr : process.stdout;
      const progress = (line: string) => process.stderr.write(line + '\n');
      const result = runKernelBench({ rounds: opts.rounds, scale: opts.quick ? 0.1 : 1, progress });
      const mark = (value: number, target: number) => (value >= target ? ok('meets') : bad('below')) + ` ${(target / 1e6).toFixed(0)}M`;
      human.write(
        table(
          ['workload', 'events/s', 'events', 'pending', 'target'],
          result.workloads.map((w) => [
            w.name,
            w.eventsPerSec,
            w.events,
            w.pending,
            w.name === 'kernel' ? mark(w.eventsPerSec, TARGET_EVENTS_PER_SEC) : w.name === 'network' ? mark(w.eventsPerSec, TARGET_NETWORK_EVENTS_PER_SEC) : '',
          ]),
        ) + '\n',
      );
      human.write(
        figuresTable('process', [
          ['peak RSS (MB)', result.peakRssMb],
          ['rounds (median reported)', result.rounds],
        ]) + '\n',
      );
      if (opts.json) printJson(result);
    });
  bench
    .command('raft')
    .description('metadata quorum throughput: committed records per wall second, and simulated-to-wall time at 100 records/s')
    .option('--json', 'print the figures as one JSON line at the end')
    .option('--quick', 'a tenth of the simulated time (for a fast look, less stable)')
    .action((opts: { json?: boolean; quick?: boolean }) => {
      const human = opts.json ? process.stderr : process.stdout;
      const result = runRaftBench({ scale: opts.quick ? 0.1 : 1, progress: (line) => process.stderr.write(line + '\n') });
      human.write(
        table(
          ['run', 'simulated ms', 'wall ms', 'committed records', 'kernel events', 'violations'],
          result.runs.map((r) => [r.name, r.simMs, r.wallMs, r.committedRecords, r.events, r.violations]),
        ) + '\n',
      );
      human.write(
        figuresTable('quorum of 3 voters', [
          ['committed records / wall s', result.committedRecordsPerSec],
          ['simulated ms / wall ms at 100 records/s', result.timeRatio],
        ]) + '\n',
      );
      if (opts.json) printJson(result);
    });
  bench
    .command('sim')
    .description(
      'whole scenario runs (3 brokers, RF 3, every checker on, trace written): records produced, replicated and consumed per wall second, and simulated-to-wall time at 100 writes/s; each run also timed with no trace and its trace written alone, which bound both figures',
    )
    .option('--json', 'print the figures as one JSON line at the end')
    .option('--quick', 'a tenth of the simulated time (for a fast look, less stable)')
    .action((opts: { json?: boolean; quick?: boolean }) => {
      const human = opts.json ? process.stderr : process.stdout;
      const result = runSimBench({ scale: opts.quick ? 0.1 : 1, progress: (line) => process.stderr.write(line + '\n') });
      human.write(
        table(
          [
            'run',
            'simulated ms',
            'wall ms',
            'records sent',
            'records consumed',
            'trace steps',
            'trace MB',
            'trace alone ms',
            'no trace ms',
            'kernel events',
            'violations',
          ],
          result.runs.map((r) => [
            r.name,
            r.simMs,
            r.wallMs,
            r.recordsSent,
            r.recordsConsumed,
            r.traceSteps,
            (r.traceBytes / 1e6).toFixed(1),
            r.traceOnlyMs,
            r.untracedWallMs,
            r.events,
            r.violations,
          ]),
        ) + '\n',
      );
      const mark = (value: number, target: number) =>
        `${value.toLocaleString('en-US')} (${value >= target ? ok('meets') : bad('below')} ${target.toLocaleString('en-US')})`;
      human.write(
        figuresTable('3 brokers, replication factor 3', [
          ['records end to end / wall s', mark(result.recordsPerSec, TARGET_SIM_RECORDS_PER_SEC)],
          ['simulated ms / wall ms at 100 writes/s', mark(result.timeRatio, TARGET_SIM_TIME_RATIO)],
          ['records / wall s, trace alone (no simulation, no checks)', mark(result.traceBound.recordsPerSec, TARGET_SIM_RECORDS_PER_SEC)],
          ['simulated ms / wall ms, trace alone', mark(result.traceBound.timeRatio, TARGET_SIM_TIME_RATIO)],
          ['records / wall s, no trace (simulation and checkers, warm)', mark(result.untracedBound.recordsPerSec, TARGET_SIM_RECORDS_PER_SEC)],
          ['simulated ms / wall ms, no trace', mark(result.untracedBound.timeRatio, TARGET_SIM_TIME_RATIO)],
        ]) + '\n',
      );
      if (opts.json) printJson(result);
    });
  bench
    .command('net')
    .description(
      "real network: kcat produces 100-byte records to a local 3-broker samsa cluster and to librdkafka's mock cluster in the same run (acks=1, and acks=all with replication factor 3); records/s, MB/s and Samsa's ratio to the mock",
    )
    .option('--records <n>', 'records per load', intOption('--records', 1), 1_000_000)
    .option('--quick', 'one million records per load (the default; the full benchmark belongs to the black-box checks)')
    .option('--json', 'print the figures as one JSON line at the end')
    .action(async (opts: { records: number; json?: boolean }) => {
      const human = opts.json ? process.stderr : process.stdout;
      const missing = netBenchMissing();
      if (missing !== null) throw new UserError(`bench net cannot run here: ${missing}`);
      const result = await runNetBench({ records: opts.records, progress: (line) => process.stderr.write(line + '\n') });
      human.write(
        table(
          ['target', 'acks', 'records', 'wall ms', 'records/s', 'MB/s'],
          result.loads.map((l) => [l.target, l.acks, l.records, l.wallMs, l.recordsPerSec.toLocaleString('en-US'), l.mbPerSec]),
        ) + '\n',
      );
      human.write(
        figuresTable('samsa / rdkafka-mock (records/s)', [
          ['acks=1', result.ratios['1']],
          ['acks=all, replication factor 3 (the mock does not replicate)', result.ratios.all],
        ]) + '\n',
      );
      if (opts.json) printJson(result);
    });
  bench
    .command('bugs')
    .description(
      "bug-finding power: for every seeded bug, explore the nemesis scenario with it on until a seed trips a checker the bug's own scenario expects (others do not count; harness crashes are counted apart); then clean seeds, where any violation is a false alarm",
    )
    .option('--scenario <file>', 'the scenario to explore', 'scenarios/nemesis.yaml')
    .option('--bug-scenarios <dir>', "where each bug's own scenario (<bug>.yaml) says which checkers find it", 'scenarios/bugs')
    .option('--bug <name...>', 'only these bugs (default: every seeded bug)')
    .option('--cap <duration>', 'give up on a bug after this long', durationOption('--cap'), 120_000)
    .option('--clean-seeds <n>', 'seeds to run with no bug', intOption('--clean-seeds'), 1_000)
    .option('--workers <w>', 'worker threads, at most one per core (default: one per core; 1 runs in this thread)', intOption('--workers', 1))
    .option('--failures <dir>', 'where the shrunk failures are written', folderOption('--failures'), 'failures/bench')
    .option('--buggify', 'hunt every bug (and the clean seeds) a second time with BUGGIFY on, and set the seeds-to-find side by side')
    .option('--json', 'print the figures as one JSON line at the end')
    .action(
      async (opts: {
        scenario: string;
        bugScenarios: string;
        bug?: string[];
        cap: number;
        cleanSeeds: number;
        workers?: number;
        failures: string;
        buggify?: boolean;
        json?: boolean;
      }) => {
        checkBugs(opts.bug ?? []);
        const human = opts.json ? process.stderr : process.stdout;
        const bugs = opts.bug ?? KNOWN_BUGS;
        const result = await runBugsBench({
          scenario: loadScenarioForCli(opts.scenario),
          bugs,
          expected: expectedCheckers(bugs, (bug) => loadScenarioForCli(join(opts.bugScenarios, `${bug}.yaml`))),
          capMs: opts.cap,
          cleanSeeds: opts.cleanSeeds,
          workers: workersFor(opts.workers, Number.POSITIVE_INFINITY),
          failuresDir: opts.failures,
          buggify: opts.buggify === true,
          progress: (line) => process.stderr.write(line + '\n'),
        });
        human.write(describeBugsBench(result) + '\n');
        if (opts.json) printJson(result);
      },
    );
  bench
    .command('viz')
    .description('visualizer load: navigation to first full render of a one-million-step trace in chromium, cold (index built) and warm')
    .option('--trace <file>', 'load this trace instead of writing one from bench/viz-million.yaml')
    .option('--reloads <n>', 'warm reloads (the median is reported)', intOption('--reloads', 1), 3)
    .option('--json', 'print the figures as one JSON line at the end')
    .action(async (opts: { trace?: string; reloads: number; json?: boolean }) => {
      if (opts.trace !== undefined && !existsSync(opts.trace)) throw new UserError(`no such trace file: ${opts.trace}`);
      const human = opts.json ? process.stderr : process.stdout;
      const result = await runVizBench({ trace: opts.trace, reloads: opts.reloads, progress: (line) => process.stderr.write(line + '\n') });
      const mark = (ms: number) =>
        `${ms.toLocaleString('en-US')} (${ms < TARGET_VIZ_LOAD_MS ? ok('meets') : bad('misses')} < ${TARGET_VIZ_LOAD_MS.toLocaleString('en-US')})`;
      human.write(
        figuresTable(`visualizer load of ${result.steps.toLocaleString('en-US')} steps (${result.traceMb} MB)`, [
          ['cold: navigation to first render, index built (ms)', mark(result.coldMs)],
          ['warm: navigation to first render, index cached (ms)', mark(result.warmMs)],
          ['warm runs (ms)', result.warmRuns.join(', ')],
          ['writing the trace (ms, not measured above)', result.generateMs ?? dim('given')],
        ]) + '\n',
      );
      if (opts.json) printJson(result);
    });
}

function describeBugsBench(r: BugsBenchResult): string {
  const withBuggify = new Map((r.buggify?.bugs ?? []).map((b) => [b.name, b]));
  const buggifySeeds = (name: string) => {
    const b = withBuggify.get(name);
    return b === undefined ? dim('-') : b.found ? String(b.seeds) : bad(`not in ${b.seeds}`);
  };
  const rows = r.bugs.map((b) => [
    b.name,
    b.found ? ok('yes') : bad('no'),
    b.seeds,
    ...(r.buggify !== null ? [buggifySeeds(b.name)] : []),
    b.seconds.toFixed(1),
    b.violation ?? dim(`- (${b.expected.join(', ')})`),
    b.otherViolationSeeds,
    b.crashSeeds.length === 0 ? dim('0') : bad(String(b.crashSeeds.length)),
    b.shrunkFaults === null ? dim('-') : `${b.shrunkFrom} -> ${b.shrunkFaults}`,
  ]);
  const mark = (good: boolean, target: string) => `(${good ? ok('meets') : bad('misses')} ${target})`;
  return [
    table(
      [
        'bug',
        'found',
        'seeds',
        ...(r.buggify !== null ? ['seeds with BUGGIFY'] : []),
        'seconds',
        'found by',
        'other-checker seeds',
        'harness crashes',
        'faults (drawn -> shrunk)',
      ],
      rows,
    ),
    figuresTable(`bug finding on ${r.scenario}, ${r.workers} workers`, [
      ['bugs found', `${r.found} of ${r.bugs.length} ${mark(r.found === r.bugs.length, 'all')}`],
      [
        'median seconds to find',
        r.medianSeconds === null ? '-' : `${r.medianSeconds} ${mark(r.medianSeconds < TARGET_BUG_MEDIAN_SECONDS, `< ${TARGET_BUG_MEDIAN_SECONDS}`)}`,
      ],
      [
        'most faults in a shrunk failure',
        r.maxShrunkFaults === null ? '-' : `${r.maxShrunkFaults} ${mark(r.maxShrunkFaults <= TARGET_SHRUNK_FAULTS, `<= ${TARGET_SHRUNK_FAULTS}`)}`,
      ],
      ['clean seeds / false alarms', `${r.cleanSeeds.toLocaleString('en-US')} / ${r.falseAlarms} ${mark(r.falseAlarms === 0, '0')}`],
      ['harness crashes (bugs in samsa)', `${r.harnessCrashes} ${mark(r.harnessCrashes === 0, '0')}`],
      ['median seeds to find', r.medianSeeds ?? '-'],
      ...(r.buggify === null
        ? []
        : ([
            ['with BUGGIFY: bugs found', `${r.buggify.found} of ${r.buggify.bugs.length}`],
            ['with BUGGIFY: median seeds / seconds to find', `${r.buggify.medianSeeds ?? '-'} / ${r.buggify.medianSeconds ?? '-'}`],
            [
              'with BUGGIFY: clean seeds / false alarms',
              `${r.buggify.cleanSeeds.toLocaleString('en-US')} / ${r.buggify.falseAlarms} ${mark(r.buggify.falseAlarms === 0, '0')}`,
            ],
            ['with BUGGIFY: harness crashes', `${r.buggify.harnessCrashes} ${mark(r.buggify.harnessCrashes === 0, '0')}`],
          ] as Array<[string, string]>)),
      ['clean seeds per second', `${r.seedsPerSec} ${mark(r.seedsPerSec >= TARGET_SEEDS_PER_SEC, `>= ${TARGET_SEEDS_PER_SEC}`)}`],
    ]),
  ].join('\n');
}
