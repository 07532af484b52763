// What a credential says of itself, and what the inputs resolve to, without any request: the
// `inspect` verb prints it, and both front ends warn from it when a Checkmarx One API key is about
// to expire. The key is read, never verified: the IAM server is what verifies it.

import { realmOfClaims } from './endpoints.ts';
import { decodeJwtClaims, stringClaim, type JwtClaims } from './jwt.ts';
import { CXONE_REGIONS, SCA_REGIONS } from './products.ts';
import { secretForms } from './secrets.ts';
import type { GrantPlan } from './settings.ts';

/** What a Checkmarx One API key (a Keycloak offline token, a JWT) says of itself. */
export interface KeyFacts {
  /** The realm URL of its `aud` (or `iss`) claim. */
  readonly realmUrl?: string;
  /** The client it belongs to. */
  readonly azp?: string;
  /** ISO-8601 UTC, from `iat`. */
  readonly issuedAt?: string;
  /** ISO-8601 UTC, from a positive `exp`; absent when the key does not expire by itself (`exp` 0 or absent). */
  readonly expiresAt?: string;
}

/** A key closer than this to its `exp` gets a warning. */
export const EXPIRY_WARNING_DAYS = 14;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The facts of the plan's API key: only a Checkmarx One API key is a JWT that has any. */
export function keyFactsOf(plan: GrantPlan): KeyFacts | undefined {
  if (plan.profile.hosting !== 'cxone' || plan.grantType !== 'refresh_token' || !plan.apiKey) return undefined;
  const claims = decodeJwtClaims(plan.apiKey);
  if (!claims) return undefined;
  const realm = realmOfClaims(claims);
  const realmUrl = realm?.tenant ? `${realm.base}/auth/realms/${encodeURIComponent(realm.tenant)}` : undefined;
  const azp = stringClaim(claims, 'azp');
  const issuedAt = instantClaim(claims, 'iat');
  const expiresAt = expiryClaim(claims);
  return {
    ...(realmUrl ? { realmUrl } : {}),
    ...(azp ? { azp } : {}),
    ...(issuedAt ? { issuedAt } : {}),
    ...(expiresAt ? { expiresAt } : {}),
  };
}

/** The API key's expiry for the `api-key-expires-at` output, when the key carries a positive `exp`. */
export function apiKeyExpiresAt(plan: GrantPlan): string | undefined {
  return keyFactsOf(plan)?.expiresAt;
}

/** `exp` 0 is Keycloak's "never" (an offline token without a lifespan), not 1970-01-01. */
function expiryClaim(claims: JwtClaims): string | undefined {
  const seconds = claims['exp'];
  return typeof seconds === 'number' && seconds > 0 ? instantClaim(claims, 'exp') : undefined;
}

/** A NumericDate claim (seconds) as an ISO-8601 UTC instant; anything else is not one. */
function instantClaim(claims: JwtClaims, name: string): string | undefined {
  const seconds = claims[name];
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) return undefined;
  const date = new Date(Math.floor(seconds) * 1000);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `in 5 days`, `in 1 day`, `in less than a day`: how far a future instant is, to the nearest day. */
export function inDays(instant: string, now: number): string {
  const left = Date.parse(instant) - now;
  if (left < DAY_MS) return 'in less than a day';
  const days = Math.round(left / DAY_MS);
  return `in ${days} day${days === 1 ? '' : 's'}`;
}

/** The warning both front ends give when the API key expires in less than 14 days, or has expired. */
export function expiryWarning(facts: KeyFacts | undefined, now: number): string | undefined {
  const expiresAt = facts?.expiresAt;
  if (!expiresAt) return undefined;
  const left = Date.parse(expiresAt) - now;
  if (left >= EXPIRY_WARNING_DAYS * DAY_MS) return undefined;
  const renew = 'Create a new key in Checkmarx One (Identity and Access Management, API Keys) and update the secret';
  if (left <= 0) return `The Checkmarx One API key expired at ${expiresAt}. ${renew}.`;
  return `The Checkmarx One API key expires at ${expiresAt} (${inDays(expiresAt, now)}). ${renew} before then.`;
}

/** The region a token endpoint belongs to, where it is one of Checkmarx's own hosts. */
export function regionOf(plan: GrantPlan): string | undefined {
  const { tokenUrl } = plan.endpoint;
  if (plan.profile.hosting === 'sca-cloud') {
    return Object.entries(SCA_REGIONS).find(([, region]) => region.tokenUrl === tokenUrl)?.[0];
  }
  if (plan.profile.hosting === 'cxone') {
    return Object.entries(CXONE_REGIONS).find(([, iam]) => tokenUrl.startsWith(`${iam}/`))?.[0];
  }
  return undefined;
}

/** What `inspect` shows: what the inputs resolve to, and what the key says. No secret is in it. */
export interface Inspection {
  readonly product: string;
  readonly grantType: string;
  readonly tokenUrl: string;
  readonly tenant?: string;
  readonly region?: string;
  readonly clientId: string;
  /** As far as it is known before a token arrives (Checkmarx One's token may name another). */
  readonly apiUrl?: string;
  readonly apiKey?: KeyFacts;
}

export function inspectPlan(plan: GrantPlan): Inspection {
  const region = regionOf(plan);
  const apiKey = keyFactsOf(plan);
  const { tenant, apiUrl } = plan.endpoint;
  return withheld(
    {
      product: plan.profile.name,
      grantType: plan.grantType,
      tokenUrl: plan.endpoint.tokenUrl,
      ...(tenant ? { tenant } : {}),
      ...(region ? { region } : {}),
      clientId: plan.clientId,
      ...(apiUrl ? { apiUrl } : {}),
      ...(apiKey ? { apiKey } : {}),
    },
    plan.secrets,
  );
}

/** The length of the shortest piece of a secret that may not be shown. */
export const SECRET_FRAGMENT = 8;
export const WITHHELD = '(withheld: it contains part of a secret input)';

/**
 * Every value that holds a piece of a secret (SECRET_FRAGMENT characters, or a whole shorter
 * secret of 4 or more), in any spelling secretForms knows, is replaced: a secret pasted into the
 * wrong input (a key as tenant, a password in a URL) must not be printed by a verb meant to help.
 */
export function withheld<T extends object>(object: T, secrets: readonly string[]): T {
  const forms = secretForms(secrets).filter((form) => form.length >= 4);
  const pieces = new Set(forms.flatMap((form) => fragments(form)));
  const holds = (value: string) => [...pieces].some((piece) => value.includes(piece));
  const clean = (value: unknown): unknown => {
    if (typeof value === 'string') return holds(value) ? WITHHELD : value;
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clean(v)]));
    return value;
  };
  return clean(object) as T;
}

function fragments(secret: string): string[] {
  if (secret.length <= SECRET_FRAGMENT) return [secret];
  return Array.from({ length: secret.length - SECRET_FRAGMENT + 1 }, (_, at) => secret.slice(at, at + SECRET_FRAGMENT));
}
