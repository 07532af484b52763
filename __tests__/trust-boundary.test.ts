// The pure parts of the trust boundary: what may be printed, which inputs are refused, how waits
// are planned. The end-to-end side is in failures.e2e.test.ts ("the trust boundary").

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { cleanPastedKey, resolvePlan, resolveSettings } from '../src/core/settings.ts';
import { didYouMean } from '../src/core/did-you-mean.ts';
import { failureMessage, TokenRequestError } from '../src/core/errors.ts';
import { secretForms } from '../src/core/secrets.ts';
import { isScope, isTokenType } from '../src/core/output-rules.ts';
import { parseTokenResponse } from '../src/core/token-response.ts';
import { MAX_RETRY_AFTER_MS, PACED_WAIT_BUDGET_MS, planRetry } from '../src/core/retry.ts';
import { holdsCiCommand, printable } from '../src/core/printable.ts';
import { diagnosticLine } from '../src/ci/diagnostics.ts';
import { CXONE_REGIONS, REGION_ALIASES } from '../src/core/products.ts';
import { NO_FILES } from './support/fixtures.ts';
import { isCommand } from './support/commands.ts';

const sast = { product: 'sast', 'server-url': 'https://cx.example.com', username: 'u', password: 'p' };

/** Text a hostile server would send: random, with line breaks and both CI systems' command syntax mixed in. */
const hostile = fc
  .array(
    fc.oneof(
      fc.string(),
      fc.constantFrom(
        '\r',
        '\n',
        '\r\n',
        '\u2028',
        '\u0085',
        '::',
        '::warning::x',
        '##vso[',
        '##VSO[task.setvariable variable=A]1',
        '##[add-mask]',
        '#',
        ' ',
      ),
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(''));

describe('no printed line built from server text is a command', () => {
  it('printable: one line, no command, for any text', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        const line = printable(text);
        assert.doesNotMatch(line, /[\r\n\u2028\u2029\u0085]/);
        assert.ok(!isCommand(`Got a token, scope ${line}`));
        assert.ok(!/##(vso)?\[/i.test(line));
      }),
    );
  });

  it('an error built from any error, error_description or page text, as the action and the CLI print it', () => {
    const plan = resolvePlan(sast);
    fc.assert(
      fc.property(hostile, hostile, fc.constantFrom(400, 401, 500, 503), (error, description, status) => {
        for (const body of [JSON.stringify({ error, error_description: description }), description]) {
          const failure = parseTokenResponse(plan, { status, headers: {}, body }, 0);
          assert.ok('kind' in failure);
          const message = failureMessage(new TokenRequestError({ productTitle: 'CxSAST', endpoint: 'https://cx' }, failure, undefined));
          for (const env of [{}, { TF_BUILD: 'True' }]) {
            for (const level of ['info', 'warning', 'error'] as const) {
              const printed = diagnosticLine(level, message, env);
              assert.equal(printed.split('\n').length, 2, 'one line');
              assert.ok(!isCommand(printed, /^##vso\[task\.logissue type=(warning|error)\]/), printed);
            }
          }
          assert.ok(!isCommand(`::error::${printable(message)}`, /^::error::/));
        }
      }),
    );
  });

  it('a value without a CI command prefix is no command however a later step prints it: whole, or a word a line', () => {
    fc.assert(
      fc.property(hostile, (text) => {
        if (holdsCiCommand(text)) return;
        const lines = [text, ...text.split(/\s+/)];
        for (const line of lines) assert.ok(!isCommand(line), JSON.stringify(line));
      }),
    );
    for (const held of ['##vso[x', '##VSO[x', 'a##[b', '::x', 'a ::x', 'a\t::x']) assert.ok(holdsCiCommand(held), held);
    for (const plain of ['a::b', '#vso[', '# #[', 'vso[x]', 'urn:a:b']) assert.ok(!holdsCiCommand(plain), plain);
  });

  it('token_type and scope must be RFC 6749 syntax', () => {
    for (const ok of ['Bearer', 'bearer', 'N_A', 'urn:ietf:params:oauth:token-type:jwt']) assert.ok(isTokenType(ok), ok);
    for (const bad of ['Bearer\n::warning::x', 'a b', '', 'bé', '"x"', 42]) assert.ok(!isTokenType(bad), String(bad));
    for (const ok of ['sast_rest_api', 'access_control_api sast_api', "it's $(x) ;] ##vso[x]"]) assert.ok(isScope(ok), ok);
    for (const bad of ['a  b', ' a', 'a\nb', 'a"b', 'a\\b', '', ['a']]) assert.ok(!isScope(bad), String(bad));
  });

  it('the Azure issue escapes %, and a message stays one issue', () => {
    assert.equal(
      diagnosticLine('warning', '100% done\r\nnext', { TF_BUILD: 'True' }),
      '##vso[task.logissue type=warning]checkmarx-auth: 100%AZP25 done next\n',
    );
    assert.equal(diagnosticLine('error', 'x', {}), 'checkmarx-auth: error: x\n');
    assert.equal(diagnosticLine('error', 'x', { GITHUB_ACTIONS: 'true' }), 'checkmarx-auth: error: x\n');
  });
});

