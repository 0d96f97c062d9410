// Throwaway certificates for local TLS: a CA and, signed by it, server and client certificates (EC P-256,
// ECDSA with SHA-256), written as PEM for Kafka's `ssl.keystore.type=PEM` (key and certificate chain in
// one file) and `ssl.truststore.location` (the CA). Keys come from node:crypto; the X.509 structures
// are written here in DER (RFC 5280), so nothing outside Node (no openssl binary, no npm package) is needed.

import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIPv4 } from 'node:net';

const DAY_MS = 24 * 3600 * 1000;

// --- DER (X.690) ---

function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), derLength(content.length), content]);
}

const sequence = (...items: Buffer[]) => tlv(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => tlv(0x31, Buffer.concat(items));
const octetString = (bytes: Buffer) => tlv(0x04, bytes);
const utf8String = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
const booleanTrue = () => tlv(0x01, Buffer.from([0xff]));
/** [n] EXPLICIT */
const explicit = (n: number, inner: Buffer) => tlv(0xa0 | n, inner);

/** A non-negative INTEGER from big-endian bytes (a leading zero keeps it positive). */
function unsignedInteger(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  const trimmed = bytes.subarray(start);
  return tlv(0x02, trimmed[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

function objectId(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out = [40 * parts[0]! + parts[1]!];
  for (const part of parts.slice(2)) {
    const base128: number[] = [];
    for (let v = part; ; v = Math.floor(v / 128)) {
      base128.unshift((v % 128) | (base128.length === 0 ? 0 : 0x80));
      if (v < 128) break;
    }
    out.push(...base128);
  }
  return tlv(0x06, Buffer.from(out));
}

/** A BIT STRING of whole bytes, or of flags (bit 0 is the first byte's high bit) with its unused trailing bits counted. */
function bitString(bytes: Buffer, flags = false): Buffer {
  let unused = 0;
  if (flags && bytes.length > 0) {
    const last = bytes[bytes.length - 1]!;
    while (unused < 8 && (last & (1 << unused)) === 0) unused++;
  }
  return tlv(0x03, Buffer.concat([Buffer.from([unused]), bytes]));
}

/** UTCTime until 2049, GeneralizedTime after (RFC 5280 §4.1.2.5). */
function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  return date.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2), 'ascii')) : tlv(0x18, Buffer.from(iso, 'ascii'));
}

// --- X.509 (RFC 5280) ---

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

/** KeyUsage bits (RFC 5280 §4.2.1.3), as the first byte of the flags. */
const KEY_USAGE = { digitalSignature: 0x80, keyCertSign: 0x04, cRLSign: 0x02 } as const;

/** The organization every certificate here names, beside its common name. */
const ORGANIZATION = 'Samsa local';

/** A distinguished name: O, then CN (so its RFC 2253 form, most specific first, reads `CN=<cn>,O=Samsa local`). */
function distinguishedName(commonName: string): Buffer {
  const rdn = (oid: string, value: string) => set(sequence(objectId(oid), utf8String(value)));
  return sequence(rdn(OID.organization, ORGANIZATION), rdn(OID.commonName, commonName));
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return sequence(objectId(oid), ...(critical ? [booleanTrue()] : []), octetString(value));
}

