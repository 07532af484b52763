// End to end: every failure mode of the SPEC's Behaviour section, run through the committed bundles
// against the test token server (scripted answers), a real CONNECT proxy and a TLS server whose CA
// is made at test time. Each test checks what users see (exit code, the ::error:: line, warnings),
// what the server received, the elapsed time where a deadline applies, and sweeps every line of
// output for the secrets with RUNNER_DEBUG=1.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { makeApiKey, nowSeconds } from './support/jwt.ts';
import { startProxy, type TestProxy } from './support/proxy.ts';
import {
  assertNoLeak,
  cleanEnv,
  CLI_ENTRY,
  LOOPBACK_ONLY_DNS_ENV,
  runAction,
  runCli,
  runProcess,
  unescapeCommandData,
  type ActionRun,
  type CliRun,
  type Env,
  type ProcessRun,
} from './support/run.ts';
import { waitFor } from './support/processes.ts';
import { sharedTestCa, type TestCa } from './support/tls.ts';
import {
  DEFAULT_REALM,
  DEFAULT_SAST_USER,
  DEFAULT_SCA,
  freePort,
  IDENTITY_TOKEN_PATH,
  keycloakTokenPath,
  listenOnLoopback,
  SCA_TOKEN_PATH,
  startTokenServer,
  type ScriptedResponse,
  type TokenServer,
} from './support/token-server.ts';
import { commandLines } from './support/commands.ts';

const TLS_HOST = 'cx.example.test';
const SAST_TITLE = 'CxSAST REST API';
const PROXY_AUTH = { username: 'proxy user', password: 'pr0xy p@ss:w%rd/1' };
const PROXY_SECRETS = [PROXY_AUTH.password];
const SAST_SECRETS = [DEFAULT_SAST_USER.password];
/** Debug output on (so that the secret sweep covers it), and the DNS guard. */
const DEBUG: Env = { RUNNER_DEBUG: '1', ...LOOPBACK_ONLY_DNS_ENV };

// ---- what users see ----

/** The ::error:: line of an action run, unescaped, without its `[code] `, or '' when there is none. */
function errorOf(run: ActionRun): string {
  return actionError(run).message;
}

/** The ::error:: line of an action run: its code and its message. */
function actionError(run: ActionRun): { code: string; message: string } {
  const line = run.stdout.split(/\r?\n/).find((l) => l.startsWith('::error::')) ?? '';
  const match = /^\[([a-z-]+\/[a-z-]+)\] ([^]*)$/.exec(unescapeCommandData(line.slice('::error::'.length)));
  return { code: match?.[1] ?? '', message: match?.[2] ?? '' };
}

function warningsOf(run: ActionRun): string[] {
  return run.stdout
    .split(/\r?\n/)
    .filter((l) => l.startsWith('::warning::'))
    .map((l) => unescapeCommandData(l.slice('::warning::'.length)));
}

/** The secret sweep, plus: no stack trace, ever. */
function assertClean(run: { stdout: string; stderr: string }, secrets: string[]): void {
  assertNoLeak(run, secrets);
  assert.doesNotMatch(`${run.stdout}\n${run.stderr}`, /^\s+at .*:\d+:\d+\)?$/m, 'a stack trace was printed');
}

interface ExpectedFailure {
  product?: string;
  endpoint: string;
  status?: number;
  oauth?: string;
  says?: RegExp;
  hint?: RegExp;
}

function assertFailure(message: string, expected: ExpectedFailure): void {
  assert.ok(message.includes(`${expected.product ?? SAST_TITLE} token request to ${expected.endpoint} failed`), message);
  if (expected.status !== undefined) assert.match(message, new RegExp(`HTTP ${expected.status}\\b`));
  if (expected.oauth) assert.ok(message.includes(expected.oauth), message);
  if (expected.says) assert.match(message, expected.says);
  if (expected.hint) assert.match(message.slice(message.indexOf(' Hint: ')), expected.hint);
  else assert.doesNotMatch(message, /Hint:/);
}

function assertActionFailed(run: ActionRun, expected: ExpectedFailure, secrets: string[]): string {
  assert.equal(run.code, 1, run.stdout + run.stderr);
  assert.deepEqual(run.outputs, {});
  assert.deepEqual(run.exported, {});
  const message = errorOf(run);
  assertFailure(message, expected);
  assertClean(run, secrets);
  return message;
}

function assertActionSucceeded(run: ActionRun, secrets: string[]): void {
  assert.equal(run.code, 0, run.stdout + run.stderr);
  const token = run.outputs['access-token'];
  assert.ok(token, 'an access token output');
  assert.ok(run.masks.includes(token), 'the token is masked');
  assert.equal(errorOf(run), '');
  assertClean(run, [...secrets, token]);
}

/** The CLI's error line, `checkmarx-auth: error [code]: message`: its message. */
function cliError(run: CliRun): string {
  return cliErrorLine(run).message;
}

function cliErrorLine(run: CliRun): { code: string; message: string } {
  const line = run.stderr.split('\n').find((l) => l.startsWith('checkmarx-auth: error [')) ?? '';
  const match = /^checkmarx-auth: error \[([a-z-]+\/[a-z-]+)\]: (.*)$/.exec(line);
  return { code: match?.[1] ?? '', message: match?.[2] ?? '' };
}

// ---- the runs ----

function sastInputs(server: { url: string }, extra: Record<string, string | number | undefined> = {}) {
  return {
    product: 'sast',
    'server-url': server.url,
    username: DEFAULT_SAST_USER.username,
    password: DEFAULT_SAST_USER.password,
    ...extra,
  };
}

function runSast(server: { url: string }, extra: Record<string, string | number | undefined> = {}, env: Env = {}): Promise<ActionRun> {
  return runAction({ inputs: sastInputs(server, extra), env: { ...DEBUG, ...env } });
}

function enqueue(server: TokenServer, ...responses: ScriptedResponse[]): void {
  responses.forEach((response) => server.enqueue(response));
}

const tokenBody = { access_token: 'scripted-token', expires_in: 3600, token_type: 'Bearer' };

