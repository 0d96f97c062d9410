// The security part of server.properties: per listener, the TLS server options (Kafka's PEM keystore and
// truststore, ssl.client.auth, ssl.enabled.protocols, ssl.principal.mapping.rules) and the SASL settings (sasl.enabled.mechanisms, the
// JAAS entries, connections.max.reauth.ms, connection.failed.authentication.delay.ms), with Kafka's
// `listener.name.<listener>.` prefixes; and how this node's own connections to the inter-broker and
// controller listeners secure themselves (sasl.mechanism.inter.broker.protocol, ...controller.protocol).

import { readFileSync } from 'node:fs';
import type { ConnectionOptions, TlsOptions } from 'node:tls';
import { checkServerIdentity } from 'node:tls';
import { parseJaasConfig, plainUsers, PLAIN_LOGIN_MODULE, SCRAM_LOGIN_MODULE, type JaasEntry } from './jaas.ts';
import type { ClientSecurity } from './outbound-connection.ts';
import { isSupportedSaslMechanism, SUPPORTED_SASL_MECHANISMS, type SaslMechanismName } from './sasl-mechanism.ts';
import type { SaslServerSettings } from './sasl-server.ts';
import { SslPrincipalMapper } from './ssl-principal-mapper.ts';

export type SecurityProtocolName = 'PLAINTEXT' | 'SSL' | 'SASL_PLAINTEXT' | 'SASL_SSL';

/** A listener's security: what the runtime's ListenerSpec takes. */
export interface ListenerSecurity {
  tls: TlsOptions | null;
  sasl: SaslServerSettings | null;
  /** How a client certificate's name becomes a principal (null: DEFAULT, or no TLS). */
  principalMapper: SslPrincipalMapper | null;
}

export interface NodeSecurity {
  listeners: Record<string, ListenerSecurity>;
  /** This node's connections to other nodes' inter-broker listener and controller listener. */
  peers: { broker?: ClientSecurity; controller?: ClientSecurity };
}

/** What the reader of server.properties gives this module. */
export interface SecuritySource {
  /** A key's value as written, or undefined. */
  value(key: string): string | undefined;
  /** Throws the properties error for `key` (its line when set). */
  fail(key: string, detail: string): never;
  warn(key: string, detail: string): void;
}

/** The keys this module reads (besides the `listener.name.` prefixed forms). */
export const SECURITY_KEYS = [
  'ssl.keystore.type',
  'ssl.keystore.location',
  'ssl.keystore.key',
  'ssl.keystore.certificate.chain',
  'ssl.keystore.password',
  'ssl.key.password',
  'ssl.truststore.type',
  'ssl.truststore.location',
  'ssl.truststore.certificates',
  'ssl.truststore.password',
  'ssl.client.auth',
  'ssl.principal.mapping.rules',
  'ssl.enabled.protocols',
  'ssl.protocol',
  'ssl.endpoint.identification.algorithm',
  'sasl.enabled.mechanisms',
  'sasl.mechanism.inter.broker.protocol',
  'sasl.mechanism.controller.protocol',
  'sasl.jaas.config',
  'connections.max.reauth.ms',
  'connection.failed.authentication.delay.ms',
] as const;

const TLS_VERSIONS = ['TLSv1.2', 'TLSv1.3'] as const;
type TlsVersion = (typeof TLS_VERSIONS)[number];

export function readNodeSecurity(
  source: SecuritySource,
  listeners: ReadonlyArray<{ name: string; protocol: SecurityProtocolName }>,
  peers: { interBroker: { name: string; protocol: SecurityProtocolName } | null; controller: { name: string; protocol: SecurityProtocolName } | null },
): NodeSecurity {
  const reader = new ListenerKeys(source);
  const result: NodeSecurity = { listeners: {}, peers: {} };
  for (const l of listeners) {
    const tls = l.protocol === 'SSL' || l.protocol === 'SASL_SSL' ? reader.tlsServer(l.name, l.protocol) : null;
    const sasl = l.protocol === 'SASL_PLAINTEXT' || l.protocol === 'SASL_SSL' ? reader.saslServer(l.name, l.protocol) : null;
    result.listeners[l.name] = { tls, sasl, principalMapper: tls === null ? null : reader.principalMapper(l.name) };
  }
  if (peers.interBroker !== null) {
    const security = reader.client(peers.interBroker.name, peers.interBroker.protocol, 'sasl.mechanism.inter.broker.protocol');
    if (security !== undefined) result.peers.broker = security;
  }
  if (peers.controller !== null) {
    const security = reader.client(peers.controller.name, peers.controller.protocol, 'sasl.mechanism.controller.protocol');
    if (security !== undefined) result.peers.controller = security;
  }
  return result;
}

