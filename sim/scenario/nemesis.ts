// The swarm nemesis: a scenario's `nemesis:` section becomes an explicit fault schedule drawn
// from the run seed. As in swarm testing (Groce et al., ISSTA 2012), each seed switches on only
// some of the listed fault kinds and draws its own pace, so that faults which mask each other
// (a lossy network hides a slow link) are also explored apart. Drawing the schedule up front
// makes it data: the explorer shrinks it and writes it back as a plain scenario.

import type { NodeId } from '../../core/env.ts';
import { Rng } from '../random.ts';
import { nodeIdsOf, type ClientSpec, type Fault, type NemesisFault, type Scenario, type Selector } from './types.ts';

/** One way a fault kind can strike; each kind of the `nemesis:` list offers some of these. */
export type NemesisMove =
  | 'isolate-node'
  | 'isolate-leader'
  | 'isolate-controller'
  | 'split'
  | 'bridge'
  | 'one-way'
  | 'crash-node'
  | 'crash-leader'
  | 'kill-all'
  | 'power-loss-node'
  | 'power-loss-all'
  | 'pause-node'
  | 'pause-leader'
  | 'disk-loss'
  | 'slow-link'
  | 'loss'
  | 'duplicate'
  | 'reorder'
  | 'clock-skew';

const MOVES: Record<NemesisFault, readonly NemesisMove[]> = {
  partition: ['isolate-node', 'isolate-leader', 'isolate-controller', 'split', 'bridge'],
  'partition-oneway': ['one-way'],
  crash: ['crash-node', 'crash-leader', 'kill-all'],
  'power-loss': ['power-loss-node', 'power-loss-all'],
  pause: ['pause-node', 'pause-leader'],
  'restart-wiped': ['disk-loss'],
  'slow-link': ['slow-link'],
  loss: ['loss'],
  duplicate: ['duplicate'],
  reorder: ['reorder'],
  'clock-skew': ['clock-skew'],
};

/** The seed's draw: the kinds switched on, the pace, and the schedule. */
export interface NemesisDraw {
  kinds: NemesisFault[];
  intervalMs: number;
  faults: Fault[];
}

/**
 * Voters that may be down at once: a strict minority, and one where a quorum of one or two voters
 * has none (its metadata log is fsynced, so the one down comes back with nothing lost).
 */
export function maxVotersDown(voters: number): number {
  return Math.max(1, Math.floor((voters - 1) / 2));
}

/** Time after a disk loss before another: the wiped node must first copy the data back. */
const DISK_LOSS_GAP_MS = 10_000;

/**
 * Draws the schedule for `seed`. At most a minority of controller voters is down at once
 * (crashes and power losses of one node), except that `kill-all` and `power-loss-all` take every
 * node down together, when nothing else is down, and bring them all back.
 */
