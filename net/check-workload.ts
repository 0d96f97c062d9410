// `samsa check`'s workload on a real cluster (Jepsen's Kafka test, black-box): Samsa's own producers
// send unique values (`<producer>-<n>`, keys k0..) at a rate while consumers assigned every partition
// poll; then a drain (no more sends, in-flight sends settle, every partition read to its end) and the
// simulator's history checkers judge the clients' history, fed through RealHistory with wall-clock times.
// Transactional: the producers send in transactions (some aborted on purpose), the consumers read
// read_committed, and the drain reads to the last stable offset.

import { parseProducerConfig } from '../core/client/client-config.ts';
import type { ConfigValue } from '../core/protocol/configs.ts';
import type { NodeEvent } from '../core/trace/schema.ts';
import { ErrorCode, errorName } from '../core/protocol/errors.ts';
import { CheckerSuite } from '../models/checker-suite.ts';
import { countClientOp, emptyClientCounts, type ClientCounts } from '../models/history/client-counts.ts';
import { TransactionCounts, type TransactionFigures } from '../models/history/txn-counts.ts';
import type { Violation } from '../models/violation.ts';
import type { TraceSink } from '../trace/sink.ts';
import { ConnectionLostError, UnsupportedApiError } from './broker-connection.ts';
import { BrokerPool } from './broker-pool.ts';
import { KafkaAdmin } from './kafka-admin.ts';
import type { ClientSecurity } from './outbound-connection.ts';
import { KafkaConsumer } from './kafka-consumer.ts';
import { sleep, withDeadline } from './kafka-error.ts';
import { KafkaProducer, type RecordMetadata } from './kafka-producer.ts';
import type { Address } from './node-runtime.ts';
import { NemesisError, NemesisRunner, type NemesisSummary, type ScheduledFault } from './nemesis-runner.ts';
import { RealHistory } from './real-history.ts';

export interface CheckOptions {
  bootstrap: readonly Address[];
  topic: string;
  /** For a topic that does not exist yet (-1: the cluster's default). */
  partitions: number;
  replicationFactor: number;
  durationMs: number;
  /** Records per second, per producer. */
  rate: number;
  acks: 'all' | 1 | 0;
  producers: number;
  consumers: number;
  /** Distinct keys the producers draw from. */
  keys: number;
  /** How long setup (reaching the cluster, the topic) and each drain step may take. */
  timeoutMs: number;
  /** Where the client history goes as a trace (null: not written). */
  history: TraceSink | null;
  /** The header's record of how the run was set up (the command line's options). */
  setup: Record<string, unknown>;
  /** Faults to apply while the producers send, through a `samsa cluster --faults` control; all undone before the drain. */
  nemesis?: { url: string; schedule: (cluster: { brokers: number; partitions: number }) => readonly ScheduledFault[] } | null;
  /** Transactions of `size` records, a fraction `abort` of them aborted on purpose (null or absent: no transactions). */
  transactions?: { size: number; abort: number } | null;
  /** Progress lines (the faults as they strike). */
  log?: (line: string) => void;
  /** TLS and SASL for every client's connections (a cluster's secure listeners); absent: PLAINTEXT. */
  security?: ClientSecurity;
}

export interface CheckResult {
  topic: string;
  partitions: number;
  durationMs: number;
  counts: ClientCounts;
  violations: Violation[];
  violationCounts: Record<string, number>;
  /** Jepsen's verdict: true, false (violations), 'unknown' (nothing was acknowledged). */
  valid: boolean | 'unknown';
  /** Every partition was read to the end it had once sending stopped (only then is an unread write lost). */
  finalReadComplete: boolean;
  /** Sends still without an outcome when the drain gave up on them. */
  unsettled: number;
  traceHash: string | null;
  /** What the nemesis did (null without one). */
  nemesis: NemesisSummary | null;
  /** Per transactional producer, its transactions committed, aborted and of unknown outcome (empty without transactions). */
  transactions: Record<string, TransactionFigures>;
}

