// The facade's one forwarder: a request with a valid phantom goes to the product's real API with
// the phantom swapped for a real token; everything else is answered here and reaches nothing.
// Method, path, query and headers pass as sent, except hop-by-hop headers, Host (the upstream's)
// and Authorization. Bodies stream both ways (piped, never held); redirects are passed back with
// the upstream's origin rewritten to the facade's; an upstream 401 to a request without a body
// gets one fresh token and one retry.

import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Upstream } from '../../io/upstream.ts';
import type { AgentToken } from '../protocol.ts';
import type { RealTokens } from './real-tokens.ts';

/** A real token sent upstream stays valid at least this long (SPEC). */
export const MIN_UPSTREAM_VALIDITY_SECONDS = 60;
const READ_ONLY_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export interface Forwarder {
  readonly upstream: Upstream;
  readonly tokens: RealTokens;
  /** The real API's base URL for a real token (its apiUrl decides). */
  readonly baseOf: (token: AgentToken) => URL;
  /** http://127.0.0.1:<port>, for Location rewriting. */
  readonly origin: string;
  /** Whether the Authorization header holds a valid phantom. */
  readonly isPhantom: (authorization: string | undefined) => boolean;
  readonly readOnly: boolean;
  readonly failed?: (error: unknown) => void;
}

export function forward(forwarder: Forwarder, req: IncomingMessage, res: ServerResponse): void {
  if (!forwarder.isPhantom(req.headers.authorization)) {
    req.resume();
    return plain(res, 401, 'A valid token from this facade is required.', { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
  }
  if (forwarder.readOnly && !READ_ONLY_METHODS.has(req.method ?? '')) {
    req.resume();
    return plain(res, 405, 'This job is read-only: only GET, HEAD and OPTIONS are forwarded.', { Allow: 'GET, HEAD, OPTIONS' });
  }
  forwarder.tokens.token(MIN_UPSTREAM_VALIDITY_SECONDS).then(
    (token) => send(forwarder, req, res, token, hasBody(req) ? 'stream' : 'retry-once'),
    (error: unknown) => {
      forwarder.failed?.(error);
      req.resume();
      plain(res, 503, 'checkmarx-auth could not get a token; its error is in the job log.');
    },
  );
}

/**
 * How a request goes: `stream`, its body piped (no retry, the body is gone); `retry-once`, no body,
 * and a 401 gets one fresh token and one more try; `last`, that try.
 */
type Sending = 'stream' | 'retry-once' | 'last';

function send(forwarder: Forwarder, req: IncomingMessage, res: ServerResponse, token: AgentToken, sending: Sending): void {
  const base = forwarder.baseOf(token);
  // The path and query exactly as sent, below the base's path (a server root may have one).
  const path = base.pathname.replace(/\/$/, '') + req.url;
  const outgoing = forwarder.upstream.request(base, path, req.method ?? 'GET', upstreamHeaders(req, base, token));
  // The client went away before its answer was complete: so does the upstream request (a cancelled
  // download stops upstream too). Not after a complete answer: its kept-alive socket serves others.
  const abandon = () => {
    if (!res.writableFinished) outgoing.destroy();
  };
  res.once('close', abandon);
  outgoing.once('response', (answer) => {
    outgoing.setTimeout(0); // the answer may stream for as long as it needs (server-sent events)
    if (answer.statusCode === 401 && sending === 'retry-once') {
      answer.resume();
      res.off('close', abandon);
      forwarder.tokens.renew(token).then(
        (fresh) => send(forwarder, req, res, fresh, 'last'),
        (error: unknown) => {
          forwarder.failed?.(error);
          plain(res, 503, 'checkmarx-auth could not get a token; its error is in the job log.');
        },
      );
      return;
    }
    res.writeHead(answer.statusCode ?? 502, answer.statusMessage, responseHeaders(answer.rawHeaders, base, forwarder.origin, token));
    answer.pipe(res);
    answer.once('error', () => res.destroy());
    answer.once('aborted', () => res.destroy());
  });
  outgoing.once('error', (error) => {
    res.off('close', abandon);
    if (res.headersSent) return void res.destroy();
    forwarder.failed?.(error);
    req.resume();
    plain(res, 502, 'The Checkmarx API could not be reached; the error is in the job log.');
  });
  if (sending === 'stream') req.pipe(outgoing);
  else {
    req.resume();
    outgoing.end();
  }
}

/** A request without a body: neither a length above zero nor chunked. */
function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

function upstreamHeaders(req: IncomingMessage, target: URL, token: AgentToken): OutgoingHttpHeaders {
  const named = connectionNamed(req.headers.connection);
  const headers: OutgoingHttpHeaders = {};
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || lower === 'host' || lower === 'authorization' || named.has(lower)) continue;
    const value = raw[i + 1]!;
    const previous = headers[name];
    headers[name] = previous === undefined ? value : ([] as string[]).concat(previous as string | string[], value);
  }
  headers.Host = target.host;
  headers.Authorization = `Bearer ${token.accessToken}`;
  return headers;
}

/** The headers passed back: no hop-by-hop, a Location on the upstream rewritten, none that holds the real token. */
function responseHeaders(raw: readonly string[], base: URL, origin: string, token: AgentToken): string[] {
  const named = new Set<string>();
  for (let i = 0; i < raw.length; i += 2)
    if (raw[i]!.toLowerCase() === 'connection') connectionNamed(raw[i + 1]).forEach((n) => named.add(n));
  const headers: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    let value = raw[i + 1]!;
    if (HOP_BY_HOP.has(lower) || named.has(lower) || value.includes(token.accessToken)) continue;
    if (lower === 'location') value = rewriteLocation(value, base, origin);
    headers.push(name, value);
  }
  return headers;
}

/** A Location under the upstream's base becomes the same place on the facade; any other is left as it is. */
export function rewriteLocation(location: string, base: URL, origin: string): string {
  const prefix = base.href.replace(/\/$/, '');
  if (location === prefix || location.startsWith(`${prefix}/`) || location.startsWith(`${prefix}?`)) {
    return origin + (location.slice(prefix.length) || '/');
  }
  return location;
}

function connectionNamed(value: string | undefined): Set<string> {
  return new Set(
    (value ?? '')
      .split(',')
      .map((name) => name.trim().toLowerCase())
      .filter(Boolean),
  );
}

function plain(res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return void res.destroy();
  const text = JSON.stringify({ error: message });
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    ...headers,
  });
  res.end(text);
}
