// Random faults at a steady interval, drawn from their own stream ('faults'): partitions
// (isolate one node, split in two, one-way cuts), crashes and restarts (optionally over a wiped
// disk), slow links and heals: the kernel's own nemesis, for the kernel workload of demos and
// benchmarks. Scenarios draw theirs up front as a fault schedule (sim/scenario/nemesis.ts).

import type { NodeId } from '../core/env.ts';
import type { Simulation } from './kernel.ts';

export type FaultFamily = 'isolate' | 'split' | 'one-way' | 'crash' | 'wipe' | 'slow-link' | 'power-loss' | 'loss' | 'duplicate' | 'reorder' | 'clock-skew';

export interface RandomFaultPlan {
  families: readonly FaultFamily[];
  everyMs: number;
  /** No new faults from this time on (everything is healed and restarted then). */
  untilMs: number;
  /** At most this many nodes down at once (crash, wipe). */
  maxDown: number;
}

/** Schedules the plan's faults on `sim` among `nodes`; at `untilMs` it heals and restarts all. */
export function scheduleRandomFaults<M>(sim: Simulation<M>, nodes: readonly NodeId[], plan: RandomFaultPlan): void {
  const rng = sim.streams.stream('faults');
  const down = () => nodes.filter((id) => !sim.isUp(id));
  const slowed: Array<[NodeId, NodeId]> = [];
  /** Rates a bad spell changed, with the value to restore at the next heal. */
  const rates = new Map<'loss' | 'duplicate' | 'reorder', number>();
  const healNetwork = () => {
    sim.healAll();
    if (rates.size > 0) sim.configureNetwork(Object.fromEntries(rates));
    rates.clear();
  };
  for (let at = plan.everyMs; at < plan.untilMs; at += plan.everyMs) {
    sim.at(at, () => {
      // Half of the moves repair: heal links or bring a node back, so faults come and go.
      if (rng.chance(0.4)) {
        const crashed = down();
        if (crashed.length > 0 && rng.chance(0.5)) sim.restart(rng.pick(crashed));
        else healNetwork();
        return;
      }
      const family = rng.pick(plan.families);
      const up = nodes.filter((id) => sim.isUp(id));
      switch (family) {
        case 'isolate': {
          const victim = rng.pick(nodes);
          sim.partition([[victim], nodes.filter((n) => n !== victim)]);
          break;
        }
        case 'split': {
          const shuffled = rng.shuffle(nodes);
          const cut = 1 + rng.int(Math.max(1, nodes.length - 1));
          sim.partition([shuffled.slice(0, cut), shuffled.slice(cut)]);
          break;
        }
        case 'one-way': {
          const [a, b] = rng.shuffle(nodes);
          if (b !== undefined) sim.partition([[a!], [b]], { oneWay: true });
          break;
        }
        case 'crash':
        case 'wipe':
          if (up.length > 0 && down().length < plan.maxDown) {
            const victim = rng.pick(up);
            // A crash kills the process; wiping the disk stands for losing the machine.
            if (family === 'wipe') sim.crash(victim);
            else sim.kill(victim);
            if (family === 'wipe') sim.after(rng.intBetween(100, 2000), () => sim.restart(victim, { wipe: true }));
          }
          break;
        case 'power-loss':
          for (const id of up) sim.crash(id, 'power-loss');
          sim.after(rng.intBetween(100, 3000), () => {
            for (const id of nodes) if (!sim.isUp(id)) sim.restart(id);
          });
          break;
        case 'loss':
        case 'duplicate':
        case 'reorder': {
          // A bad spell on the whole network, undone at the next heal.
          if (!rates.has(family)) rates.set(family, sim.network.defaults[family]);
          sim.configureNetwork({ [family]: rng.pick([0.01, 0.05, 0.2]) });
          break;
        }
        case 'clock-skew':
          sim.setClockSkew(rng.pick(nodes), rng.pick([-5000, -500, 500, 5000]));
          break;
        case 'slow-link': {
          const [a, b] = rng.shuffle(nodes);
          if (b !== undefined) {
            sim.setLinkBetween(a!, b, { latency: { min: 100, max: 1000 } });
            slowed.push([a!, b]);
          }
          break;
        }
      }
    });
  }
  sim.at(plan.untilMs, () => {
    healNetwork();
    for (const [a, b] of slowed.splice(0)) sim.setLinkBetween(a, b, null);
    for (const id of down()) sim.restart(id);
  });
}
