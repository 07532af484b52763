// The GitHub Action: inputs from the runner, outputs and an exported variable back to it.

import { startActionAgent } from './start-agent.ts';
import { failureMessage } from '../core/errors.ts';
import { exchangeCredentials } from '../core/exchange.ts';
import { actionInputSource, readInputs } from '../core/inputs.ts';
import { outputValues } from '../core/outputs.ts';
import * as workflow from './workflow-commands.ts';
import { SYSTEM_IO } from '../io/system.ts';

async function run(): Promise<void> {
  const values = readInputs(actionInputSource(process.env), process.env);
  const { settings, result } = await exchangeCredentials(values, {
    mask: workflow.setSecret,
    log: { info: workflow.info, warning: workflow.warning, debug: workflow.debug },
    ...SYSTEM_IO,
  });
  workflow.setOutputs(outputValues(result));
  if (settings.exportEnv) {
    workflow.exportVariable(settings.envName, result.accessToken);
    workflow.info(`Exported the token as ${settings.envName} for later steps.`);
  }
  // The token's age for the agent starts here, well within a millisecond of its arrival: reading
  // the clock earlier would load perf_hooks into every run, agent or not.
  if (settings.agent) await startActionAgent(settings, result, performance.now());
}

run().catch((error: unknown) => workflow.setFailed(failureMessage(error)));
