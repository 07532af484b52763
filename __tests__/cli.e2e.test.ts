// End-to-end runs of the CLI bundle (dist/cli/index.js) as other CI systems run it: every product
// (cloud ones at their real host names through the MITM proxy), every --format read back the way a
// shell or Azure Pipelines reads it, the exit codes, what reaches stdout and stderr, and npx.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { INPUTS } from '../src/core/inputs.ts';
import { VERB_FORMATS, VERBS } from '../src/cli/verbs.ts';
import { makeApiKey } from './support/jwt.ts';
import { evaluatePowershellAssignments } from './support/powershell.ts';
import { startProxy, type TestProxy } from './support/proxy.ts';
import { assertNoLeak, cleanEnv, CLI_ENTRY, REPO_ROOT, runCli, runProcess, unescapeAzure, type CliRun, type Env } from './support/run.ts';
import { sharedTestCa, type TestCa } from './support/tls.ts';
import {
  DEFAULT_REALM,
  DEFAULT_SAST_USER,
  DEFAULT_SCA,
  SAST_CLIENT_SECRET,
  startTokenServer,
  type TokenServer,
} from './support/token-server.ts';

const PACKAGE_VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const API_KEY = makeApiKey({ realmUrl: `https://iam.checkmarx.net/auth/realms/${DEFAULT_REALM.name}` });
const JSON_KEYS = ['accessToken', 'tokenType', 'expiresIn', 'expiresAt', 'scope', 'apiUrl', 'tenant', 'apiKeyExpiresAt'];
const VARIABLES = [
  'CX_ACCESS_TOKEN',
  'CX_TOKEN_TYPE',
  'CX_EXPIRES_IN',
  'CX_EXPIRES_AT',
  'CX_GRANTED_SCOPE',
  'CX_API_URL',
  'CX_TOKEN_TENANT',
];
/** Everything a shell or CI would misread if quoted or escaped wrongly (a token has no spaces; a scope does). */
const TRICKY_TOKEN = `ey'J$HOME\`id\`"dq"\\n%AZP25%0A100%;]$(echo)'`;
// Valid RFC 6749 scope syntax (no quote, backslash or double space), hostile to shells and Azure.
const TRICKY_SCOPE = `sast_rest_api it's $HOME \`id\` %AZP25 ;] $(echo) x'y`;

let server: TokenServer;
let proxy: TestProxy;
let ca: TestCa;
let temp: string;

before(async () => {
  ca = await sharedTestCa();
  server = await startTokenServer();
  proxy = await startProxy({ mitm: { ca, handler: server.handler } });
  temp = mkdtempSync(join(tmpdir(), 'checkmarx-auth-cli-e2e-'));
});
after(async () => {
  await proxy.close();
  await server.close();
  rmSync(temp, { recursive: true, force: true });
});
beforeEach(() => server.reset());

// ---- helpers ----

/** Flags as `--name value` pairs. */
function flags(values: Record<string, string>): string[] {
  return Object.entries(values).flatMap(([name, value]) => [`--${name}`, value]);
}

const sastFlags = (extra: Record<string, string> = {}) =>
  flags({ product: 'sast', 'server-url': server.url, username: DEFAULT_SAST_USER.username, ...extra });
const sastEnv = (): Env => ({ CX_PASSWORD: DEFAULT_SAST_USER.password });
const throughProxy = (env: Env): Env => ({ HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: ca.certPath, ...env });

/** Every secret the tests use, and the refresh tokens the server handed out (never to be printed). */
function secrets(): string[] {
  return [
    DEFAULT_SAST_USER.password,
    DEFAULT_SCA.password,
    DEFAULT_REALM.clientSecret,
    SAST_CLIENT_SECRET,
    API_KEY,
    ...server.issuedRefreshTokens,
  ];
}

function assertSucceeded(run: CliRun): void {
  assert.equal(run.code, 0, `exit code ${run.code}; stderr: ${run.stderr}`);
  assert.match(run.stderr, /^checkmarx-auth: Got a Bearer token that expires at /m);
  assertNoLeak(run, secrets());
}

/** Exit 2, one error line `checkmarx-auth: error [code]: message` whose message matches, and no request. */
function assertFailedBeforeAnyRequest(run: CliRun, code: string, message: RegExp): void {
  assert.equal(run.code, 2, `exit code ${run.code}; stderr: ${run.stderr}`);
  assert.equal(run.stdout, '');
  const prefix = `checkmarx-auth: error [${code}]: `;
  const line = run.stderr.split('\n').find((l) => l.startsWith('checkmarx-auth: error ')) ?? '';
  assert.ok(line.startsWith(prefix), run.stderr);
  assert.match(line.slice(prefix.length), message);
  assert.equal(server.requests.length, 0);
  assertNoLeak(run, [...secrets(), ...server.issuedAccessTokens]);
}

