// `samsa consume`: a topic's records on stdout from any Kafka cluster, through Samsa's own consumer on the
// real runtime (what kafka-console-consumer.sh does): from the beginning, an offset, a timestamp, the end,
// or a group's committed offsets (committing its progress back).

import type { Command } from 'commander';
import type { ConsumerRecord } from '../core/client/consumer.ts';
import { ErrorCode, errorName } from '../core/protocol/errors.ts';
import type { KafkaAdmin } from '../net/kafka-admin.ts';
import { KafkaConsumer } from '../net/kafka-consumer.ts';
import { durationOption, intOption, OperationError, UserError } from './output.ts';
import { collect, connectionOptions, keyValues, withAdmin, type ConnectionOptions } from './tool-options.ts';

/** A group's progress is committed this often while reading, and once more at the end. */
const COMMIT_INTERVAL_MS = 5000;
const POLL_MS = 500;

interface ConsumeOptions extends ConnectionOptions {
  topic: string;
  partition: string[];
  fromBeginning?: boolean;
  offset?: string;
  fromTimestamp?: string;
  group?: string;
  maxMessages?: number;
  idleTimeout?: number;
  untilEnd?: boolean;
  printKey?: boolean;
  printOffset?: boolean;
  keySeparator: string;
  property: string[];
  json?: boolean;
}

type Start =
  { kind: 'beginning' } | { kind: 'end' } | { kind: 'offset'; offset: number } | { kind: 'timestamp'; ms: number } | { kind: 'group'; group: string };

function startOf(opts: ConsumeOptions): Start {
  const given = [opts.fromBeginning === true, opts.offset !== undefined, opts.fromTimestamp !== undefined, opts.group !== undefined].filter(Boolean).length;
  if (given > 1) throw new UserError('give at most one of --from-beginning, --offset, --from-timestamp and --group');
  if (opts.fromBeginning === true) return { kind: 'beginning' };
  if (opts.group !== undefined) return { kind: 'group', group: opts.group };
  if (opts.offset !== undefined) {
    if (opts.offset === 'earliest') return { kind: 'beginning' };
    if (opts.offset === 'latest') return { kind: 'end' };
    if (!/^\d+$/.test(opts.offset)) throw new UserError(`--offset: expected an offset, earliest or latest, got "${opts.offset}"`);
    if (opts.partition.length === 0) throw new UserError('--offset N needs --partition (an offset belongs to one partition)');
    return { kind: 'offset', offset: Number(opts.offset) };
  }
  if (opts.fromTimestamp !== undefined) {
    const ms = /^\d+$/.test(opts.fromTimestamp) ? Number(opts.fromTimestamp) : Date.parse(opts.fromTimestamp);
    if (!Number.isSafeInteger(ms) || ms < 0) throw new UserError(`--from-timestamp: expected ms since the epoch or an ISO date, got "${opts.fromTimestamp}"`);
    return { kind: 'timestamp', ms };
  }
  return { kind: 'end' };
}

function partitionsOf(opts: ConsumeOptions): number[] | null {
  if (opts.partition.length === 0) return null;
  return opts.partition.map((p) => intOption('--partition')(p));
}

function format(r: ConsumerRecord, opts: ConsumeOptions): string {
  if (opts.json === true) {
    return JSON.stringify({ topic: r.topic, partition: r.partition, offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers });
  }
  const parts: string[] = [];
  if (opts.printOffset === true) parts.push(`${r.partition}:${r.offset}`);
  if (opts.printKey === true) parts.push(r.key ?? 'null');
  parts.push(r.value ?? 'null');
  return parts.join(opts.keySeparator);
}

