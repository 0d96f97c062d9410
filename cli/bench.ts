// `samsa bench kernel|raft|sim|net|bugs|viz|storage`: runs a benchmark, prints its tables and, with --json, the figures.

import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { join } from 'node:path';
import { expectedCheckers, runBugsBench, type BugsBenchResult } from '../bench/bugs.ts';
import { KNOWN_BUGS } from '../core/bugs.ts';
import { runKernelBench } from '../bench/kernel.ts';
import { formatProfileSummary, selfTimeByFolder, summarizeCpuProfile, type ProfileSummary } from '../bench/cpu-profile.ts';
import { NET_LOADS, netBenchMissing, runNetBench, type LatencyFigure, type NetLoadName, type ThroughputFigure } from '../bench/net.ts';
import { runRaftBench } from '../bench/raft.ts';
import { profileSaturation, runSimBench, SCALING_SHAPES, type SimBenchResult } from '../bench/sim.ts';
import { runVizBench } from '../bench/viz.ts';
import { registerStorageBench } from './bench-storage.ts';
import { registerVerdictsBench } from './bench-verdicts.ts';
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
/** Issue 21's targets: traced runs (the trace written) and runs with no trace (the explorer's case). */
const TARGET_SIM = { tracedRecordsPerSec: 250_000, tracedTimeRatio: 500, untracedRecordsPerSec: 500_000, untracedTimeRatio: 1_000 };
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
    .option('--scaling', 'also each figure at 5 and 9 brokers (3 partitions) and at 1, 10 and 100 partitions (3 brokers)')
    .option('--profile <dir>', 'then CPU-profile the saturated run, traced and with no trace, into this folder (.cpuprofile) and print where the time went')
    .action(async (opts: { json?: boolean; quick?: boolean; scaling?: boolean; profile?: string }) => {
      const human = opts.json ? process.stderr : process.stdout;
      const scale = opts.quick ? 0.1 : 1;
      const progress = (line: string) => process.stderr.write(line + '\n');
      const result = runSimBench({ scale, progress });
      human.write(simRunsTable(result) + '\n');
      human.write(figuresTable('3 brokers, 3 partitions, replication factor 3', simFigureRows(result)) + '\n');
      let scaling: SimBenchResult[] | undefined;
      if (opts.scaling) {
        scaling = [result, ...SCALING_SHAPES.map((shape) => runSimBench({ scale, shape, progress }))];
        human.write(simScalingTable(scaling) + '\n');
      }
      let profiles: Array<{ file: string; top: ProfileSummary['top']; byFolder: ReturnType<typeof selfTimeByFolder> }> | undefined;
      if (opts.profile !== undefined) {
        profiles = (await profileSaturation(opts.profile, scale, progress)).map((file) => ({
          file,
          top: summarizeCpuProfile(file, 25).top,
          byFolder: selfTimeByFolder(file),
        }));
        for (const p of profiles) {
          human.write(formatProfileSummary(summarizeCpuProfile(p.file, 25)) + '\n');
          human.write(
            table(
              ['self time by folder', 'ms', '%'],
              p.byFolder.slice(0, 15).map((f) => [f.folder, f.selfMs, f.percent.toFixed(1)]),
            ) + '\n',
          );
        }
      }
      if (opts.json)
        printJson({
          ...result,
          ...(scaling !== undefined ? { scaling: scaling.map(({ runs: _r, ...figures }) => figures) } : {}),
          ...(profiles !== undefined ? { profiles } : {}),
        });
    });
  bench
    .command('net')
    .description(
      "real network: the same client loads against a local 3-broker samsa cluster and librdkafka's mock cluster in one run, side by side with ratios: kcat producing 100-byte records (acks=1 RF 1, acks=all RF 3), kcat consuming them, kafkajs producing in batches of 1,000, and produce latency p50/p99/p999 at a fixed rate",
    )
    .option('--records <n>', 'records per throughput load (default 1,000,000; 100,000 with --quick)', intOption('--records', 1))
    .option('--runs <n>', 'runs of each load on each target, the best reported (default 2; 1 with --quick)', intOption('--runs', 1))
    .option('--rate <n>', 'records/s of the latency loads', intOption('--rate', 1), 10_000)
    .option('--latency-seconds <n>', 'seconds of each latency load (default 15; 3 with --quick)', intOption('--latency-seconds', 1))
    .option('--only <loads...>', `only these loads: ${NET_LOADS.join(', ')}`)
    .option('--profile <dir>', 'run the brokers under node --cpu-prof into this folder and print where their time went')
    .option('--quick', '100,000 records, one run, 3 s latency loads')
    .option('--json', 'print the figures as one JSON line at the end')
    .action(
      async (opts: {
        records?: number;
        runs?: number;
        rate: number;
        latencySeconds?: number;
        only?: string[];
        profile?: string;
        quick?: boolean;
        json?: boolean;
      }) => {
        const human = opts.json ? process.stderr : process.stdout;
        const missing = netBenchMissing();
        if (missing !== null) throw new UserError(`bench net cannot run here: ${missing}`);
        const unknown = (opts.only ?? []).filter((l) => !(NET_LOADS as readonly string[]).includes(l));
        if (unknown.length > 0) throw new UserError(`--only: no load named ${unknown.join(', ')} (loads: ${NET_LOADS.join(', ')})`);
        const result = await runNetBench({
          records: opts.records ?? (opts.quick ? 100_000 : 1_000_000),
          runs: opts.runs ?? (opts.quick ? 1 : 2),
          latencyRatePerSec: opts.rate,
          latencySeconds: opts.latencySeconds ?? (opts.quick ? 3 : 15),
          ...(opts.only !== undefined ? { loads: opts.only as NetLoadName[] } : {}),
          ...(opts.profile !== undefined ? { profileDir: opts.profile } : {}),
          progress: (line) => process.stderr.write(line + '\n'),
        });
        const rate = (f: ThroughputFigure | LatencyFigure) => (f as ThroughputFigure).recordsPerSec.toLocaleString('en-US');
        const mb = (f: ThroughputFigure | LatencyFigure) => (f as ThroughputFigure).mbPerSec;
        const lat = (f: ThroughputFigure | LatencyFigure) => {
          const l = f as LatencyFigure;
          return `${l.p50Ms.toFixed(2)} / ${l.p99Ms.toFixed(2)} / ${l.p999Ms.toFixed(2)}${l.failed > 0 ? ` (${l.failed} failed)` : ''}`;
        };
        const throughputLoads = result.loads.filter((l) => l.kind === 'throughput');
        const latencyLoads = result.loads.filter((l) => l.kind === 'latency');
        if (throughputLoads.length > 0)
          human.write(
            table(
              ['load', 'samsa records/s', 'samsa MB/s', 'mock records/s', 'mock MB/s', 'samsa / mock'],
              throughputLoads.map((l) => [l.description, rate(l.samsa), mb(l.samsa), rate(l.mock), mb(l.mock), l.ratio]),
            ) + '\n',
          );
        if (latencyLoads.length > 0)
          human.write(
            table(
              [
                `latency at ${result.latency.ratePerSec.toLocaleString('en-US')} records/s, ${result.latency.seconds} s`,
                'samsa p50 / p99 / p999 ms',
                'mock p50 / p99 / p999 ms',
                'p99 samsa / mock',
              ],
              latencyLoads.map((l) => [l.description, lat(l.samsa), lat(l.mock), l.ratio]),
            ) + '\n',
          );
        if (result.targets.length > 0)
          human.write(
            figuresTable(
              'targets',
              result.targets.map((t) => [`${t.name} (${t.goal})`, `${t.value} ${t.met ? ok('meets') : bad('misses')}`]),
            ) + '\n',
          );
        const k = result.kreps2014;
        if (k.samsaRecordsPerSec !== null) {
          human.write(
            `Kreps 2014, Kafka: ${k.recordsPerSec.toLocaleString('en-US')} records/s (${k.hardware}).\n` +
              `Samsa here, acks=all RF 3: ${k.samsaRecordsPerSec.toLocaleString('en-US')} records/s (${k.ratio}x; ${k.here}).\n`,
          );
        }
        for (const p of result.profiles ?? []) human.write(formatProfileSummary(p) + '\n');
        human.write(
          dim(
            `${result.records.toLocaleString('en-US')} records of ${result.recordBytes} bytes, ${result.partitions} partitions, best of ${result.runs} run(s) per target`,
          ) + '\n',
        );
        if (opts.json) printJson(result);
      },
    );
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
  registerStorageBench(bench);
  registerVerdictsBench(bench);
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

