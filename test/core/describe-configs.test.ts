// DescribeConfigs (KIP-133, KIP-226, KIP-569) as a broker answers it from its metadata image and its own
// config: topic overrides (set at creation or by ConfigRecord) as DYNAMIC_TOPIC_CONFIG, the broker's
// properties as STATIC_BROKER_CONFIG, defaults as DEFAULT_CONFIG; Kafka's errors; served by every broker.

import { describe, expect, it } from 'vitest';
import type { AdminClient } from '../../core/client/admin.ts';
import { describeConfigs } from '../../core/broker/describe-configs.ts';
import { MetadataImage } from '../../core/controller/image.ts';
import type { Env, Node, NodeId, TimerTag } from '../../core/env.ts';
import type { KafkaMessage } from '../../core/node/kafka-node.ts';
import { CONFIG_DEFS, Config, TOPIC_CONFIG_DEFAULTS, type ConfigValue } from '../../core/protocol/configs.ts';
import type { CreateTopicsResponse, DeleteTopicsResponse } from '../../core/protocol/controller.ts';
import {
  ConfigSource,
  ConfigType,
  type DescribeConfigsEntry,
  type DescribeConfigsRequest,
  type DescribeConfigsResource,
  type DescribeConfigsResponse,
  type DescribeConfigsResult,
} from '../../core/protocol/data.ts';
import { ErrorCode } from '../../core/protocol/errors.ts';
import { ADMIN_ID, kafkaNode } from '../../sim/scenario/cluster.ts';
import { combinedScenario, startCluster, startedCluster, TestCluster } from './controller-helpers.ts';

const LONG_MAX = '9223372036854775807';
const TOPIC = 2;
const BROKER = 4;

const topicResource = (name: string, keys: string[] | null = null): DescribeConfigsResource => ({
  resourceType: TOPIC,
  resourceName: name,
  configurationKeys: keys,
});
const brokerResource = (name: string, keys: string[] | null = null): DescribeConfigsResource => ({
  resourceType: BROKER,
  resourceName: name,
  configurationKeys: keys,
});

function request(resources: DescribeConfigsResource[], options: { synonyms?: boolean; docs?: boolean } = {}): DescribeConfigsRequest {
  return {
    api: 'DescribeConfigs',
    kind: 'request',
    correlationId: 7,
    resources,
    includeSynonyms: options.synonyms ?? false,
    includeDocumentation: options.docs ?? false,
  };
}

/** An image with topic "orders" whose configs are set by ConfigRecords, as CreateTopics writes them. */
function imageWith(config: Record<string, string | null> = {}): MetadataImage {
  const image = new MetadataImage();
  image.apply({ type: 'TopicRecord', name: 'orders', topicId: 'T1' });
  for (const [name, value] of Object.entries(config)) image.apply({ type: 'ConfigRecord', resourceType: 2, resourceName: 'orders', name, value });
  return image;
}

function describeWith(
  resources: DescribeConfigsResource[],
  o: { image?: MetadataImage | null; broker?: Record<string, ConfigValue>; synonyms?: boolean; docs?: boolean } = {},
): DescribeConfigsResult[] {
  const response = describeConfigs(request(resources, o), {
    brokerId: 'b1',
    config: new Config(o.broker ?? {}),
    image: o.image === undefined ? imageWith() : o.image,
  });
  expect(response).toMatchObject({ api: 'DescribeConfigs', kind: 'response', correlationId: 7 });
  return response.results;
}

const entry = (result: DescribeConfigsResult, name: string): DescribeConfigsEntry => {
  const found = result.configs.find((c) => c.name === name);
  if (found === undefined) throw new Error(`no entry ${name}`);
  return found;
};

// ---- topics ---------------------------------------------------------------------------------------

