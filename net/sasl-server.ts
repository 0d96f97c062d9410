// The SASL state machine of one inbound connection (Kafka's SaslServerAuthenticator): INITIAL, where
// ApiVersions is answered any number of times, → SaslHandshake → the mechanism's tokens (raw size-prefixed
// frames after a v0 handshake, SaslAuthenticate requests after v1) → COMPLETE or FAILED. Before COMPLETE any
// other request closes the connection without an answer, so nothing unauthenticated reaches the node. After
// COMPLETE the SASL requests get ILLEGAL_SASL_STATE, except a KIP-368 re-authentication when
// connections.max.reauth.ms > 0; a session that expired closes the connection at its next request. On a
// listener without SASL the machine starts COMPLETE.

import { ErrorCode } from '../core/protocol/errors.ts';
import { frame } from '../core/wire/frame.ts';
import { API_VERSIONS_KEY, type RequestHeader } from '../core/wire/header.ts';
import { decodeRequestBody, decodeRequestHeader, encodeResponseFrame } from '../core/wire/messages.ts';
import type { WireReader } from '../core/wire/wire-reader.ts';
import { PlainServer } from './plain-server.ts';
import { SASL_AUTHENTICATE_KEY, SASL_HANDSHAKE_KEY } from './sasl-client.ts';
import { authenticationFailedMessage, isSupportedSaslMechanism, type SaslMechanismName, type SaslMechanismServer } from './sasl-mechanism.ts';
import { ScramServer } from './scram-server.ts';
import type { ScramCredentialSource } from './scram.ts';

/** A SASL listener's settings. */
export interface SaslServerSettings {
  /** sasl.enabled.mechanisms that Samsa serves, in the order configured. */
  mechanisms: readonly SaslMechanismName[];
  /** PLAIN's user database: the JAAS `user_<name>="<password>"` entries. */
  plainUsers: ReadonlyMap<string, string>;
  /** connections.max.reauth.ms (0: sessions never expire, no re-authentication). */
  maxReauthMs: number;
  /** connection.failed.authentication.delay.ms */
  failedAuthenticationDelayMs: number;
}

/** What the runtime does with a frame. */
export type SaslAction =
  /** A request of an authenticated connection (or ApiVersions at any time): the runtime serves it. */
  | { kind: 'serve'; header: RequestHeader; reader: WireReader }
  /** The state machine answered: write this frame in the connection's order. */
  | { kind: 'reply'; frame: Uint8Array }
  /** Write `frame` (if any), then close the connection after `delayMs`. */
  | { kind: 'reply-and-close'; frame: Uint8Array | null; delayMs: number; reason: string }
  /** Close at once, without an answer. */
  | { kind: 'close'; reason: string };

type State =
  | { kind: 'initial' }
  /** After the handshake: tokens come as SaslAuthenticate requests (v1) or raw frames (v0). */
  | { kind: 'authenticate'; raw: boolean; server: SaslMechanismServer }
  | { kind: 'complete' }
  | { kind: 'failed' };

export class SaslServerConnection {
  private state: State;
  /** `User:<name>` once authenticated. */
  private user: string | null = null;
  /** When the session ends (null: never); a request after it closes the connection. */
  private expiresAt: number | null = null;
  private authenticateVersion = 0;

  /** `settings` null: a listener without SASL, whose connections are complete from the start. */
  constructor(
    private readonly settings: SaslServerSettings | null,
    private readonly scramCredentials: ScramCredentialSource,
    private readonly now: () => number,
  ) {
    this.state = settings === null ? { kind: 'complete' } : { kind: 'initial' };
  }

  /** The authenticated SASL user's principal, or null (no SASL on this listener, or not yet authenticated). */
  get principal(): string | null {
    return this.user === null ? null : `User:${this.user}`;
  }

  get authenticated(): boolean {
    return this.state.kind === 'complete';
  }

  onFrame(body: Uint8Array): SaslAction {
    const state = this.state;
    if (state.kind === 'failed') return { kind: 'close', reason: 'a request after a failed authentication' };
    if (state.kind === 'authenticate' && state.raw) return this.rawToken(state, body);
    let header: RequestHeader;
    let reader: WireReader;
    try {
      ({ header, reader } = decodeRequestHeader(body));
    } catch (err) {
      return { kind: 'close', reason: `unreadable request header: ${(err as Error).message}` };
    }
    if (header.apiKey === API_VERSIONS_KEY && state.kind !== 'authenticate') return { kind: 'serve', header, reader };
    const isSasl = header.apiKey === SASL_HANDSHAKE_KEY || header.apiKey === SASL_AUTHENTICATE_KEY;
    if (state.kind === 'complete') {
      if (this.expiresAt !== null && this.now() >= this.expiresAt && !(header.apiKey === SASL_HANDSHAKE_KEY && this.settings !== null)) {
        return { kind: 'close', reason: `the SASL session of ${this.principal} expired (connections.max.reauth.ms) and was not re-authenticated` };
      }
      if (!isSasl) return { kind: 'serve', header, reader };
      if (header.apiKey === SASL_HANDSHAKE_KEY && this.settings !== null && this.settings.maxReauthMs > 0) return this.handshake(header, reader);
      return this.illegalState(header, reader);
    }
    if (state.kind === 'initial') {
      if (header.apiKey !== SASL_HANDSHAKE_KEY)
        return { kind: 'close', reason: `API key ${header.apiKey} before SASL authentication (expected SaslHandshake)` };
      return this.handshake(header, reader);
    }
    if (header.apiKey !== SASL_AUTHENTICATE_KEY)
      return { kind: 'close', reason: `API key ${header.apiKey} during SASL authentication (expected SaslAuthenticate)` };
    return this.authenticateRequest(state, header, reader);
  }

