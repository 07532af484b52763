import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolvePlan, resolveSettings } from '../src/core/settings.ts';
import { normalizeServerUrl, realmOfClaims } from '../src/core/endpoints.ts';
import { failureMessage, InputError } from '../src/core/errors.ts';
import { CLI_NAMING } from '../src/cli/naming.ts';
import { readInputs } from '../src/core/inputs.ts';
import { decodeJwtClaims } from '../src/core/jwt.ts';
import { PRODUCTS, type ProductName } from '../src/core/products.ts';
import { makeApiKey, makeJwt } from './support/jwt.ts';
import { CXONE_REGIONS, REGION_ALIASES } from '../src/core/products.ts';
import { NO_FILES } from './support/fixtures.ts';

const plan = (values: Record<string, string>) => resolvePlan(values);
const inputError = (input: string) => (error: unknown) => error instanceof InputError && error.input === input;

describe('server-url', () => {
  for (const url of [
    'https://cx.example.com',
    'https://cx.example.com/',
    'https://cx.example.com/cxrestapi',
    'https://cx.example.com/CxRestAPI/',
    'https://cx.example.com//cxrestapi//',
  ]) {
    it(`treats ${url} as the server root`, () => assert.equal(normalizeServerUrl(url), 'https://cx.example.com'));
  }
  it('keeps a path prefix', () => assert.equal(normalizeServerUrl('https://host/cx/cxrestapi'), 'https://host/cx'));
  it('rejects what is not http(s)', () => assert.throws(() => normalizeServerUrl('ftp://x'), inputError('server-url')));
});

