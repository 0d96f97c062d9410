// Who sent a request: the principal its connection authenticated as and the host it came from.
// The transport decides both (a SASL exchange, a client certificate, the simulator's scenario);
// the core only reads them.

/** The principal of a connection that did not authenticate (a PLAINTEXT or SSL listener without a client certificate). */
export const ANONYMOUS = 'User:ANONYMOUS';

export interface Session {
  /** `User:<name>` */
  principal: string;
  /** The client's address (an IP on real sockets, the node's id in the simulator). */
  host: string;
}

/** The session of a request whose transport said nothing: anonymous, from an unknown host. */
export const ANONYMOUS_SESSION: Session = { principal: ANONYMOUS, host: '*' };

/** `User:<name>` for a user name. */
export function userPrincipal(name: string): string {
  return `User:${name}`;
}

/** Parses super.users (semicolon-separated principals, blanks ignored). */
export function parseSuperUsers(value: string): Set<string> {
  return new Set(
    value
      .split(';')
      .map((p) => p.trim())
      .filter((p) => p !== ''),
  );
}
