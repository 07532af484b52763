// The sealed facade (src/agent/sealed/) against Checkmarx as it runs: the IAM and the API on
// separate loopback origins, the API accepting only tokens its IAM issued. Clients are written
// the way the real ones are: `cx` (ast-cli), the Python SDK for Checkmarx One and for CxSAST, the
// SCA resolver, an MCP client reading server-sent events, and plain curl-like requests. Every
// guard and read-only refusal is shown to reach nothing upstream.

import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { TokenCache } from '../src/agent/cache.ts';
import { agentToken } from '../src/agent/protocol.ts';
import { startFacade, type Facade, type FacadeOptions } from '../src/agent/sealed/facade.ts';
import { realTokensFrom } from '../src/agent/sealed/real-tokens.ts';
import { requestToken } from '../src/core/grant.ts';
import type { RawInputs } from '../src/core/inputs.ts';
import type { ProductName } from '../src/core/products.ts';
import { resolveSettings } from '../src/core/settings.ts';
import { SYSTEM_IO } from '../src/io/system.ts';
import type { UpstreamSettings } from '../src/io/upstream.ts';
import { proxyFor } from '../src/io/proxy.ts';
import { proxySettings as proxySettingsOf } from '../src/core/transport.ts';
import type { TransportFailure } from '../src/core/transport.ts';
import { startCheckmarxUpstream, upstreamInputs, type CheckmarxUpstream } from './support/checkmarx-upstream.ts';
import { NO_FILES } from './support/fixtures.ts';
import { decodeJwt, makeJwt } from './support/jwt.ts';
import { waitFor } from './support/processes.ts';
import { startProxy, type TestProxy } from './support/proxy.ts';
import { sharedTestCa } from './support/tls.ts';
import {
  DEFAULT_REALM,
  DEFAULT_SAST_USER,
  DEFAULT_SCA,
  IDENTITY_TOKEN_PATH,
  listenOnLoopback,
  SAST_CLIENT_SECRET,
} from './support/token-server.ts';

const SILENT = { info: () => {}, warning: () => {}, debug: () => {} };
const DIRECT: UpstreamSettings = { timeoutMs: 30_000, insecureSkipTlsVerify: false };

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * One HTTP request as curl sends it: the path exactly as given (no dot segments resolved), any Host,
 * any header, the body with its length; the whole answer read.
 */