describe('self-hosted products', () => {
  const base = { 'server-url': 'https://cx.example.com/cxrestapi/', username: 'u', password: 'p' };
  it('sast uses the REST client and scope', () => {
    const p = plan({ ...base, product: 'SAST' });
    assert.equal(p.endpoint.tokenUrl, 'https://cx.example.com/cxrestapi/auth/identity/connect/token');
    assert.equal(p.endpoint.apiUrl, 'https://cx.example.com/cxrestapi');
    assert.deepEqual(
      [p.grantType, p.clientId, p.clientSecret, p.scope],
      ['password', 'resource_owner_client', '014DF517-39D1-4453-B7B3-9930C563627C', 'sast_rest_api'],
    );
  });
  it('sast-odata and access-control differ only in data', () => {
    assert.equal(plan({ ...base, product: 'sast-odata' }).endpoint.apiUrl, 'https://cx.example.com/Cxwebinterface/odata/v1');
    assert.equal(plan({ ...base, product: 'sast-odata' }).clientId, 'resource_owner_sast_client');
    assert.equal(plan({ ...base, product: 'access-control' }).endpoint.apiUrl, 'https://cx.example.com/cxrestapi/auth');
    assert.equal(plan({ ...base, product: 'access-control' }).scope, 'access_control_api');
  });
  it('a custom client gets no default secret', () => {
    const p = plan({ ...base, product: 'access-control', 'client-id': 'my_oidc' });
    assert.equal(p.clientSecret, undefined);
  });
  it('needs server-url, username and password', () => {
    assert.throws(() => plan({ product: 'sast', username: 'u', password: 'p' }), inputError('server-url'));
    assert.throws(() => plan({ product: 'sast', 'server-url': 'https://x', password: 'p' }), inputError('username'));
    assert.throws(() => plan({ product: 'sast', 'server-url': 'https://x', username: 'u' }), inputError('password'));
  });
  it('names every missing input of a run in one message, the action and the CLI each their own way', () => {
    const cases: Array<[Record<string, string>, string[], string, string]> = [
      [
        { product: 'sast' },
        ['username', 'password', 'server-url'],
        "Inputs 'username', 'password' and 'server-url' (e.g. https://cx.example.com) are required for product 'sast' with grant type 'password'; or give 'api-key' for grant type 'refresh_token'; or give 'client-id' and 'client-secret' for grant type 'client_credentials'.",
        "--username / CX_USERNAME, --password / CX_PASSWORD and --server-url / CX_SERVER_URL (e.g. https://cx.example.com) are required for product 'sast' with grant type 'password'; or give --api-key / CX_API_KEY or CX_APIKEY for grant type 'refresh_token'; or give --client-id / CX_CLIENT_ID and --client-secret / CX_CLIENT_SECRET for grant type 'client_credentials'.",
      ],
      [
        { product: 'sca', username: 'u' },
        ['password', 'tenant'],
        "Inputs 'password' and 'tenant' (your SCA tenant account name) are required for product 'sca' with grant type 'password'.",
        "--password / CX_PASSWORD and --tenant / CX_TENANT (your SCA tenant account name) are required for product 'sca' with grant type 'password'.",
      ],
      [
        { product: 'cxone', 'client-id': 'c' },
        ['client-secret', 'tenant'],
        "Inputs 'client-secret' and 'tenant' (your Checkmarx One tenant) are required for product 'cxone' with grant type 'client_credentials'; or give 'api-key' for grant type 'refresh_token'.",
        "--client-secret / CX_CLIENT_SECRET and --tenant / CX_TENANT (your Checkmarx One tenant) are required for product 'cxone' with grant type 'client_credentials'; or give --api-key / CX_API_KEY or CX_APIKEY for grant type 'refresh_token'.",
      ],
      [
        { product: 'sast', 'server-url': 'https://x', username: 'u' },
        ['password'],
        "Input 'password': is required for product 'sast' with grant type 'password'; or give 'api-key' for grant type 'refresh_token'; or give 'client-id' and 'client-secret' for grant type 'client_credentials'.",
        "--password / CX_PASSWORD: is required for product 'sast' with grant type 'password'; or give --api-key / CX_API_KEY or CX_APIKEY for grant type 'refresh_token'; or give --client-id / CX_CLIENT_ID and --client-secret / CX_CLIENT_SECRET for grant type 'client_credentials'.",
      ],
    ];
    for (const [values, inputs, action, cli] of cases) {
      const error = (() => {
        try {
          plan(values);
        } catch (caught) {
          return caught;
        }
        assert.fail(`no error for ${JSON.stringify(values)}`);
      })();
      assert.ok(error instanceof InputError);
      assert.deepEqual(error.inputs, inputs);
      assert.equal(failureMessage(error), action);
      assert.equal(failureMessage(error, CLI_NAMING), cli);
    }
  });
  it('the CLI names a bad input as its flag and variable', () => {
    const error = new InputError('max-attempts', "'many' is not a whole number.");
    assert.equal(failureMessage(error), "Input 'max-attempts': 'many' is not a whole number.");
    assert.equal(failureMessage(error, CLI_NAMING), "--max-attempts / CX_MAX_ATTEMPTS: 'many' is not a whole number.");
    assert.equal(failureMessage(new InputError('min-validity', 'x.'), CLI_NAMING), '--min-validity: x.');
  });
  it('rejects a grant type the product does not have', () => {
    assert.throws(
      () => plan({ product: 'sca', tenant: 't', username: 'u', password: 'p', 'grant-type': 'client_credentials' }),
      inputError('grant-type'),
    );
  });
  for (const product of ['sast', 'sast-odata', 'access-control']) {
    it(`${product}: api-key alone is CxSAST's CLI token, exchanged with cli_client and its secret`, () => {
      const p = plan({ product, 'server-url': 'https://cx.example.com', 'api-key': 'ABC123' });
      assert.deepEqual(
        [p.grantType, p.clientId, p.clientSecret, p.apiKey],
        ['refresh_token', 'cli_client', 'B9D84EA8-E476-4E83-A628-8A342D74D3BD', 'ABC123'],
      );
    });
    it(`${product}: username and password win over an api-key given as well`, () => {
      const p = plan({ ...base, product, 'api-key': 'ABC123' });
      assert.equal(p.grantType, 'password');
      assert.equal(p.clientSecret, '014DF517-39D1-4453-B7B3-9930C563627C');
    });
    it(`${product}: client-id and client-secret alone are an OIDC client with client_credentials and the product scope`, () => {
      const p = plan({ product, 'server-url': 'https://cx.example.com', 'client-id': 'svc', 'client-secret': 's3' });
      assert.deepEqual([p.grantType, p.clientId, p.clientSecret], ['client_credentials', 'svc', 's3']);
      assert.equal(p.scope, PRODUCTS[product as ProductName].defaultScope);
      assert.equal(plan({ product, 'server-url': 'https://x', 'client-id': 'svc', 'client-secret': 's3', scope: 'a b' }).scope, 'a b');
    });
  }
  it('client_credentials has no default client: client-id and client-secret are named', () => {
    const given = { product: 'sast', 'server-url': 'https://x', 'grant-type': 'client_credentials' };
    assert.throws(() => plan(given), inputError('client-id'));
    assert.throws(() => plan({ ...given, 'client-id': 'svc' }), inputError('client-secret'));
    // The password client's published secret never goes to another client.
    assert.throws(() => plan({ ...given, 'client-id': 'resource_owner_client' }), inputError('client-secret'));
  });
  it('a missing credential names every grant that would do', () => {
    assert.throws(
      () => plan({ product: 'sast', 'server-url': 'https://x', username: 'u' }),
      (error: Error) =>
        /password.*is required.*'password'.*give 'api-key' for grant type 'refresh_token'.*'client-id' and 'client-secret' for grant type 'client_credentials'/.test(
          error.message,
        ),
    );
  });
  it('refresh_token with a custom client sends no secret, and a given client-secret is not sent', () => {
    const p = plan({ product: 'sast', 'server-url': 'https://x', 'api-key': 'K', 'client-id': 'my_cli' });
    assert.equal(p.clientSecret, undefined);
    const q = plan({ product: 'sast', 'server-url': 'https://x', 'api-key': 'K', 'client-secret': 'other' });
    assert.equal(q.clientSecret, 'B9D84EA8-E476-4E83-A628-8A342D74D3BD');
  });
  it('token-url overrides', () => {
    assert.equal(
      plan({ ...base, product: 'sast', 'token-url': 'https://idp.example.com/t' }).endpoint.tokenUrl,
      'https://idp.example.com/t',
    );
  });
});

