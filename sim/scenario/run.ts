// Runs one scenario with one seed: builds the cluster, creates the topics, applies the fault
// schedule (and the random nemesis, if any), checks every invariant after every event, then
// heals everything and checks liveness. The result is what `samsa run` prints and replays.

import { AdminClient, type TopicResult } from '../../core/client/admin.ts';
import { parseProducerConfig } from '../../core/client/client-config.ts';
import { ErrorCode } from '../../core/protocol/errors.ts';
import { CONFIG_DEFS } from '../../core/protocol/configs.ts';
import { CheckerSuite } from '../../models/checker-suite.ts';
import { TRACE_VALIDATION, TraceValidator } from '../../models/trace-validation.ts';
import type { Violation } from '../../models/violation.ts';
import type { SimStats } from '../kernel.ts';
import { clientBugs } from '../../core/bugs.ts';
import type { TraceSink } from '../../trace/sink.ts';
import { ADMIN_ID, buildCluster, kafkaNode, startCluster, type Cluster } from './cluster.ts';
import { scheduleFaults, type AppliedFault } from './faults.ts';
import { ClusterView, type FinalPartition } from '../../models/liveness/cluster-view.ts';
import { LeaderlessTime } from '../../models/liveness/leaderless-time.ts';
import { RebalanceTime, type RebalanceFigures } from '../../models/liveness/rebalance-time.ts';
import type { GroupDeliveries, PipelineCounts, TopicPolicies } from '../../models/history/history-checkers.ts';
import { countClientOp, emptyClientCounts, type ClientCounts } from '../../models/history/client-counts.ts';
import { TransactionCounts, type TransactionFigures } from '../../models/history/txn-counts.ts';
import { livenessPhase } from './liveness.ts';
import { addClients, startClients } from './workload.ts';
import { withNemesisDrawn } from './nemesis.ts';
import type { Scenario } from './types.ts';
import { AclPermission, type AclBinding } from '../../core/security/acl.ts';
import type { FinalSecurityState } from '../../models/history/unauthorized-access.ts';

export interface RunOptions {
  seed?: number;
  trace?: TraceSink | null;
  /** Seeded bugs to switch on besides the scenario's own. */
  bugs?: readonly string[];
  /** Simulated time allowed for convergence once everything is healed. */
  livenessMs?: number;
  /** The codec switch on, whatever the scenario says (`samsa run --wire`); the trace's header records it. */
  wire?: boolean;
  /** BUGGIFY on, whatever the scenario says (`--buggify`); the trace's header records it. */
  buggify?: boolean;
}

export interface RunResult {
  scenario: string;
  seed: number;
  bugs: string[];
  violations: Violation[];
  /** Per checker, how many violations it found (only the first few are kept in `violations`). */
  violationCounts: Record<string, number>;
  expected: string[];
  /**
   * As Jepsen says it: true without violations, false with some, 'unknown' when writes were sent
   * but none was acknowledged (no acknowledged write was there to check: indeterminate).
   */
  valid: boolean | 'unknown';
  /** The checkers that tripped are exactly the expected ones, and the run was not indeterminate. */
  expectationMet: boolean;
  /** What the user should know about the run itself: fault selectors that matched no node, say. */
  warnings: string[];
  /** Every partition as the run ended: leader, epoch, replicas, ISR and each replica's log end and high watermark. */
  partitions: FinalPartition[];
  topicsCreatedAtMs: number | null;
  /** The scheduled faults as they fired, selectors resolved (the nemesis drawn for the seed included). */
  faults: AppliedFault[];
  /** When the liveness phase found the cluster converged; null if it did not (or was skipped). */
  convergedAtMs: number | null;
  traceHash: string | null;
  steps: number;
  events: number;
  simMs: number;
  stats: SimStats;
  protocol: ProtocolCounts;
  /** Per partition (`topic-partition`), the simulated ms it spent without a leader (first node to apply each change). */
  leaderlessMs: Record<string, number>;
  /** Per consumer group: its rebalances (from the coordinators' events) and the records its members processed, and again. */
  groups: Record<string, GroupFigures>;
  /** Per transactional producer (and processor): its transactions committed, aborted and of unknown outcome; empty without transactions. */
  transactions: Record<string, TransactionFigures>;
  /** Per consume-transform-produce pipeline, its inputs in the committed output once, missing and duplicated (exactly-once); empty without one. */
  pipelines: PipelineCounts[];
  /** With BUGGIFY on: how often each site fired (sites that never fired are left out); null when off. */
  buggify: Record<string, number> | null;
}

