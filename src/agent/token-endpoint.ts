// The token endpoint that `exec` serves its child on loopback: Keycloak's client_credentials token
// endpoint as Checkmarx's own tools call it (ast-cli, the Python SDK), answering with the fresh
// token that a token source gives, for one client and a one-time key. Everything else is refused:
// another Host (421: DNS rebinding), path (404), method (405), a body over 64 KiB (413), a wrong
// client or key (401). It logs nothing; what goes wrong upstream goes to the `failed` callback.

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { keysMatch, type AgentToken } from './protocol.ts';
import { builtin } from '../io/builtins.ts';
import { listenOnLoopback, LOOPBACK } from '../io/loopback.ts';

export const MAX_BODY_BYTES = 64 * 1024;
/** The least validity a served token has (SPEC: at least 60 s). */
export const MIN_SERVED_VALIDITY_SECONDS = 60;
/** Receiving one request, headers and body, may take this long; answering is the source's business. */
const REQUEST_DEADLINE_MS = 30_000;

export interface TokenEndpointOptions {
  /** The realm in the path, compared without case: ast-cli lower-cases CX_TENANT. */
  readonly tenant: string;
  readonly clientId: string;
  /** The one-time key: random, at least 128 bits. */
  readonly clientSecret: string;
  /** A token that stays valid for at least the given seconds (the agent, or a cache). */
  readonly token: (minValiditySeconds: number) => Promise<AgentToken>;
  /** Seconds a served token must still be valid; at least MIN_SERVED_VALIDITY_SECONDS. */
  readonly minValiditySeconds?: number;
  /** Sees every token before it is served (to mask it). */
  readonly serving?: (token: AgentToken) => void;
  /** The token source failed; the child gets 503 temporarily_unavailable. */
  readonly failed?: (error: unknown) => void;
  /** Wall clock, for expires_in from the token's expiresAt. */
  readonly now?: () => number;
}

export interface TokenEndpoint {
  /** http://127.0.0.1:<port>: CX_BASE_AUTH_URI. */
  readonly url: string;
  readonly port: number;
  /** The full token URL for the tenant. */
  readonly tokenUrl: string;
  close(): Promise<void>;
}

export function tokenPath(tenant: string): string {
  return `/auth/realms/${tenant}/protocol/openid-connect/token`;
}

