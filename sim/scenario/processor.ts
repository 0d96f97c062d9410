// A consume-transform-produce application (Kafka's TransactionalMessageCopier, as transactions_test
// runs it) as one process: a group consumer of `from` (read_committed) and a transactional producer
// to `to`, so a crash, a pause or a partition strikes both at once, as it strikes a real
// application. Per poll batch it begins a transaction, copies each record (same key; the value
// `<value>@<processor>.<txn>`, which names its input) to `to`, sends the consumed positions with sendOffsetsToTransaction and commits. After an abortable
// error it aborts, after a fatal one (fenced, a commit of unknown outcome) it initialises again, and
// either way it goes back to the group's committed offsets (the consumer never rewinds by itself).
// The two clients keep their own correlation ids and timers: the node tells them apart.

import type { ClientBug } from '../../core/client/bugs.ts';
import { CONSUMER_CONFIG_DEFS, PRODUCER_CONFIG_DEFS } from '../../core/client/client-config.ts';
import { Consumer } from '../../core/client/consumer.ts';
import { Producer, type ProducerMessage } from '../../core/client/producer.ts';
import type { Env, Node, NodeId, TimerTag } from '../../core/env.ts';
import type { ConfigValue } from '../../core/protocol/configs.ts';
import { didYouMean } from '../../core/protocol/nearest-name.ts';

type Child = 'c' | 'p';

/** Requests whose answers never came are forgotten past this many (lost messages). */
const MAX_ROUTES = 4096;

export interface ProcessorSettings {
  from: string;
  to: string;
  group: string;
  /** Producer and consumer configs in one map, as the scenario gives them. */
  config: Readonly<Record<string, ConfigValue>>;
}

/** Splits a processor's config into its producer's and its consumer's (shared keys go to both), with the processor's defaults. */
export function processorConfigs(
  config: Readonly<Record<string, ConfigValue>>,
  group: string,
): { producer: Record<string, ConfigValue>; consumer: Record<string, ConfigValue> } {
  const producer: Record<string, ConfigValue> = {};
  const consumer: Record<string, ConfigValue> = { 'auto.offset.reset': 'earliest', 'isolation.level': 'read_committed', 'enable.auto.commit': false };
  for (const [key, value] of Object.entries(config)) {
    if (key in PRODUCER_CONFIG_DEFS) producer[key] = value;
    if (key in CONSUMER_CONFIG_DEFS) consumer[key] = value;
  }
  consumer['group.id'] = group;
  return { producer, consumer };
}

/** What is wrong with one entry of a processor's config on its own, or null (the clients' own checks judge the values). */
export function processorConfigKeyProblem(key: string, value: ConfigValue): string | null {
  if (!(key in PRODUCER_CONFIG_DEFS) && !(key in CONSUMER_CONFIG_DEFS))
    return `unknown processor config "${key}"${didYouMean(key, [...Object.keys(PRODUCER_CONFIG_DEFS), ...Object.keys(CONSUMER_CONFIG_DEFS)])}; a processor takes producer and consumer configs`;
  if (key === 'group.id') return 'expected the group id as group: (not config group.id), so the scenario knows the group';
  if (key === 'enable.auto.commit' && String(value) === 'true') return 'a processor commits its offsets in its transactions: enable.auto.commit must be false';
  return null;
}

export class Processor implements Node<ProducerMessage> {
  readonly consumer: Consumer;
  readonly producer: Producer;
  /** The clients' requests on the wire: our correlation id -> whose it is and its own id. */
  private routes = new Map<number, { child: Child; correlationId: number }>();
  private nextCorrelationId = 1;
  /** A transactional call is out: the next step waits for it. */
  private busy = false;
  /** The next step goes back to the committed offsets first (after an abort or a new producer). */
  private rewind = false;

  constructor(
    readonly id: NodeId,
    bootstrap: readonly NodeId[],
    private readonly settings: ProcessorSettings,
    bugs: ReadonlySet<ClientBug> = new Set(),
  ) {
    const configs = processorConfigs(settings.config, settings.group);
    this.producer = new Producer(id, bootstrap, configs.producer, bugs);
    this.consumer = new Consumer(id, bootstrap, configs.consumer, bugs, [settings.from]);
  }

  start(env: Env<ProducerMessage>): void {
    this.routes = new Map();
    this.busy = false;
    this.rewind = false;
    this.consumer.start(this.childEnv(env, 'c') as never);
    this.producer.start(this.childEnv(env, 'p'));
  }

