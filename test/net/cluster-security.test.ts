// What `samsa cluster --secure` lays out before any broker starts: a CA and the brokers' keystore under
// DATA/security, SASL_SSL on every listener with the StandardAuthorizer, passwords random per cluster
// and kept across restarts, a client.properties that samsa's own reader takes back as the admin's login,
// and a data dir made one way refusing to start the other way.

import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { connectionSnippets, writeClientProperties } from '../../net/cluster-security.ts';
import { readClientProperties } from '../../net/client-properties.ts';
import { LocalCluster } from '../../net/local-cluster.ts';
import { parseProperties } from '../../net/server-properties.ts';

const root = mkdtempSync(join(tmpdir(), 'samsa-secure-layout-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('secure cluster layout', () => {
  it('writes SASL_SSL listeners, PEM stores, JAAS logins and the authorizer into every server.properties', async () => {
    const dataDir = join(root, 'a');
    const cluster = await LocalCluster.prepare({ brokers: 2, dataDir, basePort: 0, secure: true });
    const security = cluster.security!;
    expect(security.adminPassword).toMatch(/^[\w-]{24}$/);
    expect(security.brokerPassword).not.toBe(security.adminPassword);
    expect(statSync(security.keystoreFile).mode & 0o077).toBe(0);
    const props = new Map(parseProperties(readFileSync(cluster.brokers[1]!.propertiesFile, 'utf8')).map((e) => [e.key, e.value]));
    expect(props.get('listeners')).toMatch(/^SASL_SSL:\/\/127\.0\.0\.1:\d+,CONTROLLER:\/\/127\.0\.0\.1:\d+$/);
    expect(props.get('listener.security.protocol.map')).toBe('CONTROLLER:SASL_SSL,SASL_SSL:SASL_SSL');
    expect(props.get('inter.broker.listener.name')).toBe('SASL_SSL');
    expect(props.get('ssl.keystore.type')).toBe('PEM');
    expect(props.get('ssl.keystore.location')).toBe(security.keystoreFile);
    expect(props.get('ssl.truststore.location')).toBe(security.caFile);
    expect(props.get('sasl.enabled.mechanisms')).toBe('PLAIN,SCRAM-SHA-256,SCRAM-SHA-512');
    expect(props.get('sasl.mechanism.inter.broker.protocol')).toBe('PLAIN');
    expect(props.get('sasl.mechanism.controller.protocol')).toBe('PLAIN');
    expect(props.get('authorizer.class.name')).toBe('org.apache.kafka.metadata.authorizer.StandardAuthorizer');
    expect(props.get('super.users')).toBe('User:admin;User:broker');
    for (const listener of ['sasl_ssl', 'controller']) {
      const jaas = props.get(`listener.name.${listener}.plain.sasl.jaas.config`)!;
      expect(jaas).toContain(`username="broker" password="${security.brokerPassword}"`);
      expect(jaas).toContain(`user_admin="${security.adminPassword}"`);
      expect(jaas.endsWith(';')).toBe(true);
    }
    expect(props.get('listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config')).toBe('org.apache.kafka.common.security.scram.ScramLoginModule required;');
    // The brokers' certificate is valid for how clients dial them.
    const cert = new X509Certificate(
      readFileSync(security.keystoreFile, 'utf8').slice(readFileSync(security.keystoreFile, 'utf8').indexOf('-----BEGIN CERTIFICATE')),
    );
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.verify(new X509Certificate(readFileSync(security.caFile)).publicKey)).toBe(true);
    expect(cluster.bootstrapServers).toMatch(/^127\.0\.0\.1:\d+,127\.0\.0\.1:\d+$/);
  });

  it('keeps its passwords on a second start, and refuses to start the other way', async () => {
    const dataDir = join(root, 'b');
    const first = await LocalCluster.prepare({ brokers: 1, dataDir, basePort: 0, secure: true });
    const again = await LocalCluster.prepare({ brokers: 1, dataDir, basePort: 0, secure: true });
    expect(again.security!.adminPassword).toBe(first.security!.adminPassword);
    expect(again.brokers[0]!.port).toBe(first.brokers[0]!.port);
    await expect(LocalCluster.prepare({ brokers: 1, dataDir, basePort: 0 })).rejects.toThrow(/made with --secure: add --secure/);
    const plain = join(root, 'c');
    await LocalCluster.prepare({ brokers: 1, dataDir: plain, basePort: 0 });
    await expect(LocalCluster.prepare({ brokers: 1, dataDir: plain, basePort: 0, secure: true })).rejects.toThrow(/made without --secure/);
    const other = await LocalCluster.prepare({ brokers: 1, dataDir: join(root, 'd'), basePort: 0, secure: true });
    expect(other.security!.adminPassword).not.toBe(first.security!.adminPassword);
  });

  it('writes a client.properties that reads back as the admin login over TLS, and settings for other clients', async () => {
    const cluster = await LocalCluster.prepare({ brokers: 1, dataDir: join(root, 'e'), basePort: 0, secure: true });
    const security = cluster.security!;
    const file = writeClientProperties(security, 'SCRAM-SHA-256');
    const { security: read, ignored } = readClientProperties(file);
    expect(ignored).toEqual([]);
    expect(read.protocol).toBe('SASL_SSL');
    expect(read.sasl).toEqual({ mechanism: 'SCRAM-SHA-256', username: 'admin', password: security.adminPassword });
    expect(read.tls).toEqual({ ca: readFileSync(security.caFile, 'utf8'), verifyHostname: true });
    const snippets = connectionSnippets({
      bootstrapServers: cluster.bootstrapServers,
      caFile: security.caFile,
      securityProtocol: 'SASL_SSL',
      mechanism: 'SCRAM-SHA-256',
      username: 'admin',
      password: security.adminPassword,
      clientProperties: file,
    });
    expect(snippets.map((s) => s.client)).toEqual(['kafkajs', 'kcat / librdkafka', 'confluent-kafka (Python)', 'kafka-python', 'samsa tools']);
    for (const s of snippets.slice(0, 4)) {
      expect(s.text).toContain(security.caFile);
      expect(s.text).toContain(security.adminPassword);
    }
    expect(snippets[0]!.text).toContain('mechanism: "scram-sha-256"');
    expect(snippets[1]!.text).toContain('-X security.protocol=SASL_SSL -X sasl.mechanisms=SCRAM-SHA-256');
    expect(snippets[4]!.text).toContain(`--command-config ${file}`);
  });
});
