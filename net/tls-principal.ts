// The principal of a TLS connection's client certificate: `User:` and the subject's distinguished name in
// RFC 2253 order (most specific RDN first, e.g. `CN=alice,OU=eng,O=acme`) through the listener's
// ssl.principal.mapping.rules (DEFAULT: unchanged); null when the client sent no certificate. With
// ssl.client.auth=requested node:tls lets a certificate the truststore did not sign through: Kafka fails such a
// handshake, so it is `refused`, as is a name no mapping rule applies to.

import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { SslPrincipalMapper } from './ssl-principal-mapper.ts';

export function certificatePrincipal(socket: TLSSocket, mapper: SslPrincipalMapper = SslPrincipalMapper.DEFAULT): string | null | { refused: string } {
  const peer = socket.getPeerCertificate(false);
  if (peer === null || peer === undefined || peer.raw === undefined) return null;
  if (!socket.authorized) return { refused: `its client certificate is not trusted (${String(socket.authorizationError ?? 'not signed by the truststore')})` };
  const dn = rfc2253(new X509Certificate(peer.raw).subject);
  const name = mapper.name(dn);
  if (name === null) return { refused: `no ssl.principal.mapping.rules rule applies to ${dn} (rules: ${mapper.text})` };
  return `User:${name}`;
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