function subjectAltName(dnsNames: readonly string[], ipAddresses: readonly string[]): Buffer {
  const ip = (address: string) => {
    if (!isIPv4(address)) throw new Error(`certificate: only IPv4 addresses are supported in subjectAltName, got "${address}"`);
    return tlv(0x87, Buffer.from(address.split('.').map(Number)));
  };
  return sequence(...dnsNames.map((name) => tlv(0x82, Buffer.from(name, 'ascii'))), ...ipAddresses.map(ip));
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

interface Signer {
  key: KeyObject;
  name: Buffer;
  keyId: Buffer;
}

interface CertificateSpec {
  commonName: string;
  publicKey: KeyObject;
  issuer: Signer | null;
  validityDays: number;
  ca: boolean;
  dnsNames: readonly string[];
  ipAddresses: readonly string[];
  extendedUsages: readonly string[];
  now: Date;
}

function keyIdOf(publicKey: KeyObject): Buffer {
  return createHash('sha1')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest();
}

/** A signed certificate in DER; self-signed when the spec has no issuer (its own key then signs). */
function certificateDer(spec: CertificateSpec, ownKey: KeyObject): Buffer {
  const subject = distinguishedName(spec.commonName);
  const keyId = keyIdOf(spec.publicKey);
  const issuer: Signer = spec.issuer ?? { key: ownKey, name: subject, keyId };
  const algorithm = sequence(objectId(OID.ecdsaWithSha256));
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01;
  const notBefore = new Date(spec.now.getTime() - 3600 * 1000);
  const notAfter = new Date(spec.now.getTime() + spec.validityDays * DAY_MS);
  const usage = spec.ca ? KEY_USAGE.keyCertSign | KEY_USAGE.cRLSign | KEY_USAGE.digitalSignature : KEY_USAGE.digitalSignature;
  const extensions = [
    extension(OID.basicConstraints, true, spec.ca ? sequence(booleanTrue()) : sequence()),
    extension(OID.keyUsage, true, bitString(Buffer.from([usage]), true)),
    extension(OID.subjectKeyIdentifier, false, octetString(keyId)),
    extension(OID.authorityKeyIdentifier, false, sequence(tlv(0x80, issuer.keyId))),
    ...(spec.extendedUsages.length > 0 ? [extension(OID.extKeyUsage, false, sequence(...spec.extendedUsages.map(objectId)))] : []),
    ...(spec.dnsNames.length + spec.ipAddresses.length > 0 ? [extension(OID.subjectAltName, false, subjectAltName(spec.dnsNames, spec.ipAddresses))] : []),
  ];
  const tbs = sequence(
    explicit(0, unsignedInteger(Buffer.from([2]))),
    unsignedInteger(serial),
    algorithm,
    issuer.name,
    sequence(time(notBefore), time(notAfter)),
    subject,
    spec.publicKey.export({ type: 'spki', format: 'der' }),
    explicit(3, sequence(...extensions)),
  );
  const signature = sign('sha256', tbs, issuer.key);
  return sequence(tbs, algorithm, bitString(signature));
}

function newKeyPair(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
}

export interface CertificateAuthority {
  commonName: string;
  /** The CA certificate (PEM): what a truststore holds. */
  certPem: string;
  /** Its private key (PKCS#8 PEM, unencrypted). */
  keyPem: string;
  signer: Signer;
}

export interface IssuedCertificate {
  commonName: string;
  /** The principal Kafka's DEFAULT ssl.principal.mapping.rules gives a client presenting it. */
  principal: string;
  /** The private key (PKCS#8 PEM, unencrypted). */
  keyPem: string;
  /** The certificate followed by the CA's: the chain a peer is shown. */
  chainPem: string;
  /** Key then chain in one file: Kafka's PEM keystore (`ssl.keystore.type=PEM`). */
  keystorePem: string;
}

export interface IssueOptions {
  commonName: string;
  /** DNS names the certificate is valid for (subjectAltName). */
  dnsNames?: readonly string[];
  /** IPv4 addresses the certificate is valid for (subjectAltName). */
  ipAddresses?: readonly string[];
  /** What the certificate may authenticate: a TLS server, a TLS client, or both (a broker dials its peers). */
  usage: 'server' | 'client' | 'both';
  validityDays?: number;
  now?: Date;
}

/** A new CA (self-signed, basicConstraints cA). */
export function makeCertificateAuthority(options: { commonName: string; validityDays?: number; now?: Date }): CertificateAuthority {
  const { privateKey, publicKey } = newKeyPair();
  const spec: CertificateSpec = {
    commonName: options.commonName,
    publicKey,
    issuer: null,
    validityDays: options.validityDays ?? 3650,
    ca: true,
    dnsNames: [],
    ipAddresses: [],
    extendedUsages: [],
    now: options.now ?? new Date(),
  };
  const der = certificateDer(spec, privateKey);
  return {
    commonName: options.commonName,
    certPem: pem('CERTIFICATE', der),
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    signer: { key: privateKey, name: distinguishedName(options.commonName), keyId: keyIdOf(publicKey) },
  };
}

/** A certificate signed by `ca` for a new key. */
export function issueCertificate(ca: CertificateAuthority, options: IssueOptions): IssuedCertificate {
  const { privateKey, publicKey } = newKeyPair();
  const usages = { server: [OID.serverAuth], client: [OID.clientAuth], both: [OID.serverAuth, OID.clientAuth] }[options.usage];
  const der = certificateDer(
    {
      commonName: options.commonName,
      publicKey,
      issuer: ca.signer,
      validityDays: options.validityDays ?? 3650,
      ca: false,
      dnsNames: options.dnsNames ?? [],
      ipAddresses: options.ipAddresses ?? [],
      extendedUsages: usages,
      now: options.now ?? new Date(),
    },
    privateKey,
  );
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const chainPem = pem('CERTIFICATE', der) + ca.certPem;
  return { commonName: options.commonName, principal: `User:CN=${options.commonName},O=${ORGANIZATION}`, keyPem, chainPem, keystorePem: keyPem + chainPem };
}
