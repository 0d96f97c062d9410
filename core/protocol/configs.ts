// Configuration keys with Kafka's names and defaults (KafkaConfig, QuorumConfig, TopicConfig),
// plus a few `samsa.*` keys for simulation-only knobs. A Config reads typed values from a map
// of overrides and rejects unknown keys and wrong types with a message naming the key.

import { didYouMean } from './nearest-name.ts';

export type ConfigValue = string | number | boolean;

interface ConfigDef {
  type: 'int' | 'long' | 'boolean' | 'string' | 'double';
  default: ConfigValue;
  doc: string;
  /** The smallest value an int or long may take (0 when not given: no config here means anything negative). */
  min?: number;
}

/** Every key Samsa understands, with Kafka's default. */
export const CONFIG_DEFS = {
  // KRaft quorum (KIP-595)
  'controller.quorum.election.timeout.ms': { type: 'int', default: 1000, min: 1, doc: 'Max time without a leader before a voter starts an election.' },
  'controller.quorum.fetch.timeout.ms': {
    type: 'int',
    default: 2000,
    min: 1,
    doc: 'Max time without a successful fetch before a follower starts an election.',
  },
  'controller.quorum.election.backoff.max.ms': { type: 'int', default: 1000, doc: 'Max backoff before a failed candidate starts a new election.' },
  'controller.quorum.request.timeout.ms': { type: 'int', default: 2000, min: 1, doc: 'Time to wait for a quorum request response before retrying.' },
  'controller.quorum.retry.backoff.ms': { type: 'int', default: 20, min: 1, doc: 'Backoff before retrying a failed quorum request.' },
  'metadata.log.max.record.bytes.between.snapshots': {
    type: 'long',
    default: 20971520,
    min: 1,
    doc: 'Bytes of committed metadata records after which a snapshot is taken.',
  },
  'metadata.max.idle.interval.ms': {
    type: 'int',
    default: 500,
    doc: 'The active controller appends a NoOpRecord this often when idle, so the log (and every high watermark) keeps moving (KIP-835).',
  },
  // Broker lifecycle (KIP-631)
  'broker.heartbeat.interval.ms': { type: 'int', default: 2000, min: 1, doc: 'Time between broker heartbeats to the controller.' },
  'broker.session.timeout.ms': { type: 'int', default: 9000, min: 1, doc: 'A broker without a heartbeat for this long is fenced.' },
  // Topics and replication
  'auto.create.topics.enable': {
    type: 'boolean',
    default: true,
    doc: 'Whether a Metadata request that allows it creates a topic it names that does not exist (with num.partitions and default.replication.factor).',
  },
  'num.partitions': { type: 'int', default: 1, min: 1, doc: 'Default partition count of new topics.' },
  'default.replication.factor': { type: 'int', default: 1, min: 1, doc: 'Default replication factor of new topics.' },
  'min.insync.replicas': { type: 'int', default: 1, min: 1, doc: 'Minimum ISR size for acks=all writes.' },
  'unclean.leader.election.enable': { type: 'boolean', default: false, doc: 'Whether a replica outside the ISR may be elected leader.' },
  'replica.lag.time.max.ms': { type: 'long', default: 30000, doc: 'A follower not caught up for this long leaves the ISR.' },
  'replica.fetch.wait.max.ms': { type: 'int', default: 500, doc: 'How long a follower fetch waits at the leader for data.' },
  'replica.fetch.min.bytes': { type: 'int', default: 1, doc: 'Bytes a follower fetch waits for.' },
  'replica.fetch.max.bytes': { type: 'int', default: 1048576, doc: 'Bytes a follower fetches per partition.' },
  'replica.fetch.backoff.ms': { type: 'int', default: 1000, doc: 'Pause after a failed follower fetch.' },
  'replica.socket.timeout.ms': { type: 'int', default: 30000, min: 1, doc: 'How long a follower waits for a fetch response before retrying.' },
  'replica.high.watermark.checkpoint.interval.ms': { type: 'long', default: 5000, min: 1, doc: 'How often high watermarks are checkpointed to disk.' },
  'log.flush.interval.messages': {
    type: 'long',
    default: 9223372036854775807,
    min: 1,
    doc: 'Messages appended before a partition log is fsynced (default: never; durability comes from replication).',
  },
  'log.flush.interval.ms': { type: 'long', default: 9223372036854775807, doc: 'Milliseconds a partition log may stay unsynced (default: no limit).' },
  'log.flush.scheduler.interval.ms': { type: 'long', default: 9223372036854775807, min: 1, doc: 'How often logs are checked against log.flush.interval.ms.' },
  // Retention (the brokers' defaults for the topics' retention.ms and retention.bytes)
  'log.retention.check.interval.ms': {
    type: 'long',
    default: 300000,
    min: 1,
    doc: 'How often each partition log is checked for segments retention may delete.',
  },
  'log.retention.ms': {
    type: 'long',
    default: 604800000,
    min: -1,
    doc: 'Default retention.ms of topics (-1: no time limit); when set it wins over log.retention.minutes and log.retention.hours.',
  },
  'log.retention.minutes': {
    type: 'int',
    default: 10080,
    min: -1,
    doc: 'Default retention of topics in minutes, when log.retention.ms is not set; wins over log.retention.hours.',
  },
  'log.retention.hours': {
    type: 'int',
    default: 168,
    min: -1,
    doc: 'Default retention of topics in hours, when neither log.retention.ms nor log.retention.minutes is set.',
  },
  'log.retention.bytes': {
    type: 'long',
    default: -1,
    min: -1,
    doc: 'Default retention.bytes of topics: the most bytes a partition keeps (-1: no size limit).',
  },
  'log.flush.start.offset.checkpoint.interval.ms': {
    type: 'int',
    default: 60000,
    min: 0,
    doc: 'How often log start offsets are checkpointed to disk (a restart resumes from the last checkpoint).',
  },
  // Group coordinator (classic groups) and __consumer_offsets
  'offsets.topic.num.partitions': { type: 'int', default: 50, min: 1, doc: 'Partitions of __consumer_offsets, created on the first FindCoordinator.' },
  'offsets.topic.replication.factor': {
    type: 'int',
    default: 3,
    min: 1,
    doc: 'Replication factor of __consumer_offsets; creating it fails until the cluster has that many brokers.',
  },
  'offsets.commit.timeout.ms': {
    type: 'int',
    default: 5000,
    min: 1,
    doc: 'How long an offset commit waits for every ISR replica of its __consumer_offsets partition.',
  },
  'offset.metadata.max.bytes': { type: 'int', default: 4096, doc: 'Largest metadata string a committed offset may carry.' },
  'group.initial.rebalance.delay.ms': {
    type: 'int',
    default: 3000,
    doc: 'How long the first rebalance of an empty group waits for more members (extended by each, up to the rebalance timeout).',
  },
  'group.min.session.timeout.ms': { type: 'int', default: 6000, doc: 'Smallest session timeout a member may ask for.' },
  'group.max.session.timeout.ms': { type: 'int', default: 1800000, doc: 'Largest session timeout a member may ask for.' },
  'group.max.size': { type: 'int', default: 2147483647, min: 1, doc: 'Most members a group may have.' },
  // Simulation-only knobs
  'samsa.raft.flush.delay.ms': {
    type: 'int',
    default: 0,
    doc: 'Delay before the quorum leader fsyncs appended entries (0: at once, as Kafka does); models a slow fsync during which followers may fetch unflushed data.',
  },
  'samsa.group.load.delay.ms': {
    type: 'int',
    default: 10,
    doc: 'Time a new group coordinator takes to replay its __consumer_offsets partition (Kafka loads on a scheduler thread); requests hear COORDINATOR_LOAD_IN_PROGRESS meanwhile.',
  },
  'samsa.raft.fetch.max.wait.ms': { type: 'int', default: 500, doc: 'How long the quorum leader parks a fetch that has no new data.' },
} as const satisfies Record<string, ConfigDef>;

