// Where exec's tokens come from: the agent that CX_AUTH_SOCK names (a sealed agent's come with
// its facade, which seals the child whatever exec was asked), or one exchange now and a cache,
// behind exec's own facade when sealed (--sealed, CX_SEALED).

import { askAgentForToken } from '../agent/client.ts';
import { TokenCache } from '../agent/cache.ts';
import { agentToken, type AgentToken } from '../agent/protocol.ts';
import { realTokensFrom } from '../agent/sealed/real-tokens.ts';
import { upstreamSettings, type SealOptions } from '../agent/sealed/seal.ts';
import { CheckmarxAuthError } from '../core/errors.ts';
import type { Exchange } from '../core/exchange.ts';
import { requestToken } from '../core/grant.ts';
import type { RawInputs } from '../core/inputs.ts';
import type { Hosting } from '../core/products.ts';
import { SOCK_VARIABLE } from '../core/variable-names.ts';
import type { SealedJob } from '../core/sealed-job.ts';
import { parseSeal } from '../core/settings.ts';
import { parseBoolean } from '../core/input-values.ts';
import { SYSTEM_IO } from '../io/system.ts';
import type { VerbContext } from './verb-context.ts';

/** exec was asked for more sealing than the agent gives: exit 2. */
class AgentNotSealing extends CheckmarxAuthError {
  constructor(message: string) {
    super('exec/agent-not-sealing', message);
    this.name = 'AgentNotSealing';
  }
}

/** How a sealed child is served: by a sealed agent's facade, or by exec's own. */
export type Sealing =
  | { readonly kind: 'agent'; readonly job: SealedJob; readonly asked: boolean }
  | { readonly kind: 'own'; readonly options: Omit<SealOptions, 'serving' | 'failed'>; readonly asked: true };

export interface TokenSource {
  readonly token: (minValiditySeconds: number) => Promise<AgentToken>;
  /** The secrets this source used (an exchange's settings), besides the inputs given. */
  readonly secrets: readonly string[];
  /** env-name as the exchange resolved it. */
  readonly envName?: string;
  /** The token the child starts with: a sealed agent's is a phantom. */
  readonly first: AgentToken;
  /** What the token is for: the exchange's plan, or the agent's answer (an older agent leaves it out). */
  readonly hosting?: Hosting;
  readonly sealing?: Sealing;
}

/**
 * The agent when CX_AUTH_SOCK is set (a sealed agent seals the child whatever exec was asked);
 * else one exchange now (failing before the child starts) and a cache, behind exec's own facade
 * when sealed.
 */
export async function tokenSource(context: VerbContext, values: RawInputs, minValidity: number): Promise<TokenSource> {
  const sock = context.env[SOCK_VARIABLE];
  if (sock) return agentSource(sock, values, minValidity);
  const { settings, result }: Exchange = await context.exchangeCredentials();
  const arrivedAt = performance.now();
  const log = { info: context.debug, warning: context.warn, debug: context.debug };
  const cache = new TokenCache(
    () => requestToken(settings.plan, settings.transport, { ...SYSTEM_IO, log }).then(agentToken),
    () => performance.now(),
    { result: agentToken(result), arrivedAt },
  );
  const first = agentToken(result);
  const sealing: Sealing | undefined = settings.sealed
    ? {
        kind: 'own',
        asked: true,
        options: {
          product: settings.plan.profile.name,
          readOnly: settings.readOnly,
          tokens: realTokensFrom(cache),
          upstream: upstreamSettings(settings.transport, context.env),
          ...(first.tenant ? { tenant: first.tenant } : {}),
        },
      }
    : undefined;
  return {
    first,
    secrets: settings.plan.secrets,
    envName: settings.envName,
    hosting: settings.plan.profile.hosting,
    token: async (seconds) => (await cache.get(seconds)).result,
    ...(sealing ? { sealing } : {}),
  };
}

/** The agent's tokens; a sealed agent's come with its facade, which the child gets. */
async function agentSource(sock: string, values: RawInputs, minValidity: number): Promise<TokenSource> {
  const answer = await askAgentForToken(sock, minValidity);
  const { result: first, sealed: job } = answer;
  const hosting = answer.hosting ? { hosting: answer.hosting } : {};
  const token = async (seconds: number) => (await askAgentForToken(sock, seconds)).result;
  const asked = parseBoolean(values, 'sealed');
  const readOnly = parseBoolean(values, 'read-only');
  if (!job) {
    if (asked) {
      throw new AgentNotSealing(
        `exec --sealed: the token agent that ${SOCK_VARIABLE} names is not sealed, and a sealed child gets no real token. Start the agent with 'checkmarx-auth start-agent --sealed' (the action's, the task's sealed input), or unset ${SOCK_VARIABLE}.`,
      );
    }
    parseSeal(values);
    return { secrets: [], token, first, ...hosting };
  }
  if (readOnly && !job.readOnly) {
    throw new AgentNotSealing(
      `exec --read-only: the sealed token agent that ${SOCK_VARIABLE} names forwards writes too. Start it with 'checkmarx-auth start-agent --sealed --read-only' (the action's, the task's read-only input).`,
    );
  }
  return { secrets: [], token, first, ...hosting, sealing: { kind: 'agent', job, asked } };
}
