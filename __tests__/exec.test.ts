// `checkmarx-auth exec` in this process (so that coverage sees src/cli/exec.ts), through the CLI's
// own run(): a real token server, a real child (an ast-cli-shaped client, support/ast-cli-client.ts)
// that logs in at the loopback endpoint and reports its environment. And the pure parts: the
// child's environment, the product guess, the validity asked for, exit codes and mask lines.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { AgentToken } from '../src/agent/protocol.ts';
import { childEnvironment, exitCodeOfChild, EXEC_CLIENT_ID, logsInThroughEndpoint, minValidityFor, runExec } from '../src/cli/exec.ts';
import { NODE_LAUNCHER, startFailure, type ChildLauncher } from '../src/cli/start-child.ts';
import type { VerbContext } from '../src/cli/verb-context.ts';
import { CLI_NAMING } from '../src/cli/naming.ts';
import { exitCodeOf, failureMessage } from '../src/core/errors.ts';
import { resolveSettings } from '../src/core/settings.ts';
import { sastResult } from './support/fixtures.ts';
import { run } from '../src/cli/main.ts';
import { SYSTEM_IO } from '../src/io/system.ts';
import { makeApiKey, makeJwt } from './support/jwt.ts';
import { assertNoLeak } from './support/run.ts';
import { DEFAULT_REALM, DEFAULT_SAST_USER, startTokenServer, type TokenServer } from './support/token-server.ts';

const CLIENT = join(import.meta.dirname, 'support', 'ast-cli-client.ts');

const TOKEN: AgentToken = {
  accessToken: 'fresh.token.value',
  tokenType: 'Bearer',
  expiresIn: 1800,
  expiresAt: '2030-01-01T00:30:00Z',
  apiUrl: 'https://eu.ast.checkmarx.net/api',
  tenant: 'acme',
};

