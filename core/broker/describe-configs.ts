// DescribeConfigs (KIP-133; sources and synonyms KIP-226; types and documentation KIP-569) answered as
// Kafka's ConfigHelper answers it: topic configs from the metadata image over the broker's own values.

import type { MetadataImage } from '../controller/image.ts';
import type { NodeId } from '../env.ts';
import {
  brokerRetentionMs,
  CONFIG_DEFS,
  RETENTION_MS_SYNONYMS,
  TOPIC_CONFIG_DEFAULTS,
  TOPIC_CONFIGS_NOT_BUILT,
  type Config,
  type ConfigKey,
  type ConfigValue,
} from '../protocol/configs.ts';
import {
  ConfigResourceType,
  ConfigSource,
  ConfigType,
  type DescribeConfigsEntry,
  type DescribeConfigsRequest,
  type DescribeConfigsResource,
  type DescribeConfigsResponse,
  type DescribeConfigsResult,
  type DescribeConfigsSynonym,
} from '../protocol/data.ts';
import { ErrorCode } from '../protocol/errors.ts';

/** What a broker describes from: its id, its static config and the metadata image it has applied. */
export interface ConfigSources {
  brokerId: NodeId;
  config: Config;
  image: MetadataImage | null;
}

interface TopicConfigInfo {
  type: number;
  doc: string;
  /** The broker config a topic without its own value inherits (Kafka's ServerTopicConfigSynonyms), when Samsa has it. */
  brokerSynonym?: ConfigKey;
}

const TOPIC_CONFIGS: Readonly<Record<string, TopicConfigInfo>> = {
  'cleanup.policy': { type: ConfigType.LIST, doc: 'How old log segments are discarded: delete, compact, or both (compact is not built in Samsa yet).' },
  'retention.ms': { type: ConfigType.LONG, doc: 'How long a record is kept before it may be deleted (-1: no limit).' },
  'retention.bytes': {
    type: ConfigType.LONG,
    doc: 'How many bytes a partition keeps before old segments may be deleted (-1: no limit).',
    brokerSynonym: 'log.retention.bytes',
  },
  'segment.bytes': { type: ConfigType.INT, doc: 'The size of a log segment file.' },
  'segment.ms': { type: ConfigType.LONG, doc: 'How long before a log segment is rolled even when it is not full.' },
  'min.insync.replicas': { type: ConfigType.INT, doc: 'Minimum ISR size for acks=all writes.', brokerSynonym: 'min.insync.replicas' },
  'unclean.leader.election.enable': {
    type: ConfigType.BOOLEAN,
    doc: 'Whether a replica outside the ISR may be elected leader.',
    brokerSynonym: 'unclean.leader.election.enable',
  },
  'flush.messages': { type: ConfigType.LONG, doc: 'Messages appended before the partition log is fsynced.', brokerSynonym: 'log.flush.interval.messages' },
  'flush.ms': { type: ConfigType.LONG, doc: 'Milliseconds the partition log may stay unsynced.', brokerSynonym: 'log.flush.interval.ms' },
  'max.message.bytes': { type: ConfigType.INT, doc: 'The largest record batch the topic accepts.' },
  'message.timestamp.type': { type: ConfigType.STRING, doc: 'Whose clock stamps records: the producer (CreateTime) or the broker (LogAppendTime).' },
  'compression.type': { type: ConfigType.STRING, doc: 'The codec the topic stores batches with (producer: as they came).' },
};

const BROKER_CONFIG_TYPES: Readonly<Record<string, number>> = {
  int: ConfigType.INT,
  long: ConfigType.LONG,
  boolean: ConfigType.BOOLEAN,
  string: ConfigType.STRING,
  double: ConfigType.DOUBLE,
};

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;
const LONG_MAX = 9223372036854775807n;
const LONG_MIN = -9223372036854775808n;

/** The response to a DescribeConfigs request: one result per resource, in the request's order. */
export function describeConfigs(req: DescribeConfigsRequest, sources: ConfigSources): DescribeConfigsResponse {
  const broker = new BrokerValues(sources.config);
  const results = req.resources.map((resource) => describeResource(resource, req, sources, broker));
  return { api: 'DescribeConfigs', kind: 'response', correlationId: req.correlationId, results };
}

