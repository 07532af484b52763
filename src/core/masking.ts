// The line that registers a secret with the masking of the CI system that reads the log: GitHub
// Actions' `::add-mask::` (the runner reads workflow commands on stdout and stderr) and Azure
// Pipelines' `##vso[task.setsecret]`. Each escapes the value exactly as its reader un-escapes it.

import { azureEscape } from './printable.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** GitHub's command data escaping (as @actions/core writes it and the runner reads it). */
export function githubEscape(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** The masking command for one value in the CI system `env` describes; undefined where nothing masks. */
export function maskCommand(env: Env): ((value: string) => string) | undefined {
  if (env.GITHUB_ACTIONS === 'true') return (value) => `::add-mask::${githubEscape(value)}\n`;
  if (env.TF_BUILD) return (value) => `##vso[task.setsecret]${azureEscape(value)}\n`;
  return undefined;
}
