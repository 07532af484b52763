// Unsigned-looking test JWTs: the client never verifies signatures, so a random one is enough.

import { randomBytes, randomUUID } from 'node:crypto';

export type Claims = Record<string, unknown>;

export function makeJwt(claims: Claims): string {
  const header = encodeJson({ alg: 'HS256', typ: 'JWT' });
  return `${header}.${encodeJson(claims)}.${randomBytes(32).toString('base64url')}`;
}

/** The payload of a three-part JWT, or undefined for anything else. */
export function decodeJwt(token: string): Claims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    return isClaims(claims) ? claims : undefined;
  } catch {
    return undefined;
  }
}

export interface ApiKeyOptions {
  /** e.g. https://iam.checkmarx.net/auth/realms/acme */
  realmUrl: string;
  azp?: string;
  /** aud as ['account', realmUrl], the way some Keycloak versions write it */
  audArray?: boolean;
  /** realm only in iss: aud is left out (or ['account'] together with audArray) */
  useIss?: boolean;
  jti?: string;
  sub?: string;
  /** extra or overriding claims */
  claims?: Claims;
}

/** A Checkmarx One API key: a Keycloak offline refresh token. */
export function makeApiKey(options: ApiKeyOptions): string {
  return makeJwt(apiKeyClaims(options));
}

export function apiKeyClaims(options: ApiKeyOptions): Claims {
  const claims: Claims = {
    typ: 'Offline',
    iss: options.realmUrl,
    azp: options.azp ?? 'ast-app',
    sub: options.sub ?? randomUUID(),
    jti: options.jti ?? randomUUID(),
    iat: nowSeconds(),
  };
  const aud = apiKeyAudience(options);
  if (aud !== undefined) claims['aud'] = aud;
  return { ...claims, ...options.claims };
}

function apiKeyAudience(options: ApiKeyOptions): string | string[] | undefined {
  if (options.useIss) return options.audArray ? ['account'] : undefined;
  return options.audArray ? ['account', options.realmUrl] : options.realmUrl;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

function encodeJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function isClaims(value: unknown): value is Claims {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
