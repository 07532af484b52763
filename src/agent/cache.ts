// The agent's one token: reused while it stays valid for the asked time, measured on a monotonic
// clock from the moment its answer arrived; otherwise one exchange that concurrent askers share.

import type { AgentToken, TokenSource } from './protocol.ts';

export interface CachedToken {
  readonly result: AgentToken;
  /** performance.now() when the token's answer arrived. */
  readonly arrivedAt: number;
}

export interface Served {
  readonly result: AgentToken;
  readonly source: TokenSource;
  readonly warning?: string;
}

/** Milliseconds the token stays valid after `now`; negative once expired. */
export function validFor(token: CachedToken, now: number): number {
  return token.result.expiresIn * 1000 - (now - token.arrivedAt);
}

function canReuse(token: CachedToken | undefined, minValiditySeconds: number, now: number): token is CachedToken {
  return token !== undefined && validFor(token, now) >= minValiditySeconds * 1000;
}

export function shortLivedWarning(result: AgentToken, minValiditySeconds: number): string | undefined {
  if (result.expiresIn >= minValiditySeconds) return undefined;
  return `The new token is valid for ${result.expiresIn} s only, less than the ${minValiditySeconds} s asked for (--min-validity).`;
}

export class TokenCache {
  private current: CachedToken | undefined;
  private inFlight: Promise<CachedToken> | undefined;
  private readonly fetchToken: () => Promise<AgentToken>;
  private readonly now: () => number;

  constructor(fetchToken: () => Promise<AgentToken>, now: () => number, first?: CachedToken) {
    this.fetchToken = fetchToken;
    this.now = now;
    this.current = first;
  }

  async get(minValiditySeconds: number): Promise<Served> {
    if (canReuse(this.current, minValiditySeconds, this.now())) return { result: this.current.result, source: 'cache' };
    const fresh = await this.refresh();
    const warning = shortLivedWarning(fresh.result, minValiditySeconds);
    return { result: fresh.result, source: 'exchange', ...(warning ? { warning } : {}) };
  }

  /**
   * A fresh token because the API refused `refused` (the sealed facade's retry after an upstream
   * 401): concurrent callers share one exchange, and a caller whose refused token has already been
   * replaced gets the replacement without another exchange.
   */
  async renew(refused: string): Promise<Served> {
    const current = this.current;
    if (current && current.result.accessToken !== refused) return { result: current.result, source: 'cache' };
    return { result: (await this.refresh()).result, source: 'exchange' };
  }

  /** One exchange at a time; a failure rejects every sharer and keeps the old token. */
  private refresh(): Promise<CachedToken> {
    this.inFlight ??= this.fetchToken()
      .then((result) => (this.current = { result, arrivedAt: this.now() }))
      .finally(() => (this.inFlight = undefined));
    return this.inFlight;
  }
}
