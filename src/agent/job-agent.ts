// Starting the agent for a CI job (the action's `agent: true`, the Azure task's), all or nothing:
// once the agent runs, a failure while the front end hands it to the job (state, variables,
// PATH) or a cancellation of the step (SIGINT, SIGTERM) stops it and removes what was made,
// before the step fails.

import { rmSync, statSync } from 'node:fs';
import { InputError } from '../core/errors.ts';
import type { Settings } from '../core/settings.ts';
import { runTimeSecretValues } from '../core/run-time-secrets.ts';
import type { TokenResult } from '../core/token-response.ts';
import { writeCommandFolder } from './command-folder.ts';
import { AgentError } from './errors.ts';
import { startAgent, type SealedStart, type StartedAgent } from './launch.ts';
import { formatSock, newKey } from './protocol.ts';

export interface JobAgentStart {
  /**
   * Where the command folder and the socket's folder go (the CI's temp folder, emptied after every
   * job, or in a job container the container's own): its removal at the end of the job stops the agent.
   */
  readonly base: string;
  /** The CLI bundle that runs the agent and that the `checkmarx-auth` command runs. */
  readonly entry: string;
  readonly settings: Settings;
  readonly first: TokenResult;
  readonly arrivedAt: number;
  /** The agent's environment: the variables the front end keeps (keptVariables in src/ci). */
  readonly environment: Readonly<Record<string, string>>;
  /** Registers a secret with the CI system's log masking, before it is written anywhere. */
  readonly mask: (secret: string) => void;
  /** What the user is told when the step was cancelled during start-up ("the step", "the task"). */
  readonly stepWord: string;
  /** Hands the running agent to the job; CX_AUTH_SOCK last, so that it is there only if all else is. */
  readonly publish: (agent: PublishedAgent) => void;
}

export interface PublishedAgent {
  /** CX_AUTH_SOCK's value: the address and the key. */
  readonly sock: string;
  readonly pid: number;
  /** The command folder, for PATH. */
  readonly commandFolder: string;
  /** Everything to remove at the end of the job. */
  readonly folders: readonly string[];
  /** Variables later steps need besides CX_AUTH_SOCK (what checkmarx-auth.cmd reads: CX_AUTH_NODE). */
  readonly variables: Readonly<Record<string, string>>;
  /**
   * A sealed agent's first phantom and facade: the job's token variables and outputs come from
   * `sealed.token`, never from the real first token, plus `sealedVariables(sealed.job)`. Both the
   * phantom and the job key are masked before publish is called.
   */
  readonly sealed?: SealedStart;
}

/**
 * The CI's temporary folder, which the agent's folders go under: a missing one, or a file, is an
 * input error naming the variable, found before the exchange.
 */
export function checkedFolder(variable: string, path: string): string {
  let isFolder: boolean;
  try {
    isFolder = statSync(path).isDirectory();
  } catch {
    throw new InputError('agent', `needs ${variable} to be a folder; '${path}' does not exist.`, { code: 'input/runner' });
  }
  if (!isFolder) throw new InputError('agent', `needs ${variable} to be a folder; '${path}' is not a folder.`, { code: 'input/runner' });
  return path;
}

export async function startJobAgent(start: JobAgentStart): Promise<void> {
  const key = newKey();
  runTimeSecretValues({ agentKey: key }).forEach(start.mask);
  const cancel = new AbortController();
  const onSignal = () => cancel.abort();
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  let commandFolder: string | undefined;
  let agent: StartedAgent | undefined;
  try {
    const command = writeCommandFolder(start.base, process.execPath, start.entry);
    commandFolder = command.folder;
    const { entry, settings, first, arrivedAt, environment, base } = start;
    const launch = { entry, settings, first, arrivedAt, key, tempBase: base, environment };
    agent = await startAgent({ ...launch, watch: commandFolder, signal: cancel.signal });
    const sock = formatSock(agent.address, key);
    const { sealed } = agent;
    runTimeSecretValues({ authSock: sock, phantom: sealed?.token.accessToken, jobKey: sealed?.job.jobKey }).forEach(start.mask);
    const folders = [commandFolder, ...(agent.folder ? [agent.folder] : [])];
    // A signal that came after the start-up wait. publish is synchronous: none can come during it,
    // so what it writes (the token last) is written only for a start that stands.
    if (cancel.signal.aborted) throw new AgentError('agent/cancelled', `The token agent was stopped: ${start.stepWord} was cancelled.`);
    start.publish({ sock, pid: agent.pid, commandFolder, folders, variables: command.variables, ...(sealed ? { sealed } : {}) });
  } catch (error) {
    agent?.abandon();
    if (commandFolder) rmSync(commandFolder, { recursive: true, force: true });
    throw error;
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
}
