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

/** The columns tables may take: the terminal's (for the stream they go to), or 120 when it is not a terminal. */
export function terminalWidth(stream: NodeJS.WriteStream = process.stdout): number {
  return stream.isTTY && stream.columns > 0 ? Math.max(60, stream.columns) : 120;
}

/** How many columns a cell takes: its longest line, colours aside. */
function cellWidth(value: string): number {
  // eslint-disable-next-line no-control-regex
  return Math.max(
    ...value
      .replace(/\u001b\[[0-9;]*m/g, '')
      .split('\n')
      .map((line) => line.length),
  );
}

/**
 * Column widths that fit `width`: every column as wide as its widest cell (plus padding) except
 * the `wrap` column, which takes what is left (at least 24) and wraps its text at word boundaries.
 */
function fittedWidths(rows: string[][], wrap: number, width: number): Array<number | null> {
  const columns = Math.max(...rows.map((r) => r.length));
  const widths: Array<number | null> = [];
  let used = columns + 1; // the borders
  for (let c = 0; c < columns; c++) {
    if (c === wrap) {
      widths.push(null);
      continue;
    }
    const w = Math.max(...rows.map((r) => cellWidth(r[c] ?? ''))) + 2;
    widths.push(w);
    used += w;
  }
  const natural = Math.max(...rows.map((r) => cellWidth(r[wrap] ?? ''))) + 2;
  widths[wrap] = Math.min(natural, Math.max(24, width - used));
  return widths;
}

/** A two-column table of labelled figures; long values wrap to fit `width`. */
export function figuresTable(title: string, rows: Array<[string, string | number]>, width = terminalWidth()): string {
  const cells = rows.map(([label, value]) => [label, typeof value === 'number' ? value.toLocaleString('en-US') : value]);
  const colWidths = fittedWidths([[title, ''], ...cells], 1, width);
  const table = new Table({ head: [pc.bold(title), ''], chars: COMPACT, style: { head: [], border: [] }, colWidths, wordWrap: true });
  for (const row of cells) table.push(row);
  return table.toString();
}

/** A table with a header row; with `wrap`, that column's text wraps so the table fits `width`. */
export function table(head: string[], rows: Array<Array<string | number>>, fit: { wrap: number; width?: number } | null = null): string {
  const cells = rows.map((row) => row.map((v) => (typeof v === 'number' ? v.toLocaleString('en-US') : v)));
  const layout = fit === null ? {} : { colWidths: fittedWidths([head, ...cells], fit.wrap, fit.width ?? terminalWidth()), wordWrap: true };
  const t = new Table({ head: head.map((h) => pc.bold(h)), chars: COMPACT, style: { head: [], border: [] }, ...layout });
  for (const row of cells) t.push(row);
  return t.toString();
}

/** The first `limit` items, and a line saying how many more there are (or null when none are left out). */
export function firstOf<T>(items: readonly T[], limit: number): { shown: readonly T[]; more: string | null } {
  if (items.length <= limit) return { shown: items, more: null };
  return { shown: items.slice(0, limit), more: `${items.length - limit} more` };
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
export const warn = (text: string) => pc.yellow(text);
