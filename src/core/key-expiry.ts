// The warning every front end gives when a Checkmarx One API key is about to expire, and how far
// away an instant is in days.

import type { KeyFacts } from './api-key-facts.ts';

/** A key closer than this to its `exp` gets a warning. */
export const EXPIRY_WARNING_DAYS = 14;
const DAY_MS = 24 * 60 * 60 * 1000;

/** `in 5 days`, `in 1 day`, `in less than a day`: how far a future instant is, to the nearest day. */
export function inDays(instant: string, now: number): string {
  const left = Date.parse(instant) - now;
  if (left < DAY_MS) return 'in less than a day';
  const days = Math.round(left / DAY_MS);
  return `in ${days} day${days === 1 ? '' : 's'}`;
}

/** The warning every front end gives when the API key expires in less than 14 days, or has expired. */
export function expiryWarning(facts: KeyFacts | undefined, now: number): string | undefined {
  const expiresAt = facts?.expiresAt;
  if (!expiresAt) return undefined;
  const left = Date.parse(expiresAt) - now;
  if (left >= EXPIRY_WARNING_DAYS * DAY_MS) return undefined;
  const renew = 'Create a new key in Checkmarx One (Identity and Access Management, API Keys) and update the secret';
  if (left <= 0) return `The Checkmarx One API key expired at ${expiresAt}. ${renew}.`;
  return `The Checkmarx One API key expires at ${expiresAt} (${inDays(expiresAt, now)}). ${renew} before then.`;
}
