// The security admin requests: CreateAcls, DeleteAcls and AlterUserScramCredentials decided by the
// controller and committed as metadata records; DescribeAcls and DescribeUserScramCredentials answered
// by any node from its image; both kinds surviving a controller failover and a snapshot.

import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MetadataImage } from '../../../core/controller/image.ts';
import { alterUserScramCredentials, describeUserScramCredentials } from '../../../core/controller/security-admin.ts';
import type { NodeId } from '../../../core/env.ts';
import { ErrorCode } from '../../../core/protocol/errors.ts';
import type {
  AlterUserScramCredentialsRequest,
  AlterUserScramCredentialsResponse,
  CreateAclsResponse,
  DeleteAclsResponse,
  DescribeAclsResponse,
  SecurityRequest,
  SecurityResponse,
} from '../../../core/protocol/security.ts';
import { ScramMechanism } from '../../../core/protocol/security.ts';
import { AclOperation, AclPermission, PatternType, ResourceType, EVERY_ACL, type AclBinding, type AclBindingFilter } from '../../../core/security/acl.ts';
import { STANDARD_AUTHORIZER } from '../../../core/security/authorizer.ts';
import { startCluster, type TestCluster } from '../controller-helpers.ts';

const acl = (fields: Partial<AclBinding> = {}): AclBinding => ({
  resourceType: ResourceType.TOPIC,
  resourceName: 'orders',
  patternType: PatternType.LITERAL,
  principal: 'User:alice',
  host: '*',
  operation: AclOperation.READ,
  permission: AclPermission.ALLOW,
  ...fields,
});

function ask<R extends SecurityResponse>(tc: TestCluster, to: NodeId, build: (correlationId: number) => SecurityRequest): R {
  return tc.request(to, build as never) as unknown as R;
}

const createAcls = (tc: TestCluster, to: NodeId, creations: AclBinding[]) =>
  ask<CreateAclsResponse>(tc, to, (correlationId) => ({ api: 'CreateAcls', kind: 'request', correlationId, creations }));
const describeAcls = (tc: TestCluster, to: NodeId, filter: AclBindingFilter) =>
  ask<DescribeAclsResponse>(tc, to, (correlationId) => ({ api: 'DescribeAcls', kind: 'request', correlationId, filter }));
const deleteAcls = (tc: TestCluster, to: NodeId, filters: AclBindingFilter[]) =>
  ask<DeleteAclsResponse>(tc, to, (correlationId) => ({ api: 'DeleteAcls', kind: 'request', correlationId, filters }));

function everyNode(tc: TestCluster, done: (image: MetadataImage) => boolean, what: string): void {
  tc.runUntil(() => tc.cluster.nodes.every((id) => done(tc.node(id).image)), 5_000, what);
}

