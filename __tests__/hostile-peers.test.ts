// Hostile or broken peers: claims and server values that become outputs are held to one rule in
// core (token-response's outputProblem), by the token endpoint's path and the agent's path alike;
// a proxy whose scheme is not http or https is refused, naming its variable.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAnswer } from '../src/agent/protocol.ts';
import { resolveSettings } from '../src/core/settings.ts';
import { parseTokenResponse, type TokenResult } from '../src/core/token-response.ts';
import { SYSTEM_IO } from '../src/io/system.ts';
import { makeApiKey, makeJwt } from './support/jwt.ts';
import { assertNoLeak, LOOPBACK_ONLY_DNS_ENV, runCli } from './support/run.ts';
import { DEFAULT_SAST_USER } from './support/token-server.ts';

const cxone = resolveSettings(
  { product: 'cxone', 'api-key': makeApiKey({ realmUrl: 'https://eu.iam.checkmarx.net/auth/realms/acme' }) },
  SYSTEM_IO,
).plan;

function answer(body: Record<string, unknown>) {
  return parseTokenResponse(
    cxone,
    { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) },
    Date.now(),
  );
}

const LINE_BREAKING = ['\n', '\r', '\u0085', '\u2028', '\u0000', '\u001b[31m', ' '];

describe('claims and server values that become outputs', () => {
  it('an ast-base-url claim with a line break or a control character makes the response a bad response', () => {
    for (const bad of LINE_BREAKING.map((c) => `https://eu.ast.checkmarx.net${c}::warning::x`).concat([
      'javascript:alert(1)',
      'not a url',
    ])) {
      const result = answer({ access_token: makeJwt({ 'ast-base-url': bad }), expires_in: 300 });
      assert.ok('kind' in result && result.kind === 'bad-response', JSON.stringify(bad));
      assert.match(result.detail ?? '', /the token's ast-base-url claim is not an http\(s\) URL without spaces or control characters/);
    }
    const good = answer({ access_token: makeJwt({ 'ast-base-url': 'https://eu.ast.checkmarx.net/' }), expires_in: 300 });
    assert.ok(!('kind' in good));
    assert.equal(good.apiUrl, 'https://eu.ast.checkmarx.net/api');
  });

  it('the agent path applies the same rule: what the endpoint path refuses, an answer from the socket cannot carry', () => {
    const token = makeJwt({ 'ast-base-url': 'https://eu.ast.checkmarx.net' });
    const base = answer({ access_token: token, expires_in: 300, scope: 'openid' }) as TokenResult;
    const fromAgent = (result: Record<string, unknown>) =>
      parseAnswer(JSON.stringify({ ok: true, source: 'cache', result: { ...base, refreshToken: undefined, ...result } }));
    const ok = fromAgent({});
    assert.ok(ok && 'result' in ok);
    assert.deepEqual(ok.result, { ...base });
    for (const c of LINE_BREAKING) {
      // A scope is scope-tokens joined by single spaces, so a space alone is fine there.
      for (const field of ['apiUrl', ...(c === ' ' ? [] : ['scope']), 'tokenType', 'tenant', 'expiresAt', 'accessToken']) {
        assert.equal(fromAgent({ [field]: `x${c}::warning::x` }), undefined, `${field} with ${JSON.stringify(c)}`);
      }
    }
    // A value that is valid RFC 6749 syntax but holds a CI command prefix: both paths refuse it,
    // since a later step that echoes the output would run the command.
    for (const [field, spelled] of [
      ['scope', 'x;issecret=false]##vso[task.setvariable variable=A]b'],
      ['scope', 'openid ::set-env name=A::b'],
      ['scope', 'a##[warning]b'],
      ['tokenType', 'urn:x:##VSO[task.complete]'],
      ['apiUrl', 'https://eu.ast.checkmarx.net/##vso[task.complete]/api'],
      ['tenant', '::warning::x'],
    ] as const) {
      const body = field === 'scope' ? { scope: spelled } : field === 'tokenType' ? { token_type: spelled } : {};
      if (Object.keys(body).length > 0) {
        const direct = answer({ access_token: token, expires_in: 300, ...body });
        assert.ok('kind' in direct && direct.kind === 'bad-response', `${field}: ${spelled}`);
        assert.match(direct.detail ?? '', /holds a CI command prefix, which a later step that prints it would run as a command/);
      }
      assert.equal(fromAgent({ [field]: spelled }), undefined, `${field} from the agent: ${spelled}`);
    }
    const claimed = answer({ access_token: makeJwt({ 'ast-base-url': 'https://eu.ast.checkmarx.net/##[add-mask]' }), expires_in: 300 });
    assert.ok('kind' in claimed && claimed.kind === 'bad-response');
    assert.match(claimed.detail ?? '', /the API URL holds a CI command prefix/);
    // What is not a prefix stays: `::` inside a word, a lone `#`, `vso[` without `##`.
    const kept = answer({ access_token: token, expires_in: 300, scope: 'urn:a::b #x vso[y] #[z]' });
    assert.ok(!('kind' in kept), JSON.stringify(kept));
    assert.equal((kept as TokenResult).scope, 'urn:a::b #x vso[y] #[z]');
  });
});

describe('a proxy whose scheme is not http or https', () => {
  it('is refused before any connection, naming its variable (a token request failure, exit 1)', async () => {
    // Loopback never goes through a proxy, so the server is named by a host only the proxy could
    // reach; the DNS guard makes sure nothing reaches a real host.
    for (const variable of ['HTTPS_PROXY', 'https_proxy']) {
      for (const proxy of ['socks5://127.0.0.1:1080', 'socks5h://user:pw-secret@127.0.0.1:1080', 'ftp://127.0.0.1:21']) {
        const run = await runCli(
          ['--product', 'sast', '--server-url', 'https://cx.example.com', '--username', DEFAULT_SAST_USER.username],
          {
            env: { ...LOOPBACK_ONLY_DNS_ENV, CX_PASSWORD: DEFAULT_SAST_USER.password, [variable]: proxy },
          },
        );
        assert.equal(run.code, 1, run.stderr);
        assert.equal(run.stdout, '');
        const scheme = proxy.slice(0, proxy.indexOf(':'));
        assert.match(run.stderr, new RegExp(`${variable} names a ${scheme} proxy; only http:// and https:// proxies are supported`));
        assert.doesNotMatch(run.stderr, /ENOTFOUND/);
        assertNoLeak(run, ['pw-secret', DEFAULT_SAST_USER.password]);
      }
    }
  });
});
