// Samsa's consumer for any Kafka cluster: the core Consumer (assigned partitions, positions the
// application controls) on the real runtime, with a poll that waits up to a timeout for records.

import { Consumer, type ConsumerRecord } from '../core/client/consumer.ts';
import type { ConfigValue } from '../core/protocol/configs.ts';
import type { DataMessage } from '../core/protocol/data.ts';
import { UnsupportedApiError } from './broker-connection.ts';
import type { BrokerPool } from './broker-pool.ts';
import { ClientRuntime, type ClientIdentity } from './client-runtime.ts';

export class KafkaConsumer {
  private readonly runtime: ClientRuntime<DataMessage, Consumer>;
  private fatal: Error | null = null;

  /** `config` takes Kafka's consumer config names (auto.offset.reset, fetch.max.wait.ms, isolation.level, …); `identity` names it and takes its history. */
  constructor(
    pool: BrokerPool,
    config: Readonly<Record<string, ConfigValue>> = {},
    onProblem: (err: Error) => void = () => {},
    { id = 'consumer', trace }: ClientIdentity = {},
  ) {
    this.runtime = new ClientRuntime<DataMessage, Consumer>(
      {
        id,
        pool,
        ...(trace !== undefined ? { trace } : {}),
        onError: (err) => {
          onProblem(err);
          if (err instanceof UnsupportedApiError) this.fatal = err;
        },
      },
      (bootstrap) => new Consumer(id, bootstrap, config),
    );
  }

  private get node(): Consumer {
    return this.runtime.node;
  }

  assign(topic: string, partitions: readonly number[]): void {
    this.node.assign(this.runtime.env, topic, partitions);
  }

  seek(topic: string, partition: number, offset: number): void {
    this.node.seek(this.runtime.env, topic, partition, offset);
  }

  seekToBeginning(topic: string, partitions: readonly number[]): void {
    this.node.seekToBeginning(this.runtime.env, topic, partitions);
  }

  seekToEnd(topic: string, partitions: readonly number[]): void {
    this.node.seekToEnd(this.runtime.env, topic, partitions);
  }

  seekToTimestamp(topic: string, partitions: readonly number[], timestampMs: number): void {
    this.node.seekToTimestamp(this.runtime.env, topic, partitions, timestampMs);
  }

  /** The offset of the next record poll returns; null while unknown. */
  position(topic: string, partition: number): number | null {
    return this.node.position(topic, partition);
  }

  /**
   * The records fetched so far (at most `maxRecords`, else max.poll.records); when there are none, waits for some up to `timeoutMs` (KafkaConsumer.poll).
   * Rejects when the cluster cannot serve this consumer at all (no API version in common).
   */
  async poll(timeoutMs: number, maxRecords?: number): Promise<ConsumerRecord[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.fatal !== null) throw this.fatal;
      const records = this.node.poll(this.runtime.env, maxRecords);
      const left = deadline - Date.now();
      if (records.length > 0 || left <= 0) return records;
      await this.nextStep(left);
    }
  }

  close(): void {
    this.runtime.stop();
  }

  /** Resolves after the client's next step (an answer, a timer) or after `ms`, whichever comes first. */
  private nextStep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const remove = this.runtime.onStep(done);
      function done(): void {
        clearTimeout(timer);
        remove();
        resolve();
      }
    });
  }
}
