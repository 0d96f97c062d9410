// The `samsa` command: one entry point for simulation runs, replays and benchmarks.
// User errors print one clear line (exit 2); anything else is a bug and prints its stack (exit 3).

import { Command, CommanderError } from 'commander';
import { registerBench } from './bench.ts';
import { registerDemo } from './demo.ts';
import { bad, UserError } from './output.ts';
import { registerReplay } from './replay.ts';

export function buildProgram(): Command {
  const program = new Command('samsa')
    .description('Samsa: a Kafka-compatible event log you can break on purpose')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerDemo(program);
  registerReplay(program);
  registerBench(program);
  for (const command of program.commands) command.exitOverride();
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has printed its message (or the help) already.
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    if (err instanceof UserError) {
      process.stderr.write(`${bad('error:')} ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`${bad('internal error (a bug in samsa):')} ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 3;
  }
}
