// Applies a scenario's fault schedule to the running cluster: node selectors are resolved when a
// fault fires (the leader of a partition then, the quorum leader then), and a fault with `for`
// is undone that much later (links healed, nodes restarted or resumed, link settings and clocks restored).
// The schedule also carries admin actions, which the scenario's admin client performs: delete-records
// (DeleteRecords) and alter-config (IncrementalAlterConfigs on a topic's configs).

import type { AdminClient } from '../../core/client/admin.ts';
import type { NodeId } from '../../core/env.ts';
import { AlterConfigOp } from '../../core/protocol/controller.ts';
import { partitionName } from '../../core/partition-name.ts';
import type { LinkConfig } from '../network.ts';
import { ADMIN_ID, kafkaNode, type Cluster } from './cluster.ts';
import type { Fault, Selector } from './types.ts';

/** A fault as it fired: when, what, on which nodes (selectors resolved), and for how long. */
export interface AppliedFault {
  atMs: number;
  kind: Fault['kind'];
  nodes: NodeId[];
  forMs: number | null;
  /** The fault's selectors that matched no node when it fired (`leader-of: orders/0` with no leader, say). */
  unmatched: string[];
}

/** Schedules every fault of the schedule; `applied` hears about each one as it fires. */
export function scheduleFaults(cluster: Cluster, faults: readonly Fault[], applied: (fault: AppliedFault) => void = () => {}): void {
  // Network changes are undone to the scenario's own settings, not to what was in force when they
  // struck: two overlapping spells would otherwise restore each other's rates.
  const baseNetwork: LinkConfig = { ...cluster.sim.network.defaults };
  for (const fault of faults) {
    cluster.sim.at(fault.atMs, () => {
      const selectors = new FaultSelectors(cluster);
      const nodes = applyFault(cluster, fault, baseNetwork, selectors);
      applied({ atMs: fault.atMs, kind: fault.kind, nodes, forMs: fault.forMs ?? null, unmatched: selectors.unmatched });
    });
  }
}

/**
 * The selectors of one fault as it fires, each resolved once (a `random` draws one node however
 * often the fault refers to it, so `rest` leaves out the very node drawn), noting those that
 * matched no node.
 */
class FaultSelectors {
  private readonly resolved = new Map<Selector, NodeId[]>();
  readonly unmatched: string[] = [];

  constructor(private readonly cluster: Cluster) {}

  /** The nodes `selector` means; for `rest`, every node not in `named`. */
  nodes(selector: Selector, named: ReadonlySet<NodeId> = new Set()): NodeId[] {
    let nodes = selector.kind === 'rest' ? undefined : this.resolved.get(selector);
    if (nodes === undefined) {
      nodes = resolve(this.cluster, selector, named);
      if (selector.kind !== 'rest') this.resolved.set(selector, nodes);
      if (nodes.length === 0) this.unmatched.push(selectorText(selector));
    }
    return nodes;
  }
}

/** A selector as the scenario file writes it. */
function selectorText(s: Selector): string {
  return s.kind === 'node' ? s.id : s.kind === 'leader-of' ? `leader-of: ${partitionName(s.topic, s.partition)}` : s.kind;
}

