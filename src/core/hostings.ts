// What differs between the kinds of hosting (self-hosted CxSAST, SCA's cloud, Checkmarx One), as
// data. How each locates its token endpoint and what that needs, the inputs it reads, the input a
// server URL fills, how it is pointed elsewhere, its regions, whether exec's child logs in through
// a loopback endpoint and whether its API key is a JWT; and what the sealed facade needs to stand
// in for the product on loopback: the token path it serves, the grant it takes from the job, the
// shape of its answer, the API paths it forwards, where the real API is, and the claims of a
// phantom token. The product table (products.ts) says which hosting a product has. Pure.

import {
  locateCxOne,
  locateSca,
  locateSelfHosted,
  needsOfCxOne,
  needsOfSca,
  needsOfSelfHosted,
  realmTokenPath,
  type Endpoint,
} from './endpoints.ts';
import type { MissingInput } from './errors.ts';
import type { InputName, RawInputs } from './inputs.ts';
import { CXONE_REGIONS, PRODUCTS, SCA_REGIONS, type GrantType, type Hosting, type ProductName, type ProductProfile } from './products.ts';

/** How the job logs in at the facade: Keycloak's client_credentials, or IdentityServer's password grant. */
export type JobGrant = 'client_credentials' | 'password';

/** What a job's code knows at the facade: its origin, the tenant, the job credential's name. */
export interface FacadeFacts {
  /** http://127.0.0.1:<port> */
  readonly origin: string;
  readonly tenant?: string;
  /** The job client (Checkmarx One) or user (the others). */
  readonly jobName: string;
}

export interface TokenAnswer {
  readonly accessToken: string;
  readonly expiresIn: number;
  readonly scope?: string;
}

/** An OAuth error as the product's token server spells it. */
export interface TokenError {
  readonly status: number;
  readonly error: string;
  readonly description: string;
}

/** A fact about the facade that a sealed job's code is told in a variable (core/sealed-job.ts). */
export type JobFact = 'origin' | 'tenant' | 'jobName' | 'jobKey';

export interface HostingRow {
  /** Where the token endpoint and the API are, from the inputs. */
  readonly locate: (profile: ProductProfile, values: RawInputs, grantType: GrantType) => Endpoint;
  /** The inputs the endpoint needs and the values lack, found before `locate` runs. */
  readonly needs: (values: RawInputs, grantType: GrantType) => MissingInput[];
  /** The inputs that locate the endpoint; any other endpoint input given is unused (a warning). */
  readonly uses: readonly InputName[];
  /** The input a server URL fills (an Azure service connection's URL); none where the region decides. */
  readonly urlInput?: InputName;
  /** What a user sets to point it at another address, as a hint names it. */
  readonly locatedBy: string;
  /** Its regions (name → token URL or IAM base); none for a self-hosted server. */
  readonly regions: Readonly<Record<string, string>>;
  /** The region a token URL belongs to, when it is one of Checkmarx's own hosts. */
  readonly regionOf: (tokenUrl: string) => string | undefined;
  /** exec's child (ast-cli) logs in through a loopback token endpoint with a one-time key. */
  readonly childLogin: boolean;
  /** Its API key is a JWT that says of itself its realm, client and expiry (Keycloak's offline token). */
  readonly apiKeyIsJwt: boolean;
  /** The path of the product's own token endpoint. */
  readonly tokenPath: (tenant: string | undefined) => string;
  /** Whether a request path (no query) is that token endpoint, as the product's server matches it. */
  readonly isTokenPath: (path: string, tenant: string | undefined) => boolean;
  readonly jobGrant: JobGrant;
  /** The form names the tenant as `acr_values=Tenant:{tenant}` (SCA). */
  readonly tenantInAcrValues: boolean;
  /** The answer a job credential that is not ours gets. */
  readonly wrongCredential: TokenError;
  /** The token endpoint's JSON answer. */
  readonly answer: (token: TokenAnswer) => Record<string, string | number>;
  /** Whether a request path (no query) belongs to the product's API, and so is forwarded. */
  readonly forwards: (path: string) => boolean;
  /** The facade's api-url path where the product names none (products.ts `apiPath`). */
  readonly apiPath: string;
  /** The real API's base URL from the real token's apiUrl and the product's api path. */
  readonly upstreamBase: (apiUrl: string, apiPath: string) => string;
  /** A phantom's claims besides iat, exp and jti. */
  readonly phantomClaims: (facts: FacadeFacts) => Record<string, string>;
  /** The variables a sealed job's code gets besides the token variables, and the fact each holds (SPEC). */
  readonly jobVariables: Readonly<Record<string, JobFact>>;
}

