// The admin tools (`samsa topics|produce|consume|groups|configs`) as a user runs them, against a three-broker
// `samsa cluster` and against librdkafka's mock cluster, a second Kafka nobody here wrote: exit codes, output,
// records produced from stdin read back in order, starting points (beginning, offset, timestamp, a group's
// commits), and a clear one-line error where a cluster cannot serve an operation.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rdkafkaMockMissing, startRdkafkaMock, type RunningMock } from '../../bench/peer/rdkafka-mock.ts';
import { samsa, threeBrokerCluster } from './real-helpers.ts';

const mockMissing = rdkafkaMockMissing();
if (process.env.SAMSA_REQUIRE_KAFKA_CLIENTS === '1' && mockMissing !== null) throw new Error(`SAMSA_REQUIRE_KAFKA_CLIENTS=1 but ${mockMissing}`);

const lines = (s: string) => s.split('\n').filter((l) => l !== '');

describe('admin tools against a samsa cluster', () => {
  const shared = threeBrokerCluster('samsa-tools-');
  const tool = (args: string[], input?: string) => samsa([...args, '--bootstrap', shared.bootstrap], { input, timeoutMs: 60_000 });

  it('creates, lists, describes, grows and deletes a topic, and says why when it cannot', async () => {
    const created = await tool([
      'topics',
      'create',
      '--topic',
      'orders',
      '--partitions',
      '3',
      '--replication-factor',
      '3',
      '--config',
      'min.insync.replicas=2',
    ]);
    expect(created).toMatchObject({ code: 0, stdout: 'Created topic orders.\n' });

    const again = await tool(['topics', 'create', '--topic', 'orders', '--partitions', '3']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('TOPIC_ALREADY_EXISTS');
    expect((await tool(['topics', 'create', '--topic', 'orders', '--if-not-exists'])).code).toBe(0);

    const tooMany = await tool(['topics', 'create', '--topic', 'wide', '--replication-factor', '5']);
    expect(tooMany.code).toBe(1);
    expect(tooMany.stderr).toMatch(/INVALID_REPLICATION_FACTOR.*replication factor/);

    expect(lines((await tool(['topics', 'list'])).stdout)).toContain('orders');

    const described = JSON.parse((await tool(['topics', 'describe', '--topic', 'orders', '--json'])).stdout) as {
      topics: Array<{ name: string; partitions: number; replicationFactor: number; partitionStates: Array<{ leaderId: string; isrNodes: string[] }> }>;
    };
    expect(described.topics[0]).toMatchObject({ name: 'orders', partitions: 3, replicationFactor: 3 });
    for (const p of described.topics[0]!.partitionStates) expect(p.isrNodes).toContain(p.leaderId);

    const configs = JSON.parse((await tool(['configs', 'describe', '--topic', 'orders', '--json'])).stdout) as {
      configs: Array<{ name: string; value: string; source: string }>;
    };
    expect(configs.configs).toContainEqual(expect.objectContaining({ name: 'min.insync.replicas', value: '2', source: 'DYNAMIC_TOPIC_CONFIG' }));

    expect((await tool(['topics', 'alter', '--topic', 'orders', '--partitions', '4'])).code).toBe(0);
    const shrink = await tool(['topics', 'alter', '--topic', 'orders', '--partitions', '2']);
    expect(shrink.code).toBe(1);
    expect(shrink.stderr).toContain('INVALID_PARTITIONS');

    expect(await tool(['topics', 'delete', '--topic', 'orders'])).toMatchObject({ code: 0, stdout: 'Deleted topic orders.\n' });
    const gone = await tool(['topics', 'describe', '--topic', 'orders']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('UNKNOWN_TOPIC_OR_PARTITION');
  }, 120_000);

  it('produces keyed lines from stdin and reads them back in order from the beginning, an offset and a timestamp', async () => {
    expect((await tool(['topics', 'create', '--topic', 'lines', '--partitions', '3', '--replication-factor', '3'])).code).toBe(0);
    const before = Date.now();
    const input = Array.from({ length: 60 }, (_, i) => `k${i % 5}:v${i}`).join('\n') + '\n';
    const produced = await tool(['produce', '--topic', 'lines', '--key-separator', ':', '--acks', 'all', '--json'], input);
    expect(produced.code).toBe(0);
    const outcome = JSON.parse(produced.stdout) as { records: number; failed: number; partitions: Record<string, number> };
    expect(outcome).toMatchObject({ records: 60, failed: 0 });

    const read = await tool(['consume', '--topic', 'lines', '--from-beginning', '--until-end', '--json']);
    expect(read.code).toBe(0);
    const records = lines(read.stdout).map((l) => JSON.parse(l) as { partition: number; offset: number; key: string; value: string; timestamp: number });
    expect(records).toHaveLength(60);
    // Per key one partition, and per partition the order of the input.
    const partitionOfKey = new Map<string, number>();
    for (const r of records) expect(partitionOfKey.get(r.key) ?? partitionOfKey.set(r.key, r.partition).get(r.key)).toBe(r.partition);
    for (const p of [0, 1, 2]) {
      const values = records.filter((r) => r.partition === p).map((r) => Number(r.value.slice(1)));
      expect(values).toEqual([...values].sort((a, b) => a - b));
      expect(records.filter((r) => r.partition === p).map((r) => r.offset)).toEqual(values.map((_, i) => i));
    }
    for (const r of records) expect(r.timestamp).toBeGreaterThanOrEqual(before - 1000);
    expect(Object.values(outcome.partitions).reduce((a, b) => a + b, 0)).toBe(60);

    const busiest = Number(Object.entries(outcome.partitions).sort((a, b) => b[1] - a[1])[0]![0]);
    const fromOffset = await tool([
      'consume',
      '--topic',
      'lines',
      '--partition',
      String(busiest),
      '--offset',
      '2',
      '--until-end',
      '--print-offset',
      '--key-separator',
      ' ',
    ]);
    expect(lines(fromOffset.stdout)[0]).toMatch(new RegExp(`^${busiest}:2 v\\d+$`));
    expect(lines(fromOffset.stdout)).toHaveLength(outcome.partitions[busiest]! - 2);

    const future = await tool(['consume', '--topic', 'lines', '--from-timestamp', String(Date.now() + 3_600_000), '--until-end']);
    expect(future).toMatchObject({ code: 0, stdout: '' });
    const past = await tool(['consume', '--topic', 'lines', '--from-timestamp', new Date(before - 60_000).toISOString(), '--until-end']);
    expect(lines(past.stdout)).toHaveLength(60);

    const limited = await tool(['consume', '--topic', 'lines', '--from-beginning', '--max-messages', '7', '--print-key']);
    expect(lines(limited.stdout)).toHaveLength(7);
    expect(lines(limited.stdout)[0]).toMatch(/^k\d\tv\d+$/);
  }, 120_000);

  it('deletes records below an offset: the low watermark comes back, and a read from the beginning starts there', async () => {
    expect((await tool(['topics', 'create', '--topic', 'trimmed', '--partitions', '1', '--replication-factor', '3'])).code).toBe(0);
    const input = Array.from({ length: 10 }, (_, i) => `v${i}`).join('\n') + '\n';
    expect((await tool(['produce', '--topic', 'trimmed', '--acks', 'all'], input)).code).toBe(0);
    const deleted = await tool(['delete-records', '--topic', 'trimmed', '--partition', '0', '--offset', '4']);
    expect(deleted).toMatchObject({ code: 0, stdout: 'Records delete operation completed:\npartition: trimmed-0\tlow_watermark: 4\n' });
    const read = await tool(['consume', '--topic', 'trimmed', '--from-beginning', '--until-end', '--print-offset', '--key-separator', ' ']);
    expect(lines(read.stdout)).toEqual(Array.from({ length: 6 }, (_, i) => `0:${i + 4} v${i + 4}`));
    const all = JSON.parse((await tool(['delete-records', '--topic', 'trimmed', '--partition', '0', '--offset', '-1', '--json'])).stdout);
    expect(all).toEqual({ topic: 'trimmed', partition: 0, lowWatermark: 10 });
    const past = await tool(['delete-records', '--topic', 'trimmed', '--partition', '0', '--offset', '99']);
    expect(past.code).toBe(1);
    expect(past.stderr).toContain('delete records of trimmed-0: OFFSET_OUT_OF_RANGE');
    const bad = await tool(['delete-records', '--topic', 'trimmed', '--partition', 'x', '--offset', '1']);
    expect(bad.code).toBe(64);
    expect(bad.stderr).toContain('--partition must be an integer >= 0, got "x"');
  }, 120_000);

  it('answers bad input with exit 64 and a topic nobody created with exit 1, each in one line', async () => {
    const badBootstrap = await samsa(['topics', 'list', '--bootstrap', 'localhost']);
    expect(badBootstrap.code).toBe(64);
    expect(badBootstrap.stderr).toContain('bad bootstrap server "localhost"');
    const offsetAlone = await tool(['consume', '--topic', 'lines', '--offset', '3']);
    expect(offsetAlone.code).toBe(64);
    expect(offsetAlone.stderr).toContain('--offset N needs --partition');
    const noSeparator = await tool(['produce', '--topic', 'lines', '--key-separator', ':'], 'k:v\nno separator here\n');
    expect(noSeparator.code).toBe(64);
    expect(noSeparator.stderr).toContain('stdin line 2 has no key separator');
    const unknown = await tool(['consume', '--topic', 'no-such-topic', '--from-beginning', '--until-end']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no-such-topic: UNKNOWN_TOPIC_OR_PARTITION');
    // A group nobody made is described as Kafka describes it: Dead, no members.
    const group = await tool(['groups', 'describe', '--group', 'nobody-made-it', '--json']);
    expect(group.code).toBe(0);
    expect(JSON.parse(group.stdout)).toMatchObject({ groupId: 'nobody-made-it', state: 'Dead', members: [] });
    const unreachable = await samsa(['topics', 'list', '--bootstrap', '127.0.0.1:1', '--timeout', '2s']);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/Metadata timed out after 2000 ms \(last problem: .*ECONNREFUSED/);
  }, 120_000);
});

describe.skipIf(mockMissing !== null)("admin tools against librdkafka's mock cluster", () => {
  let dir: string;
  let mock: RunningMock;
  const tool = (args: string[], input?: string) => samsa([...args, '--bootstrap', mock.bootstrap, '--timeout', '15s'], { input, timeoutMs: 60_000 });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'samsa-tools-mock-'));
    mock = await startRdkafkaMock(dir, 3);
  }, 60_000);

  afterAll(() => {
    mock?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('produces to a topic the mock creates on use and reads it back in order', async () => {
    const input = Array.from({ length: 40 }, (_, i) => `k${i % 4}|v${i}`).join('\n') + '\n';
    const produced = await tool(['produce', '--topic', 'events', '--key-separator', '|', '--json'], input);
    expect(produced.code).toBe(0);
    expect(JSON.parse(produced.stdout)).toMatchObject({ records: 40, failed: 0 });
    expect(lines((await tool(['topics', 'list'])).stdout)).toContain('events');
    const described = JSON.parse((await tool(['topics', 'describe', '--topic', 'events', '--json'])).stdout) as { topics: Array<{ partitions: number }> };
    expect(described.topics[0]!.partitions).toBeGreaterThan(0);

    const read = await tool(['consume', '--topic', 'events', '--from-beginning', '--until-end', '--json']);
    expect(read.code).toBe(0);
    const records = lines(read.stdout).map((l) => JSON.parse(l) as { partition: number; key: string; value: string });
    expect(records.map((r) => r.value).sort()).toEqual(Array.from({ length: 40 }, (_, i) => `v${i}`).sort());
    for (const p of new Set(records.map((r) => r.partition))) {
      const values = records.filter((r) => r.partition === p).map((r) => Number(r.value.slice(1)));
      expect(values).toEqual([...values].sort((a, b) => a - b));
    }
  }, 120_000);

  it("resumes a group's reading where its committed offsets left it", async () => {
    const input = Array.from({ length: 10 }, (_, i) => `r${i}`).join('\n') + '\n';
    expect((await tool(['produce', '--topic', 'resume', '--partition', '0'], input)).code).toBe(0);
    const first = await tool(['consume', '--topic', 'resume', '--group', 'readers', '--max-messages', '4']);
    expect(lines(first.stdout)).toEqual(['r0', 'r1', 'r2', 'r3']);
    const rest = await tool(['consume', '--topic', 'resume', '--group', 'readers', '--until-end']);
    expect(lines(rest.stdout)).toEqual(['r4', 'r5', 'r6', 'r7', 'r8', 'r9']);
  }, 120_000);

  it('names the API the mock does not serve, exit 1', async () => {
    const create = await tool(['topics', 'create', '--topic', 'x', '--partitions', '1']);
    expect(create.code).toBe(1);
    expect(create.stderr).toMatch(/does not serve CreateTopics \(API key 19\)/);
    const configs = await tool(['configs', 'describe', '--topic', 'events']);
    expect(configs.code).toBe(1);
    expect(configs.stderr).toMatch(/does not serve DescribeConfigs \(API key 32\)/);
  }, 60_000);
});
