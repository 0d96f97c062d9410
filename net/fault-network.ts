// The network of a local cluster run with faults (`samsa cluster --faults`): a FaultProxy on every link,
// node to node (one per direction and per listener kind) and client to node, and faults applied by link
// in the simulator's scenario words (partition, partition-oneway, slow-link, bandwidth, heal).
//
// How each link gets its own proxy on one machine: Kafka picks a peer's address by the *caller's*
// inter.broker.listener.name, so node i replicates over a listener named PEERi that every node j binds
// and advertises at the proxy of link i→j; controller.quorum.voters is per node, so node i names voter k
// at the proxy of link i→k. Clients get the first advertised listener (PLAINTEXT), the client proxy.

import { FaultProxy, type Direction } from './fault-proxy.ts';

/** A link's ends: a node id (1..n) or the clients. */
export type Endpoint = number | 'clients';
export type LinkKind = 'client' | 'broker' | 'controller';

/** One proxied link: connections from `from` to node `to`'s listener of `kind`. */
export interface ProxiedLink {
  from: Endpoint;
  to: number;
  kind: LinkKind;
  /** Where the proxy listens (what the caller is told). */
  port: number;
  /** The node's real listener port. */
  targetPort: number;
}

/** The real ports one node binds. */
export interface NodePorts {
  id: number;
  clientPort: number;
  /** peerPorts[i - 1]: the port of listener PEERi, where node i's replica fetches arrive. */
  peerPorts: number[];
  controllerPort: number;
}

/** Every port of a proxied cluster: written once to the data dir, so a restart finds the same addresses. */
export interface FaultLayout {
  nodes: NodePorts[];
  links: ProxiedLink[];
}

/** A listener as server.properties write it. */
export interface NamedPort {
  name: string;
  port: number;
}

/** What a node's server.properties say about addresses. */
export interface NodeAddresses {
  listeners: NamedPort[];
  /** The first is what Metadata hands clients. */
  advertised: NamedPort[];
  interBrokerListener: string;
  voters: Array<{ id: number; port: number }>;
}

/** How many ports a proxied cluster of `n` nodes takes. */
export function faultLayoutPorts(n: number): number {
  return n /* client proxies */ + 2 * n * (n - 1) /* node-to-node proxies */ + n /* client */ + n * n /* PEERi */ + n; /* controller */
}

/** Lays out a proxied cluster of `n` nodes on `ports` (faultLayoutPorts(n) of them); the client proxies take the first n, so bootstrap addresses come first. */
export function faultLayout(n: number, ports: readonly number[]): FaultLayout {
  if (ports.length < faultLayoutPorts(n)) throw new Error(`a proxied cluster of ${n} nodes needs ${faultLayoutPorts(n)} ports, got ${ports.length}`);
  let next = 0;
  const take = () => ports[next++]!;
  const clientProxies = Array.from({ length: n }, take);
  const linkPorts = Array.from({ length: 2 * n * (n - 1) }, take);
  const nodes: NodePorts[] = Array.from({ length: n }, (_, i) => ({
    id: i + 1,
    clientPort: take(),
    peerPorts: Array.from({ length: n }, take),
    controllerPort: take(),
  }));
  const links: ProxiedLink[] = nodes.map((node, j) => ({ from: 'clients', to: node.id, kind: 'client', port: clientProxies[j]!, targetPort: node.clientPort }));
  let l = 0;
  for (const from of nodes)
    for (const to of nodes) {
      if (from === to) continue;
      links.push({ from: from.id, to: to.id, kind: 'broker', port: linkPorts[l++]!, targetPort: to.peerPorts[from.id - 1]! });
      links.push({ from: from.id, to: to.id, kind: 'controller', port: linkPorts[l++]!, targetPort: to.controllerPort });
    }
  return { nodes, links };
}

