// A Kafka client properties file read into a client's security: the protocols, the SASL login of
// sasl.jaas.config, PEM truststores and keystores, and one clear error per bad key (file, line, key).

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { jaasConfig, parseClientProperties, readClientProperties } from '../../net/client-properties.ts';
import { issueCertificate, makeCertificateAuthority } from '../../net/certificates.ts';

const dir = mkdtempSync(join(tmpdir(), 'samsa-client-props-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ca = makeCertificateAuthority({ commonName: 'test CA' });
const alice = issueCertificate(ca, { commonName: 'alice', usage: 'client' });
const caFile = join(dir, 'ca.pem');
const keystoreFile = join(dir, 'alice.pem');
writeFileSync(caFile, ca.certPem);
writeFileSync(keystoreFile, alice.keystorePem);
writeFileSync(join(dir, 'not-pem.txt'), 'hello');

const parse = (text: string) => parseClientProperties(text, 'client.properties');

describe('client properties', () => {
  it('defaults to PLAINTEXT and lists the keys that are not about security', () => {
    expect(parse('client.id=x\nrequest.timeout.ms=5000\n')).toEqual({
      security: { protocol: 'PLAINTEXT', tls: null, sasl: null },
      ignored: ['client.id', 'request.timeout.ms'],
    });
  });

  it('reads SASL_SSL with SCRAM, a JAAS line continued over lines, and the PEM truststore', () => {
    const text = [
      '# written for samsa',
      'security.protocol=SASL_SSL',
      'sasl.mechanism=SCRAM-SHA-512',
      'sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\',
      '    username="alice" \\',
      '    password="s3cr=t;x";',
      `ssl.truststore.location=${caFile}`,
      'ssl.truststore.type=PEM',
    ].join('\n');
    const { security } = parse(text);
    expect(security.protocol).toBe('SASL_SSL');
    expect(security.sasl).toEqual({ mechanism: 'SCRAM-SHA-512', username: 'alice', password: 's3cr=t;x' });
    expect(security.tls).toEqual({ ca: ca.certPem, verifyHostname: true });
  });

  it('reads SSL with a PEM keystore (key and chain split) and hostname verification off', () => {
    const text = `security.protocol=ssl\nssl.keystore.type=PEM\nssl.keystore.location=${keystoreFile}\nssl.endpoint.identification.algorithm=\n`;
    const { security } = parse(text);
    expect(security.sasl).toBeNull();
    expect(security.tls!.verifyHostname).toBe(false);
    expect(security.tls!.key).toBe(alice.keyPem);
    expect(security.tls!.cert).toBe(alice.chainPem);
  });

  it('writes JAAS lines that it reads back, quotes and backslashes included', () => {
    const line = jaasConfig('PLAIN', 'bob', 'p"w\\d');
    const { security } = parse(`security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=${line.replace(/\\/g, '\\\\')}\n`);
    expect(security.sasl).toEqual({ mechanism: 'PLAIN', username: 'bob', password: 'p"w\\d' });
  });

  const errors: Array<[string, string, RegExp]> = [
    [
      'an unknown protocol',
      'security.protocol=TLS\n',
      /client\.properties:1: security\.protocol: expected one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL, got "TLS"/,
    ],
    ['SASL without a mechanism (GSSAPI)', 'security.protocol=SASL_SSL\nsasl.jaas.config=x required;\n', /sasl\.mechanism: .*got "GSSAPI" \(Kafka's default\)/],
    ['SASL without a JAAS line', 'security.protocol=SASL_SSL\nsasl.mechanism=PLAIN\n', /sasl\.jaas\.config: required with security\.protocol=SASL_SSL/],
    [
      'a login module that does not suit the mechanism',
      'security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-256\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="a" password="b";\n',
      /client\.properties:3: sasl\.jaas\.config: sasl\.mechanism SCRAM-SHA-256 needs org\.apache\.kafka\.common\.security\.scram\.ScramLoginModule/,
    ],
    [
      'a JAAS line without a password',
      'security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="a";\n',
      /sasl\.jaas\.config: no password/,
    ],
    [
      'a JAAS line without its semicolon',
      'security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="a" password="b"\n',
      /sasl\.jaas\.config: the login module entry must end with ";"/,
    ],
    ['a SASL key on a PLAINTEXT connection', 'sasl.mechanism=PLAIN\n', /sasl\.mechanism: only with security\.protocol SASL_PLAINTEXT or SASL_SSL/],
    [
      'a JKS truststore',
      `security.protocol=SSL\nssl.truststore.location=${caFile}\nssl.truststore.type=JKS\n`,
      /ssl\.truststore\.type: samsa reads PEM files only/,
    ],
    [
      'a missing truststore file',
      `security.protocol=SSL\nssl.truststore.location=${join(dir, 'nope.pem')}\n`,
      /client\.properties:2: ssl\.truststore\.location: cannot read .*nope\.pem/,
    ],
    [
      'a file that is not PEM',
      `security.protocol=SSL\nssl.truststore.location=${join(dir, 'not-pem.txt')}\n`,
      /ssl\.truststore\.location: .* holds no PEM block/,
    ],
    ['a keystore without a key', `security.protocol=SSL\nssl.keystore.location=${caFile}\n`, /ssl\.keystore\.location: .* holds no private key/],
    [
      'an unknown endpoint identification',
      'security.protocol=SSL\nssl.endpoint.identification.algorithm=dns\n',
      /ssl\.endpoint\.identification\.algorithm: expected https or empty/,
    ],
  ];
  for (const [what, text, message] of errors) {
    it(`refuses ${what}, naming the key`, () => {
      expect(() => parse(text)).toThrow(message);
    });
  }

  it('names an unreadable file', () => {
    expect(() => readClientProperties(join(dir, 'absent.properties'))).toThrow(/absent\.properties: cannot read/);
  });
});
