// `samsa viz` as a user starts it: a child process that prints where it listens (--json), serves
// the trace it was given, and stops cleanly on SIGTERM.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';
import { root, samsa } from './samsa.ts';

const dir = mkdtempSync(join(tmpdir(), 'samsa-viz-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('samsa viz', () => {
  it('listens on 127.0.0.1, lists the given trace, serves it and stops on SIGTERM', async () => {
    const trace = join(dir, 'demo.jsonl');
    expect(samsa(root, 'demo', '--seed', '3', '--trace', trace).code).toBe(0);
    const child = spawn(process.execPath, [join(root, 'bin', 'samsa.js'), 'viz', trace, '--port', '0', '--json'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1' },
    });
    try {
      const first = await new Promise<string>((resolve, reject) => {
        createInterface({ input: child.stdout }).once('line', resolve);
        child.once('exit', (code) => reject(new Error(`samsa viz exited ${code}`)));
      });
      const out = JSON.parse(first) as { url: string; traces: Array<{ id: string; name: string; source: string }> };
      expect(out.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(out.traces).toMatchObject([{ name: 'demo.jsonl', source: 'given' }]);
      const meta = (await (await fetch(new URL(`/api/traces/${out.traces[0]!.id}/meta`, out.url))).json()) as { rows: number; header: { samsa: number } };
      expect(meta.header.samsa).toBe(1);
      expect(meta.rows).toBeGreaterThan(100);
    } finally {
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    }
  });
});