/** The cluster could not be reached or the topic not set up: nothing was checked. */
export class CheckSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckSetupError';
  }
}

/** How often producers are given their due sends, and consumers poll (the simulator polls every 50 ms). */
const TICK_MS = 10;
const POLL_EVERY_MS = 50;
/** Sends awaiting an outcome, per producer, beyond which a producer skips its turn (the cluster is not keeping up). */
const MAX_IN_FLIGHT = 10_000;
/** How long a transactional producer waits before it calls again after initTransactions or abortTransaction failed. */
const TXN_RETRY_MS = 200;

export async function runCheck(options: CheckOptions): Promise<CheckResult> {
  const history = new RealHistory(options.history, { scenario: 'check', seed: 0, config: { runtime: 'real', ...options.setup } });
  // As in the simulator: duplicate leaves alone the values of producers whose retries may write twice by design.
  const idempotent = parseProducerConfig({ acks: options.acks }).enableIdempotence;
  const suite = new CheckerSuite({ nonIdempotentProducers: new Set(idempotent ? [] : producerIds(options)), replicaEvents: false });
  suite.attach(history);
  const counts = emptyClientCounts();
  const transactions = new TransactionCounts();
  history.observe((_step, node, event) => {
    if (event.kind !== 'client') return;
    countClientOp(counts, event);
    if (node !== null) transactions.observe(node, event);
  });
  const txns = options.transactions ?? null;
  // A fresh transactional.id per run: an earlier run's producer state (its epoch, an open transaction) fences nothing.
  const runSuffix = Math.random().toString(36).slice(2, 8);
  const security = options.security !== undefined ? { security: options.security } : {};
  const admin = new KafkaAdmin(options.bootstrap, { clientId: 'samsa-check', timeoutMs: options.timeoutMs, ...security });
  // Each client has its own connections, as separate client processes would; all stop at the end, whatever happens.
  const pools: BrokerPool[] = [];
  const stops: Array<() => void> = [];
  try {
    const partitions = await ensureTopic(admin, options);
    const client = (id: string) => {
      const record = history.recorder(id);
      record({ kind: 'start', incarnation: 1 });
      const pool = new BrokerPool(options.bootstrap, id, options.security);
      pools.push(pool);
      return { pool, identity: { id, trace: (e: NodeEvent) => record(e) } };
    };
    const producers = producerIds(options).map((id) => {
      const { pool, identity } = client(id);
      const config: Record<string, ConfigValue> =
        txns === null ? { acks: options.acks } : { acks: options.acks, 'transactional.id': `samsa-check-${id}-${runSuffix}` };
      const producer = new KafkaProducer(pool, config, () => {}, identity);
      stops.push(() => producer.stop());
      return producer;
    });
    const consumers = consumerIds(options).map((id) => {
      const { pool, identity } = client(id);
      // A broker holding a fetch that finds nothing for long makes the drain slow (librdkafka's mock serves one batch per fetch).
      const isolation: Record<string, ConfigValue> = txns === null ? {} : { 'isolation.level': 'read_committed' };
      const consumer = new KafkaConsumer(pool, { 'auto.offset.reset': 'earliest', 'fetch.max.wait.ms': 100, ...isolation }, () => {}, identity);
      stops.push(() => consumer.close());
      return consumer;
    });
    const all = Array.from({ length: partitions }, (_, p) => p);
    // Reading starts where the partitions end now: a topic used before holds values of earlier runs
    // (the same `<producer>-<n>`), which are no writes of this history.
    const starts = await endOffsets(admin, options.topic, all, Date.now() + options.timeoutMs).catch((err: Error) => {
      throw new CheckSetupError(`cannot read where topic ${options.topic}'s partitions end: ${err.message}`);
    });
    for (const c of consumers) {
      c.assign(options.topic, all);
      for (const { partition, offset } of starts) c.seek(options.topic, partition, offset);
    }
    const nemesis =
      options.nemesis == null
        ? null
        : await NemesisRunner.connect(options.nemesis.url, history, [...producerIds(options), ...consumerIds(options)], options.log ?? (() => {})).catch(
            (err: Error) => {
              throw err instanceof NemesisError ? new CheckSetupError(err.message) : err;
            },
          );
    const polling = { on: true };
    const polls = consumers.map((c) => pollUntil(c, polling));
    if (nemesis !== null) nemesis.start(options.nemesis!.schedule({ brokers: nemesis.brokers, partitions }));
    const inFlight = await Promise.all(
      producers.map((p, i) => (txns === null ? send(p, `p${i + 1}`, options) : sendInTransactions(p, `p${i + 1}`, options, txns))),
    );
    // Every fault undone before the sends settle and the drain reads: a cluster still cut or down cannot answer them.
    await nemesis?.finish(options.timeoutMs);
    const outcomes = await Promise.all(producers.map((p, i) => settle(p, inFlight[i]!, options.timeoutMs)));
    const unsettled = outcomes.reduce((a, b) => a + b, 0);
    const finalReadComplete = await drained(admin, consumers, options.topic, all, options.timeoutMs, txns === null ? 0 : 1);
    polling.on = false;
    await Promise.all(polls);
    // Stopped before the judging, so that no client event comes after the history is complete.
    for (const stop of stops) stop();
    suite.finish(finalReadComplete);
    const tripped = suite.tripped();
    const valid = tripped.length > 0 ? false : counts.acknowledged === 0 ? 'unknown' : true;
    const violationCounts = Object.fromEntries(suite.counts);
    const traceHash = history.close({
      scenario: 'check',
      seed: 0,
      violations: suite.violations.map((v) => ({ name: v.name, step: v.step })),
      violationCounts,
    });
    return {
      topic: options.topic,
      partitions,
      durationMs: Math.round(history.now),
      counts,
      violations: suite.violations,
      violationCounts,
      valid,
      finalReadComplete,
      unsettled,
      traceHash,
      nemesis: nemesis?.summary ?? null,
      transactions: transactions.figures(),
    };
  } finally {
    for (const stop of stops) stop();
    for (const pool of pools) pool.close();
    admin.close();
  }
}

