// Proves the test-support layer itself: token server, CA, proxy, runner helpers.

import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as https from 'node:https';
import type { Socket } from 'node:net';
import * as tls from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { decodeJwt, makeApiKey } from './support/jwt.ts';
import { openTunnel, startProxy } from './support/proxy.ts';
import { assertNoLeak, parseFileCommands, parseMasks } from './support/run.ts';
import { makeTestCa } from './support/tls.ts';
import type { TestCa } from './support/tls.ts';
import {
  DEFAULT_OIDC_CLIENT,
  DEFAULT_REALM,
  DEFAULT_SAST_TOKEN,
  DEFAULT_SAST_USER,
  DEFAULT_SCA,
  IDENTITY_TOKEN_PATH,
  SAST_CLI_CLIENT,
  SAST_CLIENT_SECRET,
  SCA_TOKEN_PATH,
  keycloakTokenPath,
  listenOnLoopback,
  startTokenServer,
} from './support/token-server.ts';
import type { TokenServer } from './support/token-server.ts';
import { commandLines, isCommand } from './support/commands.ts';
import { startCheckmarxUpstream, type CheckmarxUpstream } from './support/checkmarx-upstream.ts';
import { acceptedLoot, loot, replay } from './support/thief.ts';

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function postForm(url: string, fields: Record<string, string>): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

function sastForm(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    grant_type: 'password',
    username: DEFAULT_SAST_USER.username,
    password: DEFAULT_SAST_USER.password,
    scope: 'sast_rest_api',
    client_id: 'resource_owner_client',
    client_secret: SAST_CLIENT_SECRET,
    ...overrides,
  };
}

/** HTTPS POST over an already-open tunnel socket, verifying the server as `host` with `ca`. */
function postOverTunnel(socket: Socket, host: string, ca: string, path: string, fields: Record<string, string>): Promise<Answer> {
  const body = new URLSearchParams(fields).toString();
  return new Promise((resolve, reject) => {
    const request = https.request(
      {
        host,
        port: 443,
        path,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
        createConnection: () => tls.connect({ socket, servername: host, ca }),
      },
      (response) => {
        let text = '';
        response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown> }));
      },
    );
    request.once('error', reject);
    request.end(body);
  });
}

