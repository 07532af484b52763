// The token agent's pure parts: CX_AUTH_SOCK, the wire format, the key check, the cache's
// reuse-or-exchange decision and its single flight, and what start-agent prints.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { win32 } from 'node:path';
import { commandScripts } from '../src/agent/command-folder.ts';
import { parseMinValidity } from '../src/cli/token.ts';
import { startOutput } from '../src/cli/start-agent.ts';
import { socketPathFits } from '../src/agent/launch.ts';
import { encodeLine, formatSock, keysMatch, newKey, parseAnswer, parseRequest, parseSock, type AgentToken } from '../src/agent/protocol.ts';
import { AgentError } from '../src/agent/errors.ts';
import { TokenCache, validFor } from '../src/agent/cache.ts';

const token = (accessToken: string, expiresIn = 1800): AgentToken => ({
  accessToken,
  tokenType: 'Bearer',
  expiresIn,
  expiresAt: '2030-01-01T00:00:00Z',
  apiUrl: 'https://ast.checkmarx.net/api',
});

describe('CX_AUTH_SOCK', () => {
  const key = newKey();
  it('a key is 256 random bits in base64url', () => {
    assert.match(key, /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(newKey(), key);
  });
  it('round-trips Unix paths, paths with #, and Windows pipes', () => {
    for (const address of ['/tmp/cxauth-x/agent.sock', '/tmp/a#b/agent.sock', '\\\\.\\pipe\\checkmarx-auth-0af3']) {
      assert.deepEqual(parseSock(formatSock(address, key)), { address, key });
    }
  });
  it('refuses values that are not <address>#<key>', () => {
    for (const bad of [undefined, '', '/tmp/agent.sock', `#${key}`, '/tmp/agent.sock#', '/tmp/agent.sock#short', `/tmp/x#${key}!`]) {
      assert.throws(
        () => parseSock(bad),
        (error: AgentError) => error.exitCode === 2 && /CX_AUTH_SOCK/.test(error.message),
        String(bad),
      );
    }
  });
  it('keys match only when equal', () => {
    assert.equal(keysMatch(key, key), true);
    assert.equal(keysMatch(`${key.slice(0, -1)}A` === key ? `${key.slice(0, -1)}B` : `${key.slice(0, -1)}A`, key), false);
    assert.equal(keysMatch(key.slice(1), key), false);
    assert.equal(keysMatch('', key), false);
  });
  it('a socket path must fit sun_path', () => {
    assert.equal(socketPathFits(`/${'a'.repeat(102)}`), true);
    assert.equal(socketPathFits(`/${'a'.repeat(103)}`), false);
    assert.equal(socketPathFits(`/${'é'.repeat(52)}`), false, 'bytes, not characters');
  });
});

describe('agent protocol', () => {
  it('parses the requests it sends', () => {
    const requests = [
      { key: 'k', op: 'token', minValidity: 60 },
      { key: 'k', op: 'stop' },
    ] as const;
    for (const request of requests) assert.deepEqual(parseRequest(encodeLine(request).trim()), request);
  });
  it('refuses malformed requests', () => {
    for (const bad of [
      '',
      'null',
      '[]',
      '{"op":"token","minValidity":1}',
      '{"key":"k","op":"token"}',
      '{"key":"k","op":"token","minValidity":-1}',
      '{"key":"k","op":"token","minValidity":"60"}',
      '{"key":"k","op":"token","minValidity":1e9}',
      '{"key":"k","op":"eval"}',
      '{"key":1,"op":"stop"}',
    ]) {
      assert.equal(parseRequest(bad), undefined, bad);
    }
  });
  it('parses answers, dropping unknown fields', () => {
    const answer = { ok: true, result: { ...token('abc'), refreshToken: 'never', extra: 1 }, source: 'cache' };
    assert.deepEqual(parseAnswer(JSON.stringify(answer)), { ok: true, result: token('abc'), source: 'cache' });
    const expiring = { ...token('abc'), apiKeyExpiresAt: '2030-01-01T00:00:00Z' };
    assert.deepEqual(parseAnswer(JSON.stringify({ ok: true, result: expiring, source: 'exchange' })), {
      ok: true,
      result: expiring,
      source: 'exchange',
    });
    assert.deepEqual(parseAnswer('{"ok":true,"stopped":true}'), { ok: true, stopped: true });
    assert.deepEqual(parseAnswer('{"ok":false,"code":"token-request/invalid-grant","message":"bad\\n::error::x","exitCode":1}'), {
      ok: false,
      code: 'token-request/invalid-grant',
      message: 'bad ::error::x',
      exitCode: 1,
    });
  });
  it('takes only a code it knows from a failure answer: any other, or none, is agent/bad-answer', () => {
    for (const code of ['token-request/pwned\n::error::x', 'constructor', 42, undefined]) {
      const answer = parseAnswer(JSON.stringify({ ok: false, code, message: 'no', exitCode: 1 }));
      assert.deepEqual(answer, { ok: false, code: 'agent/bad-answer', message: 'no', exitCode: 1 }, String(code));
    }
  });
  it("reads the hosting a token answer names, only one it knows, and an answer without one (an older agent's)", () => {
    const answer = (hosting: unknown) => parseAnswer(JSON.stringify({ ok: true, result: token('abc'), source: 'cache', hosting }));
    assert.deepEqual(answer('cxone'), { ok: true, result: token('abc'), source: 'cache', hosting: 'cxone' });
    assert.deepEqual(answer('sca-cloud'), { ok: true, result: token('abc'), source: 'cache', hosting: 'sca-cloud' });
    for (const unknown of ['CXONE', 'cxone\n::error::x', 'toString', 42, undefined]) {
      assert.deepEqual(answer(unknown), { ok: true, result: token('abc'), source: 'cache' }, String(unknown));
    }
  });
  it('refuses answers that could not be printed safely', () => {
    const bad = [
      { ok: true, result: token('a b'), source: 'cache' },
      { ok: true, result: token('a\nb'), source: 'cache' },
      { ok: true, result: { ...token('a'), tokenType: 'Bearer\n::set-env' }, source: 'cache' },
      { ok: true, result: { ...token('a'), expiresIn: '60' }, source: 'cache' },
      { ok: true, result: { ...token('a'), apiKeyExpiresAt: '2030\n::error::x' }, source: 'cache' },
      { ok: true, result: { ...token('a'), apiKeyExpiresAt: 5 }, source: 'cache' },
      { ok: true, result: token('a'), source: 'disk' },
      { ok: false, message: 'x', exitCode: 0 },
      { ok: 'yes' },
    ];
    for (const answer of bad) assert.equal(parseAnswer(JSON.stringify(answer)), undefined, JSON.stringify(answer));
    assert.equal(parseAnswer('not json'), undefined);
  });
});

/** A controllable exchange: each call returns a promise the test settles. */
function scriptedExchange() {
  const calls: Array<{ resolve: (t: AgentToken) => void; reject: (e: Error) => void }> = [];
  const exchange = () => new Promise<AgentToken>((resolve, reject) => void calls.push({ resolve, reject }));
  return { calls, exchange };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('token cache', () => {
  it('measures validity from when the answer arrived', () => {
    assert.equal(validFor({ result: token('a', 100), arrivedAt: 1000 }, 31_000), 70_000);
  });
  it('reuses the token while it lasts the asked time, else exchanges once and keeps the new one', async () => {
    let now = 0;
    const { calls, exchange } = scriptedExchange();
    const cache = new TokenCache(exchange, () => now, { result: token('first', 100), arrivedAt: 0 });
    now = 40_000;
    assert.deepEqual(await cache.get(60), { result: token('first', 100), source: 'cache' });
    now = 40_001;
    const next = cache.get(60);
    await settle();
    assert.equal(calls.length, 1);
    calls[0]!.resolve(token('second', 100));
    assert.deepEqual(await next, { result: token('second', 100), source: 'exchange' });
    assert.deepEqual(await cache.get(60), { result: token('second', 100), source: 'cache' });
    assert.equal(calls.length, 1);
  });
  it('concurrent requests share one exchange', async () => {
    const { calls, exchange } = scriptedExchange();
    const cache = new TokenCache(exchange, () => 0);
    const all = Promise.all(Array.from({ length: 12 }, () => cache.get(60)));
    await settle();
    assert.equal(calls.length, 1);
    calls[0]!.resolve(token('shared'));
    for (const served of await all) assert.equal(served.result.accessToken, 'shared');
  });
  it('a failed exchange fails every sharer and keeps the old token; the next request exchanges again', async () => {
    const { calls, exchange } = scriptedExchange();
    const cache = new TokenCache(exchange, () => 0, { result: token('old', 30), arrivedAt: 0 });
    const both = Promise.allSettled([cache.get(60), cache.get(60)]);
    await settle();
    calls[0]!.reject(new Error('down'));
    assert.deepEqual(
      (await both).map((r) => r.status),
      ['rejected', 'rejected'],
    );
    assert.deepEqual(await cache.get(10), { result: token('old', 30), source: 'cache' });
    const again = cache.get(60);
    await settle();
    assert.equal(calls.length, 2);
    calls[1]!.resolve(token('new'));
    assert.equal((await again).result.accessToken, 'new');
  });
  it('a fresh token that cannot last the asked time comes with a warning', async () => {
    const cache = new TokenCache(
      async () => token('short', 30),
      () => 0,
    );
    const served = await cache.get(60);
    assert.equal(served.result.accessToken, 'short');
    assert.match(served.warning ?? '', /valid for 30 s only, less than the 60 s asked for/);
  });
});

describe('start-agent output and the command wrappers', () => {
  const sock = `/tmp/cxauth-a/agent.sock#${newKey()}`;
  it('env sets CX_AUTH_SOCK first, then the token variables', () => {
    const text = startOutput('env', sock, token('abc'), 'CX_ACCESS_TOKEN');
    assert.deepEqual(text.split('\n').slice(0, 2), [`export CX_AUTH_SOCK='${sock}'`, "export CX_ACCESS_TOKEN='abc'"]);
  });
  it('json adds authSock; azure sets it as a secret', () => {
    assert.equal(JSON.parse(startOutput('json', sock, token('abc'), 'X')).authSock, sock);
    assert.ok(
      startOutput('azure', sock, token('abc'), 'X').startsWith(`##vso[task.setvariable variable=CX_AUTH_SOCK;issecret=true]${sock}\n`),
    );
  });
  it('--min-validity is whole seconds', () => {
    assert.equal(parseMinValidity(undefined), 60);
    assert.equal(parseMinValidity('0'), 0);
    for (const bad of ['-1', '1.5', 'soon', '86401']) assert.throws(() => parseMinValidity(bad), /Input 'min-validity'/);
  });
  it('the sh wrapper quotes paths with spaces and quotes', () => {
    const { sh } = commandScripts('/opt/my node/bin/node', "/w/it's/dist/cli/index.js", '/w/_temp/checkmarx-auth-bin-x');
    assert.equal(sh, `#!/bin/sh\nexec '/opt/my node/bin/node' '/w/it'\\''s/dist/cli/index.js' "$@"\n`);
  });

  it('the cmd wrapper is pure ASCII and finds node and the CLI from its own folder (%~dp0), whatever the names', () => {
    // A self-hosted runner under a folder with non-ASCII letters, %, &, ^, spaces and parentheses.
    const root = 'C:\\a\\Jürgen 100% (x) & ^y';
    const folder = `${root}\\_work\\_temp\\checkmarx-auth-bin-AbC123`;
    const node = `${root}\\externals\\node24\\bin\\node.exe`;
    const cli = `${root}\\_work\\_actions\\acme\\checkmarx-auth\\v1\\dist\\cli\\index.js`;
    const { cmd } = commandScripts(node, cli, folder, win32);
    assert.equal(
      cmd,
      '@"%~dp0..\\..\\..\\externals\\node24\\bin\\node.exe" "%~dp0..\\..\\_actions\\acme\\checkmarx-auth\\v1\\dist\\cli\\index.js" %*\r\n',
    );
    assert.match(cmd, /^[\x20-\x7e\r\n]*$/, 'ASCII only: cmd reads a batch file in the OEM code page');
    assert.ok(!cmd.includes('Jürgen') && !cmd.includes('C:'), 'no absolute path is embedded');
    // A % in a part that does not drop out is doubled, so cmd does not read it as a variable.
    const odd = commandScripts(`${root}\\n%de%\\node.exe`, cli, folder, win32).cmd;
    assert.ok(odd.startsWith('@"%~dp0..\\..\\..\\n%%de%%\\node.exe" '), odd);
    // Another drive (a hosted runner: the runner on C:, the work folder on D:): node by its ASCII absolute path.
    const hosted = commandScripts(
      'C:\\actions-runner\\externals\\node24\\bin\\node.exe',
      'D:\\a\\_actions\\o\\r\\v1\\dist\\cli\\index.js',
      'D:\\a\\_temp\\checkmarx-auth-bin-1',
      win32,
    ).cmd;
    assert.equal(
      hosted,
      '@"C:\\actions-runner\\externals\\node24\\bin\\node.exe" "%~dp0..\\..\\_actions\\o\\r\\v1\\dist\\cli\\index.js" %*\r\n',
    );
  });

  /** The bytes cmd reads: every one printable ASCII, CR LF at the end. */
  const assertAscii = (cmd: string) => {
    const bytes = Buffer.from(cmd, 'utf8');
    assert.ok(
      bytes.subarray(0, -2).every((byte) => byte >= 0x20 && byte <= 0x7e),
      `not ASCII: ${JSON.stringify(cmd)}`,
    );
    assert.deepEqual([...bytes.subarray(-2)], [0x0d, 0x0a]);
  };

  it('a non-ASCII action path that RUNNER_TEMP does not share: the cmd wrapper is still pure ASCII, through a copy of the CLI and CX_AUTH_NODE', () => {
    const folder = 'C:\\a\\_work\\_temp\\checkmarx-auth-bin-AbC123';
    const node = 'C:\\a\\externals\\node24\\bin\\node.exe';
    // A ref folder under _actions, and a local `uses: ./...` in a workspace, with non-ASCII letters.
    for (const cli of [
      'C:\\a\\_work\\_actions\\acme\\checkmarx-auth\\jürgen-fix\\dist\\cli\\index.js',
      'C:\\a\\_work\\Jürgens Repo\\Jürgens Repo\\tools\\checkmarx-auth\\dist\\cli\\index.js',
    ]) {
      const scripts = commandScripts(node, cli, folder, win32);
      assertAscii(scripts.cmd);
      assert.equal(scripts.cmd, '@"%~dp0..\\..\\..\\externals\\node24\\bin\\node.exe" "%~dp0checkmarx-auth.cjs" %*\r\n');
      assert.equal(scripts.copyCli, true);
      assert.deepEqual(scripts.variables, {});
    }
    // RUNNER_TEMP on another drive than a runner under a non-ASCII folder: node through CX_AUTH_NODE,
    // which the front end sets for later steps (cmd expands a variable in Unicode).
    const root = 'C:\\Läufer 100% (ß) & ^x';
    const other = commandScripts(
      `${root}\\externals\\node24\\bin\\node.exe`,
      `${root}\\_work\\_actions\\o\\r\\v1\\dist\\cli\\index.js`,
      'D:\\t\\checkmarx-auth-bin-1',
      win32,
    );
    assertAscii(other.cmd);
    assert.equal(other.cmd, '@"%CX_AUTH_NODE%" "%~dp0checkmarx-auth.cjs" %*\r\n');
    assert.deepEqual(other.variables, { CX_AUTH_NODE: `${root}\\externals\\node24\\bin\\node.exe` });
    // Where a path is reachable in ASCII, nothing is copied and no variable is needed.
    const plain = commandScripts(node, 'C:\\a\\_work\\_actions\\o\\r\\v1\\dist\\cli\\index.js', folder, win32);
    assert.deepEqual([plain.copyCli, plain.variables], [false, {}]);
  });
});
