// A throwaway certificate authority made with the openssl CLI, in a temp directory outside the
// repository. EC P-256 keys keep each openssl call to a few milliseconds.

import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { isIP } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const OPENSSL = '/usr/bin/openssl';
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

export interface IssuedCert {
  key: string;
  cert: string;
}

export interface TestCa {
  certPem: string;
  certPath: string;
  dir: string;
  /** a server certificate for these DNS names (or IPs), always also valid for 127.0.0.1 */
  issue(names: string[]): IssuedCert;
  cleanup(): Promise<void>;
}

export async function makeTestCa(): Promise<TestCa> {
  const dir = mkdtempSync(join(tmpdir(), 'checkmarx-auth-ca-'));
  const certPath = join(dir, 'ca.crt');
  const keyPath = join(dir, 'ca.key');
  await promisify(execFile)(
    OPENSSL,
    [
      'req',
      '-x509',
      ...EC_KEY,
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-days',
      '2',
      '-subj',
      '/CN=checkmarx-auth test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    { env: opensslEnv(), cwd: dir },
  );
  const issued = new Map<string, IssuedCert>();
  return {
    certPem: readFileSync(certPath, 'utf8'),
    certPath,
    dir,
    issue(names) {
      const key = [...new Set(names)].sort().join(',');
      const cached = issued.get(key) ?? issueCert({ dir, certPath, keyPath }, names);
      issued.set(key, cached);
      return cached;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

let shared: Promise<TestCa> | undefined;

/** One CA per test process, removed at exit: saves re-issuing certificates across tests. */
export function sharedTestCa(): Promise<TestCa> {
  shared ??= makeTestCa().then((ca) => {
    process.once('exit', () => rmSync(ca.dir, { recursive: true, force: true }));
    return { ...ca, cleanup: async () => {} };
  });
  return shared;
}

interface CaFiles {
  dir: string;
  certPath: string;
  keyPath: string;
}

// One openssl call: `req -x509 -CA` (OpenSSL 3) makes the key and signs the certificate at once.
function issueCert(ca: CaFiles, names: string[]): IssuedCert {
  const base = join(ca.dir, `server-${randomBytes(6).toString('hex')}`);
  writeFileSync(`${base}.cnf`, serverConfig(names));
  runOpenssl([
    'req',
    '-x509',
    ...EC_KEY,
    '-keyout',
    `${base}.key`,
    '-out',
    `${base}.crt`,
    '-days',
    '2',
    '-config',
    `${base}.cnf`,
    '-extensions',
    'server_ext',
    '-CA',
    ca.certPath,
    '-CAkey',
    ca.keyPath,
    '-set_serial',
    `0x${randomBytes(12).toString('hex')}`,
  ]);
  return { key: readFileSync(`${base}.key`, 'utf8'), cert: readFileSync(`${base}.crt`, 'utf8') };
}

function serverConfig(names: string[]): string {
  const entries = [...new Set([...names, '127.0.0.1'])].map((name) => (isIP(name) ? `IP:${name}` : `DNS:${name}`));
  const commonName = (names[0] ?? 'localhost').replace(/[^\w.:-]/g, '_');
  return [
    '[req]',
    'distinguished_name = dn',
    'prompt = no',
    '[dn]',
    `CN = ${commonName}`,
    '[server_ext]',
    `subjectAltName = ${entries.join(',')}`,
    'basicConstraints = critical,CA:FALSE',
    'keyUsage = critical,digitalSignature',
    'extendedKeyUsage = serverAuth',
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid',
    '',
  ].join('\n');
}

function runOpenssl(args: string[]): void {
  try {
    execFileSync(OPENSSL, args, { stdio: ['ignore', 'pipe', 'pipe'], env: opensslEnv(), cwd: tmpdir() });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`openssl ${args[0]} failed: ${stderr || String(error)}`, { cause: error });
  }
}

/** Keep a machine-wide OPENSSL_CONF or odd locale from changing what openssl does. */
function opensslEnv(): NodeJS.ProcessEnv {
  return { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? tmpdir() };
}
