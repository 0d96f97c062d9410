// Kafka's access control lists: resource patterns, operations and bindings with their wire codes
// (AclOperation, ResourceType, PatternType, AclPermissionType), how a binding filter matches a
// binding (DescribeAcls, DeleteAcls), and what a binding must hold to be created.

/** ResourceType codes; UNKNOWN 0 and ANY 1 appear only in filters. */
export const ResourceType = {
  UNKNOWN: 0,
  ANY: 1,
  TOPIC: 2,
  GROUP: 3,
  CLUSTER: 4,
  TRANSACTIONAL_ID: 5,
  DELEGATION_TOKEN: 6,
  USER: 7,
} as const;
export type ResourceType = (typeof ResourceType)[keyof typeof ResourceType];

/** PatternType codes; ANY 1 and MATCH 2 appear only in filters. */
export const PatternType = { UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const;
export type PatternType = (typeof PatternType)[keyof typeof PatternType];

/** AclOperation codes; ANY 1 appears only in filters. */
export const AclOperation = {
  UNKNOWN: 0,
  ANY: 1,
  ALL: 2,
  READ: 3,
  WRITE: 4,
  CREATE: 5,
  DELETE: 6,
  ALTER: 7,
  DESCRIBE: 8,
  CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10,
  ALTER_CONFIGS: 11,
  IDEMPOTENT_WRITE: 12,
  CREATE_TOKENS: 13,
  DESCRIBE_TOKENS: 14,
} as const;
export type AclOperation = (typeof AclOperation)[keyof typeof AclOperation];

/** AclPermissionType codes; ANY 1 appears only in filters. */
export const AclPermission = { UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3 } as const;
export type AclPermission = (typeof AclPermission)[keyof typeof AclPermission];

/** The one cluster resource's name. */
export const CLUSTER_RESOURCE = 'kafka-cluster';
/** A literal resource name or principal that matches every name. */
export const WILDCARD = '*';

/** An ACL: a resource pattern and an access control entry (Kafka's AclBinding). */
export interface AclBinding {
  resourceType: ResourceType;
  resourceName: string;
  patternType: PatternType;
  /** `User:<name>`, or `User:*` for every user. */
  principal: string;
  /** An IP address, or `*` for every host. */
  host: string;
  operation: AclOperation;
  permission: AclPermission;
}

/** A filter over bindings (DescribeAcls, DeleteAcls): null matches any value of a field; ANY codes match any value. */
export interface AclBindingFilter {
  resourceType: ResourceType;
  resourceName: string | null;
  patternType: PatternType;
  principal: string | null;
  host: string | null;
  operation: AclOperation;
  permission: AclPermission;
}

/** The filter that selects every binding. */
export const EVERY_ACL: AclBindingFilter = {
  resourceType: ResourceType.ANY,
  resourceName: null,
  patternType: PatternType.ANY,
  principal: null,
  host: null,
  operation: AclOperation.ANY,
  permission: AclPermission.ANY,
};

/** A binding as the metadata stores it (Kafka's AccessControlEntryRecord carries a Uuid id). */
export interface StoredAcl extends AclBinding {
  id: string;
}

/**
 * Whether `filter` selects `binding`. A MATCH pattern type selects the bindings that would apply to
 * the filter's resource name: the literal name, the literal wildcard, and prefixes of it.
 */
export function aclMatchesFilter(binding: AclBinding, filter: AclBindingFilter): boolean {
  if (filter.resourceType !== ResourceType.ANY && filter.resourceType !== binding.resourceType) return false;
  if (!patternMatchesFilter(binding, filter)) return false;
  if (filter.principal !== null && filter.principal !== binding.principal) return false;
  if (filter.host !== null && filter.host !== binding.host) return false;
  if (filter.operation !== AclOperation.ANY && filter.operation !== binding.operation) return false;
  if (filter.permission !== AclPermission.ANY && filter.permission !== binding.permission) return false;
  return true;
}

function patternMatchesFilter(binding: AclBinding, filter: AclBindingFilter): boolean {
  if (filter.patternType === PatternType.MATCH) {
    if (filter.resourceName === null) return true;
    if (binding.patternType === PatternType.LITERAL) return binding.resourceName === filter.resourceName || binding.resourceName === WILDCARD;
    return binding.patternType === PatternType.PREFIXED && filter.resourceName.startsWith(binding.resourceName);
  }
  if (filter.patternType !== PatternType.ANY && filter.patternType !== binding.patternType) return false;
  return filter.resourceName === null || filter.resourceName === binding.resourceName;
}

/** Why a binding cannot be created (Kafka answers INVALID_REQUEST with this message), or null if it can. */
export function invalidBinding(binding: AclBinding): string | null {
  const concrete = (v: number) => v !== 0 && v !== 1;
  if (!concrete(binding.resourceType) || !(Object.values(ResourceType) as number[]).includes(binding.resourceType)) {
    return `invalid resource type ${binding.resourceType}`;
  }
  if (binding.patternType !== PatternType.LITERAL && binding.patternType !== PatternType.PREFIXED) {
    return `invalid pattern type ${binding.patternType}: only LITERAL and PREFIXED bindings can be created`;
  }
  if (!concrete(binding.operation) || !(Object.values(AclOperation) as number[]).includes(binding.operation)) {
    return `invalid operation ${binding.operation}`;
  }
  if (binding.permission !== AclPermission.ALLOW && binding.permission !== AclPermission.DENY) return `invalid permission type ${binding.permission}`;
  if (binding.resourceName === '') return 'the resource name is empty';
  if (binding.resourceType === ResourceType.CLUSTER && binding.resourceName !== CLUSTER_RESOURCE) {
    return `the cluster resource is named ${CLUSTER_RESOURCE}, not ${binding.resourceName}`;
  }
  if (!/^[^:]+:.+$/.test(binding.principal)) return `invalid principal ${JSON.stringify(binding.principal)}: expected <type>:<name>`;
  if (binding.host === '') return 'the host is empty: use * for every host';
  return null;
}
