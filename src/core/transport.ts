// What the core asks of the network: one form POST, its answer, and the failure below HTTP.
// io/http.ts is the implementation; the core sees only these shapes.

import type { FailureDetails } from './failures.ts';

export interface HttpRequest {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** The proxy variables, as curl reads them: lower case first, NO_PROXY for the hosts that bypass it. */
export const PROXY_VARIABLES = ['https_proxy', 'HTTPS_PROXY', 'http_proxy', 'HTTP_PROXY', 'no_proxy', 'NO_PROXY'] as const;
export type ProxyVariable = (typeof PROXY_VARIABLES)[number];
/** The proxy variables a front end read from its environment, passed down to every request. */
export type ProxySettings = Readonly<Partial<Record<ProxyVariable, string>>>;

/** The proxy variables that are set in `env` (a front end's environment, given as data). */
export function proxySettings(env: Readonly<Record<string, string | undefined>>): ProxySettings {
  return Object.fromEntries(PROXY_VARIABLES.filter((name) => env[name]).map((name) => [name, env[name]]));
}

/** What one request follows: its deadline, its proxy and the TLS trust. */
export interface HttpOptions {
  readonly timeoutMs: number;
  /** The proxy variables to follow (none: no proxy). */
  readonly proxy?: ProxySettings;
  /** Extra PEM certificates trusted besides the default ones. */
  readonly caCerts?: readonly string[];
  readonly insecureSkipTlsVerify: boolean;
}

/** What the exchange follows: each request's options, and how many attempts it makes. */
export interface TransportOptions extends HttpOptions {
  readonly maxAttempts: number;
}

export type PostForm = (request: HttpRequest, options: HttpOptions) => Promise<HttpResponse>;

/** Thrown for failures below HTTP: the grant module adds the product and endpoint. */
export class TransportFailure extends Error {
  readonly details: FailureDetails;
  constructor(details: FailureDetails) {
    super(details.detail ?? details.kind);
    this.name = 'TransportFailure';
    this.details = details;
  }
}