function send(url: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Answer> {
  const [, host, port, path] = /^http:\/\/([^/:]+):(\d+)(\/.*)?$/.exec(url)!;
  const length = options.body === undefined ? {} : { 'Content-Length': String(Buffer.byteLength(options.body)) };
  return new Promise((resolve, reject) => {
    const headers = { ...length, ...options.headers };
    const request = http.request({ host, port, path: path ?? '/', method: options.method ?? 'GET', headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.once('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }),
      );
      response.once('error', reject);
    });
    request.once('error', reject);
    request.end(options.body);
  });
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

/** The real tokens of one product: the core's own exchange against the test IAM, in the agent's cache. */
function realTokens(values: RawInputs) {
  const settings = resolveSettings(values, NO_FILES);
  let exchanges = 0;
  const cache = new TokenCache(
    async () => {
      exchanges++;
      return agentToken(await requestToken(settings.plan, settings.transport, { ...SYSTEM_IO, log: SILENT }));
    },
    () => performance.now(),
  );
  return { tokens: realTokensFrom(cache), exchanges: () => exchanges };
}

interface Sealed {
  facade: Facade;
  upstream: CheckmarxUpstream;
  exchanges: () => number;
  /** Requests that reached the IAM or the API so far. */
  reached: () => number;
}

async function startSealed(
  product: ProductName,
  extra: Partial<FacadeOptions> & { upstream?: UpstreamSettings } = {},
  upstream?: CheckmarxUpstream,
): Promise<Sealed> {
  const checkmarx = upstream ?? (await startCheckmarxUpstream());
  // Checkmarx One's access token names its API host (ast-base-url): here the test API.
  checkmarx.iam.config.realms[DEFAULT_REALM.name]!.astBaseUrl = checkmarx.api.url;
  const { tokens, exchanges } = realTokens(upstreamInputs(product, checkmarx));
  const tenant = product === 'cxone' ? DEFAULT_REALM.name : product === 'sca' ? DEFAULT_SCA.tenant : undefined;
  const facade = await startFacade({ product, tokens, upstream: DIRECT, ...(tenant ? { tenant } : {}), ...extra });
  return { facade, upstream: checkmarx, exchanges, reached: () => checkmarx.iam.requests.length + checkmarx.api.requests.length };
}

/** What no answer of the facade may hold: a token the IAM issued. */
function assertNoRealToken(upstream: CheckmarxUpstream, ...answers: Answer[]): void {
  const real = upstream.iam.issuedAccessTokens;
  assert.ok(real.length > 0, 'the test saw no real token at all');
  for (const answer of answers) {
    const text = answer.body + JSON.stringify(answer.headers);
    for (const token of real) assert.ok(!text.includes(token), 'an answer of the facade holds a real token');
  }
}

// ---- clients shaped like the real ones ----

/** `cx` (ast-cli, internal/wrappers/client.go): client_credentials by form, or by HTTP Basic. */
async function cxLogin(env: Record<string, string>, basic: boolean): Promise<Answer> {
  const url = `${env.CX_BASE_AUTH_URI}/auth/realms/${env.CX_TENANT!.toLowerCase()}/protocol/openid-connect/token`;
  const escape = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  if (basic) {
    const authorization = `Basic ${Buffer.from(`${escape(env.CX_CLIENT_ID!)}:${escape(env.CX_CLIENT_SECRET!)}`).toString('base64')}`;
    return send(url, {
      method: 'POST',
      headers: { ...FORM, Authorization: authorization, 'User-Agent': 'ASTCLI/test' },
      body: 'grant_type=client_credentials',
    });
  }
  const body = form({ grant_type: 'client_credentials', client_id: env.CX_CLIENT_ID!, client_secret: env.CX_CLIENT_SECRET! });
  return send(url, { method: 'POST', headers: { ...FORM, 'User-Agent': 'ASTCLI/test' }, body });
}

/** `cx` then calls the API at the host its access token names (ast-base-url), + /api. */
function cxCall(accessToken: string, path: string): Promise<Answer> {
  const base = decodeJwt(accessToken)?.['ast-base-url'];
  assert.equal(typeof base, 'string', 'the token has no ast-base-url claim');
  return send(`${base as string}/api${path}`, { headers: { Authorization: `Bearer ${accessToken}`, Accept: 'application/json' } });
}

/** What a sealed Checkmarx One job's variables say (SPEC, "What the job's code sees"). */
function cxoneEnv(facade: Facade): Record<string, string> {
  return {
    CX_BASE_AUTH_URI: facade.url,
    CX_BASE_URI: facade.url,
    CX_TENANT: 'ACME',
    CX_CLIENT_ID: facade.credential.name,
    CX_CLIENT_SECRET: facade.credential.key,
  };
}

describe('Checkmarx One through the facade', () => {
  let sealed: Sealed;
  before(async () => {
    sealed = await startSealed('cxone');
  });
  after(async () => {
    await sealed.facade.close();
    await sealed.upstream.close();
  });

  for (const basic of [false, true]) {
    test(`cx logs in with the job client (${basic ? 'HTTP Basic' : 'form'}), reads ast-base-url and calls the real API with a real token`, async () => {
      const { facade, upstream } = sealed;
      const login = await cxLogin(cxoneEnv(facade), basic);
      assert.equal(login.status, 200, login.body);
      const body = JSON.parse(login.body) as Record<string, unknown>;
      assert.deepEqual(Object.keys(body).sort(), [
        'access_token',
        'expires_in',
        'not-before-policy',
        'refresh_expires_in',
        'scope',
        'token_type',
      ]);
      const phantom = body.access_token as string;
      const claims = decodeJwt(phantom)!;
      assert.equal(claims['ast-base-url'], facade.url);
      assert.equal(claims.iss, `${facade.url}/auth/realms/acme`);
      assert.equal(claims.tenant_name, 'acme');
      assert.equal(claims.azp, facade.credential.name);
      assert.equal(typeof claims.jti, 'string');
      const real = upstream.iam.issuedAccessTokens.at(-1)!;
      assert.ok((claims.exp as number) <= (decodeJwt(real)!.exp as number), 'the phantom outlives the real token');
      assert.ok((body.expires_in as number) > 60);

      const seen = upstream.api.requests.length;
      const answer = await cxCall(phantom, '/projects?limit=10&offset=0');
      assert.equal(answer.status, 200, answer.body);
      assert.deepEqual(JSON.parse(answer.body), {
        method: 'GET',
        url: '/api/projects?limit=10&offset=0',
        host: new URL(upstream.api.url).host,
      });
      const arrived = upstream.api.requests.slice(seen);
      assert.equal(arrived.length, 1);
      assert.ok(arrived[0]!.authorized, 'the API did not get a token its IAM issued');
      assert.equal(arrived[0]!.headers.accept, 'application/json');
      assertNoRealToken(upstream, login, answer);
    });
  }

  test('the phantom is refused by the real API and the real token is refused by the facade', async () => {
    const { facade, upstream } = sealed;
    const login = await cxLogin(cxoneEnv(facade), false);
    const phantom = (JSON.parse(login.body) as { access_token: string }).access_token;
    const direct = await send(`${upstream.api.url}/api/projects`, { headers: { Authorization: `Bearer ${phantom}` } });
    assert.equal(direct.status, 401);
    const real = upstream.iam.issuedAccessTokens.at(-1)!;
    const seen = upstream.api.requests.length;
    const viaFacade = await send(`${facade.url}/api/projects`, { headers: { Authorization: `Bearer ${real}` } });
    assert.equal(viaFacade.status, 401);
    assert.equal(viaFacade.headers['www-authenticate'], 'Bearer error="invalid_token"');
    assert.equal(upstream.api.requests.length, seen, 'a real token reached the API through the facade');
  });

  test('the Python SDK (CxOne) logs in with client_credentials and lists projects', async () => {
    const { facade, upstream } = sealed;
    // CheckmarxPythonSDK: access_control_url + /auth/realms/{tenant}/protocol/openid-connect/token, then server_base_url + /api/...
    const login = await send(`${facade.url}/auth/realms/acme/protocol/openid-connect/token`, {
      method: 'POST',
      headers: { ...FORM, 'User-Agent': 'python-requests/2.32' },
      body: form({ grant_type: 'client_credentials', client_id: facade.credential.name, client_secret: facade.credential.key }),
    });
    assert.equal(login.status, 200, login.body);
    const token = (JSON.parse(login.body) as { access_token: string }).access_token;
    const projects = await send(`${facade.url}/api/projects/?limit=5`, {
      headers: { Authorization: `Bearer ${token}`, Accept: 'application/json; version=1.0' },
    });
    assert.equal(projects.status, 200);
    assert.equal((JSON.parse(projects.body) as { url: string }).url, '/api/projects/?limit=5');
    assert.ok(upstream.api.requests.at(-1)!.authorized);
    assertNoRealToken(upstream, login, projects);
  });

  test('an MCP client reads the server-sent events one by one while the upstream is still sending', async () => {
    const { facade, upstream } = sealed;
    let clientRead = 0;
    let upstreamBody = '';
    upstream.api.route('/api/security-mcp/mcp/', (req, res) => {
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (upstreamBody += chunk));
      req.once('end', async () => {
        res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache' });
        for (let id = 1; id <= 3; id++) {
          res.write(`event: message\nid: ${id}\ndata: {"jsonrpc":"2.0","method":"notifications/progress","params":{"progress":${id}}}\n\n`);
          // The next event only once the client has read this one: a facade that held the stream fails here.
          await waitFor(`the client to read event ${id}`, () => clientRead >= id, 20_000);
        }
        res.end(`event: message\ndata: {"jsonrpc":"2.0","id":1,"result":{"tools":[]}}\n\n`);
      });
    });
    const phantom = await facade.phantom(60);
    const rpc = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} });
    const events: string[] = [];
    await new Promise<void>((resolve, reject) => {
      const request = http.request(
        `${facade.url}/api/security-mcp/mcp/acme`,
        {
          method: 'POST',
          agent: false,
          headers: {
            Authorization: `Bearer ${phantom.accessToken}`,
            'Content-Type': 'application/json',
            Accept: 'application/json, text/event-stream',
            'Content-Length': Buffer.byteLength(rpc),
          },
        },
        (response) => {
          assert.equal(response.headers['content-type'], 'text/event-stream');
          let buffered = '';
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => {
            buffered += chunk;
            for (let end = buffered.indexOf('\n\n'); end !== -1; end = buffered.indexOf('\n\n')) {
              events.push(buffered.slice(0, end));
              buffered = buffered.slice(end + 2);
              clientRead = events.length;
            }
          });
          response.once('end', resolve);
          response.once('error', reject);
        },
      );
      request.once('error', reject);
      request.end(rpc);
    });
    assert.equal(events.length, 4);
    assert.match(events[3]!, /"result":\{"tools":\[\]\}/);
    assert.equal(upstreamBody, rpc);
    assert.ok(upstream.api.requests.at(-1)!.authorized);
  });
});

