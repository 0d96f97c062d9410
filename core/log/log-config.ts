// A partition log's settings (the part of Kafka's LogConfig the segmented log reads) from a topic's
// config over its broker's: segment.bytes (or Kafka's test-only internal.segment.bytes), segment.ms,
// segment.index.bytes and index.interval.bytes, each falling back to the broker's log.* synonym.

import { effectiveTopicConfig, type Config } from '../protocol/configs.ts';

export interface LogConfig {
  segmentBytes: number;
  segmentMs: number;
  segmentIndexBytes: number;
  indexIntervalBytes: number;
}

/** The log config of a partition of a topic with `topicConfig` (its own values) on a broker with `brokerConfig`. */
export function logConfigOf(topicConfig: Readonly<Record<string, string>>, brokerConfig: Config): LogConfig {
  const value = (name: string) => Number(effectiveTopicConfig(name, topicConfig, brokerConfig));
  const internal = topicConfig['internal.segment.bytes'];
  return {
    segmentBytes: internal === undefined ? value('segment.bytes') : Number(internal),
    segmentMs: value('segment.ms'),
    segmentIndexBytes: value('segment.index.bytes'),
    indexIntervalBytes: value('index.interval.bytes'),
  };
}
