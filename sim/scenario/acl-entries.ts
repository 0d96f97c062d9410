// A scenario's ACL entries as kafka-acls reads them (`allow: User:alice, operations: [Read,
// Describe], topic: orders, pattern: prefixed, host: "*"`) turned into Kafka's AclBindings, one per
// operation, with an error naming the key for anything kafka-acls would refuse; and back to entries.

import {
  AclOperation,
  AclPermission,
  CLUSTER_RESOURCE,
  invalidBinding,
  PatternType,
  ResourceType,
  WILDCARD,
  type AclBinding,
} from '../../core/security/acl.ts';
import { describeValue } from './units.ts';

/** Kafka's operation names (AclOperation, as kafka-acls spells them) and their codes. */
const OPERATIONS: ReadonlyArray<[string, AclOperation]> = [
  ['All', AclOperation.ALL],
  ['Read', AclOperation.READ],
  ['Write', AclOperation.WRITE],
  ['Create', AclOperation.CREATE],
  ['Delete', AclOperation.DELETE],
  ['Alter', AclOperation.ALTER],
  ['Describe', AclOperation.DESCRIBE],
  ['ClusterAction', AclOperation.CLUSTER_ACTION],
  ['DescribeConfigs', AclOperation.DESCRIBE_CONFIGS],
  ['AlterConfigs', AclOperation.ALTER_CONFIGS],
  ['IdempotentWrite', AclOperation.IDEMPOTENT_WRITE],
];

/** The resource keys of an entry and their types, with the operations kafka-acls allows on each (AclCommand's ResourceTypeToValidOperations). */
const RESOURCES: ReadonlyArray<{ key: string; type: ResourceType; operations: readonly string[] }> = [
  { key: 'topic', type: ResourceType.TOPIC, operations: ['Read', 'Write', 'Create', 'Describe', 'Delete', 'DescribeConfigs', 'AlterConfigs', 'Alter', 'All'] },
  { key: 'group', type: ResourceType.GROUP, operations: ['Read', 'Describe', 'Delete', 'All'] },
  {
    key: 'cluster',
    type: ResourceType.CLUSTER,
    operations: ['Create', 'ClusterAction', 'DescribeConfigs', 'AlterConfigs', 'IdempotentWrite', 'Alter', 'Describe', 'All'],
  },
  { key: 'transactional-id', type: ResourceType.TRANSACTIONAL_ID, operations: ['Describe', 'Write', 'All'] },
];

const KEYS = ['allow', 'deny', 'operations', 'topic', 'group', 'cluster', 'transactional-id', 'pattern', 'host'];

/** A principal a client authenticates as: `User:<name>`. */
export const PRINCIPAL = /^User:[A-Za-z0-9._@-]+$/;

export type EntryReport = (message: string, path: Array<string | number>) => void;

const squash = (name: string) => name.replace(/[_-]/g, '').toLowerCase();