export async function startTokenEndpoint(options: TokenEndpointOptions): Promise<TokenEndpoint> {
  // Loaded here: only `exec` serves HTTP, and every other start of the CLI would pay for node:http.
  const { createServer } = builtin('node:http');
  let expectedHost = '';
  const server: Server = createServer({ requestTimeout: REQUEST_DEADLINE_MS, headersTimeout: REQUEST_DEADLINE_MS }, (req, res) =>
    handle(options, expectedHost, req, res),
  );
  const port = await listenOnLoopback(server);
  server.on('clientError', (_error, socket) => socket.destroy());
  expectedHost = `${LOOPBACK}:${port}`;
  const url = `http://${expectedHost}`;
  return {
    url,
    port,
    tokenUrl: `${url}${tokenPath(options.tenant)}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

type Json = Record<string, string | number>;

function reply(res: ServerResponse, status: number, body: Json, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    Pragma: 'no-cache',
    ...headers,
  });
  res.end(text);
}

const oauthError = (error: string, description: string): Json => ({ error, error_description: description });

function handle(options: TokenEndpointOptions, expectedHost: string, req: IncomingMessage, res: ServerResponse): void {
  // First, so that a page on another origin (DNS rebinding) learns nothing, not even the path.
  if (req.headers.host !== expectedHost) {
    req.resume();
    return reply(res, 421, oauthError('misdirected_request', `This endpoint answers only for ${expectedHost}.`));
  }
  if (!isTokenPath(req.url ?? '', options.tenant)) {
    req.resume();
    return reply(res, 404, oauthError('not_found', 'Only the realm token endpoint is served here.'));
  }
  if (req.method !== 'POST') {
    req.resume();
    return reply(res, 405, oauthError('invalid_request', 'The token endpoint takes POST only.'), { Allow: 'POST' });
  }
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) return tooLarge(req, res);
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) tooLarge(req, res);
    else chunks.push(chunk);
  });
  req.once('end', () => {
    if (size > MAX_BODY_BYTES) return;
    void answer(options, req, Buffer.concat(chunks).toString('utf8')).then(({ status, body }) => reply(res, status, body));
  });
  req.once('error', () => res.destroy());
}

function tooLarge(req: IncomingMessage, res: ServerResponse): void {
  if (res.headersSent) return;
  req.removeAllListeners('data');
  reply(res, 413, oauthError('invalid_request', `The request body is larger than ${MAX_BODY_BYTES} bytes.`), { Connection: 'close' });
  // Stop reading, but let the answer reach the client before the connection goes.
  res.once('finish', () => req.socket.destroy());
}

function isTokenPath(target: string, tenant: string): boolean {
  const path = target.split('?')[0] ?? '';
  const match = /^\/auth\/realms\/([^/]+)\/protocol\/openid-connect\/token$/.exec(path);
  if (!match) return false;
  let realm: string;
  try {
    realm = decodeURIComponent(match[1]!);
  } catch {
    return false;
  }
  return realm.toLowerCase() === tenant.toLowerCase();
}

interface Answer {
  readonly status: number;
  readonly body: Json;
}

const INVALID_CLIENT: Answer = { status: 401, body: oauthError('invalid_client', 'Invalid client or Invalid client credentials') };

async function answer(options: TokenEndpointOptions, req: IncomingMessage, body: string): Promise<Answer> {
  const type = (req.headers['content-type'] ?? 'application/x-www-form-urlencoded').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    return { status: 400, body: oauthError('invalid_request', 'The body must be application/x-www-form-urlencoded.') };
  }
  const form = new URLSearchParams(body);
  const repeated = ['grant_type', 'client_id', 'client_secret'].find((name) => form.getAll(name).length > 1);
  if (repeated) return { status: 400, body: oauthError('invalid_request', `duplicated parameter ${repeated}`) };
  if (!clientAuthenticated(options, req.headers.authorization, form)) return INVALID_CLIENT;
  const grantType = form.get('grant_type');
  if (!grantType) return { status: 400, body: oauthError('invalid_request', 'Missing form parameter: grant_type') };
  if (grantType !== 'client_credentials') {
    return { status: 400, body: oauthError('unsupported_grant_type', 'Only client_credentials is served here.') };
  }
  let token: AgentToken;
  try {
    token = await options.token(Math.max(MIN_SERVED_VALIDITY_SECONDS, options.minValiditySeconds ?? 0));
  } catch (error) {
    options.failed?.(error);
    return {
      status: 503,
      body: oauthError('temporarily_unavailable', 'checkmarx-auth could not get a token; its error is in the job log.'),
    };
  }
  options.serving?.(token);
  return {
    status: 200,
    body: {
      access_token: token.accessToken,
      expires_in: remainingSeconds(token, (options.now ?? Date.now)()),
      refresh_expires_in: 0,
      token_type: token.tokenType,
      'not-before-policy': 0,
      ...(token.scope ? { scope: token.scope } : {}),
    },
  };
}

/**
 * The client and key, as Keycloak's ClientIdAndSecretAuthenticator takes them: by HTTP Basic
 * (RFC 6749 2.3.1: each part form-encoded), by form fields, or both, where each part may come
 * either way (Basic plus a form `client_id` and no form secret authenticates with the Basic
 * secret). What is given twice must be right twice: a form `client_id` other than the Basic one
 * is refused. An Authorization header that is not Basic is refused. The key is compared in
 * constant time.
 */
function clientAuthenticated(options: TokenEndpointOptions, authorization: string | undefined, form: URLSearchParams): boolean {
  const basic = authorization === undefined ? undefined : parseBasic(authorization);
  if (authorization !== undefined && !basic) return false;
  const ids = given(basic?.id, form.get('client_id'));
  const secrets = given(basic?.secret, form.get('client_secret'));
  if (ids.length === 0 || secrets.length === 0) return false;
  // Every check runs, so that the time taken does not say which part was wrong.
  return [...ids.map((id) => id === options.clientId), ...secrets.map((secret) => keysMatch(secret, options.clientSecret))].reduce(
    (all, ok) => all && ok,
    true,
  );
}

/** The values given, by Basic and by form, in that order. */
function given(...values: Array<string | null | undefined>): string[] {
  return values.filter((value): value is string => typeof value === 'string');
}

function parseBasic(header: string): { id: string; secret: string } | undefined {
  const match = /^basic\s+([A-Za-z0-9+/=._~-]+)\s*$/i.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  try {
    const decode = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '));
    return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}

/** What is left of the token's life, whole seconds, never more than it was issued for. */
function remainingSeconds(token: AgentToken, now: number): number {
  const left = Math.floor((Date.parse(token.expiresAt) - now) / 1000);
  return Number.isFinite(left) ? Math.max(0, Math.min(token.expiresIn, left)) : token.expiresIn;
}