describe('DescribeConfigs: topics', () => {
  it('lists every topic config by name, each a Kafka default (DEFAULT_CONFIG) when nothing sets it', () => {
    const [result] = describeWith([topicResource('orders')]);
    expect(result).toMatchObject({ errorCode: ErrorCode.NONE, errorMessage: null, resourceType: TOPIC, resourceName: 'orders' });
    expect(result!.configs.map((c) => c.name)).toEqual(Object.keys(TOPIC_CONFIG_DEFAULTS).sort());
    for (const c of result!.configs) {
      expect(c).toMatchObject({
        value: TOPIC_CONFIG_DEFAULTS[c.name],
        configSource: ConfigSource.DEFAULT_CONFIG,
        isSensitive: false,
        synonyms: [],
        documentation: null,
      });
    }
    expect(entry(result!, 'flush.ms').value).toBe(LONG_MAX);
    expect(entry(result!, 'min.insync.replicas').configType).toBe(ConfigType.INT);
    expect(entry(result!, 'unclean.leader.election.enable').configType).toBe(ConfigType.BOOLEAN);
    expect(entry(result!, 'cleanup.policy').configType).toBe(ConfigType.LIST);
    expect(entry(result!, 'retention.ms').configType).toBe(ConfigType.LONG);
  });

  it("a topic's own value (ConfigRecord) is DYNAMIC_TOPIC_CONFIG; deleting it falls back to the default", () => {
    const image = imageWith({ 'min.insync.replicas': '2', 'flush.messages': '10' });
    const [result] = describeWith([topicResource('orders')], { image });
    expect(entry(result!, 'min.insync.replicas')).toMatchObject({ value: '2', configSource: ConfigSource.DYNAMIC_TOPIC_CONFIG, readOnly: false });
    expect(entry(result!, 'flush.messages')).toMatchObject({ value: '10', configSource: ConfigSource.DYNAMIC_TOPIC_CONFIG });
    expect(entry(result!, 'flush.ms')).toMatchObject({ value: LONG_MAX, configSource: ConfigSource.DEFAULT_CONFIG });

    image.apply({ type: 'ConfigRecord', resourceType: 2, resourceName: 'orders', name: 'min.insync.replicas', value: null });
    const [after] = describeWith([topicResource('orders')], { image });
    expect(entry(after!, 'min.insync.replicas')).toMatchObject({ value: '1', configSource: ConfigSource.DEFAULT_CONFIG });
  });

  it("a value the broker's own properties set is STATIC_BROKER_CONFIG, under the topic's own value", () => {
    const broker = { 'min.insync.replicas': 2, 'log.flush.interval.ms': 5000, 'unclean.leader.election.enable': true };
    const [result] = describeWith([topicResource('orders')], { image: imageWith({ 'flush.ms': '100' }), broker, synonyms: true });
    expect(entry(result!, 'min.insync.replicas')).toMatchObject({
      value: '2',
      configSource: ConfigSource.STATIC_BROKER_CONFIG,
      synonyms: [
        { name: 'min.insync.replicas', value: '2', source: ConfigSource.STATIC_BROKER_CONFIG },
        { name: 'min.insync.replicas', value: '1', source: ConfigSource.DEFAULT_CONFIG },
      ],
    });
    expect(entry(result!, 'unclean.leader.election.enable')).toMatchObject({ value: 'true', configSource: ConfigSource.STATIC_BROKER_CONFIG });
    // The topic's own value wins; the synonyms show what it overrides, in order of precedence.
    expect(entry(result!, 'flush.ms')).toMatchObject({
      value: '100',
      configSource: ConfigSource.DYNAMIC_TOPIC_CONFIG,
      synonyms: [
        { name: 'flush.ms', value: '100', source: ConfigSource.DYNAMIC_TOPIC_CONFIG },
        { name: 'log.flush.interval.ms', value: '5000', source: ConfigSource.STATIC_BROKER_CONFIG },
        { name: 'log.flush.interval.ms', value: LONG_MAX, source: ConfigSource.DEFAULT_CONFIG },
      ],
    });
    // A topic config with a broker synonym lists it, here at its default.
    expect(entry(result!, 'max.message.bytes')).toMatchObject({
      value: '1048588',
      configSource: ConfigSource.DEFAULT_CONFIG,
      synonyms: [{ name: 'message.max.bytes', value: '1048588', source: ConfigSource.DEFAULT_CONFIG }],
    });
    // retention.ms inherits log.retention.hours' default, in ms.
    expect(entry(result!, 'retention.ms')).toMatchObject({
      value: '604800000',
      configSource: ConfigSource.DEFAULT_CONFIG,
      synonyms: [{ name: 'log.retention.hours', value: '168', source: ConfigSource.DEFAULT_CONFIG }],
    });
  });

  it("retention.ms inherits the broker's log.retention.ms over .minutes over .hours, converted to ms; the topic's own value wins", () => {
    const hoursAndMinutes = { 'log.retention.hours': 1, 'log.retention.minutes': 2 };
    const [minutes] = describeWith([topicResource('orders', ['retention.ms'])], { broker: hoursAndMinutes, synonyms: true });
    expect(minutes!.configs[0]).toMatchObject({
      value: '120000',
      configSource: ConfigSource.STATIC_BROKER_CONFIG,
      synonyms: [
        { name: 'log.retention.minutes', value: '2', source: ConfigSource.STATIC_BROKER_CONFIG },
        { name: 'log.retention.hours', value: '1', source: ConfigSource.STATIC_BROKER_CONFIG },
        { name: 'log.retention.hours', value: '168', source: ConfigSource.DEFAULT_CONFIG },
      ],
    });
    const [ms] = describeWith([topicResource('orders', ['retention.ms'])], { broker: { ...hoursAndMinutes, 'log.retention.ms': 5000 } });
    expect(ms!.configs[0]).toMatchObject({ value: '5000', configSource: ConfigSource.STATIC_BROKER_CONFIG });
    const [own] = describeWith([topicResource('orders', ['retention.ms'])], { image: imageWith({ 'retention.ms': '10' }), broker: hoursAndMinutes });
    expect(own!.configs[0]).toMatchObject({ value: '10', configSource: ConfigSource.DYNAMIC_TOPIC_CONFIG });
  });

  it('a topic config falls back to its broker synonyms (ServerTopicConfigSynonyms), scaled to its unit: segment.ms from log.roll.hours', () => {
    const broker = { 'log.roll.hours': 2, 'log.segment.bytes': 2097152, 'message.max.bytes': 5000, 'log.message.timestamp.type': 'LogAppendTime' };
    const [result] = describeWith([topicResource('orders')], { image: imageWith({ 'max.message.bytes': '100' }), broker, synonyms: true });
    expect(entry(result!, 'segment.ms')).toMatchObject({
      value: '7200000',
      configSource: ConfigSource.STATIC_BROKER_CONFIG,
      synonyms: [
        { name: 'log.roll.hours', value: '2', source: ConfigSource.STATIC_BROKER_CONFIG },
        { name: 'log.roll.hours', value: '168', source: ConfigSource.DEFAULT_CONFIG },
      ],
    });
    expect(entry(result!, 'segment.bytes')).toMatchObject({ value: '2097152', configSource: ConfigSource.STATIC_BROKER_CONFIG });
    expect(entry(result!, 'message.timestamp.type')).toMatchObject({ value: 'LogAppendTime', configSource: ConfigSource.STATIC_BROKER_CONFIG });
    expect(entry(result!, 'max.message.bytes')).toMatchObject({
      value: '100',
      configSource: ConfigSource.DYNAMIC_TOPIC_CONFIG,
      synonyms: [
        { name: 'max.message.bytes', value: '100', source: ConfigSource.DYNAMIC_TOPIC_CONFIG },
        { name: 'message.max.bytes', value: '5000', source: ConfigSource.STATIC_BROKER_CONFIG },
        { name: 'message.max.bytes', value: '1048588', source: ConfigSource.DEFAULT_CONFIG },
      ],
    });
    // log.roll.ms set wins over log.roll.hours, as in Kafka.
    const [both] = describeWith([topicResource('orders', ['segment.ms'])], { broker: { 'log.roll.hours': 2, 'log.roll.ms': 1000 } });
    expect(both!.configs[0]).toMatchObject({ value: '1000', configSource: ConfigSource.STATIC_BROKER_CONFIG });
    const [unset] = describeWith([topicResource('orders', ['segment.ms', 'index.interval.bytes'])], { synonyms: true });
    expect(unset!.configs.map((c) => [c.name, c.value, c.configSource, c.synonyms.map((x) => x.name)])).toEqual([
      ['index.interval.bytes', '4096', ConfigSource.DEFAULT_CONFIG, ['log.index.interval.bytes']],
      ['segment.ms', '604800000', ConfigSource.DEFAULT_CONFIG, ['log.roll.hours']],
    ]);
  });

  it('synonyms and documentation only when asked for', () => {
    const image = imageWith({ 'flush.messages': '10' });
    const [plain] = describeWith([topicResource('orders', ['flush.messages'])], { image });
    expect(plain!.configs).toEqual([
      {
        name: 'flush.messages',
        value: '10',
        readOnly: false,
        configSource: ConfigSource.DYNAMIC_TOPIC_CONFIG,
        isSensitive: false,
        synonyms: [],
        configType: ConfigType.LONG,
        documentation: null,
      },
    ]);
    const [full] = describeWith([topicResource('orders', ['flush.messages'])], { image, synonyms: true, docs: true });
    expect(full!.configs[0]!.synonyms).toEqual([
      { name: 'flush.messages', value: '10', source: ConfigSource.DYNAMIC_TOPIC_CONFIG },
      { name: 'log.flush.interval.messages', value: LONG_MAX, source: ConfigSource.DEFAULT_CONFIG },
    ]);
    expect(full!.configs[0]!.documentation).toMatch(/fsync/);
  });

  it('every topic config is alterable (none read-only) and documented, with its type', () => {
    const [result] = describeWith([topicResource('orders')], { docs: true });
    for (const c of result!.configs) {
      expect(c.readOnly).toBe(false);
      expect(c.documentation).not.toBeNull();
    }
    expect(entry(result!, 'cleanup.policy').configType).toBe(ConfigType.LIST);
    expect(entry(result!, 'min.cleanable.dirty.ratio').configType).toBe(ConfigType.DOUBLE);
    expect(entry(result!, 'segment.bytes').configType).toBe(ConfigType.INT);
    expect(entry(result!, 'segment.ms').configType).toBe(ConfigType.LONG);
    expect(result!.configs.find((c) => c.name === 'internal.segment.bytes')).toBeUndefined();
  });

  it('configurationKeys picks entries in canonical order and leaves unknown names out; an empty list means all', () => {
    const [picked] = describeWith([topicResource('orders', ['retention.ms', 'no.such.config', 'flush.ms'])]);
    expect(picked!.configs.map((c) => c.name)).toEqual(['flush.ms', 'retention.ms']);
    const [none] = describeWith([topicResource('orders', ['no.such.config'])]);
    expect(none).toMatchObject({ errorCode: ErrorCode.NONE, configs: [] });
    const [all] = describeWith([topicResource('orders', [])]);
    expect(all!.configs).toHaveLength(Object.keys(TOPIC_CONFIG_DEFAULTS).length);
  });

  it('UNKNOWN_TOPIC_OR_PARTITION for a topic the image does not hold, INVALID_TOPIC_EXCEPTION for an illegal name', () => {
    const results = describeWith([topicResource('nope'), topicResource(''), topicResource('a/b'), topicResource('..'), topicResource('orders')]);
    expect(results.map((r) => [r.resourceName, r.errorCode, r.configs.length])).toEqual([
      ['nope', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 0],
      ['', ErrorCode.INVALID_TOPIC_EXCEPTION, 0],
      ['a/b', ErrorCode.INVALID_TOPIC_EXCEPTION, 0],
      ['..', ErrorCode.INVALID_TOPIC_EXCEPTION, 0],
      ['orders', ErrorCode.NONE, Object.keys(TOPIC_CONFIG_DEFAULTS).length],
    ]);
    expect(results[0]!.errorMessage).toBe('unknown topic "nope"');
    // Before the broker has any image, every topic is unknown.
    expect(describeWith([topicResource('orders')], { image: null })[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });
});

// ---- brokers ----------------------------------------------------------------------------------------

describe('DescribeConfigs: brokers', () => {
  it("the broker's own id: every broker config, set ones STATIC_BROKER_CONFIG, the rest DEFAULT_CONFIG, all read-only", () => {
    const [result] = describeWith([brokerResource('b1')], { broker: { 'min.insync.replicas': 2, 'log.flush.interval.messages': 100 }, docs: true });
    expect(result).toMatchObject({ errorCode: ErrorCode.NONE, resourceType: BROKER, resourceName: 'b1' });
    expect(result!.configs.map((c) => c.name)).toEqual(Object.keys(CONFIG_DEFS).sort());
    expect(entry(result!, 'min.insync.replicas')).toMatchObject({ value: '2', configSource: ConfigSource.STATIC_BROKER_CONFIG, configType: ConfigType.INT });
    expect(entry(result!, 'log.flush.interval.messages')).toMatchObject({
      value: '100',
      configSource: ConfigSource.STATIC_BROKER_CONFIG,
      configType: ConfigType.LONG,
    });
    expect(entry(result!, 'log.flush.interval.ms')).toMatchObject({ value: LONG_MAX, configSource: ConfigSource.DEFAULT_CONFIG });
    expect(entry(result!, 'unclean.leader.election.enable')).toMatchObject({ value: 'false', configType: ConfigType.BOOLEAN });
    expect(entry(result!, 'broker.session.timeout.ms').documentation).toBe(CONFIG_DEFS['broker.session.timeout.ms'].doc);
    for (const c of result!.configs) expect(c).toMatchObject({ readOnly: true, isSensitive: false, synonyms: [] });
  });

  it('"" names the cluster-wide dynamic defaults (none); another broker\'s id is INVALID_REQUEST, as in Kafka', () => {
    const results = describeWith([brokerResource(''), brokerResource('b2'), brokerResource('1')]);
    expect(results[0]).toEqual({ errorCode: ErrorCode.NONE, errorMessage: null, resourceType: BROKER, resourceName: '', configs: [] });
    expect(results[1]).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, resourceName: 'b2', configs: [] });
    expect(results[1]!.errorMessage).toBe('Unexpected broker id, expected b1 or empty string, but received b2');
    expect(results[2]!.errorCode).toBe(ErrorCode.INVALID_REQUEST);
  });

  it('INVALID_REQUEST for broker loggers and resource types Kafka has but Samsa does not describe', () => {
    const results = describeWith([
      { resourceType: 8, resourceName: 'b1', configurationKeys: null },
      { resourceType: 16, resourceName: 'x', configurationKeys: null },
      { resourceType: 0, resourceName: 'x', configurationKeys: null },
    ]);
    expect(results.map((r) => [r.resourceType, r.errorCode])).toEqual([
      [8, ErrorCode.INVALID_REQUEST],
      [16, ErrorCode.INVALID_REQUEST],
      [0, ErrorCode.INVALID_REQUEST],
    ]);
    expect(results[1]!.errorMessage).toBe('Unsupported resource type: 16');
  });
});

