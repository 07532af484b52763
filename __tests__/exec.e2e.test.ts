// `checkmarx-auth exec` end to end through the committed bundle (dist/cli/index.js), the way a CI
// step runs it: in sh, with an ast-cli-shaped child (support/ast-cli-client.ts) that logs in at
// the loopback endpoint; signals sent to exec's own PID; and with a token agent started by
// start-agent, whose socket folder is removed in `after` (an agent stops when its socket goes).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { assertNoLeak, cleanEnv, CLI_ENTRY, runCli, runProcess, type Env } from './support/run.ts';
import { DEFAULT_REALM, startTokenServer, type TokenServer } from './support/token-server.ts';

const NODE = process.execPath;
const CLIENT = join(import.meta.dirname, 'support', 'ast-cli-client.ts');
const SECRET = DEFAULT_REALM.clientSecret;
const WAIT_MS = 20_000;

interface Report {
  env: Record<string, string>;
  logins: Array<{ status: number; body: Record<string, unknown> }>;
  signal?: string;
}

let server: TokenServer;
let temp: string;
let report: string;
before(async () => {
  server = await startTokenServer();
  temp = mkdtempSync(join(tmpdir(), 'checkmarx-auth-exec-e2e-'));
});
after(async () => {
  await server.close();
  rmSync(temp, { recursive: true, force: true });
});
beforeEach(() => {
  server.reset();
  report = join(temp, `report-${Math.random().toString(36).slice(2)}.json`);
});

const readReport = (): Report => JSON.parse(readFileSync(report, 'utf8')) as Report;
const cli = `'${NODE}' '${CLI_ENTRY}'`;
const cxone = () => `--product cxone --iam-url ${server.url} --tenant ${DEFAULT_REALM.name} --client-id ${DEFAULT_REALM.clientId}`;
const sh = (script: string, env: Env) => runProcess('/bin/sh', ['-c', script], { env: cleanEnv(env), cwd: temp, timeoutMs: 60_000 });

async function waitFor(condition: () => boolean): Promise<boolean> {
  for (const end = Date.now() + WAIT_MS; Date.now() < end;) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return condition();
}

describe('exec: the bundle in a shell step', () => {
  it('inside GitHub Actions: the child logs in twice at the endpoint; tokens and key masked first; nothing leaks', async () => {
    const script = `${cli} exec ${cxone()} -- '${NODE}' '${CLIENT}' '${report}' --logins 2; echo "exit=$?"`;
    const run = await sh(script, { CX_CLIENT_SECRET: SECRET, SAVED_SECRET: SECRET, GITHUB_ACTIONS: 'true' });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'exit=0\n');
    const { env, logins } = readReport();
    assert.deepEqual(
      logins.map((login) => login.status),
      [200, 200],
    );
    assert.equal(logins[0]!.body.access_token, env.CX_ACCESS_TOKEN);
    assert.equal(server.requests.length, 1);
    const masks = run.stderr.split('\n').filter((line) => line.startsWith('::add-mask::'));
    // The client secret given, then the token and the one-time key, before the child ran.
    assert.deepEqual(masks.slice(-2), [`::add-mask::${env.CX_ACCESS_TOKEN}`, `::add-mask::${env.CX_CLIENT_SECRET}`]);
    // The credential appears nowhere: not in the child's environment, not on any stream.
    assert.ok(!JSON.stringify(env).includes(SECRET));
    assert.ok(!('SAVED_SECRET' in env));
    assertNoLeak({ stdout: run.stdout, stderr: run.stderr.replace(/^::add-mask::.*\n/gm, '') }, [
      SECRET,
      env.CX_ACCESS_TOKEN!,
      env.CX_CLIENT_SECRET!,
    ]);
  });

  it("exits with the child's code, and 128 + the signal when a signal ended it", async () => {
    const flags = cxone();
    const script = [
      `${cli} exec ${flags} -- sh -c 'exit 5'; echo "code=$?"`,
      `${cli} exec ${flags} -- sh -c 'kill -TERM $$'; echo "term=$?"`,
      `${cli} exec ${flags} -- sh -c 'kill -INT $$'; echo "int=$?"`,
      `${cli} exec ${flags} -- checkmarx-auth-no-such-command; echo "missing=$?"`,
      `${cli} exec ${flags}; echo "usage=$?"`,
    ].join('\n');
    const run = await sh(script, { CX_CLIENT_SECRET: SECRET });
    assert.equal(run.stdout, 'code=5\nterm=143\nint=130\nmissing=127\nusage=2\n', run.stderr);
  });

  it('the child inherits stdin, stdout and stderr', async () => {
    const script = `echo piped | ${cli} exec ${cxone()} -- sh -c 'read line; echo "out:$line"; echo "err:$line" >&2'`;
    const run = await sh(script, { CX_CLIENT_SECRET: SECRET });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, 'out:piped\n');
    assert.match(run.stderr, /^err:piped$/m);
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`passes ${signal} on to the child, and exits as the child did`, async () => {
      for (const handled of [true, false]) {
        const ready = join(temp, `ready-${Math.random().toString(36).slice(2)}`);
        const args = [CLI_ENTRY, 'exec', ...cxone().split(' '), '--', NODE, CLIENT, report, '--wait-signal', '--ready', ready];
        if (!handled) args.push('--no-handler');
        const child = spawn(NODE, args, { env: cleanEnv({ CX_CLIENT_SECRET: SECRET }), stdio: 'ignore' });
        const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
        try {
          assert.ok(await waitFor(() => existsSync(ready)), 'the child started');
          child.kill(signal);
          const code = await exited;
          if (handled) {
            assert.equal(code, 7, "the child's own exit code after it handled the signal");
            assert.equal(readReport().signal, signal);
          } else {
            assert.equal(code, 128 + (signal === 'SIGTERM' ? 15 : 2));
          }
        } finally {
          child.kill('SIGKILL');
        }
      }
    });
  }

  it('CxSAST: the token variables only', async () => {
    const script = `${cli} exec --product sast --server-url ${server.url} --username cxadmin -- '${NODE}' '${CLIENT}' '${report}'`;
    const run = await sh(script, { CX_PASSWORD: 'Sast p@ss&word=1' });
    assert.equal(run.code, 0, run.stderr);
    const { env } = readReport();
    assert.equal(env.CX_ACCESS_TOKEN, server.issuedAccessTokens[0]);
    assert.ok(!('CX_BASE_AUTH_URI' in env) && !('CX_CLIENT_SECRET' in env) && !('CX_PASSWORD' in env));
  });
});

