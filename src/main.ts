// The GitHub Action: inputs from the runner, outputs and an exported variable back to it.

import { startActionAgent } from './action-agent.ts';
import { failureMessage } from './errors.ts';
import { exchangeCredentials } from './exchange.ts';
import { actionInputSource, readInputs } from './inputs.ts';
import { outputValues } from './outputs.ts';
import * as core from './runner.ts';
import { SYSTEM_IO } from './system.ts';

async function run(): Promise<void> {
  const values = readInputs(actionInputSource(process.env), process.env);
  const { settings, result } = await exchangeCredentials(values, {
    mask: core.setSecret,
    log: { info: core.info, warning: core.warning, debug: core.debug },
    ...SYSTEM_IO,
  });
  core.setOutputs(outputValues(result));
  if (settings.exportEnv) {
    core.exportVariable(settings.envName, result.accessToken);
    core.info(`Exported the token as ${settings.envName} for later steps.`);
  }
  // The token's age for the agent starts here, well within a millisecond of its arrival: reading
  // the clock earlier would load perf_hooks into every run, agent or not.
  if (settings.agent) await startActionAgent(settings, result, performance.now());
}

run().catch((error: unknown) => core.setFailed(failureMessage(error)));