function lastRequest() {
  const request = server.requests.at(-1);
  assert.ok(request, 'the token server got no request');
  return request;
}

function enqueueTrickyToken(): void {
  server.enqueue({ body: { access_token: TRICKY_TOKEN, token_type: 'Bearer', expires_in: 3600, scope: TRICKY_SCOPE } });
}

// Shells that run the CLI, slow on a loaded machine: the cap only stops a hang.
const spawnProcess = (command: string, args: string[], options: { env: NodeJS.ProcessEnv; cwd: string }) =>
  runProcess(command, args, { ...options, timeoutMs: 120_000 });

/** Sources `exports` in `shell` and reads the variables back, NUL-separated. */
async function sourceInShell(shell: string, exports: string, names: string[]): Promise<Record<string, string>> {
  const dir = mkdtempSync(join(temp, 'shell-'));
  writeFileSync(join(dir, 'cx.env'), exports);
  const reads = names.map((name) => `"$${name}"`).join(' ');
  const result = await spawnProcess(shell, ['-c', `. ./cx.env; printf '%s\\0' ${reads}`], { env: cleanEnv({}), cwd: dir });
  assert.equal(result.code, 0, `${shell}: ${result.stderr}`);
  assert.equal(result.stderr, '');
  const values = result.stdout.split('\0').slice(0, -1);
  return Object.fromEntries(names.map((name, index) => [name, values[index] ?? '']));
}

const AZURE_LINE = /^##vso\[task\.setvariable variable=([A-Za-z_][A-Za-z0-9_]*);issecret=(true|false)\](.*)$/;

/** What the Azure Pipelines agent makes of the lines (percent decoding on). */
function parseAzure(stdout: string): Array<{ name: string; secret: boolean; value: string }> {
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const match = AZURE_LINE.exec(line);
      assert.ok(match, `not an Azure setvariable line: line ${stdout.split('\n').indexOf(line) + 1}`);
      const value = unescapeAzure(match[3] ?? '');
      return { name: match[1] ?? '', secret: match[2] === 'true', value };
    });
}

// ---- every product ----

interface ProductCase {
  title: string;
  args: () => string[];
  env: () => Env;
  host: () => string;
  scope: string;
  apiUrl: () => string;
  tenant: string | null;
  expiresIn: number;
}

const selfHosted = (product: string, scope: string, apiPath: string): ProductCase => ({
  title: product,
  args: () => sastFlags({ product }),
  env: sastEnv,
  host: () => '127.0.0.1',
  scope,
  apiUrl: () => `${server.url}${apiPath}`,
  tenant: null,
  expiresIn: 3600,
});

const PRODUCTS: ProductCase[] = [
  selfHosted('sast', 'sast_rest_api', '/cxrestapi'),
  selfHosted('sast-odata', 'access_control_api sast_api', '/Cxwebinterface/odata/v1'),
  selfHosted('access-control', 'access_control_api', '/cxrestapi/auth'),
  {
    title: 'sca (us, all from the environment)',
    args: () => [],
    env: () => ({ CX_PRODUCT: 'sca', CX_TENANT: DEFAULT_SCA.tenant, CX_USERNAME: DEFAULT_SCA.username, CX_PASSWORD: DEFAULT_SCA.password }),
    host: () => 'platform.checkmarx.net',
    scope: 'sca_api',
    apiUrl: () => 'https://api-sca.checkmarx.net',
    tenant: DEFAULT_SCA.tenant,
    expiresIn: 3600,
  },
  {
    title: 'sca (eu)',
    args: () => flags({ product: 'SCA', region: 'eu', tenant: DEFAULT_SCA.tenant, username: DEFAULT_SCA.username }),
    env: () => ({ CX_PASSWORD: DEFAULT_SCA.password }),
    host: () => 'eu.platform.checkmarx.net',
    scope: 'sca_api',
    apiUrl: () => 'https://eu.api-sca.checkmarx.net',
    tenant: DEFAULT_SCA.tenant,
    expiresIn: 3600,
  },
  {
    title: "cxone (API key in the Checkmarx CLI's CX_APIKEY)",
    args: () => flags({ product: 'cxone' }),
    env: () => ({ CX_APIKEY: API_KEY }),
    host: () => 'iam.checkmarx.net',
    scope: 'openid ast-api roles',
    apiUrl: () => `${DEFAULT_REALM.astBaseUrl}/api`,
    tenant: DEFAULT_REALM.name,
    expiresIn: 1800,
  },
  {
    title: "cxone (client credentials, IAM host in the Checkmarx CLI's CX_BASE_AUTH_URI)",
    args: () => flags({ product: 'cxone', tenant: DEFAULT_REALM.name, 'client-id': DEFAULT_REALM.clientId }),
    env: () => ({ CX_BASE_AUTH_URI: 'https://eu.iam.checkmarx.net', CX_CLIENT_SECRET: DEFAULT_REALM.clientSecret }),
    host: () => 'eu.iam.checkmarx.net',
    scope: 'openid ast-api roles',
    apiUrl: () => `${DEFAULT_REALM.astBaseUrl}/api`,
    tenant: DEFAULT_REALM.name,
    expiresIn: 1800,
  },
];