describe('exec: with a token agent', () => {
  let sock: string;

  before(async () => {
    const started = await runCli(['start-agent', ...cxone().split(' '), '--format', 'json'], {
      env: { CX_CLIENT_SECRET: SECRET, TMPDIR: temp },
    });
    assert.equal(started.code, 0, started.stderr);
    sock = (JSON.parse(started.stdout) as { authSock: string }).authSock;
  });
  after(async () => {
    await runCli(['stop-agent'], { env: { CX_AUTH_SOCK: sock } });
    rmSync(dirname(sock.replace(/#[^#]*$/, '')), { recursive: true, force: true });
  });

  it('tokens come from the agent; the step needs no credential', async () => {
    const script = `${cli} exec --product cxone -- '${NODE}' '${CLIENT}' '${report}' --logins 2`;
    const run = await sh(script, { CX_AUTH_SOCK: sock, GITHUB_ACTIONS: 'true' });
    assert.equal(run.code, 0, run.stderr);
    const { env, logins } = readReport();
    assert.equal(server.requests.length, 0, "the agent's cached token, no exchange");
    assert.deepEqual(
      logins.map((login) => [login.status, login.body.access_token]),
      [
        [200, env.CX_ACCESS_TOKEN],
        [200, env.CX_ACCESS_TOKEN],
      ],
    );
    assert.equal(env.CX_TENANT, DEFAULT_REALM.name);
    assert.equal(env.CX_BASE_URI, DEFAULT_REALM.astBaseUrl);
    assert.ok(run.stderr.includes(`::add-mask::${env.CX_ACCESS_TOKEN}\n`));
  });

  it('without --product, Checkmarx One is known from the token', async () => {
    const run = await sh(`${cli} exec -- '${NODE}' '${CLIENT}' '${report}'`, { CX_AUTH_SOCK: sock });
    assert.equal(run.code, 0, run.stderr);
    assert.equal(readReport().logins[0]?.status, 200);
  });

  it('an agent that is gone fails before the child starts', async () => {
    const gone = `${join(temp, 'nothing-here.sock')}#${'k'.repeat(43)}`;
    const run = await sh(`${cli} exec -- '${NODE}' '${CLIENT}' '${report}'`, { CX_AUTH_SOCK: gone });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /No token agent is running/);
    assert.equal(existsSync(report), false);
  });
});
