// Reads a JWT's claims without verifying the signature: the claims only tell us where to send the
// key and which client it belongs to; the IAM server is what verifies it.

import { parseJsonObject, type JsonObject } from './json.ts';

export type JwtClaims = JsonObject;

export function decodeJwtClaims(token: string): JwtClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts[1]) return undefined;
  return parseJsonObject(Buffer.from(parts[1], 'base64url').toString('utf8'));
}

export function stringClaim(claims: JwtClaims | undefined, name: string): string | undefined {
  const value = claims?.[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
