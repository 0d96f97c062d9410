// Client configuration: Kafka's names and defaults, values given as strings or numbers, and
// clear errors for unknown keys, bad values and settings that contradict each other.

import { describe, expect, it } from 'vitest';
import { ClientConfigError, parseConsumerConfig, parseProducerConfig } from '../../core/client/client-config.ts';
import { Consumer } from '../../core/client/consumer.ts';
import { Producer } from '../../core/client/producer.ts';
import { ConfigError } from '../../core/protocol/configs.ts';

describe('producer config', () => {
  it("has Kafka 4.0's defaults", () => {
    expect(parseProducerConfig()).toEqual({
      acks: -1,
      lingerMs: 5,
      batchSize: 16384,
      enableIdempotence: true,
      maxInFlightRequestsPerConnection: 5,
      retries: 2147483647,
      retryBackoffMs: 100,
      deliveryTimeoutMs: 120000,
      requestTimeoutMs: 30000,
      metadataMaxAgeMs: 300000,
      adaptivePartitioning: true,
      partitionAvailabilityTimeoutMs: 0,
      partitionerIgnoreKeys: false,
    });
  });

  it('reads acks in every spelling Kafka accepts', () => {
    const acks = (v: string | number) => parseProducerConfig({ acks: v, 'enable.idempotence': false }).acks;
    expect([acks('all'), acks('-1'), acks(-1), acks('1'), acks(1), acks('0'), acks(0)]).toEqual([-1, -1, -1, 1, 1, 0, 0]);
  });

  it('reads integers and booleans given as strings', () => {
    const c = parseProducerConfig({ 'linger.ms': '20', 'batch.size': ' 512 ', 'enable.idempotence': 'false' });
    expect(c.lingerMs).toBe(20);
    expect(c.batchSize).toBe(512);
    expect(c.enableIdempotence).toBe(false);
  });

  it('names an unknown key and suggests the closest one', () => {
    expect(() => parseProducerConfig({ 'lingr.ms': 5 })).toThrow(/unknown producer config "lingr\.ms" \(did you mean "linger\.ms"\?\)/);
  });

  it('says when a consumer key is given to a producer, and the other way round', () => {
    expect(() => parseProducerConfig({ 'auto.offset.reset': 'earliest' })).toThrow('"auto.offset.reset" is a consumer config, not a producer config');
    expect(() => parseConsumerConfig({ acks: 'all' })).toThrow('"acks" is a producer config, not a consumer config');
  });

  it('rejects bad values with the key, the value and what was expected', () => {
    expect(() => parseProducerConfig({ acks: 2 })).toThrow('producer config "acks" must be one of all, -1, 1, 0; got 2');
    expect(() => parseProducerConfig({ acks: true })).toThrow(/"acks" must be one of/);
    expect(() => parseProducerConfig({ 'linger.ms': -1 })).toThrow('producer config "linger.ms" must be at least 0, got -1');
    expect(() => parseProducerConfig({ 'linger.ms': '5ms' })).toThrow('producer config "linger.ms" must be an integer, got "5ms"');
    expect(() => parseProducerConfig({ 'batch.size': 1.5 })).toThrow(/must be an integer, got 1.5/);
    expect(() => parseProducerConfig({ 'max.in.flight.requests.per.connection': 0 })).toThrow(/must be at least 1/);
    expect(() => parseProducerConfig({ 'enable.idempotence': 'yes' })).toThrow('producer config "enable.idempotence" must be true or false, got "yes"');
    expect(() => parseProducerConfig({ retries: 2 ** 31 })).toThrow(/must be at most 2147483647/);
  });

  it('errors are ClientConfigErrors (and ConfigErrors), never anything else', () => {
    let caught: unknown;
    try {
      parseProducerConfig({ nope: 1 });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ClientConfigError);
    expect(caught).toBeInstanceOf(ConfigError);
  });

  it('idempotence asked for explicitly must fit acks, in-flight and retries', () => {
    expect(() => parseProducerConfig({ 'enable.idempotence': true, acks: 1 })).toThrow('enable.idempotence=true needs acks must be all (got 1)');
    expect(() => parseProducerConfig({ 'enable.idempotence': true, 'max.in.flight.requests.per.connection': 6 })).toThrow(/at most 5 \(got 6\)/);
    expect(() => parseProducerConfig({ 'enable.idempotence': true, retries: 0 })).toThrow(/retries must not be 0/);
  });

  it('idempotence by default yields to settings that exclude it, as in Kafka', () => {
    expect(parseProducerConfig({ acks: 1 }).enableIdempotence).toBe(false);
    expect(parseProducerConfig({ acks: 0 }).enableIdempotence).toBe(false);
    expect(parseProducerConfig({ 'max.in.flight.requests.per.connection': 10 }).enableIdempotence).toBe(false);
    expect(parseProducerConfig({ acks: 'all' }).enableIdempotence).toBe(true);
  });

  it('delivery.timeout.ms must cover linger.ms + request.timeout.ms when set; otherwise it is raised', () => {
    expect(() => parseProducerConfig({ 'delivery.timeout.ms': 1000, 'request.timeout.ms': 1000, 'linger.ms': 5 })).toThrow(
      'delivery.timeout.ms (1000) must be at least linger.ms + request.timeout.ms (5 + 1000 = 1005)',
    );
    expect(parseProducerConfig({ 'request.timeout.ms': 200000 }).deliveryTimeoutMs).toBe(200005);
  });

  it('a Producer checks its config and its bootstrap brokers when built', () => {
    expect(() => new Producer('p1', ['b1'], { 'batch.sise': 1 })).toThrow(ClientConfigError);
    expect(() => new Producer('p1', [])).toThrow('producer p1 needs at least one bootstrap broker');
    expect(() => new Consumer('c1', [])).toThrow(ClientConfigError);
  });
});

