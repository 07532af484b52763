// End to end, through the committed bundles: the credentials users hold besides a password.
// CxSAST tokens made by the CxSAST CLI's GenerateToken (refresh_token with cli_client) and
// Access Control OIDC service clients (client_credentials), for the three self-hosted products.

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PRODUCTS, type ProductName } from '../src/core/products.ts';
import { run as runActionInProcess } from '../src/action/main.ts';
import { run as runCliInProcess } from '../src/cli/main.ts';
import { SYSTEM_IO } from '../src/io/system.ts';
import { makeApiKey } from './support/jwt.ts';
import {
  assertNoLeak,
  ACTION_ENTRY,
  LOOPBACK_ONLY_DNS_ENV,
  runAction,
  parseFileCommands,
  runCli,
  unescapeCommandData,
  type ActionRun,
  type CliRun,
  type Env,
} from './support/run.ts';
import {
  DEFAULT_OIDC_CLIENT,
  DEFAULT_REALM,
  DEFAULT_SAST_TOKEN,
  DEFAULT_SAST_USER,
  SAST_CLI_CLIENT,
  SAST_CLIENT_SECRET,
  startTokenServer,
  type TokenServer,
} from './support/token-server.ts';

const DEBUG: Env = { RUNNER_DEBUG: '1', ...LOOPBACK_ONLY_DNS_ENV };
const SELF_HOSTED: ProductName[] = ['sast', 'sast-odata', 'access-control'];

let server: TokenServer;
before(async () => (server = await startTokenServer()));
after(() => server.close());
beforeEach(() => server.reset());

function commandLines(run: ActionRun, command: string): string[] {
  return run.stdout
    .split(/\r?\n/)
    .filter((line) => line.startsWith(`::${command}::`))
    .map((line) => unescapeCommandData(line.slice(command.length + 4)));
}

function assertActionOk(run: ActionRun, secrets: string[]): string {
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const token = run.outputs['access-token']!;
  assert.ok(token, 'an access token');
  assert.ok(run.masks.includes(token), 'the token is masked');
  for (const secret of secrets) assert.ok(run.masks.includes(secret), 'every secret input is masked');
  assertNoLeak(run, [...secrets, token]);
  return token;
}

function assertActionFailed(run: ActionRun, says: RegExp, hint: RegExp, secrets: string[]): void {
  assert.equal(run.code, 1, run.stdout + run.stderr);
  assert.deepEqual(run.outputs, {});
  const error = commandLines(run, 'error')[0] ?? '';
  assert.match(error, says);
  assert.match(error.slice(error.indexOf(' Hint: ')), hint);
  assertNoLeak(run, secrets);
}

/** The message of the CLI's error line with this code (`checkmarx-auth: error [code]: message`), or ''. */
function cliError(run: CliRun, code: string): string {
  const prefix = `checkmarx-auth: error [${code}]: `;
  return (
    run.stderr
      .split('\n')
      .find((line) => line.startsWith(prefix))
      ?.slice(prefix.length) ?? ''
  );
}

