// `checkmarx-auth inspect`: what the flags and environment resolve to, and what a Checkmarx One
// API key says of itself, with no request sent. Never a secret, nor a piece of one.

import { UsageError } from './usage-error.ts';
import { notOneOf } from '../core/did-you-mean.ts';
import { inputsFromFlags } from './command-line.ts';
import { expiryWarning, inDays } from '../core/key-expiry.ts';
import { inspectPlan, type Inspection } from '../core/inspection.ts';
import { printable } from '../core/printable.ts';
import { resolveSettings, type ConfigDeps } from '../core/settings.ts';

export const INSPECT_FORMATS = ['text', 'json'] as const;
type InspectFormat = (typeof INSPECT_FORMATS)[number];

export interface InspectDeps extends ConfigDeps {
  readonly flags: Readonly<Record<string, string | boolean | undefined>>;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly now: () => number;
  readonly warn: (message: string) => void;
  readonly write: (text: string) => number;
}

export function runInspect(deps: InspectDeps): number {
  const format = parseInspectFormat(deps.flags.format);
  const values = inputsFromFlags(deps.flags, deps.env);
  const settings = resolveSettings(values, deps);
  settings.warnings.forEach(deps.warn);
  const inspection = inspectPlan(settings.plan);
  const now = deps.now();
  const expiry = expiryWarning(inspection.apiKey, now);
  if (expiry) deps.warn(expiry);
  return deps.write(format === 'json' ? inspectionJson(inspection) : inspectionText(inspection, now));
}

function parseInspectFormat(value: string | boolean | undefined): InspectFormat {
  const format = typeof value === 'string' ? value.toLowerCase() : 'text';
  if (!(INSPECT_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError('usage/unknown-format', `inspect --format ${notOneOf(String(value), INSPECT_FORMATS)}`);
  }
  return format as InspectFormat;
}

/** Every key, null where nothing is known, so that a script can rely on them. */
export function inspectionJson(inspection: Inspection): string {
  const key = inspection.apiKey;
  const json = {
    product: inspection.product,
    grantType: inspection.grantType,
    tokenUrl: inspection.tokenUrl,
    tenant: inspection.tenant ?? null,
    region: inspection.region ?? null,
    clientId: inspection.clientId,
    apiUrl: inspection.apiUrl ?? null,
    apiKey: key
      ? { realmUrl: key.realmUrl ?? null, azp: key.azp ?? null, issuedAt: key.issuedAt ?? null, expiresAt: key.expiresAt ?? null }
      : null,
  };
  // A claim is text from outside: no control character reaches the terminal or the CI log.
  return `${JSON.stringify(json, (_key, value: unknown) => (typeof value === 'string' ? printable(value) : value), 2)}\n`;
}

export function inspectionText(inspection: Inspection, now: number): string {
  const key = inspection.apiKey;
  const rows: Array<[label: string, value: string | undefined]> = [
    ['product', inspection.product],
    ['grant type', inspection.grantType],
    ['token endpoint', inspection.tokenUrl],
    ['tenant', inspection.tenant],
    ['region', inspection.region],
    ['client id', inspection.clientId],
    ['api-url', inspection.apiUrl ?? '(unknown without server-url)'],
  ];
  if (key) {
    rows.push(
      ['API key realm', key.realmUrl],
      ['API key azp', key.azp],
      ['API key issued', key.issuedAt],
      [
        'API key expires',
        key.expiresAt ? `${key.expiresAt} (${relative(key.expiresAt, now)})` : 'not by itself (the key has no exp claim, or exp 0)',
      ],
    );
  }
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  return rows
    .filter((row): row is [string, string] => row[1] !== undefined)
    .map(([label, value]) => `${`${label}:`.padEnd(width)}${printable(value)}\n`)
    .join('');
}

function relative(instant: string, now: number): string {
  return Date.parse(instant) <= now ? 'expired' : inDays(instant, now);
}
