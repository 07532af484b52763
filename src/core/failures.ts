// How a token request failed: the kinds of failure and what is known of one, and the sentence
// that tells the user. Everything in FailureDetails from outside has been redacted already.

import { oauthErrorCode, type ErrorCode } from './error-codes.ts';

/** How a token request failed; decides retries and hints. */
export type FailureKind =
  | 'http' // an HTTP error status with or without an OAuth error body
  | 'redirect'
  | 'html' // a web page where JSON was expected
  | 'bad-response' // not JSON, no access_token, a bad expires_in, too large
  | 'timeout'
  | 'tls'
  | 'network'
  | 'proxy';

export interface FailureDetails {
  readonly kind: FailureKind;
  readonly status?: number;
  readonly oauthError?: string;
  readonly description?: string;
  /** A network error code such as ECONNREFUSED or a TLS code such as SELF_SIGNED_CERT_IN_CHAIN. */
  readonly code?: string;
  readonly location?: string;
  /** The variable that named the proxy (HTTPS_PROXY, http_proxy, ...), when the proxy failed. */
  readonly proxyVariable?: string;
  readonly retryAfterMs?: number;
  readonly detail?: string;
}

/** The stable code of a failed request: from its kind, and for HTTP from a known OAuth `error` or the status. */
export function requestFailureCode(details: FailureDetails): ErrorCode {
  if (details.kind !== 'http') return KIND_CODES[details.kind];
  const status = details.status ?? 0;
  return (
    oauthErrorCode(details.oauthError) ??
    (status === 429 ? 'token-request/rate-limited' : status >= 500 ? 'token-request/server-error' : 'token-request/http-error')
  );
}

const KIND_CODES: Readonly<Record<Exclude<FailureKind, 'http'>, ErrorCode>> = {
  redirect: 'token-request/redirect',
  html: 'token-request/html',
  'bad-response': 'token-request/bad-response',
  timeout: 'token-request/timeout',
  tls: 'token-request/tls',
  network: 'token-request/network',
  proxy: 'token-request/proxy',
};

export interface RequestContext {
  readonly productTitle: string;
  readonly endpoint: string;
}

export function describeRequestFailure(
  context: RequestContext,
  details: FailureDetails,
  hint: string | undefined,
  attempts: number,
): string {
  const parts = [`${context.productTitle} token request to ${context.endpoint} failed`];
  if (attempts > 1) parts[0] += ` after ${attempts} attempts`;
  parts[0] += `: ${describeFailure(details)}.`;
  if (hint) parts.push(`Hint: ${hint}`);
  return parts.join(' ');
}

function describeFailure(details: FailureDetails): string {
  const status = details.status === undefined ? '' : `HTTP ${details.status}`;
  const oauth = [details.oauthError, details.description].filter(Boolean).join(': ');
  switch (details.kind) {
    case 'redirect':
      return `${status} redirect to ${details.location ?? '(no Location header)'}, not followed so that credentials are not sent elsewhere`;
    case 'html':
      return `${status} an HTML page instead of a JSON token response`;
    case 'timeout':
      return details.detail ?? 'timed out';
    case 'tls':
    case 'network':
    case 'proxy':
      return [details.detail, details.code && `(${details.code})`].filter(Boolean).join(' ');
    case 'bad-response':
      return [status, details.detail, oauth && `(${oauth})`].filter(Boolean).join(' ');
    default:
      return [status, oauth, details.detail].filter(Boolean).join(' ');
  }
}
