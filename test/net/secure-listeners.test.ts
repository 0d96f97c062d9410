// Secure listeners on the real runtime, one in-process node: SASL_SSL (PLAIN, SCRAM-SHA-256/512), SSL with
// ssl.client.auth=required, and PLAINTEXT beside them. kafkajs, kcat, confluent-kafka and kafka-python
// authenticate and produce and consume; wrong passwords, unknown users, unsupported mechanisms, plaintext on a
// TLS port, foreign and expired client certificates and bytes before authentication are refused without reaching
// the node; every request the node receives carries its connection's session.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect as tlsConnect } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../core/security/session.ts';
import { ScramMechanism } from '../../core/protocol/security.ts';
import { encodeRequestFrame } from '../../core/wire/messages.ts';
import { startBroker, type RunningBroker } from '../../net/broker.ts';
import { freePorts } from '../../net/local-cluster.ts';
import { OutboundConnection, type ClientSecurity } from '../../net/outbound-connection.ts';
import { saltedPassword, type ScramMechanismName } from '../../net/scram.ts';
import { parseServerProperties } from '../../net/server-properties.ts';
import { wireRequests } from '../../net/wire-request.ts';
import { hasKcat, hasPython, PYTHON, run, until } from './real-helpers.ts';
import { makeCertificates, type TestCertificates } from './tls-helpers.ts';

const HOST = '127.0.0.1';
const PLAIN_JAAS =
  'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret" user_alice="alice-secret";';

let dir: string;
let certs: TestCertificates;
let broker: RunningBroker;
const ports: Record<'SECURE' | 'MTLS' | 'REQ' | 'REAUTH' | 'PLAIN' | 'MAPPED', number> = { SECURE: 0, MTLS: 0, REQ: 0, REAUTH: 0, PLAIN: 0, MAPPED: 0 };
/** What the node received from connections: api and session (undefined for its own messages). */
const received: Array<{ api: string; from: string; session: Session | undefined }> = [];
const logs: string[] = [];

/** AlterUserScramCredentials (key 51) on the PLAINTEXT listener, salted here as a Kafka admin client does; resolves once the node's image holds it. */
async function addScramUser(name: string, mechanism: ScramMechanismName, password: string): Promise<void> {
  const salt = randomBytes(16);
  const upsertion = { name, mechanism: ScramMechanism[mechanism], iterations: 4096, salt, saltedPassword: saltedPassword(mechanism, password, salt, 4096) };
  const [altered] = await wireRequests(HOST, ports.PLAIN, [{ apiKey: 51, version: 0, body: { deletions: [], upsertions: [upsertion] } }]);
  expect(altered!.results).toEqual([{ user: name, errorCode: 0, errorMessage: null }]);
  const node = broker.runtime.node;
  await until(`${mechanism} credential of ${name}`, async () => node.image.scramCredential(name, ScramMechanism[mechanism]) !== undefined, 10_000);
}

const tlsTrust = () => ({ ca: [readCa()] });
const readCa = () => readFileSync(certs.caPem, 'utf8');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'samsa-secure-'));
  certs = makeCertificates(dir);
  const [controllerPort] = await freePorts(1);
  const properties = [
    'process.roles=broker,controller',
    'node.id=1',
    `listeners=SECURE://${HOST}:0,MTLS://${HOST}:0,REQ://${HOST}:0,REAUTH://${HOST}:0,PLAIN://${HOST}:0,MAPPED://${HOST}:0,CONTROLLER://${HOST}:${controllerPort}`,
    `advertised.listeners=SECURE://${HOST}:0,MTLS://${HOST}:0,REQ://${HOST}:0,REAUTH://${HOST}:0,PLAIN://${HOST}:0,MAPPED://${HOST}:0`,
    `controller.quorum.voters=1@${HOST}:${controllerPort}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAIN',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAIN:PLAINTEXT,SECURE:SASL_SSL,MTLS:SSL,REQ:SSL,REAUTH:SASL_SSL,MAPPED:SSL',
    'ssl.keystore.type=PEM',
    `ssl.keystore.location=${certs.serverKeystore}`,
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${certs.caPem}`,
    'listener.name.mtls.ssl.client.auth=required',
    'listener.name.req.ssl.client.auth=requested',
    'listener.name.mapped.ssl.client.auth=required',
    'listener.name.mapped.ssl.principal.mapping.rules=RULE:^CN=([^,]*),O=test$/$1/U',
    'listener.name.reauth.sasl.enabled.mechanisms=PLAIN',
    `listener.name.reauth.plain.sasl.jaas.config=${PLAIN_JAAS}`,
    'listener.name.reauth.connections.max.reauth.ms=3000',
    'listener.name.secure.sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
    `listener.name.secure.plain.sasl.jaas.config=${PLAIN_JAAS}`,
    'group.initial.rebalance.delay.ms=0',
    'offsets.topic.replication.factor=1',
    'transaction.state.log.replication.factor=1',
    `log.dirs=${join(dir, 'log')}`,
  ].join('\n');
  broker = await startBroker(parseServerProperties(properties), (line) => logs.push(line));
  const node = broker.runtime.node;
  const receive = node.receive.bind(node);
  node.receive = (env, from, msg, session) => {
    if (msg.kind === 'request') received.push({ api: msg.api, from, session });
    receive(env, from, msg, session);
  };
  for (const name of ['SECURE', 'MTLS', 'REQ', 'REAUTH', 'PLAIN', 'MAPPED'] as const) ports[name] = broker.runtime.bound.get(name)!.port;
  await until('the node to list itself', async () => {
    const [metadata] = await wireRequests(HOST, ports.PLAIN, [{ apiKey: 3, version: 1, body: { topics: [] } }], 1000);
    return (metadata!.brokers as unknown[]).length === 1;
  });
  await addScramUser('bob', 'SCRAM-SHA-256', 'bob-secret');
  await addScramUser('carol', 'SCRAM-SHA-512', 'carol-secret');
}, 60_000);

