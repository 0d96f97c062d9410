// Builds the simulated cluster a scenario describes: brokers b1..bN and the quorum (combined:
// every broker is a voter; dedicated: controllers c1..cM are the voters and brokers observe),
// with the scenario's configs and seeded bugs, plus the admin client that creates its topics.

import type { NodeId } from '../../core/env.ts';
import { AdminClient } from '../../core/client/admin.ts';
import { KafkaNode, type KafkaMessage } from '../../core/node/kafka-node.ts';
import { Config, ConfigError, topicConfigProblem } from '../../core/protocol/configs.ts';
import { brokerBugs, controllerBugs, raftBugs } from '../bugs.ts';
import { describeMessage } from '../describe.ts';
import { Simulation } from '../kernel.ts';
import { raftSettings } from '../raft-workload.ts';
import type { TraceSink } from '../../trace/sink.ts';
import type { Scenario } from './types.ts';

export const ADMIN_ID: NodeId = 'admin';

/** A scenario that parses but cannot run (an unknown Kafka config, say): a user error. */
export class ScenarioSetupError extends Error {
  constructor(scenario: string, message: string) {
    super(`${scenario}: ${message}`);
    this.name = 'ScenarioSetupError';
  }
}

export interface Cluster {
  sim: Simulation<KafkaMessage>;
  brokers: NodeId[];
  controllers: NodeId[];
  /** Every broker and controller node. */
  nodes: NodeId[];
  config: Config;
}

/** Runs `check`; a ConfigError it throws becomes a setup error of the scenario, prefixed with `where`. */
export function checkedSetup<T>(scenario: Scenario, where: string | null, check: () => T): T {
  try {
    return check();
  } catch (err) {
    if (err instanceof ConfigError) throw new ScenarioSetupError(scenario.name, where === null ? err.message : `${where}: ${err.message}`);
    throw err;
  }
}

/** The cluster's Kafka config, checked: unknown keys and bad values are setup errors. */
export function clusterConfig(scenario: Scenario): Config {
  return checkedSetup(scenario, null, () => {
    const config = new Config(scenario.cluster.config);
    for (const topic of scenario.topics) {
      for (const [name, value] of Object.entries(topic.config)) {
        const problem = topicConfigProblem(name, String(value));
        if (problem !== null) throw new ConfigError(`topics.${topic.name}.config: ${problem}`);
      }
    }
    return config;
  });
}

export function buildCluster(scenario: Scenario, seed: number, trace: TraceSink | null, bugs: readonly string[]): Cluster {
  const config = clusterConfig(scenario);
  const brokers = Array.from({ length: scenario.cluster.nodes }, (_, i) => `b${i + 1}`);
  const dedicated = scenario.cluster.controllers !== 'combined';
  const controllers = dedicated ? Array.from({ length: scenario.cluster.controllers as number }, (_, i) => `c${i + 1}`) : brokers;
  const sim = new Simulation<KafkaMessage>({
    seed,
    network: scenario.network,
    disk: scenario.disk,
    trace,
    header: { scenario: scenario.name, config: { setup: 'scenario', scenario, bugs: [...bugs] } },
    describe: describeMessage,
  });
  const settings = raftSettings(config, controllers, raftBugs(bugs));
  const cBugs = controllerBugs(bugs);
  const bBugs = brokerBugs(bugs);
  const nodes = dedicated ? [...brokers, ...controllers] : brokers;
  for (const id of nodes) {
    const isController = controllers.includes(id);
    const isBroker = brokers.includes(id);
    sim.addNode(id, () => new KafkaNode({ id, broker: isBroker, controller: isController, config, raft: settings, controllerBugs: cBugs, brokerBugs: bBugs }));
  }
  const adminSettings = { requestTimeoutMs: config.int('controller.quorum.request.timeout.ms'), retryBackoffMs: 200 };
  sim.addNode(ADMIN_ID, () => new AdminClient(ADMIN_ID, controllers, adminSettings) as never);
  return { sim, brokers, controllers, nodes, config };
}

/** Boots the cluster's nodes and admin client (once whatever observes the run is attached). */
export function startCluster(cluster: Cluster): void {
  for (const id of cluster.nodes) cluster.sim.start(id);
  cluster.sim.start(ADMIN_ID);
}

/** The live Kafka node `id`, or null while it is down. */
export function kafkaNode(cluster: Cluster, id: NodeId): KafkaNode | null {
  return cluster.sim.nodeObject(id) as KafkaNode | null;
}
