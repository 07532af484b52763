// The one call every front end makes: mask the secrets, check the inputs, get the token, mask it.

import { resolveSettings, type ConfigDeps, type Settings } from './settings.ts';
import { secretForms } from './secrets.ts';
import { requestToken, type GrantDeps } from './grant.ts';
import { type TokenResult } from './token-response.ts';
import { secretValues, type RawInputs } from './inputs.ts';
import { runTimeSecretValues } from './run-time-secrets.ts';
import { keyFactsOf } from './api-key-facts.ts';
import { expiryWarning } from './key-expiry.ts';

export interface ExchangeDeps extends GrantDeps, ConfigDeps {
  /** Tells the log system to hide a value (the CI's masking, src/ci); absent where logs have no masking. */
  readonly mask?: (value: string) => void;
  /** The front end's own checks of the settings, before any request (throws an InputError). */
  readonly check?: (settings: Settings) => void;
}

export interface Exchange {
  readonly settings: Settings;
  readonly result: TokenResult;
}

export async function exchangeCredentials(values: RawInputs, deps: ExchangeDeps): Promise<Exchange> {
  const { mask } = deps;
  const given = secretValues(values);
  if (mask) secretForms(given).forEach(mask);
  const settings = resolveSettings(values, deps);
  // The secrets as the settings use them (an API key without its pasted quotes), where they differ.
  if (mask) secretForms(settings.plan.secrets.filter((secret) => !given.includes(secret))).forEach(mask);
  deps.check?.(settings);
  settings.warnings.forEach((warning) => deps.log.warning(warning));
  const { plan } = settings;
  // Before the request: a key that has expired fails it, and the warning says why.
  const expiry = expiryWarning(keyFactsOf(plan), deps.now());
  if (expiry) deps.log.warning(expiry);
  deps.log.info(
    `Requesting a ${plan.profile.title} token from ${plan.endpoint.tokenUrl} (grant type ${plan.grantType}, client ${plan.clientId}).`,
  );
  const result = await requestToken(plan, settings.transport, deps);
  if (mask) runTimeSecretValues(result).forEach(mask);
  const scope = result.scope ? `, scope '${result.scope}'` : '';
  deps.log.info(`Got a ${result.tokenType} token that expires at ${result.expiresAt} (in ${result.expiresIn} s)${scope}.`);
  return { settings, result };
}