/** Keys read for one listener: `listener.name.<listener lowercase>.<key>` first, then `<key>`. */
class ListenerKeys {
  constructor(private readonly source: SecuritySource) {}

  /** The key and value in force for a listener, or undefined. */
  private lookup(listener: string, key: string): { key: string; value: string } | undefined {
    const prefixed = `listener.name.${listener.toLowerCase()}.${key}`;
    const own = this.source.value(prefixed);
    if (own !== undefined) return { key: prefixed, value: own.trim() };
    const global = this.source.value(key);
    return global === undefined ? undefined : { key, value: global.trim() };
  }

  tlsServer(listener: string, protocol: SecurityProtocolName): TlsOptions {
    const { key, cert, passphrase } = this.keystore(listener, true, protocol)!;
    const ca = this.truststore(listener);
    const clientAuth = this.lookup(listener, 'ssl.client.auth') ?? { key: 'ssl.client.auth', value: 'none' };
    if (!['none', 'requested', 'required'].includes(clientAuth.value))
      this.source.fail(clientAuth.key, `expected none, requested or required, got "${clientAuth.value}"`);
    if (clientAuth.value !== 'none' && ca === undefined) {
      this.source.fail(
        clientAuth.key,
        `listener ${listener} asks for client certificates (${clientAuth.value}) but has no truststore to check them: set ssl.truststore.location`,
      );
    }
    return {
      key,
      cert,
      ...(passphrase !== undefined ? { passphrase } : {}),
      ...(ca !== undefined ? { ca } : {}),
      requestCert: clientAuth.value !== 'none',
      rejectUnauthorized: clientAuth.value === 'required',
      ...this.versions(listener),
    };
  }

  /** ssl.principal.mapping.rules, read once at start: a rule it cannot read stops the node with the key named. */
  principalMapper(listener: string): SslPrincipalMapper | null {
    const rules = this.lookup(listener, 'ssl.principal.mapping.rules');
    if (rules === undefined) return null;
    try {
      return SslPrincipalMapper.parse(rules.value);
    } catch (err) {
      return this.source.fail(rules.key, (err as Error).message);
    }
  }

  /** The key and certificate chain (PEM), from ssl.keystore.location or inline; undefined when none is set and none is needed. */
  private keystore(listener: string, required: boolean, protocol: SecurityProtocolName): { key: string; cert: string; passphrase?: string } | undefined {
    const type = this.lookup(listener, 'ssl.keystore.type');
    if (type !== undefined && type.value.toUpperCase() !== 'PEM') {
      this.source.fail(type.key, `Samsa reads PEM keystores only (a ${type.value} keystore cannot be read): convert it and set ssl.keystore.type=PEM`);
    }
    const location = this.lookup(listener, 'ssl.keystore.location');
    const inlineKey = this.lookup(listener, 'ssl.keystore.key');
    const inlineChain = this.lookup(listener, 'ssl.keystore.certificate.chain');
    const password = this.lookup(listener, 'ssl.key.password');
    const passphrase = password === undefined ? {} : { passphrase: password.value };
    if (location !== undefined && (inlineKey !== undefined || inlineChain !== undefined)) {
      this.source.fail(location.key, `set either ssl.keystore.location or ssl.keystore.key with ssl.keystore.certificate.chain, not both`);
    }
    if (location !== undefined) {
      const text = readPem(this.source, location.key, location.value);
      const keys = pemBlocks(text, /PRIVATE KEY/);
      const certs = pemBlocks(text, /^CERTIFICATE$/);
      if (keys.length !== 1) this.source.fail(location.key, `${location.value} must hold exactly one private key (PEM), found ${keys.length}`);
      if (certs.length === 0) this.source.fail(location.key, `${location.value} holds no certificate (PEM "BEGIN CERTIFICATE" blocks after the key)`);
      checkKeyPassword(this.source, location.key, keys[0]!, password?.key);
      return { key: keys[0]!, cert: certs.join('\n'), ...passphrase };
    }
    if (inlineKey !== undefined || inlineChain !== undefined) {
      if (inlineKey === undefined) this.source.fail(inlineChain!.key, 'ssl.keystore.key must be set with it');
      if (inlineChain === undefined) this.source.fail(inlineKey.key, 'ssl.keystore.certificate.chain must be set with it');
      if (pemBlocks(inlineKey.value, /PRIVATE KEY/).length !== 1) this.source.fail(inlineKey.key, 'expected one PEM private key');
      if (pemBlocks(inlineChain.value, /^CERTIFICATE$/).length === 0) this.source.fail(inlineChain.key, 'expected PEM certificates');
      return { key: inlineKey.value, cert: inlineChain.value, ...passphrase };
    }
    if (required)
      this.source.fail(
        `listener.name.${listener.toLowerCase()}.ssl.keystore.location`,
        `listener ${listener} uses ${protocol}: set ssl.keystore.location (a PEM file with the private key and certificate chain) or ssl.keystore.key and ssl.keystore.certificate.chain`,
      );
    return undefined;
  }