export type GroupFigures = RebalanceFigures & GroupDeliveries;

/** What the protocols did, counted from the nodes' trace events (for the run's summary). */
export interface ProtocolCounts extends ClientCounts {
  /** Epochs in which some voter became quorum leader. */
  quorumLeaders: number;
  /** Times a controller became active. */
  controllerActivations: number;
  /** Broker registrations answered (first ones and re-registrations). */
  brokerRegistrations: number;
  /** Partition states taken by the active controller's image (creation, ISR and leader changes). */
  partitionChanges: number;
}

function countProtocol(cluster: Cluster): ProtocolCounts {
  const counts: ProtocolCounts = {
    quorumLeaders: 0,
    controllerActivations: 0,
    brokerRegistrations: 0,
    partitionChanges: 0,
    ...emptyClientCounts(),
  };
  const leaderEpochs = new Set<number>();
  cluster.sim.observe((_step, node, event) => {
    if (event.kind === 'raft-state' && event.role === 'leader' && !leaderEpochs.has(event.epoch)) {
      leaderEpochs.add(event.epoch);
      counts.quorumLeaders++;
    } else if (event.kind === 'controller-active' && event.active) counts.controllerActivations++;
    else if (event.kind === 'broker-state' && event.fenced) counts.brokerRegistrations++;
    else if (event.kind === 'partition-change' && node !== null && node === activeController(cluster)) counts.partitionChanges++;
    else if (event.kind === 'client') countClientOp(counts, event);
  });
  return counts;
}

function activeController(cluster: Cluster): string | null {
  for (const id of cluster.controllers) if (kafkaNode(cluster, id)?.controller?.isActive) return id;
  return null;
}

/** Long enough for a request lost just before the heal to time out (request.timeout.ms, 30 s) and be retried; extended while the cluster still makes progress (liveness.ts). */
const DEFAULT_LIVENESS_MS = 60_000;

