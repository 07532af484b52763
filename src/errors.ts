// Typed errors. A message is built from what the user needs and never from a secret:
// anything the server or the network said passes through `redact` first.

import type { InputName } from './inputs.ts';
import { printable } from './printable.ts';

export const EXIT_TOKEN_FAILED = 1;
export const EXIT_USAGE = 2;

export abstract class CheckmarxAuthError extends Error {
  abstract readonly exitCode: number;
}

/**
 * What to tell the user about any failure. Only our own errors carry messages built for users;
 * anything else is a bug, reported by type only, since its message could hold a secret.
 */
export function failureMessage(error: unknown): string {
  if (error instanceof CheckmarxAuthError) return error.message;
  return `Unexpected failure (${error instanceof Error ? error.name : typeof error}). Please report it.`;
}

export function exitCodeOf(error: unknown): number {
  return error instanceof CheckmarxAuthError ? error.exitCode : EXIT_TOKEN_FAILED;
}

/** What an InputError can name: an input, or a flag only a CLI verb has. */
export type InputErrorSubject = InputName | 'min-validity';

/** A missing or bad input, found before any request is sent. */
export class InputError extends CheckmarxAuthError {
  readonly exitCode = EXIT_USAGE;
  readonly input: InputErrorSubject;
  constructor(input: InputErrorSubject, message: string) {
    super(`Input '${input}': ${message}`);
    this.name = 'InputError';
    this.input = input;
  }
}

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

export interface RequestContext {
  readonly productTitle: string;
  readonly endpoint: string;
}

export class TokenRequestError extends CheckmarxAuthError {
  readonly exitCode = EXIT_TOKEN_FAILED;
  readonly details: FailureDetails;
  readonly context: RequestContext;
  readonly hint: string | undefined;
  readonly attempts: number;
  constructor(context: RequestContext, details: FailureDetails, hint: string | undefined, attempts = 1) {
    super(formatFailure(context, details, hint, attempts));
    this.name = 'TokenRequestError';
    this.context = context;
    this.details = details;
    this.hint = hint;
    this.attempts = attempts;
  }
}

export function isRetryable(details: FailureDetails): boolean {
  if (details.kind === 'network' || details.kind === 'timeout') return true;
  // A proxy that cannot be reached is a network failure too; one that answered is not.
  if (details.kind === 'proxy' && details.code !== undefined) return true;
  const status = details.status;
  if (status === undefined) return false;
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

function formatFailure(context: RequestContext, details: FailureDetails, hint: string | undefined, attempts: number): string {
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

const MAX_SERVER_TEXT = 300;

/** Cleans text that came from outside (a server body, an error) before it may enter a message. */
export function redact(text: string, secrets: readonly string[]): string {
  const forms = secretForms(secrets);
  let clean = text;
  for (const form of forms) clean = clean.split(form).join('***');
  clean = printable(clean).trim();
  if (clean.length > MAX_SERVER_TEXT) clean = `${clean.slice(0, MAX_SERVER_TEXT)}…`;
  // A cut may leave a prefix of a secret; it is at most part of one, and prefixes of 4+ characters are removed too.
  for (const form of forms) clean = removeTrailingPrefix(clean, printable(form));
  return clean;
}

/**
 * A secret as it may appear: raw, URL-encoded or form-encoded (either case of hex), JSON-escaped;
 * a secret of several lines also line by line, since logs are read, and masked, a line at a time.
 */
export function secretForms(secrets: readonly string[]): string[] {
  const forms = new Set<string>();
  const lines = secrets.flatMap((secret) => (/[\r\n]/.test(secret) ? secret.split(/\r?\n|\r/) : []));
  for (const secret of [...secrets, ...lines]) {
    if (!secret.trim()) continue;
    const encoded = [encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)];
    for (const form of [secret, JSON.stringify(secret).slice(1, -1), ...encoded, ...encoded.map(lowerCaseHex)]) forms.add(form);
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

function lowerCaseHex(encoded: string): string {
  return encoded.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
}

function removeTrailingPrefix(text: string, secret: string): string {
  const body = text.endsWith('…') ? text.slice(0, -1) : text;
  for (let n = Math.min(secret.length - 1, body.length); n >= 4; n--) {
    if (body.endsWith(secret.slice(0, n))) return `${body.slice(0, -n)}***…`;
  }
  return text;
}

/** The token agent cannot be reached, refused a request, or did not start. */
export class AgentError extends CheckmarxAuthError {
  readonly exitCode: number;
  constructor(message: string, exitCode = EXIT_TOKEN_FAILED) {
    super(message);
    this.name = 'AgentError';
    this.exitCode = exitCode;
  }
}
