// SCRAM-SHA-256/512 on the server (RFC 5802, Kafka's ScramSaslServer): client-first (gs2 header `n,,` or
// `n,a=<user>,`) → server-first with the stored salt and iterations and a nonce extending the client's →
// client-final whose proof is checked against the stored key in constant time → server-final `v=`.

import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { SaslMechanismServer, SaslStep } from './sasl-mechanism.ts';
import { hash, hmac, parseAttributes, unescapeSaslName, xor, type ScramCredential, type ScramCredentialSource, type ScramMechanismName } from './scram.ts';

type State =
  | { kind: 'first' }
  | { kind: 'final'; user: string; credential: ScramCredential; nonce: string; clientFirstBare: string; serverFirst: string; gs2Header: string }
  | { kind: 'done' };

export class ScramServer implements SaslMechanismServer {
  private state: State = { kind: 'first' };

  constructor(
    readonly mechanism: ScramMechanismName,
    private readonly credentials: ScramCredentialSource,
  ) {}

  evaluate(token: Uint8Array): SaslStep {
    const text = Buffer.from(token).toString('utf8');
    const state = this.state;
    this.state = { kind: 'done' };
    if (state.kind === 'first') return this.clientFirst(text);
    if (state.kind === 'final') return this.clientFinal(text, state);
    return malformed('the exchange is over');
  }

  private clientFirst(text: string): SaslStep {
    // gs2-header: `n` (no channel binding), an optional authzid, then client-first-bare.
    const m = /^n,(a=[^,]*)?,(.*)$/s.exec(text);
    if (m === null) return malformed('Invalid SCRAM client first message (channel binding is not supported)');
    const bare = m[2]!;
    const attributes = parseAttributes(bare);
    if (attributes === null || attributes[0]?.[0] !== 'n' || attributes[1]?.[0] !== 'r') return malformed('Invalid SCRAM client first message');
    const user = unescapeSaslName(attributes[0][1]);
    const clientNonce = attributes[1][1];
    if (user === null || user === '' || clientNonce === '') return malformed('Invalid SCRAM client first message');
    // Extensions (Kafka's tokenauth=true for delegation tokens) are not served.
    if (attributes.slice(2).some(([k, v]) => k === 't' || v.startsWith('tokenauth'))) return malformed('Delegation token authentication is not supported');
    const authzid = m[1] === undefined ? '' : unescapeSaslName(m[1].slice(2));
    if (authzid !== '' && authzid !== user) return malformed('Authentication failed: Client requested an authorization id that is different from username');
    const credential = this.credentials(user, this.mechanism);
    if (credential === null)
      return { kind: 'fail', credentials: true, reason: `Authentication failed: Invalid user credentials (no ${this.mechanism} credential for the user)` };
    const nonce = clientNonce + randomBytes(17).toString('base64url');
    const serverFirst = `r=${nonce},s=${Buffer.from(credential.salt).toString('base64')},i=${credential.iterations}`;
    const gs2Header = text.slice(0, text.length - bare.length);
    this.state = { kind: 'final', user, credential, nonce, clientFirstBare: bare, serverFirst, gs2Header };
    return { kind: 'continue', reply: Buffer.from(serverFirst, 'utf8') };
  }

  private clientFinal(text: string, state: Extract<State, { kind: 'final' }>): SaslStep {
    const attributes = parseAttributes(text);
    const proofAt = text.lastIndexOf(',p=');
    if (attributes === null || proofAt < 0 || attributes[0]?.[0] !== 'c' || attributes[1]?.[0] !== 'r' || attributes.at(-1)?.[0] !== 'p') {
      return malformed('Invalid SCRAM client final message');
    }
    if (Buffer.from(attributes[0][1], 'base64').toString('utf8') !== state.gs2Header)
      return malformed('Invalid SCRAM client final message: channel binding does not match');
    // As Kafka, the nonce need only end with the server's (librdkafka 2.0 sends the client nonce twice).
    if (!attributes[1][1].endsWith(state.nonce)) return malformed('Invalid client nonce in the final client message.');
    const proof = Buffer.from(attributes.at(-1)![1], 'base64');
    const { credential } = state;
    const authMessage = `${state.clientFirstBare},${state.serverFirst},${text.slice(0, proofAt)}`;
    const clientSignature = hmac(this.mechanism, credential.storedKey, authMessage);
    const computed = hash(this.mechanism, xor(clientSignature, proof));
    if (proof.length !== clientSignature.length || !timingSafeEqual(computed, credential.storedKey)) {
      return { kind: 'fail', credentials: true, reason: 'Authentication failed: Invalid client proof' };
    }
    const serverSignature = hmac(this.mechanism, credential.serverKey, authMessage);
    return { kind: 'complete', reply: Buffer.from(`v=${serverSignature.toString('base64')}`, 'utf8'), user: state.user };
  }
}

function malformed(reason: string): SaslStep {
  return { kind: 'fail', credentials: false, reason };
}