afterAll(async () => {
  await broker?.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}, 20_000);

/** The broker still serves a PLAINTEXT client. */
async function stillServes(): Promise<void> {
  const [versions] = await wireRequests(HOST, ports.PLAIN, [{ apiKey: 18, version: 3, body: { clientSoftwareName: 'x', clientSoftwareVersion: '1' } }], 3000);
  expect(versions!.errorCode).toBe(0);
}

function kafkajs(sasl: SASLOptions, clientId: string): Kafka {
  return new Kafka({
    clientId,
    brokers: [`${HOST}:${ports.SECURE}`],
    ssl: tlsTrust(),
    sasl,
    logLevel: logLevel.NOTHING,
    retry: { retries: 2, initialRetryTime: 100 },
    connectionTimeout: 5000,
  });
}

async function kafkajsRoundTrip(sasl: SASLOptions, topic: string): Promise<string[]> {
  const kafka = kafkajs(sasl, `rt-${topic}`);
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: [{ value: 'one' }, { value: 'two' }, { value: 'three' }] });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: `g-${topic}` });
  const seen: string[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
  await until(`three records of ${topic}`, async () => seen.length >= 3, 30_000);
  await consumer.disconnect();
  return seen;
}

describe('SASL_SSL with kafkajs', () => {
  it.each([
    ['PLAIN', { mechanism: 'plain', username: 'alice', password: 'alice-secret' }, 'User:alice'],
    ['SCRAM-SHA-256', { mechanism: 'scram-sha-256', username: 'bob', password: 'bob-secret' }, 'User:bob'],
    ['SCRAM-SHA-512', { mechanism: 'scram-sha-512', username: 'carol', password: 'carol-secret' }, 'User:carol'],
  ] as const)(
    '%s: produces and consumes over TLS; every request carries the session',
    async (name, sasl, principal) => {
      const topic = `kafkajs-${name.toLowerCase()}`;
      expect(await kafkajsRoundTrip(sasl as SASLOptions, topic)).toEqual(['one', 'two', 'three']);
      const produce = received.find((r) => r.api === 'Produce' && r.session?.principal === principal);
      expect(produce?.session).toEqual({ principal, host: HOST });
      expect(received.filter((r) => r.session?.principal === principal).map((r) => r.api)).toEqual(
        expect.arrayContaining(['Metadata', 'Produce', 'Fetch', 'JoinGroup']),
      );
    },
    60_000,
  );

  it.each([
    ['a wrong password', { mechanism: 'plain', username: 'alice', password: 'nope' }, 'PLAIN'],
    ['an unknown PLAIN user', { mechanism: 'plain', username: 'mallory', password: 'nope' }, 'PLAIN'],
    ['a wrong SCRAM password', { mechanism: 'scram-sha-256', username: 'bob', password: 'nope' }, 'SCRAM-SHA-256'],
    ['an unknown SCRAM user', { mechanism: 'scram-sha-256', username: 'mallory', password: 'nope' }, 'SCRAM-SHA-256'],
    ['a SCRAM user without a credential for the mechanism', { mechanism: 'scram-sha-512', username: 'bob', password: 'bob-secret' }, 'SCRAM-SHA-512'],
  ] as const)(
    'refuses %s with the same generic message',
    async (_what, sasl, mechanism) => {
      const before = received.length;
      const admin = kafkajs(sasl as SASLOptions, 'refused').admin();
      await expect(admin.connect()).rejects.toThrow(`Authentication failed during authentication due to invalid credentials with SASL mechanism ${mechanism}`);
      await admin.disconnect();
      expect(received.slice(before).filter((r) => r.session?.principal === `User:${sasl.username}`)).toEqual([]);
      await stillServes();
    },
    30_000,
  );
});