describe('the self-hosted products through the facade (CXSAST_BASE_URL pointing at it)', () => {
  for (const product of ['sast', 'sast-odata', 'access-control'] as const) {
    test(`${product}: the Python SDK's password login, then the REST and OData APIs in any case`, async () => {
      const sealed = await startSealed(product);
      const { facade, upstream } = sealed;
      try {
        const base = facade.url; // CXSAST_BASE_URL
        const login = await send(`${base}/cxrestapi/auth/identity/connect/token`, {
          method: 'POST',
          headers: FORM,
          body: form({
            username: facade.credential.name,
            password: facade.credential.key,
            grant_type: 'password',
            scope: 'sast_rest_api access_control_api',
            client_id: 'resource_owner_sast_client',
            client_secret: SAST_CLIENT_SECRET,
          }),
        });
        assert.equal(login.status, 200, login.body);
        const body = JSON.parse(login.body) as Record<string, unknown>;
        assert.deepEqual(Object.keys(body).sort(), ['access_token', 'expires_in', 'scope', 'token_type']);
        const phantom = body.access_token as string;
        assert.equal(decodeJwt(phantom)!.iss, `${base}/cxrestapi/auth/identity`);
        const auth = { Authorization: `Bearer ${phantom}` };
        for (const path of [
          '/cxrestapi/projects',
          '/CxRestAPI/sast/scans?last=1',
          '/Cxwebinterface/odata/v1/Projects?$top=1',
          '/cxrestapi/auth/Users',
        ]) {
          const answer = await send(base + path, { headers: auth });
          assert.equal(answer.status, 200, `${path}: ${answer.body}`);
          assert.equal((JSON.parse(answer.body) as { url: string }).url, path);
          assert.ok(upstream.api.requests.at(-1)!.authorized);
          assertNoRealToken(upstream, answer);
        }
        assert.equal(
          facade.apiUrl,
          base + { sast: '/cxrestapi', 'sast-odata': '/Cxwebinterface/odata/v1', 'access-control': '/cxrestapi/auth' }[product],
        );
        const wrong = await send(`${base}/cxrestapi/auth/identity/connect/token`, {
          method: 'POST',
          headers: FORM,
          body: form({ username: facade.credential.name, password: 'not-the-key', grant_type: 'password', client_id: 'x', scope: 'y' }),
        });
        assert.equal(wrong.status, 400);
        assert.equal((JSON.parse(wrong.body) as { error: string }).error, 'invalid_grant');
      } finally {
        await facade.close();
        await upstream.close();
      }
    });
  }
});

