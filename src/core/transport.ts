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

/** What one request follows: its deadline and the TLS trust. */
export interface HttpOptions {
  readonly timeoutMs: number;
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
