// `samsa demo`: the kernel workload under random faults (partitions, crashes with torn writes,
// slow links, lossy links), its trace written to a file and replayed to prove it deterministic.
// It shows the simulator at work before any Kafka protocol runs on it.

import type { Command } from 'commander';
import { DEFAULT_KERNEL_WORKLOAD, buildKernelWorkload } from '../sim/kernel-workload.ts';
import { replayTrace } from '../sim/replay.ts';
import { bad, durationOption, figuresTable, intOption, ok, printJson, traceFileSink } from './output.ts';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the kernel workload under random faults, write its trace, and replay it to prove determinism')
    .option('--seed <n>', 'the run seed', intOption('--seed'), 1)
    .option('--nodes <n>', 'number of nodes', intOption('--nodes', 2), DEFAULT_KERNEL_WORKLOAD.nodes)
    .option('--duration <duration>', 'simulated time, like 2s or 500ms (a bare number is ms)', durationOption('--duration'), DEFAULT_KERNEL_WORKLOAD.durationMs)
    .option('--trace <file>', 'where to write the trace (default: traces/demo-seed-<seed>.jsonl)')
    .option('--json', 'print the result as one JSON line at the end')
    .action((opts: { seed: number; nodes: number; duration: number; trace?: string; json?: boolean }) => {
      const workload = { ...DEFAULT_KERNEL_WORKLOAD, nodes: opts.nodes, durationMs: opts.duration };
      const tracePath = opts.trace ?? `traces/demo-seed-${opts.seed}.jsonl`;
      const started = performance.now();
      const sim = buildKernelWorkload(workload, opts.seed, traceFileSink(tracePath));
      sim.run(workload.durationMs);
      const summary = sim.finish();
      const wallMs = Math.round(performance.now() - started);
      const replay = replayTrace(tracePath);
      const st = sim.stats;
      const human = opts.json ? process.stderr : process.stdout;
      human.write(
        figuresTable(`kernel demo, seed ${opts.seed}`, [
          ['nodes', workload.nodes],
          ['simulated time', `${summary.simMs} ms`],
          ['wall time', `${wallMs} ms`],
          ['kernel events', summary.events],
          ['trace steps', summary.steps],
          ['messages sent', st.messagesSent],
          ['messages delivered', st.messagesDelivered],
          ['dropped: partition / loss / down / restarted', `${st.dropped.partition} / ${st.dropped.loss} / ${st.dropped.down} / ${st.dropped.restarted}`],
          ['duplicated / reordered', `${st.duplicated} / ${st.reordered}`],
          ['timers fired', st.timersFired],
          ['partitions / heals', `${st.partitions} / ${st.heals}`],
          ['crashes / starts', `${st.crashes} / ${st.starts}`],
          ['disk faults (torn writes, failed fsyncs)', st.diskFaults],
          ['trace', tracePath],
          ['trace hash', summary.traceHash ?? '-'],
          ['replay', replay.identical ? ok('identical') : bad(`DIFFERENT at step ${replay.difference?.step}`)],
        ]) + '\n',
      );
      if (opts.json) {
        printJson({
          scenario: `kernel-workload/${workload.nodes}`,
          seed: opts.seed,
          violations: [],
          traceHash: summary.traceHash,
          steps: summary.steps,
          simMs: summary.simMs,
          wallMs,
          trace: tracePath,
          replayIdentical: replay.identical,
          stats: st,
        });
      }
      if (!replay.identical) process.exitCode = 1;
    });
}