function producerIds(options: CheckOptions): string[] {
  return Array.from({ length: options.producers }, (_, i) => `p${i + 1}`);
}

function consumerIds(options: CheckOptions): string[] {
  return Array.from({ length: options.consumers }, (_, i) => `c${i + 1}`);
}

/** The topic's partition count once every partition has a leader; creates it if missing (or asks Metadata to, where CreateTopics is not served). */
async function ensureTopic(admin: KafkaAdmin, options: CheckOptions): Promise<number> {
  const where = options.bootstrap.map((a) => `${a.host}:${a.port}`).join(',');
  const deadline = Date.now() + options.timeoutMs;
  let created = false;
  for (;;) {
    let metadata;
    try {
      metadata = await admin.metadata([options.topic], created);
    } catch (err) {
      throw new CheckSetupError(`cannot reach the cluster at ${where}: ${(err as Error).message}`);
    }
    const t = metadata.topics.find((x) => x.name === options.topic);
    const code = t?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    if (code === ErrorCode.NONE && t!.partitions.length > 0 && t!.partitions.every((p) => p.leaderId !== null)) return t!.partitions.length;
    if (code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION && !created) {
      created = await createTopic(admin, options);
    } else if (code !== ErrorCode.NONE && code !== ErrorCode.LEADER_NOT_AVAILABLE && code !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
      throw new CheckSetupError(`topic ${options.topic}: ${errorName(code)}`);
    }
    if (Date.now() > deadline)
      throw new CheckSetupError(`topic ${options.topic} has no leader for every partition after ${options.timeoutMs} ms (${errorName(code)})`);
    await sleep(200);
  }
}

