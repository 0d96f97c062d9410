// Configuration keys with Kafka's names and defaults (KafkaConfig, QuorumConfig, TopicConfig),
// plus a few `samsa.*` keys for simulation-only knobs. A Config reads typed values from a map
// of overrides and rejects unknown keys and wrong types with a message naming the key.

import { didYouMean } from './nearest-name.ts';

export type ConfigValue = string | number | boolean;

interface ConfigDef {
  type: 'int' | 'long' | 'boolean' | 'string' | 'double' | 'list';
  default: ConfigValue;
  doc: string;
  /** The smallest value an int, long or double may take (0 when not given: no config here means anything negative). */
  min?: number;
  /** The largest value a double may take (Kafka's between(0, 1)). */
  max?: number;
  /** The values a string may take, or each item of a comma-separated list (Kafka's ValidString.in / ValidList.in). */
  valid?: readonly string[];
  /** Kafka's default is null (another config gives the value): a topic's synonyms list no default for it. */
  unsetByDefault?: true;
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
    unsetByDefault: true,
    doc: 'Default retention.ms of topics (-1: no time limit); when set it wins over log.retention.minutes and log.retention.hours.',
  },
  'log.retention.minutes': {
    type: 'int',
    default: 10080,
    min: -1,
    unsetByDefault: true,
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
  // Broker defaults of topic configs (ServerLogConfigs, CleanerConfig): a topic without its own value takes these
  'log.segment.bytes': { type: 'int', default: 1073741824, min: 1048576, doc: 'The largest size of a log segment file (segment.bytes).' },
  'log.roll.ms': {
    type: 'long',
    default: 604800000,
    min: 1,
    unsetByDefault: true,
    doc: 'The longest time before a new log segment is rolled (segment.ms); when not set, log.roll.hours gives it.',
  },
  'log.roll.hours': { type: 'int', default: 168, min: 1, doc: 'The longest time in hours before a new log segment is rolled, secondary to log.roll.ms.' },
  'log.index.size.max.bytes': { type: 'int', default: 10485760, min: 4, doc: "The largest size of a segment's offset index (segment.index.bytes)." },
  'log.index.interval.bytes': { type: 'int', default: 4096, doc: 'Bytes appended between two offset index entries (index.interval.bytes).' },
  'log.segment.delete.delay.ms': { type: 'long', default: 60000, doc: "How long a deleted segment's files stay before removal (file.delete.delay.ms)." },
  'log.cleanup.policy': { type: 'list', default: 'delete', valid: ['delete', 'compact'], doc: 'How old segments are discarded: delete, compact, or both.' },
  'log.cleaner.enable': { type: 'boolean', default: true, doc: 'Whether the log cleaner compacts topics whose cleanup.policy has compact.' },
  'log.cleaner.backoff.ms': { type: 'long', default: 15000, doc: 'How long the cleaner sleeps when no log is cleanable.' },
  'log.cleaner.min.cleanable.ratio': {
    type: 'double',
    default: 0.5,
    min: 0,
    max: 1,
    doc: 'The dirty share of a log above which it is cleaned (min.cleanable.dirty.ratio).',
  },
  'log.cleaner.min.compaction.lag.ms': { type: 'long', default: 0, doc: 'How long a record stays uncompacted (min.compaction.lag.ms).' },
  'log.cleaner.max.compaction.lag.ms': {
    type: 'long',
    default: 9223372036854775807,
    min: 1,
    doc: 'How long a record may stay uncompacted (max.compaction.lag.ms).',
  },
  'log.cleaner.delete.retention.ms': { type: 'long', default: 86400000, doc: 'How long tombstones are kept after compaction (delete.retention.ms).' },
  'log.message.timestamp.type': {
    type: 'string',
    default: 'CreateTime',
    valid: ['CreateTime', 'LogAppendTime'],
    doc: "Whose clock stamps records: the producer's (CreateTime) or the leader's on append (LogAppendTime).",
  },
  'compression.type': {
    type: 'string',
    default: 'producer',
    valid: ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'],
    doc: 'The codec batches are stored with (producer: as the producer sent them).',
  },
  'message.max.bytes': { type: 'int', default: 1048588, doc: 'The largest record batch a topic accepts (max.message.bytes).' },
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
  // Transaction coordinator and __transaction_state (KIP-98, TransactionStateManagerConfig, TransactionLogConfig)
  'transaction.state.log.num.partitions': {
    type: 'int',
    default: 50,
    min: 1,
    doc: 'Partitions of __transaction_state, created on the first FindCoordinator for a transactional id.',
  },
  'transaction.state.log.replication.factor': {
    type: 'int',
    default: 3,
    min: 1,
    doc: 'Replication factor of __transaction_state; creating it fails until the cluster has that many brokers.',
  },
  'transaction.state.log.min.isr': { type: 'int', default: 2, min: 1, doc: 'min.insync.replicas of __transaction_state.' },
  'transaction.state.log.segment.bytes': { type: 'int', default: 104857600, min: 1, doc: 'segment.bytes of __transaction_state.' },
  'transaction.max.timeout.ms': {
    type: 'int',
    default: 900000,
    min: 1,
    doc: 'The longest transaction.timeout.ms a producer may ask for (INVALID_TRANSACTION_TIMEOUT beyond).',
  },
  'transactional.id.expiration.ms': {
    type: 'int',
    default: 604800000,
    min: 1,
    doc: 'A transactional id without a transaction for this long is expired by its coordinator.',
  },
  'transaction.abort.timed.out.transaction.cleanup.interval.ms': {
    type: 'int',
    default: 10000,
    min: 1,
    doc: 'How often the coordinator aborts transactions older than their timeout.',
  },
  'transaction.remove.expired.transaction.cleanup.interval.ms': {
    type: 'int',
    default: 3600000,
    min: 1,
    doc: 'How often the coordinator removes expired transactional ids.',
  },
  'transaction.partition.verification.enable': {
    type: 'boolean',
    default: true,
    doc: "KIP-890 part 1: a leader asks the transaction coordinator before a producer's first transactional write to a partition.",
  },
  'request.timeout.ms': {
    type: 'int',
    default: 30000,
    min: 1,
    doc: "How long the transaction coordinator waits for a write to __transaction_state or for a leader's answer to WriteTxnMarkers.",
  },
  'producer.id.expiration.ms': {
    type: 'int',
    default: 86400000,
    min: 1,
    doc: "A partition forgets an idempotent producer's state this long after its last write (KIP-854).",
  },
  'authorizer.class.name': {
    type: 'string',
    default: '',
    valid: ['', 'org.apache.kafka.metadata.authorizer.StandardAuthorizer'],
    doc: 'The authorizer: empty for none (every request allowed, the ACL APIs answer SECURITY_DISABLED), or StandardAuthorizer (ACLs kept in the metadata log).',
  },
  'super.users': {
    type: 'string',
    default: '',
    doc: 'Principals allowed everything whatever the ACLs say, separated by semicolons (User:admin;User:broker).',
  },
  'allow.everyone.if.no.acl.found': {
    type: 'boolean',
    default: false,
    doc: 'Whether a resource that no ACL names is open to everyone (true) or to super users only (false).',
  },
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
  'samsa.txn.load.delay.ms': {
    type: 'int',
    default: 10,
    doc: 'Time a new transaction coordinator takes to replay its __transaction_state partition; requests hear COORDINATOR_LOAD_IN_PROGRESS meanwhile.',
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

  double(key: ConfigKey): number {
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
      if ((def.min !== undefined && n < def.min) || (def.max !== undefined && n > def.max))
        throw new ConfigError(`config "${key}" must be between ${def.min ?? '-Infinity'} and ${def.max ?? 'Infinity'}, got ${JSON.stringify(value)}`);
      return n;
    }
    case 'boolean':
      if (value === true || value === 'true') return true;
      if (value === false || value === 'false') return false;
      throw new ConfigError(`config "${key}" must be true or false, got ${JSON.stringify(value)}`);
    case 'string': {
      const text = String(value);
      if (def.valid !== undefined && !def.valid.includes(text))
        throw new ConfigError(`config "${key}" must be one of ${def.valid.join(', ')}, got ${JSON.stringify(value)}`);
      return text;
    }
    case 'list': {
      const items = String(value)
        .split(',')
        .map((item) => item.trim());
      const bad = def.valid === undefined ? undefined : items.find((item) => !def.valid!.includes(item));
      if (bad !== undefined) throw new ConfigError(`config "${key}" must be a comma-separated list of ${def.valid!.join(', ')}, got ${JSON.stringify(value)}`);
      return items.join(',');
    }
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

/** `unknown config "x"`, with the broker config meant when it is a near miss, or where a topic config goes. */
function unknownConfigMessage(key: string): string {
  if (key in TOPIC_CONFIG_DEFAULTS) return `unknown config "${key}": it is a topic config (set it in the topic's config, not the broker's)`;
  return `unknown config "${key}"${didYouMean(key, Object.keys(CONFIG_DEFS))}`;
}

/** A broker config a topic without its own value inherits (Kafka's ServerTopicConfigSynonyms), scaled to the topic's unit. */
export interface BrokerSynonym {
  name: ConfigKey;
  /** The topic value is the broker value times this (log.roll.hours to segment.ms); 1 when absent. */
  scale?: number;
}

export interface TopicConfigDef extends ConfigDef {
  /** The broker configs it falls back to, first set first (Kafka's order); none: the topic default. */
  synonyms: readonly BrokerSynonym[];
  /** Accepted but never listed (Kafka's defineInternal): DescribeConfigs leaves it out. */
  internal?: true;
}

const LONG_MAX_VALUE = 9223372036854775807;
const HOUR_MS = 3600000;

/** Topic-level configs (TopicConfig, LogConfig) with Kafka's types, defaults, bounds and broker synonyms. */
export const TOPIC_CONFIG_DEFS: Readonly<Record<string, TopicConfigDef>> = {
  'cleanup.policy': {
    type: 'list',
    default: 'delete',
    valid: ['delete', 'compact'],
    synonyms: [{ name: 'log.cleanup.policy' }],
    doc: 'How old log segments are discarded: delete, compact, or both.',
  },
  'retention.ms': {
    type: 'long',
    default: 604800000,
    min: -1,
    // Kafka's precedence: log.retention.ms, then .minutes, then .hours (brokerRetentionMs).
    synonyms: [{ name: 'log.retention.ms' }, { name: 'log.retention.minutes', scale: 60_000 }, { name: 'log.retention.hours', scale: 3_600_000 }],
    doc: 'How long a record is kept before it may be deleted (-1: no limit).',
  },
  'retention.bytes': {
    type: 'long',
    default: -1,
    min: -LONG_MAX_VALUE,
    synonyms: [{ name: 'log.retention.bytes' }],
    doc: 'How many bytes a partition keeps before old segments may be deleted (-1: no limit).',
  },
  'segment.bytes': {
    type: 'int',
    default: 1073741824,
    min: 1048576,
    synonyms: [{ name: 'log.segment.bytes' }],
    doc: 'The size of a log segment file; the log rolls a new segment past it.',
  },
  'internal.segment.bytes': {
    type: 'int',
    default: 0,
    min: 1,
    internal: true,
    synonyms: [],
    doc: "Kafka's segment size for tests (below segment.bytes' 1 MiB floor); overrides segment.bytes when set.",
  },
  'segment.ms': {
    type: 'long',
    default: 604800000,
    min: 1,
    synonyms: [{ name: 'log.roll.ms' }, { name: 'log.roll.hours', scale: HOUR_MS }],
    doc: 'How long before a log segment is rolled even when it is not full.',
  },
  'segment.index.bytes': {
    type: 'int',
    default: 10485760,
    min: 4,
    synonyms: [{ name: 'log.index.size.max.bytes' }],
    doc: "The size of a segment's offset index; a full index rolls the segment.",
  },
  'index.interval.bytes': {
    type: 'int',
    default: 4096,
    synonyms: [{ name: 'log.index.interval.bytes' }],
    doc: 'Bytes appended between two offset index entries.',
  },
  'min.cleanable.dirty.ratio': {
    type: 'double',
    default: 0.5,
    min: 0,
    max: 1,
    synonyms: [{ name: 'log.cleaner.min.cleanable.ratio' }],
    doc: 'The dirty share of the log above which the cleaner compacts it.',
  },
  'min.compaction.lag.ms': {
    type: 'long',
    default: 0,
    synonyms: [{ name: 'log.cleaner.min.compaction.lag.ms' }],
    doc: 'How long a record stays uncompacted at least.',
  },
  'max.compaction.lag.ms': {
    type: 'long',
    default: LONG_MAX_VALUE,
    min: 1,
    synonyms: [{ name: 'log.cleaner.max.compaction.lag.ms' }],
    doc: 'How long a record may stay uncompacted at most.',
  },
  'delete.retention.ms': {
    type: 'long',
    default: 86400000,
    synonyms: [{ name: 'log.cleaner.delete.retention.ms' }],
    doc: 'How long tombstones of a compacted topic are kept.',
  },
  'file.delete.delay.ms': {
    type: 'long',
    default: 60000,
    synonyms: [{ name: 'log.segment.delete.delay.ms' }],
    doc: "How long a deleted segment's files stay before removal.",
  },
  'min.insync.replicas': { type: 'int', default: 1, min: 1, synonyms: [{ name: 'min.insync.replicas' }], doc: 'Minimum ISR size for acks=all writes.' },
  'unclean.leader.election.enable': {
    type: 'boolean',
    default: false,
    synonyms: [{ name: 'unclean.leader.election.enable' }],
    doc: 'Whether a replica outside the ISR may be elected leader.',
  },
  'flush.messages': {
    type: 'long',
    default: LONG_MAX_VALUE,
    min: 1,
    synonyms: [{ name: 'log.flush.interval.messages' }],
    doc: 'Messages appended before the partition log is fsynced.',
  },
  'flush.ms': {
    type: 'long',
    default: LONG_MAX_VALUE,
    synonyms: [{ name: 'log.flush.interval.ms' }],
    doc: 'Milliseconds the partition log may stay unsynced.',
  },
  'max.message.bytes': {
    type: 'int',
    default: 1048588,
    synonyms: [{ name: 'message.max.bytes' }],
    doc: 'The largest record batch the topic accepts (MESSAGE_TOO_LARGE past it).',
  },
  'message.timestamp.type': {
    type: 'string',
    default: 'CreateTime',
    valid: ['CreateTime', 'LogAppendTime'],
    synonyms: [{ name: 'log.message.timestamp.type' }],
    doc: "Whose clock stamps records: the producer's (CreateTime) or the leader's on append (LogAppendTime).",
  },
  'compression.type': {
    type: 'string',
    default: 'producer',
    valid: ['uncompressed', 'zstd', 'lz4', 'snappy', 'gzip', 'producer'],
    synonyms: [{ name: 'compression.type' }],
    doc: 'The codec the topic stores batches with (producer: as they came; another codec: the leader re-encodes).',
  },
};

/** Every topic config Kafka lists, with its default as a string; a topic's config overrides these. */
export const TOPIC_CONFIG_DEFAULTS: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(TOPIC_CONFIG_DEFS)
    .filter(([, def]) => def.internal !== true)
    .map(([name, def]) => [name, configText(def.default)]),
);

/** Why a topic config entry is invalid or refused, or null when it is fine. */
export function topicConfigProblem(name: string, value: string): string | null {
  const def = TOPIC_CONFIG_DEFS[name];
  if (def === undefined) {
    if (name in CONFIG_DEFS) return `unknown topic config "${name}": it is a broker config (set it in the cluster's config, not the topic's)`;
    return `unknown topic config "${name}"${didYouMean(name, Object.keys(TOPIC_CONFIG_DEFAULTS))}`;
  }
  const got = `, got ${JSON.stringify(value)}`;
  if (def.type === 'int' || def.type === 'long') {
    // Decimal digits only, within the Java type's range (a double would round a long past 2^53).
    if (!/^-?\d+$/.test(value.trim())) return `"${name}" must be an integer${got}`;
    const n = BigInt(value.trim());
    const bits = def.type === 'int' ? 31n : 63n;
    if (n >= 1n << bits || n < -(1n << bits)) return `"${name}" must fit in ${def.type === 'int' ? 'an int' : 'a long'}${got}`;
    const min = def.min ?? 0;
    return n >= BigInt(min) ? null : `"${name}" must be at least ${min}${got}`;
  }
  try {
    coerce(name, def, value);
    return null;
  } catch (err) {
    if (err instanceof ConfigError) return err.message.replace(/^config /, '');
    throw err;
  }
}

/**
 * A topic config's value as the topic's partitions use it (Kafka's LogConfig over the broker's
 * config): the topic's own value, else the first broker synonym the broker sets (scaled to the
 * topic's unit), else Kafka's default.
 */
export function effectiveTopicConfig(name: string, topicConfig: Readonly<Record<string, string>>, broker: Config): string {
  const own = topicConfig[name];
  if (own !== undefined) return own;
  return brokerTopicDefault(name, broker)?.value ?? configText(TOPIC_CONFIG_DEFS[name]!.default);
}

const OVERRIDES = new WeakMap<Config, Readonly<Record<string, ConfigValue>>>();

/** The broker synonym that gives a topic config its value when the topic has none, when the broker sets one. */
export function brokerTopicDefault(name: string, broker: Config): { synonym: ConfigKey; value: string } | null {
  // A Config never changes: its overrides are read once (brokers ask for every partition on every image).
  let set = OVERRIDES.get(broker);
  if (set === undefined) OVERRIDES.set(broker, (set = broker.overrides()));
  for (const synonym of TOPIC_CONFIG_DEFS[name]?.synonyms ?? []) {
    const value = set[synonym.name];
    if (value === undefined) continue;
    const scaled = synonym.scale === undefined ? value : Number(value) * synonym.scale;
    return { synonym: synonym.name, value: configText(scaled) };
  }
  return null;
}

/** A config value as Kafka prints it: a long past 2^53 (Long.MAX_VALUE, "never", held as 2^63) as the long it stands for. */
export function configText(value: ConfigValue): string {
  if (typeof value !== 'number' || !Number.isInteger(value) || Number.isSafeInteger(value)) return String(value);
  const n = BigInt(value);
  const max = 9223372036854775807n;
  const min = -9223372036854775808n;
  return (n > max ? max : n < min ? min : n).toString();
}