const KEYCLOAK_REALM_TOKEN = /^\/auth\/realms\/([^/]+)\/protocol\/openid-connect\/token$/;

/** Keycloak's realm token path for the tenant; the realm is compared without case (ast-cli lower-cases CX_TENANT). */
function isRealmTokenPath(path: string, tenant: string | undefined): boolean {
  const match = KEYCLOAK_REALM_TOKEN.exec(path);
  if (!match || tenant === undefined) return false;
  try {
    return decodeURIComponent(match[1]!).toLowerCase() === tenant.toLowerCase();
  } catch {
    return false;
  }
}

const startsWithAnyCase = (path: string, prefixes: readonly string[]) => prefixes.some((prefix) => path.toLowerCase().startsWith(prefix));

/** IdentityServer's answer (CxSAST, Access Control, SCA). */
const identityServerAnswer = (token: TokenAnswer) => ({
  access_token: token.accessToken,
  expires_in: token.expiresIn,
  token_type: 'Bearer',
  ...(token.scope ? { scope: token.scope } : {}),
});

const IDENTITY_SERVER_REFUSAL: TokenError = { status: 400, error: 'invalid_grant', description: 'invalid_username_or_password' };

const withoutSuffix = (url: string, suffix: string) => {
  const trimmed = url.replace(/\/+$/, '');
  return suffix && trimmed.toLowerCase().endsWith(suffix.toLowerCase()) ? trimmed.slice(0, -suffix.length) : trimmed;
};

const SCA_TOKEN_URLS = Object.fromEntries(Object.entries(SCA_REGIONS).map(([name, region]) => [name, region.tokenUrl]));

const regionNamed =
  (regions: Readonly<Record<string, string>>, matches: (tokenUrl: string, url: string) => boolean) => (tokenUrl: string) =>
    Object.entries(regions).find(([, url]) => matches(tokenUrl, url))?.[0];

/** What the self-hosted products' and SCA's tools take as the server (or authentication) URL, user and password. */
const SEALED_LOGIN_VARIABLES: Readonly<Record<string, JobFact>> = {
  CX_SEALED_SERVER_URL: 'origin',
  CX_SEALED_USERNAME: 'jobName',
  CX_SEALED_PASSWORD: 'jobKey',
};

const SELF_HOSTED_TOKEN_PATH = '/cxrestapi/auth/identity/connect/token';
const SCA_TOKEN_PATH = '/identity/connect/token';

