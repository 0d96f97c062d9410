import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runKernelBench } from '../../bench/kernel.ts';
import { runSimBench } from '../../bench/sim.ts';
import { root, samsa as run } from './samsa.ts';

const dir = mkdtempSync(join(tmpdir(), 'samsa-cli-'));
const samsa = (...args: string[]) => run(dir, ...args);
/** In the project folder, where the scenario paths resolve. */
const run_ = (args: string[]) => run(root, ...args);

describe('the samsa command', () => {
  it('demo --json ends with the run figures, writes the trace and proves it by replay', () => {
    const trace = join(dir, 'demo.jsonl');
    const run = samsa('demo', '--seed', '7', '--duration', '2000', '--trace', trace, '--json');
    expect(run.code).toBe(0);
    const out = run.json();
    expect(out).toMatchObject({ seed: 7, violations: [], simMs: 2000, replayIdentical: true, trace });
    for (const key of ['scenario', 'traceHash', 'steps', 'wallMs']) expect(out).toHaveProperty(key);
    expect(readFileSync(trace, 'utf8')).toContain(String(out['traceHash']));
  });

  it('replay --json says identical for an untouched trace and exits 1 with the step for a changed one', () => {
    const trace = join(dir, 'replay.jsonl');
    expect(samsa('demo', '--seed', '3', '--duration', '1000', '--trace', trace).code).toBe(0);
    const same = samsa('replay', trace, '--json');
    expect(same.code).toBe(0);
    expect(same.json()).toMatchObject({ identical: true, seed: 3 });
    const lines = readFileSync(trace, 'utf8').split('\n');
    lines[20] = lines[20]!.replace('"i":19', '"i":19,"extra":true');
    writeFileSync(trace, lines.join('\n'));
    const changed = samsa('replay', trace);
    expect(changed.code).toBe(1);
    expect(changed.stdout).toContain('DIFFERENT');
    expect(changed.stdout).toContain('first difference at step 19 (line 21)');
  });

  it('names what was wrong with bad input, without a stack trace, and exits 64', () => {
    const cases: Array<[string[], RegExp]> = [
      [['demo', '--seed', 'banana'], /--seed must be an integer >= 0, got "banana"/],
      [['replay', join(dir, 'missing.jsonl')], /no such trace file/],
      [['replay', join(root, 'package.json')], /line 1 is not a Samsa trace header|line 1 is not JSON/],
      [['frobnicate'], /unknown command 'frobnicate'/],
      [['bench', 'kernel', '--rounds', '0'], /--rounds must be an integer >= 1/],
      [['explore', 'scenarios/nemesis.yaml', '--seeds', '0'], /--seeds must be an integer >= 1, got "0"/],
      [['explore', 'scenarios/nemesis.yaml', '--time-budget', 'soon'], /--time-budget: expected a duration like "5s"/],
      [['explore', 'scenarios/nemesis.yaml', '--bug', 'no-such-bug'], /unknown bug "no-such-bug" \(known: /],
      [['explore', join(dir, 'missing.yaml')], /missing\.yaml/],
      [['bench', 'bugs', '--cap', '0s'], /--cap: expected a duration > 0, got "0s"/],
      [['viz', join(dir, 'missing.jsonl'), '--port', '0'], /missing\.jsonl: no such file or folder/],
      [['viz', join(root, 'package.json'), '--port', '0'], /package\.json: not a Samsa trace/],
      [['viz', '--port', 'http'], /--port must be an integer >= 0, got "http"/],
      [['viz', '--port', '70000'], /--port must be at most 65535/],
      [['bench', 'viz', '--trace', join(dir, 'missing.jsonl')], /no such trace file/],
    ];
    for (const [args, message] of cases) {
      const run = samsa(...args);
      expect(run.code, args.join(' ')).toBe(64);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('prints its version, the one package.json gives', () => {
    const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
    const run = samsa('--version');
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toBe(version);
  });

  it('has --help on every command', () => {
    for (const args of [
      ['--help'],
      ['demo', '--help'],
      ['replay', '--help'],
      ['explore', '--help'],
      ['bench', '--help'],
      ['bench', 'kernel', '--help'],
      ['bench', 'bugs', '--help'],
      ['viz', '--help'],
      ['bench', 'viz', '--help'],
    ]) {
      const run = samsa(...args);
      expect(run.code, args.join(' ')).toBe(0);
      expect(run.stdout).toMatch(/Usage: samsa/);
    }
  });
});

describe('samsa explore', () => {
  it('--json ends with seeds, seedsPerSec and the violations, each with its seed and its shrunk scenario, and exits 1', () => {
    const failures = join(dir, 'failures');
    const run = run_([
      'explore',
      'scenarios/bugs/partitioner-ignores-key.yaml',
      '--seeds',
      '2',
      '--workers',
      '1',
      '--shrink',
      '1',
      '--failures',
      failures,
      '--json',
    ]);
    expect(run.code).toBe(1);
    const out = run.json();
    expect(out).toMatchObject({ seeds: 2, from: 1 });
    expect(out['seedsPerSec']).toBeGreaterThan(0);
    const violations = out['violations'] as Array<Record<string, unknown>>;
    expect(violations.map((v) => [v['seed'], v['name']])).toContainEqual([1, 'key-partition']);
    const shrunk = violations.find((v) => v['seed'] === 1)!['scenario'] as string;
    expect(shrunk.startsWith(failures)).toBe(true);
    expect(samsa('run', shrunk, '--json').json()).toMatchObject({ expectationMet: true });
    expect(run.stderr).toMatch(/key-partition/);
  }, 120_000);
});

describe('the kernel benchmark', () => {
  it('reports the documented figures (a tiny run; the real figures come from `samsa bench kernel`)', () => {
    const result = runKernelBench({ rounds: 1, scale: 0.01, only: 'kernel' });
    expect(result).toMatchObject({ bench: 'kernel', rounds: 1 });
    expect(result.eventsPerSec).toBeGreaterThan(0);
    expect(result.peakRssMb).toBeGreaterThan(0);
    for (const key of ['eventsPerSec', 'networkEventsPerSec', 'peakRssMb']) expect(result).toHaveProperty(key);
    expect(result.workloads[0]!.events).toBe(30_000);
  });
});

describe('the scenario benchmark', () => {
  it('reports recordsPerSec and timeRatio from real runs that consume what they produce (a short run)', () => {
    const result = runSimBench({ scale: 0.1 });
    expect(result).toMatchObject({ bench: 'sim', brokers: 3, replicationFactor: 3 });
    expect(result.recordsPerSec).toBeGreaterThan(0);
    expect(result.timeRatio).toBeGreaterThan(0);
    // The trace alone is cheaper than the run that also simulates and checks.
    expect(result.traceBound.timeRatio).toBeGreaterThan(result.timeRatio);
    expect(result.traceBound.recordsPerSec).toBeGreaterThan(result.recordsPerSec);
    for (const run of result.runs) expect(run.untracedWallMs).toBeGreaterThan(0);
    for (const run of result.runs) {
      expect(run.recordsSent).toBeGreaterThan(0);
      expect(run.recordsConsumed).toBe(run.recordsSent);
      expect(run.violations).toBe(0);
    }
  });
});
