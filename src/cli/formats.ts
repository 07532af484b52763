// What the CLI prints on stdout, per --format. Pure: a result in, text out.

import { powershellQuote, shellQuote } from '../core/quoting.ts';
import type { TokenResult } from '../core/token-response.ts';
import { camelCase } from '../core/camel-case.ts';
import { OUTPUTS } from '../core/outputs.ts';
import { azureEscape } from '../ci/log-commands.ts';

export const FORMATS = ['token', 'json', 'env', 'azure', 'powershell'] as const;
export type Format = (typeof FORMATS)[number];

export function formatResult(format: Format, result: TokenResult, tokenEnvName: string): string {
  return FORMATTERS[format](result, tokenEnvName);
}

const FORMATTERS: Readonly<Record<Format, (result: TokenResult, tokenEnvName: string) => string>> = {
  token: (result) => `${result.accessToken}\n`,
  json: (result) => `${JSON.stringify(jsonOf(result), null, 2)}\n`,
  env: (result, tokenEnvName) => variableLines('env', variables(result, tokenEnvName)),
  azure: (result, tokenEnvName) => variableLines('azure', variables(result, tokenEnvName)),
  powershell: (result, tokenEnvName) => variableLines('powershell', variables(result, tokenEnvName)),
};

/** How each format that sets variables sets one. */
const VARIABLE_LINE = {
  env: ({ name, value }: Variable) => `export ${name}=${shellQuote(value)}\n`,
  azure: ({ name, value, secret }: Variable) => `##vso[task.setvariable variable=${name};issecret=${secret}]${azureEscape(value)}\n`,
  powershell: ({ name, value }: Variable) => `$env:${name} = ${powershellQuote(value)}\n`,
} as const;

export type VariableFormat = keyof typeof VARIABLE_LINE;

export function isVariableFormat(format: Format): format is VariableFormat {
  return Object.hasOwn(VARIABLE_LINE, format);
}

export function variableLines(format: VariableFormat, list: readonly Variable[]): string {
  return list.map(VARIABLE_LINE[format]).join('');
}

function jsonOf(result: TokenResult): Record<string, string | number | null> {
  const json: Record<string, string | number | null> = {};
  for (const spec of OUTPUTS) json[camelCase(spec.name)] = spec.value(result) ?? null;
  json.expiresIn = result.expiresIn;
  return json;
}

export interface Variable {
  readonly name: string;
  readonly value: string;
  readonly secret: boolean;
}

/** The env, azure and powershell variables besides the token, whose name is env-name. */
export const OTHER_VARIABLES = OUTPUTS.flatMap((spec) => (!spec.secret && spec.envName ? [spec.envName] : []));

// An env-name equal to another variable's name keeps the token: that variable is left out.
function variables(result: TokenResult, tokenEnvName: string): Variable[] {
  return OUTPUTS.flatMap((spec) => {
    const value = spec.value(result);
    const { secret } = spec;
    const name = secret ? tokenEnvName : spec.envName;
    if (value === undefined || name === undefined || (!secret && name === tokenEnvName)) return [];
    return [{ name, value, secret }];
  });
}

/** The token variables of --format env, as exec sets them in its child's environment. */
export { variables as tokenVariables };
