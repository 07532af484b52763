// The task's post-job step (postjobexecution, which the agent runs at the end of every job, also
// after a failure or a cancel): stops the token agent that the task started, read back from the
// task variables it set, and removes the folders it made. Without them, there is nothing to do
// and it returns at once.

import { savedFolders, stopMessage, stopStartedAgent, type StopDeps } from '../agent/stop.ts';
import { loggingCommands, type Write } from './logging-commands.ts';
import { TASK_VARIABLE_FOLDERS, TASK_VARIABLE_PID, TASK_VARIABLE_SOCK, taskVariable } from './task-variables.ts';

export interface PostDeps extends StopDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: Write;
}

/** The post-job step; a failure is a warning (the job's result is the task's), never throws. */
export async function run(deps: PostDeps): Promise<void> {
  const commands = loggingCommands(deps.stdout);
  try {
    const pid = Number(taskVariable(deps.env, TASK_VARIABLE_PID));
    const sock = taskVariable(deps.env, TASK_VARIABLE_SOCK)?.trim();
    if (!sock || !Number.isInteger(pid) || pid <= 0) return;
    const folders = savedFolders(taskVariable(deps.env, TASK_VARIABLE_FOLDERS));
    const { info, warning } = stopMessage(await stopStartedAgent(pid, sock, deps, folders));
    if (info) commands.info(info);
    if (warning) commands.warning(warning);
  } catch (error) {
    commands.warning(`Stopping the token agent failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
