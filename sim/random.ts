// Seeded randomness for the simulator: one run seed, many named sub-streams.
// Each consumer (a network link, a node's disk, a node's env.random) draws from its own stream,
// derived from the seed and the stream's name, so that adding a client or a node leaves the
// draws of every existing stream unchanged (TigerBeetle's VOPR derives sub-seeds the same way).

import seedrandom from 'seedrandom';

/** A deterministic stream of uniform draws. */
export class Rng {
  private readonly next: () => number;

  constructor(seed: string) {
    this.next = seedrandom.alea(seed);
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.next();
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Uniform integer in [min, max], both inclusive. */
  intBetween(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability p; draws nothing when p is 0 or 1, so a rate left at 0 costs nothing. */
  chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Rng.pick: no items to pick from');
    return items[this.int(items.length)]!;
  }

  /** A Fisher-Yates shuffle into a new array. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = out[i]!;
      out[i] = out[j]!;
      out[j] = tmp;
    }
    return out;
  }
}

/** Hands out named streams of one run seed; asking twice for a name gives the same stream. */
export class RandomStreams {
  private readonly streams = new Map<string, Rng>();

  constructor(readonly seed: number) {}

  stream(name: string): Rng {
    let rng = this.streams.get(name);
    if (rng === undefined) {
      rng = new Rng(`samsa/${this.seed}/${name}`);
      this.streams.set(name, rng);
    }
    return rng;
  }
}
