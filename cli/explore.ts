// `samsa explore <scenario>`: many seeds of a scenario, each with its own swarm nemesis, on worker
// threads; a progress bar while it runs, a summary table at the end, the failing seeds shrunk and
// written under failures/. Exit 0 clean, 1 safety violation, 2 liveness failure, 3 harness crash;
// Ctrl-C stops taking seeds and prints the summary of the seeds run so far, then exits 130.
// `--shard I/N` runs one of N disjoint slices of the seeds, `--out DIR` leaves its results as files
// for `samsa explore merge` (cli/explore-merge.ts).

import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { KNOWN_BUGS } from '../core/bugs.ts';
import { explore, type ExploreOptions, type ExploreProgress, type ExploreReport } from '../explore/explorer.ts';
import { exploreSummaryJson, failuresByChecker, shrunkSummary } from '../explore/summary.ts';
import { headlineViolation, type SeedOutcome } from '../explore/run-seed.ts';
import { describeRange, describeSeedSpace, describeSlice, seedRange, shardSize, WHOLE, type Shard } from '../explore/shard.ts';
import { failuresDirOf, SUMMARY_FILE, writeShardResult } from '../explore/shard-result.ts';
import { registerExploreMerge } from './explore-merge.ts';
import { checkerTable, determinismCell, exploredRows, secs, shrunkTable } from './explore-tables.ts';
import { buggifyLine } from './run.ts';
import {
  bad,
  dim,
  checkBugs,
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

interface ExploreFlags {
  seeds?: number;
  from: number;
  workers?: number;
  timeBudget?: number;
  untilFirst?: boolean;
  bug?: string[];
  buggify?: boolean;
  shrink: number;
  failures: string;
  shard?: Shard;
  out?: string;
  json?: boolean;
}

/** Parses --shard I/N: I is 0-based (as Kubernetes' JOB_COMPLETION_INDEX is), 0 <= I < N. */
function shardOption(value: string): Shard {
  const match = /^\s*(-?\d+)\s*\/\s*(-?\d+)\s*$/.exec(value);
  if (match === null) {
    // $(JOB_COMPLETION_INDEX) left as it is: Kubernetes expands it only in an Indexed Job's pods.
    const unexpanded = value.includes('$') ? ' (a variable nobody expanded: JOB_COMPLETION_INDEX is set in the pods of an Indexed Job)' : '';
    throw new UserError(`--shard must be I/N, the 0-based index I of N shards (like 0/4 .. 3/4), got "${value}"${unexpanded}`);
  }
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (!Number.isSafeInteger(count) || count < 1) throw new UserError(`--shard ${value}: the shard count N must be at least 1`);
  if (index < 0) throw new UserError(`--shard ${value}: the index must be at least 0 (0-based, as JOB_COMPLETION_INDEX is: 0..${count - 1})`);
  if (!Number.isSafeInteger(index) || index >= count)
    throw new UserError(`--shard ${value}: the index must be below the count (0-based, as JOB_COMPLETION_INDEX is: 0..${count - 1})`);
  return { index, count };
}

export function registerExplore(program: Command): void {
  const command = program
    .command('explore')
    .description(
      'run many seeds of a scenario with a swarm nemesis; shrink each failure and write it under failures/ (exit 0 clean, 1 safety, 2 liveness, 3 harness crash); ' +
        '`explore merge DIR...` folds the results of shards (--shard, --out) into one summary',
    )
    .argument('<scenario>', 'a scenario file (YAML); its nemesis section lists the fault kinds to draw from')
    .option('--seeds <n>', 'how many seeds to run (default 100, or unbounded with --time-budget)', intOption('--seeds', 1))
    .option('--from <s>', 'the first seed', intOption('--from'), 1)
    .option('--workers <w>', 'worker threads, at most one per seed and per core (default: one per core; 1 runs in this thread)', intOption('--workers', 1))
    .option('--time-budget <duration>', 'stop taking new seeds after this long, like 60s or 5m', durationOption('--time-budget'))
    .option('--until-first', 'stop at the first failing seed')
    .option('--bug <name...>', `switch on seeded bugs (${KNOWN_BUGS.join(', ')})`)
    .option('--buggify', 'BUGGIFY: rare, legal detours inside the core in every seed (core/buggify.ts); failing seeds list the sites that fired')
    .option('--shrink <n>', 'shrink the first n failing seeds (0: none)', intOption('--shrink'), 3)
    .option('--failures <dir>', 'where shrunk failures are written', folderOption('--failures'), 'failures')
    .option(
      '--shard <I/N>',
      "run the I-th (0-based, like JOB_COMPLETION_INDEX) of N disjoint slices of the seeds: seed s is shard (s - from) mod N's, with --seeds or a --time-budget alike",
      shardOption,
    )
    .option(
      '--out <dir>',
      `write the results as files for \`samsa explore merge\`: DIR/${SUMMARY_FILE} (the --json summary) and DIR/failures/ (shrunk failures)`,
      folderOption('--out'),
    )
    .option('--json', 'print the result as one JSON line at the end')
    .action(async (path: string, flags: ExploreFlags, self: Command) => {
      if (flags.out !== undefined && self.getOptionValueSource('failures') === 'cli')
        throw new UserError(`--failures and --out together: with --out the shrunk failures go to ${failuresDirOf(flags.out)}, next to ${SUMMARY_FILE}`);
      const options = exploreOptions(path, flags);
      const progress = progressReporter(options);
      // Ctrl-C: take no more seeds, let those in flight finish, print the summary so far, exit 130.
      // A second Ctrl-C, or one during shrinking (synchronous, so unable to hear it), quits at once.
      const interrupt = new AbortController();
      const onSigint = () => {
        interrupt.abort();
        progress.stop();
        process.stderr.write('interrupted: finishing the seeds in flight, then the summary (Ctrl-C again quits at once)\n');
      };
      process.once('SIGINT', onSigint);
      const stopListening = () => process.removeListener('SIGINT', onSigint);
      let report;
      try {
        report = await explore({
          ...options,
          signal: interrupt.signal,
          onSeedsDone: stopListening,
          onSeed: (outcome, p) => interrupt.signal.aborted || progress.update(p, outcome),
        });
      } finally {
        stopListening();
      }
      progress.stop();
      const human = flags.json ? process.stderr : process.stdout;
      human.write(describeExplore(path, options, report) + '\n');
      const summary = exploreSummaryJson(path, options, report, flags.out ?? null);
      if (flags.out !== undefined) human.write(dim(`results written to ${writeShardResult(flags.out, summary)}`) + '\n');
      if (flags.json) printJson(summary);
      process.exitCode = summary.exitCode;
    });
  registerExploreMerge(command);
}

function exploreOptions(path: string, flags: ExploreFlags): Omit<ExploreOptions, 'onSeed'> {
  checkBugs(flags.bug ?? []);
  const loaded = loadScenarioForCli(path);
  const scenario = flags.buggify === true ? { ...loaded, buggify: true as const } : loaded;
  const seeds = flags.seeds ?? (flags.timeBudget === undefined ? 100 : Number.POSITIVE_INFINITY);
  const shard = flags.shard ?? WHOLE;
  if (shardSize(seeds, shard) === 0) process.stderr.write(`${dim('note:')} shard ${shard.index}/${shard.count} of ${seeds} seeds holds none\n`);
  return {
    scenario,
    from: flags.from,
    seeds,
    shard,
    workers: workersFor(flags.workers, shardSize(seeds, shard)),
    timeBudgetMs: flags.timeBudget ?? null,
    untilFirst: flags.untilFirst === true,
    bugs: flags.bug ?? [],
    shrink: flags.shrink,
    failuresDir: flags.out === undefined ? flags.failures : failuresDirOf(flags.out),
  };
}

interface ProgressReporter {
  update(p: ExploreProgress, outcome: SeedOutcome): void;
  stop(): void;
}

/** A failing seed as progress names it the moment it fails: its seed and its headline violation. */
function failureNote(outcome: SeedOutcome): string | null {
  if (outcome.crash !== null) return `seed ${outcome.seed} (harness crash)`;
  const v = headlineViolation(outcome);
  return v === null ? null : `seed ${outcome.seed} (${v.name})`;
}

/** Failing seeds the progress bar names; later ones are only counted. */
const BAR_NAMES_FAILURES = 3;

/** Seconds between progress lines when stderr is not a terminal (a log file, CI). */
const PROGRESS_LINE_EVERY_MS = 10_000;

/** A progress bar on a terminal; elsewhere a line every ten seconds. */
function progressReporter(options: Omit<ExploreOptions, 'onSeed'>): ProgressReporter {
  const size = shardSize(options.seeds, options.shard ?? WHOLE);
  const total = Number.isFinite(size) ? size : 0;
  const rate = (p: ExploreProgress) => (p.done / Math.max(p.elapsedMs / 1000, 0.001)).toFixed(1);
  if (!process.stderr.isTTY) {
    const seeds = describeSlice(options.from, options.seeds, options.shard ?? WHOLE);
    process.stderr.write(`exploring ${options.scenario.name}: ${seeds} on ${options.workers} worker${options.workers === 1 ? '' : 's'}\n`);
    let lastMs = 0;
    return {
      update: (p, outcome) => {
        // A long exploration names each failing seed at once, so it can be looked into while the rest runs.
        const failure = failureNote(outcome);
        if (failure !== null) process.stderr.write(`exploring: ${failure} fails\n`);
        if (p.elapsedMs - lastMs < PROGRESS_LINE_EVERY_MS) return;
        lastMs = p.elapsedMs;
        process.stderr.write(
          `exploring: ${p.done}${total > 0 ? `/${total}` : ''} seeds, ${rate(p)} seeds/s, ${p.failing} failing, ${(p.elapsedMs / 1000).toFixed(0)} s\n`,
        );
      },
      stop: () => {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format:
        total > 0
          ? 'exploring {bar} {value}/{total} seeds | {rate} seeds/s | {failing} failing{named} | {eta_formatted} left'
          : 'exploring {value} seeds | {rate} seeds/s | {failing} failing{named} | {duration_formatted}',
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { failing: 0, rate: '0.0', named: '' });
  const named: string[] = [];
  return {
    update: (p, outcome) => {
      const failure = failureNote(outcome);
      if (failure !== null && named.length < BAR_NAMES_FAILURES) named.push(failure);
      bar.update(p.done, {
        failing: p.failing,
        rate: rate(p),
        named: named.length === 0 ? '' : `: ${named.join(', ')}${p.failing > named.length ? ', ...' : ''}`,
      });
    },
    stop: () => bar.stop(),
  };
}

export function describeExplore(path: string, options: Omit<ExploreOptions, 'onSeed'>, report: ExploreReport): string {
  const shard = options.shard ?? WHOLE;
  const range = seedRange(options.from, shard, report.outcomes.length);
  const interrupted = report.stoppedBy === 'interrupted';
  const lines = [
    figuresTable(`explore ${options.scenario.name}`, [
      ...exploredRows(path, options.bugs, options.scenario.buggify === true),
      ...(shard.count > 1 ? [['shard', `${shard.index}/${shard.count} of ${describeSeedSpace(options.from, options.seeds)}`] as [string, string]] : []),
      ['seeds run', range === null ? '0' : `${report.outcomes.length.toLocaleString('en-US')} (${describeRange(range)})`],
      ['stopped by', interrupted ? 'interrupted (Ctrl-C): the seeds run so far, none shrunk' : report.stoppedBy],
      ['workers', options.workers],
      ['wall time (exploring / in all)', `${secs(report.exploreMs)} / ${secs(report.wallMs)}`],
      ['seeds per second', report.seedsPerSec.toFixed(1)],
      ['clean seeds', report.outcomes.length - report.failing.length],
      ['determinism self-check', determinismCell(report.determinism, interrupted ? 'interrupted' : null)],
      ['failing seeds', report.failing.length === 0 ? ok('0') : bad(String(report.failing.length))],
    ]),
  ];
  const byChecker = failuresByChecker(report.failing);
  if (byChecker.length > 0) lines.push(checkerTable(byChecker));
  if (options.scenario.buggify === true && report.failing.length > 0) {
    lines.push(
      table(
        ['failing seed', 'BUGGIFY sites fired'],
        report.failing.slice(0, 10).map((o) => [o.seed, o.buggify === null ? dim('-') : buggifyLine(o.buggify)]),
      ),
    );
  }
  if (report.shrunk.length > 0) lines.push(...shrunkTable(report.shrunk.map(shrunkSummary)));
  return lines.join('\n');
}
