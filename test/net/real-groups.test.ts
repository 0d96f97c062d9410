// Consumer groups of real Kafka clients against a three-broker `samsa cluster` of real processes: kafkajs
// `consumer.run` in a group of three, kafka-python with a group id, confluent-kafka with
// cooperative-sticky, two `kcat -G` members one of which is killed with SIGKILL (its partitions move
// to the other), committed offsets that survive a SIGKILL of the coordinator's broker, and
// `samsa groups describe`. Without the clients installed the suite is skipped, unless
// SAMSA_REQUIRE_KAFKA_CLIENTS=1 (CI) makes that a failure.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AssignerProtocol, Kafka, logLevel, type Admin, type Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalCluster } from '../../net/local-cluster.ts';
import { wireRequests } from '../../net/wire-request.ts';
import { hasKcat, hasPython, partitionStates, PYTHON, run, until } from './real-helpers.ts';

const SAMSA = join(import.meta.dirname, '..', '..', 'bin', 'samsa.js');
const PARTITIONS = 6;

describe.skipIf(!(hasKcat && hasPython))('consumer groups of real Kafka clients against a samsa cluster', () => {
  let dir: string;
  let cluster: LocalCluster;
  let kafka: Kafka;
  let admin: Admin;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'samsa-groups-'));
    // A short first-rebalance delay (Kafka's default is 3 s; kafkajs's own test setup uses 0).
    cluster = await LocalCluster.prepare({ brokers: 3, dataDir: dir, basePort: 0, config: { 'group.initial.rebalance.delay.ms': 300 } });
    cluster.startAll();
    await cluster.waitReady(60_000);
    kafka = new Kafka({ clientId: 'samsa-groups', brokers: cluster.bootstrapServers.split(','), logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
  }, 90_000);

  afterAll(async () => {
    for (const child of children) child.kill('SIGKILL');
    await admin?.disconnect();
    await cluster?.stopAll();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  /** A topic of PARTITIONS partitions known to every broker, with `count` keyed records in it. */
  const topicWith = async (topic: string, count: number) => {
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 3 }], waitForLeaders: true });
    await until(`${topic} on every broker`, async () => {
      const states = await Promise.all(cluster.brokers.map((b) => partitionStates(b.port, topic)));
      return states.every((s) => s.length === PARTITIONS && s.every((p) => p.leader >= 0));
    });
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: Array.from({ length: count }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) });
    await producer.disconnect();
  };

  /** The group's committed offsets summed over the topic's partitions (-1 counts as 0). */
  const committedTotal = async (groupId: string, topic: string) => {
    const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return offsets!.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
  };

  it('kafkajs consumer.run in a group of three: partitions spread over the members, every record read once, offsets committed', async () => {
    await topicWith('js-orders', 60);
    const seen = new Map<string, number>();
    const consumers: Consumer[] = [];
    for (let i = 0; i < 3; i++) {
      const consumer = kafka.consumer({ groupId: 'js-group', sessionTimeout: 10_000, heartbeatInterval: 500 });
      await consumer.connect();
      await consumer.subscribe({ topic: 'js-orders', fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void seen.set(message.value!.toString(), (seen.get(message.value!.toString()) ?? 0) + 1) });
      consumers.push(consumer);
    }
    await until('every record read', async () => seen.size === 60, 60_000);
    await until('a stable group of three', async () => {
      const [group] = (await admin.describeGroups(['js-group'])).groups;
      return group!.state === 'Stable' && group!.members.length === 3;
    });
    const [group] = (await admin.describeGroups(['js-group'])).groups;
    const owned = group!.members.map((m) => AssignerProtocol.MemberAssignment.decode(m.memberAssignment)!.assignment['js-orders'] ?? []);
    expect(owned.every((partitions) => partitions.length > 0)).toBe(true);
    expect(owned.flat().sort()).toEqual([0, 1, 2, 3, 4, 5]);
    await until('the offsets committed', async () => (await committedTotal('js-group', 'js-orders')) === 60);
    for (const consumer of consumers) await consumer.disconnect();
    // Every member left: the group is empty, its offsets kept.
    await until('an empty group', async () => (await admin.describeGroups(['js-group'])).groups[0]!.state === 'Empty');
    expect([...seen.values()].every((n) => n >= 1)).toBe(true);
  }, 120_000);

  it('kafka-python KafkaConsumer(group_id=...) reads everything and commits; samsa groups describe shows the offsets', async () => {
    await topicWith('py-orders', 40);
    const script = `
import sys, json
from kafka import KafkaConsumer
c = KafkaConsumer('py-orders', bootstrap_servers=sys.argv[1].split(','), group_id='py-group', auto_offset_reset='earliest',
                  enable_auto_commit=False, consumer_timeout_ms=20000)
got = []
for m in c:
    got.append(m.value.decode())
    if len(got) == 40: break
c.commit()
c.close()
print(json.dumps(got))
`;
    const got = JSON.parse(await run(PYTHON, ['-c', script, cluster.bootstrapServers], '', 90_000)) as string[];
    expect(got.sort()).toEqual(Array.from({ length: 40 }, (_, i) => `v${i}`).sort());
    expect(await committedTotal('py-group', 'py-orders')).toBe(40);
    const described = JSON.parse(
      await run(process.execPath, [SAMSA, 'groups', 'describe', '--group', 'py-group', '--bootstrap', cluster.bootstrapServers, '--json']),
    );
    expect(described).toMatchObject({ groupId: 'py-group', state: 'Empty' });
    expect((described.offsets as Array<{ lag: number }>).every((o) => o.lag === 0)).toBe(true);
  }, 120_000);

  it('confluent-kafka with cooperative-sticky: two members share the partitions and read every record', async () => {
    await topicWith('ck-orders', 60);
    const script = `
import sys, json, time
from confluent_kafka import Consumer
conf = {'bootstrap.servers': sys.argv[1], 'group.id': 'ck-group', 'auto.offset.reset': 'earliest',
        'partition.assignment.strategy': 'cooperative-sticky', 'session.timeout.ms': 10000}
members = [Consumer(conf), Consumer(conf)]
for m in members: m.subscribe(['ck-orders'])
got = [[], []]
deadline = time.time() + 60
while sum(len(g) for g in got) < 60 and time.time() < deadline:
    for i, m in enumerate(members):
        msg = m.poll(0.1)
        if msg is not None and not msg.error(): got[i].append(msg.value().decode())
# Keep polling until both members own partitions (the second join is an incremental rebalance).
while time.time() < deadline and not all(len(m.assignment()) > 0 for m in members):
    for m in members: m.poll(0.1)
owned = [sorted(tp.partition for tp in m.assignment()) for m in members]
for m in members: m.close()
print(json.dumps({'got': got, 'owned': owned}))
`;
    const out = JSON.parse(await run(PYTHON, ['-c', script, cluster.bootstrapServers], '', 90_000)) as { got: string[][]; owned: number[][] };
    expect(out.got.flat().sort()).toEqual(Array.from({ length: 60 }, (_, i) => `v${i}`).sort());
    expect(out.owned.every((p) => p.length > 0)).toBe(true);
    expect(out.owned.flat().sort()).toEqual([0, 1, 2, 3, 4, 5]);
  }, 120_000);

  it('kcat -G: a member killed with SIGKILL has its partitions reassigned to the survivor after its session times out', async () => {
    await topicWith('kcat-orders', 0);
    const outputs: string[] = ['', ''];
    const start = (i: number) => {
      const child = spawn('kcat', [
        '-b',
        cluster.bootstrapServers,
        '-G',
        'kcat-group',
        '-X',
        'session.timeout.ms=6000',
        '-o',
        'beginning',
        '-q',
        '-f',
        '%p %s\n',
        'kcat-orders',
      ]);
      child.stdout!.on('data', (c: Buffer) => (outputs[i] += c.toString()));
      children.push(child);
      return child;
    };
    const victim = start(0);
    start(1);
    await until(
      'both kcat members in a stable group',
      async () => {
        const [group] = (await admin.describeGroups(['kcat-group'])).groups;
        return group!.state === 'Stable' && group!.members.length === 2;
      },
      60_000,
    );
    victim.kill('SIGKILL');
    const producer = kafka.producer();
    await producer.connect();
    await until(
      'the survivor to read records of every partition',
      async () => {
        await producer.send({ topic: 'kcat-orders', messages: Array.from({ length: PARTITIONS }, (_, p) => ({ partition: p, value: `after-${p}` })) });
        const partitions = new Set(
          outputs[1]!
            .split('\n')
            .filter((l) => l.includes('after-'))
            .map((l) => Number(l.split(' ')[0])),
        );
        return partitions.size === PARTITIONS;
      },
      60_000,
    );
    await producer.disconnect();
    const [group] = (await admin.describeGroups(['kcat-group'])).groups;
    expect(group!.members).toHaveLength(1);
  }, 120_000);

  it("committed offsets survive a SIGKILL of the coordinator's broker: the next coordinator replays __consumer_offsets", async () => {
    await topicWith('survive-orders', 0);
    // A simple commit (generation -1, no member), as kafka-consumer-groups --reset-offsets does: the group is empty.
    await admin.setOffsets({
      groupId: 'survivor-group',
      topic: 'survive-orders',
      partitions: Array.from({ length: PARTITIONS }, (_, p) => ({ partition: p, offset: String(10 + p) })),
    });
    const [find] = await wireRequests('127.0.0.1', cluster.brokers[0]!.port, [{ apiKey: 10, version: 1, body: { key: 'survivor-group', keyType: 0 } }]);
    const coordinator = find!.nodeId as number;
    expect(coordinator).toBeGreaterThan(0);
    await cluster.signal(coordinator, 'SIGKILL');
    try {
      await until(
        'the offsets from the new coordinator',
        async () => {
          const [fetched] = await admin.fetchOffsets({ groupId: 'survivor-group', topics: ['survive-orders'] });
          return fetched!.partitions.every((p) => Number(p.offset) === 10 + p.partition);
        },
        60_000,
      );
    } finally {
      cluster.startBroker(coordinator);
    }
  }, 120_000);
});