/** Asks for the topic; false when the cluster could not take the request yet (no broker registered: a cluster still starting), to be asked again. */
async function createTopic(admin: KafkaAdmin, options: CheckOptions): Promise<boolean> {
  try {
    const [result] = await admin.createTopics([
      { name: options.topic, numPartitions: options.partitions, replicationFactor: options.replicationFactor, configs: [] },
    ]);
    const code = result?.errorCode ?? ErrorCode.NONE;
    if (code !== ErrorCode.NONE && code !== ErrorCode.TOPIC_ALREADY_EXISTS) {
      throw new CheckSetupError(`cannot create topic ${options.topic}: ${errorName(code)}${result?.errorMessage ? ` (${result.errorMessage})` : ''}`);
    }
  } catch (err) {
    if (err instanceof ConnectionLostError) return false;
    // A cluster without CreateTopics (librdkafka's mock) creates topics on use: Metadata then asks it to.
    if (!(err instanceof UnsupportedApiError)) throw err;
  }
  return true;
}

/** A producer's sends awaiting an outcome (kept up to date as they settle) and, for a transactional one, when its last transaction has ended. */
interface InFlight {
  count: number;
  ended?: Promise<void>;
}

/** Sends `<id>-<n>` at the rate for the duration; returns the sends awaiting an outcome. */
async function send(producer: KafkaProducer, id: string, options: CheckOptions): Promise<InFlight> {
  const started = performance.now();
  let seq = 0;
  const inFlight: InFlight = { count: 0 };
  for (;;) {
    const elapsed = performance.now() - started;
    if (elapsed >= options.durationMs) break;
    const due = Math.floor((elapsed / 1000) * options.rate);
    for (; seq < due; seq++) {
      // A producer whose cluster is not keeping up misses its turn; the values it would have sent are never written.
      if (inFlight.count >= MAX_IN_FLIGHT) continue;
      sendValue(producer, `${id}-${seq}`, options, inFlight);
    }
    await sleep(TICK_MS);
  }
  return inFlight;
}

function sendValue(producer: KafkaProducer, value: string, options: CheckOptions, inFlight: InFlight): Promise<RecordMetadata | null> {
  inFlight.count++;
  const key = options.keys > 0 ? `k${Math.floor(Math.random() * options.keys)}` : null;
  return producer.send({ topic: options.topic, key, value }).then(
    (written) => (inFlight.count--, written),
    () => (inFlight.count--, null),
  );
}

/**
 * Sends `<id>-<n>` at the rate for the duration, in transactions of `size` records, committing each or
 * aborting it with probability `abort`; the state machine says what to do after a failed call, as
 * Kafka's client rules do: an abortable error aborts, a fatal one (fenced, a commit of unknown outcome)
 * starts the producer over with initTransactions. Returns once the duration is over; the transaction
 * then open ends (committed) by `ended`.
 */
async function sendInTransactions(producer: KafkaProducer, id: string, options: CheckOptions, txns: { size: number; abort: number }): Promise<InFlight> {
  const started = performance.now();
  const due = () => Math.floor(((performance.now() - started) / 1000) * options.rate);
  const sending = () => performance.now() - started < options.durationMs;
  let seq = 0;
  const inFlight: InFlight = { count: 0 };
  const run = async () => {
    for (;;) {
      const { state } = producer.transactionState();
      if (state === 'UNINITIALIZED' || state === 'FATAL_ERROR') {
        if (!sending()) return;
        await producer.initTransactions().catch(() => sleep(TXN_RETRY_MS));
      } else if (state === 'ABORTABLE_ERROR') {
        await producer.abortTransaction().catch(() => sleep(TXN_RETRY_MS));
      } else if (state === 'READY') {
        // A transaction begins with its first record due, so none is empty.
        while (sending() && seq >= due()) await sleep(TICK_MS);
        if (!sending()) return;
        producer.beginTransaction();
        await sendTransaction();
      } else {
        // Not reached while every call is awaited; a state in between (a commit under way) is waited out.
        await sleep(TICK_MS);
      }
    }
  };
  const sendTransaction = async () => {
    let open = 0;
    while (open < txns.size && sending() && producer.transactionState().state === 'IN_TRANSACTION') {
      for (; open < txns.size && seq < due(); open++, seq++) void sendValue(producer, `${id}-${seq}`, options, inFlight);
      if (open < txns.size) await sleep(TICK_MS);
    }
    if (producer.transactionState().state !== 'IN_TRANSACTION') return; // failed: the loop aborts or starts over
    const abort = sending() && Math.random() < txns.abort;
    await (abort ? producer.abortTransaction() : producer.commitTransaction()).catch(() => {});
  };
  inFlight.ended = run();
  await Promise.race([inFlight.ended, sleep(options.durationMs)]);
  return inFlight;
}