describe('failure modes against a plain-HTTP token server', () => {
  let server: TokenServer;
  let endpoint: string;
  before(async () => {
    server = await startTokenServer();
    endpoint = server.url + IDENTITY_TOKEN_PATH;
  });
  beforeEach(() => server.reset());
  after(() => server.close());

  describe('retries', () => {
    test('5xx and 408 are retried with backoff until a token arrives', async () => {
      enqueue(server, { status: 503, body: 'Service Unavailable' }, { status: 408, body: '' });
      const run = await runSast(server, { 'max-attempts': 3 });
      assertActionSucceeded(run, SAST_SECRETS);
      assert.equal(server.requests.length, 3);
      assert.deepEqual(
        warningsOf(run)
          .filter((w) => w.startsWith('Attempt'))
          .map((w) => w.replace(/Retrying in [\d.]+ s/, 'Retrying')),
        ['Attempt 1 of 3 failed: HTTP 503. Retrying.', 'Attempt 2 of 3 failed: HTTP 408. Retrying.'],
      );
    });

    test('429 waits for Retry-After before the next attempt', async () => {
      enqueue(server, { status: 429, headers: { 'retry-after': '1' }, body: { error: 'too_many_requests' } });
      const run = await runSast(server, { 'max-attempts': 2 });
      assertActionSucceeded(run, SAST_SECRETS);
      assert.equal(server.requests.length, 2);
      assert.ok(run.durationMs >= 1000, `finished after ${run.durationMs} ms, before Retry-After allowed`);
      assert.match(
        warningsOf(run).join('\n'),
        /Request 1 failed: HTTP 429 too_many_requests\. The server asked to wait: retrying in 1\.\d s, which uses up no attempt\./,
      );
    });

    test('waits the server asks for use up no attempt, and no wait is longer than 30 s', async () => {
      const paced = { status: 429, headers: { 'retry-after': '1' }, body: '' };
      enqueue(server, paced, paced, paced);
      const run = await runSast(server, { 'max-attempts': 1 });
      assertActionSucceeded(run, SAST_SECRETS);
      assert.equal(server.requests.length, 4);
      const waits = warningsOf(run).flatMap((w) => /retrying in ([\d.]+) s/i.exec(w)?.[1] ?? []);
      assert.equal(waits.length, 3);
      for (const wait of waits) assert.ok(Number(wait) >= 1 && Number(wait) <= 1.5, `waited ${wait} s`);
    });

    test('every attempt failing: max-attempts requests, then the last failure with its hint', async () => {
      enqueue(server, { status: 429, body: '' }, { status: 429, body: '' });
      const limited = await runSast(server, { 'max-attempts': 2 });
      assert.equal(server.requests.length, 2);
      assertActionFailed(limited, { endpoint, status: 429, says: /failed after 2 attempts/, hint: /rate limiting/ }, SAST_SECRETS);

      server.reset();
      enqueue(server, { status: 500, body: 'boom' }, { status: 502, body: 'bad gateway' }, { status: 504, body: 'timeout' });
      const failing = await runSast(server, { 'max-attempts': 3 });
      assert.equal(server.requests.length, 3);
      assertActionFailed(
        failing,
        { endpoint, status: 504, says: /after 3 attempts: HTTP 504 timeout\./, hint: /failing or down/ },
        SAST_SECRETS,
      );
    });

    test('a dropped connection is retried', async () => {
      enqueue(server, { destroy: true });
      const run = await runSast(server, { 'max-attempts': 2 });
      assertActionSucceeded(run, SAST_SECRETS);
      assert.equal(server.requests.length, 2);
      assert.match(warningsOf(run).join('\n'), /Attempt 1 of 2 failed: ECONNRESET/);
    });

    test('any other 4xx fails at once', async () => {
      for (const status of [401, 403, 409, 422]) {
        server.reset();
        enqueue(server, { status, body: { error: 'access_denied', error_description: `status ${status}` } });
        const run = await runSast(server, { 'max-attempts': 3 });
        assert.equal(server.requests.length, 1, `HTTP ${status} was retried`);
        assertActionFailed(run, { endpoint, status, oauth: `access_denied: status ${status}` }, SAST_SECRETS);
        assert.doesNotMatch(run.stdout, /Attempt \d/);
      }
    });
  });

  describe('timeout-seconds is a deadline for the whole attempt', () => {
    // What proves the deadline, whatever the machine's load: the client cut the connection before
    // the trickle (about 25 s) was done, and said it was the 1 s deadline; and the run took at least
    // the deadline (it cannot end sooner, however fast or slow the machine). No upper bound on
    // wall time: a loaded machine may take any time to start a process.
    let trickler: Trickler;
    before(async () => (trickler = await startTrickler()));
    after(() => trickler.close());

    async function assertCutAfterOneSecond(run: ProcessRun): Promise<void> {
      const [connection] = trickler.connections;
      assert.equal(trickler.connections.length, 1);
      await waitFor('the server to see the connection close', () => connection?.closed === true);
      assert.equal(connection?.finished, false, 'the whole trickle was sent: the deadline did not cut it');
      assert.ok(run.durationMs >= 1000, `ended after ${run.durationMs} ms, before the 1 s deadline`);
    }

    test('a server that trickles its answer times out after 1 s, not when it finishes', async () => {
      const run = await runSast({ url: trickler.url }, { 'timeout-seconds': 1, 'max-attempts': 1 });
      assertActionFailed(
        run,
        {
          endpoint: trickler.url + IDENTITY_TOKEN_PATH,
          says: /no complete response within 1 s \(timeout-seconds\)/,
          hint: /did not answer in time.*timeout-seconds/,
        },
        SAST_SECRETS,
      );
      await assertCutAfterOneSecond(run);
    });

    test('the CLI keeps the same deadline', async () => {
      const run = await runCli(['--product', 'sast', '--server-url', trickler.url, '--timeout-seconds', '1', '--max-attempts', '1'], {
        env: { CX_USERNAME: DEFAULT_SAST_USER.username, CX_PASSWORD: DEFAULT_SAST_USER.password, ...DEBUG },
      });
      assert.equal(run.code, 1);
      assert.equal(run.stdout, '');
      assertFailure(cliError(run), { endpoint: trickler.url + IDENTITY_TOKEN_PATH, says: /within 1 s/, hint: /timeout-seconds/ });
      await assertCutAfterOneSecond(run);
      assertClean(run, SAST_SECRETS);
    });

    test('a timed-out attempt is retried', async () => {
      // A 5 s deadline, not 1 s: the second attempt must get its answer within it on a loaded machine.
      enqueue(server, { status: 200, body: tokenBody, delayMs: 60_000 });
      const run = await runSast(server, { 'timeout-seconds': 5, 'max-attempts': 2 });
      assertActionSucceeded(run, SAST_SECRETS);
      assert.equal(server.requests.length, 2);
      // The first answer was due after 60 s: a success with two requests means the deadline cut it.
      assert.match(warningsOf(run).join('\n'), /Attempt 1 of 2 failed: timeout\./);
    });
  });

  test('redirects are not followed; the error names the target and the input to set', async () => {
    const moved = `${server.url}/moved`;
    enqueue(server, { status: 307, headers: { location: `${moved}${IDENTITY_TOKEN_PATH}` }, body: '' });
    const run = await runSast(server, { 'max-attempts': 3 });
    assert.equal(server.requests.length, 1, 'the redirect was followed or retried');
    const message = assertActionFailed(run, { endpoint, status: 307, hint: new RegExp(`set server-url to ${moved} `) }, SAST_SECRETS);
    assert.ok(message.includes(`redirect to ${moved}${IDENTITY_TOKEN_PATH}, not followed`), message);

    server.reset();
    enqueue(server, { status: 302, headers: { location: '/adfs/ls/?SAMLRequest=x' }, body: '' });
    const sso = await runSast(server);
    assert.equal(server.requests.length, 1);
    assertActionFailed(
      sso,
      { endpoint, status: 302, says: new RegExp(`redirect to ${server.url}/adfs/ls/\\?SAMLRequest=x`), hint: /set token-url to it/ },
      SAST_SECRETS,
    );
  });

  describe('answers that are not a token response', () => {
    const cases: Array<{ name: string; answer: ScriptedResponse; says: RegExp; hint?: RegExp }> = [
      {
        name: 'an SSO login page (HTML)',
        answer: {
          status: 200,
          headers: { 'content-type': 'text/html' },
          body: '<!DOCTYPE html><html><body><form>Sign in</form></body></html>',
        },
        says: /HTTP 200 an HTML page instead of a JSON token response/,
        hint: /server-url must be the CxSAST root.*SSO or proxy login page/,
      },
      {
        name: 'HTML without a content type',
        answer: { status: 404, headers: { 'content-type': '' }, body: '<html><head><title>404</title></head></html>' },
        says: /HTTP 404 an HTML page/,
        hint: /server-url must be the CxSAST root/,
      },
      { name: 'not JSON', answer: { status: 200, body: 'OK' }, says: /HTTP 200 the response is not JSON\./ },
      {
        name: 'JSON without access_token',
        answer: { status: 200, body: { token: 'x', expires_in: 60 } },
        says: /the JSON response has no access_token/,
      },
      {
        name: 'an expires_in that is not a number',
        answer: { status: 200, body: { access_token: 'abc', expires_in: 'one hour' } },
        says: /expires_in in the response is not a whole number of seconds/,
      },
      {
        name: 'an oversized body',
        answer: {
          status: 200,
          body: 'x'.repeat(2 * 1024 * 1024),
          headers: { 'transfer-encoding': 'chunked' },
          chunks: { count: 8, intervalMs: 1 },
        },
        says: /the response body is larger than 1048576 bytes/,
      },
    ];
    for (const { name, answer, says, hint } of cases) {
      test(name, async () => {
        enqueue(server, answer);
        const run = await runSast(server, { 'max-attempts': 3 });
        assert.equal(server.requests.length, 1, 'retried');
        assertActionFailed(run, { endpoint, says, ...(hint ? { hint } : {}) }, SAST_SECRETS);
      });
    }
  });

  describe('hints', () => {
    test('CxSAST: wrong password or an Active Directory user', async () => {
      const run = await runSast(server, { password: 'Domain\\user p@ss' });
      assert.equal(server.requests.length, 1);
      assertActionFailed(
        run,
        { endpoint, status: 400, oauth: 'invalid_grant: invalid_username_or_password', hint: /Active Directory.*local user/ },
        [...SAST_SECRETS, 'Domain\\user p@ss'],
      );
    });

    test('server-url that is not the CxSAST root', async () => {
      const run = await runSast(server, { 'server-url': `${server.url}/portal` });
      assertActionFailed(
        run,
        { endpoint: `${server.url}/portal${IDENTITY_TOKEN_PATH}`, status: 404, hint: /server-url must be the CxSAST root/ },
        SAST_SECRETS,
      );
    });

    test('the portal address copied from the browser is the same server', async () => {
      const run = await runSast(server, { 'server-url': `${server.url}/cxWebClient/portal#/projectState` });
      assertActionSucceeded(run, SAST_SECRETS);
      assert.equal(run.outputs['api-url'], `${server.url}/cxrestapi`);
    });

    test('SCA needs a local SCA user', async () => {
      const password = 'SSO p@ss word';
      const tokenUrl = server.url + SCA_TOKEN_PATH;
      const inputs = { product: 'sca', 'token-url': tokenUrl, tenant: DEFAULT_SCA.tenant, username: 'jane@example.com', password };
      const run = await runAction({ inputs, env: DEBUG });
      assertActionFailed(
        run,
        {
          product: 'Checkmarx SCA',
          endpoint: tokenUrl,
          status: 400,
          oauth: 'invalid_grant',
          hint: /only a local SCA user.*tenant.*region/,
        },
        [password],
      );
      assert.equal(server.requests[0]?.form['acr_values'], `Tenant:${DEFAULT_SCA.tenant}`);
    });

    test('Checkmarx One: an expired API key', async () => {
      const realmUrl = `${server.url}/auth/realms/${DEFAULT_REALM.name}`;
      const apiKey = makeApiKey({ realmUrl, claims: { exp: nowSeconds() - 60 } });
      const run = await runAction({ inputs: { product: 'cxone', 'api-key': apiKey }, env: DEBUG });
      assertActionFailed(
        run,
        {
          product: 'Checkmarx One',
          endpoint: `${realmUrl}/protocol/openid-connect/token`,
          status: 400,
          oauth: 'invalid_grant: Invalid refresh token',
          hint: /expired.*new key/,
        },
        [apiKey],
      );
    });

    test('Checkmarx One: an expired client secret, from the CLI', async () => {
      const secret = 'old s3cret&=%';
      const run = await runCli(
        ['--product', 'cxone', '--iam-url', server.url, '--tenant', DEFAULT_REALM.name, '--client-id', DEFAULT_REALM.clientId],
        {
          env: { CX_CLIENT_SECRET: secret, ...DEBUG },
        },
      );
      assert.equal(run.code, 1);
      assert.equal(run.stdout, '');
      assertFailure(cliError(run), {
        product: 'Checkmarx One',
        endpoint: server.url + keycloakTokenPath(DEFAULT_REALM.name),
        status: 401,
        oauth: 'unauthorized_client: Invalid client or Invalid client credentials',
        hint: /client-id and client-secret; client secrets expire/,
      });
      assert.equal(server.requests.length, 1);
      assertClean(run, [secret]);
    });

    test('a server that echoes the credentials in any encoding has them redacted', async () => {
      const password = 'Echo "p@ss" w%rd\\1';
      const lowerHex = encodeURIComponent(password).replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase());
      const cases: Array<{ status: number; body: string | object; hint?: RegExp }> = [
        {
          status: 400,
          body: { error: 'invalid_grant', error_description: `bad password ${password} / ${encodeURIComponent(password)}` },
          hint: /Active Directory/,
        },
        { status: 400, body: `password=${new URLSearchParams({ p: password }).toString().slice(2)}&user=x` },
        { status: 400, body: `{"password": ${JSON.stringify(password)}, "unterminated` },
        { status: 503, body: `down: ${lowerHex}`, hint: /failing or down/ },
      ];
      for (const { hint, ...answer } of cases) {
        server.reset();
        enqueue(server, answer);
        const run = await runSast(server, { password, 'max-attempts': 1 });
        const message = assertActionFailed(run, { endpoint, status: answer.status, ...(hint ? { hint } : {}) }, [password, lowerHex]);
        assert.match(message, /\*\*\*/);
      }
    });
  });

  describe('input errors name the input and what is allowed, before any request', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ 'timeout-seconds': 'soon' }, /^Input 'timeout-seconds': 'soon' is not a number; use a number from 0\.001 to 3600\.$/],
      [{ 'max-attempts': '11' }, /^Input 'max-attempts': 11 is out of range; use a whole number from 1 to 10\.$/],
      [{ 'insecure-skip-tls-verify': 'maybe' }, /^Input 'insecure-skip-tls-verify': 'maybe' is not a boolean; use true or false\.$/],
      [{ 'ca-cert': '/nonexistent/ca.pem' }, /^Input 'ca-cert': the file '\/nonexistent\/ca\.pem' does not exist/],
      [
        { product: 'sastt' },
        /^Input 'product': 'sastt' is not one of: sast, sast-odata, access-control, sca, cxone\. Did you mean 'sast'\?$/,
      ],
      [{ 'server-url': 'cx.example.com' }, /^Input 'server-url': 'cx\.example\.com' is not a URL; expected https:\/\//],
      [{ password: '' }, /^Input 'password': is required for product 'sast'/],
    ];
    for (const [inputs, expected] of cases) {
      test(Object.keys(inputs)[0]!, async () => {
        const run = await runSast(server, inputs);
        assert.equal(run.code, 1);
        assert.match(errorOf(run), expected);
        assert.equal(server.requests.length, 0);
        assertClean(run, SAST_SECRETS);
      });
    }

    test('the CLI exits 2', async () => {
      const run = await runCli(['--product', 'cxone', '--region', 'mars', '--tenant', 'acme', '--client-id', 'c'], {
        env: { CX_CLIENT_SECRET: DEFAULT_REALM.clientSecret },
      });
      assert.equal(run.code, 2);
      assert.equal(cliError(run), "--region / CX_REGION: 'mars' is not one of: us, us2, eu, eu2, deu, anz, ind, ind2, sng, mea, il.");
      assert.equal(server.requests.length, 0);
      assertClean(run, [DEFAULT_REALM.clientSecret]);
    });
  });

  describe('http://', () => {
    test('works for a self-hosted server, with a cleartext warning', async () => {
      const run = await runSast(server);
      assertActionSucceeded(run, SAST_SECRETS);
      assert.ok(
        warningsOf(run).includes(
          `The token endpoint ${endpoint} uses http://: credentials and the token travel in cleartext. Use https:// unless this network is trusted.`,
        ),
      );
    });

    test('works for an explicit iam-url, with the same warning', async () => {
      const run = await runAction({
        inputs: {
          product: 'cxone',
          'iam-url': server.url,
          tenant: DEFAULT_REALM.name,
          'client-id': DEFAULT_REALM.clientId,
          'client-secret': DEFAULT_REALM.clientSecret,
        },
        env: DEBUG,
      });
      assertActionSucceeded(run, [DEFAULT_REALM.clientSecret]);
      assert.match(warningsOf(run).join('\n'), /uses http:\/\/: credentials and the token travel in cleartext/);
    });
  });
});

