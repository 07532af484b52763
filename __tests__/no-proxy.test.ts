// NO_PROXY read as curl (7.86+) reads it: a table of the pure rule (src/core/no-proxy.ts), then
// end to end through the CLI bundle, a real proxy and the test token server, with the loopback-only
// DNS guard: a host sent direct fails with ENOTFOUND before the proxy sees anything, a host sent
// through the proxy reaches the token server.

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { checkBypass } from '@actions/http-client/lib/proxy';
import fc from 'fast-check';
import { bypassesProxy, isLoopbackHost } from '../src/core/no-proxy.ts';
import { startProxy, type TestProxy } from './support/proxy.ts';
import { assertNoLeak, LOOPBACK_ONLY_DNS_ENV, runCli } from './support/run.ts';
import { DEFAULT_SAST_USER, startTokenServer, type TokenServer } from './support/token-server.ts';

const direct = (url: string, noProxy: string) => {
  const parsed = new URL(url);
  const port = parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80;
  return bypassesProxy({ hostname: parsed.hostname, port }, noProxy);
};

describe('NO_PROXY, the rule', () => {
  const cases: Array<[noProxy: string, url: string, goesDirect: boolean]> = [
    // A bare domain, a leading dot, a leading *.: the domain itself and its subdomains.
    ['example.com', 'https://example.com/x', true],
    ['example.com', 'https://eu.iam.example.com/x', true],
    ['example.com', 'https://badexample.com/x', false],
    ['.example.com', 'https://example.com/x', true],
    ['.example.com', 'https://a.b.example.com/x', true],
    ['.example.com', 'https://notexample.com/x', false],
    ['*.example.com', 'https://example.com/x', true],
    ['*.example.com', 'https://iam.example.com/x', true],
    ['*.example.com', 'https://example.com.evil.test/x', false],
    ['example.com.', 'https://iam.example.com./x', true],
    // Case, separators, blanks.
    ['EXAMPLE.COM', 'https://Iam.Example.com/x', true],
    ['a.test , example.com', 'https://iam.example.com/x', true],
    ['a.test example.com', 'https://iam.example.com/x', true],
    ['a.test,\texample.com,', 'https://iam.example.com/x', true],
    ['', 'https://example.com/x', false],
    [' , ', 'https://example.com/x', false],
    // * alone.
    ['*', 'https://anything.test/x', true],
    ['a.test,*', 'https://anything.test/x', true],
    ['*.', 'https://anything.test/x', false],
    // Ports.
    ['example.com:443', 'https://example.com/x', true],
    ['example.com:8443', 'https://example.com/x', false],
    ['example.com:8443', 'https://example.com:8443/x', true],
    ['.example.com:80', 'http://iam.example.com/x', true],
    // IP addresses and CIDR ranges: addresses only, whatever the spelling.
    ['10.1.2.3', 'http://10.1.2.3/x', true],
    ['10.1.2.3', 'http://10.1.2.4/x', false],
    ['10.0.0.0/8', 'http://10.200.3.4/x', true],
    ['10.0.0.0/8', 'http://11.0.0.1/x', false],
    ['192.168.1.0/24', 'http://192.168.1.77/x', true],
    ['192.168.1.0/24', 'http://192.168.2.1/x', false],
    ['0.0.0.0/0', 'http://8.8.8.8/x', true],
    ['10.0.0.0/33', 'http://10.0.0.1/x', false],
    ['10.0.0.0/x', 'http://10.0.0.1/x', false],
    ['10.0.0.0/8', 'http://10.example.com/x', false],
    ['10.1.2.3:8080', 'http://10.1.2.3:8080/x', true],
    ['10.1.2.3:8080', 'http://10.1.2.3/x', false],
    ['fd00::/8', 'http://[fd12:3456::1]/x', true],
    ['fd00::/8', 'http://[fe80::1]/x', false],
    ['2001:db8::1', 'http://[2001:0db8:0:0:0:0:0:1]/x', true],
    ['[2001:db8::1]', 'http://[2001:db8::1]/x', true],
    ['[2001:db8::1]:8443', 'https://[2001:db8::1]:8443/x', true],
    ['[2001:db8::1]:8443', 'https://[2001:db8::1]/x', false],
    ['::ffff:10.0.0.0/104', 'http://[::ffff:10.9.8.7]/x', true],
    ['2001:db8::1::2', 'http://[2001:db8::1]/x', false],
    ['10.1.2.3', 'http://[::ffff:10.1.2.3]/x', false],
  ];
  for (const [noProxy, url, goesDirect] of cases) {
    it(`NO_PROXY=${JSON.stringify(noProxy)}: ${url} goes ${goesDirect ? 'direct' : 'through the proxy'}`, () => {
      assert.equal(direct(url, noProxy), goesDirect);
    });
  }

  it('loopback always goes direct, with or without NO_PROXY; a name that only starts like it does not', () => {
    for (const url of ['http://localhost:1/x', 'http://127.0.0.1/x', 'http://127.9.9.9/x', 'http://[::1]:8/x', 'http://LOCALHOST./x']) {
      assert.ok(direct(url, ''), url);
    }
    for (const host of ['127.example.com', 'localhost.example.com', '[::2]', '128.0.0.1']) assert.ok(!isLoopbackHost(host), host);
  });
});

