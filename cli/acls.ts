// `samsa acls --add|--remove|--list`: a cluster's access control lists, with kafka-acls.sh's options
// (principals, hosts, operations, resources and their pattern type), through CreateAcls, DeleteAcls and
// DescribeAcls, and its --producer / --consumer shortcuts. Refusals print with Kafka's error names
// (SECURITY_DISABLED, CLUSTER_AUTHORIZATION_FAILED, …).

import type { Command } from 'commander';
import { ErrorCode, errorName } from '../core/protocol/errors.ts';
import { AclOperation, AclPermission, CLUSTER_RESOURCE, PatternType, ResourceType, type AclBinding, type AclBindingFilter } from '../core/security/acl.ts';
import { OperationError, printJson, UserError } from './output.ts';
import { collect, connectionOptions, withAdmin, type ConnectionOptions } from './tool-options.ts';

export interface AclOptions extends ConnectionOptions {
  add?: boolean;
  remove?: boolean;
  list?: boolean;
  allowPrincipal: string[];
  denyPrincipal: string[];
  allowHost: string[];
  denyHost: string[];
  principal: string[];
  operation: string[];
  topic: string[];
  group: string[];
  transactionalId: string[];
  cluster?: boolean;
  producer?: boolean;
  consumer?: boolean;
  idempotent?: boolean;
  resourcePatternType: string;
  json?: boolean;
}

type Named<T extends Record<string, number>> = { [K in keyof T]: K }[keyof T];

/** The name of a code in one of the ACL enums. */
function nameOf<T extends Record<string, number>>(codes: T, code: number): Named<T> | 'UNKNOWN' {
  return (Object.keys(codes).find((k) => codes[k] === code) as Named<T> | undefined) ?? 'UNKNOWN';
}

/** Operations kafka-acls.sh allows per resource type (AclCommand's supported operations). */
const OPERATIONS_BY_RESOURCE: ReadonlyMap<number, readonly number[]> = new Map([
  [
    ResourceType.TOPIC,
    [
      AclOperation.READ,
      AclOperation.WRITE,
      AclOperation.CREATE,
      AclOperation.DESCRIBE,
      AclOperation.DELETE,
      AclOperation.ALTER,
      AclOperation.DESCRIBE_CONFIGS,
      AclOperation.ALTER_CONFIGS,
      AclOperation.ALL,
    ],
  ],
  [ResourceType.GROUP, [AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE, AclOperation.ALL]],
  [
    ResourceType.CLUSTER,
    [
      AclOperation.CREATE,
      AclOperation.CLUSTER_ACTION,
      AclOperation.DESCRIBE_CONFIGS,
      AclOperation.ALTER_CONFIGS,
      AclOperation.IDEMPOTENT_WRITE,
      AclOperation.ALTER,
      AclOperation.DESCRIBE,
      AclOperation.CREATE_TOKENS,
      AclOperation.DESCRIBE_TOKENS,
      AclOperation.ALL,
    ],
  ],
  [ResourceType.TRANSACTIONAL_ID, [AclOperation.DESCRIBE, AclOperation.WRITE, AclOperation.ALL]],
]);

const squash = (s: string) => s.replace(/[_-]/g, '').toLowerCase();

/** An operation by kafka-acls.sh's name (Read, IdempotentWrite, …), case and underscores ignored. */
export function parseOperation(text: string): AclOperation {
  const found = Object.entries(AclOperation).find(([name, code]) => code > AclOperation.ANY && squash(name) === squash(text));
  if (found === undefined) {
    const names = Object.keys(AclOperation).filter((n) => n !== 'UNKNOWN' && n !== 'ANY');
    throw new UserError(`--operation: unknown operation "${text}" (one of ${names.join(', ')})`);
  }
  return found[1];
}

