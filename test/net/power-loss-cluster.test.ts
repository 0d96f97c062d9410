// A power loss of a real broker process (LocalCluster.powerLoss: SIGKILL, then its log dir rolled back to
// what fsyncs made durable): with Kafka's default flush settings, records acknowledged with acks=1 are
// really gone after the restart, while a topic with flush.messages=1 loses nothing acknowledged; the
// broker recovers and serves Metadata, ListOffsets and Fetch.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalCluster } from '../../net/local-cluster.ts';
import { partitionStates, until } from './real-helpers.ts';

describe('LocalCluster.powerLoss', () => {
  const dir = mkdtempSync(join(tmpdir(), 'samsa-power-loss-cluster-'));
  let cluster: LocalCluster | null = null;
  afterAll(async () => {
    await cluster?.stopAll();
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it('loses the unsynced acks=1 records of a default topic, keeps those of a flush.messages=1 topic, and the broker recovers', async () => {
    cluster = await LocalCluster.prepare({
      brokers: 1,
      dataDir: dir,
      basePort: 0,
      config: {
        'group.initial.rebalance.delay.ms': 0,
        'offsets.topic.replication.factor': 1,
        'offsets.topic.num.partitions': 1,
        // The restarted broker may register only once the session of its previous incarnation is over.
        'broker.heartbeat.interval.ms': 300,
        'broker.session.timeout.ms': 2000,
      },
    });
    cluster.startAll();
    await cluster.waitReady(60_000);
    const kafka = new Kafka({ clientId: 'samsa-power-loss', brokers: cluster.bootstrapServers.split(','), logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: 'lossy', numPartitions: 1, replicationFactor: 1 },
        { topic: 'synced', numPartitions: 1, replicationFactor: 1, configEntries: [{ name: 'flush.messages', value: '1' }] },
      ],
      waitForLeaders: true,
    });
    const producer = kafka.producer();
    await producer.connect();
    for (const topic of ['lossy', 'synced']) {
      for (let i = 0; i < 4; i++) {
        await producer.send({ topic, acks: 1, messages: Array.from({ length: 5 }, (_, j) => ({ value: `${topic}-${i * 5 + j}` })) });
      }
    }
    await producer.disconnect();
    const end = async (a: typeof admin, topic: string) => Number((await a.fetchTopicOffsets(topic))[0]!.high);
    expect(await end(admin, 'lossy')).toBe(20);
    expect(await end(admin, 'synced')).toBe(20);
    await admin.disconnect();

    const report = await cluster.powerLoss(1);
    expect(report.journal).toBe(true);
    // The default topic's log was never fsynced (log.flush.interval.messages never flushes), not even its directory entry.
    expect(report.files.find((f) => f.file.startsWith('lossy-0/'))).toMatchObject({ deleted: true });
    expect(report.files.some((f) => f.file.startsWith('synced-0/'))).toBe(false);

    cluster.startBroker(1);
    await cluster.waitReady(60_000);
    const port = cluster.brokers[0]!.port;
    await until('both partitions led again', async () =>
      (await Promise.all(['lossy', 'synced'].map((t) => partitionStates(port, t)))).every((s) => s[0]?.leader === 1),
    );
    const again = kafka.admin();
    await again.connect();
    let lossyEnd = -1;
    await until(
      'ListOffsets answered',
      async () => {
        lossyEnd = await end(again, 'lossy');
        return true;
      },
      20_000,
    );
    expect(lossyEnd).toBe(0);
    expect(await end(again, 'synced')).toBe(20);
    await again.disconnect();

    const consumer = kafka.consumer({ groupId: 'power-loss-reader' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'synced', fromBeginning: true });
    const values: string[] = [];
    await consumer.run({
      eachMessage: async ({ message }) => {
        values.push(message.value!.toString());
      },
    });
    await until('every synced record read', async () => values.length >= 20, 30_000);
    await consumer.disconnect();
    expect(values).toEqual(Array.from({ length: 20 }, (_, i) => `synced-${i}`));
  }, 120_000);
});
