// A Kafka client properties file (what `--command-config` names for kafka-topics.sh and friends) read
// into the security a client connection needs: security.protocol, sasl.mechanism with the
// username and password of sasl.jaas.config (PlainLoginModule, ScramLoginModule), and the PEM
// truststore and keystore of TLS. Errors name the file, the line and the key.

import { readFileSync } from 'node:fs';
import type { ClientSecurity } from './outbound-connection.ts';
import { parseProperties, PropertiesError, type PropertyEntry } from './server-properties.ts';

export type SecurityProtocolName = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';
export type SaslMechanismName = 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512';

export interface ClientTls {
  /** PEM CA certificates to trust; absent: Node's default roots. */
  ca?: string;
  /** A client certificate chain and its key (PEM), for a listener that asks for one (mTLS). */
  cert?: string;
  key?: string;
  /** The key's passphrase (ssl.key.password) when it is encrypted. */
  passphrase?: string;
  /** Whether the server's certificate must name the host dialed (ssl.endpoint.identification.algorithm=https, Kafka's default). */
  verifyHostname: boolean;
}

export interface ClientSasl {
  mechanism: SaslMechanismName;
  username: string;
  password: string;
}

/** How a client secures its connections: TLS for SSL and SASL_SSL, a SASL login for SASL_*. */
export interface ClientSecurityConfig {
  protocol: SecurityProtocolName;
  tls: ClientTls | null;
  sasl: ClientSasl | null;
}

export const PLAINTEXT_SECURITY: ClientSecurityConfig = { protocol: 'PLAINTEXT', tls: null, sasl: null };

const PROTOCOLS: readonly SecurityProtocolName[] = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'];
const MECHANISMS: readonly SaslMechanismName[] = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'];
const LOGIN_MODULES: Readonly<Record<SaslMechanismName, string>> = {
  PLAIN: 'org.apache.kafka.common.security.plain.PlainLoginModule',
  'SCRAM-SHA-256': 'org.apache.kafka.common.security.scram.ScramLoginModule',
  'SCRAM-SHA-512': 'org.apache.kafka.common.security.scram.ScramLoginModule',
};

/** Keys this reader understands; every other key is a non-security client setting, passed over (Kafka logs such keys too). */
const KNOWN_KEYS = new Set([
  'security.protocol',
  'sasl.mechanism',
  'sasl.jaas.config',
  'ssl.truststore.location',
  'ssl.truststore.type',
  'ssl.truststore.certificates',
  'ssl.truststore.password',
  'ssl.keystore.location',
  'ssl.keystore.type',
  'ssl.keystore.key',
  'ssl.keystore.certificate.chain',
  'ssl.keystore.password',
  'ssl.key.password',
  'ssl.endpoint.identification.algorithm',
]);

export interface ParsedClientProperties {
  security: ClientSecurityConfig;
  /** Keys read but not about security (client.id, request.timeout.ms, …): not applied by samsa's tools. */
  ignored: string[];
}

/** Reads a client properties file; throws PropertiesError naming the file, line and key of a bad entry. */
export function readClientProperties(path: string): ParsedClientProperties {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new PropertiesError(path, null, null, `cannot read: ${(err as Error).message}`);
  }
  return parseClientProperties(text, path);
}

/** Parses client properties text; PEM files it names are read (relative to the working directory, as Kafka does). */
export function parseClientProperties(text: string, file = 'client.properties'): ParsedClientProperties {
  const entries = new Map<string, PropertyEntry>();
  for (const entry of parseProperties(text, file)) entries.set(entry.key, entry);
  const fail = (key: string, detail: string): never => {
    throw new PropertiesError(file, entries.get(key)?.line ?? null, key, detail);
  };
  const value = (key: string): string | undefined => entries.get(key)?.value.trim();

  const protocolText = (value('security.protocol') ?? 'PLAINTEXT').toUpperCase();
  if (!(PROTOCOLS as readonly string[]).includes(protocolText)) fail('security.protocol', `expected one of ${PROTOCOLS.join(', ')}, got "${protocolText}"`);
  const protocol = protocolText as SecurityProtocolName;
  const usesTls = protocol === 'SSL' || protocol === 'SASL_SSL';
  const usesSasl = protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL';

  let sasl: ClientSasl | null = null;
  if (usesSasl) {
    const mechanism = value('sasl.mechanism') ?? 'GSSAPI';
    if (!(MECHANISMS as readonly string[]).includes(mechanism)) {
      fail('sasl.mechanism', `expected one of ${MECHANISMS.join(', ')}, got "${mechanism}"${entries.has('sasl.mechanism') ? '' : " (Kafka's default)"}`);
    }
    const jaas = value('sasl.jaas.config');
    if (jaas === undefined) fail('sasl.jaas.config', `required with security.protocol=${protocol}`);
    sasl = { mechanism: mechanism as SaslMechanismName, ...jaasLogin(jaas!, mechanism as SaslMechanismName, (detail) => fail('sasl.jaas.config', detail)) };
  } else {
    for (const key of ['sasl.mechanism', 'sasl.jaas.config'])
      if (entries.has(key)) fail(key, `only with security.protocol SASL_PLAINTEXT or SASL_SSL, not ${protocol}`);
  }

  let tls: ClientTls | null = null;
  if (usesTls) {
    const pemFile = (key: string, typeKey: string): string | undefined => {
      const location = value(key);
      if (location === undefined || location === '') return undefined;
      const type = (value(typeKey) ?? 'PEM').toUpperCase();
      if (type !== 'PEM') fail(typeKey, `samsa reads PEM files only, got "${type}" (convert the store to PEM and set ${typeKey}=PEM)`);
      let content: string;
      try {
        content = readFileSync(location, 'utf8');
      } catch (err) {
        return fail(key, `cannot read ${location}: ${(err as Error).message}`);
      }
      if (!content.includes('-----BEGIN ')) fail(key, `${location} holds no PEM block (-----BEGIN …)`);
      return content;
    };
    const ca = pemFile('ssl.truststore.location', 'ssl.truststore.type') ?? value('ssl.truststore.certificates');
    const keystore = pemFile('ssl.keystore.location', 'ssl.keystore.type');
    let cert = value('ssl.keystore.certificate.chain');
    let key = value('ssl.keystore.key');
    if (keystore !== undefined) {
      key = pemBlocks(keystore, /PRIVATE KEY/);
      cert = pemBlocks(keystore, /^CERTIFICATE$/);
      if (key === '')
        fail('ssl.keystore.location', `${value('ssl.keystore.location')} holds no private key (a PEM keystore holds the key and its certificate chain)`);
      if (cert === '') fail('ssl.keystore.location', `${value('ssl.keystore.location')} holds no certificate`);
    }
    if ((cert === undefined) !== (key === undefined)) fail('ssl.keystore.key', 'ssl.keystore.key and ssl.keystore.certificate.chain go together');
    const algorithm = value('ssl.endpoint.identification.algorithm') ?? 'https';
    if (algorithm !== '' && algorithm.toLowerCase() !== 'https')
      fail('ssl.endpoint.identification.algorithm', `expected https or empty (no hostname check), got "${algorithm}"`);
    const passphrase = value('ssl.key.password');
    tls = {
      ...(ca !== undefined ? { ca } : {}),
      ...(cert !== undefined ? { cert } : {}),
      ...(key !== undefined ? { key } : {}),
      ...(passphrase !== undefined ? { passphrase } : {}),
      verifyHostname: algorithm !== '',
    };
  }

  const ignored = [...entries.keys()].filter((k) => !KNOWN_KEYS.has(k));
  return { security: { protocol, tls, sasl }, ignored };
}

