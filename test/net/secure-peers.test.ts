// Two in-process nodes whose own connections are secured: the controller listener and the inter-broker listener
// are SASL_SSL with PLAIN (sasl.mechanism.controller.protocol, sasl.mechanism.inter.broker.protocol), so broker
// registration, heartbeats and replica fetches authenticate as the JAAS username and reach the node with that session.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Session } from '../../core/security/session.ts';
import { startBroker, type RunningBroker } from '../../net/broker.ts';
import { freePorts } from '../../net/local-cluster.ts';
import { parseServerProperties } from '../../net/server-properties.ts';
import { wireRequests } from '../../net/wire-request.ts';
import { until } from './real-helpers.ts';
import { makeCertificates, type TestCertificates } from './tls-helpers.ts';

const HOST = '127.0.0.1';
const JAAS =
  'org.apache.kafka.common.security.plain.PlainLoginModule required username="broker" password="broker-secret" user_broker="broker-secret" user_alice="alice-secret";';

let dir: string;
let certs: TestCertificates;
const brokers: RunningBroker[] = [];
const received = new Map<string, Array<{ api: string; session: Session | undefined }>>();

function properties(id: number, controllerPort: number, clientPort: number): string {
  return [
    `process.roles=${id === 1 ? 'broker,controller' : 'broker'}`,
    `node.id=${id}`,
    `listeners=CLIENT://${HOST}:${clientPort}${id === 1 ? `,CONTROLLER://${HOST}:${controllerPort}` : ''}`,
    `advertised.listeners=CLIENT://${HOST}:${clientPort}`,
    `controller.quorum.voters=1@${HOST}:${controllerPort}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=CLIENT',
    'listener.security.protocol.map=CONTROLLER:SASL_SSL,CLIENT:SASL_SSL',
    'ssl.keystore.type=PEM',
    `ssl.keystore.location=${certs.serverKeystore}`,
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${certs.caPem}`,
    'sasl.enabled.mechanisms=PLAIN',
    'sasl.mechanism.inter.broker.protocol=PLAIN',
    'sasl.mechanism.controller.protocol=PLAIN',
    `sasl.jaas.config=${JAAS}`,
    'offsets.topic.replication.factor=1',
    `log.dirs=${join(dir, `log-${id}`)}`,
  ].join('\n');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'samsa-secure-peers-'));
  certs = makeCertificates(dir);
  const [controllerPort, port1, port2] = await freePorts(3);
  for (const [id, port] of [
    [1, port1!],
    [2, port2!],
  ] as const) {
    const broker = await startBroker(parseServerProperties(properties(id, controllerPort!, port)), () => {});
    const node = broker.runtime.node;
    const receive = node.receive.bind(node);
    const log: Array<{ api: string; session: Session | undefined }> = [];
    received.set(String(id), log);
    node.receive = (env, from, msg, session) => {
      if (msg.kind === 'request') log.push({ api: msg.api, session });
      receive(env, from, msg, session);
    };
    brokers.push(broker);
  }
}, 60_000);

afterAll(async () => {
  for (const broker of brokers) await broker.stop();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
}, 20_000);

it('registers, heartbeats and replicates over SASL_SSL as the JAAS user; a client produces with acks=all', async () => {
  const port = brokers[0]!.runtime.bound.get('CLIENT')!.port;
  const security = { tls: { ca: readFileSync(certs.caPem, 'utf8') }, sasl: { mechanism: 'PLAIN' as const, username: 'alice', password: 'alice-secret' } };
  await until(
    'both brokers registered',
    async () => {
      const [metadata] = await wireRequests(HOST, port, [{ apiKey: 3, version: 1, body: { topics: [] } }], 2000, security);
      return (metadata!.brokers as unknown[]).length === 2;
    },
    30_000,
  );
  const kafka = new Kafka({
    clientId: 'peers',
    brokers: [`${HOST}:${port}`],
    ssl: { ca: [security.tls.ca] },
    sasl: { mechanism: 'plain', username: 'alice', password: 'alice-secret' },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'replicated', numPartitions: 1, replicationFactor: 2 }], waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  const [result] = await producer.send({ topic: 'replicated', acks: -1, messages: [{ value: 'v' }] });
  await producer.disconnect();
  expect(result!.errorCode).toBe(0);
  const brokerSession = { principal: 'User:broker', host: HOST };
  expect(received.get('1')!.find((r) => r.api === 'BrokerRegistration')?.session).toEqual(brokerSession);
  expect(received.get('1')!.find((r) => r.api === 'BrokerHeartbeat')?.session).toEqual(brokerSession);
  const followerFetches = [...received.values()].flat().filter((r) => r.api === 'Fetch' && r.session?.principal === 'User:broker');
  expect(followerFetches.length).toBeGreaterThan(0);
  expect([...received.values()].flat().some((r) => r.api === 'Produce' && r.session?.principal === 'User:alice')).toBe(true);
}, 90_000);