describe('re-authentication (KIP-368, connections.max.reauth.ms=3000)', () => {
  it('kafkajs re-authenticates on the same connection before its session ends and goes on being served', async () => {
    await wireRequests(HOST, ports.PLAIN, [{ apiKey: 19, version: 4, body: { topics: [{ name: 'reauth', numPartitions: 1, replicationFactor: 1 }] } }]);
    const kafka = new Kafka({
      clientId: 'reauth',
      brokers: [`${HOST}:${ports.REAUTH}`],
      ssl: tlsTrust(),
      sasl: { mechanism: 'plain', username: 'alice', password: 'alice-secret' },
      reauthenticationThreshold: 1500,
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    const sends: string[] = [];
    for (let i = 0; i < 3; i++) {
      await admin.fetchTopicMetadata({ topics: ['reauth'] });
      sends.push(received.filter((r) => r.from.startsWith('REAUTH-') && r.api === 'Metadata').at(-1)!.from);
      await new Promise((r) => setTimeout(r, 2000));
    }
    await admin.disconnect();
    // Past two session lifetimes, still the one connection: it re-authenticated rather than being closed.
    expect(new Set(sends).size).toBe(1);
  }, 30_000);

  it('closes a connection whose session expired without re-authenticating, at its next request', async () => {
    const sasl = { mechanism: 'PLAIN' as const, username: 'alice', password: 'alice-secret' };
    const closed = new Promise<string>((resolve) => {
      const connection = new OutboundConnection({
        host: HOST,
        port: ports.REAUTH,
        security: { tls: tlsTrust(), sasl },
        maxFrameBytes: 1 << 20,
        connectTimeoutMs: 3000,
        onClose: resolve,
      });
      const metadata = () => {
        const id = connection.takeCorrelationId();
        connection.send(encodeRequestFrame({ apiKey: 3, apiVersion: 1, correlationId: id, clientId: 't' }, { topics: [] }), id, () => {});
      };
      metadata();
      setTimeout(metadata, 3500);
    });
    expect(await closed).toMatch(/closed the connection/);
  }, 10_000);
});

describe('SASL wire rules', () => {
  const tls = (): ClientSecurity => ({ tls: tlsTrust() });

  it('answers an unsupported mechanism with UNSUPPORTED_SASL_MECHANISM and the enabled list, then closes', async () => {
    const [handshake] = await wireRequests(HOST, ports.SECURE, [{ apiKey: 17, version: 1, body: { mechanism: 'GSSAPI' } }], 3000, tls());
    expect(handshake).toMatchObject({ errorCode: 33, mechanisms: ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] });
    await expect(
      wireRequests(
        HOST,
        ports.SECURE,
        [
          { apiKey: 17, version: 1, body: { mechanism: 'GSSAPI' } },
          { apiKey: 18, version: 3, body: { clientSoftwareName: 'x', clientSoftwareVersion: '1' } },
        ],
        3000,
        tls(),
      ),
    ).rejects.toThrow(/closed/);
  });

  it('advertises SaslHandshake and SaslAuthenticate on the SASL listener, answers ApiVersions before authentication', async () => {
    const [versions] = await wireRequests(
      HOST,
      ports.SECURE,
      [{ apiKey: 18, version: 3, body: { clientSoftwareName: 'x', clientSoftwareVersion: '1' } }],
      3000,
      tls(),
    );
    const keys = (versions!.apiKeys as Array<{ apiKey: number; maxVersion: number }>).map((k) => [k.apiKey, k.maxVersion]);
    expect(keys).toEqual(
      expect.arrayContaining([
        [17, 1],
        [36, 2],
      ]),
    );
  });

  it('closes a connection that sends any other request before authenticating; the node never sees it', async () => {
    const before = received.length;
    await expect(wireRequests(HOST, ports.SECURE, [{ apiKey: 3, version: 1, body: { topics: [] } }], 3000, tls())).rejects.toThrow(/closed/);
    expect(received.slice(before)).toEqual([]);
    await stillServes();
  });

  it('closes a connection that sends random bytes before authenticating; nothing reaches the node', async () => {
    const before = received.length;
    const closed = await new Promise<boolean>((resolve, reject) => {
      const socket = tlsConnect({ host: HOST, port: ports.SECURE, ...tlsTrust() }, () => {
        const junk = randomBytes(64);
        junk.writeInt32BE(60, 0);
        socket.write(junk);
      });
      socket.on('data', () => reject(new Error('the broker answered random bytes')));
      socket.on('close', () => resolve(true));
      socket.on('error', () => {});
      setTimeout(() => resolve(false), 5000);
    });
    expect(closed).toBe(true);
    expect(received.slice(before)).toEqual([]);
    await stillServes();
  });

  it('authenticates Samsa’s own client (PLAIN and SCRAM over TLS) and then serves it; a second handshake is ILLEGAL_SASL_STATE', async () => {
    for (const sasl of [
      { mechanism: 'PLAIN', username: 'admin', password: 'admin-secret' },
      { mechanism: 'SCRAM-SHA-512', username: 'carol', password: 'carol-secret' },
    ] as const) {
      const [metadata, again] = await wireRequests(
        HOST,
        ports.SECURE,
        [
          { apiKey: 3, version: 1, body: { topics: [] } },
          { apiKey: 17, version: 1, body: { mechanism: 'PLAIN' } },
        ],
        5000,
        { ...tls(), sasl },
      );
      expect((metadata!.brokers as unknown[]).length).toBe(1);
      expect(again!.errorCode).toBe(34);
    }
    expect(received.some((r) => r.api === 'Metadata' && r.session?.principal === 'User:carol')).toBe(true);
  });

  it('refuses Samsa’s own SCRAM client with a wrong password', async () => {
    await expect(
      wireRequests(HOST, ports.SECURE, [{ apiKey: 3, version: 1, body: { topics: [] } }], 5000, {
        ...tls(),
        sasl: { mechanism: 'SCRAM-SHA-256', username: 'bob', password: 'x' },
      }),
    ).rejects.toThrow(/error code|invalid credentials/);
  });

  it('names brokers and coordinators by the endpoints of the listener a request came in on, as Kafka does', async () => {
    const [overPlain, coordinator] = await wireRequests(
      HOST,
      ports.PLAIN,
      [
        { apiKey: 3, version: 1, body: { topics: [] } },
        { apiKey: 10, version: 4, body: { keyType: 0, coordinatorKeys: ['listener-group'] } },
      ],
      5000,
    );
    expect((overPlain!.brokers as Array<{ port: number }>).map((b) => b.port)).toEqual([ports.PLAIN]);
    await until('the offsets topic to have a leader', async () => {
      const [found] = await wireRequests(HOST, ports.PLAIN, [{ apiKey: 10, version: 4, body: { keyType: 0, coordinatorKeys: ['listener-group'] } }], 5000);
      const c = (found!.coordinators as Array<{ errorCode: number; port: number }>)[0]!;
      return c.errorCode === 0 && c.port === ports.PLAIN;
    });
    expect(coordinator).toBeDefined();
    const [overMtls] = await wireRequests(HOST, ports.MTLS, [{ apiKey: 3, version: 1, body: { topics: [] } }], 5000, {
      tls: { ...tlsTrust(), key: certs.alice.key, cert: certs.alice.cert },
    });
    expect((overMtls!.brokers as Array<{ port: number }>).map((b) => b.port)).toEqual([ports.MTLS]);
  });

  it('lists SaslHandshake and SaslAuthenticate on a PLAINTEXT listener too, as Kafka does, and answers them with ILLEGAL_SASL_STATE', async () => {
    const [versions, handshake] = await wireRequests(
      HOST,
      ports.PLAIN,
      [
        { apiKey: 18, version: 3, body: { clientSoftwareName: 'x', clientSoftwareVersion: '1' } },
        { apiKey: 17, version: 1, body: { mechanism: 'PLAIN' } },
      ],
      3000,
    );
    const keys = (versions!.apiKeys as Array<{ apiKey: number }>).map((k) => k.apiKey);
    expect(keys).toEqual(expect.arrayContaining([17, 36]));
    expect(handshake!.errorCode).toBe(34);
  });

  it('fails the TLS handshake of a plaintext client on a TLS port; the broker stays up', async () => {
    await expect(
      wireRequests(HOST, ports.SECURE, [{ apiKey: 18, version: 3, body: { clientSoftwareName: 'x', clientSoftwareVersion: '1' } }], 3000),
    ).rejects.toThrow();
    await expect(
      wireRequests(HOST, ports.MTLS, [{ apiKey: 18, version: 3, body: { clientSoftwareName: 'x', clientSoftwareVersion: '1' } }], 3000),
    ).rejects.toThrow();
    await stillServes();
  });
});

describe('SSL with ssl.client.auth=required', () => {
  const versions = { apiKey: 3, version: 1, body: { topics: [] } };

  it('serves a client whose certificate the truststore signed, as User:<subject DN in RFC 2253 order>', async () => {
    const [metadata] = await wireRequests(HOST, ports.MTLS, [versions], 5000, { tls: { ...tlsTrust(), key: certs.alice.key, cert: certs.alice.cert } });
    expect((metadata!.brokers as unknown[]).length).toBe(1);
    expect(received.some((r) => r.api === 'Metadata' && r.session?.principal === 'User:CN=alice,O=test' && r.session.host === HOST)).toBe(true);
  });

  it.each([
    ['no client certificate', () => ({})],
    ['a certificate from another CA', () => ({ key: certs.stranger.key, cert: certs.stranger.cert })],
    ['an expired certificate', () => ({ key: certs.expired.key, cert: certs.expired.cert })],
  ])('refuses %s', async (_what, own) => {
    const before = received.length;
    await expect(wireRequests(HOST, ports.MTLS, [versions], 5000, { tls: { ...tlsTrust(), ...own() } })).rejects.toThrow();
    expect(received.slice(before)).toEqual([]);
    await stillServes();
  });
});

describe('SSL with ssl.principal.mapping.rules', () => {
  const metadata = { apiKey: 3, version: 1, body: { topics: [] } };

  it('names the principal by the first rule that matches, and refuses a certificate no rule maps', async () => {
    await wireRequests(HOST, ports.MAPPED, [metadata], 5000, { tls: { ...tlsTrust(), key: certs.alice.key, cert: certs.alice.cert } });
    expect(received.filter((r) => r.from.startsWith('MAPPED-')).map((r) => r.session?.principal)).toEqual(['User:ALICE']);
    const server = readFileSync(certs.serverKeystore, 'utf8');
    const before = received.length;
    await expect(wireRequests(HOST, ports.MAPPED, [metadata], 5000, { tls: { ...tlsTrust(), key: server, cert: server } })).rejects.toThrow();
    expect(received.slice(before)).toEqual([]);
    expect(logs.some((l) => l.includes('no ssl.principal.mapping.rules rule applies to CN=localhost'))).toBe(true);
    await stillServes();
  });
});

describe('SSL with ssl.client.auth=requested', () => {
  const metadata = { apiKey: 3, version: 1, body: { topics: [] } };

  it('serves a client without a certificate as User:ANONYMOUS and one with a trusted certificate as its DN', async () => {
    await wireRequests(HOST, ports.REQ, [metadata], 5000, { tls: tlsTrust() });
    await wireRequests(HOST, ports.REQ, [metadata], 5000, { tls: { ...tlsTrust(), key: certs.alice.key, cert: certs.alice.cert } });
    const sessions = received.filter((r) => r.from.startsWith('REQ-')).map((r) => r.session?.principal);
    expect(sessions).toEqual(['User:ANONYMOUS', 'User:CN=alice,O=test']);
  });

  it('refuses a certificate the truststore did not sign', async () => {
    const before = received.length;
    await expect(
      wireRequests(HOST, ports.REQ, [metadata], 5000, { tls: { ...tlsTrust(), key: certs.stranger.key, cert: certs.stranger.cert } }),
    ).rejects.toThrow();
    expect(received.slice(before)).toEqual([]);
  });
});

describe.skipIf(!hasKcat)('SASL_SSL with kcat (librdkafka)', () => {
  it.each([
    ['PLAIN', 'alice', 'alice-secret'],
    ['SCRAM-SHA-256', 'bob', 'bob-secret'],
    ['SCRAM-SHA-512', 'carol', 'carol-secret'],
  ])(
    '%s: produces and consumes',
    async (mechanism, user, password) => {
      const topic = `kcat-${mechanism.toLowerCase()}`;
      await wireRequests(HOST, ports.PLAIN, [{ apiKey: 19, version: 4, body: { topics: [{ name: topic, numPartitions: 1, replicationFactor: 1 }] } }]);
      const common = [
        '-b',
        `${HOST}:${ports.SECURE}`,
        '-t',
        topic,
        '-X',
        'security.protocol=SASL_SSL',
        '-X',
        `sasl.mechanisms=${mechanism}`,
        '-X',
        `sasl.username=${user}`,
        '-X',
        `sasl.password=${password}`,
        '-X',
        `ssl.ca.location=${certs.caPem}`,
      ];
      await run('kcat', [...common, '-P'], 'a\nb\n', 30_000);
      const out = await run('kcat', [...common, '-C', '-o', 'beginning', '-e', '-q'], '', 30_000);
      expect(out.trim().split('\n')).toEqual(['a', 'b']);
      expect(received.some((r) => r.api === 'Produce' && r.session?.principal === `User:${user}`)).toBe(true);
    },
    60_000,
  );

  it('refuses a wrong password', async () => {
    const args = [
      '-b',
      `${HOST}:${ports.SECURE}`,
      '-L',
      '-m',
      '5',
      '-X',
      'security.protocol=SASL_SSL',
      '-X',
      'sasl.mechanisms=SCRAM-SHA-256',
      '-X',
      'sasl.username=bob',
      '-X',
      'sasl.password=wrong',
      '-X',
      `ssl.ca.location=${certs.caPem}`,
    ];
    await expect(run('kcat', args, '', 30_000)).rejects.toThrow(/Authentication failed|invalid credentials/);
    await stillServes();
  }, 40_000);
});

const PYTHON_CLIENTS = String.raw`
import sys, json
kind, port, ca, mechanism, user, password, topic = sys.argv[1:8]
if kind == 'confluent':
    from confluent_kafka import Producer, Consumer
    conf = {'bootstrap.servers': '127.0.0.1:' + port, 'security.protocol': 'SASL_SSL', 'sasl.mechanisms': mechanism,
            'sasl.username': user, 'sasl.password': password, 'ssl.ca.location': ca}
    p = Producer(conf)
    for v in ['x', 'y']: p.produce(topic, v.encode())
    assert p.flush(20) == 0
    c = Consumer(dict(conf, **{'group.id': 'py-' + topic, 'auto.offset.reset': 'earliest'}))
    c.subscribe([topic])
    seen = []
    while len(seen) < 2:
        m = c.poll(20)
        if m is None: break
        if m.error(): continue
        seen.append(m.value().decode())
    c.close()
else:
    from kafka import KafkaProducer, KafkaConsumer
    conf = dict(bootstrap_servers='127.0.0.1:' + port, security_protocol='SASL_SSL', sasl_mechanism=mechanism,
                sasl_plain_username=user, sasl_plain_password=password, ssl_cafile=ca, ssl_check_hostname=False)
    p = KafkaProducer(**conf)
    for v in ['x', 'y']: p.send(topic, v.encode())
    p.flush(20)
    p.close()
    c = KafkaConsumer(topic, auto_offset_reset='earliest', consumer_timeout_ms=20000, group_id='py-' + topic, **conf)
    seen = []
    for m in c:
        seen.append(m.value.decode())
        if len(seen) == 2: break
    c.close()
print(json.dumps(seen))
`;

describe.skipIf(!hasPython)('SASL_SSL with confluent-kafka and kafka-python', () => {
  it.each([
    ['confluent', 'PLAIN', 'alice', 'alice-secret'],
    ['confluent', 'SCRAM-SHA-512', 'carol', 'carol-secret'],
    ['kafka-python', 'SCRAM-SHA-256', 'bob', 'bob-secret'],
  ])(
    '%s %s: produces and consumes',
    async (kind, mechanism, user, password) => {
      const topic = `py-${kind}-${mechanism.toLowerCase()}`;
      await wireRequests(HOST, ports.PLAIN, [{ apiKey: 19, version: 4, body: { topics: [{ name: topic, numPartitions: 1, replicationFactor: 1 }] } }]);
      const out = await run(PYTHON, ['-c', PYTHON_CLIENTS, kind, String(ports.SECURE), certs.caPem, mechanism, user, password, topic], '', 60_000);
      expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual(['x', 'y']);
      expect(received.some((r) => r.api === 'Produce' && r.session?.principal === `User:${user}`)).toBe(true);
    },
    90_000,
  );
});