  private decodeBody(header: RequestHeader, reader: WireReader): Record<string, unknown> | null {
    try {
      return decodeRequestBody(header, reader).body;
    } catch {
      return null;
    }
  }

  private handshake(header: RequestHeader, reader: WireReader): SaslAction {
    const settings = this.settings!;
    const body = this.decodeBody(header, reader);
    if (body === null) return { kind: 'close', reason: `malformed SaslHandshake v${header.apiVersion}` };
    const mechanism = String(body.mechanism);
    const answer = (errorCode: number) =>
      encodeResponseFrame(SASL_HANDSHAKE_KEY, header.apiVersion, header.correlationId, { errorCode, mechanisms: [...settings.mechanisms] });
    if (!isSupportedSaslMechanism(mechanism) || !settings.mechanisms.includes(mechanism)) {
      this.state = { kind: 'failed' };
      return { kind: 'reply-and-close', frame: answer(ErrorCode.UNSUPPORTED_SASL_MECHANISM), delayMs: 0, reason: `unsupported SASL mechanism ${mechanism}` };
    }
    const server: SaslMechanismServer = mechanism === 'PLAIN' ? new PlainServer(settings.plainUsers) : new ScramServer(mechanism, this.scramCredentials);
    this.state = { kind: 'authenticate', raw: header.apiVersion === 0, server };
    return { kind: 'reply', frame: answer(ErrorCode.NONE) };
  }

  private authenticateRequest(state: Extract<State, { kind: 'authenticate' }>, header: RequestHeader, reader: WireReader): SaslAction {
    const body = this.decodeBody(header, reader);
    if (body === null) return { kind: 'close', reason: `malformed SaslAuthenticate v${header.apiVersion}` };
    this.authenticateVersion = header.apiVersion;
    const step = state.server.evaluate(body.authBytes as Uint8Array);
    const answer = (errorCode: number, errorMessage: string | null, authBytes: Uint8Array, sessionLifetimeMs = 0) =>
      encodeResponseFrame(SASL_AUTHENTICATE_KEY, header.apiVersion, header.correlationId, { errorCode, errorMessage, authBytes, sessionLifetimeMs });
    if (step.kind === 'fail') {
      this.state = { kind: 'failed' };
      const message = step.credentials ? authenticationFailedMessage(state.server.mechanism) : step.reason;
      return {
        kind: 'reply-and-close',
        frame: answer(ErrorCode.SASL_AUTHENTICATION_FAILED, message, new Uint8Array(0)),
        delayMs: this.settings!.failedAuthenticationDelayMs,
        reason: `SASL ${state.server.mechanism} authentication failed: ${step.reason}`,
      };
    }
    if (step.kind === 'continue') return { kind: 'reply', frame: answer(ErrorCode.NONE, null, step.reply) };
    const refused = this.complete(step.user);
    if (refused !== null) {
      return {
        kind: 'reply-and-close',
        frame: answer(ErrorCode.SASL_AUTHENTICATION_FAILED, refused, new Uint8Array(0)),
        delayMs: this.settings!.failedAuthenticationDelayMs,
        reason: refused,
      };
    }
    const lifetime = this.settings!.maxReauthMs > 0 && this.authenticateVersion >= 1 ? this.settings!.maxReauthMs : 0;
    return { kind: 'reply', frame: answer(ErrorCode.NONE, null, step.reply, lifetime) };
  }

  /** A token after a v0 handshake: a raw frame, answered with a raw frame; a failure just closes. */
  private rawToken(state: Extract<State, { kind: 'authenticate' }>, token: Uint8Array): SaslAction {
    const step = state.server.evaluate(token);
    if (step.kind === 'fail') {
      this.state = { kind: 'failed' };
      return {
        kind: 'reply-and-close',
        frame: null,
        delayMs: this.settings!.failedAuthenticationDelayMs,
        reason: `SASL ${state.server.mechanism} authentication failed: ${step.reason}`,
      };
    }
    if (step.kind === 'complete') {
      const refused = this.complete(step.user);
      if (refused !== null) return { kind: 'reply-and-close', frame: null, delayMs: this.settings!.failedAuthenticationDelayMs, reason: refused };
    }
    return { kind: 'reply', frame: frame(step.reply) };
  }

  /** Enters COMPLETE as `user`; a re-authentication must keep the principal (null when it may). */
  private complete(user: string): string | null {
    if (this.user !== null && this.user !== user) {
      this.state = { kind: 'failed' };
      return `Cannot change principals during re-authentication from User:${this.user} to User:${user}`;
    }
    this.user = user;
    this.state = { kind: 'complete' };
    this.expiresAt = this.settings!.maxReauthMs > 0 ? this.now() + this.settings!.maxReauthMs : null;
    return null;
  }

  private illegalState(header: RequestHeader, reader: WireReader): SaslAction {
    if (this.decodeBody(header, reader) === null) return { kind: 'close', reason: `malformed SASL request (API ${header.apiKey} v${header.apiVersion})` };
    const body =
      header.apiKey === SASL_HANDSHAKE_KEY
        ? { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] }
        : {
            errorCode: ErrorCode.ILLEGAL_SASL_STATE,
            errorMessage: 'SaslAuthenticate request received after successful authentication',
            authBytes: new Uint8Array(0),
            sessionLifetimeMs: 0,
          };
    return { kind: 'reply', frame: encodeResponseFrame(header.apiKey, header.apiVersion, header.correlationId, body) };
  }
}
