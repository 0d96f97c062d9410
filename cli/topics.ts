// `samsa topics list|describe|create|delete|alter`: topic administration for any Kafka cluster, through
// Samsa's own admin client on the real runtime (what kafka-topics.sh does for Apache Kafka).

import type { Command } from 'commander';
import type { TopicResult } from '../core/client/admin.ts';
import type { MetadataTopic } from '../core/protocol/data.ts';
import { ErrorCode, errorName } from '../core/protocol/errors.ts';
import { intOption, OperationError, printJson, table } from './output.ts';
import { collect, connectionOptions, keyValues, withAdmin, type ConnectionOptions } from './tool-options.ts';

interface JsonOption {
  json?: boolean;
}

/** Fails with every topic's error but the ones `tolerated`; returns the results otherwise. */
function checkResults(what: string, results: TopicResult[], tolerated: number | null = null): TopicResult[] {
  const failed = results.filter((r) => r.errorCode !== ErrorCode.NONE && r.errorCode !== tolerated);
  if (failed.length > 0) {
    throw new OperationError(failed.map((r) => `${what} ${r.name}: ${errorName(r.errorCode)}${r.errorMessage ? ` (${r.errorMessage})` : ''}`).join('; '));
  }
  return results;
}

function summary(t: MetadataTopic): { name: string; topicId: string | null; partitions: number; replicationFactor: number; internal: boolean } {
  return {
    name: t.name,
    topicId: t.topicId,
    partitions: t.partitions.length,
    replicationFactor: t.partitions[0]?.replicaNodes.length ?? 0,
    internal: t.isInternal,
  };
}

export function registerTopics(program: Command): void {
  const topics = program.command('topics').description('list, describe, create, delete and alter topics of any Kafka cluster');

  connectionOptions(topics.command('list').description('the names of the cluster’s topics'))
    .option('--include-internal', 'also list internal topics (__consumer_offsets, …)')
    .option('--json', 'print the topics as one JSON line')
    .action(async (opts: ConnectionOptions & JsonOption & { includeInternal?: boolean }) => {
      const metadata = await withAdmin(opts, (admin) => admin.metadata(null));
      const shown = metadata.topics.filter((t) => opts.includeInternal === true || !t.isInternal).sort((a, b) => a.name.localeCompare(b.name));
      if (opts.json === true) return printJson({ topics: shown.map(summary) });
      for (const t of shown) process.stdout.write(`${t.name}\n`);
    });

  connectionOptions(topics.command('describe').description('partitions, leaders, replicas and ISRs of one topic or of every topic'))
    .option('--topic <name>', 'the topic (default: every topic)')
    .option('--json', 'print the description as one JSON line')
    .action(async (opts: ConnectionOptions & JsonOption & { topic?: string }) => {
      const metadata = await withAdmin(opts, (admin) => admin.metadata(opts.topic === undefined ? null : [opts.topic]));
      for (const t of metadata.topics) if (t.errorCode !== ErrorCode.NONE) throw new OperationError(`topic ${t.name}: ${errorName(t.errorCode)}`);
      const shown = metadata.topics.sort((a, b) => a.name.localeCompare(b.name));
      if (opts.json === true) {
        return printJson({
          clusterId: metadata.clusterId,
          controllerId: metadata.controllerId,
          topics: shown.map((t) => ({ ...summary(t), partitionStates: t.partitions.map(({ errorCode: _e, ...p }) => ({ ...p, error: errorName(_e) })) })),
        });
      }
      for (const t of shown) {
        const s = summary(t);
        process.stdout.write(`Topic: ${s.name}\tTopicId: ${s.topicId ?? '-'}\tPartitionCount: ${s.partitions}\tReplicationFactor: ${s.replicationFactor}\n`);
        const rows = [...t.partitions]
          .sort((a, b) => a.partitionIndex - b.partitionIndex)
          .map((p) => [
            p.partitionIndex,
            p.leaderId ?? 'none',
            p.leaderEpoch,
            p.replicaNodes.join(','),
            p.isrNodes.join(','),
            p.offlineReplicas.join(',') || '-',
            p.errorCode === ErrorCode.NONE ? '' : errorName(p.errorCode),
          ]);
        process.stdout.write(table(['partition', 'leader', 'epoch', 'replicas', 'isr', 'offline', 'error'], rows) + '\n');
      }
    });

  connectionOptions(topics.command('create').description('create a topic'))
    .requiredOption('--topic <name>', 'the topic to create')
    .option('--partitions <n>', "how many partitions (default: the cluster's num.partitions)", intOption('--partitions', 1))
    .option('--replication-factor <n>', "replicas per partition (default: the cluster's default.replication.factor)", intOption('--replication-factor', 1))
    .option('--config <name=value>', 'a topic config (repeatable), e.g. --config min.insync.replicas=2', collect, [])
    .option('--if-not-exists', 'succeed when the topic exists already')
    .action(async (opts: ConnectionOptions & { topic: string; partitions?: number; replicationFactor?: number; config: string[]; ifNotExists?: boolean }) => {
      const configs = keyValues('--config', opts.config);
      const results = await withAdmin(opts, (admin) =>
        admin.createTopics([{ name: opts.topic, numPartitions: opts.partitions ?? -1, replicationFactor: opts.replicationFactor ?? -1, configs }]),
      );
      checkResults('create', results, opts.ifNotExists === true ? ErrorCode.TOPIC_ALREADY_EXISTS : null);
      process.stdout.write(results[0]!.errorCode === ErrorCode.NONE ? `Created topic ${opts.topic}.\n` : `Topic ${opts.topic} exists already.\n`);
    });

  connectionOptions(topics.command('delete').description('delete topics'))
    .requiredOption('--topic <name>', 'a topic to delete (repeatable)', collect, [])
    .option('--if-exists', 'succeed when a topic does not exist')
    .action(async (opts: ConnectionOptions & { topic: string[]; ifExists?: boolean }) => {
      const results = await withAdmin(opts, (admin) => admin.deleteTopics(opts.topic));
      checkResults('delete', results, opts.ifExists === true ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : null);
      for (const r of results) process.stdout.write(r.errorCode === ErrorCode.NONE ? `Deleted topic ${r.name}.\n` : `Topic ${r.name} does not exist.\n`);
    });

  connectionOptions(topics.command('alter').description('grow a topic to more partitions (configs change through `samsa configs`, as in Kafka)'))
    .requiredOption('--topic <name>', 'the topic to alter')
    .requiredOption('--partitions <n>', 'the new partition count (only growing is possible)', intOption('--partitions', 1))
    .action(async (opts: ConnectionOptions & { topic: string; partitions: number }) => {
      const results = await withAdmin(opts, (admin) => admin.createPartitions([{ name: opts.topic, count: opts.partitions, assignments: null }]));
      checkResults('alter', results);
      process.stdout.write(`Topic ${opts.topic} now has ${opts.partitions} partitions.\n`);
    });
}
