// `samsa configs describe`: a topic's or a broker's configs and where each value comes from, and `samsa
// configs alter`: set and delete them at run time (IncrementalAlterConfigs), for any Kafka cluster (what
// kafka-configs.sh --describe and --alter do for Apache Kafka).

import type { Command } from 'commander';
import { AlterConfigOp, type AlterableConfig } from '../core/protocol/controller.ts';
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

function resourceOf(opts: Pick<DescribeOptions, 'topic' | 'broker'>): DescribeConfigsResource {
  if ((opts.topic === undefined) === (opts.broker === undefined)) throw new UserError('configs: give exactly one of --topic NAME or --broker ID');
  if (opts.topic !== undefined) return { resourceType: ConfigResourceType.TOPIC, resourceName: opts.topic, configurationKeys: null };
  if (!/^\d+$/.test(opts.broker!)) throw new UserError(`--broker: expected a broker id, got "${opts.broker}"`);
  return { resourceType: ConfigResourceType.BROKER, resourceName: opts.broker!, configurationKeys: null };
}

interface AlterOptions extends ConnectionOptions {
  topic?: string;
  broker?: string;
  addConfig?: string;
  deleteConfig?: string;
  validateOnly?: boolean;
  json?: boolean;
}

/**
 * kafka-configs.sh's --add-config list: k1=v1,k2=v2, a value in brackets keeping its commas
 * (cleanup.policy=[compact,delete]).
 */
export function parseAddConfig(text: string): Array<{ name: string; value: string }> {
  const items: string[] = [];
  let depth = 0;
  let current = '';
  for (const c of text) {
    if (c === '[') depth++;
    if (c === ']') depth--;
    if (depth < 0) throw new UserError(`--add-config: a "]" without its "[" in "${text}"`);
    if (c === ',' && depth === 0) {
      items.push(current);
      current = '';
    } else current += c;
  }
  if (depth !== 0) throw new UserError(`--add-config: a "[" without its "]" in "${text}"`);
  items.push(current);
  return items.map((item) => {
    const at = item.indexOf('=');
    const name = item.slice(0, Math.max(at, 0)).trim();
    if (at < 0 || name === '') throw new UserError(`--add-config: expected name=value entries separated by commas, got "${item}"`);
    const raw = item.slice(at + 1).trim();
    const value = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw;
    return { name, value };
  });
}

/** The operations --add-config and --delete-config ask for: SET each added, DELETE each deleted; a key in both is refused. */
export function alterOperations(opts: Pick<AlterOptions, 'addConfig' | 'deleteConfig'>): AlterableConfig[] {
  if (opts.addConfig === undefined && opts.deleteConfig === undefined)
    throw new UserError('configs alter: give --add-config k=v[,k=v] and/or --delete-config k[,k]');
  const added = opts.addConfig === undefined ? [] : parseAddConfig(opts.addConfig);
  const deleted = (opts.deleteConfig ?? '').split(',').map((k) => k.trim());
  if (opts.deleteConfig !== undefined && deleted.some((k) => k === ''))
    throw new UserError(`--delete-config: expected names separated by commas, got "${opts.deleteConfig}"`);
  const names = [...added.map((a) => a.name), ...(opts.deleteConfig === undefined ? [] : deleted)];
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice !== undefined) throw new UserError(`configs alter: "${twice}" is named twice`);
  return [
    ...added.map((a) => ({ name: a.name, configOperation: AlterConfigOp.SET, value: a.value })),
    ...(opts.deleteConfig === undefined ? [] : deleted.map((name) => ({ name, configOperation: AlterConfigOp.DELETE, value: null }))),
  ];
}

export function registerConfigs(program: Command): void {
  const configs = program.command('configs').description("describe and alter the configs of any Kafka cluster's topics and brokers");
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

  connectionOptions(configs.command('alter').description("set and delete a topic's configs at run time (IncrementalAlterConfigs)"))
    .option('--topic <name>', 'the topic to alter')
    .option('--broker <id>', 'a broker (Samsa refuses: its broker configs are static; other Kafkas may take dynamic ones)')
    .option('--add-config <k=v,...>', 'configs to set: k1=v1,k2=[a,b] (brackets keep the commas of a list value)')
    .option('--delete-config <k,...>', 'configs to delete (back to the broker default)')
    .option('--validate-only', 'have the controller check the change without making it')
    .option('--json', 'print the result as one JSON line')
    .action(async (opts: AlterOptions) => {
      const described = resourceOf(opts);
      const operations = alterOperations(opts);
      const resource = { resourceType: described.resourceType, resourceName: described.resourceName, configs: operations };
      const [result] = await withAdmin(opts, (admin) => admin.incrementalAlterConfigs([resource], { validateOnly: opts.validateOnly === true }));
      if (result === undefined) throw new OperationError('the cluster answered IncrementalAlterConfigs with no result');
      const kind = opts.topic !== undefined ? 'topic' : 'broker';
      if (result.errorCode !== ErrorCode.NONE) {
        throw new OperationError(`${kind} ${resource.resourceName}: ${errorName(result.errorCode)}${result.errorMessage ? ` (${result.errorMessage})` : ''}`);
      }
      const set = operations.filter((o) => o.configOperation === AlterConfigOp.SET).map((o) => ({ name: o.name, value: o.value }));
      const deleted = operations.filter((o) => o.configOperation === AlterConfigOp.DELETE).map((o) => o.name);
      if (opts.json === true)
        return printJson({ resource: { type: kind, name: resource.resourceName }, set, deleted, validateOnly: opts.validateOnly === true });
      const verb = opts.validateOnly === true ? 'Would alter' : 'Altered';
      const parts = [...set.map((c) => `${c.name}=${c.value}`), ...deleted.map((n) => `-${n}`)];
      process.stdout.write(`${verb} the configs of ${kind} ${resource.resourceName}: ${parts.join(', ')}\n`);
    });
}
