// The GitHub Action: inputs from the runner, outputs and an exported variable back to it.

import { baseFolder, startActionAgent, type HandOver } from './start-agent.ts';
import { GITHUB_ACTIONS } from '../ci/systems.ts';
import { codedMessage, stackFrames } from '../core/errors.ts';
import { exchangeCredentials } from '../core/exchange.ts';
import { readInputs, type InputName } from '../core/inputs.ts';
import { outputValues } from '../core/outputs.ts';
import { proxySettings } from '../core/transport.ts';
import { workflowCommands, type Runner, type WorkflowCommands } from './workflow-commands.ts';
import type { SystemIo } from '../io/system.ts';

/**
 * What the action runs on. The bundle's entry (src/entries/action.ts) passes the process's own:
 * process.env, SYSTEM_IO, process.stdout and the bundle's path; tests pass theirs.
 */
export interface ActionDeps extends Runner {
  readonly io: SystemIo;
  /** This bundle's path (dist/index.js): the CLI bundle for the token agent is dist/cli/index.js. */
  readonly scriptPath: string;
}

/** The main step: exit code 0, or 1 after an error annotation when it failed; never throws. */
export async function run(deps: ActionDeps): Promise<number> {
  const workflow = workflowCommands(deps);
  try {
    await exchangeAndExport(deps, workflow);
    return 0;
  } catch (error) {
    workflow.error(codedMessage(error));
    if (deps.env.RUNNER_DEBUG === '1') stackFrames(error).forEach((frame) => workflow.debug(frame));
    return 1;
  }
}

async function exchangeAndExport(deps: ActionDeps, workflow: WorkflowCommands): Promise<void> {
  const { env } = deps;
  const values = readInputs((name: InputName) => env[GITHUB_ACTIONS.inputVariable(name)], env);
  const { settings, result } = await exchangeCredentials(values, {
    mask: workflow.setSecret,
    check: (settings) => void (settings.agent && baseFolder(env)),
    log: { info: workflow.info, warning: workflow.warning, debug: workflow.debug },
    proxy: proxySettings(env),
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
  if (settings.agent) await startActionAgent({ settings, first: result, arrivedAt: performance.now(), deps, workflow, handOver });
  else handOver();
}
