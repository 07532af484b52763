// What every loopback token endpoint shares (exec's, agent/token-endpoint.ts, and the sealed
// facade's, agent/sealed/token-endpoint.ts): the JSON answer, OAuth error bodies, the form read
// with a 64 KiB limit (413 beyond it), and OAuth client authentication by form or HTTP Basic.

import type { IncomingMessage, ServerResponse } from 'node:http';
import { keysMatch } from './protocol.ts';

export const MAX_BODY_BYTES = 64 * 1024;

export type Json = Record<string, string | number>;

export function reply(res: ServerResponse, status: number, body: Json, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
    Pragma: 'no-cache',
    ...headers,
  });
  res.end(text);
}

export const oauthError = (error: string, description: string): Json => ({ error, error_description: description });

/** Reads the request body, at most MAX_BODY_BYTES (413 beyond it, without reading the rest), then calls `done`. */
export function readForm(req: IncomingMessage, res: ServerResponse, done: (body: string) => void): void {
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) return tooLarge(req, res);
  const chunks: Buffer[] = [];
  let size = 0;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) tooLarge(req, res);
    else chunks.push(chunk);
  });
  req.once('end', () => {
    if (size > MAX_BODY_BYTES) return;
    done(Buffer.concat(chunks).toString('utf8'));
  });
  req.once('error', () => res.destroy());
}

function tooLarge(req: IncomingMessage, res: ServerResponse): void {
  if (res.headersSent) return;
  req.removeAllListeners('data');
  reply(res, 413, oauthError('invalid_request', `The request body is larger than ${MAX_BODY_BYTES} bytes.`), { Connection: 'close' });
  // Stop reading, but let the answer reach the client before the connection goes.
  res.once('finish', () => req.socket.destroy());
}

export interface FormProblem {
  readonly status: number;
  readonly body: Json;
}

/** The body as a form, or what is wrong with it: not a form, or a parameter given twice. */
export function parseForm(req: IncomingMessage, body: string, single: readonly string[]): URLSearchParams | FormProblem {
  const type = (req.headers['content-type'] ?? 'application/x-www-form-urlencoded').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    return { status: 400, body: oauthError('invalid_request', 'The body must be application/x-www-form-urlencoded.') };
  }
  const form = new URLSearchParams(body);
  const repeated = single.find((name) => form.getAll(name).length > 1);
  if (repeated) return { status: 400, body: oauthError('invalid_request', `duplicated parameter ${repeated}`) };
  return form;
}

export interface ClientCredential {
  readonly clientId: string;
  readonly clientSecret: string;
}

/**
 * The client and key, as Keycloak's ClientIdAndSecretAuthenticator takes them: by HTTP Basic
 * (RFC 6749 2.3.1: each part form-encoded), by form fields, or both, where each part may come
 * either way (Basic plus a form `client_id` and no form secret authenticates with the Basic
 * secret). What is given twice must be right twice: a form `client_id` other than the Basic one
 * is refused. An Authorization header that is not Basic is refused. The key is compared in
 * constant time.
 */
export function clientAuthenticated(expected: ClientCredential, authorization: string | undefined, form: URLSearchParams): boolean {
  const basic = authorization === undefined ? undefined : parseBasic(authorization);
  if (authorization !== undefined && !basic) return false;
  const ids = given(basic?.id, form.get('client_id'));
  const secrets = given(basic?.secret, form.get('client_secret'));
  if (ids.length === 0 || secrets.length === 0) return false;
  // Every check runs, so that the time taken does not say which part was wrong.
  return [...ids.map((id) => id === expected.clientId), ...secrets.map((secret) => keysMatch(secret, expected.clientSecret))].reduce(
    (all, ok) => all && ok,
    true,
  );
}

/** The values given, by Basic and by form, in that order. */
function given(...values: Array<string | null | undefined>): string[] {
  return values.filter((value): value is string => typeof value === 'string');
}

export function parseBasic(header: string): { id: string; secret: string } | undefined {
  const match = /^basic\s+([A-Za-z0-9+/=._~-]+)\s*$/i.exec(header);
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return undefined;
  try {
    const decode = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '));
    return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
  } catch {
    return undefined;
  }
}
