// scripts/token-server.ts, the server for trying the action by hand: --help says what to log in with.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from './support/run.ts';
import { DEFAULT_OIDC_CLIENT, DEFAULT_REALM, DEFAULT_SAST_TOKEN, DEFAULT_SAST_USER, DEFAULT_SCA } from './support/token-server.ts';

test('node scripts/token-server.ts --help lists the test users it accepts', () => {
  const run = spawnSync(process.execPath, [join(REPO_ROOT, 'scripts', 'token-server.ts'), '--help'], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(run.status, 0, run.stderr);
  for (const text of [
    `username ${DEFAULT_SAST_USER.username}, password '${DEFAULT_SAST_USER.password}'`,
    `api-key ${DEFAULT_SAST_TOKEN}`,
    `client-id ${DEFAULT_OIDC_CLIENT.clientId}, client-secret '${DEFAULT_OIDC_CLIENT.clientSecret}'`,
    `tenant ${DEFAULT_SCA.tenant}, username ${DEFAULT_SCA.username}, password '${DEFAULT_SCA.password}'`,
    `client-id ${DEFAULT_REALM.clientId}, client-secret '${DEFAULT_REALM.clientSecret}'`,
  ]) {
    assert.ok(run.stdout.includes(text), text);
  }
});
