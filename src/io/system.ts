// The real I/O that the front ends pass into exchangeCredentials; tests pass their own.

import { readFileSync, statSync } from 'node:fs';
import type { ConfigDeps } from '../core/settings.ts';
import type { GrantDeps } from '../core/grant.ts';
import { isCertificate } from './certificates.ts';
import { postForm } from './http.ts';
import { USER_AGENT } from '../core/version.ts';

/** The I/O that an exchange needs: files, HTTP, the clock, sleep and randomness. */
export type SystemIo = Omit<GrantDeps, 'log'> & ConfigDeps;

export const SYSTEM_IO: SystemIo = {
  readFile,
  isCertificate,
  postForm,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
  now: Date.now,
  userAgent: USER_AGENT,
};

/** Only a regular file, and only a small one: a device or a FIFO would never end, or block the open. */
function readFile(path: string, maxBytes: number): string {
  const stats = statSync(path);
  if (!stats.isFile()) throw Object.assign(new Error('not a regular file'), { code: 'ENOTREG' });
  if (stats.size > maxBytes) throw Object.assign(new Error('too large'), { code: 'EFBIG' });
  return decodeText(readFileSync(path));
}

/**
 * A text file as Windows tools write it, too: Windows PowerShell 5.1's `>` and `Out-File` write
 * UTF-16 LE with a byte-order mark, Notepad may add a UTF-8 one. Everything else is UTF-8.
 */
export function decodeText(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  return new TextDecoder('utf-8').decode(bytes); // drops a UTF-8 byte-order mark
}