describe('consumer config', () => {
  it("has Kafka's defaults", () => {
    expect(parseConsumerConfig()).toEqual({
      autoOffsetReset: 'latest',
      fetchMinBytes: 1,
      fetchMaxWaitMs: 500,
      maxPartitionFetchBytes: 1048576,
      fetchMaxBytes: 52428800,
      maxPollRecords: 500,
      isolationLevel: 'read_uncommitted',
      requestTimeoutMs: 30000,
      retryBackoffMs: 100,
      metadataMaxAgeMs: 300000,
      groupId: null,
      groupInstanceId: null,
      sessionTimeoutMs: 45000,
      heartbeatIntervalMs: 3000,
      maxPollIntervalMs: 300000,
      assignors: ['range', 'cooperative-sticky'],
      enableAutoCommit: true,
      autoCommitIntervalMs: 5000,
    });
  });

  it('reads the group settings: assignors by name or Java class, and a heartbeat inside the session', () => {
    const c = parseConsumerConfig({ 'group.id': 'g', 'partition.assignment.strategy': 'org.apache.kafka.clients.consumer.StickyAssignor, roundrobin' });
    expect(c).toMatchObject({ groupId: 'g', assignors: ['sticky', 'roundrobin'] });
    expect(() => parseConsumerConfig({ 'partition.assignment.strategy': 'fair' })).toThrow(
      'consumer config "partition.assignment.strategy" must be a comma-separated list of range, roundrobin, sticky, cooperative-sticky; got "fair"',
    );
    expect(() => parseConsumerConfig({ 'group.id': 'g', 'session.timeout.ms': 3000 })).toThrow(
      'consumer config "heartbeat.interval.ms" (3000) must be lower than "session.timeout.ms" (3000)',
    );
    expect(() => parseConsumerConfig({ 'group.id': '' })).toThrow('consumer config "group.id" must be a non-empty string, got ""');
  });

  it('reads auto.offset.reset and rejects unknown policies', () => {
    expect(parseConsumerConfig({ 'auto.offset.reset': 'earliest' }).autoOffsetReset).toBe('earliest');
    expect(parseConsumerConfig({ 'auto.offset.reset': 'none' }).autoOffsetReset).toBe('none');
    expect(() => parseConsumerConfig({ 'auto.offset.reset': 'smallest' })).toThrow(
      'consumer config "auto.offset.reset" must be one of latest, earliest, none; got "smallest"',
    );
  });

  it('takes isolation.level read_committed (the default stays read_uncommitted, as the Java client)', () => {
    expect(parseConsumerConfig({}).isolationLevel).toBe('read_uncommitted');
    expect(parseConsumerConfig({ 'isolation.level': 'read_committed' }).isolationLevel).toBe('read_committed');
    expect(() => parseConsumerConfig({ 'isolation.level': 'dirty' })).toThrow(/must be one of read_uncommitted, read_committed/);
  });

  it('rejects a max.poll.records below one and a negative fetch.max.wait.ms', () => {
    expect(() => parseConsumerConfig({ 'max.poll.records': 0 })).toThrow('consumer config "max.poll.records" must be at least 1, got 0');
    expect(() => parseConsumerConfig({ 'fetch.max.wait.ms': -5 })).toThrow(/"fetch.max.wait.ms" must be at least 0/);
  });

  it('a Consumer checks its config when built', () => {
    expect(() => new Consumer('c1', ['b1'], { 'group.idd': 'g' })).toThrow('unknown consumer config "group.idd" (did you mean "group.id"?)');
  });
});