describe('NO_PROXY written for actions built on @actions/http-client', () => {
  // A job's NO_PROXY is often set for the other actions in it, which read it with actions/toolkit's
  // http-client: every host that it sends direct goes direct here too (curl's rules are a superset:
  // a leading dot or *. also matches the domain itself, blanks separate, CIDR ranges, any loopback).
  it('every host that @actions/http-client sends direct, checkmarx-auth sends direct', () => {
    const hosts = ['example.com', 'iam.example.com', 'a.b.example.com', 'badexample.com', 'example.com.', 'EXAMPLE.com', 'cx', 'cx.corp'];
    const addresses = ['10.1.2.3', '10.1.2.30', '[2001:db8::1]', '[::1]', 'localhost', '127.0.0.1'];
    const entries = ['example.com', '.example.com', '*.example.com', 'EXAMPLE.COM', '*', 'example.com:443', 'example.com:8443', '.com'];
    const more = ['com', '10.1.2.3', '10.0.0.0/8', '[2001:db8::1]', '2001:db8::1', '[2001:db8::1]:443', 'cx', '.corp', 'example.com.'];
    const odd = [' example.com ', '', '*.', 'iam.example.com:80', '127.0.0.1', 'localhost'];
    const saved = process.env.no_proxy;
    let bypassed = 0;
    try {
      fc.assert(
        fc.property(
          fc.constantFrom('http', 'https'),
          fc.constantFrom(...hosts, ...addresses),
          fc.constantFrom('', ':443', ':80', ':8443'),
          fc.array(fc.constantFrom(...entries, ...more, ...odd), { maxLength: 4 }),
          (scheme, host, port, list) => {
            const url = `${scheme}://${host}${port}/x`;
            const noProxy = list.join(',');
            process.env.no_proxy = noProxy; // http-client reads it from the environment
            if (!checkBypass(new URL(url))) return;
            bypassed++;
            assert.ok(direct(url, noProxy), `NO_PROXY=${JSON.stringify(noProxy)}: ${url}`);
          },
        ),
        { numRuns: 2000 },
      );
    } finally {
      if (saved === undefined) delete process.env.no_proxy;
      else process.env.no_proxy = saved;
    }
    assert.ok(bypassed > 100, `http-client sent ${bypassed} of 2000 direct: the cases must exercise its bypass`);
  });
});

describe('NO_PROXY end to end: the CLI, a real proxy, the token server', () => {
  let server: TokenServer;
  let proxy: TestProxy;
  const HOSTS = ['example.test', 'iam.example.test', 'other.test'];
  before(async () => {
    server = await startTokenServer();
    const backend = new URL(server.url);
    proxy = await startProxy({ routes: Object.fromEntries(HOSTS.map((host) => [`${host}:${backend.port}`, backend.host])) });
  });
  beforeEach(() => {
    server.reset();
    proxy.forwarded.length = 0;
  });
  after(async () => {
    await proxy.close();
    await server.close();
  });

  const exchange = (host: string, noProxy: string) =>
    runCli(
      [
        '--product',
        'sast',
        '--server-url',
        `http://${host}:${new URL(server.url).port}`,
        '--username',
        DEFAULT_SAST_USER.username,
        '--max-attempts',
        '1',
      ],
      { env: { ...LOOPBACK_ONLY_DNS_ENV, CX_PASSWORD: DEFAULT_SAST_USER.password, HTTP_PROXY: proxy.url, NO_PROXY: noProxy } },
    );

  const cases: Array<[noProxy: string, host: string, goesDirect: boolean]> = [
    ['.example.test', 'example.test', true],
    ['.example.test', 'iam.example.test', true],
    ['*.example.test', 'example.test', true],
    ['*.example.test', 'iam.example.test', true],
    ['*.example.test', 'other.test', false],
    ['EXAMPLE.TEST other.test', 'other.test', true],
    ['example.test:1', 'example.test', false],
  ];
  for (const [noProxy, host, goesDirect] of cases) {
    it(`NO_PROXY=${JSON.stringify(noProxy)}: ${host} goes ${goesDirect ? 'direct (and does not resolve)' : 'through the proxy'}`, async () => {
      const run = await exchange(host, noProxy);
      assertNoLeak(run, [DEFAULT_SAST_USER.password]);
      if (goesDirect) {
        assert.equal(run.code, 1, run.stderr);
        assert.match(run.stderr, new RegExp(`ENOTFOUND ${host.replace(/\./g, '\\.')}`));
        assert.deepEqual(proxy.forwarded, []);
        assert.equal(server.requests.length, 0);
      } else {
        assert.equal(run.code, 0, run.stderr);
        assert.equal(proxy.forwarded.length, 1);
        assert.match(proxy.forwarded[0] ?? '', new RegExp(`^http://${host.replace(/\./g, '\\.')}:\\d+/`));
        assert.equal(server.requests.length, 1);
      }
    });
  }
});
