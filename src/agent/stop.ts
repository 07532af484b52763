// Stopping an agent that a front end started, from its post step: ask it over its socket, then
// SIGTERM only if that very process is still alive after a grace period, and remove its socket
// folder in case it was killed before it could. Shared by the action's post step and the Azure
// task's post-job step.

import { rmSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { askAgent, STOP_DEADLINE_MS } from './client.ts';
import { parseSock } from './protocol.ts';

const EXIT_WAIT_MS = 3_000;

export interface StopDeps {
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

/** Stops the agent `pid` listening at `sock` (`<address>#<key>`); resolves once it is gone or signalled. */
export async function stopStartedAgent(pid: number, sock: string, deps: StopDeps): Promise<void> {
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
}

async function exited(pid: number, withinMs: number, deps: StopDeps): Promise<boolean> {
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
