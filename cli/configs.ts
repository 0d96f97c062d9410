// `samsa configs describe`: a topic's or a broker's configs and where each value comes from, and `samsa
// configs alter`: set and delete them at run time (IncrementalAlterConfigs), for any Kafka cluster (what
// kafka-configs.sh --describe and --alter do for Apache Kafka); a user's configs are its SCRAM
// credentials (cli/users.ts). --entity-type / --entity-name name the resource as kafka-configs.sh does.

import type { Command } from 'commander';
import { AlterConfigOp, type AlterableConfig } from '../core/protocol/controller.ts';
import { ConfigResourceType, ConfigSource, type DescribeConfigsResource } from '../core/protocol/data.ts';
import { ErrorCode, errorName } from '../core/protocol/errors.ts';
import { OperationError, printJson, table, UserError } from './output.ts';
import { alterScramCredentials, describeScramUsers, scramConfigChanges } from './users.ts';
import { connectionOptions, withAdmin, type ConnectionOptions } from './tool-options.ts';

const SOURCE_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(ConfigSource).map(([name, id]) => [id, name]));

/** The options that name the resource: --topic, --broker, --user, or kafka-configs.sh's --entity-type with --entity-name. */
interface EntityOptions {
  topic?: string;
  broker?: string;
  user?: string;
  entityType?: string;
  entityName?: string;
}

interface DescribeOptions extends ConnectionOptions, EntityOptions {
  all?: boolean;
  json?: boolean;
}

const ENTITY_TYPES: Readonly<Record<string, 'topic' | 'broker' | 'user'>> = { topics: 'topic', brokers: 'broker', users: 'user' };

/** The one resource the options name. */
export function entityOf(opts: EntityOptions): { kind: 'topic' | 'broker' | 'user'; name: string } {
  const named: Array<{ kind: 'topic' | 'broker' | 'user'; name: string }> = [];
  if (opts.topic !== undefined) named.push({ kind: 'topic', name: opts.topic });
  if (opts.broker !== undefined) named.push({ kind: 'broker', name: opts.broker });
  if (opts.user !== undefined) named.push({ kind: 'user', name: opts.user });
  if (opts.entityType !== undefined || opts.entityName !== undefined) {
    const kind = ENTITY_TYPES[opts.entityType ?? ''];
    if (kind === undefined) throw new UserError(`--entity-type: expected topics, brokers or users, got "${opts.entityType ?? ''}"`);
    if (opts.entityName === undefined) throw new UserError(`--entity-type ${opts.entityType}: name the entity with --entity-name`);
    named.push({ kind, name: opts.entityName });
  }
  if (named.length !== 1) throw new UserError('configs: give exactly one of --topic NAME, --broker ID, --user NAME or --entity-type with --entity-name');
  const entity = named[0]!;
  if (entity.kind === 'broker' && !/^\d+$/.test(entity.name)) throw new UserError(`--broker: expected a broker id, got "${entity.name}"`);
  return entity;
}

const resourceTypeOf = (kind: 'topic' | 'broker') => (kind === 'topic' ? ConfigResourceType.TOPIC : ConfigResourceType.BROKER);

/** The configs --add-config sets and --delete-config deletes, by name. */
function splitOperations(operations: AlterableConfig[]): { set: Array<{ name: string; value: string | null }>; deleted: string[] } {
  return {
    set: operations.filter((o) => o.configOperation === AlterConfigOp.SET).map((o) => ({ name: o.name, value: o.value })),
    deleted: operations.filter((o) => o.configOperation === AlterConfigOp.DELETE).map((o) => o.name),
  };
}

