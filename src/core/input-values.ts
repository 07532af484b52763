// One input's value read as what it stands for: a boolean, a number within its range, or the name
// of an environment variable that may hold the token. Each names the input it read when it fails.

import { InputError } from './errors.ts';
import { defaultOf, INPUTS, type InputName, type RawInputs } from './inputs.ts';
import { RESERVED_NAMES, RESERVED_PREFIXES } from './variable-names.ts';

/** The words a boolean input or variable takes for true (any case). */
export const TRUE_WORDS = ['true', 'yes', '1', 'on'];
const FALSE_WORDS = ['false', 'no', '0', 'off'];

// Defaults come from the INPUTS table, the one place that states them (action.yml declares none).
export function parseBoolean(values: RawInputs, name: InputName): boolean {
  const value = values[name] ?? defaultOf(name);
  if (TRUE_WORDS.includes(value.toLowerCase())) return true;
  if (FALSE_WORDS.includes(value.toLowerCase())) return false;
  throw new InputError(name, `'${value}' is not a boolean; use true or false.`);
}

export interface NumberRule {
  readonly min: number;
  readonly max: number;
  readonly integer?: boolean;
}

export function parseNumber(values: RawInputs, name: InputName, rule: NumberRule): number {
  const value = values[name] ?? defaultOf(name);
  const number = Number(value);
  const kind = rule.integer ? 'a whole number' : 'a number';
  if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(number) || (rule.integer && !Number.isInteger(number))) {
    throw new InputError(name, `'${value}' is not ${kind}; use ${kind} from ${rule.min} to ${rule.max}.`);
  }
  if (number < rule.min || number > rule.max) {
    throw new InputError(name, `${value} is out of range; use ${kind} from ${rule.min} to ${rule.max}.`);
  }
  return number;
}

export function parseEnvName(value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(value)) {
    throw new InputError('env-name', `'${value}' is not a valid environment variable name (letters, digits, _).`);
  }
  const upper = value.toUpperCase();
  const ownInput = INPUTS.find((spec) => spec.env.includes(upper));
  if (ownInput) throw new InputError('env-name', `'${value}' is the variable of the input '${ownInput.name}'; choose another name.`);
  if (RESERVED_NAMES.includes(upper) || RESERVED_PREFIXES.some((prefix) => upper.startsWith(prefix))) {
    throw new InputError(
      'env-name',
      `'${value}' is a name the runner, the shell or Node acts on; choose another name, such as CX_ACCESS_TOKEN.`,
    );
  }
  return value;
}
