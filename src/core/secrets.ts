// Secrets as they may appear in text, and the cleaning of text from outside before it enters a
// message: every form of every secret is cut out and control characters are neutralised.

import { printable } from './printable.ts';

const MAX_SERVER_TEXT = 300;

/** Cleans text that came from outside (a server body, an error) before it may enter a message. */
export function redact(text: string, secrets: readonly string[]): string {
  const forms = secretForms(secrets);
  let clean = text;
  for (const form of forms) clean = clean.split(form).join('***');
  clean = printable(clean).trim();
  if (clean.length > MAX_SERVER_TEXT) clean = `${clean.slice(0, MAX_SERVER_TEXT)}…`;
  // A cut may leave a prefix of a secret; it is at most part of one, and prefixes of 4+ characters are removed too.
  for (const form of forms) clean = removeTrailingPrefix(clean, printable(form));
  return clean;
}

/**
 * A secret as it may appear: raw, URL-encoded or form-encoded (either case of hex), JSON-escaped;
 * a secret of several lines also line by line, since logs are read, and masked, a line at a time.
 */
export function secretForms(secrets: readonly string[]): string[] {
  const forms = new Set<string>();
  const lines = secrets.flatMap((secret) => (/[\r\n]/.test(secret) ? secret.split(/\r?\n|\r/) : []));
  for (const secret of [...secrets, ...lines]) {
    if (!secret.trim()) continue;
    const encoded = [encodeURIComponent(secret), new URLSearchParams({ s: secret }).toString().slice(2)];
    for (const form of [secret, JSON.stringify(secret).slice(1, -1), ...encoded, ...encoded.map(lowerCaseHex)]) forms.add(form);
  }
  return [...forms].sort((a, b) => b.length - a.length);
}

function lowerCaseHex(encoded: string): string {
  return encoded.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase());
}

function removeTrailingPrefix(text: string, secret: string): string {
  const body = text.endsWith('…') ? text.slice(0, -1) : text;
  for (let n = Math.min(secret.length - 1, body.length); n >= 4; n--) {
    if (body.endsWith(secret.slice(0, n))) return `${body.slice(0, -n)}***…`;
  }
  return text;
}
