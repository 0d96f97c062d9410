// Shared setups for the controller's tests: partition states and images built by hand, and a
// simulated combined cluster with a probe node that sends controller requests and records the
// responses it gets back.

import type { Env, Node, NodeId, TimerTag } from '../../core/env.ts';
import type { ControllerBug } from '../../core/controller/bugs.ts';
import { MetadataImage, type PartitionState } from '../../core/controller/image.ts';
import type { ElectionRules } from '../../core/controller/partition-change.ts';
import type { KafkaMessage, KafkaNode } from '../../core/node/kafka-node.ts';
import { CONTROLLER_APIS, type ControllerRequest, type ControllerResponse } from '../../core/protocol/controller.ts';
import { GROUP_APIS, type GroupRequest, type GroupResponse } from '../../core/protocol/group.ts';
import { TXN_COORDINATOR_APIS } from '../../core/protocol/txn.ts';
import { SECURITY_BROKER_APIS, SECURITY_CONTROLLER_APIS } from '../../core/protocol/security.ts';
import { buildCluster, kafkaNode, startCluster as bootCluster, type Cluster } from '../../sim/scenario/cluster.ts';
import type { KafkaConfig, Scenario } from '../../sim/scenario/types.ts';

// ---- pure helpers -----------------------------------------------------------------------------

/** A partition state with sensible defaults: leader = first ISR member, epochs 0. */
export function partitionState(fields: Partial<PartitionState> & { replicas: NodeId[] }): PartitionState {
  const isr = fields.isr ?? [...fields.replicas];
  return {
    topic: 'orders',
    topicId: 'T-orders',
    partition: 0,
    isr,
    leader: isr[0] ?? null,
    leaderEpoch: 0,
    partitionEpoch: 0,
    leaderRecoveryState: 0,
    ...fields,
  };
}

/** Election rules over a set of fenced brokers (every other broker is unfenced). */
export function rules(fenced: Iterable<NodeId> = [], options: { unclean?: boolean; bugs?: ControllerBug[] } = {}): ElectionRules {
  const down = new Set(fenced);
  return { isUnfenced: (b) => !down.has(b), uncleanLeaderElection: options.unclean ?? false, bugs: new Set(options.bugs ?? []) };
}

/** An image holding one topic with the given partition (as a PartitionRecord would make it). */
export function imageWith(p: PartitionState): MetadataImage {
  const image = new MetadataImage();
  image.apply({ type: 'TopicRecord', name: p.topic, topicId: p.topicId });
  image.apply({
    type: 'PartitionRecord',
    partitionId: p.partition,
    topicId: p.topicId,
    replicas: [...p.replicas],
    isr: [...p.isr],
    leader: p.leader,
    leaderRecoveryState: p.leaderRecoveryState,
    leaderEpoch: p.leaderEpoch,
    partitionEpoch: p.partitionEpoch,
  });
  return image;
}

// ---- the simulated cluster ----------------------------------------------------------------------

export const PROBE: NodeId = 'probe';

export interface Received {
  at: number;
  from: NodeId;
  msg: ControllerResponse | GroupResponse;
}

/** A client node that sends whatever the test gives it and records every controller and group response. */
export class Probe implements Node<KafkaMessage> {
  private nextCorrelationId = 1_000;

  constructor(
    private readonly log: Received[],
    private readonly listeners: Array<(r: Received) => void>,
  ) {}

  start(_env: Env<KafkaMessage>): void {}

  receive(env: Env<KafkaMessage>, from: NodeId, msg: KafkaMessage): void {
    if (
      msg.kind !== 'response' ||
      !(
        CONTROLLER_APIS.has(msg.api) ||
        GROUP_APIS.has(msg.api) ||
        TXN_COORDINATOR_APIS.has(msg.api) ||
        SECURITY_CONTROLLER_APIS.has(msg.api) ||
        SECURITY_BROKER_APIS.has(msg.api) ||
        msg.api === 'InitProducerId'
      )
    )
      return;
    const received = { at: env.now(), from, msg: msg as ControllerResponse | GroupResponse };
    this.log.push(received);
    for (const listener of this.listeners) listener(received);
  }

  fire(_env: Env<KafkaMessage>, _tag: TimerTag): void {}

  correlationId(): number {
    return this.nextCorrelationId++;
  }
}

