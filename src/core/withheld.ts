// Hiding every value that holds a piece of a secret, for the verbs that print what the inputs
// resolve to.

import { secretForms } from './secrets.ts';

/** The length of the shortest piece of a secret that may not be shown. */
export const SECRET_FRAGMENT = 8;
export const WITHHELD = '(withheld: it contains part of a secret input)';

/**
 * Every value that holds a piece of a secret (SECRET_FRAGMENT characters, or a whole shorter
 * secret of 4 or more), in any spelling secretForms knows, is replaced: a secret pasted into the
 * wrong input (a key as tenant, a password in a URL) must not be printed by a verb meant to help.
 */
export function withheld<T extends object>(object: T, secrets: readonly string[]): T {
  const forms = secretForms(secrets).filter((form) => form.length >= 4);
  const pieces = new Set(forms.flatMap((form) => fragments(form)));
  const holds = (value: string) => [...pieces].some((piece) => value.includes(piece));
  const clean = (value: unknown): unknown => {
    if (typeof value === 'string') return holds(value) ? WITHHELD : value;
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, clean(v)]));
    return value;
  };
  return clean(object) as T;
}

function fragments(secret: string): string[] {
  if (secret.length <= SECRET_FRAGMENT) return [secret];
  return Array.from({ length: secret.length - SECRET_FRAGMENT + 1 }, (_, at) => secret.slice(at, at + SECRET_FRAGMENT));
}