describe('SCA through the facade, the API over TLS through a proxy', () => {
  let sealed: Sealed;
  let proxy: TestProxy;
  before(async () => {
    const ca = await sharedTestCa();
    const upstream = await startCheckmarxUpstream({ apiTls: ca.issue(['api-sca.checkmarx.net']) });
    proxy = await startProxy({ routes: { 'api-sca.checkmarx.net:443': `127.0.0.1:${upstream.api.port}` } });
    sealed = await startSealed('sca', { upstream: { ...DIRECT, caCerts: [ca.certPem], proxy: { HTTPS_PROXY: proxy.url } } }, upstream);
  });
  after(async () => {
    await sealed.facade.close();
    await sealed.upstream.close();
    await proxy.close();
  });

  test("the SCA resolver's password login with acr_values, then the API host through the proxy's tunnel", async () => {
    const { facade, upstream } = sealed;
    const login = await send(`${facade.url}/identity/connect/token`, {
      method: 'POST',
      headers: FORM,
      body: form({
        grant_type: 'password',
        client_id: 'sca_resource_owner',
        scope: 'sca_api',
        username: facade.credential.name,
        password: facade.credential.key,
        acr_values: 'Tenant:acme',
      }),
    });
    assert.equal(login.status, 200, login.body);
    const phantom = (JSON.parse(login.body) as { access_token: string }).access_token;
    assert.equal(facade.apiUrl, facade.url);
    const projects = await send(`${facade.url}/risk-management/projects?name=x`, { headers: { Authorization: `Bearer ${phantom}` } });
    assert.equal(projects.status, 200, projects.body);
    assert.deepEqual(JSON.parse(projects.body), { method: 'GET', url: '/risk-management/projects?name=x', host: 'api-sca.checkmarx.net' });
    assert.ok(upstream.api.requests.at(-1)!.authorized);
    assert.ok(proxy.connects.includes('api-sca.checkmarx.net:443'));
    assertNoRealToken(upstream, login, projects);
  });

  test('another tenant in acr_values is refused, and /identity/ is never forwarded', async () => {
    const { facade, reached } = sealed;
    const phantom = (await facade.phantom(60)).accessToken;
    const before = reached();
    const login = await send(`${facade.url}/identity/connect/token`, {
      method: 'POST',
      headers: FORM,
      body: form({
        grant_type: 'password',
        client_id: 'sca_resource_owner',
        username: facade.credential.name,
        password: facade.credential.key,
        acr_values: 'Tenant:other',
      }),
    });
    assert.equal(login.status, 400);
    const identity = await send(`${facade.url}/identity/account`, { headers: { Authorization: `Bearer ${phantom}` } });
    assert.equal(identity.status, 404);
    assert.equal(reached(), before, 'a refused request reached Checkmarx');
  });
});