/** A principal: `<type>:<name>` (User:alice, User:*). */
export function parsePrincipal(option: string, text: string): string {
  if (!/^[^:\s]+:\S+$/.test(text)) throw new UserError(`${option}: expected a principal like User:alice or User:*, got "${text}"`);
  return text;
}

function parsePatternType(text: string): PatternType {
  const code = (PatternType as Record<string, PatternType>)[text.toUpperCase()];
  if (code === undefined || code === PatternType.UNKNOWN)
    throw new UserError(`--resource-pattern-type: expected literal, prefixed, match or any, got "${text}"`);
  return code;
}

interface ResourcePattern {
  resourceType: ResourceType;
  /** null: any name (a --list or --remove without a resource). */
  resourceName: string | null;
}

/** The resources named by --topic, --group, --transactional-id and --cluster. */
export function resourcesOf(opts: Pick<AclOptions, 'topic' | 'group' | 'transactionalId' | 'cluster'>): ResourcePattern[] {
  const named = (type: ResourceType, names: string[]) =>
    names.map((name) => {
      if (name === '') throw new UserError(`--${nameOf(ResourceType, type).toLowerCase().replace('_', '-')}: the name is empty`);
      return { resourceType: type, resourceName: name };
    });
  return [
    ...named(ResourceType.TOPIC, opts.topic),
    ...named(ResourceType.GROUP, opts.group),
    ...named(ResourceType.TRANSACTIONAL_ID, opts.transactionalId),
    ...(opts.cluster === true ? [{ resourceType: ResourceType.CLUSTER, resourceName: CLUSTER_RESOURCE }] : []),
  ];
}

function entries(opts: AclOptions, operations: AclOperation[]): Array<Pick<AclBinding, 'principal' | 'host' | 'operation' | 'permission'>> {
  const side = (principals: string[], hosts: string[], permission: AclPermission, principalOption: string) =>
    principals.flatMap((p) =>
      (hosts.length > 0 ? hosts : ['*']).flatMap((host) =>
        operations.map((operation) => ({ principal: parsePrincipal(principalOption, p), host, operation, permission })),
      ),
    );
  return [
    ...side(opts.allowPrincipal, opts.allowHost, AclPermission.ALLOW, '--allow-principal'),
    ...side(opts.denyPrincipal, opts.denyHost, AclPermission.DENY, '--deny-principal'),
  ];
}

/** A resource and the operations --add grants on it (or --remove takes back). */
interface ResourceOperations {
  resource: ResourcePattern;
  operations: AclOperation[];
}

/**
 * kafka-acls.sh's --producer and --consumer shortcuts (AclCommand): a producer gets Write, Describe
 * and Create on its topics, Write and Describe on its transactional ids, and IdempotentWrite on the
 * cluster with --idempotent; a consumer Read and Describe on its topics and Read on its groups.
 * Both together grant the union.
 */
function shortcutOperations(opts: AclOptions): ResourceOperations[] {
  if (opts.operation.length > 0) throw new UserError('--operation: not with --producer or --consumer (they choose the operations)');
  if (opts.idempotent === true && opts.producer !== true) throw new UserError('--idempotent: only with --producer');
  if (opts.producer === true && opts.topic.length === 0) throw new UserError('--producer: name a --topic');
  if (opts.consumer === true && (opts.topic.length === 0 || opts.group.length === 0)) throw new UserError('--consumer: name a --topic and a --group');
  if (opts.producer !== true && (opts.cluster === true || opts.transactionalId.length > 0)) {
    throw new UserError('--consumer: not with --cluster or --transactional-id');
  }
  const plan = new Map<string, ResourceOperations>();
  const grant = (resource: ResourcePattern, operations: AclOperation[]) => {
    const key = `${resource.resourceType}/${resource.resourceName}`;
    const entry = plan.get(key) ?? { resource, operations: [] };
    for (const op of operations) if (!entry.operations.includes(op)) entry.operations.push(op);
    plan.set(key, entry);
  };
  const ofType = (type: ResourceType) => resourcesOf(opts).filter((r) => r.resourceType === type);
  if (opts.producer === true) {
    for (const topic of ofType(ResourceType.TOPIC)) grant(topic, [AclOperation.WRITE, AclOperation.DESCRIBE, AclOperation.CREATE]);
    for (const id of ofType(ResourceType.TRANSACTIONAL_ID)) grant(id, [AclOperation.WRITE, AclOperation.DESCRIBE]);
    if (opts.idempotent === true) grant({ resourceType: ResourceType.CLUSTER, resourceName: CLUSTER_RESOURCE }, [AclOperation.IDEMPOTENT_WRITE]);
  }
  if (opts.consumer === true) {
    for (const topic of ofType(ResourceType.TOPIC)) grant(topic, [AclOperation.READ, AclOperation.DESCRIBE]);
    for (const group of ofType(ResourceType.GROUP)) grant(group, [AclOperation.READ]);
  }
  return [...plan.values()];
}

