// The token exchange: build the form request, send it with retries, parse and check the answer.
// Pure functions do the building and parsing; the I/O comes in through GrantDeps.

import type { GrantPlan, TransportOptions } from './config.ts';
import { isRetryable, redact, TokenRequestError, type FailureDetails, type RequestContext } from './errors.ts';
import { hintFor } from './hints.ts';
import { TransportFailure, type HttpRequest, type HttpResponse, type PostForm } from './http.ts';
import { decodeJwtClaims, stringClaim } from './jwt.ts';

export interface TokenResult {
  readonly accessToken: string;
  readonly tokenType: string;
  readonly expiresIn: number;
  readonly expiresAt: string;
  readonly scope?: string;
  readonly apiUrl: string;
  readonly tenant?: string;
  /** Returned by Checkmarx One; kept only so that it can be masked. Never output. */
  readonly refreshToken?: string;
}

export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  debug(message: string): void;
}

export interface GrantDeps {
  readonly postForm: PostForm;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
  readonly now: () => number;
  readonly log: Logger;
  readonly userAgent: string;
}

/** The form fields each grant type sends. */
const FORM_FIELDS = {
  password: (plan: GrantPlan) => ({
    grant_type: 'password',
    username: plan.username,
    password: plan.password,
    scope: plan.scope,
    client_id: plan.clientId,
    client_secret: plan.clientSecret,
    acr_values: plan.profile.tenantInAcrValues ? `Tenant:${plan.endpoint.tenant}` : undefined,
  }),
  refresh_token: (plan: GrantPlan) => ({
    grant_type: 'refresh_token',
    client_id: plan.clientId,
    refresh_token: plan.apiKey,
  }),
  client_credentials: (plan: GrantPlan) => ({
    grant_type: 'client_credentials',
    client_id: plan.clientId,
    client_secret: plan.clientSecret,
  }),
} as const;

export function buildTokenRequest(plan: GrantPlan, userAgent: string): HttpRequest {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(FORM_FIELDS[plan.grantType](plan))) {
    if (value !== undefined) form.set(name, value);
  }
  return {
    url: plan.endpoint.tokenUrl,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      'user-agent': userAgent,
    },
    body: form.toString(),
  };
}

export function planSecrets(plan: GrantPlan): string[] {
  return [plan.password, plan.clientSecret, plan.apiKey].filter((s): s is string => Boolean(s));
}

export function contextOf(plan: GrantPlan): RequestContext {
  return { productTitle: plan.profile.title, endpoint: plan.endpoint.tokenUrl };
}

/** Checks an HTTP answer and returns the token, or the failure it describes. */
export function parseTokenResponse(
  plan: GrantPlan,
  response: HttpResponse,
  now: number,
): TokenResult | FailureDetails {
  const secrets = planSecrets(plan);
  const { status } = response;
  if (status >= 300 && status < 400) {
    const location = headerValue(response, 'location');
    return { kind: 'redirect', status, ...(location ? { location: redirectTarget(redact(location, secrets), plan.endpoint.tokenUrl) } : {}) };
  }
  if (looksLikeHtml(response)) return { kind: 'html', status };
  const json = parseJson(response.body);
  if (status < 200 || status >= 300) return httpFailure(response, json, secrets, now);
  if (json === undefined) return badResponse(status, 'the response is not JSON');
  return tokenFrom(plan, json, status, now, secrets);
}

/**
 * A relative Location made absolute against the token endpoint. By joining text, not with a URL
 * parser: that would re-encode the rest, and a secret spelled in a new way would escape `redact`.
 */
function redirectTarget(location: string, tokenUrl: string): string {
  const base = new URL(tokenUrl);
  if (/^[a-z][a-z\d+.-]*:/i.test(location)) return location;
  if (location.startsWith('//')) return `${base.protocol}${location}`;
  if (location.startsWith('/')) return `${base.origin}${location}`;
  return `${base.origin}${base.pathname.replace(/[^/]*$/, '')}${location}`;
}

