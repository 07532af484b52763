// Property tests: whatever a server answers and whatever a user types, the grant module and the
// input parser fail only with our typed errors, and no message, hint or log line holds a secret
// in any spelling (raw, URL-encoded, form-encoded, JSON-escaped, lower-case hex).

import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import fc from 'fast-check';
import { resolvePlan, resolveSettings, type GrantPlan } from '../src/core/settings.ts';
import type { TransportOptions } from '../src/core/transport.ts';
import { InputError, RequiresInputError, TokenRequestError } from '../src/core/errors.ts';
import { CLI_NAMING, flagAndVariable } from '../src/cli/naming.ts';
import { redact } from '../src/core/secrets.ts';
import { type FailureKind } from '../src/core/failures.ts';
import { MAX_RETRY_AFTER_MS, parseRetryAfter } from '../src/core/retry.ts';
import { requestToken, type GrantDeps } from '../src/core/grant.ts';
import { type TokenResult } from '../src/core/token-response.ts';
import { toTransportFailure } from '../src/io/http.ts';
import { isCertificate } from '../src/io/certificates.ts';
import { type HttpResponse } from '../src/core/transport.ts';
import { INPUTS, type RawInputs } from '../src/core/inputs.ts';
import { makeApiKey, makeJwt } from './support/jwt.ts';
import { sharedTestCa } from './support/tls.ts';

const RUNS = { numRuns: 300 };

// ---- secrets and how they may be spelled ----

const lowerHex = (text: string) => text.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase());
const formEncode = (text: string) => new URLSearchParams({ s: text }).toString().slice(2);
const SPELLINGS: Record<string, (secret: string) => string> = {
  raw: (s) => s,
  'URL-encoded': encodeURIComponent,
  'form-encoded': formEncode,
  'JSON-escaped': (s) => JSON.stringify(s).slice(1, -1),
  'URL-encoded, lower-case hex': (s) => lowerHex(encodeURIComponent(s)),
  'form-encoded, lower-case hex': (s) => lowerHex(formEncode(s)),
};
const spell = fc.constantFrom(...Object.values(SPELLINGS));
/** Also looked for: what a URL parser makes of a secret in a Location header (for secrets it keeps whole). */
const LEAK_SPELLINGS: Record<string, (secret: string) => string> = {
  ...SPELLINGS,
  'URL-normalized path': (s) => (/[?#]/.test(s) ? s : new URL(`https://x/${s}`).pathname.slice(1)),
  'URL-normalized query': (s) => (s.includes('#') ? s : new URL(`https://x/?${s}`).search.slice(1)),
};

/** Names the secret and the spelling that leaked, never the text. */
function assertNoSecret(where: string, text: string | undefined, secrets: readonly string[]): void {
  if (!text) return;
  secrets.forEach((secret, index) => {
    for (const [name, spelling] of Object.entries(LEAK_SPELLINGS)) {
      assert.ok(!text.includes(spelling(secret)), `secret #${index} leaked ${name} in ${where}`);
    }
  });
}

// Characters that need escaping in every encoding, and a snowman that appears nowhere else: a
// secret can then not be part of a URL, a user name or any fixed text by chance.
const SECRET_CHARACTERS = fc.constantFrom(...'aZ9 %&+=/?#@:;"\'\\<>{}~\n\tü€'.split(''));
const secret = fc
  .tuple(fc.string({ unit: SECRET_CHARACTERS, minLength: 2, maxLength: 12 }), fc.string({ unit: SECRET_CHARACTERS, maxLength: 12 }))
  .map(([head, tail]) => `${head}☃${tail}`);

// ---- plans for every product and grant ----

interface PlanCase {
  plan: GrantPlan;
  secrets: string[];
}

const planCase: fc.Arbitrary<PlanCase> = fc.oneof(
  secret.map((password) => ({
    plan: resolvePlan({ product: 'sast', 'server-url': 'https://cx.example.com', username: 'u', password }),
    secrets: [password],
  })),
  fc.tuple(secret, secret).map(([password, clientSecret]) => ({
    plan: resolvePlan({
      product: 'access-control',
      'server-url': 'http://cx/',
      username: 'u',
      password,
      'client-id': 'c',
      'client-secret': clientSecret,
    }),
    secrets: [password, clientSecret],
  })),
  secret.map((password) => ({
    plan: resolvePlan({ product: 'sca', tenant: 'acme', region: 'eu', username: 'u', password }),
    secrets: [password],
  })),
  secret.map((clientSecret) => ({
    plan: resolvePlan({ product: 'cxone', tenant: 'acme', region: 'eu', 'client-id': 'ci', 'client-secret': clientSecret }),
    secrets: [clientSecret],
  })),
  fc.constant(null).map(() => {
    const apiKey = makeApiKey({ realmUrl: 'https://iam.checkmarx.net/auth/realms/acme' });
    return { plan: resolvePlan({ product: 'cxone', 'api-key': apiKey }), secrets: [apiKey] };
  }),
);

// ---- server answers, some echoing the secrets ----

/** Text a server might send: random, or with one of the secrets spelled somehow, at any offset. */
function serverText(secrets: string[]): fc.Arbitrary<string> {
  const echo = fc
    .tuple(fc.string({ maxLength: 320 }), fc.constantFrom(...secrets), spell, fc.string({ maxLength: 20 }))
    .map(([before, s, spelling, after]) => `${before}${spelling(s)}${after}`);
  return fc.oneof(fc.string({ maxLength: 40 }), echo);
}

function jsonBody(secrets: string[]): fc.Arbitrary<string> {
  const text = serverText(secrets);
  const anyValue = fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 }));
  return fc
    .record(
      {
        access_token: fc.oneof(fc.constant(makeJwt({ 'ast-base-url': 'https://eu.ast.checkmarx.net' })), fc.constant(''), anyValue),
        expires_in: fc.oneof(fc.nat(), fc.constantFrom('3600', ' 60 ', '1e3', 1e300, -1, Number.NaN), anyValue),
        token_type: anyValue,
        scope: anyValue,
        refresh_token: anyValue,
        error: anyValue,
        error_description: anyValue,
      },
      { requiredKeys: [] },
    )
    .map((body) => JSON.stringify(body));
}

