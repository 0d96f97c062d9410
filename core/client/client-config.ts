// Producer and consumer configuration with Kafka's names and defaults (ProducerConfig,
// ConsumerConfig; linger.ms 5 as in Kafka 4.0, KIP-1030), parsed from plain key/value maps with
// errors that name the key, the value and what was expected.

import type { Acks } from '../protocol/data.ts';
import { ConfigError, type ConfigValue } from '../protocol/configs.ts';
import { didYouMean } from '../protocol/nearest-name.ts';
import type { AssignorName } from './assignors.ts';

/** A user error in a client's configuration. */
export class ClientConfigError extends ConfigError {
  constructor(message: string) {
    super(message);
    this.name = 'ClientConfigError';
  }
}

interface IntDef {
  type: 'int';
  default: number;
  min: number;
  max?: number;
  doc: string;
}
interface BoolDef {
  type: 'boolean';
  default: boolean;
  doc: string;
}
interface ChoiceDef {
  type: 'choice';
  default: string;
  /** Accepted spellings, each with its canonical value (an array: integer-like keys would reorder an object). */
  choices: ReadonlyArray<readonly [string, string]>;
  doc: string;
}
interface StringDef {
  type: 'string';
  /** null: not set (Kafka's null default). */
  default: string | null;
  doc: string;
}
interface ListDef {
  type: 'list';
  default: string;
  /** Accepted spellings of each element, each with its canonical value. */
  choices: ReadonlyArray<readonly [string, string]>;
  doc: string;
}
type Def = IntDef | BoolDef | ChoiceDef | StringDef | ListDef;

const INT32_MAX = 2147483647;

const COMMON_DEFS = {
  'request.timeout.ms': {
    type: 'int',
    default: 30000,
    min: 0,
    max: INT32_MAX,
    doc: 'How long to wait for a response before retrying the request elsewhere or failing it.',
  },
  'retry.backoff.ms': { type: 'int', default: 100, min: 0, doc: 'Wait before retrying a failed request.' },
  'metadata.max.age.ms': { type: 'int', default: 300000, min: 0, doc: 'Metadata older than this is refreshed even without an error.' },
} as const satisfies Record<string, Def>;

/** Every producer key Samsa understands, with Kafka's default. */
export const PRODUCER_CONFIG_DEFS = {
  acks: {
    type: 'choice',
    default: 'all',
    choices: [
      ['all', 'all'],
      ['-1', 'all'],
      ['1', '1'],
      ['0', '0'],
    ],
    doc: 'Acknowledgements the leader waits for: 0 none, 1 its own log, all the whole ISR.',
  },
  'linger.ms': { type: 'int', default: 5, min: 0, doc: 'How long a batch waits for more records before it is sent.' },
  'batch.size': { type: 'int', default: 16384, min: 0, max: INT32_MAX, doc: 'Bytes at which a partition batch is full and sent at once.' },
  'enable.idempotence': { type: 'boolean', default: true, doc: 'Producer ids and sequence numbers, so retries never duplicate (KIP-98).' },
  'max.in.flight.requests.per.connection': { type: 'int', default: 5, min: 1, max: INT32_MAX, doc: 'Unanswered Produce requests allowed per broker.' },
  retries: { type: 'int', default: INT32_MAX, min: 0, max: INT32_MAX, doc: 'How many times a batch is resent after a retriable error.' },
  'delivery.timeout.ms': { type: 'int', default: 120000, min: 0, max: INT32_MAX, doc: 'Upper bound from send() to success or failure (KIP-91).' },
  'partitioner.adaptive.partitioning.enable': {
    type: 'boolean',
    default: true,
    doc: 'Keyless records favour partitions with shorter queues of unsent batches (KIP-794).',
  },
  'partitioner.availability.timeout.ms': {
    type: 'int',
    default: 0,
    min: 0,
    doc: 'With adaptive partitioning, keyless records avoid brokers that have not taken a ready batch for this long (0: never).',
  },
  'partitioner.ignore.keys': { type: 'boolean', default: false, doc: 'Keyed records are partitioned as keyless ones, ignoring their key (KIP-794).' },
  ...COMMON_DEFS,
} as const satisfies Record<string, Def>;

