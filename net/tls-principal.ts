// The principal of a TLS connection's client certificate, as Kafka's DEFAULT ssl.principal.mapping.rules
// gives it: `User:` and the subject's distinguished name in RFC 2253 order (most specific RDN first,
// e.g. `User:CN=alice,OU=eng,O=acme`); null when the client sent no certificate. With ssl.client.auth=requested
// node:tls lets a certificate the truststore did not sign through: Kafka fails such a handshake, so it is `untrusted`.

import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';

export function certificatePrincipal(socket: TLSSocket): string | null | { untrusted: string } {
  const peer = socket.getPeerCertificate(false);
  if (peer === null || peer === undefined || peer.raw === undefined) return null;
  if (!socket.authorized) return { untrusted: String(socket.authorizationError ?? 'not signed by the truststore') };
  return `User:${rfc2253(new X509Certificate(peer.raw).subject)}`;
}

/** Node lists a subject's RDNs one per line in certificate order (`C=US\nO=acme\nCN=alice`); RFC 2253 reverses them, comma-separated. */
export function rfc2253(subject: string): string {
  return subject
    .split('\n')
    .filter((line) => line !== '')
    .map((rdn) => {
      const at = rdn.indexOf('=');
      return at < 0 ? rdn : `${rdn.slice(0, at)}=${escapeValue(rdn.slice(at + 1))}`;
    })
    .reverse()
    .join(',');
}

function escapeValue(value: string): string {
  return value
    .replace(/([,+"\\<>;])/g, '\\$1')
    .replace(/^([ #])/, '\\$1')
    .replace(/ $/, '\\ ');
}
