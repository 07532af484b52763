// The token endpoint that `exec` serves its child on loopback: Keycloak's client_credentials token
// endpoint as Checkmarx's own tools call it (ast-cli, the Python SDK), answering with the fresh
// token that a token source gives, for one client and a one-time key. Everything else is refused:
// another Host (421: DNS rebinding), path (404), method (405), a body over 64 KiB (413), a wrong
// client or key (401). It logs nothing; what goes wrong upstream goes to the `failed` callback.

import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { HOSTINGS } from '../core/hostings.ts';
import type { AgentToken } from './protocol.ts';
import { builtin } from '../io/builtins.ts';
import { listenOnLoopback, LOOPBACK } from '../io/loopback.ts';
import { clientAuthenticated, MAX_BODY_BYTES, oauthError, parseForm, readForm, reply, type Json } from './token-form.ts';

export { MAX_BODY_BYTES };
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

/** Keycloak's token path for the tenant's realm, as the hosting table has it. */
export function tokenPath(tenant: string): string {
  return HOSTINGS.cxone.tokenPath(tenant);
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
  readForm(req, res, (body) => void answer(options, req, body).then(({ status, body }) => reply(res, status, body)));
}

function isTokenPath(target: string, tenant: string): boolean {
  return HOSTINGS.cxone.isTokenPath(target.split('?')[0] ?? '', tenant);
}

interface Answer {
  readonly status: number;
  readonly body: Json;
}

// Made when asked for, not at load: the bundle loads this file in runs that never serve a token.
const invalidClient = (): Answer => ({ status: 401, body: oauthError('invalid_client', 'Invalid client or Invalid client credentials') });

async function answer(options: TokenEndpointOptions, req: IncomingMessage, body: string): Promise<Answer> {
  const form = parseForm(req, body, ['grant_type', 'client_id', 'client_secret']);
  if (!(form instanceof URLSearchParams)) return form;
  if (!clientAuthenticated(options, req.headers.authorization, form)) return invalidClient();
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

/** What is left of the token's life, whole seconds, never more than it was issued for. */
function remainingSeconds(token: AgentToken, now: number): number {
  const left = Math.floor((Date.parse(token.expiresAt) - now) / 1000);
  return Number.isFinite(left) ? Math.max(0, Math.min(token.expiresIn, left)) : token.expiresIn;
}
