// The simulated network: decides every message's fate from the seeded PRNG of its link.
// Links are directed (from -> to) and FIFO by default, as a TCP connection is; faults switch on
// loss, duplication and reordering (a reordered message may overtake earlier ones), and
// partitions cut links one way or both ways until healed. Every sender draws from its own
// stream (`net:<id>`), so new nodes or clients leave existing nodes' draws unchanged.

import { DEFAULT_LATENCY, latencySampler, type Latency, type LatencySampler } from './latency.ts';
import type { RandomStreams, Rng } from './random.ts';

export interface LinkConfig {
  latency: Latency;
  /** Probability that a message is lost. */
  loss: number;
  /** Probability that a message is delivered twice. */
  duplicate: number;
  /** Probability that a message ignores the link's FIFO order. */
  reorder: number;
}

export const DEFAULT_LINK: LinkConfig = { latency: DEFAULT_LATENCY, loss: 0, duplicate: 0, reorder: 0 };

export type DropReason = 'partition' | 'loss' | 'down';

/** A message's fate, filled in place by `Network.decide` to keep the hot path allocation-free. */
export class Fate {
  dropped: DropReason | null = null;
  /** Arrival time in µs. */
  atUs = 0;
  /** Arrival time of the duplicate copy in µs, or -1 when there is none. */
  dupAtUs = -1;
  reordered = false;
}

/** Node indexes stay below this bound, so a directed link has the key from * MAX_NODES + to. */
const MAX_NODES = 1 << 16;

/** A link configuration with its latency model compiled. */
interface ResolvedLink {
  config: LinkConfig;
  latency: LatencySampler;
}

function resolve(config: LinkConfig): ResolvedLink {
  return { config, latency: latencySampler(config.latency) };
}

export class Network {
  private config: ResolvedLink;
  /** Per directed link (from * capacity + to): cut flags and latest FIFO arrival time. */
  private capacity = 16;
  private cuts = new Uint8Array(this.capacity * this.capacity);
  private lastArrivalUs = new Float64Array(this.capacity * this.capacity);
  private readonly overrides = new Map<number, { override: Partial<LinkConfig>; resolved: ResolvedLink }>();
  /** One stream per sender (`net:<id>`): a new node adds a stream and moves no one else's draws. */
  private readonly rngs: Rng[] = [];
  private nodeCount = 0;
  private cutCount = 0;

  constructor(
    private readonly streams: RandomStreams,
    config: Partial<LinkConfig> = {},
  ) {
    this.config = resolve({ ...DEFAULT_LINK, ...config });
  }

  get defaults(): LinkConfig {
    return this.config.config;
  }

  /** Changes the defaults of every link; overridden fields of a link keep their override. */
  configure(config: Partial<LinkConfig>): void {
    this.config = resolve({ ...this.config.config, ...config });
    for (const entry of this.overrides.values()) entry.resolved = resolve({ ...this.config.config, ...entry.override });
  }

  addNode(index: number, name: string): void {
    if (index >= MAX_NODES) throw new RangeError(`the network supports at most ${MAX_NODES} nodes`);
    if (index >= this.capacity) this.grow(Math.max(index + 1, this.capacity * 2));
    this.rngs[index] = this.streams.stream(`net:${name}`);
    this.nodeCount = Math.max(this.nodeCount, index + 1);
  }

  /** Overrides some settings of one directed link (a slow link, a lossy link); null resets it. */
  setLink(from: number, to: number, override: Partial<LinkConfig> | null): void {
    const key = from * MAX_NODES + to;
    if (override === null) this.overrides.delete(key);
    else this.overrides.set(key, { override, resolved: resolve({ ...this.config.config, ...override }) });
  }

  /** Drops every per-link override. */
  clearOverrides(): void {
    this.overrides.clear();
  }

  isCut(from: number, to: number): boolean {
    return this.cutCount !== 0 && this.cuts[from * this.capacity + to] === 1;
  }

  /** Cuts the directed link from -> to; returns false when it was already cut. */
  cut(from: number, to: number): boolean {
    const i = from * this.capacity + to;
    if (this.cuts[i] === 1) return false;
    this.cuts[i] = 1;
    this.cutCount++;
    return true;
  }

  /** Restores the directed link from -> to. */
  heal(from: number, to: number): void {
    const i = from * this.capacity + to;
    if (this.cuts[i] === 1) {
      this.cuts[i] = 0;
      this.cutCount--;
    }
  }

  /** Restores every cut link. */
  healAll(): void {
    this.cuts.fill(0);
    this.cutCount = 0;
  }

  /** Every cut link as [from, to] index pairs. */
  cutLinks(): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (let from = 0; from < this.nodeCount; from++) {
      for (let to = 0; to < this.nodeCount; to++) if (this.isCut(from, to)) out.push([from, to]);
    }
    return out;
  }

  /** Decides the fate of one message sent now; `destinationUp` is false when it is crashed. */
  decide(from: number, to: number, nowUs: number, destinationUp: boolean, fate: Fate): void {
    const pair = from * this.capacity + to;
    fate.dupAtUs = -1;
    fate.reordered = false;
    if (this.cutCount !== 0 && this.cuts[pair] === 1) {
      fate.dropped = 'partition';
      return;
    }
    if (!destinationUp) {
      fate.dropped = 'down';
      return;
    }
    const override = this.overrides.size === 0 ? undefined : this.overrides.get(from * MAX_NODES + to);
    const link = override === undefined ? this.config : override.resolved;
    const config = link.config;
    const rng = this.rngs[from]!;
    if (rng.chance(config.loss)) {
      fate.dropped = 'loss';
      return;
    }
    fate.dropped = null;
    let at = nowUs + link.latency(rng);
    if (rng.chance(config.reorder)) {
      fate.reordered = true;
    } else {
      const last = this.lastArrivalUs[pair]!;
      if (at < last) at = last;
      this.lastArrivalUs[pair] = at;
    }
    fate.atUs = at;
    if (rng.chance(config.duplicate)) fate.dupAtUs = nowUs + link.latency(rng);
  }

  private grow(capacity: number): void {
    const cuts = new Uint8Array(capacity * capacity);
    const last = new Float64Array(capacity * capacity);
    for (let from = 0; from < this.capacity; from++) {
      for (let to = 0; to < this.capacity; to++) {
        cuts[from * capacity + to] = this.cuts[from * this.capacity + to]!;
        last[from * capacity + to] = this.lastArrivalUs[from * this.capacity + to]!;
      }
    }
    this.cuts = cuts;
    this.lastArrivalUs = last;
    this.capacity = capacity;
  }
}
