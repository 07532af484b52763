// Secrets the tool makes at run time, declared once, as the input secrets are (`secret: true` in
// INPUTS): the access token, the refresh token, the agent key, CX_AUTH_SOCK (which holds the
// key), the key of exec's loopback token endpoint, and a sealed job's phantoms and job key. Every
// front end registers them with the log's masking before it prints, exports or saves them, and
// sets them as secret variables (Azure's issecret=true): both follow from this table.

import { SOCK_VARIABLE } from './variable-names.ts';

export const RUN_TIME_SECRETS = {
  accessToken: 'the access token',
  refreshToken: 'the refresh token',
  agentKey: 'the token agent key',
  authSock: SOCK_VARIABLE,
  execKey: "the one-time key of exec's token endpoint",
  phantom: "a sealed job's phantom access token",
  jobKey: "the key of a sealed job's credential",
} as const;

export type RunTimeSecret = keyof typeof RUN_TIME_SECRETS;

/** Any object with some of the run-time secrets as fields: a token result, { agentKey }, { authSock }. */
export type RunTimeSecretValues = { readonly [Name in RunTimeSecret]?: string | undefined };

export function isRunTimeSecret(field: string): field is RunTimeSecret {
  return Object.hasOwn(RUN_TIME_SECRETS, field);
}

/** The run-time secrets among `values`' fields, in declaration order; other fields are ignored. */
export function runTimeSecretValues(values: RunTimeSecretValues): string[] {
  return (Object.keys(RUN_TIME_SECRETS) as RunTimeSecret[]).map((name) => values[name]).filter((v): v is string => Boolean(v));
}

/**
 * The variables the tool sets whose value is a run-time secret, besides the token's env-name. A
 * sealed job's variables say which of them is secret themselves (core/sealed-job.ts).
 */
export const SECRET_VARIABLES: readonly string[] = [RUN_TIME_SECRETS.authSock];

export const isSecretVariable = (name: string): boolean => SECRET_VARIABLES.includes(name);
