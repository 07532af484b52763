// Turns raw inputs into a validated plan: which product, grant, endpoint, credentials and transport.
// Every problem is an InputError that names the input, raised before any request.

import { notOneOf } from './did-you-mean.ts';
import type { Endpoint } from './endpoints.ts';
import { HOSTINGS } from './hostings.ts';
import {
  InputError,
  listOf,
  MissingInputsError,
  RequiresInputError,
  type InputNaming,
  type MissingInput,
  type OtherGrant,
} from './errors.ts';
import { parseBoolean, parseEnvName, parseNumber } from './input-values.ts';
import type { ProxySettings, TransportOptions } from './transport.ts';
import { defaultOf, INPUTS, secretValues, type RawInputs } from './inputs.ts';
import {
  GRANT_CREDENTIALS,
  GRANT_SENDS,
  PRODUCT_NAMES,
  PRODUCTS,
  type GrantType,
  type ProductName,
  type ProductProfile,
} from './products.ts';

export interface GrantPlan {
  readonly profile: ProductProfile;
  readonly grantType: GrantType;
  readonly endpoint: Endpoint;
  readonly clientId: string;
  readonly clientSecret?: string;
  readonly username?: string;
  readonly password?: string;
  readonly apiKey?: string;
  readonly scope?: string;
  /** Every secret input's value (the INPUTS table marks them), to be masked and kept out of messages. */
  readonly secrets: readonly string[];
}

export interface Settings {
  readonly plan: GrantPlan;
  readonly transport: TransportOptions;
  readonly exportEnv: boolean;
  readonly envName: string;
  /** Start the token agent after the exchange (action input `agent`, or `sealed`, which implies it). */
  readonly agent: boolean;
  /** A sealed job: the agent or exec hands out phantoms and serves the facade (SPEC "Sealed jobs"). */
  readonly sealed: boolean;
  /** With sealed: the facade forwards GET, HEAD and OPTIONS only. */
  readonly readOnly: boolean;
  /** Things the user should know before the request is sent (cleartext, no TLS checks). */
  readonly warnings: readonly string[];
}

export interface ConfigDeps {
  /** Reads a regular file of at most maxBytes; throws with code ENOTREG or EFBIG otherwise. */
  readonly readFile: (path: string, maxBytes: number) => string;
  /** Whether the PEM text is one X.509 certificate that parses (src/io/certificates.ts). */
  readonly isCertificate: (pem: string) => boolean;
  /** The proxy variables of the front end's environment (proxySettings in core/transport.ts). */
  readonly proxy?: ProxySettings;
  /** How the front end names inputs in a warning (the CLI: `--region / CX_REGION`); else as action inputs. */
  readonly naming?: InputNaming;
}

export function resolveSettings(given: RawInputs, deps: ConfigDeps): Settings {
  const apiKey = cleanPastedKey(given['api-key']);
  const values: RawInputs = { ...given, 'api-key': apiKey.value };
  const plan = resolvePlan(values);
  const transport = resolveTransport(values, deps);
  const seal = parseSeal(values);
  return {
    plan,
    transport,
    exportEnv: parseBoolean(values, 'export-env'),
    envName: parseEnvName(values['env-name'] ?? defaultOf('env-name')),
    agent: parseBoolean(values, 'agent') || seal.sealed,
    ...seal,
    warnings: [...apiKey.warnings, ...unusedInputWarnings(plan, values, deps.naming), ...warningsFor(plan, transport)],
  };
}

/**
 * `sealed` and `read-only`. read-only without sealed is an input error, not a warning: only the
 * facade can refuse a write, and without it the job holds a real token that writes anywhere, so
 * going on would promise a protection that is not there.
 */
export function parseSeal(values: RawInputs): { sealed: boolean; readOnly: boolean } {
  const sealed = parseBoolean(values, 'sealed');
  const readOnly = parseBoolean(values, 'read-only');
  if (readOnly && !sealed) {
    throw new RequiresInputError(
      'read-only',
      'sealed',
      "only a sealed job's facade can refuse writes; without it the job's code holds a real token. Set it as well, or leave read-only out.",
    );
  }
  return { sealed, readOnly };
}

