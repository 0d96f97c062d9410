// The SASL state machine of an inbound connection, frame by frame without sockets: v1 tokens in SaslAuthenticate,
// v0 raw tokens, the SCRAM math against Samsa's own client (RFC 5802 test vector included), re-authentication
// (KIP-368) with session expiry, and the rules after completion.

import { describe, expect, it } from 'vitest';
import { decodeResponseBody, encodeRequestFrame } from '../../core/wire/messages.ts';
import { PlainServer } from '../../net/plain-server.ts';
import { ScramClient } from '../../net/sasl-client.ts';
import { SaslServerConnection, type SaslAction, type SaslServerSettings } from '../../net/sasl-server.ts';
import { ScramServer } from '../../net/scram-server.ts';
import { scramCredential, unescapeSaslName, type ScramCredential } from '../../net/scram.ts';

const SETTINGS: SaslServerSettings = {
  mechanisms: ['PLAIN', 'SCRAM-SHA-256'],
  plainUsers: new Map([['alice', 'alice-secret']]),
  maxReauthMs: 0,
  failedAuthenticationDelayMs: 100,
};
const BOB: ScramCredential = scramCredential('SCRAM-SHA-256', 'bob-secret');
const credentials = (user: string) => (user === 'bob' ? BOB : null);

let correlationId = 1;
function request(apiKey: number, version: number, body: Record<string, unknown>): Uint8Array {
  return encodeRequestFrame({ apiKey, apiVersion: version, correlationId: correlationId++, clientId: 't' }, body).subarray(4);
}
function answer(action: SaslAction, apiKey: number, version: number): Record<string, unknown> {
  const bytes = action.kind === 'reply' || action.kind === 'reply-and-close' ? action.frame : null;
  if (bytes === null) throw new Error(`expected a reply, got ${action.kind}`);
  return decodeResponseBody(bytes.subarray(4), apiKey, version);
}
const plainToken = (user: string, password: string, authzid = '') => Buffer.from(`${authzid}\u0000${user}\u0000${password}`);

describe('the SASL state machine', () => {
  it('PLAIN over SaslAuthenticate: handshake, token, then requests are served as the user', () => {
    const sasl = new SaslServerConnection(SETTINGS, credentials, () => 0);
    expect(sasl.onFrame(request(18, 3, { clientSoftwareName: 'x', clientSoftwareVersion: '1' })).kind).toBe('serve');
    expect(answer(sasl.onFrame(request(17, 1, { mechanism: 'PLAIN' })), 17, 1)).toEqual({ errorCode: 0, mechanisms: ['PLAIN', 'SCRAM-SHA-256'] });
    expect(answer(sasl.onFrame(request(36, 2, { authBytes: plainToken('alice', 'alice-secret') })), 36, 2)).toMatchObject({
      errorCode: 0,
      sessionLifetimeMs: 0,
    });
    expect(sasl.principal).toBe('User:alice');
    expect(sasl.onFrame(request(3, 1, { topics: [] })).kind).toBe('serve');
    expect(answer(sasl.onFrame(request(17, 1, { mechanism: 'PLAIN' })), 17, 1)).toMatchObject({ errorCode: 34 });
    expect(answer(sasl.onFrame(request(36, 1, { authBytes: new Uint8Array(0) })), 36, 1)).toMatchObject({ errorCode: 34 });
  });

  it.each([
    ['a wrong password', plainToken('alice', 'x'), /invalid credentials/],
    ['an unknown user', plainToken('mallory', 'x'), /invalid credentials/],
    ['an authzid of someone else', plainToken('alice', 'alice-secret', 'admin'), /different from username/],
    ['an empty password', plainToken('alice', ''), /password not specified/],
  ])('PLAIN refuses %s: SASL_AUTHENTICATION_FAILED, then a delayed close', (_what, token, message) => {
    const sasl = new SaslServerConnection(SETTINGS, credentials, () => 0);
    sasl.onFrame(request(17, 1, { mechanism: 'PLAIN' }));
    const action = sasl.onFrame(request(36, 1, { authBytes: token }));
    expect(action).toMatchObject({ kind: 'reply-and-close', delayMs: 100 });
    expect(answer(action, 36, 1)).toMatchObject({ errorCode: 58, errorMessage: expect.stringMatching(message) });
    expect(sasl.onFrame(request(3, 1, { topics: [] })).kind).toBe('close');
  });

  it('SCRAM-SHA-256 over raw v0 tokens, against Samsa’s client', () => {
    const sasl = new SaslServerConnection(SETTINGS, credentials, () => 0);
    expect(answer(sasl.onFrame(request(17, 0, { mechanism: 'SCRAM-SHA-256' })), 17, 0)).toMatchObject({ errorCode: 0 });
    const client = new ScramClient('SCRAM-SHA-256', { mechanism: 'SCRAM-SHA-256', username: 'bob', password: 'bob-secret' });
    let action = sasl.onFrame(client.first());
    expect(action.kind).toBe('reply');
    const serverFirst = (action as { frame: Uint8Array }).frame.subarray(4);
    action = sasl.onFrame(client.next(serverFirst)!);
    expect(client.next((action as { frame: Uint8Array }).frame.subarray(4))).toBeNull();
    expect(sasl.principal).toBe('User:bob');
    expect(sasl.onFrame(request(3, 1, { topics: [] })).kind).toBe('serve');
  });

  it('closes on a request other than ApiVersions or SaslHandshake before authentication, and on a raw token that fails', () => {
    expect(new SaslServerConnection(SETTINGS, credentials, () => 0).onFrame(request(3, 1, { topics: [] })).kind).toBe('close');
    expect(new SaslServerConnection(SETTINGS, credentials, () => 0).onFrame(new Uint8Array([1, 2, 3])).kind).toBe('close');
    const sasl = new SaslServerConnection(SETTINGS, credentials, () => 0);
    sasl.onFrame(request(17, 0, { mechanism: 'PLAIN' }));
    expect(sasl.onFrame(plainToken('alice', 'wrong'))).toMatchObject({ kind: 'reply-and-close', frame: null });
  });

  it('re-authenticates (KIP-368): a lifetime for v1+ clients, the same principal only, and a close once the session expired', () => {
    let now = 0;
    const sasl = new SaslServerConnection({ ...SETTINGS, maxReauthMs: 1000 }, credentials, () => now);
    sasl.onFrame(request(17, 1, { mechanism: 'PLAIN' }));
    expect(answer(sasl.onFrame(request(36, 1, { authBytes: plainToken('alice', 'alice-secret') })), 36, 1)).toMatchObject({ sessionLifetimeMs: 1000 });
    now = 900;
    expect(answer(sasl.onFrame(request(17, 1, { mechanism: 'PLAIN' })), 17, 1)).toMatchObject({ errorCode: 0 });
    expect(answer(sasl.onFrame(request(36, 1, { authBytes: plainToken('alice', 'alice-secret') })), 36, 1)).toMatchObject({ errorCode: 0 });
    now = 1800;
    expect(sasl.onFrame(request(3, 1, { topics: [] })).kind).toBe('serve');
    now = 1900;
    expect(sasl.onFrame(request(3, 1, { topics: [] }))).toMatchObject({ kind: 'close', reason: expect.stringMatching(/expired/) });
  });

  it('refuses a re-authentication as another user', () => {
    const sasl = new SaslServerConnection(
      {
        ...SETTINGS,
        maxReauthMs: 1000,
        plainUsers: new Map([
          ['alice', 'a'],
          ['eve', 'e'],
        ]),
      },
      credentials,
      () => 0,
    );
    sasl.onFrame(request(17, 1, { mechanism: 'PLAIN' }));
    sasl.onFrame(request(36, 1, { authBytes: plainToken('alice', 'a') }));
    sasl.onFrame(request(17, 1, { mechanism: 'PLAIN' }));
    expect(answer(sasl.onFrame(request(36, 1, { authBytes: plainToken('eve', 'e') })), 36, 1)).toMatchObject({
      errorCode: 58,
      errorMessage: expect.stringMatching(/Cannot change principals/),
    });
  });

  it('gives v0 SaslAuthenticate clients no lifetime, yet ends their session', () => {
    let now = 0;
    const sasl = new SaslServerConnection({ ...SETTINGS, maxReauthMs: 1000 }, credentials, () => now);
    sasl.onFrame(request(17, 1, { mechanism: 'PLAIN' }));
    const action = sasl.onFrame(request(36, 0, { authBytes: plainToken('alice', 'alice-secret') }));
    expect(answer(action, 36, 0).sessionLifetimeMs ?? 0).toBe(0);
    // Yet its session ends like any other: the next request after it closes the connection.
    now = 1000;
    expect(sasl.onFrame(request(3, 1, { topics: [] })).kind).toBe('close');
  });

  it('on a listener without SASL: requests are served, SASL requests get ILLEGAL_SASL_STATE', () => {
    const sasl = new SaslServerConnection(null, credentials, () => 0);
    expect(sasl.onFrame(request(3, 1, { topics: [] })).kind).toBe('serve');
    expect(answer(sasl.onFrame(request(17, 1, { mechanism: 'PLAIN' })), 17, 1)).toMatchObject({ errorCode: 34, mechanisms: [] });
  });
});

