// `checkmarx-auth token`: a token on stdout, from the agent named by CX_AUTH_SOCK, else from the
// bare command's exchange.

import { askAgentForToken } from '../agent/client.ts';
import { MAX_MIN_VALIDITY } from '../agent/protocol.ts';
import { shortLivedWarning } from '../agent/cache.ts';
import { InputError } from '../core/errors.ts';
import { defaultOf } from '../core/inputs.ts';
import { inputsFromFlags } from './command-line.ts';
import { SOCK_VARIABLE } from '../core/variable-names.ts';
import { parseEnvName } from '../core/input-values.ts';
import { formatResult } from './formats.ts';
import type { VerbContext } from './verb-context.ts';

export const DEFAULT_MIN_VALIDITY = 60;

export async function runToken(context: VerbContext): Promise<number> {
  const minValidity = parseMinValidity(context.flags['min-validity']);
  const sock = context.env[SOCK_VARIABLE];
  if (!sock) {
    const { settings, result } = await context.exchangeCredentials();
    warnIf(context, shortLivedWarning(result, minValidity));
    context.mask(result);
    return context.write(formatResult(context.format, result, settings.envName));
  }
  const answer = await askAgentForToken(sock, minValidity, {
    onAcknowledged: () => context.debug('The token agent acknowledged the request.'),
  });
  context.debug(answer.source === 'cache' ? "The token came from the agent's cache." : 'The token came from a new exchange by the agent.');
  warnIf(context, answer.warning);
  context.mask(answer.result);
  return context.write(formatResult(context.format, answer.result, tokenEnvName(context)));
}

export function parseMinValidity(value: string | boolean | undefined): number {
  if (value === undefined) return DEFAULT_MIN_VALIDITY;
  const text = String(value).trim();
  if (!/^\d+$/.test(text) || Number(text) > MAX_MIN_VALIDITY) {
    throw new InputError('min-validity', `'${text}' is not a whole number of seconds from 0 to ${MAX_MIN_VALIDITY}.`);
  }
  return Number(text);
}

/** env-name as the bare command reads it (flag, then environment, then default). */
function tokenEnvName(context: VerbContext): string {
  const values = inputsFromFlags(context.flags, context.env);
  return parseEnvName(values['env-name'] ?? defaultOf('env-name'));
}

function warnIf(context: VerbContext, warning: string | undefined): void {
  if (warning) context.warn(warning);
}