/** A hand-written scenario: `nodes` combined broker-controllers, a quiet network, no topics. */
export function combinedScenario(config: KafkaConfig = {}, nodes = 3): Scenario {
  return {
    samsa: 1,
    name: 'controller-test',
    description: 'controller unit test cluster',
    seed: 1,
    durationMs: 60_000,
    cluster: { nodes, controllers: 'combined', config },
    network: { latency: { min: 1, max: 5 }, loss: 0, duplicate: 0, reorder: 0 },
    disk: { tornWrites: 0, fsyncFailure: 0, readError: 0 },
    topics: [],
    clients: [],
    faults: [],
    nemesis: null,
    bugs: [],
    expect: { violations: [], liveness: true },
  };
}

/** A requester bound to a cluster: a Probe node that sends requests and waits for answers. */
export class TestCluster {
  readonly responses: Received[] = [];
  /** Called at the instant each response reaches the probe. */
  readonly onResponse: Array<(r: Received) => void> = [];
  readonly traces: Array<{ t: number; node: NodeId | null; event: { kind: string } & Record<string, unknown> }> = [];

  constructor(readonly cluster: Cluster) {
    cluster.sim.addNode(PROBE, () => new Probe(this.responses, this.onResponse));
    cluster.sim.start(PROBE);
    cluster.sim.observe((_step, node, event) => this.traces.push({ t: cluster.sim.now, node, event }));
  }

  get sim() {
    return this.cluster.sim;
  }

  node(id: NodeId): KafkaNode {
    const node = kafkaNode(this.cluster, id);
    if (node === null) throw new Error(`${id} is down`);
    return node;
  }

  /** The node whose controller is active, or null. */
  activeController(): NodeId | null {
    const active = this.cluster.nodes.filter((id) => kafkaNode(this.cluster, id)?.controller?.isActive === true);
    if (active.length > 1) throw new Error(`more than one active controller: ${active.join(', ')}`);
    return active[0] ?? null;
  }

  /** The active controller's id; throws when there is none. */
  controller(): NodeId {
    const id = this.activeController();
    if (id === null) throw new Error('no active controller');
    return id;
  }

  /** Runs the simulation in small steps until `done` holds; throws after `maxMs` of simulated time. */
  runUntil(done: () => boolean, maxMs: number, what = 'condition'): void {
    const deadline = this.sim.now + maxMs;
    while (!done()) {
      if (this.sim.now >= deadline) throw new Error(`timed out after ${maxMs} ms waiting for ${what}`);
      this.sim.run(Math.min(deadline, this.sim.now + 20));
    }
  }

  /** Sends a request from the probe to `to` and runs until its response arrives. */
  request<R extends ControllerResponse | GroupResponse>(to: NodeId, build: (correlationId: number) => ControllerRequest | GroupRequest, maxMs = 3_000): R {
    return this.response<R>(this.send(to, build), maxMs, `a response from ${to}`);
  }

  /** Sends a request from the probe to `to` without waiting; returns its correlation id. */
  send(to: NodeId, build: (correlationId: number) => ControllerRequest | GroupRequest): number {
    let correlationId = -1;
    const sent = this.sim.act<Probe>(PROBE, (probe, env) => {
      correlationId = probe.correlationId();
      env.send(to, build(correlationId) as KafkaMessage);
    });
    if (!sent) throw new Error('the probe is down');
    return correlationId;
  }

  /** Runs until the response to the request `correlationId` has arrived, and returns it. */
  response<R extends ControllerResponse | GroupResponse>(correlationId: number, maxMs = 3_000, what = `the response to request ${correlationId}`): R {
    let answer: Received | undefined;
    this.runUntil(() => (answer = this.answered(correlationId)) !== undefined, maxMs, what);
    return answer!.msg as R;
  }

  /** The response to the request `correlationId`, if it has arrived. */
  answered(correlationId: number): Received | undefined {
    return this.responses.find((r) => r.msg.correlationId === correlationId);
  }

  /** Every registered broker unfenced in the image of each live node. */
  allUnfenced(brokers: NodeId[] = this.cluster.brokers): boolean {
    return this.cluster.nodes.every((id) => {
      const node = kafkaNode(this.cluster, id);
      return node === null || brokers.every((b) => node.image.brokers.get(b)?.fenced === false);
    });
  }
}

/** Builds a cluster and runs it until a controller is active and every broker is unfenced. */
export function startCluster(config: KafkaConfig = {}, seed = 1, bugs: string[] = []): TestCluster {
  const tc = new TestCluster(startedCluster(combinedScenario(config), seed, null, bugs));
  tc.runUntil(() => tc.activeController() !== null && tc.allUnfenced(), 30_000, 'an active controller and unfenced brokers');
  return tc;
}

/** A scenario's cluster, built and booted. */
export function startedCluster(...args: Parameters<typeof buildCluster>): Cluster {
  const cluster = buildCluster(...args);
  bootCluster(cluster);
  return cluster;
}