  /** The trusted CA certificates (PEM), if any. */
  private truststore(listener: string): string | undefined {
    const type = this.lookup(listener, 'ssl.truststore.type');
    if (type !== undefined && type.value.toUpperCase() !== 'PEM') {
      this.source.fail(type.key, `Samsa reads PEM truststores only (a ${type.value} truststore cannot be read): convert it and set ssl.truststore.type=PEM`);
    }
    const location = this.lookup(listener, 'ssl.truststore.location');
    const inline = this.lookup(listener, 'ssl.truststore.certificates');
    if (location !== undefined && inline !== undefined)
      this.source.fail(location.key, 'set either ssl.truststore.location or ssl.truststore.certificates, not both');
    const given = location ?? inline;
    if (given === undefined) return undefined;
    const text = location !== undefined ? readPem(this.source, location.key, location.value) : inline!.value;
    const certs = pemBlocks(text, /^CERTIFICATE$/);
    if (certs.length === 0) this.source.fail(given.key, 'expected PEM certificates ("BEGIN CERTIFICATE" blocks)');
    return certs.join('\n');
  }

  private versions(listener: string): { minVersion: TlsVersion; maxVersion: TlsVersion } {
    const protocol = this.lookup(listener, 'ssl.protocol');
    if (protocol !== undefined && !['TLS', 'TLSv1.2', 'TLSv1.3'].includes(protocol.value))
      this.source.fail(protocol.key, `expected TLSv1.3, TLSv1.2 or TLS, got "${protocol.value}"`);
    const enabled = this.lookup(listener, 'ssl.enabled.protocols') ?? { key: 'ssl.enabled.protocols', value: 'TLSv1.2,TLSv1.3' };
    const versions = enabled.value
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
    if (versions.length === 0) this.source.fail(enabled.key, 'expected TLSv1.2, TLSv1.3 or both');
    for (const v of versions)
      if (!(TLS_VERSIONS as readonly string[]).includes(v))
        this.source.fail(enabled.key, `expected TLSv1.2 and/or TLSv1.3, got "${v}" (older protocols are not served)`);
    const sorted = TLS_VERSIONS.filter((v) => versions.includes(v));
    return { minVersion: sorted[0]!, maxVersion: sorted.at(-1)! };
  }

  saslServer(listener: string, protocol: SecurityProtocolName): SaslServerSettings {
    const enabledKey = this.lookup(listener, 'sasl.enabled.mechanisms') ?? { key: 'sasl.enabled.mechanisms', value: 'GSSAPI' };
    const named = enabledKey.value
      .split(',')
      .map((m) => m.trim().toUpperCase())
      .filter((m) => m !== '');
    const mechanisms: SaslMechanismName[] = [];
    for (const m of named) {
      if (isSupportedSaslMechanism(m)) mechanisms.push(m);
      else this.source.warn(enabledKey.key, `SASL mechanism ${m} is not served by Samsa (it serves ${SUPPORTED_SASL_MECHANISMS.join(', ')})`);
    }
    if (mechanisms.length === 0) {
      this.source.fail(
        enabledKey.key,
        `listener ${listener} uses ${protocol}, but sasl.enabled.mechanisms${this.source.value(enabledKey.key) === undefined ? " (Kafka's default is GSSAPI)" : ''} enables no mechanism Samsa serves: set it to some of ${SUPPORTED_SASL_MECHANISMS.join(', ')}`,
      );
    }
    let users = new Map<string, string>();
    if (mechanisms.includes('PLAIN')) {
      const jaas = this.jaas(listener, 'PLAIN');
      if (jaas === undefined)
        this.source.fail(
          `listener.name.${listener.toLowerCase()}.plain.sasl.jaas.config`,
          `listener ${listener} enables PLAIN: set its JAAS config (${PLAIN_LOGIN_MODULE} required user_<name>="<password>" ...;)`,
        );
      if (jaas.entry.loginModule !== PLAIN_LOGIN_MODULE) this.source.fail(jaas.key, `PLAIN takes ${PLAIN_LOGIN_MODULE}, got ${jaas.entry.loginModule}`);
      users = plainUsers(jaas.entry);
    }
    return {
      mechanisms,
      plainUsers: users,
      maxReauthMs: this.nonNegative(listener, 'connections.max.reauth.ms', 0),
      failedAuthenticationDelayMs: this.nonNegative(listener, 'connection.failed.authentication.delay.ms', 100),
    };
  }