describe('token server: IdentityServer (CxSAST, Access Control)', () => {
  let server: TokenServer;
  before(async () => (server = await startTokenServer()));
  after(() => server.close());

  test('password grant succeeds for both SAST clients and records the form', async () => {
    const sast = await postForm(server.url + IDENTITY_TOKEN_PATH, sastForm());
    assert.equal(sast.status, 200);
    assert.deepEqual(
      { ...sast.body, access_token: 'x' },
      { access_token: 'x', expires_in: 3600, token_type: 'Bearer', scope: 'sast_rest_api' },
    );
    const odata = await postForm(
      server.url + IDENTITY_TOKEN_PATH,
      sastForm({ client_id: 'resource_owner_sast_client', scope: 'access_control_api sast_api' }),
    );
    assert.equal(odata.body['scope'], 'access_control_api sast_api');
    const first = server.requests[0];
    assert.equal(first?.host, '127.0.0.1');
    assert.equal(first?.form['password'], DEFAULT_SAST_USER.password);
  });

  test('documented error bodies', async () => {
    const url = server.url + IDENTITY_TOKEN_PATH;
    const cases: Array<[Record<string, string>, unknown]> = [
      [{ password: 'wrong' }, { error: 'invalid_grant', error_description: 'invalid_username_or_password' }],
      [{ client_secret: 'wrong' }, { error: 'invalid_client' }],
      [{ scope: 'sca_api' }, { error: 'invalid_scope' }],
      [{ grant_type: 'client_credentials' }, { error: 'unauthorized_client' }],
      [{ grant_type: 'refresh_token', refresh_token: DEFAULT_SAST_TOKEN }, { error: 'unauthorized_client' }],
      [{ grant_type: 'device_code' }, { error: 'unsupported_grant_type' }],
    ];
    for (const [overrides, expected] of cases) {
      const answer = await postForm(url, sastForm(overrides));
      assert.equal(answer.status, 400);
      assert.deepEqual(answer.body, expected);
    }
  });

  test("cli_client's refresh grant: the CxSAST CLI's token, with that client's secret only", async () => {
    const url = server.url + IDENTITY_TOKEN_PATH;
    const refresh = (overrides: Record<string, string> = {}) =>
      postForm(url, {
        grant_type: 'refresh_token',
        client_id: SAST_CLI_CLIENT.id,
        client_secret: SAST_CLI_CLIENT.secret,
        refresh_token: DEFAULT_SAST_TOKEN,
        ...overrides,
      });
    const ok = await refresh();
    assert.equal(ok.status, 200);
    assert.equal(ok.body['scope'], 'sast_rest_api offline_access');
    assert.equal(ok.body['refresh_token'], DEFAULT_SAST_TOKEN, 'cli_client reuses its refresh token');
    assert.equal(decodeJwt(ok.body['access_token'] as string)?.['client_id'], SAST_CLI_CLIENT.id);
    assert.deepEqual((await refresh({ client_secret: SAST_CLIENT_SECRET })).body, { error: 'invalid_client' });
    assert.deepEqual((await refresh({ refresh_token: 'F00D' })).body, { error: 'invalid_grant' });
    assert.deepEqual((await refresh({ refresh_token: '' })).body, { error: 'invalid_request' });
    // GenerateToken: the password grant with cli_client and offline_access makes a token the refresh grant takes.
    const generated = await postForm(
      url,
      sastForm({ client_id: SAST_CLI_CLIENT.id, client_secret: SAST_CLI_CLIENT.secret, scope: 'sast_rest_api offline_access' }),
    );
    const token = generated.body['refresh_token'] as string;
    assert.match(token, /^[0-9A-F]{64}$/);
    assert.equal((await refresh({ refresh_token: token })).status, 200);
    // A handle is good only for the client it was issued to.
    server.config.sastClients['other_cli'] = { secret: 's', scopes: ['sast_rest_api'], grants: ['refresh_token'] };
    try {
      assert.deepEqual((await refresh({ client_id: 'other_cli', client_secret: 's' })).body, { error: 'invalid_grant' });
    } finally {
      delete server.config.sastClients['other_cli'];
    }
  });

  test('an OIDC client allowed client_credentials: no user, only its scopes, only that grant', async () => {
    const url = server.url + IDENTITY_TOKEN_PATH;
    const credentials = (overrides: Record<string, string> = {}) =>
      postForm(url, {
        grant_type: 'client_credentials',
        client_id: DEFAULT_OIDC_CLIENT.clientId,
        client_secret: DEFAULT_OIDC_CLIENT.clientSecret,
        scope: 'sast_rest_api',
        ...overrides,
      });
    const ok = await credentials();
    assert.equal(ok.status, 200);
    assert.equal(ok.body['scope'], 'sast_rest_api');
    assert.equal(ok.body['refresh_token'], undefined);
    const claims = decodeJwt(ok.body['access_token'] as string);
    assert.equal(claims?.['client_id'], DEFAULT_OIDC_CLIENT.clientId);
    assert.equal(claims?.['sub'], undefined, 'no user');
    assert.deepEqual((await credentials({ client_secret: 'wrong' })).body, { error: 'invalid_client' });
    assert.deepEqual((await credentials({ scope: 'sca_api' })).body, { error: 'invalid_scope' });
    assert.deepEqual(
      (await postForm(url, sastForm({ client_id: DEFAULT_OIDC_CLIENT.clientId, client_secret: DEFAULT_OIDC_CLIENT.clientSecret }))).body,
      { error: 'unauthorized_client' },
    );
  });

  test('scripted responses come first, in order; destroy closes the socket', async () => {
    server.enqueue({ status: 429, headers: { 'Retry-After': '1' }, body: { error: 'slow down' } });
    server.enqueue({ destroy: true });
    const limited = await fetch(server.url + IDENTITY_TOKEN_PATH, { method: 'POST' });
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get('retry-after'), '1');
    await limited.text();
    await assert.rejects(fetch(server.url + IDENTITY_TOKEN_PATH, { method: 'POST' }));
    assert.equal((await postForm(server.url + IDENTITY_TOKEN_PATH, sastForm())).status, 200);
  });
});

// close() waiting for the delayed answer (2 minutes) would fail the test at its timeout.
test('token server: chunked bodies arrive whole; close() does not wait for a delayed answer', { timeout: 60_000 }, async () => {
  const server = await startTokenServer();
  server.enqueue({
    status: 503,
    body: '<html>down</html>',
    headers: { 'content-type': 'text/html' },
    chunks: { count: 3, intervalMs: 10 },
  });
  const chunked = await fetch(server.url + IDENTITY_TOKEN_PATH, { method: 'POST' });
  assert.equal(chunked.status, 503);
  assert.equal(await chunked.text(), '<html>down</html>');
  server.enqueue({ status: 200, delayMs: 120_000 });
  const pending = fetch(server.url + IDENTITY_TOKEN_PATH, { method: 'POST' });
  while (server.requests.length < 2) await new Promise((resolve) => setTimeout(resolve, 5));
  await server.close();
  await assert.rejects(pending);
});

