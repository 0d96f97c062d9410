// `samsa produce`: records from stdin, one per line (optionally "key<sep>value"), to a topic of any Kafka
// cluster through Samsa's own producer on the real runtime (what kafka-console-producer.sh does).

import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { MetadataResponse } from '../core/protocol/data.ts';
import { ErrorCode, errorName } from '../core/protocol/errors.ts';
import type { KafkaAdmin } from '../net/kafka-admin.ts';
import { sleep } from '../net/kafka-error.ts';
import { KafkaProducer, type RecordMetadata } from '../net/kafka-producer.ts';
import { intOption, OperationError, printJson, UserError } from './output.ts';
import { asOperationError, collect, connectionOptions, keyValues, withAdmin, type ConnectionOptions } from './tool-options.ts';

/** Sends in flight at most; stdin is read no further until the oldest completes (Kafka's buffer.memory bounds the same). */
const MAX_IN_FLIGHT = 10_000;

interface ProduceOptions extends ConnectionOptions {
  topic: string;
  keySeparator?: string;
  acks: string;
  partition?: number;
  property: string[];
  json?: boolean;
}

const ACKS: ReadonlyMap<string, string | number> = new Map<string, string | number>([
  ['all', 'all'],
  ['-1', 'all'],
  ['1', 1],
  ['0', 0],
]);

/** Waits until the topic has a leader for every partition (a topic being auto-created answers LEADER_NOT_AVAILABLE a while). */
async function awaitTopic(admin: KafkaAdmin, topic: string, deadline: number): Promise<MetadataResponse> {
  for (;;) {
    const metadata = await admin.metadata([topic], true);
    const t = metadata.topics.find((x) => x.name === topic);
    const code = t?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    if (code === ErrorCode.NONE && t!.partitions.length > 0 && t!.partitions.every((p) => p.leaderId !== null)) return metadata;
    if (code === ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) {
      throw new OperationError(`topic ${topic} does not exist and the cluster does not create topics on use (create it with samsa topics create)`);
    }
    if (code !== ErrorCode.NONE && code !== ErrorCode.LEADER_NOT_AVAILABLE) throw new OperationError(`topic ${topic}: ${errorName(code)}`);
    if (Date.now() > deadline) throw new OperationError(`topic ${topic} has no leader for every partition yet (${errorName(code)})`);
    await sleep(200);
  }
}

export function registerProduce(program: Command): void {
  connectionOptions(program.command('produce').description("send stdin's lines as records to a topic of any Kafka cluster (one record per line)"))
    .requiredOption('--topic <name>', 'the topic to write to')
    .option('--key-separator <sep>', 'each line is key<sep>value (without it, lines are values with no key)')
    .option('--acks <acks>', 'all (-1), 1 or 0', 'all')
    .option('--partition <n>', 'write every record to this partition (default: the partitioner chooses by key)', intOption('--partition'))
    .option('--property <name=value>', 'a producer config (repeatable), e.g. --property linger.ms=5', collect, [])
    .option('--json', 'print the outcome as one JSON line')
    .action(async (opts: ProduceOptions) => {
      const acks = ACKS.get(opts.acks);
      if (acks === undefined) throw new UserError(`--acks: expected all, -1, 1 or 0, got "${opts.acks}"`);
      if (opts.keySeparator === '') throw new UserError('--key-separator: must not be empty');
      const config: Record<string, string | number> = { acks };
      for (const { name, value } of keyValues('--property', opts.property)) config[name] = value;
      await withAdmin(opts, async (admin) => {
        await awaitTopic(admin, opts.topic, Date.now() + opts.timeout);
        let producer: KafkaProducer;
        try {
          producer = new KafkaProducer(admin.pool, config);
        } catch (err) {
          throw new UserError(`--property: ${(err as Error).message}`);
        }
        let outcome: Outcome;
        try {
          outcome = await produceLines(producer, opts);
        } finally {
          await producer.close();
        }
        const failed = outcome.errors.length;
        if (opts.json === true) printJson({ topic: opts.topic, records: outcome.sent, failed, partitions: Object.fromEntries(outcome.perPartition) });
        else process.stdout.write(`produced ${outcome.sent - failed} of ${outcome.sent} records to ${opts.topic}\n`);
        if (failed > 0) throw new OperationError(`${failed} of ${outcome.sent} records were not written; the first: ${outcome.errors[0]}`);
      });
    });
}

interface Outcome {
  sent: number;
  perPartition: Map<number, number>;
  errors: string[];
}

async function produceLines(producer: KafkaProducer, opts: ProduceOptions): Promise<Outcome> {
  const outcome: Outcome = { sent: 0, perPartition: new Map(), errors: [] };
  const inFlight = new Set<Promise<unknown>>();
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  try {
    await sendLines(producer, opts, lines, outcome, inFlight);
  } finally {
    lines.close();
    process.stdin.destroy();
  }
  await producer.flush();
  await Promise.all(inFlight);
  return outcome;
}

async function sendLines(
  producer: KafkaProducer,
  opts: ProduceOptions,
  lines: AsyncIterable<string>,
  outcome: Outcome,
  inFlight: Set<Promise<unknown>>,
): Promise<void> {
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    let key: string | null = null;
    let value = line;
    if (opts.keySeparator !== undefined) {
      const at = line.indexOf(opts.keySeparator);
      if (at < 0) {
        throw new UserError(`stdin line ${lineNo} has no key separator "${opts.keySeparator}" (${outcome.sent} records before it were sent)`);
      }
      key = line.slice(0, at);
      value = line.slice(at + opts.keySeparator.length);
    }
    outcome.sent++;
    const send = producer.send({ topic: opts.topic, key, value, ...(opts.partition !== undefined ? { partition: opts.partition } : {}) }).then(
      (r: RecordMetadata) => outcome.perPartition.set(r.partition, (outcome.perPartition.get(r.partition) ?? 0) + 1),
      (err: unknown) => outcome.errors.push((asOperationError(err) as Error).message),
    );
    inFlight.add(send);
    void send.finally(() => inFlight.delete(send));
    if (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
  }
}