describe('inputs', () => {
  const envName = (name: string) => resolveSettings({ ...sast, 'env-name': name }, NO_FILES).envName;
  it('env-name: names that would hurt are refused, others kept', () => {
    for (const bad of [
      'GITHUB_ENV',
      'github_path',
      'RUNNER_TEMP',
      'ACTIONS_ID_TOKEN_REQUEST_URL',
      'PATH',
      'HOME',
      'SHELL',
      'ENV',
      'BASH_ENV',
      'NODE_OPTIONS',
      'NODE_PATH',
      'LD_PRELOAD',
      'DYLD_LIBRARY_PATH',
      'CX_APIKEY',
      'CX_TENANT',
      'CX_BASE_AUTH_URI',
      'CX_AUTH_SOCK',
      '1A',
      'A-B',
      'A B',
    ]) {
      assert.throws(() => envName(bad), /Input 'env-name'/, bad);
    }
    for (const good of ['CX_ACCESS_TOKEN', 'CXONE_TOKEN', '_t', 'MY_GITHUB_TOKEN', 'CX_TOKEN_TENANT']) assert.equal(envName(good), good);
  });

  it('tenants are realm names', () => {
    const tenantOf = (tenant: string) => resolvePlan({ product: 'cxone', tenant, 'client-id': 'c', 'client-secret': 's' }).endpoint.tenant;
    for (const good of ['acme', 'a.b-c_D9', 'x'.repeat(255), '...']) assert.equal(tenantOf(good), good);
    for (const bad of ['.', '..', 'a/b', 'a b', 'a%2F', 'é', 'x'.repeat(256)]) assert.throws(() => tenantOf(bad), /Input 'tenant'/, bad);
  });

  it('a pasted API key loses its quotes or Bearer prefix, with a warning', () => {
    for (const pasted of ['"k.e.y"', "'k.e.y'", 'Bearer k.e.y', 'bearer   k.e.y', '"Bearer k.e.y"']) {
      const { value, warnings } = cleanPastedKey(pasted);
      assert.equal(value, 'k.e.y', pasted);
      assert.equal(warnings.length, 1);
    }
    assert.deepEqual(cleanPastedKey('k.e.y'), { value: 'k.e.y', warnings: [] });
    assert.deepEqual(cleanPastedKey('"'), { value: '"', warnings: [] });
  });

  it('a secret of several lines is masked and redacted whole and line by line', () => {
    const forms = secretForms(['line one\r\nline two\n\n']);
    for (const form of ['line one\r\nline two\n\n', 'line one', 'line two']) assert.ok(forms.includes(form), JSON.stringify(form));
    assert.ok(!forms.includes(''));
  });

  it('every region and alias names its IAM host, case-insensitively', () => {
    const iamOf = (region: string) =>
      resolvePlan({ product: 'cxone', tenant: 't', region, 'client-id': 'c', 'client-secret': 's' }).endpoint.tokenUrl;
    for (const [region, iam] of Object.entries(CXONE_REGIONS)) assert.ok(iamOf(region.toUpperCase()).startsWith(`${iam}/`), region);
    for (const [alias, region] of Object.entries(REGION_ALIASES)) assert.equal(iamOf(alias.toUpperCase()), iamOf(region));
    assert.ok(iamOf('ind2').startsWith('https://ind-2.iam.checkmarx.net/'));
    assert.ok(iamOf('il').startsWith('https://gov-il.iam.checkmarx.net/'));
  });

  it('did you mean: near misses of products and regions', () => {
    const products = ['sast', 'sast-odata', 'access-control', 'sca', 'cxone'];
    for (const [typed, meant] of [
      ['cxsast', 'sast'],
      ['checkmarx-one', 'cxone'],
      ['CheckmarxOne', 'cxone'],
      ['sast_odata', 'sast-odata'],
      ['accesscontrol', 'access-control'],
      ['sastt', 'sast'],
    ]) {
      assert.equal(didYouMean(typed!, products), meant, typed);
    }
    assert.equal(didYouMean('jenkins', products), undefined);
    assert.equal(didYouMean('anzz', Object.keys(CXONE_REGIONS)), 'anz');
    assert.equal(didYouMean('mars', Object.keys(CXONE_REGIONS)), undefined);
  });
});

describe('retries under load', () => {
  const paced = { kind: 'http', status: 429, retryAfterMs: 1000 } as const;
  it('no wait is longer than 30 s, jitter included', () => {
    for (const random of [0, 0.5, 1]) {
      const retry = planRetry({ attempts: 1, pacedWaitMs: 0 }, { ...paced, retryAfterMs: MAX_RETRY_AFTER_MS }, 3, random);
      assert.ok(retry && retry.delayMs <= MAX_RETRY_AFTER_MS);
    }
  });
  it('waits a server asks for use up no attempt, until the budget is spent', () => {
    let state = { attempts: 1, pacedWaitMs: 0 };
    let retries = 0;
    for (;;) {
      const retry = planRetry(state, paced, 1, 0.5);
      if (!retry) break;
      state = retry.state;
      retries++;
    }
    assert.equal(state.attempts, 1);
    assert.ok(state.pacedWaitMs <= PACED_WAIT_BUDGET_MS);
    assert.ok(retries >= 60, `${retries} retries`);
  });
  it('other failures use up attempts', () => {
    const failure = { kind: 'http', status: 503 } as const;
    const first = planRetry({ attempts: 1, pacedWaitMs: 0 }, failure, 2, 0.5);
    assert.deepEqual(first?.state, { attempts: 2, pacedWaitMs: 0 });
    assert.equal(planRetry(first!.state, failure, 2, 0.5), undefined);
    assert.equal(planRetry({ attempts: 1, pacedWaitMs: 0 }, { kind: 'bad-response', status: 600 }, 3, 0.5), undefined);
  });
});
