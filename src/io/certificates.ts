// Certificate parsing for the core's `ca-cert` check (ConfigDeps.isCertificate): the core is pure,
// so node:crypto lives here, loaded only when a run names a ca-cert.

import { builtin } from './builtins.ts';

/** Whether `pem` is one X.509 certificate that node:crypto can parse. */
export function isCertificate(pem: string): boolean {
  try {
    new (builtin('node:crypto').X509Certificate)(pem);
    return true;
  } catch {
    return false;
  }
}