  /** The JAAS entry of a listener and mechanism: `listener.name.<l>.<mechanism>.sasl.jaas.config`, else `sasl.jaas.config`. */
  private jaas(listener: string, mechanism: string): { key: string; entry: JaasEntry } | undefined {
    const prefixed = `listener.name.${listener.toLowerCase()}.${mechanism.toLowerCase()}.sasl.jaas.config`;
    const key = this.source.value(prefixed) !== undefined ? prefixed : this.source.value('sasl.jaas.config') !== undefined ? 'sasl.jaas.config' : undefined;
    if (key === undefined) return undefined;
    try {
      return { key, entry: parseJaasConfig(this.source.value(key)!) };
    } catch (err) {
      return this.source.fail(key, (err as Error).message);
    }
  }

  private nonNegative(listener: string, key: string, fallback: number): number {
    const given = this.lookup(listener, key);
    if (given === undefined) return fallback;
    const n = Number(given.value);
    if (!/^\d+$/.test(given.value) || !Number.isSafeInteger(n))
      this.source.fail(given.key, `expected a non-negative number of milliseconds, got "${given.value}"`);
    return n;
  }

  /** How this node connects to `listener` of other nodes; undefined for PLAINTEXT. */
  client(listener: string, protocol: SecurityProtocolName, mechanismKey: string): ClientSecurity | undefined {
    if (protocol === 'PLAINTEXT') return undefined;
    const security: ClientSecurity = {};
    if (protocol === 'SSL' || protocol === 'SASL_SSL') {
      const ca = this.truststore(listener);
      const own = this.keystore(listener, false, protocol);
      const identification = this.lookup(listener, 'ssl.endpoint.identification.algorithm') ?? { key: '', value: 'https' };
      const tls: ConnectionOptions = {
        ...(ca !== undefined ? { ca } : {}),
        ...(own !== undefined ? { key: own.key, cert: own.cert, ...(own.passphrase !== undefined ? { passphrase: own.passphrase } : {}) } : {}),
        ...this.versions(listener),
        ...(identification.value === '' ? { checkServerIdentity: () => undefined } : { checkServerIdentity }),
      };
      security.tls = tls;
    }
    if (protocol === 'SASL_PLAINTEXT' || protocol === 'SASL_SSL') {
      const given = this.source.value(mechanismKey)?.trim() ?? 'GSSAPI';
      if (!isSupportedSaslMechanism(given)) {
        this.source.fail(
          mechanismKey,
          `listener ${listener} uses ${protocol}, so this node logs in with ${mechanismKey}${this.source.value(mechanismKey) === undefined ? " (Kafka's default GSSAPI)" : ''}; Samsa logs in with ${SUPPORTED_SASL_MECHANISMS.join(', ')}, got "${given}"`,
        );
      }
      const jaas = this.jaas(listener, given);
      const expected = given === 'PLAIN' ? PLAIN_LOGIN_MODULE : SCRAM_LOGIN_MODULE;
      if (jaas === undefined)
        this.source.fail(
          `listener.name.${listener.toLowerCase()}.${given.toLowerCase()}.sasl.jaas.config`,
          `this node logs in to ${listener} with ${given}: set its JAAS config (${expected} required username="..." password="...";)`,
        );
      const username = jaas.entry.options.get('username');
      const password = jaas.entry.options.get('password');
      if (username === undefined || password === undefined) this.source.fail(jaas.key, `the node's own ${given} login needs username="..." and password="..."`);
      security.sasl = { mechanism: given, username, password };
    }
    return security;
  }
}

function readPem(source: SecuritySource, key: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    return source.fail(key, `cannot read ${path}: ${(err as Error).message}`);
  }
}

/** The PEM blocks whose label matches (`PRIVATE KEY`, `ENCRYPTED PRIVATE KEY`, `CERTIFICATE`, ...), each whole. */
export function pemBlocks(text: string, label: RegExp): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g)) if (label.test(m[1]!)) out.push(m[0]);
  return out;
}

/** An encrypted key needs ssl.key.password. */
function checkKeyPassword(source: SecuritySource, key: string, pem: string, passwordKey: string | undefined): void {
  const encrypted = pem.includes('ENCRYPTED');
  if (encrypted && passwordKey === undefined) source.fail(key, 'the private key is encrypted: set ssl.key.password');
}
