// The StandardAuthorizer's decisions over the ACLs of a metadata image: DENY over ALLOW, ALL, the
// DESCRIBE that READ/WRITE/DELETE/ALTER imply, prefixed and wildcard resource patterns, `User:*`,
// hosts, super.users, allow.everyone.if.no.acl.found, authorizeAny, and the seeded deny-not-checked.

import { describe, expect, it } from 'vitest';
import { Config } from '../../../core/protocol/configs.ts';
import { AclOperation as Op, AclPermission, PatternType, ResourceType, type AclBinding } from '../../../core/security/acl.ts';
import { imageWithAcls } from './acl-helpers.ts';
import { Authorizer, STANDARD_AUTHORIZER } from '../../../core/security/authorizer.ts';
import type { SecurityBug } from '../../../core/security/bugs.ts';

const alice = { principal: 'User:alice', host: '10.0.0.1' };
const bob = { principal: 'User:bob', host: '10.0.0.2' };

function authorizer(acls: Array<Partial<AclBinding>>, config: Record<string, string | boolean> = {}, bugs: SecurityBug[] = []): Authorizer {
  const image = imageWithAcls(acls);
  return Authorizer.fromConfig(new Config({ 'authorizer.class.name': STANDARD_AUTHORIZER, ...config }), () => image.acls(), new Set(bugs))!;
}

