// `samsa bench verdicts`: every shipped scenario at a few seeds, reduced to its verdict; saved to a file, or compared with one saved before a change.

import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { compareVerdicts, runVerdicts, VERDICT_FOLDERS, type VerdictsFile } from '../bench/verdicts.ts';
import { bad, ok, printJson, table, UserError } from './output.ts';

const REPO = fileURLToPath(new URL('..', import.meta.url));

function seedRange(value: string): number[] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(value);
  if (m === null) throw new UserError(`--seeds: expected a seed or a range like 1-4, got "${value}"`);
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (to < from || to - from > 999) throw new UserError(`--seeds: "${value}" is not a range of at most 1,000 seeds from low to high`);
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function readSaved(file: string): VerdictsFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UserError(`--compare: cannot read ${file}: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || (parsed as VerdictsFile).bench !== 'verdicts' || !Array.isArray((parsed as VerdictsFile).runs))
    throw new UserError(`--compare: ${file} is not a file that samsa bench verdicts --save wrote`);
  return parsed as VerdictsFile;
}

export function registerVerdictsBench(bench: Command): void {
  bench
    .command('verdicts')
    .description(
      `every scenario in ${VERDICT_FOLDERS.join(', ')} at each seed, with no trace, reduced to its verdict (checkers tripped, counts, each violation's nodes, values and message without trace steps); ` +
        '--save keeps them, --compare names every run whose verdict moved since (exit 1)',
    )
    .option('--seeds <range>', 'the seeds, like 1-4', '1-4')
    .option('--only <regex>', 'only scenario files whose path matches')
    .option('--save <file>', 'write the verdicts to this JSON file')
    .option('--compare <file>', 'compare with verdicts saved before; exit 1 if any moved')
    .option('--json', 'print the result as one JSON line at the end')
    .action((opts: { seeds: string; only?: string; save?: string; compare?: string; json?: boolean }) => {
      const seeds = seedRange(opts.seeds);
      let only: RegExp | undefined;
      try {
        only = opts.only === undefined ? undefined : new RegExp(opts.only);
      } catch (err) {
        throw new UserError(`--only: ${(err as Error).message}`);
      }
      const saved = opts.compare === undefined ? null : readSaved(opts.compare);
      const human = opts.json ? process.stderr : process.stdout;
      const result = runVerdicts(REPO, seeds, (line) => process.stderr.write(line + '\n'), only);
      if (opts.save !== undefined) writeFileSync(opts.save, JSON.stringify(result, null, 1) + '\n');
      const tripped = result.runs.filter((r) => Object.keys(r.violationCounts).length > 0).length;
      human.write(`${result.runs.length} runs (${tripped} with violations) over seeds ${seeds[0]}-${seeds[seeds.length - 1]}\n`);
      if (saved === null) {
        if (opts.json) printJson({ bench: 'verdicts', runs: result.runs.length, withViolations: tripped });
        return;
      }
      // Only the runs this one made are compared (--only and --seeds narrow both sides).
      const asked = { ...saved, runs: saved.runs.filter((r) => seeds.includes(r.seed) && (only === undefined || only.test(r.scenario))) };
      const differences = compareVerdicts(asked, result);
      if (differences.length === 0) human.write(ok(`every verdict as in ${opts.compare}`) + '\n');
      else
        human.write(
          table(
            ['scenario', 'seed', 'what moved'],
            differences.map((d) => [d.scenario, d.seed, d.what]),
          ) +
            '\n' +
            bad(`${differences.length} differences`) +
            '\n',
        );
      if (opts.json) printJson({ bench: 'verdicts', runs: result.runs.length, withViolations: tripped, differences });
      if (differences.length > 0) process.exitCode = 1;
    });
}
