// The faults a local cluster's fault control applies (net/cluster-faults.ts), as the trace lines a
// simulated run writes for its scenario's faults: `partition`, `heal` and `link` about the run, and
// `crash` (a kill or a power loss), `stop`, `restart`, `pause`, `resume` about a node. `samsa check --nemesis` writes them into
// its client history and `samsa cluster --faults --trace DIR` into DIR/faults.jsonl. Nodes are named
// as their own traces name them (Kafka's node.id: "1", "2", …).

import type { NodeId, RecordedNodeEvent, RunEvent } from '../core/trace/schema.ts';
import type { AppliedFault } from './cluster-faults.ts';
import type { Endpoint, FaultCommand } from './fault-network.ts';

/** One trace line's content: about the run (node null) or about a node. */
export type FaultLine = { node: null; event: RunEvent } | { node: NodeId; event: RecordedNodeEvent };

/** A node's trace name. */
export const nodeName = (id: number): NodeId => String(id);

/**
 * The lines of an applied fault; `undoes` is the fault an undo ends (its links healed, its nodes
 * restarted or resumed). `clients` names the client end of the proxies ("clients", or a check's
 * client ids); `incarnation(id)` gives a restarted node's next incarnation.
 */
export function faultLines(applied: AppliedFault, undoes: AppliedFault | null, clients: readonly NodeId[], incarnation: (id: number) => number): FaultLine[] {
  const name = (e: Endpoint): NodeId[] => (e === 'clients' ? [...clients] : [nodeName(e)]);
  const run = (event: RunEvent): FaultLine[] => [{ node: null, event }];
  const each = (event: (id: number) => RecordedNodeEvent[]): FaultLine[] =>
    applied.nodes.flatMap((id) => event(id).map((e): FaultLine => ({ node: nodeName(id), event: e })));
  const fault = applied.fault;
  if (undoes !== null && fault.kind === 'heal') {
    const original = undoes.fault;
    switch (original.kind) {
      case 'partition':
      case 'partition-oneway':
        return run({ kind: 'heal', links: cutLinks(original, name) });
      case 'slow-link':
        return run({ kind: 'link', between: pair(original.between, name), config: null });
      case 'bandwidth':
        return run({ kind: 'link', between: pair(original.between, name), config: null, bytesPerSecond: null });
      default:
        return [];
    }
  }
  switch (fault.kind) {
    case 'partition':
      return run({ kind: 'partition', groups: fault.groups.map((g) => g.flatMap(name)), oneWay: false, cut: cutLinks(fault, name) });
    case 'partition-oneway':
      return run({ kind: 'partition', groups: [fault.from.flatMap(name), fault.to.flatMap(name)], oneWay: true, cut: cutLinks(fault, name) });
    case 'heal':
      return applied.noop === true ? [] : [...run({ kind: 'heal', links: 'all' }), ...run({ kind: 'link', between: 'all', config: null })];
    case 'slow-link':
      return run({ kind: 'link', between: pair(fault.between, name), config: { latency: { constant: fault.latencyMs } } });
    case 'bandwidth':
      return run({ kind: 'link', between: pair(fault.between, name), config: {}, bytesPerSecond: fault.bytesPerSecond });
    case 'crash':
      return each(() => [{ kind: 'crash', reason: 'kill', disk: [] }]);
    case 'power-loss':
      return each((id) => [{ kind: 'crash', reason: 'power-loss', disk: applied.disk?.[id] ?? [] }]);
    case 'stop':
      return each(() => [
        { kind: 'stop', graceful: true },
        { kind: 'crash', reason: 'shutdown', disk: [] },
      ]);
    case 'restart':
      return each((id) => [{ kind: 'restart', incarnation: incarnation(id) }]);
    case 'pause':
      return each(() => [{ kind: 'pause', signal: 'SIGSTOP' }]);
    case 'resume':
      // How many events waited is known to the simulator only: a real process's sockets hold them.
      return each(() => [{ kind: 'resume', signal: 'SIGCONT', held: 0 }]);
  }
}

function pair(between: readonly [Endpoint, Endpoint], name: (e: Endpoint) => NodeId[]): [NodeId, NodeId] {
  return [name(between[0])[0]!, name(between[1])[0]!];
}

/** The directed links a partition cuts. */
function cutLinks(fault: Extract<FaultCommand, { kind: 'partition' | 'partition-oneway' }>, name: (e: Endpoint) => NodeId[]): Array<[NodeId, NodeId]> {
  const links = (from: readonly Endpoint[], to: readonly Endpoint[]) =>
    from.flatMap(name).flatMap((a) => to.flatMap(name).flatMap((b): Array<[NodeId, NodeId]> => (a === b ? [] : [[a, b]])));
  if (fault.kind === 'partition-oneway') return links(fault.from, fault.to);
  return fault.groups.flatMap((g, i) => fault.groups.flatMap((h, j) => (i === j ? [] : links(g, h))));
}
