// The security section of scenario files, client principals and the intruder: parsing, errors
// naming the key, the round trip through to-yaml, security.yaml's determinism, and the intruder's
// reach: every API, the cluster's own included, refused; as a super user, reported.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KNOWN_BUGS } from '../../core/bugs.ts';
import { AclOperation, AclPermission, PatternType, ResourceType } from '../../core/security/acl.ts';
import { parseScenario, ScenarioError } from '../../sim/scenario/parse.ts';
import { runScenario } from '../../sim/scenario/run.ts';
import { scenarioToYaml } from '../../sim/scenario/to-yaml.ts';
import { HashOnlySink, type TraceSink } from '../../trace/sink.ts';
import { NOT_DECIDED, REFUSED } from '../../models/history/unauthorized-access.ts';
import type { IntrudeOk } from '../../models/history/types.ts';

const options = { knownBugs: KNOWN_BUGS };
const parse = (text: string) => parseScenario(text, 'sec.yaml', options);

const base = `samsa: 1
name: sec
duration: 5s
cluster: { nodes: 3 }
topics:
  - { name: orders, partitions: 1, replicationFactor: 3 }
`;

function problem(text: string): string {
  try {
    parse(text);
  } catch (e) {
    if (e instanceof ScenarioError) return e.message;
    throw e;
  }
  throw new Error('expected a ScenarioError');
}

describe('security section', () => {
  it('reads ACLs as kafka-acls would, one binding per operation, and client principals', () => {
    const s = parse(`${base}clients:
  - { producer: p1, topic: orders, rate: 10/s, principal: User:alice }
  - { intruder: x }
security:
  super.users: [User:ops]
  acls:
    - { allow: User:alice, operations: [Write, describe], topic: orders }
    - { deny: "User:*", operations: IDEMPOTENT_WRITE, cluster: true, host: b1 }
    - { allow: User:bob, operations: [Read], group: g, pattern: prefixed }
`);
    expect(s.security).toEqual({
      authorizer: true,
      superUsers: ['User:ops'],
      allowEveryoneIfNoAclFound: false,
      acls: [
        {
          resourceType: ResourceType.TOPIC,
          resourceName: 'orders',
          patternType: PatternType.LITERAL,
          principal: 'User:alice',
          host: '*',
          operation: AclOperation.WRITE,
          permission: AclPermission.ALLOW,
        },
        {
          resourceType: ResourceType.TOPIC,
          resourceName: 'orders',
          patternType: PatternType.LITERAL,
          principal: 'User:alice',
          host: '*',
          operation: AclOperation.DESCRIBE,
          permission: AclPermission.ALLOW,
        },
        {
          resourceType: ResourceType.CLUSTER,
          resourceName: 'kafka-cluster',
          patternType: PatternType.LITERAL,
          principal: 'User:*',
          host: 'b1',
          operation: AclOperation.IDEMPOTENT_WRITE,
          permission: AclPermission.DENY,
        },
        {
          resourceType: ResourceType.GROUP,
          resourceName: 'g',
          patternType: PatternType.PREFIXED,
          principal: 'User:bob',
          host: '*',
          operation: AclOperation.READ,
          permission: AclPermission.ALLOW,
        },
      ],
    });
    expect(s.clients[0]).toMatchObject({ kind: 'producer', principal: 'User:alice' });
    expect(s.clients[1]).toEqual({ kind: 'intruder', id: 'x', principal: 'User:x', ratePerSec: 20 });
    expect(parse(scenarioToYaml(s))).toEqual(s);
  });

  it('leaves a scenario without the section as it was: no security field, no principals', () => {
    const s = parse(`${base}clients:\n  - { producer: p1, topic: orders, rate: 10/s }\n`);
    expect('security' in s).toBe(false);
    expect('principal' in s.clients[0]!).toBe(false);
  });

  it.each([
    ['    - { allow: User:alice, operations: [Fly], topic: orders }', 'security.acls[0].operations[0]', 'expected an operation'],
    ['    - { allow: User:alice, operations: [Read], group: g, topic: orders }', 'security.acls[0]', 'one resource per entry'],
    ['    - { allow: alice, operations: [Read], topic: orders }', 'security.acls[0].allow', 'expected a principal like User:alice'],
    ['    - { allow: User:alice, operations: [IdempotentWrite], topic: orders }', 'security.acls[0].operations[0]', 'a topic has'],
    ['    - { allow: User:alice, operations: [Read], topic: orders, pattern: glob }', 'security.acls[0].pattern', 'literal or prefixed'],
    ['    - { allow: User:alice, deny: User:bob, operations: [Read], topic: orders }', 'security.acls[0]', 'allow or deny, got both'],
    ['    - { allow: User:alice, operations: [Read], topic: orders, colour: red }', 'security.acls[0].colour', 'unknown key'],
  ])('refuses the ACL %s naming %s', (entry, path, message) => {
    const text = problem(`${base}security:\n  acls:\n${entry}\n`);
    expect(text).toContain(path);
    expect(text).toContain(message);
  });

  it('refuses principals without the section, reserved principals, and security configs in cluster.config', () => {
    expect(problem(`${base}clients:\n  - { producer: p1, topic: orders, rate: 10/s, principal: User:alice }\n`)).toContain(
      'clients[0].principal: expected a security section',
    );
    expect(problem(`${base}clients:\n  - { intruder: x }\n`)).toContain('expected a security section with an intruder');
    expect(problem(`${base}clients:\n  - { producer: p1, topic: orders, rate: 10/s, principal: User:broker }\nsecurity: {}\n`)).toContain(
      'clients[0].principal',
    );
    expect(problem(base.replace('{ nodes: 3 }', '{ nodes: 3, config: { super.users: "User:x" } }'))).toContain('expected super.users under security:');
    expect(problem(`${base}security: { super.users: [bob] }\n`)).toContain('security["super.users"][0]');
    expect(problem(`${base}security: { authorizer: yes }\n`)).toContain('security.authorizer');
    expect(problem(`${base}security:\n  authorizer: false\n  acls: [{ allow: User:a, operations: [Read], topic: orders }]\n`)).toContain(
      'security.acls: expected no acls with authorizer: false',
    );
  });
});