/** Waits (up to the timeout) for the last transaction to end and every send's outcome; returns how many have none. */
async function settle(producer: KafkaProducer, inFlight: InFlight, timeoutMs: number): Promise<number> {
  const settled = await withDeadline(
    (inFlight.ended ?? Promise.resolve()).then(() => producer.flush()),
    timeoutMs,
    'flush',
  ).then(
    () => true,
    () => false,
  );
  return settled ? 0 : inFlight.count;
}

async function pollUntil(consumer: KafkaConsumer, polling: { on: boolean }): Promise<void> {
  while (polling.on) {
    await consumer.poll(0).catch(() => []);
    await sleep(POLL_EVERY_MS);
  }
}

/** Where each partition ends, asked until every partition answers or the deadline passes: right after a topic is made, or after faults, leaders may still be moving. */
async function endOffsets(
  admin: KafkaAdmin,
  topic: string,
  partitions: readonly number[],
  deadline: number,
  isolationLevel: 0 | 1 = 0,
): Promise<Array<{ partition: number; offset: number }>> {
  for (;;) {
    try {
      return await admin.listOffsets(topic, -1, [...partitions], isolationLevel);
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(500);
    }
  }
}

async function endsOf(admin: KafkaAdmin, topic: string, partitions: readonly number[], deadline: number, isolationLevel: 0 | 1): Promise<Map<number, number>> {
  return new Map((await endOffsets(admin, topic, partitions, deadline, isolationLevel)).map((o) => [o.partition, o.offset]));
}

/**
 * Whether every consumer read every partition up to the end it had once sending stopped, within the timeout:
 * the high watermark, or read_committed (isolation level 1) the last stable offset once it has reached the
 * high watermark (every transaction ended: the markers are written after EndTxn is answered).
 */
async function drained(
  admin: KafkaAdmin,
  consumers: readonly KafkaConsumer[],
  topic: string,
  partitions: readonly number[],
  timeoutMs: number,
  isolationLevel: 0 | 1,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  let ends: Map<number, number>;
  try {
    ends = await endsOf(admin, topic, partitions, deadline, isolationLevel);
    // read_committed: the last stable offset is where a consumer's reading ends; asked until it is the high watermark.
    for (;;) {
      if (isolationLevel === 0) break;
      const highWatermarks = await endsOf(admin, topic, partitions, deadline, 0);
      if (partitions.every((p) => highWatermarks.get(p) === ends.get(p))) break;
      if (Date.now() > deadline) return false;
      await sleep(POLL_EVERY_MS);
      ends = await endsOf(admin, topic, partitions, deadline, 1);
    }
  } catch {
    return false;
  }
  const caughtUp = () => consumers.every((c) => partitions.every((p) => (c.position(topic, p) ?? -1) >= (ends.get(p) ?? 0)));
  while (!caughtUp()) {
    if (Date.now() > deadline) return false;
    await sleep(POLL_EVERY_MS);
  }
  return true;
}
