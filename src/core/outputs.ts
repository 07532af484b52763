// The action's outputs and the CLI's JSON keys: one table.

import { isRunTimeSecret } from './run-time-secrets.ts';
import type { TokenResult } from './token-response.ts';

export interface OutputSpec {
  readonly name: string;
  readonly description: string;
  /** The variable the CLI's env, azure and powershell formats set (the token's is env-name); none: JSON only. */
  readonly envName?: string;
  /** The field of the result it shows. */
  readonly field: Exclude<keyof TokenResult, 'refreshToken'>;
  /** A run-time secret (the token): masked first, and a secret variable wherever it is set. */
  readonly secret: boolean;
  readonly value: (result: TokenResult) => string | undefined;
}

function output(name: string, envName: string | undefined, field: OutputSpec['field'], description: string): OutputSpec {
  const value = (result: TokenResult) => (result[field] === undefined ? undefined : String(result[field]));
  return { name, ...(envName ? { envName } : {}), field, description, secret: isRunTimeSecret(field), value };
}

export const OUTPUTS: readonly OutputSpec[] = [
  output('access-token', 'CX_ACCESS_TOKEN', 'accessToken', 'The access token, masked in logs.'),
  output('token-type', 'CX_TOKEN_TYPE', 'tokenType', 'Token type as returned, e.g. Bearer.'),
  output('expires-in', 'CX_EXPIRES_IN', 'expiresIn', 'Token lifetime in seconds, as returned.'),
  output('expires-at', 'CX_EXPIRES_AT', 'expiresAt', 'ISO-8601 UTC instant when the token expires.'),
  output('scope', 'CX_GRANTED_SCOPE', 'scope', 'Granted scope, where the server returns one.'),
  output('api-url', 'CX_API_URL', 'apiUrl', "Base URL of the product's REST API."),
  output('tenant', 'CX_TOKEN_TENANT', 'tenant', 'The tenant used (sca, cxone).'),
  // No CLI variable: the variables are the token's; the key's expiry is for checks and warnings.
  output(
    'api-key-expires-at',
    undefined,
    'apiKeyExpiresAt',
    'ISO-8601 UTC instant when the Checkmarx One API key expires, when the key carries a positive exp (0 or none: it does not expire).',
  ),
];

/** Output name → value, for the outputs that have one. */
export function outputValues(result: TokenResult): Array<[name: string, value: string]> {
  return OUTPUTS.flatMap((spec) => {
    const value = spec.value(result);
    return value === undefined ? [] : [[spec.name, value] as [string, string]];
  });
}