function tokenFrom(
  plan: GrantPlan,
  json: Record<string, unknown>,
  status: number,
  now: number,
  secrets: string[],
): TokenResult | FailureDetails {
  const accessToken = json.access_token;
  if (typeof accessToken !== 'string' || accessToken === '') {
    return { ...oauthFields(json, secrets), ...badResponse(status, 'the JSON response has no access_token') };
  }
  if (/[\s\u0000-\u001f\u007f]/.test(accessToken)) {
    return badResponse(status, 'the access_token in the response contains spaces or control characters, so it is not a token');
  }
  if (json.expires_in === undefined) return badResponse(status, 'the JSON response has no expires_in');
  const expiresIn = toSeconds(json.expires_in);
  if (expiresIn === undefined) return badResponse(status, 'expires_in in the response is not a number of seconds');
  const claimUrl = plan.profile.apiUrlClaim && stringClaim(decodeJwtClaims(accessToken), plan.profile.apiUrlClaim);
  return {
    accessToken,
    tokenType: typeof json.token_type === 'string' && json.token_type ? json.token_type : 'Bearer',
    expiresIn,
    expiresAt: new Date(now + expiresIn * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    apiUrl: claimUrl ? `${claimUrl.replace(/\/+$/, '')}/api` : plan.endpoint.apiUrl,
    ...(typeof json.scope === 'string' && json.scope ? { scope: json.scope } : {}),
    ...(plan.endpoint.tenant ? { tenant: plan.endpoint.tenant } : {}),
    ...(typeof json.refresh_token === 'string' ? { refreshToken: json.refresh_token } : {}),
  };
}

function httpFailure(response: HttpResponse, json: Record<string, unknown> | undefined, secrets: string[], now: number): FailureDetails {
  const bodyText = json ? undefined : serverText(response.body.slice(0, 200), secrets);
  const retryAfterMs = parseRetryAfter(headerValue(response, 'retry-after'), now);
  return {
    kind: 'http',
    status: response.status,
    ...(json ? oauthFields(json, secrets) : {}),
    ...(bodyText ? { description: bodyText } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  };
}

/** The OAuth `error` and `error_description` of a JSON body, redacted. */
function oauthFields(json: Record<string, unknown>, secrets: string[]): Pick<FailureDetails, 'oauthError' | 'description'> {
  const oauthError = serverText(json.error, secrets);
  const description = serverText(json.error_description, secrets);
  return { ...(oauthError ? { oauthError } : {}), ...(description ? { description } : {}) };
}

function serverText(value: unknown, secrets: string[]): string | undefined {
  return typeof value === 'string' && value ? redact(value, secrets) || undefined : undefined;
}

function badResponse(status: number, detail: string): FailureDetails {
  return { kind: 'bad-response', status, detail };
}

function looksLikeHtml(response: HttpResponse): boolean {
  const type = headerValue(response, 'content-type') ?? '';
  return /html/i.test(type) || /^\s*<(!doctype|html|head|body)/i.test(response.body);
}

function parseJson(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** About 31 years: anything longer is not a token lifetime (and would not fit a Date). */
const MAX_EXPIRES_IN = 1e9;

function toSeconds(value: unknown): number | undefined {
  const number = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) && number >= 0 && number <= MAX_EXPIRES_IN ? number : undefined;
}

function headerValue(response: HttpResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export const MAX_RETRY_AFTER_MS = 30_000;

/** `Retry-After` as seconds or an HTTP date, capped. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  // Date.parse reads almost anything ('1.5' is a date in 2001), so a date must at least name a year.
  const ms = /^\s*\d+\s*$/.test(value) ? Number(value) * 1000 : /\b\d{4}\b/.test(value) ? Date.parse(value) - now : NaN;
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS) : undefined;
}

const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 10_000;

/** Exponential backoff with jitter; the server's Retry-After is honoured and jittered upwards. */
export function backoffMs(attempt: number, retryAfterMs: number | undefined, random: number): number {
  if (retryAfterMs !== undefined) return retryAfterMs + Math.round(random * Math.max(retryAfterMs * 0.5, 250));
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random * ceiling) / 2);
}

export async function requestToken(plan: GrantPlan, transport: TransportOptions, deps: GrantDeps): Promise<TokenResult> {
  const request = buildTokenRequest(plan, deps.userAgent);
  const context = contextOf(plan);
  for (let attempt = 1; ; attempt++) {
    const outcome = await attemptOnce(plan, request, transport, deps);
    if (!('kind' in outcome)) return outcome;
    if (!isRetryable(outcome) || attempt >= transport.maxAttempts) throw toError(plan, context, outcome, attempt);
    const delay = backoffMs(attempt, outcome.retryAfterMs, deps.random());
    deps.log.warning(`Attempt ${attempt} of ${transport.maxAttempts} failed: ${summary(outcome)}. Retrying in ${(delay / 1000).toFixed(1)} s.`);
    await deps.sleep(delay);
  }
}

async function attemptOnce(
  plan: GrantPlan,
  request: HttpRequest,
  transport: TransportOptions,
  deps: GrantDeps,
): Promise<TokenResult | FailureDetails> {
  try {
    const response = await deps.postForm(request, transport);
    deps.log.debug(`Token endpoint answered HTTP ${response.status} with ${Buffer.byteLength(response.body)} bytes.`);
    return parseTokenResponse(plan, response, deps.now());
  } catch (error) {
    if (error instanceof TransportFailure) {
      const detail = error.details.detail && redact(error.details.detail, planSecrets(plan));
      return { ...error.details, ...(detail ? { detail } : {}) };
    }
    throw error;
  }
}

function toError(plan: GrantPlan, context: RequestContext, details: FailureDetails, attempts: number): TokenRequestError {
  const hint = hintFor({
    ...details,
    product: plan.profile.name,
    hosting: plan.profile.hosting,
    grantType: plan.grantType,
    ...(plan.profile.defaultScope ? { defaultScope: plan.profile.defaultScope } : {}),
  });
  return new TokenRequestError(context, details, hint, attempts);
}

function summary(details: FailureDetails): string {
  if (details.status !== undefined) return `HTTP ${details.status}${details.oauthError ? ` ${details.oauthError}` : ''}`;
  return details.code ?? details.kind;
}
