// `samsa replay <trace>`: re-runs a trace's setup and seed and proves the new trace identical,
// or names the first step where it differs.

import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { replayTrace, type TraceDifference } from '../sim/replay.ts';
import { TraceFormatError } from '../trace/reader.ts';
import { bad, dim, figuresTable, ok, printJson, UserError } from './output.ts';

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description("re-run a trace's recorded setup and seed; prove the new trace identical or show the first differing step")
    .argument('<trace>', 'a trace file (JSON Lines) written by samsa')
    .option('--json', 'print the result as one JSON line at the end')
    .action((path: string, opts: { json?: boolean }) => {
      if (!existsSync(path)) throw new UserError(`no such trace file: ${path}`);
      const started = performance.now();
      let result;
      try {
        result = replayTrace(path);
      } catch (err) {
        if (err instanceof TraceFormatError) throw new UserError(err.message);
        throw err;
      }
      const wallMs = Math.round(performance.now() - started);
      const human = opts.json ? process.stderr : process.stdout;
      human.write(
        figuresTable(`replay of ${path}`, [
          ['scenario', result.scenario],
          ['seed', result.seed],
          ['steps compared', result.steps],
          ['recorded hash', result.recordedHash ?? '-'],
          ['replayed hash', result.replayedHash ?? '-'],
          ['verdict', result.identical ? ok('identical') : bad('DIFFERENT')],
        ]) + '\n',
      );
      if (result.difference !== null) {
        const d = result.difference;
        human.write(`${bad('first difference')} ${whereDifferent(d)}:\n`);
        human.write(`  recorded: ${d.expected ?? dim('(end of trace)')}\n`);
        human.write(`  replayed: ${d.actual ?? dim('(end of re-run)')}\n`);
      }
      if (opts.json) printJson({ ...result, wallMs });
      if (!result.identical) process.exitCode = 1;
    });
}

/** "at step 19 (line 21)"; lines without a step are the header or the summary, never "step -1". */
function whereDifferent(d: TraceDifference): string {
  if (d.step >= 0) return `at step ${d.step} (line ${d.line})`;
  return d.line === 1 ? 'in the header (line 1)' : `at line ${d.line} (not an event: the summary, or a line that is not a trace event)`;
}