/** Every consumer key Samsa understands, with Kafka's default. */
export const CONSUMER_CONFIG_DEFS = {
  'auto.offset.reset': {
    type: 'choice',
    default: 'latest',
    choices: [
      ['latest', 'latest'],
      ['earliest', 'earliest'],
      ['none', 'none'],
    ],
    doc: 'Where a partition without a valid position starts: latest, earliest, or none (an error).',
  },
  'fetch.min.bytes': { type: 'int', default: 1, min: 0, max: INT32_MAX, doc: 'Bytes the broker waits for before answering a fetch.' },
  'fetch.max.wait.ms': { type: 'int', default: 500, min: 0, max: INT32_MAX, doc: 'How long the broker may hold a fetch waiting for fetch.min.bytes.' },
  'max.partition.fetch.bytes': {
    type: 'int',
    default: 1048576,
    min: 0,
    max: INT32_MAX,
    doc: 'Bytes per partition per fetch (at least one batch is always returned).',
  },
  'fetch.max.bytes': { type: 'int', default: 52428800, min: 0, max: INT32_MAX, doc: 'Bytes per fetch response (at least one batch is always returned).' },
  'max.poll.records': { type: 'int', default: 500, min: 1, max: INT32_MAX, doc: 'Records returned by one poll at most.' },
  'isolation.level': {
    type: 'choice',
    default: 'read_uncommitted',
    choices: [
      ['read_uncommitted', 'read_uncommitted'],
      ['read_committed', 'read_committed'],
    ],
    doc: 'read_committed reads up to the last stable offset and drops the records of aborted transactions; the default reads every record.',
  },
  'group.id': { type: 'string', default: null, doc: 'The consumer group this consumer joins when it subscribes (and commits offsets for).' },
  'group.instance.id': { type: 'string', default: null, doc: 'A static member id (KIP-345): a restart within session.timeout.ms does not rebalance.' },
  'session.timeout.ms': { type: 'int', default: 45000, min: 1, max: INT32_MAX, doc: 'A member without a heartbeat for this long is removed from the group.' },
  'heartbeat.interval.ms': { type: 'int', default: 3000, min: 1, max: INT32_MAX, doc: 'Time between heartbeats to the group coordinator.' },
  'max.poll.interval.ms': {
    type: 'int',
    default: 300000,
    min: 1,
    max: INT32_MAX,
    doc: 'Longest time between poll() calls before the member leaves the group; also its rebalance timeout.',
  },
  'partition.assignment.strategy': {
    type: 'list',
    default: 'range,cooperative-sticky',
    choices: [
      ['range', 'range'],
      ['roundrobin', 'roundrobin'],
      ['sticky', 'sticky'],
      ['cooperative-sticky', 'cooperative-sticky'],
      ['org.apache.kafka.clients.consumer.RangeAssignor', 'range'],
      ['org.apache.kafka.clients.consumer.RoundRobinAssignor', 'roundrobin'],
      ['org.apache.kafka.clients.consumer.StickyAssignor', 'sticky'],
      ['org.apache.kafka.clients.consumer.CooperativeStickyAssignor', 'cooperative-sticky'],
    ],
    doc: 'The assignors this member supports, in order of preference (the group uses one every member supports).',
  },
  'enable.auto.commit': { type: 'boolean', default: true, doc: 'Commit the positions poll() returned every auto.commit.interval.ms and before a rebalance.' },
  'auto.commit.interval.ms': { type: 'int', default: 5000, min: 0, max: INT32_MAX, doc: 'How often positions are committed with enable.auto.commit.' },
  ...COMMON_DEFS,
} as const satisfies Record<string, Def>;

export type ProducerConfigKey = keyof typeof PRODUCER_CONFIG_DEFS;
export type ConsumerConfigKey = keyof typeof CONSUMER_CONFIG_DEFS;

export interface ProducerConfig {
  acks: Acks;
  lingerMs: number;
  batchSize: number;
  enableIdempotence: boolean;
  maxInFlightRequestsPerConnection: number;
  retries: number;
  retryBackoffMs: number;
  deliveryTimeoutMs: number;
  requestTimeoutMs: number;
  metadataMaxAgeMs: number;
  adaptivePartitioning: boolean;
  partitionAvailabilityTimeoutMs: number;
  partitionerIgnoreKeys: boolean;
}

export type AutoOffsetReset = 'latest' | 'earliest' | 'none';

export interface ConsumerConfig {
  autoOffsetReset: AutoOffsetReset;
  fetchMinBytes: number;
  fetchMaxWaitMs: number;
  maxPartitionFetchBytes: number;
  fetchMaxBytes: number;
  maxPollRecords: number;
  isolationLevel: 'read_uncommitted' | 'read_committed';
  requestTimeoutMs: number;
  retryBackoffMs: number;
  metadataMaxAgeMs: number;
  groupId: string | null;
  groupInstanceId: string | null;
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  maxPollIntervalMs: number;
  assignors: AssignorName[];
  enableAutoCommit: boolean;
  autoCommitIntervalMs: number;
}

