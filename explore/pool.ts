// Runs explored seeds on worker threads (one seed in flight per worker), or in this thread when
// one worker is asked for, which is what tests use. A worker that dies is a crash of the harness.
// Runners outlive one exploration, so a benchmark pays the workers' start-up once.

import { Worker } from 'node:worker_threads';
import { runSeed, type SeedOutcome } from './run-seed.ts';
import type { SeedJob } from './worker.ts';

export interface SeedRunner {
  run(job: SeedJob): Promise<SeedOutcome>;
  close(): Promise<void>;
}

const WORKER_BOOT = new URL('./worker-boot.js', import.meta.url);

export function seedRunners(workers: number): SeedRunner[] {
  if (workers <= 1) return [inlineRunner()];
  return Array.from({ length: workers }, workerRunner);
}

export async function closeRunners(runners: readonly SeedRunner[]): Promise<void> {
  await Promise.all(runners.map((r) => r.close()));
}

function inlineRunner(): SeedRunner {
  return {
    // Yields first, so that progress output gets its turn between seeds.
    run: (job) => new Promise((resolve) => setImmediate(() => resolve(runSeed(job.scenario, job.seed, job.bugs, job.hashTrace)))),
    close: async () => {},
  };
}

function workerRunner(): SeedRunner {
  const worker = new Worker(WORKER_BOOT);
  let pending: { seed: number; resolve: (o: SeedOutcome) => void } | null = null;
  let dead: string | null = null;
  const crash = (message: string) => {
    dead ??= message;
    const p = pending;
    pending = null;
    p?.resolve({ seed: p.seed, violations: [], traceHash: null, simMs: 0, crash: message, buggify: null });
  };
  worker.on('message', (outcome: SeedOutcome) => {
    const p = pending;
    pending = null;
    p?.resolve(outcome);
  });
  worker.on('error', (err) => crash(`explorer worker failed: ${err.stack ?? err.message}`));
  worker.on('exit', (code) => crash(`explorer worker exited with code ${code}`));
  return {
    run: (job) =>
      new Promise((resolve) => {
        pending = { seed: job.seed, resolve };
        if (dead !== null) crash(dead);
        else worker.postMessage(job);
      }),
    close: async () => {
      await worker.terminate();
    },
  };
}