describe('the guards and read-only reach nothing upstream', () => {
  let sealed: Sealed;
  let readOnly: Facade;
  let clock = Date.now();
  before(async () => {
    sealed = await startSealed('cxone', { now: () => clock });
    const { tokens } = realTokens(upstreamInputs('cxone', sealed.upstream));
    readOnly = await startFacade({ product: 'cxone', tokens, upstream: DIRECT, tenant: 'acme', readOnly: true });
  });
  after(async () => {
    await readOnly.close();
    await sealed.facade.close();
    await sealed.upstream.close();
  });

  /** Runs a refused request and checks that neither the IAM nor the API heard of it. */
  async function refused(what: () => Promise<Answer>, status: number): Promise<Answer> {
    const before = sealed.reached();
    const answer = await what();
    assert.equal(answer.status, status, answer.body);
    assert.equal(sealed.reached(), before, `a request refused with ${status} reached Checkmarx`);
    return answer;
  }

  test('another Host is 421 (DNS rebinding); localhost:<port> is the facade too', async () => {
    const { facade } = sealed;
    const phantom = (await facade.phantom(60)).accessToken;
    const auth = { Authorization: `Bearer ${phantom}` };
    await refused(() => send(`${facade.url}/api/projects`, { headers: { ...auth, Host: `evil.example:${facade.port}` } }), 421);
    await refused(() => send(`${facade.url}/api/projects`, { headers: { ...auth, Host: '127.0.0.1' } }), 421);
    const local = await send(`${facade.url}/api/projects`, { headers: { ...auth, Host: `localhost:${facade.port}` } });
    assert.equal(local.status, 200);
  });

  test('headers over 16 KiB are 431, a token body over 64 KiB 413', async () => {
    const { facade } = sealed;
    await refused(() => send(`${facade.url}/api/projects`, { headers: { 'X-Padding': 'a'.repeat(17 * 1024) } }), 431);
    const phantom = (await facade.phantom(60)).accessToken;
    const large = await send(`${facade.url}/api/projects`, {
      headers: { Authorization: `Bearer ${phantom}`, 'X-Padding': 'a'.repeat(15 * 1024) },
    });
    assert.equal(large.status, 200, 'headers under 16 KiB were refused');
    const body = form({
      grant_type: 'client_credentials',
      client_id: facade.credential.name,
      client_secret: facade.credential.key,
      pad: 'a'.repeat(64 * 1024),
    });
    await refused(() => send(facade.tokenUrl, { method: 'POST', headers: FORM, body }), 413);
  });

  test('other paths are 404: outside the API, another realm, dot segments', async () => {
    const { facade } = sealed;
    const auth = { Authorization: `Bearer ${(await facade.phantom(60)).accessToken}` };
    for (const path of [
      '/',
      '/apix',
      '/auth/realms/other/protocol/openid-connect/token',
      '/auth/realms/%E0/protocol/openid-connect/token',
      '/api/../auth/admin',
      '/api/%2E%2e/auth/admin',
      '/api/./x',
    ]) {
      await refused(() => send(facade.url + path, { method: path.includes('/token') ? 'POST' : 'GET', headers: auth }), 404);
    }
  });

  test('no token, a forged, a tampered or an expired phantom is 401 invalid_token', async () => {
    const { facade } = sealed;
    const phantom = (await facade.phantom(60)).accessToken;
    const [header, payload, signature] = phantom.split('.') as [string, string, string];
    const forged = makeJwt(decodeJwt(phantom)!);
    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...decodeJwt(phantom)!, tenant_name: 'other' })).toString('base64url')}.${signature}`;
    const algNone = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`;
    for (const authorization of [undefined, 'Bearer', `Basic ${phantom}`, `Bearer ${forged}`, `Bearer ${tampered}`, `Bearer ${algNone}`]) {
      const answer = await refused(
        () => send(`${facade.url}/api/projects`, { headers: authorization ? { Authorization: authorization } : {} }),
        401,
      );
      assert.equal(answer.headers['www-authenticate'], 'Bearer error="invalid_token"');
    }
    const good = await send(`${facade.url}/api/projects`, { headers: { Authorization: `bearer ${phantom}` } });
    assert.equal(good.status, 200);
    clock += ((decodeJwt(phantom)!.exp as number) - Math.floor(clock / 1000)) * 1000;
    try {
      await refused(() => send(`${facade.url}/api/projects`, { headers: { Authorization: `Bearer ${phantom}` } }), 401);
    } finally {
      clock = Date.now();
    }
  });

  test('a wrong job client or key is 401 invalid_client and another grant 400, reaching nothing', async () => {
    const { facade } = sealed;
    const login = (fields: Record<string, string>) => send(facade.tokenUrl, { method: 'POST', headers: FORM, body: form(fields) });
    const { name, key } = facade.credential;
    await refused(() => login({ grant_type: 'client_credentials', client_id: name, client_secret: `${key}x` }), 401);
    await refused(
      () => login({ grant_type: 'client_credentials', client_id: DEFAULT_REALM.clientId, client_secret: DEFAULT_REALM.clientSecret }),
      401,
    );
    await refused(() => login({ grant_type: 'password', client_id: name, client_secret: key, username: 'u', password: 'p' }), 400);
    await refused(() => send(facade.tokenUrl), 405);
  });

  test('read-only: only GET, HEAD and OPTIONS are forwarded; anything else is 405', async () => {
    const auth = { Authorization: `Bearer ${(await readOnly.phantom(60)).accessToken}` };
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      const answer = await refused(
        () => send(`${readOnly.url}/api/projects`, { method, headers: { ...auth, 'Content-Type': 'application/json' }, body: '{}' }),
        405,
      );
      assert.equal(answer.headers.allow, 'GET, HEAD, OPTIONS');
    }
    for (const method of ['GET', 'HEAD', 'OPTIONS']) {
      const answer = await send(`${readOnly.url}/api/projects`, { method, headers: auth });
      assert.equal(answer.status, 200, method);
    }
  });
});

