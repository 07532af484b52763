// scripts/token-server.ts, the server for trying the action by hand: --help says what to log in with.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { cleanEnv, REPO_ROOT, runProcess } from './support/run.ts';

const SCRIPT = join(REPO_ROOT, 'scripts', 'token-server.ts');
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

test('a port that is taken ends it with exit code 2 and a message that says what to do, writing no file', async () => {
  const taken = net.createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  const port = (taken.address() as net.AddressInfo).port;
  const dir = mkdtempSync(join(tmpdir(), 'token-server-script-'));
  try {
    const envFile = join(dir, 'env');
    // Bounded: a server that kept running after the error would be killed here, and fail the test.
    const run = await runProcess(process.execPath, [SCRIPT, '--port', String(port), '--write-env', envFile], {
      cwd: REPO_ROOT,
      env: cleanEnv({}),
      timeoutMs: 20_000,
    });
    assert.equal(run.signal, null, 'the server kept running after the listen error');
    assert.equal(run.code, 2);
    assert.equal(
      run.stderr,
      `token-server: port ${port} on 127.0.0.1: another program already listens there (EADDRINUSE). Leave --port out for a free port, or choose another.\n`,
    );
    assert.equal(existsSync(envFile), false, 'the env file names a server that is not ours');
  } finally {
    taken.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("docs/development.md's try-it-by-hand recipe runs as written: a free port, the action's outputs", async () => {
  const page = readFileSync(join(REPO_ROOT, 'docs', 'development.md'), 'utf8');
  const section = page.slice(page.indexOf('## Try the action by hand'));
  const script = /```sh\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(script, 'no sh block under "Try the action by hand"');
  assert.doesNotMatch(page, /8080/, 'a fixed port may be taken: the docs use the free-port default');
  // Its own process group, so that the server it starts in the background is killed with it.
  const child = spawn('bash', ['-c', script], { cwd: REPO_ROOT, env: cleanEnv({}), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 30_000);
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  clearTimeout(timer);
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // the group is gone: the recipe's kill stopped the server
  }
  assert.equal(code, 0, stderr);
  assert.match(stdout, /^access-token/m);
  assert.match(stdout, /^api-url/m);
  assert.match(stdout, /^CX_ACCESS_TOKEN/m);
});
