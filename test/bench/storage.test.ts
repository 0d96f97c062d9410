// `samsa bench storage` in a tiny mode (seconds): the JSON's shape, every figure positive and finite,
// the log grown through the sizes asked for (capped by --max-records) and recovered whole after its writer's SIGKILL, and bad
// flags refused with exit 64 and a message naming the flag.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { StorageBenchResult, Timings } from '../../bench/storage.ts';
import { samsaInProcess as samsa } from '../cli/in-process.ts';
import { root } from '../cli/samsa.ts';

const TINY = ['--sizes', '1000,3000,8000', '--max-records', '6000', '--ops', '20', '--random-reads', '50', '--recovery-mib', '1'];

function benchDirs(): string[] {
  return readdirSync(tmpdir()).filter((name) => name.startsWith('samsa-bench-storage-'));
}

function expectPositiveFinite(value: number, what: string): void {
  expect(Number.isFinite(value), `${what} = ${value}`).toBe(true);
  expect(value, what).toBeGreaterThan(0);
}

function expectTimings(t: Timings, ops: number, what: string): void {
  expect(t.ops).toBe(ops);
  for (const key of ['records', 'bytes', 'ms', 'recordsPerSec', 'mbPerSec', 'p50Ms', 'p99Ms', 'maxMs'] as const) expectPositiveFinite(t[key], `${what}.${key}`);
  expect(t.p50Ms).toBeLessThanOrEqual(t.p99Ms);
  expect(t.p99Ms).toBeLessThanOrEqual(t.maxMs);
  expect(t.gcMs).toBeGreaterThanOrEqual(0);
  expect(t.cpuMs).toBeGreaterThanOrEqual(0);
}

describe('samsa bench storage', () => {
  it('measures a tiny log through its sizes and prints the figures as JSON', { timeout: 120_000 }, async () => {
    const before = new Set(benchDirs());
    const run = await samsa('bench', 'storage', ...TINY, '--json');
    expect(run.code, run.stderr).toBe(0);
    const r = JSON.parse(run.stdout.trimEnd().split('\n').at(-1)!) as StorageBenchResult;
    expect(r).toMatchObject({
      bench: 'storage',
      mode: 'custom',
      sizesRequested: [1000, 3000, 6000],
      stoppedEarly: null,
      batchRecords: 100,
      valueBytes: 100,
      ops: 20,
    });
    expectPositiveFinite(r.costRatio!, 'costRatio');
    expectPositiveFinite(r.fetchCostRatio!, 'fetchCostRatio');
    expect(r.points).toHaveLength(3);
    // Each point starts at its size (--max-records took the place of 8000); its appends (20 batches of 100) come on top.
    expect(r.sizes).toEqual([1000, 3000, 6000]);
    for (const [i, p] of r.points.entries()) {
      expect(p.recordsAfter).toBe(p.records + 20 * 100);
      expect(p.append.records).toBe(20 * 100);
      expectTimings(p.append, 20, `points[${i}].append`);
      expectTimings(p.fetch, 20, `points[${i}].fetch`);
      expect(p.logBytes).toBeGreaterThan(0);
    }
    expect(r.points.map((p) => p.records)).toEqual(r.sizes);
    expect(r.costRatio).toBeCloseTo(r.points[2]!.append.recordsPerSec / r.points[0]!.append.recordsPerSec, 2);
    expect(r.randomRead.records).toBe(r.points[2]!.recordsAfter);
    for (const l of [r.randomRead.byOffset, r.randomRead.byTimestamp]) {
      expect(l.ops).toBe(50);
      for (const key of ['p50Ms', 'p99Ms', 'maxMs'] as const) expectPositiveFinite(l[key], key);
    }
    // The writer wrote at least the MiB asked for, in whole batches, and every one came back.
    expect(r.recovery.bytes).toBeGreaterThanOrEqual(1_048_576);
    expect(r.recovery.records).toBe(r.recovery.batches * 100);
    for (const key of ['seconds', 'secondsPerGiB', 'writeSeconds'] as const) expectPositiveFinite(r.recovery[key], `recovery.${key}`);
    expect(r.recovery.kafka).toMatch(/recovery point/);
    expect(r.targets.map((t) => t.name)).toEqual(['costRatio', 'random read by offset p99 ms', 'lookup by timestamp p99 ms']);
    // The tables went to stderr, and the temp dir is gone.
    expect(run.stderr).toMatch(/append cost ratio/);
    expect(benchDirs().filter((d) => !before.has(d))).toEqual([]);
  });

  it('grows the log far past what its heap could hold: memory does not grow with the log', { timeout: 120_000 }, () => {
    // A heap of 220 MB held some 700,000 records when the log kept every batch in memory; the
    // segmented log keeps only the active segment's newest 32 MiB decoded, so 2 million fit.
    const args = ['--sizes', '1000,2000000', '--ops', '20', '--random-reads', '20', '--recovery-mib', '1', '--json'];
    const run = spawnSync(process.execPath, ['--max-old-space-size=220', join(root, 'bin', 'samsa.js'), 'bench', 'storage', ...args], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(run.status, run.stderr).toBe(0);
    const r = JSON.parse(run.stdout.trimEnd().split('\n').at(-1)!) as StorageBenchResult;
    expect(r.stoppedEarly).toBeNull();
    expect(r.sizes).toEqual([1000, 2_000_000]);
    expectPositiveFinite(r.costRatio!, 'costRatio');
  });

  it('refuses bad flags with exit 64 and a message naming the flag', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--sizes', '1000,abc'], /--sizes must be positive integers/],
      [['--sizes', '5000,1000'], /--sizes must ascend/],
      [['--ops', '0'], /--ops must be an integer >= 1/],
      [['--recovery-mib', 'lots'], /--recovery-mib must be an integer >= 1/],
      [['--no-such-flag'], /unknown option '--no-such-flag'/],
    ];
    for (const [args, message] of cases) {
      const run = await samsa('bench', 'storage', ...args, '--json');
      expect(run.code, args.join(' ')).toBe(64);
      expect(run.stderr).toMatch(message);
      expect(run.stdout).toBe('');
    }
  });
});