const JSON_HEADERS = { 'content-type': 'application/json' };

/** 200 with a token and an odd expires_in, token_type or scope. */
const tokenShaped: fc.Arbitrary<HttpResponse> = fc
  .record({
    access_token: fc.oneof(fc.constant(makeJwt({ 'ast-base-url': 'https://eu.ast.checkmarx.net/' })), fc.string({ minLength: 1 })),
    expires_in: fc.oneof(fc.nat(), fc.double(), fc.constantFrom('3600', ' 60 ', '1e3', '', 1e300, -1, 2 ** 53, null)),
    token_type: fc.oneof(fc.constant('Bearer'), fc.string()),
    scope: fc.oneof(fc.string(), fc.constant(['a'])),
  })
  .map((body) => ({ status: 200, headers: JSON_HEADERS, body: JSON.stringify(body) }));

function response(secrets: string[]): fc.Arbitrary<HttpResponse> {
  return fc.oneof(tokenShaped, anyAnswer(secrets));
}

function anyAnswer(secrets: string[]): fc.Arbitrary<HttpResponse> {
  const text = serverText(secrets);
  const body = fc.oneof(
    jsonBody(secrets),
    text,
    text.map((t) => `<!DOCTYPE html><html><body>${t}</body></html>`),
    fc.json(),
    fc.constant(''),
  );
  const headers = fc.record(
    {
      'content-type': fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/html', 'text/plain', ''),
      location: text,
      'retry-after': fc.oneof(
        fc.nat({ max: 100_000 }).map(String),
        fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
        fc.string(),
      ),
    },
    { requiredKeys: [] },
  );
  const status = fc.oneof(
    fc.constantFrom(200, 201, 204, 301, 302, 307, 400, 401, 403, 404, 408, 429, 500, 503),
    fc.integer({ min: 100, max: 599 }),
  );
  return fc.record({ status, headers, body });
}

// ---- running the grant with a scripted transport ----

