// The loopback token endpoint that `exec` serves its child, over real sockets, called the way
// ast-cli calls it (internal/wrappers/client.go: a form body with grant_type=client_credentials,
// client_id and client_secret, query-escaped) and the way Keycloak also accepts (HTTP Basic).
// Every bad request gets its status, and no answer or callback holds the key.

import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { newKey, type AgentToken } from '../src/agent/protocol.ts';
import { MAX_BODY_BYTES, startTokenEndpoint, tokenPath, type TokenEndpoint } from '../src/agent/token-endpoint.ts';

const TENANT = 'Acme-Tenant';
const CLIENT_ID = 'checkmarx-auth-exec';
const NOW = Date.parse('2030-01-01T00:00:00Z');

function token(n: number, expiresIn = 1800): AgentToken {
  return {
    accessToken: `header.payload-${n}.signature`,
    tokenType: 'Bearer',
    expiresIn,
    // Issued 100 s ago.
    expiresAt: new Date(NOW + (expiresIn - 100) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    apiUrl: 'https://ast.checkmarx.net/api',
    tenant: TENANT,
  };
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

interface Call {
  method?: string;
  path?: string;
  host?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** send the body in pieces without a Content-Length */
  chunked?: boolean;
}

function call(endpoint: TokenEndpoint, options: Call = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const body = options.body ?? '';
    const req = request(
      {
        host: '127.0.0.1',
        port: endpoint.port,
        method: options.method ?? 'POST',
        path: options.path ?? tokenPath(TENANT.toLowerCase()),
        agent: false,
        timeout: 10_000,
        headers: {
          ...(options.host !== undefined ? { Host: options.host } : {}),
          ...(options.chunked ? {} : { 'Content-Length': String(Buffer.byteLength(body)) }),
          ...options.headers,
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.once('timeout', () => req.destroy(new Error('no answer within 10 s')));
    req.once('error', reject);
    if (options.chunked && Buffer.byteLength(body) > 0) {
      const bytes = Buffer.from(body);
      for (let at = 0; at < bytes.length; at += 16 * 1024) req.write(bytes.subarray(at, at + 16 * 1024));
    } else req.write(body);
    req.end();
  });
}

/** The body ast-cli sends: getCredentialsPayload, url.QueryEscape'd values. */
function astCliForm(clientId: string, secret: string): Call {
  const escape = (value: string) => encodeURIComponent(value).replace(/%20/g, '+');
  return {
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'User-Agent': 'ASTCLI/2.3.0' },
    body: `grant_type=client_credentials&client_id=${escape(clientId)}&client_secret=${escape(secret)}`,
  };
}

function basic(clientId: string, secret: string, form = 'grant_type=client_credentials'): Call {
  const credentials = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64');
  return { headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Basic ${credentials}` }, body: form };
}

describe('token endpoint: what ast-cli and the Python SDK get', () => {
  let endpoint: TokenEndpoint;
  let key: string;
  const asked: number[] = [];
  const served: string[] = [];
  let minted = 0;

  before(async () => {
    key = newKey();
    endpoint = await startTokenEndpoint({
      tenant: TENANT,
      clientId: CLIENT_ID,
      clientSecret: key,
      minValiditySeconds: 300,
      token: async (minValidity) => {
        asked.push(minValidity);
        return token(++minted);
      },
      serving: (t) => served.push(t.accessToken),
      now: () => NOW,
    });
  });
  after(() => endpoint.close());

  it('listens on 127.0.0.1 only, at an OS-chosen port', () => {
    assert.match(endpoint.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(endpoint.url, `http://127.0.0.1:${endpoint.port}`);
    assert.equal(endpoint.tokenUrl, `${endpoint.url}/auth/realms/${TENANT}/protocol/openid-connect/token`);
  });

  it("ast-cli's form: 200 with a Keycloak-shaped body and a token valid for what was asked", async () => {
    const answer = await call(endpoint, astCliForm(CLIENT_ID, key));
    assert.equal(answer.status, 200, answer.body);
    assert.match(String(answer.headers['content-type']), /^application\/json/);
    assert.equal(answer.headers['cache-control'], 'no-store');
    const body = JSON.parse(answer.body) as Record<string, unknown>;
    assert.deepEqual(body, {
      access_token: `header.payload-${minted}.signature`,
      expires_in: 1700,
      refresh_expires_in: 0,
      token_type: 'Bearer',
      'not-before-policy': 0,
    });
    assert.ok(!('refresh_token' in body));
    assert.equal(asked.at(-1), 300, 'the source is asked for the configured validity');
    assert.deepEqual(served.at(-1), body.access_token, 'the token was shown to `serving` before it was sent');
  });

  it('HTTP Basic, with the parts form-encoded (RFC 6749 2.3.1), as Keycloak accepts it', async () => {
    const answer = await call(endpoint, basic(CLIENT_ID, key));
    assert.equal(answer.status, 200, answer.body);
    assert.equal(JSON.parse(answer.body).access_token, `header.payload-${minted}.signature`);
  });

  it('Basic and a form client_id without a form secret, as Keycloak accepts it: the Basic secret authenticates', async () => {
    const keycloakStyle = basic(CLIENT_ID, key, `grant_type=client_credentials&client_id=${CLIENT_ID}`);
    const answer = await call(endpoint, keycloakStyle);
    assert.equal(answer.status, 200, answer.body);
    assert.equal(JSON.parse(answer.body).access_token, `header.payload-${minted}.signature`);
    // The form's client must be the Basic one; a wrong Basic key is not saved by the form's client.
    const otherClient = basic(CLIENT_ID, key, 'grant_type=client_credentials&client_id=ast-app');
    const wrongKey = basic(CLIENT_ID, newKey(), `grant_type=client_credentials&client_id=${CLIENT_ID}`);
    const otherBasic = basic('ast-app', key, `grant_type=client_credentials&client_id=${CLIENT_ID}`);
    for (const refused of [otherClient, wrongKey, otherBasic]) {
      const refusal = await call(endpoint, refused);
      assert.equal(refusal.status, 401, String(refused.body));
      assert.equal(JSON.parse(refusal.body).error, 'invalid_client');
    }
    // A form secret and a Basic id: each part one way.
    const split = basic(CLIENT_ID, '', `grant_type=client_credentials&client_secret=${key}`);
    assert.equal((await call(endpoint, split)).status, 401, 'an empty Basic secret is a secret given, and wrong');
    const formOnlyId = { body: `grant_type=client_credentials&client_id=${CLIENT_ID}` };
    assert.equal((await call(endpoint, formOnlyId)).status, 401, 'a client id without any secret');
  });

  it('Basic and form together: both must be right', async () => {
    const both = basic(CLIENT_ID, key, `grant_type=client_credentials&client_id=${CLIENT_ID}&client_secret=${key}`);
    assert.equal((await call(endpoint, both)).status, 200);
    const wrongForm = basic(CLIENT_ID, key, `grant_type=client_credentials&client_id=${CLIENT_ID}&client_secret=${newKey()}`);
    assert.equal((await call(endpoint, wrongForm)).status, 401);
  });

  it('the realm in the path is compared without case (ast-cli lower-cases CX_TENANT), percent-escapes decoded', async () => {
    // As written on the wire: the third spells '-' as a percent-escape.
    for (const realm of [TENANT, TENANT.toUpperCase(), 'Acme%2DTenant']) {
      const answer = await call(endpoint, { ...astCliForm(CLIENT_ID, key), path: `/auth/realms/${realm}/protocol/openid-connect/token` });
      assert.equal(answer.status, 200, realm);
    }
  });

  it('a query string does not change the path', async () => {
    const answer = await call(endpoint, { ...astCliForm(CLIENT_ID, key), path: `${tokenPath(TENANT)}?x=1` });
    assert.equal(answer.status, 200);
  });

  const refusals: Array<{ title: string; status: number; error?: string; request: () => Call }> = [
    { title: 'a wrong key', status: 401, error: 'invalid_client', request: () => astCliForm(CLIENT_ID, newKey()) },
    { title: 'a key of another length', status: 401, error: 'invalid_client', request: () => astCliForm(CLIENT_ID, 'short') },
    { title: 'a wrong client id', status: 401, error: 'invalid_client', request: () => astCliForm('ast-app', key) },
    {
      title: 'no client at all',
      status: 401,
      error: 'invalid_client',
      request: () => ({ headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'grant_type=client_credentials' }),
    },
    { title: 'a wrong key by Basic', status: 401, error: 'invalid_client', request: () => basic(CLIENT_ID, newKey()) },
    {
      title: 'a malformed Basic header',
      status: 401,
      error: 'invalid_client',
      request: () => ({ ...astCliForm(CLIENT_ID, key), headers: { Authorization: 'Basic !!!' } }),
    },
    {
      title: 'a Bearer header instead of a client',
      status: 401,
      error: 'invalid_client',
      request: () => ({ ...astCliForm(CLIENT_ID, key), headers: { Authorization: `Bearer ${key}` } }),
    },
    {
      title: 'the key in the query string, not the body',
      status: 401,
      error: 'invalid_client',
      request: () => ({ path: `${tokenPath(TENANT)}?client_id=${CLIENT_ID}&client_secret=${key}`, body: 'grant_type=client_credentials' }),
    },
    {
      title: 'the refresh_token grant (an API key)',
      status: 400,
      error: 'unsupported_grant_type',
      request: () => ({ body: `grant_type=refresh_token&client_id=${CLIENT_ID}&client_secret=${key}&refresh_token=x` }),
    },
    {
      title: 'the password grant',
      status: 400,
      error: 'unsupported_grant_type',
      request: () => ({ body: `grant_type=password&client_id=${CLIENT_ID}&client_secret=${key}&username=a&password=b` }),
    },
    {
      title: 'no grant_type',
      status: 400,
      error: 'invalid_request',
      request: () => ({ body: `client_id=${CLIENT_ID}&client_secret=${key}` }),
    },
    {
      title: 'a repeated grant_type',
      status: 400,
      error: 'invalid_request',
      request: () => ({ body: `grant_type=client_credentials&grant_type=password&client_id=${CLIENT_ID}&client_secret=${key}` }),
    },
    {
      title: 'a JSON body',
      status: 400,
      error: 'invalid_request',
      request: () => ({
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials', client_id: CLIENT_ID, client_secret: key }),
      }),
    },
    { title: 'another realm', status: 404, request: () => ({ ...astCliForm(CLIENT_ID, key), path: tokenPath('other') }) },
    {
      title: "the realm's other endpoints",
      status: 404,
      request: () => ({ ...astCliForm(CLIENT_ID, key), path: `/auth/realms/${TENANT}/protocol/openid-connect/userinfo` }),
    },
    { title: 'the root', status: 404, request: () => ({ method: 'GET', path: '/' }) },
    { title: 'a trailing slash', status: 404, request: () => ({ ...astCliForm(CLIENT_ID, key), path: `${tokenPath(TENANT)}/` }) },
    {
      title: 'a path that climbs',
      status: 404,
      request: () => ({ ...astCliForm(CLIENT_ID, key), path: `/auth/realms/${TENANT}/../${TENANT}/protocol/openid-connect/token` }),
    },
    { title: 'GET on the token path', status: 405, request: () => ({ method: 'GET' }) },
    { title: 'PUT on the token path', status: 405, request: () => ({ ...astCliForm(CLIENT_ID, key), method: 'PUT' }) },
    {
      title: 'another Host (DNS rebinding)',
      status: 421,
      request: () => ({ ...astCliForm(CLIENT_ID, key), host: `evil.example:${endpoint.port}` }),
    },
    { title: 'localhost as Host', status: 421, request: () => ({ ...astCliForm(CLIENT_ID, key), host: `localhost:${endpoint.port}` }) },
    { title: 'the loopback address without the port', status: 421, request: () => ({ ...astCliForm(CLIENT_ID, key), host: '127.0.0.1' }) },
    { title: 'another port', status: 421, request: () => ({ ...astCliForm(CLIENT_ID, key), host: `127.0.0.1:${endpoint.port + 1}` }) },
    {
      title: 'a body over 64 KiB, declared',
      status: 413,
      request: () => ({ ...astCliForm(CLIENT_ID, key), body: `${astCliForm(CLIENT_ID, key).body}&pad=${'a'.repeat(MAX_BODY_BYTES)}` }),
    },
    {
      title: 'a body over 64 KiB, chunked',
      status: 413,
      request: () => ({
        ...astCliForm(CLIENT_ID, key),
        chunked: true,
        body: `${astCliForm(CLIENT_ID, key).body}&pad=${'a'.repeat(MAX_BODY_BYTES)}`,
      }),
    },
  ];

  for (const refusal of refusals) {
    it(`${refusal.title}: ${refusal.status}${refusal.error ? ` ${refusal.error}` : ''}, and no token`, async () => {
      const before = minted;
      const answer = await call(endpoint, refusal.request());
      assert.equal(answer.status, refusal.status, answer.body);
      const body = JSON.parse(answer.body) as Record<string, unknown>;
      if (refusal.error) assert.equal(body.error, refusal.error);
      assert.ok(!('access_token' in body));
      assert.equal(minted, before, 'no token was asked for');
      assert.ok(!answer.body.includes(key), 'the key is not in the answer');
      if (refusal.status === 405) assert.equal(answer.headers['allow'], 'POST');
    });
  }

  it('a body of exactly 64 KiB is read', async () => {
    const form = astCliForm(CLIENT_ID, key);
    const pad = MAX_BODY_BYTES - Buffer.byteLength(`${form.body}&pad=`);
    const answer = await call(endpoint, { ...form, body: `${form.body}&pad=${'a'.repeat(pad)}` });
    assert.equal(answer.status, 200, answer.body);
  });

  it('keeps a connection alive for the next request, as a Go client reuses it', async () => {
    const socket = connect(endpoint.port, '127.0.0.1');
    const body = astCliForm(CLIENT_ID, key).body as string;
    const message = [
      `POST ${tokenPath(TENANT)} HTTP/1.1`,
      `Host: 127.0.0.1:${endpoint.port}`,
      'Content-Type: application/x-www-form-urlencoded',
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n');
    let received = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    socket.write(message + message);
    const deadline = Date.now() + 10_000;
    while ((received.match(/HTTP\/1\.1 200/g) ?? []).length < 2 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    socket.destroy();
    assert.equal((received.match(/HTTP\/1\.1 200/g) ?? []).length, 2, received.slice(0, 300));
  });
});

describe('token endpoint: the source and its failures', () => {
  let endpoint: TokenEndpoint | undefined;
  afterEach(async () => {
    await endpoint?.close();
    endpoint = undefined;
  });

  it('asks for at least 60 s even when configured lower, and serves what is left of the token', async () => {
    const asked: number[] = [];
    const key = newKey();
    endpoint = await startTokenEndpoint({
      tenant: TENANT,
      clientId: CLIENT_ID,
      clientSecret: key,
      minValiditySeconds: 5,
      token: async (minValidity) => (asked.push(minValidity), token(1, 600)),
      now: () => NOW,
    });
    const answer = await call(endpoint, astCliForm(CLIENT_ID, key));
    assert.equal(answer.status, 200);
    assert.deepEqual(asked, [60]);
    assert.equal(JSON.parse(answer.body).expires_in, 500);
  });

  it('a failing source: 503 temporarily_unavailable, the error to `failed`, no text of it in the answer', async () => {
    const failures: unknown[] = [];
    const key = newKey();
    const secretText = 'upstream said: client secret s3cr3t-value was refused';
    endpoint = await startTokenEndpoint({
      tenant: TENANT,
      clientId: CLIENT_ID,
      clientSecret: key,
      token: async () => {
        throw new Error(secretText);
      },
      failed: (error) => failures.push(error),
    });
    const answer = await call(endpoint, astCliForm(CLIENT_ID, key));
    assert.equal(answer.status, 503);
    assert.equal(JSON.parse(answer.body).error, 'temporarily_unavailable');
    assert.ok(!answer.body.includes('s3cr3t'));
    assert.equal(failures.length, 1);
    assert.equal((failures[0] as Error).message, secretText);
  });

  it('after close, nothing listens on its port', async () => {
    const key = newKey();
    const closing = await startTokenEndpoint({ tenant: TENANT, clientId: CLIENT_ID, clientSecret: key, token: async () => token(1) });
    await closing.close();
    await assert.rejects(call(closing, astCliForm(CLIENT_ID, key)), { code: 'ECONNREFUSED' });
  });

  it('close ends a kept-alive connection too', async () => {
    const key = newKey();
    endpoint = await startTokenEndpoint({ tenant: TENANT, clientId: CLIENT_ID, clientSecret: key, token: async () => token(1) });
    const socket = connect(endpoint.port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const closed = new Promise((resolve) => socket.once('close', resolve));
    await endpoint.close();
    endpoint = undefined;
    await closed;
  });
});
