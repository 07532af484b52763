// src/http.ts in this process, against real sockets: the token server (plain and TLS), the CONNECT
// proxy, a port nobody listens on. What each failure looks like to users is the e2e tests' job;
// here the TransportFailure details (kind, code, status, proxyVariable) and the HttpResponse.

import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { postForm as postFormWith, toTransportFailure } from '../src/io/http.ts';
import { TransportFailure, type HttpOptions, type HttpRequest, type PostForm, type ProxySettings } from '../src/core/transport.ts';
import { startProxy, type TestProxy } from './support/proxy.ts';
import { sharedTestCa, type TestCa } from './support/tls.ts';
import { freePort, IDENTITY_TOKEN_PATH, startTokenServer, type TokenServer } from './support/token-server.ts';

const TLS_HOST = 'cx.example.test';
const FORM = 'grant_type=password&username=u&password=p%40ss';
// A deadline no loaded machine reaches for a loopback answer; the deadline tests set their own.
const OPTIONS: HttpOptions = { timeoutMs: 60_000, insecureSkipTlsVerify: false };

const request = (url: string, body = FORM): HttpRequest => ({
  url,
  headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
  body,
});

/** The proxy variables the front end read, which postForm below passes in its options. */
let proxyVariables: ProxySettings = {};
const postForm: PostForm = (request, options) => postFormWith(request, { ...options, proxy: proxyVariables });

/**
 * Runs fn with exactly these proxy variables in the options (as a front end passes them), and
 * checks that postForm reads none from process.env: the same variables set there are ignored.
 */
async function withProxyEnv<T>(vars: ProxySettings, fn: () => Promise<T>): Promise<T> {
  proxyVariables = vars;
  try {
    return await fn();
  } finally {
    proxyVariables = {};
  }
}

/** The TransportFailure a call ends with (and fails the test when it succeeds or throws anything else). */
async function failureOf(call: Promise<unknown>): Promise<TransportFailure['details']> {
  const error = await call.then(
    (value) => assert.fail(`expected a TransportFailure, got ${JSON.stringify(value)}`),
    (error: unknown) => error,
  );
  assert.ok(error instanceof TransportFailure, `not a TransportFailure: ${String(error)}`);
  return error.details;
}

let ca: TestCa;
let plain: TokenServer;
let secure: TokenServer;
before(async () => {
  ca = await sharedTestCa();
  plain = await startTokenServer();
  secure = await startTokenServer({ tls: ca.issue([TLS_HOST]) });
});
after(async () => {
  await Promise.all([plain?.close(), secure?.close()]);
});
beforeEach(() => {
  plain.reset();
  secure.reset();
});