/** The operations per resource an --add or a --remove with principals means: the shortcuts', or --operation's (default All) on every resource. */
function operationsPerResource(opts: AclOptions, defaultOperation: AclOperation): ResourceOperations[] {
  if (opts.producer === true || opts.consumer === true) return shortcutOperations(opts);
  if (opts.idempotent === true) throw new UserError('--idempotent: only with --producer');
  const operations = opts.operation.length > 0 ? opts.operation.map(parseOperation) : [defaultOperation];
  return resourcesOf(opts).map((resource) => ({ resource, operations }));
}

/** The bindings --add creates: every resource × (allowed principals × hosts ∪ denied principals × hosts) × operation. */
export function bindingsToAdd(opts: AclOptions): AclBinding[] {
  const patternType = parsePatternType(opts.resourcePatternType);
  if (patternType !== PatternType.LITERAL && patternType !== PatternType.PREFIXED) {
    throw new UserError(`--resource-pattern-type: --add takes literal or prefixed, not ${opts.resourcePatternType}`);
  }
  if (resourcesOf(opts).length === 0) throw new UserError('acls --add: name a resource: --topic, --group, --transactional-id or --cluster');
  if (opts.allowPrincipal.length + opts.denyPrincipal.length === 0) throw new UserError('acls --add: name a principal: --allow-principal or --deny-principal');
  if (opts.allowHost.length > 0 && opts.allowPrincipal.length === 0) throw new UserError('--allow-host: only with --allow-principal');
  if (opts.denyHost.length > 0 && opts.denyPrincipal.length === 0) throw new UserError('--deny-host: only with --deny-principal');
  const plan = operationsPerResource(opts, AclOperation.ALL);
  for (const { resource, operations } of plan) {
    const allowed = OPERATIONS_BY_RESOURCE.get(resource.resourceType)!;
    const bad = operations.find((o) => !allowed.includes(o));
    if (bad !== undefined) {
      throw new UserError(
        `--operation: ${nameOf(ResourceType, resource.resourceType)} resources take ${allowed.map((o) => nameOf(AclOperation, o)).join(', ')}, not ${nameOf(AclOperation, bad)}`,
      );
    }
  }
  return plan.flatMap(({ resource, operations }) =>
    entries(opts, operations).map((ace) => ({ resourceType: resource.resourceType, resourceName: resource.resourceName!, patternType, ...ace })),
  );
}

/**
 * The filters --remove and --list send: per resource (any resource when none is named), and per
 * principal × host × operation given (any otherwise). --list takes --principal; --remove takes
 * --allow-/--deny-principal as --add does.
 */
