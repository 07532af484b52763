// How the CLI names an input in a message: as the flag and the variable a user types, never as
// an action input (`--username / CX_USERNAME`, not `Input 'username'`).

import type { InputErrorSubject, InputNaming } from '../core/errors.ts';
import { INPUTS, type InputName } from '../core/inputs.ts';

/** `--username / CX_USERNAME`; `--api-key / CX_API_KEY or CX_APIKEY`; `--min-validity` (a flag only). */
export function flagAndVariable(input: InputErrorSubject): string {
  const spec = INPUTS.find((candidate) => candidate.name === input);
  return spec ? `--${input} / ${spec.env.join(' or ')}` : `--${input}`;
}

export const CLI_NAMING: InputNaming = {
  subject: flagAndVariable,
  reference: flagAndVariable,
  several: (references) => references,
};

/** The variable the CLI reads an input from first. */
export function variableOf(input: InputName): string {
  return INPUTS.find((spec) => spec.name === input)!.env[0]!;
}
