// Real Kafka clients nobody here wrote against a three-broker `samsa cluster` of real processes: kcat
// (librdkafka), kafkajs, @platformatic/kafka, kafka-python and confluent-kafka create topics, produce keyed and keyless
// records, and read them back in order; keys land where the client's own partitioner put them; every
// broker is a bootstrap server; a broker killed with SIGKILL under acks=all load loses nothing acknowledged.
// Without the clients installed the suite is skipped, unless SAMSA_REQUIRE_KAFKA_CLIENTS=1 (CI) makes that a failure.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Admin as PlatformaticAdmin, Producer as PlatformaticProducer, stringSerializers } from '@platformatic/kafka';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { murmur2, partitionFor } from '../../core/client/partitioner.ts';
import { LocalCluster } from '../../net/local-cluster.ts';
import { hasKcat, hasPython, partitionStates, PYTHON, run, until } from './real-helpers.ts';

interface Read {
  partition: number;
  offset: number;
  key: string;
  value: string;
}

/** Every record of a topic as kcat reads it (assign mode, from the beginning, until the end of every partition). */
async function kcatRead(bootstrap: string, topic: string): Promise<Read[]> {
  const out = await run('kcat', ['-b', bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%p\t%o\t%k\t%s\n']);
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [p, o, k, v] = l.split('\t');
      return { partition: Number(p), offset: Number(o), key: k!, value: v! };
    });
}

/** Groups reads by partition, each in offset order. */
function byPartition(reads: Read[]): Map<number, Read[]> {
  const out = new Map<number, Read[]>();
  for (const r of reads) out.set(r.partition, [...(out.get(r.partition) ?? []), r]);
  for (const list of out.values()) list.sort((a, b) => a.offset - b.offset);
  return out;
}