describe('security.yaml', () => {
  it('gives the same trace twice', () => {
    const scenario = parse(readFileSync('scenarios/security.yaml', 'utf8'));
    const a = runScenario({ ...scenario, durationMs: 8_000 }, { trace: new HashOnlySink(), livenessMs: 10_000 }).traceHash;
    const b = runScenario({ ...scenario, durationMs: 8_000 }, { trace: new HashOnlySink(), livenessMs: 10_000 }).traceHash;
    expect(a).not.toBeNull();
    expect(a).toBe(b);
  });
});

/** The intruder's answered attempts in a run of security.yaml (its super.users replaced when given), by API. */
function intruderAnswers(superUsers: string[] | null): Map<string, IntrudeOk[]> {
  let text = readFileSync('scenarios/security.yaml', 'utf8');
  if (superUsers !== null) text = text.replace('  authorizer: true\n', `  authorizer: true\n  super.users: [${superUsers.join(', ')}]\n`);
  const answers = new Map<string, IntrudeOk[]>();
  const sink: TraceSink = {
    write(line) {
      if (!line.includes('"op":"intrude"') || !line.includes('"type":"ok"')) return;
      const v = (JSON.parse(line) as { value: IntrudeOk }).value;
      const key = v.api + (v.resource.includes('follower fetch') ? ' (follower)' : v.resource.includes('metadata log') ? ' (quorum)' : '');
      answers.set(key, [...(answers.get(key) ?? []), v]);
    },
    close: () => 'unhashed',
  };
  runScenario({ ...parse(text), durationMs: 12_000 }, { trace: sink, livenessMs: 10_000 });
  return answers;
}

const gotThrough = (v: IntrudeOk) => v.gained.length > 0 || v.errors.some((e) => !REFUSED.has(e) && !NOT_DECIDED.has(e));

/** The cluster's own APIs and the describe/list ones, which the intruder poses as a broker or voter to send. */
const CLUSTER_APIS = [
  'Vote',
  'BeginQuorumEpoch',
  'EndQuorumEpoch',
  'FetchSnapshot',
  'Fetch (quorum)',
  'Fetch (follower)',
  'BrokerRegistration',
  'BrokerHeartbeat',
  'AlterPartition',
  'AllocateProducerIds',
  'DescribeGroups',
  'ListGroups',
  'ListTransactions',
  'DescribeTransactions',
  'DescribeUserScramCredentials',
];

describe('the intruder', () => {
  it('tries every API family, the cluster-internal ones too, and is refused every time', () => {
    const answers = intruderAnswers(null);
    expect([...answers.keys()].sort()).toEqual(
      [
        ...CLUSTER_APIS,
        ...['Produce', 'Fetch', 'ListOffsets', 'Metadata', 'CreateTopics', 'DeleteTopics', 'DeleteRecords', 'CreatePartitions'],
        ...['IncrementalAlterConfigs', 'DescribeConfigs', 'FindCoordinator', 'JoinGroup', 'SyncGroup', 'Heartbeat', 'OffsetCommit', 'OffsetFetch'],
        ...['LeaveGroup', 'DeleteGroups', 'InitProducerId', 'AddPartitionsToTxn', 'AddOffsetsToTxn', 'TxnOffsetCommit', 'EndTxn', 'CreateAcls'],
        ...['DeleteAcls', 'DescribeAcls', 'AlterUserScramCredentials', 'OffsetForLeaderEpoch', 'WriteTxnMarkers'],
      ].sort(),
    );
    for (const [api, list] of answers) expect(list.filter(gotThrough), api).toEqual([]);
  }, 60_000);

  it('as a super user gets the cluster-internal APIs through, and each is seen as getting through', () => {
    const answers = intruderAnswers(['User:intruder']);
    for (const api of CLUSTER_APIS) expect(answers.get(api)?.some(gotThrough), api).toBe(true);
  }, 60_000);
});