export function runScenario(input: Scenario, options: RunOptions = {}): RunResult {
  const seed = options.seed ?? input.seed;
  const switched = { ...input, ...(options.wire === true ? { wire: true as const } : {}), ...(options.buggify === true ? { buggify: true as const } : {}) };
  const scenario = withNemesisDrawn(switched, seed);
  const bugs = [...new Set([...scenario.bugs, ...(options.bugs ?? [])])];
  const cluster = buildCluster(scenario, seed, options.trace ?? null, bugs);
  const suite = new CheckerSuite({
    minInsyncReplicas: (topic) => minInsyncReplicas(scenario, topic),
    replicaLagTimeMaxMs: Number(scenario.cluster.config['replica.lag.time.max.ms'] ?? CONFIG_DEFS['replica.lag.time.max.ms'].default),
    quorumTimeouts: {
      fetchTimeoutMs: Number(scenario.cluster.config['controller.quorum.fetch.timeout.ms'] ?? CONFIG_DEFS['controller.quorum.fetch.timeout.ms'].default),
      electionTimeoutMs: Number(
        scenario.cluster.config['controller.quorum.election.timeout.ms'] ?? CONFIG_DEFS['controller.quorum.election.timeout.ms'].default,
      ),
    },
    lossyNetwork: scenario.network.loss > 0,
    nonIdempotentProducers: nonIdempotentProducers(scenario),
    topics: topicPolicies(scenario),
    scenarioTopics: scenario.topics.map((t) => t.name),
  });
  suite.attach(cluster.sim);
  // Trace validation: every partition event must be a step the replication spec allows. The spec
  // elects leaders from the ISR only, so runs that allow unclean elections are not validated.
  const validator = allowsUncleanElection(scenario) ? null : new TraceValidator();
  validator?.attach(cluster.sim);
  const protocol = countProtocol(cluster);
  const leaderless = new LeaderlessTime();
  cluster.sim.observe((_step, node, event) => leaderless.observe(cluster.sim.now, node, event));
  const rebalances = new RebalanceTime();
  cluster.sim.observe((_step, node, event) => rebalances.observe(cluster.sim.now, node, event));
  const transactions = new TransactionCounts();
  cluster.sim.observe((_step, node, event) => {
    if (event.kind === 'client' && node !== null) transactions.observe(node, event);
  });
  const workload = addClients(cluster, scenario, clientBugs(bugs));
  // Liveness is judged from the run's events, as it would be from any runtime's.
  const view = new ClusterView({
    nodes: cluster.nodes,
    brokers: cluster.brokers,
    controllers: cluster.controllers,
    consumers: [
      ...workload.consumers.map((c) => (c.mode === 'group' ? { id: c.id, topic: c.topic, group: c.group } : { id: c.id, topic: c.topic })),
      // A processor's final read is its input, as a member of its group, as far as its committed transactions took it.
      ...workload.processors.map((x) => ({ id: x.id, topic: x.from, group: x.group, transactional: true })),
    ],
  });
  cluster.sim.observe((step, node, event) => view.observe(step, node, event));
  startCluster(cluster);
  let topicsCreatedAtMs: number | null = scenario.topics.length === 0 ? 0 : null;
  const clientsGo = () => {
    topicsCreatedAtMs = cluster.sim.now;
    startClients(cluster, scenario, workload);
  };
  // The scenario's ACLs are in place before any client starts.
  const topicsDone = () => installAcls(cluster, scenario.security?.acls ?? [], clientsGo);
  if (scenario.topics.length > 0) createTopics(cluster, scenario, topicsDone);
  else cluster.sim.at(0, topicsDone);
  const faults: AppliedFault[] = [];
  scheduleFaults(cluster, scenario.faults, (fault) => faults.push(fault));
  cluster.sim.run(scenario.durationMs);
  const livenessMs = options.livenessMs ?? DEFAULT_LIVENESS_MS;
  const convergedAtMs = scenario.expect.liveness
    ? livenessPhase(cluster, view, livenessMs, (problem, step, waitedMs) =>
        suite.add(problem.checker, 'liveness', {
          step,
          message: `${problem.message} ${waitedMs / 1000}s after every fault healed`,
          nodes: problem.nodes,
          values: {},
        }),
      )
    : null;
  const failure = validator?.failure ?? null;
  if (failure !== null)
    suite.add(TRACE_VALIDATION, 'safety', {
      step: failure.step,
      message: `${failure.event.kind} on ${failure.node ?? '-'} is no ${failure.action} step of the spec: ${failure.reason}`,
      nodes: failure.node === null ? [] : [failure.node],
      values: { partition: failure.partition, state: failure.state },
    });
  // An unread write is judged lost only where the final read covered its topic.
  const readTopics = new Set(scenario.clients.flatMap((c) => (c.kind === 'consumer' ? [c.topic] : c.kind === 'processor' ? [c.from] : [])));
  const finalReadComplete = convergedAtMs !== null && scenario.clients.every((c) => c.kind !== 'producer' || readTopics.has(c.topic));
  if (scenario.security !== undefined) suite.history.unauthorizedAccess.finalState(finalSecurityState(cluster));
  suite.finish(finalReadComplete);
  const tripped = suite.tripped();
  const expected = scenario.expect.violations;
  const indeterminate = scenario.clients.some((c) => c.kind === 'producer') && protocol.acknowledged === 0;
  const valid = tripped.length > 0 ? false : indeterminate ? 'unknown' : true;
  const expectationMet = valid !== 'unknown' && tripped.length === expected.length && expected.every((name) => tripped.includes(name));
  const violationCounts = Object.fromEntries(suite.counts);
  const summary = cluster.sim.finish({
    scenario: scenario.name,
    seed,
    violations: suite.violations.map((v) => ({ name: v.name, step: v.step })),
    violationCounts,
    expectationMet,
  });
  return {
    scenario: scenario.name,
    seed,
    bugs,
    violations: suite.violations,
    violationCounts,
    expected,
    valid,
    expectationMet,
    warnings: faultWarnings(faults),
    partitions: view.finalPartitions(),
    topicsCreatedAtMs,
    faults,
    convergedAtMs,
    traceHash: summary.traceHash,
    steps: summary.steps,
    events: summary.events,
    simMs: summary.simMs,
    stats: cluster.sim.stats,
    protocol,
    leaderlessMs: leaderless.figures(summary.simMs),
    groups: groupFigures(rebalances.figures(summary.simMs), suite.history.groupDeliveries()),
    transactions: transactions.figures(),
    pipelines: suite.history.pipelines(),
    buggify: scenario.buggify === true ? Object.fromEntries([...cluster.sim.buggifyFired].sort(([a], [b]) => a.localeCompare(b))) : null,
  };
}

