// What the `inspect` verb shows: what the inputs resolve to, and what the API key says of itself,
// with no request sent and no secret, nor a piece of one, in it.

import { keyFactsOf, type KeyFacts } from './api-key-facts.ts';
import { HOSTINGS } from './hostings.ts';
import type { GrantPlan } from './settings.ts';
import { withheld } from './withheld.ts';

/** What `inspect` shows: what the inputs resolve to, and what the key says. No secret is in it. */
export interface Inspection {
  readonly product: string;
  readonly grantType: string;
  readonly tokenUrl: string;
  readonly tenant?: string;
  readonly region?: string;
  readonly clientId: string;
  /** As far as it is known before a token arrives (Checkmarx One's token may name another). */
  readonly apiUrl?: string;
  readonly apiKey?: KeyFacts;
}

export function inspectPlan(plan: GrantPlan): Inspection {
  const region = HOSTINGS[plan.profile.hosting].regionOf(plan.endpoint.tokenUrl);
  const apiKey = keyFactsOf(plan);
  const { tenant, apiUrl } = plan.endpoint;
  return withheld(
    {
      product: plan.profile.name,
      grantType: plan.grantType,
      tokenUrl: plan.endpoint.tokenUrl,
      ...(tenant ? { tenant } : {}),
      ...(region ? { region } : {}),
      clientId: plan.clientId,
      ...(apiUrl ? { apiUrl } : {}),
      ...(apiKey ? { apiKey } : {}),
    },
    plan.secrets,
  );
}