describe('postForm, direct', () => {
  it('reads no proxy from process.env: only the proxy variables in its options count', async () => {
    const port = await freePort();
    const saved = process.env['HTTP_PROXY'];
    // Were it read, the failure would be the proxy's (nobody listens there); unread, the name does not resolve.
    process.env['HTTP_PROXY'] = `http://127.0.0.1:${port}`;
    try {
      const details = await withProxyEnv({}, () => failureOf(postForm(request('http://cx.example.test/token'), OPTIONS)));
      assert.equal(details.kind, 'network');
      assert.equal(details.proxyVariable, undefined);
    } finally {
      if (saved === undefined) delete process.env['HTTP_PROXY'];
      else process.env['HTTP_PROXY'] = saved;
    }
  });

  it('posts the form with its headers and a content-length, and returns status, headers and body', async () => {
    plain.enqueue({ status: 200, body: { access_token: 'abc', expires_in: 60 }, headers: { 'x-seen': 'yes' } });
    const response = await withProxyEnv({}, () => postForm(request(`${plain.url}${IDENTITY_TOKEN_PATH}?x=1`), OPTIONS));
    assert.equal(response.status, 200);
    assert.equal(response.headers['x-seen'], 'yes');
    assert.deepEqual(JSON.parse(response.body), { access_token: 'abc', expires_in: 60 });
    const [seen] = plain.requests;
    assert.equal(seen?.method, 'POST');
    assert.equal(seen?.path, `${IDENTITY_TOKEN_PATH}?x=1`);
    assert.deepEqual(seen?.form, { grant_type: 'password', username: 'u', password: 'p@ss' });
    assert.equal(seen?.headers['content-length'], String(Buffer.byteLength(FORM)));
    assert.equal(seen?.headers.accept, 'application/json');
  });

  it('does not follow a redirect, and counts the body in bytes, not characters', async () => {
    plain.enqueue({ status: 302, headers: { location: `${plain.url}/elsewhere` }, body: '' });
    const body = 'password=%C3%A9t%C3%A9&note=été';
    const response = await withProxyEnv({}, () => postForm(request(`${plain.url}/token`, body), OPTIONS));
    assert.equal(response.status, 302);
    assert.equal(response.headers.location, `${plain.url}/elsewhere`);
    assert.equal(plain.requests.length, 1);
    assert.equal(plain.requests[0]?.rawBody, body);
  });

  it('an error status is an answer, not a failure', async () => {
    plain.enqueue({ status: 400, body: { error: 'invalid_grant' } });
    const response = await withProxyEnv({}, () => postForm(request(`${plain.url}/token`), OPTIONS));
    assert.deepEqual([response.status, JSON.parse(response.body)], [400, { error: 'invalid_grant' }]);
  });

  it('a port nobody listens on: network, ECONNREFUSED', async () => {
    const port = await freePort();
    const details = await withProxyEnv({}, () => failureOf(postForm(request(`http://127.0.0.1:${port}/token`), OPTIONS)));
    assert.equal(details.kind, 'network');
    assert.equal(details.code, 'ECONNREFUSED');
    assert.equal(details.proxyVariable, undefined);
  });

  it('the server closes the connection without answering: network, ECONNRESET', async () => {
    plain.enqueue({ destroy: true });
    const details = await withProxyEnv({}, () => failureOf(postForm(request(`${plain.url}/token`), OPTIONS)));
    assert.equal(details.kind, 'network');
    assert.equal(details.code, 'ECONNRESET');
  });

  it('no complete answer within the deadline: timeout, naming timeout-seconds', async () => {
    plain.enqueue({ status: 200, body: { access_token: 'late' }, delayMs: 3_000 });
    const details = await withProxyEnv({}, () => failureOf(postForm(request(`${plain.url}/token`), { ...OPTIONS, timeoutMs: 250 })));
    assert.equal(details.kind, 'timeout');
    assert.equal(details.detail, 'no complete response within 0.25 s (timeout-seconds)');
  });

  it('a body that trickles in past the deadline is a timeout too', async () => {
    plain.enqueue({ status: 200, body: 'x'.repeat(100), chunks: { count: 10, intervalMs: 200 } });
    const details = await withProxyEnv({}, () => failureOf(postForm(request(`${plain.url}/token`), { ...OPTIONS, timeoutMs: 300 })));
    assert.equal(details.kind, 'timeout');
  });

  it('a body over 1 MiB, declared by content-length: bad-response with the status', async () => {
    plain.enqueue({ status: 200, body: 'x'.repeat(1024 * 1024 + 1) });
    const details = await withProxyEnv({}, () => failureOf(postForm(request(`${plain.url}/token`), OPTIONS)));
    assert.equal(details.kind, 'bad-response');
    assert.equal(details.status, 200);
    assert.match(details.detail ?? '', /larger than 1048576 bytes/);
  });

  it('a body over 1 MiB, chunked without a length: bad-response as it grows', async () => {
    plain.enqueue({
      status: 500,
      body: 'y'.repeat(1024 * 1024 + 10),
      headers: { 'transfer-encoding': 'chunked' },
      chunks: { count: 4, intervalMs: 1 },
    });
    const details = await withProxyEnv({}, () => failureOf(postForm(request(`${plain.url}/token`), OPTIONS)));
    assert.equal(details.kind, 'bad-response');
    assert.equal(details.status, 500);
  });

  it('exactly 1 MiB is still read whole', async () => {
    plain.enqueue({
      status: 200,
      body: 'z'.repeat(1024 * 1024),
      headers: { 'transfer-encoding': 'chunked' },
      chunks: { count: 3, intervalMs: 1 },
    });
    const response = await withProxyEnv({}, () => postForm(request(`${plain.url}/token`), OPTIONS));
    assert.equal(response.body.length, 1024 * 1024);
  });
});

