// Runs the `samsa` command as a user would (a child process), for the command-line tests.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const root = join(import.meta.dirname, '..', '..');

export interface SamsaRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The last line of stdout, parsed: what --json promises. */
  json(): Record<string, unknown>;
}

export function samsa(cwd: string, ...args: string[]): SamsaRun {
  const run = spawnSync(process.execPath, [join(root, 'bin', 'samsa.js'), ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  const last = run.stdout.trimEnd().split('\n').at(-1) ?? '';
  return { code: run.status, stdout: run.stdout, stderr: run.stderr, json: () => JSON.parse(last) as Record<string, unknown> };
}
