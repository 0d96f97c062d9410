// logConfigOf: a partition's segment settings from its topic's config over its broker's, as Kafka's LogConfig builds them.

import { describe, expect, it } from 'vitest';
import { logConfigOf } from '../../core/log/log-config.ts';
import { Config } from '../../core/protocol/configs.ts';

describe('logConfigOf', () => {
  it("Kafka's defaults when neither the topic nor the broker sets anything", () => {
    expect(logConfigOf({}, new Config())).toEqual({ segmentBytes: 1073741824, segmentMs: 604800000, segmentIndexBytes: 10485760, indexIntervalBytes: 4096 });
  });

  it("the broker's log.* synonyms, log.roll.hours in hours and log.roll.ms over it", () => {
    const broker = new Config({ 'log.segment.bytes': 2097152, 'log.roll.hours': 1, 'log.index.size.max.bytes': 1024, 'log.index.interval.bytes': 10 });
    expect(logConfigOf({}, broker)).toEqual({ segmentBytes: 2097152, segmentMs: 3600000, segmentIndexBytes: 1024, indexIntervalBytes: 10 });
    expect(logConfigOf({}, broker.with({ 'log.roll.ms': 500 })).segmentMs).toBe(500);
  });

  it("the topic's own values over the broker's; internal.segment.bytes over segment.bytes", () => {
    const broker = new Config({ 'log.segment.bytes': 2097152, 'log.roll.ms': 500 });
    const topic = { 'segment.bytes': '3145728', 'segment.ms': '60000', 'segment.index.bytes': '80', 'index.interval.bytes': '0' };
    expect(logConfigOf(topic, broker)).toEqual({ segmentBytes: 3145728, segmentMs: 60000, segmentIndexBytes: 80, indexIntervalBytes: 0 });
    expect(logConfigOf({ ...topic, 'internal.segment.bytes': '1000' }, broker).segmentBytes).toBe(1000);
  });
});