/** Parses producer settings; throws ClientConfigError naming the first bad key. */
export function parseProducerConfig(overrides: Readonly<Record<string, ConfigValue>> = {}): ProducerConfig {
  const v = parse('producer', PRODUCER_CONFIG_DEFS, CONSUMER_CONFIG_DEFS, overrides);
  const acks: Acks = v['acks'] === 'all' ? -1 : v['acks'] === '1' ? 1 : 0;
  const maxInFlight = v['max.in.flight.requests.per.connection'] as number;
  const retries = v['retries'] as number;
  // Kafka's rule (ProducerConfig.postProcessAndValidateIdempotenceConfigs): idempotence set on
  // purpose must fit the other settings; idempotence by default quietly yields to them.
  let idempotence = v['enable.idempotence'] as boolean;
  const conflicts: string[] = [];
  if (acks !== -1) conflicts.push(`acks must be all (got ${String(overrides['acks'])})`);
  if (maxInFlight > 5) conflicts.push(`max.in.flight.requests.per.connection must be at most 5 (got ${maxInFlight})`);
  if (retries === 0) conflicts.push('retries must not be 0');
  if (idempotence && conflicts.length > 0) {
    if ('enable.idempotence' in overrides) throw new ClientConfigError(`enable.idempotence=true needs ${conflicts.join(', and ')}`);
    idempotence = false;
  }
  const lingerMs = v['linger.ms'] as number;
  const requestTimeoutMs = v['request.timeout.ms'] as number;
  let deliveryTimeoutMs = v['delivery.timeout.ms'] as number;
  // Kafka's rule too: a batch must be allowed to linger and then wait out one request.
  if (deliveryTimeoutMs < lingerMs + requestTimeoutMs) {
    if ('delivery.timeout.ms' in overrides) {
      throw new ClientConfigError(
        `delivery.timeout.ms (${deliveryTimeoutMs}) must be at least linger.ms + request.timeout.ms (${lingerMs} + ${requestTimeoutMs} = ${lingerMs + requestTimeoutMs})`,
      );
    }
    deliveryTimeoutMs = lingerMs + requestTimeoutMs;
  }
  return {
    acks,
    lingerMs,
    batchSize: v['batch.size'] as number,
    enableIdempotence: idempotence,
    maxInFlightRequestsPerConnection: maxInFlight,
    retries,
    retryBackoffMs: v['retry.backoff.ms'] as number,
    deliveryTimeoutMs,
    requestTimeoutMs,
    metadataMaxAgeMs: v['metadata.max.age.ms'] as number,
    adaptivePartitioning: v['partitioner.adaptive.partitioning.enable'] as boolean,
    partitionAvailabilityTimeoutMs: v['partitioner.availability.timeout.ms'] as number,
    partitionerIgnoreKeys: v['partitioner.ignore.keys'] as boolean,
  };
}

/** Parses consumer settings; throws ClientConfigError naming the first bad key. */
export function parseConsumerConfig(overrides: Readonly<Record<string, ConfigValue>> = {}): ConsumerConfig {
  const v = parse('consumer', CONSUMER_CONFIG_DEFS, PRODUCER_CONFIG_DEFS, overrides);
  const config: ConsumerConfig = {
    autoOffsetReset: v['auto.offset.reset'] as AutoOffsetReset,
    fetchMinBytes: v['fetch.min.bytes'] as number,
    fetchMaxWaitMs: v['fetch.max.wait.ms'] as number,
    maxPartitionFetchBytes: v['max.partition.fetch.bytes'] as number,
    fetchMaxBytes: v['fetch.max.bytes'] as number,
    maxPollRecords: v['max.poll.records'] as number,
    isolationLevel: v['isolation.level'] as ConsumerConfig['isolationLevel'],
    requestTimeoutMs: v['request.timeout.ms'] as number,
    retryBackoffMs: v['retry.backoff.ms'] as number,
    metadataMaxAgeMs: v['metadata.max.age.ms'] as number,
    groupId: v['group.id'] as string | null,
    groupInstanceId: v['group.instance.id'] as string | null,
    sessionTimeoutMs: v['session.timeout.ms'] as number,
    heartbeatIntervalMs: v['heartbeat.interval.ms'] as number,
    maxPollIntervalMs: v['max.poll.interval.ms'] as number,
    assignors: (v['partition.assignment.strategy'] as string).split(',') as AssignorName[],
    enableAutoCommit: v['enable.auto.commit'] as boolean,
    autoCommitIntervalMs: v['auto.commit.interval.ms'] as number,
  };
  // Kafka's GroupRebalanceConfig: a heartbeat must come before the session ends.
  if (config.groupId !== null && config.heartbeatIntervalMs >= config.sessionTimeoutMs) {
    throw new ClientConfigError(
      `consumer config "heartbeat.interval.ms" (${config.heartbeatIntervalMs}) must be lower than "session.timeout.ms" (${config.sessionTimeoutMs})`,
    );
  }
  return config;
}