describe('ACLs through the controller', () => {
  it('CreateAcls validates each binding, adds an identical one once, and every node describes them; DeleteAcls lists what it removed', () => {
    const tc = startCluster({ 'authorizer.class.name': STANDARD_AUTHORIZER });
    const created = createAcls(tc, tc.controller(), [
      acl(),
      acl(),
      acl({ resourceType: ResourceType.ANY }),
      acl({ patternType: PatternType.MATCH }),
      acl({ resourceType: ResourceType.CLUSTER, resourceName: 'other' }),
      acl({ principal: 'alice' }),
      acl({ resourceType: ResourceType.GROUP, resourceName: 'app-', patternType: PatternType.PREFIXED, permission: AclPermission.DENY }),
    ]);
    expect(created.results.map((r) => r.errorCode)).toEqual([
      ErrorCode.NONE,
      ErrorCode.NONE,
      ErrorCode.INVALID_REQUEST,
      ErrorCode.INVALID_REQUEST,
      ErrorCode.INVALID_REQUEST,
      ErrorCode.INVALID_REQUEST,
      ErrorCode.NONE,
    ]);
    expect([...tc.node(tc.controller()).image.acls()]).toHaveLength(2);
    // Again: already there, nothing added.
    expect(createAcls(tc, tc.controller(), [acl()]).results[0]!.errorCode).toBe(ErrorCode.NONE);
    everyNode(tc, (image) => [...image.acls()].length === 2, 'two ACLs everywhere');
    for (const id of tc.cluster.nodes) {
      const described = describeAcls(tc, id, { ...EVERY_ACL, resourceType: ResourceType.TOPIC });
      expect(described).toMatchObject({ errorCode: ErrorCode.NONE, acls: [acl()] });
    }
    // MATCH on a name selects the prefixed binding that applies to it.
    expect(describeAcls(tc, tc.controller(), { ...EVERY_ACL, resourceName: 'app-1', patternType: PatternType.MATCH }).acls).toHaveLength(1);
    expect(describeAcls(tc, tc.controller(), { ...EVERY_ACL, operation: AclOperation.UNKNOWN }).errorCode).toBe(ErrorCode.INVALID_REQUEST);

    const other = tc.cluster.nodes.find((id) => id !== tc.controller())!;
    expect(deleteAcls(tc, other, [EVERY_ACL]).filterResults[0]!.errorCode).toBe(ErrorCode.NOT_CONTROLLER);
    const deleted = deleteAcls(tc, tc.controller(), [{ ...EVERY_ACL, resourceType: ResourceType.TOPIC }, EVERY_ACL, { ...EVERY_ACL, permission: 0 }]);
    expect(deleted.filterResults.map((r) => [r.errorCode, r.matchingAcls.length])).toEqual([
      [ErrorCode.NONE, 1],
      [ErrorCode.NONE, 1],
      [ErrorCode.INVALID_REQUEST, 0],
    ]);
    expect(deleted.filterResults[0]!.matchingAcls[0]).toMatchObject(acl());
    everyNode(tc, (image) => [...image.acls()].length === 0, 'no ACLs anywhere');
  });

  it('with no authorizer the ACL requests answer SECURITY_DISABLED', () => {
    const tc = startCluster();
    expect(createAcls(tc, tc.controller(), [acl()]).results[0]!.errorCode).toBe(ErrorCode.SECURITY_DISABLED);
    expect(describeAcls(tc, tc.controller(), EVERY_ACL).errorCode).toBe(ErrorCode.SECURITY_DISABLED);
    expect(deleteAcls(tc, tc.controller(), [EVERY_ACL]).filterResults[0]!.errorCode).toBe(ErrorCode.SECURITY_DISABLED);
  });

  it('ACLs and credentials survive a controller failover, and a snapshot carries them (through JSON)', () => {
    const tc = startCluster({ 'authorizer.class.name': STANDARD_AUTHORIZER });
    createAcls(tc, tc.controller(), [acl(), acl({ operation: AclOperation.WRITE })]);
    const salt = new Uint8Array([1, 2, 3, 4]);
    const saltedPassword = pbkdf2Sync('secret', salt, 4096, 32, 'sha256');
    const altered = ask<AlterUserScramCredentialsResponse>(tc, tc.controller(), (correlationId) => ({
      api: 'AlterUserScramCredentials',
      kind: 'request',
      correlationId,
      deletions: [],
      upsertions: [{ name: 'alice', mechanism: ScramMechanism['SCRAM-SHA-256'], iterations: 4096, salt, saltedPassword }],
    }));
    expect(altered.results).toEqual([{ user: 'alice', errorCode: ErrorCode.NONE, errorMessage: null }]);
    const old = tc.controller();
    everyNode(tc, (image) => [...image.acls()].length === 2 && image.scramCredential('alice', 1) !== undefined, 'everything everywhere');
    tc.sim.crash(old);
    tc.runUntil(() => tc.activeController() !== null && tc.activeController() !== old, 10_000, 'a new controller');
    const next = tc.controller();
    expect(describeAcls(tc, next, EVERY_ACL).acls).toHaveLength(2);
    // The new controller's own view: an identical binding is not added again, a delete finds them.
    createAcls(tc, next, [acl()]);
    expect([...tc.node(next).image.acls()]).toHaveLength(2);
    tc.sim.restart(old);
    tc.runUntil(() => tc.sim.isUp(old) && safeAcls(tc, old) === 2, 10_000, 'the old controller replaying the ACLs');
    const image = tc.node(next).image;
    const copy = MetadataImage.fromSnapshot(JSON.parse(JSON.stringify(image.toSnapshot())));
    expect(copy.digest()).toBe(image.digest());
    expect([...copy.acls()]).toEqual([...image.acls()]);
    expect(copy.scramCredential('alice', 1)).toEqual(image.scramCredential('alice', 1));
    expect(tc.node(old).image.digest()).toBe(image.digest());
  });
});

function safeAcls(tc: TestCluster, id: NodeId): number {
  try {
    return [...tc.node(id).image.acls()].length;
  } catch {
    return -1;
  }
}