describe('the forwarder: retry after 401, redirects, after close', () => {
  let sealed: Sealed;
  before(async () => {
    sealed = await startSealed('cxone');
    sealed.upstream.api.route('/api/redirect', (req, res) => {
      req.resume();
      res.writeHead(302, { Location: `${sealed.upstream.api.url}/api/next?page=2` }).end();
    });
    sealed.upstream.api.route('/api/elsewhere', (req, res) => {
      req.resume();
      res.writeHead(307, { Location: 'https://downloads.example.com/report.pdf' }).end();
    });
  });
  after(async () => {
    await sealed.facade.close();
    await sealed.upstream.close();
  });

  test('an upstream 401 to a request without a body gets one fresh exchange, shared, and one retry', async () => {
    const { facade, upstream, exchanges } = sealed;
    const auth = { Authorization: `Bearer ${(await facade.phantom(60)).accessToken}` };
    // The API stops accepting every token issued so far (as after a key's license update).
    upstream.iam.issuedAccessTokens.splice(0);
    const exchangesBefore = exchanges();
    const seen = upstream.api.requests.length;
    const answers = await Promise.all([1, 2, 3].map((n) => send(`${facade.url}/api/projects/${n}`, { headers: auth })));
    assert.deepEqual(
      answers.map((a) => a.status),
      [200, 200, 200],
    );
    assert.equal(exchanges(), exchangesBefore + 1, 'concurrent retries did not share one exchange');
    const arrived = upstream.api.requests.slice(seen);
    assert.equal(arrived.filter((r) => !r.authorized).length, 3);
    assert.equal(arrived.filter((r) => r.authorized).length, 3);
  });

  test('a request with a body is not retried: its 401 is passed back', async () => {
    const { facade, upstream, exchanges } = sealed;
    const auth = { Authorization: `Bearer ${(await facade.phantom(60)).accessToken}` };
    upstream.iam.issuedAccessTokens.splice(0);
    const exchangesBefore = exchanges();
    const seen = upstream.api.requests.length;
    const answer = await send(`${facade.url}/api/projects`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: '{"name":"p"}',
    });
    assert.equal(answer.status, 401);
    assert.equal(exchanges(), exchangesBefore);
    assert.equal(upstream.api.requests.length, seen + 1);
    // The next request without a body gets its fresh token.
    assert.equal((await send(`${facade.url}/api/projects`, { headers: auth })).status, 200);
  });

  test("a redirect is passed back, not followed; a Location on the API's origin is rewritten to the facade's", async () => {
    const { facade, upstream } = sealed;
    const auth = { Authorization: `Bearer ${(await facade.phantom(60)).accessToken}` };
    const seen = upstream.api.requests.length;
    const redirect = await send(`${facade.url}/api/redirect`, { headers: auth });
    assert.equal(redirect.status, 302);
    assert.equal(redirect.headers.location, `${facade.url}/api/next?page=2`);
    const elsewhere = await send(`${facade.url}/api/elsewhere`, { headers: auth });
    assert.equal(elsewhere.status, 307);
    assert.equal(elsewhere.headers.location, 'https://downloads.example.com/report.pdf');
    assert.equal(upstream.api.requests.length, seen + 2, 'a redirect was followed');
  });

  test('an API that cannot be reached is 502, naming no token', async () => {
    const { tokens } = realTokens(upstreamInputs('cxone', sealed.upstream));
    const broken = await startFacade({
      product: 'cxone',
      tenant: 'acme',
      upstream: DIRECT,
      tokens: { token: async (s) => ({ ...(await tokens.token(s)), apiUrl: 'http://127.0.0.1:1/api' }), renew: tokens.renew },
      failed: (error) => failures.push(error),
    });
    const failures: unknown[] = [];
    try {
      const answer = await send(`${broken.url}/api/projects`, {
        headers: { Authorization: `Bearer ${(await broken.phantom(60)).accessToken}` },
      });
      assert.equal(answer.status, 502);
      assert.equal(failures.length, 1);
      assertNoRealToken(sealed.upstream, answer);
    } finally {
      await broken.close();
    }
  });

  test('after close, the facade refuses connections', async () => {
    const { tokens } = realTokens(upstreamInputs('cxone', sealed.upstream));
    const facade = await startFacade({ product: 'cxone', tokens, upstream: DIRECT, tenant: 'acme' });
    const phantom = (await facade.phantom(60)).accessToken;
    await facade.close();
    await assert.rejects(send(`${facade.url}/api/projects`, { headers: { Authorization: `Bearer ${phantom}` } }), { code: 'ECONNREFUSED' });
  });
});