describe('CLI: every product, --format json', () => {
  for (const product of PRODUCTS) {
    it(product.title, async () => {
      const started = Date.now();
      const run = await runCli([...product.args(), '--format', 'json'], { env: throughProxy(product.env()) });
      assertSucceeded(run);
      const json = JSON.parse(run.stdout) as Record<string, unknown>;
      assert.deepEqual(Object.keys(json), JSON_KEYS);
      assert.deepEqual(
        { ...json, expiresAt: undefined },
        {
          accessToken: server.issuedAccessTokens.at(-1),
          tokenType: 'Bearer',
          expiresIn: product.expiresIn,
          expiresAt: undefined,
          scope: product.scope,
          apiUrl: product.apiUrl(),
          tenant: product.tenant,
          apiKeyExpiresAt: null,
        },
      );
      // Between the run's start and end plus the lifetime (whole seconds: a second either side).
      const [expiresAt, ended] = [Date.parse(String(json['expiresAt'])), Date.now()];
      const lifetime = product.expiresIn * 1000;
      assert.ok(expiresAt >= started + lifetime - 1000 && expiresAt <= ended + lifetime + 1000, `expiresAt ${String(json['expiresAt'])}`);
      assert.equal(lastRequest().host, product.host());
      if (product.host() !== '127.0.0.1') assert.ok(proxy.connects.includes(`${product.host()}:443`), 'not sent through the proxy');
    });
  }
});

// ---- every format ----

