// SASL PLAIN on the server (RFC 4616, Kafka's PlainSaslServer): one token `authzid NUL user NUL password`,
// checked against the JAAS `user_<name>="<password>"` entries; authzid empty or the user itself.

import { timingSafeEqual } from 'node:crypto';
import type { SaslMechanismServer, SaslStep } from './sasl-mechanism.ts';

const EMPTY = new Uint8Array(0);

export class PlainServer implements SaslMechanismServer {
  readonly mechanism = 'PLAIN' as const;
  private done = false;

  /** `users`: user name → password. */
  constructor(private readonly users: ReadonlyMap<string, string>) {}

  evaluate(token: Uint8Array): SaslStep {
    if (this.done) return { kind: 'fail', credentials: false, reason: 'PLAIN takes a single token' };
    this.done = true;
    const parts = Buffer.from(token).toString('utf8').split('\u0000');
    if (parts.length !== 3) return { kind: 'fail', credentials: false, reason: 'Invalid SASL/PLAIN response: expected 3 tokens' };
    const [authzid, user, password] = parts as [string, string, string];
    if (user === '') return { kind: 'fail', credentials: false, reason: 'Authentication failed: username not specified' };
    if (password === '') return { kind: 'fail', credentials: false, reason: 'Authentication failed: password not specified' };
    if (authzid !== '' && authzid !== user)
      return { kind: 'fail', credentials: false, reason: 'Authentication failed: Client requested an authorization id that is different from username' };
    const expected = this.users.get(user);
    if (expected === undefined || !sameText(expected, password))
      return { kind: 'fail', credentials: true, reason: 'Authentication failed: Invalid username or password' };
    return { kind: 'complete', reply: EMPTY, user };
  }
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
