// `samsa bench kernel`: how fast the simulation kernel runs with no Kafka protocol on top.
// Many nodes pass tokens to random peers and tick on timers; one run uses a constant-latency
// network (the kernel's own cost), one lets the network model decide every message's fate
// (latency draws, loss, duplication, reordering, flapping partitions), one writes the trace
// (hash only), and one keeps a million events pending to show the queue stays fast.

import type { Env, Node, NodeId } from '../core/env.ts';
import { Simulation } from '../sim/kernel.ts';
import type { LinkConfig } from '../sim/network.ts';
import { HashOnlySink } from '../trace/sink.ts';

/** A token hops from node to node until its time-to-live runs out; a negative ttl never does. */
interface Token {
  ttl: number;
}
const TTL = 30;
/** Every token the workload uses, allocated once, so the hot path allocates nothing of its own. */
const TOKENS: readonly Token[] = Array.from({ length: TTL + 1 }, (_, ttl) => ({ ttl }));
const IMMORTAL: Token = { ttl: -1 };

/**
 * Every tick injects a fresh token at a random peer; a token is forwarded to a random peer until
 * its ttl is spent, so injection and expiry keep the number of messages in flight steady.
 */
class BenchNode implements Node<Token> {
  constructor(
    private readonly peers: readonly NodeId[],
    private readonly immortalTokens: number,
    private readonly tickMs: number,
  ) {}

  start(env: Env<Token>): void {
    env.setTimer(0, 'kickoff');
  }

  receive(env: Env<Token>, _from: NodeId, token: Token): void {
    if (token.ttl !== 0) env.send(this.peer(env), token.ttl < 0 ? token : TOKENS[token.ttl - 1]!);
  }

  fire(env: Env<Token>, tag: string): void {
    if (tag === 'kickoff') {
      // Every node has started by now, so no token is sent to a node that is not up yet.
      for (let i = 0; i < this.immortalTokens; i++) env.send(this.peer(env), IMMORTAL);
    } else {
      env.send(this.peer(env), TOKENS[TTL]!);
    }
    if (this.tickMs > 0) env.setTimer(this.tickMs * (tag === 'kickoff' ? env.random() : 1), 'tick');
  }

  private peer(env: Env<Token>): NodeId {
    return this.peers[Math.floor(env.random() * this.peers.length)]!;
  }
}

interface Workload {
  name: string;
  nodes: number;
  /** Tokens per node that circulate forever (besides the ones ticks inject). */
  immortalTokensPerNode: number;
  /** Each node injects a token at this period (0: never). */
  tickMs: number;
  network: Partial<LinkConfig>;
  /** Cut a random group of nodes from the rest, then heal, at this period (0: never). */
  flapPartitionsEveryMs: number;
  traced: boolean;
  /** Stop after this many kernel events. */
  events: number;
}

export interface WorkloadResult {
  name: string;
  eventsPerSec: number;
  events: number;
  pending: number;
  wallMs: number;
}

export interface KernelBenchResult {
  bench: 'kernel';
  eventsPerSec: number;
  networkEventsPerSec: number;
  peakRssMb: number;
  tracedEventsPerSec: number;
  pending1MEventsPerSec: number;
  rounds: number;
  workloads: WorkloadResult[];
}

const CONSTANT_NETWORK: Partial<LinkConfig> = { latency: { constant: 1 } };
const FAULTY_NETWORK: Partial<LinkConfig> = {
  latency: { min: 1, max: 10 },
  loss: 0.001,
  duplicate: 0.001,
  reorder: 0.01,
};