describe('TLS', () => {
  let ca: TestCa;
  let server: TokenServer;
  let caFile: string;
  before(async () => {
    ca = await sharedTestCa();
    server = await startTokenServer({ tls: ca.issue([TLS_HOST]) });
    caFile = join(ca.dir, 'ca-for-input.pem');
    writeFileSync(caFile, `# corporate CA\n${ca.certPem}`);
  });
  beforeEach(() => server.reset());
  after(() => server.close());

  test('an untrusted certificate fails at once, and the hint names ca-cert', async () => {
    const run = await runSast(server, { 'max-attempts': 3 });
    assertActionFailed(
      run,
      {
        endpoint: server.url + IDENTITY_TOKEN_PATH,
        says: /\(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)/,
        hint: /not trusted.*give that CA in ca-cert/,
      },
      SAST_SECRETS,
    );
    assert.equal(server.requests.length, 0);
  });

  test('ca-cert as PEM text is trusted besides the system CAs', async () => {
    const run = await runSast(server, { 'ca-cert': ca.certPem });
    assertActionSucceeded(run, SAST_SECRETS);
    assert.equal(warningsOf(run).length, 0);
  });

  test('NODE_EXTRA_CA_CERTS works as well', async () => {
    const run = await runSast(server, {}, { NODE_EXTRA_CA_CERTS: ca.certPath });
    assertActionSucceeded(run, SAST_SECRETS);
  });

  test('insecure-skip-tls-verify: true works and warns', async () => {
    const run = await runSast(server, { 'insecure-skip-tls-verify': 'true' });
    assertActionSucceeded(run, SAST_SECRETS);
    assert.match(warningsOf(run).join('\n'), /insecure-skip-tls-verify is true: TLS certificates are not checked/);
  });

  describe('through a CONNECT proxy', () => {
    let proxy: TestProxy;
    let proxyUrl: string;
    before(async () => {
      proxy = await startProxy({ auth: PROXY_AUTH, routes: { [`${TLS_HOST}:443`]: `127.0.0.1:${server.port}` } });
      proxyUrl = `http://${encodeURIComponent(PROXY_AUTH.username)}:${encodeURIComponent(PROXY_AUTH.password)}@127.0.0.1:${proxy.port}`;
    });
    beforeEach(() => proxy.connects.splice(0));
    after(() => proxy.close());

    const viaProxy = (extra: Record<string, string | number> = {}, env: Env = {}) =>
      runAction({ inputs: sastInputs({ url: `https://${TLS_HOST}` }, extra), env: { ...DEBUG, ...env } });

    for (const variable of ['HTTPS_PROXY', 'https_proxy']) {
      test(`${variable} with credentials, and ca-cert as a file`, async () => {
        const run = await viaProxy({ 'ca-cert': caFile }, { [variable]: proxyUrl });
        assertActionSucceeded(run, [...SAST_SECRETS, ...PROXY_SECRETS]);
        // The default port does not belong in Host: Keycloak derives the token's iss from it.
        assert.equal(server.requests[0]?.headers.host, TLS_HOST);
        assert.deepEqual(proxy.connects, [`${TLS_HOST}:443`]);
        assert.equal(server.requests[0]?.host, TLS_HOST);
        assert.equal(server.requests[0]?.headers['proxy-authorization'], undefined);
      });
    }

    test('an untrusted certificate through the tunnel names ca-cert', async () => {
      const run = await viaProxy({}, { HTTPS_PROXY: proxyUrl });
      assertActionFailed(run, { endpoint: `https://${TLS_HOST}${IDENTITY_TOKEN_PATH}`, hint: /ca-cert/ }, [
        ...SAST_SECRETS,
        ...PROXY_SECRETS,
      ]);
      assert.equal(server.requests.length, 0);
    });

    test('wrong proxy credentials: 407, without printing them', async () => {
      const wrong = 'wr0ng p@ss';
      const run = await viaProxy(
        { 'ca-cert': ca.certPem, 'max-attempts': 3 },
        { HTTPS_PROXY: `http://someone:${encodeURIComponent(wrong)}@127.0.0.1:${proxy.port}` },
      );
      assertActionFailed(
        run,
        {
          endpoint: `https://${TLS_HOST}${IDENTITY_TOKEN_PATH}`,
          says: new RegExp(
            `the proxy 127\\.0\\.0\\.1:${proxy.port} \\(HTTPS_PROXY\\) refused to open a tunnel to ${TLS_HOST}:443: HTTP 407`,
          ),
          hint: /proxy wants credentials/,
        },
        [...SAST_SECRETS, ...PROXY_SECRETS, wrong],
      );
      assert.equal(proxy.connects.length, 1, '407 was retried');
      assert.equal(server.requests.length, 0);
    });

    test('the deadline and retries hold through the tunnel, and no socket is left open', async () => {
      // A byte a second for about a minute, against a 5 s deadline: long enough for the tunnel and TLS
      // of the later attempts on a loaded machine (1 s was not), far shorter than the trickle.
      server.enqueue({ status: 200, body: tokenBody, chunks: { count: 60, intervalMs: 1_000 } });
      server.enqueue({ status: 503, body: 'busy' });
      const run = await viaProxy({ 'ca-cert': ca.certPem, 'timeout-seconds': 5, 'max-attempts': 3 }, { HTTPS_PROXY: proxyUrl });
      assertActionSucceeded(run, [...SAST_SECRETS, ...PROXY_SECRETS]);
      assert.equal(server.requests.length, 3);
      assert.equal(proxy.connects.length, 3);
      // The first answer trickles for a minute: three requests and a success mean the deadline cut it.
      assert.match(warningsOf(run).join('\n'), /Attempt 1 of 3 failed: timeout\.[^]*Attempt 2 of 3 failed: HTTP 503\./);
    });

    test('a host the proxy cannot reach: the proxy status, retried, and a NO_PROXY hint', async () => {
      const run = await runAction({
        inputs: sastInputs({ url: 'https://unrouted.example.test' }, { 'max-attempts': 2 }),
        env: { ...DEBUG, HTTPS_PROXY: proxyUrl },
      });
      assertActionFailed(
        run,
        {
          endpoint: `https://unrouted.example.test${IDENTITY_TOKEN_PATH}`,
          says: /refused to open a tunnel to unrouted\.example\.test:443: HTTP 502 Bad Gateway/,
          hint: /bypass the proxy \(NO_PROXY\)/,
        },
        [...SAST_SECRETS, ...PROXY_SECRETS],
      );
      assert.deepEqual(proxy.connects, ['unrouted.example.test:443', 'unrouted.example.test:443']);
    });

    test('a proxy URL that cannot be decoded fails without echoing it', async () => {
      const run = await viaProxy({ 'ca-cert': ca.certPem }, { HTTPS_PROXY: `http://someone:p%zz@127.0.0.1:${proxy.port}` });
      assertActionFailed(run, { endpoint: `https://${TLS_HOST}${IDENTITY_TOKEN_PATH}`, says: /HTTPS_PROXY is not a valid proxy URL/ }, [
        'p%zz',
      ]);
      assert.equal(proxy.connects.length, 0);
    });
  });

  test('an https:// proxy is checked like the server, with ca-cert', async () => {
    const proxy = await startHttpsTunnelProxy(ca, server.port);
    try {
      const run = (extra: Record<string, string>) =>
        runAction({
          inputs: sastInputs({ url: `https://${TLS_HOST}` }, { 'max-attempts': 1, ...extra }),
          env: { ...DEBUG, HTTPS_PROXY: proxy.url },
        });
      assertActionSucceeded(await run({ 'ca-cert': ca.certPem }), SAST_SECRETS);
      assert.deepEqual(proxy.connects, [`${TLS_HOST}:443`]);
      const untrusted = await run({});
      assertActionFailed(
        untrusted,
        { endpoint: `https://${TLS_HOST}${IDENTITY_TOKEN_PATH}`, says: /UNABLE_TO_VERIFY_LEAF_SIGNATURE/, hint: /ca-cert/ },
        SAST_SECRETS,
      );
      assert.equal(proxy.connects.length, 1, 'the CONNECT went through an untrusted TLS connection');
    } finally {
      await proxy.close();
    }
  });

  test('a TLS-inspecting proxy: its CA in ca-cert; the wrong region gets the realm hint', async () => {
    const keycloak = await startTokenServer({
      realms: { [DEFAULT_REALM.name]: { clients: {}, astBaseUrl: 'https://eu.ast.checkmarx.net', iamHosts: ['eu.iam.checkmarx.net'] } },
    });
    const proxy = await startProxy({ mitm: { ca, handler: keycloak.handler } });
    try {
      const apiKey = makeApiKey({ realmUrl: `https://eu.iam.checkmarx.net/auth/realms/${DEFAULT_REALM.name}` });
      const run = (region: string) =>
        runAction({
          inputs: { product: 'cxone', 'api-key': apiKey, region, 'ca-cert': ca.certPem },
          env: { ...DEBUG, https_proxy: proxy.url },
        });
      const right = await run('eu');
      assertActionSucceeded(right, [apiKey, ...keycloak.issuedRefreshTokens]);
      assert.equal(keycloak.issuedRefreshTokens.length, 1);
      assert.equal(right.outputs['api-url'], 'https://eu.ast.checkmarx.net/api');

      const wrong = await run('us');
      assertActionFailed(
        wrong,
        {
          product: 'Checkmarx One',
          endpoint: `https://iam.checkmarx.net${keycloakTokenPath(DEFAULT_REALM.name)}`,
          status: 404,
          oauth: 'Realm does not exist',
          hint: /tenant \(realm\) does not exist at this IAM host.*region or iam-url/,
        },
        [apiKey],
      );
      assert.deepEqual(proxy.connects, ['eu.iam.checkmarx.net:443', 'iam.checkmarx.net:443']);
    } finally {
      await proxy.close();
      await keycloak.close();
    }
  });
});

