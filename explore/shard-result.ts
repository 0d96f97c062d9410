// A shard's results as files a batch system collects (`samsa explore --out DIR`): DIR/summary.json,
// the summary `--json` prints (exploreSummarySchema), and DIR/failures/, the shrunk failures as
// scenario and trace. `samsa explore merge` reads them back, wherever the directory was copied to.

import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { exploreSummarySchema, reproduceCommand, type ExploreSummary } from './summary.ts';

export const SUMMARY_FILE = 'summary.json';

/** Where a shard writing to `out` puts its shrunk failures. */
export function failuresDirOf(out: string): string {
  return join(out, 'failures');
}

/** A directory that is not a shard's result, or a summary that cannot be read. */
export class ShardResultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ShardResultError';
  }
}

/** Writes the summary last and in one rename, so that a collector never reads half a file, nor one without the failures it names. */
export function writeShardResult(out: string, summary: ExploreSummary): string {
  mkdirSync(out, { recursive: true });
  const path = join(out, SUMMARY_FILE);
  const partial = `${path}.partial`;
  writeFileSync(partial, JSON.stringify(summary, null, 2) + '\n');
  renameSync(partial, path);
  return path;
}

export interface ShardResult {
  /** The directory it was read from. */
  dir: string;
  /** The summary, its failure files' paths pointing into `dir`. */
  summary: ExploreSummary;
}

/** Reads a shard's result directory; one that holds no valid summary is a ShardResultError naming it and why. */
export function readShardResult(dir: string): ShardResult {
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new ShardResultError(`${dir}: no such folder`);
  }
  if (!isDir) throw new ShardResultError(`${dir}: is a file, not a shard's result folder (give the folder that samsa explore --out wrote)`);
  const path = join(dir, SUMMARY_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ShardResultError(`${dir}: not a shard's result (no ${SUMMARY_FILE}; samsa explore --out writes it when the shard ends)`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ShardResultError(`${path}: not JSON (a shard still writing it, or a damaged copy)`);
  }
  const parsed = exploreSummarySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length === 0 ? '' : ` field "${issue.path.join('.')}":`;
    throw new ShardResultError(`${path}: not a samsa explore shard summary (${field} ${issue.message})`.replace('( ', '('));
  }
  const summary = parsed.data;
  if (summary.shard.index >= summary.shard.count) {
    throw new ShardResultError(`${path}: shard ${summary.shard.index}/${summary.shard.count} cannot be (the index must be below the count)`);
  }
  return { dir, summary: relocated(summary, dir) };
}

/** The summary with the paths of its failure files (written under its `out`) moved to where the directory is now. */
function relocated(summary: ExploreSummary, dir: string): ExploreSummary {
  const out = summary.out;
  if (out === null) return summary;
  const move = (path: string): string => {
    const inside = relative(out, path);
    return inside.startsWith('..') || isAbsolute(inside) ? path : join(dir, inside);
  };
  return {
    ...summary,
    violations: summary.violations.map((v) => {
      // A seed not shrunk names the explored scenario file, which is not the shard's to move.
      const scenario = v.scenario === summary.file ? v.scenario : move(v.scenario);
      if (scenario === v.scenario) return v;
      return { ...v, scenario, reproduce: reproduceCommand({ ...summary, seed: v.seed, shrunkScenario: scenario }) };
    }),
    shrunk: summary.shrunk.map((s) => ({ ...s, scenario: s.scenario === null ? null : move(s.scenario), trace: s.trace === null ? null : move(s.trace) })),
  };
}
