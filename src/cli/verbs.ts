// The CLI's verbs for the token agent: token, start-agent, stop-agent. The exchange itself is the
// bare command's, passed in; these add the agent around it.

import { realpathSync } from 'node:fs';
import { askAgent, AgentNotRunning, STOP_DEADLINE_MS, TOKEN_DEADLINE_MS } from '../agent/client.ts';
import { startAgent } from '../agent/launch.ts';
import { formatSock, newKey, parseSock, type AgentToken } from '../agent/protocol.ts';
import { SOCK_VARIABLE } from '../core/names.ts';
import { isSecretVariable, type RunTimeSecretValues } from '../core/run-time-secrets.ts';
import { parseEnvName } from '../core/settings.ts';
import { AgentError } from '../agent/errors.ts';
import { UsageError } from './usage-error.ts';
import { InputError } from '../core/errors.ts';
import type { Exchange } from '../core/exchange.ts';
import { FORMATS, formatResult, isVariableFormat, variableLines, type Format } from './formats.ts';
import { defaultOf, readInputs } from '../core/inputs.ts';
import { shortLivedWarning } from '../agent/cache.ts';
import { INSPECT_FORMATS } from './inspect.ts';
import { runExec } from './exec.ts';

export const VERBS = ['token', 'start-agent', 'stop-agent', 'inspect', 'exec'] as const;
export type Verb = (typeof VERBS)[number];
/** inspect sends no request and has formats of its own (text, json): see inspect.ts. */
export type ExchangeVerb = Exclude<Verb, 'inspect'>;

/** Flags a verb takes besides the input flags. */
export const VERB_FLAGS: Readonly<Record<Verb, Record<string, { type: 'string' }>>> = {
  token: { 'min-validity': { type: 'string' } },
  'start-agent': {},
  'stop-agent': {},
  inspect: {},
  exec: {},
};

/** The --format values each verb prints (stop-agent prints nothing on stdout); the first is the default. */
export const VERB_FORMATS: Readonly<Record<Verb, readonly string[]>> = {
  token: FORMATS,
  'start-agent': ['env', 'json', 'azure', 'powershell'],
  'stop-agent': [],
  inspect: INSPECT_FORMATS,
  exec: [],
};

export const DEFAULT_MIN_VALIDITY = 60;

export interface VerbContext {
  readonly flags: Readonly<Record<string, string | boolean | undefined>>;
  readonly format: Format;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The bare command's exchange: flags and environment in, a token out. */
  readonly exchange: () => Promise<Exchange>;
  readonly say: (message: string) => void;
  readonly warn: (message: string) => void;
  readonly debug: (message: string) => void;
  readonly write: (text: string) => number;
  /**
   * Registers the run-time secrets among `values` with the CI's log masking (on stderr, inside
   * GitHub Actions or Azure Pipelines); a verb calls it before it prints any of them.
   */
  readonly mask: (values: RunTimeSecretValues) => void;
  /** exec: the words after `--`. */
  readonly command?: readonly string[];
}

export function isVerb(word: string | undefined): word is Verb {
  return (VERBS as readonly string[]).includes(word ?? '');
}

export function runVerb(verb: ExchangeVerb, context: VerbContext): Promise<number> {
  return COMMANDS[verb](context);
}

const COMMANDS: Readonly<Record<ExchangeVerb, (context: VerbContext) => Promise<number>>> = {
  token: async (context) => {
    const minValidity = parseMinValidity(context.flags['min-validity']);
    const sock = context.env[SOCK_VARIABLE];
    if (!sock) {
      const { settings, result } = await context.exchange();
      warnIf(context, shortLivedWarning(result, minValidity));
      context.mask(result);
      return context.write(formatResult(context.format, result, settings.envName));
    }
    const { address, key } = parseSock(sock);
    const answer = await askAgent(address, { key, op: 'token', minValidity }, TOKEN_DEADLINE_MS, {
      onAcknowledged: () => context.debug('The token agent acknowledged the request.'),
    });
    if (!answer.ok) throw new AgentError(answer.code, answer.message);
    if (!('result' in answer)) throw new AgentError('agent/bad-answer', 'The token agent sent no token.');
    context.debug(
      answer.source === 'cache' ? "The token came from the agent's cache." : 'The token came from a new exchange by the agent.',
    );
    warnIf(context, answer.warning);
    context.mask(answer.result);
    return context.write(formatResult(context.format, answer.result, tokenEnvName(context)));
  },

  'start-agent': async (context) => {
    const formats = VERB_FORMATS['start-agent'];
    if (!formats.includes(context.format)) {
      const [first, ...others] = formats;
      throw new UsageError(
        'usage/unknown-format',
        `start-agent prints ${SOCK_VARIABLE} and the token variables: use --format ${first} (the default), ${others.slice(0, -1).join(', ')} or ${others.at(-1)}.`,
      );
    }
    const { settings, result } = await context.exchange();
    const arrivedAt = performance.now();
    const key = newKey();
    const entry = realpathSync(process.argv[1] ?? '');
    const { address } = await startAgent({ entry, settings, first: result, arrivedAt, key, env: context.env });
    const sock = formatSock(address, key);
    context.mask({ ...result, agentKey: key, authSock: sock });
    context.say(`Started the token agent; '${SOCK_VARIABLE}' names it. Stop it with 'checkmarx-auth stop-agent'.`);
    return context.write(startOutput(context.format, sock, result, settings.envName));
  },

  'stop-agent': async (context) => {
    const sock = context.env[SOCK_VARIABLE];
    // Exit 0: an exit trap after a failed start-agent adds no second error.
    if (!sock) {
      context.say(`${SOCK_VARIABLE} is not set: there is no token agent to stop.`);
      return 0;
    }
    const { address, key } = parseSock(sock);
    try {
      const answer = await askAgent(address, { key, op: 'stop' }, STOP_DEADLINE_MS);
      if (!answer.ok) throw new AgentError(answer.code, answer.message);
      context.say('Stopped the token agent.');
    } catch (error) {
      if (!(error instanceof AgentNotRunning)) throw error;
      context.say('The token agent had already stopped.');
    }
    return 0;
  },

  exec: runExec,
};

/** CX_AUTH_SOCK, then the token variables: json adds it as a key, the variable formats as a secret variable. */
export function startOutput(format: Format, sock: string, result: AgentToken, envName: string): string {
  const variables = formatResult(format, result, envName);
  if (format === 'json') return `${JSON.stringify({ authSock: sock, ...(JSON.parse(variables) as object) }, null, 2)}\n`;
  if (!isVariableFormat(format)) throw new UsageError('usage/unknown-format', `start-agent cannot print --format ${format}.`);
  return variableLines(format, [{ name: SOCK_VARIABLE, value: sock, secret: isSecretVariable(SOCK_VARIABLE) }]) + variables;
}

export function parseMinValidity(value: string | boolean | undefined): number {
  if (value === undefined) return DEFAULT_MIN_VALIDITY;
  const text = String(value).trim();
  if (!/^\d+$/.test(text) || Number(text) > 86_400) {
    throw new InputError('min-validity', `'${text}' is not a whole number of seconds from 0 to 86400.`);
  }
  return Number(text);
}

/** env-name as the bare command reads it (flag, then environment, then default). */
function tokenEnvName(context: VerbContext): string {
  const values = readInputs((name) => (typeof context.flags[name] === 'string' ? context.flags[name] : undefined), context.env);
  return parseEnvName(values['env-name'] ?? defaultOf('env-name'));
}

function warnIf(context: VerbContext, warning: string | undefined): void {
  if (warning) context.warn(warning);
}