export function filtersOf(opts: AclOptions, forRemove: boolean): AclBindingFilter[] {
  const patternType = parsePatternType(opts.resourcePatternType);
  const named = resourcesOf(opts);
  if (forRemove && named.length === 0) throw new UserError('acls --remove: name a resource: --topic, --group, --transactional-id or --cluster');
  if (!forRemove && (opts.producer === true || opts.consumer === true || opts.idempotent === true)) {
    throw new UserError('--producer, --consumer, --idempotent: only with --add or --remove');
  }
  const filterPattern = named.length > 0 ? patternType : PatternType.ANY;
  if (opts.allowPrincipal.length + opts.denyPrincipal.length > 0) {
    return operationsPerResource(opts, AclOperation.ANY).flatMap(({ resource, operations }) =>
      entries(opts, operations).map((ace) => ({
        resourceType: resource.resourceType,
        resourceName: resource.resourceName,
        patternType: filterPattern,
        ...ace,
      })),
    );
  }
  if (opts.producer === true || opts.consumer === true)
    throw new UserError('--producer / --consumer: name the principals, --allow-principal or --deny-principal');
  const resources: ResourcePattern[] = named.length > 0 ? named : [{ resourceType: ResourceType.ANY, resourceName: null }];
  const operations = opts.operation.map(parseOperation);
  const listed = opts.principal.map((p) => parsePrincipal('--principal', p));
  const aces = (listed.length > 0 ? listed : [null]).flatMap((principal) =>
    (operations.length > 0 ? operations : [AclOperation.ANY]).map((operation) => ({ principal, host: null, operation, permission: AclPermission.ANY })),
  );
  return resources.flatMap((r) => aces.map((ace) => ({ resourceType: r.resourceType, resourceName: r.resourceName, patternType: filterPattern, ...ace })));
}

/** A binding with names instead of codes, for --json and the listing. */
export function describeBinding(b: AclBinding): Record<string, string> {
  return {
    resourceType: nameOf(ResourceType, b.resourceType),
    resourceName: b.resourceName,
    patternType: nameOf(PatternType, b.patternType),
    principal: b.principal,
    host: b.host,
    operation: nameOf(AclOperation, b.operation),
    permission: nameOf(AclPermission, b.permission),
  };
}

/** kafka-acls.sh's listing: bindings grouped by resource pattern. */
function printListing(title: string, bindings: AclBinding[]): void {
  const groups = new Map<string, AclBinding[]>();
  for (const b of bindings) {
    const d = describeBinding(b);
    const key = `ResourcePattern(resourceType=${d.resourceType}, name=${d.resourceName}, patternType=${d.patternType})`;
    groups.set(key, [...(groups.get(key) ?? []), b]);
  }
  if (groups.size === 0) process.stdout.write(`${title}: none\n`);
  for (const [key, group] of groups) {
    process.stdout.write(`${title} for resource \`${key}\`:\n`);
    for (const b of group) {
      const d = describeBinding(b);
      process.stdout.write(`\t(principal=${d.principal}, host=${d.host}, operation=${d.operation}, permissionType=${d.permission})\n`);
    }
    process.stdout.write('\n');
  }
}

const refusal = (errorCode: number, errorMessage: string | null) => `${errorName(errorCode)}${errorMessage ? ` (${errorMessage})` : ''}`;