describe('CLI: --format token', () => {
  it('prints only the token and a newline on stdout, the diagnostics on stderr', async () => {
    const run = await runCli(sastFlags(), { env: sastEnv() });
    assertSucceeded(run);
    assert.equal(run.stdout, `${server.issuedAccessTokens[0]}\n`);
    assert.match(
      run.stderr,
      /^checkmarx-auth: Requesting a CxSAST REST API token from http:\/\/127\.0\.0\.1:\d+\/cxrestapi\/auth\/identity\/connect\/token /m,
    );
    assert.match(run.stderr, /^checkmarx-auth: warning: The token endpoint http:\/\/.* uses http:\/\//m);
    assert.ok(!run.stderr.includes(server.issuedAccessTokens[0] ?? '?'), 'the token is on stderr');
  });

  it('flags win over the environment', async () => {
    const env = { ...sastEnv(), CX_PRODUCT: 'sca', CX_SERVER_URL: 'http://127.0.0.1:9', CX_USERNAME: 'nobody' };
    const run = await runCli(sastFlags(), { env });
    assertSucceeded(run);
    assert.equal(lastRequest().form['username'], DEFAULT_SAST_USER.username);
  });
});

describe('CLI: --format env', () => {
  it('sh and bash source the export lines back to the exact values, quotes, $, backticks and all', async () => {
    enqueueTrickyToken();
    const run = await runCli(sastFlags({ format: 'env' }), { env: sastEnv() });
    assertSucceeded(run);
    assert.match(run.stdout, /^(export [A-Z_]+='[^\n]*'\n)+$/);
    const expected = {
      CX_ACCESS_TOKEN: TRICKY_TOKEN,
      CX_TOKEN_TYPE: 'Bearer',
      CX_EXPIRES_IN: '3600',
      CX_GRANTED_SCOPE: TRICKY_SCOPE,
      CX_API_URL: `${server.url}/cxrestapi`,
    };
    for (const shell of ['sh', 'bash']) {
      const values = await sourceInShell(shell, run.stdout, VARIABLES);
      assert.deepEqual({ ...values, CX_EXPIRES_AT: undefined }, { ...expected, CX_EXPIRES_AT: undefined, CX_TOKEN_TENANT: '' }, shell);
      assert.match(values['CX_EXPIRES_AT'] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
  });

  it('names the token after --env-name and exports the tenant for cxone', async () => {
    const run = await runCli(['--product', 'cxone', '--format', 'env', '--env-name', 'CXONE_TOKEN'], {
      env: throughProxy({ CX_APIKEY: API_KEY }),
    });
    assertSucceeded(run);
    const values = await sourceInShell('sh', run.stdout, ['CXONE_TOKEN', 'CX_ACCESS_TOKEN', 'CX_TOKEN_TENANT', 'CX_API_URL']);
    assert.deepEqual(values, {
      CXONE_TOKEN: server.issuedAccessTokens[0],
      CX_ACCESS_TOKEN: '',
      CX_TOKEN_TENANT: DEFAULT_REALM.name,
      CX_API_URL: `${DEFAULT_REALM.astBaseUrl}/api`,
    });
  });

  it('an --env-name equal to another variable keeps the token', async () => {
    const run = await runCli(sastFlags({ format: 'env', 'env-name': 'CX_API_URL' }), { env: sastEnv() });
    assertSucceeded(run);
    const values = await sourceInShell('sh', run.stdout, ['CX_API_URL']);
    assert.equal(values['CX_API_URL'], server.issuedAccessTokens[0]);
  });

  it('the README pattern: a failed request stops the script and sets nothing', async () => {
    const script = 'set -e; vars="$("$NODE" "$CLI" --format env)"; eval "$vars"; printf %s "$CX_ACCESS_TOKEN"';
    const env = cleanEnv({
      NODE: process.execPath,
      CLI: CLI_ENTRY,
      CX_PRODUCT: 'sast',
      CX_SERVER_URL: server.url,
      CX_USERNAME: DEFAULT_SAST_USER.username,
    });
    const ok = await spawnProcess('sh', ['-c', script], { env: { ...env, CX_PASSWORD: DEFAULT_SAST_USER.password }, cwd: temp });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, server.issuedAccessTokens[0]);
    const failed = await spawnProcess('sh', ['-c', script], { env: { ...env, CX_PASSWORD: 'wrong' }, cwd: temp });
    assert.equal(failed.code, 1);
    assert.equal(failed.stdout, '');
    assert.match(failed.stderr, /invalid_grant/);
  });
});

describe('CLI: --format azure', () => {
  it('prints setvariable commands that decode to the exact values, only the token secret', async () => {
    enqueueTrickyToken();
    const run = await runCli(sastFlags({ format: 'azure' }), { env: sastEnv() });
    assertSucceeded(run);
    const lines = parseAzure(run.stdout);
    assert.deepEqual(
      lines.map(({ name, secret }) => [name, secret]),
      VARIABLES.filter((name) => name !== 'CX_TOKEN_TENANT').map((name) => [name, name === 'CX_ACCESS_TOKEN']),
    );
    const values = Object.fromEntries(lines.map(({ name, value }) => [name, value]));
    assert.equal(values['CX_ACCESS_TOKEN'], TRICKY_TOKEN);
    assert.equal(values['CX_GRANTED_SCOPE'], TRICKY_SCOPE);
    assert.equal(values['CX_API_URL'], `${server.url}/cxrestapi`);
  });

  it('sets the tenant and the --env-name variable for sca', async () => {
    const product = PRODUCTS.find((p) => p.title === 'sca (eu)')!;
    const run = await runCli([...product.args(), '--format', 'azure', '--env-name', 'SCA_TOKEN'], { env: throughProxy(product.env()) });
    assertSucceeded(run);
    const lines = parseAzure(run.stdout);
    assert.deepEqual(lines[0], { name: 'SCA_TOKEN', secret: true, value: server.issuedAccessTokens[0] });
    assert.deepEqual(lines.at(-1), { name: 'CX_TOKEN_TENANT', secret: false, value: DEFAULT_SCA.tenant });
    assert.ok(!lines.some((line) => line.name === 'CX_TENANT'), 'an output variable that is also an input variable');
  });
});

describe('CLI: --format powershell', () => {
  it("prints $env: assignments that read back to the exact values, by PowerShell's quoting rules", async () => {
    enqueueTrickyToken();
    const run = await runCli(sastFlags({ format: 'powershell', 'env-name': 'SAST_TOKEN' }), { env: sastEnv() });
    assertSucceeded(run);
    assert.match(run.stdout, /^(\$env:[A-Z_]+ = '[^\n]*'\n)+$/);
    const values = evaluatePowershellAssignments(run.stdout);
    assert.deepEqual(Object.keys(values), [
      'SAST_TOKEN',
      ...VARIABLES.filter((name) => name !== 'CX_ACCESS_TOKEN' && name !== 'CX_TOKEN_TENANT'),
    ]);
    assert.equal(values['SAST_TOKEN'], TRICKY_TOKEN);
    assert.equal(values['CX_GRANTED_SCOPE'], TRICKY_SCOPE);
    assert.equal(values['CX_API_URL'], `${server.url}/cxrestapi`);
  });
});

// ---- exit codes and secrets ----

describe('CLI: failures', () => {
  it('exit 1 when the server rejects the password, with nothing on stdout and no secret anywhere', async () => {
    const wrong = "Wr0ng 'pass' $word";
    const run = await runCli(sastFlags(), { env: { CX_PASSWORD: wrong } });
    assert.equal(run.code, 1);
    assert.equal(run.stdout, '');
    assert.match(
      run.stderr,
      /^checkmarx-auth: error \[token-request\/invalid-grant\]: CxSAST REST API token request to http:\/\/127\.0\.0\.1:\d+\/\S+ failed: HTTP 400 invalid_grant/m,
    );
    assert.equal(server.requests.length, 1);
    assertNoLeak(run, [wrong, ...secrets()]);
  });

  const usageErrors: Array<[title: string, code: string, args: () => string[], message: RegExp]> = [
    [
      'an unknown flag',
      'usage/unknown-flag',
      () => [...sastFlags(), '--pasword=x'],
      /^Unknown option '--pasword'\. Did you mean '--password'\? See checkmarx-auth --help\.$/m,
    ],
    [
      'a misspelt flag, with a suggestion',
      'usage/unknown-flag',
      () => [...sastFlags(), '--prodcut', 'sast'],
      /^Unknown option '--prodcut'\. Did you mean '--product'\? See checkmarx-auth --help\.$/m,
    ],
    [
      'a bad --format',
      'usage/unknown-format',
      () => sastFlags({ format: 'yaml' }),
      /--format 'yaml' is not one of: token, json, env, azure, powershell\.$/m,
    ],
    [
      'a misspelt --format, with a suggestion',
      'usage/unknown-format',
      () => sastFlags({ format: 'jsn' }),
      /^--format 'jsn' is not one of: token, json, env, azure, powershell\. Did you mean 'json'\?$/m,
    ],
    [
      'a misspelt verb, with a suggestion',
      'usage/unknown-verb',
      () => ['tokn', ...sastFlags()],
      /^Unknown verb 'tokn'\. Did you mean 'token'\? See checkmarx-auth --help\.$/m,
    ],
    [
      'a missing input, as its flag and variable',
      'input/missing',
      () => flags({ product: 'sast', 'server-url': server.url }),
      /^--username \/ CX_USERNAME: is required for product 'sast' with grant type 'password'; or give --api-key \/ CX_API_KEY or CX_APIKEY for grant type 'refresh_token'; or give --client-id \/ CX_CLIENT_ID and --client-secret \/ CX_CLIENT_SECRET for grant type 'client_credentials'\.$/m,
    ],
    ['a missing product', 'input/missing', () => [], /^--product \/ CX_PRODUCT: is required/m],
    [
      'a bad input value, as its flag and variable',
      'input/invalid',
      () => sastFlags({ 'max-attempts': 'many' }),
      /^--max-attempts \/ CX_MAX_ATTEMPTS: 'many' is not a whole number/m,
    ],
    ['a flag without its value', 'usage/flag-value', () => [...sastFlags(), '--region'], /Option '--region <value>' argument missing/],
  ];
  for (const [title, code, args, message] of usageErrors) {
    it(`exit 2 before any request for ${title}: ${code}`, async () => {
      assertFailedBeforeAnyRequest(await runCli(args(), { env: sastEnv() }), code, message);
    });
  }

  it('every missing input of a run in one message, each as its flag and variable, never as an action input', async () => {
    const run = await runCli(['--product', 'sast'], { env: {} });
    assertFailedBeforeAnyRequest(
      run,
      'input/missing',
      /^--username \/ CX_USERNAME, --password \/ CX_PASSWORD and --server-url \/ CX_SERVER_URL \(e\.g\. https:\/\/cx\.example\.com\) are required for product 'sast' with grant type 'password'; or give --api-key \/ CX_API_KEY or CX_APIKEY for grant type 'refresh_token'; or give --client-id \/ CX_CLIENT_ID and --client-secret \/ CX_CLIENT_SECRET for grant type 'client_credentials'\.$/m,
    );
    assert.equal(run.stderr.split('\n').filter(Boolean).length, 1, run.stderr);
    assert.doesNotMatch(run.stderr, /Input '/);
  });

  it('a first word that is neither a verb nor near one is not echoed (it may be half of a secret)', async () => {
    const run = await runCli(['s3cretHalf', ...sastFlags()], { env: sastEnv() });
    assertFailedBeforeAnyRequest(
      run,
      'usage/unexpected-argument',
      /Unexpected argument: the first word is a verb \(token, start-agent, stop-agent, inspect or exec\) or a --flag\./,
    );
    assertNoLeak(run, ['s3cretHalf']);
  });

  it('exit 2 for a stray argument, without echoing it (it may be half of an unquoted secret)', async () => {
    const run = await runCli([...sastFlags(), '--password', 'half', 'OtherHalf'], {});
    assertFailedBeforeAnyRequest(run, 'usage/unexpected-argument', /Unexpected argument: every value must follow its --flag/);
    assertNoLeak(run, ['half', 'OtherHalf']);
  });

  it('a secret given as a flag works and warns once, without repeating it', async () => {
    const run = await runCli(sastFlags({ password: DEFAULT_SAST_USER.password, 'client-secret': SAST_CLIENT_SECRET }));
    assertSucceeded(run);
    assert.equal(run.stdout, `${server.issuedAccessTokens[0]}\n`);
    const warnings = run.stderr.split('\n').filter((line) => line.includes('process lists'));
    assert.equal(warnings.length, 1, run.stderr);
    assert.match(warnings[0] ?? '', /--password, --client-secret .* set CX_PASSWORD, CX_CLIENT_SECRET instead/);
  });

  it('no warning when the secrets come from the environment', async () => {
    const run = await runCli(sastFlags(), { env: sastEnv() });
    assertSucceeded(run);
    assert.doesNotMatch(run.stderr, /process lists/);
  });
});

describe('CLI: flags only the action acts on', () => {
  const AGENT_ADVICE = 'to start the token agent, run `checkmarx-auth start-agent` instead.';
  const cases: Array<[title: string, args: () => string[], env: Env, warning: string]> = [
    ['--agent true', () => sastFlags({ agent: 'true' }), {}, `--agent is an action input that the CLI ignores: ${AGENT_ADVICE}`],
    [
      '--export-env true',
      () => sastFlags({ 'export-env': 'true' }),
      {},
      '--export-env is an action input that the CLI ignores: to print export lines for the shell, use --format env instead.',
    ],
    [
      'CX_AGENT=true',
      () => sastFlags(),
      { CX_AGENT: 'true' },
      `CX_AGENT=true is read by the action only, and the CLI starts no agent: ${AGENT_ADVICE}`,
    ],
  ];
  for (const [title, args, env, warning] of cases) {
    it(`${title} still gets the token, with a warning that says what to run instead`, async () => {
      const run = await runCli(args(), { env: { ...sastEnv(), ...env } });
      assertSucceeded(run);
      assert.equal(run.stdout, `${server.issuedAccessTokens[0]}\n`);
      // The test server is http://, which has its own warning.
      const warnings = run.stderr
        .split('\n')
        .filter((line) => line.startsWith('checkmarx-auth: warning: ') && !line.includes(' uses http://'));
      assert.deepEqual(warnings, [`checkmarx-auth: warning: ${warning}`]);
    });
  }

  it('an input this product does not use is named as its flag and variable, not as an action input', async () => {
    const run = await runCli(sastFlags(), { env: { ...sastEnv(), CX_REGION: 'eu', CX_TENANT: 'acme' } });
    assertSucceeded(run);
    assert.ok(
      run.stderr
        .split('\n')
        .includes(
          "checkmarx-auth: warning: --region / CX_REGION and --tenant / CX_TENANT are not used by product 'sast' with grant type 'password' and ignored.",
        ),
      run.stderr,
    );
    assert.doesNotMatch(run.stderr, /Input '/);
  });

  it('no warning without them, nor for CX_AGENT=false', async () => {
    const run = await runCli(sastFlags(), { env: { ...sastEnv(), CX_AGENT: 'false' } });
    assertSucceeded(run);
    assert.doesNotMatch(run.stderr, /action input|by the action|start-agent/);
  });
});

// ---- help, version, npx ----

describe('CLI: --help and --version', () => {
  it('--help lists every input flag with its environment variables and default', async () => {
    const run = await runCli(['--help']);
    assert.equal(run.code, 0);
    assert.equal(run.stderr, '');
    const blocks = new Map(run.stdout.split(/\n(?= {2}-)/).map((block) => [/^ {2}(?:-\w, )?--([a-z-]+)/.exec(block)?.[1], block]));
    const listed = [...blocks.keys()].filter(Boolean).sort();
    assert.deepEqual(listed, [...INPUTS.map((spec) => spec.name), 'format', 'help', 'version'].sort());
    for (const spec of INPUTS) {
      const block = blocks.get(spec.name) ?? '';
      assert.ok(block.split('\n').includes(`      env: ${spec.env.join(', ')}`), `--${spec.name}: no env line`);
      if (spec.default !== undefined) assert.ok(block.includes(`(default: ${spec.default})`), `--${spec.name}: no default`);
    }
    assert.match(blocks.get('api-key') ?? '', /env: CX_API_KEY, CX_APIKEY/);
    assert.match(blocks.get('iam-url') ?? '', /env: CX_IAM_URL, CX_BASE_AUTH_URI/);
    assert.match(blocks.get('format') ?? '', /--format <token\|json\|env\|azure\|powershell>[\s\S]*\(default: token\)/);
    assert.match(run.stdout, /Exit codes: 0 success, 1 the token request failed, 2 bad usage or configuration\./);
  });

  /** The examples at the top of --help, as blocks of lines without their two-space indent. */
  function helpExamples(help: string): string[] {
    const section = /\nExamples[^\n]*\n([\s\S]*?)\n\nUsage:/.exec(help)?.[1] ?? '';
    return section.split('\n\n').map((block) => block.replace(/^ {2}/gm, ''));
  }

  /** A folder with a `checkmarx-auth` command that runs the bundle, as an install puts on PATH. */
  function cliOnPath(): string {
    const bin = mkdtempSync(join(temp, 'bin-'));
    writeFileSync(join(bin, 'checkmarx-auth'), `#!/bin/sh\nexec '${process.execPath}' '${CLI_ENTRY}' "$@"\n`, { mode: 0o755 });
    return bin;
  }

  it('--help opens with three copy-paste examples that assign first and eval second, in 100 columns', async () => {
    const run = await runCli(['--help']);
    assert.equal(run.code, 0);
    const lines = run.stdout.split('\n');
    lines.forEach((line, index) => assert.ok(line.length <= 100, `line ${index + 1} has ${line.length} columns: ${line}`));
    assert.match(lines[2] ?? '', /^Examples/);
    const examples = helpExamples(run.stdout);
    assert.equal(examples.length, 3, run.stdout);
    for (const example of examples) {
      assert.match(example, /^# /);
      assert.doesNotMatch(example, /eval "\$\(/, 'a bare eval "$(...)" returns 0 when the command failed');
      for (const line of example.split('\n').filter((l) => l.includes('$(checkmarx-auth')))
        assert.match(line, /^\w+="\$\(checkmarx-auth [^)]*\)" \|\| exit 1$/);
    }
    assert.match(examples[2] ?? '', /start-agent[\s\S]*eval "\$cx_env"[\s\S]*checkmarx-auth token[\s\S]*checkmarx-auth stop-agent$/);
  });

  it('--help lists every verb, and every format of every verb', async () => {
    const { stdout } = await runCli(['--help']);
    const usage = /\nUsage: ([\s\S]*?)\n\n/.exec(stdout)?.[1] ?? '';
    const commands = usage.split(/\n(?= {7}checkmarx-auth )/).map((command) => command.replace(/\n\s+/g, ' ').trim());
    const verbsText = /\nVerbs[^\n]*\n([\s\S]*?)\n\n/.exec(stdout)?.[1] ?? '';
    const entries = verbsText.split(/\n(?= {2}\S)/).map((entry) => entry.replace(/\n\s+/g, ' ').trim());
    assert.match(
      commands[0] ?? '',
      /^checkmarx-auth --product <sast\|sast-odata\|access-control\|sca\|cxone> \[--format token\|json\|env\|azure\|powershell\]/,
    );
    for (const verb of VERBS) {
      const command = commands.find((line) => line.startsWith(`checkmarx-auth ${verb} `) || line === `checkmarx-auth ${verb}`);
      const entry = entries.find((line) => line.startsWith(`${verb} `));
      assert.ok(command && entry, `${verb} is missing from --help`);
      const formats = VERB_FORMATS[verb];
      if (formats.length === 0) {
        assert.doesNotMatch(command, /--format/);
        continue;
      }
      assert.ok(command.includes(`[--format ${formats.join('|')}]`), command);
      assert.ok(entry.endsWith(`Formats: ${formats.join(', ')} (default ${formats[0]}).`), entry);
    }
    assert.ok(commands.includes('checkmarx-auth start-agent [--format env|json|azure|powershell] [--flag value ...]'), usage);
  });

  it('the first two examples run as written in bash, and stop at a failed exchange', async () => {
    const { stdout } = await runCli(['--help']);
    const [cxone, sast] = helpExamples(stdout);
    const path = `${cliOnPath()}:${process.env['PATH']}`;
    const bash = (script: string, env: Env) => spawnProcess('bash', ['-c', script], { env: cleanEnv({ PATH: path, ...env }), cwd: temp });

    const first = await bash(`${cxone}\nprintf '%s' "$token"`, throughProxy({ CX_APIKEY: API_KEY }));
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout, server.issuedAccessTokens[0]);

    const asHere = (sast ?? '').replace('https://cx.example.com', server.url).replace('ci-user', DEFAULT_SAST_USER.username);
    const second = await bash(`${asHere}\nprintf '%s|%s' "$CX_ACCESS_TOKEN" "$CX_API_URL"`, sastEnv());
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, `${server.issuedAccessTokens[1]}|${server.url}/cxrestapi`);

    const failed = await bash(`${asHere}\necho went on`, { CX_PASSWORD: 'wrong' });
    assert.equal(failed.code, 1);
    assert.equal(failed.stdout, '');
    assert.match(failed.stderr, /^checkmarx-auth: error \[token-request\/invalid-grant\]: .*HTTP 400/m);
  });

  for (const flag of ['--version', '-V']) {
    it(`${flag} prints package.json's version`, async () => {
      const run = await runCli([flag]);
      assert.deepEqual([run.code, run.stdout, run.stderr], [0, `${PACKAGE_VERSION}\n`, '']);
    });
  }
});

describe('CLI: npx from a clone or an install', () => {
  /**
   * npm with an empty cache and home of its own, offline: proves nothing is downloaded. npm reads
   * the whole installed tree of the project it runs in (the repository's devDependencies, tfx-cli's
   * included) before it runs the bin, which takes its time on a loaded machine: a wider bound.
   */
  function npm(command: string, args: string[], env: Env = {}, cwd = REPO_ROOT) {
    const home = mkdtempSync(join(temp, 'npm-home-'));
    const path = `${dirname(process.execPath)}:${process.env['PATH'] ?? ''}`;
    return runProcess(command, args, {
      env: cleanEnv({ PATH: path, HOME: home, npm_config_cache: join(home, 'cache'), npm_config_update_notifier: 'false', ...env }),
      cwd,
      timeoutMs: 120_000,
    });
  }

  it('npm install <clone> links the bin into another project', async () => {
    const project = mkdtempSync(join(temp, 'project-'));
    writeFileSync(join(project, 'package.json'), '{ "name": "ci-job", "private": true }\n');
    const install = await npm('npm', ['install', '--offline', '--no-audit', '--no-fund', REPO_ROOT], {}, project);
    assert.equal(install.code, 0, install.stderr);
    const run = await npm('npx', ['--offline', 'checkmarx-auth', '--version'], {}, project);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `${PACKAGE_VERSION}\n`);
  });

  it('npm exec --offline -- checkmarx-auth --version', async () => {
    const run = await npm('npm', ['exec', '--offline', '--', 'checkmarx-auth', '--version']);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout, `${PACKAGE_VERSION}\n`);
  });

  it('npx --offline checkmarx-auth gets a token', async () => {
    const run = await npm('npx', ['--offline', 'checkmarx-auth', ...sastFlags({ format: 'json' })], sastEnv());
    assert.equal(run.code, 0, run.stderr);
    assert.equal((JSON.parse(run.stdout) as { accessToken: string }).accessToken, server.issuedAccessTokens[0]);
    assertNoLeak(run, secrets());
  });
});

describe('CLI: the token agent behind a proxy', () => {
  it('start-agent hands the agent HTTPS_PROXY in its settings: a later exchange of the agent goes through the proxy', async (t) => {
    const start = await runCli(['start-agent', '--product', 'cxone', '--format', 'json'], { env: throughProxy({ CX_APIKEY: API_KEY }) });
    assertSucceeded(start);
    const sock = (JSON.parse(start.stdout) as { authSock: string }).authSock;
    t.after(() => runCli(['stop-agent'], { env: { CX_AUTH_SOCK: sock } }));
    const connects = proxy.connects.length;
    // Longer than the first token lasts: the agent exchanges again, with no proxy variable in the caller's environment.
    const fresh = await runCli(['token', '--min-validity', '86400'], { env: { CX_AUTH_SOCK: sock } });
    assert.equal(fresh.code, 0, fresh.stderr);
    assert.equal(fresh.stdout, `${server.issuedAccessTokens[1]}\n`);
    assert.equal(proxy.connects.length, connects + 1, 'the agent connected through the proxy');
    assertNoLeak(fresh, [API_KEY]);
  });
});
