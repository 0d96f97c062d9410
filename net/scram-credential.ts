// A SCRAM credential as a client makes it for AlterUserScramCredentials (KIP-554): a random salt and
// SaltedPassword = Hi(password, salt, iterations), PBKDF2 with the mechanism's HMAC (RFC 5802). The
// password never leaves the client; the controller derives StoredKey and ServerKey from the salted one.

import { pbkdf2Sync, randomBytes } from 'node:crypto';
import {
  SCRAM_MAX_ITERATIONS,
  SCRAM_MIN_ITERATIONS,
  ScramMechanism,
  type ScramCredentialUpsertion,
  type ScramMechanismName,
} from '../core/protocol/security.ts';

/** Kafka's default iterations for a credential made by kafka-configs (ScramMechanism's minimum). */
export const DEFAULT_SCRAM_ITERATIONS = SCRAM_MIN_ITERATIONS;
const SALT_BYTES = 32;

const DIGEST: Readonly<Record<ScramMechanismName, { name: string; bytes: number }>> = {
  'SCRAM-SHA-256': { name: 'sha256', bytes: 32 },
  'SCRAM-SHA-512': { name: 'sha512', bytes: 64 },
};

export function isScramMechanism(name: string): name is ScramMechanismName {
  return Object.hasOwn(DIGEST, name);
}

/** Hi(password, salt, iterations) of RFC 5802: PBKDF2 with the mechanism's HMAC, as long as its hash. Kafka does not SASLprep passwords. */
export function saltedPassword(mechanism: ScramMechanismName, password: string, salt: Uint8Array, iterations: number): Uint8Array {
  const digest = DIGEST[mechanism];
  return new Uint8Array(pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, digest.bytes, digest.name));
}

/** Why `iterations` is out of the range Kafka accepts, or null. */
export function badIterations(iterations: number): string | null {
  if (!Number.isInteger(iterations) || iterations < SCRAM_MIN_ITERATIONS || iterations > SCRAM_MAX_ITERATIONS) {
    return `iterations must be an integer from ${SCRAM_MIN_ITERATIONS} to ${SCRAM_MAX_ITERATIONS}, got ${iterations}`;
  }
  return null;
}

/** The upsertion that gives `name` a credential for `password` (a fresh random salt each time). */
export function scramUpsertion(name: string, mechanism: ScramMechanismName, password: string, iterations = DEFAULT_SCRAM_ITERATIONS): ScramCredentialUpsertion {
  const salt = new Uint8Array(randomBytes(SALT_BYTES));
  return { name, mechanism: ScramMechanism[mechanism], iterations, salt, saltedPassword: saltedPassword(mechanism, password, salt, iterations) };
}
