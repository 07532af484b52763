// The action's `agent: true`: start the token agent, hand later steps CX_AUTH_SOCK and a
// `checkmarx-auth` command that runs the bundled CLI on the runner's own Node, and tell the post
// step what to stop.

import { tmpdir } from 'node:os';
import { resolve, sep } from 'node:path';
import { checkedFolder, startJobAgent } from '../agent/job-agent.ts';
import type { AgentToken } from '../agent/protocol.ts';
import { keptVariables } from '../ci/agent-environment.ts';
import { SAVED_AGENT } from '../ci/saved-state.ts';
import { GITHUB_ACTIONS } from '../ci/systems.ts';
import { InputError } from '../core/errors.ts';
import { SOCK_VARIABLE } from '../core/variable-names.ts';
import { sealedVariables } from '../core/sealed-job.ts';
import type { Settings } from '../core/settings.ts';
import type { TokenResult } from '../core/token-response.ts';
import type { WorkflowCommands } from './workflow-commands.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** What the main step hands to later steps once the agent stands: the job's token and variables. */
export interface HandOver {
  /** The token the job's code gets: a sealed agent's phantom; else the exchange's own token. */
  readonly token?: AgentToken;
  readonly variables?: ReadonlyArray<readonly [string, string]>;
}

/**
 * Where the action makes its folders: RUNNER_TEMP, or the container's own temp folder inside a job
 * container. Without RUNNER_TEMP, an input error (called before the exchange, so no agent starts).
 */
export function baseFolder(env: Env): string {
  const variable = GITHUB_ACTIONS.tempVariable;
  const runnerTemp = env[variable];
  if (!runnerTemp)
    throw new InputError('agent', `needs ${variable}, which every GitHub runner sets; it is not set here.`, { code: 'input/runner' });
  return GITHUB_ACTIONS.isContainerTemp(runnerTemp) ? tmpdir() : checkedFolder(variable, runnerTemp);
}

export interface ActionAgentStart {
  readonly settings: Settings;
  readonly first: TokenResult;
  readonly arrivedAt: number;
  readonly deps: { readonly env: Env; readonly scriptPath: string };
  readonly workflow: WorkflowCommands;
  /** Writes the outputs and exported variables: the job's token (a sealed agent's phantom), these variables last. */
  readonly handOver: (handed: HandOver) => void;
}

/**
 * All or nothing: once the agent runs, any failure (the state, GITHUB_ENV, GITHUB_PATH, the
 * command folder) or a cancellation of the step (SIGINT, SIGTERM) stops it and removes what was
 * made before the step fails.
 */
export async function startActionAgent({ settings, first, arrivedAt, deps, workflow, handOver }: ActionAgentStart): Promise<void> {
  // dist/index.js → dist/cli/index.js, by text: ncc would copy a path it can work out as an asset.
  const entry = resolve(deps.scriptPath).replace(/index\.js$/, ['cli', 'index.js'].join(sep));
  await startJobAgent({
    base: baseFolder(deps.env),
    entry,
    settings,
    first,
    arrivedAt,
    environment: keptVariables(deps.env),
    mask: workflow.setSecret,
    stepWord: 'the step',
    publish: ({ sock, pid, commandFolder, folders, variables, sealed }) => {
      workflow.saveState(SAVED_AGENT.folders, JSON.stringify(folders));
      workflow.saveState(SAVED_AGENT.pid, String(pid));
      workflow.saveState(SAVED_AGENT.sock, sock);
      workflow.addPath(commandFolder);
      // The outputs and the token, then CX_AUTH_SOCK, in the one write to GITHUB_ENV that comes last.
      // Sealed, the token is the phantom and the facade's variables come along (masked already).
      const facade = sealed ? sealedVariables(sealed.job).map(({ name, value }) => [name, value] as const) : [];
      handOver({
        ...(sealed ? { token: sealed.token } : {}),
        variables: [...Object.entries(variables), ...facade, [SOCK_VARIABLE, sock]],
      });
    },
  });
  workflow.info(`Started the token agent: later steps run 'checkmarx-auth token' for a fresh token (${SOCK_VARIABLE} names the agent).`);
}