interface Trickler {
  url: string;
  /** one per request, reset by each new request */
  connections: Array<{ closed: boolean; finished: boolean }>;
  close(): Promise<void>;
}

/** Answers 200 at once, then one byte every 200 ms for about 25 s: never idle, never done in time. */
async function startTrickler(): Promise<Trickler> {
  const connections: Trickler['connections'] = [];
  const server = http.createServer((req, res) => {
    connections.splice(0);
    const connection: Trickler['connections'][number] = { closed: false, finished: false };
    connections.push(connection);
    req.socket.once('close', () => (connection.closed = true));
    req.resume();
    res.writeHead(200, { 'content-type': 'application/json' });
    const body = Buffer.from(`${JSON.stringify(tokenBody)}${' '.repeat(50)}`);
    let sent = 0;
    const timer = setInterval(() => {
      if (sent >= body.length) connection.finished = true;
      if (sent >= body.length || res.destroyed) return void (clearInterval(timer), res.end());
      res.write(body.subarray(sent, ++sent));
    }, 200);
  });
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}`,
    connections,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** A proxy reached over TLS (a certificate for its IP from `ca`) that tunnels every CONNECT to one port. */
async function startHttpsTunnelProxy(ca: TestCa, targetPort: number) {
  const connects: string[] = [];
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    sockets.add(socket.on('close', () => sockets.delete(socket)).on('error', () => socket.destroy()));
    return socket;
  };
  const server = https.createServer(ca.issue(['127.0.0.1']));
  server.on('connect', (req: http.IncomingMessage, socket: net.Socket) => {
    connects.push(req.url ?? '');
    track(socket);
    const upstream = track(
      net.connect(targetPort, '127.0.0.1', () => {
        socket.write('HTTP/1.1 200 Connection established\r\n\r\n');
        upstream.pipe(socket).pipe(upstream);
      }),
    );
  });
  const port = await listenOnLoopback(server);
  return {
    url: `https://127.0.0.1:${port}`,
    connects,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