interface AlterOptions extends ConnectionOptions, EntityOptions {
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

/** The entity options both commands take. */
function entityOptions(command: Command): Command {
  return command
    .option('--topic <name>', 'a topic')
    .option('--broker <id>', 'a broker (alter: Samsa refuses, its broker configs are static; other Kafkas may take dynamic ones)')
    .option('--user <name>', 'a user: its configs are its SCRAM credentials, SCRAM-SHA-256=[iterations=N,password=P]')
    .option('--entity-type <type>', 'as kafka-configs.sh: topics, brokers or users (with --entity-name)')
    .option('--entity-name <name>', 'the entity of --entity-type');
}

export function registerConfigs(program: Command): void {
  const configs = program.command('configs').description("describe and alter the configs of any Kafka cluster's topics, brokers and users");
  entityOptions(connectionOptions(configs.command('describe').description('the configs of one topic, broker or user, and where each value comes from')))
    .option('--all', 'also list configs left at their defaults')
    .option('--json', 'print the configs as one JSON line')
    .action(async (opts: DescribeOptions) => {
      const entity = entityOf(opts);
      if (entity.kind === 'user') return describeUser(opts, entity.name);
      const resource: DescribeConfigsResource = { resourceType: resourceTypeOf(entity.kind), resourceName: entity.name, configurationKeys: null };
      const [result] = await withAdmin(opts, (admin) => admin.describeConfigs([resource], { includeSynonyms: false }));
      if (result === undefined) throw new OperationError('the cluster answered DescribeConfigs with no result');
      if (result.errorCode !== ErrorCode.NONE) {
        throw new OperationError(`${entity.kind} ${entity.name}: ${errorName(result.errorCode)}${result.errorMessage ? ` (${result.errorMessage})` : ''}`);
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
      if (opts.json === true) return printJson({ resource: { type: entity.kind, name: entity.name }, configs: shown });
      if (shown.length === 0) {
        process.stdout.write(`Every config of ${entity.name} is at its default (--all lists them).\n`);
        return;
      }
      process.stdout.write(
        table(
          ['config', 'value', 'source', 'read-only'],
          shown.map((c) => [c.name, c.sensitive ? '(sensitive)' : (c.value ?? 'null'), c.source, c.readOnly ? 'yes' : '']),
        ) + '\n',
      );
    });

  entityOptions(
    connectionOptions(
      configs
        .command('alter')
        .description("set and delete a topic's configs at run time (IncrementalAlterConfigs), or a user's SCRAM credentials (AlterUserScramCredentials)"),
    ),
  )
    .option('--add-config <k=v,...>', 'configs to set: k1=v1,k2=[a,b] (brackets keep the commas of a list value)')
    .option('--delete-config <k,...>', 'configs to delete (back to the broker default)')
    .option('--validate-only', 'have the controller check the change without making it')
    .option('--json', 'print the result as one JSON line')
    .action(async (opts: AlterOptions) => {
      const entity = entityOf(opts);
      const operations = alterOperations(opts);
      if (entity.kind === 'user') return alterUser(opts, entity.name, operations);
      const resource = { resourceType: resourceTypeOf(entity.kind), resourceName: entity.name, configs: operations };
      const [result] = await withAdmin(opts, (admin) => admin.incrementalAlterConfigs([resource], { validateOnly: opts.validateOnly === true }));
      if (result === undefined) throw new OperationError('the cluster answered IncrementalAlterConfigs with no result');
      if (result.errorCode !== ErrorCode.NONE) {
        throw new OperationError(`${entity.kind} ${entity.name}: ${errorName(result.errorCode)}${result.errorMessage ? ` (${result.errorMessage})` : ''}`);
      }
      const { set, deleted } = splitOperations(operations);
      if (opts.json === true) return printJson({ resource: { type: entity.kind, name: entity.name }, set, deleted, validateOnly: opts.validateOnly === true });
      const verb = opts.validateOnly === true ? 'Would alter' : 'Altered';
      const parts = [...set.map((c) => `${c.name}=${c.value}`), ...deleted.map((n) => `-${n}`)];
      process.stdout.write(`${verb} the configs of ${entity.kind} ${entity.name}: ${parts.join(', ')}\n`);
    });
}

/** kafka-configs.sh --describe --entity-type users: the user's SCRAM mechanisms and iterations (never the secrets). */
async function describeUser(opts: DescribeOptions, user: string): Promise<void> {
  const [described] = await describeScramUsers(opts, [user]);
  const credentials = described?.credentials ?? [];
  if (opts.json === true) return printJson({ resource: { type: 'user', name: user }, configs: credentials });
  const listed = credentials.map((c) => `${c.mechanism}=iterations=${c.iterations}`).join(', ');
  process.stdout.write(`SCRAM credential configs for user-principal '${user}' are ${listed === '' ? 'none' : listed}\n`);
}

/** kafka-configs.sh --alter --entity-type users: SCRAM credentials added (salted here) and deleted. */
async function alterUser(opts: AlterOptions, user: string, operations: AlterableConfig[]): Promise<void> {
  if (opts.validateOnly === true) throw new UserError("--validate-only: not for a user's SCRAM credentials (AlterUserScramCredentials has no such mode)");
  const split = splitOperations(operations);
  const added = split.set.map((a) => ({ name: a.name, value: a.value ?? '' }));
  const deleted = split.deleted;
  const { upsertions, deletions } = scramConfigChanges(user, added, deleted);
  await alterScramCredentials(opts, deletions, upsertions);
  const set = added.map((a, i) => ({ name: a.name.toUpperCase(), iterations: upsertions[i]!.iterations }));
  if (opts.json === true) return printJson({ resource: { type: 'user', name: user }, set, deleted, validateOnly: false });
  const parts = [...set.map((c) => `${c.name} (${c.iterations} iterations)`), ...deleted.map((n) => `-${n}`)];
  process.stdout.write(`Altered the SCRAM credentials of user ${user}: ${parts.join(', ')}\n`);
}