describe('token server: SCA', () => {
  let server: TokenServer;
  before(async () => (server = await startTokenServer()));
  after(() => server.close());

  const scaForm = (tenant: string) => ({
    grant_type: 'password',
    username: DEFAULT_SCA.username,
    password: DEFAULT_SCA.password,
    scope: 'sca_api',
    client_id: 'sca_resource_owner',
    acr_values: `Tenant:${tenant}`,
  });

  test('tenant user succeeds; unknown tenant is invalid_grant', async () => {
    const ok = await postForm(server.url + SCA_TOKEN_PATH, scaForm(DEFAULT_SCA.tenant));
    assert.equal(ok.status, 200);
    assert.equal(ok.body['scope'], 'sca_api');
    assert.equal(ok.body['expires_in'], 3600);
    const unknown = await postForm(server.url + SCA_TOKEN_PATH, scaForm('nobody'));
    assert.equal(unknown.status, 400);
    assert.deepEqual(unknown.body, { error: 'invalid_grant', error_description: 'invalid_username_or_password' });
  });
});

describe('token server: Keycloak (Checkmarx One)', () => {
  let server: TokenServer;
  let tokenUrl: string;
  before(async () => {
    server = await startTokenServer();
    tokenUrl = server.url + keycloakTokenPath(DEFAULT_REALM.name);
  });
  after(() => server.close());
  const realmUrl = `https://iam.checkmarx.net/auth/realms/${DEFAULT_REALM.name}`;
  const refresh = (key: string, clientId = 'ast-app') => ({ grant_type: 'refresh_token', client_id: clientId, refresh_token: key });

  test('API keys in every aud / iss shape are exchanged', async () => {
    for (const shape of [{}, { audArray: true }, { useIss: true }]) {
      const answer = await postForm(tokenUrl, refresh(makeApiKey({ realmUrl, ...shape })));
      assert.equal(answer.status, 200, JSON.stringify(shape));
      assert.equal(answer.body['expires_in'], 1800);
      const claims = decodeJwt(String(answer.body['access_token']));
      assert.equal(claims?.['iss'], `${server.url}/auth/realms/acme`);
      assert.equal(claims?.['tenant_name'], 'acme');
      assert.equal(claims?.['ast-base-url'], DEFAULT_REALM.astBaseUrl);
      assert.ok(server.issuedRefreshTokens.includes(String(answer.body['refresh_token'])));
    }
  });

  test('foreign, revoked and mismatched keys are refused', async () => {
    const foreign = await postForm(tokenUrl, refresh(makeApiKey({ realmUrl: 'https://iam.checkmarx.net/auth/realms/other' })));
    assert.deepEqual(foreign.body, { error: 'invalid_grant', error_description: 'Invalid refresh token' });
    server.revokedKeyIds.add('gone');
    const revoked = await postForm(tokenUrl, refresh(makeApiKey({ realmUrl, jti: 'gone' })));
    assert.equal(revoked.status, 400);
    const custom = makeApiKey({ realmUrl, azp: 'custom-app' });
    assert.equal((await postForm(tokenUrl, refresh(custom))).status, 400);
    assert.equal((await postForm(tokenUrl, refresh(custom, 'custom-app'))).status, 200);
  });

  test('client credentials, unknown realm, wrong method and media type', async () => {
    const good = { grant_type: 'client_credentials', client_id: DEFAULT_REALM.clientId, client_secret: DEFAULT_REALM.clientSecret };
    const ok = await postForm(tokenUrl, good);
    assert.equal(ok.status, 200);
    assert.equal(ok.body['refresh_token'], undefined);
    const bad = await postForm(tokenUrl, { ...good, client_secret: 'nope' });
    assert.equal(bad.status, 401);
    assert.deepEqual(bad.body, { error: 'unauthorized_client', error_description: 'Invalid client or Invalid client credentials' });
    const noRealm = await postForm(server.url + keycloakTokenPath('missing'), good);
    assert.deepEqual(noRealm, { status: 404, body: { error: 'Realm does not exist' } });
    assert.equal((await fetch(tokenUrl)).status, 405);
    assert.equal((await fetch(tokenUrl, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status, 415);
  });

  test('logout and revoke are recorded and revoke the key', async () => {
    const key = makeApiKey({ realmUrl, jti: 'to-revoke' });
    const logout = await fetch(`${server.url}/auth/realms/acme/protocol/openid-connect/logout`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: 'ast-app', refresh_token: key }),
    });
    assert.equal(logout.status, 204);
    assert.equal(server.revocations.length, 1);
    assert.ok(server.revokedKeyIds.has('to-revoke'));
  });
});

