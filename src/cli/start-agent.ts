// `checkmarx-auth start-agent`: one exchange, then a token agent for the rest of the job; prints
// CX_AUTH_SOCK and the token variables. Sealed (--sealed), the token is a phantom and the
// facade's variables follow (core/sealed-job.ts).

import { realpathSync } from 'node:fs';
import { startAgent } from '../agent/launch.ts';
import { anyCiTempFolder, keptVariables } from '../ci/agent-environment.ts';
import { formatSock, newKey, type AgentToken } from '../agent/protocol.ts';
import { SOCK_VARIABLE } from '../core/variable-names.ts';
import { isSecretVariable } from '../core/run-time-secrets.ts';
import { sealedVariables, type SealedVariable } from '../core/sealed-job.ts';
import { formatResult, isVariableFormat, variableLines, type Format } from './formats.ts';
import { UsageError } from './usage-error.ts';
import type { VerbContext } from './verb-context.ts';

/** The --format values start-agent prints; the first is the default. */
export const START_AGENT_FORMATS: readonly Format[] = ['env', 'json', 'azure', 'powershell'];

export async function runStartAgent(context: VerbContext): Promise<number> {
  if (!START_AGENT_FORMATS.includes(context.format)) {
    const [first, ...others] = START_AGENT_FORMATS;
    throw new UsageError(
      'usage/unknown-format',
      `start-agent prints ${SOCK_VARIABLE} and the token variables: use --format ${first} (the default), ${others.slice(0, -1).join(', ')} or ${others.at(-1)}.`,
    );
  }
  const { settings, result } = await context.exchangeCredentials();
  const arrivedAt = performance.now();
  const key = newKey();
  const entry = realpathSync(process.argv[1] ?? '');
  const environment = keptVariables(context.env);
  const tempBase = anyCiTempFolder(context.env);
  const { address, sealed } = await startAgent({
    entry,
    settings,
    first: result,
    arrivedAt,
    key,
    environment,
    ...(tempBase ? { tempBase } : {}),
  });
  const sock = formatSock(address, key);
  context.mask({ ...result, agentKey: key, authSock: sock, phantom: sealed?.token.accessToken, jobKey: sealed?.job.jobKey });
  context.say(
    sealed
      ? `Started the sealed token agent; '${SOCK_VARIABLE}' names it, and its facade of the product is at ${sealed.job.origin}${sealed.job.readOnly ? ' (read-only)' : ''}. Stop it with 'checkmarx-auth stop-agent'.`
      : `Started the token agent; '${SOCK_VARIABLE}' names it. Stop it with 'checkmarx-auth stop-agent'.`,
  );
  const variables = sealed ? sealedVariables(sealed.job) : [];
  return context.write(startOutput(context.format, sock, sealed?.token ?? result, settings.envName, variables));
}

/**
 * CX_AUTH_SOCK, then the token variables, then a sealed job's variables: json adds CX_AUTH_SOCK as
 * authSock and the sealed variables under sealedVariables (by name), the variable formats set each,
 * the secret ones as secret variables.
 */
export function startOutput(
  format: Format,
  sock: string,
  result: AgentToken,
  envName: string,
  sealed: readonly SealedVariable[] = [],
): string {
  const variables = formatResult(format, result, envName);
  if (format === 'json') {
    const sealedJson = sealed.length > 0 ? { sealedVariables: Object.fromEntries(sealed.map(({ name, value }) => [name, value])) } : {};
    return `${JSON.stringify({ authSock: sock, ...(JSON.parse(variables) as object), ...sealedJson }, null, 2)}\n`;
  }
  if (!isVariableFormat(format)) throw new UsageError('usage/unknown-format', `start-agent cannot print --format ${format}.`);
  return (
    variableLines(format, [{ name: SOCK_VARIABLE, value: sock, secret: isSecretVariable(SOCK_VARIABLE) }]) +
    variables +
    variableLines(format, sealed)
  );
}