export function registerAcls(program: Command): void {
  connectionOptions(program.command('acls').description("add, remove and list a cluster's access control lists (what kafka-acls.sh does)"))
    .option('--add', 'create ACLs: every resource × principal × host × operation given')
    .option('--remove', 'delete the ACLs of the resources given (only those of the principals, hosts and operations given, if any)')
    .option('--list', 'list ACLs (of the resources and --principal given, else every ACL)')
    .option('--allow-principal <principal>', 'a principal allowed (repeatable), e.g. User:alice or User:*', collect, [])
    .option('--deny-principal <principal>', 'a principal denied (repeatable)', collect, [])
    .option('--allow-host <ip>', 'a host the allowed principals may connect from (repeatable; default every host, *)', collect, [])
    .option('--deny-host <ip>', 'a host the denied principals are denied from (repeatable; default every host, *)', collect, [])
    .option('--principal <principal>', 'with --list: only the ACLs of this principal (repeatable)', collect, [])
    .option(
      '--operation <op>',
      'an operation (repeatable): Read, Write, Create, Delete, Alter, Describe, ClusterAction, DescribeConfigs, AlterConfigs, IdempotentWrite, All (default All)',
      collect,
      [],
    )
    .option('--topic <name>', 'a topic (repeatable; * for every topic)', collect, [])
    .option('--group <name>', 'a consumer group (repeatable; * for every group)', collect, [])
    .option('--transactional-id <id>', 'a transactional id (repeatable; * for every one)', collect, [])
    .option('--cluster', 'the cluster resource (kafka-cluster)')
    .option('--producer', 'the ACLs a producer needs: Write, Describe, Create on --topic; Write, Describe on --transactional-id')
    .option('--consumer', 'the ACLs a consumer needs: Read, Describe on --topic; Read on --group')
    .option('--idempotent', 'with --producer: IdempotentWrite on the cluster too')
    .option('--resource-pattern-type <type>', 'literal, prefixed (for --add), or match, any (for --list and --remove)', 'literal')
    .option('--force', 'accepted for kafka-acls.sh compatibility: samsa never asks for confirmation')
    .option('--json', 'print the result as one JSON line')
    .action(async (opts: AclOptions) => {
      const modes = [opts.add, opts.remove, opts.list].filter((m) => m === true).length;
      if (modes !== 1) throw new UserError('acls: give exactly one of --add, --remove or --list');
      if (opts.add === true) return addAcls(opts);
      if (opts.remove === true) return removeAcls(opts);
      return listAcls(opts);
    });
}

async function addAcls(opts: AclOptions): Promise<void> {
  const bindings = bindingsToAdd(opts);
  const results = await withAdmin(opts, (admin) => admin.createAcls(bindings));
  const failed = results.flatMap((r, i) => (r.errorCode === ErrorCode.NONE ? [] : [{ binding: bindings[i]!, ...r }]));
  if (failed.length > 0) {
    const first = failed[0]!;
    const what = describeBinding(first.binding);
    throw new OperationError(
      `could not add ${failed.length} of ${bindings.length} ACLs: ${refusal(first.errorCode, first.errorMessage)} for ${what.permission} ${what.principal} ${what.operation} on ${what.resourceType} ${what.resourceName}`,
    );
  }
  if (opts.json === true) return printJson({ added: bindings.map(describeBinding) });
  printListing('Adding ACLs', bindings);
}

async function removeAcls(opts: AclOptions): Promise<void> {
  const filters = filtersOf(opts, true);
  const results = await withAdmin(opts, (admin) => admin.deleteAcls(filters));
  const failed = results.find((r) => r.errorCode !== ErrorCode.NONE);
  if (failed !== undefined) throw new OperationError(`could not remove ACLs: ${refusal(failed.errorCode, failed.errorMessage)}`);
  const removed = results.flatMap((r) => r.matchingAcls);
  const notRemoved = removed.find((a) => a.errorCode !== ErrorCode.NONE);
  if (notRemoved !== undefined) throw new OperationError(`could not remove an ACL: ${refusal(notRemoved.errorCode, notRemoved.errorMessage)}`);
  const bindings = removed.map(({ errorCode: _code, errorMessage: _message, ...b }) => b);
  if (opts.json === true) return printJson({ removed: bindings.map(describeBinding) });
  printListing('Removed ACLs', bindings);
}

async function listAcls(opts: AclOptions): Promise<void> {
  const filters = filtersOf(opts, false);
  const lists = await withAdmin(opts, (admin) => Promise.all(filters.map((f) => admin.describeAcls(f))));
  const seen = new Set<string>();
  const bindings = lists.flat().filter((b) => {
    const key = JSON.stringify(describeBinding(b));
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (opts.json === true) return printJson({ acls: bindings.map(describeBinding) });
  printListing('Current ACLs', bindings);
}