describe('postForm over TLS', () => {
  it('without the CA: tls, and no request reaches the server', async () => {
    const details = await withProxyEnv({}, () => failureOf(postForm(request(`${secure.url}/token`), OPTIONS)));
    assert.equal(details.kind, 'tls');
    assert.match(details.code ?? '', /^(UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO|CERT_)/);
    assert.equal(secure.requests.length, 0);
  });

  it('with the CA (ca-cert) the exchange succeeds', async () => {
    secure.enqueue({ status: 200, body: { access_token: 'tls' } });
    const response = await withProxyEnv({}, () => postForm(request(`${secure.url}/token`), { ...OPTIONS, caCerts: [ca.certPem] }));
    assert.deepEqual([response.status, JSON.parse(response.body)], [200, { access_token: 'tls' }]);
    assert.equal(secure.requests.length, 1);
  });

  it('insecureSkipTlsVerify accepts the unknown CA', async () => {
    secure.enqueue({ status: 200, body: { access_token: 'unchecked' } });
    const response = await withProxyEnv({}, () => postForm(request(`${secure.url}/token`), { ...OPTIONS, insecureSkipTlsVerify: true }));
    assert.equal(JSON.parse(response.body).access_token, 'unchecked');
  });

  it('https:// to a plain-http port: tls, EPROTO, says it is not TLS', async () => {
    const url = `${plain.url.replace('http:', 'https:')}/token`;
    const details = await withProxyEnv({}, () => failureOf(postForm(request(url), OPTIONS)));
    assert.equal(details.kind, 'tls');
    assert.equal(details.code, 'EPROTO');
    assert.match(details.detail ?? '', /not TLS \(wrong version number\)/);
    assert.equal(plain.requests.length, 0);
  });
});