// ---- in a simulated cluster --------------------------------------------------------------------------

const CLIENT: NodeId = 'client';

class DataClient implements Node<KafkaMessage> {
  readonly responses: DescribeConfigsResponse[] = [];
  private nextCorrelationId = 1;
  start(_env: Env<KafkaMessage>): void {}
  receive(_env: Env<KafkaMessage>, _from: NodeId, msg: KafkaMessage): void {
    if (msg.kind === 'response' && msg.api === 'DescribeConfigs') this.responses.push(msg);
  }
  fire(_env: Env<KafkaMessage>, _tag: TimerTag): void {}
  correlationId(): number {
    return this.nextCorrelationId++;
  }
}

function withClient(tc: TestCluster): (to: NodeId, resources: DescribeConfigsResource[], synonyms?: boolean) => DescribeConfigsResult[] {
  const client = new DataClient();
  tc.sim.addNode(CLIENT, () => client);
  tc.sim.start(CLIENT);
  return (to, resources, synonyms = false) => {
    let correlationId = -1;
    tc.sim.act<DataClient>(CLIENT, (c, env) => {
      correlationId = c.correlationId();
      env.send(to, { ...request(resources, { synonyms }), correlationId });
    });
    let answer: DescribeConfigsResponse | undefined;
    tc.runUntil(() => (answer = client.responses.find((r) => r.correlationId === correlationId)) !== undefined, 3_000, `a response from ${to}`);
    return answer!.results;
  };
}

