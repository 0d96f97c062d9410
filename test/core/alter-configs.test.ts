// IncrementalAlterConfigs (KIP-339) at the controller: SET, DELETE, APPEND and SUBTRACT on a topic's
// configs, validated as a whole (Kafka's types and bounds, conflicts, a codec the runtime lacks);
// ConfigRecords committed to the metadata log and applied on every node, through restarts and snapshots;
// brokers take the new values (min.insync.replicas, the log config, the leader's validation) without restart.
import { describe, expect, it } from 'vitest';
import { incrementalAlterConfigs } from '../../core/controller/alter-configs.ts';
import { MetadataImage } from '../../core/controller/image.ts';
import type { NodeId } from '../../core/env.ts';
import type { AlterableConfig, CreateTopicsResponse, IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse } from '../../core/protocol/controller.ts';
import { ErrorCode } from '../../core/protocol/errors.ts';
import { kafkaNode } from '../../sim/scenario/cluster.ts';
import { startCluster, type TestCluster } from './controller-helpers.ts';

const SET = 0;
const DELETE = 1;
const APPEND = 2;
const SUBTRACT = 3;
const op = (name: string, configOperation: number, value: string | null = null): AlterableConfig => ({ name, configOperation, value });

function request(resources: IncrementalAlterConfigsRequest['resources'], validateOnly = false): IncrementalAlterConfigsRequest {
  return { api: 'IncrementalAlterConfigs', kind: 'request', correlationId: 1, resources, validateOnly };
}
const topic = (name: string, ...configs: AlterableConfig[]) => ({ resourceType: 2, resourceName: name, configs });

function imageWith(config: Record<string, string> = {}): MetadataImage {
  const image = new MetadataImage();
  image.apply({ type: 'TopicRecord', name: 'orders', topicId: 'T1' });
  for (const [name, value] of Object.entries(config)) image.apply({ type: 'ConfigRecord', resourceType: 2, resourceName: 'orders', name, value });
  return image;
}

