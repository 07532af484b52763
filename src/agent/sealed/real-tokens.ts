// Where the facade gets real tokens: the agent's or exec's TokenCache, which exchanges the
// long-lived credential. Real tokens go upstream only; the job's code never sees one.

import type { TokenCache } from '../cache.ts';
import type { AgentToken } from '../protocol.ts';

export interface RealTokens {
  /** A real token valid for at least the given seconds. */
  token(minValiditySeconds: number): Promise<AgentToken>;
  /** A fresh real token because the API refused this one (shared by concurrent callers). */
  renew(refused: AgentToken): Promise<AgentToken>;
}

export function realTokensFrom(cache: TokenCache): RealTokens {
  return {
    token: async (seconds) => (await cache.get(seconds)).result,
    renew: async (refused) => (await cache.renew(refused.accessToken)).result,
  };
}
