// SCRAM-SHA-256/512's shared parts (RFC 5802 as Kafka's ScramFormatter and ScramMessages do them): the key
// derivation, a credential from a password, the attribute syntax of the four messages and saslname escaping.
// Kafka does not SASLprep: a password is its UTF-8 bytes.

import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import type { ScramMechanismName } from '../core/protocol/security.ts';

export type { ScramMechanismName };
export const SCRAM_MECHANISMS: readonly ScramMechanismName[] = ['SCRAM-SHA-256', 'SCRAM-SHA-512'];

/** What a server keeps of a user's password for one mechanism (Kafka's ScramCredential). */
export interface ScramCredential {
  salt: Uint8Array;
  storedKey: Uint8Array;
  serverKey: Uint8Array;
  iterations: number;
}

/** Where a SCRAM server looks up a user's credential (the metadata image's UserScramCredentialRecords); null: no such user. */
export type ScramCredentialSource = (user: string, mechanism: ScramMechanismName) => ScramCredential | null;

const HASHES: Record<ScramMechanismName, { hash: 'sha256' | 'sha512'; bytes: number }> = {
  'SCRAM-SHA-256': { hash: 'sha256', bytes: 32 },
  'SCRAM-SHA-512': { hash: 'sha512', bytes: 64 },
};

export function isScramMechanism(name: string): name is ScramMechanismName {
  return name in HASHES;
}

export function hmac(mechanism: ScramMechanismName, key: Uint8Array, data: Uint8Array | string): Buffer {
  return createHmac(HASHES[mechanism].hash, key).update(data).digest();
}

export function hash(mechanism: ScramMechanismName, data: Uint8Array): Buffer {
  return createHash(HASHES[mechanism].hash).update(data).digest();
}

/** Hi(password, salt, i): PBKDF2 with the mechanism's HMAC, as long as its hash. */
export function saltedPassword(mechanism: ScramMechanismName, password: string, salt: Uint8Array, iterations: number): Buffer {
  const { hash: h, bytes } = HASHES[mechanism];
  return pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, bytes, h);
}

export function clientKey(mechanism: ScramMechanismName, salted: Uint8Array): Buffer {
  return hmac(mechanism, salted, 'Client Key');
}

/** The credential a server stores for `password` (salt random unless given). */
export function scramCredential(mechanism: ScramMechanismName, password: string, iterations = 4096, salt: Uint8Array = randomBytes(32)): ScramCredential {
  const salted = saltedPassword(mechanism, password, salt, iterations);
  return {
    salt,
    storedKey: hash(mechanism, clientKey(mechanism, salted)),
    serverKey: hmac(mechanism, salted, 'Server Key'),
    iterations,
  };
}

export function xor(a: Uint8Array, b: Uint8Array): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! ^ (b[i] ?? 0);
  return out;
}

/** `=` → `=3D`, `,` → `=2C` (RFC 5802's saslname). */
export function escapeSaslName(name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

/** The inverse of escapeSaslName; null for a `=` not followed by 2C or 3D. */
export function unescapeSaslName(name: string): string | null {
  if (/=(?!2C|3D)/.test(name)) return null;
  return name.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

/** A message's `k=v` attributes in order; null when one is malformed. */
export function parseAttributes(text: string): Array<[string, string]> | null {
  const out: Array<[string, string]> = [];
  for (const part of text.split(',')) {
    const m = /^([A-Za-z])=(.*)$/s.exec(part);
    if (m === null) return null;
    out.push([m[1]!, m[2]!]);
  }
  return out;
}

/** A printable nonce (base64 without `,`, which never appears in base64). */
export function randomNonce(bytes = 24): string {
  return randomBytes(bytes).toString('base64');
}