describe('incrementalAlterConfigs: the decision', () => {
  it('SET and DELETE write one ConfigRecord per key that changes (a null value deletes); unchanged keys write none', () => {
    const image = imageWith({ 'min.insync.replicas': '2', 'flush.ms': '100' });
    const { results, records } = incrementalAlterConfigs(
      image,
      request([topic('orders', op('min.insync.replicas', SET, '2'), op('flush.ms', DELETE), op('max.message.bytes', SET, '2000'))]),
    );
    expect(results).toEqual([{ errorCode: ErrorCode.NONE, errorMessage: null, resourceType: 2, resourceName: 'orders' }]);
    expect(records).toEqual([
      { type: 'ConfigRecord', resourceType: 2, resourceName: 'orders', name: 'flush.ms', value: null },
      { type: 'ConfigRecord', resourceType: 2, resourceName: 'orders', name: 'max.message.bytes', value: '2000' },
    ]);
  });

  it('APPEND and SUBTRACT on a list config (cleanup.policy) start from its value, else its default; refused on other types', () => {
    const appended = incrementalAlterConfigs(imageWith(), request([topic('orders', op('cleanup.policy', APPEND, 'compact'))]));
    expect(appended.records.map((r) => r.value)).toEqual(['delete,compact']);
    const twice = incrementalAlterConfigs(
      imageWith({ 'cleanup.policy': 'delete,compact' }),
      request([topic('orders', op('cleanup.policy', APPEND, 'compact'))]),
    );
    expect(twice.records).toEqual([]);
    const subtracted = incrementalAlterConfigs(
      imageWith({ 'cleanup.policy': 'delete,compact' }),
      request([topic('orders', op('cleanup.policy', SUBTRACT, 'delete'))]),
    );
    expect(subtracted.records.map((r) => r.value)).toEqual(['compact']);
    // Nothing left is not a policy.
    const emptied = incrementalAlterConfigs(imageWith(), request([topic('orders', op('cleanup.policy', SUBTRACT, 'delete'))]));
    expect(emptied.results[0]).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG });
    const notList = incrementalAlterConfigs(imageWith(), request([topic('orders', op('retention.ms', APPEND, '5'))]));
    expect(notList.results[0]).toMatchObject({
      errorCode: ErrorCode.INVALID_CONFIG,
      errorMessage: "Can't APPEND to key retention.ms because its type is not LIST.",
    });
  });

  it('a resource changes entirely or not at all; each resource answers for itself', () => {
    const image = imageWith();
    image.apply({ type: 'TopicRecord', name: 'audit', topicId: 'T2' });
    const { results, records } = incrementalAlterConfigs(
      image,
      request([
        topic('orders', op('min.insync.replicas', SET, '2'), op('segment.bytes', SET, '1024')),
        topic('audit', op('message.timestamp.type', SET, 'LogAppendTime')),
        topic('nope', op('min.insync.replicas', SET, '2')),
        topic('audit2', op('no.such.config', SET, '1')),
        { resourceType: 4, resourceName: '1', configs: [op('log.segment.bytes', SET, '2097152')] },
        { resourceType: 8, resourceName: '1', configs: [] },
      ]),
    );
    expect(results.map((r) => [r.resourceName, r.errorCode, r.errorMessage])).toEqual([
      ['orders', ErrorCode.INVALID_CONFIG, '"segment.bytes" must be at least 1048576, got "1024"'],
      ['audit', ErrorCode.NONE, null],
      ['nope', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'unknown topic "nope"'],
      ['audit2', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'unknown topic "audit2"'],
      ['1', ErrorCode.INVALID_REQUEST, "Cannot update these configs dynamically: log.segment.bytes; Samsa's broker configs are static (server.properties)"],
      ['1', ErrorCode.INVALID_REQUEST, 'Unsupported resource type 8: Samsa alters topic configs only'],
    ]);
    expect(records).toEqual([{ type: 'ConfigRecord', resourceType: 2, resourceName: 'audit', name: 'message.timestamp.type', value: 'LogAppendTime' }]);
  });

  it('INVALID_CONFIG naming an unknown key or a bad value; INVALID_REQUEST for a key twice or a resource twice; conflicts across keys', () => {
    const one = (...configs: AlterableConfig[]) => incrementalAlterConfigs(imageWith(), request([topic('orders', ...configs)])).results[0]!;
    expect(one(op('retention.msx', SET, '1'))).toMatchObject({
      errorCode: ErrorCode.INVALID_CONFIG,
      errorMessage: expect.stringContaining('unknown topic config "retention.msx"'),
    });
    expect(one(op('message.max.bytes', SET, '1'))).toMatchObject({
      errorCode: ErrorCode.INVALID_CONFIG,
      errorMessage: expect.stringContaining('it is a broker config'),
    });
    expect(one(op('compression.type', SET, 'brotli'))).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage: expect.stringContaining('brotli') });
    expect(one(op('min.insync.replicas', SET, null))).toMatchObject({
      errorCode: ErrorCode.INVALID_CONFIG,
      errorMessage: 'Null value not supported for: min.insync.replicas',
    });
    expect(one(op('flush.ms', SET, '1'), op('flush.ms', DELETE))).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST });
    expect(one(op('flush.ms', 9, '1'))).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST });
    expect(one(op('min.compaction.lag.ms', SET, '10'), op('max.compaction.lag.ms', SET, '5'))).toMatchObject({
      errorCode: ErrorCode.INVALID_CONFIG,
      errorMessage: expect.stringContaining('min.compaction.lag.ms (10) > max.compaction.lag.ms (5)'),
    });
    const dup = incrementalAlterConfigs(imageWith(), request([topic('orders', op('flush.ms', SET, '1')), topic('orders', op('flush.ms', SET, '2'))]));
    expect(dup.results.map((r) => r.errorCode)).toEqual([ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST]);
    expect(dup.records).toEqual([]);
  });

  it("the runtime's own check refuses a codec it lacks; validateOnly answers without records", () => {
    const lacksZstd = (name: string, value: string) => (name === 'compression.type' && value === 'zstd' ? 'no zstd here' : null);
    const refused = incrementalAlterConfigs(imageWith(), request([topic('orders', op('compression.type', SET, 'zstd'))]), lacksZstd);
    expect(refused.results[0]).toMatchObject({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage: 'no zstd here' });
    const dry = incrementalAlterConfigs(imageWith(), request([topic('orders', op('compression.type', SET, 'gzip'))], true), lacksZstd);
    expect(dry).toEqual({ results: [expect.objectContaining({ errorCode: ErrorCode.NONE })], records: [] });
  });
});

function alter(tc: TestCluster, to: NodeId, resources: IncrementalAlterConfigsRequest['resources'], validateOnly = false): IncrementalAlterConfigsResponse {
  return tc.request<IncrementalAlterConfigsResponse>(to, (correlationId) => ({ ...request(resources, validateOnly), correlationId }));
}

