// `samsa bench kernel`: runs the kernel benchmark, prints a table and, with --json, the figures.

import type { Command } from 'commander';
import { runKernelBench } from '../bench/kernel.ts';
import { runRaftBench } from '../bench/raft.ts';
import { runSimBench } from '../bench/sim.ts';
import { bad, figuresTable, intOption, ok, printJson, table } from './output.ts';

const TARGET_EVENTS_PER_SEC = 2_000_000;
const TARGET_NETWORK_EVENTS_PER_SEC = 1_000_000;
const TARGET_SIM_RECORDS_PER_SEC = 1_000_000;
const TARGET_SIM_TIME_RATIO = 1_000;

export function registerBench(program: Command): void {
  const bench = program.command('bench').description('benchmarks of the simulator');
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
      human.write(figuresTable('process', [['peak RSS (MB)', result.peakRssMb], ['rounds (median reported)', result.rounds]]) + '\n');
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
      human.write(figuresTable('quorum of 3 voters', [['committed records / wall s', result.committedRecordsPerSec], ['simulated ms / wall ms at 100 records/s', result.timeRatio]]) + '\n');
      if (opts.json) printJson(result);
    });
  bench
    .command('sim')
    .description('whole scenario runs (3 brokers, RF 3, every checker on, trace written): records produced, replicated and consumed per wall second, and simulated-to-wall time at 100 writes/s')
    .option('--json', 'print the figures as one JSON line at the end')
    .option('--quick', 'a tenth of the simulated time (for a fast look, less stable)')
    .action((opts: { json?: boolean; quick?: boolean }) => {
      const human = opts.json ? process.stderr : process.stdout;
      const result = runSimBench({ scale: opts.quick ? 0.1 : 1, progress: (line) => process.stderr.write(line + '\n') });
      human.write(
        table(
          ['run', 'simulated ms', 'wall ms', 'records sent', 'records consumed', 'trace steps', 'kernel events', 'violations'],
          result.runs.map((r) => [r.name, r.simMs, r.wallMs, r.recordsSent, r.recordsConsumed, r.traceSteps, r.events, r.violations]),
        ) + '\n',
      );
      const mark = (value: number, target: number) => `${value.toLocaleString('en-US')} (${value >= target ? ok('meets') : bad('below')} ${target.toLocaleString('en-US')})`;
      human.write(
        figuresTable('3 brokers, replication factor 3', [
          ['records end to end / wall s', mark(result.recordsPerSec, TARGET_SIM_RECORDS_PER_SEC)],
          ['simulated ms / wall ms at 100 writes/s', mark(result.timeRatio, TARGET_SIM_TIME_RATIO)],
        ]) + '\n',
      );
      if (opts.json) printJson(result);
    });
}