/** A warning per fault selector that matched no node when its fault fired. */
function faultWarnings(faults: readonly AppliedFault[]): string[] {
  return faults.flatMap((f) =>
    f.unmatched.map(
      (selector) =>
        `the ${f.kind} at ${f.atMs / 1000} s: its selector "${selector}" matched no node, so it struck ${f.nodes.length === 0 ? 'nothing' : f.nodes.join(', ')}`,
    ),
  );
}

/** Each group's rebalances beside what its members processed (a group without either counts zeros). */
function groupFigures(rebalances: Record<string, RebalanceFigures>, deliveries: Record<string, GroupDeliveries>): Record<string, GroupFigures> {
  const names = [...new Set([...Object.keys(rebalances), ...Object.keys(deliveries)])].sort();
  return Object.fromEntries(
    names.map((name) => [
      name,
      { ...(rebalances[name] ?? { rebalances: 0, longestMs: 0, totalMs: 0, generation: 0 }), ...(deliveries[name] ?? { processed: 0, redelivered: 0 }) },
    ]),
  );
}

/**
 * Asks the admin client to create the scenario's topics, retrying until every one is in the
 * committed metadata. An answer alone is not proof: TOPIC_ALREADY_EXISTS may come from an active
 * controller whose own, not yet committed, creation of the topic is then lost with its leadership.
 */
function createTopics(cluster: Cluster, scenario: Scenario, created: () => void): void {
  const missing = () => scenario.topics.filter((t) => !topicCommitted(cluster, t.name));
  const attempt = () =>
    cluster.sim.act<AdminClient>(ADMIN_ID, (admin, env) => {
      const topics = missing().map((t) => ({
        name: t.name,
        numPartitions: t.partitions,
        replicationFactor: t.replicationFactor,
        configs: Object.entries(t.config).map(([name, value]) => ({ name, value: String(value) })),
      }));
      admin.createTopics(env as never, topics, (results: TopicResult[]) => {
        const answered = results.every((r) => r.errorCode === ErrorCode.NONE || r.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS);
        // Until every broker has registered and been unfenced, a replication factor may not fit yet.
        if (answered && missing().length === 0) created();
        else cluster.sim.after(500, attempt);
      });
    });
  cluster.sim.at(0, attempt);
}

/** The metadata of the node whose image has applied the most of the log, for unauthorized-access. */
function finalSecurityState(cluster: Cluster): FinalSecurityState {
  const images = cluster.nodes.flatMap((id) => {
    const node = kafkaNode(cluster, id);
    return node === null ? [] : [node];
  });
  const image = images.sort((a, b) => (b.raft.highWatermark ?? -1) - (a.raft.highWatermark ?? -1))[0]?.image;
  if (image === undefined) return { allowedPrincipals: [], topicConfigs: new Map(), scramUsers: [] };
  return {
    allowedPrincipals: [...new Set([...image.acls()].filter((a) => a.permission === AclPermission.ALLOW).map((a) => a.principal))],
    topicConfigs: new Map([...image.topics.values()].map((t) => [t.name, t.config])),
    scramUsers: image.scramUsers(),
  };
}

