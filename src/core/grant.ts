// The token exchange: send the grant's form with retries until the answer is a token or a failure
// not worth retrying. The I/O comes in through GrantDeps.

import { TokenRequestError } from './errors.ts';
import { type FailureDetails, type RequestContext } from './failures.ts';
import { hintFor } from './hints.ts';
import { planRetry, type RetryState } from './retry.ts';
import { redact } from './secrets.ts';
import type { GrantPlan } from './settings.ts';
import { buildTokenRequest } from './token-request.ts';
import { parseTokenResponse, type TokenResult } from './token-response.ts';
import { TransportFailure, type HttpRequest, type PostForm, type TransportOptions } from './transport.ts';

export interface Logger {
  info(message: string): void;
  warning(message: string): void;
  debug(message: string): void;
}

export interface GrantDeps {
  readonly postForm: PostForm;
  readonly sleep: (ms: number) => Promise<void>;
  readonly random: () => number;
  readonly now: () => number;
  readonly log: Logger;
  readonly userAgent: string;
}

function contextOf(plan: GrantPlan): RequestContext {
  return { productTitle: plan.profile.title, endpoint: plan.endpoint.tokenUrl };
}

export async function requestToken(plan: GrantPlan, transport: TransportOptions, deps: GrantDeps): Promise<TokenResult> {
  const request = buildTokenRequest(plan, deps.userAgent);
  let state: RetryState = { attempts: 1, pacedWaitMs: 0 };
  for (let sent = 1; ; sent++) {
    const outcome = await attemptOnce(plan, request, transport, deps);
    if (!('kind' in outcome)) return outcome;
    const retry = planRetry(state, outcome, transport.maxAttempts, deps.random());
    if (!retry) throw toError(plan, outcome, sent);
    const paced = retry.state.attempts === state.attempts;
    const delay = `${(retry.delayMs / 1000).toFixed(1)} s`;
    deps.log.warning(
      paced
        ? `Request ${sent} failed: ${summary(outcome)}. The server asked to wait: retrying in ${delay}, which uses up no attempt.`
        : `Attempt ${state.attempts} of ${transport.maxAttempts} failed: ${summary(outcome)}. Retrying in ${delay}.`,
    );
    state = retry.state;
    await deps.sleep(retry.delayMs);
  }
}

async function attemptOnce(
  plan: GrantPlan,
  request: HttpRequest,
  transport: TransportOptions,
  deps: GrantDeps,
): Promise<TokenResult | FailureDetails> {
  try {
    const response = await deps.postForm(request, transport);
    deps.log.debug(`Token endpoint answered HTTP ${response.status} with ${Buffer.byteLength(response.body)} bytes.`);
    return parseTokenResponse(plan, response, deps.now());
  } catch (error) {
    if (error instanceof TransportFailure) {
      const detail = error.details.detail && redact(error.details.detail, plan.secrets);
      return { ...error.details, ...(detail ? { detail } : {}) };
    }
    throw error;
  }
}

function toError(plan: GrantPlan, details: FailureDetails, attempts: number): TokenRequestError {
  const hint = hintFor({
    ...details,
    product: plan.profile.name,
    hosting: plan.profile.hosting,
    grantType: plan.grantType,
    ...(plan.profile.defaultScope ? { defaultScope: plan.profile.defaultScope } : {}),
  });
  return new TokenRequestError(contextOf(plan), details, hint, attempts);
}

function summary(details: FailureDetails): string {
  if (details.status !== undefined) return `HTTP ${details.status}${details.oauthError ? ` ${details.oauthError}` : ''}`;
  return details.code ?? details.kind;
}
