// Advertised listeners (KIP-631's broker registration endpoints): a broker registers them with the controller, the
// metadata image and its snapshots keep them, and Metadata answers give each broker's first listener's host and port.
import { describe, expect, it } from 'vitest';
import { MetadataImage } from '../../core/controller/image.ts';
import type { Env, Node, NodeId } from '../../core/env.ts';
import { clusterLayout, kafkaNodeSpecs } from '../../core/node/cluster-layout.ts';
import { KafkaNode, type KafkaMessage } from '../../core/node/kafka-node.ts';
import { Config } from '../../core/protocol/configs.ts';
import type { BrokerListener } from '../../core/protocol/controller.ts';
import type { MetadataResponse } from '../../core/protocol/data.ts';
import { Simulation } from '../../sim/kernel.ts';

/** b1 advertises two listeners, b2 one, b3 none (as every simulated broker). */
const LISTENERS: Partial<Record<NodeId, BrokerListener[]>> = {
  b1: [
    { name: 'PLAINTEXT', host: 'kafka-1.example', port: 19092, securityProtocol: 0 },
    { name: 'INTERNAL', host: '10.0.0.1', port: 29092, securityProtocol: 0 },
  ],
  b2: [{ name: 'PLAINTEXT', host: 'kafka-2.example', port: 19093, securityProtocol: 0 }],
};

const CLIENT: NodeId = 'client';

/** A client that keeps whatever it is sent. */
class Client implements Node<KafkaMessage> {
  readonly received: KafkaMessage[] = [];
  start(): void {}
  receive(_env: Env<KafkaMessage>, _from: NodeId, msg: KafkaMessage): void {
    this.received.push(msg);
  }
  fire(): void {}
}

/** Three combined nodes with LISTENERS, run until every node's image has every broker unfenced. */
function startCluster() {
  const layout = clusterLayout(3, 'combined');
  const sim = new Simulation<KafkaMessage>({ seed: 1, network: { latency: { min: 1, max: 5 }, loss: 0, duplicate: 0, reorder: 0 } });
  for (const spec of kafkaNodeSpecs(layout, new Config(), [])) {
    const listeners = LISTENERS[spec.id];
    sim.addNode(spec.id, () => new KafkaNode(listeners === undefined ? spec : { ...spec, advertisedListeners: listeners }));
  }
  const client = new Client();
  sim.addNode(CLIENT, () => client);
  for (const id of [...layout.nodes, CLIENT]) sim.start(id);
  const node = (id: NodeId) => sim.nodeObject(id) as KafkaNode;
  const settled = () => layout.nodes.every((id) => layout.brokers.every((b) => node(id).image.brokers.get(b)?.fenced === false));
  while (!settled()) {
    if (sim.now > 30_000) throw new Error('brokers still fenced after 30 s');
    sim.run(sim.now + 50);
  }
  return { sim, node, client };
}

describe('advertised listeners', () => {
  it('every node registers and knows the listeners each broker advertised, and no field for a broker without', () => {
    const { node } = startCluster();
    for (const id of ['b1', 'b2', 'b3']) {
      const brokers = node(id).image.brokers;
      expect(brokers.get('b1')!.listeners).toEqual(LISTENERS.b1);
      expect(brokers.get('b2')!.listeners).toEqual(LISTENERS.b2);
      expect('listeners' in brokers.get('b3')!).toBe(false);
    }
  });

  it('Metadata answers with the first listener of a broker that has listeners, else the broker id and port 9092', () => {
    const { sim, client } = startCluster();
    for (const to of ['b1', 'b3']) {
      sim.act(CLIENT, (_c, env) => env.send(to, { api: 'Metadata', kind: 'request', correlationId: 7, topics: null, allowAutoTopicCreation: false }));
      sim.run(sim.now + 100);
      const answer = client.received.pop() as MetadataResponse;
      expect(answer.api).toBe('Metadata');
      expect(answer.brokers).toEqual([
        { nodeId: 'b1', host: 'kafka-1.example', port: 19092, rack: null },
        { nodeId: 'b2', host: 'kafka-2.example', port: 19093, rack: null },
        { nodeId: 'b3', host: 'b3', port: 9092, rack: null },
      ]);
    }
  });

  it('a snapshot keeps the listeners, and leaves the field out where there were none', () => {
    const image = new MetadataImage();
    image.apply({ type: 'RegisterBrokerRecord', brokerId: 'b1', brokerEpoch: 3, incarnationId: 'i1', fenced: true, listeners: LISTENERS.b1! });
    image.apply({ type: 'RegisterBrokerRecord', brokerId: 'b2', brokerEpoch: 4, incarnationId: 'i2', fenced: true, listeners: [] });
    image.apply({ type: 'RegisterBrokerRecord', brokerId: 'b3', brokerEpoch: 5, incarnationId: 'i3', fenced: false });
    const snapshot = JSON.stringify(image.toSnapshot());
    expect(snapshot).toBe(
      JSON.stringify({
        brokers: [
          { brokerId: 'b1', brokerEpoch: 3, incarnationId: 'i1', fenced: true, listeners: LISTENERS.b1 },
          { brokerId: 'b2', brokerEpoch: 4, incarnationId: 'i2', fenced: true },
          { brokerId: 'b3', brokerEpoch: 5, incarnationId: 'i3', fenced: false },
        ],
        topics: [],
      }),
    );
    const loaded = MetadataImage.fromSnapshot(JSON.parse(snapshot));
    expect([...loaded.brokers.values()]).toStrictEqual([...image.brokers.values()]);
    // The image holds copies: a change to what it was given does not reach it.
    const given = LISTENERS.b1!.map((l) => ({ ...l }));
    image.apply({ type: 'RegisterBrokerRecord', brokerId: 'b4', brokerEpoch: 6, incarnationId: 'i4', fenced: true, listeners: given });
    given[0]!.port = 1;
    expect(image.brokers.get('b4')!.listeners![0]!.port).toBe(19092);
  });
});
