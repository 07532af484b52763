// What a value must look like to become an output, a variable or a printed line, whichever way it
// came: from the token endpoint (token-response.ts) or from the agent's socket (agent/protocol.ts).
// The server is not trusted: a value that fails is refused, and named, never quoted.

import { holdsCiCommand } from './printable.ts';

/** The values of a token result (token-response.ts) that become outputs: all but the refresh token. */
export interface OutputValues {
  readonly accessToken: string;
  readonly tokenType: string;
  readonly expiresAt: string;
  readonly scope?: string;
  readonly apiUrl: string;
  readonly tenant?: string;
  readonly apiKeyExpiresAt?: string;
}

// RFC 6749 appendix A: NQCHAR = %x21 / %x23-5B / %x5D-7E; scope is scope-tokens of NQCHAR joined by
// single spaces; token_type is a type-name (letters, digits, - . _) or an absolute URI.
const SCOPE = /^[\x21\x23-\x5b\x5d-\x7e]+(?: [\x21\x23-\x5b\x5d-\x7e]+)*$/;
const TYPE_NAME = /^[A-Za-z0-9._-]+$/;

export const isScope = (value: unknown): value is string => typeof value === 'string' && SCOPE.test(value);
export const isTokenType = (value: unknown): value is string =>
  typeof value === 'string' && (TYPE_NAME.test(value) || (SCOPE.test(value) && !value.includes(' ') && URL.canParse(value)));

/** Spaces, C0 and C1 control characters, and Unicode's line and paragraph separators. */
const UNPRINTABLE = /[\s\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

export const isAccessToken = (value: unknown): value is string => typeof value === 'string' && value !== '' && !UNPRINTABLE.test(value);
export const isApiUrl = (value: unknown): value is string =>
  typeof value === 'string' && /^https?:\/\//i.test(value) && !UNPRINTABLE.test(value) && URL.canParse(value);
const isPlainValue = (value: unknown): value is string => typeof value === 'string' && value !== '' && !UNPRINTABLE.test(value);

/**
 * The one rule for every value that becomes an output, a variable or a printed line (api-url,
 * scope, token-type, the token, tenant, expires-at), whichever way it came: from the token
 * endpoint (parseTokenResponse) or from the agent's socket (the agent protocol). Undefined when
 * the result keeps it; else what is wrong.
 */
export function outputProblem(result: OutputValues): string | undefined {
  if (!isAccessToken(result.accessToken)) return 'the access token contains spaces or control characters';
  if (!isTokenType(result.tokenType)) return 'the token type is not valid RFC 6749 syntax';
  if (result.scope !== undefined && !isScope(result.scope)) return 'the scope is not valid RFC 6749 syntax';
  if (!isApiUrl(result.apiUrl)) return 'the API URL is not an http(s) URL without spaces or control characters';
  if (result.tenant !== undefined && !isPlainValue(result.tenant)) return 'the tenant contains spaces or control characters';
  if (!isPlainValue(result.expiresAt)) return 'the expiry is not a plain instant';
  if (result.apiKeyExpiresAt !== undefined && !isPlainValue(result.apiKeyExpiresAt)) return "the API key's expiry is not a plain instant";
  return ciCommandProblem(result);
}

/** Which output would hold a CI command prefix (`##vso[`, `##[`, a leading `::`), named, never quoted. */
function ciCommandProblem(result: OutputValues): string | undefined {
  const outputs: ReadonlyArray<readonly [string, string | undefined]> = [
    ['access token', result.accessToken],
    ['token type', result.tokenType],
    ['scope', result.scope],
    ['API URL', result.apiUrl],
    ['tenant', result.tenant],
  ];
  const named = outputs.find(([, value]) => value !== undefined && holdsCiCommand(value));
  return named && `the ${named[0]} holds a CI command prefix, which a later step that prints it would run as a command`;
}