describe('sca', () => {
  const base = { product: 'sca', username: 'u', password: 'p', tenant: 'acme' };
  it('us by default, eu by region', () => {
    assert.equal(plan(base).endpoint.tokenUrl, 'https://platform.checkmarx.net/identity/connect/token');
    assert.equal(plan(base).endpoint.apiUrl, 'https://api-sca.checkmarx.net');
    assert.equal(plan({ ...base, region: 'EU' }).endpoint.tokenUrl, 'https://eu.platform.checkmarx.net/identity/connect/token');
    assert.equal(plan({ ...base, region: 'eu' }).endpoint.apiUrl, 'https://eu.api-sca.checkmarx.net');
  });
  it('needs a tenant and a known region', () => {
    assert.throws(() => plan({ ...base, tenant: '' }), inputError('tenant'));
    assert.throws(() => plan({ product: 'sca', username: 'u', password: 'p' }), inputError('tenant'));
    assert.throws(() => plan({ ...base, region: 'anz' }), inputError('region'));
  });
  it('sends no client secret', () => assert.equal(plan(base).clientSecret, undefined));
});

describe('cxone', () => {
  const key = makeApiKey({ realmUrl: 'https://eu.iam.checkmarx.net/auth/realms/acme', azp: 'my-app' });
  it('reads realm, tenant and client from the key alone', () => {
    const p = plan({ product: 'cxone', 'api-key': key });
    assert.equal(p.grantType, 'refresh_token');
    assert.equal(p.endpoint.tokenUrl, 'https://eu.iam.checkmarx.net/auth/realms/acme/protocol/openid-connect/token');
    assert.equal(p.endpoint.tenant, 'acme');
    assert.equal(p.clientId, 'my-app');
    assert.equal(p.endpoint.apiUrl, 'https://eu.ast.checkmarx.net/api');
  });
  it('takes the realm from an aud array or from iss', () => {
    assert.equal(
      realmOfClaims(decodeJwtClaims(makeApiKey({ realmUrl: 'https://iam.checkmarx.net/auth/realms/t1', audArray: true })))?.tenant,
      't1',
    );
    assert.equal(
      realmOfClaims(decodeJwtClaims(makeApiKey({ realmUrl: 'https://anz.iam.checkmarx.net/auth/realms/t2', useIss: true })))?.base,
      'https://anz.iam.checkmarx.net',
    );
  });
  it('falls back to ast-app', () => {
    const bare = makeJwt({ aud: 'https://iam.checkmarx.net/auth/realms/acme' });
    assert.equal(plan({ product: 'cxone', 'api-key': bare }).clientId, 'ast-app');
  });
  it('explicit tenant, region and iam-url win over the key', () => {
    assert.equal(
      plan({ product: 'cxone', 'api-key': key, region: 'anz' }).endpoint.tokenUrl,
      'https://anz.iam.checkmarx.net/auth/realms/acme/protocol/openid-connect/token',
    );
    assert.equal(plan({ product: 'cxone', 'api-key': key, tenant: 'other' }).endpoint.tenant, 'other');
    assert.equal(
      plan({ product: 'cxone', 'api-key': key, 'iam-url': 'https://cx.corp.example/' }).endpoint.tokenUrl,
      'https://cx.corp.example/auth/realms/acme/protocol/openid-connect/token',
    );
  });
  it('every region of the table, and every alias, maps to its IAM host and the matching AST host', () => {
    const cxone = (region: string) => plan({ product: 'cxone', 'client-id': 'c', 'client-secret': 's', tenant: 't', region }).endpoint;
    for (const [region, iam] of Object.entries(CXONE_REGIONS)) {
      assert.match(iam, /^https:\/\/([a-z0-9-]+\.)?iam\.checkmarx\.net$/, region);
      assert.equal(cxone(region).tokenUrl, `${iam}/auth/realms/t/protocol/openid-connect/token`);
      assert.equal(cxone(region).apiUrl, `${iam.replace(/\biam\./, 'ast.')}/api`);
      assert.deepEqual(cxone(region.toUpperCase()), cxone(region), 'any case');
    }
    for (const [alias, region] of Object.entries(REGION_ALIASES)) assert.deepEqual(cxone(alias), cxone(region), alias);
    // Two hosts as Checkmarx documents them, so that the table itself is checked somewhere.
    assert.equal(cxone('us').apiUrl, 'https://ast.checkmarx.net/api');
    assert.equal(cxone('il').tokenUrl, 'https://gov-il.iam.checkmarx.net/auth/realms/t/protocol/openid-connect/token');
  });
  it('client_credentials without a key, needs tenant and both client inputs', () => {
    assert.equal(plan({ product: 'cxone', 'client-id': 'c', 'client-secret': 's', tenant: 't' }).grantType, 'client_credentials');
    assert.throws(() => plan({ product: 'cxone', 'client-id': 'c', tenant: 't' }), inputError('client-secret'));
    assert.throws(() => plan({ product: 'cxone', 'client-id': 'c', 'client-secret': 's' }), inputError('tenant'));
    assert.throws(() => plan({ product: 'cxone' }), inputError('api-key'));
  });
  it('a key that is not a JWT needs tenant and region or iam-url', () => {
    assert.throws(() => plan({ product: 'cxone', 'api-key': 'opaque' }), inputError('api-key'));
    assert.throws(() => plan({ product: 'cxone', 'api-key': 'opaque', tenant: 't' }), inputError('api-key'));
    assert.equal(plan({ product: 'cxone', 'api-key': 'opaque', tenant: 't', region: 'eu' }).endpoint.tenant, 't');
  });
});