export type ConfigKey = keyof typeof CONFIG_DEFS;

/** A user error in configuration: an unknown key or a value of the wrong type. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export class Config {
  private readonly values: Map<string, ConfigValue>;

  constructor(overrides: Readonly<Record<string, ConfigValue>> = {}) {
    this.values = new Map();
    for (const [key, value] of Object.entries(overrides)) {
      const def = (CONFIG_DEFS as Record<string, ConfigDef>)[key];
      if (def === undefined) throw new ConfigError(unknownConfigMessage(key));
      this.values.set(key, coerce(key, def, value));
    }
  }

  int(key: ConfigKey): number {
    return this.get(key) as number;
  }

  bool(key: ConfigKey): boolean {
    return this.get(key) as boolean;
  }

  string(key: ConfigKey): string {
    return String(this.get(key));
  }

  /** The explicitly set values (for traces and headers). */
  overrides(): Record<string, ConfigValue> {
    return Object.fromEntries(this.values);
  }

  /** A copy with more overrides on top of these. */
  with(overrides: Readonly<Record<string, ConfigValue>>): Config {
    return new Config({ ...this.overrides(), ...overrides });
  }

  private get(key: ConfigKey): ConfigValue {
    return this.values.get(key) ?? CONFIG_DEFS[key].default;
  }
}

function coerce(key: string, def: ConfigDef, value: ConfigValue): ConfigValue {
  switch (def.type) {
    case 'int':
    case 'long': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      // A long may be Kafka's Long.MAX_VALUE ("never"), which a double holds only approximately.
      const ok = typeof n === 'number' && Number.isInteger(n) && (def.type === 'long' || Number.isSafeInteger(n));
      if (!ok) throw new ConfigError(`config "${key}" must be an integer, got ${JSON.stringify(value)}`);
      const min = def.min ?? 0;
      if (n < min) throw new ConfigError(`config "${key}" must be at least ${min}, got ${JSON.stringify(value)}`);
      return n;
    }
    case 'double': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isFinite(n)) throw new ConfigError(`config "${key}" must be a number, got ${JSON.stringify(value)}`);
      return n;
    }
    case 'boolean':
      if (value === true || value === 'true') return true;
      if (value === false || value === 'false') return false;
      throw new ConfigError(`config "${key}" must be true or false, got ${JSON.stringify(value)}`);
    case 'string':
      return String(value);
  }
}

