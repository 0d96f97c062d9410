// Fields the security admin APIs share: an ACL binding filter (DescribeAcls, DeleteAcls), a binding's
// access control entry, and the throttle time and error fields of their responses.

import type { FieldSpec } from '../spec.ts';

/** A filter's fields, as DescribeAcls and DeleteAcls name them; v0 has no pattern type (LITERAL). */
export const ACL_FILTER_FIELDS: readonly FieldSpec[] = [
  { name: 'resourceTypeFilter', type: 'int8', versions: '0+' },
  { name: 'resourceNameFilter', type: 'string', versions: '0+', nullableVersions: '0+' },
  { name: 'patternTypeFilter', type: 'int8', versions: '1+', default: 3 },
  { name: 'principalFilter', type: 'string', versions: '0+', nullableVersions: '0+' },
  { name: 'hostFilter', type: 'string', versions: '0+', nullableVersions: '0+' },
  { name: 'operation', type: 'int8', versions: '0+' },
  { name: 'permissionType', type: 'int8', versions: '0+' },
];

/** A binding's entry fields (principal, host, operation, permission). */
export const ACL_ENTRY_FIELDS: readonly FieldSpec[] = [
  { name: 'principal', type: 'string', versions: '0+' },
  { name: 'host', type: 'string', versions: '0+' },
  { name: 'operation', type: 'int8', versions: '0+' },
  { name: 'permissionType', type: 'int8', versions: '0+' },
];

export const THROTTLE_TIME: FieldSpec = { name: 'throttleTimeMs', type: 'int32', versions: '0+' };
export const ERROR_CODE: FieldSpec = { name: 'errorCode', type: 'int16', versions: '0+' };
export const ERROR_MESSAGE: FieldSpec = { name: 'errorMessage', type: 'string', versions: '0+', nullableVersions: '0+' };

/** The ACL APIs' versions: v1 adds the pattern type (KIP-290), v2 is flexible, v3 adds the USER resource type. */
export const ACL_VERSIONS = '0-3';
export const ACL_FLEXIBLE = '2+';