/** CreateAcls from the admin client (a super user) to a controller, again every 500 ms, until every live node's image holds every binding. */
function installAcls(cluster: Cluster, acls: readonly AclBinding[], installed: () => void): void {
  if (acls.length === 0) return installed();
  let attempts = 0;
  const attempt = () => {
    if (aclsCommitted(cluster, acls)) return installed();
    // The answer is not awaited (NOT_CONTROLLER from a node that is not the active controller): the images tell.
    const to = cluster.controllers[attempts % cluster.controllers.length]!;
    const correlationId = ACL_CORRELATION_BASE + attempts++;
    cluster.sim.act<AdminClient>(ADMIN_ID, (_admin, env) => env.send(to, { api: 'CreateAcls', kind: 'request', correlationId, creations: [...acls] } as never));
    cluster.sim.after(500, attempt);
  };
  attempt();
}

/** Correlation ids of the runner's CreateAcls, far from the admin client's own (which ignores answers it did not ask for). */
const ACL_CORRELATION_BASE = 1_000_000_000;

/**
 * Every live node's image holds every binding: a broker whose image lacks them would refuse the
 * clients that start now (Kafka's brokers too apply ACLs as their metadata catches up).
 */
function aclsCommitted(cluster: Cluster, acls: readonly AclBinding[]): boolean {
  const key = (a: AclBinding) => [a.resourceType, a.resourceName, a.patternType, a.principal, a.host, a.operation, a.permission].join('\u0000');
  const wanted = acls.map(key);
  const live = cluster.nodes.flatMap((id) => {
    const node = kafkaNode(cluster, id);
    return node === null ? [] : [node];
  });
  return (
    live.length > 0 &&
    live.every((node) => {
      const held = new Set([...node.image.acls()].map(key));
      return wanted.every((k) => held.has(k));
    })
  );
}

function allowsUncleanElection(scenario: Scenario): boolean {
  const on = (config: Record<string, unknown>) => String(config['unclean.leader.election.enable']) === 'true';
  return on(scenario.cluster.config) || scenario.topics.some((t) => on(t.config));
}

/**
 * A topic's effective min.insync.replicas: its own config, else the brokers', else Kafka's default
 * of 1, capped at its replication factor (Kafka's effectiveMinIsr). A topic whose value the schedule
 * alters (alter-config) is held to the smallest it ever has: the checker cannot tell when a broker
 * took the change.
 */
function minInsyncReplicas(scenario: Scenario, topic: string): number {
  const spec = scenario.topics.find((t) => t.name === topic);
  const broker = Number(scenario.cluster.config['min.insync.replicas'] ?? 1);
  const values = [Number(spec?.config['min.insync.replicas'] ?? broker)];
  for (const f of scenario.faults) {
    if (f.kind !== 'alter-config' || f.topic !== topic) continue;
    if (f.set['min.insync.replicas'] !== undefined) values.push(Number(f.set['min.insync.replicas']));
    if (f.delete.includes('min.insync.replicas')) values.push(broker);
  }
  const value = Math.min(...values);
  return spec === undefined ? value : Math.min(value, spec.replicationFactor);
}

/**
 * Each topic's cleanup.policy and delete.retention.ms, for the compaction checkers: its own config,
 * else the brokers' (log.cleanup.policy, log.cleaner.delete.retention.ms), else Kafka's defaults.
 */
export function topicPolicies(scenario: Scenario): TopicPolicies {
  return (topic) => {
    const own = scenario.topics.find((t) => t.name === topic)?.config ?? {};
    const setting = (name: string, broker: string, fallback: string) => String(own[name] ?? scenario.cluster.config[broker] ?? fallback);
    return {
      compacted: setting('cleanup.policy', 'log.cleanup.policy', 'delete')
        .split(',')
        .some((p) => p.trim() === 'compact'),
      deleteRetentionMs: Number(setting('delete.retention.ms', 'log.cleaner.delete.retention.ms', '86400000')),
    };
  };
}

/** The producers that run without idempotence (set off, or yielding to acks, retries or in-flight settings), whose retries may duplicate. */
function nonIdempotentProducers(scenario: Scenario): Set<string> {
  return new Set(scenario.clients.flatMap((c) => (c.kind === 'producer' && !parseProducerConfig(c.config).enableIdempotence ? [c.id] : [])));
}

/** Some node's image (built from committed metadata records only) holds the topic. */
function topicCommitted(cluster: Cluster, topic: string): boolean {
  return cluster.nodes.some((id) => kafkaNode(cluster, id)?.image.partition(topic, 0) !== undefined);
}