describe('CxSAST without a password: a GenerateToken token as api-key', () => {
  for (const product of SELF_HOSTED) {
    test(`${product}: the action exchanges it with cli_client and the CxSAST CLI's secret`, async () => {
      const run = await runAction({ inputs: { product, 'server-url': server.url, 'api-key': DEFAULT_SAST_TOKEN }, env: DEBUG });
      assertActionOk(run, [DEFAULT_SAST_TOKEN]);
      assert.equal(run.outputs['api-url'], `${server.url}${PRODUCTS[product].apiPath}`);
      assert.equal(run.outputs['scope'], 'sast_rest_api offline_access');
      assert.equal(run.exported['CX_ACCESS_TOKEN'], run.outputs['access-token']);
      assert.equal(server.requests.length, 1);
      assert.deepEqual(server.requests[0]!.form, {
        grant_type: 'refresh_token',
        client_id: SAST_CLI_CLIENT.id,
        client_secret: SAST_CLI_CLIENT.secret,
        refresh_token: DEFAULT_SAST_TOKEN,
      });
      assert.deepEqual(server.revocations, [], 'never revoked');
      const warnings = commandLines(run, 'warning').filter((line) => !line.includes('uses http://'));
      assert.deepEqual(warnings, [], 'no input is unused');
    });
  }

  test('the CLI takes it from CX_APIKEY; json carries no refresh token', async () => {
    const run = await runCli(['--product', 'sast', '--server-url', server.url, '--format', 'json'], {
      env: { CX_APIKEY: DEFAULT_SAST_TOKEN, ...DEBUG },
    });
    assert.equal(run.code, 0, run.stderr);
    const json = JSON.parse(run.stdout) as Record<string, string>;
    assert.equal(json['apiUrl'], `${server.url}/cxrestapi`);
    assert.ok(!run.stdout.includes('refresh'), 'no refresh token key');
    assert.equal(server.requests[0]!.form['grant_type'], 'refresh_token');
    assert.match(run.stderr, /grant type refresh_token, client cli_client/);
    // The server hands the same handle back (cli_client reuses it): it must not reach stdout either.
    assertNoLeak(run, [DEFAULT_SAST_TOKEN]);
  });

  test('username and password given as well: the password grant, as before, and api-key is named as unused', async () => {
    const inputs = {
      product: 'sast',
      'server-url': server.url,
      username: DEFAULT_SAST_USER.username,
      password: DEFAULT_SAST_USER.password,
      'api-key': DEFAULT_SAST_TOKEN,
    };
    const run = await runAction({ inputs, env: DEBUG });
    assertActionOk(run, [DEFAULT_SAST_USER.password, DEFAULT_SAST_TOKEN]);
    assert.equal(server.requests[0]!.form['grant_type'], 'password');
    assert.equal(server.requests[0]!.form['client_id'], 'resource_owner_client');
    assert.ok(
      commandLines(run, 'warning').includes("Input 'api-key' is not used by product 'sast' with grant type 'password' and ignored."),
      commandLines(run, 'warning').join('\n'),
    );
  });

  test('a revoked or unknown token: invalid_grant, and the hint says to make a new one', async () => {
    const stale = 'A1B2C3D4E5F60718293A4B5C6D7E8F90A1B2C3D4E5F60718293A4B5C6D7E8F9';
    const run = await runAction({ inputs: { product: 'sast', 'server-url': server.url, 'api-key': stale }, env: DEBUG });
    assertActionFailed(run, /HTTP 400.*invalid_grant/, /revoked.*GenerateToken/, [stale]);
  });

  test("another client with the token: invalid_client, and the hint says to leave the CLI's client alone", async () => {
    const run = await runCli(['--product', 'sast', '--server-url', server.url, '--client-id', 'resource_owner_client'], {
      env: { CX_APIKEY: DEFAULT_SAST_TOKEN, ...DEBUG },
    });
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.match(
      cliError(run, 'token-request/invalid-client'),
      /HTTP 400.*invalid_client.*Hint: .*cli_client.*leave client-id and client-secret empty/,
    );
    assertNoLeak(run, [DEFAULT_SAST_TOKEN]);
  });
});