/** The listeners, advertised listeners and voters of node `id` in a proxied cluster. */
export function proxiedAddresses(layout: FaultLayout, id: number): NodeAddresses {
  const node = layout.nodes.find((n) => n.id === id);
  if (node === undefined) throw new Error(`no node ${id} in the layout`);
  const link = (from: Endpoint, to: number, kind: LinkKind) => layout.links.find((x) => x.from === from && x.to === to && x.kind === kind)!;
  const peers = layout.nodes.map((caller) => ({
    name: `PEER${caller.id}`,
    real: node.peerPorts[caller.id - 1]!,
    // A node never replicates from itself: its own PEER listener is advertised unproxied.
    advertised: caller.id === id ? node.peerPorts[id - 1]! : link(caller.id, id, 'broker').port,
  }));
  return {
    listeners: [
      { name: 'PLAINTEXT', port: node.clientPort },
      ...peers.map((p) => ({ name: p.name, port: p.real })),
      { name: 'CONTROLLER', port: node.controllerPort },
    ],
    advertised: [{ name: 'PLAINTEXT', port: link('clients', id, 'client').port }, ...peers.map((p) => ({ name: p.name, port: p.advertised }))],
    interBrokerListener: `PEER${id}`,
    voters: layout.nodes.map((voter) => ({ id: voter.id, port: voter.id === id ? voter.controllerPort : link(id, voter.id, 'controller').port })),
  };
}

/** A fault on the links, in the scenario file's words (DESIGN.md, Scenarios). */
export type FaultCommand =
  | { kind: 'partition'; groups: Endpoint[][] }
  | { kind: 'partition-oneway'; from: Endpoint[]; to: Endpoint[] }
  | { kind: 'slow-link'; between: [Endpoint, Endpoint]; latencyMs: number }
  | { kind: 'bandwidth'; between: [Endpoint, Endpoint]; bytesPerSecond: number }
  | { kind: 'heal' };

export class FaultCommandError extends Error {}

const EXAMPLES =
  '{"partition": [["b1"], "rest"]}, {"partition-oneway": {"from": ["b1"], "to": ["b2"]}}, {"slow-link": {"between": ["b1", "b3"], "latency": "500ms"}}, {"bandwidth": {"between": ["clients", "b2"], "bytesPerSecond": 10000}}, {"heal": "all"}';