interface Captured {
  outcome: TokenResult | unknown;
  logs: string[];
}

async function grant(plan: GrantPlan, post: () => Promise<HttpResponse>, maxAttempts: number): Promise<Captured> {
  const logs: string[] = [];
  const deps: GrantDeps = {
    postForm: post,
    sleep: async () => {},
    random: () => 0.5,
    now: () => Date.parse('2026-01-01T00:00:00Z'),
    log: { info: (m) => logs.push(m), warning: (m) => logs.push(m), debug: (m) => logs.push(m) },
    userAgent: 'checkmarx-auth/test',
  };
  const transport: TransportOptions = { timeoutMs: 1000, maxAttempts, insecureSkipTlsVerify: false };
  try {
    return { outcome: await requestToken(plan, transport, deps), logs };
  } catch (error) {
    return { outcome: error, logs };
  }
}

function checkFailure(error: unknown, { plan, secrets }: PlanCase): void {
  assert.ok(error instanceof TokenRequestError, `not a TokenRequestError: ${(error as Error)?.name}`);
  assert.equal(error.exitCode, 1);
  assert.ok(error.message.startsWith(`${plan.profile.title} token request to ${plan.endpoint.tokenUrl} failed`));
  for (const [where, text] of Object.entries({ message: error.message, hint: error.hint, ...error.details })) {
    if (typeof text === 'string') assertNoSecret(where, text, secrets);
  }
}

const TOKEN_KINDS: readonly FailureKind[] = ['http', 'redirect', 'html', 'bad-response', 'timeout', 'tls', 'network', 'proxy'];

describe('parsing token responses', () => {
  test('any answer gives a token or a TokenRequestError without secrets', async () => {
    await fc.assert(
      fc.asyncProperty(
        planCase.chain((c) => fc.tuple(fc.constant(c), response(c.secrets), fc.integer({ min: 1, max: 2 }))),
        async ([c, answer, maxAttempts]) => {
          const { outcome, logs } = await grant(c.plan, async () => answer, maxAttempts);
          logs.forEach((line) => assertNoSecret('a log line', line, c.secrets));
          if (outcome instanceof Error) return checkFailure(outcome, c);
          const token = outcome as TokenResult;
          assert.ok(answer.status >= 200 && answer.status < 300, `a token from HTTP ${answer.status}`);
          assert.ok(typeof token.accessToken === 'string' && token.accessToken.length > 0);
          assert.ok(Number.isFinite(token.expiresIn) && token.expiresIn >= 0);
          assert.match(token.expiresAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
        },
      ),
      RUNS,
    );
  });

  test('failures classify as the documented kinds; only 408, 429, 5xx and network failures are retried', async () => {
    await fc.assert(
      fc.asyncProperty(
        planCase.chain((c) => fc.tuple(fc.constant(c), response(c.secrets))),
        async ([c, answer]) => {
          let calls = 0;
          const { outcome } = await grant(c.plan, async () => (calls++, answer), 3);
          if (!(outcome instanceof TokenRequestError)) return;
          assert.ok(TOKEN_KINDS.includes(outcome.details.kind));
          const retryable = [408, 429].includes(answer.status) || (answer.status >= 500 && answer.status <= 599);
          // A 429 or 503 that says when to come back is asked again without using up attempts, within a budget.
          const paced = [429, 503].includes(answer.status) && outcome.details.retryAfterMs !== undefined;
          if (paced) assert.ok(calls > 3, `HTTP ${answer.status} with Retry-After made only ${calls} requests`);
          else assert.equal(calls, retryable ? 3 : 1, `HTTP ${answer.status} (${outcome.details.kind}) made ${calls} requests`);
        },
      ),
      RUNS,
    );
  });

  test('transport failures whose text echoes a secret are redacted', async () => {
    const codes = fc.constantFrom(
      undefined,
      'ECONNRESET',
      'ECONNREFUSED',
      'ENOTFOUND',
      'SELF_SIGNED_CERT_IN_CHAIN',
      'ERR_TLS_CERT_ALTNAME_INVALID',
    );
    await fc.assert(
      fc.asyncProperty(
        planCase.chain((c) => fc.tuple(fc.constant(c), serverText(c.secrets), codes, fc.boolean())),
        async ([c, text, code, timedOut]) => {
          const failure = toTransportFailure(Object.assign(new Error(text), code ? { code } : {}), timedOut, 1000);
          const { outcome, logs } = await grant(c.plan, async () => Promise.reject(failure), 2);
          checkFailure(outcome, c);
          logs.forEach((line) => assertNoSecret('a log line', line, c.secrets));
        },
      ),
      RUNS,
    );
  });

  test('Retry-After is a delay from 0 to 30 s, or ignored', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.nat().map(String),
          fc.date({ noInvalidDate: true }).map((d) => d.toUTCString()),
        ),
        (value) => {
          const ms = parseRetryAfter(value, Date.parse('2026-01-01T00:00:00Z'));
          assert.ok(ms === undefined || (ms >= 0 && ms <= MAX_RETRY_AFTER_MS), `${value} -> ${ms}`);
        },
      ),
      RUNS,
    );
  });

  test('redact removes every spelling, even where a cut splits one', () => {
    fc.assert(
      fc.property(
        fc
          .array(secret, { minLength: 1, maxLength: 3 })
          .chain((secrets) => fc.tuple(fc.constant(secrets), serverText(secrets), fc.nat({ max: 400 }))),
        ([secrets, text, cut]) => {
          const clean = redact(text.slice(0, cut), secrets);
          assertNoSecret('redacted text', clean, secrets);
          assert.ok(clean.length <= 301);
          // Nor does it end with the first 4 or more characters of one.
          const end = clean.replace(/…$/, '');
          for (const s of secrets.flatMap((secret) => Object.values(SPELLINGS).map((spelling) => spelling(secret)))) {
            for (let n = 4; n < s.length; n++) assert.ok(!end.endsWith(s.slice(0, n)), 'a cut-off secret is left at the end');
          }
        },
      ),
      RUNS,
    );
  });
});