export const HOSTINGS: Readonly<Record<Hosting, HostingRow>> = {
  cxone: {
    locate: locateCxOne,
    needs: needsOfCxOne,
    uses: ['iam-url', 'region', 'tenant', 'token-url'],
    urlInput: 'iam-url',
    locatedBy: 'region or iam-url',
    regions: CXONE_REGIONS,
    regionOf: regionNamed(CXONE_REGIONS, (tokenUrl, iam) => tokenUrl.startsWith(`${iam}/`)),
    childLogin: true,
    apiKeyIsJwt: true,
    tokenPath: (tenant) => realmTokenPath(tenant ?? ''),
    isTokenPath: isRealmTokenPath,
    jobGrant: 'client_credentials',
    tenantInAcrValues: false,
    wrongCredential: { status: 401, error: 'invalid_client', description: 'Invalid client or Invalid client credentials' },
    answer: (token) => ({
      access_token: token.accessToken,
      expires_in: token.expiresIn,
      refresh_expires_in: 0,
      token_type: 'Bearer',
      'not-before-policy': 0,
      ...(token.scope ? { scope: token.scope } : {}),
    }),
    forwards: (path) => path.startsWith('/api/'),
    apiPath: '/api',
    // The ast-base-url host: the token's apiUrl is that URL + /api.
    upstreamBase: (apiUrl) => new URL(apiUrl).origin,
    phantomClaims: ({ origin, tenant = '', jobName }) => ({
      iss: `${origin}/auth/realms/${tenant}`,
      typ: 'Bearer',
      azp: jobName,
      tenant_name: tenant,
      'ast-base-url': origin,
    }),
    // What a plain `cx` reads: it logs in as the job client at the facade, with no flag.
    jobVariables: {
      CX_BASE_URI: 'origin',
      CX_BASE_AUTH_URI: 'origin',
      CX_TENANT: 'tenant',
      CX_CLIENT_ID: 'jobName',
      CX_CLIENT_SECRET: 'jobKey',
    },
  },
  'self-hosted': {
    locate: locateSelfHosted,
    needs: needsOfSelfHosted,
    uses: ['server-url', 'token-url'],
    urlInput: 'server-url',
    locatedBy: 'server-url',
    regions: {},
    regionOf: () => undefined,
    childLogin: false,
    apiKeyIsJwt: false,
    tokenPath: () => SELF_HOSTED_TOKEN_PATH,
    // IIS matches paths without case.
    isTokenPath: (path) => path.toLowerCase() === SELF_HOSTED_TOKEN_PATH,
    jobGrant: 'password',
    tenantInAcrValues: false,
    wrongCredential: IDENTITY_SERVER_REFUSAL,
    answer: identityServerAnswer,
    forwards: (path) => startsWithAnyCase(path, ['/cxrestapi/', '/cxwebinterface/odata/']),
    apiPath: '/cxrestapi',
    // The server root: the token's apiUrl is that root + the product's api path.
    upstreamBase: withoutSuffix,
    phantomClaims: ({ origin, jobName }) => ({ iss: `${origin}/cxrestapi/auth/identity`, sub: jobName }),
    jobVariables: SEALED_LOGIN_VARIABLES,
  },
  'sca-cloud': {
    locate: locateSca,
    needs: needsOfSca,
    uses: ['region', 'tenant', 'token-url'],
    locatedBy: 'region',
    regions: SCA_TOKEN_URLS,
    regionOf: regionNamed(SCA_TOKEN_URLS, (tokenUrl, url) => tokenUrl === url),
    childLogin: false,
    apiKeyIsJwt: false,
    tokenPath: () => SCA_TOKEN_PATH,
    isTokenPath: (path) => path.toLowerCase() === SCA_TOKEN_PATH,
    jobGrant: 'password',
    tenantInAcrValues: true,
    wrongCredential: IDENTITY_SERVER_REFUSAL,
    answer: identityServerAnswer,
    forwards: (path) => !startsWithAnyCase(path, ['/identity/']) && path !== '/identity',
    apiPath: '',
    // The API host itself.
    upstreamBase: (apiUrl) => withoutSuffix(apiUrl, ''),
    phantomClaims: ({ origin, tenant = '', jobName }) => ({ iss: `${origin}/identity`, sub: jobName, tenant }),
    jobVariables: SEALED_LOGIN_VARIABLES,
  },
};

export function hostingOf(product: ProductName): HostingRow {
  return HOSTINGS[PRODUCTS[product].hosting];
}

/** The product's api path: its own (products.ts), else its hosting's. */
export function apiPathOf(product: ProductName): string {
  return PRODUCTS[product].apiPath ?? hostingOf(product).apiPath;
}

/** A path with a `.` or `..` segment (also percent-encoded), which a server might resolve to another route. */
export function hasDotSegment(path: string): boolean {
  return /(^|\/)(\.|%2e){1,2}(\/|$)/i.test(path);
}
