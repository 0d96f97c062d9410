// Topic configs altered at run time on a real three-broker `samsa cluster` (IncrementalAlterConfigs through
// `samsa configs alter`, as kafka-configs.sh --alter): what describe reports changes and survives a restart of
// every broker; the leader acts on the new values (max.message.bytes refuses a batch, LogAppendTime stamps its
// clock into the bytes a librdkafka consumer reads, compression.type re-encodes); bad input exits 64, a refusal 1.
// And librdkafka's mock cluster, which does not serve the API, is named as such.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rdkafkaMockMissing, startRdkafkaMock, type RunningMock } from '../../bench/peer/rdkafka-mock.ts';
import type { FetchRequest, FetchResponse, ProduceRequest, ProduceResponse } from '../../core/protocol/data.ts';
import { ErrorCode } from '../../core/protocol/errors.ts';
import { recordTimestamp } from '../../core/protocol/records.ts';
import { codecOfAttributes } from '../../core/wire/compression.ts';
import { KafkaAdmin } from '../../net/kafka-admin.ts';
import { hasKcat, run, samsa, threeBrokerCluster, until } from './real-helpers.ts';

const mockMissing = rdkafkaMockMissing();

interface Described {
  configs: Array<{ name: string; value: string; source: string }>;
}

describe('samsa configs alter against a samsa cluster', () => {
  const shared = threeBrokerCluster('samsa-configs-');
  const tool = (args: string[], input?: string) => samsa([...args, '--bootstrap', shared.bootstrap], { input, timeoutMs: 60_000 });
  const describeTopic = async (topic: string) => {
    const r = await tool(['configs', 'describe', '--topic', topic, '--json']);
    expect(r.code, r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as Described).configs;
  };
  const config = async (topic: string, name: string) => (await describeTopic(topic)).find((c) => c.name === name);

  it('alter changes what describe reports (set, list value, delete), and it survives a restart of every broker', async () => {
    const created = await tool(['topics', 'create', '--topic', 'orders', '--partitions', '2', '--replication-factor', '3']);
    expect(created.code, created.stderr).toBe(0);
    const altered = await tool([
      'configs',
      'alter',
      '--topic',
      'orders',
      '--add-config',
      'min.insync.replicas=2,cleanup.policy=[delete,compact],segment.ms=60000',
    ]);
    expect(altered).toMatchObject({
      code: 0,
      stdout: 'Altered the configs of topic orders: min.insync.replicas=2, cleanup.policy=delete,compact, segment.ms=60000\n',
    });
    expect(await config('orders', 'min.insync.replicas')).toEqual({
      name: 'min.insync.replicas',
      value: '2',
      source: 'DYNAMIC_TOPIC_CONFIG',
      readOnly: false,
      sensitive: false,
    });
    expect(await config('orders', 'cleanup.policy')).toMatchObject({ value: 'delete,compact', source: 'DYNAMIC_TOPIC_CONFIG' });

    const deleted = await tool(['configs', 'alter', '--topic', 'orders', '--delete-config', 'segment.ms', '--json']);
    expect(JSON.parse(deleted.stdout)).toEqual({ resource: { type: 'topic', name: 'orders' }, set: [], deleted: ['segment.ms'], validateOnly: false });
    expect(await config('orders', 'segment.ms')).toBeUndefined(); // back at its default, which describe leaves out without --all

    const dry = await tool(['configs', 'alter', '--topic', 'orders', '--add-config', 'min.insync.replicas=3', '--validate-only']);
    expect(dry).toMatchObject({ code: 0, stdout: 'Would alter the configs of topic orders: min.insync.replicas=3\n' });
    expect((await config('orders', 'min.insync.replicas'))?.value).toBe('2');

    await shared.cluster.stopAll();
    shared.cluster.startAll();
    // Generous: on CI, beside the suite's other files, the restarted cluster was not ready in 60 s once (the cause is unknown; the error now carries each broker's last log lines).
    await shared.cluster.waitReady(120_000);
    await until('the altered configs after the restart', async () => (await config('orders', 'min.insync.replicas'))?.value === '2', 30_000);
    expect(await config('orders', 'cleanup.policy')).toMatchObject({ value: 'delete,compact', source: 'DYNAMIC_TOPIC_CONFIG' });
  }, 240_000);

  it('the leader acts on altered values: max.message.bytes refuses a batch, LogAppendTime is what a librdkafka consumer reads, gzip is how it is stored', async () => {
    const created = await tool(['topics', 'create', '--topic', 'stamped', '--partitions', '1', '--replication-factor', '3']);
    expect(created.code, created.stderr).toBe(0);
    expect(
      (
        await tool([
          'configs',
          'alter',
          '--topic',
          'stamped',
          '--add-config',
          'max.message.bytes=200,message.timestamp.type=LogAppendTime,compression.type=gzip',
        ])
      ).code,
    ).toBe(0);

    const big = await tool(['produce', '--topic', 'stamped', '--json'], 'x'.repeat(500) + '\n');
    expect(big.code).toBe(1);
    expect(big.stdout + big.stderr).toContain('MESSAGE_TOO_LARGE');

    // A batch whose producer clock says 1970: the leader stamps its own.
    const admin = new KafkaAdmin(shared.cluster.bootstrapServers.split(',').map((s) => ({ host: s.split(':')[0]!, port: Number(s.split(':')[1]) })));
    try {
      const before = Date.now();
      let leader = '';
      await until('a leader for stamped-0', async () => {
        const md = await admin.metadata(['stamped']);
        leader = md.topics[0]?.partitions[0]?.leaderId ?? '';
        return leader !== '';
      });
      const produce: ProduceRequest = {
        api: 'Produce',
        kind: 'request',
        correlationId: 1,
        transactionalId: null,
        acks: -1,
        timeoutMs: 10_000,
        topicData: [
          {
            name: 'stamped',
            partitionData: [
              {
                index: 0,
                records: {
                  baseOffset: 0,
                  partitionLeaderEpoch: -1,
                  attributes: 0,
                  lastOffsetDelta: 1,
                  baseTimestamp: 1_000,
                  maxTimestamp: 1_001,
                  producerId: -1,
                  producerEpoch: -1,
                  baseSequence: -1,
                  records: [0, 1].map((i) => ({ offsetDelta: i, timestampDelta: i, key: null, value: `old-${i}`, headers: [] })),
                },
              },
            ],
          },
        ],
      };
      const answer = await admin.pool.call<ProduceResponse, ProduceRequest>(leader, produce);
      const result = answer!.responses[0]!.partitionResponses[0]!;
      expect(result.errorCode).toBe(ErrorCode.NONE);
      expect(result.logAppendTimeMs).toBeGreaterThanOrEqual(before);

      const fetch: FetchRequest = {
        api: 'Fetch',
        kind: 'request',
        correlationId: 2,
        replicaId: null,
        replicaEpoch: -1,
        maxWaitMs: 0,
        minBytes: 0,
        maxBytes: 1 << 20,
        isolationLevel: 0,
        topics: [
          {
            topic: 'stamped',
            partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20 }],
          },
        ],
      };
      const fetched = await admin.pool.call<FetchResponse, FetchRequest>(leader, fetch);
      const batch = fetched!.topics[0]!.partitions[0]!.records[0]!;
      expect(codecOfAttributes(batch.attributes)).toBe('gzip');
      expect(batch.records.map((r) => [r.value, recordTimestamp(batch, r)])).toEqual([
        ['old-0', result.logAppendTimeMs],
        ['old-1', result.logAppendTimeMs],
      ]);

      // Samsa's own consumer reads the same time.
      const consumed = await tool(['consume', '--topic', 'stamped', '--from-beginning', '--until-end', '--json']);
      const read = consumed.stdout
        .split('\n')
        .filter((l) => l !== '')
        .map((l) => JSON.parse(l) as { value: string; timestamp: number });
      expect(read.map((r) => [r.value, r.timestamp])).toEqual([
        ['old-0', result.logAppendTimeMs],
        ['old-1', result.logAppendTimeMs],
      ]);

      if (hasKcat) {
        // librdkafka decodes the re-encoded batch (its CRC checks) and reports the leader's time for both records.
        const out = await run('kcat', ['-C', '-b', shared.cluster.bootstrapServers, '-t', 'stamped', '-o', 'beginning', '-e', '-q', '-f', '%T %s\\n']);
        expect(out.trim().split('\n')).toEqual([`${result.logAppendTimeMs} old-0`, `${result.logAppendTimeMs} old-1`]);
      }
    } finally {
      admin.close();
    }
  }, 120_000);

  it('exit 64 for bad input, 1 with the reason for what the cluster refuses', async () => {
    expect((await tool(['configs', 'alter', '--topic', 'orders'])).code).toBe(64);
    expect((await tool(['configs', 'alter', '--topic', 'orders', '--add-config', 'novalue'])).code).toBe(64);
    expect((await tool(['configs', 'alter', '--topic', 'orders', '--add-config', 'a=1', '--delete-config', 'a'])).code).toBe(64);
    const bad = await tool(['configs', 'alter', '--topic', 'orders', '--add-config', 'segment.bytes=1000']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('INVALID_CONFIG ("segment.bytes" must be at least 1048576, got "1000")');
    const unknown = await tool(['configs', 'alter', '--topic', 'nowhere', '--add-config', 'flush.ms=10']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('UNKNOWN_TOPIC_OR_PARTITION');
    const broker = await tool(['configs', 'alter', '--broker', '1', '--add-config', 'log.segment.bytes=2097152']);
    expect(broker.code).toBe(1);
    expect(broker.stderr).toContain('INVALID_REQUEST');
  }, 120_000);
});

describe.skipIf(mockMissing !== null)("samsa configs alter against librdkafka's mock cluster", () => {
  let dir: string;
  let mock: RunningMock;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'samsa-configs-mock-'));
    mock = await startRdkafkaMock(dir, 3);
  }, 60_000);

  afterAll(() => {
    mock?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('names the API the mock does not serve, exit 1', async () => {
    const r = await samsa(['configs', 'alter', '--topic', 'events', '--add-config', 'retention.ms=1000', '--bootstrap', mock.bootstrap, '--timeout', '15s'], {
      timeoutMs: 60_000,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/does not serve IncrementalAlterConfigs \(API key 44\)/);
  }, 60_000);
});