/**
 * The brokers' default for topics' retention.ms (Kafka's logRetentionTimeMillis): log.retention.ms
 * when set, else log.retention.minutes when set, else log.retention.hours; any negative value is -1
 * (no time limit).
 */
export function brokerRetentionMs(config: Config): number {
  const set = config.overrides();
  const ms =
    set['log.retention.ms'] !== undefined
      ? config.int('log.retention.ms')
      : set['log.retention.minutes'] !== undefined
        ? config.int('log.retention.minutes') * 60_000
        : config.int('log.retention.hours') * 3_600_000;
  return ms < 0 ? -1 : ms;
}

/** The broker keys behind a topic's retention.ms, in Kafka's order of precedence. */
export const RETENTION_MS_SYNONYMS = ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'] as const;

/** `unknown config "x"`, with the broker config meant when it is a near miss, or where a topic config goes. */
function unknownConfigMessage(key: string): string {
  if (key in TOPIC_CONFIG_DEFAULTS) return `unknown config "${key}": it is a topic config (set it in the topic's config, not the broker's)`;
  return `unknown config "${key}"${didYouMean(key, Object.keys(CONFIG_DEFS))}`;
}

/** Topic-level configs (TopicConfig) with Kafka's defaults; a topic's config overrides these. */
export const TOPIC_CONFIG_DEFAULTS: Readonly<Record<string, string>> = {
  'cleanup.policy': 'delete',
  'retention.ms': '604800000',
  'retention.bytes': '-1',
  'segment.bytes': '1073741824',
  'segment.ms': '604800000',
  'min.insync.replicas': '1',
  'unclean.leader.election.enable': 'false',
  'flush.messages': '9223372036854775807',
  'flush.ms': '9223372036854775807',
  'max.message.bytes': '1048588',
  'message.timestamp.type': 'CreateTime',
  'compression.type': 'producer',
};

/**
 * Kafka topic configs that Samsa does not act on yet: a log is one segment, kept whole (no
 * compaction, segments, compression or size limits). Accepting them would promise what is not
 * there, so they are refused until the storage work builds them; so is cleanup.policy compact.
 */
export const TOPIC_CONFIGS_NOT_BUILT: ReadonlySet<string> = new Set([
  'segment.bytes',
  'segment.ms',
  'compression.type',
  'max.message.bytes',
  'message.timestamp.type',
]);

/** Why a topic config entry is invalid or refused, or null when it is fine. */
export function topicConfigProblem(name: string, value: string): string | null {
  if (!(name in TOPIC_CONFIG_DEFAULTS)) {
    if (name in CONFIG_DEFS) return `unknown topic config "${name}": it is a broker config (set it in the cluster's config, not the topic's)`;
    return `unknown topic config "${name}"${didYouMean(name, Object.keys(TOPIC_CONFIG_DEFAULTS))}`;
  }
  if (TOPIC_CONFIGS_NOT_BUILT.has(name) || (name === 'cleanup.policy' && value.split(',').includes('compact'))) {
    return `topic config "${name}" is not built yet: a Samsa log is one segment, kept whole (no compaction, segments, compression or size limits), so it refuses the setting rather than ignore it`;
  }
  const got = `, got ${JSON.stringify(value)}`;
  switch (name) {
    case 'unclean.leader.election.enable':
      return value === 'true' || value === 'false' ? null : `"${name}" must be true or false${got}`;
    case 'cleanup.policy':
      return value.split(',').every((p) => p === 'delete' || p === 'compact') ? null : `"${name}" must be delete, compact or both${got}`;
    case 'message.timestamp.type':
      return value === 'CreateTime' || value === 'LogAppendTime' ? null : `"${name}" must be CreateTime or LogAppendTime${got}`;
    case 'compression.type':
      return ['producer', 'uncompressed', 'gzip', 'snappy', 'lz4', 'zstd'].includes(value) ? null : `"${name}" has an unknown codec${got}`;
    default: {
      if (!/^-?\d+$/.test(value)) return `"${name}" must be an integer${got}`;
      const min = TOPIC_CONFIG_MIN[name] ?? 0;
      return BigInt(value) >= BigInt(min) ? null : `"${name}" must be at least ${min}${got}`;
    }
  }
}

/** Kafka's lower bounds on topic configs (LogConfig: min.insync.replicas and flush.messages at least 1, retention.ms and retention.bytes -1 for no limit); others at least 0. */
const TOPIC_CONFIG_MIN: Readonly<Record<string, number>> = { 'min.insync.replicas': 1, 'flush.messages': 1, 'retention.ms': -1, 'retention.bytes': -1 };
