// The action's outputs and the CLI's JSON keys: one table.

import type { TokenResult } from './token-response.ts';

export interface OutputSpec {
  readonly name: string;
  readonly description: string;
  /** The variable the CLI's env and azure formats set (the token's is env-name). */
  readonly envName: string;
  readonly value: (result: TokenResult) => string | undefined;
}

export const OUTPUTS: readonly OutputSpec[] = [
  { name: 'access-token', envName: 'CX_ACCESS_TOKEN', description: 'The access token, masked in logs.', value: (r) => r.accessToken },
  { name: 'token-type', envName: 'CX_TOKEN_TYPE', description: 'Token type as returned, e.g. Bearer.', value: (r) => r.tokenType },
  {
    name: 'expires-in',
    envName: 'CX_EXPIRES_IN',
    description: 'Token lifetime in seconds, as returned.',
    value: (r) => String(r.expiresIn),
  },
  { name: 'expires-at', envName: 'CX_EXPIRES_AT', description: 'ISO-8601 UTC instant when the token expires.', value: (r) => r.expiresAt },
  { name: 'scope', envName: 'CX_GRANTED_SCOPE', description: 'Granted scope, where the server returns one.', value: (r) => r.scope },
  { name: 'api-url', envName: 'CX_API_URL', description: "Base URL of the product's REST API.", value: (r) => r.apiUrl },
  { name: 'tenant', envName: 'CX_TOKEN_TENANT', description: 'The tenant used (sca, cxone).', value: (r) => r.tenant },
];

/** Output name → value, for the outputs that have one. */
export function outputValues(result: TokenResult): Array<[name: string, value: string]> {
  return OUTPUTS.flatMap((spec) => {
    const value = spec.value(result);
    return value === undefined ? [] : [[spec.name, value] as [string, string]];
  });
}

export function camelCase(name: string): string {
  return name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
}