function createTopic(tc: TestCluster, name: string, configs: Record<string, string>): void {
  const response = tc.request<CreateTopicsResponse>(tc.controller(), (correlationId) => ({
    api: 'CreateTopics',
    kind: 'request',
    correlationId,
    topics: [{ name, numPartitions: 1, replicationFactor: 1, configs: Object.entries(configs).map(([n, value]) => ({ name: n, value })) }],
    timeoutMs: 2_000,
    validateOnly: false,
  }));
  expect(response.topics[0]!.errorCode).toBe(ErrorCode.NONE);
  tc.runUntil(() => tc.cluster.nodes.every((id) => kafkaNode(tc.cluster, id)?.image.topicByName(name) !== undefined), 3_000, `${name} everywhere`);
}

describe('DescribeConfigs: in a cluster', () => {
  it('every broker answers from its image: configs set at creation are DYNAMIC_TOPIC_CONFIG, the others come from the broker', () => {
    const tc = startCluster({ 'min.insync.replicas': 2 });
    createTopic(tc, 'orders', { 'flush.messages': '1', 'unclean.leader.election.enable': 'true' });
    const ask = withClient(tc);
    for (const broker of tc.cluster.brokers) {
      const [result] = ask(broker, [topicResource('orders', ['flush.messages', 'unclean.leader.election.enable', 'min.insync.replicas', 'retention.ms'])]);
      expect(result!.configs.map((c) => [c.name, c.value, c.configSource])).toEqual([
        ['flush.messages', '1', ConfigSource.DYNAMIC_TOPIC_CONFIG],
        ['min.insync.replicas', '2', ConfigSource.STATIC_BROKER_CONFIG],
        ['retention.ms', '604800000', ConfigSource.DEFAULT_CONFIG],
        ['unclean.leader.election.enable', 'true', ConfigSource.DYNAMIC_TOPIC_CONFIG],
      ]);
      const [own] = ask(broker, [brokerResource(broker, ['min.insync.replicas'])], true);
      expect(own!.configs[0]).toMatchObject({ value: '2', configSource: ConfigSource.STATIC_BROKER_CONFIG });
    }
    // A deleted topic is unknown again once the broker has applied the deletion.
    const deleted = tc.request<DeleteTopicsResponse>(tc.controller(), (correlationId) => ({
      api: 'DeleteTopics',
      kind: 'request',
      correlationId,
      topicNames: ['orders'],
      timeoutMs: 2_000,
    }));
    expect(deleted.responses[0]!.errorCode).toBe(ErrorCode.NONE);
    tc.runUntil(() => tc.cluster.nodes.every((id) => tc.node(id).image.topicByName('orders') === undefined), 3_000, 'the deletion everywhere');
    expect(ask('b1', [topicResource('orders')])[0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('a dedicated controller serves no data API: it answers UNKNOWN_SERVER_ERROR for every resource', () => {
    const scenario = combinedScenario();
    const tc = new TestCluster(startedCluster({ ...scenario, cluster: { ...scenario.cluster, controllers: 1 } }, 1, null, []));
    tc.runUntil(() => tc.activeController() !== null, 10_000, 'an active controller');
    const ask = withClient(tc);
    const results = ask('c1', [topicResource('orders'), brokerResource('c1')]);
    expect(results.map((r) => [r.resourceName, r.errorCode])).toEqual([
      ['orders', ErrorCode.UNKNOWN_SERVER_ERROR],
      ['c1', ErrorCode.UNKNOWN_SERVER_ERROR],
    ]);
  });

  it('the admin client describes topics through a broker and a broker through itself', () => {
    const tc = startCluster();
    createTopic(tc, 'orders', { 'flush.ms': '250' });
    const results: DescribeConfigsResult[][] = [];
    tc.sim.act<AdminClient>(ADMIN_ID, (admin, env) => {
      admin.describeConfigs(env as never, [topicResource('orders', ['flush.ms'])], { includeSynonyms: true }, (r) => results.push(r));
      admin.describeConfigs(env as never, [brokerResource('b3', ['broker.session.timeout.ms'])], {}, (r) => results.push(r));
      admin.describeConfigs(env as never, [topicResource('nope')], {}, (r) => results.push(r));
    });
    tc.runUntil(() => results.length === 3, 5_000, 'the admin client');
    expect(results[0]![0]!.configs[0]).toMatchObject({ name: 'flush.ms', value: '250', configSource: ConfigSource.DYNAMIC_TOPIC_CONFIG });
    expect(results[0]![0]!.configs[0]!.synonyms[0]).toEqual({ name: 'flush.ms', value: '250', source: ConfigSource.DYNAMIC_TOPIC_CONFIG });
    // Any broker but b3 would have refused b3's config (INVALID_REQUEST): the admin asked b3 itself.
    expect(results[1]![0]).toMatchObject({ errorCode: ErrorCode.NONE, resourceName: 'b3' });
    expect(results[1]![0]!.configs[0]).toMatchObject({ name: 'broker.session.timeout.ms', value: '9000', configSource: ConfigSource.DEFAULT_CONFIG });
    expect(results[2]![0]!.errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    const ops = tc.traces.filter((t) => t.node === ADMIN_ID && t.event['op'] === 'describe-configs').map((t) => t.event['type']);
    expect(ops).toEqual(['invoke', 'invoke', 'invoke', 'ok', 'ok', 'fail']);
  });
});
