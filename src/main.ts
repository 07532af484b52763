// The GitHub Action: inputs from the runner, outputs and an exported variable back to it.

import { readFileSync } from 'node:fs';
import * as core from './runner.ts';
import { CheckmarxAuthError } from './errors.ts';
import { exchangeCredentials } from './exchange.ts';
import { postForm } from './http.ts';
import { actionInputSource, readInputs } from './inputs.ts';
import { outputValues } from './outputs.ts';
import { USER_AGENT } from './version.ts';

async function run(): Promise<void> {
  const { values } = readInputs(actionInputSource(process.env), process.env);
  const { settings, result } = await exchangeCredentials(values, {
    mask: core.setSecret,
    log: { info: core.info, warning: core.warning, debug: core.debug },
    readFile: (path) => readFileSync(path, 'utf8'),
    postForm,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    random: Math.random,
    now: Date.now,
    userAgent: USER_AGENT,
  });
  for (const [name, value] of outputValues(result)) core.setOutput(name, value);
  if (settings.exportEnv) {
    core.exportVariable(settings.envName, result.accessToken);
    core.info(`Exported the token as ${settings.envName} for later steps.`);
  }
}

run().catch((error: unknown) => {
  // Only our own errors carry messages built for users; anything else is a bug, reported without details that could hold a secret.
  const message = error instanceof CheckmarxAuthError ? error.message : `Unexpected failure (${(error as Error)?.name ?? 'unknown'}). Please report it.`;
  core.setFailed(message);
});
