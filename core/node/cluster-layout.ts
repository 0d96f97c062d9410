// How a Kafka cluster is assembled from its configuration, for any runtime: the nodes and their
// roles (KRaft combined mode, where every broker is a controller voter, or dedicated controllers
// that brokers observe), each node's spec with the quorum settings and the seeded bugs switched
// on, and the checks that refuse a bad broker or topic config before anything starts.

import { brokerBugs, controllerBugs, groupBugs, logBugs, raftBugs, securityBugs, txnBugs } from '../bugs.ts';
import type { NodeId } from '../env.ts';
import { Config, ConfigError, topicConfigProblem, type ConfigValue } from '../protocol/configs.ts';
import { raftSettings } from '../raft/settings.ts';
import type { KafkaNodeSpec } from './kafka-node.ts';

export interface ClusterLayout {
  brokers: NodeId[];
  /** The quorum's voters: the brokers themselves in combined mode. */
  controllers: NodeId[];
  /** Every broker and controller node, brokers first. */
  nodes: NodeId[];
}

/** Brokers b1..bN; controllers c1..cM when dedicated, else the brokers (combined mode). */
export function clusterLayout(brokerCount: number, controllers: 'combined' | number): ClusterLayout {
  const numbered = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`);
  const brokers = numbered('b', brokerCount);
  if (controllers === 'combined') return { brokers, controllers: brokers, nodes: brokers };
  const dedicated = numbered('c', controllers);
  return { brokers, controllers: dedicated, nodes: [...brokers, ...dedicated] };
}

/**
 * The broker config and the topics' configs, checked: an unknown key or a bad value throws a
 * ConfigError naming it (topic entries as `topics.<name>.config: ...`).
 */
export function checkedConfig(
  brokerConfig: Readonly<Record<string, ConfigValue>>,
  topics: ReadonlyArray<{ name: string; config: Readonly<Record<string, ConfigValue>> }>,
): Config {
  const config = new Config(brokerConfig);
  for (const topic of topics) {
    for (const [name, value] of Object.entries(topic.config)) {
      const problem = topicConfigProblem(name, String(value));
      if (problem !== null) throw new ConfigError(`topics.${topic.name}.config: ${problem}`);
    }
  }
  return config;
}

/** Each node's spec: its roles, the shared config and quorum settings, and the seeded bugs it runs with. */
export function kafkaNodeSpecs(layout: ClusterLayout, config: Config, bugs: readonly string[]): KafkaNodeSpec[] {
  const raft = raftSettings(config, layout.controllers, raftBugs(bugs));
  const cBugs = controllerBugs(bugs);
  const bBugs = brokerBugs(bugs);
  const gBugs = groupBugs(bugs);
  const lBugs = logBugs(bugs);
  const tBugs = txnBugs(bugs);
  const sBugs = securityBugs(bugs);
  return layout.nodes.map((id) => ({
    id,
    broker: layout.brokers.includes(id),
    controller: layout.controllers.includes(id),
    config,
    raft,
    controllerBugs: cBugs,
    brokerBugs: bBugs,
    logBugs: lBugs,
    groupBugs: gBugs,
    txnBugs: tBugs,
    securityBugs: sBugs,
  }));
}
