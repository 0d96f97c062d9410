// The client side of SASL for this process's own connections (peer links, Samsa's clients, `samsa check`):
// PLAIN's one token, and SCRAM's client-first / client-final with the server's signature verified, carried
// by SaslHandshake v1 and SaslAuthenticate requests over whatever round trip the connection offers.

import { timingSafeEqual } from 'node:crypto';
import { ErrorCode } from '../core/protocol/errors.ts';
import type { WireStruct } from '../core/wire/convert/converter.ts';
import type { SaslMechanismName } from './sasl-mechanism.ts';
import { clientKey, escapeSaslName, hash, hmac, parseAttributes, randomNonce, saltedPassword, xor, type ScramMechanismName } from './scram.ts';

export interface SaslCredentials {
  mechanism: SaslMechanismName;
  username: string;
  password: string;
}

/** One client-side mechanism: the first token, then each server token's answer (null once the server's last token checked out). */
export interface SaslMechanismClient {
  first(): Uint8Array;
  next(serverToken: Uint8Array): Uint8Array | null;
}

export class PlainClient implements SaslMechanismClient {
  constructor(private readonly credentials: SaslCredentials) {}
  first(): Uint8Array {
    return Buffer.from(`\u0000${this.credentials.username}\u0000${this.credentials.password}`, 'utf8');
  }
  next(): null {
    return null;
  }
}

/** SCRAM's client; its mechanism's minimum iterations (4096) are enforced as kafkajs does. */
export class ScramClient implements SaslMechanismClient {
  private readonly clientNonce = randomNonce();
  private readonly clientFirstBare: string;
  private serverSignature: Buffer | null = null;

  constructor(
    private readonly mechanism: ScramMechanismName,
    private readonly credentials: SaslCredentials,
  ) {
    this.clientFirstBare = `n=${escapeSaslName(credentials.username)},r=${this.clientNonce}`;
  }

  first(): Uint8Array {
    return Buffer.from(`n,,${this.clientFirstBare}`, 'utf8');
  }

  next(serverToken: Uint8Array): Uint8Array | null {
    const text = Buffer.from(serverToken).toString('utf8');
    if (this.serverSignature !== null) return this.checkFinal(text);
    const attributes = parseAttributes(text);
    const get = (k: string) => attributes?.find(([key]) => key === k)?.[1];
    const nonce = get('r');
    const salt = get('s');
    const iterations = Number(get('i'));
    if (nonce === undefined || salt === undefined || !Number.isInteger(iterations)) throw new Error(`invalid SCRAM server-first message "${text}"`);
    if (!nonce.startsWith(this.clientNonce) || nonce === this.clientNonce) throw new Error('the SCRAM server nonce does not extend the client nonce');
    if (iterations < 4096) throw new Error(`the SCRAM server asks for ${iterations} iterations, fewer than the minimum 4096`);
    const salted = saltedPassword(this.mechanism, this.credentials.password, Buffer.from(salt, 'base64'), iterations);
    const key = clientKey(this.mechanism, salted);
    const withoutProof = `c=biws,r=${nonce}`;
    const authMessage = `${this.clientFirstBare},${text},${withoutProof}`;
    const proof = xor(key, hmac(this.mechanism, hash(this.mechanism, key), authMessage));
    this.serverSignature = hmac(this.mechanism, hmac(this.mechanism, salted, 'Server Key'), authMessage);
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`, 'utf8');
  }

  private checkFinal(text: string): null {
    if (text.startsWith('e=')) throw new Error(`SCRAM server error: ${text.slice(2)}`);
    const given = text.startsWith('v=') ? Buffer.from(text.slice(2), 'base64') : Buffer.alloc(0);
    if (given.length !== this.serverSignature!.length || !timingSafeEqual(given, this.serverSignature!)) throw new Error('invalid SCRAM server signature');
    return null;
  }
}

export function saslMechanismClient(credentials: SaslCredentials): SaslMechanismClient {
  return credentials.mechanism === 'PLAIN' ? new PlainClient(credentials) : new ScramClient(credentials.mechanism, credentials);
}

/** Sends one request and resolves with its response body. */
export type RoundTrip = (apiKey: number, version: number, body: WireStruct) => Promise<WireStruct>;

export const SASL_HANDSHAKE_KEY = 17;
export const SASL_AUTHENTICATE_KEY = 36;
const HANDSHAKE_VERSION = 1;
const AUTHENTICATE_VERSION = 2;

/** An authentication the server refused (or a server this client cannot trust); the connection is useless. */
export class SaslAuthenticationError extends Error {
  constructor(
    message: string,
    readonly errorCode: number | null,
  ) {
    super(message);
    this.name = 'SaslAuthenticationError';
  }
}

/** SaslHandshake v1, then SaslAuthenticate until the mechanism is done; resolves with the session's lifetime (0: no expiry). */
export async function authenticate(roundTrip: RoundTrip, credentials: SaslCredentials): Promise<number> {
  const handshake = await roundTrip(SASL_HANDSHAKE_KEY, HANDSHAKE_VERSION, { mechanism: credentials.mechanism });
  if (handshake.errorCode !== ErrorCode.NONE) {
    const offered = (handshake.mechanisms as string[] | undefined)?.join(', ') ?? '';
    throw new SaslAuthenticationError(
      `the server does not enable SASL mechanism ${credentials.mechanism} (it offers: ${offered || 'none'})`,
      handshake.errorCode as number,
    );
  }
  const client = saslMechanismClient(credentials);
  let token: Uint8Array | null = client.first();
  for (;;) {
    const response = await roundTrip(SASL_AUTHENTICATE_KEY, AUTHENTICATE_VERSION, { authBytes: token });
    if (response.errorCode !== ErrorCode.NONE) {
      throw new SaslAuthenticationError(
        `SASL ${credentials.mechanism} authentication as ${credentials.username} failed: ${response.errorMessage ?? `error ${response.errorCode}`}`,
        response.errorCode as number,
      );
    }
    try {
      token = client.next(response.authBytes as Uint8Array);
    } catch (err) {
      throw new SaslAuthenticationError((err as Error).message, null);
    }
    if (token === null) return Number(response.sessionLifetimeMs ?? 0);
  }
}