describe('postForm through a proxy', () => {
  const started: TestProxy[] = [];
  const proxyFor = async (options: Parameters<typeof startProxy>[0]) => {
    const proxy = await startProxy(options);
    started.push(proxy);
    return proxy;
  };
  after(async () => {
    await Promise.all(started.map((proxy) => proxy.close()));
  });

  it('https through a CONNECT tunnel (HTTPS_PROXY), the CA trusted inside it, Host without the default port', async () => {
    const proxy = await proxyFor({ routes: { [`${TLS_HOST}:443`]: `127.0.0.1:${secure.port}` } });
    secure.enqueue({ status: 200, body: { access_token: 'tunnelled' } });
    const response = await withProxyEnv({ HTTPS_PROXY: proxy.url }, () =>
      postForm(request(`https://${TLS_HOST}${IDENTITY_TOKEN_PATH}`), { ...OPTIONS, caCerts: [ca.certPem] }),
    );
    assert.equal(JSON.parse(response.body).access_token, 'tunnelled');
    assert.deepEqual(proxy.connects, [`${TLS_HOST}:443`]);
    assert.equal(secure.requests[0]?.headers.host, TLS_HOST);
    assert.equal(secure.requests[0]?.path, IDENTITY_TOKEN_PATH);
  });

  it('lower-case https_proxy works too, and a TLS failure inside the tunnel is still tls', async () => {
    const proxy = await proxyFor({ routes: { [`${TLS_HOST}:443`]: `127.0.0.1:${secure.port}` } });
    const details = await withProxyEnv({ https_proxy: proxy.url }, () =>
      failureOf(postForm(request(`https://${TLS_HOST}/token`), OPTIONS)),
    );
    assert.equal(details.kind, 'tls');
    assert.deepEqual(proxy.connects, [`${TLS_HOST}:443`]);
    assert.equal(secure.requests.length, 0);
  });

  it('a MITM proxy whose CA is trusted: the answer comes from the proxy', async () => {
    const proxy = await proxyFor({ mitm: { ca, handler: plain.handler } });
    plain.enqueue({ status: 200, body: { access_token: 'intercepted' } });
    const response = await withProxyEnv({ HTTPS_PROXY: proxy.url }, () =>
      postForm(request('https://iam.checkmarx.net:8443/token'), { ...OPTIONS, caCerts: [ca.certPem] }),
    );
    assert.equal(JSON.parse(response.body).access_token, 'intercepted');
    assert.deepEqual(proxy.connects, ['iam.checkmarx.net:8443']);
  });

  it('plain http goes to HTTP_PROXY in absolute form', async () => {
    const proxy = await proxyFor({ routes: { 'cx.example.test:80': `127.0.0.1:${plain.port}` } });
    plain.enqueue({ status: 200, body: { access_token: 'forwarded' } });
    const response = await withProxyEnv({ HTTP_PROXY: proxy.url }, () =>
      postForm(request('http://cx.example.test/cxrestapi/token?a=b'), OPTIONS),
    );
    assert.equal(JSON.parse(response.body).access_token, 'forwarded');
    assert.deepEqual(proxy.forwarded, ['http://cx.example.test/cxrestapi/token?a=b']);
    assert.equal(plain.requests[0]?.path, '/cxrestapi/token?a=b');
    assert.equal(plain.requests[0]?.host, 'cx.example.test');
  });

  it('NO_PROXY sends a listed host direct; without it the same host goes through the proxy', async () => {
    // 0.0.0.0 reaches the loopback listener on Linux, and is not one of the always-bypassed loopback names.
    const target = `http://0.0.0.0:${plain.port}/token`;
    const proxy = await proxyFor({ routes: { [`0.0.0.0:${plain.port}`]: `127.0.0.1:${plain.port}` } });
    plain.enqueue({ status: 200, body: { via: 'direct' } });
    await withProxyEnv({ HTTP_PROXY: proxy.url, NO_PROXY: 'cx.example.test, 0.0.0.0' }, () => postForm(request(target), OPTIONS));
    assert.deepEqual(proxy.forwarded, []);
    plain.enqueue({ status: 200, body: { via: 'proxy' } });
    await withProxyEnv({ HTTP_PROXY: proxy.url }, () => postForm(request(target), OPTIONS));
    assert.deepEqual(proxy.forwarded, [target]);
    assert.equal(plain.requests.length, 2);
  });

  it('loopback targets never use the proxy', async () => {
    const port = await freePort();
    plain.enqueue({ status: 204 });
    const response = await withProxyEnv({ HTTP_PROXY: `http://127.0.0.1:${port}`, HTTPS_PROXY: `http://127.0.0.1:${port}` }, () =>
      postForm(request(`${plain.url}/token`), OPTIONS),
    );
    assert.equal(response.status, 204);
  });

  it('a proxy that refuses connections: proxy, ECONNREFUSED, naming the variable', async () => {
    const port = await freePort();
    const details = await withProxyEnv({ HTTPS_PROXY: `http://127.0.0.1:${port}` }, () =>
      failureOf(postForm(request(`https://${TLS_HOST}/token`), OPTIONS)),
    );
    assert.equal(details.kind, 'proxy');
    assert.equal(details.code, 'ECONNREFUSED');
    assert.equal(details.proxyVariable, 'HTTPS_PROXY');
    assert.match(details.detail ?? '', new RegExp(`cannot reach the proxy 127\\.0\\.0\\.1:${port} \\(HTTPS_PROXY\\)`));
  });

  it('the same for plain http through http_proxy', async () => {
    const port = await freePort();
    const details = await withProxyEnv({ http_proxy: `http://127.0.0.1:${port}` }, () =>
      failureOf(postForm(request('http://cx.example.test/token'), OPTIONS)),
    );
    assert.deepEqual([details.kind, details.code, details.proxyVariable], ['proxy', 'ECONNREFUSED', 'http_proxy']);
  });

  const AUTH = { username: 'proxy user', password: 'p@ss:w%rd/1' };
  const encoded = `${encodeURIComponent(AUTH.username)}:${encodeURIComponent(AUTH.password)}`;

  it('a CONNECT refused with 407: proxy, status 407, and nothing sent to the server', async () => {
    const proxy = await proxyFor({ auth: AUTH, routes: { [`${TLS_HOST}:443`]: `127.0.0.1:${secure.port}` } });
    const details = await withProxyEnv({ HTTPS_PROXY: proxy.url }, () =>
      failureOf(postForm(request(`https://${TLS_HOST}/token`), OPTIONS)),
    );
    assert.deepEqual([details.kind, details.status, details.proxyVariable], ['proxy', 407, 'HTTPS_PROXY']);
    assert.match(details.detail ?? '', new RegExp(`refused to open a tunnel to ${TLS_HOST}:443: HTTP 407`));
    assert.equal(secure.requests.length, 0);
  });

  it('a plain-http request answered 407 by the proxy is the proxy speaking', async () => {
    const proxy = await proxyFor({ auth: AUTH, routes: { 'cx.example.test:80': `127.0.0.1:${plain.port}` } });
    const details = await withProxyEnv({ HTTP_PROXY: proxy.url }, () =>
      failureOf(postForm(request('http://cx.example.test/token'), OPTIONS)),
    );
    assert.deepEqual([details.kind, details.status, details.proxyVariable], ['proxy', 407, 'HTTP_PROXY']);
    assert.equal(plain.requests.length, 0);
  });

  it('a 401 with Proxy-Authenticate through a plain-http proxy is the proxy too; a bare 401 is the server', async () => {
    const proxy = await proxyFor({ routes: { 'cx.example.test:80': `127.0.0.1:${plain.port}` } });
    plain.enqueue({ status: 401, headers: { 'proxy-authenticate': 'Basic' }, body: '' });
    const details = await withProxyEnv({ HTTP_PROXY: proxy.url }, () =>
      failureOf(postForm(request('http://cx.example.test/token'), OPTIONS)),
    );
    assert.deepEqual([details.kind, details.status], ['proxy', 401]);
    plain.enqueue({ status: 401, body: { error: 'invalid_client' } });
    const response = await withProxyEnv({ HTTP_PROXY: proxy.url }, () => postForm(request('http://cx.example.test/token'), OPTIONS));
    assert.equal(response.status, 401);
  });

  it('URL-encoded credentials in the proxy URL are sent decoded, for CONNECT and for plain http', async () => {
    const proxy = await proxyFor({
      auth: AUTH,
      routes: { [`${TLS_HOST}:443`]: `127.0.0.1:${secure.port}`, 'cx.example.test:80': `127.0.0.1:${plain.port}` },
    });
    const proxyUrl = proxy.url.replace('http://', `http://${encoded}@`);
    secure.enqueue({ status: 200, body: { access_token: 'authorized' } });
    plain.enqueue({ status: 200, body: { access_token: 'authorized too' } });
    await withProxyEnv({ HTTPS_PROXY: proxyUrl, HTTP_PROXY: proxyUrl }, async () => {
      const viaTunnel = await postForm(request(`https://${TLS_HOST}/token`), { ...OPTIONS, caCerts: [ca.certPem] });
      assert.equal(JSON.parse(viaTunnel.body).access_token, 'authorized');
      const forwarded = await postForm(request('http://cx.example.test/token'), OPTIONS);
      assert.equal(JSON.parse(forwarded.body).access_token, 'authorized too');
    });
    // The proxy does not pass its credentials on.
    assert.equal(plain.requests[0]?.headers['proxy-authorization'], undefined);
  });

  it('an invalid proxy URL fails before any connection, naming the variable but not its value', async () => {
    for (const [variable, value, url] of [
      ['HTTPS_PROXY', 'http://[not-a-host:secret', `https://${TLS_HOST}/token`],
      ['http_proxy', 'http://us%zzer:hunter2@proxy.test:3128', 'http://cx.example.test/token'],
    ] as const) {
      const details = await withProxyEnv({ [variable]: value }, () => failureOf(postForm(request(url), OPTIONS)));
      assert.equal(details.kind, 'proxy', value);
      assert.match(details.detail ?? '', new RegExp(`^${variable} is not a valid proxy URL`));
      assert.doesNotMatch(details.detail ?? '', /secret|hunter2/);
    }
  });
});

describe('toTransportFailure', () => {
  it('keeps a TransportFailure, and reads codes from anything thrown', () => {
    const failure = new TransportFailure({ kind: 'proxy', detail: 'kept' });
    assert.equal(toTransportFailure(failure, true, 1000), failure);
    assert.deepEqual(toTransportFailure('odd', false, 1000).details, { kind: 'network', detail: 'odd' });
    const tls = toTransportFailure(Object.assign(new Error('bad cert'), { code: 'CERT_HAS_EXPIRED' }), false, 1000);
    assert.deepEqual(tls.details, { kind: 'tls', code: 'CERT_HAS_EXPIRED', detail: 'bad cert' });
    assert.equal(tls.message, 'bad cert');
    assert.equal(new TransportFailure({ kind: 'timeout' }).message, 'timeout');
  });
});
