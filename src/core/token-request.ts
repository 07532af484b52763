// The form each grant type sends to the token endpoint (SPEC, "Form fields").

import { HOSTINGS } from './hostings.ts';
import type { GrantPlan } from './settings.ts';
import type { HttpRequest } from './transport.ts';

/** The form fields each grant type sends. */
const FORM_FIELDS = {
  password: (plan: GrantPlan) => ({
    grant_type: 'password',
    username: plan.username,
    password: plan.password,
    scope: plan.scope,
    client_id: plan.clientId,
    client_secret: plan.clientSecret,
    acr_values: HOSTINGS[plan.profile.hosting].tenantInAcrValues ? `Tenant:${plan.endpoint.tenant}` : undefined,
  }),
  refresh_token: (plan: GrantPlan) => ({
    grant_type: 'refresh_token',
    client_id: plan.clientId,
    // Only a default client's own secret (CxSAST's cli_client, as its CLI sends it): see resolvePlan.
    client_secret: plan.clientSecret,
    refresh_token: plan.apiKey,
  }),
  client_credentials: (plan: GrantPlan) => ({
    grant_type: 'client_credentials',
    client_id: plan.clientId,
    client_secret: plan.clientSecret,
    scope: plan.scope,
  }),
} as const;

export function buildTokenRequest(plan: GrantPlan, userAgent: string): HttpRequest {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(FORM_FIELDS[plan.grantType](plan))) {
    if (value !== undefined) form.set(name, value);
  }
  return {
    url: plan.endpoint.tokenUrl,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
      // A compressed answer would need decoding this tool does not carry; see parseTokenResponse.
      'accept-encoding': 'identity',
      'user-agent': userAgent,
    },
    body: form.toString(),
  };
}
