// The user's side of security on real sockets. `samsa acls` and `samsa users` against a PLAINTEXT
// cluster with the StandardAuthorizer on and the anonymous user a super user: ACLs added, listed and
// removed, SCRAM credentials added, described and deleted (also in kafka-configs.sh's form), errors with Kafka's names (SECURITY_DISABLED
// from a cluster without an authorizer). And `samsa cluster --secure` as a user meets it: kafkajs connects
// with the settings it prints, without credentials or with a wrong password it is refused, samsa's tools
// work through the client.properties it writes, and a user added with `samsa users` is held to its ACLs.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type KafkaConfig, type SASLOptions } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { samsaInProcess } from '../cli/in-process.ts';
import { hasKcat, hasPython, localClusterFor, PYTHON, run, SAMSA } from './real-helpers.ts';

const lastJson = (stdout: string) => JSON.parse(stdout.trimEnd().split('\n').at(-1)!) as Record<string, unknown>;

/** A one-broker cluster of `config` for the calling describe block. */
const oneBroker = (prefix: string, config: Record<string, string>) => localClusterFor(prefix, { brokers: 1, config });

describe('samsa acls and samsa users on a PLAINTEXT cluster with ACLs on', () => {
  const shared = oneBroker('samsa-acl-tools-', {
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'super.users': 'User:ANONYMOUS',
  });
  const tool = (args: string[]) => samsaInProcess(...args, '--bootstrap-server', shared.bootstrap, '--timeout', '20s');

  it('adds, lists and removes ACLs', async () => {
    const add = await tool(['acls', '--add', '--allow-principal', 'User:alice', '--operation', 'Read', '--operation', 'Write', '--topic', 'orders', '--json']);
    expect(add.stderr).toBe('');
    expect((lastJson(add.stdout).added as unknown[]).length).toBe(2);
    await tool(['acls', '--add', '--deny-principal', 'User:bob', '--group', 'billing', '--operation', 'Read']);

    const listed = await tool(['acls', '--list', '--topic', 'orders', '--json']);
    expect(lastJson(listed.stdout).acls).toEqual([
      { resourceType: 'TOPIC', resourceName: 'orders', patternType: 'LITERAL', principal: 'User:alice', host: '*', operation: 'READ', permission: 'ALLOW' },
      { resourceType: 'TOPIC', resourceName: 'orders', patternType: 'LITERAL', principal: 'User:alice', host: '*', operation: 'WRITE', permission: 'ALLOW' },
    ]);
    const all = await tool(['acls', '--list']);
    expect(all.stdout).toContain('Current ACLs for resource `ResourcePattern(resourceType=GROUP, name=billing, patternType=LITERAL)`:');
    expect(all.stdout).toContain('(principal=User:bob, host=*, operation=READ, permissionType=DENY)');

    const removed = await tool(['acls', '--remove', '--topic', 'orders', '--allow-principal', 'User:alice', '--operation', 'Write', '--json']);
    expect((lastJson(removed.stdout).removed as Array<{ operation: string }>).map((a) => a.operation)).toEqual(['WRITE']);
    const after = await tool(['acls', '--list', '--principal', 'User:alice', '--json']);
    expect((lastJson(after.stdout).acls as Array<{ operation: string }>).map((a) => a.operation)).toEqual(['READ']);
  }, 120_000);

  it('adds, describes and deletes SCRAM credentials', async () => {
    const add = await tool(['users', 'add', 'alice', '--password', 'alice-secret', '--mechanism', 'SCRAM-SHA-512', '--iterations', '8192']);
    expect(add.code).toBe(0);
    expect(add.stdout).toContain('User alice now has SCRAM-SHA-512 credentials (8192 iterations).');
    await tool(['users', 'add', 'carol', '--password', 'c']);
    const described = await tool(['users', 'describe', '--json']);
    expect(lastJson(described.stdout).users).toEqual([
      { user: 'alice', credentials: [{ mechanism: 'SCRAM-SHA-512', iterations: 8192 }] },
      { user: 'carol', credentials: [{ mechanism: 'SCRAM-SHA-256', iterations: 4096 }] },
    ]);
    const deleted = await tool(['users', 'delete', 'alice', '--json']);
    expect(lastJson(deleted.stdout)).toEqual({ user: 'alice', deleted: ['SCRAM-SHA-512'] });
    const gone = await tool(['users', 'describe', 'alice']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/user alice: RESOURCE_NOT_FOUND/);
    const few = await tool(['users', 'add', 'dave', '--password', 'd', '--iterations', '100']);
    expect(few.code).toBe(64);
    expect(few.stderr).toMatch(/--iterations: iterations must be an integer from 4096 to 16384, got 100/);
  }, 120_000);

  it("takes kafka-configs.sh's form: configs alter --entity-type users --add-config 'SCRAM-SHA-256=[…]', describe, --delete-config", async () => {
    const added = await tool([
      ...['configs', 'alter', '--entity-type', 'users', '--entity-name', 'erin'],
      ...['--add-config', 'SCRAM-SHA-256=[iterations=8192,password=erin-secret],SCRAM-SHA-512=[password=erin-secret]'],
    ]);
    expect(added.stderr).toBe('');
    expect(added.stdout).toContain('Altered the SCRAM credentials of user erin: SCRAM-SHA-256 (8192 iterations), SCRAM-SHA-512 (4096 iterations)');
    const described = await tool(['configs', 'describe', '--user', 'erin']);
    expect(described.stdout).toContain("SCRAM credential configs for user-principal 'erin' are SCRAM-SHA-256=iterations=8192, SCRAM-SHA-512=iterations=4096");
    await tool(['configs', 'alter', '--user', 'erin', '--delete-config', 'SCRAM-SHA-512']);
    const after = await tool(['configs', 'describe', '--user', 'erin', '--json']);
    expect(lastJson(after.stdout).configs).toEqual([{ mechanism: 'SCRAM-SHA-256', iterations: 8192 }]);
  }, 120_000);
});