describe('Access Control OIDC service clients: client_credentials', () => {
  for (const product of SELF_HOSTED) {
    test(`${product}: client-id and client-secret alone pick client_credentials with the product scope`, async () => {
      const inputs = {
        product,
        'server-url': server.url,
        'client-id': DEFAULT_OIDC_CLIENT.clientId,
        'client-secret': DEFAULT_OIDC_CLIENT.clientSecret,
      };
      const run = await runAction({ inputs, env: DEBUG });
      assertActionOk(run, [DEFAULT_OIDC_CLIENT.clientSecret]);
      assert.equal(run.outputs['scope'], PRODUCTS[product].defaultScope);
      assert.deepEqual(server.requests[0]!.form, {
        grant_type: 'client_credentials',
        client_id: DEFAULT_OIDC_CLIENT.clientId,
        client_secret: DEFAULT_OIDC_CLIENT.clientSecret,
        scope: PRODUCTS[product].defaultScope,
      });
    });
  }

  test('the CLI, with grant-type and scope given, secret from the environment', async () => {
    const args = ['--product', 'access-control', '--server-url', server.url, '--grant-type', 'client_credentials'];
    const run = await runCli(
      [...args, '--client-id', DEFAULT_OIDC_CLIENT.clientId, '--scope', 'access_control_api sast_api', '--format', 'env'],
      {
        env: { CX_CLIENT_SECRET: DEFAULT_OIDC_CLIENT.clientSecret, ...DEBUG },
      },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^export CX_GRANTED_SCOPE='access_control_api sast_api'$/m);
    assert.equal(server.requests[0]!.form['scope'], 'access_control_api sast_api');
    assertNoLeak(run, [DEFAULT_OIDC_CLIENT.clientSecret]);
  });

  test('a wrong secret: invalid_client, and the hint names client-id and client-secret', async () => {
    const wrong = 'not the s3cret&';
    const inputs = { product: 'sast', 'server-url': server.url, 'client-id': DEFAULT_OIDC_CLIENT.clientId, 'client-secret': wrong };
    const run = await runAction({ inputs, env: DEBUG });
    assertActionFailed(run, /HTTP 400.*invalid_client/, /OIDC client id or secret.*Access Control/, [wrong]);
  });

  test('a client not allowed the grant: unauthorized_client, and the hint says to allow it', async () => {
    const inputs = {
      product: 'sast',
      'server-url': server.url,
      'grant-type': 'client_credentials',
      'client-id': 'resource_owner_client',
      'client-secret': SAST_CLIENT_SECRET,
    };
    const run = await runAction({ inputs, env: DEBUG });
    assertActionFailed(run, /HTTP 400.*unauthorized_client/, /may not use the client_credentials grant/, []);
  });

  test('a scope the client is not allowed: invalid_scope, and the hint does not offer a default that is no better', async () => {
    const inputs = {
      product: 'sast',
      'server-url': server.url,
      'client-id': DEFAULT_OIDC_CLIENT.clientId,
      'client-secret': DEFAULT_OIDC_CLIENT.clientSecret,
      scope: 'sca_api',
    };
    const run = await runAction({ inputs, env: DEBUG });
    assertActionFailed(run, /HTTP 400.*invalid_scope/, /scopes the client allows/, [DEFAULT_OIDC_CLIENT.clientSecret]);
  });

  test('no client-secret: an input error before any request, naming it', async () => {
    const run = await runCli(['--product', 'sast', '--server-url', server.url, '--grant-type', 'client_credentials', '--client-id', 'x'], {
      env: DEBUG,
    });
    assert.equal(run.code, 2);
    assert.match(cliError(run, 'input/missing'), /client-secret.*is required for product 'sast' with grant type 'client_credentials'/);
    assert.equal(server.requests.length, 0);
  });
});

// ---- Checkmarx One API keys that expire ----

const DAY_MS = 86_400_000;
const EXPIRY_WARNING = /The Checkmarx One API key expires at (\S+) \(in (\d+) days\)\. Create a new key in Checkmarx One/;

