// Builds the simulated cluster a scenario describes: brokers b1..bN and the quorum (combined:
// every broker is a voter; dedicated: controllers c1..cM are the voters and brokers observe),
// with the scenario's configs and seeded bugs, plus the admin client that creates its topics.

import type { NodeId } from '../../core/env.ts';
import { AdminClient } from '../../core/client/admin.ts';
import { KafkaNode, type KafkaMessage } from '../../core/node/kafka-node.ts';
import { checkedConfig, clusterLayout, kafkaNodeSpecs, type ClusterLayout } from '../../core/node/cluster-layout.ts';
import { ConfigError, type Config } from '../../core/protocol/configs.ts';
import { describeMessage } from '../describe.ts';
import { Simulation } from '../kernel.ts';
import { wireTransit } from '../wire-transit.ts';
import type { TraceSink } from '../../trace/sink.ts';
import { STANDARD_AUTHORIZER } from '../../core/security/authorizer.ts';
import { ADMIN_ID, ADMIN_PRINCIPAL, BROKER_PRINCIPAL, superUsersOf, type KafkaConfig, type Scenario } from './types.ts';

export { ADMIN_ID };

/** A scenario that parses but cannot run (an unknown Kafka config, say): a user error. */
export class ScenarioSetupError extends Error {
  constructor(scenario: string, message: string) {
    super(`${scenario}: ${message}`);
    this.name = 'ScenarioSetupError';
  }
}

export interface Cluster extends ClusterLayout {
  sim: Simulation<KafkaMessage>;
  config: Config;
  /** The group consumers (faults may strike them; the liveness phase restarts them). */
  groupMembers: NodeId[];
  /** Group consumers whose application does not call poll() now (the `stall` fault). */
  stalled: Set<NodeId>;
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
  return checkedSetup(scenario, null, () => checkedConfig(brokerConfigOf(scenario), scenario.topics));
}

/** The brokers' configs as written, with what the security section sets (the authorizer, super.users, allow.everyone.if.no.acl.found). */
export function brokerConfigOf(scenario: Scenario): KafkaConfig {
  const security = scenario.security;
  if (security === undefined) return scenario.cluster.config;
  return {
    ...scenario.cluster.config,
    ...(security.authorizer ? { 'authorizer.class.name': STANDARD_AUTHORIZER } : {}),
    'super.users': superUsersOf(security),
    'allow.everyone.if.no.acl.found': security.allowEveryoneIfNoAclFound,
  };
}

/**
 * The simulator names a topic's codec in its batches' attributes but has no codec to write them with:
 * with the wire codec on (`wire`), a compression.type that needs one is a setup error, not a crash.
 */
function checkCodecsForWire(scenario: Scenario): void {
  if (scenario.wire !== true) return;
  const needsCodec = (value: unknown) => value !== undefined && value !== 'producer' && value !== 'uncompressed';
  const refuse = (where: string, value: unknown) => {
    throw new ScenarioSetupError(
      scenario.name,
      `${where}: compression.type ${String(value)} needs a codec the simulator's wire codec does not have; run it without wire`,
    );
  };
  if (needsCodec(scenario.cluster.config['compression.type'])) refuse('cluster.config', scenario.cluster.config['compression.type']);
  scenario.topics.forEach((t, i) => needsCodec(t.config['compression.type']) && refuse(`topics[${i}] (${t.name})`, t.config['compression.type']));
  scenario.faults.forEach((f, i) => f.kind === 'alter-config' && needsCodec(f.set['compression.type']) && refuse(`faults[${i}]`, f.set['compression.type']));
}

export function buildCluster(scenario: Scenario, seed: number, trace: TraceSink | null, bugs: readonly string[]): Cluster {
  const config = clusterConfig(scenario);
  checkCodecsForWire(scenario);
  const layout = clusterLayout(scenario.cluster.nodes, scenario.cluster.controllers);
  const sim = new Simulation<KafkaMessage>({
    seed,
    network: scenario.network,
    disk: scenario.disk,
    trace,
    header: { scenario: scenario.name, config: { setup: 'scenario', scenario, bugs: [...bugs] } },
    describe: describeMessage,
    ...(scenario.wire === true ? { transit: (s: Simulation<KafkaMessage>) => wireTransit(s, { peers: layout.nodes }) } : {}),
    ...(scenario.buggify === true ? { buggify: true } : {}),
  });
  // With a security section, nodes authenticate to each other as the broker principal and the admin as its own.
  const secured = scenario.security !== undefined;
  for (const spec of kafkaNodeSpecs(layout, config, bugs)) sim.addNode(spec.id, () => new KafkaNode(spec), secured ? BROKER_PRINCIPAL : undefined);
  const adminSettings = { requestTimeoutMs: config.int('controller.quorum.request.timeout.ms'), retryBackoffMs: 200 };
  sim.addNode(ADMIN_ID, () => new AdminClient(ADMIN_ID, layout.controllers, adminSettings, layout.brokers) as never, secured ? ADMIN_PRINCIPAL : undefined);
  return { sim, ...layout, config, groupMembers: [], stalled: new Set() };
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
