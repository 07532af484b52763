// Values that many tests need the same: token results as the core returns them, and the I/O that
// has no files.

import { isCertificate } from '../../src/io/certificates.ts';
import type { ConfigDeps } from '../../src/core/settings.ts';
import type { TokenResult } from '../../src/core/token-response.ts';

/** A readFile that finds nothing, for settings that name no file (and a test that a missing one fails). */
export const NO_FILES: ConfigDeps = {
  readFile: () => {
    throw Object.assign(new Error('no'), { code: 'ENOENT' });
  },
  isCertificate,
};

/** A CxSAST token result with a refresh token (which is never an output), changed by overrides. */
export function sastResult(overrides: Partial<TokenResult> = {}): TokenResult {
  return {
    accessToken: 'eyJ.token',
    tokenType: 'Bearer',
    expiresIn: 3600,
    expiresAt: '2030-01-01T00:00:00.000Z',
    scope: 'sast_rest_api',
    apiUrl: 'https://cx.example.com/cxrestapi',
    refreshToken: 'never-an-output',
    ...overrides,
  };
}

/** A Checkmarx One token result: a tenant, no scope, no refresh token. */
export function cxoneResult(overrides: Partial<TokenResult> = {}): TokenResult {
  return {
    accessToken: 'eyJ.one',
    tokenType: 'Bearer',
    expiresIn: 1800,
    expiresAt: '2030-01-01T00:00:00.000Z',
    apiUrl: 'https://ast.checkmarx.net/api',
    tenant: 'acme',
    ...overrides,
  };
}