/** Applies a fault and returns the nodes it struck (every node for network-wide changes). */
function applyFault(cluster: Cluster, fault: Fault, baseNetwork: LinkConfig, selectors: FaultSelectors): NodeId[] {
  const { sim } = cluster;
  const undo = (action: () => void) => {
    if (fault.forMs !== undefined) sim.after(fault.forMs, action);
  };
  const nodesOf = (list: readonly Selector[], named: ReadonlySet<NodeId> = new Set()) => unique(list.flatMap((s) => selectors.nodes(s, named)));
  switch (fault.kind) {
    case 'partition': {
      const named = new Set(fault.groups.flatMap((g) => g.filter((s) => s.kind !== 'rest').flatMap((s) => selectors.nodes(s))));
      const groups = fault.groups.map((g) => nodesOf(g, named)).filter((g) => g.length > 0);
      const cut = sim.partition(groups);
      undo(() => sim.healLinks(cut));
      return groups[0] ?? [];
    }
    case 'partition-oneway': {
      const named = new Set([...fault.from, ...fault.to].filter((s) => s.kind !== 'rest').flatMap((s) => selectors.nodes(s)));
      const from = nodesOf(fault.from, named);
      const cut = sim.partition([from, nodesOf(fault.to, named)], { oneWay: true });
      undo(() => sim.healLinks(cut));
      return from;
    }
    case 'heal': {
      const nodes = nodesOf(fault.nodes);
      if (fault.nodes.some((s) => s.kind === 'all')) sim.healAll();
      else
        sim.healLinks(
          cluster.nodes.flatMap((other) =>
            nodes.flatMap((n): Array<[NodeId, NodeId]> => [
              [n, other],
              [other, n],
            ]),
          ),
        );
      return nodes;
    }
    case 'crash':
    case 'power-loss': {
      const nodes = nodesOf(fault.nodes).filter((id) => sim.isUp(id));
      // A crash kills the process (the page cache survives); a power loss also loses unsynced bytes.
      for (const id of nodes) {
        if (fault.kind === 'crash') sim.kill(id);
        else sim.crash(id, 'power-loss');
      }
      undo(() => nodes.forEach((id) => !sim.isUp(id) && sim.restart(id)));
      return nodes;
    }
    case 'pause': {
      // SIGSTOP; `for` ends with SIGCONT. A heal does not resume: the process is frozen, not cut off.
      const nodes = nodesOf(fault.nodes).filter((id) => sim.isUp(id) && !sim.isPaused(id));
      for (const id of nodes) sim.pause(id);
      undo(() => nodes.forEach((id) => sim.resume(id)));
      return nodes;
    }
    case 'resume': {
      const nodes = nodesOf(fault.nodes).filter((id) => sim.isPaused(id));
      for (const id of nodes) sim.resume(id);
      return nodes;
    }
    case 'stop': {
      // A graceful stop: the node hands its work over and exits on its own. When `for` ends it is
      // started again; one still shutting down by then is killed first (its shutdown timed out).
      const nodes = nodesOf(fault.nodes).filter((id) => sim.isUp(id));
      for (const id of nodes) sim.shutdown(id);
      undo(() => nodes.forEach((id) => sim.restart(id)));
      return nodes;
    }
    case 'restart': {
      // Brings back nodes that are down; running nodes are left alone (a bounce is crash + restart).
      const down = nodesOf(fault.nodes).filter((id) => !sim.isUp(id));
      for (const id of down) sim.restart(id);
      return down;
    }
    case 'restart-wiped': {
      const nodes = nodesOf(fault.nodes);
      for (const id of nodes) sim.restart(id, { wipe: true });
      return nodes;
    }
    case 'stall': {
      const nodes = nodesOf(fault.nodes).filter((id) => cluster.groupMembers.includes(id) && !cluster.stalled.has(id));
      for (const id of nodes) cluster.stalled.add(id);
      undo(() => nodes.forEach((id) => cluster.stalled.delete(id)));
      return nodes;
    }
    case 'slow-link': {
      const [a] = selectors.nodes(fault.between[0]);
      const [b] = selectors.nodes(fault.between[1]);
      if (a === undefined || b === undefined || a === b) return [];
      sim.setLinkBetween(a, b, { latency: fault.latency });
      undo(() => sim.setLinkBetween(a, b, null));
      return [a, b];
    }
    case 'delete-records': {
      // An admin action rather than a fault: the admin client asks the partition's leader.
      sim.act<AdminClient>(ADMIN_ID, (admin, env) =>
        admin.deleteRecords(env as never, [{ topic: fault.topic, partition: fault.partition, offset: fault.offset }]),
      );
      return [ADMIN_ID];
    }
    case 'network': {
      const base: Partial<LinkConfig> = {};
      for (const key of Object.keys(fault.change) as Array<keyof LinkConfig>) (base as Record<string, unknown>)[key] = baseNetwork[key];
      sim.configureNetwork(fault.change);
      undo(() => sim.configureNetwork(base));
      return [...cluster.nodes];
    }
    case 'clock-skew': {
      const nodes = selectors.nodes(fault.node);
      for (const id of nodes) {
        sim.setClockSkew(id, fault.offsetMs);
        undo(() => sim.setClockSkew(id, 0));
      }
      return nodes;
    }
    case 'alter-config': {
      // The admin client's IncrementalAlterConfigs, queued behind whatever it is still doing (the topics' creation).
      const configs = [
        ...Object.entries(fault.set).map(([name, value]) => ({ name, configOperation: AlterConfigOp.SET, value })),
        ...fault.delete.map((name) => ({ name, configOperation: AlterConfigOp.DELETE, value: null })),
      ];
      sim.act<AdminClient>(ADMIN_ID, (admin, env) => admin.incrementalAlterConfigs(env as never, [{ resourceType: 2, resourceName: fault.topic, configs }]));
      return [ADMIN_ID];
    }
  }
}

/** The nodes a selector means right now; `named` are the nodes other selectors of the fault name. */
export function resolve(cluster: Cluster, selector: Selector, named: ReadonlySet<NodeId>): NodeId[] {
  switch (selector.kind) {
    case 'node':
      return [selector.id];
    case 'all':
      return [...cluster.nodes];
    case 'rest':
      return cluster.nodes.filter((id) => !named.has(id));
    case 'random':
      return [cluster.sim.streams.stream('faults').pick(cluster.nodes)];
    case 'controller-leader': {
      const leader = quorumLeader(cluster);
      return leader === null ? [] : [leader];
    }
    case 'leader-of': {
      const leader = partitionLeader(cluster, selector.topic, selector.partition);
      return leader === null ? [] : [leader];
    }
  }
}

/** The live quorum leader of the highest epoch, or null. */
export function quorumLeader(cluster: Cluster): NodeId | null {
  let best: { id: NodeId; epoch: number } | null = null;
  for (const id of cluster.controllers) {
    const raft = kafkaNode(cluster, id)?.raft;
    if (raft?.isLeader && (best === null || raft.currentEpoch > best.epoch)) best = { id, epoch: raft.currentEpoch };
  }
  return best?.id ?? null;
}

/** The partition's leader in the most up-to-date metadata image among live nodes, or null. */
export function partitionLeader(cluster: Cluster, topic: string, partition: number): NodeId | null {
  let best: { applied: number; leader: NodeId | null } | null = null;
  for (const id of cluster.nodes) {
    const node = kafkaNode(cluster, id);
    if (node === null) continue;
    if (best === null || node.appliedEnd > best.applied) best = { applied: node.appliedEnd, leader: node.image.partition(topic, partition)?.leader ?? null };
  }
  return best?.leader ?? null;
}

function unique(ids: NodeId[]): NodeId[] {
  return [...new Set(ids)];
}