describe('StandardAuthorizer', () => {
  it('is configured only by authorizer.class.name', () => {
    expect(Authorizer.fromConfig(new Config({}), () => [])).toBeNull();
    expect(authorizer([])).toBeInstanceOf(Authorizer);
  });

  it('an ALLOW grants its operation to its principal only; a resource no ACL names is closed by default', () => {
    const a = authorizer([{}]);
    expect(a.authorize(alice, Op.READ, ResourceType.TOPIC, 'orders')).toBe(true);
    expect(a.authorize(alice, Op.WRITE, ResourceType.TOPIC, 'orders')).toBe(false);
    expect(a.authorize(bob, Op.READ, ResourceType.TOPIC, 'orders')).toBe(false);
    expect(a.authorize(alice, Op.READ, ResourceType.TOPIC, 'other')).toBe(false);
    expect(a.authorize(alice, Op.READ, ResourceType.GROUP, 'orders')).toBe(false);
  });

  it('a DENY wins over any ALLOW; ALL covers every operation, as DENY and as ALLOW', () => {
    const a = authorizer([{ operation: Op.ALL }, { operation: Op.WRITE, permission: AclPermission.DENY }]);
    expect(a.authorize(alice, Op.READ, ResourceType.TOPIC, 'orders')).toBe(true);
    expect(a.authorize(alice, Op.DELETE, ResourceType.TOPIC, 'orders')).toBe(true);
    expect(a.authorize(alice, Op.WRITE, ResourceType.TOPIC, 'orders')).toBe(false);
    const denyAll = authorizer([{ operation: Op.READ }, { principal: 'User:*', operation: Op.ALL, permission: AclPermission.DENY }]);
    expect(denyAll.authorize(alice, Op.READ, ResourceType.TOPIC, 'orders')).toBe(false);
  });

  it('READ, WRITE, DELETE and ALTER imply DESCRIBE; ALTER_CONFIGS implies DESCRIBE_CONFIGS; nothing else is implied', () => {
    for (const op of [Op.READ, Op.WRITE, Op.DELETE, Op.ALTER])
      expect(authorizer([{ operation: op }]).authorize(alice, Op.DESCRIBE, ResourceType.TOPIC, 'orders')).toBe(true);
    expect(authorizer([{ operation: Op.CREATE }]).authorize(alice, Op.DESCRIBE, ResourceType.TOPIC, 'orders')).toBe(false);
    expect(authorizer([{ operation: Op.ALTER_CONFIGS }]).authorize(alice, Op.DESCRIBE_CONFIGS, ResourceType.TOPIC, 'orders')).toBe(true);
    expect(authorizer([{ operation: Op.DESCRIBE }]).authorize(alice, Op.READ, ResourceType.TOPIC, 'orders')).toBe(false);
  });

  it('prefixed patterns, the literal wildcard name and the User:* principal', () => {
    const a = authorizer([
      { resourceName: 'app-', patternType: PatternType.PREFIXED },
      { resourceName: '*', operation: Op.DESCRIBE },
      { principal: 'User:*', resourceName: 'public', operation: Op.WRITE },
    ]);
    expect(a.authorize(alice, Op.READ, ResourceType.TOPIC, 'app-orders')).toBe(true);
    expect(a.authorize(alice, Op.READ, ResourceType.TOPIC, 'ap')).toBe(false);
    expect(a.authorize(alice, Op.DESCRIBE, ResourceType.TOPIC, 'anything')).toBe(true);
    expect(a.authorize(bob, Op.WRITE, ResourceType.TOPIC, 'public')).toBe(true);
    expect(a.authorize(bob, Op.READ, ResourceType.TOPIC, 'app-orders')).toBe(false);
  });

  it('an ACL for a host applies to that host only', () => {
    const a = authorizer([{ host: '10.0.0.1' }]);
    expect(a.authorize(alice, Op.READ, ResourceType.TOPIC, 'orders')).toBe(true);
    expect(a.authorize({ ...alice, host: '10.0.0.9' }, Op.READ, ResourceType.TOPIC, 'orders')).toBe(false);
  });

  it('super.users may do everything, whatever the ACLs say', () => {
    const a = authorizer([{ principal: 'User:admin', operation: Op.ALL, permission: AclPermission.DENY }], { 'super.users': 'User:admin; User:broker' });
    expect(a.authorize({ principal: 'User:admin', host: 'x' }, Op.WRITE, ResourceType.TOPIC, 'orders')).toBe(true);
    expect(a.authorize({ principal: 'User:broker', host: 'x' }, Op.CLUSTER_ACTION, ResourceType.CLUSTER, 'kafka-cluster')).toBe(true);
  });

  it('allow.everyone.if.no.acl.found opens resources no ACL names, and only those', () => {
    const a = authorizer([{ principal: 'User:bob' }], { 'allow.everyone.if.no.acl.found': true });
    expect(a.authorize(alice, Op.WRITE, ResourceType.TOPIC, 'unnamed')).toBe(true);
    expect(a.authorize(alice, Op.READ, ResourceType.TOPIC, 'orders')).toBe(false);
  });

  it('authorizeAny: an ALLOW on some name of the type, unless a DENY covers every name', () => {
    expect(authorizer([{ operation: Op.WRITE }]).authorizeAny(alice, Op.WRITE, ResourceType.TOPIC)).toBe(true);
    expect(authorizer([{ operation: Op.WRITE }]).authorizeAny(bob, Op.WRITE, ResourceType.TOPIC)).toBe(false);
    const denied = authorizer([{ operation: Op.WRITE }, { resourceName: '*', operation: Op.ALL, permission: AclPermission.DENY }]);
    expect(denied.authorizeAny(alice, Op.WRITE, ResourceType.TOPIC)).toBe(false);
  });

  it('authorizeAny follows Kafka: a DENY of the same literal or of a prefix of the name cancels an ALLOW; nothing is implied', () => {
    const deny = { permission: AclPermission.DENY };
    const write = { operation: Op.WRITE };
    expect(authorizer([write, { ...write, ...deny }]).authorizeAny(alice, Op.WRITE, ResourceType.TOPIC)).toBe(false);
    expect(
      authorizer([write, { ...write, ...deny, resourceName: 'ord', patternType: PatternType.PREFIXED }]).authorizeAny(alice, Op.WRITE, ResourceType.TOPIC),
    ).toBe(false);
    expect(
      authorizer([
        { ...write, resourceName: 'ord', patternType: PatternType.PREFIXED },
        { ...write, ...deny },
      ]).authorizeAny(alice, Op.WRITE, ResourceType.TOPIC),
    ).toBe(true);
    expect(authorizer([write, { ...write, ...deny, resourceName: 'other' }]).authorizeAny(alice, Op.WRITE, ResourceType.TOPIC)).toBe(true);
    expect(
      authorizer([write, { ...write, ...deny, resourceName: 'orders-x', patternType: PatternType.PREFIXED }]).authorizeAny(alice, Op.WRITE, ResourceType.TOPIC),
    ).toBe(true);
    expect(authorizer([{ operation: Op.ALL }]).authorizeAny(alice, Op.WRITE, ResourceType.TOPIC)).toBe(true);
    expect(authorizer([{ operation: Op.READ }]).authorizeAny(alice, Op.DESCRIBE, ResourceType.TOPIC)).toBe(false);
    expect(
      authorizer([
        { ...write, resourceName: '*' },
        { ...write, ...deny },
      ]).authorizeAny(alice, Op.WRITE, ResourceType.TOPIC),
    ).toBe(true);
    expect(authorizer([], { 'super.users': 'User:alice' }).authorizeAny(alice, Op.WRITE, ResourceType.TOPIC)).toBe(true);
    expect(authorizer([], { 'allow.everyone.if.no.acl.found': true }).authorizeAny(alice, Op.WRITE, ResourceType.TOPIC)).toBe(true);
    expect(authorizer([{ principal: 'User:bob' }], { 'allow.everyone.if.no.acl.found': true }).authorizeAny(alice, Op.WRITE, ResourceType.TOPIC)).toBe(true);
    expect(
      authorizer([{ ...write, resourceName: '*', ...deny }], { 'allow.everyone.if.no.acl.found': true }).authorizeAny(alice, Op.WRITE, ResourceType.TOPIC),
    ).toBe(false);
  });

  it('the seeded bug deny-not-checked lets a denied session through', () => {
    const acls = [
      { principal: 'User:*', operation: Op.ALL },
      { principal: 'User:intruder', operation: Op.ALL, permission: AclPermission.DENY },
    ];
    const intruder = { principal: 'User:intruder', host: '*' };
    expect(authorizer(acls).authorize(intruder, Op.READ, ResourceType.TOPIC, 'orders')).toBe(false);
    expect(authorizer(acls, {}, ['deny-not-checked']).authorize(intruder, Op.READ, ResourceType.TOPIC, 'orders')).toBe(true);
  });
});
