// The proxied cluster's layout and faults by link: every node-to-node and client-to-node link has its own
// proxy, each node's server.properties addresses point at the proxies of its own links, and each fault
// command cuts, delays or throttles exactly the proxies (and directions) of the links it names.

import { describe, expect, it } from 'vitest';
import { faultLayout, faultLayoutPorts, FaultNetwork, parseFaultCommand, proxiedAddresses } from '../../net/fault-network.ts';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterFaults } from '../../net/cluster-faults.ts';
import { freePorts, LocalCluster } from '../../net/local-cluster.ts';
import { serveFaultControl } from '../../net/fault-control.ts';

const layout = faultLayout(
  3,
  Array.from({ length: faultLayoutPorts(3) }, (_, i) => 20_000 + i),
);

describe('fault layout', () => {
  it('gives each link its own proxy port, client proxies first', () => {
    expect(layout.links).toHaveLength(3 + 2 * 3 * 2);
    expect(new Set(layout.links.map((l) => l.port)).size).toBe(layout.links.length);
    expect(layout.links.slice(0, 3).map((l) => l.port)).toEqual([20_000, 20_001, 20_002]);
  });

  it("points each node's inter-broker listener and voters at the proxies of its own links", () => {
    const a2 = proxiedAddresses(layout, 2);
    expect(a2.interBrokerListener).toBe('PEER2');
    expect(a2.advertised[0]).toEqual({ name: 'PLAINTEXT', port: 20_001 });
    const link = (from: number, to: number, kind: string) => layout.links.find((l) => l.from === from && l.to === to && l.kind === kind)!;
    // Node 1 replicating from node 2 uses node 2's PEER1 listener, advertised at the proxy of link 1→2.
    expect(a2.advertised.find((l) => l.name === 'PEER1')!.port).toBe(link(1, 2, 'broker').port);
    expect(link(1, 2, 'broker').targetPort).toBe(a2.listeners.find((l) => l.name === 'PEER1')!.port);
    expect(a2.voters).toEqual([
      { id: 1, port: link(2, 1, 'controller').port },
      { id: 2, port: layout.nodes[1]!.controllerPort },
      { id: 3, port: link(2, 3, 'controller').port },
    ]);
  });
});

describe('fault commands', () => {
  it('reads the scenario words, with rest and clients', () => {
    expect(parseFaultCommand('{"partition": [["b1"], "rest"]}', 3)).toEqual({ kind: 'partition', groups: [[1], [2, 3]] });
    expect(parseFaultCommand('{"partition": [["clients"], ["b2"]]}', 3)).toEqual({ kind: 'partition', groups: [['clients'], [2]] });
    expect(parseFaultCommand('{"partition-oneway": {"from": ["b1"], "to": "b2"}}', 3)).toEqual({ kind: 'partition-oneway', from: [1], to: [2] });
    expect(parseFaultCommand('{"slow-link": {"between": ["b1", "b3"], "latency": "2s"}}', 3)).toEqual({ kind: 'slow-link', between: [1, 3], latencyMs: 2000 });
    expect(parseFaultCommand('{"bandwidth": {"between": [1, "clients"], "bytesPerSecond": 1000}}', 3)).toEqual({
      kind: 'bandwidth',
      between: [1, 'clients'],
      bytesPerSecond: 1000,
    });
    expect(parseFaultCommand('{"heal": "all"}', 3)).toEqual({ kind: 'heal' });
  });

  it('names what is wrong', () => {
    expect(() => parseFaultCommand('cut b1', 3)).toThrow(/not JSON: cut b1; expected one of/);
    expect(() => parseFaultCommand('{"partition": [["b4"], "rest"]}', 3)).toThrow('partition[0][0]: expected b1..b3 or "clients", got "b4"');
    expect(() => parseFaultCommand('{"slow-link": {"between": ["b1"], "latency": 5}}', 3)).toThrow(/slow-link.between: expected two different ends/);
    expect(() => parseFaultCommand('{"slow-link": {"between": ["b1", "b2"], "latency": "fast"}}', 3)).toThrow(/slow-link.latency: expected a duration/);
    expect(() => parseFaultCommand('{"crash": "b1"}', 3)).toThrow(/unknown fault "crash"/);
  });
});