function describeResource(resource: DescribeConfigsResource, req: DescribeConfigsRequest, sources: ConfigSources, broker: BrokerValues): DescribeConfigsResult {
  const { resourceType, resourceName } = resource;
  const answer = (configs: DescribeConfigsEntry[]): DescribeConfigsResult => ({
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    resourceType,
    resourceName,
    configs: selected(configs, resource.configurationKeys),
  });
  const fail = (errorCode: number, errorMessage: string): DescribeConfigsResult => ({ errorCode, errorMessage, resourceType, resourceName, configs: [] });
  const shape = (entry: DescribeConfigsEntry): DescribeConfigsEntry => ({
    ...entry,
    synonyms: req.includeSynonyms ? entry.synonyms : [],
    documentation: req.includeDocumentation ? entry.documentation : null,
  });
  switch (resourceType) {
    case ConfigResourceType.TOPIC: {
      if (!TOPIC_NAME.test(resourceName) || resourceName === '.' || resourceName === '..')
        return fail(ErrorCode.INVALID_TOPIC_EXCEPTION, `invalid topic name "${resourceName}"`);
      const topic = sources.image?.topicByName(resourceName);
      if (topic === undefined) return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `unknown topic "${resourceName}"`);
      const names = [...new Set([...Object.keys(TOPIC_CONFIG_DEFAULTS), ...Object.keys(topic.config)])].sort();
      return answer(names.map((name) => shape(topicEntry(name, topic.config, broker))));
    }
    case ConfigResourceType.BROKER:
      // "" names the cluster-wide dynamic broker defaults, of which Samsa has none.
      if (resourceName === '') return answer([]);
      if (resourceName !== sources.brokerId)
        return fail(ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected ${sources.brokerId} or empty string, but received ${resourceName}`);
      return answer(
        Object.keys(CONFIG_DEFS)
          .sort()
          .map((name) => shape(brokerEntry(name as ConfigKey, broker))),
      );
    case ConfigResourceType.BROKER_LOGGER:
      return fail(ErrorCode.INVALID_REQUEST, 'Samsa has no broker loggers to describe');
    default:
      return fail(ErrorCode.INVALID_REQUEST, `Unsupported resource type: ${resourceType}`);
  }
}

/** The entries the request names (unknown names are left out, as Kafka does); null or none names all. */
function selected(configs: DescribeConfigsEntry[], keys: string[] | null): DescribeConfigsEntry[] {
  if (keys === null || keys.length === 0) return configs;
  const wanted = new Set(keys);
  return configs.filter((c) => wanted.has(c.name));
}

function topicEntry(name: string, topicConfig: Readonly<Record<string, string>>, broker: BrokerValues): DescribeConfigsEntry {
  const info = TOPIC_CONFIGS[name];
  const own = topicConfig[name];
  const synonyms: DescribeConfigsSynonym[] = [];
  if (own !== undefined) synonyms.push({ name, value: own, source: ConfigSource.DYNAMIC_TOPIC_CONFIG });
  if (info?.brokerSynonym !== undefined) synonyms.push(...broker.synonyms(info.brokerSynonym));
  const inherited = name === 'retention.ms' && own === undefined;
  if (name === 'retention.ms') synonyms.push(...broker.retentionMsSynonyms());
  const first = synonyms[0];
  // Configs Samsa refuses to set (no retention, compaction, segments...) are reported read-only, so a
  // client learns up front that altering them will not be accepted.
  const notBuilt = TOPIC_CONFIGS_NOT_BUILT.has(name);
  return {
    name,
    // retention.ms inherits the broker's log.retention.ms, .minutes or .hours, converted to ms.
    value: inherited ? String(broker.retentionMs) : (first?.value ?? TOPIC_CONFIG_DEFAULTS[name] ?? null),
    readOnly: notBuilt,
    configSource: first?.source ?? ConfigSource.DEFAULT_CONFIG,
    isSensitive: false,
    synonyms,
    configType: info?.type ?? ConfigType.UNKNOWN,
    documentation: info === undefined ? null : notBuilt ? `${info.doc} Not built in Samsa, which refuses the setting.` : info.doc,
  };
}

function brokerEntry(name: ConfigKey, broker: BrokerValues): DescribeConfigsEntry {
  const synonyms = broker.synonyms(name);
  const def = CONFIG_DEFS[name];
  return {
    name,
    value: synonyms[0]!.value,
    // Samsa has no dynamic broker configs (IncrementalAlterConfigs on brokers): every one is fixed at start.
    readOnly: true,
    configSource: synonyms[0]!.source,
    isSensitive: false,
    synonyms,
    configType: BROKER_CONFIG_TYPES[def.type] ?? ConfigType.UNKNOWN,
    documentation: def.doc,
  };
}

/** The broker's static config as Kafka reports it: the value set in its properties, then the default. */
class BrokerValues {
  private readonly set: Readonly<Record<string, ConfigValue>>;

  readonly retentionMs: number;

  constructor(config: Config) {
    this.set = config.overrides();
    this.retentionMs = brokerRetentionMs(config);
  }

  /** The broker keys a topic's retention.ms inherits from: those set, in precedence order, then log.retention.hours' default. */
  retentionMsSynonyms(): DescribeConfigsSynonym[] {
    const set = RETENTION_MS_SYNONYMS.flatMap((key) =>
      this.set[key] === undefined ? [] : [{ name: key, value: configString(this.set[key]), source: ConfigSource.STATIC_BROKER_CONFIG }],
    );
    return [...set, { name: 'log.retention.hours', value: configString(CONFIG_DEFS['log.retention.hours'].default), source: ConfigSource.DEFAULT_CONFIG }];
  }

  synonyms(key: ConfigKey): DescribeConfigsSynonym[] {
    const own = this.set[key];
    const fallback: DescribeConfigsSynonym = { name: key, value: configString(CONFIG_DEFS[key].default), source: ConfigSource.DEFAULT_CONFIG };
    return own === undefined ? [fallback] : [{ name: key, value: configString(own), source: ConfigSource.STATIC_BROKER_CONFIG }, fallback];
  }
}

/** A config value as Kafka prints it. */
function configString(value: ConfigValue): string {
  if (typeof value !== 'number' || !Number.isInteger(value) || Number.isSafeInteger(value)) return String(value);
  // A long past 2^53 is held as a double (Long.MAX_VALUE, "never", becomes 2^63): print the long it stands for.
  const n = BigInt(value);
  return (n > LONG_MAX ? LONG_MAX : n < LONG_MIN ? LONG_MIN : n).toString();
}
