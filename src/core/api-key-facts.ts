// What a Checkmarx One API key (a JWT) says of itself, read without any request: its realm, its
// client, when it was issued and when it expires. The key is read, never verified: the IAM server
// is what verifies it.

import { realmOfClaims, realmUrlOf } from './endpoints.ts';
import { HOSTINGS } from './hostings.ts';
import { decodeJwtClaims, stringClaim, type JwtClaims } from './jwt.ts';
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

/** The facts of the plan's API key: only a Checkmarx One API key is a JWT that has any. */
export function keyFactsOf(plan: GrantPlan): KeyFacts | undefined {
  if (!HOSTINGS[plan.profile.hosting].apiKeyIsJwt || plan.grantType !== 'refresh_token' || !plan.apiKey) return undefined;
  const claims = decodeJwtClaims(plan.apiKey);
  if (!claims) return undefined;
  const realm = realmOfClaims(claims);
  const realmUrl = realm?.tenant ? realmUrlOf(realm.base, realm.tenant) : undefined;
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
