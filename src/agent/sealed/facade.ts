// The sealed facade: the product as one loopback origin, http://127.0.0.1:<port>. Its own token
// endpoint answers the job credential with phantoms (token-endpoint.ts); the product's API paths
// go to the real API with the phantom swapped for a real token (forwarder.ts); anything else is
// 404. Guards come first and reach nothing: a Host other than 127.0.0.1:<port> or
// localhost:<port> is 421 (DNS rebinding), headers over 16 KiB 431, a token body over 64 KiB 413.
// It logs nothing: what goes wrong goes to the `failed` callback, never a body, token or key.

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { decodeJwtClaims } from '../../core/jwt.ts';
import { apiPathOf, hasDotSegment, hostingOf, type FacadeFacts, type HostingRow, type TokenAnswer } from '../../core/hostings.ts';
import type { ProductName } from '../../core/products.ts';
import { builtin } from '../../io/builtins.ts';
import { openUpstream, type UpstreamSettings } from '../../io/upstream.ts';
import type { AgentToken } from '../protocol.ts';
import { oauthError, reply } from '../token-form.ts';
import { forward, MIN_UPSTREAM_VALIDITY_SECONDS, type Forwarder } from './forwarder.ts';
import { newJobCredential, type JobCredential } from './job-credential.ts';
import { PhantomSigner } from './phantom.ts';
import type { RealTokens } from './real-tokens.ts';
import { serveTokenRequest, type SealedTokenEndpoint } from './token-endpoint.ts';

export const MAX_HEADER_BYTES = 16 * 1024;
const LOOPBACK = '127.0.0.1';
/** Receiving a request's headers may take this long; bodies and answers stream for as long as they need. */
const HEADERS_DEADLINE_MS = 30_000;

export interface FacadeOptions {
  readonly product: ProductName;
  /** The agent's or exec's real tokens. */
  readonly tokens: RealTokens;
  /** TLS, CA, proxy and timeout as the exchange has them. */
  readonly upstream: UpstreamSettings;
  /** The tenant (Checkmarx One realm, SCA tenant) as the real token names it. */
  readonly tenant?: string;
  /** Only GET, HEAD and OPTIONS are forwarded. */
  readonly readOnly?: boolean;
  /** Sees every phantom before it is handed out (to mask it). */
  readonly serving?: (phantom: string) => void;
  /** Something failed (no real token, the API unreachable); the job's tool gets 502 or 503. */
  readonly failed?: (error: unknown) => void;
  /** Wall clock, for phantoms' iat, exp and expires_in. */
  readonly now?: () => number;
}

export interface Facade {
  /** http://127.0.0.1:<port>: CX_BASE_URI, CX_BASE_AUTH_URI, CX_SEALED_SERVER_URL. */
  readonly url: string;
  readonly port: number;
  /** The facade's api-url (e.g. http://127.0.0.1:<port>/api). */
  readonly apiUrl: string;
  readonly tokenUrl: string;
  /** The job client (Checkmarx One) or user and its key. */
  readonly credential: JobCredential;
  /** A phantom that stands for a real token valid at least the given seconds: what `token` prints, sealed. */
  phantom(minValiditySeconds: number): Promise<AgentToken>;
  /** Stops listening, ends every connection; afterwards connections are refused. */
  close(): Promise<void>;
}

export async function startFacade(options: FacadeOptions): Promise<Facade> {
  const { createServer } = builtin('node:http');
  const row = hostingOf(options.product);
  let route: (req: IncomingMessage, res: ServerResponse) => void = () => {};
  const server: Server = createServer(
    { maxHeaderSize: MAX_HEADER_BYTES, headersTimeout: HEADERS_DEADLINE_MS, requestTimeout: 0, keepAliveTimeout: 30_000 },
    (req, res) => route(req, res),
  );
  server.on('clientError', refuseBadRequest);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const origin = `http://${LOOPBACK}:${port}`;
  const rooms = buildRooms(options, row, origin);
  const hosts = new Set([`${LOOPBACK}:${port}`, `localhost:${port}`]);
  route = (req, res) => routeRequest({ row, tenant: options.tenant, hosts, ...rooms }, req, res);
  const upstreamClose = rooms.close;
  return {
    url: origin,
    port,
    apiUrl: origin + apiPathOf(options.product),
    tokenUrl: origin + row.tokenPath(options.tenant),
    credential: rooms.endpoint.credential,
    phantom: (seconds) => rooms.phantom(seconds),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        upstreamClose();
      }),
  };
}

interface Rooms {
  readonly endpoint: SealedTokenEndpoint;
  readonly forwarder: Forwarder;
  readonly phantom: (minValiditySeconds: number) => Promise<AgentToken>;
  readonly close: () => void;
}

