// The security admin requests with Kafka's field names: CreateAcls, DescribeAcls and DeleteAcls
// (v1+ shapes, with pattern types, KIP-290), DescribeUserScramCredentials and
// AlterUserScramCredentials (KIP-554). Create/Delete ACLs and AlterUserScramCredentials change the
// metadata log, so the controller serves them; the Describe requests are answered by any broker
// from its metadata image.

import type { AclBinding, AclBindingFilter } from '../security/acl.ts';

/** ScramMechanism codes (KIP-554). */
export const ScramMechanism = { UNKNOWN: 0, 'SCRAM-SHA-256': 1, 'SCRAM-SHA-512': 2 } as const;
export type ScramMechanismName = 'SCRAM-SHA-256' | 'SCRAM-SHA-512';
export type ScramMechanismCode = (typeof ScramMechanism)[ScramMechanismName];

/** Iterations Kafka accepts for a SCRAM credential (ScramMechanism's minIterations / maxIterations). */
export const SCRAM_MIN_ITERATIONS = 4096;
export const SCRAM_MAX_ITERATIONS = 16384;

export interface CreateAclsRequest {
  api: 'CreateAcls';
  kind: 'request';
  correlationId: number;
  creations: AclBinding[];
}

export interface CreateAclsResponse {
  api: 'CreateAcls';
  kind: 'response';
  correlationId: number;
  throttleTimeMs: number;
  /** One per creation, in order. */
  results: Array<{ errorCode: number; errorMessage: string | null }>;
}

export interface DescribeAclsRequest {
  api: 'DescribeAcls';
  kind: 'request';
  correlationId: number;
  filter: AclBindingFilter;
}

export interface DescribeAclsResponse {
  api: 'DescribeAcls';
  kind: 'response';
  correlationId: number;
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  /** The matching bindings (the wire groups them by resource). */
  acls: AclBinding[];
}

export interface DeleteAclsRequest {
  api: 'DeleteAcls';
  kind: 'request';
  correlationId: number;
  filters: AclBindingFilter[];
}

export interface DeleteAclsFilterResult {
  errorCode: number;
  errorMessage: string | null;
  /** The bindings this filter deleted. */
  matchingAcls: Array<AclBinding & { errorCode: number; errorMessage: string | null }>;
}

export interface DeleteAclsResponse {
  api: 'DeleteAcls';
  kind: 'response';
  correlationId: number;
  throttleTimeMs: number;
  /** One per filter, in order. */
  filterResults: DeleteAclsFilterResult[];
}

export interface DescribeUserScramCredentialsRequest {
  api: 'DescribeUserScramCredentials';
  kind: 'request';
  correlationId: number;
  /** null: every user with a credential. */
  users: string[] | null;
}

export interface DescribeUserScramCredentialsResponse {
  api: 'DescribeUserScramCredentials';
  kind: 'response';
  correlationId: number;
  throttleTimeMs: number;
  errorCode: number;
  errorMessage: string | null;
  results: Array<{
    user: string;
    errorCode: number;
    errorMessage: string | null;
    credentialInfos: Array<{ mechanism: ScramMechanismCode; iterations: number }>;
  }>;
}

export interface ScramCredentialUpsertion {
  name: string;
  mechanism: ScramMechanismCode;
  iterations: number;
  salt: Uint8Array;
  /** Hi(password, salt, iterations): the controller derives StoredKey and ServerKey from it and keeps only those. */
  saltedPassword: Uint8Array;
}

export interface AlterUserScramCredentialsRequest {
  api: 'AlterUserScramCredentials';
  kind: 'request';
  correlationId: number;
  deletions: Array<{ name: string; mechanism: ScramMechanismCode }>;
  upsertions: ScramCredentialUpsertion[];
}

export interface AlterUserScramCredentialsResponse {
  api: 'AlterUserScramCredentials';
  kind: 'response';
  correlationId: number;
  throttleTimeMs: number;
  /** One per user named in the request. */
  results: Array<{ user: string; errorCode: number; errorMessage: string | null }>;
}

export type SecurityRequest =
  CreateAclsRequest | DescribeAclsRequest | DeleteAclsRequest | DescribeUserScramCredentialsRequest | AlterUserScramCredentialsRequest;
export type SecurityResponse =
  CreateAclsResponse | DescribeAclsResponse | DeleteAclsResponse | DescribeUserScramCredentialsResponse | AlterUserScramCredentialsResponse;
export type SecurityMessage = SecurityRequest | SecurityResponse;

/** Security requests that change the metadata log: the active controller serves them (NOT_CONTROLLER elsewhere). */
export const SECURITY_CONTROLLER_APIS: ReadonlySet<string> = new Set(['CreateAcls', 'DeleteAcls', 'AlterUserScramCredentials']);
/** Security requests any broker answers from its metadata image. */
export const SECURITY_BROKER_APIS: ReadonlySet<string> = new Set(['DescribeAcls', 'DescribeUserScramCredentials']);
