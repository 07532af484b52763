// The action's post step: stops the token agent that the main step started, if it did, and
// removes what the main step made (the command folder, the socket folder). Without the state it
// saved, there is nothing to do and it returns at once.

import { stopSavedAgent } from '../agent/stop.ts';
import { readSavedAgent } from '../ci/saved-state.ts';
import { GITHUB_ACTIONS } from '../ci/systems.ts';
import { workflowCommands, type Runner } from './workflow-commands.ts';

/** What the post step runs on: the entry (src/entries/post.ts) passes process.env, process.stdout, Date.now and a real sleep. */
export interface PostDeps extends Runner {
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

/** The post step; a failure is a warning (the job's result is the main step's), never throws. */
export async function run(deps: PostDeps): Promise<void> {
  const saved = readSavedAgent((name) => deps.env[GITHUB_ACTIONS.savedVariable(name)]);
  await stopSavedAgent(saved, deps, workflowCommands(deps));
}
