import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolvePlan } from '../src/core/settings.ts';
import { TokenRequestError } from '../src/core/errors.ts';
import { redact } from '../src/core/secrets.ts';
import { type FailureDetails } from '../src/core/failures.ts';
import { backoffMs, parseRetryAfter } from '../src/core/retry.ts';
import { buildTokenRequest } from '../src/core/token-request.ts';
import { parseTokenResponse, type TokenResult } from '../src/core/token-response.ts';
import { requestToken, type GrantDeps } from '../src/core/grant.ts';
import type { HttpResponse } from '../src/core/transport.ts';
import { makeApiKey, makeJwt } from './support/jwt.ts';

const form = (values: Record<string, string>) =>
  Object.fromEntries(new URLSearchParams(buildTokenRequest(resolvePlan(values), 'ua/1').body));
const sastPlan = resolvePlan({ product: 'sast', 'server-url': 'https://cx', username: 'admin', password: 'pa ss&w=rd' });
const json = (status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse => ({
  status,
  headers: { 'content-type': 'application/json', ...headers },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
const failure = (r: TokenResult | FailureDetails) => r as FailureDetails;

describe('form fields', () => {
  it('password grant for CxSAST', () => {
    assert.deepEqual(form({ product: 'sast', 'server-url': 'https://cx', username: 'u', password: 'p w&' }), {
      grant_type: 'password',
      username: 'u',
      password: 'p w&',
      scope: 'sast_rest_api',
      client_id: 'resource_owner_client',
      client_secret: '014DF517-39D1-4453-B7B3-9930C563627C',
    });
  });
  it('SCA adds acr_values and no secret', () => {
    assert.deepEqual(form({ product: 'sca', tenant: 'acme', username: 'u', password: 'p' }), {
      grant_type: 'password',
      username: 'u',
      password: 'p',
      scope: 'sca_api',
      client_id: 'sca_resource_owner',
      acr_values: 'Tenant:acme',
    });
  });
  it('refresh_token with the API key', () => {
    const key = makeApiKey({ realmUrl: 'https://iam.checkmarx.net/auth/realms/acme' });
    assert.deepEqual(form({ product: 'cxone', 'api-key': key }), { grant_type: 'refresh_token', client_id: 'ast-app', refresh_token: key });
  });
  it('client_credentials', () => {
    assert.deepEqual(form({ product: 'cxone', tenant: 't', 'client-id': 'c', 'client-secret': 's' }), {
      grant_type: 'client_credentials',
      client_id: 'c',
      client_secret: 's',
    });
  });
  it("refresh_token for CxSAST: the CxSAST CLI's client and secret, as that CLI sends them, and no scope", () => {
    assert.deepEqual(form({ product: 'sast-odata', 'server-url': 'https://cx', 'api-key': 'ABCDEF0123' }), {
      grant_type: 'refresh_token',
      client_id: 'cli_client',
      client_secret: 'B9D84EA8-E476-4E83-A628-8A342D74D3BD',
      refresh_token: 'ABCDEF0123',
    });
  });
  it('client_credentials for an Access Control OIDC client sends its scope', () => {
    assert.deepEqual(form({ product: 'access-control', 'server-url': 'https://cx', 'client-id': 'svc', 'client-secret': 's' }), {
      grant_type: 'client_credentials',
      client_id: 'svc',
      client_secret: 's',
      scope: 'access_control_api',
    });
  });
  it('headers', () => {
    const request = buildTokenRequest(sastPlan, 'checkmarx-auth/1.0.0');
    assert.equal(request.headers['user-agent'], 'checkmarx-auth/1.0.0');
    assert.equal(request.headers['content-type'], 'application/x-www-form-urlencoded');
  });
});

describe('parsing the answer', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it('a token', () => {
    const result = parseTokenResponse(
      sastPlan,
      json(200, { access_token: 'abc', expires_in: 3600, token_type: 'Bearer', scope: 'sast_rest_api' }),
      now,
    ) as TokenResult;
    assert.equal(result.accessToken, 'abc');
    assert.equal(result.expiresAt, '2026-01-01T01:00:00Z');
    assert.equal(result.apiUrl, 'https://cx/cxrestapi');
  });
  it('cxone api-url from the ast-base-url claim', () => {
    const plan = resolvePlan({ product: 'cxone', tenant: 't', 'client-id': 'c', 'client-secret': 's', region: 'eu' });
    const token = makeJwt({ 'ast-base-url': 'https://eu-2.ast.checkmarx.net/' });
    assert.equal(
      (parseTokenResponse(plan, json(200, { access_token: token, expires_in: 300 }), now) as TokenResult).apiUrl,
      'https://eu-2.ast.checkmarx.net/api',
    );
    assert.equal(
      (parseTokenResponse(plan, json(200, { access_token: 'opaque', expires_in: 300 }), now) as TokenResult).apiUrl,
      'https://eu.ast.checkmarx.net/api',
    );
  });
  it('OAuth errors', () => {
    const f = failure(
      parseTokenResponse(sastPlan, json(400, { error: 'invalid_grant', error_description: 'invalid_username_or_password' }), now),
    );
    assert.deepEqual([f.kind, f.status, f.oauthError, f.description], ['http', 400, 'invalid_grant', 'invalid_username_or_password']);
  });
  it('HTML, not JSON, no token, bad expires_in, redirects', () => {
    assert.equal(
      failure(parseTokenResponse(sastPlan, { status: 200, headers: { 'content-type': 'text/html' }, body: '<html>' }, now)).kind,
      'html',
    );
    assert.equal(failure(parseTokenResponse(sastPlan, json(200, 'not json'), now)).detail, 'the response is not JSON');
    assert.match(failure(parseTokenResponse(sastPlan, json(200, { token: 'x' }), now)).detail!, /no access_token/);
    assert.match(failure(parseTokenResponse(sastPlan, json(200, { access_token: 'x', expires_in: 'soon' }), now)).detail!, /expires_in/);
    const r = failure(parseTokenResponse(sastPlan, { status: 302, headers: { location: 'https://sso/login' }, body: '' }, now));
    assert.deepEqual([r.kind, r.location], ['redirect', 'https://sso/login']);
  });
  it('server text never carries a secret', () => {
    const f = failure(
      parseTokenResponse(sastPlan, json(400, { error: 'x', error_description: 'bad password pa ss&w=rd or pa+ss%26w%3Drd' }), now),
    );
    assert.ok(!f.description!.includes('pa ss&w=rd') && !f.description!.includes('pa+ss%26w%3Drd'), f.description);
  });
});

describe('retry timing', () => {
  it('Retry-After as seconds or a date, capped at 30 s', () => {
    assert.equal(parseRetryAfter('2', 0), 2000);
    assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 0), 10_000);
    assert.equal(parseRetryAfter('3600', 0), 30_000);
    assert.equal(parseRetryAfter('soon', 0), undefined);
  });
  it('backoff grows and stays jittered within bounds', () => {
    assert.ok(backoffMs(1, undefined, 0) >= 250 && backoffMs(1, undefined, 1) <= 500);
    assert.ok(backoffMs(3, undefined, 0) >= 1000 && backoffMs(3, undefined, 1) <= 2000);
    assert.ok(backoffMs(1, 2000, 0.5) >= 2000);
  });
});

