// A Checkmarx-compatible OAuth token server on 127.0.0.1: IdentityServer 4 as CxSAST / Access
// Control and SCA run it, and Keycloak as Checkmarx One runs it. Error bodies and status codes
// copy what the real servers send, so the client's error messages and hints can be tested.

import { randomBytes, randomUUID } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeJwt, makeJwt, nowSeconds } from './jwt.ts';
import type { Claims } from './jwt.ts';

export const SAST_CLIENT_SECRET = '014DF517-39D1-4453-B7B3-9930C563627C';
/** The client of CxSAST's CLI and the secret it sends (checkmarx-ltd/Cx-Client-Common, ClientType.CLI). */
export const SAST_CLI_CLIENT = { id: 'cli_client', secret: 'B9D84EA8-E476-4E83-A628-8A342D74D3BD' } as const;
/** A CxSAST token as `runCxConsole GenerateToken` makes it: an opaque IdentityServer refresh token handle. */
export const DEFAULT_SAST_TOKEN = '5C1F0E9A7B3D4E2F8A6B9C0D1E2F3A4B5C6D7E8F9A0B1C2D3E4F5A6B7C8D9E0F';
/** An Access Control OIDC client allowed only the client_credentials grant (Access Control 1.5+). */
export const DEFAULT_OIDC_CLIENT = {
  clientId: 'ci-service',
  clientSecret: 'Svc s3cret+/=&',
  scopes: ['sast_rest_api', 'access_control_api', 'sast_api'],
} as const;
export const DEFAULT_SAST_USER = { username: 'cxadmin', password: 'Sast p@ss&word=1' } as const;
export const DEFAULT_SCA = { tenant: 'acme', username: 'sca-user', password: 'Sca p@ss+word' } as const;
export const DEFAULT_REALM = {
  name: 'acme',
  clientId: 'ci-client',
  clientSecret: 'Cl!ent s3cret%',
  astBaseUrl: 'https://ast.checkmarx.net',
} as const;

export const IDENTITY_TOKEN_PATH = '/cxrestapi/auth/identity/connect/token';
export const SCA_TOKEN_PATH = '/identity/connect/token';
export function keycloakTokenPath(realm: string): string {
  return `/auth/realms/${realm}/protocol/openid-connect/token`;
}

export interface IdentityClient {
  /** undefined: a public client, any secret sent is ignored (IdentityServer 4 behaviour) */
  secret: string | undefined;
  scopes: string[];
  /** the grant types the client is allowed; any other known one is unauthorized_client */
  grants: string[];
}

/** What an IdentityServer refresh token handle stands for. */
export interface IdentityRefreshToken {
  clientId: string;
  username: string;
  scopes: string[];
}

export interface ScaTenant {
  users: Record<string, string>;
  /** set to make the tenant unknown on the other region's host */
  region?: 'us' | 'eu';
}

export interface Realm {
  /** confidential clients for client_credentials: id -> secret */
  clients: Record<string, string>;
  /** omitted: the access token has no ast-base-url claim */
  astBaseUrl?: string;
  /** set to make the realm exist only on these Host names (e.g. ['eu.iam.checkmarx.net']) */
  iamHosts?: string[];
}

export interface TokenServerConfig {
  /** CxSAST / Access Control users: username -> password */
  sastUsers: Record<string, string>;
  sastClients: Record<string, IdentityClient>;
  /** refresh token handles the CxSAST server knows (GenerateToken's tokens, and those it issued) */
  sastRefreshTokens: Record<string, IdentityRefreshToken>;
  scaTenants: Record<string, ScaTenant>;
  scaClients: Record<string, IdentityClient>;
  /** Host names the SCA endpoint answers on; others get 404 */
  scaHosts: string[];
  realms: Record<string, Realm>;
  identityTokenFormat: 'jwt' | 'opaque';
  identityExpiresIn: number;
  keycloakExpiresIn: number;
  /** wait this long before every routed (not scripted) answer */
  responseDelayMs: number;
  /** a barrier: routed answers wait until it resolves (the test releases it), or the server closes */
  responseGate?: Promise<void> | undefined;
  /**
   * API keys this IAM signed. When set, Keycloak's refresh_token grant takes only these and the
   * refresh tokens it issued, as the real one checks a refresh token's signature with the realm's
   * key; unset, any JWT of the realm passes (the client never verifies signatures, so most tests
   * need no more). The thief test sets it, so that a forged JWT of the realm is refused.
   */
  signedApiKeys?: readonly string[] | undefined;
}

