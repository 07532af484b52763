// `checkmarx-auth exec [flags] -- COMMAND [ARGS...]`: runs COMMAND with fresh tokens and without
// the long-lived credential. For Checkmarx One the child also gets what `cx` (ast-cli) needs to log
// in through the loopback token endpoint (agent/token-endpoint.ts) with a one-time key. Tokens come
// from the agent when CX_AUTH_SOCK is set, else from one exchange and a cache that exchanges again
// (exec-sources.ts). Sealed (--sealed, or a sealed agent), the child gets phantoms and the
// facade's variables instead (agent/sealed/seal.ts, core/sealed-job.ts).

import type { ChildProcess } from 'node:child_process';
import { newKey, type AgentToken } from '../agent/protocol.ts';
import { startSeal } from '../agent/sealed/seal.ts';
import { MIN_SERVED_VALIDITY_SECONDS, startTokenEndpoint } from '../agent/token-endpoint.ts';
import { codedMessage } from '../core/errors.ts';
import { UsageError } from './usage-error.ts';
import { INPUTS, secretValues, defaultOf } from '../core/inputs.ts';
import { SOCK_VARIABLE } from '../core/variable-names.ts';
import { HOSTINGS } from '../core/hostings.ts';
import type { Hosting } from '../core/products.ts';
import { OUTPUTS } from '../core/outputs.ts';
import { secretForms } from '../core/secrets.ts';
import { sealedVariables, type SealedVariable } from '../core/sealed-job.ts';
import { cleanPastedKey } from '../core/settings.ts';
import { parseEnvName } from '../core/input-values.ts';
import { builtin } from '../io/builtins.ts';
import { inputsFromFlags } from './command-line.ts';
import { tokenSource, type Sealing, type TokenSource } from './exec-sources.ts';
import { tokenVariables } from './formats.ts';
import type { VerbContext } from './verb-context.ts';
import { NODE_LAUNCHER, startChild, startFailure, type ChildLauncher } from './start-child.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** The OAuth client the child logs in as; the key is what makes it this child's. */
export const EXEC_CLIENT_ID = 'checkmarx-auth-exec';
/** ast-cli keeps a token this long before it asks again (CX_TOKEN_EXPIRY_SECONDS, default 300). */
const CX_TOKEN_CACHE_SECONDS = 300;
const MAX_MIN_VALIDITY_SECONDS = 3600;
/** A secret this long or longer is also looked for inside a variable's value. */
const MIN_CONTAINED_SECRET = 8;

/** The variables that `cx` reads to log in, set for Checkmarx One only. */
export const LOGIN_VARIABLES = ['CX_BASE_AUTH_URI', 'CX_TENANT', 'CX_CLIENT_ID', 'CX_CLIENT_SECRET', 'CX_BASE_URI'] as const;

/** What `exec` tells the child about the loopback endpoint (Checkmarx One only). */
export interface ChildLogin {
  readonly authUri: string;
  readonly tenant: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

export interface ChildEnvironmentOptions {
  readonly result: AgentToken;
  readonly envName: string;
  /** Every secret in use (inputs as given and as used); a variable holding one is left out. */
  readonly secrets: readonly string[];
  readonly login?: ChildLogin;
  /** A sealed child's facade variables (core/sealed-job.ts). */
  readonly sealed?: readonly SealedVariable[];
  /** exec --sealed: CX_AUTH_SOCK is left out, so the child cannot ask the agent. */
  readonly withoutSock?: boolean;
}

/**
 * The child's environment: the parent's, without any variable that holds a secret in use (by
 * value, whatever its name) or names a secret input, without stale token variables, plus the
 * fresh token variables and, for Checkmarx One, the loopback login.
 */
export function childEnvironment(parent: Env, options: ChildEnvironmentOptions): Record<string, string> {
  const forms = secretForms(options.secrets.filter((secret) => secret.trim() !== ''));
  const contained = forms.filter((form) => form.length >= MIN_CONTAINED_SECRET);
  const holdsSecret = (value: string) => forms.includes(value.trim()) || contained.some((form) => value.includes(form));
  const dropped = new Set([
    ...INPUTS.filter((spec) => 'secret' in spec && spec.secret).flatMap((spec) => spec.env),
    ...OUTPUTS.map((spec) => spec.envName),
    options.envName,
    ...(options.withoutSock ? [SOCK_VARIABLE] : []),
  ]);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(parent)) {
    if (value === undefined || dropped.has(name.toUpperCase()) || dropped.has(name) || holdsSecret(value)) continue;
    env[name] = value;
  }
  for (const { name, value } of tokenVariables(options.result, options.envName)) env[name] = value;
  if (options.login) {
    Object.assign(env, {
      CX_BASE_AUTH_URI: options.login.authUri,
      CX_TENANT: options.login.tenant,
      CX_CLIENT_ID: options.login.clientId,
      CX_CLIENT_SECRET: options.login.clientSecret,
      CX_BASE_URI: options.result.apiUrl.replace(/\/api\/?$/, ''),
    });
  }
  for (const { name, value } of options.sealed ?? []) env[name] = value;
  return env;
}

/** Whether the child logs in through a loopback token endpoint: its hosting's row says (Checkmarx One's). */
export function logsInThroughEndpoint(hosting: Hosting | undefined): boolean {
  return hosting !== undefined && HOSTINGS[hosting].childLogin;
}