describe('requestToken', () => {
  const deps = (responses: HttpResponse[], sleeps: number[] = []): GrantDeps => ({
    postForm: async () => responses.shift()!,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
    now: () => 0,
    log: { info() {}, warning() {}, debug() {} },
    userAgent: 'ua',
  });
  const transport = { timeoutMs: 1000, maxAttempts: 3, insecureSkipTlsVerify: false };
  it('retries 503 and 429, honouring Retry-After', async () => {
    const sleeps: number[] = [];
    const result = await requestToken(
      sastPlan,
      transport,
      deps([json(503, {}), json(429, {}, { 'retry-after': '1' }), json(200, { access_token: 't', expires_in: 1 })], sleeps),
    );
    assert.equal(result.accessToken, 't');
    assert.equal(sleeps.length, 2);
    assert.ok(sleeps[1]! >= 1000);
  });
  it('fails at once on 400 with a hint, and after max-attempts on 5xx', async () => {
    await assert.rejects(
      requestToken(sastPlan, transport, deps([json(400, { error: 'invalid_grant' })])),
      (e: TokenRequestError) => e.attempts === 1 && /Active Directory/.test(e.message),
    );
    await assert.rejects(
      requestToken(sastPlan, transport, deps([json(500, {}), json(502, {}), json(504, {})])),
      /after 3 attempts: HTTP 504/,
    );
  });
});

describe('redact', () => {
  it('removes raw, URL-encoded and form-encoded secrets, and a cut-off prefix', () => {
    assert.equal(redact('x a b&c y', ['a b&c']), 'x *** y');
    assert.equal(redact('x a%20b%26c y a+b%26c', ['a b&c']), 'x *** y ***');
    const long = `${'z'.repeat(296)}secret-value`;
    assert.ok(!redact(long, ['secret-value']).includes('secr'));
  });
});

describe('failureMessage', () => {
  it('reports an unexpected error by type only, since its text could hold a secret', async () => {
    const { failureMessage, exitCodeOf, InputError } = await import('../src/core/errors.ts');
    assert.equal(failureMessage(new TypeError('boom s3cret')), 'Unexpected failure (TypeError). Please report it.');
    assert.equal(failureMessage(new InputError('tenant', 'is required.')), "Input 'tenant': is required.");
    assert.deepEqual([exitCodeOf(new InputError('tenant', 'y')), exitCodeOf(new Error('z'))], [2, 1]);
  });
});
