// The task's post-job step (postjobexecution, which the agent runs at the end of every job, also
// after a failure or a cancel): stops the token agent that the task started, read back from the
// task variables it set, and removes the folders it made. Without them, there is nothing to do
// and it returns at once.

import { savedFolders, stopMessage, stopStartedAgent, type StopDeps } from '../agent/stop.ts';
import { loggingCommands, type Write } from './logging-commands.ts';
import { SAVED_AGENT } from '../ci/saved-state.ts';
import { AZURE_PIPELINES } from '../ci/systems.ts';

export interface PostDeps extends StopDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: Write;
}

/** The post-job step; a failure is a warning (the job's result is the task's), never throws. */
export async function run(deps: PostDeps): Promise<void> {
  const commands = loggingCommands(deps.stdout);
  try {
    // What the task saved as task variables (`task.settaskvariable`), which only its later steps see.
    const saved = (name: string) => deps.env[AZURE_PIPELINES.savedVariable(name)];
    const pid = Number(saved(SAVED_AGENT.pid));
    const sock = saved(SAVED_AGENT.sock)?.trim();
    if (!sock || !Number.isInteger(pid) || pid <= 0) return;
    const folders = savedFolders(saved(SAVED_AGENT.folders));
    const { info, warning } = stopMessage(await stopStartedAgent(pid, sock, deps, folders));
    if (info) commands.info(info);
    if (warning) commands.warning(warning);
  } catch (error) {
    commands.warning(`Stopping the token agent failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}