// ---- inputs ----

const PEM_LIKE = '-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n';

let validCa = '';
before(async () => {
  validCa = (await sharedTestCa()).certPem;
});

function inputValues(secrets: { password: string; clientSecret: string; apiKey: string }): fc.Arbitrary<RawInputs> {
  const junk = fc.string({ maxLength: 20 });
  // Mostly meaningful values, so that most cases get past the first check; some junk; some not given.
  const given = (value: fc.Arbitrary<string>) => fc.option(value, { nil: undefined, freq: 4 });
  const pick = (...values: string[]) =>
    given(fc.oneof({ arbitrary: fc.constantFrom(...values), weight: 4 }, { arbitrary: junk, weight: 1 }));
  const realmUrls = [
    'https://eu.iam.checkmarx.net/auth/realms/acme',
    'http://iam.local/auth/realms/%zz',
    'https://x/auth/realms/',
    'ftp://x/auth/realms/a',
    'nonsense',
  ];
  const apiKey = fc.oneof(
    fc.constant(secrets.apiKey),
    fc.constantFrom(...realmUrls).map((realmUrl) => `${makeApiKey({ realmUrl, claims: { pad: secrets.apiKey } })}`),
    fc.constantFrom(...realmUrls).map((realmUrl) => makeApiKey({ realmUrl, audArray: true, useIss: true })),
  );
  const model: Record<string, fc.Arbitrary<string | undefined>> = {
    product: pick('sast', 'SAST', 'sast-odata', 'access-control', 'sca', 'cxone', 'CxOne', ''),
    'grant-type': pick('password', 'refresh_token', 'client_credentials', 'Password', 'implicit'),
    'server-url': pick(
      'https://cx.example.com',
      'https://cx.example.com/CxRestAPI/',
      'http://cx',
      'cx.example.com',
      'ftp://cx',
      'https://u:p@cx',
      'https://cx/?a=1',
      'https://cx/#f',
    ),
    'token-url': pick('https://cx/cxrestapi/auth/identity/connect/token', 'http://t/token', 'nope', 'https://user:pw@t/'),
    'iam-url': pick(...realmUrls, 'https://eu.iam.checkmarx.net', 'https://iam.example.com/auth/'),
    region: pick('us', 'eu', 'EU', 'us2', 'mea', 'mars'),
    tenant: pick('acme', 'Acme Corp', '%zz'),
    username: pick('admin', 'DOMAIN\\user'),
    password: given(fc.constant(secrets.password)),
    'client-id': pick('ast-app', 'resource_owner_client'),
    'client-secret': given(fc.constant(secrets.clientSecret)),
    scope: pick('sast_rest_api', 'sca_api', 'a b'),
    'api-key': given(apiKey),
    'export-env': pick('true', 'false', 'YES', 'off', 'maybe'),
    'env-name': pick('CX_ACCESS_TOKEN', 'token', '1BAD', 'WITH-DASH'),
    'timeout-seconds': pick('30', '0.5', '0', '3601', '1e3', '-1', 'abc', '007'),
    'max-attempts': pick('1', '3', '10', '0', '11', '2.5', ' '),
    'ca-cert': pick(validCa, PEM_LIKE, '/etc/ssl/nonexistent.pem', '/ca/from-deps.pem'),
    'insecure-skip-tls-verify': pick('true', 'false', '1', 'nah'),
    agent: pick('true', 'false', 'on', 'later'),
    sealed: pick('true', 'false', 'off', 'sometimes'),
    'read-only': pick('true', 'false', 'no', 'mostly'),
  };
  assert.deepEqual(Object.keys(model).sort(), INPUTS.map((spec) => spec.name).sort(), 'every input is generated');
  return fc.record(model);
}

