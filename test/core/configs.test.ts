// Retention's configs: the topic configs retention.ms, retention.bytes and cleanup.policy (delete) are accepted with Kafka's bounds, compact is refused until it is built, and the brokers' defaults follow Kafka's precedence.
import { describe, expect, it } from 'vitest';
import { brokerRetentionMs, Config, topicConfigProblem } from '../../core/protocol/configs.ts';

describe('retention configs', () => {
  it('retention.ms and retention.bytes take -1 (no limit) and up, nothing lower', () => {
    for (const name of ['retention.ms', 'retention.bytes']) {
      expect(topicConfigProblem(name, '-1')).toBeNull();
      expect(topicConfigProblem(name, '0')).toBeNull();
      expect(topicConfigProblem(name, '86400000')).toBeNull();
      expect(topicConfigProblem(name, '-2')).toMatch(/must be at least -1/);
      expect(topicConfigProblem(name, 'week')).toMatch(/must be an integer/);
    }
  });

  it('cleanup.policy delete is accepted; compact, alone or with delete, is refused as not built', () => {
    expect(topicConfigProblem('cleanup.policy', 'delete')).toBeNull();
    expect(topicConfigProblem('cleanup.policy', 'compact')).toMatch(/not built yet/);
    expect(topicConfigProblem('cleanup.policy', 'compact,delete')).toMatch(/not built yet/);
    expect(topicConfigProblem('cleanup.policy', 'shred')).toMatch(/must be delete, compact or both/);
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
