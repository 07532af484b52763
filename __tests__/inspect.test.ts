// `checkmarx-auth inspect`: what the inputs resolve to and what an API key says, for every
// product, with no request, and never a secret or any 8-character piece of one. In process with
// an injected clock (the expiry warning at 5 and at 60 days), and through the CLI bundle.

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { run as runCliInProcess } from '../src/cli/main.ts';
import { SYSTEM_IO } from '../src/io/system.ts';
import { PRODUCT_NAMES } from '../src/core/products.ts';
import { keyFactsOf } from '../src/core/api-key-facts.ts';
import { expiryWarning, inDays } from '../src/core/key-expiry.ts';
import { WITHHELD } from '../src/core/withheld.ts';
import { resolvePlan } from '../src/core/settings.ts';
import { makeApiKey, makeJwt } from './support/jwt.ts';
import { runCli } from './support/run.ts';
import { DEFAULT_OIDC_CLIENT, DEFAULT_REALM, DEFAULT_SAST_TOKEN, startTokenServer, type TokenServer } from './support/token-server.ts';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const DAY = 86_400;
const nowSeconds = NOW / 1000;
const REALM_URL = `https://eu.iam.checkmarx.net/auth/realms/${DEFAULT_REALM.name}`;
const keyExpiringIn = (days: number) =>
  makeApiKey({ realmUrl: REALM_URL, azp: 'my-app', claims: { iat: nowSeconds - 30 * DAY, exp: nowSeconds + days * DAY } });

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function inspect(argv: string[], env: Record<string, string> = {}): Promise<Result> {
  let stdout = '';
  let stderr = '';
  const code = await runCliInProcess(['inspect', ...argv], {
    env,
    io: { ...SYSTEM_IO, now: () => NOW, postForm: () => assert.fail('inspect sent a request') },
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
  });
  return { code, stdout, stderr };
}

/** No secret, nor any 8 characters of one, anywhere in what was printed. */
function assertNoFragment(result: Pick<Result, 'stdout' | 'stderr'>, secrets: string[]): void {
  const text = `${result.stdout}\n${result.stderr}`;
  secrets.forEach((secret, index) => {
    if (secret.length < 8) assert.ok(!text.includes(secret), `secret #${index} printed`);
    for (let at = 0; at + 8 <= secret.length; at++) {
      if (text.includes(secret.slice(at, at + 8))) assert.fail(`8 characters of secret #${index} printed (at ${at})`);
    }
  });
}

const json = (result: Result) => JSON.parse(result.stdout) as Record<string, unknown>;

// One run of every product, with every secret the product may take.
const PASSWORD = 'Pa55w0rd-zq81!x';
const CLIENT_SECRET = 'Cl1ent-s3cr3t-Qv7';
const KEY_60_DAYS = keyExpiringIn(60);
const CASES: Record<string, { argv: string[]; env: Record<string, string>; secrets: string[]; expect: Record<string, unknown> }> = {
  sast: {
    argv: ['--product', 'sast', '--server-url', 'https://cx.example.com/CxWebClient/'],
    env: { CX_APIKEY: DEFAULT_SAST_TOKEN },
    secrets: [DEFAULT_SAST_TOKEN],
    expect: {
      product: 'sast',
      grantType: 'refresh_token',
      tokenUrl: 'https://cx.example.com/cxrestapi/auth/identity/connect/token',
      tenant: null,
      region: null,
      clientId: 'cli_client',
      apiUrl: 'https://cx.example.com/cxrestapi',
      apiKey: null,
    },
  },
  'sast-odata': {
    argv: ['--product', 'sast-odata', '--server-url', 'https://cx.example.com', '--username', 'ci'],
    env: { CX_PASSWORD: PASSWORD },
    secrets: [PASSWORD],
    expect: { grantType: 'password', clientId: 'resource_owner_sast_client', apiUrl: 'https://cx.example.com/Cxwebinterface/odata/v1' },
  },
  'access-control': {
    argv: ['--product', 'access-control', '--server-url', 'https://cx.example.com', '--client-id', DEFAULT_OIDC_CLIENT.clientId],
    env: { CX_CLIENT_SECRET: CLIENT_SECRET },
    secrets: [CLIENT_SECRET],
    expect: { grantType: 'client_credentials', clientId: DEFAULT_OIDC_CLIENT.clientId, apiUrl: 'https://cx.example.com/cxrestapi/auth' },
  },
  sca: {
    argv: ['--product', 'sca', '--tenant', 'acme', '--region', 'EU', '--username', 'ci'],
    env: { CX_PASSWORD: PASSWORD },
    secrets: [PASSWORD],
    expect: {
      tokenUrl: 'https://eu.platform.checkmarx.net/identity/connect/token',
      tenant: 'acme',
      region: 'eu',
      clientId: 'sca_resource_owner',
      apiUrl: 'https://eu.api-sca.checkmarx.net',
    },
  },
  cxone: {
    argv: ['--product', 'cxone'],
    env: { CX_APIKEY: KEY_60_DAYS },
    secrets: [KEY_60_DAYS],
    expect: {
      grantType: 'refresh_token',
      tokenUrl: `${REALM_URL}/protocol/openid-connect/token`,
      tenant: DEFAULT_REALM.name,
      region: 'eu',
      clientId: 'my-app',
      apiUrl: 'https://eu.ast.checkmarx.net/api',
      apiKey: {
        realmUrl: REALM_URL,
        azp: 'my-app',
        issuedAt: '2026-01-30T12:00:00Z',
        expiresAt: '2026-04-30T12:00:00Z',
      },
    },
  },
};