/** What an OutboundConnection takes for `config`: node:tls options and SASL credentials; undefined for PLAINTEXT. */
export function connectionSecurity(config: ClientSecurityConfig): ClientSecurity | undefined {
  if (config.tls === null && config.sasl === null) return undefined;
  const t = config.tls;
  return {
    ...(t !== null
      ? {
          tls: {
            ...(t.ca !== undefined ? { ca: t.ca } : {}),
            ...(t.cert !== undefined ? { cert: t.cert } : {}),
            ...(t.key !== undefined ? { key: t.key } : {}),
            ...(t.passphrase !== undefined ? { passphrase: t.passphrase } : {}),
            // ssl.endpoint.identification.algorithm empty: the chain is still verified, the name in it is not.
            ...(t.verifyHostname ? {} : { checkServerIdentity: () => undefined }),
          },
        }
      : {}),
    ...(config.sasl !== null ? { sasl: { ...config.sasl } } : {}),
  };
}

/** The PEM blocks of `text` whose label matches, concatenated ('' when none). */
function pemBlocks(text: string, label: RegExp): string {
  const blocks = text.match(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g) ?? [];
  return blocks
    .filter((b) => label.test(/^-----BEGIN ([A-Z0-9 ]+)-----/.exec(b)![1]!))
    .map((b) => b + '\n')
    .join('');
}

/**
 * The username and password of a JAAS login (`<module> required username="u" password="p";`), checking
 * the module suits the mechanism. Values may be quoted (backslash escapes a quote) or bare words.
 */
export function jaasLogin(config: string, mechanism: SaslMechanismName, fail: (detail: string) => never): { username: string; password: string } {
  const m = /^\s*([\w.$]+)\s+(required|requisite|sufficient|optional)\b([\s\S]*)$/.exec(config);
  if (m === null) return fail('expected "<LoginModule class> required username=\\"…\\" password=\\"…\\";"');
  const module = m[1]!;
  if (module !== LOGIN_MODULES[mechanism]) return fail(`sasl.mechanism ${mechanism} needs ${LOGIN_MODULES[mechanism]}, got ${module}`);
  const options = new Map<string, string>();
  let rest = m[3]!;
  for (;;) {
    rest = rest.trimStart();
    if (rest === '' || rest === ';') break;
    const option = /^([\w.-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s;"]+))/.exec(rest);
    if (option === null) return fail(`cannot read the options at "${rest.slice(0, 30)}" (expected name="value" pairs ending in ";")`);
    options.set(option[1]!, option[2] !== undefined ? option[2].replace(/\\(.)/g, '$1') : option[3]!);
    rest = rest.slice(option[0].length);
  }
  if (!rest.startsWith(';')) return fail('the login module entry must end with ";"');
  const username = options.get('username');
  const password = options.get('password');
  if (username === undefined || username === '') return fail('no username="…" option');
  if (password === undefined) return fail('no password="…" option');
  return { username, password };
}

/** The JAAS line for a login (what a client.properties file holds as sasl.jaas.config). */
export function jaasConfig(mechanism: SaslMechanismName, username: string, password: string): string {
  const quote = (s: string) => `"${s.replace(/(["\\])/g, '\\$1')}"`;
  return `${LOGIN_MODULES[mechanism]} required username=${quote(username)} password=${quote(password)};`;
}
