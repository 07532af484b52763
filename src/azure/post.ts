// The task's post-job step (postjobexecution, which the agent runs at the end of every job, also
// after a failure or a cancel): stops the token agent that the task started, read back from the
// task variables it set, and removes the folders it made. Without them, there is nothing to do
// and it returns at once.

import { stopSavedAgent, type StopDeps } from '../agent/stop.ts';
import { loggingCommands, type Write } from './logging-commands.ts';
import { readSavedAgent } from '../ci/saved-state.ts';
import { AZURE_PIPELINES } from '../ci/systems.ts';

export interface PostDeps extends StopDeps {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly stdout: Write;
}

/** The post-job step; a failure is a warning (the job's result is the task's), never throws. */
export async function run(deps: PostDeps): Promise<void> {
  // What the task saved as task variables (`task.settaskvariable`), which only its later steps see.
  const saved = readSavedAgent((name) => deps.env[AZURE_PIPELINES.savedVariable(name)]);
  await stopSavedAgent(saved, deps, loggingCommands(deps.stdout));
}