describe('HTTP_PROXY and NO_PROXY for http:// servers', () => {
  let server: TokenServer;
  let proxy: TestProxy;
  before(async () => {
    server = await startTokenServer();
    proxy = await startProxy({ auth: PROXY_AUTH, routes: { 'cx.example.test:80': `127.0.0.1:${server.port}` } });
  });
  beforeEach(() => {
    server.reset();
    proxy.forwarded.splice(0);
  });
  after(async () => {
    await proxy.close();
    await server.close();
  });
  const proxyUrl = () =>
    `http://${encodeURIComponent(PROXY_AUTH.username)}:${encodeURIComponent(PROXY_AUTH.password)}@127.0.0.1:${proxy.port}`;

  for (const variable of ['HTTP_PROXY', 'http_proxy']) {
    test(variable, async () => {
      const run = await runAction({ inputs: sastInputs({ url: 'http://cx.example.test' }), env: { ...DEBUG, [variable]: proxyUrl() } });
      assertActionSucceeded(run, [...SAST_SECRETS, ...PROXY_SECRETS]);
      assert.deepEqual(proxy.forwarded, [`http://cx.example.test${IDENTITY_TOKEN_PATH}`]);
      assert.equal(server.requests[0]?.host, 'cx.example.test');
    });
  }

  // Loopback names (localhost, 127.0.0.0/8, ::1) always bypass the proxy, so the target here is loopback spelled as
  // an IPv4-mapped IPv6 address: the proxy is used unless NO_PROXY names it.
  test('NO_PROXY and no_proxy bypass the proxy', async () => {
    const target = { url: `http://[::ffff:127.0.0.1]:${server.port}` };
    const proxied = await runAction({ inputs: sastInputs(target, { 'max-attempts': 1 }), env: { ...DEBUG, HTTP_PROXY: proxyUrl() } });
    assert.equal(proxied.code, 1);
    assert.equal(proxy.forwarded.length, 1, 'HTTP_PROXY was not used');
    assert.equal(server.requests.length, 0);
    for (const bypass of [{ NO_PROXY: 'example.org, [::ffff:7f00:1]' }, { no_proxy: '*' }]) {
      const run = await runAction({ inputs: sastInputs(target), env: { ...DEBUG, HTTP_PROXY: proxyUrl(), ...bypass } });
      assertActionSucceeded(run, [...SAST_SECRETS, ...PROXY_SECRETS]);
    }
    assert.equal(proxy.forwarded.length, 1);
    assert.equal(server.requests.length, 2);
  });
});

