// Phantom tokens: JWT-shaped, so that tools that read claims keep working, but signed with HS256
// by a key that exists only in this process's memory, so that the real Checkmarx rejects them.
// The facade accepts a phantom only with its own key's signature, HS256, and before its `exp`.

import type { JsonObject } from '../../core/json.ts';
import { parseJsonObject } from '../../core/json.ts';
import { builtin } from '../../io/builtins.ts';

const crypto = () => builtin('node:crypto');

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

export type PhantomClaims = Readonly<Record<string, string | number>>;

export class PhantomSigner {
  /** 256 random bits; never leaves this object. */
  readonly #key: Buffer;

  constructor() {
    this.#key = crypto().randomBytes(32);
  }

  /**
   * A phantom with the claims given, `iat`, `jti` and an `exp` no later than `notAfterSeconds`
   * (the real token's expiry, in seconds since the epoch).
   */
  sign(claims: PhantomClaims, nowSeconds: number, notAfterSeconds: number): string {
    const payload = { ...claims, iat: nowSeconds, exp: notAfterSeconds, jti: crypto().randomUUID() };
    const body = `${HEADER}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
    return `${body}.${this.#mac(body).toString('base64url')}`;
  }

  /** The claims of a phantom this signer made that has not expired; undefined for anything else. */
  verify(token: string, nowSeconds: number): JsonObject | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const [header, payload, signature] = parts as [string, string, string];
    // Only our own header, so HS256 only; the MAC below covers it as well.
    if (header !== HEADER) return undefined;
    const given = Buffer.from(signature, 'base64url');
    const expected = this.#mac(`${header}.${payload}`);
    // Constant time; the length of an HS256 MAC is no secret.
    if (given.length !== expected.length || !crypto().timingSafeEqual(given, expected)) return undefined;
    const claims = parseJsonObject(Buffer.from(payload, 'base64url').toString('utf8'));
    const exp = claims?.exp;
    return typeof exp === 'number' && nowSeconds < exp ? claims : undefined;
  }

  #mac(text: string): Buffer {
    return crypto().createHmac('sha256', this.#key).update(text).digest();
  }
}