/**
 * When the real token expires, in seconds: the earlier of its own `exp` claim (a JWT's, set by the
 * IAM when it issued the token) and `expiresAt` (counted from when the answer arrived, which is
 * later by the time the answer took), so that a phantom never outlives the token it stands for.
 */
function realExpiry(real: AgentToken): number {
  const counted = Math.floor(Date.parse(real.expiresAt) / 1000);
  const claimed = decodeJwtClaims(real.accessToken)?.exp;
  return typeof claimed === 'number' && Number.isFinite(claimed) ? Math.min(counted, Math.floor(claimed)) : counted;
}

function buildRooms(options: FacadeOptions, row: HostingRow, origin: string): Rooms {
  const now = options.now ?? Date.now;
  const signer = new PhantomSigner();
  const credential = newJobCredential();
  const facts: FacadeFacts = { origin, jobName: credential.name, ...(options.tenant ? { tenant: options.tenant } : {}) };
  const claims = row.phantomClaims(facts);
  const apiUrl = origin + apiPathOf(options.product);

  /** A phantom for a real token valid at least `seconds`, expiring no later than it. */
  const issue = async (seconds: number): Promise<{ answer: TokenAnswer; real: AgentToken; exp: number }> => {
    const real = await options.tokens.token(seconds);
    const nowSeconds = Math.floor(now() / 1000);
    const exp = realExpiry(real);
    const phantom = signer.sign(claims, nowSeconds, exp);
    options.serving?.(phantom);
    const answer = { accessToken: phantom, expiresIn: Math.max(0, exp - nowSeconds), ...(real.scope ? { scope: real.scope } : {}) };
    return { answer, real, exp };
  };

  const upstream = openUpstream(options.upstream);
  const bases = new Map<string, URL>();
  return {
    endpoint: {
      row,
      credential,
      issue: async () => (await issue(MIN_UPSTREAM_VALIDITY_SECONDS)).answer,
      ...(options.tenant ? { tenant: options.tenant } : {}),
      ...(options.failed ? { failed: options.failed } : {}),
    },
    forwarder: {
      upstream,
      tokens: options.tokens,
      origin,
      readOnly: options.readOnly ?? false,
      isPhantom: (authorization) => {
        const match = /^bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
        return match !== null && signer.verify(match[1]!, Math.floor(now() / 1000)) !== undefined;
      },
      baseOf: (token) => {
        let base = bases.get(token.apiUrl);
        if (!base) bases.set(token.apiUrl, (base = new URL(row.upstreamBase(token.apiUrl, apiPathOf(options.product)))));
        return base;
      },
      ...(options.failed ? { failed: options.failed } : {}),
    },
    phantom: async (seconds) => {
      const { answer, real, exp } = await issue(Math.max(seconds, MIN_UPSTREAM_VALIDITY_SECONDS));
      return {
        ...real,
        accessToken: answer.accessToken,
        expiresIn: answer.expiresIn,
        expiresAt: new Date(exp * 1000).toISOString(),
        apiUrl,
      };
    },
    close: () => upstream.close(),
  };
}

interface Routing extends Pick<Rooms, 'endpoint' | 'forwarder'> {
  readonly row: HostingRow;
  readonly tenant: string | undefined;
  readonly hosts: ReadonlySet<string>;
}

function routeRequest(routing: Routing, req: IncomingMessage, res: ServerResponse): void {
  // First, so that a page on another origin (DNS rebinding) learns nothing, not even the path.
  if (!routing.hosts.has(req.headers.host ?? '')) {
    req.resume();
    return reply(res, 421, oauthError('misdirected_request', 'This facade answers only for its loopback address.'), {
      Connection: 'close',
    });
  }
  const target = req.url ?? '';
  const query = target.indexOf('?');
  const path = query === -1 ? target : target.slice(0, query);
  if (!path.startsWith('/') || hasDotSegment(path)) return notFound(req, res);
  if (routing.row.isTokenPath(path, routing.tenant)) return serveTokenRequest(routing.endpoint, req, res);
  if (routing.row.forwards(path)) return forward(routing.forwarder, req, res);
  notFound(req, res);
}

function notFound(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  reply(res, 404, oauthError('not_found', 'Not a path of this product.'));
}

/** Headers over the limit get 431 as RFC 6585 says; anything else malformed, 400. The connection then ends. */
function refuseBadRequest(error: NodeJS.ErrnoException, socket: Socket): void {
  if (socket.writable) {
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`, () => socket.destroy());
  } else socket.destroy();
}
