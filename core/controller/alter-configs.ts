// IncrementalAlterConfigs (KIP-339) decided as KRaft's ConfigurationControlManager decides it: each
// resource's operations (SET, DELETE, and APPEND / SUBTRACT on list configs) applied to the topic's
// own configs, the result validated as a whole, and one ConfigRecord per key that changes. A resource
// either changes entirely or not at all. Broker configs are static in Samsa (set in server.properties
// or the scenario's cluster config), so a broker resource is refused with INVALID_REQUEST.

import { TOPIC_CONFIG_DEFS, topicConfigProblem } from '../protocol/configs.ts';
import { AlterConfigOp, type IncrementalAlterConfigsRequest, type IncrementalAlterConfigsResponse } from '../protocol/controller.ts';
import { ConfigResourceType } from '../protocol/data.ts';
import { ErrorCode } from '../protocol/errors.ts';
import type { MetadataImage } from './image.ts';
import type { ConfigRecord } from './records.ts';

type Result = IncrementalAlterConfigsResponse['resources'][number];
type Resource = IncrementalAlterConfigsRequest['resources'][number];

/** Why a whole set of a topic's configs cannot stand together (Kafka's LogConfig.validateValues), or null. */
export function topicConfigsConflict(config: Readonly<Record<string, string>>): string | null {
  const min = config['min.compaction.lag.ms'];
  const max = config['max.compaction.lag.ms'];
  if (min !== undefined && max !== undefined && BigInt(min) > BigInt(max))
    return `conflict topic config setting min.compaction.lag.ms (${min}) > max.compaction.lag.ms (${max})`;
  return null;
}

/**
 * Each resource's result and the ConfigRecords of those that change (none when validateOnly), decided
 * against `image`. `valueProblem` adds the runtime's own checks of a value (a codec it lacks), or null.
 */
export function incrementalAlterConfigs(
  image: MetadataImage,
  req: IncrementalAlterConfigsRequest,
  valueProblem: (name: string, value: string) => string | null = () => null,
): { results: Result[]; records: ConfigRecord[] } {
  const results: Result[] = [];
  const records: ConfigRecord[] = [];
  const count = new Map<string, number>();
  for (const r of req.resources) count.set(`${r.resourceType}:${r.resourceName}`, (count.get(`${r.resourceType}:${r.resourceName}`) ?? 0) + 1);
  for (const resource of req.resources) {
    const { resourceType, resourceName } = resource;
    const answer = (errorCode: number, errorMessage: string | null) => results.push({ errorCode, errorMessage, resourceType, resourceName });
    if ((count.get(`${resourceType}:${resourceName}`) ?? 0) > 1) {
      answer(ErrorCode.INVALID_REQUEST, `Duplicate resource ${resourceName} of type ${resourceType} in the request`);
      continue;
    }
    if (resourceType === ConfigResourceType.BROKER) {
      const names = resource.configs.map((c) => c.name).join(', ');
      answer(ErrorCode.INVALID_REQUEST, `Cannot update these configs dynamically: ${names || '(none)'}; Samsa's broker configs are static (server.properties)`);
      continue;
    }
    if (resourceType !== ConfigResourceType.TOPIC) {
      answer(ErrorCode.INVALID_REQUEST, `Unsupported resource type ${resourceType}: Samsa alters topic configs only`);
      continue;
    }
    const outcome = alterTopic(image, resource, valueProblem);
    if ('errorCode' in outcome) {
      answer(outcome.errorCode, outcome.errorMessage);
      continue;
    }
    answer(ErrorCode.NONE, null);
    if (!req.validateOnly) records.push(...outcome.records);
  }
  return { results, records };
}

function alterTopic(
  image: MetadataImage,
  resource: Resource,
  valueProblem: (name: string, value: string) => string | null,
): { records: ConfigRecord[] } | { errorCode: number; errorMessage: string } {
  const topic = image.topicByName(resource.resourceName);
  if (topic === undefined) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `unknown topic "${resource.resourceName}"` };
  const invalid = (errorMessage: string) => ({ errorCode: ErrorCode.INVALID_CONFIG, errorMessage });
  const names = resource.configs.map((c) => c.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Error due to duplicate config keys: ${twice}` };
  const next: Record<string, string> = { ...topic.config };
  for (const c of resource.configs) {
    const def = TOPIC_CONFIG_DEFS[c.name];
    if (def === undefined) return invalid(topicConfigProblem(c.name, c.value ?? '')!);
    switch (c.configOperation) {
      case AlterConfigOp.SET:
        if (c.value === null) return invalid(`Null value not supported for: ${c.name}`);
        next[c.name] = c.value;
        break;
      case AlterConfigOp.DELETE:
        delete next[c.name];
        break;
      case AlterConfigOp.APPEND:
      case AlterConfigOp.SUBTRACT: {
        const verb = c.configOperation === AlterConfigOp.APPEND ? 'APPEND' : 'SUBTRACT';
        if (def.type !== 'list') return invalid(`Can't ${verb} to key ${c.name} because its type is not LIST.`);
        // From the topic's own value, else the default (Kafka's ConfigurationControlManager.getParts).
        const items = (next[c.name] ?? String(def.default)).split(',').filter((x) => x !== '');
        const given = (c.value ?? '').split(',').map((x) => x.trim());
        const result = verb === 'APPEND' ? [...items, ...given.filter((x) => x !== '' && !items.includes(x))] : items.filter((x) => !given.includes(x));
        next[c.name] = result.join(',');
        break;
      }
      default:
        return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unknown config operation ${c.configOperation} for ${c.name}` };
    }
    const value = next[c.name];
    if (value !== undefined) {
      const problem = topicConfigProblem(c.name, value) ?? valueProblem(c.name, value);
      if (problem !== null) return invalid(problem);
    }
  }
  const conflict = topicConfigsConflict(next);
  if (conflict !== null) return invalid(conflict);
  const records: ConfigRecord[] = [];
  for (const name of [...new Set([...Object.keys(topic.config), ...Object.keys(next)])]) {
    if (topic.config[name] === next[name]) continue;
    records.push({ type: 'ConfigRecord', resourceType: 2, resourceName: topic.name, name, value: next[name] ?? null });
  }
  return { records };
}
