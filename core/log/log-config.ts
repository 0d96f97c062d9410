// A partition log's segment settings (Kafka's LogConfig, the part the log itself acts on):
// segment.bytes (or Kafka's test-only internal.segment.bytes), segment.ms, segment.index.bytes and
// index.interval.bytes, from a topic's config over its broker's log.* synonyms, with Kafka's defaults.

import { effectiveTopicConfig, type Config } from '../protocol/configs.ts';

export interface LogConfig {
  /** segment.bytes: a segment rolls before an append would take it past this size. */
  segmentBytes: number;
  /** segment.ms: a segment rolls once its records span this long (by their timestamps). */
  segmentMs: number;
  /** segment.index.bytes: the size of each index, which bounds its entries (8 bytes each, 12 for time). */
  segmentIndexBytes: number;
  /** index.interval.bytes: how many log bytes lie between two offset-index entries. */
  indexIntervalBytes: number;
}

export const DEFAULT_LOG_CONFIG: Readonly<LogConfig> = {
  segmentBytes: 1_073_741_824,
  segmentMs: 604_800_000,
  segmentIndexBytes: 10_485_760,
  indexIntervalBytes: 4096,
};

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
