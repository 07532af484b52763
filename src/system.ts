// The real I/O that both front ends pass into exchangeCredentials; tests pass their own.

import { readFileSync } from 'node:fs';
import type { ConfigDeps } from './config.ts';
import type { GrantDeps } from './grant.ts';
import { postForm } from './http.ts';
import { USER_AGENT } from './version.ts';

export const SYSTEM_IO: Omit<GrantDeps, 'log'> & ConfigDeps = {
  readFile: (path) => readFileSync(path, 'utf8'),
  postForm,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
  now: Date.now,
  userAgent: USER_AGENT,
};
