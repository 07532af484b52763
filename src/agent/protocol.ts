// The token agent's wire format: one line of JSON each way over a Unix socket or named pipe, and
// CX_AUTH_SOCK (`<address>#<key>`). Pure. Both sides parse what they read: the socket is input too.

import { parseJsonObject } from '../core/json.ts';
import { SOCK_VARIABLE } from '../core/variable-names.ts';
import type { GrantPlan } from '../core/settings.ts';
import type { TransportOptions } from '../core/transport.ts';
import { AgentError } from './errors.ts';
import { isErrorCode, type ErrorCode } from '../core/error-codes.ts';
import { outputProblem } from '../core/output-rules.ts';
import type { TokenResult } from '../core/token-response.ts';
import { printable } from '../core/printable.ts';
import { HOSTING_NAMES, type Hosting } from '../core/products.ts';
import { builtin } from '../io/builtins.ts';
import { randomBytes } from '../io/random.ts';
import { PRODUCTS, type ProductName } from '../core/products.ts';
import type { SealedJob } from '../core/sealed-job.ts';

/** The folders the agent and the action make: the post step removes only folders so named. */
export const SOCKET_FOLDER_PREFIX = 'cxauth-';
export const COMMAND_FOLDER_PREFIX = 'checkmarx-auth-bin-';
/** One request or answer line, at most. */
export const MAX_LINE_BYTES = 64 * 1024;
/** The CLI's hidden verb that runs the agent, and the line the agent prints once it listens. */
export const AGENT_VERB = '__agent';
export const READY_LINE = 'ready';

/** What the launcher writes to the agent's stdin. */
export interface AgentSettings {
  readonly plan: GrantPlan;
  readonly transport: TransportOptions;
  readonly address: string;
  readonly key: string;
  /** The folder made for the socket, removed on stop (Unix). */
  readonly folder?: string;
  /** A folder whose removal stops the agent (the command folder under the CI's temp folder; Windows too). */
  readonly watch?: string;
  readonly first: AgentToken;
  /** How long ago the first token's answer arrived. */
  readonly ageMs: number;
  /**
   * A sealed agent's: it hands out phantoms and serves the facade, for the plan's product, to the
   * real API with the transport's TLS, CA, timeout and proxies, as the exchange.
   */
  readonly sealed?: { readonly readOnly: boolean };
}

/** What the agent hands out: never the refresh token. */
export type AgentToken = Omit<TokenResult, 'refreshToken'>;

export type AgentRequest =
  { readonly key: string; readonly op: 'token'; readonly minValidity: number } | { readonly key: string; readonly op: 'stop' };

export type TokenSource = 'cache' | 'exchange';

/**
 * A token from the agent. `hosting` says what it serves, so that a client need not guess from the
 * token's shape; an agent from before it was sent leaves it out.
 */
export interface AgentTokenAnswer {
  readonly ok: true;
  readonly result: AgentToken;
  readonly source: TokenSource;
  readonly warning?: string;
  readonly hosting?: Hosting;
  /** A sealed agent's: `result` is a phantom, and this is its facade, to hand on to the job's code. */
  readonly sealed?: SealedJob;
}

export type AgentAnswer =
  | AgentTokenAnswer
  /** `pid` tells who answered: the post step signals a process only if it is that agent. */
  | { readonly ok: true; readonly stopped: true; readonly pid?: number }
  /** `code` decides the exit code; `exitCode` is sent as well for callers from before codes. */
  | { readonly ok: false; readonly code: ErrorCode; readonly message: string; readonly exitCode: number };

/** 256 random bits, base64url (43 characters). */
export function newKey(): string {
  return randomBytes(32).toString('base64url');
}

export function formatSock(address: string, key: string): string {
  return `${address}#${key}`;
}

/** `<address>#<key>`, split on the last `#` (a Unix path may contain one; a key never does). */
export function parseSock(value: string | undefined): { address: string; key: string } {
  const text = value?.trim() ?? '';
  const at = text.lastIndexOf('#');
  const address = text.slice(0, Math.max(at, 0));
  const key = at === -1 ? '' : text.slice(at + 1);
  if (!address || !/^[A-Za-z0-9_-]{22,}$/.test(key)) {
    throw new AgentError(
      'agent/bad-sock',
      `${SOCK_VARIABLE} is not '<address>#<key>' as start-agent or the action's agent input print it.`,
    );
  }
  return { address, key };
}

/** Constant time for keys of equal length; a different length is refused at once. */
export function keysMatch(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && crypto().timingSafeEqual(a, b);
}

// Loaded on first use: a `token` call served by the agent never needs it (see BENCHMARKS.md).
const crypto = () => builtin('node:crypto');

export function encodeLine(message: AgentRequest | AgentAnswer): string {
  return `${JSON.stringify(message)}\n`;
}

/** What the agent sends the moment a request line arrives, before it works out the answer. */
export const ACK_LINE = '{"ok":true,"ack":true}\n';

/**
 * What the agent sends while it works on an acknowledged request (its exchange), every
 * HEARTBEAT_MS: a space. JSON allows whitespace before a value, so the answer line stays one JSON
 * line, which a client that knows nothing of this reads as before; a client that does knows the
 * agent is alive, and tells a slow exchange from a frozen agent by silence.
 */