/** How long a token handed to the child must still be valid: as long as ast-cli keeps one. */
export function minValidityFor(env: Env): number {
  const asked = Number(env.CX_TOKEN_EXPIRY_SECONDS ?? CX_TOKEN_CACHE_SECONDS);
  const seconds = Number.isFinite(asked) ? asked : CX_TOKEN_CACHE_SECONDS;
  return Math.min(MAX_MIN_VALIDITY_SECONDS, Math.max(MIN_SERVED_VALIDITY_SECONDS, Math.ceil(seconds)));
}

/** 128 + the signal's number, as shells report a command that a signal ended. */
export function exitCodeOfChild(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const number = signal ? builtin('node:os').constants.signals[signal] : undefined;
  return 128 + (number ?? 0);
}

const FORWARDED_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export async function runExec(context: VerbContext, launcher: ChildLauncher = NODE_LAUNCHER): Promise<number> {
  const command = context.command ?? [];
  if (command.length === 0 || !command[0]) {
    throw new UsageError('usage/no-command', 'exec needs a command after --: checkmarx-auth exec [flags] -- COMMAND [ARGS...]');
  }
  if (context.flags.format !== undefined) context.warn('exec prints nothing itself, so --format is ignored.');

  const values = inputsFromFlags(context.flags, context.env);
  const given = secretValues(values);
  const minValidity = minValidityFor(context.env);
  const source = await tokenSource(context, values, minValidity);
  const secrets = [...given, ...given.map((secret) => cleanPastedKey(secret).value ?? secret), ...source.secrets];
  const envName = source.envName ?? parseEnvName(values['env-name'] ?? defaultOf('env-name'));
  const failed = (what: string) => (error: unknown) =>
    context.warn(`The ${what} for '${command[0]}' could not get a token: ${codedMessage(error)}`);
  const access = source.sealing
    ? await sealedAccess(source, source.sealing, minValidity, context, failed('facade'))
    : await loginAccess(source, minValidity, context, failed('token endpoint'));
  try {
    const env = childEnvironment(context.env, { result: access.first, envName, secrets, ...access.child });
    context.debug(`Running '${command[0]}' with ${access.describe}.`);
    return await runChild(command, env, launcher);
  } finally {
    await access.close();
  }
}

/** What the child is given to reach the product, and what ends with it. */
interface ChildAccess {
  /** The token the child starts with: a real one, or sealed, a phantom. */
  readonly first: AgentToken;
  readonly child: Pick<ChildEnvironmentOptions, 'login' | 'sealed' | 'withoutSock'>;
  /** For the debug line: what the child got. */
  readonly describe: string;
  readonly close: () => Promise<void>;
}

/** Not sealed: the token and, for Checkmarx One, the loopback token endpoint with a one-time key. */
async function loginAccess(
  source: TokenSource,
  minValidity: number,
  context: VerbContext,
  failed: (error: unknown) => void,
): Promise<ChildAccess> {
  const { first } = source;
  context.mask(first);
  if (!logsInThroughEndpoint(source.hosting) || !first.tenant) {
    return { first, child: {}, describe: 'a fresh token', close: async () => {} };
  }
  const key = newKey();
  const endpoint = await startTokenEndpoint({
    tenant: first.tenant,
    clientId: EXEC_CLIENT_ID,
    clientSecret: key,
    minValiditySeconds: minValidity,
    token: (seconds) => source.token(seconds),
    serving: (token) => context.mask(token),
    failed,
  });
  context.mask({ execKey: key });
  return {
    first,
    child: { login: { authUri: endpoint.url, tenant: first.tenant, clientId: EXEC_CLIENT_ID, clientSecret: key } },
    describe: `a fresh token and a token endpoint at ${endpoint.url} for as long as it runs`,
    close: () => endpoint.close(),
  };
}

/**
 * Sealed: the child gets a phantom and the facade's variables, and never CX_AUTH_SOCK when exec
 * itself was sealed. The facade is a sealed agent's, or exec's own for the child's life.
 */
async function sealedAccess(
  source: TokenSource,
  sealing: Sealing,
  minValidity: number,
  context: VerbContext,
  failed: (error: unknown) => void,
): Promise<ChildAccess> {
  const withoutSock = sealing.asked;
  if (sealing.kind === 'agent') {
    context.mask({ phantom: source.first.accessToken, jobKey: sealing.job.jobKey });
    const child = { sealed: sealedVariables(sealing.job), withoutSock };
    return {
      first: source.first,
      child,
      describe: `a phantom token and the token agent's facade at ${sealing.job.origin}`,
      close: async () => {},
    };
  }
  const seal = await startSeal({ ...sealing.options, serving: (phantom) => context.mask({ phantom }), failed });
  try {
    context.mask({ jobKey: seal.job.jobKey });
    const first = await seal.phantom(minValidity);
    return {
      first,
      child: { sealed: sealedVariables(seal.job), withoutSock },
      describe: `a phantom token and a facade at ${seal.job.origin} for as long as it runs`,
      close: () => seal.close(),
    };
  } catch (error) {
    await seal.close();
    throw error;
  }
}

/** Runs the command with inherited stdio, passing signals on; resolves to its exit code. */
function runChild(command: readonly string[], env: Record<string, string>, launcher: ChildLauncher): Promise<number> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = startChild(command, env, launcher);
    const handlers = FORWARDED_SIGNALS.map((signal) => [signal, () => void child.kill(signal)] as const);
    for (const [signal, handler] of handlers) process.on(signal, handler);
    const done = () => handlers.forEach(([signal, handler]) => process.off(signal, handler));
    child.once('error', (error: NodeJS.ErrnoException) => {
      done();
      reject(startFailure(command[0]!, error, launcher.platform));
    });
    child.once('exit', (code, signal) => {
      done();
      resolve(exitCodeOfChild(code, signal));
    });
  });
}
