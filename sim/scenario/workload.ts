// The scenario's clients at work: producers send unique values at their rate with keys drawn from
// their own stream (some of them tombstones, null values, when the scenario asks; transactional
// ones in transactions of `size` records, some aborted), consumers assign every partition of their
// topic (or subscribe in their group) and poll steadily (seeking back to the start every `reread`,
// when set), processors copy their input in transactions, and once the
// run is over the consumers read on until they have caught up with every partition (the final
// read, judged in models/liveness). Each client records its own history; this module only drives them.

import type { ClientBug } from '../../core/client/bugs.ts';
import { parseConsumerConfig, parseProducerConfig } from '../../core/client/client-config.ts';
import { Consumer } from '../../core/client/consumer.ts';
import { Producer, type ProducerMessage } from '../../core/client/producer.ts';
import type { Env } from '../../core/env.ts';
import type { Rng } from '../random.ts';
import { checkedSetup, type Cluster } from './cluster.ts';
import { Processor, processorConfigs } from './processor.ts';
import { Intruder, type IntruderTargets } from './intruder.ts';
import {
  principalOf,
  type ClientSpec,
  type ConsumerSpec,
  type IntruderSpec,
  type ProcessorSpec,
  type ProducerSpec,
  type Scenario,
  type TransactionsSpec,
} from './types.ts';

const POLL_EVERY_MS = 50;

export interface Workload {
  producers: ProducerSpec[];
  consumers: ConsumerSpec[];
  processors: ProcessorSpec[];
  intruders: IntruderSpec[];
  /** Producers send until this time (the end of the safety phase). */
  stopSendingAtMs: number;
}

/**
 * Adds the scenario's clients to the simulation (not started). Client configs are checked here,
 * so a bad one is a setup error before the run; consumers read from the earliest offset unless
 * their config says otherwise.
 */
export function addClients(cluster: Cluster, scenario: Scenario, bugs: ReadonlySet<ClientBug>): Workload {
  const producers = scenario.clients.filter((c): c is ProducerSpec => c.kind === 'producer');
  const consumers = scenario.clients.filter((c): c is ConsumerSpec => c.kind === 'consumer');
  const processors = scenario.clients.filter((c): c is ProcessorSpec => c.kind === 'processor');
  const intruders = scenario.clients.filter((c): c is IntruderSpec => c.kind === 'intruder');
  const bootstrap = cluster.brokers;
  // With a security section every client authenticates as its principal; without one, nobody does.
  const principal = (c: ClientSpec) => (scenario.security === undefined ? undefined : principalOf(c));
  for (const p of producers) {
    checkedSetup(scenario, `clients.${p.id}.config`, () => parseProducerConfig(p.config));
    // A transactional producer is an application faults may strike; the healing phase restarts it.
    if (p.transactions !== undefined) cluster.groupMembers.push(p.id);
    cluster.sim.addNode(p.id, () => new Producer(p.id, bootstrap, p.config, bugs) as never, principal(p));
  }
  for (const x of processors) {
    const configs = processorConfigs(x.config, x.group);
    checkedSetup(scenario, `clients.${x.id}.config`, () => [parseProducerConfig(configs.producer), parseConsumerConfig(configs.consumer)]);
    cluster.groupMembers.push(x.id);
    cluster.sim.addNode(x.id, () => new Processor(x.id, bootstrap, { from: x.from, to: x.to, group: x.group, config: x.config }, bugs) as never, principal(x));
  }
  for (const c of consumers) {
    const config = { 'auto.offset.reset': 'earliest', ...c.config, ...(c.mode === 'group' ? { 'group.id': c.group } : {}) };
    checkedSetup(scenario, `clients.${c.id}.config`, () => parseConsumerConfig(config));
    // A group member subscribes whenever it starts (again after a crash), as an application does when it boots.
    const subscription = c.mode === 'group' ? [c.topic] : [];
    if (c.mode === 'group') cluster.groupMembers.push(c.id);
    cluster.sim.addNode(c.id, () => new Consumer(c.id, bootstrap, config, bugs, subscription) as never, principal(c));
  }
  const targets = intruderTargets(scenario);
  for (const x of intruders) cluster.sim.addNode(x.id, () => new Intruder(x.id, bootstrap, x.principal, targets) as never, x.principal);
  return { producers, consumers, processors, intruders, stopSendingAtMs: scenario.durationMs };
}

/** What an intruder goes after: the scenario's topics, its groups and its transactional ids. */
function intruderTargets(scenario: Scenario): IntruderTargets {
  const groups = scenario.clients.flatMap((c) => (c.kind === 'processor' || (c.kind === 'consumer' && c.mode === 'group') ? [c.group] : []));
  const transactionalIds = scenario.clients.flatMap((c) => {
    const id = c.kind === 'producer' || c.kind === 'processor' ? c.config['transactional.id'] : undefined;
    return id === undefined ? [] : [String(id)];
  });
  return {
    topics: scenario.topics.map((t) => ({ name: t.name, partitions: t.partitions })),
    groups: [...new Set(groups)],
    transactionalIds: [...new Set(transactionalIds)],
  };
}