/** A key for the test realm whose exp is `days` from the real clock (the token server checks exp by it). */
function keyExpiringIn(days: number): { key: string; expiresAt: string } {
  const exp = Math.floor((Date.now() + days * DAY_MS) / 1000);
  const key = makeApiKey({ realmUrl: `${server.url}/auth/realms/${DEFAULT_REALM.name}`, claims: { exp } });
  return { key, expiresAt: new Date(exp * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') };
}

describe('Checkmarx One API key expiry, through the bundles', () => {
  test('5 days left: the action outputs api-key-expires-at and warns; the token still comes', async () => {
    const { key, expiresAt } = keyExpiringIn(5);
    const run = await runAction({ inputs: { product: 'cxone', 'api-key': key }, env: DEBUG });
    assertActionOk(run, [key]);
    assert.equal(run.outputs['api-key-expires-at'], expiresAt);
    const warning = commandLines(run, 'warning').find((line) => EXPIRY_WARNING.test(line));
    assert.ok(warning, commandLines(run, 'warning').join('\n'));
    assert.deepEqual(EXPIRY_WARNING.exec(warning)!.slice(1), [expiresAt, '5']);
  });

  test('60 days left: the output, and no warning', async () => {
    const { key, expiresAt } = keyExpiringIn(60);
    const run = await runAction({ inputs: { product: 'cxone', 'api-key': key }, env: DEBUG });
    assertActionOk(run, [key]);
    assert.equal(run.outputs['api-key-expires-at'], expiresAt);
    assert.ok(!commandLines(run, 'warning').some((line) => line.includes('API key expires')), commandLines(run, 'warning').join('\n'));
  });

  test('a key without exp, and a CxSAST token: no output, no warning', async () => {
    const key = makeApiKey({ realmUrl: `${server.url}/auth/realms/${DEFAULT_REALM.name}` });
    const cxone = await runAction({ inputs: { product: 'cxone', 'api-key': key }, env: DEBUG });
    assertActionOk(cxone, [key]);
    assert.equal(cxone.outputs['api-key-expires-at'], undefined);
    const sast = await runAction({ inputs: { product: 'sast', 'server-url': server.url, 'api-key': DEFAULT_SAST_TOKEN }, env: DEBUG });
    assert.equal(sast.outputs['api-key-expires-at'], undefined);
    for (const run of [cxone, sast]) assert.ok(!run.stdout.includes('API key expires'));
  });

  test('a key with exp 0 (Keycloak: never expires): no output, no warning, no 1970 anywhere', async () => {
    const key = makeApiKey({ realmUrl: `${server.url}/auth/realms/${DEFAULT_REALM.name}`, claims: { exp: 0 } });
    const run = await runAction({ inputs: { product: 'cxone', 'api-key': key }, env: DEBUG });
    assertActionOk(run, [key]);
    assert.equal(run.outputs['api-key-expires-at'], undefined);
    assert.ok(!run.stdout.includes('API key expire'), run.stdout);
    const cli = await runCli(['--product', 'cxone', '--format', 'json'], { env: { CX_APIKEY: key, ...DEBUG } });
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal((JSON.parse(cli.stdout) as Record<string, unknown>)['apiKeyExpiresAt'], null);
    assert.doesNotMatch(cli.stderr, /API key expire|1970/);
    assertNoLeak(cli, [key]);
  });

  test('the CLI warns at 5 days, not at 60, and json carries apiKeyExpiresAt; env sets no variable for it', async () => {
    const soon = keyExpiringIn(5);
    const warned = await runCli(['--product', 'cxone', '--format', 'json'], { env: { CX_APIKEY: soon.key, ...DEBUG } });
    assert.equal(warned.code, 0, warned.stderr);
    assert.match(warned.stderr, /^checkmarx-auth: warning: The Checkmarx One API key expires at \S+ \(in 5 days\)/m);
    assert.equal((JSON.parse(warned.stdout) as Record<string, unknown>)['apiKeyExpiresAt'], soon.expiresAt);
    assertNoLeak(warned, [soon.key]);
    const later = keyExpiringIn(60);
    const quiet = await runCli(['--product', 'cxone', '--format', 'env'], { env: { CX_APIKEY: later.key, ...DEBUG } });
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.doesNotMatch(quiet.stderr, /API key expires/);
    assert.ok(!quiet.stdout.includes(later.expiresAt), 'no variable for the key expiry');
  });

  test('a key that worked and is now refused: invalid_grant, and the hint names what kills a key', async () => {
    const { key } = keyExpiringIn(60);
    const jti = (JSON.parse(Buffer.from(key.split('.')[1]!, 'base64url').toString()) as { jti: string }).jti;
    server.revokedKeyIds.add(jti); // as IAM, a license update or the user's next cx auth login would
    try {
      const run = await runAction({ inputs: { product: 'cxone', 'api-key': key }, env: DEBUG });
      assertActionFailed(
        run,
        /HTTP 400.*invalid_grant/,
        /license update.*every API key of the tenant.*revoked in Identity and Access Management.*cx auth login.*next login/,
        [key],
      );
      assert.deepEqual(server.revocations, [], 'never revoked by this tool');
    } finally {
      server.revokedKeyIds.delete(jti);
    }
  });
});

describe('Checkmarx One API key expiry, in process with an injected clock', () => {
  // The key expires 30 days from the real clock (so the token server takes it); the clock the
  // entry points get is moved so that 5 or 60 days are left.
  const EXP_IN_DAYS = 30;
  const clockWith = (daysLeft: number) => Date.now() + (EXP_IN_DAYS - daysLeft) * DAY_MS;
  let work: string;
  before(() => (work = mkdtempSync(join(tmpdir(), 'checkmarx-auth-expiry-'))));
  after(() => rmSync(work, { recursive: true, force: true }));

  async function actionAt(daysLeft: number, key: string) {
    const output = join(mkdtempSync(join(work, 'runner-')), 'output');
    const env = {
      GITHUB_OUTPUT: output,
      GITHUB_ENV: join(work, 'env'),
      INPUT_PRODUCT: 'cxone',
      'INPUT_API-KEY': key,
      INPUT_AGENT: 'false',
    };
    const now = clockWith(daysLeft);
    let stdout = '';
    const write = (text: string) => void (stdout += text);
    const exitCode = await runActionInProcess({ env, io: { ...SYSTEM_IO, now: () => now }, stdout: write, scriptPath: ACTION_ENTRY });
    return { stdout, outputs: parseFileCommands(readFileSync(output, 'utf8')), exitCode };
  }

  async function cliAt(daysLeft: number, key: string) {
    let stdout = '';
    let stderr = '';
    const now = clockWith(daysLeft);
    const code = await runCliInProcess(['--product', 'cxone', '--format', 'json'], {
      env: { CX_APIKEY: key },
      io: { ...SYSTEM_IO, now: () => now },
      stdout: (text) => void (stdout += text),
      stderr: (text) => void (stderr += text),
    });
    return { code, stdout, stderr };
  }

  for (const [daysLeft, warns] of [
    [5, true],
    [60, false],
  ] as const) {
    test(`${daysLeft} days left: the action ${warns ? 'warns' : 'does not warn'}, and outputs the expiry`, async () => {
      const { key, expiresAt } = keyExpiringIn(EXP_IN_DAYS);
      const step = await actionAt(daysLeft, key);
      assert.equal(step.outputs['api-key-expires-at'], expiresAt, step.stdout);
      const warning = step.stdout.split('\n').find((line) => line.startsWith('::warning::') && line.includes('API key expires'));
      if (warns) assert.match(warning ?? '', new RegExp(`expires at ${expiresAt} \\(in ${daysLeft} days\\)`));
      else assert.equal(warning, undefined);
      const unmasked = step.stdout.split('\n').filter((line) => !line.startsWith('::add-mask::'));
      assert.ok(!unmasked.join('\n').includes(key), 'the key is not in the log');
    });
    test(`${daysLeft} days left: the CLI ${warns ? 'warns' : 'does not warn'}`, async () => {
      const { key, expiresAt } = keyExpiringIn(EXP_IN_DAYS);
      const run = await cliAt(daysLeft, key);
      assert.equal(run.code, 0, run.stderr);
      assert.equal((JSON.parse(run.stdout) as Record<string, unknown>)['apiKeyExpiresAt'], expiresAt);
      if (warns)
        assert.match(run.stderr, new RegExp(`warning: The Checkmarx One API key expires at ${expiresAt} \\(in ${daysLeft} days\\)`));
      else assert.doesNotMatch(run.stderr, /API key expires/);
      assertNoLeak(run, [key]);
    });
  }
});
