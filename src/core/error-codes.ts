// Every error a user can meet has one of these stable codes, printed with its message
// (`checkmarx-auth: error [token-request/invalid-grant]: ...`). Scripts and docs rely on them:
// docs/troubleshooting.md has one entry per code (a test keeps both lists equal), and a code,
// once published, is never renamed. Codes are ours: text from a server never becomes one.

import { EXIT_TOKEN_FAILED, EXIT_USAGE } from './exit-codes.ts';

interface CodeSpec {
  /** What the code means, in one line. */
  readonly meaning: string;
  /** The CLI's exit code for it. */
  readonly exit: number;
}

const usage = (meaning: string): CodeSpec => ({ meaning, exit: EXIT_USAGE });
const failed = (meaning: string): CodeSpec => ({ meaning, exit: EXIT_TOKEN_FAILED });

export const ERROR_CODES = {
  'input/missing': usage('An input that the product and grant type need is not given.'),
  'input/invalid': usage('An input is given but its value is not valid.'),
  'input/ca-cert': usage('ca-cert is not a readable PEM file or PEM text with valid certificates.'),
  'input/connection': usage('The Azure DevOps service connection is not available or not a Checkmarx connection.'),
  'input/runner': usage("The CI's own temporary folder is not set, or is not a folder."),

  'usage/unknown-flag': usage('The command line has a flag the CLI does not know.'),
  'usage/flag-value': usage('A flag lacks its value, or has one it does not take.'),
  'usage/unexpected-argument': usage('A word on the command line is neither a verb nor a --flag.'),
  'usage/unknown-verb': usage('The first word looks like a verb the CLI does not have.'),
  'usage/unknown-format': usage('--format names a format the verb cannot print.'),
  'usage/no-command': usage('exec has no command after --.'),

  'token-request/invalid-grant': failed('The server refused the credentials (OAuth invalid_grant).'),
  'token-request/invalid-client': failed('The server refused the OAuth client (invalid_client).'),
  'token-request/unauthorized-client': failed('The OAuth client may not use this grant type (unauthorized_client).'),
  'token-request/unsupported-grant-type': failed('The server does not support the grant type (unsupported_grant_type).'),
  'token-request/invalid-scope': failed('The server refused the scope (invalid_scope).'),
  'token-request/invalid-request': failed('The server found the request malformed (invalid_request).'),
  'token-request/rate-limited': failed('The server kept answering 429 Too Many Requests.'),
  'token-request/server-error': failed('The server kept answering with an HTTP 5xx status.'),
  'token-request/http-error': failed('The server answered another HTTP error status.'),
  'token-request/redirect': failed('The token endpoint answered with a redirect, which is not followed.'),
  'token-request/html': failed('The token endpoint answered with a web page instead of JSON.'),
  'token-request/bad-response': failed('The answer is not a valid token response.'),
  'token-request/timeout': failed('The token endpoint did not answer in time.'),
  'token-request/tls': failed('The TLS connection failed (certificate, or https:// to a plain HTTP port).'),
  'token-request/network': failed('The token endpoint could not be reached (DNS, refused, reset).'),
  'token-request/proxy': failed('The proxy refused the connection or asked for authentication.'),

  'runner/file': failed("A runner's file (GITHUB_OUTPUT, GITHUB_ENV, ...) cannot be written."),

  'agent/not-running': failed('CX_AUTH_SOCK names a token agent that is not running.'),
  'agent/not-mapped': usage('A later Azure Pipelines step runs token or exec without CX_AUTH_SOCK mapped, and lacks inputs of its own.'),
  'agent/bad-sock': usage("CX_AUTH_SOCK is not '<address>#<key>'."),
  'agent/refused': usage("The token agent refused the request (not this agent's key)."),
  'agent/no-answer': failed('The token agent did not answer in time.'),
  'agent/bad-answer': failed('The token agent sent an answer that is not its protocol.'),
  'agent/unreachable': failed('Talking to the token agent failed.'),
  'agent/start-failed': failed('The token agent did not start.'),
  'agent/cancelled': failed('The step was cancelled while the token agent started.'),

  'exec/not-found': { meaning: "exec's command was not found on PATH.", exit: 127 },
  'exec/cannot-start': { meaning: "exec's command was found but could not be started.", exit: 126 },
  'exec/agent-not-sealing': usage(
    'exec --sealed with a token agent that is not sealed, or --read-only with a sealed agent that forwards writes.',
  ),

  'internal/unexpected': failed('A failure this tool did not expect: a bug. Please report it.'),
} as const satisfies Record<string, CodeSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/** The OAuth `error` values (RFC 6749, 5.2) that have a code of their own; any other is not a code. */
const OAUTH_ERROR_CODES: Readonly<Record<string, ErrorCode>> = {
  invalid_grant: 'token-request/invalid-grant',
  invalid_client: 'token-request/invalid-client',
  unauthorized_client: 'token-request/unauthorized-client',
  unsupported_grant_type: 'token-request/unsupported-grant-type',
  invalid_scope: 'token-request/invalid-scope',
  invalid_request: 'token-request/invalid-request',
};

/** The code of an OAuth `error` from the server, only if it is one of the known ones. */
export function oauthErrorCode(oauthError: string | undefined): ErrorCode | undefined {
  return oauthError !== undefined && Object.hasOwn(OAUTH_ERROR_CODES, oauthError) ? OAUTH_ERROR_CODES[oauthError] : undefined;
}
