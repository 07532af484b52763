// Where each product's token endpoint and API live, derived from the inputs. One locator per kind
// of hosting; the hosting table (hostings.ts) says which applies.

import { notOneOf } from './did-you-mean.ts';
import { InputError, type MissingInput } from './errors.ts';
import type { InputName, RawInputs } from './inputs.ts';
import { decodeJwtClaims, stringClaim, type JwtClaims } from './jwt.ts';
import { CXONE_REGIONS, DEFAULT_REGION, REGION_ALIASES, SCA_REGIONS, type GrantType, type ProductProfile } from './products.ts';

export interface Endpoint {
  readonly tokenUrl: string;
  /** Where the product's REST calls go, as far as it is known before the token arrives. */
  readonly apiUrl: string;
  readonly tenant?: string;
  /** A client id that the credentials themselves name (the API key's `azp`). */
  readonly credentialClientId?: string;
}

/** The inputs a self-hosted endpoint needs and the values lack (hostings.ts runs these before any locator). */
export function needsOfSelfHosted(values: RawInputs): MissingInput[] {
  return values['server-url'] || values['token-url'] ? [] : [{ input: 'server-url', note: 'e.g. https://cx.example.com' }];
}

export function needsOfSca(values: RawInputs): MissingInput[] {
  return values.tenant ? [] : [{ input: 'tenant', note: 'your SCA tenant account name' }];
}

/** An API key or an iam-url may name the tenant; the locator checks those. */
export function needsOfCxOne(values: RawInputs, grantType: GrantType): MissingInput[] {
  return grantType === 'refresh_token' || values.tenant || values['iam-url']
    ? []
    : [{ input: 'tenant', note: 'your Checkmarx One tenant' }];
}

export function locateSelfHosted(profile: ProductProfile, values: RawInputs): Endpoint {
  const tokenPath = profile.tokenPath ?? '';
  const tokenUrl = values['token-url'] && parseHttpUrl('token-url', values['token-url']).href;
  const serverUrl = values['server-url'] && normalizeServerUrl(values['server-url']);
  const root = serverUrl ?? (tokenUrl && serverRootOf(tokenUrl, tokenPath));
  if (!root && !tokenUrl) {
    throw new InputError('server-url', `is required for product '${profile.name}' (e.g. https://cx.example.com).`, {
      code: 'input/missing',
    });
  }
  return {
    tokenUrl: tokenUrl || `${root}${tokenPath}`,
    apiUrl: root ? `${root}${profile.apiPath ?? ''}` : '',
  };
}

/** The server root of a URL that ends with the product's token path (any case). */
export function serverRootOf(tokenUrl: string, tokenPath: string): string | undefined {
  return tokenUrl.toLowerCase().endsWith(tokenPath.toLowerCase()) ? tokenUrl.slice(0, -tokenPath.length) : undefined;
}

/**
 * `https://cx.example.com`, with or without a trailing `/` or `/cxrestapi`, is one server; so is
 * the portal address users copy from the browser, `.../CxWebClient/...` with anything after it.
 */
export function normalizeServerUrl(value: string): string {
  const url = parseHttpUrl('server-url', value);
  const portal = /\/cxwebclient(\/|$)/i.exec(url.pathname);
  if (portal) return `${url.origin}${url.pathname.slice(0, portal.index)}`;
  if (url.search || url.hash) throw new InputError('server-url', 'must not have a query or fragment.');
  const path = url.pathname
    .replace(/\/+$/, '')
    .replace(/\/cxrestapi$/i, '')
    .replace(/\/+$/, '');
  return `${url.origin}${path}`;
}

export function locateSca(profile: ProductProfile, values: RawInputs): Endpoint {
  const region = pickRegion(values, SCA_REGIONS);
  const tenant = values.tenant;
  if (!tenant)
    throw new InputError('tenant', `is required for product '${profile.name}': your SCA tenant account name.`, { code: 'input/missing' });
  return {
    tokenUrl: explicitUrl(values, 'token-url') ?? region.tokenUrl,
    apiUrl: region.apiUrl,
    tenant,
  };
}

export function locateCxOne(_profile: ProductProfile, values: RawInputs, grantType: GrantType): Endpoint {
  const apiKey = grantType === 'refresh_token' ? values['api-key'] : undefined;
  const claims = apiKey ? decodeJwtClaims(apiKey) : undefined;
  const keyRealm = realmOfClaims(claims);
  const iamRealm = values['iam-url'] ? parseIamUrl(values['iam-url']) : undefined;
  if (apiKey && !keyRealm && !(values.tenant && (values.region || values['iam-url']))) {
    throw new InputError(
      'api-key',
      'is not a Checkmarx One API key that names its tenant (not a JWT with an aud or iss realm URL); give tenant and region or iam-url as well.',
    );
  }
  const iamBase =
    iamRealm?.base ?? (values.region ? pickRegion(values, CXONE_REGIONS) : (keyRealm?.base ?? CXONE_REGIONS[DEFAULT_REGION]!));
  const tenant = values.tenant ?? iamRealm?.tenant ?? keyRealm?.tenant;
  if (!tenant) {
    throw new InputError('tenant', "is required for product 'cxone' unless the API key names it: your Checkmarx One tenant.", {
      code: 'input/missing',
    });
  }
  checkRealmName(tenant, values.tenant ? 'tenant' : iamRealm?.tenant ? 'iam-url' : 'api-key');
  const explicitTokenUrl = explicitUrl(values, 'token-url');
  const credentialClientId = stringClaim(claims, 'azp');
  return {
    tokenUrl: explicitTokenUrl ?? `${iamBase}${realmTokenPath(tenant)}`,
    apiUrl: `${astHostOf(explicitTokenUrl ?? iamBase)}/api`,
    tenant,
    ...(credentialClientId ? { credentialClientId } : {}),
  };
}

