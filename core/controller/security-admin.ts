// The security admin requests decided against the metadata image, as KRaft's AclControlManager and
// ScramControlManager decide them: CreateAcls and DeleteAcls (records for the controller to commit),
// AlterUserScramCredentials (KIP-554: the controller keeps only StoredKey and ServerKey), and the
// Describe requests any broker answers from its image. With no authorizer configured the ACL
// requests answer SECURITY_DISABLED, as Kafka's do; SCRAM credentials work regardless.

import { ErrorCode } from '../protocol/errors.ts';
import {
  SCRAM_MAX_ITERATIONS,
  SCRAM_MIN_ITERATIONS,
  type AlterUserScramCredentialsRequest,
  type AlterUserScramCredentialsResponse,
  type CreateAclsRequest,
  type CreateAclsResponse,
  type DeleteAclsRequest,
  type DeleteAclsResponse,
  type DescribeAclsRequest,
  type DescribeAclsResponse,
  type DescribeUserScramCredentialsRequest,
  type DescribeUserScramCredentialsResponse,
  type ScramMechanismCode,
} from '../protocol/security.ts';
import { aclMatchesFilter, invalidBinding, type AclBinding, type AclBindingFilter, type StoredAcl } from '../security/acl.ts';
import { scramHash, scramKeys } from '../security/scram.ts';
import type { MetadataImage } from './image.ts';
import type { MetadataRecord } from './records.ts';

const NO_AUTHORIZER = 'No Authorizer is configured.';

/** Why a filter selects nothing Kafka can name (a field UNKNOWN), or null. */
export function invalidFilter(filter: AclBindingFilter): string | null {
  if (filter.resourceType === 0 || filter.patternType === 0 || filter.operation === 0 || filter.permission === 0) {
    return 'the filter has an UNKNOWN resource type, pattern type, operation or permission type';
  }
  return null;
}

function binding(acl: StoredAcl): AclBinding {
  const { id: _id, ...rest } = acl;
  return rest;
}

function sameBinding(a: AclBinding, b: AclBinding): boolean {
  return (
    a.resourceType === b.resourceType &&
    a.resourceName === b.resourceName &&
    a.patternType === b.patternType &&
    a.principal === b.principal &&
    a.host === b.host &&
    a.operation === b.operation &&
    a.permission === b.permission
  );
}

/**
 * CreateAcls: a result per creation, and an AccessControlEntryRecord per new binding. `stage` applies
 * each record to the image the next decisions read, so a binding named twice is added once.
 */
export function createAcls(
  image: MetadataImage,
  req: CreateAclsRequest,
  authorizerEnabled: boolean,
  newId: () => string,
  stage: (record: MetadataRecord) => void,
): CreateAclsResponse['results'] {
  return req.creations.map((creation) => {
    if (!authorizerEnabled) return { errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: NO_AUTHORIZER };
    const invalid = invalidBinding(creation);
    if (invalid !== null) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: invalid };
    const exists = [...image.acls()].some((a) => sameBinding(a, creation));
    if (!exists) stage({ type: 'AccessControlEntryRecord', id: newId(), ...copyBinding(creation) });
    return { errorCode: ErrorCode.NONE, errorMessage: null };
  });
}

function copyBinding(b: AclBinding): AclBinding {
  return {
    resourceType: b.resourceType,
    resourceName: b.resourceName,
    patternType: b.patternType,
    principal: b.principal,
    host: b.host,
    operation: b.operation,
    permission: b.permission,
  };
}

/** DeleteAcls: per filter, the bindings it removes (a binding two filters match is listed by the first). */
export function deleteAcls(
  image: MetadataImage,
  req: DeleteAclsRequest,
  authorizerEnabled: boolean,
  stage: (record: MetadataRecord) => void,
): DeleteAclsResponse['filterResults'] {
  return req.filters.map((filter) => {
    if (!authorizerEnabled) return { errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: NO_AUTHORIZER, matchingAcls: [] };
    const invalid = invalidFilter(filter);
    if (invalid !== null) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: invalid, matchingAcls: [] };
    const matching = [...image.storedAcls()].filter((a) => aclMatchesFilter(a, filter));
    for (const acl of matching) stage({ type: 'RemoveAccessControlEntryRecord', id: acl.id });
    return {
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      matchingAcls: matching.map((a) => ({ ...binding(a), errorCode: ErrorCode.NONE, errorMessage: null })),
    };
  });
}

/** DescribeAcls from a broker's image. */
export function describeAcls(image: MetadataImage, req: DescribeAclsRequest, authorizerEnabled: boolean): DescribeAclsResponse {
  const answer = (errorCode: number, errorMessage: string | null, acls: AclBinding[]): DescribeAclsResponse => ({
    api: 'DescribeAcls',
    kind: 'response',
    correlationId: req.correlationId,
    throttleTimeMs: 0,
    errorCode,
    errorMessage,
    acls,
  });
  if (!authorizerEnabled) return answer(ErrorCode.SECURITY_DISABLED, NO_AUTHORIZER, []);
  const invalid = invalidFilter(req.filter);
  if (invalid !== null) return answer(ErrorCode.INVALID_REQUEST, invalid, []);
  return answer(ErrorCode.NONE, null, [...image.storedAcls()].filter((a) => aclMatchesFilter(a, req.filter)).map(binding));
}