export function registerConsume(program: Command): void {
  connectionOptions(program.command('consume').description("print a topic's records from any Kafka cluster, one per line"))
    .requiredOption('--topic <name>', 'the topic to read')
    .option('--partition <n>', 'read only this partition (repeatable; default: every partition)', collect, [])
    .option('--from-beginning', 'start at the first record of each partition')
    .option('--offset <n>', 'start at this offset (with --partition), or at earliest or latest')
    .option('--from-timestamp <time>', 'start at the first record at or after this time (ms since the epoch, or an ISO date)')
    .option('--group <id>', "start at the group's committed offsets and commit progress (without joining the group)")
    .option('--max-messages <n>', 'stop after this many records', intOption('--max-messages', 1))
    .option('--idle-timeout <duration>', 'stop when no record came for this long', durationOption('--idle-timeout'))
    .option('--until-end', 'stop at the end each partition had when reading began')
    .option('--print-key', 'print each key before its value')
    .option('--print-offset', 'print partition:offset first')
    .option('--key-separator <sep>', 'what separates the printed fields', '\t')
    .option('--property <name=value>', 'a consumer config (repeatable), e.g. --property isolation.level=read_committed', collect, [])
    .option('--json', 'print each record as one JSON line')
    .action(async (opts: ConsumeOptions) => {
      const start = startOf(opts);
      const wanted = partitionsOf(opts);
      const config: Record<string, string> = {};
      for (const { name, value } of keyValues('--property', opts.property)) config[name] = value;
      await withAdmin(opts, async (admin) => {
        const metadata = await admin.metadata([opts.topic]);
        const t = metadata.topics.find((x) => x.name === opts.topic);
        if (t === undefined || t.errorCode !== ErrorCode.NONE)
          throw new OperationError(`topic ${opts.topic}: ${errorName(t?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION)}`);
        const all = t.partitions.map((p) => p.partitionIndex).sort((a, b) => a - b);
        for (const p of wanted ?? []) if (!all.includes(p)) throw new UserError(`--partition: ${opts.topic} has no partition ${p} (it has ${all.length})`);
        const partitions = wanted ?? all;
        if (start.kind === 'group') config['auto.offset.reset'] ??= 'earliest';
        let consumer: KafkaConsumer;
        try {
          consumer = new KafkaConsumer(admin.pool, config);
        } catch (err) {
          throw new UserError(`--property: ${(err as Error).message}`);
        }
        try {
          await read(admin, consumer, opts, start, partitions);
        } finally {
          consumer.close();
        }
      });
    });
}

async function read(admin: KafkaAdmin, consumer: KafkaConsumer, opts: ConsumeOptions, start: Start, partitions: number[]): Promise<void> {
  const topic = opts.topic;
  const ends = opts.untilEnd === true ? new Map((await admin.listOffsets(topic, -1, partitions)).map((o) => [o.partition, o.offset])) : null;
  consumer.assign(topic, partitions);
  await position(admin, consumer, topic, start, partitions);
  let stop = false;
  const onSignal = () => (stop = true);
  process.once('SIGINT', onSignal);
  // A reader that went away (`| head`) ends the run like Ctrl-C does.
  const onStdoutError = (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') stop = true;
  };
  process.stdout.on('error', onStdoutError);
  let count = 0;
  let lastRecordAt = Date.now();
  let lastCommitAt = Date.now();
  const atEnd = () => ends !== null && partitions.every((p) => (consumer.position(topic, p) ?? -1) >= (ends.get(p) ?? 0));
  try {
    while (!stop && !atEnd()) {
      // Never more than --max-messages leaves the consumer, so its positions (what a group commits) are what was printed.
      const records = await consumer.poll(POLL_MS, opts.maxMessages === undefined ? undefined : opts.maxMessages - count);
      const now = Date.now();
      let out = '';
      for (const r of records) out += format(r, opts) + '\n';
      count += records.length;
      if (out !== '') process.stdout.write(out);
      if (records.length > 0) lastRecordAt = now;
      if (opts.maxMessages !== undefined && count >= opts.maxMessages) break;
      if (opts.idleTimeout !== undefined && now - lastRecordAt >= opts.idleTimeout) break;
      if (start.kind === 'group' && now - lastCommitAt >= COMMIT_INTERVAL_MS) {
        await commit(admin, consumer, topic, start.group, partitions);
        lastCommitAt = now;
      }
    }
    if (start.kind === 'group') await commit(admin, consumer, topic, start.group, partitions);
  } finally {
    process.off('SIGINT', onSignal);
    process.stdout.off('error', onStdoutError);
  }
  process.stderr.write(`consumed ${count} records from ${topic}\n`);
}

async function position(admin: KafkaAdmin, consumer: KafkaConsumer, topic: string, start: Start, partitions: number[]): Promise<void> {
  switch (start.kind) {
    case 'beginning':
      return consumer.seekToBeginning(topic, partitions);
    case 'end':
      return consumer.seekToEnd(topic, partitions);
    case 'offset':
      for (const p of partitions) consumer.seek(topic, p, start.offset);
      return;
    case 'timestamp':
      return consumer.seekToTimestamp(topic, partitions, start.ms);
    case 'group': {
      const committed = await admin.committedOffsets(start.group, [{ name: topic, partitions }]);
      // A partition without a committed offset (-1) starts where auto.offset.reset says.
      for (const c of committed) if (c.offset >= 0 && partitions.includes(c.partition)) consumer.seek(topic, c.partition, c.offset);
      return;
    }
  }
}

async function commit(admin: KafkaAdmin, consumer: KafkaConsumer, topic: string, group: string, partitions: number[]): Promise<void> {
  const offsets = partitions.flatMap((partition) => {
    const offset = consumer.position(topic, partition);
    return offset === null ? [] : [{ topic, partition, offset }];
  });
  if (offsets.length > 0) await admin.commitOffsets(group, offsets);
}