export function drawNemesis(scenario: Scenario, seed: number): NemesisDraw {
  const nemesis = scenario.nemesis;
  if (nemesis === null) return { kinds: [], intervalMs: 0, faults: [] };
  const rng = new Rng(`samsa/${seed}/nemesis`);
  const on = nemesis.faults.filter(() => rng.chance(0.5));
  const kinds = on.length > 0 ? on : [rng.pick(nemesis.faults)];
  const intervalMs = Math.max(100, Math.round(nemesis.intervalMs * rng.pick([0.5, 1, 2])));
  const moves = kinds.flatMap((k) => MOVES[k]);
  const nodes = nodeIdsOf(scenario);
  const voters = scenario.cluster.controllers === 'combined' ? scenario.cluster.nodes : scenario.cluster.controllers;
  const maxDown = maxVotersDown(voters);
  const partitions = scenario.topics.flatMap((t) => Array.from({ length: t.partitions }, (_, p) => ({ topic: t.name, partition: p })));
  /** When each node-down window ends; a window of every node is marked by 'all'. */
  const down: Array<{ until: number; all: boolean }> = [];
  let nextDiskLoss = 0;
  const faults: Fault[] = [];
  const node = (id: NodeId): Selector => ({ kind: 'node', id });
  for (let at = intervalMs; at < scenario.durationMs; at += intervalMs) {
    const move = rng.pick(moves);
    const forMs = rng.intBetween(Math.round(intervalMs / 2), intervalMs * 3);
    const active = down.filter((d) => d.until > at);
    const canDownOne = active.length < maxDown && !active.some((d) => d.all);
    const takeDown = (all: boolean) => down.push({ until: at + forMs, all });
    switch (move) {
      case 'isolate-node':
        faults.push({ kind: 'partition', atMs: at, forMs, groups: [[node(rng.pick(nodes))], [{ kind: 'rest' }]] });
        break;
      case 'isolate-leader':
        if (partitions.length === 0) break;
        faults.push({ kind: 'partition', atMs: at, forMs, groups: [[{ kind: 'leader-of', ...rng.pick(partitions) }], [{ kind: 'rest' }]] });
        break;
      case 'isolate-controller':
        faults.push({ kind: 'partition', atMs: at, forMs, groups: [[{ kind: 'controller-leader' }], [{ kind: 'rest' }]] });
        break;
      case 'split': {
        const shuffled = rng.shuffle(nodes);
        const cut = 1 + rng.int(Math.max(1, nodes.length - 1));
        if (cut >= nodes.length) break;
        faults.push({ kind: 'partition', atMs: at, forMs, groups: [shuffled.slice(0, cut).map(node), shuffled.slice(cut).map(node)] });
        break;
      }
      case 'bridge': {
        // Two sides that cannot talk, and one node (the bridge) that still reaches both.
        if (nodes.length < 3) break;
        const others = rng.shuffle(nodes).slice(1);
        const half = Math.ceil(others.length / 2);
        faults.push({ kind: 'partition', atMs: at, forMs, groups: [others.slice(0, half).map(node), others.slice(half).map(node)] });
        break;
      }
      case 'one-way': {
        const [a, b] = rng.shuffle(nodes);
        if (b === undefined) break;
        faults.push({ kind: 'partition-oneway', atMs: at, forMs, from: [node(a!)], to: [node(b)] });
        break;
      }
      case 'crash-node':
      case 'power-loss-node':
        if (!canDownOne) break;
        faults.push({ kind: move === 'crash-node' ? 'crash' : 'power-loss', atMs: at, forMs, nodes: [node(rng.pick(nodes))] });
        takeDown(false);
        break;
      case 'crash-leader':
        if (!canDownOne || partitions.length === 0) break;
        faults.push({ kind: 'crash', atMs: at, forMs, nodes: [{ kind: 'leader-of', ...rng.pick(partitions) }] });
        takeDown(false);
        break;
      case 'pause-node':
      case 'pause-leader':
        // A paused voter counts as down: it answers no vote and no fetch.
        if (!canDownOne || (move === 'pause-leader' && partitions.length === 0)) break;
        faults.push({
          kind: 'pause',
          atMs: at,
          forMs,
          nodes: [move === 'pause-node' ? node(rng.pick(nodes)) : { kind: 'leader-of', ...rng.pick(partitions) }],
        });
        takeDown(false);
        break;
      case 'kill-all':
      case 'power-loss-all':
        if (active.length > 0) break;
        faults.push({ kind: move === 'kill-all' ? 'crash' : 'power-loss', atMs: at, forMs, nodes: [{ kind: 'all' }] });
        takeDown(true);
        break;
      case 'disk-loss': {
        if (!canDownOne || at < nextDiskLoss || at + forMs >= scenario.durationMs) break;
        const victim = rng.pick(nodes);
        faults.push({ kind: 'crash', atMs: at, nodes: [node(victim)] });
        faults.push({ kind: 'restart-wiped', atMs: at + forMs, nodes: [node(victim)] });
        takeDown(false);
        nextDiskLoss = at + forMs + DISK_LOSS_GAP_MS;
        break;
      }
      case 'slow-link': {
        const [a, b] = rng.shuffle(nodes);
        if (b === undefined) break;
        faults.push({ kind: 'slow-link', atMs: at, forMs, between: [node(a!), node(b)], latency: { min: 100, max: 1000 } });
        break;
      }
      case 'loss':
      case 'duplicate':
      case 'reorder':
        faults.push({ kind: 'network', atMs: at, forMs, change: { [move]: rng.pick([0.01, 0.05, 0.2]) } });
        break;
      case 'clock-skew':
        faults.push({ kind: 'clock-skew', atMs: at, forMs, node: node(rng.pick(nodes)), offsetMs: rng.pick([-5000, -500, 500, 5000]) });
        break;
    }
  }
  return { kinds, intervalMs, faults: faults.sort((a, b) => a.atMs - b.atMs) };
}

/** Eager readers poll with a short fetch wait, so that they read right as leaders change. */
const EAGER_FETCH_WAIT_MS = [10, 50] as const;

/**
 * With `clients: swarm`, the extra clients `seed` draws (from a stream of their own, so the faults
 * a seed draws stay the same): up to two more producers beside each of the scenario's, same topic,
 * rate, keys and config, so that several producers write each partition; and, half the time beside
 * each consumer, an eager reader that assigns itself the same topic and polls with a short fetch
 * wait. None without `clients: swarm`.
 */
export function drawClients(scenario: Scenario, seed: number): ClientSpec[] {
  if (scenario.nemesis?.clients !== 'swarm') return [];
  const rng = new Rng(`samsa/${seed}/nemesis-clients`);
  const taken = new Set(scenario.clients.map((c) => c.id));
  const fresh = (id: string) => {
    let name = id;
    for (let n = 2; taken.has(name); n++) name = `${id}-${n}`;
    taken.add(name);
    return name;
  };
  const extra: ClientSpec[] = [];
  for (const c of scenario.clients) {
    if (c.kind === 'producer') {
      for (let k = rng.int(3); k > 0; k--) {
        const id = fresh(c.id);
        // A transactional producer's copy has its own transactional id, or the two would fence each other.
        extra.push(c.config['transactional.id'] === undefined ? { ...c, id } : { ...c, id, config: { ...c.config, 'transactional.id': id } });
      }
    } else if (c.kind === 'consumer' && c.mode === 'assign' && rng.chance(0.5)) {
      // Eager readers read beside assign-mode consumers; a group's members are its own.
      const config = { ...c.config, 'fetch.max.wait.ms': rng.pick(EAGER_FETCH_WAIT_MS) };
      extra.push({ kind: 'consumer', id: fresh(`${c.id}-eager`), topic: c.topic, mode: 'assign', config });
    }
  }
  return extra;
}

/** The scenario with its nemesis drawn for `seed` and written out as scheduled faults (and clients). */
export function withNemesisDrawn(scenario: Scenario, seed: number): Scenario {
  if (scenario.nemesis === null) return scenario;
  const drawn = drawNemesis(scenario, seed).faults;
  const clients = [...scenario.clients, ...drawClients(scenario, seed)];
  return { ...scenario, nemesis: null, clients, faults: [...scenario.faults, ...drawn].sort((a, b) => a.atMs - b.atMs) };
}
