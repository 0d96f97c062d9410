// Command-line arguments users get wrong (issue 18): a scenario after the variadic --bug, more
// --workers than seeds or cores, durations with units on every time flag, and --version / -V.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../../cli/main.ts';
import { root } from './samsa.ts';
import { samsaInProcess as samsa, stderrLines } from './in-process.ts';
import { SHORT_SCENARIO } from './short-scenario.ts';

const dir = mkdtempSync(join(tmpdir(), 'samsa-arguments-'));
const scenario = join(dir, 'short.yaml');
writeFileSync(scenario, SHORT_SCENARIO);

function lastJson(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout.trimEnd().split('\n').at(-1)!) as Record<string, unknown>;
}

describe('--bug is variadic, and a scenario after it is still the scenario', () => {
  it('run --bug NAME scenario.yaml', async () => {
    const run = await samsa('run', '--bug', 'partitioner-ignores-key', scenario, '--trace', join(dir, 'bug.jsonl'), '--json');
    expect(run.stderr).not.toMatch(/missing required argument/);
    expect([0, 1, 2]).toContain(run.code);
    expect(lastJson(run.stdout)).toMatchObject({ scenario: 'short', bugs: ['partitioner-ignores-key'] });
  });

  it('run --bug A B scenario.yaml --seed 2: both bugs, the scenario, the seed', async () => {
    const run = await samsa(
      'run',
      '--bug',
      'partitioner-ignores-key',
      'no-sequence-check',
      scenario,
      '--seed',
      '2',
      '--trace',
      join(dir, 'bugs.jsonl'),
      '--json',
    );
    expect(lastJson(run.stdout)).toMatchObject({ scenario: 'short', seed: 2, bugs: ['partitioner-ignores-key', 'no-sequence-check'] });
  });

  it('explore --bug NAME scenario.yaml', async () => {
    const run = await samsa('explore', '--bug', 'partitioner-ignores-key', scenario, '--seeds', '1', '--workers', '1', '--shrink', '0', '--json');
    expect(lastJson(run.stdout)).toMatchObject({ scenario: 'short', seeds: 1, bugs: ['partitioner-ignores-key'] });
  });

  it('a misspelt bug name gets a suggestion, on one line', async () => {
    const run = await samsa('run', '--bug', 'truncate-to-hwm', scenario);
    expect(run.code).toBe(64);
    expect(stderrLines(run)).toHaveLength(1);
    expect(run.stderr).toMatch(/unknown bug "truncate-to-hwm" \(did you mean "truncate-to-hw"\?\) \(known: /);
  });
});

describe('--workers is clamped to the seeds and the cores, with a note', () => {
  it('more workers than seeds', async () => {
    const run = await samsa('explore', scenario, '--seeds', '1', '--workers', '4', '--shrink', '0', '--json');
    expect(run.stderr).toContain('note: --workers 4 clamped to 1 (only 1 seed to run)');
    expect(run.stdout).toMatch(/"seeds":1\b/);
    expect(run.code).toBe(0);
  });

  it('more workers than cores', async () => {
    const cores = availableParallelism();
    const run = await samsa('explore', scenario, '--seeds', '100000', '--workers', String(cores + 3), '--time-budget', '1ms', '--json');
    expect(run.stderr).toContain(`note: --workers ${cores + 3} clamped to ${cores} (this machine has ${cores} core${cores === 1 ? '' : 's'})`);
    expect(run.code).toBe(0);
  });

  it('no note when the workers asked for are few enough', async () => {
    const run = await samsa('explore', scenario, '--seeds', '1', '--workers', '1', '--shrink', '0');
    expect(run.stderr).not.toContain('note:');
  });
});

/** Every command and subcommand of the program, depth first. */
function commands(program: Command): Command[] {
  return [program, ...program.commands.flatMap((c) => commands(c))];
}

describe('durations like 5s, 500ms and 2m on every flag that takes a time', () => {
  it('every option whose value is a <duration> parses units; no time option takes bare <ms> or <seconds>', () => {
    const timeOptions = commands(buildProgram()).flatMap((command) => command.options.map((option) => ({ command: command.name(), option })));
    const durations = timeOptions.filter(({ option }) => option.flags.includes('<duration>'));
    expect(durations.map(({ command, option }) => `${command} ${option.long}`).sort()).toEqual(
      expect.arrayContaining(['bugs --cap', 'consume --idle-timeout', 'demo --duration', 'explore --time-budget']),
    );
    for (const { command, option } of durations) {
      const parse = (value: string) => option.parseArg!(value, undefined as never) as number;
      expect(parse('5s'), `${command} ${option.long}`).toBe(5_000);
      expect(parse('500ms'), `${command} ${option.long}`).toBe(500);
      expect(parse('2m'), `${command} ${option.long}`).toBe(120_000);
    }
    const bareTimes = timeOptions.filter(({ option }) => /<(ms|millis\w*|seconds?|secs?)>/.test(option.flags));
    expect(bareTimes.map(({ command, option }) => `${command} ${option.flags}`)).toEqual([]);
  });

  it('demo --duration 2s simulates two seconds', async () => {
    const run = await samsa('demo', '--seed', '4', '--duration', '2s', '--trace', join(dir, 'demo.jsonl'), '--json');
    expect(run.code).toBe(0);
    expect(lastJson(run.stdout)).toMatchObject({ simMs: 2000, replayIdentical: true });
  });
});

describe('paths that are the wrong kind of thing', () => {
  it('a folder as the scenario, a file as the failures folder: one line, exit 64, before any work', async () => {
    const folder = await samsa('run', dir);
    expect(folder.code).toBe(64);
    expect(stderrLines(folder)).toEqual([`error: ${dir}: cannot read the scenario file (it is a folder, not a file)`]);
    const failures = await samsa('explore', scenario, '--failures', scenario);
    expect(failures.code).toBe(64);
    expect(stderrLines(failures)).toEqual([`error: --failures ${scenario}: is a file, not a folder`]);
  });
});

describe('the version', () => {
  const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
  for (const flag of ['--version', '-V']) {
    it(`${flag} prints the version package.json gives, exit 0`, async () => {
      const run = await samsa(flag);
      expect(run.code).toBe(0);
      expect(run.stdout.trim()).toBe(version);
      expect(run.stderr).toBe('');
    });
  }
});
