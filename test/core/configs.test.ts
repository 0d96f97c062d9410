// Retention's configs: the topic configs retention.ms, retention.bytes and cleanup.policy (delete) are accepted with Kafka's bounds, compact is refused until it is built, and the brokers' defaults follow Kafka's precedence.
import { describe, expect, it } from 'vitest';
import { brokerRetentionMs, Config, topicConfigProblem } from '../../core/protocol/configs.ts';

describe('retention configs', () => {
  it('retention.ms takes -1 (no limit) and up, nothing lower; retention.bytes any long, negative meaning no limit (Kafka validates neither further)', () => {
    for (const name of ['retention.ms', 'retention.bytes']) {
      expect(topicConfigProblem(name, '-1')).toBeNull();
      expect(topicConfigProblem(name, '0')).toBeNull();
      expect(topicConfigProblem(name, '86400000')).toBeNull();
      expect(topicConfigProblem(name, 'week')).toMatch(/must be an integer/);
    }
    expect(topicConfigProblem('retention.ms', '-2')).toMatch(/must be at least -1/);
    expect(topicConfigProblem('retention.bytes', '-2')).toBeNull();
  });

  it('cleanup.policy takes delete, compact or both', () => {
    for (const policy of ['delete', 'compact', 'compact,delete', 'delete,compact']) expect(topicConfigProblem('cleanup.policy', policy)).toBeNull();
    expect(topicConfigProblem('cleanup.policy', 'shred')).toMatch(/must be a comma-separated list of delete, compact/);
  });

  it("the brokers' retention.ms: log.retention.ms over .minutes over .hours (168 by default); negative is -1", () => {
    expect(brokerRetentionMs(new Config())).toBe(168 * 3_600_000);
    expect(brokerRetentionMs(new Config({ 'log.retention.hours': 1 }))).toBe(3_600_000);
    expect(brokerRetentionMs(new Config({ 'log.retention.hours': 1, 'log.retention.minutes': 5 }))).toBe(300_000);
    expect(brokerRetentionMs(new Config({ 'log.retention.hours': 1, 'log.retention.minutes': 5, 'log.retention.ms': 1234 }))).toBe(1234);
    expect(brokerRetentionMs(new Config({ 'log.retention.minutes': -1 }))).toBe(-1);
    expect(() => new Config({ 'log.retention.bytes': -2 })).toThrow(/"log.retention.bytes" must be at least -1/);
  });
});