/** Reads one fault command (a JSON object like a scenario's fault entry, without `at`) for a cluster of `nodes` nodes. */
export function parseFaultCommand(text: string, nodes: number): FaultCommand {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new FaultCommandError(`not JSON: ${text.trim()}; expected one of ${EXAMPLES}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.keys(value).length !== 1) {
    throw new FaultCommandError(`expected an object with one fault, one of ${EXAMPLES}`);
  }
  const [kind, arg] = Object.entries(value)[0]! as [string, unknown];
  const endpoint = (v: unknown, where: string): Endpoint => {
    if (v === 'clients') return 'clients';
    const m = typeof v === 'string' ? /^b(\d+)$/.exec(v) : null;
    const id = typeof v === 'number' ? v : m !== null ? Number(m[1]) : NaN;
    if (!Number.isInteger(id) || id < 1 || id > nodes) throw new FaultCommandError(`${where}: expected b1..b${nodes} or "clients", got ${JSON.stringify(v)}`);
    return id;
  };
  const list = (v: unknown, where: string): Array<Endpoint | 'rest'> => {
    const items = Array.isArray(v) ? v : [v];
    return items.map((x, i) => (x === 'rest' ? 'rest' : endpoint(x, `${where}[${i}]`)));
  };
  const noRest = (v: Array<Endpoint | 'rest'>, where: string): Endpoint[] => {
    if (v.includes('rest')) throw new FaultCommandError(`${where}: "rest" is only for partition groups`);
    return v as Endpoint[];
  };
  const between = (v: unknown, where: string): [Endpoint, Endpoint] => {
    const ends = noRest(list(v, where), where);
    if (ends.length !== 2 || ends[0] === ends[1]) throw new FaultCommandError(`${where}: expected two different ends, e.g. ["b1", "b3"]`);
    return [ends[0]!, ends[1]!];
  };
  const object = (v: unknown): Record<string, unknown> => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new FaultCommandError(`${kind}: expected an object, e.g. one of ${EXAMPLES}`);
    return v as Record<string, unknown>;
  };
  switch (kind) {
    case 'partition': {
      if (!Array.isArray(arg) || arg.length < 2) throw new FaultCommandError('partition: expected two or more groups, e.g. [["b1"], "rest"]');
      const groups = arg.map((g, i) => list(g, `partition[${i}]`));
      const named = new Set(groups.flat().filter((e) => e !== 'rest'));
      const rest: Endpoint[] = Array.from({ length: nodes }, (_, i) => i + 1).filter((id) => !named.has(id));
      return { kind, groups: groups.map((g) => g.flatMap((e) => (e === 'rest' ? rest : [e]))) };
    }
    case 'partition-oneway': {
      const o = object(arg);
      return {
        kind,
        from: noRest(list(o.from, 'partition-oneway.from'), 'partition-oneway.from'),
        to: noRest(list(o.to, 'partition-oneway.to'), 'partition-oneway.to'),
      };
    }
    case 'slow-link': {
      const o = object(arg);
      return { kind, between: between(o.between, 'slow-link.between'), latencyMs: milliseconds(o.latency, 'slow-link.latency') };
    }
    case 'bandwidth': {
      const o = object(arg);
      const bps = o.bytesPerSecond;
      if (typeof bps !== 'number' || !(bps > 0)) throw new FaultCommandError(`bandwidth.bytesPerSecond: expected a number > 0, got ${JSON.stringify(bps)}`);
      return { kind, between: between(o.between, 'bandwidth.between'), bytesPerSecond: bps };
    }
    case 'heal':
      if (arg !== 'all') throw new FaultCommandError('heal: expected "all"');
      return { kind };
    default:
      throw new FaultCommandError(`unknown fault "${kind}"; expected one of ${EXAMPLES}`);
  }
}

function milliseconds(v: unknown, where: string): number {
  if (typeof v === 'number' && v >= 0) return v;
  const m = typeof v === 'string' ? /^(\d+(?:\.\d+)?)(ms|s)$/.exec(v) : null;
  if (m === null) throw new FaultCommandError(`${where}: expected a duration like "500ms" or "2s", got ${JSON.stringify(v)}`);
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
}

/** A link's proxy with its description, for stats. */
interface RunningLink {
  link: ProxiedLink;
  proxy: FaultProxy;
}

export class FaultNetwork {
  /** Called with every fault applied (`samsa cluster --faults --trace` records them). */
  readonly applied: Array<(command: FaultCommand) => void> = [];

  private constructor(
    readonly layout: FaultLayout,
    private readonly running: RunningLink[],
  ) {}

  /** Starts a proxy on every link of the layout. */
  static async start(layout: FaultLayout): Promise<FaultNetwork> {
    const running: RunningLink[] = [];
    try {
      for (const link of layout.links)
        running.push({ link, proxy: await FaultProxy.start({ port: link.port, targetHost: '127.0.0.1', targetPort: link.targetPort }) });
    } catch (err) {
      await Promise.all(running.map((r) => r.proxy.close()));
      throw err;
    }
    return new FaultNetwork(layout, running);
  }

  /** Applies a fault; faults add up until a heal. */
  apply(command: FaultCommand): void {
    this.cut(command);
    for (const listener of this.applied) listener(command);
  }

  private cut(command: FaultCommand): void {
    switch (command.kind) {
      case 'partition':
        command.groups.forEach((g, i) =>
          command.groups.slice(i + 1).forEach((h) => {
            for (const a of g) for (const b of h) if (a !== b) for (const r of this.between(a, b)) r.proxy.cut();
          }),
        );
        return;
      case 'partition-oneway':
        // Messages from a to b travel as a's requests on a→b connections and as a's answers on b→a ones.
        for (const a of command.from)
          for (const b of command.to) {
            if (a === b) continue;
            for (const r of this.directed(a, b)) r.proxy.cut('toTarget');
            for (const r of this.directed(b, a)) r.proxy.cut('fromTarget');
          }
        return;
      case 'slow-link':
        for (const r of this.between(...command.between)) r.proxy.delay(command.latencyMs);
        return;
      case 'bandwidth':
        for (const r of this.between(...command.between)) r.proxy.bandwidth(command.bytesPerSecond);
        return;
      case 'heal':
        for (const r of this.running) r.proxy.heal();
        return;
    }
  }

  /** Every link that is not healthy, and the bytes each link carried. */
  state(): Array<ProxiedLink & { faults: Record<Direction, ReturnType<FaultProxy['faultsOf']>>; stats: ReturnType<FaultProxy['stats']> }> {
    return this.running.map(({ link, proxy }) => ({
      ...link,
      faults: { toTarget: proxy.faultsOf('toTarget'), fromTarget: proxy.faultsOf('fromTarget') },
      stats: proxy.stats(),
    }));
  }

  /** Stops every proxy, closing the connections they carry. */
  async close(): Promise<void> {
    await Promise.all(this.running.map((r) => r.proxy.close()));
  }

  /** The links whose connections go from a to b (the clients only ever call nodes). */
  private directed(a: Endpoint, b: Endpoint): RunningLink[] {
    return this.running.filter((r) => r.link.from === a && r.link.to === b);
  }

  private between(a: Endpoint, b: Endpoint): RunningLink[] {
    return [...this.directed(a, b), ...this.directed(b, a)];
  }
}