describe('exec: the child environment', () => {
  const API_KEY = 'eyJhbGciOi.api-key-value.signature';
  const parent = {
    PATH: '/usr/bin:/bin',
    HOME: '/home/ci',
    CX_APIKEY: API_KEY,
    CX_API_KEY: 'another key given by its input variable',
    CX_PASSWORD: 'short',
    CX_CLIENT_SECRET: 'parent client secret',
    MY_OWN_COPY: API_KEY,
    PADDED_COPY: `  ${API_KEY}\n`,
    IN_A_CONFIG: `--apikey ${API_KEY} --verbose`,
    URL_ENCODED: encodeURIComponent('p@ss word&more'),
    CX_GRANTED_SCOPE: 'stale scope of an earlier token',
    cx_access_token: 'stale lower-case token',
    CX_PRODUCT: 'cxone',
    UNRELATED: 'keep me',
    SHORT_WORD: 'short',
  };
  const secrets = [API_KEY, 'p@ss word&more', 'short'];

  it('drops every variable that holds a secret in use, whatever its name, and every secret input variable', () => {
    const env = childEnvironment(parent, { result: TOKEN, envName: 'CX_ACCESS_TOKEN', secrets });
    for (const name of ['CX_APIKEY', 'CX_API_KEY', 'CX_PASSWORD', 'CX_CLIENT_SECRET', 'MY_OWN_COPY', 'PADDED_COPY', 'IN_A_CONFIG']) {
      assert.ok(!(name in env), name);
    }
    assert.ok(!('URL_ENCODED' in env), 'a URL-encoded spelling of a secret');
    assert.ok(!('SHORT_WORD' in env), 'a short secret, by equal value');
    for (const secret of secrets) assert.ok(!Object.values(env).some((value) => value.includes(secret)), 'no secret left');
    assert.equal(env.UNRELATED, 'keep me');
    assert.equal(env.PATH, parent.PATH);
    assert.equal(env.CX_PRODUCT, 'cxone');
  });

  it('sets the token variables of --format env, and no stale one', () => {
    const { tenant, ...withoutTenant } = TOKEN;
    void tenant;
    const env = childEnvironment(parent, { result: withoutTenant, envName: 'CX_ACCESS_TOKEN', secrets });
    assert.equal(env.CX_ACCESS_TOKEN, TOKEN.accessToken);
    assert.equal(env.CX_TOKEN_TYPE, 'Bearer');
    assert.equal(env.CX_EXPIRES_IN, '1800');
    assert.equal(env.CX_EXPIRES_AT, TOKEN.expiresAt);
    assert.equal(env.CX_API_URL, TOKEN.apiUrl);
    assert.ok(!('CX_GRANTED_SCOPE' in env), 'the parent scope is not the new token');
    assert.ok(!('CX_TOKEN_TENANT' in env));
    assert.ok(!('cx_access_token' in env));
    assert.ok(!('CX_BASE_AUTH_URI' in env) && !('CX_CLIENT_ID' in env) && !('CX_BASE_URI' in env), 'no login without an endpoint');
  });

  it('the token under --env-name, and for Checkmarx One the loopback login with the API host', () => {
    const login = { authUri: 'http://127.0.0.1:4567', tenant: 'acme', clientId: EXEC_CLIENT_ID, clientSecret: 'one-time-key-123456789' };
    const env = childEnvironment(parent, { result: TOKEN, envName: 'CXONE_TOKEN', secrets, login });
    assert.equal(env.CXONE_TOKEN, TOKEN.accessToken);
    assert.ok(!('CX_ACCESS_TOKEN' in env));
    assert.deepEqual(
      {
        CX_BASE_AUTH_URI: env.CX_BASE_AUTH_URI,
        CX_TENANT: env.CX_TENANT,
        CX_CLIENT_ID: env.CX_CLIENT_ID,
        CX_CLIENT_SECRET: env.CX_CLIENT_SECRET,
        CX_BASE_URI: env.CX_BASE_URI,
      },
      {
        CX_BASE_AUTH_URI: 'http://127.0.0.1:4567',
        CX_TENANT: 'acme',
        CX_CLIENT_ID: EXEC_CLIENT_ID,
        CX_CLIENT_SECRET: 'one-time-key-123456789',
        CX_BASE_URI: 'https://eu.ast.checkmarx.net',
      },
    );
  });

  it("the child logs in through the loopback endpoint for Checkmarx One only, as the token's source names it", () => {
    assert.equal(logsInThroughEndpoint('cxone'), true);
    assert.equal(logsInThroughEndpoint('sca-cloud'), false, 'SCA: a tenant, but ast-cli does not log in there');
    assert.equal(logsInThroughEndpoint('self-hosted'), false);
    assert.equal(logsInThroughEndpoint(undefined), false, 'an agent that does not say what it serves');
  });

  it('asks for as long as ast-cli keeps a token (CX_TOKEN_EXPIRY_SECONDS, default 300), 60 s to an hour', () => {
    assert.equal(minValidityFor({}), 300);
    assert.equal(minValidityFor({ CX_TOKEN_EXPIRY_SECONDS: '900' }), 900);
    assert.equal(minValidityFor({ CX_TOKEN_EXPIRY_SECONDS: '10' }), 60);
    assert.equal(minValidityFor({ CX_TOKEN_EXPIRY_SECONDS: '99999' }), 3600);
    assert.equal(minValidityFor({ CX_TOKEN_EXPIRY_SECONDS: 'soon' }), 300);
  });

  it('exit codes: the code, else 128 + the signal number', () => {
    assert.equal(exitCodeOfChild(0, null), 0);
    assert.equal(exitCodeOfChild(3, null), 3);
    assert.equal(exitCodeOfChild(null, 'SIGTERM'), 143);
    assert.equal(exitCodeOfChild(null, 'SIGINT'), 130);
    assert.equal(exitCodeOfChild(null, 'SIGKILL'), 137);
  });
});

