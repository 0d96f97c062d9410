// Shared output helpers for the `samsa` command: user errors without stack traces, the JSON
// last line for machines, summary tables for people, and option parsing with clear messages.

import { existsSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import Table from 'cli-table3';
import pc from 'picocolors';
import { KNOWN_BUGS } from '../core/bugs.ts';
import { didYouMean } from '../core/protocol/nearest-name.ts';
import { loadScenario, ScenarioError } from '../sim/scenario/parse.ts';
import type { Scenario } from '../sim/scenario/types.ts';
import { parseDuration } from '../sim/scenario/units.ts';
import { FileSink } from '../trace/sink.ts';

/** An error the user caused (a bad argument, a missing file): printed as one line, exit code 64. */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** An operation the target refused or could not finish (a Kafka error, a timeout): printed as one line, exit code 1. */
export class OperationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OperationError';
  }
}

/** Prints the one JSON object that is the last line of `--json` output. */
export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + '\n');
}

/** Box characters without the rule between rows, so tables stay compact. */
const COMPACT = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

/** A two-column table of labelled figures. */
export function figuresTable(title: string, rows: Array<[string, string | number]>): string {
  const table = new Table({ head: [pc.bold(title), ''], chars: COMPACT, style: { head: [], border: [] } });
  for (const [label, value] of rows) table.push([label, typeof value === 'number' ? value.toLocaleString('en-US') : value]);
  return table.toString();
}

/** A table with a header row. */
export function table(head: string[], rows: Array<Array<string | number>>): string {
  const t = new Table({ head: head.map((h) => pc.bold(h)), chars: COMPACT, style: { head: [], border: [] } });
  for (const row of rows) t.push(row.map((v) => (typeof v === 'number' ? v.toLocaleString('en-US') : v)));
  return t.toString();
}

/** Parses a non-negative integer option, naming the option when the value is not one. */
export function intOption(name: string, min = 0): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min) {
      throw new UserError(`${name} must be an integer >= ${min}, got "${value}"`);
    }
    return n;
  };
}

/** Parses a positive duration option like "60s" or "5m" into ms, naming the option when it is not one. */
export function durationOption(name: string): (value: string) => number {
  return (value) => {
    const r = parseDuration(value, { positive: true });
    if (!r.ok) throw new UserError(`${name}: ${r.message}`);
    return r.value;
  };
}

/**
 * Worker threads to use: the --workers asked for (default: one per core), at most one per seed
 * and one per core, since more only compete for the cores; a note on stderr says when it cuts.
 */
export function workersFor(requested: number | undefined, seeds: number): number {
  const cores = availableParallelism();
  const limit = Math.max(1, Math.min(cores, seeds));
  if (requested === undefined || requested <= limit) return requested ?? limit;
  const why = seeds < cores ? `only ${seeds} seed${seeds === 1 ? '' : 's'} to run` : `this machine has ${cores} core${cores === 1 ? '' : 's'}`;
  process.stderr.write(`${dim('note:')} --workers ${requested} clamped to ${limit} (${why})\n`);
  return limit;
}

/** An option naming a folder to write into: one that exists as a file is refused now, not after the work is done. */
export function folderOption(name: string): (value: string) => string {
  return (value) => {
    if (existsSync(value) && !statSync(value).isDirectory()) throw new UserError(`${name} ${value}: is a file, not a folder`);
    return value;
  };
}

/** Refuses names that are not seeded bugs, listing the known ones. */
export function checkBugs(bugs: readonly string[]): void {
  for (const bug of bugs) {
    if (!KNOWN_BUGS.includes(bug)) throw new UserError(`unknown bug "${bug}"${didYouMean(bug, KNOWN_BUGS)} (known: ${KNOWN_BUGS.join(', ')})`);
  }
}

/** Loads a scenario file; a bad file is a user error whose message names the file, line and field. */
export function loadScenarioForCli(path: string): Scenario {
  try {
    return loadScenario(path, { knownBugs: KNOWN_BUGS });
  } catch (err) {
    if (err instanceof ScenarioError) throw new UserError(err.oneLine());
    throw err;
  }
}

/** Why a file could not be opened, in words, for the errno codes a user can cause; null for others. */
export function fileProblem(err: unknown): string | null {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  switch (code) {
    case 'EISDIR':
      return 'is a folder, not a file';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder';
    case 'ENOENT':
      return 'no such file or folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'the file system is read-only';
    case 'ENOSPC':
      return 'no space left on the device';
    case 'ENAMETOOLONG':
      return 'the name is too long';
    default:
      return null;
  }
}

/** Opens the trace file a run writes; a path that cannot be written (a folder, no permission) is a user error naming it. */
export function traceFileSink(path: string): FileSink {
  try {
    return new FileSink(path);
  } catch (err) {
    // mkdir -p over a path through a file says EEXIST.
    const code = (err as NodeJS.ErrnoException | null)?.code;
    const problem = code === 'EEXIST' ? fileProblem({ code: 'ENOTDIR' }) : fileProblem(err);
    if (problem === null) throw err;
    const hint = code === 'EISDIR' ? ' (give a file name, like --trace run.jsonl)' : '';
    throw new UserError(`cannot write the trace to ${path}: ${problem}${hint}`);
  }
}

export const ok = (text: string) => pc.green(text);
export const bad = (text: string) => pc.red(text);
export const dim = (text: string) => pc.dim(text);
