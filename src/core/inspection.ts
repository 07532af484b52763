// What the `inspect` verb shows: what the inputs resolve to, and what the API key says of itself,
// with no request sent and no secret, nor a piece of one, in it.

import { keyFactsOf, type KeyFacts } from './api-key-facts.ts';
import { CXONE_REGIONS, SCA_REGIONS } from './products.ts';
import type { GrantPlan } from './settings.ts';
import { withheld } from './withheld.ts';

/** The region a token endpoint belongs to, where it is one of Checkmarx's own hosts. */
export function regionOf(plan: GrantPlan): string | undefined {
  const { tokenUrl } = plan.endpoint;
  if (plan.profile.hosting === 'sca-cloud') {
    return Object.entries(SCA_REGIONS).find(([, region]) => region.tokenUrl === tokenUrl)?.[0];
  }
  if (plan.profile.hosting === 'cxone') {
    return Object.entries(CXONE_REGIONS).find(([, iam]) => tokenUrl.startsWith(`${iam}/`))?.[0];
  }
  return undefined;
}

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
  const region = regionOf(plan);
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
