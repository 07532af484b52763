// The action's post step: stops the token agent that the main step started, if it did. Without
// the state it saved, there is nothing to do and it returns at once.

import { rmSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { askAgent, STOP_DEADLINE_MS } from '../agent/client.ts';
import { parseSock, STATE_PID, STATE_SOCK } from '../agent/protocol.ts';
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
  await askAgent(address, { key, op: 'stop' }, STOP_DEADLINE_MS).catch(() => undefined);
  if (!(await exited(pid, EXIT_WAIT_MS, deps))) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // gone meanwhile
    }
  }
  // The agent removes its socket folder itself; this covers an agent that was killed.
  if (basename(dirname(address)).startsWith('cxauth-')) rmSync(dirname(address), { recursive: true, force: true });
  workflow.info('Stopped the token agent.');
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
