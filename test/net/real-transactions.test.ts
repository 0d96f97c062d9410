// Transactions of real Kafka clients against a three-broker `samsa cluster` of real processes:
// kafkajs and confluent-kafka (librdkafka) producers with a transactional.id commit one transaction
// and abort another, send consumed offsets to a transaction, and a second producer with the same
// transactional.id fences the first; read_committed consumers of each client (kafkajs's default,
// confluent-kafka's default, kcat with isolation.level) see only the committed records, a
// read_uncommitted one sees both. Without the clients installed the suite is skipped, unless
// SAMSA_REQUIRE_KAFKA_CLIENTS=1 (CI) makes that a failure.

import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasKcat, hasPython, PYTHON, run, SAMSA, threeBrokerCluster, until } from './real-helpers.ts';

const PARTITIONS = 3;

describe.skipIf(!(hasKcat && hasPython))('transactions of real Kafka clients against a samsa cluster', () => {
  const env = threeBrokerCluster('samsa-txn-');
  let kafka: Kafka;
  let admin: Admin;

  beforeAll(async () => {
    kafka = new Kafka({ clientId: 'samsa-txn', brokers: env.bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 8 } });
    admin = kafka.admin();
    await admin.connect();
  }, 30_000);

  afterAll(async () => {
    await admin?.disconnect();
  }, 30_000);

  const createTopic = async (topic: string) => {
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 3 }], waitForLeaders: true });
  };

  /** Every value a kafkajs consumer reads from the topic's beginning until `expected` values came (or 10 s passed), with the isolation level asked for. */
  const readAll = async (topic: string, readUncommitted: boolean, expected: number): Promise<string[]> => {
    const consumer = kafka.consumer({ groupId: `reader-${topic}-${readUncommitted}`, readUncommitted, sessionTimeout: 10_000 });
    const values: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value!.toString()) });
    await until(`${expected} values read from ${topic}`, async () => values.length >= expected, 30_000).catch(() => {});
    // A little longer: anything beyond what is expected would show up now.
    await new Promise((r) => setTimeout(r, 1_000));
    await consumer.disconnect();
    return values.sort();
  };

  it('kafkajs: a committed transaction is read by read_committed consumers, an aborted one only by read_uncommitted ones', async () => {
    const topic = 'js-txn';
    await createTopic(topic);
    const producer = kafka.producer({ transactionalId: 'js-tx', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const committed = await producer.transaction();
    await committed.send({ topic, messages: [0, 1, 2, 3].map((i) => ({ key: `k${i}`, value: `committed-${i}` })) });
    await committed.commit();
    const aborted = await producer.transaction();
    await aborted.send({ topic, messages: [0, 1, 2, 3].map((i) => ({ key: `k${i}`, value: `aborted-${i}` })) });
    await aborted.abort();
    await producer.disconnect();
    const committedValues = [0, 1, 2, 3].map((i) => `committed-${i}`);
    expect(await readAll(topic, false, 4)).toEqual(committedValues);
    expect(await readAll(topic, true, 8)).toEqual([...committedValues, ...[0, 1, 2, 3].map((i) => `aborted-${i}`)].sort());
  }, 120_000);

  it('kafkajs: offsets sent to a committed transaction are the group’s, those of an aborted one are not', async () => {
    const topic = 'js-offsets';
    await createTopic(topic);
    // The group's coordinator first: its FindCoordinator creates __consumer_offsets, which takes a moment.
    await until('the group coordinator', async () => (await admin.fetchOffsets({ groupId: 'js-copier', topics: [topic] })).length === 1);
    const producer = kafka.producer({ transactionalId: 'js-offsets-tx', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const t1 = await producer.transaction();
    await t1.send({ topic, messages: [{ key: 'k', value: 'v1' }] });
    await t1.sendOffsets({ consumerGroupId: 'js-copier', topics: [{ topic, partitions: [{ partition: 0, offset: '5' }] }] });
    await t1.commit();
    const t2 = await producer.transaction();
    // Right after a commit its markers may still be on their way: the coordinator answers
    // CONCURRENT_TRANSACTIONS, as Kafka's does, and kafkajs does not retry AddOffsetsToTxn itself (tulios/kafkajs#430).
    for (let attempt = 1; ; attempt++) {
      try {
        await t2.sendOffsets({ consumerGroupId: 'js-copier', topics: [{ topic, partitions: [{ partition: 0, offset: '9' }] }] });
        break;
      } catch (err) {
        if (attempt === 20 || !/concurrent operation/i.test((err as Error).message)) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    await t2.abort();
    await producer.disconnect();
    const [offsets] = await admin.fetchOffsets({ groupId: 'js-copier', topics: [topic] });
    expect(offsets!.partitions.find((p) => p.partition === 0)!.offset).toBe('5');
  }, 120_000);

  it('kafkajs: a second producer with the same transactional.id fences the first, whose commit then fails', async () => {
    const topic = 'js-fence';
    await createTopic(topic);
    const zombie = kafka.producer({ transactionalId: 'js-fenced', idempotent: true, maxInFlightRequests: 1, retry: { retries: 2 } });
    await zombie.connect();
    const open = await zombie.transaction();
    await open.send({ topic, messages: [{ key: 'k', value: 'zombie' }] });
    const successor = kafka.producer({ transactionalId: 'js-fenced', idempotent: true, maxInFlightRequests: 1 });
    await successor.connect();
    const t = await successor.transaction();
    await t.send({ topic, messages: [{ key: 'k', value: 'successor' }] });
    await t.commit();
    // kafkajs speaks EndTxn v1: Kafka answers a fenced producer INVALID_PRODUCER_EPOCH there, not PRODUCER_FENCED.
    await expect(open.commit()).rejects.toThrow(/epoch|fenced/i);
    await successor.disconnect();
    await zombie.disconnect().catch(() => {});
    expect(await readAll(topic, false, 1)).toEqual(['successor']);
  }, 120_000);

  it('confluent-kafka: commit, abort and send_offsets_to_transaction; its read_committed consumer and kcat see only the committed records', async () => {
    const topic = 'ck-txn';
    await createTopic(topic);
    const script = `
import sys, json, time
from confluent_kafka import Producer, Consumer, TopicPartition
bootstrap, topic = sys.argv[1], sys.argv[2]
p = Producer({'bootstrap.servers': bootstrap, 'transactional.id': 'ck-tx'})
p.init_transactions(30)
p.begin_transaction()
for i in range(4): p.produce(topic, key=f'k{i}', value=f'committed-{i}')
p.commit_transaction(30)
p.begin_transaction()
for i in range(4): p.produce(topic, key=f'k{i}', value=f'aborted-{i}')
p.flush(30)
p.abort_transaction(30)
c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'ck-copier', 'auto.offset.reset': 'earliest', 'enable.auto.commit': False})
c.subscribe([topic])
got = []
deadline = time.time() + 30
while time.time() < deadline and len(got) < 4:
    msg = c.poll(0.2)
    if msg is not None and not msg.error(): got.append(msg.value().decode())
end = time.time() + 1
while time.time() < end:
    msg = c.poll(0.2)
    if msg is not None and not msg.error(): got.append(msg.value().decode())
p.begin_transaction()
p.produce(topic, key='k', value='with-offsets')
p.send_offsets_to_transaction([TopicPartition(topic, 0, 2)], c.consumer_group_metadata(), 30)
p.commit_transaction(30)
committed = c.committed([TopicPartition(topic, 0)], 10)[0].offset
c.close()
print(json.dumps({'got': sorted(got), 'committed': committed}))
`;
    const out = JSON.parse(await run(PYTHON, ['-c', script, env.bootstrap, topic], '', 100_000)) as { got: string[]; committed: number };
    expect(out.got).toEqual([0, 1, 2, 3].map((i) => `committed-${i}`));
    expect(out.committed).toBe(2);
    const kcat = (isolation: string) =>
      run('kcat', ['-b', env.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-q', '-f', '%s\\n', '-X', `isolation.level=${isolation}`], '', 60_000);
    const committedOnly = (await kcat('read_committed'))
      .split('\n')
      .filter((l) => l !== '')
      .sort();
    expect(committedOnly).toEqual([...[0, 1, 2, 3].map((i) => `committed-${i}`), 'with-offsets'].sort());
    const everything = (await kcat('read_uncommitted')).split('\n').filter((l) => l !== '');
    expect(everything.filter((v) => v.startsWith('aborted-')).sort()).toEqual([0, 1, 2, 3].map((i) => `aborted-${i}`));
  }, 150_000);
  it('samsa transactions list and describe show an open transaction at its coordinator, then its commit', async () => {
    const topic = 'tools-txn';
    await createTopic(topic);
    const producer = kafka.producer({ transactionalId: 'tools-tx', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const txn = await producer.transaction();
    await txn.send({ topic, messages: [{ key: 'k', value: 'open' }] });
    const tool = async (args: string[]) => JSON.parse(await run(process.execPath, [SAMSA, 'transactions', ...args, '--bootstrap', env.bootstrap, '--json']));
    const listed = (await tool(['list'])) as { transactions: Array<{ transactionalId: string; state: string; producerId: number }> };
    const open = listed.transactions.find((t) => t.transactionalId === 'tools-tx');
    expect(open?.state).toBe('Ongoing');
    const described = (await tool(['describe', '--transactional-id', 'tools-tx'])) as {
      state: string;
      producerId: number;
      transactionStartTimeMs: number;
      partitions: Array<{ topic: string; partition: number }>;
    };
    expect(described.state).toBe('Ongoing');
    expect(described.producerId).toBe(open!.producerId);
    expect(described.transactionStartTimeMs).toBeGreaterThan(0);
    expect(described.partitions.map((p) => p.topic)).toEqual([topic]);
    await txn.commit();
    await producer.disconnect();
    await until('the transaction completes', async () => (await tool(['describe', '--transactional-id', 'tools-tx'])).state === 'CompleteCommit', 20_000);
    const ongoing = (await tool(['list', '--state', 'Ongoing'])) as { transactions: Array<{ transactionalId: string }> };
    expect(ongoing.transactions.map((t) => t.transactionalId)).not.toContain('tools-tx');
  }, 60_000);
});
