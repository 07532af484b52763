// The CLI's command line: `--flag value`, `--flag=value`, and boolean switches with a short form.
// Hand-written rather than node:util's parseArgs, which costs about a millisecond of every start.
// A message never repeats a stray word: it may be half of an unquoted secret ("--password my pass").

import { didYouMean } from '../core/did-you-mean.ts';
import { UsageError } from './usage-error.ts';
import { readInputs, type RawInputs } from '../core/inputs.ts';

export interface FlagSpec {
  /** A switch is a boolean that also takes `=value` (`--sealed`, `--sealed=false`): its value is the word given, or true. */
  readonly type: 'string' | 'boolean' | 'switch';
  readonly short?: string;
}

export type Flags = Record<string, string | boolean | undefined>;

export function parseFlags(argv: readonly string[], specs: Readonly<Record<string, FlagSpec>>): Flags {
  const flags: Flags = {};
  const byShort = new Map(Object.entries(specs).flatMap(([name, spec]) => (spec.short ? [[spec.short, name] as const] : [])));
  for (let index = 0; index < argv.length; index++) {
    const word = argv[index]!;
    const long = /^--([^=]+)(?:=([^]*))?$/.exec(word);
    const name = long ? long[1]! : /^-[^-]$/.test(word) ? byShort.get(word.slice(1)) : undefined;
    const spec = name === undefined ? undefined : specs[name];
    if (!spec || !Object.hasOwn(specs, name!)) {
      if (!word.startsWith('-') || word === '--')
        throw new UsageError(
          'usage/unexpected-argument',
          'Unexpected argument: every value must follow its --flag (quote values that contain spaces).',
        );
      throw new UsageError(
        'usage/unknown-flag',
        `Unknown option '${long ? `--${long[1]}` : word}'.${long ? suggestFlag(long[1]!, specs) : ''}`,
      );
    }
    if (spec.type === 'boolean') {
      if (long?.[2] !== undefined) throw new UsageError('usage/flag-value', `Option '--${name}' does not take a value.`);
      flags[name!] = true;
    } else if (spec.type === 'switch') {
      flags[name!] = long?.[2] ?? true;
    } else if (long?.[2] !== undefined) {
      flags[name!] = long[2];
    } else {
      const value = argv[index + 1];
      if (value === undefined) throw new UsageError('usage/flag-value', `Option '--${name} <value>' argument missing.`);
      if (value.startsWith('-'))
        throw new UsageError('usage/flag-value', `Option '--${name}' needs a value; write --${name}=VALUE for one that starts with '-'.`);
      flags[name!] = value;
      index++;
    }
  }
  return flags;
}

/** An input's value from the flags, as readInputs takes it: a switch given alone is 'true'. */
export function flagSource(flags: Readonly<Flags>) {
  return (name: string): string | undefined => {
    const value = flags[name];
    return value === true ? 'true' : typeof value === 'string' ? value : undefined;
  };
}

/** ` Did you mean '--product'?` for `--prodcut`, or nothing when no flag is close. */
function suggestFlag(name: string, specs: Readonly<Record<string, FlagSpec>>): string {
  const suggestion = didYouMean(name, Object.keys(specs));
  return suggestion ? ` Did you mean '--${suggestion}'?` : '';
}

/** The inputs as the CLI reads them: each from its --flag (a switch given alone is 'true'), else from its environment variables. */
export function inputsFromFlags(flags: Readonly<Flags>, env: Readonly<Record<string, string | undefined>>): RawInputs {
  return readInputs(flagSource(flags), env);
}