/** An API key pasted with its quotes or a `Bearer ` prefix would be sent as is, and rejected as expired. */
export function cleanPastedKey(value: string | undefined): { value: string | undefined; warnings: string[] } {
  if (value === undefined) return { value, warnings: [] };
  const cleaned = value
    .replace(/^(["'])([^]*)\1$/, '$2')
    .replace(/^bearer\s+/i, '')
    .trim();
  if (cleaned === value || cleaned === '') return { value, warnings: [] };
  return {
    value: cleaned,
    warnings: ["api-key had surrounding quotes or a 'Bearer ' prefix; it is used without them. Store the key alone as the secret."],
  };
}

/** Inputs that were given but that this product and grant type never send or use. */
function unusedInputWarnings(plan: GrantPlan, values: RawInputs, naming: InputNaming | undefined): string[] {
  const used = new Set([...GRANT_SENDS[plan.grantType], ...HOSTINGS[plan.profile.hosting].uses]);
  const considered = new Set([...Object.values(GRANT_SENDS), ...Object.values(HOSTINGS).map((hosting) => hosting.uses)].flat());
  const unused = INPUTS.map((spec) => spec.name).filter((name) => considered.has(name) && !used.has(name) && values[name] !== undefined);
  if (unused.length === 0) return [];
  const why = `not used by product '${plan.profile.name}' with grant type '${plan.grantType}' and ignored.`;
  if (naming) {
    const names = listOf(unused.map(naming.reference));
    return [`${unused.length > 1 ? naming.several(names) : names} ${unused.length > 1 ? 'are' : 'is'} ${why}`];
  }
  const names = unused.map((name) => `'${name}'`).join(', ');
  return [`Input ${names} ${unused.length > 1 ? 'are' : 'is'} ${why}`];
}

export function resolvePlan(values: RawInputs): GrantPlan {
  const profile = parseProduct(values.product);
  const grantType = pickGrantType(profile, values);
  requireCredentials(profile, grantType, values);
  const endpoint = HOSTINGS[profile.hosting].locate(profile, values, grantType);
  const defaultClient = profile.defaultClients[grantType];
  // requireCredentials made sure that a grant without a default client has client-id.
  const clientId = values['client-id'] ?? endpoint.credentialClientId ?? defaultClient!.id;
  // A default client's secret goes only with that client; a given secret only where the grant sends one.
  const givenSecret = GRANT_SENDS[grantType].includes('client-secret') ? values['client-secret'] : undefined;
  const isDefaultClient = values['client-id'] === undefined && clientId === defaultClient?.id;
  const clientSecret = givenSecret ?? (isDefaultClient ? defaultClient.secret : undefined);
  return {
    profile,
    grantType,
    endpoint,
    clientId,
    secrets: secretValues(values),
    ...definedOnly({
      clientSecret,
      username: values.username,
      password: values.password,
      apiKey: values['api-key'],
      scope: values.scope ?? profile.defaultScope,
    }),
  };
}

function parseProduct(value: string | undefined): ProductProfile {
  if (!value) throw new InputError('product', `is required: one of ${PRODUCT_NAMES.join(', ')}.`, { code: 'input/missing' });
  // Own keys only: 'product: __proto__' must not find Object.prototype.
  const name = value.toLowerCase();
  const profile = Object.hasOwn(PRODUCTS, name) ? PRODUCTS[name as ProductName] : undefined;
  if (!profile) throw new InputError('product', notOneOf(value, PRODUCT_NAMES));
  return profile;
}

/** The explicit grant type, else the first the product allows whose credentials were given. */
function pickGrantType(profile: ProductProfile, values: RawInputs): GrantType {
  const explicit = values['grant-type'];
  if (explicit) {
    const grantType = profile.grantTypes.find((g) => g === explicit.toLowerCase());
    if (!grantType) {
      throw new InputError('grant-type', `'${explicit}' is not supported by '${profile.name}'; use ${profile.grantTypes.join(' or ')}.`);
    }
    return grantType;
  }
  const given = (g: GrantType) => GRANT_CREDENTIALS[g].every((name) => values[name] !== undefined);
  return (
    profile.grantTypes.find(given) ?? profile.grantTypes.find((g) => GRANT_CREDENTIALS[g].some((n) => values[n])) ?? profile.grantTypes[0]!
  );
}

/** Every credential and endpoint input the run lacks, in one error. */
function requireCredentials(profile: ProductProfile, grantType: GrantType, values: RawInputs): void {
  const credentials: MissingInput[] = GRANT_CREDENTIALS[grantType]
    .filter((name) => values[name] === undefined && !(name === 'client-id' && profile.defaultClients[grantType] !== undefined))
    .map((input) => ({ input }));
  const missing = [...credentials, ...HOSTINGS[profile.hosting].needs(values, grantType)];
  if (missing.length > 0) {
    throw new MissingInputsError(
      missing,
      `product '${profile.name}' with grant type '${grantType}'`,
      otherGrants(profile, grantType, values),
    );
  }
}

/** When the grant type was picked, not given: the credentials that would pick another one. */
function otherGrants(profile: ProductProfile, grantType: GrantType, values: RawInputs): OtherGrant[] {
  if (values['grant-type']) return [];
  return profile.grantTypes.filter((g) => g !== grantType).map((g) => ({ grantType: g, inputs: GRANT_CREDENTIALS[g] }));
}

function resolveTransport(values: RawInputs, deps: ConfigDeps): TransportOptions {
  const caCerts = values['ca-cert'] ? readCaCerts(values['ca-cert'], deps) : undefined;
  return {
    timeoutMs: parseNumber(values, 'timeout-seconds', { min: 0.001, max: 3600 }) * 1000,
    maxAttempts: parseNumber(values, 'max-attempts', { min: 1, max: 10, integer: true }),
    insecureSkipTlsVerify: parseBoolean(values, 'insecure-skip-tls-verify'),
    ...(caCerts ? { caCerts } : {}),
    ...(deps.proxy && Object.keys(deps.proxy).length > 0 ? { proxy: deps.proxy } : {}),
  };
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const MAX_CA_FILE_BYTES = 1024 * 1024;
const FILE_PROBLEMS: Readonly<Record<string, string>> = {
  ENOENT: 'does not exist',
  ENOTREG: 'is not a regular file',
  EFBIG: 'is larger than 1 MiB, which no CA bundle is',
};

/** `ca-cert` is PEM text or the path of a PEM file; every certificate in it must parse. */
function readCaCerts(value: string, deps: ConfigDeps): string[] {
  const isPem = value.includes('-----BEGIN');
  let text = value;
  if (!isPem) {
    try {
      text = deps.readFile(value, MAX_CA_FILE_BYTES);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      const problem = FILE_PROBLEMS[code] ?? `cannot be read (${code})`;
      throw new InputError('ca-cert', `the file '${value}' ${problem}; give PEM text or the path of a PEM file.`, {
        code: 'input/ca-cert',
      });
    }
  }
  const certs = text.replace(/\r\n/g, '\n').match(PEM_CERT) ?? [];
  const where = isPem ? 'the PEM text' : `the file '${value}'`;
  if (certs.length === 0)
    throw new InputError('ca-cert', `${where} holds no '-----BEGIN CERTIFICATE-----' block.`, { code: 'input/ca-cert' });
  certs.forEach((pem, index) => {
    if (!deps.isCertificate(pem)) {
      throw new InputError('ca-cert', `certificate ${index + 1} in ${where} is not a valid X.509 certificate.`, { code: 'input/ca-cert' });
    }
  });
  return certs;
}

function warningsFor(plan: GrantPlan, transport: TransportOptions): string[] {
  const warnings: string[] = [];
  if (plan.endpoint.tokenUrl.startsWith('http://')) {
    warnings.push(
      `The token endpoint ${plan.endpoint.tokenUrl} uses http://: credentials and the token travel in cleartext. Use https:// unless this network is trusted.`,
    );
  }
  if (transport.insecureSkipTlsVerify) {
    warnings.push(
      'insecure-skip-tls-verify is true: TLS certificates are not checked, so anyone on the network path can read the credentials. Prefer ca-cert.',
    );
  }
  return warnings;
}

function definedOnly<T extends Record<string, unknown>>(object: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}
