// Certificates for the secure-listener tests, made with the openssl CLI in a temp dir: a CA, a server
// certificate for 127.0.0.1/localhost, client certificates signed by the CA, by another CA, and an expired one.

import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TestCertificates {
  dir: string;
  caPem: string;
  /** server.pem: the server's private key and certificate (a PEM keystore). */
  serverKeystore: string;
  /** The client `alice` (subject O=test, CN=alice), signed by the CA. */
  alice: { key: string; cert: string; keystore: string };
  /** A client signed by another CA. */
  stranger: { key: string; cert: string };
  /** A client signed by the CA whose validity ended in 2020. */
  expired: { key: string; cert: string };
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function ca(dir: string, name: string, subject: string): void {
  openssl(dir, ['req', '-x509', ...EC, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', subject]);
}

function signed(dir: string, name: string, caName: string, subject: string, extensions: string | null): void {
  openssl(dir, ['req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
  const ext = extensions === null ? [] : (writeFileSync(join(dir, `${name}.ext`), extensions), ['-extfile', `${name}.ext`]);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${caName}.pem`,
    '-CAkey',
    `${caName}.key`,
    '-CAcreateserial',
    '-out',
    `${name}.pem`,
    '-days',
    '2',
    ...ext,
  ]);
}

/** A certificate whose validity ended long ago (openssl ca takes explicit dates). */
function expired(dir: string, name: string, caName: string, subject: string): void {
  openssl(dir, ['req', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject]);
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  writeFileSync(
    join(dir, 'ca.cnf'),
    [
      '[ca]',
      'default_ca = d',
      '[d]',
      'database = index.txt',
      'new_certs_dir = .',
      'serial = serial',
      'default_md = sha256',
      'policy = p',
      '[p]',
      'commonName = supplied',
      'organizationName = optional',
    ].join('\n'),
  );
  openssl(dir, [
    'ca',
    '-batch',
    '-config',
    'ca.cnf',
    '-cert',
    `${caName}.pem`,
    '-keyfile',
    `${caName}.key`,
    '-in',
    `${name}.csr`,
    '-out',
    `${name}.pem`,
    '-startdate',
    '20200101000000Z',
    '-enddate',
    '20200102000000Z',
    '-notext',
  ]);
}

export function makeCertificates(dir: string): TestCertificates {
  ca(dir, 'ca', '/CN=Samsa Test CA');
  ca(dir, 'other-ca', '/CN=Other CA');
  signed(dir, 'server', 'ca', '/CN=localhost', 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  signed(dir, 'alice', 'ca', '/O=test/CN=alice', null);
  signed(dir, 'stranger', 'other-ca', '/CN=stranger', null);
  expired(dir, 'expired', 'ca', '/CN=expired');
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  writeFileSync(join(dir, 'server-keystore.pem'), read('server.key') + read('server.pem'));
  writeFileSync(join(dir, 'alice-keystore.pem'), read('alice.key') + read('alice.pem'));
  return {
    dir,
    caPem: join(dir, 'ca.pem'),
    serverKeystore: join(dir, 'server-keystore.pem'),
    alice: { key: read('alice.key'), cert: read('alice.pem'), keystore: join(dir, 'alice-keystore.pem') },
    stranger: { key: read('stranger.key'), cert: read('stranger.pem') },
    expired: { key: read('expired.key'), cert: read('expired.pem') },
  };
}