const simMark = (value: number, target: number) =>
  `${value.toLocaleString('en-US')} (${value >= target ? ok('meets') : bad('below')} ${target.toLocaleString('en-US')})`;

/** The runs of one `bench sim` shape, one row each. */
function simRunsTable(result: SimBenchResult): string {
  return table(
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
  );
}

/** The figures against issue 21's targets; the trace-alone bound is held to the traced targets. */
function simFigureRows(result: SimBenchResult): Array<[string, string]> {
  return [
    ['records end to end / wall s (trace written)', simMark(result.recordsPerSec, TARGET_SIM.tracedRecordsPerSec)],
    ['simulated ms / wall ms at 100 writes/s (trace written)', simMark(result.timeRatio, TARGET_SIM.tracedTimeRatio)],
    ['records / wall s, trace alone (no simulation, no checks)', simMark(result.traceBound.recordsPerSec, TARGET_SIM.tracedRecordsPerSec)],
    ['simulated ms / wall ms, trace alone', simMark(result.traceBound.timeRatio, TARGET_SIM.tracedTimeRatio)],
    ['records / wall s, no trace (simulation and checkers, warm)', simMark(result.untracedBound.recordsPerSec, TARGET_SIM.untracedRecordsPerSec)],
    ['simulated ms / wall ms, no trace', simMark(result.untracedBound.timeRatio, TARGET_SIM.untracedTimeRatio)],
  ];
}

/** Each shape's four figures side by side, so cost against cluster size and partition count reads at a glance. */
function simScalingTable(results: readonly SimBenchResult[]): string {
  return table(
    [
      'brokers',
      'partitions',
      'records consumed',
      'records/s traced',
      'records/s no trace',
      'time ratio traced',
      'time ratio no trace',
      'kernel events (saturation)',
    ],
    results.map((r) => [
      r.brokers,
      r.partitions,
      r.runs[0]!.recordsConsumed,
      r.recordsPerSec,
      r.untracedBound.recordsPerSec,
      r.timeRatio,
      r.untracedBound.timeRatio,
      r.runs[0]!.events,
    ]),
  );
}
