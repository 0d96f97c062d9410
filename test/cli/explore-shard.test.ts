// `samsa explore --shard I/N --out DIR` and `samsa explore merge` (issue 21): three shards of twelve
// seeds with a seeded bug run exactly the seeds and find exactly the violations of one run over
// them, merge folds them to its totals wherever the folders were copied to, and bad input (a bad
// --shard, shards that do not fold, a folder that is no shard's) exits 64 with a message.

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MergedExploration } from '../../explore/merge.ts';
import type { ExploreSummary } from '../../explore/summary.ts';
import { samsaInProcess, type InProcessRun } from './in-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'samsa-shard-'));
const scenario = join(dir, 'nemesis-short.yaml');
const out = (name: string) => join(dir, name);
const lastJson = <T>(run: InProcessRun): T => JSON.parse(run.stdout.trimEnd().split('\n').at(-1)!) as T;
/** What a seed found, whatever shard ran it: its checkers, their class and message. */
const found = (s: { violations: ExploreSummary['violations'] }) =>
  s.violations.map((v) => ({ seed: v.seed, name: v.name, class: v.class, message: v.message }));

// The nemesis scenario cut to 8 s: twelve seeds take seconds, and truncate-to-hw fails some of them.
const SEEDS = ['--seeds', '12', '--bug', 'truncate-to-hw', '--workers', '1'];

