// The throwaway certificates verify as TLS needs them: node:tls accepts the server certificate for
// 127.0.0.1 and localhost against the CA alone (hostname verification on), refuses another name and
// another CA, and takes a client certificate in mutual TLS; OpenSSL's own verifier agrees (when present).

import { X509Certificate } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, type TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { issueCertificate, makeCertificateAuthority } from '../../net/certificates.ts';

const ca = makeCertificateAuthority({ commonName: 'Samsa test CA' });
const server = issueCertificate(ca, { commonName: 'broker', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], usage: 'both' });
const client = issueCertificate(ca, { commonName: 'alice', usage: 'client' });
const otherCa = makeCertificateAuthority({ commonName: 'Another CA' });

interface Outcome {
  ok: boolean;
  error?: string;
  /** The client certificate's subject as the server saw it. */
  peerCN?: string;
}

/** Opens a TLS server with `server`'s keystore (requiring a client certificate when `mtls`) and connects a client to it. */
async function handshake(opts: { host: string; servername?: string; trust: string; clientCert?: typeof client; mtls?: boolean }): Promise<Outcome> {
  let peerCN: string | undefined;
  const tlsServer = createServer(
    { key: server.keyPem, cert: server.chainPem, ca: ca.certPem, requestCert: opts.mtls === true, rejectUnauthorized: opts.mtls === true },
    (socket: TLSSocket) => {
      peerCN = socket.getPeerCertificate().subject?.CN as string | undefined;
      socket.end('hello');
    },
  );
  tlsServer.on('tlsClientError', () => {});
  await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
  const port = (tlsServer.address() as AddressInfo).port;
  try {
    return await new Promise<Outcome>((resolve) => {
      const socket = connect({
        host: opts.host,
        port,
        ca: opts.trust,
        ...(opts.servername !== undefined ? { servername: opts.servername } : {}),
        ...(opts.clientCert !== undefined ? { key: opts.clientCert.keyPem, cert: opts.clientCert.chainPem } : {}),
      });
      let data = '';
      socket.on('data', (d: Buffer) => (data += d.toString()));
      socket.on('end', () => resolve(data === 'hello' ? { ok: true, ...(peerCN !== undefined ? { peerCN } : {}) } : { ok: false, error: 'no greeting' }));
      socket.on('error', (err) => resolve({ ok: false, error: err.message }));
      socket.setTimeout(5000, () => resolve({ ok: false, error: 'timeout' }));
    });
  } finally {
    await new Promise<void>((resolve) => tlsServer.close(() => resolve()));
  }
}

describe('certificates', () => {
  it('are well-formed X.509: the CA is a CA, the server certificate names 127.0.0.1 and localhost and is signed by the CA', () => {
    const caCert = new X509Certificate(ca.certPem);
    const serverCert = new X509Certificate(server.chainPem);
    expect(caCert.ca).toBe(true);
    expect(serverCert.ca).toBe(false);
    expect(serverCert.verify(caCert.publicKey)).toBe(true);
    expect(serverCert.verify(new X509Certificate(otherCa.certPem).publicKey)).toBe(false);
    expect(serverCert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(serverCert.checkHost('localhost')).toBe('localhost');
    expect(serverCert.checkHost('example.com')).toBeUndefined();
    expect(serverCert.subject).toContain('CN=broker');
    expect(client.principal).toBe('User:CN=alice,O=Samsa local');
    expect(server.keystorePem).toMatch(/^-----BEGIN PRIVATE KEY-----[\s\S]*-----BEGIN CERTIFICATE-----[\s\S]*-----BEGIN CERTIFICATE-----/);
  });

  it('node:tls connects to 127.0.0.1 and to localhost, verifying the server against the CA', async () => {
    expect(await handshake({ host: '127.0.0.1', trust: ca.certPem })).toEqual({ ok: true });
    expect(await handshake({ host: '127.0.0.1', servername: 'localhost', trust: ca.certPem })).toEqual({ ok: true });
  });

  it('node:tls refuses a name the certificate lacks and a server another CA signed', async () => {
    const wrongName = await handshake({ host: '127.0.0.1', servername: 'example.com', trust: ca.certPem });
    expect(wrongName.ok).toBe(false);
    expect(wrongName.error).toMatch(/altnames|Hostname/i);
    const wrongCa = await handshake({ host: '127.0.0.1', trust: otherCa.certPem });
    expect(wrongCa.ok).toBe(false);
    expect(wrongCa.error).toMatch(/certificate/i);
  });

  it('mutual TLS: the server takes a client certificate the CA signed and sees its name; without one it refuses', async () => {
    expect(await handshake({ host: '127.0.0.1', trust: ca.certPem, clientCert: client, mtls: true })).toEqual({ ok: true, peerCN: 'alice' });
    expect((await handshake({ host: '127.0.0.1', trust: ca.certPem, mtls: true })).ok).toBe(false);
  });

  const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
  describe.skipIf(!hasOpenssl)('openssl verify', () => {
    const dir = mkdtempSync(join(tmpdir(), 'samsa-certs-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    const verify = (file: string, purpose: string, name: string[] = []) =>
      spawnSync('openssl', ['verify', '-CAfile', join(dir, 'ca.pem'), '-purpose', purpose, ...name, join(dir, file)], { encoding: 'utf8' });

    it('accepts the server certificate for its IP and name, and the client certificate for client auth', () => {
      writeFileSync(join(dir, 'ca.pem'), ca.certPem);
      writeFileSync(join(dir, 'server.pem'), server.chainPem);
      writeFileSync(join(dir, 'client.pem'), client.chainPem);
      expect(verify('server.pem', 'sslserver', ['-verify_ip', '127.0.0.1']).status).toBe(0);
      expect(verify('server.pem', 'sslserver', ['-verify_hostname', 'localhost']).status).toBe(0);
      expect(verify('server.pem', 'sslserver', ['-verify_hostname', 'example.com']).status).not.toBe(0);
      expect(verify('client.pem', 'sslclient').status).toBe(0);
      expect(verify('client.pem', 'sslserver').status).not.toBe(0);
    });
  });
});
