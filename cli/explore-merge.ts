// `samsa explore merge DIR...`: the result folders of an exploration's shards (`samsa explore
// --shard I/N --out DIR`) folded into one summary, the explorer's tables and `--json` line, and
// the explorer's exit code for the worst any shard found. Shards that are not of one exploration,
// or an index missing or given twice, are a user error (64) naming every reason.

import type { Command } from 'commander';
import { mergeShards, ShardMergeError, type MergedExploration } from '../explore/merge.ts';
import { readShardResult, ShardResultError, type ShardResult } from '../explore/shard-result.ts';
import { describeRange } from '../explore/shard.ts';
import { checkerTable, determinismCell, exploredRows, secs, shrunkTable } from './explore-tables.ts';
import { bad, dim, figuresTable, firstOf, ok, printJson, table, UserError, warn } from './output.ts';

/** Failures the table lists without --verbose; --json lists them all. */
const FAILURES_SHOWN = 20;

export function registerExploreMerge(explore: Command): void {
  explore
    .command('merge')
    .description(
      "fold the result folders of an exploration's shards (samsa explore --shard I/N --out DIR) into one summary; refuses shards of other scenarios, bugs or seed ranges, and a missing or repeated shard index (exit as samsa explore: 0 clean, 1 safety, 2 liveness, 3 harness crash, by the worst shard)",
    )
    .argument('<dirs...>', "the shards' --out folders (each holds summary.json and failures/)")
    .option('--partial', 'fold the shards present even when some indexes are missing (their seeds count as not run)')
    .option('--verbose', `list every failing seed (the table shows the first ${FAILURES_SHOWN})`)
    .option('--json', 'print the merged summary as one JSON line at the end')
    .action((dirs: string[], flags: { partial?: boolean; verbose?: boolean; json?: boolean }) => {
      const merged = mergeResults(dirs, flags.partial === true);
      const human = flags.json ? process.stderr : process.stdout;
      for (const warning of merged.warnings) process.stderr.write(`${warn('warning:')} ${warning}\n`);
      human.write(describeMerged(merged, flags.verbose === true) + '\n');
      if (flags.json) printJson(merged);
      process.exitCode = merged.exitCode;
    });
}

/** Reads and merges; a folder that is not a shard's result, or shards that do not fold, are user errors. */
export function mergeResults(dirs: readonly string[], partial: boolean): MergedExploration {
  try {
    const results: ShardResult[] = dirs.map(readShardResult);
    return mergeShards(results, { partial });
  } catch (err) {
    if (err instanceof ShardResultError || err instanceof ShardMergeError) throw new UserError(err.message);
    throw err;
  }
}

export function describeMerged(merged: MergedExploration, verbose: boolean): string {
  const { failing } = merged;
  const kinds = [`${failing.safety} safety`, `${failing.liveness} liveness only`, `${failing.crash} harness crash`].join(', ');
  const shardsPresent = merged.shards.length;
  const lines = [
    figuresTable(`explore merge ${merged.scenario}`, [
      ...exploredRows(merged.file, merged.bugs, merged.buggify),
      ['shards', `${shardsPresent} of ${merged.shardCount}` + (merged.missing.length === 0 ? '' : bad(` (missing: ${merged.missing.join(', ')})`))],
      ['seeds run', `${merged.seeds.toLocaleString('en-US')} (${merged.coverage.seeds})`],
      ['wall time (longest shard: exploring / in all)', `${secs(merged.exploreMs)} / ${secs(merged.wallMs)}`],
      ['seeds per second (all seeds / longest shard)', merged.seedsPerSec.toFixed(1)],
      ["seeds per second (sum of the shards' rates)", merged.seedsPerSecSum.toFixed(1)],
      ['clean seeds', merged.clean],
      ['determinism self-check', determinismCell(merged.determinism, null)],
      ['failing seeds', failing.seeds === 0 ? ok('0') : bad(`${failing.seeds} (${kinds})`)],
    ]),
    table(
      ['shard', 'folder', 'seeds', 'stopped by', 'exploring', 'seeds/s', 'failing', 'exit'],
      merged.shards.map((s) => [
        s.index,
        s.dir,
        s.seedRange === null ? '0' : `${s.seeds.toLocaleString('en-US')} (${describeRange(s.seedRange)})`,
        s.stoppedBy,
        secs(s.exploreMs),
        s.seedsPerSec.toFixed(1),
        s.failing,
        s.exitCode,
      ]),
    ),
  ];
  if (merged.byChecker.length > 0) lines.push(checkerTable(merged.byChecker));
  // One row a failing seed: its first checker (a crash, else in the order they tripped), how many more, and how to run it again.
  const bySeed = new Map<number, { seed: number; shard: number; what: string[]; reproduce: string }>();
  for (const f of [...merged.crashes.map((c) => ({ ...c, name: 'harness-crash' })), ...merged.violations]) {
    const row = bySeed.get(f.seed) ?? bySeed.set(f.seed, { seed: f.seed, shard: f.shard, what: [], reproduce: f.reproduce }).get(f.seed)!;
    row.what.push(f.name);
  }
  const failures = [...bySeed.values()].sort((a, b) => a.seed - b.seed);
  if (failures.length > 0) {
    const { shown, more } = verbose ? { shown: failures, more: null } : firstOf(failures, FAILURES_SHOWN);
    lines.push(
      table(
        ['failing seed', 'shard', 'checkers', 'reproduce with'],
        shown.map((f) => [f.seed, f.shard, f.what.length === 1 ? f.what[0]! : `${f.what[0]} and ${f.what.length - 1} more`, f.reproduce]),
      ),
    );
    if (more !== null) lines.push(dim(`${more} failing seeds (--verbose lists them, --json too)`));
  }
  if (merged.shrunk.length > 0) lines.push(...shrunkTable(merged.shrunk));
  return lines.join('\n');
}
