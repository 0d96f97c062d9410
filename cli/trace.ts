// `samsa trace merge`: one real run's trace files (the brokers' `--trace` files, the check's `--history`)
// merged into one trace in wall-clock order (trace/merge.ts), which `samsa viz` and the trace tools read.

import { resolve } from 'node:path';
import type { Command } from 'commander';
import { mergeRealRun, runTraces, TraceMergeError, type MergeResult } from '../net/trace-merge.ts';
import { TraceFormatError } from '../trace/reader.ts';
import { dim, ok, printJson, UserError } from './output.ts';

/** Merges inputs (files, or folders of a real run's traces) into `out`; user errors as UserError. */
export function mergeRun(inputs: readonly string[], out: string): MergeResult {
  const outPath = resolve(out);
  try {
    const files = runTraces(inputs).filter((f) => resolve(f) !== outPath);
    return mergeRealRun(files, outPath);
  } catch (err) {
    if (err instanceof TraceMergeError || err instanceof TraceFormatError) throw new UserError(err.message);
    throw err;
  }
}

/** One line on what a merge took: the nodes' incarnations, the clients' history, events and span. */
export function describeMerge(result: MergeResult): string {
  const nodes = new Map<string, number>();
  for (const s of result.sources) if (s.node !== undefined) nodes.set(s.node, (nodes.get(s.node) ?? 0) + 1);
  const unclean = result.sources.filter((s) => s.node !== undefined && !s.complete).length;
  const parts = [
    `${nodes.size} node(s) (${[...nodes].map(([n, k]) => (k > 1 ? `${n}: ${k} incarnations` : n)).join(', ')})`,
    ...(unclean > 0 ? [`${unclean} incarnation(s) without a clean stop (killed, or still running)`] : []),
    result.sources.some((s) => s.scenario === 'check') ? 'the client history' : 'no client history',
    ...(result.sources.some((s) => s.scenario === 'faults') ? ['the faults applied'] : []),
    `${result.events.toLocaleString('en-US')} events over ${(result.simMs / 1000).toFixed(1)} s`,
    `${result.violations.length} violation(s)`,
  ];
  return parts.join(', ');
}

export function registerTrace(program: Command): void {
  const trace = program.command('trace').description('tools for trace files');
  trace
    .command('merge')
    .description(
      "merge one real run's traces (the node traces of `samsa cluster --trace DIR`, the history of `samsa check --history`) into one trace, events in wall-clock order",
    )
    .argument('<inputs...>', 'trace files, or folders holding them (their real-run traces at the top level)')
    .requiredOption('-o, --output <file>', 'where the merged trace goes')
    .option('--json', 'print what was merged as one JSON line')
    .action((inputs: string[], opts: { output: string; json?: boolean }) => {
      const result = mergeRun(inputs, opts.output);
      if (opts.json === true) printJson({ output: opts.output, ...result });
      else {
        process.stdout.write(`${ok('merged')} ${describeMerge(result)} into ${opts.output}\n`);
        process.stdout.write(dim(`watch it: npx samsa viz ${opts.output}\n`));
      }
    });
}
