// Ctrl-C during `samsa explore` (issue 18): no new seeds, the seeds in flight finish, the summary
// of the seeds run so far (the table, and the JSON line with --json), then exit 130. A real
// process and a real SIGINT: the signal handling is what is tested.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { root } from './samsa.ts';
import { SHORT_SCENARIO } from './short-scenario.ts';

describe('samsa explore interrupted', () => {
  it('prints the summary so far and the JSON line, then exits 130', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'samsa-interrupt-'));
    const scenario = join(dir, 'short.yaml');
    writeFileSync(scenario, SHORT_SCENARIO);
    const child = spawn(process.execPath, [join(root, 'bin', 'samsa.js'), 'explore', scenario, '--seeds', '100000', '--workers', '1', '--json'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    const started = new Promise<void>((resolve) =>
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
        if (stderr.includes('exploring short:')) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await started;
    // A few seeds first, so that the summary has something in it.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    child.kill('SIGINT');
    const code = await exited;
    expect(code, stderr).toBe(130);
    expect(stderr).toContain('interrupted: finishing the seeds in flight');
    expect(stderr).toMatch(/stopped by\s+│ interrupted \(Ctrl-C\)/);
    const json = JSON.parse(stdout.trimEnd().split('\n').at(-1)!) as Record<string, unknown>;
    expect(json).toMatchObject({ scenario: 'short', stoppedBy: 'interrupted', shrunk: [] });
    expect(json['seeds']).toBeGreaterThan(0);
    expect(json['seeds']).toBeLessThan(100000);
  }, 120_000);
});
