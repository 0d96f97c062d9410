// The faults a `samsa cluster --faults --trace DIR` applies, as the trace's run lines (`partition`,
// `heal`, `link`), written to DIR/faults.jsonl at wall-clock times so that a merged real run shows
// its network faults as a simulated run shows its scenario's. Nodes are named as their traces name
// them (Kafka's node.id: "1", "2", …); the client side of the proxies is "clients".

import type { NodeId, RunEvent } from '../core/trace/schema.ts';
import type { Endpoint, FaultCommand } from './fault-network.ts';

const named = (e: Endpoint): NodeId => (e === 'clients' ? 'clients' : String(e));

/** Every directed link from a member of `from` to a member of `to`. */
function links(from: readonly Endpoint[], to: readonly Endpoint[]): Array<[NodeId, NodeId]> {
  return from.flatMap((a) => to.filter((b) => b !== a).map((b): [NodeId, NodeId] => [named(a), named(b)]));
}

/** The run lines of a fault (none for a bandwidth cap, which the schema's link settings cannot say). */
export function faultEvents(command: FaultCommand): RunEvent[] {
  switch (command.kind) {
    case 'partition': {
      const groups = command.groups.map((g) => g.map(named));
      const cut = command.groups.flatMap((g, i) => command.groups.flatMap((h, j) => (i === j ? [] : links(g, h))));
      return [{ kind: 'partition', groups, oneWay: false, cut }];
    }
    case 'partition-oneway':
      return [{ kind: 'partition', groups: [command.from.map(named), command.to.map(named)], oneWay: true, cut: links(command.from, command.to) }];
    case 'slow-link':
      return [{ kind: 'link', between: [named(command.between[0]), named(command.between[1])], config: { latency: { constant: command.latencyMs } } }];
    case 'bandwidth':
      return [];
    case 'heal':
      return [
        { kind: 'heal', links: 'all' },
        { kind: 'link', between: 'all', config: null },
      ];
  }
}
