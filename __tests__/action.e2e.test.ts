// End to end: the committed dist/index.js, run as the GitHub runner runs it, for every product and
// region. One token server answers plain http, https (a certificate from the test CA) and, through
// a MITM proxy, the real Checkmarx host names. Assertions are on what users see: exit code,
// outputs, exported variables, log lines, and what the server received.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as https from 'node:https';
import { join } from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { CXONE_REGIONS as CXONE_REGION_TABLE, DEFAULT_REGION, SCA_REGIONS as SCA_REGION_TABLE } from '../src/core/products.ts';
import { makeApiKey } from './support/jwt.ts';
import { startProxy, type TestProxy } from './support/proxy.ts';
import { assertNoLeak, LOOPBACK_ONLY_DNS_ENV, parseMasks, REPO_ROOT, runAction, type ActionRun, type Env } from './support/run.ts';
import { sharedTestCa, type TestCa } from './support/tls.ts';
import {
  DEFAULT_REALM,
  DEFAULT_SAST_USER,
  DEFAULT_SCA,
  IDENTITY_TOKEN_PATH,
  keycloakTokenPath,
  listenOnLoopback,
  SAST_CLIENT_SECRET,
  SCA_TOKEN_PATH,
  startTokenServer,
  type RecordedRequest,
  type TokenServer,
} from './support/token-server.ts';

const PACKAGE_VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const HTTPS_HOST = 'cx.example.test';
const KEYCLOAK_SCOPE = 'openid ast-api roles';
const SAST_LOGIN = { username: DEFAULT_SAST_USER.username, password: DEFAULT_SAST_USER.password };
const CXONE_CLIENT = { 'client-id': DEFAULT_REALM.clientId, 'client-secret': DEFAULT_REALM.clientSecret };
/** Every run: one attempt, so a wrong request fails at once instead of retrying. */
const BASE_INPUTS = { 'max-attempts': 1, 'timeout-seconds': 10 };

const GUARD_ENV: Env = LOOPBACK_ONLY_DNS_ENV;

// The SPEC's tables, written out here so that the tests do not trust src/ for them.
const SELF_HOSTED = [
  { product: 'sast', clientId: 'resource_owner_client', scope: 'sast_rest_api', apiPath: '/cxrestapi' },
  {
    product: 'sast-odata',
    clientId: 'resource_owner_sast_client',
    scope: 'access_control_api sast_api',
    apiPath: '/Cxwebinterface/odata/v1',
  },
  { product: 'access-control', clientId: 'resource_owner_client', scope: 'access_control_api', apiPath: '/cxrestapi/auth' },
] as const;

// Every region of the one region table (src/core/products.ts), at the hosts it names; the SCA
// default region is the one a user gets without the input.
const SCA_REGIONS = Object.entries(SCA_REGION_TABLE).map(([region, { tokenUrl, apiUrl }]) => ({
  region: region === DEFAULT_REGION ? undefined : region,
  host: new URL(tokenUrl).host,
  apiUrl,
}));

interface CxOneRegion {
  region: string;
  iam: string;
  ast: string;
}

const CXONE_REGIONS: CxOneRegion[] = Object.entries(CXONE_REGION_TABLE).map(([region, base]) => {
  const iam = new URL(base).host;
  return { region, iam, ast: iam.replace(/^(.*\.)?iam\./, '$1ast.') };
});

// Per region, two realms that exist only on that region's IAM host: one whose tokens carry an
// ast-base-url claim (reached with an API key), one without it (reached with a client).
const keyedTenant = (r: CxOneRegion) => `keyed-${r.region}`;
const clientTenant = (r: CxOneRegion) => `client-${r.region}`;
const claimedAstUrl = (r: CxOneRegion) => `https://claimed-${r.region}.ast.checkmarx.net`;
const realmUrl = (iamHost: string, tenant: string) => `https://${iamHost}/auth/realms/${tenant}`;

type Inputs = Record<string, string | number | boolean | undefined>;

interface Run extends ActionRun {
  startedAt: number;
  endedAt: number;
}

