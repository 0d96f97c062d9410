// The security of a local cluster made with `samsa cluster --secure`: a CA and the brokers' certificate
// (127.0.0.1 and localhost) under <data>/security, random passwords for the admin and the brokers'
// own login, the server.properties lines of SASL_SSL listeners with the StandardAuthorizer, and what a
// client needs to connect (a client.properties for samsa's tools, settings for other Kafka clients).

import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { issueCertificate, makeCertificateAuthority } from './certificates.ts';
import { jaasConfig, type SaslMechanismName } from './client-properties.ts';
import type { ClientSecurity } from './outbound-connection.ts';

/** The client listener's name (and protocol) in a secure cluster. */
export const SECURE_CLIENT_LISTENER = 'SASL_SSL';
export const ADMIN_USER = 'admin';
/** The user the brokers log in as, to each other and to the controllers (PLAIN: its password is in the brokers' JAAS). */
export const BROKER_USER = 'broker';
const STANDARD_AUTHORIZER = 'org.apache.kafka.metadata.authorizer.StandardAuthorizer';
const ENABLED_MECHANISMS: readonly SaslMechanismName[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'];

export interface ClusterSecurity {
  /** <data>/security */
  dir: string;
  /** The CA certificate clients trust (PEM). */
  caFile: string;
  /** The brokers' key and certificate chain (Kafka's PEM keystore). */
  keystoreFile: string;
  adminPassword: string;
  brokerPassword: string;
}

const FILES = { ca: 'ca.pem', caKey: 'ca-key.pem', keystore: 'broker.keystore.pem', secrets: 'secrets.json' } as const;

/** The security directory of a cluster's data dir. */
export function securityDir(dataDir: string): string {
  return join(resolve(dataDir), 'security');
}

export function hasClusterSecurity(dataDir: string): boolean {
  return existsSync(join(securityDir(dataDir), FILES.secrets));
}

const password = () => randomBytes(18).toString('base64url');

/** Makes a new CA, the brokers' certificate and the passwords under <data>/security (keys and secrets readable by the owner only). */
export function makeClusterSecurity(dataDir: string): ClusterSecurity {
  const dir = securityDir(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ca = makeCertificateAuthority({ commonName: 'samsa cluster CA' });
  const broker = issueCertificate(ca, { commonName: BROKER_USER, dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usage: 'both' });
  writeFileSync(join(dir, FILES.ca), ca.certPem);
  writeFileSync(join(dir, FILES.caKey), ca.keyPem, { mode: 0o600 });
  writeFileSync(join(dir, FILES.keystore), broker.keystorePem, { mode: 0o600 });
  const secrets = { adminPassword: password(), brokerPassword: password() };
  writeFileSync(join(dir, FILES.secrets), JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
  return loadClusterSecurity(dataDir);
}

/** The security a cluster was made with. */
export function loadClusterSecurity(dataDir: string): ClusterSecurity {
  const dir = securityDir(dataDir);
  const secrets = JSON.parse(readFileSync(join(dir, FILES.secrets), 'utf8')) as { adminPassword: string; brokerPassword: string };
  return { dir, caFile: join(dir, FILES.ca), keystoreFile: join(dir, FILES.keystore), ...secrets };
}

/** The PLAIN JAAS line of a broker: its own login (for its peers and the controllers) and the users it accepts. */
function plainJaas(security: ClusterSecurity): string {
  const users = { [ADMIN_USER]: security.adminPassword, [BROKER_USER]: security.brokerPassword };
  const own = jaasConfig('PLAIN', BROKER_USER, security.brokerPassword).replace(/;$/, '');
  return `${own} ${Object.entries(users)
    .map(([u, p]) => `user_${u}="${p}"`)
    .join(' ')};`;
}

/**
 * The server.properties lines that secure a broker: TLS with the PEM keystore and truststore, SASL on
 * the client and controller listeners (PLAIN and SCRAM), the brokers' PLAIN login to each other and to
 * the controllers, and the StandardAuthorizer with the admin and the brokers as super users.
 */
export function secureServerProperties(security: ClusterSecurity): string[] {
  const scram = 'org.apache.kafka.common.security.scram.ScramLoginModule required;';
  const listeners = [SECURE_CLIENT_LISTENER, 'CONTROLLER'].map((l) => l.toLowerCase());
  return [
    'ssl.keystore.type=PEM',
    `ssl.keystore.location=${security.keystoreFile}`,
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${security.caFile}`,
    'ssl.client.auth=none',
    `sasl.enabled.mechanisms=${ENABLED_MECHANISMS.join(',')}`,
    'sasl.mechanism.inter.broker.protocol=PLAIN',
    'sasl.mechanism.controller.protocol=PLAIN',
    ...listeners.map((l) => `listener.name.${l}.plain.sasl.jaas.config=${plainJaas(security)}`),
    ...['scram-sha-256', 'scram-sha-512'].map((m) => `listener.name.${SECURE_CLIENT_LISTENER.toLowerCase()}.${m}.sasl.jaas.config=${scram}`),
    `authorizer.class.name=${STANDARD_AUTHORIZER}`,
    `super.users=User:${ADMIN_USER};User:${BROKER_USER}`,
  ];
}

/** The admin's connection security: TLS trusting the cluster's CA, and a SASL login. */
export function adminSecurity(security: ClusterSecurity, mechanism: SaslMechanismName = 'PLAIN'): ClientSecurity {
  return {
    tls: { ca: readFileSync(security.caFile, 'utf8') },
    sasl: { mechanism, username: ADMIN_USER, password: security.adminPassword },
  };
}

/** A Kafka client properties file for the admin (samsa's tools take it as --command-config). */
export function clientProperties(security: ClusterSecurity, mechanism: SaslMechanismName): string {
  return [
    '# Written by `samsa cluster --secure`: the admin login, for --command-config (samsa and Kafka tools alike).',
    'security.protocol=SASL_SSL',
    `sasl.mechanism=${mechanism}`,
    `sasl.jaas.config=${jaasConfig(mechanism, ADMIN_USER, security.adminPassword).replace(/\\/g, '\\\\')}`,
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${security.caFile}`,
    '',
  ].join('\n');
}

/** Writes <security dir>/client.properties and returns its path. */
export function writeClientProperties(security: ClusterSecurity, mechanism: SaslMechanismName): string {
  const file = join(security.dir, 'client.properties');
  writeFileSync(file, clientProperties(security, mechanism), { mode: 0o600 });
  return file;
}

export interface ConnectionGuide {
  bootstrapServers: string;
  caFile: string;
  securityProtocol: 'SASL_SSL';
  mechanism: SaslMechanismName;
  username: string;
  password: string;
  clientProperties: string;
}

/** Ready-to-paste settings for kafkajs, kcat, confluent-kafka, kafka-python and samsa's tools. */
export function connectionSnippets(g: ConnectionGuide): Array<{ client: string; text: string }> {
  const q = JSON.stringify;
  const brokers = g.bootstrapServers.split(',');
  return [
    {
      client: 'kafkajs',
      text: `new Kafka({ brokers: ${q(brokers)}, ssl: { ca: [fs.readFileSync(${q(g.caFile)}, 'utf8')] }, sasl: { mechanism: ${q(g.mechanism.toLowerCase())}, username: ${q(g.username)}, password: ${q(g.password)} } })`,
    },
    {
      client: 'kcat / librdkafka',
      text: `kcat -b ${g.bootstrapServers} -X security.protocol=SASL_SSL -X sasl.mechanisms=${g.mechanism} -X sasl.username=${g.username} -X sasl.password=${g.password} -X ssl.ca.location=${g.caFile} -L`,
    },
    {
      client: 'confluent-kafka (Python)',
      text: `{'bootstrap.servers': '${g.bootstrapServers}', 'security.protocol': 'SASL_SSL', 'sasl.mechanisms': '${g.mechanism}', 'sasl.username': '${g.username}', 'sasl.password': '${g.password}', 'ssl.ca.location': '${g.caFile}'}`,
    },
    {
      client: 'kafka-python',
      text: `KafkaConsumer(bootstrap_servers=${q(brokers)}, security_protocol='SASL_SSL', sasl_mechanism='${g.mechanism}', sasl_plain_username='${g.username}', sasl_plain_password='${g.password}', ssl_cafile='${g.caFile}')`,
    },
    { client: 'samsa tools', text: `samsa topics list --bootstrap ${g.bootstrapServers} --command-config ${g.clientProperties}` },
  ];
}
