// The security settings of server.properties: TLS and SASL per listener with Kafka's listener.name prefixes,
// the JAAS entries, the node's own logins to its peers, and errors that name the key for every bad or missing part.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseJaasConfig, plainUsers } from '../../net/jaas.ts';
import { parseServerProperties, PropertiesError } from '../../net/server-properties.ts';
import { makeCertificates, type TestCertificates } from './tls-helpers.ts';

let dir: string;
let certs: TestCertificates;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'samsa-secprops-'));
  certs = makeCertificates(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PLAIN_JAAS =
  'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret" user_alice="alice-secret";';

/** A combined node with a SASL_SSL listener CLIENT (the inter-broker one) and a PLAINTEXT controller listener. */
function props(...extra: string[]): string {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    'listeners=CLIENT://:9092,CONTROLLER://:9093',
    'controller.listener.names=CONTROLLER',
    'controller.quorum.voters=1@localhost:9093',
    'inter.broker.listener.name=CLIENT',
    'listener.security.protocol.map=CLIENT:SASL_SSL,CONTROLLER:PLAINTEXT',
    'log.dirs=/var/lib/samsa',
    ...extra,
  ].join('\n');
}

function secure(...extra: string[]): string {
  return props(
    `ssl.keystore.location=${certs.serverKeystore}`,
    `ssl.truststore.location=${certs.caPem}`,
    'sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256',
    'sasl.mechanism.inter.broker.protocol=PLAIN',
    `listener.name.client.plain.sasl.jaas.config=${PLAIN_JAAS}`,
    ...extra,
  );
}

function errorOf(text: string): string {
  try {
    parseServerProperties(text);
  } catch (err) {
    expect(err).toBeInstanceOf(PropertiesError);
    return (err as Error).message;
  }
  throw new Error('expected a PropertiesError');
}

