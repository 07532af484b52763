// The real I/O that both front ends pass into exchangeCredentials; tests pass their own.

import { readFileSync, statSync } from 'node:fs';
import type { ConfigDeps } from './config.ts';
import type { GrantDeps } from './grant.ts';
import { postForm } from './http.ts';
import { USER_AGENT } from './version.ts';

export const SYSTEM_IO: Omit<GrantDeps, 'log'> & ConfigDeps = {
  readFile,
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
  return readFileSync(path, 'utf8');
}
