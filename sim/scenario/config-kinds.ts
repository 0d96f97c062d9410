// The four kinds of config a scenario sets (broker, topic, producer, consumer) and where each goes,
// so that a name set in the wrong map is answered with the map it belongs in.

import { CONSUMER_CONFIG_DEFS, PRODUCER_CONFIG_DEFS } from '../../core/client/client-config.ts';
import { CONFIG_DEFS, TOPIC_CONFIG_DEFAULTS } from '../../core/protocol/configs.ts';

export type ConfigKind = 'broker' | 'topic' | 'producer' | 'consumer';

const NAMES: Record<ConfigKind, ReadonlySet<string>> = {
  broker: new Set(Object.keys(CONFIG_DEFS)),
  topic: new Set(Object.keys(TOPIC_CONFIG_DEFAULTS)),
  producer: new Set(Object.keys(PRODUCER_CONFIG_DEFS)),
  consumer: new Set(Object.keys(CONSUMER_CONFIG_DEFS)),
};

const WHERE: Record<ConfigKind, string> = {
  broker: 'cluster.config',
  topic: "a topic's config",
  producer: "a producer's config",
  consumer: "a consumer's config",
};

/**
 * The problem an entry of a `kind` config map has, with where the name belongs when it is not a
 * `kind` config but another kind's (and the problem does not say so already).
 */
export function withKindHint(kind: ConfigKind, name: string, problem: string | null): string | null {
  if (problem === null || NAMES[kind].has(name) || problem.includes(' config, not ')) return problem;
  if (/: it is a \w+ config/.test(problem)) return problem;
  const others = (Object.keys(NAMES) as ConfigKind[]).filter((k) => k !== kind && NAMES[k].has(name));
  if (others.length === 0) return problem;
  const hint = `; "${name}" is a ${others.join(' and ')} config: set it in ${others.map((k) => WHERE[k]).join(' or ')}`;
  // Before a list of the known names, which can be long.
  const known = problem.indexOf('; known: ');
  return known === -1 ? problem + hint : problem.slice(0, known) + hint + problem.slice(known);
}