const REALM_NAME = /^[A-Za-z0-9._-]{1,255}$/;

/** A Checkmarx One tenant is a Keycloak realm name, and a path segment: `..` would climb out of /realms/. */
function checkRealmName(tenant: string, input: InputName): void {
  if (!REALM_NAME.test(tenant) || tenant === '.' || tenant === '..') {
    const shown = tenant.length > 60 ? `${tenant.slice(0, 60)}…` : tenant;
    throw new InputError(
      input,
      `the tenant '${shown}' is not a Checkmarx One tenant name: 1 to 255 letters, digits, '-', '_' or '.', and not '.' or '..'.`,
    );
  }
}

interface Realm {
  readonly base: string;
  readonly tenant?: string;
}

const REALMS_PATH = '/auth/realms/';

/** Keycloak's path of a realm's token endpoint: `/auth/realms/{tenant}/protocol/openid-connect/token`. */
export function realmTokenPath(tenant: string): string {
  return `${REALMS_PATH}${encodeURIComponent(tenant)}/protocol/openid-connect/token`;
}

/** Keycloak's URL of a realm below an IAM base URL: `{base}/auth/realms/{tenant}`. */
export function realmUrlOf(base: string, tenant: string): string {
  return `${base}${REALMS_PATH}${encodeURIComponent(tenant)}`;
}

/** The realm URL an API key names: `aud` (a string or the array entry with a realm), else `iss`. */
export function realmOfClaims(claims: JwtClaims | undefined): Realm | undefined {
  if (!claims) return undefined;
  const aud = claims.aud;
  const audiences = Array.isArray(aud) ? aud : [aud];
  const fromAud = audiences.find((a): a is string => typeof a === 'string' && a.includes(REALMS_PATH));
  const iss = stringClaim(claims, 'iss');
  const realmUrl = fromAud ?? (iss?.includes(REALMS_PATH) ? iss : undefined);
  return realmUrl ? splitRealmUrl(realmUrl) : undefined;
}

function splitRealmUrl(realmUrl: string): Realm | undefined {
  let url: URL;
  try {
    url = new URL(realmUrl);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  const at = url.pathname.indexOf(REALMS_PATH);
  const segment = url.pathname.slice(at + REALMS_PATH.length).split('/')[0] ?? '';
  let tenant: string;
  try {
    tenant = decodeURIComponent(segment);
  } catch {
    return undefined; // a malformed %-escape: not a realm URL
  }
  return { base: `${url.origin}${url.pathname.slice(0, at)}`, ...(tenant ? { tenant } : {}) };
}

/** Accepts the IAM base URL, with or without `/auth`, or a whole realm URL. */
function parseIamUrl(value: string): Realm {
  const url = parseHttpUrl('iam-url', value);
  if (url.pathname.includes(REALMS_PATH)) {
    const realm = splitRealmUrl(url.href);
    if (!realm)
      throw new InputError('iam-url', `the realm in '${value}' is not a valid URL path segment; give the IAM base URL and tenant instead.`);
    return realm;
  }
  return { base: `${url.origin}${url.pathname.replace(/\/+$/, '').replace(/\/auth$/i, '')}` };
}

/**
 * The API host that goes with an IAM or token URL: `https://eu.iam.checkmarx.net` →
 * `https://eu.ast.checkmarx.net`. A host with no `iam` label keeps its own origin: a private
 * endpoint never turns into Checkmarx's public one.
 */
export function astHostOf(iamUrl: string): string {
  const url = new URL(iamUrl);
  url.hostname = url.hostname.replace(/(^|\.)iam\./, '$1ast.');
  return url.origin;
}

function pickRegion<T>(values: RawInputs, regions: Readonly<Record<string, T>>): T {
  const given = (values.region ?? DEFAULT_REGION).toLowerCase();
  const name = Object.hasOwn(REGION_ALIASES, given) ? REGION_ALIASES[given]! : given;
  // Own keys only: 'region: __proto__' must not find Object.prototype.
  const region = Object.hasOwn(regions, name) ? regions[name] : undefined;
  if (region === undefined) throw new InputError('region', notOneOf(values.region ?? '', Object.keys(regions)));
  return region;
}

function explicitUrl(values: RawInputs, name: InputName): string | undefined {
  const value = values[name];
  return value === undefined ? undefined : parseHttpUrl(name, value).href;
}

function parseHttpUrl(input: InputName, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InputError(input, `'${value}' is not a URL; expected https://host[:port][/path].`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InputError(input, `must be an https:// (or http://) URL, not ${url.protocol}`);
  }
  if (url.username || url.password) {
    throw new InputError(input, 'must not contain credentials; use the username and password inputs.');
  }
  return url;
}