describe('inspect, in process', () => {
  it('covers every product', () => assert.deepEqual(Object.keys(CASES).sort(), [...PRODUCT_NAMES].sort()));

  for (const [product, { argv, env, secrets, expect }] of Object.entries(CASES)) {
    it(`${product}: json says what the inputs resolve to, with no request and no piece of a secret`, async () => {
      const result = await inspect([...argv, '--format', 'json'], env);
      assert.equal(result.code, 0, result.stderr);
      const got = json(result);
      for (const [key, value] of Object.entries(expect)) assert.deepEqual(got[key], value, key);
      assertNoFragment(result, secrets);
    });
    it(`${product}: text has the same, one labelled line each, and no piece of a secret`, async () => {
      const result = await inspect(argv, env);
      assert.equal(result.code, 0, result.stderr);
      const got = json(await inspect([...argv, '--format', 'json'], env));
      assert.match(result.stdout, new RegExp(`^product: +${product}$`, 'm'));
      assert.match(result.stdout, new RegExp(`^token endpoint: +${String(got.tokenUrl).replace(/[.?]/g, '\\$&')}$`, 'm'));
      assert.match(result.stdout, new RegExp(`^client id: +${String(got.clientId)}$`, 'm'));
      assertNoFragment(result, secrets);
    });
  }

  it('a Checkmarx One key 5 days from its exp: a warning naming the date; the text shows it', async () => {
    const key = keyExpiringIn(5);
    const result = await inspect(['--product', 'cxone'], { CX_APIKEY: key });
    assert.equal(result.code, 0);
    assert.match(
      result.stderr,
      /^checkmarx-auth: warning: The Checkmarx One API key expires at 2026-03-06T12:00:00Z \(in 5 days\)\. Create a new key in Checkmarx One/m,
    );
    assert.match(result.stdout, /^API key expires: +2026-03-06T12:00:00Z \(in 5 days\)$/m);
    assertNoFragment(result, [key]);
  });

  it('a key 60 days from its exp: no warning', async () => {
    const result = await inspect(['--product', 'cxone'], { CX_APIKEY: keyExpiringIn(60) });
    assert.equal(result.code, 0);
    assert.equal(result.stderr, '');
    assert.match(result.stdout, /^API key expires: +2026-04-30T12:00:00Z \(in 60 days\)$/m);
  });

  it('a key without exp: expiry null in json, "not by itself" in text, no warning', async () => {
    const key = makeApiKey({ realmUrl: REALM_URL, claims: { iat: nowSeconds } });
    const j = json(await inspect(['--product', 'cxone', '--format', 'json'], { CX_APIKEY: key }));
    assert.deepEqual(j.apiKey, { realmUrl: REALM_URL, azp: 'ast-app', issuedAt: '2026-03-01T12:00:00Z', expiresAt: null });
    const text = await inspect(['--product', 'cxone'], { CX_APIKEY: key });
    assert.match(text.stdout, /^API key expires: +not by itself \(the key has no exp claim, or exp 0\)$/m);
    assert.equal(text.stderr, '');
  });

  it('a key with exp 0 (Keycloak: no expiry) reads as a key without exp, not as expired in 1970', async () => {
    const key = makeApiKey({ realmUrl: REALM_URL, claims: { iat: nowSeconds, exp: 0 } });
    const j = json(await inspect(['--product', 'cxone', '--format', 'json'], { CX_APIKEY: key }));
    assert.deepEqual(j.apiKey, { realmUrl: REALM_URL, azp: 'ast-app', issuedAt: '2026-03-01T12:00:00Z', expiresAt: null });
    const text = await inspect(['--product', 'cxone'], { CX_APIKEY: key });
    assert.match(text.stdout, /^API key expires: +not by itself \(the key has no exp claim, or exp 0\)$/m);
    assert.doesNotMatch(text.stdout + text.stderr, /1970|expired/);
    assert.equal(text.stderr, '', 'no expiry warning');
  });

  it('an expired key: said so, in the warning and the text', async () => {
    const result = await inspect(['--product', 'cxone'], { CX_APIKEY: keyExpiringIn(-1) });
    assert.match(result.stderr, /The Checkmarx One API key expired at 2026-02-28T12:00:00Z\./);
    assert.match(result.stdout, /^API key expires: +2026-02-28T12:00:00Z \(expired\)$/m);
  });

  it('a secret pasted into another input is withheld, not printed', async () => {
    const key = keyExpiringIn(60);
    const result = await inspect(['--product', 'cxone', '--tenant', key.split('.')[1]!.slice(0, 40), '--format', 'json'], {
      CX_APIKEY: key,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(json(result).tenant, WITHHELD);
    assert.equal(String(json(result).tokenUrl), WITHHELD);
    assertNoFragment(result, [key]);
  });

  it('a claim with control characters or a CI command cannot break a line', async () => {
    const key = makeJwt({ aud: REALM_URL, azp: 'x\n::error::y ##vso[task.setvariable]' });
    for (const format of ['text', 'json']) {
      const result = await inspect(['--product', 'cxone', '--format', format], { CX_APIKEY: key });
      assert.equal(result.code, 0);
      assert.ok(!/^::error::/m.test(result.stdout) && !result.stdout.includes('##vso['), result.stdout);
    }
  });

  it('bad usage exits 2: another --format, or a missing input', async () => {
    const yaml = await inspect(['--product', 'sast', '--server-url', 'https://x', '--api-key', 'K', '--format', 'yaml']);
    assert.equal(yaml.code, 2);
    assert.match(yaml.stderr, /inspect --format 'yaml' is not one of: text, json\./);
    const missing = await inspect(['--product', 'sca', '--username', 'u'], { CX_PASSWORD: PASSWORD });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--tenant/);
    assertNoFragment(missing, [PASSWORD]);
  });

  it('a secret given as a flag gets the process-list warning, as for an exchange', async () => {
    const result = await inspect(['--product', 'sast', '--server-url', 'https://x', '--username', 'u', '--password', PASSWORD]);
    assert.equal(result.code, 0);
    assert.match(result.stderr, /--password on the command line can be seen in process lists/);
    assertNoFragment(result, [PASSWORD]);
  });
});

describe('key facts and the expiry warning', () => {
  const plan = (key: string) => resolvePlan({ product: 'cxone', 'api-key': key });
  it('a key with odd claims has only the facts it states', () => {
    const facts = keyFactsOf(plan(makeJwt({ aud: REALM_URL, iat: 'yesterday', exp: -5, azp: 7 })));
    assert.deepEqual(facts, { realmUrl: REALM_URL });
    assert.equal(keyFactsOf(resolvePlan({ product: 'cxone', 'api-key': 'opaque', tenant: 't', region: 'eu' })), undefined);
    assert.equal(
      keyFactsOf(resolvePlan({ product: 'sast', 'server-url': 'https://x', 'api-key': makeApiKey({ realmUrl: REALM_URL }) })),
      undefined,
    );
  });
  it('warns below 14 days, not at or above', () => {
    const at = (days: number) => expiryWarning({ expiresAt: new Date(NOW + days * DAY * 1000).toISOString() }, NOW);
    assert.ok(at(13.9));
    assert.equal(at(14), undefined);
    assert.equal(expiryWarning({}, NOW), undefined);
    assert.equal(expiryWarning(undefined, NOW), undefined);
  });
  it('counts days to the nearest one', () => {
    const iso = (days: number) => new Date(NOW + days * DAY * 1000).toISOString();
    assert.equal(inDays(iso(0.5), NOW), 'in less than a day');
    assert.equal(inDays(iso(1.2), NOW), 'in 1 day');
    assert.equal(inDays(iso(4.99), NOW), 'in 5 days');
  });
});

describe('inspect through the CLI bundle', () => {
  let server: TokenServer;
  before(async () => (server = await startTokenServer()));
  after(() => server.close());
  beforeEach(() => server.reset());

  it('resolves a CxSAST token and a Checkmarx One key without sending anything', async () => {
    const sast = await runCli(['inspect', '--product', 'sast', '--server-url', server.url, '--format', 'json'], {
      env: { CX_APIKEY: DEFAULT_SAST_TOKEN },
    });
    assert.equal(sast.code, 0, sast.stderr);
    assert.equal((JSON.parse(sast.stdout) as Record<string, unknown>).grantType, 'refresh_token');
    const realmUrl = `${server.url}/auth/realms/${DEFAULT_REALM.name}`;
    const key = makeApiKey({ realmUrl, claims: { exp: Math.floor(Date.now() / 1000) + 5 * DAY } });
    const cxone = await runCli(['inspect', '--product', 'cxone'], { env: { CX_APIKEY: key } });
    assert.equal(cxone.code, 0, cxone.stderr);
    assert.match(cxone.stdout, new RegExp(`^API key realm: +${realmUrl.replace(/[.]/g, '\\.')}$`, 'm'));
    assert.match(cxone.stderr, /warning: The Checkmarx One API key expires at .* \(in 5 days\)/);
    assert.equal(server.requests.length, 0, 'no request');
    assertNoFragment(sast, [DEFAULT_SAST_TOKEN]);
    assertNoFragment(cxone, [key]);
  });
});
