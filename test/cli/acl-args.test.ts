// `samsa acls` turns kafka-acls.sh's options into bindings and filters with Kafka's codes, refusing
// what kafka-acls.sh refuses (an operation a resource type does not take, --add without a principal);
// `samsa users` makes SCRAM credentials as RFC 5802 says (checked against RFC 7677's test vector), and
// `samsa configs --user` reads kafka-configs.sh's SCRAM form.

import { describe, expect, it } from 'vitest';
import { AclOperation, AclPermission, EVERY_ACL, PatternType, ResourceType } from '../../core/security/acl.ts';
import { ScramMechanism } from '../../core/protocol/security.ts';
import { bindingsToAdd, describeBinding, filtersOf, parseOperation, type AclOptions } from '../../cli/acls.ts';
import { parseMechanisms, scramConfigChanges } from '../../cli/users.ts';
import { alterOperations, entityOf } from '../../cli/configs.ts';
import { badIterations, saltedPassword, scramUpsertion } from '../../net/scram-credential.ts';
import { createHash, createHmac } from 'node:crypto';

const base: AclOptions = {
  bootstrap: 'x:1',
  timeout: 1000,
  allowPrincipal: [],
  denyPrincipal: [],
  allowHost: [],
  denyHost: [],
  principal: [],
  operation: [],
  topic: [],
  group: [],
  transactionalId: [],
  resourcePatternType: 'literal',
};