/** Starts the clients once the topics exist: producers on their schedule, consumers polling. */
export function startClients(cluster: Cluster, scenario: Scenario, workload: Workload): void {
  const sim = cluster.sim;
  // A client may be up already: the healing phase (or a restart fault) boots group consumers that
  // are down, which before the topics exist means never started.
  const startOnce = (id: string) => sim.isUp(id) || sim.start(id);
  for (const p of workload.producers) {
    startOnce(p.id);
    const rng = sim.streams.stream(`workload:${p.id}`);
    const interval = 1000 / p.ratePerSec;
    if (p.transactions !== undefined) {
      driveTransactional(cluster, workload, p, p.transactions, rng, interval);
      continue;
    }
    let seq = 0;
    const tick = () => {
      if (sim.now >= workload.stopSendingAtMs) return;
      // A producer that is down misses its turn; the values it would have sent are never written.
      const key = p.keys > 0 ? `k${rng.int(p.keys)}` : null;
      // Drawn only when the scenario asks for tombstones, so the streams of others stay as they were.
      const tombstone = p.tombstones !== undefined && rng.chance(p.tombstones);
      const value = `${p.id}-${seq++}`;
      sim.act<Producer>(p.id, (producer, env) => producer.send(env as never, { topic: p.topic, key, value: tombstone ? null : value }));
      sim.after(interval, tick);
    };
    sim.after(0, tick);
  }
  for (const x of workload.intruders) {
    startOnce(x.id);
    const interval = 1000 / x.ratePerSec;
    // The intruder keeps trying until the producers stop (the end of the safety phase).
    const attempt = () => {
      if (sim.now >= workload.stopSendingAtMs) return;
      sim.act<Intruder & never>(x.id, (intruder, env) => (intruder as Intruder).attempt(env as never));
      sim.after(interval, attempt);
    };
    sim.after(interval, attempt);
  }
  for (const x of workload.processors) {
    startOnce(x.id);
    const step = () => {
      if (!cluster.stalled.has(x.id)) sim.act<Processor & never>(x.id, (processor, env) => (processor as Processor).step(env as Env<ProducerMessage>));
      sim.after(POLL_EVERY_MS, step);
    };
    sim.after(POLL_EVERY_MS, step);
  }
  for (const c of workload.consumers) {
    startOnce(c.id);
    const partitions = Array.from({ length: scenario.topics.find((t) => t.name === c.topic)?.partitions ?? 0 }, (_, i) => i);
    if (c.mode === 'assign') sim.act<Consumer>(c.id, (consumer, env) => consumer.assign(env as never, c.topic, partitions));
    const poll = () => {
      // A stalled application does not call poll(); its client runs on (heartbeats, timers).
      if (!cluster.stalled.has(c.id)) sim.act<Consumer>(c.id, (consumer, env) => consumer.poll(env as never));
      sim.after(POLL_EVERY_MS, poll);
    };
    sim.after(POLL_EVERY_MS, poll);
    const rereadMs = c.rereadMs;
    if (rereadMs !== undefined) {
      // Back to the log start of every partition it holds, as an application rebuilding its state does.
      const reread = () => {
        sim.act<Consumer>(c.id, (consumer, env) => {
          for (const [topic, partitions] of byTopic(consumer.assignment())) consumer.seekToBeginning(env as never, topic, partitions);
        });
        sim.after(rereadMs, reread);
      };
      sim.after(rereadMs, reread);
    }
  }
}

/**
 * A transactional producer's application: initialises (again after a crash or a fatal error),
 * begins a transaction, sends one record per tick, and after `size` records commits it, or aborts
 * it with the scenario's probability; an abortable error aborts. At the end of the safety phase it
 * commits the transaction it has open and stops.
 */
function driveTransactional(cluster: Cluster, workload: Workload, p: ProducerSpec, txns: TransactionsSpec, rng: Rng, interval: number): void {
  const sim = cluster.sim;
  let seq = 0;
  let inTxn = 0;
  /** A transactional call is out; it belongs to this incarnation (a restarted producer starts idle). */
  let busy: Producer | null = null;
  let finished = false;
  const idle = (producer: Producer) => () => {
    if (busy === producer) busy = null;
  };
  const step = (producer: Producer, env: Env<ProducerMessage>) => {
    if (busy === producer) return;
    const sending = sim.now < workload.stopSendingAtMs;
    const { state } = producer.transactionState();
    if (state === 'UNINITIALIZED' || state === 'FATAL_ERROR') {
      if (!sending) return void (finished = true);
      busy = producer;
      return producer.initTransactions(env, idle(producer));
    }
    if (state === 'ABORTABLE_ERROR') {
      busy = producer;
      return producer.abortTransaction(env, idle(producer));
    }
    if (state === 'READY') {
      if (!sending) return void (finished = true);
      producer.beginTransaction(env);
      inTxn = 0;
    } else if (state !== 'IN_TRANSACTION') return; // an init, a commit or an abort is under way
    if (sending) {
      const key = p.keys > 0 ? `k${rng.int(p.keys)}` : null;
      const tombstone = p.tombstones !== undefined && rng.chance(p.tombstones);
      const value = `${p.id}-${seq++}`;
      producer.send(env, { topic: p.topic, key, value: tombstone ? null : value });
      if (++inTxn < txns.size) return;
    }
    busy = producer;
    if (sending && txns.abort > 0 && rng.chance(txns.abort)) producer.abortTransaction(env, idle(producer));
    else producer.commitTransaction(env, idle(producer));
  };
  const tick = () => {
    if (finished) return;
    // A stalled application makes no calls: its transaction stays open until the coordinator's timeout aborts it.
    if (!cluster.stalled.has(p.id)) sim.act<Producer & never>(p.id, (producer, env) => step(producer as Producer, env as Env<ProducerMessage>));
    sim.after(sim.now < workload.stopSendingAtMs ? interval : Math.max(interval, POLL_EVERY_MS), tick);
  };
  sim.after(0, tick);
}

/** Partitions grouped by topic, in assignment order. */
function byTopic(assigned: ReadonlyArray<{ topic: string; partition: number }>): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const { topic, partition } of assigned) {
    const list = out.get(topic);
    if (list === undefined) out.set(topic, [partition]);
    else list.push(partition);
  }
  return out;
}
