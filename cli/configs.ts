// `samsa configs describe`: a topic's or a broker's configs and where each value comes from, for any
// Kafka cluster (what kafka-configs.sh --describe does for Apache Kafka).

import type { Command } from 'commander';
import { ConfigResourceType, ConfigSource, type DescribeConfigsResource } from '../core/protocol/data.ts';
import { ErrorCode, errorName } from '../core/protocol/errors.ts';
import { OperationError, printJson, table, UserError } from './output.ts';
import { connectionOptions, withAdmin, type ConnectionOptions } from './tool-options.ts';

const SOURCE_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(ConfigSource).map(([name, id]) => [id, name]));

interface DescribeOptions extends ConnectionOptions {
  topic?: string;
  broker?: string;
  all?: boolean;
  json?: boolean;
}

function resourceOf(opts: DescribeOptions): DescribeConfigsResource {
  if ((opts.topic === undefined) === (opts.broker === undefined)) throw new UserError('configs describe: give exactly one of --topic NAME or --broker ID');
  if (opts.topic !== undefined) return { resourceType: ConfigResourceType.TOPIC, resourceName: opts.topic, configurationKeys: null };
  if (!/^\d+$/.test(opts.broker!)) throw new UserError(`--broker: expected a broker id, got "${opts.broker}"`);
  return { resourceType: ConfigResourceType.BROKER, resourceName: opts.broker!, configurationKeys: null };
}

export function registerConfigs(program: Command): void {
  const configs = program.command('configs').description("describe the configs of any Kafka cluster's topics and brokers");
  connectionOptions(configs.command('describe').description('the configs of one topic or one broker, and where each value comes from'))
    .option('--topic <name>', 'the topic to describe')
    .option('--broker <id>', 'the broker to describe')
    .option('--all', 'also list configs left at their defaults')
    .option('--json', 'print the configs as one JSON line')
    .action(async (opts: DescribeOptions) => {
      const resource = resourceOf(opts);
      const [result] = await withAdmin(opts, (admin) => admin.describeConfigs([resource], { includeSynonyms: false }));
      if (result === undefined) throw new OperationError('the cluster answered DescribeConfigs with no result');
      if (result.errorCode !== ErrorCode.NONE) {
        throw new OperationError(
          `${opts.topic !== undefined ? 'topic' : 'broker'} ${resource.resourceName}: ${errorName(result.errorCode)}${result.errorMessage ? ` (${result.errorMessage})` : ''}`,
        );
      }
      const shown = result.configs
        .filter((c) => opts.all === true || c.configSource !== ConfigSource.DEFAULT_CONFIG)
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((c) => ({
          name: c.name,
          value: c.isSensitive ? null : c.value,
          source: SOURCE_NAMES.get(c.configSource) ?? 'UNKNOWN',
          readOnly: c.readOnly,
          sensitive: c.isSensitive,
        }));
      if (opts.json === true)
        return printJson({ resource: { type: opts.topic !== undefined ? 'topic' : 'broker', name: resource.resourceName }, configs: shown });
      if (shown.length === 0) {
        process.stdout.write(`Every config of ${resource.resourceName} is at its default (--all lists them).\n`);
        return;
      }
      process.stdout.write(
        table(
          ['config', 'value', 'source', 'read-only'],
          shown.map((c) => [c.name, c.sensitive ? '(sensitive)' : (c.value ?? 'null'), c.source, c.readOnly ? 'yes' : '']),
        ) + '\n',
      );
    });
}