export interface TokenServerOptions extends Partial<TokenServerConfig> {
  tls?: { key: string; cert: string };
}

export interface RecordedRequest {
  method: string;
  /** Host header without port, lower case */
  host: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  form: Record<string, string>;
  rawBody: string;
}

export interface ScriptedResponse {
  status?: number;
  headers?: Record<string, string>;
  /** an object is sent as JSON */
  body?: string | object;
  /** wait this long before answering (or before destroying) */
  delayMs?: number;
  /** close the socket without answering */
  destroy?: boolean;
  /** send headers at once, then the body in `count` pieces, one every `intervalMs` */
  chunks?: { count: number; intervalMs: number };
}

export interface TokenServer {
  url: string;
  port: number;
  handler: http.RequestListener;
  /** mutable: tests may change users, clients, realms between requests */
  config: TokenServerConfig;
  requests: RecordedRequest[];
  revocations: RecordedRequest[];
  issuedAccessTokens: string[];
  issuedRefreshTokens: string[];
  revokedKeyIds: Set<string>;
  enqueue(response: ScriptedResponse): void;
  /** forget recorded requests, revocations, issued tokens and queued responses */
  reset(): void;
  close(): Promise<void>;
}

interface Reply {
  status: number;
  body: string | object;
  headers?: Record<string, string>;
}

interface State extends Pick<
  TokenServer,
  'config' | 'requests' | 'revocations' | 'issuedAccessTokens' | 'issuedRefreshTokens' | 'revokedKeyIds'
> {
  queue: ScriptedResponse[];
  closing: AbortController;
}

export function defaultTokenServerConfig(): TokenServerConfig {
  return {
    sastUsers: { [DEFAULT_SAST_USER.username]: DEFAULT_SAST_USER.password },
    sastClients: {
      resource_owner_client: {
        secret: SAST_CLIENT_SECRET,
        scopes: ['sast_rest_api', 'access_control_api', 'offline_access'],
        grants: ['password'],
      },
      resource_owner_sast_client: { secret: SAST_CLIENT_SECRET, scopes: ['access_control_api', 'sast_api'], grants: ['password'] },
      [SAST_CLI_CLIENT.id]: {
        secret: SAST_CLI_CLIENT.secret,
        scopes: ['sast_rest_api', 'offline_access'],
        grants: ['password', 'refresh_token'],
      },
      [DEFAULT_OIDC_CLIENT.clientId]: {
        secret: DEFAULT_OIDC_CLIENT.clientSecret,
        scopes: [...DEFAULT_OIDC_CLIENT.scopes],
        grants: ['client_credentials'],
      },
    },
    sastRefreshTokens: {
      [DEFAULT_SAST_TOKEN]: {
        clientId: SAST_CLI_CLIENT.id,
        username: DEFAULT_SAST_USER.username,
        scopes: ['sast_rest_api', 'offline_access'],
      },
    },
    scaTenants: { [DEFAULT_SCA.tenant]: { users: { [DEFAULT_SCA.username]: DEFAULT_SCA.password } } },
    scaClients: { sca_resource_owner: { secret: undefined, scopes: ['sca_api'], grants: ['password'] } },
    scaHosts: ['platform.checkmarx.net', 'eu.platform.checkmarx.net', '127.0.0.1', 'localhost'],
    realms: {
      [DEFAULT_REALM.name]: {
        clients: { [DEFAULT_REALM.clientId]: DEFAULT_REALM.clientSecret },
        astBaseUrl: DEFAULT_REALM.astBaseUrl,
      },
    },
    identityTokenFormat: 'jwt',
    identityExpiresIn: 3600,
    keycloakExpiresIn: 1800,
    responseDelayMs: 0,
  };
}