// ---- the trust boundary: what a hostile server or a careless input can reach ----

describe('the trust boundary', () => {
  let server: TokenServer;
  let endpoint: string;
  let temp: string;
  before(async () => {
    server = await startTokenServer();
    endpoint = server.url + IDENTITY_TOKEN_PATH;
    temp = mkdtempSync(join(tmpdir(), 'cx-trust-'));
  });
  beforeEach(() => server.reset());
  after(async () => {
    rmSync(temp, { recursive: true, force: true });
    await server.close();
  });

  describe('server text never becomes a command', () => {
    const AZURE_ISSUE = /^##vso\[task\.(logissue type=(warning|error(;code=[a-z-]+\/[a-z-]+)?)|setsecret)\]/;
    const INJECTION = '\r\n::warning::pwned\n##vso[task.setvariable variable=PWNED]1\u2028::error::x ##[add-mask]y';

    test('a token_type with a line break is a bad response, and nothing it says starts a line', async () => {
      enqueue(server, { status: 200, body: { ...tokenBody, token_type: `Bearer${INJECTION}` } });
      const run = await runSast(server, { 'max-attempts': 1 });
      assertActionFailed(run, { endpoint, status: 200, says: /token_type in the response is not valid RFC 6749 syntax/ }, SAST_SECRETS);
      assert.deepEqual(commandLines(run.stdout), []);
    });

    test('a valid scope that holds a command prefix is a bad response: no output, no variable, no command', async () => {
      enqueue(server, { status: 200, body: { ...tokenBody, scope: '##vso[task.setvariable variable=PWNED]1 ::error::x' } });
      const run = await runSast(server, { 'max-attempts': 1 });
      assertActionFailed(run, { endpoint, status: 200, says: /the scope holds a CI command prefix/ }, SAST_SECRETS);
      assert.deepEqual(commandLines(run.stdout), []);
      assert.deepEqual(run.outputs, {});
      enqueue(server, { status: 200, body: { ...tokenBody, scope: '##vso[task.setvariable variable=PWNED]1 ::error::x' } });
      const cli = await runCli(['--product', 'sast', '--server-url', server.url, '--max-attempts', '1'], {
        env: { CX_USERNAME: DEFAULT_SAST_USER.username, CX_PASSWORD: DEFAULT_SAST_USER.password, TF_BUILD: 'True' },
      });
      assert.equal(cli.code, 1, cli.stderr);
      assert.equal(cli.stdout, '');
      assert.deepEqual(commandLines(cli.stderr, AZURE_ISSUE), []);
    });

    test('error_description and page text: one line each, no command, in the action and in Azure Pipelines', async () => {
      const answers: Array<[ScriptedResponse, code: string]> = [
        [{ status: 400, body: { error: 'invalid_grant', error_description: `bad${INJECTION}` } }, 'token-request/invalid-grant'],
        [{ status: 502, headers: { 'content-type': 'text/plain' }, body: `upstream${INJECTION}` }, 'token-request/server-error'],
      ];
      for (const [answer, code] of answers) {
        enqueue(server, answer);
        const run = await runSast(server, { 'max-attempts': 1 });
        assert.equal(run.code, 1);
        assert.deepEqual(commandLines(run.stdout), [], run.stdout);
        enqueue(server, answer);
        const cli = await runCli(['--product', 'sast', '--server-url', server.url, '--max-attempts', '1'], {
          env: { CX_USERNAME: DEFAULT_SAST_USER.username, CX_PASSWORD: DEFAULT_SAST_USER.password, TF_BUILD: 'True' },
        });
        assert.equal(cli.code, 1);
        const lines = cli.stderr.trimEnd().split('\n');
        assert.ok(
          lines.at(-1)!.startsWith(`##vso[task.logissue type=error;code=${code}]checkmarx-auth: [${code}%5D CxSAST REST API token request`),
          lines.at(-1),
        );
        assert.deepEqual(commandLines(cli.stderr, AZURE_ISSUE), []);
      }
    });

    test('Azure Pipelines warnings are task.logissue lines; elsewhere they are plain', async () => {
      const env = { CX_USERNAME: DEFAULT_SAST_USER.username, CX_PASSWORD: DEFAULT_SAST_USER.password };
      const azure = await runCli(['--product', 'sast', '--server-url', server.url, '--region', 'eu'], {
        env: { ...env, TF_BUILD: 'True' },
      });
      assert.match(azure.stderr, /^##vso\[task\.logissue type=warning\]checkmarx-auth: --region \/ CX_REGION is not used/m);
      const plain = await runCli(['--product', 'sast', '--server-url', server.url, '--region', 'eu'], { env });
      assert.match(plain.stderr, /^checkmarx-auth: warning: --region \/ CX_REGION is not used/m);
    });
  });

  describe('inputs that could turn the tool against its user', () => {
    for (const name of [
      'GITHUB_ENV',
      'GITHUB_PATH',
      'RUNNER_TEMP',
      'ACTIONS_RUNTIME_TOKEN',
      'PATH',
      'HOME',
      'NODE_OPTIONS',
      'BASH_ENV',
      'LD_PRELOAD',
      'DYLD_INSERT_LIBRARIES',
      'CX_TENANT',
      'CX_APIKEY',
      'A-B',
    ]) {
      test(`env-name ${name} is refused before any request`, async () => {
        const run = await runSast(server, { 'env-name': name });
        assert.equal(run.code, 1);
        assert.match(errorOf(run), /^Input 'env-name': /);
        assert.deepEqual(run.exported, {});
        assert.equal(server.requests.length, 0);
      });
    }

    test('CX_ENV_NAME and the other defaulted inputs work from the environment in the action', async () => {
      const run = await runSast(server, {}, { CX_ENV_NAME: 'MY_CX_TOKEN', CX_MAX_ATTEMPTS: '1', CX_EXPORT_ENV: 'true' });
      assertActionSucceeded(run, SAST_SECRETS);
      assert.deepEqual(Object.keys(run.exported), ['MY_CX_TOKEN']);
    });

    test('a multi-line password is masked whole and line by line', async () => {
      const password = 'first line of it\nsecond line too\r\nthird';
      server.config.sastUsers['multi'] = password;
      const run = await runSast(server, { username: 'multi', password });
      assertActionSucceeded(run, [password]);
      for (const value of [password, 'first line of it', 'second line too', 'third'])
        assert.ok(run.masks.includes(value), JSON.stringify(value));
    });

    for (const tenant of ['..', '.', 'a/b', 'acme?x=1', 'x'.repeat(256)]) {
      test(`Checkmarx One tenant '${tenant.slice(0, 10)}' fails before any request`, async () => {
        const run = await runAction({
          inputs: {
            product: 'cxone',
            tenant,
            'iam-url': server.url,
            'client-id': DEFAULT_REALM.clientId,
            'client-secret': DEFAULT_REALM.clientSecret,
          },
          env: DEBUG,
        });
        assert.equal(run.code, 1);
        assert.match(errorOf(run), /^Input 'tenant': the tenant '.*' is not a Checkmarx One tenant name/);
        assert.equal(server.requests.length, 0);
        assertClean(run, [DEFAULT_REALM.clientSecret]);
      });
    }

    test('Checkmarx One api-url follows a private IAM host, never the public one', async () => {
      const realm = server.config.realms[DEFAULT_REALM.name]!;
      const saved = realm.astBaseUrl;
      delete realm.astBaseUrl;
      try {
        const inputs = {
          product: 'cxone',
          tenant: DEFAULT_REALM.name,
          'client-id': DEFAULT_REALM.clientId,
          'client-secret': DEFAULT_REALM.clientSecret,
        };
        const byIam = await runAction({ inputs: { ...inputs, 'iam-url': server.url }, env: DEBUG });
        assertActionSucceeded(byIam, [DEFAULT_REALM.clientSecret]);
        assert.equal(byIam.outputs['api-url'], `${server.url}/api`);
        const byTokenUrl = await runAction({
          inputs: { ...inputs, 'token-url': server.url + keycloakTokenPath(DEFAULT_REALM.name) },
          env: DEBUG,
        });
        assertActionSucceeded(byTokenUrl, [DEFAULT_REALM.clientSecret]);
        assert.equal(byTokenUrl.outputs['api-url'], `${server.url}/api`);
      } finally {
        if (saved) realm.astBaseUrl = saved;
      }
    });

    test('inputs the grant does not send are named in a warning', async () => {
      const key = makeApiKey({ realmUrl: `${server.url}/auth/realms/${DEFAULT_REALM.name}` });
      const sast = await runSast(server, { 'api-key': key, region: 'eu' });
      assertActionSucceeded(sast, [...SAST_SECRETS, key]);
      assert.ok(
        warningsOf(sast).includes("Input 'region', 'api-key' are not used by product 'sast' with grant type 'password' and ignored."),
        warningsOf(sast).join('\n'),
      );
      const cxone = await runAction({ inputs: { product: 'cxone', 'api-key': key, username: 'someone' }, env: DEBUG });
      assertActionSucceeded(cxone, [key]);
      assert.ok(warningsOf(cxone).includes("Input 'username' is not used by product 'cxone' with grant type 'refresh_token' and ignored."));
    });

    for (const pasted of [(k: string) => `"${k}"`, (k: string) => `'${k}'`, (k: string) => `Bearer ${k}`]) {
      test(`an API key pasted as ${pasted('KEY')} is used without the extra, with a warning`, async () => {
        const key = makeApiKey({ realmUrl: `${server.url}/auth/realms/${DEFAULT_REALM.name}` });
        const run = await runAction({ inputs: { product: 'cxone', 'api-key': pasted(key) }, env: DEBUG });
        assertActionSucceeded(run, [key]);
        assert.equal(server.requests[0]?.form['refresh_token'], key);
        assert.ok(run.masks.includes(key));
        assert.match(warningsOf(run).join('\n'), /api-key had surrounding quotes or a 'Bearer ' prefix/);
      });
    }

    test('ca-cert must be a regular file of at most 1 MiB', async () => {
      const big = join(temp, 'big.pem');
      writeFileSync(big, 'x'.repeat(1024 * 1024 + 1));
      for (const [path, problem] of [
        ['/dev/zero', /is not a regular file/],
        [temp, /is not a regular file/],
        [big, /is larger than 1 MiB/],
      ] as const) {
        const run = await runSast(server, { 'ca-cert': path });
        assert.equal(run.code, 1);
        assert.match(errorOf(run), problem);
        assert.equal(server.requests.length, 0);
      }
    });
  });

  describe('answers', () => {
    test('JSON with a byte-order mark is JSON; the request asks for no compression', async () => {
      enqueue(server, { status: 200, headers: { 'content-type': 'application/json' }, body: `\uFEFF${JSON.stringify(tokenBody)}` });
      const run = await runSast(server);
      assertActionSucceeded(run, SAST_SECRETS);
      assert.equal(server.requests[0]?.headers['accept-encoding'], 'identity');
    });

    test('a compressed answer is reported as such', async () => {
      enqueue(server, {
        status: 200,
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body: 'not really gzip',
      });
      const run = await runSast(server, { 'max-attempts': 3 });
      assertActionFailed(run, { endpoint, status: 200, says: /compressed \(Content-Encoding: gzip\)/ }, SAST_SECRETS);
      assert.equal(server.requests.length, 1);
    });

    test('a status outside 100-599 is a bad response and is not retried', async () => {
      enqueue(server, { status: 600, body: tokenBody });
      const run = await runSast(server, { 'max-attempts': 3 });
      assertActionFailed(run, { endpoint, status: 600, says: /not a valid HTTP status/ }, SAST_SECRETS);
      assert.equal(server.requests.length, 1);
    });

    test('expires_in is a whole number of seconds, or a string of one', async () => {
      enqueue(server, { status: 200, body: { ...tokenBody, expires_in: '1800' } });
      assert.equal((await runSast(server)).outputs['expires-in'], '1800');
      enqueue(server, { status: 200, body: { ...tokenBody, expires_in: 1800.5 } });
      assertActionFailed(await runSast(server), { endpoint, status: 200, says: /not a whole number/ }, SAST_SECRETS);
    });
  });

  describe('hints name the real culprit', () => {
    test('https:// to a port that speaks plain HTTP says so, and is not retried', async () => {
      const run = await runSast({ url: `https://127.0.0.1:${server.port}` }, { 'max-attempts': 3 });
      assertActionFailed(
        run,
        { endpoint: `https://127.0.0.1:${server.port}${IDENTITY_TOKEN_PATH}`, says: /not TLS/, hint: /speaks plain HTTP, not HTTPS/ },
        SAST_SECRETS,
      );
      assert.doesNotMatch(run.stdout, /Attempt \d/);
    });

    test('a proxy that refuses connections is named by its variable', async () => {
      const closed = await freePort();
      for (const variable of ['HTTPS_PROXY', 'https_proxy']) {
        const run = await runSast({ url: `https://${TLS_HOST}` }, { 'max-attempts': 1 }, { [variable]: `http://127.0.0.1:${closed}` });
        const message = assertActionFailed(
          run,
          {
            endpoint: `https://${TLS_HOST}${IDENTITY_TOKEN_PATH}`,
            says: new RegExp(`cannot reach the proxy 127\\.0\\.0\\.1:${closed} \\(${variable}\\)`),
            hint: new RegExp(`check the host and port in ${variable}`),
          },
          SAST_SECRETS,
        );
        assert.doesNotMatch(message, /server-url/);
      }
    });

    test('a proxy answering 407 to a plain request is named by its variable', async () => {
      const proxy = await startProxy({ auth: PROXY_AUTH });
      try {
        const run = await runSast(
          { url: 'http://cx.example.test' },
          { 'max-attempts': 1 },
          { HTTP_PROXY: `http://127.0.0.1:${proxy.port}` },
        );
        const message = assertActionFailed(
          run,
          {
            endpoint: `http://cx.example.test${IDENTITY_TOKEN_PATH}`,
            status: 407,
            says: /\(HTTP_PROXY\) answered HTTP 407/,
            hint: /put them in HTTP_PROXY/,
          },
          SAST_SECRETS,
        );
        assert.doesNotMatch(message, /server-url/);
      } finally {
        await proxy.close();
      }
    });

    test('an unwritable GITHUB_OUTPUT or GITHUB_ENV is named', async () => {
      for (const variable of ['GITHUB_OUTPUT', 'GITHUB_ENV']) {
        const run = await runSast(server, {}, { [variable]: join(temp, 'missing-dir', 'file') });
        assert.equal(run.code, 1);
        assert.match(errorOf(run), new RegExp(`^Cannot write .* to ${variable} \\(.*missing-dir.*\\): ENOENT`));
        assertClean(run, [...SAST_SECRETS, ...server.issuedAccessTokens]);
      }
    });

    test('a client that does not match the API key is not blamed on expired client secrets', async () => {
      const key = makeApiKey({ realmUrl: `${server.url}/auth/realms/${DEFAULT_REALM.name}` });
      const run = await runAction({ inputs: { product: 'cxone', 'api-key': key, 'client-id': 'not-the-key-client' }, env: DEBUG });
      const message = assertActionFailed(
        run,
        {
          product: 'Checkmarx One',
          endpoint: server.url + keycloakTokenPath(DEFAULT_REALM.name),
          hint: /does not match the API key: leave client-id empty/,
        },
        [key],
      );
      assert.doesNotMatch(message, /expire/);
    });
  });

  test('the CLI: a reader that closes stdout early gets no stack trace', async () => {
    const script = `"$NODE" "$CLI" --product sast --server-url "$URL" | true; exit 0`;
    const env = cleanEnv({
      NODE: process.execPath,
      CLI: CLI_ENTRY,
      URL: server.url,
      CX_USERNAME: DEFAULT_SAST_USER.username,
      CX_PASSWORD: DEFAULT_SAST_USER.password,
    });
    const run = await runProcess('sh', ['-c', script], { env, cwd: temp, timeoutMs: 30_000 });
    assert.equal(server.requests.length, 1);
    assert.doesNotMatch(run.stderr, /EPIPE|^\s+at /m, run.stderr);
  });
});
