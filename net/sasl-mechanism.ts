// What a server-side SASL mechanism is to the SASL state machine: it takes the client's tokens one at a time
// and answers with a token to send back, a success naming the authenticated user, or a failure.

/** The mechanisms Samsa serves (Kafka's default, GSSAPI, and OAUTHBEARER are not among them). */
export const SUPPORTED_SASL_MECHANISMS = ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type SaslMechanismName = (typeof SUPPORTED_SASL_MECHANISMS)[number];

export function isSupportedSaslMechanism(name: string): name is SaslMechanismName {
  return (SUPPORTED_SASL_MECHANISMS as readonly string[]).includes(name);
}

export type SaslStep =
  | { kind: 'continue'; reply: Uint8Array }
  | { kind: 'complete'; reply: Uint8Array; user: string }
  /** `credentials`: wrong password or unknown user (the client is told only that its credentials are invalid); else the token was malformed. */
  | { kind: 'fail'; credentials: boolean; reason: string };

export interface SaslMechanismServer {
  readonly mechanism: SaslMechanismName;
  evaluate(token: Uint8Array): SaslStep;
}

/** The message a client gets for a failed authentication: the same whether the user exists or the password is wrong. */
export function authenticationFailedMessage(mechanism: string): string {
  return `Authentication failed during authentication due to invalid credentials with SASL mechanism ${mechanism}`;
}