describe('acls arguments', () => {
  it('reads operations by kafka-acls.sh names, in any case', () => {
    expect(parseOperation('Read')).toBe(AclOperation.READ);
    expect(parseOperation('IdempotentWrite')).toBe(AclOperation.IDEMPOTENT_WRITE);
    expect(parseOperation('describe_configs')).toBe(AclOperation.DESCRIBE_CONFIGS);
    expect(() => parseOperation('Any')).toThrow(/unknown operation "Any"/);
    expect(() => parseOperation('Fly')).toThrow(/unknown operation "Fly"/);
  });

  it('--add: every resource × principal × host × operation, allows and denies', () => {
    const bindings = bindingsToAdd({
      ...base,
      topic: ['orders'],
      group: ['billing'],
      allowPrincipal: ['User:alice'],
      allowHost: ['10.0.0.1', '10.0.0.2'],
      denyPrincipal: ['User:mallory'],
      operation: ['Read', 'Describe'],
    });
    // 2 resources × (1 principal × 2 hosts + 1 principal × 1 host) × 2 operations
    expect(bindings).toHaveLength(12);
    expect(bindings[0]).toEqual({
      resourceType: ResourceType.TOPIC,
      resourceName: 'orders',
      patternType: PatternType.LITERAL,
      principal: 'User:alice',
      host: '10.0.0.1',
      operation: AclOperation.READ,
      permission: AclPermission.ALLOW,
    });
    expect(bindings.filter((b) => b.permission === AclPermission.DENY).every((b) => b.host === '*' && b.principal === 'User:mallory')).toBe(true);
    expect(describeBinding(bindings[11]!)).toEqual({
      resourceType: 'GROUP',
      resourceName: 'billing',
      patternType: 'LITERAL',
      principal: 'User:mallory',
      host: '*',
      operation: 'DESCRIBE',
      permission: 'DENY',
    });
  });

  it('--add defaults to operation All, takes prefixed patterns and the cluster resource', () => {
    const [b] = bindingsToAdd({ ...base, cluster: true, allowPrincipal: ['User:*'] });
    expect(b).toMatchObject({ resourceType: ResourceType.CLUSTER, resourceName: 'kafka-cluster', operation: AclOperation.ALL });
    const [p] = bindingsToAdd({ ...base, topic: ['logs-'], allowPrincipal: ['User:bob'], operation: ['Write'], resourcePatternType: 'PREFIXED' });
    expect(p!.patternType).toBe(PatternType.PREFIXED);
  });

  it('--add refuses what kafka-acls.sh refuses', () => {
    expect(() => bindingsToAdd({ ...base, allowPrincipal: ['User:a'] })).toThrow(/name a resource/);
    expect(() => bindingsToAdd({ ...base, topic: ['t'] })).toThrow(/name a principal/);
    expect(() => bindingsToAdd({ ...base, topic: ['t'], allowPrincipal: ['alice'] })).toThrow(/--allow-principal: expected a principal like User:alice/);
    expect(() => bindingsToAdd({ ...base, cluster: true, allowPrincipal: ['User:a'], operation: ['Read'] })).toThrow(/CLUSTER resources take .*, not READ/);
    expect(() => bindingsToAdd({ ...base, topic: ['t'], allowPrincipal: ['User:a'], resourcePatternType: 'match' })).toThrow(/--add takes literal or prefixed/);
    expect(() => bindingsToAdd({ ...base, topic: ['t'], denyHost: ['1.2.3.4'], allowPrincipal: ['User:a'] })).toThrow(
      /--deny-host: only with --deny-principal/,
    );
    expect(() => bindingsToAdd({ ...base, topic: ['t'], allowPrincipal: ['User:a'], resourcePatternType: 'glob' })).toThrow(
      /expected literal, prefixed, match or any/,
    );
  });

  it('--list: any resource and any entry without options; per principal and operation when given', () => {
    expect(filtersOf(base, false)).toEqual([EVERY_ACL]);
    const filters = filtersOf({ ...base, topic: ['orders'], principal: ['User:alice'], resourcePatternType: 'match' }, false);
    expect(filters).toEqual([
      {
        resourceType: ResourceType.TOPIC,
        resourceName: 'orders',
        patternType: PatternType.MATCH,
        principal: 'User:alice',
        host: null,
        operation: AclOperation.ANY,
        permission: AclPermission.ANY,
      },
    ]);
  });

  it('--producer and --consumer grant what kafka-acls.sh grants, together the union', () => {
    const ops = (bindings: ReturnType<typeof bindingsToAdd>) =>
      bindings.map((b) => `${describeBinding(b).resourceType}:${b.resourceName}:${describeBinding(b).operation}`);
    const producer = { ...base, producer: true, topic: ['orders'], transactionalId: ['t1'], allowPrincipal: ['User:alice'] };
    expect(ops(bindingsToAdd(producer))).toEqual([
      'TOPIC:orders:WRITE',
      'TOPIC:orders:DESCRIBE',
      'TOPIC:orders:CREATE',
      'TRANSACTIONAL_ID:t1:WRITE',
      'TRANSACTIONAL_ID:t1:DESCRIBE',
    ]);
    expect(ops(bindingsToAdd({ ...producer, idempotent: true }))).toContain('CLUSTER:kafka-cluster:IDEMPOTENT_WRITE');
    const consumer = { ...base, consumer: true, topic: ['orders'], group: ['readers'], allowPrincipal: ['User:bob'] };
    expect(ops(bindingsToAdd(consumer))).toEqual(['TOPIC:orders:READ', 'TOPIC:orders:DESCRIBE', 'GROUP:readers:READ']);
    expect(ops(bindingsToAdd({ ...consumer, producer: true }))).toEqual([
      'TOPIC:orders:WRITE',
      'TOPIC:orders:DESCRIBE',
      'TOPIC:orders:CREATE',
      'TOPIC:orders:READ',
      'GROUP:readers:READ',
    ]);
    const removal = filtersOf({ ...consumer, resourcePatternType: 'prefixed' }, true);
    expect(removal.map((f) => [f.resourceName, f.operation, f.patternType, f.principal])).toEqual([
      ['orders', AclOperation.READ, PatternType.PREFIXED, 'User:bob'],
      ['orders', AclOperation.DESCRIBE, PatternType.PREFIXED, 'User:bob'],
      ['readers', AclOperation.READ, PatternType.PREFIXED, 'User:bob'],
    ]);
  });

  it('--producer and --consumer refuse what kafka-acls.sh refuses', () => {
    const who = { ...base, allowPrincipal: ['User:alice'] };
    expect(() => bindingsToAdd({ ...who, producer: true, group: ['g'] })).toThrow(/--producer: name a --topic/);
    expect(() => bindingsToAdd({ ...who, consumer: true, topic: ['orders'] })).toThrow(/--consumer: name a --topic and a --group/);
    expect(() => bindingsToAdd({ ...who, consumer: true, topic: ['o'], group: ['g'], cluster: true })).toThrow(/not with --cluster/);
    expect(() => bindingsToAdd({ ...who, producer: true, topic: ['o'], operation: ['Read'] })).toThrow(/--operation: not with --producer/);
    expect(() => bindingsToAdd({ ...who, idempotent: true, topic: ['o'] })).toThrow(/--idempotent: only with --producer/);
    expect(() => filtersOf({ ...base, producer: true, topic: ['o'] }, false)).toThrow(/only with --add or --remove/);
  });

  it('--remove needs a resource, and narrows by the principals given', () => {
    expect(() => filtersOf(base, true)).toThrow(/acls --remove: name a resource/);
    const [f] = filtersOf({ ...base, group: ['g'], denyPrincipal: ['User:m'], operation: ['Read'] }, true);
    expect(f).toEqual({
      resourceType: ResourceType.GROUP,
      resourceName: 'g',
      patternType: PatternType.LITERAL,
      principal: 'User:m',
      host: '*',
      operation: AclOperation.READ,
      permission: AclPermission.DENY,
    });
  });
});