describe('parsing inputs', () => {
  test('any inputs give settings or an InputError naming a known input, and no message holds a secret', () => {
    const names = new Set(INPUTS.map((spec) => spec.name));
    const files = fc.oneof(fc.constant(validCa), fc.string(), fc.constant(PEM_LIKE), fc.constant(`${validCa}\n${PEM_LIKE}`));
    fc.assert(
      fc.property(
        fc.record({ password: secret, clientSecret: secret, apiKey: secret }).chain((s) => fc.tuple(fc.constant(s), inputValues(s), files)),
        ([s, values, fileText]) => {
          const secrets = [s.password, s.clientSecret, s.apiKey, ...(values['api-key'] ? [values['api-key']] : [])];
          const readFile = (path: string) => {
            if (path === '/ca/from-deps.pem') return fileText;
            throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: 'ENOENT' });
          };
          try {
            const settings = resolveSettings(values, { readFile, isCertificate });
            settings.warnings.forEach((warning) => assertNoSecret('a warning', warning, secrets));
            assert.ok(settings.transport.maxAttempts >= 1 && settings.transport.maxAttempts <= 10);
            assert.ok(settings.transport.timeoutMs > 0);
          } catch (error) {
            assert.ok(error instanceof InputError, `not an InputError: ${(error as Error)?.name}: ${(error as Error)?.message}`);
            error.inputs.forEach((input) => assert.ok((names as Set<string>).has(input), `unknown input '${input}'`));
            assert.equal(error.input, error.inputs[0]);
            // Several inputs at fault read 'Inputs …'; one input that needs another reads "Input 'a' needs 'b'".
            const several = error.inputs.length > 1 && !(error instanceof RequiresInputError);
            assert.ok(error.message.startsWith(several ? 'Inputs ' : `Input '${error.input}': `), error.message);
            error.inputs.forEach((input) => assert.ok(error.message.includes(`'${input}'`), error.message));
            assert.equal(error.exitCode, 2);
            assertNoSecret('an input error', error.message, secrets);
            // The CLI's wording names the same inputs as flags and variables, and never as action inputs.
            const cli = error.describe(CLI_NAMING);
            error.inputs.forEach((input) => assert.ok(cli.includes(flagAndVariable(input)), cli));
            assert.ok(!cli.startsWith('Input'), cli);
            assertNoSecret('an input error in the CLI', cli, secrets);
          }
        },
      ),
      RUNS,
    );
  });
});
