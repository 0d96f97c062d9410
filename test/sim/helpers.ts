// Small nodes and setups shared by the simulator's tests.

import type { Env, Node, NodeId, TimerTag } from '../../core/env.ts';
import { Simulation, type SimulationOptions } from '../../sim/kernel.ts';

export interface Received {
  at: number;
  node: NodeId;
  from: NodeId;
  msg: string;
}

/** A node that records what it receives and which timers fire; scripted from outside via `act`. */
export class RecordingNode implements Node<string> {
  env: Env<string> | null = null;
  constructor(
    readonly log: Received[],
    readonly fired: Array<{ at: number; node: NodeId; tag: TimerTag }>,
    private readonly onStart: (env: Env<string>) => void = () => {},
  ) {}

  start(env: Env<string>): void {
    this.env = env;
    this.onStart(env);
  }

  receive(env: Env<string>, from: NodeId, msg: string): void {
    this.log.push({ at: env.now(), node: env.self, from, msg });
  }

  fire(env: Env<string>, tag: TimerTag): void {
    this.fired.push({ at: env.now(), node: env.self, tag });
  }
}

/** A simulation of recording nodes, started, with handles to script them. */
export function recordingCluster(ids: NodeId[], options: Partial<SimulationOptions<string>> = {}) {
  const log: Received[] = [];
  const fired: Array<{ at: number; node: NodeId; tag: TimerTag }> = [];
  const sim = new Simulation<string>({ seed: 1, network: { latency: { constant: 1 } }, ...options });
  const nodes = new Map<NodeId, RecordingNode>();
  for (const id of ids) {
    sim.addNode(id, () => {
      const node = new RecordingNode(log, fired);
      nodes.set(id, node);
      return node;
    });
  }
  for (const id of ids) sim.start(id);
  /** The env of a node's current incarnation. */
  const env = (id: NodeId) => nodes.get(id)!.env!;
  return { sim, log, fired, env, nodes };
}