interface ExpectedToken {
  apiUrl: string;
  scope: string;
  expiresIn: number;
  tenant?: string;
  /** secret inputs: masked before the first log line, never printed */
  secrets: string[];
}

describe('action (dist/index.js) end to end', () => {
  let server: TokenServer;
  let ca: TestCa;
  let proxy: TestProxy;
  let httpsFront: https.Server;
  let httpsUrl: string;

  before(async () => {
    ca = await sharedTestCa();
    server = await startTokenServer();
    for (const r of CXONE_REGIONS) {
      server.config.realms[keyedTenant(r)] = { clients: {}, astBaseUrl: claimedAstUrl(r), iamHosts: [r.iam] };
      server.config.realms[clientTenant(r)] = { clients: { [DEFAULT_REALM.clientId]: DEFAULT_REALM.clientSecret }, iamHosts: [r.iam] };
    }
    // The same server (same recorded requests) behind TLS, for the ca-cert input.
    httpsFront = https.createServer(ca.issue([HTTPS_HOST]), server.handler);
    const httpsPort = await listenOnLoopback(httpsFront);
    httpsUrl = `https://127.0.0.1:${httpsPort}`;
    proxy = await startProxy({
      routes: { [`${HTTPS_HOST}:443`]: `127.0.0.1:${httpsPort}` },
      mitm: { ca, handler: server.handler },
    });
  });

  after(async () => {
    await proxy.close();
    httpsFront.closeAllConnections();
    await new Promise((resolve) => httpsFront.close(resolve));
    await server.close();
  });

  beforeEach(() => {
    server.reset();
    proxy.connects.length = 0;
    proxy.forwarded.length = 0;
  });

  async function act(inputs: Inputs, env: Env = {}): Promise<Run> {
    const startedAt = Date.now();
    const run = await runAction({ inputs: { ...BASE_INPUTS, ...inputs }, env: { ...GUARD_ENV, ...env } });
    return { ...run, startedAt, endedAt: Date.now() };
  }

  /** The real Checkmarx host names, served by the token server through the MITM proxy. */
  function viaCloud(): Env {
    return { HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: ca.certPath };
  }

  /** Checks a successful run: outputs, export, masks, no leaks. Returns the token. */
  function assertIssued(run: Run, expected: ExpectedToken): string {
    assert.equal(run.code, 0, `exit code ${run.code}\n${run.stdout}\n${run.stderr}`);
    const token = run.outputs['access-token'] ?? '';
    assert.ok(server.issuedAccessTokens.includes(token), 'access-token is the token the server issued');
    const { 'expires-at': expiresAt, ...rest } = run.outputs;
    assert.deepEqual(rest, {
      'access-token': token,
      'token-type': 'Bearer',
      'expires-in': String(expected.expiresIn),
      scope: expected.scope,
      'api-url': expected.apiUrl,
      ...(expected.tenant === undefined ? {} : { tenant: expected.tenant }),
    });
    assertExpiresAt(run, expiresAt, expected.expiresIn);
    assert.deepEqual(run.exported, { CX_ACCESS_TOKEN: token });
    assert.ok(run.masks.includes(token), 'the token is masked');
    expected.secrets.forEach((secret) => assertMaskedFirst(run, secret));
    assertNoLeak(run, [token, ...expected.secrets]);
    return token;
  }

  function assertExpiresAt(run: Run, expiresAt: string | undefined, expiresIn: number): void {
    assert.match(expiresAt ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/, 'expires-at is ISO-8601 UTC');
    const at = Date.parse(expiresAt ?? '');
    assert.ok(
      at >= run.startedAt + expiresIn * 1000 - 1000 && at <= run.endedAt + expiresIn * 1000 + 1000,
      `expires-at ${expiresAt} is now + ${expiresIn} s`,
    );
  }

  /** The secret's ::add-mask:: line comes before any other line. */
  function assertMaskedFirst(run: Run, secret: string): void {
    const lines = run.stdout.split('\n');
    const maskLine = lines.findIndex((line) => parseMasks(line)[0] === secret);
    const firstOther = lines.findIndex((line) => !line.startsWith('::add-mask::'));
    assert.ok(maskLine !== -1 && maskLine < firstOther, 'a secret input is masked before the first log line');
  }

  function assertRequest(
    request: RecordedRequest | undefined,
    expected: { host: string; path: string; form: Record<string, string> },
  ): void {
    assert.ok(request, 'the server got the request');
    assert.equal(request.method, 'POST');
    assert.equal(request.host, expected.host);
    assert.equal(request.path, expected.path);
    assert.match(request.headers['content-type'] ?? '', /^application\/x-www-form-urlencoded/);
    assert.equal(request.headers['user-agent'], `checkmarx-auth/${PACKAGE_VERSION}`);
    assert.deepEqual(request.form, expected.form);
  }

  function onlyRequestTo(host: string): RecordedRequest | undefined {
    const requests = server.requests.filter((request) => request.host === host);
    assert.equal(requests.length, 1, `one request to ${host}`);
    return requests[0];
  }

  function sastForm(profile: (typeof SELF_HOSTED)[number]): Record<string, string> {
    return { grant_type: 'password', ...SAST_LOGIN, scope: profile.scope, client_id: profile.clientId, client_secret: SAST_CLIENT_SECRET };
  }

  function expectedSast(profile: (typeof SELF_HOSTED)[number], root: string): ExpectedToken {
    return { apiUrl: `${root}${profile.apiPath}`, scope: profile.scope, expiresIn: 3600, secrets: [SAST_LOGIN.password] };
  }

  describe('self-hosted CxSAST and Access Control', () => {
    for (const profile of SELF_HOSTED) {
      test(`${profile.product} over http, server-url with and without a trailing / or /cxrestapi`, async () => {
        const spellings = [server.url, `${server.url}/`, `${server.url}/cxrestapi`, `${server.url}/CxRestAPI/`];
        const runs = await Promise.all(spellings.map((url) => act({ product: profile.product, 'server-url': url, ...SAST_LOGIN })));
        for (const run of runs) {
          assertIssued(run, expectedSast(profile, server.url));
          assert.match(run.stdout, /^::warning::.*http:\/\/.*cleartext/m, 'warns that http:// is cleartext');
        }
        assert.equal(server.requests.length, spellings.length);
        for (const request of server.requests) {
          assertRequest(request, { host: '127.0.0.1', path: IDENTITY_TOKEN_PATH, form: sastForm(profile) });
        }
      });
    }

    test('https with the test CA trusted by ca-cert: PEM text directly, a file path through a proxy', async () => {
      const [direct, proxied] = await Promise.all([
        act({ product: 'sast', 'server-url': httpsUrl, ...SAST_LOGIN, 'ca-cert': ca.certPem }),
        act({ product: 'sast', 'server-url': `https://${HTTPS_HOST}/`, ...SAST_LOGIN, 'ca-cert': ca.certPath }, { HTTPS_PROXY: proxy.url }),
      ]);
      assertIssued(direct, expectedSast(SELF_HOSTED[0], httpsUrl));
      assertIssued(proxied, expectedSast(SELF_HOSTED[0], `https://${HTTPS_HOST}`));
      for (const run of [direct, proxied]) assert.doesNotMatch(run.stdout, /cleartext/);
      assertRequest(onlyRequestTo('127.0.0.1'), { host: '127.0.0.1', path: IDENTITY_TOKEN_PATH, form: sastForm(SELF_HOSTED[0]) });
      assertRequest(onlyRequestTo(HTTPS_HOST), { host: HTTPS_HOST, path: IDENTITY_TOKEN_PATH, form: sastForm(SELF_HOSTED[0]) });
      assert.deepEqual(proxy.connects, [`${HTTPS_HOST}:443`]);
    });

    test('https without ca-cert fails on the certificate before sending credentials', async () => {
      const run = await act({ product: 'sast', 'server-url': httpsUrl, ...SAST_LOGIN });
      assert.equal(run.code, 1);
      assert.match(run.stdout, /^::error::.*certificate/im);
      assert.equal(server.requests.length, 0);
      assertNoLeak(run, [SAST_LOGIN.password]);
    });

    test('the token is masked before any output or export is written', async () => {
      // Without the runner's files, outputs and exports become stdout commands, so their order shows.
      const legacy = { GITHUB_OUTPUT: undefined, GITHUB_ENV: undefined };
      const run = await act({ product: 'sast', 'server-url': server.url, ...SAST_LOGIN }, legacy);
      assert.equal(run.code, 0, run.stdout);
      const token = server.issuedAccessTokens[0] ?? '';
      const lines = run.stdout.split('\n');
      const maskLine = lines.indexOf(`::add-mask::${token}`);
      const firstWrite = lines.findIndex((line) => /^::set-(output|env) /.test(line));
      const lineWithToken = lines.findIndex((line) => line.includes(token));
      assert.ok(maskLine !== -1 && firstWrite !== -1, run.stdout);
      assert.equal(lineWithToken, maskLine, 'the first line holding the token is its ::add-mask::');
      assert.ok(maskLine < firstWrite);
    });
  });

  describe('SCA at its real hosts, through the proxy', () => {
    test('the test guard: without the proxy the real host is never reached', async () => {
      const run = await act({ product: 'sca', tenant: DEFAULT_SCA.tenant, username: DEFAULT_SCA.username, password: DEFAULT_SCA.password });
      assert.equal(run.code, 1);
      assert.match(run.stdout, /^::error::.*platform\.checkmarx\.net.*ENOTFOUND/m);
      assert.equal(server.requests.length, 0);
      assertNoLeak(run, [DEFAULT_SCA.password]);
    });

    test('default region and region eu', async () => {
      const runs = await Promise.all(
        SCA_REGIONS.map((r) =>
          act(
            {
              product: 'sca',
              region: r.region,
              tenant: DEFAULT_SCA.tenant,
              username: DEFAULT_SCA.username,
              password: DEFAULT_SCA.password,
            },
            viaCloud(),
          ),
        ),
      );
      SCA_REGIONS.forEach((r, index) => {
        const run = runs[index]!;
        assertIssued(run, {
          apiUrl: r.apiUrl,
          scope: 'sca_api',
          expiresIn: 3600,
          tenant: DEFAULT_SCA.tenant,
          secrets: [DEFAULT_SCA.password],
        });
        assertRequest(onlyRequestTo(r.host), {
          host: r.host,
          path: SCA_TOKEN_PATH,
          form: {
            grant_type: 'password',
            username: DEFAULT_SCA.username,
            password: DEFAULT_SCA.password,
            scope: 'sca_api',
            client_id: 'sca_resource_owner',
            acr_values: `Tenant:${DEFAULT_SCA.tenant}`,
          },
        });
      });
      assert.deepEqual([...proxy.connects].sort(), SCA_REGIONS.map((r) => `${r.host}:443`).sort());
    });
  });

  describe('Checkmarx One in every region, through the proxy', () => {
    function assertNoRefreshTokenLeak(runs: Run[]): void {
      const refreshTokens = [...server.issuedRefreshTokens];
      for (const run of runs) {
        assertNoLeak(run, refreshTokens);
        const written = [...Object.values(run.outputs), ...Object.values(run.exported)].join('\n');
        for (const refreshToken of refreshTokens) assert.ok(!written.includes(refreshToken), 'refresh token in an output or export');
      }
    }

    test('api-key alone: realm, client and tenant from the key, api-url from the ast-base-url claim', async () => {
      const keys = CXONE_REGIONS.map((r) => makeApiKey({ realmUrl: realmUrl(r.iam, keyedTenant(r)), azp: `key-client-${r.region}` }));
      const runs = await Promise.all(keys.map((key) => act({ product: 'cxone', 'api-key': key }, viaCloud())));
      CXONE_REGIONS.forEach((r, index) => {
        const key = keys[index]!;
        assertIssued(runs[index]!, {
          apiUrl: `${claimedAstUrl(r)}/api`,
          scope: KEYCLOAK_SCOPE,
          expiresIn: 1800,
          tenant: keyedTenant(r),
          secrets: [key],
        });
        assertRequest(onlyRequestTo(r.iam), {
          host: r.iam,
          path: keycloakTokenPath(keyedTenant(r)),
          form: { grant_type: 'refresh_token', client_id: `key-client-${r.region}`, refresh_token: key },
        });
      });
      assert.equal(server.issuedRefreshTokens.length, CXONE_REGIONS.length, 'the server returned refresh tokens');
      assertNoRefreshTokenLeak(runs);
      assert.deepEqual(server.revocations, [], 'the API key is never revoked');
      assert.deepEqual([...proxy.connects].sort(), CXONE_REGIONS.map((r) => `${r.iam}:443`).sort());
    });

    test('client_credentials with tenant and region; api-url from the IAM host without the claim', async () => {
      const runs = await Promise.all(
        CXONE_REGIONS.map((r) => act({ product: 'cxone', tenant: clientTenant(r), region: r.region, ...CXONE_CLIENT }, viaCloud())),
      );
      CXONE_REGIONS.forEach((r, index) => {
        const run = runs[index]!;
        assertIssued(run, {
          apiUrl: `https://${r.ast}/api`,
          scope: KEYCLOAK_SCOPE,
          expiresIn: 1800,
          tenant: clientTenant(r),
          secrets: [DEFAULT_REALM.clientSecret],
        });
        assertRequest(onlyRequestTo(r.iam), {
          host: r.iam,
          path: keycloakTokenPath(clientTenant(r)),
          form: { grant_type: 'client_credentials', client_id: DEFAULT_REALM.clientId, client_secret: DEFAULT_REALM.clientSecret },
        });
      });
      assert.deepEqual([...proxy.connects].sort(), CXONE_REGIONS.map((r) => `${r.iam}:443`).sort());
    });

    test('explicit region wins over the key; api-key without the claim falls back to the ast host', async () => {
      const euKey = makeApiKey({ realmUrl: realmUrl('eu.iam.checkmarx.net', DEFAULT_REALM.name) });
      const eu2 = CXONE_REGIONS.find((r) => r.region === 'eu2')!;
      const unclaimedKey = makeApiKey({ realmUrl: realmUrl(eu2.iam, clientTenant(eu2)), audArray: true });
      const [overridden, unclaimed] = await Promise.all([
        act({ product: 'cxone', 'api-key': euKey, region: 'anz' }, viaCloud()),
        act({ product: 'cxone', 'api-key': unclaimedKey }, viaCloud()),
      ]);
      assertIssued(overridden, {
        apiUrl: `${DEFAULT_REALM.astBaseUrl}/api`,
        scope: KEYCLOAK_SCOPE,
        expiresIn: 1800,
        tenant: DEFAULT_REALM.name,
        secrets: [euKey],
      });
      assertRequest(onlyRequestTo('anz.iam.checkmarx.net'), {
        host: 'anz.iam.checkmarx.net',
        path: keycloakTokenPath(DEFAULT_REALM.name),
        form: { grant_type: 'refresh_token', client_id: 'ast-app', refresh_token: euKey },
      });
      assertIssued(unclaimed, {
        apiUrl: `https://${eu2.ast}/api`,
        scope: KEYCLOAK_SCOPE,
        expiresIn: 1800,
        tenant: clientTenant(eu2),
        secrets: [unclaimedKey],
      });
      assert.equal(onlyRequestTo(eu2.iam)?.path, keycloakTokenPath(clientTenant(eu2)));
      assert.equal(
        server.requests.filter((request) => request.host === 'eu.iam.checkmarx.net').length,
        0,
        "the key's own region is not asked",
      );
      assertNoRefreshTokenLeak([overridden, unclaimed]);
      assert.deepEqual(server.revocations, []);
    });
  });

  describe('inputs from the environment', () => {
    test('CX_SERVER_URL, CX_USERNAME, CX_PASSWORD stand in for empty inputs', async () => {
      const run = await act(
        { product: 'sast', 'server-url': '', password: '' },
        { CX_SERVER_URL: `${server.url}/cxrestapi/`, CX_USERNAME: SAST_LOGIN.username, CX_PASSWORD: SAST_LOGIN.password },
      );
      assertIssued(run, expectedSast(SELF_HOSTED[0], server.url));
      assertRequest(onlyRequestTo('127.0.0.1'), { host: '127.0.0.1', path: IDENTITY_TOKEN_PATH, form: sastForm(SELF_HOSTED[0]) });
    });

    test('a non-empty input wins over the environment', async () => {
      const run = await act(
        { product: 'sast', 'server-url': server.url, ...SAST_LOGIN },
        { CX_PRODUCT: 'sca', CX_SERVER_URL: 'http://127.0.0.1:9', CX_USERNAME: 'nobody', CX_PASSWORD: 'wrong password' },
      );
      assertIssued(run, expectedSast(SELF_HOSTED[0], server.url));
      assertRequest(onlyRequestTo('127.0.0.1'), { host: '127.0.0.1', path: IDENTITY_TOKEN_PATH, form: sastForm(SELF_HOSTED[0]) });
    });

    test('Checkmarx One: CX_APIKEY and CX_BASE_AUTH_URI, CX_CLIENT_SECRET; the api-key input wins over CX_APIKEY', async () => {
      const usKey = makeApiKey({ realmUrl: realmUrl('iam.checkmarx.net', DEFAULT_REALM.name) });
      const eu = CXONE_REGIONS.find((r) => r.region === 'eu')!;
      const [fromEnv, clientFromEnv, inputWins] = await Promise.all([
        act({ product: 'cxone' }, { ...viaCloud(), CX_APIKEY: usKey, CX_BASE_AUTH_URI: 'https://eu.iam.checkmarx.net' }),
        act(
          { product: 'cxone', 'client-id': DEFAULT_REALM.clientId },
          { ...viaCloud(), CX_TENANT: clientTenant(eu), CX_REGION: 'eu', CX_CLIENT_SECRET: DEFAULT_REALM.clientSecret },
        ),
        act({ product: 'cxone', 'api-key': usKey, region: 'us2' }, { ...viaCloud(), CX_APIKEY: 'not-a-key', CX_REGION: 'eu' }),
      ]);
      assertIssued(fromEnv, {
        apiUrl: `${DEFAULT_REALM.astBaseUrl}/api`,
        scope: KEYCLOAK_SCOPE,
        expiresIn: 1800,
        tenant: DEFAULT_REALM.name,
        secrets: [usKey],
      });
      assertIssued(clientFromEnv, {
        apiUrl: `https://${eu.ast}/api`,
        scope: KEYCLOAK_SCOPE,
        expiresIn: 1800,
        tenant: clientTenant(eu),
        secrets: [DEFAULT_REALM.clientSecret],
      });
      assertIssued(inputWins, {
        apiUrl: `${DEFAULT_REALM.astBaseUrl}/api`,
        scope: KEYCLOAK_SCOPE,
        expiresIn: 1800,
        tenant: DEFAULT_REALM.name,
        secrets: [usKey],
      });
      const euRequests = server.requests.filter((request) => request.host === eu.iam);
      assert.deepEqual(euRequests.map((request) => request.form['grant_type']).sort(), ['client_credentials', 'refresh_token']);
      assert.equal(euRequests.find((request) => request.form['grant_type'] === 'refresh_token')?.form['refresh_token'], usKey);
      assert.equal(onlyRequestTo('us.iam.checkmarx.net')?.form['refresh_token'], usKey);
      assert.equal(server.requests.length, 3);
    });
  });

  describe('export', () => {
    test('export-env false exports nothing; env-name renames the variable', async () => {
      const inputs = { product: 'sast', 'server-url': server.url, ...SAST_LOGIN };
      const [none, renamed] = await Promise.all([act({ ...inputs, 'export-env': false }), act({ ...inputs, 'env-name': 'MY_TOKEN' })]);
      assert.equal(none.code, 0, none.stdout);
      assert.deepEqual(none.exported, {});
      assert.ok(server.issuedAccessTokens.includes(none.outputs['access-token'] ?? ''), 'outputs are still set');
      assert.doesNotMatch(none.stdout, /Exported/);
      assert.equal(renamed.code, 0, renamed.stdout);
      assert.deepEqual(renamed.exported, { MY_TOKEN: renamed.outputs['access-token'] });
      assert.match(renamed.stdout, /MY_TOKEN/);
      for (const run of [none, renamed]) assertNoLeak(run, [SAST_LOGIN.password, ...server.issuedAccessTokens]);
    });
  });

  describe('bad or missing inputs fail before any request', () => {
    const key = makeApiKey({ realmUrl: realmUrl('iam.checkmarx.net', DEFAULT_REALM.name) });
    const sast = (extra: Inputs = {}): Inputs => ({ product: 'sast', 'server-url': 'http://127.0.0.1:9', ...SAST_LOGIN, ...extra });
    /** `names`: every input the error must name; the first is the one at fault. */
    const cases: Array<{ name: string; names: string[]; inputs: Inputs }> = [
      { name: 'no product', names: ['product'], inputs: { username: 'u', password: SAST_LOGIN.password } },
      { name: 'an unknown product', names: ['product'], inputs: { product: 'sast-cloud', ...SAST_LOGIN } },
      { name: 'sast without server-url', names: ['server-url'], inputs: { product: 'sast', ...SAST_LOGIN } },
      { name: 'sast without password', names: ['password'], inputs: sast({ password: '' }) },
      { name: 'sca without tenant', names: ['tenant'], inputs: { product: 'sca', username: 'u', password: SAST_LOGIN.password } },
      {
        name: 'cxone without key or client',
        names: ['api-key', 'client-id', 'client-secret'],
        inputs: { product: 'cxone', tenant: DEFAULT_REALM.name },
      },
      {
        name: 'cxone client without secret',
        names: ['client-secret'],
        inputs: { product: 'cxone', tenant: 't', region: 'eu', 'client-id': 'c' },
      },
      { name: 'cxone unknown region', names: ['region'], inputs: { product: 'cxone', 'api-key': key, region: 'mars' } },
      { name: 'timeout-seconds not a number', names: ['timeout-seconds'], inputs: sast({ 'timeout-seconds': 'soon' }) },
      { name: 'timeout-seconds zero', names: ['timeout-seconds'], inputs: sast({ 'timeout-seconds': '0' }) },
      { name: 'timeout-seconds negative', names: ['timeout-seconds'], inputs: sast({ 'timeout-seconds': '-5' }) },
      { name: 'max-attempts zero', names: ['max-attempts'], inputs: sast({ 'max-attempts': '0' }) },
      { name: 'export-env not a boolean', names: ['export-env'], inputs: sast({ 'export-env': 'sometimes' }) },
      { name: 'env-name not a variable name', names: ['env-name'], inputs: sast({ 'env-name': 'MY-TOKEN' }) },
      { name: 'ca-cert an unreadable file', names: ['ca-cert'], inputs: sast({ 'ca-cert': '/nonexistent/ca.pem' }) },
    ];

    test(cases.map((c) => c.name).join('; '), async () => {
      const runs = await Promise.all(cases.map((c) => act(c.inputs, viaCloud())));
      cases.forEach((c, index) => {
        const run = runs[index]!;
        assert.equal(run.code, 1, `${c.name}: exit code\n${run.stdout}${run.stderr}`);
        const errors = run.stdout.split('\n').filter((line) => line.startsWith('::error::'));
        assert.equal(errors.length, 1, `${c.name}: one ::error:: line`);
        const [atFault, ...alternatives] = c.names;
        for (const named of [`'${atFault}'`, ...alternatives])
          assert.ok(errors[0]?.includes(named), `${c.name}: the error names ${named}: ${errors[0]}`);
        assert.deepEqual(run.outputs, {}, `${c.name}: no outputs`);
        assert.deepEqual(run.exported, {}, `${c.name}: nothing exported`);
        assertNoLeak(run, [SAST_LOGIN.password, key]);
      });
      assert.equal(server.requests.length, 0, 'no request reached the server');
      assert.deepEqual(proxy.connects, [], 'no connection through the proxy');
    });
  });
});