describe('SCRAM credentials', () => {
  it('salts the password as RFC 7677 says (SCRAM-SHA-256 test vector: the client proof comes out right)', () => {
    // RFC 7677 §3: user, pencil, salt W22ZaJ0SNY7soEsUEjb6gQ==, 4096 iterations.
    const salt = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
    const sp = saltedPassword('SCRAM-SHA-256', 'pencil', salt, 4096);
    const clientKey = createHmac('sha256', sp).update('Client Key').digest();
    const storedKey = createHash('sha256').update(clientKey).digest();
    const authMessage =
      'n=user,r=rOprNGfwEbeRWgbNEkqO,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096,c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
    const signature = createHmac('sha256', storedKey).update(authMessage).digest();
    const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]!));
    expect(proof.toString('base64')).toBe('dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=');
  });

  it('makes a fresh salt per upsertion, hash-long salted passwords, and checks iterations', () => {
    const a = scramUpsertion('alice', 'SCRAM-SHA-512', 'pw', 4096);
    const b = scramUpsertion('alice', 'SCRAM-SHA-512', 'pw', 4096);
    expect(a.mechanism).toBe(ScramMechanism['SCRAM-SHA-512']);
    expect(a.saltedPassword).toHaveLength(64);
    expect(Buffer.from(a.salt).equals(Buffer.from(b.salt))).toBe(false);
    expect(Buffer.from(a.saltedPassword).equals(Buffer.from(saltedPassword('SCRAM-SHA-512', 'pw', a.salt, 4096)))).toBe(true);
    expect(badIterations(4096)).toBeNull();
    expect(badIterations(16384)).toBeNull();
    expect(badIterations(4095)).toMatch(/from 4096 to 16384, got 4095/);
    expect(badIterations(20000)).toMatch(/got 20000/);
  });

  it("reads kafka-configs.sh's SCRAM configs: SCRAM-SHA-256=[iterations=N,password=P] added, a mechanism deleted", () => {
    const ops = alterOperations({ addConfig: 'SCRAM-SHA-256=[iterations=8192,password=alice-secret],SCRAM-SHA-512=[password=alice-secret]' });
    const added = ops.map((o) => ({ name: o.name, value: o.value! }));
    const { upsertions, deletions } = scramConfigChanges('alice', added, ['scram-sha-512']);
    expect(upsertions.map((u) => [u.name, u.mechanism, u.iterations])).toEqual([
      ['alice', ScramMechanism['SCRAM-SHA-256'], 8192],
      ['alice', ScramMechanism['SCRAM-SHA-512'], 4096],
    ]);
    expect(Buffer.from(upsertions[0]!.saltedPassword).equals(Buffer.from(saltedPassword('SCRAM-SHA-256', 'alice-secret', upsertions[0]!.salt, 8192)))).toBe(
      true,
    );
    expect(deletions).toEqual([{ name: 'alice', mechanism: ScramMechanism['SCRAM-SHA-512'] }]);
    const bad = (name: string, value: string) => () => scramConfigChanges('alice', [{ name, value }], []);
    expect(bad('producer_byte_rate', '1024')).toThrow(/SCRAM credentials .* not "producer_byte_rate" \(Samsa has no quotas\)/);
    expect(bad('SCRAM-SHA-256', 'iterations=8192')).toThrow(/SCRAM-SHA-256 needs a password/);
    expect(bad('SCRAM-SHA-256', 'password=x,salt=y')).toThrow(/expected SCRAM-SHA-256=\[iterations=N,password=P\]/);
    expect(bad('SCRAM-SHA-256', 'iterations=100,password=x')).toThrow(/from 4096 to 16384, got 100/);
  });

  it('configs names one entity: --topic, --broker, --user, or --entity-type with --entity-name', () => {
    expect(entityOf({ user: 'alice' })).toEqual({ kind: 'user', name: 'alice' });
    expect(entityOf({ entityType: 'users', entityName: 'alice' })).toEqual({ kind: 'user', name: 'alice' });
    expect(entityOf({ entityType: 'topics', entityName: 'orders' })).toEqual({ kind: 'topic', name: 'orders' });
    expect(() => entityOf({ entityType: 'clients', entityName: 'x' })).toThrow(/--entity-type: expected topics, brokers or users, got "clients"/);
    expect(() => entityOf({ entityType: 'users' })).toThrow(/--entity-name/);
    expect(() => entityOf({ user: 'a', topic: 'b' })).toThrow(/exactly one/);
    expect(() => entityOf({ entityType: 'brokers', entityName: 'one' })).toThrow(/--broker: expected a broker id/);
  });

  it('reads mechanism names', () => {
    expect(parseMechanisms(['scram-sha-256', 'SCRAM-SHA-512', 'SCRAM-SHA-256'])).toEqual(['SCRAM-SHA-256', 'SCRAM-SHA-512']);
    expect(() => parseMechanisms(['PLAIN'])).toThrow(/--mechanism: expected SCRAM-SHA-256 or SCRAM-SHA-512, got "PLAIN"/);
  });
});