describe('FaultNetwork', () => {
  it('applies each fault to the proxies and directions of the links it names, and heal lifts them all', async () => {
    const network = await FaultNetwork.start(faultLayout(3, await freePorts(faultLayoutPorts(3))));
    try {
      const cutOf = () =>
        network
          .state()
          .filter((l) => l.faults.toTarget.cut || l.faults.fromTarget.cut)
          .map((l) => `${l.from}>${l.to} ${l.kind} ${l.faults.toTarget.cut ? 'to' : ''}${l.faults.fromTarget.cut ? 'from' : ''}`)
          .sort();
      network.apply(parseFaultCommand('{"partition": [["b1"], "rest"]}', 3));
      expect(cutOf()).toEqual(['1>2', '1>3', '2>1', '3>1'].flatMap((l) => [`${l} broker tofrom`, `${l} controller tofrom`]));
      network.apply({ kind: 'heal' });
      expect(cutOf()).toEqual([]);
      // b1's messages to b2: its requests on 1→2 connections and its answers on 2→1 ones.
      network.apply(parseFaultCommand('{"partition-oneway": {"from": ["b1"], "to": ["b2"]}}', 3));
      expect(cutOf()).toEqual(['1>2 broker to', '1>2 controller to', '2>1 broker from', '2>1 controller from']);
      network.apply({ kind: 'heal' });
      network.apply(parseFaultCommand('{"partition": [["clients"], ["b3"]]}', 3));
      expect(cutOf()).toEqual(['clients>3 client tofrom']);
      network.apply(parseFaultCommand('{"slow-link": {"between": ["b1", "b3"], "latency": "100ms"}}', 3));
      const slow = network.state().filter((l) => l.faults.toTarget.delayMs === 100 && l.faults.fromTarget.delayMs === 100);
      expect(slow.map((l) => `${l.from}>${l.to} ${l.kind}`).sort()).toEqual(['1>3 broker', '1>3 controller', '3>1 broker', '3>1 controller']);
      network.apply({ kind: 'heal' });
      expect(network.state().every((l) => !l.faults.toTarget.cut && l.faults.toTarget.delayMs === 0 && l.faults.fromTarget.bytesPerSecond === null)).toBe(true);
    } finally {
      await network.close();
    }
  });

  it("undoes one fault (a scenario fault's `for`) without lifting the others on the same links", async () => {
    const network = await FaultNetwork.start(faultLayout(3, await freePorts(faultLayoutPorts(3))));
    try {
      const faultsOf = (from: number, to: number) => network.state().find((l) => l.from === from && l.to === to && l.kind === 'broker')!.faults.toTarget;
      const slow = network.apply(parseFaultCommand('{"slow-link": {"between": ["b1", "b2"], "latency": "50ms"}}', 3));
      const isolate = network.apply(parseFaultCommand('{"partition": [["b1"], "rest"]}', 3));
      expect(faultsOf(1, 2)).toEqual({ cut: true, delayMs: 50, bytesPerSecond: null });
      isolate();
      expect(faultsOf(1, 2)).toEqual({ cut: false, delayMs: 50, bytesPerSecond: null });
      expect(faultsOf(1, 3).cut).toBe(false);
      slow();
      expect(faultsOf(1, 2)).toEqual({ cut: false, delayMs: 0, bytesPerSecond: null });
    } finally {
      await network.close();
    }
  });
});

describe('fault control', () => {
  it('applies a POSTed fault, answers 400 with the error for a bad one, and lists the links', async () => {
    // A cluster laid out but not started: link faults need only its proxies.
    const cluster = await LocalCluster.prepare({ brokers: 2, dataDir: mkdtempSync(join(tmpdir(), 'samsa-fault-control-')), basePort: 0, faults: true });
    const network = await FaultNetwork.start(cluster.faultLayout!);
    const logged: string[] = [];
    const control = await serveFaultControl(new ClusterFaults(cluster, network), 0, (line) => logged.push(line));
    try {
      const url = `http://127.0.0.1:${control.port}/faults`;
      const ok = await fetch(url, { method: 'POST', body: '{"partition-oneway": {"from": ["b2"], "to": ["b1"]}}' });
      expect(ok.status).toBe(200);
      const bad = await fetch(url, { method: 'POST', body: '{"partition": [["b3"], "rest"]}' });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: string }).error).toBe('partition[0][0]: expected b1..b2 or "clients", got "b3"');
      const links = (await (await fetch(url)).json()) as ReturnType<FaultNetwork['state']>;
      expect(links.filter((l) => l.faults.toTarget.cut).map((l) => `${l.from}>${l.to} ${l.kind}`)).toEqual(['2>1 broker', '2>1 controller']);
      expect(logged).toEqual(['refused: partition[0][0]: expected b1..b2 or "clients", got "b3"']);
    } finally {
      await control.close();
      await network.close();
    }
  });
});
