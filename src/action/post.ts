// The action's post step: stops the token agent that the main step started, if it did, and
// removes what the main step made (the command folder, the socket folder). Without the state it
// saved, there is nothing to do and it returns at once.

import { STATE_FOLDERS, STATE_PID, STATE_SOCK } from '../agent/protocol.ts';
import { savedFolders, stopMessage, stopStartedAgent } from '../agent/stop.ts';
import * as workflow from './workflow-commands.ts';

/** What the post step runs on: the bundle's entry passes process.env, Date.now and a real sleep. */
export interface PostDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

/** The post step; a failure is a warning (the job's result is the main step's), never throws. */
export async function run(deps: PostDeps): Promise<void> {
  try {
    await stopAgent(deps);
  } catch (error) {
    workflow.warning(`Stopping the token agent failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function stopAgent(deps: PostDeps): Promise<void> {
  const pid = Number(deps.env[`STATE_${STATE_PID}`]);
  const sock = deps.env[`STATE_${STATE_SOCK}`];
  if (!sock || !Number.isInteger(pid) || pid <= 0) return;
  const outcome = await stopStartedAgent(pid, sock, deps, savedFolders(deps.env[`STATE_${STATE_FOLDERS}`]));
  const { info, warning } = stopMessage(outcome);
  if (info) workflow.info(info);
  if (warning) workflow.warning(warning);
}
