// Reads the token endpoint's answer: the token, or the failure it describes. The server is not
// trusted: every value it sends is checked, and its text is redacted before it enters a message.

import type { FailureDetails } from './failures.ts';
import { parseJsonObject, type JsonObject } from './json.ts';
import { decodeJwtClaims, stringClaim } from './jwt.ts';
import { apiKeyExpiresAt } from './api-key-facts.ts';
import { isApiUrl, isScope, isTokenType, outputProblem } from './output-rules.ts';
import { parseRetryAfter } from './retry.ts';
import { redact } from './secrets.ts';
import type { GrantPlan } from './settings.ts';
import type { HttpResponse } from './transport.ts';

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
  /** When the Checkmarx One API key itself expires, where it carries `exp` (ISO-8601 UTC). */
  readonly apiKeyExpiresAt?: string;
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
  const json = parseJsonObject(response.body);
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
  json: JsonObject,
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
  if (claimUrl && !isApiUrl(claimUrl)) {
    return badResponse(status, `the token's ${plan.profile.apiUrlClaim} claim is not an http(s) URL without spaces or control characters`);
  }
  const apiKeyExpiry = apiKeyExpiresAt(plan);
  const result: TokenResult = {
    accessToken,
    tokenType,
    expiresIn,
    expiresAt: new Date(now + expiresIn * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    apiUrl: claimUrl ? `${claimUrl.replace(/\/+$/, '')}/api` : plan.endpoint.apiUrl,
    ...(scope !== undefined ? { scope } : {}),
    ...(plan.endpoint.tenant ? { tenant: plan.endpoint.tenant } : {}),
    ...(apiKeyExpiry ? { apiKeyExpiresAt: apiKeyExpiry } : {}),
    ...(typeof json.refresh_token === 'string' ? { refreshToken: json.refresh_token } : {}),
  };
  const problem = outputProblem(result);
  return problem ? badResponse(status, problem) : result;
}

function httpFailure(response: HttpResponse, json: JsonObject | undefined, secrets: readonly string[], now: number): FailureDetails {
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
function oauthFields(json: JsonObject, secrets: readonly string[]): Pick<FailureDetails, 'oauthError' | 'description'> {
  const oauthError = serverText(json.error, secrets);
  const description = serverText(json.error_description, secrets);
  return { ...(oauthError ? { oauthError } : {}), ...(description ? { description } : {}) };
}

/** Absent, null and "" are "not given". */
function optional(value: unknown): unknown {
  return value === null || value === '' ? undefined : value;
}

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