describe.skipIf(!(hasKcat && hasPython))('real Kafka clients against a samsa cluster', () => {
  let dir: string;
  let cluster: LocalCluster;
  let kafka: Kafka;
  let admin: Admin;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'samsa-real-'));
    cluster = await LocalCluster.prepare({ brokers: 3, dataDir: dir, basePort: 0 });
    cluster.startAll();
    await cluster.waitReady(60_000);
    kafka = new Kafka({ clientId: 'samsa-test', brokers: cluster.bootstrapServers.split(','), logLevel: logLevel.NOTHING });
    admin = kafka.admin();
    await admin.connect();
  }, 90_000);

  afterAll(async () => {
    await admin?.disconnect();
    await cluster?.stopAll();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  const createTopic = async (topic: string, partitions = 3, config: Record<string, string> = {}) => {
    const configEntries = Object.entries(config).map(([name, value]) => ({ name, value }));
    await admin.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor: 3, configEntries }], waitForLeaders: true });
    // Every broker must know the topic before clients that bootstrap from any of them produce.
    await until(`${topic} on every broker`, async () => {
      const states = await Promise.all(cluster.brokers.map((b) => partitionStates(b.port, topic)));
      return states.every((s) => s.length === partitions && s.every((p) => p.leader >= 0));
    });
  };

  it('every broker is a bootstrap server: kcat -L against each shows the whole cluster', async () => {
    for (const broker of cluster.brokers) {
      const out = await run('kcat', ['-b', `127.0.0.1:${broker.port}`, '-L', '-J']);
      const listing = JSON.parse(out) as { brokers: Array<{ id: number; name: string }> };
      expect(listing.brokers.map((b) => b.id).sort()).toEqual([1, 2, 3]);
      expect(listing.brokers.map((b) => b.name).sort()).toEqual(cluster.brokers.map((b) => `127.0.0.1:${b.port}`).sort());
    }
  });

  it('kafkajs creates a topic and produces keyed and keyless records (idempotent, acks=all); they read back in order, keys on the murmur2 partition', async () => {
    await createTopic('kafkajs-orders');
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const keyed = Array.from({ length: 60 }, (_, i) => ({ key: `key-${i % 7}`, value: `keyed-${i}` }));
    for (let i = 0; i < keyed.length; i += 10) await producer.send({ topic: 'kafkajs-orders', acks: -1, messages: keyed.slice(i, i + 10) });
    await producer.send({ topic: 'kafkajs-orders', acks: -1, messages: Array.from({ length: 10 }, (_, i) => ({ value: `keyless-${i}` })) });
    await producer.disconnect();

    const reads = await kcatRead(cluster.bootstrapServers, 'kafkajs-orders');
    expect(reads.length).toBe(70);
    for (const r of reads.filter((x) => x.key !== '')) expect(r.partition).toBe(partitionFor(r.key, 3));
    for (const list of byPartition(reads).values()) {
      const keyedValues = list.filter((r) => r.key !== '').map((r) => r.value);
      expect(keyedValues).toEqual(keyed.filter((m) => keyedValues.includes(m.value)).map((m) => m.value));
      expect(list.map((r) => r.offset)).toEqual(list.map((_, i) => i));
    }
    expect(
      reads
        .filter((r) => r.key === '')
        .map((r) => r.value)
        .sort(),
    ).toEqual(Array.from({ length: 10 }, (_, i) => `keyless-${i}`).sort());
  });

  it('@platformatic/kafka creates a topic and produces keyed records idempotently; they read back in order on the murmur2 partition', async () => {
    const bootstrapBrokers = cluster.bootstrapServers.split(',');
    const platformaticAdmin = new PlatformaticAdmin({ clientId: 'samsa-test', bootstrapBrokers });
    try {
      await platformaticAdmin.createTopics({ topics: ['plt-orders'], partitions: 3, replicas: 3 });
    } finally {
      await platformaticAdmin.close();
    }
    await until('plt-orders on every broker', async () => {
      const states = await Promise.all(cluster.brokers.map((b) => partitionStates(b.port, 'plt-orders')));
      return states.every((s) => s.length === 3 && s.every((p) => p.leader >= 0));
    });
    const producer = new PlatformaticProducer({ clientId: 'samsa-test', bootstrapBrokers, serializers: stringSerializers, acks: -1, idempotent: true });
    try {
      for (let i = 0; i < 30; i += 10) {
        await producer.send({ messages: Array.from({ length: 10 }, (_, j) => ({ topic: 'plt-orders', key: `key-${(i + j) % 6}`, value: `v${i + j}` })) });
      }
    } finally {
      await producer.close();
    }
    const reads = await kcatRead(cluster.bootstrapServers, 'plt-orders');
    expect(reads.length).toBe(30);
    // Its default partitioner takes murmur2 as unsigned (>>> 0), not Java's toPositive (& 0x7fffffff).
    for (const r of reads) expect(r.partition).toBe((murmur2(r.key) >>> 0) % 3);
    for (const list of byPartition(reads).values()) {
      const values = list.map((r) => Number(r.value.slice(1)));
      expect(values).toEqual([...values].sort((a, b) => a - b));
    }
  });

  it('kcat produces with acks=all and reads back per partition in order', async () => {
    await createTopic('kcat-orders');
    const lines = Array.from({ length: 50 }, (_, i) => `k${i % 5}:v${i}`).join('\n') + '\n';
    await run('kcat', ['-b', cluster.bootstrapServers, '-P', '-t', 'kcat-orders', '-K:', '-X', 'acks=all', '-X', 'enable.idempotence=true'], lines);
    const reads = await kcatRead(cluster.bootstrapServers, 'kcat-orders');
    expect(reads.length).toBe(50);
    // librdkafka's default partitioner is consistent_random: each key sticks to one partition.
    const partitionOfKey = new Map<string, number>();
    for (const r of reads) expect(partitionOfKey.get(r.key) ?? (partitionOfKey.set(r.key, r.partition), r.partition)).toBe(r.partition);
    for (const list of byPartition(reads).values()) {
      const values = list.map((r) => Number(r.value.slice(1)));
      expect(values).toEqual([...values].sort((a, b) => a - b));
    }
  });

  it('kafka-python produces keyed records and reads them back with assign()', async () => {
    await createTopic('kpy-orders');
    const script = `
import sys, json
from kafka import KafkaProducer, KafkaConsumer, TopicPartition
bootstrap = sys.argv[1].split(',')
p = KafkaProducer(bootstrap_servers=bootstrap, acks='all', retries=5)
sent = []
for i in range(40):
    md = p.send('kpy-orders', key=('k%d' % (i % 4)).encode(), value=('v%d' % i).encode()).get(timeout=30)
    sent.append([md.partition, md.offset, 'k%d' % (i % 4), 'v%d' % i])
p.flush(); p.close()
c = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, consumer_timeout_ms=5000)
parts = [TopicPartition('kpy-orders', i) for i in range(3)]
c.assign(parts); c.seek_to_beginning(*parts)
got = []
for m in c:
    got.append([m.partition, m.offset, m.key.decode(), m.value.decode()])
    if len(got) == len(sent): break
c.close()
print(json.dumps({'sent': sent, 'got': got}))
`;
    const out = JSON.parse(await run(PYTHON, ['-c', script, cluster.bootstrapServers])) as {
      sent: Array<[number, number, string, string]>;
      got: Array<[number, number, string, string]>;
    };
    expect(out.got.length).toBe(40);
    const key = (r: [number, number, string, string]) => `${r[0]}/${r[1]}`;
    expect(new Map(out.got.map((r) => [key(r), r]))).toEqual(new Map(out.sent.map((r) => [key(r), r])));
    for (const [partition, , k] of out.sent) expect(partition).toBe(partitionFor(k, 3));
  });

  it('confluent-kafka produces idempotently and reads back with assign()', async () => {
    await createTopic('ck-orders');
    const script = `
import sys, json
from confluent_kafka import Producer, Consumer, TopicPartition
bootstrap = sys.argv[1]
sent = []
def report(err, msg):
    if err is None: sent.append([msg.partition(), msg.offset(), msg.key().decode(), msg.value().decode()])
p = Producer({'bootstrap.servers': bootstrap, 'enable.idempotence': True, 'acks': 'all'})
for i in range(40):
    p.produce('ck-orders', key=('k%d' % (i % 4)).encode(), value=('v%d' % i).encode(), on_delivery=report)
p.flush(30)
c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'unused', 'enable.auto.commit': False})
c.assign([TopicPartition('ck-orders', i, 0) for i in range(3)])
got = []
idle = 0
while len(got) < len(sent) and idle < 20:
    m = c.poll(0.5)
    if m is None or m.error(): idle += 1; continue
    got.append([m.partition(), m.offset(), m.key().decode(), m.value().decode()])
c.close()
print(json.dumps({'sent': sent, 'got': got}))
`;
    const out = JSON.parse(await run(PYTHON, ['-c', script, cluster.bootstrapServers])) as {
      sent: Array<[number, number, string, string]>;
      got: Array<[number, number, string, string]>;
    };
    expect(out.sent.length).toBe(40);
    const key = (r: [number, number, string, string]) => `${r[0]}/${r[1]}`;
    expect(new Map(out.got.map((r) => [key(r), r]))).toEqual(new Map(out.sent.map((r) => [key(r), r])));
    for (const p of [0, 1, 2]) {
      const offsets = out.got.filter((r) => r[0] === p).map((r) => r[1]);
      expect(offsets).toEqual(offsets.map((_, i) => i));
    }
  });

  it('a broker killed with SIGKILL under acks=all load loses no acknowledged record and rejoins the ISR after restart', async () => {
    await createTopic('crash-orders', 3, { 'min.insync.replicas': '2' });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, retry: { retries: 20, initialRetryTime: 100 } });
    await producer.connect();
    const acked: Array<{ partition: number; offset: number; value: string }> = [];
    let next = 0;
    const sendSome = async (count: number) => {
      for (let i = 0; i < count; i++) {
        const value = `m${next++}`;
        const [meta] = await producer.send({ topic: 'crash-orders', acks: -1, messages: [{ key: `k${next % 9}`, value }] });
        acked.push({ partition: meta!.partition, offset: Number(meta!.baseOffset), value });
      }
    };
    await sendSome(50);
    await cluster.signal(2, 'SIGKILL');
    await sendSome(100);
    cluster.startBroker(2);
    await sendSome(50);
    await producer.disconnect();
    await until(
      'broker 2 back in every ISR',
      async () => (await partitionStates(cluster.brokers[0]!.port, 'crash-orders')).every((p) => p.isr.includes(2)),
      60_000,
    );
    const reads = await kcatRead(cluster.bootstrapServers, 'crash-orders');
    const stored = new Map(reads.map((r) => [`${r.partition}/${r.offset}`, r.value]));
    for (const a of acked) expect(stored.get(`${a.partition}/${a.offset}`), `acknowledged ${a.value} at ${a.partition}/${a.offset}`).toBe(a.value);
    expect(acked.length).toBe(200);
  });
});