export const HEARTBEAT = ' ';
export const HEARTBEAT_MS = 2_000;

export function isAck(line: string): boolean {
  const json = parseJsonObject(line);
  return json?.ok === true && json.ack === true;
}

/** A day: the agent does not live longer, so no token needs to last longer. */
export const MAX_MIN_VALIDITY = 86_400;

export function parseRequest(line: string): AgentRequest | undefined {
  const json = parseJsonObject(line);
  if (!json || typeof json.key !== 'string') return undefined;
  if (json.op === 'stop') return { key: json.key, op: 'stop' };
  const minValidity = json.minValidity;
  if (json.op !== 'token' || !isNumberIn(minValidity, 0, MAX_MIN_VALIDITY)) return undefined;
  return { key: json.key, op: 'token', minValidity };
}

export function parseAnswer(line: string): AgentAnswer | undefined {
  const json = parseJsonObject(line);
  if (!json) return undefined;
  if (json.ok === false) {
    const exitCode = json.exitCode;
    if (typeof json.message !== 'string' || !isNumberIn(exitCode, 1, 2)) return undefined;
    // The socket is input too: only a code this version knows is taken as one.
    const code = isErrorCode(json.code) ? json.code : 'agent/bad-answer';
    return { ok: false, code, message: printable(json.message), exitCode };
  }
  if (json.ok !== true) return undefined;
  if (json.stopped === true) return { ok: true, stopped: true, ...(isNumberIn(json.pid, 1, 2 ** 32) ? { pid: json.pid } : {}) };
  const result = parseToken(json.result);
  if (!result || (json.source !== 'cache' && json.source !== 'exchange')) return undefined;
  const warning = typeof json.warning === 'string' ? printable(json.warning) : undefined;
  const hosting = HOSTING_NAMES.find((name) => name === json.hosting);
  // A sealed agent's facts are checked like the token: a malformed one makes the answer not protocol.
  const sealed = json.sealed === undefined ? undefined : parseSealedJob(json.sealed, result);
  if (sealed === null) return undefined;
  return {
    ok: true,
    result,
    source: json.source,
    ...(warning ? { warning } : {}),
    ...(hosting ? { hosting } : {}),
    ...(sealed ? { sealed } : {}),
  };
}

const FACADE_ORIGIN = /^http:\/\/127\.0\.0\.1:\d{1,5}$/;
const JOB_NAME = /^[A-Za-z0-9._-]{1,64}$/;
const JOB_KEY = /^[A-Za-z0-9_-]{22,256}$/;

/**
 * A sealed agent's facts, from the socket (untrusted): a loopback origin, a known product, a plain
 * job name and key, the token's own tenant; null for anything else. An older agent sends none.
 */
function parseSealedJob(value: unknown, token: AgentToken): SealedJob | null {
  if (typeof value !== 'object' || value === null) return null;
  const { product, origin, tenant, jobName, jobKey, readOnly } = value as Record<string, unknown>;
  const known = typeof product === 'string' && Object.hasOwn(PRODUCTS, product);
  const plain = typeof origin === 'string' && FACADE_ORIGIN.test(origin) && typeof jobName === 'string' && JOB_NAME.test(jobName);
  const keyed = typeof jobKey === 'string' && JOB_KEY.test(jobKey) && typeof readOnly === 'boolean';
  if (!known || !plain || !keyed || tenant !== token.tenant) return null;
  return {
    product: product as ProductName,
    origin,
    ...(token.tenant ? { tenant: token.tenant } : {}),
    jobName,
    jobKey,
    readOnly,
  };
}

/**
 * The fields a printed token may have; anything else is dropped. Each value is held to the rule
 * the token endpoint's answer is held to (outputProblem), so both paths print the same.
 */
function parseToken(value: unknown): AgentToken | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { accessToken, tokenType, expiresIn, expiresAt, apiUrl, scope, tenant, apiKeyExpiresAt } = value as Record<string, unknown>;
  const strings = [accessToken, tokenType, expiresAt, apiUrl];
  if (!strings.every((s) => typeof s === 'string') || !isNumberIn(expiresIn, 0, 1e9)) return undefined;
  const optional = [scope, tenant, apiKeyExpiresAt];
  if (!optional.every((s) => s === undefined || typeof s === 'string')) return undefined;
  const token: AgentToken = {
    accessToken: accessToken as string,
    tokenType: tokenType as string,
    expiresIn,
    expiresAt: expiresAt as string,
    apiUrl: apiUrl as string,
    ...(scope ? { scope: scope as string } : {}),
    ...(tenant ? { tenant: tenant as string } : {}),
    ...(apiKeyExpiresAt ? { apiKeyExpiresAt: apiKeyExpiresAt as string } : {}),
  };
  return outputProblem(token) ? undefined : token;
}

/** Without its refresh token. */
export function agentToken(result: TokenResult): AgentToken {
  const { refreshToken, ...token } = result;
  void refreshToken;
  return token;
}

function isNumberIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;
}