function workloads(scale: number): Workload[] {
  const base = { nodes: 100, immortalTokensPerNode: 0, tickMs: 10, flapPartitionsEveryMs: 0, traced: false };
  return [
    { ...base, name: 'kernel', network: CONSTANT_NETWORK, events: 3_000_000 * scale },
    { ...base, name: 'network', network: FAULTY_NETWORK, flapPartitionsEveryMs: 50, events: 3_000_000 * scale },
    { ...base, name: 'traced', network: FAULTY_NETWORK, flapPartitionsEveryMs: 50, traced: true, events: 1_000_000 * scale },
    // A million messages in flight at all times: 1,000 nodes with 1,000 tokens each, no expiry.
    { ...base, name: 'pending-1M', nodes: 1000, immortalTokensPerNode: 1000, tickMs: 0, network: { latency: { min: 1, max: 10 } }, events: 2_000_000 * scale },
  ];
}

function runWorkload(w: Workload): WorkloadResult {
  const sim = new Simulation<Token>({
    seed: 1,
    network: w.network,
    trace: w.traced ? new HashOnlySink() : null,
    header: { scenario: `bench-${w.name}`, config: { setup: 'bench-kernel', ...w } },
  });
  const names = Array.from({ length: w.nodes }, (_, i) => `n${i + 1}`);
  for (const id of names) sim.addNode(id, () => new BenchNode(names, w.immortalTokensPerNode, w.tickMs));
  for (const id of names) sim.start(id);
  if (w.flapPartitionsEveryMs > 0) {
    const rng = sim.streams.stream('bench-faults');
    let partitioned = false;
    const flap = () => {
      if (partitioned) sim.healAll();
      else {
        const side = names.filter(() => rng.chance(0.1));
        sim.partition([side, names.filter((n) => !side.includes(n))]);
      }
      partitioned = !partitioned;
      sim.after(w.flapPartitionsEveryMs, flap);
    };
    sim.after(w.flapPartitionsEveryMs, flap);
  }
  sim.run(0); // kick off: every node sends its first tokens
  // Let the injected tokens reach their steady number before measuring.
  if (w.tickMs > 0) sim.run(TTL * 20);
  const pending = sim.pending;
  const counted = sim.events;
  const started = performance.now();
  sim.run(Infinity, counted + w.events);
  const wallMs = performance.now() - started;
  sim.finish();
  const events = sim.events - counted;
  return { name: w.name, eventsPerSec: Math.round((events / wallMs) * 1000), events, pending, wallMs: Math.round(wallMs) };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Runs every workload `rounds` times after one warm-up round; reports the median rates. */
export function runKernelBench(options: { rounds?: number; scale?: number; only?: string; progress?: (line: string) => void } = {}): KernelBenchResult {
  const rounds = options.rounds ?? 3;
  const scale = options.scale ?? 1;
  const progress = options.progress ?? (() => {});
  const plan = workloads(scale).filter((w) => options.only === undefined || w.name === options.only);
  const byName = new Map<string, WorkloadResult[]>();
  for (let round = 0; round <= rounds; round++) {
    for (const w of plan) {
      const result = runWorkload(round === 0 ? { ...w, events: Math.ceil(w.events / 10) } : w);
      const label = round === 0 ? 'warm-up' : `round ${round}/${rounds}`;
      progress(
        `${label.padEnd(11)} ${w.name.padEnd(10)} ${(result.eventsPerSec / 1e6).toFixed(2)} M events/s  (${result.events} events, ${result.pending} pending)`,
      );
      if (round > 0) byName.set(w.name, [...(byName.get(w.name) ?? []), result]);
    }
  }
  const summary = plan.map((w) => {
    const results = byName.get(w.name)!;
    const rate = median(results.map((r) => r.eventsPerSec));
    return results.find((r) => r.eventsPerSec === rate)!;
  });
  const rate = (name: string) => summary.find((r) => r.name === name)?.eventsPerSec ?? 0;
  return {
    bench: 'kernel',
    eventsPerSec: rate('kernel'),
    networkEventsPerSec: rate('network'),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    tracedEventsPerSec: rate('traced'),
    pending1MEventsPerSec: rate('pending-1M'),
    rounds,
    workloads: summary,
  };
}