/**
 * What is wrong with one entry of a client's config on its own (an unknown key, a bad value, a
 * setting not built), or null; rules between entries are left to the parse of the whole config.
 */
export function clientConfigEntryProblem(role: 'producer' | 'consumer', key: string, value: ConfigValue): string | null {
  try {
    if (role === 'producer') parse(role, PRODUCER_CONFIG_DEFS, CONSUMER_CONFIG_DEFS, { [key]: value });
    else parse(role, CONSUMER_CONFIG_DEFS, PRODUCER_CONFIG_DEFS, { [key]: value });
    return null;
  } catch (err) {
    if (err instanceof ClientConfigError) return err.message;
    throw err;
  }
}

function parse(
  role: 'producer' | 'consumer',
  defs: Readonly<Record<string, Def>>,
  otherDefs: Readonly<Record<string, Def>>,
  overrides: Readonly<Record<string, ConfigValue>>,
): Record<string, ConfigValue | null> {
  if (overrides === null || typeof overrides !== 'object' || Array.isArray(overrides)) {
    throw new ClientConfigError(`${role} config must be a map of Kafka config names to values`);
  }
  const values: Record<string, ConfigValue | null> = {};
  for (const [key, def] of Object.entries(defs)) values[key] = def.default;
  for (const [key, value] of Object.entries(overrides)) {
    const def = defs[key];
    if (def === undefined) throw new ClientConfigError(unknownKeyMessage(role, key, defs, otherDefs));
    values[key] = coerce(role, key, def, value);
  }
  return values;
}

function coerce(role: string, key: string, def: Def, value: ConfigValue): ConfigValue {
  const shown = JSON.stringify(value);
  switch (def.type) {
    case 'int': {
      const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : NaN;
      if (!Number.isSafeInteger(n)) throw new ClientConfigError(`${role} config "${key}" must be an integer, got ${shown}`);
      if (n < def.min) throw new ClientConfigError(`${role} config "${key}" must be at least ${def.min}, got ${shown}`);
      if (def.max !== undefined && n > def.max) throw new ClientConfigError(`${role} config "${key}" must be at most ${def.max}, got ${shown}`);
      return n;
    }
    case 'boolean':
      if (value === true || value === 'true') return true;
      if (value === false || value === 'false') return false;
      throw new ClientConfigError(`${role} config "${key}" must be true or false, got ${shown}`);
    case 'string':
      if (typeof value === 'string' && value !== '') return value;
      throw new ClientConfigError(`${role} config "${key}" must be a non-empty string, got ${shown}`);
    case 'list': {
      const items = typeof value === 'string' ? value.split(',').map((x) => x.trim()) : [];
      const canonical = items.map((item) => def.choices.find(([spelling]) => spelling === item)?.[1]);
      if (items.length === 0 || canonical.some((c) => c === undefined)) {
        throw new ClientConfigError(
          `${role} config "${key}" must be a comma-separated list of ${[...new Set(def.choices.map(([, c]) => c))].join(', ')}; got ${shown}`,
        );
      }
      return [...new Set(canonical)].join(',');
    }
    case 'choice': {
      const spelled = typeof value === 'boolean' ? undefined : String(value).trim();
      const found = def.choices.find(([spelling]) => spelling === spelled);
      if (found === undefined) {
        throw new ClientConfigError(`${role} config "${key}" must be one of ${def.choices.map(([spelling]) => spelling).join(', ')}; got ${shown}`);
      }
      return found[1];
    }
  }
}

function unknownKeyMessage(role: string, key: string, defs: Readonly<Record<string, Def>>, otherDefs: Readonly<Record<string, Def>>): string {
  const other = role === 'producer' ? 'consumer' : 'producer';
  if (key in otherDefs) return `"${key}" is a ${other} config, not a ${role} config`;
  return `unknown ${role} config "${key}"${didYouMean(key, Object.keys(defs))}; known: ${Object.keys(defs).join(', ')}`;
}
