// The action's post step: stops the token agent that the main step started, if it did, and
// removes what the main step made (the command folder, the socket folder). Without the state it
// saved, there is nothing to do and it returns at once.

import { rmSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { askAgent, AgentNotRunning, STOP_DEADLINE_MS } from '../agent/client.ts';
import { COMMAND_FOLDER_PREFIX, parseSock, SOCKET_FOLDER_PREFIX, STATE_FOLDERS, STATE_PID, STATE_SOCK } from '../agent/protocol.ts';
import * as workflow from './workflow-commands.ts';

const EXIT_WAIT_MS = 3_000;

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
  const { address, key } = parseSock(sock);
  const outcome = await askAgent(address, { key, op: 'stop' }, STOP_DEADLINE_MS).then(
    (answer) => (answer.ok && 'stopped' in answer && answer.pid === pid ? 'stopping' : 'not ours'),
    (error: unknown) => (error instanceof AgentNotRunning ? 'gone' : 'silent'),
  );
  // Only a process that just answered with its key and its PID is signalled: never a reused PID.
  if (outcome === 'stopping' && !(await exited(pid, EXIT_WAIT_MS, deps))) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // gone meanwhile
    }
  }
  removeFolders(address, deps.env[`STATE_${STATE_FOLDERS}`]);
  if (outcome === 'stopping') workflow.info('Stopped the token agent.');
  else if (outcome === 'gone') workflow.info('The token agent had already stopped.');
  else {
    workflow.warning(
      `The token agent did not answer (${outcome === 'silent' ? 'no answer' : 'another answer'}); it was not signalled. Its folders are removed, so it stops within seconds if it runs at all, and the runner's end-of-job cleanup stops it in any case.`,
    );
  }
}

/** The command folder and the socket folder, each only if it carries the name the action gives it. */
function removeFolders(address: string, saved: string | undefined): void {
  let folders: unknown = [];
  try {
    folders = JSON.parse(saved ?? '[]');
  } catch {
    // not ours
  }
  const paths = [...(Array.isArray(folders) ? folders : []), dirname(address)].filter((path): path is string => typeof path === 'string');
  for (const path of new Set(paths)) {
    const name = basename(path);
    if (name.startsWith(COMMAND_FOLDER_PREFIX) || name.startsWith(SOCKET_FOLDER_PREFIX)) rmSync(path, { recursive: true, force: true });
  }
}

async function exited(pid: number, withinMs: number, deps: PostDeps): Promise<boolean> {
  for (const end = deps.now() + withinMs; deps.now() < end;) {
    if (!isAlive(pid)) return true;
    await deps.sleep(50);
  }
  return !isAlive(pid);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
