// A partition log's segment settings (Kafka's LogConfig, the part the log itself acts on):
// segment.bytes, segment.ms, segment.index.bytes and index.interval.bytes, with Kafka's defaults.

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
