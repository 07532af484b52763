// A real HTTP proxy on 127.0.0.1. It resolves names itself from a fixed routes map (never DNS),
// so the client under test can ask for https://iam.checkmarx.net and still only reach loopback.

import * as http from 'node:http';
import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import { hostWithoutPort, listenOnLoopback } from './token-server.ts';
import type { TestCa } from './tls.ts';

export interface ProxyOptions {
  /** 'host:port' asked for -> '127.0.0.1:port' it really goes to */
  routes?: Record<string, string>;
  /** CONNECT targets not in routes: terminate TLS here with a certificate from `ca`, serve `handler` */
  mitm?: { ca: TestCa; handler: http.RequestListener };
  auth?: { username: string; password: string };
}

export interface TestProxy {
  url: string;
  port: number;
  /** CONNECT targets as asked, e.g. 'iam.checkmarx.net:443' (also the rejected ones) */
  connects: string[];
  /** absolute URLs of plain-HTTP requests */
  forwarded: string[];
  close(): Promise<void>;
}
export type { TestProxy as Proxy };

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);
const ESTABLISHED = 'HTTP/1.1 200 Connection established\r\n\r\n';

export async function startProxy(options: ProxyOptions = {}): Promise<TestProxy> {
  const routes = checkedRoutes(options.routes ?? {});
  const sockets = new Set<Duplex>();
  const track = (socket: Duplex) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const mitmServer = options.mitm ? http.createServer(options.mitm.handler) : undefined;
  const proxy = { connects: [] as string[], forwarded: [] as string[] };
  const context: ProxyContext = { options, routes, track, mitmServer };

  const server = http.createServer((req, res) => {
    if (!authorized(options, req)) return void rejectRequest(res);
    proxy.forwarded.push(req.url ?? '');
    forwardPlain(context, req, res);
  });
  server.on('connection', track);
  server.on('connect', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    proxy.connects.push(req.url ?? '');
    if (!authorized(options, req)) return void rejectConnect(socket);
    connect(context, req.url ?? '', socket, head);
  });
  const port = await listenOnLoopback(server);

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    ...proxy,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      mitmServer?.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

interface ProxyContext {
  options: ProxyOptions;
  routes: Map<string, { host: string; port: number }>;
  track(socket: Duplex): void;
  mitmServer: http.Server | undefined;
}

function checkedRoutes(routes: Record<string, string>): Map<string, { host: string; port: number }> {
  const checked = new Map<string, { host: string; port: number }>();
  for (const [from, to] of Object.entries(routes)) {
    const target = splitHostPort(to, 0);
    if (!LOOPBACK.has(target.host) || !target.port) throw new Error(`proxy route ${from} -> ${to}: loopback host:port only`);
    checked.set(from.toLowerCase(), target);
  }
  return checked;
}

export function splitHostPort(value: string, defaultPort: number): { host: string; port: number } {
  const port = /:(\d+)$/.exec(value)?.[1];
  return { host: hostWithoutPort(value), port: port === undefined ? defaultPort : Number(port) };
}

function authorized(options: ProxyOptions, req: http.IncomingMessage): boolean {
  if (!options.auth) return true;
  const expected = Buffer.from(`${options.auth.username}:${options.auth.password}`).toString('base64');
  return req.headers['proxy-authorization'] === `Basic ${expected}`;
}

function rejectConnect(socket: Duplex): void {
  socket.end(
    'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test proxy"\r\n' +
      'Content-Length: 0\r\nConnection: close\r\n\r\n',
  );
}

function rejectRequest(res: http.ServerResponse): void {
  res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test proxy"', 'content-length': '0', connection: 'close' });
  res.end();
}

function connect(context: ProxyContext, target: string, socket: Duplex, head: Buffer): void {
  const route = context.routes.get(target.toLowerCase());
  if (route) return tunnel(context, route, socket, head);
  if (context.options.mitm && context.mitmServer) {
    return intercept(context.options.mitm.ca, context.mitmServer, hostWithoutPort(target), socket, head);
  }
  socket.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
}

function tunnel(context: ProxyContext, route: { host: string; port: number }, socket: Duplex, head: Buffer): void {
  const upstream = net.connect(route.port, route.host);
  context.track(upstream);
  upstream.once('connect', () => {
    socket.write(ESTABLISHED);
    if (head.length > 0) upstream.write(head);
    upstream.pipe(socket);
    socket.pipe(upstream);
  });
  upstream.once('error', () => socket.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n'));
  socket.once('close', () => upstream.destroy());
}

function intercept(ca: TestCa, server: http.Server, host: string, socket: Duplex, head: Buffer): void {
  socket.write(ESTABLISHED);
  if (head.length > 0) socket.unshift(head);
  const secureContext = tls.createSecureContext(ca.issue([host]));
  const secure = new tls.TLSSocket(socket, { isServer: true, secureContext, ALPNProtocols: ['http/1.1'] });
  secure.on('error', () => secure.destroy());
  server.emit('connection', secure);
}

function forwardPlain(context: ProxyContext, req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = parseAbsolute(req.url ?? '');
  if (!url) return void res.writeHead(400, { 'content-length': '0' }).end();
  const route = context.routes.get(`${url.hostname}:${url.port || 80}`.toLowerCase());
  if (!route) return serveLocally(context, req, res, url);
  const upstream = http.request(
    { host: route.host, port: route.port, method: req.method, path: url.pathname + url.search, headers: withoutProxyHeaders(req.headers) },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('socket', (socket) => context.track(socket));
  upstream.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502, { 'content-length': '0' }).end()));
  req.pipe(upstream);
}

/** No route: with a MITM handler, serve it as that host (plain HTTP); otherwise 502. */
function serveLocally(context: ProxyContext, req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
  const handler = context.options.mitm?.handler;
  if (!handler) return void res.writeHead(502, { 'content-length': '0' }).end();
  req.url = url.pathname + url.search;
  handler(req, res);
}

function parseAbsolute(value: string): URL | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
}

function withoutProxyHeaders(headers: http.IncomingHttpHeaders): http.IncomingHttpHeaders {
  const rest = { ...headers };
  delete rest['proxy-authorization'];
  delete rest['proxy-connection'];
  return rest;
}

/** Sends CONNECT to a proxy by hand; the socket is the tunnel when status is 200. */
export function openTunnel(
  proxyUrl: string,
  target: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; socket: net.Socket }> {
  const proxy = new URL(proxyUrl);
  return new Promise((resolve, reject) => {
    const request = http.request({
      host: proxy.hostname,
      port: proxy.port,
      method: 'CONNECT',
      path: target,
      headers: { host: target, ...headers },
    });
    request.once('connect', (response, socket) => resolve({ status: response.statusCode ?? 0, socket }));
    request.once('error', reject);
    request.end();
  });
}