/** DescribeUserScramCredentials from a broker's image: null users means every user with a credential. */
export function describeUserScramCredentials(image: MetadataImage, req: DescribeUserScramCredentialsRequest): DescribeUserScramCredentialsResponse {
  const names = req.users ?? image.scramUsers();
  const seen = new Map<string, number>();
  for (const n of names) seen.set(n, (seen.get(n) ?? 0) + 1);
  const results = [...new Set(names)].map((user) => {
    if (seen.get(user)! > 1)
      return {
        user,
        errorCode: ErrorCode.DUPLICATE_RESOURCE,
        errorMessage: `Cannot describe SCRAM credentials for the same user twice in a single request: ${user}`,
        credentialInfos: [],
      };
    const credentialInfos = image.scramCredentialInfos(user);
    if (credentialInfos.length === 0)
      return {
        user,
        errorCode: ErrorCode.RESOURCE_NOT_FOUND,
        errorMessage: `Attempt to describe a user credential that does not exist: ${user}`,
        credentialInfos,
      };
    return { user, errorCode: ErrorCode.NONE, errorMessage: null, credentialInfos };
  });
  return {
    api: 'DescribeUserScramCredentials',
    kind: 'response',
    correlationId: req.correlationId,
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    results,
  };
}

type Op =
  | { kind: 'delete'; name: string; mechanism: number }
  | { kind: 'upsert'; name: string; mechanism: number; iterations: number; salt: Uint8Array; saltedPassword: Uint8Array };

/**
 * AlterUserScramCredentials: one result per user, in the order users first appear; a user's
 * operations apply all together or, if one of them is refused, not at all. A (user, mechanism) named
 * twice is DUPLICATE_RESOURCE, as in Kafka's ScramControlManager.
 */
export function alterUserScramCredentials(
  image: MetadataImage,
  req: AlterUserScramCredentialsRequest,
): { results: AlterUserScramCredentialsResponse['results']; records: MetadataRecord[] } {
  const ops: Op[] = [...req.deletions.map((d) => ({ kind: 'delete' as const, ...d })), ...req.upsertions.map((u) => ({ kind: 'upsert' as const, ...u }))];
  const keyCount = new Map<string, number>();
  for (const op of ops) keyCount.set(`${op.mechanism}:${op.name}`, (keyCount.get(`${op.mechanism}:${op.name}`) ?? 0) + 1);
  const users = [...new Set(ops.map((o) => o.name))];
  const results: AlterUserScramCredentialsResponse['results'] = [];
  const records: MetadataRecord[] = [];
  for (const user of users) {
    const mine = ops.filter((o) => o.name === user);
    let error: { errorCode: number; errorMessage: string } | null = null;
    const userRecords: MetadataRecord[] = [];
    for (const op of mine) {
      error = scramOpError(image, op, keyCount.get(`${op.mechanism}:${op.name}`)!);
      if (error !== null) break;
      const mechanism = op.mechanism as ScramMechanismCode;
      if (op.kind === 'delete') userRecords.push({ type: 'RemoveUserScramCredentialRecord', name: user, mechanism });
      else
        userRecords.push({
          type: 'UserScramCredentialRecord',
          name: user,
          mechanism,
          salt: op.salt.slice(),
          ...scramKeys(mechanism, op.saltedPassword),
          iterations: op.iterations,
        });
    }
    if (error !== null) results.push({ user, ...error });
    else {
      results.push({ user, errorCode: ErrorCode.NONE, errorMessage: null });
      records.push(...userRecords);
    }
  }
  return { results, records };
}

function scramOpError(image: MetadataImage, op: Op, timesNamed: number): { errorCode: number; errorMessage: string } | null {
  if (op.name === '') return { errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, errorMessage: 'Username must not be empty' };
  if (scramHash(op.mechanism) === null) return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, errorMessage: `Unknown SCRAM mechanism ${op.mechanism}` };
  if (timesNamed > 1) return { errorCode: ErrorCode.DUPLICATE_RESOURCE, errorMessage: 'A user credential cannot be altered twice in the same request' };
  if (op.kind === 'delete') {
    if (image.scramCredential(op.name, op.mechanism as ScramMechanismCode) === undefined)
      return { errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: 'Attempt to delete a user credential that does not exist' };
    return null;
  }
  if (op.iterations < SCRAM_MIN_ITERATIONS)
    return { errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, errorMessage: `Too few iterations: at least ${SCRAM_MIN_ITERATIONS}` };
  if (op.iterations > SCRAM_MAX_ITERATIONS)
    return { errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, errorMessage: `Too many iterations: at most ${SCRAM_MAX_ITERATIONS}` };
  return null;
}