describe('exec: in process, with a real token server and child', () => {
  let server: TokenServer;
  let temp: string;
  let report: string;
  before(async () => {
    server = await startTokenServer();
    temp = mkdtempSync(join(tmpdir(), 'checkmarx-auth-exec-'));
  });
  after(async () => {
    await server.close();
    rmSync(temp, { recursive: true, force: true });
  });
  beforeEach(() => {
    server.reset();
    server.config.keycloakExpiresIn = 1800;
    report = join(temp, `report-${Math.random().toString(36).slice(2)}.json`);
  });

  interface Report {
    env: Record<string, string>;
    logins: Array<{ status: number; body: Record<string, unknown> }>;
  }
  const readReport = (): Report => JSON.parse(readFileSync(report, 'utf8')) as Report;

  async function exec(flags: string[], child: string[], env: Record<string, string> = {}) {
    let stdout = '';
    let stderr = '';
    const code = await run(['exec', ...flags, '--', process.execPath, CLIENT, report, ...child], {
      env: { PATH: process.env.PATH, ...env },
      io: SYSTEM_IO,
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
    });
    return { code, stdout, stderr };
  }

  const cxoneFlags = () => [
    '--product',
    'cxone',
    '--iam-url',
    server.url,
    '--tenant',
    DEFAULT_REALM.name,
    '--client-id',
    DEFAULT_REALM.clientId,
  ];
  const cxoneEnv = { CX_CLIENT_SECRET: DEFAULT_REALM.clientSecret, COPY_OF_SECRET: DEFAULT_REALM.clientSecret };

  it('Checkmarx One: the child logs in at the loopback endpoint, form and Basic, and gets the fresh token', async () => {
    for (const basic of [false, true]) {
      server.reset();
      const run = await exec(cxoneFlags(), ['--logins', '2', ...(basic ? ['--basic'] : [])], cxoneEnv);
      assert.equal(run.code, 0, run.stderr);
      const { env, logins } = readReport();
      assert.equal(server.requests.length, 1, 'one exchange: the endpoint serves the cached token');
      assert.equal(env.CX_ACCESS_TOKEN, server.issuedAccessTokens[0]);
      assert.deepEqual(
        logins.map((login) => [login.status, login.body.access_token, login.body.refresh_expires_in]),
        [
          [200, env.CX_ACCESS_TOKEN, 0],
          [200, env.CX_ACCESS_TOKEN, 0],
        ],
      );
      assert.ok(Number(logins[0]!.body.expires_in) >= 1790);
      assert.match(env.CX_BASE_AUTH_URI ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(env.CX_TENANT, DEFAULT_REALM.name);
      assert.equal(env.CX_CLIENT_ID, EXEC_CLIENT_ID);
      assert.match(env.CX_CLIENT_SECRET ?? '', /^[A-Za-z0-9_-]{43}$/, '256 bits, base64url');
      assert.equal(env.CX_BASE_URI, DEFAULT_REALM.astBaseUrl);
      assert.ok(!('COPY_OF_SECRET' in env), 'a copy of the client secret under another name');
      assert.ok(!JSON.stringify(env).includes(DEFAULT_REALM.clientSecret), 'the credential is nowhere in the child');
      assert.equal(run.stdout, '', 'exec prints nothing on stdout');
      assertNoLeak(run, [DEFAULT_REALM.clientSecret, env.CX_ACCESS_TOKEN!, env.CX_CLIENT_SECRET!]);
    }
  });

  it('a new key for every run, and the endpoint is gone when the child has exited', async () => {
    assert.equal((await exec(cxoneFlags(), [], cxoneEnv)).code, 0);
    const first = readReport().env;
    assert.equal((await exec(cxoneFlags(), [], cxoneEnv)).code, 0);
    const second = readReport().env;
    assert.notEqual(first.CX_CLIENT_SECRET, second.CX_CLIENT_SECRET);
    await assert.rejects(fetch(`${first.CX_BASE_AUTH_URI}/`, { signal: AbortSignal.timeout(5_000) }));
  });

  it('inside GitHub Actions, the token and the key are masked on stderr before the child starts', async () => {
    const run = await exec(cxoneFlags(), [], { ...cxoneEnv, GITHUB_ACTIONS: 'true' });
    assert.equal(run.code, 0, run.stderr);
    const { env } = readReport();
    const masks = run.stderr.split('\n').filter((line) => line.startsWith('::add-mask::'));
    assert.deepEqual(masks.slice(-2), [`::add-mask::${env.CX_ACCESS_TOKEN}`, `::add-mask::${env.CX_CLIENT_SECRET}`]);
    assertNoLeak({ stdout: run.stdout, stderr: run.stderr.replace(/^::add-mask::.*$/gm, '') }, [env.CX_ACCESS_TOKEN!]);
  });

  it('a token that would expire is exchanged again, each new one masked before it is served', async () => {
    server.config.keycloakExpiresIn = 120; // shorter than the 300 s ast-cli keeps a token
    const run = await exec(cxoneFlags(), ['--logins', '2'], { ...cxoneEnv, TF_BUILD: 'True' });
    assert.equal(run.code, 0, run.stderr);
    const { env, logins } = readReport();
    assert.equal(server.requests.length, 3);
    assert.deepEqual(
      logins.map((login) => login.body.access_token),
      server.issuedAccessTokens.slice(1),
    );
    assert.equal(env.CX_ACCESS_TOKEN, server.issuedAccessTokens[0]);
    for (const token of server.issuedAccessTokens) assert.ok(run.stderr.includes(`##vso[task.setsecret]${token}\n`));
  });

  it('a failed re-exchange: the child gets 503, exec warns with the reason and no secret', async () => {
    const first = makeJwt({ 'ast-base-url': DEFAULT_REALM.astBaseUrl });
    server.enqueue({ body: { access_token: first, expires_in: 120, token_type: 'Bearer' } });
    server.enqueue({ status: 401, body: { error: 'invalid_client', error_description: 'Invalid client credentials' } });
    const run = await exec(cxoneFlags(), ['--logins', '1'], cxoneEnv);
    assert.equal(run.code, 0, run.stderr);
    const { env, logins } = readReport();
    assert.equal(env.CX_ACCESS_TOKEN, first);
    assert.equal(logins[0]!.status, 503);
    assert.equal(logins[0]!.body.error, 'temporarily_unavailable');
    assert.match(
      run.stderr,
      /warning: The token endpoint for '.*' could not get a token: \[token-request\/invalid-client\] .*HTTP 401 invalid_client/,
    );
    assertNoLeak(run, [DEFAULT_REALM.clientSecret]);
  });

  it('the child’s exit code is exec’s', async () => {
    const run = await exec(cxoneFlags(), ['--exit', '3'], cxoneEnv);
    assert.equal(run.code, 3);
  });

  it('a failing exchange fails before the child starts, as the plain command does', async () => {
    const run = await exec(cxoneFlags(), [], { CX_CLIENT_SECRET: 'wrong secret' });
    assert.equal(run.code, 1);
    assert.match(run.stderr, /^checkmarx-auth: error \[token-request\/unauthorized-client\]: .*HTTP 401/m);
    assert.equal(existsSync(report), false, 'the child never ran');
  });

  it('CxSAST: only the token variables, no endpoint', async () => {
    const flags = ['--product', 'sast', '--server-url', server.url, '--username', DEFAULT_SAST_USER.username];
    const run = await exec(flags, [], { CX_PASSWORD: DEFAULT_SAST_USER.password, SAVED: DEFAULT_SAST_USER.password });
    assert.equal(run.code, 0, run.stderr);
    const { env, logins } = readReport();
    assert.equal(env.CX_ACCESS_TOKEN, server.issuedAccessTokens[0]);
    assert.equal(env.CX_API_URL, `${server.url}/cxrestapi`);
    for (const name of ['CX_BASE_AUTH_URI', 'CX_TENANT', 'CX_CLIENT_ID', 'CX_CLIENT_SECRET', 'CX_BASE_URI', 'CX_PASSWORD', 'SAVED']) {
      assert.ok(!(name in env), name);
    }
    assert.deepEqual(logins, []);
  });

  it('an API key: CX_APIKEY is not in the child, so cx logs in through the endpoint, not with the key', async () => {
    const apiKey = makeApiKey({ realmUrl: `${server.url}/auth/realms/${DEFAULT_REALM.name}` });
    const run = await exec(['--product', 'cxone'], [], { CX_APIKEY: `"${apiKey}"` });
    assert.equal(run.code, 0, run.stderr);
    const { env, logins } = readReport();
    assert.ok(!('CX_APIKEY' in env));
    assert.ok(!JSON.stringify(env).includes(apiKey));
    assert.equal(logins[0]?.status, 200);
    assertNoLeak(run, [apiKey]);
  });

  it('usage: a missing command is exit 2; a command that does not exist 127; --format is ignored with a warning', async () => {
    let stderr = '';
    const deps = { env: { PATH: process.env.PATH }, io: SYSTEM_IO, stdout: () => {}, stderr: (text: string) => (stderr += text) };
    assert.equal(await run(['exec', '--product', 'cxone'], deps), 2);
    assert.equal(await run(['exec', '--product', 'cxone', '--'], deps), 2);
    assert.match(stderr, /^checkmarx-auth: error \[usage\/no-command\]: exec needs a command after --/m);
    stderr = '';
    const flags = [...cxoneFlags(), '--format', 'json', '--', 'checkmarx-auth-no-such-command'];
    assert.equal(await run(['exec', ...flags], { ...deps, env: { ...deps.env, ...cxoneEnv } }), 127);
    assert.match(stderr, /warning: exec prints nothing itself, so --format is ignored/);
    assert.match(stderr, /^checkmarx-auth: error \[exec\/not-found\]: 'checkmarx-auth-no-such-command' was not found/m);
  });

  it('--help lists the verb', async () => {
    let stdout = '';
    await run(['--help'], { env: {}, io: SYSTEM_IO, stdout: (text) => (stdout += text), stderr: () => {} });
    assert.match(stdout, /checkmarx-auth exec \[--flag value \.\.\.\] -- COMMAND \[ARGS\.\.\.\]/);
    assert.match(stdout, /^ {2}exec {9}Run COMMAND with a fresh token/m);
  });
});

describe('exec: a COMMAND the platform cannot start (Windows through an injected platform and spawn)', () => {
  let temp: string;
  before(() => {
    temp = mkdtempSync(join(tmpdir(), 'checkmarx-auth-exec-start-'));
  });
  after(() => rmSync(temp, { recursive: true, force: true }));

  const settings = resolveSettings(
    { product: 'sast', 'server-url': 'https://cx.example.com', username: DEFAULT_SAST_USER.username, password: DEFAULT_SAST_USER.password },
    SYSTEM_IO,
  );
  const token = sastResult({ accessToken: 'exec.start.token' });

  /** exec through runExec with a context whose exchange gives a CxSAST token (no endpoint). */
  async function execWith(command: string[], launcher: ChildLauncher): Promise<{ error: unknown; warned: string[] }> {
    const warned: string[] = [];
    const context: VerbContext = {
      flags: {},
      format: 'token',
      env: { PATH: process.env.PATH },
      exchangeCredentials: async () => ({ settings, result: token }),
      say: () => {},
      warn: (m) => void warned.push(m),
      debug: () => {},
      write: () => 0,
      mask: () => {},
      command,
    };
    try {
      await runExec(context, launcher);
    } catch (error) {
      return { error, warned };
    }
    return assert.fail('exec did not fail');
  }

  /** What the CLI prints for the error, and the exit code it ends with. */
  const seen = (error: unknown) => ({ message: failureMessage(error, CLI_NAMING), code: exitCodeOf(error) });
  const spawned: string[] = [];
  const recording = (spawn: ChildLauncher['spawn']): ChildLauncher['spawn'] =>
    ((file: string, ...rest: unknown[]) => {
      spawned.push(file);
      return (spawn as (...args: unknown[]) => ReturnType<ChildLauncher['spawn']>)(file, ...rest);
    }) as ChildLauncher['spawn'];
  /** Node's spawn on Windows since the BatBadBut fix: a batch file without a shell throws EINVAL at once. */
  const throwsEinval = (() => {
    throw Object.assign(new Error('spawn EINVAL'), { code: 'EINVAL', errno: -4071, syscall: 'spawn' });
  }) as unknown as ChildLauncher['spawn'];

  it('a .cmd or .bat on Windows: 126 and the cmd /c line to run instead, never an unexpected failure', async () => {
    for (const name of ['tool.cmd', 'C:\\Tools\\Build Tool.BAT', 'npx.Cmd']) {
      spawned.length = 0;
      const { error } = await execWith([name, '--version'], { platform: 'win32', spawn: recording(throwsEinval) });
      const { message, code } = seen(error);
      assert.equal(code, 126, message);
      assert.equal(
        message,
        `'${name}' is a batch file, which Windows runs only through cmd, and Node starts programs without a shell: run 'checkmarx-auth exec -- cmd /c ${name} ...' instead.`,
      );
      assert.deepEqual(spawned, [], 'refused before the spawn');
    }
  });

  it('anything spawn throws at once is 126 with its code; a batch file named by its error is told cmd /c', async () => {
    const { error } = await execWith(['tool'], { platform: 'win32', spawn: throwsEinval });
    assert.deepEqual(seen(error), { message: "'tool' could not be started (EINVAL).", code: 126 });
    assert.deepEqual(seen(startFailure('x.bat', Object.assign(new Error('x'), { code: 'EINVAL' }), 'win32')), {
      message:
        "'x.bat' is a batch file, which Windows runs only through cmd, and Node starts programs without a shell: run 'checkmarx-auth exec -- cmd /c x.bat ...' instead.",
      code: 126,
    });
  });

  it('a missing command is 127; on Windows the message also says how a batch file of that name runs', async () => {
    const missing = 'checkmarx-auth-no-such-tool';
    const windows = await execWith([missing], { platform: 'win32', spawn: NODE_LAUNCHER.spawn });
    assert.deepEqual(seen(windows.error), {
      message: `'${missing}' was not found (is it on PATH?). If it is a batch file (${missing}.cmd), run 'cmd /c ${missing}.cmd'.`,
      code: 127,
    });
    const linux = await execWith([missing], NODE_LAUNCHER);
    assert.deepEqual(seen(linux.error), { message: `'${missing}' was not found (is it on PATH?).`, code: 127 });
    // A .cmd on Linux is a file like any other: here a missing one.
    const cmdOnLinux = await execWith(['tool.cmd'], { platform: 'linux', spawn: NODE_LAUNCHER.spawn });
    assert.equal(seen(cmdOnLinux.error).code, 127);
  });

  it('a file that exists but cannot run is 126 (EACCES)', async () => {
    const file = join(temp, 'not-executable');
    writeFileSync(file, '#!/bin/sh\nexit 0\n', { mode: 0o644 });
    const { error } = await execWith([file], NODE_LAUNCHER);
    assert.deepEqual(seen(error), { message: `'${file}' could not be started (EACCES).`, code: 126 });
  });
});
