// A kernel-only workload: nodes pass tokens to random peers, tick on timers, keep a counter log
// in storage (fsynced every few ticks) and recover it after a crash, while an optional fault
// schedule partitions, heals, crashes, restarts and slows links. It exercises every part of the
// simulator without any Kafka protocol, for the kernel's tests, the demo and `samsa bench kernel`.

import type { Env, Node, NodeId, TimerTag } from '../core/env.ts';
import { StorageError } from '../core/storage.ts';
import type { DiskFaults } from './disk.ts';
import { Simulation } from './kernel.ts';
import type { LinkConfig } from './network.ts';
import { scheduleRandomFaults } from './random-faults.ts';
import type { TraceSink } from '../trace/sink.ts';

export type KernelMessage = { kind: 'token'; hops: number } | { kind: 'ping'; n: number } | { kind: 'pong'; n: number };

export type KernelWorkload = {
  setup: 'kernel-workload';
  nodes: number;
  /** Tokens each node puts in circulation when it starts. */
  tokensPerNode: number;
  /** Mean interval of each node's tick timer. */
  tickMs: number;
  /** Fsync the counter log every this many ticks (0: never). */
  syncEvery: number;
  /** Whether to trace a note on every tick (makes traces chattier). */
  notes: boolean;
  durationMs: number;
  network: Partial<LinkConfig>;
  disk: Partial<DiskFaults>;
  /** Interval of random faults (partition, heal, crash, restart, slow link); 0 for none. */
  faultEveryMs: number;
};

export const DEFAULT_KERNEL_WORKLOAD: KernelWorkload = {
  setup: 'kernel-workload',
  nodes: 5,
  tokensPerNode: 2,
  tickMs: 50,
  syncEvery: 4,
  notes: true,
  durationMs: 10_000,
  network: { latency: { min: 1, max: 10 }, loss: 0.01, duplicate: 0.01, reorder: 0.01 },
  disk: { tornWrites: 0.5, fsyncFailure: 0.001, readError: 0 },
  faultEveryMs: 1_000,
};

const COUNTER_FILE = 'counter.log';

/** One participant: forwards tokens, pings on each tick, and logs its tick count durably. */
export class KernelNode implements Node<KernelMessage> {
  private ticks = 0;

  constructor(
    private readonly peers: readonly NodeId[],
    private readonly workload: Pick<KernelWorkload, 'tokensPerNode' | 'tickMs' | 'syncEvery' | 'notes'>,
  ) {}

  start(env: Env<KernelMessage>): void {
    this.ticks = recoverTicks(env);
    // Tokens go out once every node of the run has been started, on the first kernel event.
    env.setTimer(0, 'kickoff');
    this.armTick(env);
  }

  receive(env: Env<KernelMessage>, from: NodeId, msg: KernelMessage): void {
    if (msg.kind === 'token') env.send(this.randomPeer(env), { kind: 'token', hops: msg.hops + 1 });
    else if (msg.kind === 'ping') env.send(from, { kind: 'pong', n: msg.n });
  }

  fire(env: Env<KernelMessage>, tag: TimerTag): void {
    if (tag === 'kickoff') {
      for (let i = 0; i < this.workload.tokensPerNode; i++) env.send(this.randomPeer(env), { kind: 'token', hops: 0 });
      return;
    }
    this.ticks++;
    const record = new Uint8Array(8);
    new DataView(record.buffer).setFloat64(0, this.ticks);
    env.storage.append(COUNTER_FILE, record);
    const { syncEvery, notes } = this.workload;
    if (syncEvery > 0 && this.ticks % syncEvery === 0) {
      try {
        env.storage.fsync(COUNTER_FILE);
      } catch (err) {
        if (!(err instanceof StorageError)) throw err;
        if (notes) env.trace({ kind: 'note', text: `fsync failed at tick ${this.ticks}; retrying next time` });
      }
    }
    if (notes) env.trace({ kind: 'note', text: `tick ${this.ticks}` });
    env.send(this.randomPeer(env), { kind: 'ping', n: this.ticks });
    this.armTick(env);
  }

  private armTick(env: Env<KernelMessage>): void {
    env.setTimer(this.workload.tickMs * (0.5 + env.random()), 'tick');
  }

  private randomPeer(env: Env<KernelMessage>): NodeId {
    const peers = this.peers;
    let peer = peers[Math.floor(env.random() * peers.length)]!;
    if (peer === env.self && peers.length > 1) peer = peers[(peers.indexOf(peer) + 1) % peers.length]!;
    return peer;
  }
}

/** The tick count stored in the counter log: its last whole 8-byte record (a torn tail is ignored). */
export function recoverTicks(env: Env<KernelMessage>): number {
  const size = env.storage.size(COUNTER_FILE);
  const whole = size - (size % 8);
  if (whole < size) env.storage.truncate(COUNTER_FILE, whole);
  if (whole === 0) return 0;
  const last = env.storage.read(COUNTER_FILE, whole - 8, 8);
  return new DataView(last.buffer, last.byteOffset, 8).getFloat64(0);
}

export function nodeNames(count: number): NodeId[] {
  return Array.from({ length: count }, (_, i) => `n${i + 1}`);
}

/** Builds the simulation of a workload, with its fault schedule, ready to run. */
export function buildKernelWorkload(workload: KernelWorkload, seed: number, trace: TraceSink | null): Simulation<KernelMessage> {
  const sim = new Simulation<KernelMessage>({
    seed,
    network: workload.network,
    disk: workload.disk,
    trace,
    header: { scenario: `kernel-workload/${workload.nodes}`, config: workload },
  });
  const names = nodeNames(workload.nodes);
  for (const id of names) sim.addNode(id, () => new KernelNode(names, workload));
  for (const id of names) sim.start(id);
  if (workload.faultEveryMs > 0) {
    scheduleRandomFaults(sim, names, {
      families: ['isolate', 'split', 'one-way', 'crash', 'wipe', 'slow-link', 'power-loss', 'loss', 'duplicate', 'reorder', 'clock-skew'],
      everyMs: workload.faultEveryMs,
      untilMs: workload.durationMs,
      maxDown: Math.max(1, names.length - 1),
    });
  }
  return sim;
}

/**
 * Runs a workload to its end (or until `maxEvents` kernel events: a duplication spell can multiply
 * the circulating tokens without bound, so property tests cap the work) and closes the trace.
 */
export function runKernelWorkload(workload: KernelWorkload, seed: number, trace: TraceSink | null, maxEvents = Infinity) {
  const sim = buildKernelWorkload(workload, seed, trace);
  sim.run(workload.durationMs, maxEvents);
  return sim.finish();
}