export async function startTokenServer(options: TokenServerOptions = {}): Promise<TokenServer> {
  const { tls, ...overrides } = options;
  const state: State = {
    config: { ...defaultTokenServerConfig(), ...overrides },
    requests: [],
    revocations: [],
    issuedAccessTokens: [],
    issuedRefreshTokens: [],
    revokedKeyIds: new Set(),
    queue: [],
    closing: new AbortController(),
  };
  const handler: http.RequestListener = (req, res) => void handle(state, req, res);
  const server = tls ? https.createServer({ key: tls.key, cert: tls.cert }, handler) : http.createServer(handler);
  const port = await listenOnLoopback(server);
  // The state object itself is returned, so tests may also reassign config or revokedKeyIds.
  return Object.assign(state, {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    handler,
    enqueue: (response: ScriptedResponse) => void state.queue.push(response),
    reset: () => resetState(state),
    close: () => closeServer(server, state),
  });
}

function resetState(state: State): void {
  // Truncate in place: tests hold references to these arrays.
  state.requests.length = 0;
  state.revocations.length = 0;
  state.issuedAccessTokens.length = 0;
  state.issuedRefreshTokens.length = 0;
  state.queue.length = 0;
}

export async function listenOnLoopback(server: net.Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/** A loopback port that nothing listens on (just now). */
export async function freePort(): Promise<number> {
  const probe = net.createServer();
  const port = await listenOnLoopback(probe);
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function closeServer(server: http.Server | https.Server, state: State): Promise<void> {
  state.closing.abort();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections();
  await closed;
}

async function handle(state: State, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  try {
    const request = recordRequest(req, await readBody(req));
    state.requests.push(request);
    const scripted = state.queue.shift();
    if (scripted) await serveScripted(state, req, res, scripted);
    else if (!state.config.responseDelayMs || (await pause(state, state.config.responseDelayMs))) {
      if (state.config.responseGate && !(await passGate(state, state.config.responseGate))) return;
      send(res, route(state, request, originOf(req)));
    }
  } catch (error) {
    if (!res.headersSent) send(res, { status: 500, body: `token server failed: ${String(error)}` });
    else res.destroy();
  }
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function recordRequest(req: http.IncomingMessage, rawBody: string): RecordedRequest {
  return {
    method: req.method ?? '',
    host: hostWithoutPort(req.headers.host ?? ''),
    path: req.url ?? '',
    headers: req.headers,
    form: isForm(req.headers) ? Object.fromEntries(new URLSearchParams(rawBody)) : {},
    rawBody,
  };
}

export function hostWithoutPort(host: string): string {
  const lower = host.toLowerCase();
  if (lower.startsWith('[')) return lower.slice(1, lower.indexOf(']'));
  return lower.split(':')[0] ?? '';
}

function isForm(headers: http.IncomingHttpHeaders): boolean {
  const mediaType = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  return mediaType === 'application/x-www-form-urlencoded';
}

function originOf(req: http.IncomingMessage): string {
  const scheme = (req.socket as TLSSocket).encrypted ? 'https' : 'http';
  try {
    return new URL(`${scheme}://${req.headers.host ?? 'localhost'}`).origin; // drops :443 / :80
  } catch {
    return `${scheme}://localhost`;
  }
}

function route(state: State, request: RecordedRequest, origin: string): Reply {
  const path = request.path.split('?')[0] ?? '';
  if (path === IDENTITY_TOKEN_PATH) return identityToken(state, request, sastIdentity(state, origin));
  if (path === SCA_TOKEN_PATH) return scaToken(state, request, origin);
  const keycloak = /^\/auth\/realms\/([^/]+)\/protocol\/openid-connect\/token$/.exec(path);
  if (keycloak) return keycloakToken(state, request, decodeURIComponent(keycloak[1] ?? ''), origin);
  if (/\/(logout|revoke|revocation)$/.test(path)) return recordRevocation(state, request);
  return { status: 404, body: 'Not Found' };
}

// ---- IdentityServer 4 (CxSAST, Access Control, SCA) ----

interface IdentityRealm {
  clients: Record<string, IdentityClient>;
  /** undefined: this server issues no refresh tokens it would accept back (SCA here) */
  refreshTokens?: Record<string, IdentityRefreshToken>;
  /** the password for a user, or undefined when unknown */
  passwordOf(request: RecordedRequest, username: string): string | undefined;
  issuer: string;
}

function sastIdentity(state: State, origin: string): IdentityRealm {
  return {
    clients: state.config.sastClients,
    refreshTokens: state.config.sastRefreshTokens,
    passwordOf: (_request, username) => state.config.sastUsers[username],
    issuer: `${origin}/cxrestapi/auth/identity`,
  };
}

function scaToken(state: State, request: RecordedRequest, origin: string): Reply {
  if (!state.config.scaHosts.includes(request.host)) return { status: 404, body: 'Not Found' };
  return identityToken(state, request, {
    clients: state.config.scaClients,
    passwordOf: (req, username) => scaTenantOf(state, req)?.users[username],
    issuer: `${origin}/identity`,
  });
}

function scaTenantOf(state: State, request: RecordedRequest): ScaTenant | undefined {
  const name = /(?:^|\s)Tenant:(\S+)/.exec(request.form['acr_values'] ?? '')?.[1];
  const tenant = name === undefined ? undefined : state.config.scaTenants[name];
  const hostRegion = { 'platform.checkmarx.net': 'us', 'eu.platform.checkmarx.net': 'eu' }[request.host];
  if (tenant?.region && hostRegion && tenant.region !== hostRegion) return undefined;
  return tenant;
}

const IDENTITY_GRANTS = ['password', 'refresh_token', 'client_credentials'];

// Checks in IdentityServer 4's order: request shape, client, grant type (known, then allowed for
// the client), then what the grant needs: scope and user, the refresh token, or scope.
function identityToken(state: State, request: RecordedRequest, realm: IdentityRealm): Reply {
  if (request.method !== 'POST' || !isForm(request.headers)) return oauthError(400, 'invalid_request');
  const credentials = clientCredentials(request);
  const clientId = credentials.id ?? '';
  const client = Object.hasOwn(realm.clients, clientId) ? realm.clients[clientId] : undefined;
  if (!client || (client.secret !== undefined && credentials.secret !== client.secret)) {
    return oauthError(400, 'invalid_client');
  }
  const grantType = request.form['grant_type'];
  if (!grantType) return oauthError(400, 'invalid_request');
  const known = IDENTITY_GRANTS.includes(grantType) && (grantType !== 'refresh_token' || realm.refreshTokens);
  if (!known) return oauthError(400, 'unsupported_grant_type');
  if (!client.grants.includes(grantType)) return oauthError(400, 'unauthorized_client');
  if (grantType === 'refresh_token') return identityRefresh(state, request, realm, clientId);
  const scopes = grantedScopes(request.form['scope'], client);
  if (!scopes) return oauthError(400, 'invalid_scope');
  if (grantType === 'client_credentials') return identitySuccess(state, realm, { issuer: realm.issuer, clientId, scopes });
  const username = request.form['username'] ?? '';
  const password = realm.passwordOf(request, username);
  if (!username || password === undefined || password !== request.form['password']) {
    return oauthError(400, 'invalid_grant', 'invalid_username_or_password');
  }
  return identitySuccess(state, realm, { issuer: realm.issuer, clientId, username, scopes });
}

/** A refresh token handle is valid only for the client it was issued to (IdentityServer 4). */
function identityRefresh(state: State, request: RecordedRequest, realm: IdentityRealm, clientId: string): Reply {
  const handle = request.form['refresh_token'];
  if (!handle) return oauthError(400, 'invalid_request');
  const known = Object.hasOwn(realm.refreshTokens!, handle) ? realm.refreshTokens![handle] : undefined;
  if (!known || known.clientId !== clientId) return oauthError(400, 'invalid_grant');
  // CxSAST's cli_client reuses its refresh token: the same handle comes back.
  return identitySuccess(state, realm, { issuer: realm.issuer, clientId, username: known.username, scopes: known.scopes }, handle);
}

function grantedScopes(requested: string | undefined, client: IdentityClient): string[] | undefined {
  const scopes = (requested ?? '').split(' ').filter(Boolean);
  if (scopes.length === 0) return client.scopes;
  return scopes.every((scope) => client.scopes.includes(scope)) ? scopes : undefined;
}

interface IdentityGrant {
  issuer: string;
  clientId: string;
  /** absent for client_credentials: no user */
  username?: string;
  scopes: string[];
}

function identitySuccess(state: State, realm: IdentityRealm, grant: IdentityGrant, reusedRefreshToken?: string): Reply {
  const expiresIn = state.config.identityExpiresIn;
  const accessToken = state.config.identityTokenFormat === 'opaque' ? opaqueToken() : identityJwt(grant, expiresIn);
  state.issuedAccessTokens.push(accessToken);
  const body: Record<string, unknown> = {
    access_token: accessToken,
    expires_in: expiresIn,
    token_type: 'Bearer',
    scope: grant.scopes.join(' '),
  };
  if (grant.scopes.includes('offline_access') && grant.username !== undefined) {
    const refreshToken = reusedRefreshToken ?? opaqueToken();
    body['refresh_token'] = refreshToken;
    state.issuedRefreshTokens.push(refreshToken);
    if (realm.refreshTokens)
      realm.refreshTokens[refreshToken] = { clientId: grant.clientId, username: grant.username, scopes: grant.scopes };
  }
  return { status: 200, body };
}

function identityJwt(grant: IdentityGrant, expiresIn: number): string {
  const now = nowSeconds();
  const user = grant.username === undefined ? {} : { sub: randomUUID(), auth_time: now, idp: 'local', name: grant.username, amr: ['pwd'] };
  return makeJwt({
    nbf: now,
    exp: now + expiresIn,
    iss: grant.issuer,
    aud: [`${grant.issuer}/resources`, ...grant.scopes],
    client_id: grant.clientId,
    ...user,
    scope: grant.scopes,
  });
}

function opaqueToken(): string {
  return randomBytes(32).toString('hex').toUpperCase();
}

/** client_id / client_secret from the form, or from HTTP Basic (RFC 6749 2.3.1) */
function clientCredentials(request: RecordedRequest): { id: string | undefined; secret: string | undefined } {
  const basic = /^Basic\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  if (!basic) return { id: request.form['client_id'], secret: request.form['client_secret'] };
  const decoded = Buffer.from(basic[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const formDecode = (value: string) => decodeURIComponent(value.replace(/\+/g, ' '));
  return { id: formDecode(decoded.slice(0, colon)), secret: formDecode(decoded.slice(colon + 1)) };
}

// ---- Keycloak (Checkmarx One) ----

function keycloakToken(state: State, request: RecordedRequest, realmName: string, origin: string): Reply {
  const realm = state.config.realms[realmName];
  if (!realm || (realm.iamHosts && !realm.iamHosts.includes(request.host))) {
    return { status: 404, body: { error: 'Realm does not exist' } };
  }
  if (request.method !== 'POST') return { status: 405, body: '', headers: { allow: 'POST, OPTIONS' } };
  if (!isForm(request.headers)) return { status: 415, body: '' };
  const grant = { state, request, realm, realmName, realmUrl: `${origin}/auth/realms/${realmName}` };
  switch (request.form['grant_type']) {
    case undefined:
    case '':
      return oauthError(400, 'invalid_request', 'Missing form parameter: grant_type');
    case 'refresh_token':
      return refreshTokenGrant(grant);
    case 'client_credentials':
      return clientCredentialsGrant(grant);
    default:
      return oauthError(400, 'unsupported_grant_type', 'Unsupported grant_type');
  }
}

interface KeycloakGrant {
  state: State;
  request: RecordedRequest;
  realm: Realm;
  realmName: string;
  realmUrl: string;
}

function refreshTokenGrant(grant: KeycloakGrant): Reply {
  const clientId = clientCredentials(grant.request).id;
  if (!clientId) return oauthError(401, 'invalid_client', 'Parameter client_id not provided');
  const refreshToken = grant.request.form['refresh_token'];
  if (!refreshToken) return oauthError(400, 'invalid_request', 'Missing form parameter: refresh_token');
  const claims = decodeJwt(refreshToken);
  if (!claims || !isSigned(grant.state, refreshToken) || !isUsableKey(grant, claims)) {
    return oauthError(400, 'invalid_grant', 'Invalid refresh token');
  }
  if (claims['azp'] !== undefined && claims['azp'] !== clientId) {
    return oauthError(400, 'invalid_grant', "Token client and authorized client don't match");
  }
  return keycloakSuccess(grant, clientId, { withRefreshToken: true, sub: claims['sub'] });
}

/** The realm's signature check, where the test asks for it (`signedApiKeys`). */
function isSigned(state: State, refreshToken: string): boolean {
  const signed = state.config.signedApiKeys;
  return signed === undefined || signed.includes(refreshToken) || state.issuedRefreshTokens.includes(refreshToken);
}

function isUsableKey(grant: KeycloakGrant, claims: Claims): boolean {
  const jti = claims['jti'];
  if (typeof jti === 'string' && grant.state.revokedKeyIds.has(jti)) return false;
  // Keycloak's JsonWebToken.isExpired: exp 0 (or none) never expires.
  if (typeof claims['exp'] === 'number' && claims['exp'] !== 0 && claims['exp'] < nowSeconds()) return false;
  return realmNameOf(claims) === grant.realmName;
}

/** Same rule as the client: aud (string, or the entry naming a realm), else iss; last segment. */
export function realmNameOf(claims: Claims): string | undefined {
  const aud = claims['aud'];
  const candidates: unknown[] = Array.isArray(aud) ? aud : [aud];
  const fromAud = candidates.find((value) => typeof value === 'string' && value.includes('/auth/realms/'));
  const realmUrl = typeof fromAud === 'string' ? fromAud : claims['iss'];
  if (typeof realmUrl !== 'string' || !realmUrl.includes('/auth/realms/')) return undefined;
  return realmUrl.replace(/\/+$/, '').split('/').pop();
}

function clientCredentialsGrant(grant: KeycloakGrant): Reply {
  const { id, secret } = clientCredentials(grant.request);
  const expected = id === undefined ? undefined : grant.realm.clients[id];
  if (id === undefined || expected === undefined || expected !== secret) {
    return oauthError(401, 'unauthorized_client', 'Invalid client or Invalid client credentials');
  }
  return keycloakSuccess(grant, id, { withRefreshToken: false, sub: randomUUID() });
}

function keycloakSuccess(grant: KeycloakGrant, clientId: string, opts: { withRefreshToken: boolean; sub: unknown }): Reply {
  const { state, realm, realmName, realmUrl } = grant;
  const now = nowSeconds();
  const sessionState = randomUUID();
  const expiresIn = state.config.keycloakExpiresIn;
  const accessToken = makeJwt({
    exp: now + expiresIn,
    iat: now,
    jti: randomUUID(),
    iss: realmUrl,
    aud: 'account',
    sub: opts.sub ?? randomUUID(),
    typ: 'Bearer',
    azp: clientId,
    session_state: sessionState,
    scope: 'openid ast-api roles',
    tenant_id: randomUUID(),
    tenant_name: realmName,
    ...(realm.astBaseUrl === undefined ? {} : { 'ast-base-url': realm.astBaseUrl }),
  });
  state.issuedAccessTokens.push(accessToken);
  const body: Record<string, unknown> = {
    access_token: accessToken,
    expires_in: expiresIn,
    refresh_expires_in: 0,
    token_type: 'Bearer',
    'not-before-policy': 0,
    session_state: sessionState,
    scope: 'openid ast-api roles',
  };
  if (opts.withRefreshToken) {
    const refreshToken = makeJwt({
      typ: 'Offline',
      iss: realmUrl,
      aud: realmUrl,
      azp: clientId,
      sub: opts.sub,
      jti: randomUUID(),
      iat: now,
      sid: sessionState,
    });
    state.issuedRefreshTokens.push(refreshToken);
    body['refresh_token'] = refreshToken;
  }
  return { status: 200, body };
}

// ---- revocation / logout: recorded so tests can prove the client never revokes the key ----

function recordRevocation(state: State, request: RecordedRequest): Reply {
  state.revocations.push(request);
  for (const token of [request.form['token'], request.form['refresh_token']]) {
    const jti = token === undefined ? undefined : decodeJwt(token)?.['jti'];
    if (typeof jti === 'string') state.revokedKeyIds.add(jti);
  }
  return { status: request.path.includes('/logout') ? 204 : 200, body: '' };
}

// ---- responses ----

function oauthError(status: number, error: string, description?: string): Reply {
  return { status, body: description === undefined ? { error } : { error, error_description: description } };
}

function encode(body: string | object | undefined, headers: Record<string, string> = {}) {
  const lowered = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const isJson = typeof body === 'object';
  const text = body === undefined ? '' : isJson ? JSON.stringify(body) : body;
  const bytes = Buffer.from(text, 'utf8');
  const defaults: Record<string, string> = {
    'content-type': isJson ? 'application/json; charset=utf-8' : 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
    pragma: 'no-cache',
  };
  if (!lowered['transfer-encoding']) defaults['content-length'] = String(bytes.length);
  return { bytes, headers: { ...defaults, ...lowered } };
}

function send(res: http.ServerResponse, reply: Reply): void {
  const { bytes, headers } = encode(reply.body, reply.headers);
  res.writeHead(reply.status, headers).end(bytes);
}

async function serveScripted(state: State, req: http.IncomingMessage, res: http.ServerResponse, scripted: ScriptedResponse): Promise<void> {
  if (scripted.delayMs && !(await pause(state, scripted.delayMs))) return;
  if (scripted.destroy) {
    req.socket.destroy();
    return;
  }
  const { bytes, headers } = encode(scripted.body, scripted.headers);
  res.writeHead(scripted.status ?? 200, headers);
  if (!scripted.chunks) {
    res.end(bytes);
    return;
  }
  res.flushHeaders();
  for (const piece of splitInto(bytes, scripted.chunks.count)) {
    if (!(await pause(state, scripted.chunks.intervalMs)) || res.destroyed) return;
    res.write(piece);
  }
  res.end();
}

/** false when the server closed meanwhile */
function passGate(state: State, gate: Promise<void>): Promise<boolean> {
  const closed = new Promise<boolean>((resolve) => state.closing.signal.addEventListener('abort', () => resolve(false), { once: true }));
  return Promise.race([gate.then(() => true), closed]);
}

/** false when the server closed meanwhile */
async function pause(state: State, ms: number): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal: state.closing.signal });
    return true;
  } catch {
    return false;
  }
}

function splitInto(bytes: Buffer, count: number): Buffer[] {
  const size = Math.max(1, Math.ceil(bytes.length / Math.max(1, count)));
  const pieces: Buffer[] = [];
  for (let start = 0; start < bytes.length; start += size) pieces.push(bytes.subarray(start, start + size));
  return pieces;
}
