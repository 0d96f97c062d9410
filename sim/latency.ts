// One-way message latency distributions for simulated links (as Maelstrom and turmoil offer:
// constant, uniform, exponential above a floor). Values are in milliseconds; draws are rounded
// to whole microseconds, the simulator's clock resolution.

import type { Rng } from './random.ts';

export type Latency =
  | { constant: number }
  | { min: number; max: number }
  /** Exponential with the given mean, shifted by `min` and optionally capped at `max`. */
  | { mean: number; min?: number; max?: number };

export const DEFAULT_LATENCY: Latency = { min: 1, max: 10 };

/** Checks a latency model; returns a message naming what is wrong, or null when it is valid. */
export function latencyProblem(latency: Latency): string | null {
  const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x) && x >= 0;
  if ('constant' in latency) {
    return finite(latency.constant) ? null : 'constant latency must be a number of ms >= 0';
  }
  if ('mean' in latency) {
    if (!finite(latency.mean)) return 'mean latency must be a number of ms >= 0';
    if (latency.min !== undefined && !finite(latency.min)) return 'min latency must be a number of ms >= 0';
    if (latency.max !== undefined && !finite(latency.max)) return 'max latency must be a number of ms >= 0';
    if (latency.max !== undefined && latency.max < (latency.min ?? 0)) return 'max latency must be >= min';
    return null;
  }
  if (!finite(latency.min) || !finite(latency.max)) return 'uniform latency needs min and max in ms >= 0';
  return latency.max >= latency.min ? null : 'max latency must be >= min';
}

/** Draws one latency in whole microseconds from a stream. */
export type LatencySampler = (rng: Rng) => number;

/** Compiles a latency model into a sampler, so the hot path does not re-inspect its shape. */
export function latencySampler(latency: Latency): LatencySampler {
  if ('constant' in latency) {
    const us = Math.round(latency.constant * 1000);
    return () => us;
  }
  if ('mean' in latency) {
    const { mean } = latency;
    const floor = latency.min ?? 0;
    const cap = latency.max ?? Infinity;
    return (rng) => Math.round(Math.min(cap, floor - mean * Math.log(1 - rng.float())) * 1000);
  }
  const { min } = latency;
  const span = latency.max - min;
  return (rng) => Math.round((min + span * rng.float()) * 1000);
}