describe('samsa acls on a cluster without an authorizer', () => {
  const shared = oneBroker('samsa-acl-disabled-', {});
  it('prints SECURITY_DISABLED', async () => {
    const r = await samsaInProcess(...['acls', '--list', '--bootstrap', shared.bootstrap, '--timeout', '20s']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/DescribeAcls: SECURITY_DISABLED/);
  }, 60_000);
});

interface SecureCluster {
  child: ChildProcess;
  out: string;
  bootstrap: string;
  caFile: string;
  password: string;
  mechanism: string;
  clientProperties: string;
}

/** Starts `samsa cluster --secure` and reads what it prints for a new user. */
function startSecureCluster(dataDir: string): Promise<SecureCluster> {
  const child = spawn(process.execPath, [SAMSA, 'cluster', '--brokers', '1', '--port', '0', '--data', dataDir, '--secure'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no bootstrap servers printed within 90 s:\n${out}`)), 90_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const bootstrap = /bootstrap servers: (\S+)/.exec(out);
      if (bootstrap === null) return;
      clearTimeout(timer);
      const login = /admin login \(a super user\): admin \/ (\S+) \(([^)]*)\)/.exec(out)!;
      resolve({
        child,
        out,
        bootstrap: bootstrap[1]!,
        caFile: /CA certificate: (\S+)/.exec(out)![1]!,
        password: login[1]!,
        mechanism: /sasl\.mechanisms=(\S+)/.exec(out)![1]!,
        clientProperties: /\(--command-config\): (\S+)/.exec(out)![1]!,
      });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`samsa cluster --secure exited with ${code}:\n${out}`)));
  });
}

describe('samsa cluster --secure', () => {
  let dir = '';
  let cluster: SecureCluster | undefined;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'samsa-secure-cluster-'));
    cluster = await startSecureCluster(dir);
  }, 120_000);
  afterAll(async () => {
    if (cluster !== undefined && cluster.child.exitCode === null) {
      const exited = new Promise((resolve) => cluster!.child.once('exit', resolve));
      cluster.child.kill('SIGINT');
      await exited;
    }
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  const kafka = (sasl: SASLOptions | undefined, extra: Partial<KafkaConfig> = {}) =>
    new Kafka({
      clientId: 'secure-test',
      brokers: cluster!.bootstrap.split(','),
      ssl: { ca: [readFileSync(cluster!.caFile, 'utf8')] },
      ...(sasl !== undefined ? { sasl } : {}),
      logLevel: logLevel.NOTHING,
      connectionTimeout: 5000,
      retry: { retries: 0 },
      ...extra,
    });
  const adminLogin = (): SASLOptions => ({ mechanism: cluster!.mechanism.toLowerCase() as 'plain', username: 'admin', password: cluster!.password });

  it('prints what a new user needs', () => {
    const out = cluster!.out;
    for (const what of ['kafkajs:', 'kcat / librdkafka:', 'confluent-kafka (Python):', 'kafka-python:', 'samsa tools:']) expect(out).toContain(what);
    expect(out).toContain(`ssl_cafile='${cluster!.caFile}'`);
    expect(cluster!.password).toMatch(/^[\w-]{24}$/);
    expect(cluster!.mechanism).toBe('SCRAM-SHA-256');
  });

  it('kafkajs with the printed settings creates a topic, produces and reads back', async () => {
    const client = kafka(adminLogin());
    const admin = client.admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic: 'secure-events', numPartitions: 1 }], waitForLeaders: true });
      const producer = client.producer();
      await producer.connect();
      await producer.send({ topic: 'secure-events', messages: [{ value: 'over TLS' }] });
      await producer.disconnect();
      const offsets = await admin.fetchTopicOffsets('secure-events');
      expect(offsets[0]!.high).toBe('1');
    } finally {
      await admin.disconnect();
    }
  }, 60_000);

  it('refuses kafkajs without credentials, with a wrong password, and without TLS', async () => {
    const tryConnect = async (client: Kafka) => {
      const admin = client.admin();
      try {
        await admin.connect();
        await admin.listTopics();
        return 'connected';
      } catch (err) {
        return (err as Error).message;
      } finally {
        await admin.disconnect().catch(() => {});
      }
    };
    expect(await tryConnect(kafka(undefined))).not.toBe('connected');
    expect(await tryConnect(kafka({ mechanism: 'plain', username: 'admin', password: 'wrong' }))).toMatch(
      /SASL PLAIN authentication failed|invalid credentials/i,
    );
    expect(await tryConnect(kafka(adminLogin(), { ssl: false }))).not.toBe('connected');
  }, 60_000);

  /** The line printed under a client's heading. */
  const snippet = (client: string) => {
    const lines = cluster!.out.split('\n');
    return lines[lines.indexOf(`  ${client}:`) + 1]!.trim();
  };

  it.skipIf(!hasKcat)(
    'kcat connects with the printed command',
    async () => {
      const [cmd, ...args] = snippet('kcat / librdkafka').split(' ');
      expect(cmd).toBe('kcat');
      const out = await run('kcat', [...args, '-m', '10'], '', 30_000);
      expect(out).toMatch(/from broker 1: sasl_ssl:\/\/127\.0\.0\.1:\d+\/1/);
      expect(out).toContain('topic "secure-events"');
    },
    60_000,
  );

  it.skipIf(!hasPython)(
    'confluent-kafka and kafka-python connect with the printed settings',
    async () => {
      const script = [
        'from confluent_kafka.admin import AdminClient',
        'from kafka import KafkaConsumer',
        `print(sorted(AdminClient(${snippet('confluent-kafka (Python)')}).list_topics(timeout=20).topics))`,
        `print(sorted(${snippet('kafka-python')}.topics()))`,
      ].join('\n');
      const out = await run(PYTHON, ['-c', script], '', 60_000);
      expect(out.trim().split('\n')).toEqual(["['secure-events']", "['secure-events']"]);
    },
    90_000,
  );

  it('samsa check runs its clients over SASL_SSL with the client.properties', async () => {
    const r = await samsaInProcess(
      ...['check', '--bootstrap', cluster!.bootstrap, '--command-config', cluster!.clientProperties, '--duration', '2s', '--rate', '10', '--json'],
    );
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout.trimEnd().split('\n').at(-1)!) as { valid: boolean; counts: { acknowledged: number; consumed: number } };
    expect(result.valid).toBe(true);
    expect(result.counts.acknowledged).toBeGreaterThan(0);
    expect(result.counts.consumed).toBe(result.counts.acknowledged);
  }, 60_000);

  it("samsa's tools connect with the client.properties it wrote", async () => {
    const r = await samsaInProcess(...['topics', 'list', '--bootstrap', cluster!.bootstrap, '--command-config', cluster!.clientProperties, '--timeout', '20s']);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n')).toContain('secure-events');
    const without = await samsaInProcess(...['topics', 'list', '--bootstrap', cluster!.bootstrap, '--timeout', '3s']);
    expect(without.code).toBe(1);
  }, 60_000);

  it('a user made with samsa users logs in with SCRAM and is held to the ACLs samsa acls --producer gives it', async () => {
    const admin = ['--bootstrap', cluster!.bootstrap, '--command-config', cluster!.clientProperties, '--timeout', '20s'];
    expect((await samsaInProcess(...['users', 'add', 'alice', '--password', 'alice-pw', '--mechanism', 'SCRAM-SHA-512', ...admin])).code).toBe(0);
    expect((await samsaInProcess(...['topics', 'create', '--topic', 'alice-topic', '--partitions', '1', ...admin])).code).toBe(0);
    const acl = await samsaInProcess(...['acls', '--add', '--allow-principal', 'User:alice', '--producer', '--topic', 'alice-topic', ...admin]);
    expect(acl.stderr).toBe('');
    const producer = kafka({ mechanism: 'scram-sha-512', username: 'alice', password: 'alice-pw' }).producer({ allowAutoTopicCreation: false });
    await producer.connect();
    try {
      await producer.send({ topic: 'alice-topic', messages: [{ value: 'allowed' }] });
      await expect(producer.send({ topic: 'secure-events', messages: [{ value: 'denied' }] })).rejects.toThrow(/authoriz/i);
    } finally {
      await producer.disconnect();
    }
  }, 90_000);
});
