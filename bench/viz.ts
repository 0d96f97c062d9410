// `samsa bench viz`: time from opening the visualizer to its first full render of a
// one-million-step trace, in Debian's chromium. Cold: the server meets the trace for the first
// time (its index is built inside the measured time); warm: a reload, the index cached.

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { launchChromium } from '../viz/server/chromium.ts';
import { startVizServer } from '../viz/server/start.ts';

export const MILLION_SCENARIO = 'bench/viz-million.yaml';
const ROOT = join(import.meta.dirname, '..');

export interface VizBenchResult {
  bench: 'viz';
  trace: string;
  steps: number;
  traceMb: number;
  /** Wall ms to write the trace (not part of the load figures). */
  generateMs: number | null;
  /** Navigation to first full render, the server meeting the trace for the first time. */
  coldMs: number;
  /** The same after a reload (the server's index cached). */
  warmMs: number;
  /** Median of the warm reloads. */
  warmRuns: number[];
}

interface Options {
  trace?: string;
  reloads: number;
  progress: (line: string) => void;
}

export async function runVizBench(options: Options): Promise<VizBenchResult> {
  const scratch = mkdtempSync(join(tmpdir(), 'samsa-bench-viz-'));
  try {
    let tracePath = options.trace;
    let generateMs: number | null = null;
    if (tracePath === undefined) {
      tracePath = join(scratch, 'million.jsonl');
      options.progress(`writing a trace of ${MILLION_SCENARIO} ...`);
      const started = performance.now();
      // In a process of its own, so that the simulation's heap does not weigh on the measured server.
      const run = spawnSync(process.execPath, [join(ROOT, 'bin', 'samsa.js'), 'run', join(ROOT, MILLION_SCENARIO), '--trace', tracePath, '--json'], {
        encoding: 'utf8',
      });
      if (run.status !== 0) throw new Error(`writing the trace failed (exit ${run.status}): ${run.stderr.trim().split('\n').at(-1)}`);
      generateMs = Math.round(performance.now() - started);
    }
    const server = await startVizServer({ traces: [tracePath], cwd: scratch, host: '127.0.0.1', port: 0 });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));
      const load = async (): Promise<number> => {
        const started = performance.now();
        await page.goto(server.url, { waitUntil: 'commit' });
        await page.waitForFunction(() => (globalThis as unknown as { samsaViz?: { ready: boolean } }).samsaViz?.ready === true, null, {
          timeout: 120_000,
          polling: 10,
        });
        return Math.round(performance.now() - started);
      };
      options.progress('cold load ...');
      const coldMs = await load();
      const warmRuns: number[] = [];
      for (let n = 0; n < options.reloads; n++) {
        options.progress(`warm load ${n + 1} of ${options.reloads} ...`);
        warmRuns.push(await load());
      }
      const steps = await page.evaluate(() => (globalThis as unknown as { samsaViz: { steps: number } }).samsaViz.steps);
      if (errors.length > 0) throw new Error(`the page raised errors: ${errors.join('; ')}`);
      return {
        bench: 'viz',
        trace: tracePath,
        steps,
        traceMb: Math.round(statSync(tracePath).size / 1e5) / 10,
        generateMs,
        coldMs,
        warmMs: median(warmRuns),
        warmRuns,
      };
    } finally {
      await browser.close();
      await server.close();
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}