function everyNode(tc: TestCluster, check: (node: NonNullable<ReturnType<typeof kafkaNode>>) => boolean, what: string): void {
  tc.runUntil(
    () =>
      tc.cluster.nodes.every((id) => {
        const n = kafkaNode(tc.cluster, id);
        return n === null || check(n);
      }),
    5_000,
    what,
  );
}

describe('IncrementalAlterConfigs in a cluster', () => {
  function withTopic(): TestCluster {
    const tc = startCluster();
    const created = tc.request<CreateTopicsResponse>(tc.controller(), (correlationId) => ({
      api: 'CreateTopics',
      kind: 'request',
      correlationId,
      topics: [{ name: 'orders', numPartitions: 1, replicationFactor: 3, configs: [] }],
      timeoutMs: 2000,
      validateOnly: false,
    }));
    expect(created.topics[0]!.errorCode).toBe(ErrorCode.NONE);
    everyNode(
      tc,
      (n) => n.replicas?.partitions.get('orders-0')?.role !== undefined && n.replicas.partitions.get('orders-0')!.role !== 'none',
      'orders-0 on every broker',
    );
    return tc;
  }

  it('the active controller commits it; every node applies it; brokers take min.insync.replicas, the log config and the leader validation without restart', () => {
    const tc = withTopic();
    const response = alter(tc, tc.controller(), [
      topic('orders', op('min.insync.replicas', SET, '2'), op('segment.bytes', SET, '2097152'), op('max.message.bytes', SET, '100')),
    ]);
    expect(response.resources).toEqual([{ errorCode: ErrorCode.NONE, errorMessage: null, resourceType: 2, resourceName: 'orders' }]);
    // Answered once committed: the controller's own image has it already.
    expect(tc.node(tc.controller()).image.topicByName('orders')!.config).toEqual({
      'min.insync.replicas': '2',
      'segment.bytes': '2097152',
      'max.message.bytes': '100',
    });
    everyNode(tc, (n) => n.replicas!.partitions.get('orders-0')!.settings.minIsr === 2, 'min.insync.replicas 2 on every broker');
    for (const id of tc.cluster.nodes) {
      const p = tc.node(id).replicas!.partitions.get('orders-0')!;
      expect(p.log.config?.segmentBytes).toBe(2097152);
      expect(p.settings.validation?.maxMessageBytes).toBe(100);
    }
    // validateOnly changes nothing.
    expect(alter(tc, tc.controller(), [topic('orders', op('min.insync.replicas', SET, '3'))], true).resources[0]!.errorCode).toBe(ErrorCode.NONE);
    tc.sim.run(tc.sim.now + 500);
    expect(tc.node(tc.controller()).image.topicByName('orders')!.config['min.insync.replicas']).toBe('2');
  });

  it('a node that is not the active controller answers NOT_CONTROLLER, as for CreateTopics', () => {
    const tc = withTopic();
    const other = tc.cluster.nodes.find((id) => id !== tc.controller())!;
    expect(alter(tc, other, [topic('orders', op('min.insync.replicas', SET, '2'))]).resources[0]!.errorCode).toBe(ErrorCode.NOT_CONTROLLER);
  });

  it('a restarted node replays the configs from the metadata log; a snapshot carries them', () => {
    const tc = withTopic();
    alter(tc, tc.controller(), [topic('orders', op('message.timestamp.type', SET, 'LogAppendTime'))]);
    const victim = tc.cluster.nodes.find((id) => id !== tc.controller())!;
    everyNode(tc, (n) => n.image.topicByName('orders')?.config['message.timestamp.type'] === 'LogAppendTime', 'the config everywhere');
    tc.sim.crash(victim);
    tc.sim.restart(victim);
    tc.runUntil(
      () => kafkaNode(tc.cluster, victim)?.replicas?.partitions.get('orders-0')?.settings.validation?.timestampType === 'LogAppendTime',
      10_000,
      'the restarted broker applying it',
    );
    const image = tc.node(tc.controller()).image;
    const copy = MetadataImage.fromSnapshot(JSON.parse(JSON.stringify(image.toSnapshot())));
    expect(copy.topicByName('orders')!.config).toEqual({ 'message.timestamp.type': 'LogAppendTime' });
    expect(copy.digest()).toBe(image.digest());
  });
});
