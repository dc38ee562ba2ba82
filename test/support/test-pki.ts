/**
 * Certificates made at test time with `openssl` in a temporary directory:
 * a CA, a server certificate for 127.0.0.1/localhost, and client
 * certificates whose subject serialNumber is an HSA-id, as on SITHS function
 * certificates. Nothing here is ever written into the repository.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KeyPair {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly certPath: string;
  readonly keyPath: string;
}

export interface TestPki {
  readonly dir: string;
  readonly ca: KeyPair;
  readonly server: KeyPair;
  /** A client certificate issued by this CA with the given subject (e.g. `/serialNumber=SE…/CN=vp`). */
  client(subject: string): KeyPair;
  /** Removes the directory. */
  remove(): void;
}

const EXTENSIONS = `
[server]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
[client]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
`;

function openssl(dir: string, args: string[]) {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/** Creates a CA (named `caName`) with a server certificate. */
export function createTestPki(caName = 'tidbok test CA'): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'tidbok-pki-'));
  writeFileSync(join(dir, 'ext.cnf'), EXTENSIONS);
  openssl(
    dir,
    ['req', '-x509', ...newKey, '-keyout', 'ca.key', '-out', 'ca.pem'].concat([
      '-days',
      '2',
      '-subj',
      `/CN=${caName}`,
    ]),
  );
  let serial = 1;
  const issue = (name: string, subject: string, extensions: 'server' | 'client'): KeyPair => {
    openssl(
      dir,
      ['req', '-new', ...newKey, '-keyout', `${name}.key`, '-out', `${name}.csr`].concat([
        '-subj',
        subject,
      ]),
    );
    openssl(
      dir,
      ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key']
        .concat(['-set_serial', String(++serial), '-days', '2', '-out', `${name}.pem`])
        .concat(['-extfile', 'ext.cnf', '-extensions', extensions]),
    );
    return pair(dir, name);
  };
  const server = issue('server', '/CN=localhost', 'server');
  let clients = 0;
  return {
    dir,
    ca: pair(dir, 'ca'),
    server,
    client: (subject) => issue(`client${++clients}`, subject, 'client'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

function pair(dir: string, name: string): KeyPair {
  const certPath = join(dir, `${name}.pem`);
  const keyPath = join(dir, `${name}.key`);
  return { cert: readFileSync(certPath), key: readFileSync(keyPath), certPath, keyPath };
}
