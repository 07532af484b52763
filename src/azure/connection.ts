// The task's service connection (type `checkmarx-auth`, azure-devops/vss-extension.json): the
// agent hands the task the connection whose id the `connection` input holds as environment
// variables, as azure-pipelines-task-lib reads them: ENDPOINT_URL_<id>, ENDPOINT_AUTH_SCHEME_<id>,
// ENDPOINT_AUTH_PARAMETER_<id>_<NAME> (upper case) and ENDPOINT_AUTH_<id> (JSON
// `{"parameters":{...},"scheme":"..."}`, read when the per-parameter variables are absent).
// Pure: an environment in, the inputs the connection gives out.

import { CheckmarxAuthError } from '../core/errors.ts';
import type { InputName } from '../core/inputs.ts';
import { HOSTINGS } from '../core/hostings.ts';
import { parseJsonObject } from '../core/json.ts';
import { PRODUCT_NAMES, PRODUCTS } from '../core/products.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** The connection's authentication schemes (vss-extension.json) and the input each parameter fills. */
export const SCHEMES: Readonly<Record<string, Readonly<Record<string, InputName>>>> = {
  // An API key: ms.vss-endpoint.endpoint-auth-scheme-token, whose parameter is `apitoken`.
  Token: { apitoken: 'api-key', tenant: 'tenant' },
  // An OAuth client: ms.vss-endpoint.endpoint-auth-scheme-none with the client's own parameters.
  None: { clientid: 'client-id', clientsecret: 'client-secret', tenant: 'tenant' },
  // A user: ms.vss-endpoint.endpoint-auth-scheme-basic.
  UsernamePassword: { username: 'username', password: 'password', tenant: 'tenant' },
};

/** A connection that is missing or not of this task's type: a configuration error, before any request. */
export class ConnectionError extends CheckmarxAuthError {
  constructor(message: string) {
    super('input/connection', message);
    this.name = 'ConnectionError';
  }
}

export interface ConnectionInputs {
  readonly values: Partial<Record<InputName, string>>;
  readonly warnings: readonly string[];
}

/**
 * The inputs that the connection `id` gives. `product` (as given, any case) decides what its URL
 * is: its hosting's urlInput (server-url, iam-url); where the region decides (SCA), the URL is
 * not used, with a warning.
 */
export function connectionInputs(env: Env, id: string, product: string | undefined): ConnectionInputs {
  const url = env[`ENDPOINT_URL_${id}`]?.trim();
  const json = parseJsonObject(env[`ENDPOINT_AUTH_${id}`] ?? '');
  const scheme = env[`ENDPOINT_AUTH_SCHEME_${id}`]?.trim() || (typeof json?.scheme === 'string' ? json.scheme : '');
  if (!url && !scheme) {
    throw new ConnectionError(
      `Input 'connection': the service connection '${id}' is not available to this job. Check that it exists, is of the type 'Checkmarx (checkmarx-auth)' and that the pipeline is allowed to use it.`,
    );
  }
  const parameters = SCHEMES[schemeName(scheme)];
  if (!parameters) {
    throw new ConnectionError(
      `Input 'connection': the service connection '${id}' uses the authentication scheme '${scheme}'; a Checkmarx connection uses ${Object.keys(SCHEMES).join(', ')}.`,
    );
  }
  const jsonParameters =
    typeof json?.parameters === 'object' && json.parameters !== null ? (json.parameters as Record<string, unknown>) : {};
  const values: Partial<Record<InputName, string>> = {};
  for (const [parameter, input] of Object.entries(parameters)) {
    const value = env[`ENDPOINT_AUTH_PARAMETER_${id}_${parameter.toUpperCase()}`] ?? jsonParameter(jsonParameters, parameter);
    if (value?.trim()) values[input] = value;
  }
  const warnings: string[] = [];
  const name = PRODUCT_NAMES.find((known) => known === product?.trim().toLowerCase());
  const hosting = name && HOSTINGS[PRODUCTS[name].hosting];
  if (url && hosting?.urlInput) values[hosting.urlInput] = url;
  else if (url && hosting) {
    const regions = Object.keys(hosting.regions).join(' or ');
    warnings.push(
      `The service connection's URL is not used for ${name}: its token endpoint follows the ${hosting.locatedBy} input (${regions}).`,
    );
  }
  return { values, warnings };
}

/** The scheme's name as the agent spells it; the service stores it as declared, but any case is the same scheme. */
function schemeName(scheme: string): string {
  return Object.keys(SCHEMES).find((name) => name.toLowerCase() === scheme.toLowerCase()) ?? scheme;
}

function jsonParameter(parameters: Record<string, unknown>, name: string): string | undefined {
  const key = Object.keys(parameters).find((key) => key.toLowerCase() === name);
  const value = key === undefined ? undefined : parameters[key];
  return typeof value === 'string' ? value : undefined;
}