describe('inputs and settings', () => {
  it('an input wins over CX_ variables; CX_APIKEY and CX_BASE_AUTH_URI are read', () => {
    const values = readInputs((n) => (n === 'tenant' ? 'from-input' : undefined), {
      CX_TENANT: 'from-env',
      CX_APIKEY: 'k',
      CX_BASE_AUTH_URI: 'https://iam',
      CX_SERVER_URL: ' ',
    });
    assert.equal(values.tenant, 'from-input');
    assert.equal(values['api-key'], 'k');
    assert.equal(values['iam-url'], 'https://iam');
    assert.equal(values['server-url'], undefined);
  });
  it('CX_API_KEY wins over CX_APIKEY', () => {
    assert.equal(readInputs(() => undefined, { CX_API_KEY: 'a', CX_APIKEY: 'b' })['api-key'], 'a');
  });
  const sast = { product: 'sast', 'server-url': 'http://cx.local', username: 'u', password: 'p' };
  it('defaults and warnings', () => {
    const s = resolveSettings(sast, NO_FILES);
    assert.deepEqual([s.exportEnv, s.envName, s.transport.timeoutMs, s.transport.maxAttempts], [true, 'CX_ACCESS_TOKEN', 30000, 3]);
    assert.match(s.warnings.join(), /cleartext/);
    assert.deepEqual(s.plan.secrets, ['p']);
  });
  for (const [name, value] of [
    ['timeout-seconds', 'soon'],
    ['timeout-seconds', '0'],
    ['max-attempts', '1.5'],
    ['max-attempts', '0'],
    ['export-env', 'maybe'],
    ['env-name', 'A-B'],
    ['insecure-skip-tls-verify', 'sure'],
  ]) {
    it(`rejects ${name}=${value}`, () =>
      assert.throws(() => resolveSettings({ ...sast, [name as string]: value as string }, NO_FILES), inputError(name as string)));
  }
  it('ca-cert: missing file and text without a certificate', () => {
    assert.throws(() => resolveSettings({ ...sast, 'ca-cert': '/nope.pem' }, NO_FILES), /ca-cert.*nope\.pem' does not exist/);
    assert.throws(
      () => resolveSettings({ ...sast, 'ca-cert': '-----BEGIN CERTIFICATE-----\nxx\n-----END CERTIFICATE-----' }, NO_FILES),
      inputError('ca-cert'),
    );
  });
});
