// SCRAM credentials (RFC 5802, KIP-554) as the controller derives them from a salted password:
// StoredKey = H(HMAC(SaltedPassword, "Client Key")) and ServerKey = HMAC(SaltedPassword, "Server Key").

import { ScramMechanism, type ScramMechanismCode } from '../protocol/security.ts';
import { hash, hmac, type HashName } from './sha.ts';

const CLIENT_KEY = new TextEncoder().encode('Client Key');
const SERVER_KEY = new TextEncoder().encode('Server Key');

/** The hash a mechanism uses, or null for a code that names none (UNKNOWN, or out of range). */
export function scramHash(mechanism: number): HashName | null {
  if (mechanism === ScramMechanism['SCRAM-SHA-256']) return 'SHA-256';
  if (mechanism === ScramMechanism['SCRAM-SHA-512']) return 'SHA-512';
  return null;
}

export function scramKeys(mechanism: ScramMechanismCode, saltedPassword: Uint8Array): { storedKey: Uint8Array; serverKey: Uint8Array } {
  const h = scramHash(mechanism)!;
  return { storedKey: hash(h, hmac(h, saltedPassword, CLIENT_KEY)), serverKey: hmac(h, saltedPassword, SERVER_KEY) };
}
