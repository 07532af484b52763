// The GitHub Action: inputs from the runner, outputs and an exported variable back to it.

import { baseFolder, startActionAgent, type HandOver } from './start-agent.ts';
import { codedMessage, stackFrames } from '../core/errors.ts';
import { exchangeCredentials } from '../core/exchange.ts';
import { actionInputSource, readInputs } from '../core/inputs.ts';
import { outputValues } from '../core/outputs.ts';
import * as workflow from './workflow-commands.ts';
import type { SystemIo } from '../io/system.ts';

/**
 * What the action runs on. The bundle's entry passes the process's own (process.env and SYSTEM_IO);
 * tests pass theirs. The workflow commands write to process.stdout and the runner's files named in
 * process.env, as the runner reads them.
 */
export interface ActionDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly io: SystemIo;
}

/** The main step; a failure fails the step (exit code 1 and an error annotation), never throws. */
export async function run(deps: ActionDeps): Promise<void> {
  try {
    await exchangeAndExport(deps);
  } catch (error) {
    workflow.setFailed(codedMessage(error));
    if (deps.env.RUNNER_DEBUG === '1') stackFrames(error).forEach((frame) => workflow.debug(frame));
  }
}

async function exchangeAndExport(deps: ActionDeps): Promise<void> {
  const values = readInputs(actionInputSource(deps.env), deps.env);
  const { settings, result } = await exchangeCredentials(values, {
    mask: workflow.setSecret,
    check: (settings) => void (settings.agent && baseFolder(deps.env)),
    log: { info: workflow.info, warning: workflow.warning, debug: workflow.debug },
    ...deps.io,
  });
  // The token reaches GITHUB_ENV last, and only once everything that can fail has succeeded. A
  // sealed job hands over the agent's phantom instead: the real token is never output or exported.
  const handOver = ({ token = result, variables = [] }: HandOver = {}) => {
    workflow.setOutputs(outputValues(token));
    workflow.exportVariables([...(settings.exportEnv ? [[settings.envName, token.accessToken] as const] : []), ...variables]);
    if (settings.exportEnv) workflow.info(`Exported the token as ${settings.envName} for later steps.`);
  };
  // The token's age for the agent starts here, well within a millisecond of its arrival: reading
  // the clock earlier would load perf_hooks into every run, agent or not.
  if (settings.agent) await startActionAgent(settings, result, performance.now(), deps.env, handOver);
  else handOver();
}