/** An operation's code from its name, in any case, with or without underscores (Write, WRITE, IDEMPOTENT_WRITE). */
function operationCode(name: string): [string, AclOperation] | null {
  return OPERATIONS.find(([known]) => squash(known) === squash(name)) ?? null;
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The bindings one entry stands for (one per operation), or null after reporting what is wrong with it. */
export function parseAclEntry(input: unknown, report: EntryReport): AclBinding[] | null {
  const like = 'an ACL like { allow: User:alice, operations: [Read, Describe], topic: orders }';
  if (!isMapping(input)) {
    report(`expected ${like}, got ${describeValue(input)}`, []);
    return null;
  }
  let ok = true;
  const fail = (message: string, path: Array<string | number>) => {
    ok = false;
    report(message, path);
  };
  for (const key of Object.keys(input)) if (!KEYS.includes(key)) fail(`unknown key ${JSON.stringify(key)}; allowed keys: ${KEYS.join(', ')}`, [key]);
  const permissions = (['allow', 'deny'] as const).filter((k) => Object.hasOwn(input, k));
  if (permissions.length !== 1) {
    fail(permissions.length === 0 ? `expected allow: or deny: with the principal, like ${like}` : 'expected allow or deny, got both', []);
    return null;
  }
  const permissionKey = permissions[0]!;
  const principal = input[permissionKey];
  if (typeof principal !== 'string' || !(PRINCIPAL.test(principal) || principal === 'User:*'))
    fail(`expected a principal like User:alice (or User:* for every user), got ${describeValue(principal)}`, [permissionKey]);
  const resources = RESOURCES.filter((r) => Object.hasOwn(input, r.key));
  if (resources.length !== 1) {
    const keys = RESOURCES.map((r) => r.key).join(', ');
    fail(resources.length === 0 ? `expected one resource: ${keys}` : `expected one resource per entry, got ${resources.map((r) => r.key).join(' and ')}`, []);
    return null;
  }
  const resource = resources[0]!;
  let resourceName = input[resource.key];
  if (resource.type === ResourceType.CLUSTER && resourceName === true) resourceName = CLUSTER_RESOURCE;
  if (typeof resourceName !== 'string' || resourceName === '')
    fail(
      `expected a ${resource.key} name${resource.type === ResourceType.CLUSTER ? ` (${CLUSTER_RESOURCE}, or true)` : ' (or "*" for every one)'}, got ${describeValue(resourceName)}`,
      [resource.key],
    );
  const pattern = input['pattern'] ?? 'literal';
  if (pattern !== 'literal' && pattern !== 'prefixed') fail(`expected literal or prefixed, got ${describeValue(pattern)}`, ['pattern']);
  const host = input['host'] ?? WILDCARD;
  if (typeof host !== 'string' || host === '') fail(`expected a host (a node name, or "*" for every host), got ${describeValue(host)}`, ['host']);
  const rawOps = input['operations'];
  const names = typeof rawOps === 'string' ? [rawOps] : rawOps;
  if (!Array.isArray(names) || names.length === 0) {
    fail(`expected an operation or a non-empty list of them, like [Read, Describe], got ${describeValue(rawOps)}`, ['operations']);
    return null;
  }
  const operations: AclOperation[] = [];
  names.forEach((name, i) => {
    const path = typeof rawOps === 'string' ? ['operations'] : ['operations', i];
    const known = typeof name === 'string' ? operationCode(name) : null;
    if (known === null) return fail(`expected an operation (${OPERATIONS.map(([n]) => n).join(', ')}), got ${describeValue(name)}`, path);
    if (!resource.operations.includes(known[0]))
      return fail(`expected an operation a ${resource.key} has (${resource.operations.join(', ')}), got ${known[0]}`, path);
    operations.push(known[1]);
  });
  if (!ok) return null;
  const bindings = [...new Set(operations)].map((operation): AclBinding => ({
    resourceType: resource.type,
    resourceName: resourceName as string,
    patternType: pattern === 'prefixed' ? PatternType.PREFIXED : PatternType.LITERAL,
    principal: principal as string,
    host: host as string,
    operation,
    permission: permissionKey === 'allow' ? AclPermission.ALLOW : AclPermission.DENY,
  }));
  for (const binding of bindings) {
    const problem = invalidBinding(binding);
    if (problem !== null) {
      report(problem, []);
      return null;
    }
  }
  return bindings;
}

/** One binding as a scenario entry (the writer's form: one operation per entry). */
export function aclEntryOf(binding: AclBinding): Record<string, unknown> {
  const resource = RESOURCES.find((r) => r.type === binding.resourceType);
  const operation = OPERATIONS.find(([, code]) => code === binding.operation);
  if (resource === undefined || operation === undefined) throw new Error(`no scenario form for ACL ${JSON.stringify(binding)}`);
  return {
    [binding.permission === AclPermission.DENY ? 'deny' : 'allow']: binding.principal,
    operations: [operation[0]],
    [resource.key]: binding.resourceName,
    ...(binding.patternType === PatternType.PREFIXED ? { pattern: 'prefixed' } : {}),
    ...(binding.host !== WILDCARD ? { host: binding.host } : {}),
  };
}

/** The names of Kafka's operations, for messages and docs. */
export function operationName(code: number): string {
  return OPERATIONS.find(([, c]) => c === code)?.[0] ?? `operation ${code}`;
}