  receive(env: Env<ProducerMessage>, from: NodeId, msg: ProducerMessage): void {
    if (msg.kind !== 'response') return;
    const route = this.routes.get(msg.correlationId);
    if (route === undefined) return;
    this.routes.delete(msg.correlationId);
    const inner = { ...msg, correlationId: route.correlationId } as ProducerMessage;
    if (route.child === 'c') this.consumer.receive(this.childEnv(env, 'c') as never, from, inner as never);
    else this.producer.receive(this.childEnv(env, 'p'), from, inner);
  }

  fire(env: Env<ProducerMessage>, tag: TimerTag): void {
    if (tag.startsWith('c:')) this.consumer.fire(this.childEnv(env, 'c') as never, tag.slice(2));
    else if (tag.startsWith('p:')) this.producer.fire(this.childEnv(env, 'p'), tag.slice(2));
  }

  /** A graceful stop: the consumer leaves its group; an open transaction is left for the coordinator to abort. */
  shutdown(env: Env<ProducerMessage>): void {
    this.consumer.shutdown(this.childEnv(env, 'c') as never);
  }

  /** One turn of the application (the workload calls it every poll interval). */
  step(env: Env<ProducerMessage>): void {
    if (this.busy) return;
    const p = this.childEnv(env, 'p');
    const { state } = this.producer.transactionState();
    if (state === 'UNINITIALIZED' || state === 'FATAL_ERROR') {
      // A new producer, or one that was fenced or lost a commit's outcome: fence the old epoch and
      // let the coordinator finish what it left; its transaction may have committed, so rewind.
      this.busy = true;
      if (state === 'FATAL_ERROR') this.rewind = true;
      this.producer.initTransactions(p, () => (this.busy = false));
      return;
    }
    if (state === 'ABORTABLE_ERROR' || state === 'IN_TRANSACTION') {
      this.busy = true;
      this.producer.abortTransaction(p, () => {
        this.busy = false;
        this.rewind = true;
      });
      return;
    }
    if (state !== 'READY') return;
    const c = this.childEnv(env, 'c') as never;
    if (this.rewind) {
      this.rewind = false;
      this.consumer.resetToCommitted(c);
      return;
    }
    const records = this.consumer.poll(c);
    const group = this.consumer.groupMetadata();
    if (records.length === 0 || group === null) return;
    const txn = this.producer.beginTransaction(p);
    const positions = new Map<string, [string, number, number]>();
    for (const r of records) {
      // The copy names its input and its transaction (models/history/types.ts): an aborted copy and its retry differ.
      this.producer.send(p, { topic: this.settings.to, key: r.key, value: r.value === null ? null : `${r.value}@${this.id}.${txn}` });
      positions.set(`${r.topic}/${r.partition}`, [r.topic, r.partition, this.consumer.position(r.topic, r.partition) ?? r.offset + 1]);
    }
    this.busy = true;
    this.producer.sendOffsetsToTransaction(p, [...positions.values()], group, (sent) => {
      if (sent.type !== 'ok') {
        this.busy = false;
        return;
      }
      this.producer.commitTransaction(p, () => (this.busy = false));
    });
  }

  /** The node's env as one client sees it: its requests renumbered so answers find it, its timers under its own prefix. */
  private childEnv(env: Env<ProducerMessage>, child: Child): Env<ProducerMessage> {
    const childEnv: Env<ProducerMessage> = {
      self: env.self,
      now: () => env.now(),
      random: () => env.random(),
      send: (to, msg) => {
        if (msg.kind !== 'request') return env.send(to, msg);
        const outer = this.nextCorrelationId++;
        this.routes.set(outer, { child, correlationId: msg.correlationId });
        if (this.routes.size > MAX_ROUTES) this.routes.delete(this.routes.keys().next().value!);
        env.send(to, { ...msg, correlationId: outer });
      },
      setTimer: (delayMs, tag) => env.setTimer(delayMs, `${child}:${tag}`),
      cancelTimer: (tag) => env.cancelTimer(`${child}:${tag}`),
      storage: env.storage,
      trace: (event) => env.trace(event),
      ...(env.untraced !== undefined ? { untraced: env.untraced } : {}),
      ...(env.buggify !== undefined ? { buggify: env.buggify.bind(env) } : {}),
      ...(env.exit !== undefined ? { exit: env.exit.bind(env) } : {}),
    };
    return childEnv;
  }
}