describe('256 MiB stream through the facade both ways, never held whole', () => {
  const MIB = 1024 * 1024;
  const CHUNKS = 256;
  const pieces = [0, 1, 2, 3].map(() => Buffer.from(Array.from({ length: MIB }, () => Math.floor(Math.random() * 256))));
  const expectedHash = (() => {
    const hash = createHash('sha256');
    for (let i = 0; i < CHUNKS; i++) hash.update(pieces[i % 4]!);
    return hash.digest('hex');
  })();
  let sealed: Sealed;
  let auth: Record<string, string>;
  before(async () => {
    sealed = await startSealed('cxone');
    auth = { Authorization: `Bearer ${(await sealed.facade.phantom(60)).accessToken}` };
  });
  after(async () => {
    await sealed.facade.close();
    await sealed.upstream.close();
  });

  /** Peak resident memory above the baseline, sampled while bytes move. */
  function memoryWatch() {
    const baseline = process.memoryUsage.rss();
    let peak = baseline;
    return { sample: () => void (peak = Math.max(peak, process.memoryUsage.rss())), growth: () => peak - baseline };
  }

  test('an upload: the API has bytes before the client sends its last, and the hash matches', async (t) => {
    const { facade, upstream } = sealed;
    let upstreamBytes = 0;
    let upstreamHash = '';
    upstream.api.route('/api/uploads', (req, res) => {
      const hash = createHash('sha256');
      req.on('data', (chunk: Buffer) => {
        upstreamBytes += chunk.length;
        hash.update(chunk);
      });
      req.once('end', () => {
        upstreamHash = hash.digest('hex');
        res.writeHead(201, { 'Content-Type': 'application/json' }).end(JSON.stringify({ bytes: upstreamBytes }));
      });
    });
    const memory = memoryWatch();
    const answer = await new Promise<Answer>((resolve, reject) => {
      const request = http.request(`${facade.url}/api/uploads/sources.zip`, {
        method: 'PUT',
        agent: false,
        headers: { ...auth, 'Content-Type': 'application/zip', 'Content-Length': CHUNKS * MIB },
      });
      request.once('response', (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.once('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
      });
      request.once('error', reject);
      void (async () => {
        for (let i = 0; i < CHUNKS; i++) {
          if (i === CHUNKS - 1) await waitFor('the API to receive bytes before the last piece is sent', () => upstreamBytes > 0, 60_000);
          if (!request.write(pieces[i % 4]!)) await new Promise((drained) => request.once('drain', drained));
          memory.sample();
        }
        request.end();
      })().catch(reject);
    });
    assert.equal(answer.status, 201);
    assert.equal(upstreamBytes, CHUNKS * MIB);
    assert.equal(upstreamHash, expectedHash);
    t.diagnostic(`resident memory grew by ${(memory.growth() / MIB).toFixed(1)} MiB during the upload`);
    // Holding the body would take all of it; what grows is garbage not yet collected (a few MiB per chunk size).
    assert.ok(memory.growth() < (CHUNKS * MIB) / 2, `resident memory grew by ${memory.growth()} bytes: the body was held`);
  });

  test('a download: the client has bytes before the API sends its last, and the hash matches', async (t) => {
    const { facade, upstream } = sealed;
    let clientBytes = 0;
    upstream.api.route('/api/downloads', (req, res) => {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': CHUNKS * MIB });
      void (async () => {
        for (let i = 0; i < CHUNKS; i++) {
          if (i === CHUNKS - 1) await waitFor('the client to receive bytes before the last piece is sent', () => clientBytes > 0, 60_000);
          if (!res.write(pieces[i % 4]!)) await new Promise((drained) => res.once('drain', drained));
        }
        res.end();
      })().catch((error: Error) => res.destroy(error)); // the client then fails too
    });
    const memory = memoryWatch();
    const hash = createHash('sha256');
    const status = await new Promise<number>((resolve, reject) => {
      const request = http.get(`${facade.url}/api/downloads/report.zip`, { agent: false, headers: auth }, (response) => {
        response.on('data', (chunk: Buffer) => {
          clientBytes += chunk.length;
          hash.update(chunk);
          memory.sample();
        });
        response.once('end', () => resolve(response.statusCode ?? 0));
        response.once('error', reject);
      });
      request.once('error', reject);
    });
    assert.equal(status, 200);
    assert.equal(clientBytes, CHUNKS * MIB);
    assert.equal(hash.digest('hex'), expectedHash);
    t.diagnostic(`resident memory grew by ${(memory.growth() / MIB).toFixed(1)} MiB during the download`);
    // Holding the body would take all of it; what grows is garbage not yet collected (a few MiB per chunk size).
    assert.ok(memory.growth() < (CHUNKS * MIB) / 2, `resident memory grew by ${memory.growth()} bytes: the body was held`);
  });
});

describe('the upstream: proxies as given (never from process.env), NO_PROXY, failures', () => {
  let upstream: CheckmarxUpstream;
  let proxy: TestProxy;
  const sastInputs = (serverUrl: string): RawInputs => ({
    product: 'sast',
    'server-url': serverUrl,
    'token-url': upstream.iam.url + IDENTITY_TOKEN_PATH,
    ...DEFAULT_SAST_USER,
  });
  const sastFacade = async (serverUrl: string, settings: UpstreamSettings, failed?: (error: unknown) => void) =>
    startFacade({ product: 'sast', tokens: realTokens(sastInputs(serverUrl)).tokens, upstream: settings, ...(failed ? { failed } : {}) });

  before(async () => {
    upstream = await startCheckmarxUpstream();
    proxy = await startProxy({
      routes: { 'cx.example.com:80': `127.0.0.1:${upstream.api.port}` },
      auth: { username: 'ci', password: 'p@ss:word' },
    });
  });
  after(async () => {
    await upstream.close();
    await proxy.close();
  });

  test('plain http goes to HTTP_PROXY in absolute form, with the proxy credentials from its URL', async () => {
    const settings = {
      ...DIRECT,
      proxy: proxySettingsOf({ http_proxy: `http://ci:p%40ss%3Aword@127.0.0.1:${proxy.port}`, HTTPS_PROXY: 'http://127.0.0.1:1' }),
    };
    const facade = await sastFacade('http://cx.example.com', settings);
    try {
      const answer = await send(`${facade.url}/cxrestapi/projects?id=1`, {
        headers: { Authorization: `Bearer ${(await facade.phantom(60)).accessToken}` },
      });
      assert.equal(answer.status, 200, answer.body);
      assert.deepEqual(JSON.parse(answer.body), { method: 'GET', url: '/cxrestapi/projects?id=1', host: 'cx.example.com' });
      assert.ok(proxy.forwarded.includes('http://cx.example.com/cxrestapi/projects?id=1'));
      assert.equal(upstream.api.requests.at(-1)!.headers['proxy-authorization'], undefined);
    } finally {
      await facade.close();
    }
  });

  test('loopback and NO_PROXY go direct: the proxy (here a closed port) is not used', async () => {
    const settings = { ...DIRECT, proxy: proxySettingsOf({ HTTP_PROXY: 'http://127.0.0.1:1', NO_PROXY: 'localhost, 127.0.0.1' }) };
    const facade = await sastFacade(upstream.api.url, settings);
    try {
      const answer = await send(`${facade.url}/cxrestapi/projects`, {
        headers: { Authorization: `Bearer ${(await facade.phantom(60)).accessToken}` },
      });
      assert.equal(answer.status, 200, answer.body);
    } finally {
      await facade.close();
    }
  });

  test("a proxy that refuses the tunnel is 502, and the failure names the proxy's variable", async () => {
    const failures: unknown[] = [];
    const settings = { ...DIRECT, proxy: proxySettingsOf({ HTTPS_PROXY: proxy.url }) };
    const facade = await sastFacade('https://cx.example.com', settings, (error) => failures.push(error));
    try {
      const answer = await send(`${facade.url}/cxrestapi/projects`, {
        headers: { Authorization: `Bearer ${(await facade.phantom(60)).accessToken}` },
      });
      assert.equal(answer.status, 502);
      assert.equal((failures[0] as TransportFailure).details.kind, 'proxy');
      assert.equal((failures[0] as TransportFailure).details.proxyVariable, 'HTTPS_PROXY');
    } finally {
      await facade.close();
    }
  });

  test('an API that sends no answer within timeout-seconds is 502 with a timeout', async () => {
    const silent = http.createServer(() => {});
    const port = await listenOnLoopback(silent);
    const failures: unknown[] = [];
    const facade = await sastFacade(`http://127.0.0.1:${port}`, { ...DIRECT, timeoutMs: 200 }, (error) => failures.push(error));
    try {
      const answer = await send(`${facade.url}/cxrestapi/projects`, {
        headers: { Authorization: `Bearer ${(await facade.phantom(60)).accessToken}` },
      });
      assert.equal(answer.status, 502);
      assert.equal((failures[0] as TransportFailure).details.kind, 'timeout');
    } finally {
      await facade.close();
      silent.closeAllConnections();
      silent.close();
    }
  });

  test('no real token to be had: the token endpoint and the forwarder answer 503 and report it', async () => {
    const failures: unknown[] = [];
    const { tokens } = realTokens(sastInputs(upstream.api.url));
    const good = await tokens.token(60);
    let failing = false;
    const facade = await startFacade({
      product: 'sast',
      upstream: DIRECT,
      failed: (error) => failures.push(error),
      tokens: {
        token: async (s) => (failing ? Promise.reject(new Error('IAM down')) : tokens.token(s)),
        renew: () => Promise.reject(new Error('IAM down')),
      },
    });
    try {
      const auth = { Authorization: `Bearer ${(await facade.phantom(60)).accessToken}` };
      upstream.iam.issuedAccessTokens.splice(upstream.iam.issuedAccessTokens.indexOf(good.accessToken), 1);
      assert.equal((await send(`${facade.url}/cxrestapi/projects`, { headers: auth })).status, 503, 'a failed renewal');
      failing = true;
      assert.equal((await send(`${facade.url}/cxrestapi/projects`, { headers: auth })).status, 503, 'a failed token');
      const login = await send(facade.tokenUrl, {
        method: 'POST',
        headers: FORM,
        body: form({ grant_type: 'password', username: facade.credential.name, password: facade.credential.key }),
      });
      assert.equal(login.status, 503);
      assert.equal((JSON.parse(login.body) as { error: string }).error, 'temporarily_unavailable');
      assert.equal(failures.length, 3);
    } finally {
      await facade.close();
    }
  });

  test("NO_PROXY and proxy values as curl reads them: the exchange's reader (io/proxy.ts)", () => {
    const url = new URL('https://eu.ast.checkmarx.net/api');
    const direct = (noProxy: string | undefined) =>
      proxyFor(url, proxySettingsOf({ HTTPS_PROXY: 'http://proxy.corp:3128', NO_PROXY: noProxy })) === undefined;
    assert.equal(direct('*'), true);
    assert.equal(direct('checkmarx.net'), true);
    assert.equal(direct('.checkmarx.net'), true);
    assert.equal(direct('*.checkmarx.net:443'), true);
    assert.equal(direct('checkmarx.net:8443'), false);
    assert.equal(direct('ast.checkmarx.net.evil'), false);
    assert.equal(direct('x-checkmarx.net, [::1]'), false);
    assert.equal(direct(undefined), false);
    assert.equal(proxyFor(new URL('http://[::1]:8080/'), proxySettingsOf({ HTTP_PROXY: 'http://proxy.corp:3128' })), undefined);
    const lowerFirst = proxySettingsOf({ https_proxy: 'http://a:1', HTTPS_PROXY: 'http://b:1', no_proxy: 'x' });
    assert.deepEqual(proxyFor(url, lowerFirst), { url: new URL('http://a:1'), variable: 'https_proxy' });
    assert.equal(proxyFor(url, proxySettingsOf({ HTTPS_PROXY: 'proxy.corp:3128' }))?.url.href, 'http://proxy.corp:3128/');
    assert.throws(() => proxyFor(url, proxySettingsOf({ HTTPS_PROXY: 'socks5://proxy.corp:1080' })), /HTTPS_PROXY names a socks5 proxy/);
    assert.throws(
      () => proxyFor(url, proxySettingsOf({ HTTPS_PROXY: 'http://us:s3cret@[bad' })),
      (error: TransportFailure) => error.details.proxyVariable === 'HTTPS_PROXY' && !error.message.includes('s3cret'),
    );
  });
});