describe('TLS and proxies', () => {
  let ca: TestCa;
  before(async () => (ca = await makeTestCa()));
  after(() => ca.cleanup());

  test('an issued certificate is trusted with the CA and only with it', async () => {
    const server = tls.createServer(ca.issue(['cx.example.test']), (socket) => socket.end('hi'));
    const port = await listenOnLoopback(server);
    try {
      const greeting = await new Promise<string>((resolve, reject) => {
        const socket = tls.connect({ host: '127.0.0.1', port, servername: 'cx.example.test', ca: ca.certPem }, () => {
          socket.setEncoding('utf8').once('data', resolve);
        });
        socket.once('error', reject);
      });
      assert.equal(greeting, 'hi');
      await assert.rejects(
        new Promise((resolve, reject) =>
          tls.connect({ host: '127.0.0.1', port, servername: 'cx.example.test' }, () => resolve(undefined)).once('error', reject),
        ),
        /self.signed|unable to (get|verify)/i,
      );
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('MITM proxy serves the token server as https://iam.checkmarx.net', async () => {
    const server = await startTokenServer();
    const proxy = await startProxy({ mitm: { ca, handler: server.handler } });
    try {
      const { status, socket } = await openTunnel(proxy.url, 'iam.checkmarx.net:443');
      assert.equal(status, 200);
      const key = makeApiKey({ realmUrl: 'https://iam.checkmarx.net/auth/realms/acme' });
      const answer = await postOverTunnel(socket, 'iam.checkmarx.net', ca.certPem, keycloakTokenPath('acme'), {
        grant_type: 'refresh_token',
        client_id: 'ast-app',
        refresh_token: key,
      });
      assert.equal(answer.status, 200);
      assert.equal(decodeJwt(String(answer.body['access_token']))?.['iss'], 'https://iam.checkmarx.net/auth/realms/acme');
      assert.deepEqual(proxy.connects, ['iam.checkmarx.net:443']);
      assert.equal(server.requests[0]?.host, 'iam.checkmarx.net');
    } finally {
      await proxy.close();
      await server.close();
    }
  });

  test('tunnel route reaches an HTTPS token server; unknown targets get 502', async () => {
    const server = await startTokenServer({ tls: ca.issue(['cx.example.test']) });
    const proxy = await startProxy({ routes: { 'cx.example.test:443': `127.0.0.1:${server.port}` } });
    try {
      const { status, socket } = await openTunnel(proxy.url, 'cx.example.test:443');
      assert.equal(status, 200);
      const answer = await postOverTunnel(socket, 'cx.example.test', ca.certPem, IDENTITY_TOKEN_PATH, sastForm());
      assert.equal(answer.status, 200);
      assert.equal(server.requests[0]?.host, 'cx.example.test');
      const unknown = await openTunnel(proxy.url, 'elsewhere.test:443');
      assert.equal(unknown.status, 502);
      unknown.socket.destroy();
    } finally {
      await proxy.close();
      await server.close();
    }
  });

  test('plain-HTTP absolute-form requests follow the routes', async () => {
    const server = await startTokenServer();
    const proxy = await startProxy({ routes: { 'cx.example.test:80': `127.0.0.1:${server.port}` } });
    try {
      const body = new URLSearchParams(sastForm()).toString();
      const status = await new Promise<number>((resolve, reject) => {
        const request = http.request(
          {
            host: '127.0.0.1',
            port: proxy.port,
            method: 'POST',
            path: `http://cx.example.test${IDENTITY_TOKEN_PATH}`,
            headers: { host: 'cx.example.test', 'content-type': 'application/x-www-form-urlencoded' },
          },
          (response) => response.resume().once('end', () => resolve(response.statusCode ?? 0)),
        );
        request.once('error', reject);
        request.end(body);
      });
      assert.equal(status, 200);
      assert.deepEqual(proxy.forwarded, [`http://cx.example.test${IDENTITY_TOKEN_PATH}`]);
    } finally {
      await proxy.close();
      await server.close();
    }
  });

  test('proxy auth: 407 without credentials, tunnel with them', async () => {
    const auth = { username: 'proxy-user', password: 'pr0xy pass' };
    const server = await startTokenServer();
    const proxy = await startProxy({ auth, routes: { 'cx.example.test:80': `127.0.0.1:${server.port}` } });
    try {
      const denied = await openTunnel(proxy.url, 'cx.example.test:80');
      assert.equal(denied.status, 407);
      denied.socket.destroy();
      const basic = Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
      const allowed = await openTunnel(proxy.url, 'cx.example.test:80', { 'proxy-authorization': `Basic ${basic}` });
      assert.equal(allowed.status, 200);
      allowed.socket.destroy();
    } finally {
      await proxy.close();
      await server.close();
    }
  });
});

describe('runner helpers', () => {
  test('file commands: heredoc and name=value', () => {
    const text = 'access-token<<ghadelimiter_1\nabc\nghadelimiter_1\nscope<<ghadelimiter_2\na\nb\nghadelimiter_2\nplain=x=y\n';
    assert.deepEqual(parseFileCommands(text), { 'access-token': 'abc', scope: 'a\nb', plain: 'x=y' });
    assert.deepEqual(parseMasks('::add-mask::p%25q%0Ar\nhello\n'), ['p%q\nr']);
  });

  test('assertNoLeak catches encoded forms and ignores mask lines', () => {
    const secret = 'Sast p@ss&word=1';
    assertNoLeak({ stdout: `::add-mask::${secret}\ndone\n`, stderr: '' }, [secret, '']);
    assert.throws(
      () => assertNoLeak({ stdout: '', stderr: 'password=Sast+p%40ss%26word%3D1' }, ['x', secret]),
      (error: Error) => {
        assert.match(error.message, /secret #1 \(form-encoded\) leaked in stderr/);
        assert.ok(!error.message.includes(secret));
        return true;
      },
    );
  });
});

describe('support/commands', () => {
  test('finds the lines a runner or an agent would act on, past the allowed prefix', () => {
    assert.deepEqual(commandLines('ok\n  ::warning::x\r\n::add-mask::v\nsay ##vso[task.complete]\n::debug::a ##[group]b\n'), [
      '  ::warning::x',
      'say ##vso[task.complete]',
      '::debug::a ##[group]b',
    ]);
    assert.ok(isCommand('::error::x'));
    assert.ok(!isCommand('::error::x', /^::error::/));
    assert.ok(!isCommand('a :: b ## [c]'));
  });
});

describe('support/thief: what a sealed job lets a thief take away', () => {
  const apiKey = makeApiKey({ realmUrl: `https://iam.checkmarx.net/auth/realms/${DEFAULT_REALM.name}` });
  let upstream: CheckmarxUpstream;
  before(async () => {
    upstream = await startCheckmarxUpstream({ iam: { signedApiKeys: [apiKey] } });
  });
  after(() => upstream.close());

  test('loot finds a key inside CX_AUTH_SOCK, an export line and JSON', () => {
    const key = 'k3y_of-the.agent~0123456789';
    const values = loot([`export CX_AUTH_SOCK='/tmp/cxauth-x/agent.sock#${key}'`, `{"accessToken":"${key}x"}`]);
    assert.ok(values.has(key) && values.has(`${key}x`) && values.has('/tmp/cxauth-x/agent.sock'));
  });

  test('every real credential is accepted in its role, so the replay can fail', async () => {
    const token = (await postForm(upstream.iam.url + IDENTITY_TOKEN_PATH, sastForm())).body['access_token'] as string;
    const accepted = await acceptedLoot(upstream, [
      DEFAULT_SAST_USER.password,
      DEFAULT_SCA.password,
      DEFAULT_REALM.clientSecret,
      apiKey,
      DEFAULT_SAST_TOKEN,
      token,
    ]);
    assert.deepEqual(Object.fromEntries(accepted), {
      [DEFAULT_SAST_USER.password]: ['the CxSAST password of cxadmin'],
      [DEFAULT_SCA.password]: ['the SCA password of sca-user'],
      [DEFAULT_REALM.clientSecret]: [`the client secret of ${DEFAULT_REALM.clientId}`],
      [apiKey]: ['an API key as ast-app'],
      [DEFAULT_SAST_TOKEN]: ['a CxSAST token (GenerateToken)'],
      [token]: ['a bearer token at the API'],
    });
  });

  test("a JWT of the realm that the IAM did not sign is refused as a key only with signedApiKeys, as Keycloak's signature check does", async () => {
    const forged = makeApiKey({ realmUrl: `${upstream.iam.url}/auth/realms/${DEFAULT_REALM.name}`, azp: 'checkmarx-auth-job' });
    assert.deepEqual(await replay(upstream, forged), []);
    const lax = await startCheckmarxUpstream();
    try {
      assert.deepEqual(await replay(lax, forged), ['an API key as checkmarx-auth-job']);
    } finally {
      await lax.close();
    }
  });
});
