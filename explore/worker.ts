// An explorer worker thread: runs the seeds it is sent, one at a time, and answers each outcome.
// It is booted by worker-boot.js, which registers the TypeScript loader so that these sources load.

import { parentPort } from 'node:worker_threads';
import type { Scenario } from '../sim/scenario/types.ts';
import { runSeed } from './run-seed.ts';

export interface SeedJob {
  scenario: Scenario;
  seed: number;
  bugs: string[];
  /** Hash the trace (for the determinism self-check). */
  hashTrace: boolean;
}

parentPort!.on('message', (job: SeedJob) => parentPort!.postMessage(runSeed(job.scenario, job.seed, job.bugs, job.hashTrace)));
