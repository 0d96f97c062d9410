// The `samsa` command: one entry point for simulation runs, replays, the visualizer and benchmarks.
// User errors print one clear line (exit 64, EX_USAGE); a bug in samsa prints its stack (exit 3).
// Exit codes 1 and 2 are the runs' own verdicts (safety violation, liveness failure).

import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerBench } from './bench.ts';
import { registerCheck } from './check.ts';
import { scenarioOutOfBugList } from './bug-args.ts';
import { registerDemo } from './demo.ts';
import { registerModel } from './model.ts';
import { registerExplore } from './explore.ts';
import { bad, OperationError, UserError } from './output.ts';
import { registerReal } from './real.ts';
import { registerTopics } from './topics.ts';
import { registerProduce } from './produce.ts';
import { registerConsume } from './consume.ts';
import { registerGroups } from './groups.ts';
import { registerTransactions } from './transactions.ts';
import { registerConfigs } from './configs.ts';
import { registerDeleteRecords } from './delete-records.ts';
import { registerAcls } from './acls.ts';
import { registerUsers } from './users.ts';
import { registerReplay } from './replay.ts';
import { registerRun } from './run.ts';
import { registerTrace } from './trace.ts';
import { registerViz } from './viz.ts';

/** sysexits.h EX_USAGE: the command was used wrongly (bad argument, bad file). */
export const USAGE_ERROR = 64;

/** The package's version, as package.json gives it. */
function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** A message on one line: a user error is one line on stderr, whatever produced it. */
function oneLine(text: string): string {
  return text.trim().replace(/\s*\n\s*/g, ' ');
}

export function buildProgram(): Command {
  const program = new Command('samsa')
    .version(packageVersion(), '-V, --version', 'print the version of samsa')
    .description('Samsa: a Kafka-like event log you can break on purpose (in simulation, and on real sockets for Kafka clients)')
    // Commander's own errors (an unknown option, a missing argument) on one line, like every user error.
    .configureOutput({ outputError: (text, write) => write(`${oneLine(text)} (run with --help for usage)\n`) })
    .exitOverride()
    // An option belongs to the command it follows: `explore merge DIR --json` is merge's --json, not explore's.
    .enablePositionalOptions();
  registerRun(program);
  registerExplore(program);
  registerReplay(program);
  registerDemo(program);
  registerBench(program);
  registerModel(program);
  registerViz(program);
  registerTrace(program);
  registerReal(program);
  registerTopics(program);
  registerProduce(program);
  registerConsume(program);
  registerGroups(program);
  registerTransactions(program);
  registerConfigs(program);
  registerDeleteRecords(program);
  registerAcls(program);
  registerUsers(program);
  registerCheck(program);
  const overrideExits = (parent: Command): void => {
    for (const command of parent.commands) {
      command.exitOverride();
      overrideExits(command);
    }
  };
  overrideExits(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(scenarioOutOfBugList(argv), { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      // Commander has printed its message (or the help) already.
      process.exitCode = err.exitCode === 0 ? 0 : USAGE_ERROR;
      return;
    }
    if (err instanceof OperationError) {
      process.stderr.write(`${bad('error:')} ${oneLine(err.message)}\n`);
      process.exitCode = 1;
      return;
    }
    if (err instanceof UserError) {
      process.stderr.write(`${bad('error:')} ${oneLine(err.message)}\n`);
      process.exitCode = USAGE_ERROR;
      return;
    }
    process.stderr.write(`${bad('internal error (a bug in samsa):')} ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 3;
  }
}
