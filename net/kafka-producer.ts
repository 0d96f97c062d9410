// Samsa's producer for any Kafka cluster: the core Producer on the real runtime behind promises
// (send resolves with the record's partition and offset, flush waits for every send; with a
// transactional.id, initTransactions, beginTransaction, commitTransaction and abortTransaction).

import type { ConfigValue } from '../core/protocol/configs.ts';
import { Producer, type ProducerRecord } from '../core/client/producer.ts';
import type { TxnCallback, TxnStateName } from '../core/client/transaction-manager.ts';
import type { DataMessage } from '../core/protocol/data.ts';
import { UnsupportedApiError } from './broker-connection.ts';
import type { BrokerPool } from './broker-pool.ts';
import { ClientRuntime, type ClientIdentity } from './client-runtime.ts';

export interface RecordMetadata {
  topic: string;
  partition: number;
  offset: number;
}

/** A send that failed (or whose outcome is unknown: `indeterminate`). */
export class SendError extends Error {
  constructor(
    message: string,
    readonly indeterminate: boolean,
  ) {
    super(message);
    this.name = 'SendError';
  }
}

/** A transactional call that failed (or whose outcome is unknown: `indeterminate`, a commit that may have happened). */
export class TransactionError extends Error {
  constructor(
    message: string,
    readonly indeterminate: boolean,
  ) {
    super(message);
    this.name = 'TransactionError';
  }
}

/** A send without its outcome yet: `done` settles when it has one. */
interface PendingSend {
  done: Promise<void>;
  fail(err: Error): void;
}

export class KafkaProducer {
  private readonly runtime: ClientRuntime<DataMessage, Producer>;
  private readonly pending = new Set<PendingSend>();
  private fatal: Error | null = null;

  /** `config` takes Kafka's producer config names (acks, linger.ms, enable.idempotence, …); `identity` names it and takes its history. */
  constructor(
    pool: BrokerPool,
    config: Readonly<Record<string, ConfigValue>> = {},
    onProblem: (err: Error) => void = () => {},
    { id = 'producer', trace }: ClientIdentity = {},
  ) {
    this.runtime = new ClientRuntime<DataMessage, Producer>(
      {
        id,
        pool,
        ...(trace !== undefined ? { trace } : {}),
        onError: (err) => {
          onProblem(err);
          // No version in common: retrying cannot help, so every send fails (Kafka's UnsupportedVersionException).
          if (err instanceof UnsupportedApiError) this.failAll(err);
        },
      },
      (bootstrap) => new Producer(id, bootstrap, config),
    );
  }

  /** Queues a record; resolves when it is written, rejects with SendError when it is not (or may not be). */
  send(record: ProducerRecord): Promise<RecordMetadata> {
    if (this.fatal !== null) return Promise.reject(this.fatal);
    let settle!: () => void;
    const outcome = new Promise<RecordMetadata>((resolve, reject) => {
      const entry: PendingSend = { done: new Promise<void>((r) => (settle = r)), fail: (err) => (settle(), reject(err)) };
      this.pending.add(entry);
      this.runtime.node.send(this.runtime.env, record, (result) => {
        this.pending.delete(entry);
        settle();
        if (result.type === 'ok') resolve({ topic: result.topic, partition: result.partition, offset: result.offset });
        else reject(new SendError(result.error, result.type === 'info'));
      });
    });
    return outcome;
  }

  /** Sends every open batch now and waits until every send so far has its outcome. */
  async flush(): Promise<void> {
    this.runtime.node.flush(this.runtime.env);
    await Promise.all([...this.pending].map((p) => p.done));
  }

  /** InitProducerId through the transaction coordinator (again after a fatal error: the producer starts over as a new instance). */
  initTransactions(): Promise<void> {
    return this.transactional((done) => this.runtime.node.initTransactions(this.runtime.env, done));
  }

  /** Opens a transaction; returns its number in the history. Throws when the producer is not READY (Kafka's IllegalStateException). */
  beginTransaction(): number {
    return this.runtime.node.beginTransaction(this.runtime.env);
  }

  /** Flushes the transaction's sends, then ends it with a commit; rejects with TransactionError. */
  commitTransaction(): Promise<void> {
    return this.transactional((done) => this.runtime.node.commitTransaction(this.runtime.env, done));
  }

  /** Ends the open transaction (or one in an abortable error) with an abort; rejects with TransactionError. */
  abortTransaction(): Promise<void> {
    return this.transactional((done) => this.runtime.node.abortTransaction(this.runtime.env, done));
  }

  /** The transaction state machine's state (READY, IN_TRANSACTION, ABORTABLE_ERROR, FATAL_ERROR, …) and its last error. */
  transactionState(): { state: TxnStateName; error: string | null } {
    return this.runtime.node.transactionState();
  }

  /** Flushes, then stops the client. */
  async close(): Promise<void> {
    await this.flush();
    this.runtime.stop();
  }

  /** Stops the client without waiting: sends still without an outcome keep none (their history stays open: indeterminate). */
  stop(): void {
    this.runtime.stop();
  }

  private transactional(call: (done: TxnCallback) => void): Promise<void> {
    if (this.fatal !== null) return Promise.reject(this.fatal);
    return new Promise<void>((resolve, reject) =>
      call((result) => (result.type === 'ok' ? resolve() : reject(new TransactionError(result.error, result.type === 'info')))),
    );
  }

  private failAll(err: Error): void {
    this.fatal = err;
    const lost = [...this.pending];
    this.pending.clear();
    for (const p of lost) p.fail(err);
  }
}