describe('SCRAM credentials', () => {
  const req = (fields: Partial<AlterUserScramCredentialsRequest>): AlterUserScramCredentialsRequest => ({
    api: 'AlterUserScramCredentials',
    kind: 'request',
    correlationId: 1,
    deletions: [],
    upsertions: [],
    ...fields,
  });
  const salt = new Uint8Array([9, 8, 7, 6, 5, 4, 3, 2]);

  it("StoredKey and ServerKey are node:crypto's H(HMAC(salted, 'Client Key')) and HMAC(salted, 'Server Key'), for SHA-256 and SHA-512", () => {
    for (const [mechanism, algo, length] of [
      [ScramMechanism['SCRAM-SHA-256'], 'sha256', 32],
      [ScramMechanism['SCRAM-SHA-512'], 'sha512', 64],
    ] as const) {
      const saltedPassword = pbkdf2Sync('pa55word', salt, 8192, length, algo);
      const image = new MetadataImage();
      const { results, records } = alterUserScramCredentials(image, req({ upsertions: [{ name: 'bob', mechanism, iterations: 8192, salt, saltedPassword }] }));
      expect(results).toEqual([{ user: 'bob', errorCode: ErrorCode.NONE, errorMessage: null }]);
      for (const r of records) image.apply(r);
      const cred = image.scramCredential('bob', mechanism)!;
      const clientKey = createHmac(algo, saltedPassword).update('Client Key').digest();
      expect(Buffer.from(cred.storedKey).toString('hex')).toBe(createHash(algo).update(clientKey).digest('hex'));
      expect(Buffer.from(cred.serverKey).toString('hex')).toBe(createHmac(algo, saltedPassword).update('Server Key').digest('hex'));
      expect(cred).toMatchObject({ salt, iterations: 8192 });
      // The record holds no password.
      expect(Object.keys(records[0]!).sort()).toEqual(['iterations', 'mechanism', 'name', 'salt', 'serverKey', 'storedKey', 'type']);
      // A record that went through the metadata log's JSON applies the same.
      const again = new MetadataImage();
      again.apply(JSON.parse(JSON.stringify(records[0])));
      expect(again.scramCredential('bob', mechanism)).toEqual(cred);
    }
  });

  it("Kafka's refusals: empty name, unknown mechanism, iterations out of range, deleting what does not exist, a credential named twice", () => {
    const image = new MetadataImage();
    const up = (name: string, mechanism: number, iterations = 4096) => ({ name, mechanism: mechanism as 1, iterations, salt, saltedPassword: salt });
    const { results, records } = alterUserScramCredentials(
      image,
      req({
        deletions: [
          { name: 'ghost', mechanism: 1 },
          { name: 'twice', mechanism: 2 },
        ],
        upsertions: [up('', 1), up('mech', 0), up('few', 1, 4095), up('many', 2, 16385), up('twice', 2), up('ok', 2, 16384)],
      }),
    );
    expect(results.map((r) => [r.user, r.errorCode])).toEqual([
      ['ghost', ErrorCode.RESOURCE_NOT_FOUND],
      ['twice', ErrorCode.DUPLICATE_RESOURCE],
      ['', ErrorCode.UNACCEPTABLE_CREDENTIAL],
      ['mech', ErrorCode.UNSUPPORTED_SASL_MECHANISM],
      ['few', ErrorCode.UNACCEPTABLE_CREDENTIAL],
      ['many', ErrorCode.UNACCEPTABLE_CREDENTIAL],
      ['ok', ErrorCode.NONE],
    ]);
    expect(records.map((r) => r.type === 'UserScramCredentialRecord' && r.name)).toEqual(['ok']);
  });

  it('Describe: null lists every user; an unknown user is RESOURCE_NOT_FOUND, a user named twice DUPLICATE_RESOURCE; deletion removes', () => {
    const image = new MetadataImage();
    const saltedPassword = new Uint8Array(32);
    for (const r of alterUserScramCredentials(
      image,
      req({
        upsertions: [
          { name: 'bob', mechanism: 1, iterations: 4096, salt, saltedPassword },
          { name: 'bob', mechanism: 2, iterations: 5000, salt, saltedPassword },
          { name: 'amy', mechanism: 2, iterations: 4096, salt, saltedPassword },
        ],
      }),
    ).records)
      image.apply(r);
    const describe = (users: string[] | null) =>
      describeUserScramCredentials(image, { api: 'DescribeUserScramCredentials', kind: 'request', correlationId: 1, users });
    expect(describe(null).results).toEqual([
      { user: 'amy', errorCode: 0, errorMessage: null, credentialInfos: [{ mechanism: 2, iterations: 4096 }] },
      {
        user: 'bob',
        errorCode: 0,
        errorMessage: null,
        credentialInfos: [
          { mechanism: 1, iterations: 4096 },
          { mechanism: 2, iterations: 5000 },
        ],
      },
    ]);
    expect(describe(['nobody', 'amy', 'amy']).results.map((r) => [r.user, r.errorCode])).toEqual([
      ['nobody', ErrorCode.RESOURCE_NOT_FOUND],
      ['amy', ErrorCode.DUPLICATE_RESOURCE],
    ]);
    for (const r of alterUserScramCredentials(image, req({ deletions: [{ name: 'amy', mechanism: 2 }] })).records) image.apply(r);
    expect(describe(null).results.map((r) => r.user)).toEqual(['bob']);
  });
});