describe('samsa explore --shard and merge', () => {
  let whole: ExploreSummary;
  const shards: ExploreSummary[] = [];

  beforeAll(async () => {
    const nemesis = readFileSync('scenarios/nemesis.yaml', 'utf8');
    writeFileSync(scenario, nemesis.replace(/^name: nemesis$/m, 'name: nemesis-short').replace(/^duration: 60s$/m, 'duration: 8s'));
    const run = await samsaInProcess('explore', scenario, ...SEEDS, '--shrink', '0', '--out', out('whole'), '--json');
    expect(run.code, run.stderr).toBe(1);
    whole = lastJson(run);
    // Shard 0 shrinks its first failing seed, to show its failure files travel with its folder.
    for (const index of [0, 1, 2]) {
      const shrink = index === 0 ? '1' : '0';
      const shard = await samsaInProcess('explore', scenario, ...SEEDS, '--shrink', shrink, '--shard', `${index}/3`, '--out', out(`shard-${index}`), '--json');
      expect([0, 1], shard.stderr).toContain(shard.code);
      shards.push(lastJson(shard));
    }
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the same seeds, and finds the same violations, as one run over them', () => {
    expect(whole.seeds).toBe(12);
    // Some seeds fail, some are clean.
    const failing = new Set(whole.violations.map((v) => v.seed)).size;
    expect(failing).toBeGreaterThan(0);
    expect(failing).toBeLessThan(12);
    expect(shards.map((s) => s.seedRange)).toEqual([
      { first: 1, last: 10, step: 3, count: 4 },
      { first: 2, last: 11, step: 3, count: 4 },
      { first: 3, last: 12, step: 3, count: 4 },
    ]);
    const sharded = shards.flatMap(found).sort((a, b) => a.seed - b.seed);
    expect(sharded).toEqual(found(whole));
    expect(shards.flatMap((s) => s.crashes)).toEqual(whole.crashes);
    // Each shard re-checks its own first seed.
    expect(shards.map((s) => s.determinism)).toEqual([1, 2, 3].map((seed) => ({ seeds: [seed], mismatches: [] })));
    // The file is the summary --json printed.
    expect(JSON.parse(readFileSync(join(out('shard-1'), 'summary.json'), 'utf8'))).toEqual(shards[1]);
  });

  it('merges the shards, copied elsewhere, to the totals of the one run', async () => {
    const copied = out('collected');
    for (const index of [0, 1, 2]) cpSync(out(`shard-${index}`), join(copied, `shard-${index}`), { recursive: true });
    const run = await samsaInProcess('explore', 'merge', ...[2, 0, 1].map((i) => join(copied, `shard-${i}`)), '--json');
    expect(run.code, run.stderr).toBe(whole.exitCode);
    const merged = lastJson<MergedExploration>(run);
    const one = lastJson<MergedExploration>(await samsaInProcess('explore', 'merge', out('whole'), '--json'));
    expect(merged.coverage).toEqual({ complete: true, seeds: '1..12, every seed once' });
    expect(merged.seeds).toBe(12);
    expect(merged.failing).toEqual(one.failing);
    expect(merged.clean).toBe(one.clean);
    expect(merged.byChecker).toEqual(one.byChecker);
    expect(found(merged)).toEqual(found(one));
    expect(merged.determinism).toEqual({ seeds: [1, 2, 3], mismatches: [] });
    // Shard 0's shrunk failure is found in the copy, and its reproduce command names it there.
    const [shrunk] = merged.shrunk;
    expect(shrunk).toMatchObject({ shard: 0, scenario: expect.stringContaining(join(copied, 'shard-0', 'failures')) });
    expect(readFileSync(shrunk!.scenario!, 'utf8')).toContain('samsa: 1');
    expect(merged.violations.find((v) => v.seed === shrunk!.seed)!.reproduce).toBe(`npx samsa run ${shrunk!.scenario}`);
    expect(merged.violations.find((v) => v.seed !== shrunk!.seed)!.reproduce).toMatch(/^npx samsa run .*nemesis-short\.yaml --seed \d+ --bug truncate-to-hw$/);
    // The table: totals, both rates, every failing seed with its command.
    expect(run.stderr).toMatch(/seeds run\s+│ 12 \(1\.\.12, every seed once\)/);
    expect(run.stderr).toContain('seeds per second (all seeds / longest shard)');
    expect(run.stderr).toContain("seeds per second (sum of the shards' rates)");
    for (const v of merged.violations) expect(run.stderr).toContain(v.reproduce);
  });

  it('refuses shards that are not of one exploration, or a missing or repeated index (exit 64)', async () => {
    const missing = await samsaInProcess('explore', 'merge', out('shard-0'), out('shard-2'));
    expect(missing.code).toBe(64);
    expect(missing.stderr).toContain('shard 1 of 3 missing (give every shard');
    const twice = await samsaInProcess('explore', 'merge', out('shard-0'), out('shard-1'), out('shard-1'), out('shard-2'));
    expect(twice.code).toBe(64);
    expect(twice.stderr).toContain(`shard 1/3 given 2 times: ${out('shard-1')}, ${out('shard-1')}`);
    // The same shard of an exploration without the bug.
    const other = out('other-shard-2');
    cpSync(out('shard-2'), other, { recursive: true });
    const summary = JSON.parse(readFileSync(join(other, 'summary.json'), 'utf8')) as ExploreSummary;
    writeFileSync(join(other, 'summary.json'), JSON.stringify({ ...summary, bugs: [] }));
    const mismatched = await samsaInProcess('explore', 'merge', out('shard-0'), out('shard-1'), other);
    expect(mismatched.code).toBe(64);
    expect(mismatched.stderr).toContain(`different bugs switched on: truncate-to-hw (${out('shard-0')}, ${out('shard-1')}) vs none (${other})`);
    const partial = await samsaInProcess('explore', 'merge', out('shard-0'), out('shard-2'), '--partial');
    expect(partial.code).toBe(1);
    expect(partial.stderr).toContain('warning: shard 1 of 3 missing: their seeds were not run (--partial)');
  });

  it('refuses a folder that is not a shard result (exit 64)', async () => {
    const notJson = out('not-json');
    cpSync(out('shard-0'), notJson, { recursive: true });
    writeFileSync(join(notJson, 'summary.json'), '{"scenario": ');
    const notSummary = out('not-summary');
    cpSync(out('shard-0'), notSummary, { recursive: true });
    writeFileSync(join(notSummary, 'summary.json'), JSON.stringify({ scenario: 'x' }));
    for (const [folder, message] of [
      [dir, `${dir}: not a shard's result (no summary.json`],
      [scenario, `${scenario}: is a file, not a shard's result folder`],
      [out('nowhere'), `${out('nowhere')}: no such folder`],
      [notJson, 'summary.json: not JSON'],
      [notSummary, 'summary.json: not a samsa explore shard summary (field "file":'],
    ]) {
      const run = await samsaInProcess('explore', 'merge', folder!);
      expect(run.code, folder).toBe(64);
      expect(run.stderr).toContain(message);
    }
  });

  it('runs a shard of unbounded seeds under a time budget, strided', async () => {
    const run = await samsaInProcess('explore', scenario, '--time-budget', '1s', '--workers', '1', '--shard', '1/3', '--out', out('budget'), '--json');
    const summary = lastJson<ExploreSummary>(run);
    expect(summary).toMatchObject({ stoppedBy: 'time-budget', seedsRequested: null, shard: { index: 1, count: 3 } });
    expect(summary.seedRange).toMatchObject({ first: 2, step: 3, count: summary.seeds });
    expect(run.stderr).toContain('exploring nemesis-short: seeds 2, 5, ... (shard 1/3 of seeds from 1)');
  }, 60_000);

  it('refuses a bad --shard, or --failures beside --out, naming the value (exit 64)', async () => {
    for (const [value, message] of [
      ['3/3', '--shard 3/3: the index must be below the count (0-based, as JOB_COMPLETION_INDEX is: 0..2)'],
      ['-1/3', '--shard -1/3: the index must be at least 0'],
      ['0/0', '--shard 0/0: the shard count N must be at least 1'],
      ['1', '--shard must be I/N, the 0-based index I of N shards (like 0/4 .. 3/4), got "1"'],
      ['$(JOB_COMPLETION_INDEX)/4', 'got "$(JOB_COMPLETION_INDEX)/4" (a variable nobody expanded'],
    ]) {
      const run = await samsaInProcess('explore', scenario, '--seeds', '1', '--shard', value!);
      expect(run.code, value).toBe(64);
      expect(run.stderr).toContain(message);
    }
    const both = await samsaInProcess('explore', scenario, '--out', out('x'), '--failures', out('y'));
    expect(both.code).toBe(64);
    expect(both.stderr).toContain(`--failures and --out together: with --out the shrunk failures go to ${join(out('x'), 'failures')}`);
  });

  it('has help for explore (naming merge) and for explore merge', async () => {
    const explore = await samsaInProcess('explore', '--help');
    expect(explore.code).toBe(0);
    expect(explore.stdout).toContain('--shard <I/N>');
    expect(explore.stdout).toMatch(/Commands:\s+merge \[options\] <dirs\.\.\.>/);
    const merge = await samsaInProcess('explore', 'merge', '--help');
    expect(merge.code).toBe(0);
    expect(merge.stdout).toContain('Usage: samsa explore merge [options] <dirs...>');
    expect(merge.stdout).toContain('--partial');
  });
});
