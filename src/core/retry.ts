// When a failed request is worth another attempt, and how long to wait first.

import type { FailureDetails } from './failures.ts';

export function isRetryable(details: FailureDetails): boolean {
  if (details.kind === 'network' || details.kind === 'timeout') return true;
  // A proxy that cannot be reached is a network failure too; one that answered is not.
  if (details.kind === 'proxy' && details.code !== undefined) return true;
  const status = details.status;
  if (status === undefined) return false;
  return status === 408 || status === 429 || (status >= 500 && status <= 599);
}

/** The longest wait before a retry, jitter included. */
export const MAX_RETRY_AFTER_MS = 30_000;

/** `Retry-After` as seconds or an HTTP date, capped. */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (!value) return undefined;
  // Date.parse reads almost anything ('1.5' is a date in 2001), so a date must at least name a year.
  const ms = /^\s*\d+\s*$/.test(value) ? Number(value) * 1000 : /\b\d{4}\b/.test(value) ? Date.parse(value) - now : NaN;
  return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), MAX_RETRY_AFTER_MS) : undefined;
}

const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 10_000;

/** Exponential backoff with jitter; the server's Retry-After is honoured and jittered upwards. */
export function backoffMs(attempt: number, retryAfterMs: number | undefined, random: number): number {
  if (retryAfterMs !== undefined) {
    return Math.min(MAX_RETRY_AFTER_MS, retryAfterMs + Math.round(random * Math.max(retryAfterMs * 0.5, 250)));
  }
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random * ceiling) / 2);
}

/**
 * A server that says when to come back (429 or 503 with Retry-After) is not failing: it is pacing
 * its clients. Such waits use up no attempt until this much of them is spent, so that many jobs
 * sharing one rate limit all get through instead of the unlucky ones running out of attempts.
 */
export const PACED_WAIT_BUDGET_MS = 120_000;

export interface RetryState {
  /** Attempts used up, the first request included. */
  readonly attempts: number;
  /** Time spent in waits the server asked for that used up no attempt. */
  readonly pacedWaitMs: number;
}

/** Whether to try again after a failure, after how long, and what that uses up. */
export function planRetry(
  state: RetryState,
  failure: FailureDetails,
  maxAttempts: number,
  random: number,
): { readonly delayMs: number; readonly state: RetryState } | undefined {
  if (!isRetryable(failure)) return undefined;
  const delayMs = backoffMs(state.attempts, failure.retryAfterMs, random);
  const paced = failure.retryAfterMs !== undefined && (failure.status === 429 || failure.status === 503);
  if (paced && state.pacedWaitMs + delayMs <= PACED_WAIT_BUDGET_MS) {
    return { delayMs, state: { ...state, pacedWaitMs: state.pacedWaitMs + delayMs } };
  }
  if (state.attempts >= maxAttempts) return undefined;
  return { delayMs, state: { ...state, attempts: state.attempts + 1 } };
}