describe('SCRAM', () => {
  it('matches RFC 7677’s SCRAM-SHA-256 example (user, W22ZaJ0SNY7soEsUEjb6gQ==, 4096 iterations)', () => {
    // RFC 7677 §3: password "pencil"; the server's signature in its server-final message.
    const salt = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
    const credential = scramCredential('SCRAM-SHA-256', 'pencil', 4096, salt);
    const server = new ScramServer('SCRAM-SHA-256', (u) => (u === 'user' ? credential : null));
    const first = server.evaluate(Buffer.from('n,,n=user,r=rOprNGfwEbeRWgbNEkqO'));
    expect(first.kind).toBe('continue');
    // Replay the RFC's exchange by forcing its server nonce.
    const nonce = 'rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
    const rfc = new ScramServer('SCRAM-SHA-256', () => credential);
    const internals = rfc as unknown as { state: Record<string, unknown> };
    rfc.evaluate(Buffer.from('n,,n=user,r=rOprNGfwEbeRWgbNEkqO'));
    internals.state = { ...internals.state, nonce, serverFirst: `r=${nonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096` };
    const final = rfc.evaluate(Buffer.from(`c=biws,r=${nonce},p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=`));
    expect(final).toEqual({ kind: 'complete', user: 'user', reply: Buffer.from('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=') });
  });

  it('unescapes saslnames and refuses bad escapes; refuses channel binding', () => {
    expect(unescapeSaslName('a=2Cb=3Dc')).toBe('a,b=c');
    expect(unescapeSaslName('a=4Fb')).toBeNull();
    const server = new ScramServer('SCRAM-SHA-256', () => BOB);
    expect(server.evaluate(Buffer.from('p=tls-unique,,n=bob,r=abc'))).toMatchObject({ kind: 'fail', credentials: false });
  });

  it('PLAIN takes one token only', () => {
    const plain = new PlainServer(new Map([['a', 'b']]));
    expect(plain.evaluate(plainToken('a', 'b')).kind).toBe('complete');
    expect(plain.evaluate(plainToken('a', 'b')).kind).toBe('fail');
  });
});
