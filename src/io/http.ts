// One HTTP request and its answer, with a hard deadline, no redirects followed, a bounded body, the user's CA
// trusted both directly and through a proxy's CONNECT tunnel. Retries live in core/grant.ts.

import type * as Http from 'node:http';
import type * as Https from 'node:https';
import { TransportFailure, type HttpOptions, type HttpRequest, type HttpResponse, type PostForm } from '../core/transport.ts';
import { proxyFor } from './proxy.ts';
import { bareHost, http, https, openTunnel, portOf, proxyAuthorization, tls, tlsOptions, type ProxyRoute } from './tunnel.ts';

const MAX_BODY_BYTES = 1024 * 1024;

export const postForm: PostForm = async (request, options) => {
  const url = new URL(request.url);
  const proxy = proxyFor(url, options.proxy ?? {});
  loadModules(url, proxy);
  const attempt = new Attempt(options.timeoutMs);
  try {
    const connection = await openConnection(url, proxy, options, attempt);
    const response = await roundTrip(connection, request, attempt);
    if (proxy && url.protocol === 'http:') refuseProxyAnswer(response, proxy);
    return response;
  } catch (error) {
    throw toTransportFailure(error, attempt.timedOut, options.timeoutMs, proxy);
  } finally {
    attempt.end();
  }
};

/**
 * Loads the node:http, node:https and node:tls that this attempt will use before its deadline
 * starts: timeout-seconds is for the network, from connect to the last byte (SPEC), and the first
 * load of node:https can take longer than a short deadline on a loaded machine.
 */
function loadModules(url: URL, via: ProxyRoute | undefined): void {
  for (const { protocol } of via ? [url, via.url] : [url]) {
    if (protocol !== 'https:') http();
    else {
      tls();
      https();
    }
  }
}

interface Destroyable {
  destroy(error?: Error): unknown;
}

/**
 * What one attempt opened (requests, tunnel and TLS sockets), destroyed when its deadline passes
 * and when it ends, so that a failed attempt cannot keep the process alive. A timer and destroy()
 * rather than an AbortSignal: the signal machinery costs milliseconds of start-up on every run.
 */
class Attempt {
  timedOut = false;
  private readonly open = new Set<Destroyable>();
  private readonly timer: NodeJS.Timeout;

  constructor(timeoutMs: number) {
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.destroyAll(new Error('deadline passed'));
    }, timeoutMs);
  }

  track<T extends Destroyable>(resource: T): T {
    this.open.add(resource);
    if (this.timedOut) resource.destroy(new Error('deadline passed'));
    return resource;
  }

  end(): void {
    clearTimeout(this.timer);
    this.destroyAll();
  }

  private destroyAll(error?: Error): void {
    for (const resource of this.open) resource.destroy(error);
    this.open.clear();
  }
}

interface Connection {
  readonly module: typeof Http | typeof Https;
  readonly options: Https.RequestOptions;
}

async function openConnection(url: URL, via: ProxyRoute | undefined, options: HttpOptions, attempt: Attempt): Promise<Connection> {
  const secure = url.protocol === 'https:';
  const target = { host: bareHost(url.hostname), port: portOf(url), path: url.pathname + url.search };
  if (!via) {
    return { module: secure ? https() : http(), options: { ...target, ...tlsOptions(url, options), agent: false } };
  }
  const proxy = via.url;
  if (!secure) {
    // Plain HTTP goes to the proxy in absolute form.
    return {
      module: proxy.protocol === 'https:' ? https() : http(),
      options: {
        host: bareHost(proxy.hostname),
        port: portOf(proxy),
        path: url.href,
        ...tlsOptions(proxy, options),
        agent: false,
        headers: { host: url.host, ...proxyAuthorization(proxy) },
      },
    };
  }
  const tunnel = attempt.track(await openTunnel(via, url, options, (resource) => attempt.track(resource)));
  const socket = attempt.track(tls().connect({ socket: tunnel, ...tlsOptions(url, options) }));
  // No `agent` here: with one (even `agent: false`) Node ignores createConnection and dials the target itself.
  // Without an agent Node does not know 443 is the default port and would add it to Host: url.host leaves it out.
  return { module: https(), options: { ...target, headers: { host: url.host }, createConnection: () => socket } };
}

function roundTrip(connection: Connection, request: HttpRequest, attempt: Attempt): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    const headers = { ...connection.options.headers, ...request.headers, 'content-length': String(Buffer.byteLength(request.body)) };
    const outgoing = connection.module.request({ ...connection.options, method: 'POST', headers }, (response) => {
      // The body's own failures settle the promise first: destroying the response also fails `outgoing`.
      readBody(response, (body) => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }), reject);
    });
    attempt.track(outgoing).on('error', reject);
    outgoing.end(request.body);
  });
}

function readBody(response: Http.IncomingMessage, done: (body: string) => void, fail: (error: unknown) => void): void {
  const declared = Number(response.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) return tooLarge(response, fail);
  const chunks: Buffer[] = [];
  let size = 0;
  response.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) tooLarge(response, fail);
    else chunks.push(chunk);
  });
  response.once('end', () => done(Buffer.concat(chunks).toString('utf8')));
  response.on('error', fail);
  response.once('aborted', () => fail(Object.assign(new Error('the connection closed mid-response'), { code: 'ECONNRESET' })));
}

function tooLarge(response: Http.IncomingMessage, fail: (error: unknown) => void): void {
  fail(
    new TransportFailure({
      kind: 'bad-response',
      status: response.statusCode ?? 0,
      detail: `the response body is larger than ${MAX_BODY_BYTES} bytes, which no token response is`,
    }),
  );
  response.destroy();
}

/**
 * A proxy speaks for itself with 407, or 401 with Proxy-Authenticate, also to a plain-http request
 * it forwards: that is the proxy's answer, not the token endpoint's.
 */
function refuseProxyAnswer(response: HttpResponse, via: ProxyRoute): void {
  const proxyAuth = response.status === 407 || (response.status === 401 && response.headers['proxy-authenticate'] !== undefined);
  if (!proxyAuth) return;
  throw new TransportFailure({
    kind: 'proxy',
    status: response.status,
    proxyVariable: via.variable,
    detail: `the proxy ${via.url.host} (${via.variable}) answered HTTP ${response.status}`,
  });
}

const TLS_CODE = /^(CERT_|UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO|ERR_TLS_|ERR_SSL_|HOSTNAME_MISMATCH|EPROTO$)/;
/** Where the proxy itself could not be reached, it is the proxy that is named, not the server. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

export function toTransportFailure(error: unknown, timedOut: boolean, timeoutMs: number, via?: ProxyRoute): TransportFailure {
  if (error instanceof TransportFailure) return error;
  if (timedOut) {
    return new TransportFailure({ kind: 'timeout', detail: `no complete response within ${timeoutMs / 1000} s (timeout-seconds)` });
  }
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (via && code && UNREACHABLE.has(code)) {
    const detail = `cannot reach the proxy ${via.url.host} (${via.variable}): ${message}`;
    return new TransportFailure({ kind: 'proxy', code, proxyVariable: via.variable, detail });
  }
  if (code === 'EPROTO' && /wrong version number/i.test(message)) {
    return new TransportFailure({
      kind: 'tls',
      code,
      detail: 'the server answered https:// with something that is not TLS (wrong version number)',
    });
  }
  const kind = code && TLS_CODE.test(code) ? 'tls' : 'network';
  return new TransportFailure({ kind, ...(code ? { code } : {}), detail: message });
}
