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
      // A compressed answer would need decoding this tool does not carry; see parseTokenResponse.
      'accept-encoding': 'identity',
      'user-agent': userAgent,
    },
    body: form.toString(),
  };
}

function contextOf(plan: GrantPlan): RequestContext {
  return { productTitle: plan.profile.title, endpoint: plan.endpoint.tokenUrl };
}

/** Checks an HTTP answer and returns the token, or the failure it describes. */
export function parseTokenResponse(plan: GrantPlan, response: HttpResponse, now: number): TokenResult | FailureDetails {
  const { secrets } = plan;
  const { status } = response;
  if (status < 100 || status > 599) return badResponse(status, 'the status code is not a valid HTTP status');
  if (status >= 300 && status < 400) {
    const location = headerValue(response, 'location');
    return {
      kind: 'redirect',
      status,
      ...(location ? { location: redirectTarget(redact(location, secrets), plan.endpoint.tokenUrl) } : {}),
    };
  }
  const encoding = headerValue(response, 'content-encoding')?.trim().toLowerCase();
  if (encoding && encoding !== 'identity') {
    return badResponse(
      status,
      `the response is compressed (Content-Encoding: ${redact(encoding, secrets)}) although the request asked for none`,
    );
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
  secrets: readonly string[],
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
  if (expiresIn === undefined) return badResponse(status, 'expires_in in the response is not a whole number of seconds');
  const tokenType = optional(json.token_type) ?? 'Bearer';
  if (!isTokenType(tokenType)) return badResponse(status, 'token_type in the response is not valid RFC 6749 syntax');
  const scope = optional(json.scope);
  if (scope !== undefined && !isScope(scope)) return badResponse(status, 'scope in the response is not valid RFC 6749 syntax');
  const claimUrl = plan.profile.apiUrlClaim && stringClaim(decodeJwtClaims(accessToken), plan.profile.apiUrlClaim);
  return {
    accessToken,
    tokenType,
    expiresIn,
    expiresAt: new Date(now + expiresIn * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    apiUrl: claimUrl ? `${claimUrl.replace(/\/+$/, '')}/api` : plan.endpoint.apiUrl,
    ...(scope !== undefined ? { scope } : {}),
    ...(plan.endpoint.tenant ? { tenant: plan.endpoint.tenant } : {}),
    ...(typeof json.refresh_token === 'string' ? { refreshToken: json.refresh_token } : {}),
  };
}

function httpFailure(
  response: HttpResponse,
  json: Record<string, unknown> | undefined,
  secrets: readonly string[],
  now: number,
): FailureDetails {
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
function oauthFields(json: Record<string, unknown>, secrets: readonly string[]): Pick<FailureDetails, 'oauthError' | 'description'> {
  const oauthError = serverText(json.error, secrets);
  const description = serverText(json.error_description, secrets);
  return { ...(oauthError ? { oauthError } : {}), ...(description ? { description } : {}) };
}

/** Absent, null and "" are "not given". */
function optional(value: unknown): unknown {
  return value === null || value === '' ? undefined : value;
}

// RFC 6749 appendix A: NQCHAR = %x21 / %x23-5B / %x5D-7E; scope is scope-tokens of NQCHAR joined by
// single spaces; token_type is a type-name (letters, digits, - . _) or an absolute URI.
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]+(?: [\x21\x23-\x5b\x5d-\x7e]+)*$/;
const TYPE_NAME = /^[A-Za-z0-9._-]+$/;

export const isScope = (value: unknown): value is string => typeof value === 'string' && SCOPE.test(value);
export const isTokenType = (value: unknown): value is string =>
  typeof value === 'string' && (TYPE_NAME.test(value) || (SCOPE.test(value) && !value.includes(' ') && URL.canParse(value)));

function serverText(value: unknown, secrets: readonly string[]): string | undefined {
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
    const value: unknown = JSON.parse(body.replace(/^\uFEFF/, ''));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** About 31 years: anything longer is not a token lifetime (and would not fit a Date). */
const MAX_EXPIRES_IN = 1e9;

function toSeconds(value: unknown): number | undefined {
  const number = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
  return typeof number === 'number' && Number.isInteger(number) && number >= 0 && number <= MAX_EXPIRES_IN ? number : undefined;
}

function headerValue(response: HttpResponse, name: string): string | undefined {
  const value = response.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The longest wait before a retry, jitter included. */
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
  if (retryAfterMs !== undefined) {
    return Math.min(MAX_RETRY_AFTER_MS, retryAfterMs + Math.round(random * Math.max(retryAfterMs * 0.5, 250)));
  }
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random * ceiling) / 2);
}

/**
 * A server that says when to come back (429 or 503 with Retry-After) is not failing: it is pacing
 * its clients. Such waits use up no attempt until this much of them is spent, so that many jobs
 * sharing one rate limit all get through instead of the unlucky ones running out of attempts.
 */
export const PACED_WAIT_BUDGET_MS = 120_000;

export interface RetryState {
  /** Attempts used up, the first request included. */
  readonly attempts: number;
  /** Time spent in waits the server asked for that used up no attempt. */
  readonly pacedWaitMs: number;
}

/** Whether to try again after a failure, after how long, and what that uses up. */
export function planRetry(
  state: RetryState,
  failure: FailureDetails,
  maxAttempts: number,
  random: number,
): { readonly delayMs: number; readonly state: RetryState } | undefined {
  if (!isRetryable(failure)) return undefined;
  const delayMs = backoffMs(state.attempts, failure.retryAfterMs, random);
  const paced = failure.retryAfterMs !== undefined && (failure.status === 429 || failure.status === 503);
  if (paced && state.pacedWaitMs + delayMs <= PACED_WAIT_BUDGET_MS) {
    return { delayMs, state: { ...state, pacedWaitMs: state.pacedWaitMs + delayMs } };
  }
  if (state.attempts >= maxAttempts) return undefined;
  return { delayMs, state: { ...state, attempts: state.attempts + 1 } };
}

export async function requestToken(plan: GrantPlan, transport: TransportOptions, deps: GrantDeps): Promise<TokenResult> {
  const request = buildTokenRequest(plan, deps.userAgent);
  let state: RetryState = { attempts: 1, pacedWaitMs: 0 };
  for (let sent = 1; ; sent++) {
    const outcome = await attemptOnce(plan, request, transport, deps);
    if (!('kind' in outcome)) return outcome;
    const retry = planRetry(state, outcome, transport.maxAttempts, deps.random());
    if (!retry) throw toError(plan, outcome, sent);
    const paced = retry.state.attempts === state.attempts;
    const delay = `${(retry.delayMs / 1000).toFixed(1)} s`;
    deps.log.warning(
      paced
        ? `Request ${sent} failed: ${summary(outcome)}. The server asked to wait: retrying in ${delay}, which uses up no attempt.`
        : `Attempt ${state.attempts} of ${transport.maxAttempts} failed: ${summary(outcome)}. Retrying in ${delay}.`,
    );
    state = retry.state;
    await deps.sleep(retry.delayMs);
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
      const detail = error.details.detail && redact(error.details.detail, plan.secrets);
      return { ...error.details, ...(detail ? { detail } : {}) };
    }
    throw error;
  }
}

function toError(plan: GrantPlan, details: FailureDetails, attempts: number): TokenRequestError {
  const hint = hintFor({
    ...details,
    product: plan.profile.name,
    hosting: plan.profile.hosting,
    grantType: plan.grantType,
    ...(plan.profile.defaultScope ? { defaultScope: plan.profile.defaultScope } : {}),
  });
  return new TokenRequestError(contextOf(plan), details, hint, attempts);
}

function summary(details: FailureDetails): string {
  if (details.status !== undefined) return `HTTP ${details.status}${details.oauthError ? ` ${details.oauthError}` : ''}`;
  return details.code ?? details.kind;
}
