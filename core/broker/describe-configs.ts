// DescribeConfigs (KIP-133; sources and synonyms KIP-226; types and documentation KIP-569) answered as
// Kafka's ConfigHelper answers it: topic configs from the metadata image over the broker's own values.

import type { MetadataImage } from '../controller/image.ts';
import type { NodeId } from '../env.ts';
import {
  brokerTopicDefault,
  CONFIG_DEFS,
  configText,
  TOPIC_CONFIG_DEFAULTS,
  TOPIC_CONFIG_DEFS,
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

const BROKER_CONFIG_TYPES: Readonly<Record<string, number>> = {
  int: ConfigType.INT,
  long: ConfigType.LONG,
  boolean: ConfigType.BOOLEAN,
  string: ConfigType.STRING,
  double: ConfigType.DOUBLE,
  list: ConfigType.LIST,
};

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

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
      // Internal configs (internal.segment.bytes) are never listed, as Kafka's defineInternal keeps them out.
      const names = [...new Set([...Object.keys(TOPIC_CONFIG_DEFAULTS), ...Object.keys(topic.config)])]
        .filter((n) => TOPIC_CONFIG_DEFS[n]?.internal !== true)
        .sort();
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
  const def = TOPIC_CONFIG_DEFS[name];
  const own = topicConfig[name];
  const synonyms: DescribeConfigsSynonym[] = [];
  if (own !== undefined) synonyms.push({ name, value: own, source: ConfigSource.DYNAMIC_TOPIC_CONFIG });
  for (const synonym of def?.synonyms ?? []) synonyms.push(...broker.synonyms(synonym.name, true));
  // The value is the topic's as its partitions use it: a broker synonym's scaled to the topic's unit (log.roll.hours).
  const first = synonyms[0];
  const fromBroker = own === undefined ? broker.topicDefault(name) : null;
  return {
    name,
    value: own ?? fromBroker ?? TOPIC_CONFIG_DEFAULTS[name] ?? null,
    readOnly: false,
    configSource: first?.source ?? ConfigSource.DEFAULT_CONFIG,
    isSensitive: false,
    synonyms,
    configType: def === undefined ? ConfigType.UNKNOWN : (BROKER_CONFIG_TYPES[def.type] ?? ConfigType.UNKNOWN),
    documentation: def?.doc ?? null,
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

  constructor(private readonly config: Config) {
    this.set = config.overrides();
  }

  /** The value a topic config takes from the broker's set synonyms, or null when the broker sets none. */
  topicDefault(topicConfig: string): string | null {
    return brokerTopicDefault(topicConfig, this.config)?.value ?? null;
  }

  /** As a topic config's synonyms (`forTopic`), a key whose Kafka default is null (log.roll.ms) lists no default. */
  synonyms(key: ConfigKey, forTopic = false): DescribeConfigsSynonym[] {
    const own = this.set[key];
    const def: { default: ConfigValue; unsetByDefault?: true } = CONFIG_DEFS[key];
    const fallback: DescribeConfigsSynonym[] =
      forTopic && def.unsetByDefault === true ? [] : [{ name: key, value: configText(def.default), source: ConfigSource.DEFAULT_CONFIG }];
    return own === undefined ? fallback : [{ name: key, value: configText(own), source: ConfigSource.STATIC_BROKER_CONFIG }, ...fallback];
  }
}