describe('listener security', () => {
  it('reads a SASL_SSL listener: PEM keystore and truststore, mechanisms, PLAIN users, defaults, and the inter-broker login', () => {
    const parsed = parseServerProperties(secure('listener.name.client.ssl.client.auth=requested', 'connections.max.reauth.ms=60000'));
    const client = parsed.security.listeners.CLIENT!;
    expect(client.tls).toMatchObject({ requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' });
    expect(String(client.tls!.key)).toContain('PRIVATE KEY');
    expect(String(client.tls!.cert)).toContain('BEGIN CERTIFICATE');
    expect(client.sasl).toEqual({
      mechanisms: ['PLAIN', 'SCRAM-SHA-256'],
      plainUsers: new Map([
        ['admin', 'admin-secret'],
        ['alice', 'alice-secret'],
      ]),
      maxReauthMs: 60000,
      failedAuthenticationDelayMs: 100,
    });
    expect(parsed.security.listeners.CONTROLLER).toEqual({ tls: null, sasl: null, principalMapper: null });
    expect(parsed.security.peers.broker?.sasl).toEqual({ mechanism: 'PLAIN', username: 'admin', password: 'admin-secret' });
    expect(parsed.security.peers.broker?.tls?.ca).toContain('BEGIN CERTIFICATE');
    expect(parsed.security.peers.controller).toBeUndefined();
  });

  it('takes inline PEM keys, TLSv1.3 only, and ssl.client.auth=required', () => {
    const key = readFileSync(join(dir, 'server.key'), 'utf8').replace(/\n/g, '\\n');
    const chain = readFileSync(join(dir, 'server.pem'), 'utf8').replace(/\n/g, '\\n');
    const text = props(
      'listener.security.protocol.map=CLIENT:SSL,CONTROLLER:PLAINTEXT',
      `ssl.keystore.key=${key}`,
      `ssl.keystore.certificate.chain=${chain}`,
      `ssl.truststore.location=${certs.caPem}`,
      'ssl.client.auth=required',
      'ssl.enabled.protocols=TLSv1.3',
    ).replace('listener.security.protocol.map=CLIENT:SASL_SSL,CONTROLLER:PLAINTEXT\n', '');
    const tls = parseServerProperties(text).security.listeners.CLIENT!.tls!;
    expect(tls).toMatchObject({ requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' });
    const mapped = parseServerProperties(`${text}\nssl.principal.mapping.rules=RULE:^CN=([^,]*).*$/$1/L,DEFAULT`).security.listeners.CLIENT!;
    expect(mapped.principalMapper!.name('CN=Alice,O=acme')).toBe('alice');
  });

  it.each([
    [
      'a SASL listener with only GSSAPI (the default)',
      () => props(`ssl.keystore.location=${certs.serverKeystore}`),
      /sasl\.enabled\.mechanisms: listener CLIENT uses SASL_SSL, but sasl\.enabled\.mechanisms \(Kafka's default is GSSAPI\) enables no mechanism Samsa serves/,
    ],
    ['a missing keystore file', () => secure('ssl.keystore.location=/nonexistent/ks.pem'), /:\d+: ssl\.keystore\.location: cannot read \/nonexistent\/ks\.pem/],
    ['a JKS keystore', () => secure('ssl.keystore.type=JKS'), /ssl\.keystore\.type: Samsa reads PEM keystores only/],
    [
      'a truststore without certificates',
      () => secure(`ssl.truststore.location=${join(dir, 'server.key')}`),
      /ssl\.truststore\.location: expected PEM certificates/,
    ],
    ['TLSv1.1', () => secure('ssl.enabled.protocols=TLSv1.1,TLSv1.2'), /ssl\.enabled\.protocols: expected TLSv1\.2 and\/or TLSv1\.3, got "TLSv1\.1"/],
    ['a bad ssl.client.auth', () => secure('ssl.client.auth=always'), /ssl\.client\.auth: expected none, requested or required, got "always"/],
    [
      'PLAIN without a JAAS entry',
      () => secure().replace(/listener\.name\.client\.plain\.sasl\.jaas\.config=.*\n?/, ''),
      /listener\.name\.client\.plain\.sasl\.jaas\.config: listener CLIENT enables PLAIN: set its JAAS config/,
    ],
    [
      'a JAAS entry without its ;',
      () => secure(`sasl.jaas.config=${PLAIN_JAAS.slice(0, -1)}`).replace(/listener\.name\.client\.plain.*\n?/, ''),
      /sasl\.jaas\.config: the entry must end with ";"/,
    ],
    [
      'the inter-broker mechanism left at GSSAPI',
      () => secure().replace('sasl.mechanism.inter.broker.protocol=PLAIN\n', ''),
      /sasl\.mechanism\.inter\.broker\.protocol: listener CLIENT uses SASL_SSL, so this node logs in with sasl\.mechanism\.inter\.broker\.protocol \(Kafka's default GSSAPI\)/,
    ],
    [
      'an inter-broker SCRAM login without its JAAS entry',
      () => secure('sasl.mechanism.inter.broker.protocol=SCRAM-SHA-256'),
      /listener\.name\.client\.scram-sha-256\.sasl\.jaas\.config: this node logs in to CLIENT with SCRAM-SHA-256/,
    ],
    [
      'ssl.client.auth without a truststore',
      () => secure('ssl.client.auth=required').replace(/ssl\.truststore\.location=.*\n/, ''),
      /ssl\.client\.auth: listener CLIENT asks for client certificates \(required\) but has no truststore/,
    ],
    [
      'an ssl.principal.mapping.rules it cannot read',
      () => secure('listener.name.client.ssl.principal.mapping.rules=RULE:^CN=(.*)$/$1'),
      /listener\.name\.client\.ssl\.principal\.mapping\.rules: cannot read the rule at "RULE:\^CN=\(\.\*\)\$\/\$1"/,
    ],
    [
      'a bad connections.max.reauth.ms',
      () => secure('connections.max.reauth.ms=-5'),
      /connections\.max\.reauth\.ms: expected a non-negative number of milliseconds/,
    ],
  ])('refuses %s, naming the key', (_what, text, message) => {
    expect(errorOf(text())).toMatch(message);
  });

  it('refuses an encrypted key without ssl.key.password', () => {
    const encrypted = join(dir, 'encrypted.pem');
    writeFileSync(
      encrypted,
      '-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
    );
    expect(errorOf(secure(`ssl.keystore.location=${encrypted}`))).toMatch(/ssl\.keystore\.location: the private key is encrypted: set ssl\.key\.password/);
  });

  it('warns about enabled mechanisms Samsa does not serve', () => {
    expect(parseServerProperties(secure('sasl.enabled.mechanisms=GSSAPI,PLAIN')).warnings.join('\n')).toMatch(
      /sasl\.enabled\.mechanisms: SASL mechanism GSSAPI is not served by Samsa/,
    );
  });
});

describe('JAAS entries', () => {
  it('reads the login module, flag and options (quoted values with escapes)', () => {
    const entry = parseJaasConfig('org.apache.kafka.common.security.scram.ScramLoginModule required username="a\\"b" password=secret;');
    expect(entry).toEqual({
      loginModule: 'org.apache.kafka.common.security.scram.ScramLoginModule',
      flag: 'required',
      options: new Map([
        ['username', 'a"b'],
        ['password', 'secret'],
      ]),
    });
    expect(plainUsers(parseJaasConfig(PLAIN_JAAS))).toEqual(
      new Map([
        ['admin', 'admin-secret'],
        ['alice', 'alice-secret'],
      ]),
    );
  });

  it.each([
    ['x required a="1"', /must end with ";"/],
    ['x mandatory a="1";', /expected a control flag/],
    ['x required a="1;', /unterminated/],
    ['x required a;', /expected key="value"/],
  ])('refuses %s', (text, message) => {
    expect(() => parseJaasConfig(text)).toThrow(message);
  });
});
